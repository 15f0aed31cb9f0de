"""Accessibility: jobs and residents each cell reaches within 30 and 45 minutes, by mode."""

from __future__ import annotations

import numpy as np
import pytest
from mobility_sim.kernels.reference import distance_block
from mobility_sim.kernels.spec import WALK

from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.model.accessibility import THRESHOLDS, accessibility, travel_minutes
from mobility_sim.model.parameters import resolve_parameters
from mobility_sim.model.years import setup_run, year_inputs
from mobility_sim.report.access_figures import residents_average
from mobility_sim.scenario import load_scenario
from mobility_sim.simulate import simulate

PACKAGE = """\
name: access-test
city: synthetic
years: {start: 2025, end: 2027}
measures:
  - {type: pt_frequency, label: Frequent PT, start: 2026, profile: step, headway_factor: 0.5}
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    path = tmp_path_factory.mktemp("access") / "package.yaml"
    path.write_text(PACKAGE, encoding="utf-8")
    loaded = load_scenario(path, city=synthetic_city(36, kind="polycentric", seed=1))
    return loaded, simulate(loaded, engine="reference")


def test_walking_time_is_the_network_distance_at_walking_speed(run):
    loaded = run[0]
    city = loaded.city
    setup = setup_run(city, resolve_parameters(city), (), (), [2025])
    inputs, params = year_inputs(setup, 2025)
    n = city.n_cells
    zeros = np.zeros(inputs.x.size)
    minutes = travel_minutes(inputs, params, zeros, zeros, n, slice(0, n))
    dist = distance_block(inputs, params, slice(0, n))[:, :n]
    np.testing.assert_allclose(minutes["walk"], dist * 60.0 / params.speed[WALK], rtol=1e-12)
    # a brute-force count of the jobs within 30 minutes on foot
    jobs = np.asarray(inputs.size[0][:n], float)
    counts = accessibility(inputs, params, zeros, zeros, n, jobs, np.ones(n))
    expected = (minutes["walk"] <= THRESHOLDS[0]).astype(float) @ jobs
    np.testing.assert_allclose(counts["walk"][:, 0], expected, rtol=1e-12)


def test_more_time_reaches_more_and_frequent_pt_reaches_more_jobs(run):
    _, results = run
    access = results.access
    assert set(access["mode"]) == {"walk", "bike", "pt", "car"}
    assert (access["jobs_45"] >= access["jobs_30"]).all()
    avg = residents_average(access, results.grid).set_index(["year", "case", "mode"])
    assert avg.loc[(2027, "scenario", "pt"), "jobs_30"] > avg.loc[(2027, "reference", "pt"),
                                                                  "jobs_30"]
    assert avg.loc[(2025, "scenario", "pt"), "jobs_30"] == pytest.approx(
        avg.loc[(2025, "reference", "pt"), "jobs_30"])  # before the measure starts


def test_the_access_table_is_saved_and_drawn(run, tmp_path):
    from mobility_sim.report import write_dashboard
    from mobility_sim.results import Results

    _, results = run
    folder = results.save(tmp_path / "run")
    again = Results.load(folder)
    assert again.access.equals(results.access)
    html = write_dashboard(again, tmp_path / "d.html").read_text(encoding="utf-8")
    assert 'id="access"' in html and "map-access-pt-change" in html
