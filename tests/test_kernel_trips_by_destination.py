"""Trips by mode and destination from groups of origins: fused = NumPy specification (1e-9).

A zone's trips within it (the zones table: trips entering a cordon or a low-emission zone) come
from these functions, with the year's balancing factors. The fused one runs the kernel's flows
pass on the groups' runs of consecutive origins; it must agree with the reference on random
cities (both balancing modes, logsum coefficients of 1 and not 1, cordons, external zones,
groups that overlap, repeat and skip cells) and, for the group of all origins, with the
trips by destination of the year's demand run.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from mobility_sim.kernels.fused import demand_fused, trips_by_destination_fused
from mobility_sim.kernels.reference import demand_reference, trips_by_destination
from mobility_sim.kernels.spec import MODES

from mobility_sim.model.zone_flows import zone_flows
from tests.test_kernel_fused_equivalence import (
    distances,
    nestings,
    random_model,
    with_distance,
    with_nests,
)

scales = st.one_of(st.just(1.0), st.floats(0.0, 2.0))


def random_groups(rng: np.random.Generator, n: int) -> list[np.ndarray]:
    """Groups of origins: random subsets (overlapping), a repeated cell, an empty group."""
    groups = [np.flatnonzero(rng.random(n) < 0.5) for _ in range(3)]
    groups.append(np.array([n - 1, 0, n - 1]))
    groups.append(np.zeros(0, dtype=np.int64))
    return groups


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 24),
       dest_scale=st.tuples(scales, scales), doubly=st.tuples(st.booleans(), st.booleans()),
       external=st.booleans(), nests=nestings, distance=distances)
@example(seed=106703927, n=5, dest_scale=(1.0, 1.0), doubly=(False, True),
         external=True, nests=None, distance=None)  # no balancing solution: factors bounded
def test_fused_trips_by_destination_equal_the_reference(seed, n, dest_scale, doubly, external,
                                                        nests, distance):
    rng = np.random.default_rng(seed)
    inputs, params = random_model(rng, n, dest_scale, doubly, 200, external)
    params = with_distance(with_nests(params, nests), distance)
    balancing = demand_reference(inputs, params).balancing
    groups = random_groups(rng, n)
    want = trips_by_destination(inputs, params, balancing, groups)
    got = trips_by_destination_fused(inputs, params, balancing, groups)
    assert got.shape == want.shape == (len(groups), len(MODES), n)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    assert not got[-1].any()  # the empty group


@pytest.mark.parametrize("dest_scale", [(1.0, 1.0), (0.7, 1.3)])
def test_all_origins_give_the_demand_runs_trips_by_destination(dest_scale):
    rng = np.random.default_rng(11)
    inputs, params = random_model(rng, 40, dest_scale, (True, False), 500, external=True)
    out = demand_fused(inputs, params)
    everyone = [np.arange(inputs.n_cells)]
    got = trips_by_destination_fused(inputs, params, out.balancing, everyone)[0]
    np.testing.assert_allclose(got, out.trips_to.T, rtol=1e-9, atol=1e-9)
    # and the trips from a group add up to its origins' trips
    half = np.arange(0, inputs.n_cells, 2)
    part = trips_by_destination_fused(inputs, params, out.balancing, [half])[0]
    np.testing.assert_allclose(part.sum(axis=1), out.trips[:, :, half].sum(axis=(0, 1, 2)),
                               rtol=1e-9)


def test_zone_flows_are_the_same_with_either_implementation():
    rng = np.random.default_rng(3)
    inputs, params = random_model(rng, 30, (1.0, 0.8), (True, False), 500)
    out = demand_reference(inputs, params)
    masks = [rng.random(30) < 0.4, rng.random(30) < 0.4, np.zeros(30, dtype=bool)]
    fast = zone_flows(inputs, params, out, masks, trips_by_destination_fused)
    spec = zone_flows(inputs, params, out, masks, trips_by_destination)
    for a, b in zip(fast, spec, strict=True):
        np.testing.assert_allclose(a.within, b.within, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(a.entering, b.entering, rtol=1e-9, atol=1e-12)
    # within a zone: no more than arrive in it, none in an empty zone
    assert np.all(fast[0].within <= fast[0].arriving * (1 + 1e-9))
    assert not fast[2].within.any()


def test_invalid_groups_and_factors_are_all_reported():
    rng = np.random.default_rng(1)
    inputs, params = random_model(rng, 6, (1.0, 1.0), (True, True), 50)
    with pytest.raises(ValueError) as error:
        trips_by_destination_fused(inputs, params, np.ones((2, 5)),
                                   [np.array([0, 6]), np.array([[1]])])
    message = str(error.value)
    assert "balancing: shape (2, 5), expected (2, 6)" in message
    assert "groups[0]: cell indices must be in 0..5" in message
    assert "groups[1]: expected a 1-D array" in message
