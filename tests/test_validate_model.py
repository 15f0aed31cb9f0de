"""Implied elasticities: right sign, inside the cited ranges where the model is, and the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from mobility_sim.calibration.cli import validate_model_command
from mobility_sim.calibration.comparison import (
    MODEL_QUANTITIES,
    compare_figures,
    published_figures,
)
from mobility_sim.calibration.elasticities import (
    EXPECTED_SIGN,
    implied_elasticities,
    literature,
)
from mobility_sim.calibration.validation import validate_model, validation_page
from mobility_sim.exceptions import MobilitySimError
from mobility_sim.model.base_year import BaselineModel

ROOT = Path(__file__).resolve().parents[1]
#: Every shipped city with a calibration (22 at the time of writing).
CALIBRATED = sorted(p.parent.name for p in (ROOT / "cities").glob("*/calibration.yaml"))
#: Judged elasticities known to fall outside their published span, with why (docs/elasticities.md
#: says so); the test fails when one moves inside or another falls outside, so this list stays
#: true.
KNOWN_OUTSIDE: dict[tuple[str, str], str] = {
    ("barcelona", "pt_service"): "0.24 against the lowest published +0.26 (London buses)",
    ("dublin", "pt_fare"): "-0.99 against the most elastic published -0.90 (-0.86 before PT "
                           "was nested with the car, -0.97 before cost damping)",
    ("york", "pt_fare"): "-1.07 against -0.90 (-0.79 before the nests, -0.93 before cost "
                         "damping: York's trips are short, and a euro weighs more on them)",
}


@pytest.fixture(scope="module")
def validations():
    return {slug: validate_model(slug) for slug in CALIBRATED}


@pytest.fixture(scope="module")
def helsinki(validations):
    return validations["helsinki"]


def test_every_cited_elasticity_has_a_source_and_an_ordered_range():
    table = literature()
    assert set(table["elasticity"]) <= set(EXPECTED_SIGN)
    assert (table["low"] <= table["high"]).all()
    assert table["source"].str.match(r"^[A-Z].*\(\d{4}\)|^European Environment Agency").all()
    converted = table[table["derivation"] != ""]
    assert set(converted["elasticity"]) == {"car_fuel_vkm", "car_fuel_vkm_short"}
    assert converted["derivation"].str.contains("Goodwin, Dargay & Hanly 2004").all()
    for row in table.itertuples():
        sign = EXPECTED_SIGN[row.elasticity]
        assert np.sign(row.low) in (sign, 0) and np.sign(row.high) in (sign, 0)


@pytest.mark.parametrize("slug", CALIBRATED)
def test_elasticities_have_the_right_sign(validations, slug):
    assert validations[slug].calibration == "current"
    table = validations[slug].elasticities.set_index("elasticity")
    assert table["sign_ok"].all(), table[["model", "sign_ok"]]


@pytest.mark.parametrize("slug", CALIBRATED)
@pytest.mark.parametrize("key", ["pt_fare", "pt_service", "car_fuel_vkm", "pt_cross_fuel"])
def test_elasticity_inside_the_cited_range(validations, slug, key):
    row = validations[slug].elasticities.set_index("elasticity").loc[key]
    assert row["published_low"] < row["published_high"], "a span, not a point"
    inside = bool(row["published_low"] <= row["model"] <= row["published_high"])
    if (slug, key) in KNOWN_OUTSIDE:
        assert not inside, f"{slug} {key} is now inside its span: remove it from KNOWN_OUTSIDE"
    else:
        assert inside, row


@pytest.mark.parametrize("slug", CALIBRATED)
def test_destination_choice_adds_to_the_short_run_fuel_response(validations, slug):
    table = validations[slug].elasticities.set_index("elasticity")["model"]
    assert table["car_fuel_vkm"] < table["car_fuel_vkm_short"] < 0


def test_fuel_elasticity_compared_per_km_cost_not_price():
    fuel = literature().set_index("elasticity").loc["car_fuel_vkm"]
    # the long-run per-vehicle -0.3 with respect to price becomes -0.5 per fuel cost per km
    assert fuel["low"].min() == pytest.approx(-0.3 / (1 - 0.4))
    assert fuel["high"].max() == pytest.approx(-0.1 / (1 - 0.15), abs=0.005)


def test_destinations_held_reproduces_the_kernel_without_a_change(small_city):
    from mobility_sim.calibration.elasticities import combustion_car_vkm_destinations_held
    from mobility_sim.calibration.outputs import car_vkm, combustion_car_vkm

    model = BaselineModel.build(small_city)
    out = model.run()
    held = combustion_car_vkm_destinations_held(model, out, model.params)
    assert held == pytest.approx(combustion_car_vkm(out), rel=1e-8)
    assert 0 < held < car_vkm(out)  # the electric cars' km apart


def test_destinations_held_recomputes_only_the_modes_a_change_moves(small_city):
    import dataclasses

    from mobility_sim.kernels.spec import CAR_ICE

    from mobility_sim.calibration.elasticities import combustion_car_vkm_destinations_held

    model = BaselineModel.build(small_city)
    out = model.run()
    cost = np.array(model.params.cost_per_km, dtype=float)
    cost[CAR_ICE] *= 1.3
    dearer = dataclasses.replace(model.params, cost_per_km=cost)
    every = combustion_car_vkm_destinations_held(model, out, dearer)
    only = combustion_car_vkm_destinations_held(model, out, dearer, (CAR_ICE,))
    assert only == pytest.approx(every, rel=1e-12)
    assert only < 0.99 * combustion_car_vkm_destinations_held(model, out, model.params)


def test_without_money_in_utility_prices_have_no_effect(small_city):
    model = BaselineModel.build(small_city, {"utility.cost.commute": 0.0,
                                             "utility.cost.other": 0.0})
    table = implied_elasticities(model).set_index("elasticity")["model"]
    for key in ("pt_fare", "car_fuel_vkm", "car_fuel_vkm_short", "pt_cross_fuel"):
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
                                         "car_fuel_vkm_short", "parking", "pt_cross_fuel"]
    page = (tmp_path / "validation.md").read_text()
    assert "Sources of the published values" in page
    assert "No independent published figure is packaged" in page
    assert pd.read_csv(tmp_path / "figures.csv").empty
    bad = CliRunner().invoke(app, ["no_such_city", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "error:" in bad.output and "Traceback" not in bad.output


def test_every_packaged_figure_is_compared(validations):
    figures = published_figures()
    assert {"amsterdam", "helsinki", "vienna"} <= set(figures["city"])
    for slug, expected in figures.groupby("city"):
        compared = validations[slug].figures
        assert list(compared["quantity"]) == list(expected["quantity"]), slug
        assert np.isfinite(compared[["published", "model", "ratio"]].to_numpy()).all(), slug
        assert (compared["model"] > 0).all(), slug
        assert compared["differs_from_model"].str.len().gt(10).all()
    assert validations["copenhagen"].figures.empty and validations["oslo"].figures.empty


def test_city_survey_trip_lengths_are_of_the_published_order(validations):
    # city and regional travel surveys (residents, all modes) against the urban centre: their
    # areas, days and distances (routed, reported or straight-line) differ, so the ratio is not
    # required near 1, but metres, miles or km per day instead of per trip would leave the band
    cities = ("barcelona", "berlin", "brussels", "dublin", "graz", "lisbon", "madrid", "paris")
    for slug in cities:
        ratios = validations[slug].figures.set_index("quantity")["ratio"]
        assert 0.5 < ratios["mean_trip_km.all"] < 2, slug


def test_amsterdam_trip_lengths_are_of_the_published_order(validations):
    # national Dutch survey vs the urban centre: walk and bike trips are local in both, so a
    # unit or mode mix-up (metres, passenger-km per day) would leave this band
    ratios = validations["amsterdam"].figures.set_index("quantity")["ratio"]
    assert 0.5 < ratios["mean_trip_km.walk"] < 2 and 0.5 < ratios["mean_trip_km.bike"] < 2
    # the national car trip includes long-distance travel the urban-centre grid cannot hold
    assert ratios["mean_trip_km.car"] < 1


def test_the_page_shows_figures_beside_the_model(validations, tmp_path):
    from mobility_sim.calibration.validation import validation_page

    page = validation_page([validations["vienna"], validations["copenhagen"]])
    assert "| ghg_per_capita_kg | kg CO2e/person/year | 1,410 (2022) |" in page
    assert "Sources and definitions of the independent figures" in page
    assert "No independent published figure is packaged for this city." in page


def test_a_figure_in_the_wrong_unit_or_of_an_unknown_quantity_is_refused(monkeypatch):
    from mobility_sim.calibration import comparison

    good = comparison.read_table("validation_figures.csv")
    bad = good.copy()
    bad.loc[0, "unit"] = "m"
    bad.loc[1, "quantity"] = "mean_trip_km.tram"
    monkeypatch.setattr(comparison, "read_table", lambda name: bad)
    with pytest.raises(MobilitySimError) as info:
        published_figures()
    text = str(info.value)
    assert "validation_figures.csv:2" in text and "convert the figure to 'km'" in text
    assert "validation_figures.csv:3" in text and "unknown quantity" in text


def test_every_figure_quantity_is_one_the_model_computes():
    assert set(published_figures()["quantity"]) <= set(MODEL_QUANTITIES)


def test_compare_figures_reports_the_model_value(small_city):
    model = BaselineModel.build(small_city)
    out = model.run()
    figures = pd.DataFrame([{
        "city": small_city.slug, "quantity": "mean_trip_km.all", "value": 2.0, "unit": "km",
        "year": 2020, "definition": "test definition", "differs_from_model": "test difference",
        "source": "test source"}])
    table = compare_figures(small_city, out, 365.0, figures)
    from mobility_sim.calibration.outputs import mean_trip_length

    expected = mean_trip_length(out, (0, 1))
    assert table.loc[0, "model"] == pytest.approx(expected)
    assert table.loc[0, "ratio"] == pytest.approx(expected / 2.0)


def test_diversion_ratios_say_where_new_pt_riders_come_from(validations, tmp_path):
    for slug in ("helsinki", "amsterdam", "london"):
        d = validations[slug].diversion
        assert set(d["from_mode"]) == {"car", "walk", "bike"}
        # trip rates are fixed: every new PT trip comes from another mode
        sums = d.groupby("change")["diversion"].sum()
        np.testing.assert_allclose(sums, 1.0, atol=1e-6)
        assert ((d["diversion"] >= 0) & (d["diversion"] <= 1)).all()
    page = validation_page([validations["helsinki"]])
    assert "Where new PT riders come from" in page and "## Published diversion figures" in page
