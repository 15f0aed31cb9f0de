"""The NumPy reference model: conservation, probabilities, and the direction of responses."""

from dataclasses import replace

import numpy as np
import pytest
from mobility_sim.kernels.reference import demand_reference, distance_block
from mobility_sim.kernels.spec import CAR_EV, CAR_ICE, PT, WALK

from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.model.base_year import base_year_inputs
from mobility_sim.model.income import NO_CAR_SEGMENTS


@pytest.fixture(scope="module")
def model():
    inputs, params = base_year_inputs(synthetic_city(64, kind="polycentric", seed=3))
    return inputs, params, demand_reference(inputs, params)


def mode_shares(out):
    total = out.trips.sum(axis=(0, 1, 2))
    return total / total.sum()


def test_trips_are_conserved(model):
    inputs, params, out = model
    for p in range(len(params.trip_rate)):
        produced = inputs.productions(params.trip_rate, p)  # (S, N): cells and external zones
        np.testing.assert_allclose(out.trips[:, p].sum(axis=-1), produced, rtol=1e-10)
    np.testing.assert_allclose(out.trips_to.sum(), out.trips.sum(), rtol=1e-12)


def test_mode_shares_sum_to_one_and_are_probabilities(model):
    _, _, out = model
    shares = mode_shares(out)
    assert shares.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(shares >= 0)
    per_cell = out.trips.sum(axis=(0, 1))
    cell_total = per_cell.sum(axis=1)
    busy = cell_total > 0
    np.testing.assert_allclose((per_cell[busy] / cell_total[busy, None]).sum(axis=1), 1.0)


def test_no_car_segments_never_drive(model):
    _, _, out = model
    assert out.trips[list(NO_CAR_SEGMENTS)][..., [CAR_ICE, CAR_EV]].sum() == 0.0


def test_doubly_constrained_purpose_meets_destination_totals():
    inputs, params = base_year_inputs(synthetic_city(49, seed=1))
    commute = 0
    out = demand_reference(inputs, params)
    assert params.doubly_constrained[commute]
    produced = (inputs.population[None, :] * inputs.segment_share).sum() * params.trip_rate[commute]
    target = inputs.size[commute] / inputs.size[commute].sum() * produced
    # arrivals of commute trips by destination: recompute from the balanced factors
    arrivals = np.zeros(inputs.n_cells)
    from mobility_sim.kernels.reference import attractiveness, productions

    origins = productions(inputs, params, commute)
    rows = slice(0, inputs.n_cells)
    dist = distance_block(inputs, params, rows)
    for s in range(inputs.segment_share.shape[0]):
        a, _ = attractiveness(inputs, params, s, commute, rows, dist)
        w = a * out.balancing[commute][None, :]
        arrivals += (origins[s][:, None] * w / w.sum(axis=1, keepdims=True)).sum(axis=0)
    np.testing.assert_allclose(arrivals, target, rtol=1e-8)
    assert out.iterations[commute] > 0


def test_warm_start_from_balanced_factors_needs_no_iteration():
    inputs, params = base_year_inputs(synthetic_city(36, seed=2))
    first = demand_reference(inputs, params)
    second = demand_reference(inputs, params, balancing=first.balancing)
    assert second.iterations[0] <= 1
    np.testing.assert_allclose(second.trips, first.trips, rtol=1e-8)


@pytest.mark.parametrize("mode", [PT, CAR_ICE])
def test_a_cost_increase_lowers_that_modes_share(model, mode):
    inputs, params, base = model
    dearer = params.cost_per_km.copy()
    dearer[mode] += 0.5
    out = demand_reference(inputs, replace(params, cost_per_km=dearer))
    assert mode_shares(out)[mode] < mode_shares(base)[mode]


def test_more_frequent_pt_raises_pt_share(model):
    inputs, params, base = model
    faster = inputs.origin_time.copy()
    faster[PT] *= 0.5
    out = demand_reference(replace(inputs, origin_time=faster), params)
    assert mode_shares(out)[PT] > mode_shares(base)[PT]


def test_zero_population_gives_zero_trips(model):
    inputs, params, _ = model
    out = demand_reference(replace(inputs, population=np.zeros(inputs.n_cells)), params)
    assert out.trips.sum() == 0.0
    assert out.pkm.sum() == 0.0
    assert out.co2_wtw.sum() == 0.0


def test_an_empty_cell_produces_nothing_but_still_attracts(model):
    inputs, params, _ = model
    population = inputs.population.copy()
    population[0] = 0.0
    out = demand_reference(replace(inputs, population=population), params)
    assert out.trips[:, :, 0].sum() == 0.0
    assert out.trips_to[0].sum() > 0.0


def test_emissions_are_pkm_times_factors(model):
    _, params, out = model
    pkm = out.pkm.sum(axis=(0, 1))
    np.testing.assert_allclose(out.co2_ttw, pkm * params.ef_ttw)
    np.testing.assert_allclose(out.co2_wtw, pkm * params.ef_wtw)
    np.testing.assert_allclose(out.vkm[:, CAR_ICE], pkm[:, CAR_ICE] / 1.6)
    assert out.co2_ttw[:, WALK].sum() == 0.0


def test_intrazonal_distance_uses_mean_distance_in_a_square(model):
    inputs, params, _ = model
    d = distance_block(inputs, params, slice(0, 3))
    expected = params.circuity * params.intrazonal_factor * inputs.cell_size / 1000
    np.testing.assert_allclose(np.diag(d[:, :3]), expected)


def test_results_do_not_depend_on_block_size(model):
    inputs, params, out = model
    small = demand_reference(inputs, params, block=7)
    np.testing.assert_allclose(small.trips, out.trips, rtol=1e-10)
    np.testing.assert_allclose(small.pkm, out.pkm, rtol=1e-10)


def test_invalid_inputs_are_reported_together(model):
    inputs, params, _ = model
    bad = replace(inputs, population=-inputs.population, car_speed=np.zeros(inputs.n_cells))
    with pytest.raises(ValueError) as err:
        demand_reference(bad, params)
    assert "population" in str(err.value) and "car_speed" in str(err.value)
