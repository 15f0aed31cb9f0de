"""float32 mode of the fused kernel: city totals within 1e-5 relative of float64."""

from __future__ import annotations

import numpy as np
import pytest
from mobility_sim.kernels.fused import demand_fused

from mobility_sim.bench import synthetic_inputs

TOTALS_RTOL = 1e-5


def city_totals(out) -> dict[str, np.ndarray]:
    return {
        "trips by mode": out.trips.sum(axis=(0, 1, 2)),
        "pkm by mode": out.pkm.sum(axis=(0, 1, 2)),
        "trips by segment and purpose": out.trips.sum(axis=(2, 3)),
        "arrivals by mode": out.trips_to.sum(axis=0),
        "vkm": out.vkm.sum(axis=0),
        "co2 ttw": out.co2_ttw.sum(axis=0),
        "co2 wtw": out.co2_wtw.sum(axis=0),
    }


@pytest.fixture(scope="module")
def years():
    """Three years of the benchmark city (full model: 2 segments, commute doubly constrained
    with logsum coefficient 1, other purposes origin-constrained with coefficient 1.5)."""
    return [synthetic_inputs(900, k) for k in range(3)]


def test_float32_city_totals_match_float64_over_warm_started_years(years):
    start64 = start32 = None
    for inputs, params in years:
        out64 = demand_fused(inputs, params, start64)
        out32 = demand_fused(inputs, params, start32, dtype=np.float32)
        for name, want in city_totals(out64).items():
            got = city_totals(out32)[name]
            np.testing.assert_allclose(got, want, rtol=TOTALS_RTOL, atol=0.0, err_msg=name)
        np.testing.assert_allclose(out32.balancing, out64.balancing, rtol=1e-4)
        assert out32.trips.dtype == np.float64 and out32.balancing.dtype == np.float64
        assert out32.iterations[0] > 0
        start64, start32 = out64.balancing, out32.balancing


def test_float32_is_not_float64_in_disguise(years):
    inputs, params = years[0]
    out64 = demand_fused(inputs, params)
    out32 = demand_fused(inputs, params, dtype=np.float32)
    assert not np.array_equal(out32.pkm, out64.pkm)
    np.testing.assert_allclose(out32.pkm, out64.pkm, rtol=1e-4, atol=1e-9 * out64.pkm.max())
