"""Scenario comparison and multi-city pages, and their command-line functions."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import typer
from test_report_fixtures import full_extra, make_results
from typer.testing import CliRunner

from mobility_sim.exceptions import MobilitySimError
from mobility_sim.report import (
    build_city_comparison,
    build_comparison,
    write_city_comparison,
    write_comparison,
)
from mobility_sim.report.cli import compare_cities_command, compare_command, dashboard_command
from mobility_sim.report.map_figures import co2_per_capita
from mobility_sim.scenario.base import distinct_names


def specs(html: str) -> list[dict]:
    return [json.loads(s) for s in re.findall(
        r'<script type="application/json" id="[^"]*-fig-\d+-data">(.*?)</script>', html, re.S)]


def test_comparison_page_has_trajectories_kpis_and_difference_maps(tmp_path):
    a = make_results(scenario_name="Baseline", car_cut=0.0)
    b = make_results(scenario_name="SUMP", car_cut=0.3)
    html = write_comparison([a, b], tmp_path / "c.html").read_text("utf-8")
    assert "Key indicators" in html and "Difference maps" in html
    traj = specs(html)[0]
    assert [t["name"] for t in traj["data"]][:2] == ["Baseline", "SUMP"]
    table = html.split("<table", 1)[1].split("</table>", 1)[0]
    assert "Baseline" in table and "SUMP" in table and "Gap to target" in table


def test_difference_map_is_scenario_minus_reference():
    a = make_results(scenario_name="Baseline", car_cut=0.0)
    b = make_results(scenario_name="SUMP", car_cut=0.3)
    page = build_comparison([a, b])
    fig = next(f for n, f in page.named_figures if n.startswith("difference-map"))
    z = np.asarray(fig.data[0].z, dtype=float)
    diff = co2_per_capita(b.cells, 2035) - co2_per_capita(a.cells, 2035)
    assert z[0, 0] == pytest.approx(diff.loc[0], rel=1e-5)
    assert np.nanmax(z) < 0  # the car cut lowers emissions in every cell


def test_different_grids_get_no_difference_map():
    a = make_results(scenario_name="A")
    b = make_results(scenario_name="B", side=4)
    html = build_comparison([a, b]).render()
    assert "different grids" in html
    assert not any(n.startswith("difference-map") for n, _ in build_comparison(
        [a, b]).named_figures)


def test_same_names_are_numbered():
    assert distinct_names(["A", "B", "A", "A"]) == ["A", "B", "A (2)", "A (3)"]


def test_comparison_needs_runs():
    with pytest.raises(MobilitySimError, match="no runs given"):
        write_comparison([], "x.html")
    with pytest.raises(MobilitySimError, match="not Results"):
        write_city_comparison(["folder"], "x.html")


def test_city_comparison_is_per_resident_with_small_multiples(tmp_path):
    a = make_results(city_name="Alphaville", side=5)
    b = make_results(city_name="Betatown", side=3, seed=4, synthetic=False)
    html = write_city_comparison([a, b], tmp_path / "cities.html").read_text("utf-8")
    assert len(specs(html)) == 5
    bars = dict(build_city_comparison([a, b]).named_figures)["cities-per-capita"]
    assert list(bars.data[1].x) == ["Alphaville", "Betatown"]
    final_pc = [float(r.summary["co2_wtw_per_capita_kg"].iloc[-1]) for r in (a, b)]
    assert list(bars.data[1].y) == pytest.approx(final_pc)
    assert "Ranking of measures by effect" in html and "Not available in this run." in html
    assert "Synthetic city:" in html and "Alphaville" in html.split("Synthetic city:")[1][:200]


def test_measures_are_ranked_per_city():
    a = make_results(city_name="Alphaville")
    b = make_results(city_name="Betatown", seed=4)
    wa = full_extra(a)["wedges"]
    wb = full_extra(b)["wedges"].copy()
    wb.loc[wb["measure"] == "Cycle lanes", "co2_wtw_reduction_t"] *= 10
    page = build_city_comparison([a, b], wedges=[wa, wb])
    fig = dict(page.named_figures)["measure-ranking"]
    heat = fig.data[0]
    col = list(heat.x).index("Betatown")
    row = list(heat.y).index("Cycle lanes")
    assert heat.text[row][col] == "#1"
    col_a = list(heat.x).index("Alphaville")
    row_lez = list(heat.y).index("Low-emission zone")
    assert heat.text[row_lez][col_a] == "#1"


def cli_app() -> typer.Typer:
    app = typer.Typer()
    app.command("compare")(compare_command)
    app.command("compare-cities")(compare_cities_command)
    app.command("dashboard")(dashboard_command)
    return app


def test_cli_commands_write_pages(tmp_path):
    runner = CliRunner()
    a = make_results(scenario_name="A").save(tmp_path / "a")
    b = make_results(scenario_name="B", car_cut=0.3).save(tmp_path / "b")
    out = tmp_path / "cmp.html"
    result = runner.invoke(cli_app(), ["compare", str(a), str(b), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and "comparison:" in result.output
    out = tmp_path / "cities.html"
    result = runner.invoke(cli_app(), ["compare-cities", str(a), str(b), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    result = runner.invoke(cli_app(), ["dashboard", str(a), "--baseline", str(b)])
    assert result.exit_code == 0, result.output
    assert (a / "dashboard.html").is_file()


def test_cli_reports_every_bad_folder_without_traceback(tmp_path):
    runner = CliRunner()
    (tmp_path / "empty").mkdir()
    result = runner.invoke(cli_app(), ["compare", str(tmp_path / "empty"),
                                       str(tmp_path / "missing"), "--out",
                                       str(tmp_path / "x.html")])
    assert result.exit_code == 2
    lines = [ln for ln in result.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 2 and "not a complete run folder" in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.html").exists()


def test_city_comparison_works_at_a_taskforce_size():
    """30 cities (a taskforce's size) fit: small multiples with one panel per city."""
    runs = [make_results(seed=i, city_name=f"City {i}", city_slug=f"c{i}",
                         scenario_name="package") for i in range(30)]
    page = build_city_comparison(runs)
    panels = {name: fig for name, fig in page.named_figures}
    multiples = panels["cities-trajectories"]
    titles = [a.text for a in multiples.layout.annotations]
    assert {f"City {i}" for i in range(30)} <= set(titles)


def test_difference_maps_draw_the_runs_zones_and_measure_areas(tmp_path):
    a = make_results(scenario_name="Baseline", car_cut=0.0)
    b = make_results(scenario_name="SUMP", car_cut=0.3)
    cells = [int(c) for c in b.grid["cell_id"][:4]]
    b.meta["map_layers"] = {"zones": [], "pt_lines": [],
                            "areas": [{"label": "Central charge", "type": "cordon_charge",
                                       "zone": None, "cell_ids": cells}]}
    html = write_comparison([a, b], tmp_path / "c.html").read_text("utf-8")
    maps = [s for s in specs(html) if any(t.get("type") == "heatmap" for t in s["data"])]
    assert maps and any(t.get("name") == "Central charge" for t in maps[0]["data"])
