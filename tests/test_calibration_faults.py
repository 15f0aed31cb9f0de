"""A calibration is used only for the city and the inputs it was fitted on, and its numbers are
checked: no run gives a silently wrong number from a bad calibration file.

Faults: NaN, infinite or absurd constants, a negative trip rate, another city's calibration
copied into a folder, a calibration made before the grid changed. Each stops ``run`` and
``validate`` with file:line and the command that fixes it; ``--uncalibrated`` runs without it
and says so in ``run.json`` and on the dashboard.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from mobility_sim.city import load_city
from mobility_sim.exceptions import CalibrationError
from mobility_sim.model.base_year import calibration_status
from mobility_sim.model.parameters import calibrated_parameters

CITIES = Path(__file__).resolve().parents[1] / "cities"


def city_copy(tmp_path: Path, slug: str = "helsinki") -> Path:
    folder = tmp_path / slug
    shutil.copytree(CITIES / slug, folder)
    return folder


def scenario_for(tmp_path: Path, folder: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(f"name: calib-test\ncity: {folder}\nyears: {{start: 2025, end: 2026}}\n",
                    encoding="utf-8")
    return path


def cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mobility_sim", *map(str, args)],
                          capture_output=True, text=True, check=False)


def set_first_constant(folder: Path, value: str) -> None:
    path = folder / "calibration.yaml"
    text = path.read_text(encoding="utf-8")
    text, n = re.subn(r"(\n  utility\.asc\.[a-z_.]+: )[-0-9.e]+", rf"\g<1>{value}", text, count=1)
    assert n == 1
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("value", "expected"), [
    (".nan", "not a finite number"), (".inf", "not a finite number"),
    ("1e308", "beyond +-50")])
def test_impossible_constants_are_refused_with_file_and_line(tmp_path, value, expected):
    folder = city_copy(tmp_path)
    set_first_constant(folder, value)
    with pytest.raises(CalibrationError) as info:
        calibrated_parameters(load_city(folder))
    text = "\n".join(info.value.problems)
    assert re.search(r"calibration\.yaml:\d+: parameters\.utility\.asc\.", text), text
    assert expected in text and "mobility-sim calibrate" in text, text


def test_a_negative_trip_rate_is_refused(tmp_path):
    folder = city_copy(tmp_path)
    path = folder / "calibration.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "\nparameters:\n", "\nparameters:\n  trip_rate.commute: -5\n", 1), encoding="utf-8")
    with pytest.raises(CalibrationError, match=r"trip_rate\.commute.*must be positive"):
        calibrated_parameters(load_city(folder))


def test_another_citys_calibration_is_refused_by_run_and_validate(tmp_path):
    folder = city_copy(tmp_path, "york")
    shutil.copy(CITIES / "vienna" / "calibration.yaml", folder / "calibration.yaml")
    scenario = scenario_for(tmp_path, folder)
    for proc in (cli("run", scenario, "--out", tmp_path / "out"), cli("validate", scenario)):
        assert proc.returncode == 2, proc.stderr
        assert "made for 'vienna', not for 'york'" in proc.stderr, proc.stderr
        assert "mobility-sim calibrate york" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_stale_calibration_stops_the_run_unless_asked(tmp_path):
    folder = city_copy(tmp_path)
    assert calibration_status(load_city(folder)) == "current"
    grid = gpd.read_parquet(folder / "grid.parquet")
    grid.loc[grid.index[:20], "population"] *= 1.5  # the grid changed after the calibration
    grid.to_parquet(folder / "grid.parquet", index=False)
    assert calibration_status(load_city(folder)) == "stale"
    scenario = scenario_for(tmp_path, folder)
    proc = cli("run", scenario, "--out", tmp_path / "out", "--no-progress")
    assert proc.returncode == 2 and "fitted on other inputs" in proc.stderr, proc.stderr
    assert "mobility-sim calibrate helsinki" in proc.stderr and "--uncalibrated" in proc.stderr
    proc = cli("run", scenario, "--out", tmp_path / "out", "--no-progress", "--uncalibrated")
    assert proc.returncode == 0, proc.stderr
    meta = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert meta["calibration"]["status"] == "not applied"
    page = (tmp_path / "out" / "dashboard.html").read_text(encoding="utf-8")
    assert "Not calibrated:" in page and "not calibrated</span>" in page


def test_runs_say_whether_their_city_is_calibrated(tmp_path):
    import mobility_sim as ms

    riga = ms.run(CITIES.parent / "scenarios" / "riga" / "baseline.yaml", save=False)
    helsinki = ms.run(CITIES.parent / "scenarios" / "helsinki" / "baseline.yaml", save=False)
    assert riga.meta["calibration"]["status"] == "transferred"
    assert helsinki.meta["calibration"]["status"] == "current"
    from mobility_sim.report import build_city_comparison, build_dashboard

    assert "Not calibrated:" not in build_dashboard(helsinki).render()
    first_screen = build_dashboard(riga).render()
    assert "Not calibrated:</b> Riga" in first_screen and "transferred" in first_screen
    page = build_city_comparison([riga, helsinki]).render()
    assert "Not calibrated:</b> Riga" in page and "do not compare on equal terms" in page
    assert "Data quality per city" in page and "transferred" in page
    assert "Calibration" in riga._repr_html_()
