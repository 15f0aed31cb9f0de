"""Vans and lorries: traffic from published shares, fleets under the CO2 standards, measures.

Issue 20 item 3: freight in every run's emissions, by class and powertrain, with the levers
that act on it (zero-emission zones, cargo bikes, consolidation centres, electric vans).
"""

from __future__ import annotations

import numpy as np
import pytest

from mobility_sim.data import parameters
from mobility_sim.exceptions import ScenarioError
from mobility_sim.fleet.freight import (
    FREIGHT_VEHICLES,
    freight_activity,
    freight_ratios,
    freight_stock_shares,
)
from mobility_sim.reference.case import freight_zero_emission_path, reference_case
from mobility_sim.simulate import simulate


def test_freight_is_in_every_runs_emissions(york_scenario):
    results = simulate(york_scenario(), with_reference=False)
    em = results.emissions
    freight = em[em["vehicle"].isin(FREIGHT_VEHICLES) & (em["pollutant"] == "co2_ttw")]
    assert set(freight["vehicle"]) == {"van", "lorry_rigid", "lorry_articulated"}
    assert (freight["accounting"] == "territorial_freight").all()
    assert freight.groupby("year")["tonnes"].sum().gt(0).all()
    summary = results.summary
    assert (summary["van_vkm"] > 0).all() and (summary["lorry_vkm"] > 0).all()


def test_ratios_are_the_published_shares_of_motor_traffic():
    gb = freight_ratios("GBR", "york")
    assert gb.van == pytest.approx(0.17 / 0.76) and gb.lorry == pytest.approx(0.05 / 0.76)
    london = freight_ratios("GBR", "london")  # London's own shares (2011) scale the country's
    assert london.van == pytest.approx(0.17 / 0.76 * 0.13 / 0.17)
    assert london.lorry == pytest.approx(0.05 / 0.76 * 0.033 / 0.05)
    unknown = freight_ratios("AUT", "vienna")
    assert "median" in unknown.source and 0.05 < unknown.van < 0.3
    # lorries split by the one published national split (the Netherlands, 2021)
    nl = freight_ratios("NLD", "amsterdam")
    assert nl.rigid_share == pytest.approx(2.032 / (2.032 + 5.3453))
    assert nl.of("lorry_rigid") + nl.of("lorry_articulated") == pytest.approx(nl.lorry)
    assert gb.rigid_share == pytest.approx(nl.rigid_share) and "assumption" in gb.source


def test_van_and_lorry_sales_follow_the_co2_standards():
    years = range(2024, 2051)
    eu, _ = freight_zero_emission_path("FIN", years)
    assert eu["van"][2024] == pytest.approx(0.064)
    assert eu["van"][2030] == pytest.approx(0.5) and eu["van"][2035] == pytest.approx(1.0)
    assert eu["lorry"][2030] == pytest.approx(0.45) and eu["lorry"][2040] == pytest.approx(0.9)
    uk, _ = freight_zero_emission_path("GBR", years)
    assert uk["van"][2030] == pytest.approx(0.70)
    nor, _ = freight_zero_emission_path("NOR", years)
    assert nor["van"][2024] == pytest.approx(0.30) and nor["van"][2030] > eu["van"][2030]
    off, how = freight_zero_emission_path("FIN", years, on=False)
    assert off["van"][2050] == pytest.approx(0.064) and "switched off" in how


def test_the_stock_turns_over_at_its_rate():
    p = parameters()
    ref = reference_case("FIN", "FIN", range(2025, 2051))
    stock = freight_stock_shares(list(range(2025, 2051)), ref.freight_zero_emission, p)
    r = p["freight.van_turnover"]
    for year in range(2026, 2051):
        expected = (stock[year - 1]["van"] * (1 - r)
                    + ref.freight_zero_emission["van"][year] * r)
        assert stock[year]["van"] == pytest.approx(expected)
    assert 0.0 < stock[2025]["van"] < 0.1 and stock[2050]["van"] > 0.8


