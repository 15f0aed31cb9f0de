"""Emission factors: packaged sources, vintage factors, Euro classes, grid intensity scaling."""

import numpy as np
import pytest
from mobility_sim.kernels.spec import CAR_EV, EBIKE

from mobility_sim.data import parameters, read_table
from mobility_sim.fleet import FleetLevers, FleetState, project_fleet
from mobility_sim.fleet.grid import electricity_kg_per_kwh, grid_path
from mobility_sim.fleet.mix import car_factors_per_vkm, mode_emission_factors
from mobility_sim.fleet.projection import survival_of
from mobility_sim.fleet.stock import initial_stock
from mobility_sim.fleet.tables import BUS_POWERTRAINS, CAR_POWERTRAINS, factor, shares
from mobility_sim.fleet.vintage_factors import euro_lookup, vintage_factors

YEARS = list(range(2025, 2036))


@pytest.mark.parametrize("name", ["emission_factors.csv", "euro_standards.csv", "fuels.csv",
                                  "fleet_defaults.csv", "fleet_parameters.csv",
                                  "health_parameters.csv"])
def test_every_value_has_a_source_or_says_assumption(name):
    table = read_table(name)
    assert table["source"].map(lambda s: isinstance(s, str) and len(s) > 8).all()
    assert np.isfinite(table["value" if "value" in table else "share"].astype(float)).all()


def test_litres_follow_from_the_desnz_co2_factors():
    fuels = read_table("fuels.csv").query("quantity == 'kgco2_per_unit'")
    co2 = dict(zip(fuels["fuel"], fuels["value"].astype(float), strict=True))
    for powertrain, fuel in (("petrol", "petrol"), ("diesel", "diesel"), ("hev", "petrol")):
        assert factor("car", powertrain, "fuel_l") * co2[fuel] == pytest.approx(
            factor("car", powertrain, "ttw"), rel=2e-3)
    assert factor("bus", "diesel", "fuel_l") * co2["diesel"] == pytest.approx(
        factor("bus", "diesel", "ttw"), rel=1e-3)


def test_euro_class_of_a_model_year():
    diesel = euro_lookup("car", "diesel")
    names = [diesel.names[i] for i in diesel.index(np.array([1985, 2005, 2010, 2016, 2020, 2024]))]
    assert names == ["pre_euro", "euro3", "euro4", "euro6", "euro6d_temp", "euro6d"]
    bus = euro_lookup("bus", "diesel")
    assert bus.names[bus.index(np.array([2014]))[0]] == "euro_vi"


def initial_factors(vehicle):
    p = parameters()
    surv = survival_of(vehicle, p)
    pts = CAR_POWERTRAINS if vehicle == "car" else BUS_POWERTRAINS
    kind = "fleet_2024" if vehicle == "car" else "bus_fleet_2024"
    stock = initial_stock(2024, 1000.0, shares(kind, pts), pts, surv)
    vf = vintage_factors(vehicle, pts, 2024, surv.steady_state_ages(), p)
    return vf, stock


def test_initial_fleet_average_is_the_published_factor_and_new_cars_are_better():
    vf, stock = initial_factors("car")
    avg = vf.fleet_average(stock)
    assert avg["petrol"]["ttw"] == pytest.approx(0.16272)  # DESNZ 2025 average petrol car
    assert avg["diesel"]["wtt"] == pytest.approx(0.04146)
    assert avg["bev"]["kwh"] == pytest.approx(0.18)
    new = vf.per_vintage(2024, 41)
    assert new["ttw"][0, 0] < 0.16272 < new["ttw"][30, 0]
    # NOx: the fleet average lies between its newest and oldest Euro classes
    assert new["nox"][0, 1] < avg["diesel"]["nox"] < new["nox"][:, 1].max()
    assert avg["bev"]["nox"] == 0.0 and avg["bev"]["pm25_exhaust"] == 0.0
    assert avg["bev"]["pm25_tyre"] == pytest.approx(avg["petrol"]["pm25_tyre"])
    assert avg["bev"]["pm25_tyre"] > 0


def test_baseline_fleet_averages_against_independent_published_values():
    """EU 2024 mix fleet averages vs figures published independently of the inputs.

    - Cars: CO2 TTW of the fleet-weighted mix lies within 15 % of the 171 g/km Helsinki (HSL
      CO2 matrix 2015) car figure (HSL, city preset convention).
    - Buses: the diesel bus factor per vkm divided by the DESNZ 2025 average local bus factor
      per pkm implies an average load within the 5-20 passengers of urban bus services.
    """
    vf, stock = initial_factors("car")
    avg = vf.fleet_average(stock)
    mix = stock.shares()
    fleet_ttw = sum(mix[p] * avg[p]["ttw"] for p in CAR_POWERTRAINS)
    assert fleet_ttw == pytest.approx(0.171, rel=0.15)
    implied_load = factor("bus", "diesel", "ttw") / factor("pt", "bus", "ttw")
    assert 5 < implied_load < 20


def test_bev_well_to_wheel_scales_with_grid_intensity():
    _, wtw_100 = car_factors_per_vkm("bev", 100.0)
    _, wtw_300 = car_factors_per_vkm("bev", 300.0)
    ttw, wtw_0 = car_factors_per_vkm("bev", 0.0)
    assert ttw == wtw_0 == 0.0
    assert wtw_300 == pytest.approx(3.0 * wtw_100)
    assert wtw_100 == pytest.approx(0.18 * electricity_kg_per_kwh(100.0))
    state = FleetState(2025, {"petrol": 0.5, "diesel": 0.0, "hev": 0.0, "phev": 0.0, "bev": 0.5})
    _, wtw_a = mode_emission_factors(state, 100.0, 1.6)
    _, wtw_b = mode_emission_factors(state, 200.0, 1.6)
    assert wtw_b[CAR_EV] == pytest.approx(2 * wtw_a[CAR_EV])
    assert wtw_b[EBIKE] == pytest.approx(2 * wtw_a[EBIKE]) and wtw_a[EBIKE] > 0


def test_grid_lever_moves_the_intensity_every_year():
    levers = [FleetLevers(y, 0.2, grid_intensity_factor=1.0 - 0.05 * (y - 2025)) for y in YEARS]
    path = grid_path("FIN", levers)
    assert path[2025] == 79.0  # Ember / OWID 2023 (facts.md)
    assert path[2035] == pytest.approx(79.0 * 0.5)
    fleet = project_fleet(levers, "FIN", 1e5, {y: 100.0 for y in YEARS}, parameters())
    assert [fleet[y].grid_gco2e_per_kwh for y in YEARS] == [path[y] for y in YEARS]
    assert grid_path("FIN", [FleetLevers(2025, 0.2, grid_intensity_factor=-1.0)])[2025] == 0.0
