"""Transferred coefficient sets: sourced, range-checked, applied with refitted constants."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from mobility_sim.calibration import calibrate
from mobility_sim.calibration.cli import validate_model_command
from mobility_sim.calibration.transfer import (
    coefficient_sets,
    set_names,
    transferred_parameters,
)
from mobility_sim.calibration.validation import coefficient_comparison, validate_model
from mobility_sim.city import load_city
from mobility_sim.data import parameters
from mobility_sim.exceptions import CalibrationError, ScenarioError
from mobility_sim.model.inputs import wait_weight
from mobility_sim.scenario.checks import value_problem

TIME_AND_COST = {"utility.time.walk", "utility.time.bike", "utility.time.ebike",
                 "utility.time.pt", "utility.time.car", "utility.ovt", "utility.wait",
                 "utility.cost.commute", "utility.cost.other"}


#: The choice structures packaged beside the coefficient sets (docs/calibration.md).
STRUCTURES = {"mnl", "biogeme_optima_nested"}
#: The cost dampings packaged beside them.
DAMPINGS = {"swiss_cost_damping", "no_cost_damping"}


def test_every_set_gives_every_time_and_cost_coefficient_with_a_source():
    table = coefficient_sets()
    assert set(set_names()) == {"swiss_astra_2016", "idf_eqasim"} | STRUCTURES | DAMPINGS
    for name, rows in table[~table["set"].isin(STRUCTURES | DAMPINGS)].groupby("set"):
        assert set(rows["key"]) == TIME_AND_COST, name
        assert (rows["value"] < 0).all(), name
        sourced = rows["source"].str.contains("eqasim-java|assumption|as utility.cost.commute")
        assert sourced.all(), rows[~sourced]


def test_every_choice_structure_sets_nests_only_with_a_source():
    table = coefficient_sets()
    for name in STRUCTURES:
        rows = table[table["set"] == name]
        assert rows["key"].str.startswith("nest.").all(), name
        assert rows["source"].str.len().gt(20).all(), name
    mnl = transferred_parameters("mnl")
    assert mnl == {"nest.scale_1": 1.0, "nest.scale_2": 1.0}  # every nest of the defaults
    optima = transferred_parameters("biogeme_optima_nested")
    assert optima["nest.scale_2"] == pytest.approx(1 / 1.52, abs=5e-4)
    assert optima["nest.member.car"] != optima["nest.member.pt"] == optima["nest.member.walk"]


def test_every_cost_damping_set_sets_the_exponent_only_with_a_source():
    table = coefficient_sets()
    for name in DAMPINGS:
        rows = table[table["set"] == name]
        assert rows["key"].tolist() == ["cost_damping.exponent"], name
        assert rows["source"].str.len().gt(20).all(), name
    assert transferred_parameters("no_cost_damping") == {"cost_damping.exponent": 0.0}
    swiss = transferred_parameters("swiss_cost_damping")["cost_damping.exponent"]
    assert swiss == -0.4
    assert swiss < parameters()["cost_damping.exponent"] < 0  # the default damps less


def test_unknown_set_is_refused_with_the_names():
    with pytest.raises(CalibrationError, match=r"swiss_astra_2016.*idf_eqasim"):
        transferred_parameters("swiss")


def test_positive_marginal_utilities_are_refused():
    assert "must be <= 0" in value_problem("utility.time.car", 0.05, "1/min")
    assert "must be <= 0" in value_problem("utility.cost.other", 0.1, "1/EUR")
    assert value_problem("utility.wait", 0.0, "1/min") is None


def test_the_wait_is_weighed_by_its_own_coefficient():
    p = parameters()
    assert p["utility.wait"] == p["utility.ovt"]  # the defaults weigh every ovt minute alike
    assert wait_weight({**p, "utility.ovt": -0.08, "utility.wait": -0.04}) == 0.5
    assert wait_weight({**p, "utility.ovt": 0.0, "utility.wait": 0.0}) == 0.0
    with pytest.raises(ScenarioError, match=r"utility\.ovt is 0"):
        wait_weight({**p, "utility.ovt": 0.0, "utility.wait": -0.04})


@pytest.fixture(scope="module")
def helsinki_swiss():
    return validate_model("helsinki", coefficients="swiss_astra_2016")


def test_a_set_refits_the_constants_and_changes_what_it_should(helsinki_swiss):
    city = load_city("helsinki")
    before = (city.path / "calibration.yaml").read_bytes()
    fit = calibrate(city, write=False, overrides=transferred_parameters("swiss_astra_2016"))
    assert fit.result.split.max_error_pp < 1.0 and fit.path is None
    assert (city.path / "calibration.yaml").read_bytes() == before
    assert "swiss_astra_2016" in helsinki_swiss.calibration
    default = validate_model("helsinki").elasticities.set_index("elasticity")["model"]
    swiss = helsinki_swiss.elasticities.set_index("elasticity")["model"]
    # the Swiss PT in-vehicle coefficient is a third of the default: PT speed matters less
    assert abs(swiss["pt_ivt"]) < 0.6 * abs(default["pt_ivt"])
    # its wait coefficient is a third of the default: frequency matters less
    assert swiss["pt_service"] < 0.6 * default["pt_service"]
    assert (swiss * default > 0).all()  # same signs


def test_comparison_table_marks_values_outside_the_published_span(helsinki_swiss):
    default = validate_model("helsinki")
    lines = coefficient_comparison({"defaults": [default], "swiss": [helsinki_swiss]})
    assert lines[0].startswith("| city | coefficients | pt_fare | pt_service")
    assert len(lines) == 4 and "| swiss |" in lines[3]
    inside = helsinki_swiss.elasticities.set_index("elasticity").loc["pt_service", "inside"]
    assert ("(out)" in lines[3].split("|")[4]) == (not inside)


def test_cli_applies_a_set_and_refuses_an_unknown_one(tmp_path):
    app = typer.Typer()
    app.command()(validate_model_command)
    ok = CliRunner().invoke(app, ["helsinki", "--coefficients", "idf_eqasim",
                                  "--out", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    assert "refitted with the idf_eqasim coefficients" in ok.output
    assert (tmp_path / "elasticities.csv").is_file()
    bad = CliRunner().invoke(app, ["helsinki", "--coefficients", "swiss", "--out",
                                   str(tmp_path / "x")])
    assert bad.exit_code == 2 and "choose one of" in bad.output
    assert "Traceback" not in bad.output and not (tmp_path / "x").exists()
