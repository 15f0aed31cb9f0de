"""Implied elasticities: right sign, inside the cited ranges where the model is, and the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from mobility_sim.calibration.baseline import BaselineModel
from mobility_sim.calibration.elasticities import (
    EXPECTED_SIGN,
    implied_elasticities,
    literature,
)
from mobility_sim.validate_model import validate_model, validate_model_command


@pytest.fixture(scope="module")
def helsinki():
    return validate_model("helsinki")


def test_every_cited_elasticity_has_a_source_and_an_ordered_range():
    table = literature()
    assert set(table["elasticity"]) <= set(EXPECTED_SIGN)
    assert (table["low"] <= table["high"]).all()
    assert table["source"].str.match(r"^[A-Z].*\(\d{4}\)|^European Environment Agency").all()
    for row in table.itertuples():
        sign = EXPECTED_SIGN[row.elasticity]
        assert np.sign(row.low) in (sign, 0) and np.sign(row.high) in (sign, 0)


def test_elasticities_have_the_right_sign(helsinki):
    assert helsinki.calibration == "current"
    table = helsinki.elasticities.set_index("elasticity")
    assert table["sign_ok"].all(), table[["model", "sign_ok"]]


@pytest.mark.parametrize("key", ["pt_fare", "pt_service", "pt_cross_fuel"])
def test_elasticity_inside_the_cited_range(helsinki, key):
    row = helsinki.elasticities.set_index("elasticity").loc[key]
    assert row["published_low"] <= row["model"] <= row["published_high"], row


@pytest.mark.xfail(strict=True, reason="known: the model's fuel-cost elasticity of car vkm "
                   "(about -0.39) is more elastic than the cited -0.1 to -0.3; see "
                   "docs/elasticities.md")
def test_fuel_cost_elasticity_inside_the_cited_range(helsinki):
    row = helsinki.elasticities.set_index("elasticity").loc["car_fuel_vkm"]
    assert row["published_low"] <= row["model"] <= row["published_high"]


def test_without_money_in_utility_prices_have_no_effect(small_city):
    model = BaselineModel.build(small_city, {"utility.cost.commute": 0.0,
                                             "utility.cost.other": 0.0})
    table = implied_elasticities(model).set_index("elasticity")["model"]
    for key in ("pt_fare", "car_fuel_vkm", "pt_cross_fuel"):
        assert table[key] == pytest.approx(0.0, abs=1e-9)
    assert table["pt_ivt"] < -0.05  # time still matters


def test_trip_lengths_by_mode_are_reported(helsinki):
    lengths = helsinki.trip_lengths
    walk = lengths[(lengths["purpose"] == "all") & (lengths["mode"] == "walk")]["mean_km"].item()
    car = lengths[(lengths["purpose"] == "all") & (lengths["mode"] == "car")]["mean_km"].item()
    assert 0 < walk < car
    shares = lengths[(lengths["purpose"] == "all") & (lengths["mode"] != "all")]["trips_share"]
    assert shares.sum() == pytest.approx(1.0)


def test_validate_model_command_writes_tables_and_page(tmp_path):
    app = typer.Typer()
    app.command()(validate_model_command)
    result = CliRunner().invoke(app, ["luxembourg", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "elasticities.csv")
    assert list(table["elasticity"]) == ["pt_fare", "pt_service", "pt_ivt", "car_fuel_vkm",
                                         "parking", "pt_cross_fuel"]
    assert "Sources of the published values" in (tmp_path / "validation.md").read_text()
    bad = CliRunner().invoke(app, ["no_such_city", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "error:" in bad.output and "Traceback" not in bad.output
