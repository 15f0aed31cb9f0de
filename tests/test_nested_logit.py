"""Nested logit mode choice: the formula, its multinomial special case, substitution, checks.

The kernels' equivalence (fused against reference, nested or not) is property-tested in
``test_kernel_fused_equivalence.py``; here the reference itself is held to the textbook
two-level form, and the model's default nesting to what a nest means: modes of one nest are
closer substitutes of each other than of the other nest's modes.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from mobility_sim.kernels.fused import demand_fused
from mobility_sim.kernels.reference import (
    demand_reference,
    distance_block,
    mode_shares,
    mode_weights,
)
from mobility_sim.kernels.spec import (
    BIKE,
    CAR_ICE,
    MODES,
    PT,
    WALK,
    check_inputs,
    nest_structure,
)

from mobility_sim.calibration.diversion import diversion_ratios
from mobility_sim.exceptions import ScenarioError
from mobility_sim.model.base_year import BaselineModel
from mobility_sim.scenario import load_scenario
from tests.test_kernel_fused_equivalence import random_model
from tests.test_scenario_loading import GOOD, write

M = len(MODES)


def two_level_shares(w: np.ndarray, nest: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Textbook nested logit, one cell pair: P(m) = P(m | nest) P(nest) (w: weighted exps)."""
    inclusive = np.array([w[nest == k].sum() for k in range(scale.size)])
    upper = np.where(inclusive > 0, inclusive ** scale, 0.0)
    p_nest = upper / upper.sum()
    out = np.zeros(M)
    for m in range(M):
        k = nest[m]
        if inclusive[k] > 0:
            out[m] = w[m] / inclusive[k] * p_nest[k]
    return out


def test_reference_mode_shares_are_the_two_level_nested_logit():
    rng = np.random.default_rng(3)
    inputs, params = random_model(rng, 12, (1.0, 0.9), (False, False), 50)
    nest, scale = np.array([1, 1, 1, 0, 0, 0]), np.array([0.45, 0.8])
    params = replace(params, nest=nest, nest_scale=scale)
    rows = slice(0, 12)
    dist = distance_block(inputs, params, rows)
    w = mode_weights(inputs, params, 0, 1, rows, dist)
    shares = mode_shares(w, params)
    checked = 0
    for i in range(12):
        for j in range(12):
            if w[:, i, j].sum() > 0:
                np.testing.assert_allclose(shares[:, i, j],
                                           two_level_shares(w[:, i, j], nest, scale), rtol=1e-12)
                checked += 1
    assert checked > 50


