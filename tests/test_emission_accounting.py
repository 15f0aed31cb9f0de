"""A run's fleet, emissions and health tables agree with each other and with the summary."""

import dataclasses
from pathlib import Path
from textwrap import dedent

import numpy as np
import pandas as pd
import pytest

from mobility_sim.reference.case import grid_path
from mobility_sim.results import TABLES, Results
from mobility_sim.scenario import load_scenario
from mobility_sim.simulate import simulate

SCENARIO = """\
name: fleet-test
city: synthetic
years: {start: 2025, end: 2031}
measures:
  - type: ev_sales_share
    start: 2025
    end: 2030
    share: 1.0
  - type: ev_sales_share
    vehicle: bus
    start: 2025
    end: 2028
    share: 1.0
  - type: grid_decarbonisation
    start: 2025
    end: 2031
    reduction: 0.6
  - type: low_emission_zone
    start: 2027
    profile: step
    compliance: 0.9
    affected_share: 0.3
    min_euro: {petrol: 4, diesel: 6}
    area: {zone: centre}
  - type: pt_line
    label: tram
    start: 2029
    profile: step
    line: {wkt: "LINESTRING (4300500 2904000, 4307500 2904000)"}
    stop_spacing_m: 500
    headway_min: 7.5
    speed_kmh: 20
    vehicle: tram
"""


def run(tmp_path: Path, city, text: str = SCENARIO) -> Results:
    path = tmp_path / "s.yaml"
    path.write_text(dedent(text), encoding="utf-8")
    return simulate(load_scenario(path, city=city), engine="reference")


@pytest.fixture(scope="module")
def results(tmp_path_factory, small_city) -> Results:
    return run(tmp_path_factory.mktemp("fleet"), small_city)


def test_co2_totals_agree_across_tables(results):
    s = results.summary.set_index("year")
    passenger = results.emissions[results.emissions["accounting"] != "territorial_freight"]
    em = passenger.pivot_table(index="year", columns="pollutant", values="tonnes",
                               aggfunc="sum")
    freight = results.emissions[(results.emissions["accounting"] == "territorial_freight")
                                & (results.emissions["pollutant"] == "co2_wtw")]
    np.testing.assert_allclose(freight.groupby("year")["tonnes"].sum(), s["freight_co2_wtw_t"],
                               rtol=1e-9)
    np.testing.assert_allclose(em["co2_ttw"], s["co2_ttw_t"], rtol=1e-9)
    np.testing.assert_allclose(em["co2_wtw"], s["co2_wtw_t"], rtol=1e-9)
    modes = results.modes.groupby("year")[["co2_ttw_t", "co2_wtw_t"]].sum()
    cells = results.cells.groupby("year")[["co2_ttw_t", "co2_wtw_t"]].sum()
    np.testing.assert_allclose(modes["co2_wtw_t"], s["co2_wtw_t"], rtol=1e-9)
    np.testing.assert_allclose(cells["co2_wtw_t"], s["co2_wtw_t"], rtol=1e-9)
    pt = results.modes[results.modes["mode"] == "pt"].set_index("year")["co2_ttw_t"]
    service = results.emissions[results.emissions["vehicle"].isin(["bus", "tram", "metro"])
                                & (results.emissions["pollutant"] == "co2_ttw")]
    np.testing.assert_allclose(pt, service.groupby("year")["tonnes"].sum(), rtol=1e-9)
    everything = results.emissions.pivot_table(index="year", columns="pollutant",
                                               values="tonnes", aggfunc="sum")
    for pollutant, column in (("nox", "nox_t"), ("pm25_exhaust", "pm25_exhaust_t")):
        # the summary's pollutants count every vehicle, vans and lorries included
        np.testing.assert_allclose(everything[pollutant], s[column], rtol=1e-9)
    assert (everything["nox"] > em["nox"]).all()  # freight exhaust NOx is counted
    pol = results.pollutants.pivot_table(index="year", columns="pollutant", values="tonnes")
    np.testing.assert_allclose(pol["pm25_non_exhaust"], s["pm25_non_exhaust_t"], rtol=1e-9)


