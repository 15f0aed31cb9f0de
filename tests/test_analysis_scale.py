"""Scale measurements: the arithmetic of the sweep estimate and a real (tiny) measurement."""

from __future__ import annotations

import numpy as np
import pytest

from mobility_sim.analysis.scale import (
    loglog_interp,
    measure_run,
    mission_estimate,
    sweep_estimate,
)
from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.scenario import load_scenario

SCENARIO = """\
name: scale-test
city: synthetic
years: {start: 2025, end: 2026}
measures:
  - {type: ev_sales_share, start: 2025, end: 2026, share: 0.5}
"""


def test_loglog_interp_hits_the_measurements_and_extends_the_last_power_law():
    sizes, seconds = [100, 400, 1600], [0.02, 0.2, 3.2]
    assert np.allclose(loglog_interp(np.array(sizes), sizes, seconds), seconds)
    # 400 -> 1600 is a power of 2 (x16 for x4): 3200 cells -> 3.2 * 4
    assert loglog_interp(3200, sizes, seconds) == pytest.approx(12.8)
    assert loglog_interp(200, sizes, seconds) == pytest.approx(0.02 * 2 ** (np.log(10) / np.log(4)))


def test_sweep_estimate_arithmetic():
    fit = {"sizes": [100, 1000], "seconds": [0.1, 1.0], "traced_mb": [10.0, 100.0]}
    est = sweep_estimate([100, 1000], scenarios=10, samples=100, years=10, per_year=fit,
                         overhead_s=0.5, baseline_mb=200.0, result_bytes=40_000, cores=100,
                         efficiency=0.5, n_cities=4)
    # mean run: (0.5 + 10*0.1 + 0.5 + 10*1.0) / 2 = 6 s; 4 cities x 10 x 100 runs
    assert est.runs == 4000
    assert est.core_hours == pytest.approx(4000 * 6 / 3600)
    assert est.wall_hours == pytest.approx(est.core_hours / 50)
    assert est.memory_per_worker_gb == pytest.approx(300 / 1024)
    assert est.result_gb == pytest.approx(4000 * 40_000 / 1e9)


def test_measure_run_and_estimate_from_a_record(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    loaded = load_scenario(path, city=synthetic_city(25, seed=0))
    cost = measure_run(loaded, engine="reference", repeats=1)
    assert cost.n_cells == 25 and cost.n_years == 2 and cost.engine == "demand_reference"
    assert cost.median_s > 0 and cost.traced_peak_mb > 0 and cost.result_bytes > 1000
    record = {"run": {**cost.__dict__}, "median_s": cost.median_s,
              "per_year_fit": {"sizes": [25, 100], "seconds": [cost.median_s / 2,
                                                               cost.median_s * 2],
                               "traced_mb": [cost.traced_peak_mb, 4 * cost.traced_peak_mb]}}
    est = mission_estimate(record, [25, 100], n_cities=2, scenarios=1, samples=1, cores=(1,))
    assert est[0]["runs"] == 2
    # the fit predicts the measured run exactly (package factor 1); runs of median and
    # 2 years x (2 x median)
    assert est[0]["package_factor"] == pytest.approx(1.0)
    assert est[0]["core_hours"] * 3600 == pytest.approx(cost.median_s + 4 * cost.median_s)
