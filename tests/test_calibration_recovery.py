"""Calibration recovers known constants and destination scales on a synthetic city."""

from __future__ import annotations

import dataclasses

import pytest

from mobility_sim.calibration import calibrate
from mobility_sim.calibration.outputs import mean_trip_length, survey_mode_shares
from mobility_sim.calibration.run import trip_length_target
from mobility_sim.city import City
from mobility_sim.city.model import ModalSplit
from mobility_sim.exceptions import CalibrationError
from mobility_sim.model.base_year import BaselineModel

#: Constants the synthetic "truth" is simulated with (defaults: bike -1.8, pt -0.2, car -0.8).
KNOWN = {"utility.asc.bike": -1.1, "utility.asc.ebike": -1.1, "utility.asc.pt": 0.3,
         "utility.asc.car": -1.4}


def _with_split(city: City, split: ModalSplit) -> City:
    meta = city.meta.model_copy(update={"observed_modal_split": [split]})
    return dataclasses.replace(city, meta=meta)


def _observed(city: City, truth: dict[str, float], unit: str, purposes: str,
              hide: tuple[str, ...] = ()) -> tuple[ModalSplit, object]:
    model = BaselineModel.build(city, truth)
    out = model.run()
    idx = (0, 1) if purposes == "all" else (0,)
    shares = survey_mode_shares(out, unit, idx)
    published = {m: (None if m in hide else v) for m, v in shares.items()}
    split = ModalSplit(year=2025, unit=unit, population="residents", purposes=purposes,
                       area="synthetic grid", shares={**published, "other": None},
                       source="simulated with known constants (test)")
    return split, out


@pytest.mark.parametrize(("unit", "purposes"), [("trips", "all"), ("pkm", "all"),
                                                 ("trips", "work and education")])
def test_known_constants_are_recovered(small_city, unit, purposes):
    split, _ = _observed(small_city, KNOWN, unit, purposes)
    result = calibrate(_with_split(small_city, split), write=False, tolerance=1e-6)
    fitted = result.result.parameters
    purposes_fitted = ["commute", "other"] if purposes == "all" else ["commute"]
    for segment in ("car_available", "no_car"):
        for purpose in ("commute", "other"):
            for mode in ("walk", "bike", "ebike", "pt", "car"):
                key = f"utility.asc.{segment}.{purpose}.{mode}"
                start = {"walk": 0.0, "bike": -1.8, "ebike": -1.8, "pt": -0.2, "car": -0.8}[mode]
                expected = KNOWN.get(f"utility.asc.{mode}", 0.0) if purpose in purposes_fitted \
                    else start
                assert fitted[key] == pytest.approx(expected, abs=2e-3), key


def test_unpublished_mode_is_recovered_through_the_joint_remainder(small_city):
    split, _ = _observed(small_city, KNOWN, "trips", "all", hide=("bike",))
    assert split.shares["bike"] is None
    result = calibrate(_with_split(small_city, split), write=False, tolerance=1e-6)
    fitted = result.result.parameters
    assert fitted["utility.asc.no_car.other.bike"] == pytest.approx(-1.1, abs=2e-3)
    assert fitted["utility.asc.car_available.commute.car"] == pytest.approx(-1.4, abs=2e-3)
    groups = {row["group"] for row in result.result.split.rows}
    assert groups == {"walk", "pt", "car", "bike"}


def test_destination_scale_is_recovered_from_a_trip_length(small_city):
    from mobility_sim.data import parameters

    default_other = parameters()["destination.scale.other"]  # commute's default is 1.0
    truth = {**KNOWN, "destination.scale.commute": 1.3,
             "destination.scale.other": 1.3 * default_other}
    split, out = _observed(small_city, truth, "trips", "all")
    length = mean_trip_length(out, (0, 1))
    target = trip_length_target(length, "simulated with a known scale (test)")
    result = calibrate(_with_split(small_city, split), trip_length=target, write=False,
                       tolerance=1e-6)
    fitted = result.result.parameters
    assert result.result.trip_length["scale_factor"] == pytest.approx(1.3, rel=2e-2)
    assert fitted["destination.scale.other"] == pytest.approx(1.3 * default_other, rel=2e-2)
    assert fitted["utility.asc.car_available.other.pt"] == pytest.approx(0.3, abs=2e-2)
    assert abs(result.result.trip_length["modelled_km"] - length) <= 0.01


