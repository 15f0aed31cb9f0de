"""New-car purchase choice: fuel and carbon prices shift the battery-electric share of sales."""

import math
from types import SimpleNamespace

import pytest

from mobility_sim.data import parameters
from mobility_sim.data.typed_parameters import ModelParameters
from mobility_sim.fleet import FleetLevers, project_fleet
from mobility_sim.fleet.levers import fleet_levers
from mobility_sim.fleet.purchase import running_cost_change, shifted_bev_share

YEARS = list(range(2025, 2041))


def mp(**overrides):
    p = parameters()
    p.update(overrides)
    return ModelParameters.of(p)


def logit(s):
    return math.log(s / (1 - s))


def test_a_thousand_euro_advantage_moves_a_small_share_by_munzels_five_to_seven_percent():
    m = mp()
    # 1,000 EUR of purchase-price advantage = 200 EUR a year over 5 years = 200/12,000 EUR/km
    per_km = 1000.0 / m.fleet.purchase.years_valued / m.fleet.car.annual_km
    low = shifted_bev_share(0.02, per_km, m)
    assert 1.05 <= low / 0.02 <= 1.07
    assert logit(shifted_bev_share(0.4, per_km, m)) - logit(0.4) == pytest.approx(0.06)


def test_the_shift_is_a_logit_shift_and_leaves_zero_and_one_alone():
    m = mp()
    assert shifted_bev_share(0.3, 0.0, m) == 0.3
    assert shifted_bev_share(0.0, 0.05, m) == 0.0 and shifted_bev_share(1.0, 0.05, m) == 1.0
    up, down = shifted_bev_share(0.3, 0.02, m), shifted_bev_share(0.3, -0.02, m)
    assert up > 0.3 > down
    assert logit(up) - logit(0.3) == pytest.approx(logit(0.3) - logit(down))
    off = mp(**{"fleet.purchase.coef_per_keur": 0.0})
    assert shifted_bev_share(0.3, 0.02, off) == pytest.approx(0.3, rel=1e-12)


def test_running_cost_change_adds_fuel_and_carbon():
    assert running_cost_change(0.3, 100.0, 0.07, 0.16) == pytest.approx(0.021 + 0.016)


def run(**lever):
    p = parameters()
    levers = [FleetLevers(y, 0.3, **(lever if y >= 2027 else {})) for y in YEARS]
    return project_fleet(levers, "FIN", 100_000.0, {y: 300.0 for y in YEARS}, p)


def test_a_fuel_tax_sells_more_electric_cars_from_its_first_year():
    base, taxed = run(), run(fuel_price_change_eur_per_l=0.3)
    assert taxed[2026].car.sales_shares()["bev"] == pytest.approx(0.3)
    share = taxed[2027].car.sales_shares()["bev"]
    m = mp()
    advantage = m.fleet.purchase.years_valued * m.fleet.car.annual_km * 0.3 * m.car.fuel_l_per_km
    assert logit(share) - logit(0.3) == pytest.approx(0.06 * advantage / 1000.0, rel=1e-9)
    assert taxed[2035].car.shares()["bev"] > base[2035].car.shares()["bev"]
    cheaper = run(fuel_price_change_eur_per_l=-0.3)
    assert cheaper[2027].car.sales_shares()["bev"] < 0.3


def test_a_carbon_price_acts_on_purchases_only_above_the_reference_case():
    m = mp()
    levers = SimpleNamespace(year=2030, bev_sales_share=0.5, carbon_price_eur_per_t=45.0,
                             fuel_price_change_eur_per_l=0.0)
    assert fleet_levers(levers, 0.0, 45.0).carbon_price_extra_eur_per_t == 0.0
    extra = fleet_levers(levers, 0.0, 0.0)
    assert extra.carbon_price_extra_eur_per_t == 45.0
    priced = run(carbon_price_extra_eur_per_t=100.0)
    assert priced[2027].car.sales_shares()["bev"] > 0.3
    # about 0.13-0.17 kg CO2 per km of a new combustion car: 100 EUR/t = 1.3-1.7 cents a km
    gained = logit(priced[2027].car.sales_shares()["bev"]) - logit(0.3)
    per_km = gained * 1000.0 / 0.06 / (m.fleet.purchase.years_valued * m.fleet.car.annual_km)
    assert 0.010 < per_km < 0.018


def test_a_purchase_subsidy_sells_more_electric_cars_while_it_is_paid():
    paid = run(bev_purchase_subsidy_eur=3000.0)
    share = paid[2027].car.sales_shares()["bev"]
    assert logit(share) - logit(0.3) == pytest.approx(0.06 * 3.0, rel=1e-9)
    assert paid[2026].car.sales_shares()["bev"] == pytest.approx(0.3)


def test_a_subsidy_ends_after_its_last_year_and_is_costed_on_every_electric_car_sold(tmp_path):
    import numpy as np
    import pandas as pd

    from mobility_sim.economics.rules import cost_lines
    from mobility_sim.exceptions import ScenarioError
    from mobility_sim.scenario import load_scenario
    from mobility_sim.scenario.levers import intensity
    from mobility_sim.scenario.models import MEASURE_TYPES

    bonus = MEASURE_TYPES["ev_purchase_subsidy"](type="ev_purchase_subsidy", start=2026,
                                                 eur_per_car=3000, until=2028)
    assert [intensity(bonus, y) for y in (2025, 2026, 2028, 2029)] == [0, 1, 1, 0]
    years = list(range(2025, 2031))
    fleet = pd.DataFrame({"year": years, "vehicle": "car", "powertrain": "bev",
                          "sales": [100.0 * (y - 2024) for y in years]})
    lines = cost_lines(bonus, np.ones(1, bool), SimpleNamespace(fleet=fleet, years=years))
    (flow,) = lines.items
    assert flow.kind == "cost"
    assert flow.eur == {2025: 0.0, 2026: 600_000.0, 2027: 900_000.0, 2028: 1_200_000.0,
                        2029: 0.0, 2030: 0.0}
    path = tmp_path / "bonus.yaml"
    path.write_text("name: b\ncity: synthetic\nmeasures:\n  - type: ev_purchase_subsidy\n"
                    "    start: 2030\n    eur_per_car: 3000\n    until: 2028\n", "utf-8")
    with pytest.raises(ScenarioError, match=r"bonus\.yaml:4: .*until \(2028\) is before start"):
        load_scenario(path)
