"""The compiled Furness sweep (fused_core.balance_rows) against NumPy, over any range of rows."""

from __future__ import annotations

import numpy as np
import pytest
from mobility_sim.kernels import fused_core


def numpy_sweep(stored, factors, origins, start, stop):
    rows = stored[:, start:stop].astype(np.float64)
    denom = rows @ factors
    coef = np.divide(origins[:, start:stop], denom, out=np.zeros_like(denom), where=denom > 0)
    return denom, np.einsum("si,sij->j", coef, rows)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("start", "stop"), [(0, 23), (3, 4), (5, 13), (0, 0), (8, 16)])
def test_sweep_over_a_row_range_matches_numpy(dtype, start, stop):
    rng = np.random.default_rng(start * 31 + stop)
    n, segments = 23, 2
    stored = rng.random((segments, n, n)).astype(dtype)
    stored[0, 6] = 0.0  # a row nobody can leave to: denominator 0, no arrivals
    origins = rng.uniform(0.0, 10.0, (segments, n))
    origins[:, 9:13] = 0.0  # a whole pipelined group of four with no trips
    origins[1, 14] = 0.0
    factors = rng.uniform(0.5, 2.0, n)
    denom = np.full((segments, n), -1.0)
    acc = np.zeros(n)
    fused_core.balance_rows(start, stop, stored, factors, origins, denom, acc)
    want_denom, want_acc = numpy_sweep(stored, factors, origins, start, stop)
    np.testing.assert_allclose(denom[:, start:stop], want_denom, rtol=1e-13)
    np.testing.assert_allclose(acc, want_acc, rtol=1e-13, atol=1e-300)
    assert np.all(denom[:, :start] == -1.0) and np.all(denom[:, stop:] == -1.0)
