"""calibration.yaml: written atomically, read back, applied to the model, errors name the file."""

from __future__ import annotations

import numpy as np
import pytest
from mobility_sim.kernels.spec import CAR_CLASSES, CAR_EV, CAR_ICE, PT, PURPOSES

from mobility_sim.calibration import CalibrationError, calibrated_parameters
from mobility_sim.calibration.store import write_calibration
from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.model.asc import (
    ASC_MODES,
    apply_asc_overrides,
    asc_key,
    asc_parameters,
    class_segments,
)
from mobility_sim.model.base_year import base_year_inputs
from mobility_sim.model.parameters import read_calibration


def test_asc_overrides_set_one_car_class_purpose_and_both_car_powertrains():
    _, params = base_year_inputs(synthetic_city(16))
    new = apply_asc_overrides(params, {"utility.asc.no_car.other.car": 0.7,
                                       "utility.asc.car_available.commute.pt": -2.0,
                                       "speed.walk": 3.0})
    no_car, car = class_segments(1), class_segments(0)
    assert len(no_car) == len(car) == 3  # every income group of the class
    assert (new.asc[no_car, 1, CAR_ICE] == 0.7).all() and (new.asc[no_car, 1, CAR_EV] == 0.7).all()
    assert (new.asc[car, 0, PT] == -2.0).all()
    assert (new.asc[car, 1, PT] == params.asc[car, 1, PT]).all()
    assert (new.asc[no_car, 0, PT] == params.asc[no_car, 0, PT]).all()
    assert params.asc[no_car[0], 1, CAR_ICE] != 0.7  # the input is not changed


def test_asc_keys_round_trip():
    _, params = base_year_inputs(synthetic_city(16))
    values = asc_parameters(params.asc)
    assert list(values) == [asc_key(c, k, m) for c in CAR_CLASSES for k in PURPOSES
                            for m in ASC_MODES]
    assert np.array_equal(apply_asc_overrides(params, values).asc, params.asc)


def test_unknown_segment_in_a_key_is_an_error():
    _, params = base_year_inputs(synthetic_city(16))
    with pytest.raises(KeyError, match="unknown car class 'car_owner'"):
        apply_asc_overrides(params, {"utility.asc.car_owner.other.car": 0.0})


def test_city_without_calibration_has_no_calibrated_parameters(repo_root):
    assert calibrated_parameters(repo_root / "cities" / "riga") == {}


def test_malformed_calibration_file_is_reported_with_file_and_fix(tmp_path):
    path = tmp_path / "calibration.yaml"
    write_calibration(path, {"parameters": {"utility.asc.no_car.other.car": 0.5,
                                            "utility.asc.car": "high",
                                            "utility.asc.no_car.party.car": 1.0}}, "test")
    with pytest.raises(CalibrationError) as err:
        read_calibration(path)
    problems = err.value.problems
    assert len(problems) == 2
    assert all(str(path) in p for p in problems)
    assert any("utility.asc.car: not a calibrated parameter" in p for p in problems)
    assert any("unknown purpose 'party'" in p for p in problems)
    assert not list(tmp_path.glob(".calibration.yaml.*"))  # no temporary file left behind
