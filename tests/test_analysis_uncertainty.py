"""Parameter distributions (YAML), Monte Carlo fan charts, Morris and Sobol indices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mobility_sim.analysis.distributions import read_distributions
from mobility_sim.analysis.figures import fan_chart_figure, sensitivity_figure
from mobility_sim.analysis.jobs import Job
from mobility_sim.analysis.sweep import run_sweep
from mobility_sim.analysis.uncertainty import change_against_first_year, run_uncertainty
from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.exceptions import DistributionError
from mobility_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
ENGINE = "reference"

SCENARIO = """\
name: uncertainty-test
city: synthetic
years: {start: 2025, end: 2026}
target: {year: 2026, reduction: 0.1}
measures:
  - {type: ev_sales_share, label: EV, start: 2025, end: 2026, share: 0.8}
  - {type: parking_price, label: Parking, start: 2026, profile: step, eur_per_hour: 4.0,
     area: {zone: centre}}
"""

#: One input that scales every annual total (days per year) and one that cannot matter
#: (the balancing tolerance, far below the output's resolution).
SCREENING = """\
name: screening-test
parameters:
  annual.days_per_year:
    distribution: uniform
    low: 250
    high: 365
    source: "assumption: test range"
  balancing.tolerance:
    distribution: uniform
    low: 1.0e-10
    high: 1.0e-9
    source: "assumption: test range"
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("uncertainty")
    (folder / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    return load_scenario(folder / "s.yaml", city=synthetic_city(25, kind="polycentric", seed=1))


@pytest.fixture(scope="module")
def screening(tmp_path_factory):
    path = tmp_path_factory.mktemp("dist") / "screening.yaml"
    path.write_text(SCREENING, encoding="utf-8")
    return read_distributions(path)


def test_shipped_distribution_files_are_valid():
    files = sorted((ROOT / "scenarios/uncertainty").glob("*.yaml"))
    assert files
    for path in files:
        space = read_distributions(path)
        assert space.names
        assert all(e.distribution.source.strip() for e in space.entries)


def test_shipped_measure_distributions_fit_the_helsinki_package():
    space = read_distributions(ROOT / "scenarios/uncertainty/helsinki_sump_package.yaml")
    package = load_scenario(ROOT / "scenarios/helsinki/sump_package.yaml")
    space.check(package)
    jobs = space.jobs(package, space.from_unit(np.full((1, len(space.names)), 0.5)))
    assert jobs[0].settings  # measure fields are sampled, not only parameters


def test_distribution_file_errors_point_at_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\n"
        "parameters:\n"
        "  car.ocupancy: {distribution: uniform, low: 1.4, high: 1.8, source: x}\n"
        "  utility.time.car: {distribution: uniforme, low: -0.1, high: -0.06, source: x}\n",
        encoding="utf-8")
    with pytest.raises(DistributionError) as info:
        read_distributions(path)
    assert info.value.problems == [
        f"{path}:3: parameters.car.ocupancy: unknown parameter 'car.ocupancy' (did you mean "
        "'car.occupancy'?); see mobility_sim/data/parameters.csv",
        f"{path}:4: parameters.utility.time.car.distribution: unknown distribution "
        "'uniforme' (did you mean 'uniform'?); use one of: uniform, triangular, normal, "
        "truncated_normal"]
    path.write_text(
        "name: bad\n"
        "parameters:\n"
        "  car.occupancy: {distribution: uniform, low: 1.8, high: 1.4, source: x}\n"
        "  utility.asc.car: {distribution: normal, mean: -0.8, sd: 0.2}\n",
        encoding="utf-8")
    with pytest.raises(DistributionError) as info:
        read_distributions(path)
    text = "\n".join(info.value.problems)
    assert f"{path}:3: parameters.car.occupancy: low (1.8) must be below high (1.4)" in text
    assert f"{path}:4: parameters.utility.asc.car.source: missing required key 'source'" in text


