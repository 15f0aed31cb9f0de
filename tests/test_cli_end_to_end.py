"""End to end on the real Helsinki grid: CLI -> Parquet results, resolved scenario, dashboard."""

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from mobility_sim.results import Results

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "helsinki" / "sump_package.yaml"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "helsinki"
    proc = subprocess.run(
        [sys.executable, "-m", "mobility_sim", "run", str(SCENARIO), "--out", str(out),
         "--no-progress"],
        capture_output=True, text=True, cwd=ROOT, check=False,
        preexec_fn=lambda: os.umask(0o022),  # the usual default umask
    )
    assert proc.returncode == 0, proc.stderr
    assert f"results:   {out.resolve()}" in proc.stdout
    assert "dashboard.html" in proc.stdout
    return out


def test_run_writes_every_result_file(run_dir):
    for name in ("summary", "modes", "segments", "cells", "grid"):
        assert (run_dir / f"{name}.parquet").is_file()
    assert (run_dir / "dashboard.html").stat().st_size > 100_000
    resolved = (run_dir / "scenario.resolved.yaml").read_text()
    assert "ev_sales_share" in resolved and "content hash" in resolved
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["city_slug"] == "helsinki" and len(meta["scenario_hash"]) == 64
    assert not list(run_dir.glob("*.tmp")), "temporary files left behind"


def test_result_files_get_the_users_usual_permissions(run_dir):
    """Under the default umask 022 every result file is 0644: a team can read them."""
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in run_dir.iterdir()}
    assert "dashboard.html" in modes and "summary.parquet" in modes
    assert all(mode == 0o644 for mode in modes.values()), {n: oct(m) for n, m in modes.items()}


def test_atomic_files_follow_the_umask(tmp_path):
    from mobility_sim.io.yamlio import write_text_atomic

    old = os.umask(0o027)
    try:
        write_text_atomic(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o640


def test_results_add_up(run_dir):
    r = Results.load(run_dir)
    years = sorted(r.summary["year"])
    assert years == list(range(2025, 2051))
    share = r.mode_share().groupby("year")["share"].sum()
    assert (share - 1).abs().max() < 1e-12
    by_mode = r.modes.groupby("year")[["co2_ttw_t", "co2_wtw_t", "trips", "pkm"]].sum()
    summary = r.summary.set_index("year")
    for col in ("co2_ttw_t", "co2_wtw_t", "trips", "pkm"):
        pd.testing.assert_series_equal(by_mode[col], summary[col], check_names=False, rtol=1e-12)
    cells = r.cells.groupby("year")[["co2_wtw_t", "trips"]].sum()
    pd.testing.assert_series_equal(cells["co2_wtw_t"], summary["co2_wtw_t"], check_names=False,
                                   rtol=1e-9)
    # trips conserved: residents x 3 trips/day x 365 days
    assert summary["trips"].iloc[0] == pytest.approx(r.summary["population"].iloc[0] * 3.0 * 365)
    assert (r.modes["co2_wtw_t"] >= r.modes["co2_ttw_t"]).all()


def test_ev_measure_lowers_emissions_over_time(run_dir):
    s = Results.load(run_dir).summary.set_index("year")
    assert s.loc[2050, "fleet_bev_share"] > s.loc[2025, "fleet_bev_share"] + 0.3
    assert s.loc[2050, "co2_ttw_t"] < 0.6 * s.loc[2025, "co2_ttw_t"]


def test_dashboard_loads_no_external_script(run_dir):
    html = (run_dir / "dashboard.html").read_text(encoding="utf-8")
    srcs = re.findall(r"<script[^>]*\bsrc\s*=\s*['\"]([^'\"]+)", html, flags=re.I)
    assert not [s for s in srcs if re.match(r"(https?:)?//", s)], srcs
    links = re.findall(r"<link[^>]*\bhref\s*=\s*['\"]([^'\"]+)", html, flags=re.I)
    assert not [h for h in links if re.match(r"(https?:)?//", h)], links
    assert html.count("Plotly.newPlot") >= 3 or html.count("plotly-graph-div") >= 3


def test_bad_scenario_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncity: helsinki\nyears: {start: 2025, end: 2020}\nmeasurs: []\n")
    proc = subprocess.run([sys.executable, "-m", "mobility_sim", "run", str(bad), "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT,
                          check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{bad}:3: years:" in proc.stderr and "did you mean 'measures'" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_help_lists_the_commands():
    proc = subprocess.run([sys.executable, "-m", "mobility_sim", "--help"], capture_output=True,
                          text=True, check=True)
    for command in ("run", "validate", "city", "bench"):
        assert command in proc.stdout


def test_unwritable_output_is_refused_before_the_run(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    proc = subprocess.run([sys.executable, "-m", "mobility_sim", "run", str(SCENARIO), "--out",
                           str(blocker / "run")], capture_output=True, text=True, cwd=ROOT,
                          check=False)
    assert proc.returncode == 2
    assert "is not a folder; choose another --out" in proc.stderr
    assert "Traceback" not in proc.stderr and "results:" not in proc.stdout
