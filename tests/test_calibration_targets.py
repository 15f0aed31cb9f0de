"""Published splits are read in their own definition, and bad or unreachable ones are refused."""

from __future__ import annotations

import pytest

from mobility_sim.calibration import CalibrationError
from mobility_sim.calibration.fit import calibrate_baseline, check_reachable
from mobility_sim.calibration.targets import choose_split, read_split
from mobility_sim.city.model import ModalSplit
from mobility_sim.model.base_year import BaselineModel


def split(unit="trips", purposes="all", population="residents", **shares):
    full = {"walk": None, "bike": None, "pt": None, "car": None, "other": None, **shares}
    return ModalSplit(year=2020, unit=unit, population=population, purposes=purposes,
                      area="test area", shares=full, source="test")


def test_unpublished_modes_form_one_joint_remainder():
    target = read_split(split(walk=0.34, pt=0.32, car=0.22), "here")
    assert target.groups == (("walk",), ("pt",), ("car",), ("bike",))
    assert target.target_of(("bike",)) == pytest.approx(0.12)
    assert any("not published" in note for note in target.notes)


def test_published_other_is_left_out_and_shares_renormalised():
    target = read_split(split(walk=0.3, bike=0.1, pt=0.3, car=0.2, other=0.1), "here")
    assert target.target_of(("walk",)) == pytest.approx(0.3 / 0.9)
    assert sum(target.shares) == pytest.approx(1.0)


def test_a_fully_published_split_summing_to_101_percent_is_rounding():
    target = read_split(split(walk=0.30, bike=0.18, pt=0.27, car=0.26), "here")  # Berlin 2018
    assert sum(target.shares) == pytest.approx(1.0)
    assert target.target_of(("bike",)) == pytest.approx(0.18 / 1.01)
    assert any("rounding" in note for note in target.notes)


def test_a_full_split_with_other_that_does_not_add_up_is_renormalised():
    # Prague 2016: 22 + 0.4 + 52 + 24.5 + other 0.5 = 99.4 %: the fit must reach 100 %
    target = read_split(split(walk=0.22, bike=0.004, pt=0.52, car=0.245, other=0.005), "here")
    assert sum(target.shares) == pytest.approx(1.0)
    assert target.target_of(("pt",)) == pytest.approx(0.52 / 0.989)


def test_commute_split_compares_commute_trips_only():
    target = read_split(split(purposes="work and education", bike=0.49), "here")
    assert target.purposes == (0,)
    assert target.groups == (("bike",), ("walk", "pt", "car"))


def test_non_resident_population_is_flagged():
    target = read_split(split(population="all trips in the area", car=0.3), "here")
    assert any("only has trips of the grid's residents" in c for c in target.caveats)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"purposes": "leisure", "car": 0.3}, "purposes 'leisure' not understood"),
    ({"walk": 0.51, "car": 0.5}, "sum to 1.010"),
    ({"walk": 0.0, "car": 0.5}, "shares.walk is 0"),
    ({}, "nothing to calibrate"),
    ({"walk": 0.5, "bike": 0.5}, "unreachable"),
])
def test_bad_splits_are_refused_with_the_place(kwargs, message):
    with pytest.raises(CalibrationError) as err:
        read_split(split(**kwargs), "cities/x/city.yaml: observed_modal_split[0]")
    assert message in str(err.value)
    assert str(err.value).startswith("cities/x/city.yaml: observed_modal_split[0]")


def test_choose_split_prefers_the_definition_closest_to_the_model():
    city_2014 = split(walk=0.34, pt=0.32, car=0.22).model_copy(update={"year": 2014})
    region = split(walk=0.29, bike=0.09, pt=0.22, car=0.39).model_copy(
        update={"year": 2018, "area": "Helsinki REGION residents (14 municipalities)"})
    commute = split(purposes="work and education", bike=0.49).model_copy(update={"year": 2023})
    all_trips = split(population="all trips in the area", walk=0.3, bike=0.2, pt=0.2, car=0.3)
    splits = [city_2014, region, commute, all_trips]
    assert choose_split(splits, "here") == 0  # residents, all purposes, the city, 3 modes
    assert choose_split([region, commute], "here") == 0
    assert choose_split([commute, all_trips], "here") == 1  # all purposes before commute


def test_choose_split_takes_the_latest_or_the_year_asked():
    splits = [split(car=0.3), split(car=0.2).model_copy(update={"year": 2023})]
    assert choose_split(splits, "here") == 1
    assert choose_split(splits, "here", 2020) == 0
    with pytest.raises(CalibrationError, match="no observed_modal_split of 1999"):
        choose_split(splits, "here", 1999)
    with pytest.raises(CalibrationError, match="none is invented"):
        choose_split([], "here")


def test_car_share_beyond_car_availability_is_unreachable(small_city):
    model = BaselineModel.build(small_city)
    with pytest.raises(CalibrationError, match=r"unreachable: car share 0\.990"):
        check_reachable(model, read_split(split(car=0.99), "here"))


def test_a_fit_that_runs_out_of_iterations_says_so(small_city):
    model = BaselineModel.build(small_city)
    result = calibrate_baseline(model, read_split(split(walk=0.2, car=0.5), "here"),
                                max_iterations=1)
    assert not result.converged
    assert "did not converge in 1 iterations" in result.problems[0]


@pytest.mark.parametrize("shares", [{"walk": 1.5}, {"walk": 0.6, "car": 0.5}])
def test_shares_outside_zero_one_or_far_above_one_never_reach_calibration(shares):
    """city.yaml's schema refuses them (with file:line) before any calibration."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        split(**shares)
