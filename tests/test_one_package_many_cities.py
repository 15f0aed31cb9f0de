"""One package on many cities: city-independent geometry, `run --city`, one comparison page."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mobility_sim.city import load_city
from mobility_sim.cli import app
from mobility_sim.report import build_city_comparison
from mobility_sim.results import Results
from mobility_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def test_a_packages_tram_line_follows_the_city_it_runs_on():
    package = ROOT / "scenarios" / "aarhus" / "sump_package.yaml"
    lines = {}
    for slug in ("aarhus", "york", "graz"):
        loaded = load_scenario(package, city=load_city(slug))
        index = [m.type for m in loaded.scenario.measures].index("pt_line")
        assert loaded.masks[index].any(), f"the tram line serves no cell of {slug}"
        lines[slug] = loaded.masks[index].sum()
    assert len(lines) == 3


def test_run_city_writes_one_folder_per_city_and_the_comparison_has_no_warning(tmp_path):
    runner = CliRunner()
    scenario = ROOT / "scenarios" / "york" / "pt_line.yaml"
    folders = []
    for slug in ("york", "graz"):
        out = tmp_path / slug
        res = runner.invoke(app, ["run", str(scenario), "--city", slug, "--out", str(out),
                                  "--no-dashboard", "--no-progress"])
        assert res.exit_code == 0, res.output
        meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
        assert meta["city_slug"] == slug
        folders.append(out)
    page = build_city_comparison([Results.load(f) for f in folders]).render()
    assert "The same measure package in several cities" in page
    assert "runs use different scenarios" not in page
    res = runner.invoke(app, ["run", str(scenario), "--city", "atlantis", "--no-dashboard"])
    assert res.exit_code == 2 and "atlantis" in res.output


def test_policy_command_prints_what_each_eu_policy_contributes(tmp_path):
    scenario = tmp_path / "york.yaml"
    scenario.write_text("name: york-short\ncity: york\nyears: {start: 2025, end: 2030}\n",
                        encoding="utf-8")
    out = tmp_path / "policy.csv"
    res = CliRunner().invoke(app, ["policy", str(scenario), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "EU CO2 standards for new cars" in res.output and "every element off" in res.output
    assert out.is_file()
    res = CliRunner().invoke(app, ["policy", str(scenario), "--year", "2040"])
    assert res.exit_code == 2 and "not a simulated year" in res.output
