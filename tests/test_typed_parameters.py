"""The typed parameter object covers ``parameters.csv`` key for key and reads a run's values."""

from __future__ import annotations

import pytest
from mobility_sim.kernels.spec import CAR_EV, CAR_ICE, PT

from mobility_sim.data import parameter_table
from mobility_sim.data.typed_parameters import ModelParameters
from mobility_sim.model.parameters import resolve_parameters


def test_fields_are_the_keys_of_the_parameter_tables():
    keys = ModelParameters.keys()
    assert len(keys) == len(set(keys))
    assert set(keys) == set(parameter_table()["key"])


def test_values_of_a_run_reach_their_fields():
    values = resolve_parameters(overrides={"parking.dwell_h.other": 2.5, "utility.time.car": -0.07,
                                           "balancing.max_iterations": 123.0})
    typed = ModelParameters.of(values)
    assert typed.parking.dwell_h.other == 2.5
    assert typed.utility.time.of_mode(CAR_ICE) == typed.utility.time.of_mode(CAR_EV) == -0.07
    assert typed.utility.time.of_mode(PT) == values["utility.time.pt"]
    assert typed.balancing.max_iterations == 123 and isinstance(typed.balancing.max_iterations, int)
    assert typed.trip_rate.by_purpose() == [values["trip_rate.commute"], values["trip_rate.other"]]


def test_a_missing_key_is_named():
    values = dict(resolve_parameters())
    del values["speed.walk"]
    with pytest.raises(KeyError, match=r"speed\.walk"):
        ModelParameters.of(values)


def test_resolved_parameters_read_typed():
    values = resolve_parameters(overrides={"pt.wait_cap": 12.0})
    assert values.typed.pt.wait_cap == 12.0
    assert values.typed.speed.walk == values["speed.walk"]
    assert values.origins["pt.wait_cap"] == "override" and values.origins["speed.walk"] == "default"
