"""Trips made or not made: non-commute trips follow the residents' accessibility (opt-in).

``frequency.logsum_coef`` phi multiplies each segment's non-commute trips of a cell by
``exp(phi x (L - L_ref))`` a year later, ``L_ref`` the reference case's logsum of the year
(``mobility_sim/model/frequency.py``). The kernels take the factor by segment
(``DemandInputs.trip_factor`` of shape (S, P, N)), the owners' segments inherit it, the external
zones keep theirs; a charge suppresses the charged residents' other trips, commute trips stay,
the reference case keeps its trip rates, a run without its reference case (sweeps) gives the
same; with phi 0 a run is what it was.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from mobility_sim.kernels.fused import demand_fused
from mobility_sim.kernels.reference import demand_reference
from mobility_sim.kernels.spec import PURPOSES, check_inputs

from mobility_sim.model.car_owners import split_owners
from mobility_sim.model.frequency import OTHER, TripFrequency
from mobility_sim.scenario import load_scenario
from mobility_sim.simulate import simulate
from tests.test_kernel_fused_equivalence import assert_same_outputs, random_model

COMMUTE = PURPOSES.index("commute")


def with_segment_factor(seed: int, n: int = 20):
    rng = np.random.default_rng(seed)
    inputs, params = random_model(rng, n, (1.0, 0.8), (True, False), 500, external=True)
    s = inputs.segment_share.shape[0]
    by_segment = rng.uniform(0.5, 1.5, (s, len(PURPOSES), n)) * np.asarray(inputs.trip_factor)
    return inputs, replace(inputs, trip_factor=by_segment), params


def test_a_factor_by_segment_scales_each_segments_productions():
    inputs, segmented, params = with_segment_factor(2)
    for p in range(len(PURPOSES)):
        plain = replace(inputs, trip_factor=None).productions(params.trip_rate, p)
        np.testing.assert_allclose(segmented.productions(params.trip_rate, p),
                                   plain * segmented.trip_factor[:, p], rtol=1e-15)


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_fused_equals_reference_with_a_factor_by_segment(seed):
    _, segmented, params = with_segment_factor(seed)
    assert_same_outputs(demand_fused(segmented, params), demand_reference(segmented, params))


def test_a_factor_of_the_wrong_shape_is_refused():
    inputs, _, params = with_segment_factor(3)
    with pytest.raises(ValueError, match=r"inputs.trip_factor: shape \(2, 20, 2\)"):
        check_inputs(replace(inputs, trip_factor=np.ones((2, 20, 2))), params)


def test_each_car_owner_segment_takes_its_segments_factor():
    from mobility_sim.kernels.spec import CAR_EV, CAR_ICE, SEGMENTS

    rng = np.random.default_rng(4)
    inputs, params = random_model(rng, 12, (1.0, 0.8), (True, False), 500)
    avail = np.array(inputs.origin_avail)
    avail[:, [CAR_ICE, CAR_EV]] = 0.5  # every segment with both cars: the car owners split
    factor = rng.uniform(0.5, 1.5, (len(SEGMENTS), len(PURPOSES), 12))
    inputs = replace(inputs, origin_avail=avail, trip_factor=factor)
    kernel_inputs, _, split = split_owners(inputs, params)
    assert split.parent.size > len(SEGMENTS)
    np.testing.assert_array_equal(kernel_inputs.trip_factor, factor[split.parent])


def test_the_factor_follows_the_logsum_against_the_reference_case_of_the_year():
    reference = np.zeros((6, len(PURPOSES), 3))
    reference[:, :, 2] = -np.inf  # no destination reachable: no change
    response = TripFrequency(0.05, {2026: reference})
    response.respond(2025, reference)
    assert response.factor is None  # no reference logsum of that year: no response
    scenario = reference + np.array([-0.5, 0.5, 1.0])[None, None, :]
    response.respond(2026, scenario)
    factor = response.factor
    assert factor.shape == (6, len(PURPOSES), 3)
    np.testing.assert_allclose(factor[:, COMMUTE], 1.0)  # commute trips held
    np.testing.assert_allclose(factor[:, OTHER, 0], np.exp(-0.025), rtol=1e-12)
    np.testing.assert_allclose(factor[:, OTHER, 1], np.exp(0.025), rtol=1e-12)
    np.testing.assert_allclose(factor[:, OTHER, 2], 1.0)
    for off in (TripFrequency(0.0, {2026: reference}), TripFrequency(0.05, None)):
        off.respond(2026, scenario)
        assert off.factor is None  # switched off, or the reference case itself


def cordon_run(tmp_path, phi: float | None):
    from mobility_sim.city.synthetic import synthetic_city

    path = tmp_path / f"charge_{phi}.yaml"
    extra = "" if phi is None else f"parameters:\n  frequency.logsum_coef: {phi}\n"
    path.write_text("name: charge\ncity: synthetic\nyears: {start: 2025, end: 2028}\n"
                    "measures:\n  - {type: cordon_charge, label: Cordon, start: 2026, "
                    "profile: step, eur_per_trip: 6.0, area: {zone: centre}}\n" + extra,
                    encoding="utf-8")
    loaded = load_scenario(path, city=synthetic_city(36, kind="polycentric", seed=1))
    return simulate(loaded, engine="reference")


def test_a_cordon_charge_suppresses_the_charged_residents_other_trips(tmp_path):
    off, on, default = (cordon_run(tmp_path, phi) for phi in (0.0, 0.05, None))
    # the default is off: the same run as phi 0; the run says which
    np.testing.assert_array_equal(default.summary["trips"], off.summary["trips"])
    assert default.meta["trip_frequency"]["response"] is False
    assert on.meta["trip_frequency"]["logsum_coef"] == 0.05
    seg_on = on.segments.set_index(["year", "segment", "purpose"])["trips"]
    seg_off = off.segments.set_index(["year", "segment", "purpose"])["trips"]
    by_class = (seg_on / seg_off).groupby(level=[0, 2]).mean()
    # the charge starts in 2026: the response follows a year later, on other trips only
    assert by_class.loc[(2026, "other")] == pytest.approx(1.0, rel=1e-9)
    commute = [seg.xs("commute", level=2).groupby(level=0).sum() for seg in (seg_on, seg_off)]
    np.testing.assert_allclose(commute[0], commute[1], rtol=1e-9)  # all commute trips held
    # drivers' accessibility fell against non-drivers' of the same income group (the charge
    # meets the car; the roads it frees and the PT it fills serve both): fewer other trips
    # relative to theirs, and fewer in all for the richest, who drive most; the poorest
    # drivers, who drive least, may gain from the freer roads (+0.02 % here)
    ratio = (seg_on.groupby(level=[0, 1, 2]).sum()
             / seg_off.groupby(level=[0, 1, 2]).sum()).loc[2027].xs("other", level=1)
    for group in ("low", "middle", "high"):
        assert ratio[f"car_available.{group}"] < ratio[f"no_car.{group}"]
    assert ratio["car_available.high"] < 1.0
    # the reference case keeps its trip rates (the response pivots on it); the city's trips
    # move, by the drivers' loss less the others' gain: little either way (+0.01 % in 2027
    # here)
    np.testing.assert_allclose(on.reference["trips"], off.reference["trips"], rtol=1e-12)
    trips = on.summary.set_index("year")["trips"]
    reference = on.reference.set_index("year")["trips"]
    assert (trips.loc[[2027, 2028]] != reference.loc[[2027, 2028]]).all()
    np.testing.assert_allclose(trips, reference, rtol=1e-3)
    np.testing.assert_allclose(off.summary.set_index("year")["trips"],
                               off.reference.set_index("year")["trips"], rtol=1e-12)


def test_a_run_without_its_reference_case_responds_alike(tmp_path):
    from mobility_sim.city.synthetic import synthetic_city

    on = cordon_run(tmp_path, 0.05)
    path = tmp_path / "charge_0.05.yaml"
    alone = simulate(load_scenario(path, city=synthetic_city(36, kind="polycentric", seed=1)),
                     engine="reference", with_reference=False)
    assert alone.reference.empty
    np.testing.assert_allclose(alone.summary["trips"], on.summary["trips"], rtol=1e-12)
    np.testing.assert_allclose(alone.summary["co2_wtw_t"], on.summary["co2_wtw_t"],
                               rtol=1e-12)
