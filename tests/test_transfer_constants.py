"""Cities without a published split: constants transferred from the calibrated cities."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mobility_sim.calibration.transfer_constants import (
    calibrated_constants,
    leave_one_out,
    mean_constants,
    summary,
)
from mobility_sim.city import load_city
from mobility_sim.data import read_table
from mobility_sim.model.parameters import resolve_parameters, transferred_constants
from mobility_sim.simulate import run_calibration

ROOT = Path(__file__).resolve().parents[1]
CALIBRATED = sorted(p.parent.name for p in (ROOT / "cities").glob("*/calibration.yaml"))
UNCALIBRATED = sorted(p.parent.name for p in (ROOT / "cities").glob("*/city.yaml")
                      if not (p.parent / "calibration.yaml").is_file())


def test_the_packaged_table_is_the_mean_of_todays_calibrations():
    expected = mean_constants(calibrated_constants(CALIBRATED))
    table = read_table("transferred_constants.csv").set_index("key")["value"]
    assert set(table.index) == set(expected), "rerun 'mobility-sim transfer-constants'"
    for key, value in expected.items():
        assert table[key] == pytest.approx(value, abs=1e-12), (
            f"{key}: stale; rerun 'mobility-sim transfer-constants'")


@pytest.mark.parametrize("slug", UNCALIBRATED)
def test_an_uncalibrated_city_runs_on_transferred_constants_and_says_so(slug):
    city = load_city(slug)
    status = run_calibration(city)
    assert status["status"] == "transferred" and status["applied"]
    assert "not calibrated" in status["note"]
    values = resolve_parameters(city, calibration=True)
    for key, value in transferred_constants().items():
        assert values[key] == value and values.origins[key] == "transferred"
    assert run_calibration(city, uncalibrated=True)["status"] == "not applied"


def test_leave_one_out_error_is_reported_and_beats_the_defaults():
    table = leave_one_out(CALIBRATED)
    assert set(table["city"]) == set(calibrated_constants(CALIBRATED))
    mae = summary(table)
    # The documented figures (docs/calibration.md): 9.5 pp transferred, 13.9 pp default.
    assert mae.loc["all modes", "transferred_mae_pp"] == pytest.approx(9.5, abs=0.1)
    assert mae.loc["all modes", "default_mae_pp"] == pytest.approx(13.9, abs=0.1)
    assert isinstance(table, pd.DataFrame) and len(table) >= 60