def test_car_vkm_by_powertrain_adds_up_to_demand(results):
    cars = results.fleet[results.fleet["vehicle"] == "car"].groupby("year")["vkm"].sum()
    np.testing.assert_allclose(cars, results.summary.set_index("year")["car_vkm"], rtol=1e-9)
    shares = results.fleet.groupby(["year", "vehicle"])["stock_share"].sum()
    np.testing.assert_allclose(shares.loc[:, "car"], 1.0)
    np.testing.assert_allclose(shares.loc[:, "bus"], 1.0)


def test_levers_reach_the_fleet(results):
    s = results.summary.set_index("year")
    # grid: -60 % by 2031 on top of the reference case (AUT's 2023 value, 111 g/kWh, following
    # the EU Reference Scenario 2020)
    grid = s["grid_gco2e_per_kwh"]
    reference, _, frozen = grid_path("AUT", [2025, 2031])
    assert not frozen and reference[2025] < 111.0
    assert grid[2025] == pytest.approx(reference[2025])
    assert grid[2031] == pytest.approx(0.4 * reference[2031])
    bev = results.fleet[(results.fleet["vehicle"] == "car")
                        & (results.fleet["powertrain"] == "bev")].set_index("year")
    ratio = bev["co2_wtw_g_per_vkm"] / s["grid_gco2e_per_kwh"]
    assert ratio.iloc[-1] < ratio.iloc[0]  # newer BEVs use less electricity per km
    # 100 % BEV sales from 2030, yet the fleet is far from all-electric
    assert s.loc[2031, "bev_sales_share"] == 1.0
    assert s.loc[2031, "fleet_bev_share"] < 0.5
    assert s.loc[2031, "bus_bev_share"] > s.loc[2025, "bus_bev_share"]
    # the zone brings replacements forward in its first year only
    early = results.fleet[results.fleet["vehicle"] == "car"].groupby("year")["early_retired"].sum()
    assert early[2027] > 0 and early.drop(2027).eq(0).all()
    tram = results.fleet[results.fleet["vehicle"] == "tram"].set_index("year")["vkm"]
    # 7 km line, both directions, every 7.5 min, 18 h a day, 365 days
    assert tram[2029] == pytest.approx(2 * 7.0 * 8 * 18 * 365)
    assert tram[2028] == 0.0


def test_health_table_follows_active_travel(results):
    h = results.health
    assert set(h["mode"]) == {"walk", "bike"}
    assert (h["deaths_avoided"] > 0).all()
    np.testing.assert_allclose(h.groupby("year")["deaths_avoided"].sum(),
                               results.summary.set_index("year")["deaths_avoided"])


def test_pkm_based_pt_accounting_is_available(tmp_path, small_city, results):
    text = SCENARIO + "parameters: {emissions.pt_supply_based: 0}\n"
    alt = run(tmp_path, small_city, text)
    pt = alt.emissions[alt.emissions["vehicle"] == "pt"]
    assert set(pt["pollutant"]) == {"co2_ttw", "co2_wtw"}
    s = alt.summary.set_index("year")
    passenger = alt.emissions[alt.emissions["accounting"] != "territorial_freight"]
    em = passenger.groupby(["year", "pollutant"])["tonnes"].sum().unstack()
    np.testing.assert_allclose(em["co2_ttw"], s["co2_ttw_t"], rtol=1e-9)
    assert alt.meta["pt_accounting"] == "passenger-km"
    assert results.meta["pt_accounting"] == "service vehicle-km"


def test_results_round_trip_with_fleet_tables(tmp_path, results):
    folder = results.save(tmp_path / "run")
    back = Results.load(folder)
    for name in TABLES:
        pd.testing.assert_frame_equal(back.table(name), results.table(name),
                                      check_dtype=False)
    # A run without fleet tables (as before they existed) saves and loads with them empty.
    bare = dataclasses.replace(results, fleet=pd.DataFrame())
    assert Results.load(bare.save(tmp_path / "bare")).fleet.empty
