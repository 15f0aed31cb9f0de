"""The memory read probe reads every element once, whatever the number of rows and threads."""

from __future__ import annotations

import numpy as np
import pytest
from mobility_sim.kernels.bandwidth import read_probe


@pytest.mark.parametrize("rows", [1, 7, 64])
def test_read_probe_sums_every_element_once(rows):
    values = np.arange(rows * 33, dtype=np.float32).reshape(rows, 33)
    assert read_probe(values) == pytest.approx(float(values.sum(dtype=np.float64)), rel=1e-6)