def test_area_measures_act_on_their_share_of_the_freight():
    p = parameters()
    weights = np.array([0.25, 0.25, 0.5])
    base = {"van": 1000.0, "lorry_rigid": 200.0, "lorry_articulated": 300.0}
    stock = {"van": 0.1, "lorry": 0.0}
    none = freight_activity(base, 0, stock, weights, p)
    area = np.array([1.0, 0.0, 0.0])
    bikes = freight_activity(base, 0, stock, weights, p, cargo_bike=area * 0.2)
    assert sum(bikes.vkm["van"].values()) == pytest.approx(1000 * (1 - 0.25 * 0.2))
    assert bikes.cargo_bike_km == pytest.approx(1000 * 0.25 * 0.2)
    assert bikes.vkm["lorry_rigid"] == none.vkm["lorry_rigid"]
    ucc = freight_activity(base, 0, stock, weights, p, consolidation=area * 0.5)
    assert sum(ucc.vkm["lorry_rigid"].values()) + sum(ucc.vkm["lorry_articulated"].values()) \
        == pytest.approx(500 * (1 - 0.25 * 0.5))
    zez = freight_activity(base, 0, stock, weights, p, zero_emission_zone=area * 0.9)
    assert zez.vkm["van"]["bev"] == pytest.approx(1000 * (0.1 + 0.9 * 0.25 * 0.9))
    grown = freight_activity(base, 10, stock, weights, p)
    assert grown.total() == pytest.approx(none.total() * (1 + p["freight.growth_per_year"]) ** 10)


def _freight_co2(results, year: int) -> float:
    em = results.emissions
    rows = em[(em["year"] == year) & em["vehicle"].isin(FREIGHT_VEHICLES)
              & (em["pollutant"] == "co2_wtw")]
    return float(rows["tonnes"].sum())


def _freight_vkm(results, year: int) -> dict[tuple[str, str], float]:
    f = results.fleet
    rows = f[(f["year"] == year) & f["vehicle"].isin(FREIGHT_VEHICLES)]
    return rows.groupby(["vehicle", "powertrain"])["vkm"].sum().to_dict()


def test_a_zero_emission_zone_cleans_freight_but_a_euro_zone_does_not(york_scenario):
    base = simulate(york_scenario(), with_reference=False)
    zez = simulate(york_scenario("""\
        - type: low_emission_zone
          start: 2030
          profile: step
          compliance: 0.9
          area: {zone: centre}
        """), with_reference=False)
    euro = simulate(york_scenario("""\
        - type: low_emission_zone
          start: 2030
          profile: step
          compliance: 0.9
          min_euro: {petrol: 4, diesel: 6}
          affected_share: 0.2
          area: {zone: centre}
        """), with_reference=False)
    assert _freight_co2(zez, 2025) == pytest.approx(_freight_co2(base, 2025))
    assert _freight_co2(zez, 2030) < 0.97 * _freight_co2(base, 2030)
    # a Euro-class zone bars no van or lorry: their km by powertrain stay; their fuel per km
    # follows the speeds the zone's car traffic leaves (a fraction of a per cent here)
    assert _freight_vkm(euro, 2030) == pytest.approx(_freight_vkm(base, 2030))
    assert _freight_co2(euro, 2030) == pytest.approx(_freight_co2(base, 2030), rel=0.02)


def test_electric_vans_cargo_bikes_and_consolidation_cut_freight_co2(york_scenario):
    base = simulate(york_scenario(), with_reference=False)
    for measure in ("""\
        - type: electric_vans
          start: 2026
          end: 2030
          profile: linear
          share: 0.9
        """, """\
        - type: cargo_bikes
          start: 2026
          profile: step
          van_km_share: 0.2
        """, """\
        - type: consolidation_centre
          start: 2026
          profile: step
          served_share: 0.5
          area: {zone: centre}
        """):
        run = simulate(york_scenario(measure), with_reference=False)
        assert _freight_co2(run, 2035) < _freight_co2(base, 2035), measure
        assert _freight_co2(run, 2025) == pytest.approx(_freight_co2(base, 2025)), measure


def test_an_impossible_cargo_bike_share_names_the_file_and_line(york_scenario):
    with pytest.raises(ScenarioError) as err:
        york_scenario("""\
            - type: cargo_bikes
              start: 2026
              van_km_share: 0.8
            """)
    message = str(err.value)
    assert "scenario.yaml:" in message and "van_km_share" in message