def test_measure_entries_must_name_a_measure_and_field(tmp_path, loaded):
    path = tmp_path / "m.yaml"
    path.write_text("name: m\nmeasures:\n  EV:\n    shar: {distribution: uniform, low: 0.5, "
                    "high: 1.0, source: x}\n  Parkng:\n    eur_per_hour: {distribution: uniform,"
                    " low: 3, high: 6, source: x}\n", encoding="utf-8")
    space = read_distributions(path)
    with pytest.raises(DistributionError) as info:
        space.check(loaded)
    text = "\n".join(info.value.problems)
    assert f"{path}:4: measure 'EV'" in text and "(did you mean 'share'?)" in text
    assert f"{path}:6: no measure 'Parkng' (did you mean 'Parking'?)" in text


def test_samples_follow_their_distributions(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text(
        "name: d\nparameters:\n"
        "  car.occupancy: {distribution: triangular, low: 1.4, mode: 1.6, high: 1.8, source: x}\n"
        "  utility.asc.car: {distribution: truncated_normal, mean: -0.8, sd: 0.3, low: -1.2,"
        " high: -0.5, source: x}\n"
        "  utility.time.car: {distribution: normal, mean: -0.08, sd: 0.01, source: x}\n",
        encoding="utf-8")
    space = read_distributions(path)
    u = np.random.default_rng(0).random((4000, 3))
    values = space.from_unit(u)
    assert values[:, 0].min() >= 1.4 and values[:, 0].max() <= 1.8
    assert abs(np.median(values[:, 0]) - 1.6) < 0.01
    assert values[:, 1].min() >= -1.2 and values[:, 1].max() <= -0.5
    assert abs(values[:, 2].mean() + 0.08) < 0.001 and abs(values[:, 2].std() - 0.01) < 0.001
    ends = space.from_unit(np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]), clip_unbounded=True)
    assert np.isfinite(ends).all() and ends[0, 0] == 1.4 and ends[1, 0] == 1.8


def test_monte_carlo_fan_is_ordered_and_the_reference_is_the_plain_run(loaded, screening):
    run = run_uncertainty(loaded, screening, "montecarlo", 6, seed=2, engine=ENGINE,
                          progress=False)
    assert len(run.samples) == 6 and run.sweep.ok
    fan = run.fan()
    for _, year in fan.groupby("year"):
        values = year.sort_values("quantile")["value"].to_numpy()
        assert (np.diff(values) >= 0).all() and values[-1] > values[0]
    plain = run_sweep([Job(base=loaded)], engine=ENGINE, progress=False).table
    assert run.reference["co2_wtw_t"].tolist() == plain["co2_wtw_t"].tolist()
    fig = fan_chart_figure(fan, run.reference)
    assert [t.name for t in fig.data if t.name][-1] == "Scenario's own values"
    assert "90 % of runs between" in run.summary_text()
    # the spread is also stated against each run's own first year (its base moves)
    change = change_against_first_year(run.table, run.output, run.year)
    assert len(change) == 6
    assert f"median {change.median():+.1%}" in run.summary_text()


def test_morris_names_the_input_that_matters(loaded, screening):
    run = run_uncertainty(loaded, screening, "morris", 3, seed=1, engine=ENGINE,
                          progress=False)
    assert len(run.table) == 3 * (2 + 1) * 2  # trajectories x (k + 1) runs x years
    assert run.important() == ["annual.days_per_year"]
    text = run.summary_text()
    assert "annual.days_per_year (mu*" in text and "Negligible: balancing.tolerance" in text
    assert sensitivity_figure(run.indices, "morris").data[0].x[-1] == pytest.approx(
        run.indices["mu_star"].max())


def test_sobol_total_index_of_the_scaling_input_is_near_one(loaded, screening):
    run = run_uncertainty(loaded, screening, "sobol", 8, seed=1, engine=ENGINE,
                          progress=False)
    assert len(run.samples) == 8 * (2 + 2)
    st = run.indices.set_index("parameter")["ST"]
    assert st["annual.days_per_year"] > 0.9 and abs(st["balancing.tolerance"]) < 0.05
    assert run.important() == ["annual.days_per_year"]


def test_sobol_needs_a_power_of_two(loaded, screening):
    from mobility_sim.exceptions import AnalysisError

    with pytest.raises(AnalysisError, match="power of two"):
        run_uncertainty(loaded, screening, "sobol", 6, engine=ENGINE, progress=False)
