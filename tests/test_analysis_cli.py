"""The analysis command-line functions, end to end on a small synthetic city folder."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from mobility_sim.analysis.cli import (
    attribute_command,
    export_command,
    sensitivity_command,
    solve_command,
    sweep_command,
)
from mobility_sim.city.build import write_city
from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.scenario import load_scenario

SCENARIO = """\
name: cli-test
city: ./city
years: {start: 2025, end: 2027}
target: {year: 2027, reduction: 0.03}
measures:
  - {type: ev_sales_share, label: EV, start: 2025, end: 2027, share: 0.8,
     cost: {capex_eur: 1.0e6}}
  - {type: parking_price, label: Parking, start: 2026, profile: step, eur_per_hour: 5.0,
     area: {zone: centre}}
"""

DISTRIBUTIONS = """\
name: cli-test
parameters:
  annual.days_per_year: {distribution: uniform, low: 300, high: 365, source: "assumption"}
  car.occupancy: {distribution: triangular, low: 1.4, mode: 1.6, high: 1.8,
                  source: "assumption"}
"""


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    for name, fn in (("sweep", sweep_command), ("attribute", attribute_command),
                     ("sensitivity", sensitivity_command), ("solve", solve_command),
                     ("export", export_command)):
        app.command(name)(fn)
    return app


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    write_city(synthetic_city(25, kind="polycentric", seed=1), folder / "city")
    (folder / "scenario.yaml").write_text(SCENARIO, encoding="utf-8")
    (folder / "dist.yaml").write_text(DISTRIBUTIONS, encoding="utf-8")
    return folder


def _run(app, *args):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_sweep_then_rerun_skips_everything_and_exports_iamc(app, folder):
    store = folder / "store"
    args = ("sweep", folder / "scenario.yaml", "--distributions", folder / "dist.yaml",
            "--samples", 3, "--store", store, "--engine", "reference", "--no-progress")
    first = _run(app, *args)
    assert first.exit_code == 0, first.output
    assert "3 jobs (3 distinct): 0 already stored, 3 run, 0 failed" in first.output
    table = pd.read_parquet(store / "sweep.parquet")
    assert sorted(table["sample"].unique()) == [0, 1, 2] and len(table) == 9
    again = _run(app, *args)
    assert "3 already stored, 0 run" in again.output
    out = folder / "iamc.csv"
    result = _run(app, "export", store / "sweep.parquet", "--iamc", out)
    assert result.exit_code == 0, result.output
    iamc = pd.read_csv(out)
    assert list(iamc.columns) == ["model", "scenario", "region", "variable", "unit", "year",
                                  "value"]
    assert iamc["scenario"].nunique() == 3


def test_attribute_writes_the_action_table_and_the_page(app, folder):
    out = folder / "attribution"
    result = _run(app, "attribute", folder / "scenario.yaml", "--out", out, "--engine",
                  "reference", "--no-progress")
    assert result.exit_code == 0, result.output
    assert "exact Shapley attribution of 2 measures (4 runs)" in result.output
    actions = pd.read_csv(out / "actions.csv")
    totals = pd.read_parquet(out / "totals.parquet")
    effect = totals.query("year == 2027 and output == 'co2_wtw_t'")["effect"].iloc[0]
    assert actions["co2_effect_t"].sum() == pytest.approx(effect, rel=1e-9)
    page = (out / "attribution.html").read_text(encoding="utf-8")
    assert '"type":"waterfall"' in page and "EV" in page
    assert f"--attribution {out}" in result.output


def test_the_dashboard_draws_an_attribution_of_the_same_scenario(app, folder):
    from mobility_sim.report.cli import compare_cities_command, dashboard_command
    from mobility_sim.simulate import run

    out = folder / "attribution_for_dashboard"
    result = _run(app, "attribute", folder / "scenario.yaml", "--out", out, "--engine",
                  "reference", "--no-progress")
    assert result.exit_code == 0, result.output
    run(folder / "scenario.yaml", out=folder / "run", dashboard=False, engine="reference")
    report = typer.Typer(pretty_exceptions_enable=False)
    report.command("dashboard")(dashboard_command)
    report.command("other")(lambda: None)  # two commands: the name is the first argument
    done = CliRunner().invoke(report, ["dashboard", str(folder / "run"), "--attribution",
                                       str(out)])
    assert done.exit_code == 0, done.output
    page = (folder / "run" / "dashboard.html").read_text(encoding="utf-8")
    assert 'data-name="wedges"' in page and 'data-name="cost-effectiveness"' in page
    assert "Splitting the reduction among measures needs runs" not in page
    assert "Measure costs and the abatement of each measure are not among" not in page

    other = folder / "other.yaml"
    other.write_text(SCENARIO.replace("label: Parking", "label: Parking zone"), encoding="utf-8")
    run(other, out=folder / "run_other", dashboard=False, engine="reference")
    done = CliRunner().invoke(report, ["dashboard", str(folder / "run_other"), "--attribution",
                                       str(out)])
    assert done.exit_code == 2
    assert "attributed but not in the run: ['Parking']" in done.output
    assert "in the run but not attributed: ['Parking zone']" in done.output

    report.command("compare-cities")(compare_cities_command)
    runs = [str(folder / "run"), str(folder / "run")]
    done = CliRunner().invoke(report, ["compare-cities", *runs, "--attribution", str(out),
                                       "--out", str(folder / "cities.html")])
    assert done.exit_code == 2 and "1 folders for 2 runs" in done.output
    done = CliRunner().invoke(report, ["compare-cities", *runs, "--attribution", str(out),
                                       "--attribution", str(out), "--out",
                                       str(folder / "cities.html")])
    assert done.exit_code == 0, done.output
    assert 'data-name="measure-ranking"' in (folder / "cities.html").read_text(encoding="utf-8")


def test_sensitivity_names_the_inputs_that_matter(app, folder):
    out = folder / "morris"
    result = _run(app, "sensitivity", folder / "scenario.yaml", "--distributions",
                  folder / "dist.yaml", "--method", "morris", "--samples", 2, "--out", out,
                  "--engine", "reference", "--no-progress")
    assert result.exit_code == 0, result.output
    assert "The inputs that matter" in result.output and "annual.days_per_year" in result.output
    assert (out / "sensitivity.html").is_file() and (out / "indices.csv").is_file()


def test_solve_writes_a_loadable_solved_scenario(app, folder):
    out = folder / "solve"
    result = _run(app, "solve", folder / "scenario.yaml", "--lever", "EV.share=0.145:1",
                  "--lever", "Parking.eur_per_hour=3:12", "--out", out, "--engine",
                  "reference")
    assert result.exit_code == 0, result.output
    record = json.loads((out / "solution.json").read_text(encoding="utf-8"))
    assert record["status"] in ("reached", "unreachable")
    solved = load_scenario(out / "solved_scenario.yaml",
                           city=synthetic_city(25, kind="polycentric", seed=1))
    levers = pd.read_csv(out / "levers.csv")
    assert solved.scenario.measures[0].share == pytest.approx(levers["value"].iloc[0])


def test_bad_input_is_one_line_per_problem_without_traceback(app, folder):
    bad = folder / "bad.yaml"
    bad.write_text("name: bad\nparameters:\n  car.ocupancy: {distribution: uniform, low: 1,"
                   " high: 2, source: x}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["sweep", str(folder / "scenario.yaml"),
                                      "--distributions", str(bad), "--samples", "2",
                                      "--store", str(folder / "bad-store")])
    assert result.exit_code == 2
    assert "error: " in result.output and "did you mean 'car.occupancy'" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(app, ["solve", str(folder / "scenario.yaml"), "--lever",
                                      "EV.share=1"])
    assert result.exit_code == 2 and "give 'no_effect'" in result.output


def test_monte_carlo_fan_draws_the_target_and_the_change_against_each_runs_base(app, folder):
    out = folder / "montecarlo"
    result = _run(app, "sensitivity", folder / "scenario.yaml", "--distributions",
                  folder / "dist.yaml", "--method", "montecarlo", "--samples", 3, "--out",
                  out, "--engine", "reference", "--no-progress")
    assert result.exit_code == 0, result.output
    assert "Each run against its own first year" in result.output
    page = (out / "sensitivity.html").read_text(encoding="utf-8")
    assert "Target:" in page
