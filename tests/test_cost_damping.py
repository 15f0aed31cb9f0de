"""Cost damping: a euro weighs less on a long trip than on a short one.

The kernels' equivalence with damping (fused against reference, any exponent and reference
distance) is property-tested in ``test_kernel_fused_equivalence.py``; here the reference is held
to its formula, the model to its sourced default and the checks to their messages.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from mobility_sim.kernels.reference import distance_block, mode_shares, mode_weights
from mobility_sim.kernels.spec import CAR_ICE, check_inputs, cost_damping_factor

from mobility_sim.data import read_table
from mobility_sim.exceptions import ScenarioError
from mobility_sim.model.base_year import BaselineModel
from mobility_sim.scenario import load_scenario
from tests.test_kernel_fused_equivalence import random_model
from tests.test_scenario_loading import GOOD, write


def test_the_factor_is_the_power_of_distance_over_the_reference_with_an_intrazonal_floor():
    rng = np.random.default_rng(2)
    _, params = random_model(rng, 3, (1.0, 1.0), (False, False), 10)
    params = replace(params, cost_damping=-0.25, cost_damping_ref_km=8.0, circuity=1.2,
                     intrazonal_factor=0.5)
    floor = 1.2 * 0.5 * 1000.0 / 1000.0  # a 1 km cell
    got = cost_damping_factor(params, np.array([8.0, 2.0, 32.0, 0.1]), 1000.0)
    np.testing.assert_allclose(got, [1.0, 4.0 ** 0.25, 4.0 ** -0.25, (floor / 8.0) ** -0.25])
    np.testing.assert_array_equal(cost_damping_factor(replace(params, cost_damping=0.0),
                                                      np.array([0.1, 50.0]), 1000.0), 1.0)


def test_the_reference_damps_every_money_cost_and_nothing_else():
    # with no time, no constants and no availabilities differing, the utility difference of
    # car and walk between two pairs is the cost coefficient x cost x damping factor
    rng = np.random.default_rng(5)
    inputs, params = random_model(rng, 6, (1.0, 1.0), (False, False), 10)
    rows = slice(0, 6)
    dist = distance_block(inputs, params, rows)
    damped = replace(params, cost_damping=-0.3, cost_damping_ref_km=3.0)
    plain_w = mode_weights(inputs, params, 0, 0, rows, dist)
    damped_w = mode_weights(inputs, damped, 0, 0, rows, dist)
    open_ = (plain_w[CAR_ICE] > 0) & (damped_w[CAR_ICE] > 0)
    crossing = inputs.cordon[None, :] != inputs.cordon[rows, None]
    cost = (params.cost_per_km[CAR_ICE] * dist + params.fare[CAR_ICE]
            + inputs.dest_cost[0, CAR_ICE][None, :] + params.cordon_charge[CAR_ICE] * crossing)
    factor = cost_damping_factor(damped, dist, inputs.cell_size)
    want = params.cost_coef[0, 0] * cost * (factor - 1.0)
    got = np.log(damped_w[CAR_ICE][open_]) - np.log(plain_w[CAR_ICE][open_])
    np.testing.assert_allclose(got, want[open_], rtol=1e-9, atol=1e-12)


def test_a_charge_moves_fewer_long_trips_off_the_car_than_short_ones_with_damping():
    rng = np.random.default_rng(11)
    inputs, params = random_model(rng, 16, (1.0, 1.0), (False, False), 10)
    rows = slice(0, 16)
    dist = distance_block(inputs, params, rows)

    def car_loss(p):
        charged = replace(p, fare=p.fare + np.eye(len(p.fare))[CAR_ICE] * 2.0)
        before = mode_shares(mode_weights(inputs, p, 0, 0, rows, dist), p)[CAR_ICE]
        after = mode_shares(mode_weights(inputs, charged, 0, 0, rows, dist), charged)[CAR_ICE]
        ratio = np.divide(after, before, out=np.ones_like(before), where=before > 0)
        return np.log(ratio)

    ref = float(np.median(dist))
    damped = replace(params, cost_damping=-0.4, cost_damping_ref_km=ref)
    plain_loss, damped_loss = car_loss(params), car_loss(damped)
    shown = plain_loss < 0
    long_, short = shown & (dist > 1.5 * ref), shown & (dist < ref / 1.5)
    assert long_.sum() > 5 and short.sum() > 5
    assert (damped_loss[long_] > plain_loss[long_]).all()  # smaller losses on long trips
    assert (damped_loss[short] < plain_loss[short]).all()  # larger on short ones


def test_the_model_damps_costs_by_the_sourced_default():
    table = read_table("parameters.csv").set_index("key")
    exponent = float(table.loc["cost_damping.exponent", "value"])
    assert exponent == pytest.approx(-0.2209)
    assert "ZurichModeParameters" in table.loc["cost_damping.exponent", "source"]
    assert "assumption" in table.loc["cost_damping.ref_km", "source"]
    from mobility_sim.city import load_city

    model = BaselineModel.build(load_city("york"), calibrated=True)
    assert model.params.cost_damping == pytest.approx(exponent)
    assert model.params.cost_damping_ref_km == float(table.loc["cost_damping.ref_km", "value"])
    plain = BaselineModel.build(load_city("york"), {"cost_damping.exponent": 0.0},
                                calibrated=True)
    assert plain.params.cost_damping == 0.0


@pytest.mark.parametrize(("exponent", "ref", "fragment"), [
    (-1.0, 7.0, "params.cost_damping: must be in (-1, 0]"),
    (0.2, 7.0, "params.cost_damping: must be in (-1, 0]"),
    (-0.2, 0.0, "params.cost_damping_ref_km: must be finite and > 0"),
])
def test_an_invalid_damping_is_refused_by_the_kernels(exponent, ref, fragment):
    rng = np.random.default_rng(1)
    inputs, params = random_model(rng, 4, (1.0, 1.0), (False, False), 10)
    with pytest.raises(ValueError) as err:
        check_inputs(inputs, replace(params, cost_damping=exponent, cost_damping_ref_km=ref))
    assert fragment in str(err.value)


def test_scenario_damping_parameters_are_checked_with_their_line(tmp_path, small_city):
    text = GOOD.replace("measures:\n", "parameters: {cost_damping.exponent: -1.2, "
                                       "cost_damping.ref_km: 0}\nmeasures:\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path, text), city=small_city)
    joined = "\n".join(err.value.problems)
    assert "s.yaml:4: parameters.cost_damping.exponent: cost_damping.exponent is the " \
        "elasticity of the cost coefficient with trip length and must lie in (-1, 0]" in joined
    assert "cost_damping.ref_km is a distance in km and must be > 0" in joined


def test_parameters_that_put_utilities_out_of_range_are_named_not_a_traceback():
    # nest scales of 0.01 under strong damping divide utilities of -10 by 0.01: the fused
    # kernel's results would not be finite; the model says which parameters to change
    from mobility_sim.city import load_city

    model = BaselineModel.build(load_city("york"), {
        "nest.scale_1": 0.01, "nest.scale_2": 0.01, "cost_damping.exponent": -0.95,
        "cost_damping.ref_km": 50.0}, calibrated=True)
    with pytest.raises(ScenarioError, match=r"nest\.scale_1 \.\. nest\.scale_3 and "
                                            r"cost_damping\.exponent"):
        model.run()