def test_every_scale_one_is_the_multinomial_logit_in_both_engines():
    rng = np.random.default_rng(8)
    inputs, params = random_model(rng, 20, (1.0, 0.7), (True, False), 500)
    nested_ones = replace(params, nest=np.array([0, 1, 1, 2, 0, 0]), nest_scale=np.ones(3))
    for kernel in (demand_reference, demand_fused):
        plain, ones = kernel(inputs, params), kernel(inputs, nested_ones)
        np.testing.assert_allclose(ones.trips, plain.trips, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(ones.dest_logsum, plain.dest_logsum, rtol=1e-12)
    assert nest_structure(params)[1].tolist() == [1.0]


def test_a_nest_draws_a_cheaper_mode_s_riders_from_its_own_nest():
    # cut the PT fare: without nests every other mode of a cell pair loses the same share of
    # its trips (IIA); with PT nested with the car (scale 0.5), the car loses a larger share
    rng = np.random.default_rng(21)
    inputs, params = random_model(rng, 10, (1.0, 1.0), (False, False), 50)
    inputs = replace(inputs, origin_avail=np.ones_like(inputs.origin_avail),
                     dest_avail=np.ones_like(inputs.dest_avail))
    rows = slice(0, 10)
    dist = distance_block(inputs, params, rows)

    def relative_losses(p):
        cheap = replace(p, fare=p.fare - np.eye(M)[PT] * 0.5 * p.fare[PT])
        before = mode_shares(mode_weights(inputs, p, 0, 0, rows, dist), p)
        after = mode_shares(mode_weights(inputs, cheap, 0, 0, rows, dist), cheap)
        assert (after[PT] > before[PT]).all()
        return 1 - after[CAR_ICE] / before[CAR_ICE], 1 - after[WALK] / before[WALK]

    car, walk = relative_losses(params)
    np.testing.assert_allclose(car, walk, rtol=1e-9)
    motorised = replace(params, nest=np.array([1, 1, 1, 0, 0, 0]),
                        nest_scale=np.array([0.5, 1.0]))
    car, walk = relative_losses(motorised)
    assert (car > 1.2 * walk).all()


def test_the_default_nesting_draws_more_new_pt_riders_from_the_car_than_the_plain_logit():
    from mobility_sim.city import load_city

    city = load_city("helsinki")
    nested = BaselineModel.build(city, calibrated=True)
    plain = BaselineModel.build(city, {"nest.scale_1": 1.0, "nest.scale_2": 1.0},
                                calibrated=True)
    assert nested.params.nest_scale.tolist() == [0.7289, 0.7698, 1.0]
    assert nested.params.nest.tolist() == [1, 1, 1, 0, 0, 0]  # walk bike ebike | pt car car

    def from_car(model):
        table = diversion_ratios(model)
        return float(table[(table.change == "pt_fare_minus_10pct")
                           & (table.from_mode == "car")].diversion.iloc[0])

    assert from_car(nested) > from_car(plain) + 0.02


@pytest.mark.parametrize(("nest", "scale", "fragment"), [
    (np.array([0, 0, 0, 1, 1, 1]), np.array([1.0, 1.2]), "must be in (0, 1]"),
    (np.array([0, 0, 0, 1, 1, 1]), np.array([1.0, 0.0]), "must be in (0, 1]"),
    (np.array([0, 0, 0, 1, 1, 2]), np.array([1.0, 0.5]), "nest indices must be in 0..1"),
    (np.array([0, 0, 0, 1]), np.array([1.0, 0.5]), "expected integers of shape"),
    (np.array([0, 0, 0, 1, 1, 1]), None, "give both or neither"),
])
def test_an_invalid_nesting_is_refused(nest, scale, fragment):
    rng = np.random.default_rng(1)
    inputs, params = random_model(rng, 4, (1.0, 1.0), (False, False), 10)
    with pytest.raises(ValueError) as err:
        check_inputs(inputs, replace(params, nest=nest, nest_scale=scale))
    assert fragment in str(err.value)


def test_scenario_nest_parameters_are_checked_with_their_line(tmp_path, small_city):
    text = GOOD.replace("measures:\n", "parameters: {nest.scale_1: 1.3, nest.member.pt: 4, "
                                       "nest.scale_2: 0.5}\nmeasures:\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path, text), city=small_city)
    lines = err.value.problems
    assert len(lines) == 2
    joined = "\n".join(lines)
    assert "s.yaml:4: parameters.nest.scale_1: nest.scale_1 is a nest's scale and must lie in " \
        "(0, 1]" in joined
    assert "nest.member.pt is the number of a mode-choice nest and must be 1, 2 or 3" in joined


def test_the_walk_and_bike_nest_shares_the_modes_it_names():
    # BIKE is nested with WALK by default: a parameter override regroups it
    from mobility_sim.data.typed_parameters import ModelParameters
    from mobility_sim.model.parameters import resolve_parameters

    values = resolve_parameters(overrides={"nest.member.bike": 3, "nest.scale_3": 0.6})
    nest, scale = ModelParameters.of(values).nest.structure()
    assert nest[BIKE] == 2 and nest[WALK] == 1 and scale[2] == 0.6


def test_segments_weighing_a_nest_alike_share_its_inclusive_value():
    # the walking and cycling nest: the same constants and availabilities in every segment of
    # the bench city, so the fused kernel computes it once per cell pair; the motorised nest
    # differs by segment (each car owner's car, each income group's running cost)
    from mobility_sim.kernels.fused import purpose_arrays

    from mobility_sim.bench import synthetic_inputs

    inputs, params = synthetic_inputs(300, 1)
    n_seg = inputs.segment_share.shape[0]
    arr = purpose_arrays(inputs, params, 1, list(range(n_seg)), np.float64)
    motorised, active = 0, 1
    assert arr.nest_alias[:, active].tolist() == [0] * n_seg
    assert arr.nest_alias[:, motorised].tolist() == list(range(n_seg))
    np.testing.assert_allclose(demand_fused(inputs, params).trips,
                               demand_reference(inputs, params).trips, rtol=1e-9, atol=1e-12)
