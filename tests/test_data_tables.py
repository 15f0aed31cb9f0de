"""Packaged reference tables: every number has a unit and a source (or says 'assumption')."""

import math

import pytest

from mobility_sim.data import (
    emission_factors,
    fleet_defaults,
    grid_intensity,
    parameter_table,
    parameters,
    read_table,
)


def test_every_parameter_has_value_unit_description_and_source():
    table = parameter_table()
    assert table["key"].is_unique
    for row in table.itertuples():
        assert math.isfinite(float(row.value)), row.key
        assert isinstance(row.unit, str) and row.unit.strip(), row.key
        assert isinstance(row.description, str) and len(row.description) > 10, row.key
        assert isinstance(row.source, str) and len(row.source.strip()) > 8, row.key


@pytest.mark.parametrize("loader", [emission_factors, fleet_defaults])
def test_every_factor_and_share_has_a_source(loader):
    table = loader()
    assert table["source"].map(lambda s: isinstance(s, str) and len(s) > 8).all()


def test_grid_intensity_matches_the_published_2023_values():
    # Ember / Our World in Data 2023 figures (via the codecarbon package data)
    assert grid_intensity("FIN") == 79
    assert grid_intensity("pol") == 662
    with pytest.raises(KeyError, match="grid_intensity_country"):
        grid_intensity("XXX")
    assert read_table("grid_intensity.csv")["source"].str.contains("Ember").all()


def test_desnz_car_factors_are_the_published_ones():
    ef = emission_factors().set_index(["mode", "powertrain", "quantity"])["value"]
    assert ef["car", "petrol", "ttw"] == 0.16272
    assert ef["car", "diesel", "wtt"] == 0.04146
    assert ef["pt", "bus", "ttw"] == 0.10385


def test_parameters_dictionary_is_numeric():
    p = parameters()
    assert p["geometry.intrazonal_factor"] == pytest.approx(
        (2 + math.sqrt(2) + 5 * math.log(1 + math.sqrt(2))) / 15, abs=1e-4)
    assert all(isinstance(v, float) for v in p.values())
