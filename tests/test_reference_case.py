"""The reference case: EU and national policies already decided, each country's own fleet.

Checked here: Oslo's baseline starts from Norway's fleet; an EU city's 2050 fleet follows the
2035 rule as the survival curve says; grid paths fall where the cited projection falls; each
element switches off; measures act on top of the reference and are credited only with what
they add; the Norway backcast reproduces the published fleet.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd
import pytest

from mobility_sim.analysis.attribution import attribute
from mobility_sim.city import load_city
from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.data import grid_intensity, read_table
from mobility_sim.exceptions import ScenarioError
from mobility_sim.fleet import FleetLevers, FleetStart, project_fleet
from mobility_sim.fleet.projection import survival_of
from mobility_sim.model.parameters import resolve_parameters
from mobility_sim.model.years import setup_run
from mobility_sim.reference.backcast import fleet_share_oracle, norway_backcast
from mobility_sim.reference.case import (
    ELEMENTS,
    car_bev_path,
    grid_path,
    grid_projection_points,
    reference_case,
    resolve_elements,
)
from mobility_sim.reference.mixes import car_fleet_mix, complete_mix, eu_fleet_mix
from mobility_sim.scenario import load_scenario
from mobility_sim.simulate import simulate

YEARS = list(range(2025, 2051))
EU_COUNTRIES = ["AUT", "BEL", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "HUN", "IRL",
                "LUX", "LVA", "NLD", "POL", "PRT", "SWE"]


def test_oslo_baseline_starts_from_norways_fleet():
    oslo = load_city("oslo")
    p = resolve_parameters(oslo, calibration=False)
    setup = setup_run(oslo, p, (), (), [2025, 2026])
    start = setup.reference.car_fleet
    assert start.country == "NOR" and start.year == 2023
    assert start.shares["bev"] == pytest.approx(0.24)  # SSB: 24 % of cars at end-2023
    assert eu_fleet_mix()["bev"] < 0.03  # the EU average it used to start from
    # Norway's new cars were 95.9 % battery-electric in 2025 (OFV): the fleet grows greener.
    assert setup.reference.car_bev_sales(2025) == pytest.approx(0.959)
    assert setup.fleet[2025].car.shares()["bev"] > 0.26


def test_a_country_without_published_fleet_says_it_uses_the_eu_average():
    mix = car_fleet_mix("EST")
    assert not mix.is_national and "EU average" in mix.note
    assert mix.shares == pytest.approx(eu_fleet_mix())


def test_partial_mixes_are_completed_by_the_stated_rule():
    eu = {"petrol": 0.5, "diesel": 0.3, "hev": 0.1, "phev": 0.05, "bev": 0.05}
    mix = complete_mix({"bev": 0.2, "other": 0.1}, {"hybrid_hev_phev": 0.3}, eu)
    assert sum(mix.values()) == pytest.approx(1.0)
    assert mix["bev"] == pytest.approx(0.2)
    assert mix["hev"] + mix["phev"] == pytest.approx(0.3)
    assert mix["hev"] / mix["phev"] == pytest.approx(2.0)  # EU proportions inside the group
    # petrol gets 'other' (0.1) plus its EU-proportional part of the remaining 0.4
    assert mix["petrol"] == pytest.approx(0.1 + 0.4 * 0.5 / 0.8)


@pytest.mark.parametrize("country", ["DEU", "POL", "FIN", "FRA"])
def test_eu_new_cars_are_all_electric_from_2035(country):
    path, how = car_bev_path(country, YEARS)
    assert path[2035] == 1.0 and path[2050] == 1.0
    assert all(path[a] <= path[b] for a, b in pairwise(YEARS))
    assert "2019/631" in how


def test_the_uk_follows_its_zev_mandate_and_switzerland_holds_2030():
    uk, how = car_bev_path("GBR", YEARS)
    assert uk[2030] == pytest.approx(0.80) and uk[2028] == pytest.approx(0.52)
    assert "ZEV mandate" in how
    ch, _ = car_bev_path("CHE", YEARS)
    assert ch[2035] == ch[2050] < 1.0


def test_an_eu_city_2050_fleet_follows_the_2035_rule_as_the_survival_curve_says():
    p = resolve_parameters()
    ref = reference_case("DEU", "DEU", YEARS)
    levers = [FleetLevers(y, ref.car_bev_sales(y)) for y in YEARS]
    start = FleetStart(car_shares=ref.car_fleet.shares, bus_shares=ref.bus.fleet.shares,
                       car_sales=ref.car_sales, bus_bev_sales=ref.bus_zero_emission,
                       grid=ref.grid_gco2e_per_kwh)
    fleet = project_fleet(levers, "DEU", 1e6, dict.fromkeys(YEARS, 100.0), p, start)
    modelled = fleet[2050].car.shares()["bev"]
    expected = fleet_share_oracle(survival_of("car", p),
                                  {y: ref.car_bev_sales(y) for y in YEARS}, 2050,
                                  ref.car_fleet.shares["bev"])
    assert modelled == pytest.approx(expected, abs=1e-9)
    # Every car younger than 16 in 2050 was sold electric: the share is near 90 %, not 17 %.
    assert 0.85 < modelled < 0.95


@pytest.mark.parametrize("country", EU_COUNTRIES)
def test_grid_paths_fall_where_the_cited_projection_falls(country):
    points = grid_projection_points(country)
    assert len(points) >= 3, f"{country}: no REF2020 values"
    path, how, frozen = grid_path(country, range(2023, 2051))
    assert not frozen and "EU Reference Scenario 2020" in how
    assert path[2023] == pytest.approx(grid_intensity(country))
    p = dict(points)
    at_2023 = float(np.interp(2023, list(p), list(p.values())))
    for year in (2030, 2040, 2050):
        assert path[year] / path[2023] == pytest.approx(p[year] / at_2023, rel=1e-12)


@pytest.mark.parametrize("country", ["GBR", "NOR", "CHE"])
def test_a_grid_without_projection_is_frozen_and_says_so(country):
    path, how, frozen = grid_path(country, YEARS)
    assert frozen and "frozen" in how and "no projection" in how
    assert set(path.values()) == {grid_intensity(country)}


def test_grid_projection_rows_are_all_sourced():
    table = read_table("grid_intensity_projection.csv")
    filled = table[table["gco2e_per_kwh"].notna()]
    assert set(filled["status"]) == {"published"}
    assert filled["source"].str.contains("Reference Scenario 2020").all()
    assert (filled.groupby("iso3")["year"].apply(lambda y: {2030, 2040, 2050} <= set(y))).all()


def test_every_element_switches_off():
    on = reference_case("FIN", "FIN", YEARS)
    off = reference_case("FIN", "FIN", YEARS, dict.fromkeys(ELEMENTS, False))
    assert on.car_bev_sales(2040) == 1.0
    assert off.car_bev_sales(2040) == off.car_bev_sales(2025) < 0.5
    assert off.bus_zero_emission[2040] == off.bus_zero_emission[2025]
    assert set(off.grid_gco2e_per_kwh.values()) == {grid_intensity("FIN")}
    assert on.grid_gco2e_per_kwh[2040] < grid_intensity("FIN")
    assert on.carbon_price_eur_per_t[2027] == 0.0 and on.carbon_price_eur_per_t[2028] == 45.0
    assert set(off.carbon_price_eur_per_t.values()) == {0.0}
    assert on.efficiency and not off.efficiency
    with pytest.raises(ValueError, match="unknown reference-case element"):
        resolve_elements({"ets3": False})


def test_ets2_applies_in_eu_member_states_only():
    assert reference_case("NOR", "NOR", YEARS).carbon_price_eur_per_t[2030] == 0.0
    assert reference_case("GBR", "GBR", YEARS).carbon_price_eur_per_t[2030] == 0.0
    assert reference_case("POL", "POL", YEARS).carbon_price_eur_per_t[2030] == 45.0


def test_the_norway_backcast_reproduces_the_published_fleet():
    table = norway_backcast(resolve_parameters()).set_index("year")
    checked = table.loc[2016:2023, "error_pp"]
    assert checked.notna().all() and len(checked) == 8
    # Published (SSB) 3.7 % in 2016 to 23.9 % in 2023; the backcast is within 1.5 points.
    assert checked.abs().max() < 1.5
    assert table.loc[2023, "modelled_bev_share"] == pytest.approx(0.239, abs=0.015)


SCENARIO = """\
name: {name}
city: synthetic
years: {{start: 2025, end: 2031}}
{extra}
"""


def _load(tmp_path, city, name="s", extra=""):
    path = tmp_path / f"{name}.yaml"
    path.write_text(SCENARIO.format(name=name, extra=extra), encoding="utf-8")
    return load_scenario(path, city=city)


@pytest.fixture(scope="module")
def city():
    return synthetic_city(36, kind="polycentric", seed=1)


def test_results_hold_the_reference_case_beside_the_scenario(tmp_path, city):
    loaded = _load(tmp_path, city, "pkg", """measures:
  - {type: pt_fare, start: 2026, profile: step, factor: 0.5}
  - {type: ev_sales_share, start: 2025, end: 2030, share: 1.0}""")
    results = simulate(loaded, engine="reference")
    plain = simulate(_load(tmp_path, city, "ref"), engine="reference")
    pd.testing.assert_frame_equal(results.reference, plain.summary)
    diff = results.summary["co2_wtw_t"] - results.reference["co2_wtw_t"]
    assert (diff.iloc[2:] < 0).all()
    names = [e["name"] for e in results.meta["reference_case"]["elements"]]
    assert names == list(ELEMENTS)


def test_a_measure_below_the_reference_changes_nothing(tmp_path, city):
    weak = _load(tmp_path, city, "weak", """measures:
  - {type: ev_sales_share, start: 2025, end: 2026, share: 0.05}""")
    results = simulate(weak, engine="reference")
    pd.testing.assert_frame_equal(results.summary, results.reference)


def test_a_carbon_price_measure_adds_to_the_ets2(tmp_path, city):
    loaded = _load(tmp_path, city, "cp", """measures:
  - {type: carbon_price, start: 2029, profile: step, eur_per_tco2: 30}""")
    summary = simulate(loaded, engine="reference").summary.set_index("year")
    assert summary.loc[2027, "carbon_price_eur_per_t"] == 0.0
    assert summary.loc[2028, "carbon_price_eur_per_t"] == 45.0
    assert summary.loc[2030, "carbon_price_eur_per_t"] == 75.0


def test_a_scenario_switches_an_element_off(tmp_path, city):
    loaded = _load(tmp_path, city, "noets", "reference: {ets2: false, grid_projection: false}")
    results = simulate(loaded, engine="reference")
    assert (results.summary["carbon_price_eur_per_t"] == 0).all()
    assert results.summary["grid_gco2e_per_kwh"].nunique() == 1
    states = {e["name"]: e["on"] for e in results.meta["reference_case"]["elements"]}
    assert states == {**dict.fromkeys(ELEMENTS, True), "ets2": False, "grid_projection": False}
    with pytest.raises(ScenarioError, match="reference"):
        _load(tmp_path, city, "bad", "reference: {ets3: false}")


def test_attribution_splits_exactly_the_scenario_minus_the_reference(tmp_path, city):
    loaded = _load(tmp_path, city, "two", """measures:
  - {type: pt_fare, label: Fares, start: 2026, profile: step, factor: 0.5}
  - {type: ev_sales_share, label: EV push, start: 2025, end: 2028, share: 1.0}""")
    results = simulate(loaded, engine="reference")
    attribution = attribute(loaded, outputs=["co2_wtw_t"], engine="reference", n_jobs=1)
    totals = attribution.totals.set_index("year")
    reference = results.reference.set_index("year")["co2_wtw_t"]
    scenario = results.summary.set_index("year")["co2_wtw_t"]
    np.testing.assert_allclose(totals["without_measures"], reference, rtol=1e-9)
    np.testing.assert_allclose(totals["effect"], scenario - reference, rtol=1e-9, atol=1e-6)
    summed = attribution.contributions.groupby("year")["contribution"].sum()
    np.testing.assert_allclose(summed, scenario - reference, rtol=1e-9, atol=1e-6)


def test_the_country_sets_car_lifetime_and_running_costs_with_sources():
    from mobility_sim.reference.country import country_parameters

    deu = country_parameters("DEU")
    # Weekly Oil Bulletin 8 Jan 2024: petrol 1.801, diesel 1.713 EUR/l; 0.07 l/km
    assert deu["car.cost_per_km_ice"][0] == pytest.approx(0.07 * (1.801 + 1.713) / 2)
    # Eurostat 2024 S2 household price 0.3943 EUR/kWh x 0.18 kWh/km
    assert deu["car.cost_per_km_ev"][0] == pytest.approx(0.18 * 0.3943)
    assert "Oil Bulletin" in deu["car.cost_per_km_ice"][1]
    gbr = country_parameters("GBR")["car.cost_per_km_ev"]
    assert gbr[0] == pytest.approx(0.18 * 0.2450 / 0.84662, rel=1e-4) and "GBP" in gbr[1]
    assert country_parameters("POL")["fleet.car.mean_lifetime_years"][0] == 28.4
    nor = country_parameters("NOR")
    assert "car.cost_per_km_ice" not in nor  # Norway's pump prices: not found
    # Eurostat nrg_pc_204, second half of 2024, 0.1902 EUR/kWh
    assert nor["car.cost_per_km_ev"][0] == pytest.approx(0.18 * 0.1902)
    values = resolve_parameters(load_city("berlin"), calibration=False)
    assert values.origins["car.cost_per_km_ice"] == "country"


def test_values_of_time_follow_national_income():
    from mobility_sim.data import parameters
    from mobility_sim.reference.country import country_parameters

    default = parameters()["utility.cost.commute"]
    elasticity = parameters()["vot.income_elasticity"]
    # Eurostat prc_ppp_ind 2024: actual individual consumption per head, EU27 = 100
    for iso3, aic in (("HUN", 71.5), ("LUX", 140.7), ("DEU", 117.9)):
        value, source = country_parameters(iso3)["utility.cost.commute"]
        assert value == pytest.approx(default * (aic / 100.0) ** -elasticity, rel=1e-3)
        assert "actual individual consumption" in source
    poorer = country_parameters("HUN")["utility.cost.other"][0]
    richer = country_parameters("LUX")["utility.cost.other"][0]
    assert poorer < parameters()["utility.cost.other"] < richer < 0  # a euro weighs more
    values = resolve_parameters(load_city("berlin"), calibration=False)
    assert values.origins["utility.cost.commute"] == "country"


def test_values_of_time_rise_with_income_over_the_years():
    from mobility_sim.data import parameters
    from mobility_sim.model.years import BASE_YEAR, money_weights
    from mobility_sim.reference.country import income_growth

    p = parameters()
    rate, source = income_growth("AUT")  # EIU 2022-2050: 1.4 % a year
    assert rate == pytest.approx(0.014) and "2022-2050" in source
    weights = money_weights("AUT", range(BASE_YEAR, 2051), p)
    assert weights[BASE_YEAR] == 1.0  # the calibration year is untouched
    assert weights[2050] == pytest.approx(1.014 ** (-25 * p["vot.income_elasticity"]))
    assert all(weights[y + 1] < weights[y] for y in range(BASE_YEAR, 2050))
    default, why = income_growth("FIN")  # no projection found
    assert default == p["vot.income_growth_default"] and "assumption" in why


def test_a_sweep_job_skips_the_reference_run_and_says_so(tmp_path, city):
    loaded = _load(tmp_path, city, "sweepjob", """measures:
  - {type: pt_fare, start: 2026, profile: step, factor: 0.5}""")
    full = simulate(loaded, engine="reference")
    lean = simulate(loaded, engine="reference", with_reference=False)
    assert lean.reference.empty and not lean.meta["reference_run"] and full.meta["reference_run"]
    pd.testing.assert_frame_equal(lean.summary, full.summary)


def test_policy_contributions_add_up_to_the_reference_case(tmp_path, city):
    from mobility_sim.analysis.policy import policy_contributions

    loaded = _load(tmp_path, city, "policy", "reference: {vehicle_efficiency: false}")
    table = policy_contributions(loaded, engine="reference")
    co2 = table[table["output"] == "co2_wtw_t"]
    by = co2.pivot(index="year", columns="element", values="contribution")
    assert "vehicle_efficiency" not in by.columns  # switched off by the scenario: not split
    elements = [c for c in by.columns if c not in ("all off", "as given")]
    np.testing.assert_allclose(by[elements].sum(axis=1), by["as given"] - by["all off"],
                               rtol=1e-9, atol=1e-6)
    assert (by["car_co2_standards"].iloc[-1] < 0) and (by["ets2"].iloc[:3] == 0).all()
    given = simulate(loaded, engine="reference").summary.set_index("year")["co2_wtw_t"]
    np.testing.assert_allclose(by["as given"], given, rtol=1e-12)
