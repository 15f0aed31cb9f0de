"""Owners of combustion and of electric cars choose modes separately (issue 22 item 3)."""

from dataclasses import replace

import numpy as np
import pytest
from mobility_sim.kernels.fused import demand_fused
from mobility_sim.kernels.reference import demand_reference
from mobility_sim.kernels.spec import CAR_EV, CAR_ICE, CAR_MODES

from mobility_sim.model.car_owners import merge_owners, owner_demand, split_owners
from mobility_sim.model.income import NO_CAR_SEGMENTS
from tests.test_kernel_fused_equivalence import assert_same_outputs, random_model


def model(seed, doubly=(True, False), n=20, shared_cars=False):
    """A random city whose car weights are shares of a fleet, as in the model (sum <= 1).

    Residents without a car have none (``shared_cars``: some, as car sharing gives them).
    """
    inputs, params = random_model(np.random.default_rng(seed), n, (1.0, 0.7), doubly, 500)
    avail = inputs.origin_avail.copy()
    cars = avail[:, list(CAR_MODES)]
    avail[:, list(CAR_MODES)] = cars / np.maximum(cars.sum(axis=1, keepdims=True), 1.0)
    if not shared_cars:
        avail[np.ix_(list(NO_CAR_SEGMENTS), list(CAR_MODES))] = 0.0
    return replace(inputs, origin_avail=avail), params


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_fused_equals_reference_on_the_owners_segments(seed):
    inputs, params, _ = split_owners(*model(seed))
    assert inputs.segment_share.shape[0] > 6
    assert_same_outputs(demand_fused(inputs, params, None, dtype=np.float64),
                        demand_reference(inputs, params))


def test_the_split_keeps_each_segments_residents_and_gives_each_owner_one_car():
    inputs, params = model(3)
    split_inputs, split_params, split = split_owners(inputs, params)
    total = np.zeros_like(inputs.segment_share)
    np.add.at(total, split.parent, split_inputs.segment_share)
    np.testing.assert_allclose(total, inputs.segment_share, rtol=1e-12)
    for k, s in enumerate(split.parent):
        ice, ev = split_inputs.origin_avail[k, CAR_ICE], split_inputs.origin_avail[k, CAR_EV]
        if (split.parent == s).sum() == 2:
            assert not (ice > 0).any() or not (ev > 0).any()  # one car per owner class
            np.testing.assert_allclose(
                ice + ev, inputs.origin_avail[s, CAR_ICE] + inputs.origin_avail[s, CAR_EV])
        np.testing.assert_array_equal(split_params.asc[k], params.asc[s])
        np.testing.assert_array_equal(split_params.cost_coef[k], params.cost_coef[s])


def test_only_car_available_segments_are_split_shared_cars_stay_pooled():
    from mobility_sim.kernels.spec import SEGMENT_CAR_CLASS

    inputs, params = model(23, shared_cars=True)
    assert (inputs.origin_avail[:, list(CAR_MODES)] > 0).any(axis=(1, 2)).all()  # all have cars
    _, _, split = split_owners(inputs, params)
    counts = np.bincount(split.parent, minlength=6)
    assert [int(c) for c in counts] == [2 if cls == 0 else 1 for cls in SEGMENT_CAR_CLASS]


def test_a_segment_with_one_car_alternative_is_not_split():
    inputs, params = model(5)
    avail = inputs.origin_avail.copy()
    avail[:, CAR_EV] = 0.0
    same, same_params, _ = split_owners(replace(inputs, origin_avail=avail), params)
    assert same.segment_share.shape == inputs.segment_share.shape and same_params is params
    pooled = demand_reference(same, params)
    assert owner_demand(demand_reference, same, params, None).trips == pytest.approx(pooled.trips)


def test_merged_trips_add_up_and_the_logsum_is_the_owners_weighted_mean():
    inputs, params = model(11)
    split_inputs, split_params, split = split_owners(inputs, params)
    raw = demand_reference(split_inputs, split_params)
    merged = merge_owners(raw, split, inputs.segment_share.shape[0])
    np.testing.assert_allclose(merged.trips.sum(), raw.trips.sum(), rtol=1e-12)
    s = int(np.flatnonzero(np.bincount(split.parent) == 2)[0])
    ice, ev = np.flatnonzero(split.parent == s)
    w = split.weight[ice]
    cells = (w > 0) & (w < 1) & np.isfinite(raw.dest_logsum[ice, 0]) & np.isfinite(
        raw.dest_logsum[ev, 0])
    assert cells.any()
    expected = w * raw.dest_logsum[ice, 0] + (1 - w) * raw.dest_logsum[ev, 0]
    np.testing.assert_allclose(merged.dest_logsum[s, 0][cells], expected[cells], rtol=1e-12)


def test_a_zone_barring_combustion_cars_leaves_electric_owners_choices_alone():
    """Pooled, the electric alternative took the barred owners' trips; split, it cannot."""
    inputs, params = model(19, doubly=(False, False))
    zone = np.zeros(inputs.n_cells, dtype=bool)
    zone[: inputs.n_cells // 3] = True
    avail = inputs.dest_avail.copy()
    avail[CAR_ICE, zone] = 0.0
    barred = replace(inputs, dest_avail=avail)

    def ev_to_zone(out):
        return out.trips_to[zone, CAR_EV].sum()

    pooled_before, pooled_after = (demand_reference(x, params) for x in (inputs, barred))
    owners_before, owners_after = (owner_demand(demand_reference, x, params, None)
                                   for x in (inputs, barred))
    assert ev_to_zone(pooled_after) > ev_to_zone(pooled_before) * 1.01
    assert ev_to_zone(owners_after) == pytest.approx(ev_to_zone(owners_before), rel=1e-9)
    assert owners_after.trips_to[zone, CAR_ICE].sum() == 0.0
    # the car trips into the zone fall further when the combustion owners cannot swap cars
    def cars_to_zone(out):
        return out.trips_to[zone][:, list(CAR_MODES)].sum()

    assert (cars_to_zone(owners_after) / cars_to_zone(owners_before)
            < cars_to_zone(pooled_after) / cars_to_zone(pooled_before))
