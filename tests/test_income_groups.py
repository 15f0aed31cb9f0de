"""Income groups as segments of the demand model: shares, values of time, car availability."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from mobility_sim.kernels.fused import alternatives, demand_fused
from mobility_sim.kernels.reference import demand_reference
from mobility_sim.kernels.spec import (
    CAR_EV,
    CAR_ICE,
    CAR_MODES,
    INCOME_GROUPS,
    MODES,
    PT,
    SEGMENTS,
)

from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.data import parameters, read_table
from mobility_sim.model.base_year import base_year_inputs
from mobility_sim.model.income import (
    CAR_SEGMENTS,
    GROUP_SHARE,
    NO_CAR_SEGMENTS,
    car_available_by_group,
    income_groups,
    segment_cost_factors,
    segment_shares,
)


def test_segments_are_car_class_times_income_group():
    assert len(SEGMENTS) == 6 and INCOME_GROUPS == ("low", "middle", "high")
    assert [SEGMENTS[s] for s in CAR_SEGMENTS] == [f"car_available.{g}" for g in INCOME_GROUPS]
    assert [SEGMENTS[s] for s in NO_CAR_SEGMENTS] == [f"no_car.{g}" for g in INCOME_GROUPS]
    assert sum(GROUP_SHARE) == 1.0


def test_each_cell_keeps_its_car_available_share_and_the_poor_have_fewer_cars():
    p = parameters()
    share = np.array([0.0, 0.05, 0.3, 0.5, 0.77, 0.95, 1.0])
    by_group = car_available_by_group(share, p)
    kept = (np.array(GROUP_SHARE)[:, None] * by_group).sum(axis=0)
    np.testing.assert_allclose(kept, share, atol=1e-12)
    inner = (share > 0) & (share < 1)
    assert (by_group[0, inner] < by_group[1, inner]).all()
    assert (by_group[1, inner] < by_group[2, inner]).all()
    # the published gaps hold as log-odds against the cell's middle group
    logit = np.log(by_group[:, inner] / (1 - by_group[:, inner]))
    np.testing.assert_allclose(logit[0] - logit[1], p["income.car_log_odds_low"], atol=1e-9)
    np.testing.assert_allclose(logit[2] - logit[1], p["income.car_log_odds_high"], atol=1e-9)
    shares = segment_shares(share, p)
    np.testing.assert_allclose(shares.sum(axis=0), 1.0, atol=1e-12)
    np.testing.assert_allclose(shares[list(CAR_SEGMENTS)].sum(axis=0), share, atol=1e-12)
    # every income group is its quarter / half of each cell
    for g, w in enumerate(GROUP_SHARE):
        np.testing.assert_allclose(shares[[CAR_SEGMENTS[g], NO_CAR_SEGMENTS[g]]].sum(axis=0),
                                   w, atol=1e-12)


def test_group_incomes_add_up_to_the_mean_and_fall_back_to_the_eu():
    table = read_table("income_groups.csv")

    def value(quantity: str, geo: str) -> float:
        rows = table[(table["quantity"] == quantity) & (table["geography"] == geo)]
        return float(rows.dropna(subset=["value"]).sort_values("year")["value"].iloc[-1])

    aut = income_groups("AUT")
    assert aut.geography == "AUT" and aut.year == 2024
    assert aut.mean_eur[0] == value("income_mean_bottom_quartile_eur", "AUT")
    assert aut.mean_eur[1] == value("income_median_eur", "AUT")
    assert (np.array(GROUP_SHARE) * aut.mean_eur).sum() == pytest.approx(
        value("income_mean_eur", "AUT"), rel=1e-12)
    assert aut.mean_eur[0] < aut.mean_eur[1] < aut.mean_eur[2]
    gbr = income_groups("GBR")  # the UK left EU-SILC: no recent quartile, the EU27's
    assert gbr.geography == "EU27" and "GBR not found" in gbr.source


def test_the_poorer_weigh_a_euro_more():
    p = parameters()
    factors = segment_cost_factors("FIN", p)
    assert factors.shape == (len(SEGMENTS),)
    low, middle, high = factors[list(CAR_SEGMENTS)]
    assert low > middle > high > 0
    groups = income_groups("FIN")
    assert low == pytest.approx(
        (groups.mean_eur[0] / groups.overall_mean_eur) ** -p["income.vot_elasticity"])
    np.testing.assert_array_equal(factors[list(CAR_SEGMENTS)], factors[list(NO_CAR_SEGMENTS)])


def test_the_kernel_splits_the_charged_modes_by_cost_coefficient_only():
    inputs, params = base_year_inputs(synthetic_city(36, seed=3))
    segs = list(range(len(SEGMENTS)))
    # car running costs differ per pair: one alternative per income group; so does PT's fare
    # when costs are damped by trip length (the default); walking and cycling cost nothing
    alt_mode, _, _ = alternatives(inputs, params, 0, segs)
    assert params.cost_damping != 0.0
    assert [MODES[m] for m in alt_mode].count("car_ice") == 3
    assert [MODES[m] for m in alt_mode].count("pt") == 3
    assert alt_mode.size == len(MODES) + 2 * len(CAR_MODES) + 2
    # undamped, PT's flat fare differs between income groups by a constant: folded into the
    # origin weights
    params = dataclasses.replace(params, cost_damping=0.0)
    alt_mode, alt_coef, weight = alternatives(inputs, params, 0, segs)
    assert [MODES[m] for m in alt_mode].count("car_ice") == 3
    assert [MODES[m] for m in alt_mode].count("pt") == 1
    assert alt_mode.size == len(MODES) + 2 * len(CAR_MODES)
    pt = int(np.flatnonzero(alt_mode == PT)[0])
    expected = np.exp((params.cost_coef[:, 0] - alt_coef[pt]) * params.fare[PT])
    np.testing.assert_allclose(weight[:, pt], expected, rtol=1e-15)
    for alt in np.flatnonzero(np.isin(alt_mode, CAR_MODES)):
        assert set(np.flatnonzero(weight[:, alt])) == set(
            np.flatnonzero(params.cost_coef[:, 0] == alt_coef[alt]))
    same = dataclasses.replace(params, cost_coef=np.tile(params.cost_coef[0], (len(SEGMENTS), 1)))
    assert alternatives(inputs, same, 0, segs)[0].tolist() == list(range(len(MODES)))


def test_a_dearer_car_km_drives_the_poorest_from_the_car_most():
    inputs, params = base_year_inputs(synthetic_city(64, seed=4))
    before = demand_fused(inputs, params)
    dearer = dataclasses.replace(params, cost_per_km=params.cost_per_km * np.where(
        np.isin(np.arange(len(MODES)), [CAR_ICE, CAR_EV]), 2.0, 1.0))
    after = demand_fused(inputs, dearer)
    np.testing.assert_allclose(after.trips, demand_reference(inputs, dearer).trips, rtol=1e-9)
    car = list(CAR_MODES)
    drop = [1 - after.trips[s][..., car].sum() / before.trips[s][..., car].sum()
            for s in CAR_SEGMENTS]
    assert drop[0] > drop[1] > drop[2] > 0