def test_a_distance_term_is_recovered_from_a_trip_length_with_the_scales_kept(small_city):
    # the logsum coefficients as an estimated model gives them (here 0.5), the distance term
    # fitted to the trip length
    truth = {**KNOWN, "destination.scale.commute": 0.5, "destination.scale.other": 0.5,
             "destination.distance.commute": -0.15, "destination.distance.other": -0.15}
    split, out = _observed(small_city, truth, "trips", "all")
    length = mean_trip_length(out, (0, 1))
    target = trip_length_target(length, "simulated with a known distance term (test)",
                                fit="distance")
    given = {"destination.scale.commute": 0.5, "destination.scale.other": 0.5}
    result = calibrate(_with_split(small_city, split), trip_length=target, write=False,
                       tolerance=1e-6, overrides=given)
    fitted = result.result.parameters
    assert fitted["destination.distance.other"] == pytest.approx(-0.15, rel=2e-2)
    assert fitted["destination.distance.commute"] == fitted["destination.distance.other"]
    assert "destination.scale.other" not in fitted  # kept as given
    assert result.result.trip_length["fit"] == "distance"
    assert abs(result.result.trip_length["modelled_km"] - length) <= 0.01


def test_a_distance_term_cannot_lengthen_trips_and_says_what_can(small_city):
    split, out = _observed(small_city, KNOWN, "trips", "all")
    longer = 1.3 * mean_trip_length(out, (0, 1))
    target = trip_length_target(longer, "test figure", fit="distance")
    with pytest.raises(CalibrationError, match=r"a distance term only shortens them; lower "
                                               r"destination\.scale"):
        calibrate(_with_split(small_city, split), trip_length=target, write=False)
    with pytest.raises(CalibrationError, match="trip length fit 'length'"):
        trip_length_target(5.0, "test", fit="length")


def test_trip_rates_scale_to_a_reported_total(small_city):
    from mobility_sim.calibration.run import total_target

    split, _ = _observed(small_city, KNOWN, "trips", "all")
    city = _with_split(small_city, split)
    plain = calibrate(city, write=False)
    vkm = plain.result.outputs.vkm[:, 4:].sum() * 365.0
    result = calibrate(city, total=total_target("car_vkm", 1.25 * vkm, "test figure"),
                       write=False)
    assert result.result.total["rate_factor"] == pytest.approx(1.25, rel=1e-6)
    assert result.result.total["modelled"] == pytest.approx(1.25 * vkm, rel=1e-6)
    assert result.result.parameters["trip_rate.other"] == pytest.approx(2.2 * 1.25, rel=1e-6)


def test_a_fitted_distance_term_is_written_with_the_given_scales_and_runs_use_both(tmp_path):
    import shutil
    from pathlib import Path

    from mobility_sim.city import load_city
    from mobility_sim.model.base_year import calibration_status
    from mobility_sim.model.parameters import calibrated_parameters

    folder = tmp_path / "york"
    shutil.copytree(Path(__file__).resolve().parents[1] / "cities" / "york", folder)
    given = {"destination.scale.commute": 0.5, "destination.scale.other": 0.5}
    city = load_city(folder)
    without = mean_trip_length(BaselineModel.build(city, given).run(), (0, 1))
    target = trip_length_target(0.85 * without, "test figure", fit="distance")
    fitted = calibrate(city, trip_length=target, overrides=given, write=True)
    distance = fitted.result.trip_length["distance_coef"]
    assert distance < 0

    again = load_city(folder)
    stored = calibrated_parameters(again)
    assert stored["destination.distance.other"] == pytest.approx(distance)
    assert stored["destination.distance.commute"] == pytest.approx(distance)
    assert stored["destination.scale.other"] == 0.5  # the given scales travel with the fit
    assert calibration_status(again) == "current"
    out = BaselineModel.build(again, calibrated=True).run()
    assert mean_trip_length(out, (0, 1)) == pytest.approx(0.85 * without, abs=0.02)

    before = (folder / "calibration.yaml").read_bytes()
    with pytest.raises(CalibrationError, match=r"utility\.time\.car cannot be stored in "
                                               r"calibration\.yaml"):
        calibrate(again, overrides={**given, "utility.time.car": -0.05}, write=True)
    assert (folder / "calibration.yaml").read_bytes() == before
