"""Synthetic Results fixtures for the report tests, and checks that they follow results.py.

``make_results`` builds a small, internally consistent run (cells x modes x years, aggregated up
to the ``modes``, ``cells`` and ``summary`` tables) following the table definitions in the
docstring of :mod:`mobility_sim.results`. It is test data, not a model output.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from mobility_sim.kernels.spec import MODES, PURPOSES, SEGMENTS

from mobility_sim.results import ACCOUNTING_NOTE, TABLES, Results

GROUP = {"walk": "walk", "bike": "bike", "ebike": "bike", "pt": "pt", "car_ice": "car",
         "car_ev": "car"}
#: Columns per table as written in the results.py docstring.
DOC_COLUMNS = {
    "summary": ["year", "population", "trips", "pkm", "car_vkm", "co2_ttw_t", "co2_wtw_t",
                "co2_ttw_per_capita_kg", "co2_wtw_per_capita_kg", "fleet_bev_share",
                "grid_gco2e_per_kwh"],
    "modes": ["year", "mode", "mode_group", "trips", "pkm", "vkm", "co2_ttw_t", "co2_wtw_t"],
    "segments": ["year", "segment", "purpose", "mode", "trips", "pkm"],
    "cells": ["year", "cell_id", "population", "trips", "walk_trips", "bike_trips", "pt_trips",
              "car_trips", "co2_ttw_t", "co2_wtw_t", "car_speed_kmh"],
    "grid": ["cell_id", "x", "y", "population", "jobs"],
    "fleet": ["year", "vehicle", "powertrain", "stock", "stock_share", "sales", "sales_share",
              "retired", "early_retired", "mean_age", "vkm", "electricity_mwh", "fuel_litres",
              "gas_kg", "kwh_per_vkm", "co2_ttw_g_per_vkm", "co2_wtw_g_per_vkm", "nox_g_per_vkm",
              "pm25_exhaust_g_per_vkm", "pm25_non_exhaust_g_per_vkm"],
    "emissions": ["year", "vehicle", "powertrain", "pollutant", "accounting", "tonnes"],
    "health": ["year", "mode", "population", "minutes_per_week", "risk_reduction",
               "deaths_avoided", "value_eur"],
    "areas": ["year", "area", "population", "trips", "co2_ttw_t", "co2_wtw_t"],
    "accounts": ["year", "accounting", "component", "vkm", "co2_ttw_t", "co2_wtw_t"],
    "zones": ["year", "zone", "kind", "vehicle", "trips_entering", "trips_leaving",
              "trips_within", "vehicles_entering", "vkm_inside", "co2_ttw_t", "co2_wtw_t",
              "case"],
    "access": ["year", "cell_id", "mode", "jobs_30", "jobs_45", "residents_30", "residents_45",
               "case"],
    "sumi": ["year", "indicator", "name", "value", "unit", "case", "scope", "how"],
    "welfare": ["year", "cell_id", "segment", "trips", "welfare_eur", "case"],
    "spending": ["year", "segment", "area", "residents", "trips", "car_trips", "fuel_eur",
                 "electricity_eur", "fares_eur", "parking_and_zone_charges_eur",
                 "cordon_charges_eur", "health_value_eur", "case"],
}
#: Summary columns after the core ones, as listed in the docstring.
SUMMARY_EXTRA = ["bev_sales_share", "car_stock", "bus_stock", "bus_bev_share", "pt_service_vkm",
                 "pt_pkm_per_service_vkm", "electricity_mwh", "fuel_litres", "gas_kg", "nox_t",
                 "pm25_exhaust_t", "pm25_non_exhaust_t", "pm25_t", "deaths_avoided",
                 "health_value_eur", "carbon_price_eur_per_t", "territorial_co2_ttw_t",
                 "territorial_co2_wtw_t", "residents_co2_ttw_t", "residents_co2_wtw_t",
                 "car_vkm_inside", "nonresidents_car_vkm_inside", "residents_car_vkm_beyond",
                 "through_vkm", "van_vkm", "lorry_vkm", "freight_co2_wtw_t", "car_speed_index",
                 "road_delay_index", "traffic_iterations", "car_available_share"]
CAR_MIX = {"petrol": 0.6, "diesel": 0.3, "hev": 0.07, "phev": 0.03}
#: Pollutant grams per vehicle-km by powertrain (made-up test values).
NOX_G = {"petrol": 0.05, "diesel": 0.4, "hev": 0.03, "phev": 0.02, "bev": 0.0}


def fleet_tables(year: int, car_vkm: float, bev: float, deaths: tuple[float, float],
                 adults: float) -> tuple[list[dict], list[dict], list[dict]]:
    """Fleet, emissions and health rows of one year, in the documented shapes (test data)."""
    fleet, emissions = [], []
    stock = car_vkm / 12_000.0
    shares = {p: (1 - bev) * w for p, w in CAR_MIX.items()} | {"bev": bev}
    blank = dict.fromkeys(DOC_COLUMNS["fleet"][4:], 0.0)
    for powertrain, share in shares.items():
        vkm = car_vkm * share
        fleet.append({**blank, "year": year, "vehicle": "car", "powertrain": powertrain,
                      "stock": stock * share, "stock_share": share, "sales": stock * share / 15,
                      "sales_share": share, "mean_age": 9.0, "vkm": vkm,
                      "nox_g_per_vkm": NOX_G[powertrain], "pm25_exhaust_g_per_vkm": 0.002,
                      "pm25_non_exhaust_g_per_vkm": 0.011})
        for pollutant, grams in (("nox", NOX_G[powertrain]), ("pm25_exhaust", 0.002),
                                 ("pm25_tyre", 0.005), ("pm25_brake", 0.004),
                                 ("pm25_road", 0.002)):
            emissions.append({"year": year, "vehicle": "car", "powertrain": powertrain,
                              "pollutant": pollutant, "accounting": "residents_trips",
                              "tonnes": vkm * grams / 1e6})
    for powertrain, n in (("diesel", 300 * (1 - bev)), ("cng", 20.0), ("bev", 300 * bev)):
        fleet.append({**blank, "year": year, "vehicle": "bus", "powertrain": powertrain,
                      "stock": n, "stock_share": n / 320, "vkm": n * 60_000})
    fleet.append({**blank, "year": year, "vehicle": "tram", "powertrain": "electric",
                  "stock": np.nan, "stock_share": np.nan, "mean_age": np.nan,
                  "vkm": 1e6})
    health = [{"year": year, "mode": mode, "population": adults, "minutes_per_week": minutes,
               "risk_reduction": 0.03, "deaths_avoided": d, "value_eur": d * 3.4e6}
              for mode, minutes, d in (("walk", 80.0, deaths[0]), ("bike", 40.0, deaths[1]))]
    return fleet, emissions, health


def make_meta(**overrides: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "scenario_name": "SUMP package",
        "scenario_description": "Cycle lanes, bus frequency and a low-emission zone.",
        "city_name": "Testville",
        "city_slug": "testville",
        "country": "AUT",
        "cell_size_m": 500.0,
        "crs": "EPSG:3035",
        "synthetic": True,
        "area_note": "GHS urban centre, not the administrative city",
        "accounting": ACCOUNTING_NOTE,
        "layers": {
            "population": {"status": "real", "method": "GHS-POP 2020"},
            "jobs": {"status": "proxy", "method": "OSM amenities weighted by floor area"},
            "car_ownership": {"status": "default", "method": "density-scaled default"},
        },
        "base_year": 2025,
        "target": {"year": 2030, "reduction": 0.3, "base_year": 2025},
        "measures": [
            {"type": "cycle_lanes", "label": "Protected cycle lanes", "start": 2026,
             "end": 2030},
            {"type": "bus_headway", "label": "Buses every 5 minutes", "start": 2027, "end": 2028},
        ],
        "observed_modal_split": [
            {"year": 2024, "unit": "trips", "population": "residents", "purposes": "all",
             "area": "city", "shares": {"walk": 0.3, "bike": 0.1, "pt": 0.3, "car": 0.3,
                                        "other": None},
             "source": "Testville travel survey 2024 (fixture)"},
        ],
        "sources": ["Fixture data made up for tests"],
        "version": "0.1.0",
        "scenario_hash": "0123456789abcdef0123",
        "created": "2025-01-01T00:00:00Z",
    }
    meta.update(overrides)
    return meta


def make_results(years: tuple[int, ...] = (2025, 2030, 2035), side: int = 5,
                 car_cut: float = 0.15, seed: int = 1, cell_size: float = 500.0,
                 origin: tuple[float, float] = (4_800_000.0, 2_700_000.0),
                 with_fleet: bool = True, **meta_overrides: Any) -> Results:
    """A consistent synthetic run on a ``side`` x ``side`` grid.

    ``car_cut`` is the fraction of car trips moved to other modes per 5 years; the BEV share
    grows, so emissions fall over time. The centre cell has no residents (a park). With
    ``with_fleet=False`` the run looks like one saved before the fleet, emissions and health
    tables existed (those tables empty, the summary without their columns).
    """
    rng = np.random.default_rng(seed)
    n = side * side
    ix, iy = np.meshgrid(np.arange(side), np.arange(side))
    x = origin[0] + cell_size * (ix.ravel() + 0.5)
    y = origin[1] + cell_size * (iy.ravel() + 0.5)
    pop = rng.integers(200, 3000, n).astype(float)
    pop[n // 2] = 0.0
    jobs = rng.integers(50, 2000, n).astype(float)
    grid = pd.DataFrame({"cell_id": np.arange(n, dtype=np.int64), "x": x, "y": y,
                         "population": pop, "jobs": jobs})
    base_share = np.array([0.25, 0.10, 0.03, 0.22, 0.38, 0.02])
    km = np.array([1.2, 3.5, 5.0, 7.0, 8.0, 8.0])
    rows_modes, rows_cells, rows_summary, rows_seg = [], [], [], []
    rows_fleet, rows_emis, rows_health = [], [], []
    rows_accounts: list[dict] = []
    rows_zones: list[dict] = []
    for year in years:
        steps = (year - years[0]) / 5
        bev = min(0.9, 0.03 + 0.12 * steps)
        share = base_share.copy()
        car = share[4] + share[5]
        moved = car * (1 - (1 - car_cut) ** steps)
        car -= moved
        share[:4] += moved * share[:4] / share[:4].sum()
        share[4], share[5] = car * (1 - bev), car * bev
        grid_int = 111.0 * (1 - 0.04 * (year - years[0]))
        ef_ttw = np.array([0, 0, 0, 0.104, 0.17, 0.0]) / 1.0
        ef_wtw = ef_ttw + np.array([0, 0, 0.00001 * grid_int, 0.026, 0.045,
                                    0.18 * grid_int / 1000])
        noise = rng.uniform(0.8, 1.2, (n, 6))
        cell_share = share * noise
        cell_share /= cell_share.sum(axis=1, keepdims=True)
        trips = pop[:, None] * 2.6 * 365 * cell_share  # annual trips
        pkm = trips * km
        vkm = pkm * np.array([0, 0, 0, 0, 1 / 1.3, 1 / 1.3])
        co2_ttw = pkm * ef_ttw / 1000.0
        co2_wtw = pkm * ef_wtw / 1000.0
        for m, mode in enumerate(MODES):
            rows_modes.append({"year": year, "mode": mode, "mode_group": GROUP[mode],
                               "trips": trips[:, m].sum(), "pkm": pkm[:, m].sum(),
                               "vkm": vkm[:, m].sum(), "co2_ttw_t": co2_ttw[:, m].sum(),
                               "co2_wtw_t": co2_wtw[:, m].sum()})
            for seg in SEGMENTS:
                for p, purpose in enumerate(PURPOSES):
                    has_car = seg.startswith("car_available.")
                    frac = (0.2 if has_car else 0.4 / 3) * (0.35 if p == 0 else 0.65)
                    if not has_car and mode.startswith("car"):
                        frac = 0.0
                    rows_seg.append({"year": year, "segment": seg, "purpose": purpose,
                                     "mode": mode, "trips": trips[:, m].sum() * frac,
                                     "pkm": pkm[:, m].sum() * frac})
        cells = pd.DataFrame({
            "year": year, "cell_id": grid["cell_id"], "population": pop,
            "trips": trips.sum(axis=1), "walk_trips": trips[:, 0],
            "bike_trips": trips[:, 1] + trips[:, 2], "pt_trips": trips[:, 3],
            "car_trips": trips[:, 4] + trips[:, 5], "co2_ttw_t": co2_ttw.sum(axis=1),
            "co2_wtw_t": co2_wtw.sum(axis=1), "car_speed_kmh": 25.0})
        rows_cells.append(cells)
        total_pop = pop.sum()
        rows_summary.append({
            "year": year, "population": total_pop, "trips": trips.sum(), "pkm": pkm.sum(),
            "car_vkm": vkm.sum(), "co2_ttw_t": co2_ttw.sum(), "co2_wtw_t": co2_wtw.sum(),
            "co2_ttw_per_capita_kg": co2_ttw.sum() * 1000 / total_pop,
            "co2_wtw_per_capita_kg": co2_wtw.sum() * 1000 / total_pop,
            "fleet_bev_share": bev, "grid_gco2e_per_kwh": grid_int})
        walk_km, bike_km = pkm[:, 0].sum(), pkm[:, 1:3].sum()
        deaths = (walk_km / 4e6, bike_km / 9e6)
        fleet, emis, health = fleet_tables(year, vkm.sum(), bev, deaths, 0.7 * total_pop)
        rows_fleet += fleet
        rows_emis += emis
        rows_health += health
        by_pollutant = pd.DataFrame(emis).groupby("pollutant")["tonnes"].sum()
        non_exhaust = by_pollutant[["pm25_tyre", "pm25_brake", "pm25_road"]].sum()
        buses = pd.DataFrame(fleet).query("vehicle == 'bus'")
        rows_summary[-1].update({
            "bev_sales_share": min(1.0, 2 * bev), "car_stock": vkm.sum() / 12_000.0,
            "bus_stock": buses["stock"].sum(),
            "bus_bev_share": buses.loc[buses["powertrain"] == "bev", "stock"].sum()
            / buses["stock"].sum(),
            "pt_service_vkm": buses["vkm"].sum(),
            "pt_pkm_per_service_vkm": pkm[:, 3].sum() / buses["vkm"].sum(),
            "electricity_mwh": vkm.sum() * bev * 0.18 / 1000, "fuel_litres": vkm.sum() * 0.07,
            "gas_kg": 1000.0, "nox_t": by_pollutant["nox"],
            "pm25_exhaust_t": by_pollutant["pm25_exhaust"], "pm25_non_exhaust_t": non_exhaust,
            "pm25_t": by_pollutant["pm25_exhaust"] + non_exhaust, "deaths_avoided": sum(deaths),
            "health_value_eur": sum(deaths) * 3.4e6, "carbon_price_eur_per_t": 0.0})
        # the two accountings (made-up shares of the car CO2; freight as a share of car km)
        car_t = (co2_ttw[:, 4:].sum(), co2_wtw[:, 4:].sum())
        parts = {"territorial": [("residents' car trips (inside)", 0.85), (
                     "non-residents' car trips (inside)", 0.35), ("through traffic", 0.1),
                     ("public transport", 0.1), ("vans", 0.2), ("rigid lorries", 0.1),
                     ("articulated lorries", 0.15), ("cargo bikes", 0.0)],
                 "residents": [("residents' car trips (whole)", 1.0),
                               ("residents' public transport", 0.08), ("e-bikes", 0.001)]}
        for accounting, components in parts.items():
            for component, k in components:
                rows_accounts.append({"year": year, "accounting": accounting,
                                      "component": component, "vkm": vkm.sum() * k,
                                      "co2_ttw_t": car_t[0] * k, "co2_wtw_t": car_t[1] * k})
        rows_summary[-1].update({
            f"{a}_co2_{q}_t": sum(car_t[i] * k for _, k in parts[a])
            for a in parts for i, q in enumerate(("ttw", "wtw"))})
        rows_summary[-1].update({
            "car_vkm_inside": vkm.sum() * 1.2, "nonresidents_car_vkm_inside": vkm.sum() * 0.35,
            "residents_car_vkm_beyond": vkm.sum() * 0.15, "through_vkm": vkm.sum() * 0.1,
            "van_vkm": vkm.sum() * 0.2, "lorry_vkm": vkm.sum() * 0.06,
            "freight_co2_wtw_t": car_t[1] * 0.45, "car_speed_index": 1.0,
            "road_delay_index": 1.3, "traffic_iterations": 2, "car_available_share": 0.6})
        for case, cut in (("scenario", 0.8), ("reference", 1.0)):
            for mode in ("car_ice", "car_ev", "van"):
                car = mode.startswith("car")
                rows_zones.append({
                    "year": year, "zone": "centre", "kind": "city zone", "vehicle": mode,
                    "trips_entering": 5e7 * cut if car else np.nan,
                    "trips_leaving": 5e7 * cut if car else np.nan,
                    "trips_within": 1e7 if car else np.nan,
                    "vehicles_entering": 4e7 * cut if car else np.nan,
                    "vkm_inside": 3e8 * cut, "co2_ttw_t": 4e4 * cut, "co2_wtw_t": 5e4 * cut,
                    "case": case})
    meta = make_meta(base_year=years[0], cell_size_m=cell_size, **meta_overrides)
    summary = pd.DataFrame(rows_summary)
    tables: dict[str, pd.DataFrame] = {}
    if with_fleet:
        tables = {"fleet": pd.DataFrame(rows_fleet, columns=DOC_COLUMNS["fleet"]),
                  "emissions": pd.DataFrame(rows_emis, columns=DOC_COLUMNS["emissions"]),
                  "health": pd.DataFrame(rows_health, columns=DOC_COLUMNS["health"]),
                  "reference": summary.copy()}
        cells = pd.concat(rows_cells, ignore_index=True)
        areas = cells.groupby("year")[DOC_COLUMNS["areas"][2:]].sum().reset_index()
        tables["areas"] = areas.assign(area="modelled area")[DOC_COLUMNS["areas"]]
        tables["accounts"] = pd.DataFrame(rows_accounts, columns=DOC_COLUMNS["accounts"])
        tables["zones"] = pd.DataFrame(rows_zones, columns=DOC_COLUMNS["zones"])
        tables["access"] = pd.DataFrame(
            [{"year": y, "cell_id": int(c), "mode": m, "jobs_30": 1000.0 * k,
              "jobs_45": 2000.0 * k, "residents_30": 900.0 * k, "residents_45": 1800.0 * k,
              "case": case} for y in years for k, c in enumerate(grid["cell_id"], start=1)
             for m in ("walk", "bike", "pt", "car") for case in ("scenario", "reference")],
            columns=DOC_COLUMNS["access"])
        tables["sumi"] = pd.DataFrame(
            [{"year": y, "indicator": "SUMI_07", "name": "Greenhouse gas emissions",
              "value": 1.0 - 0.01 * (y - years[0]), "unit": "t CO2e per resident per year",
              "case": case, "scope": "Commission's definition", "how": "fixture"}
             for y in years for case in ("scenario", "reference")],
            columns=DOC_COLUMNS["sumi"])
        tables["welfare"] = pd.DataFrame(
            [{"year": y, "cell_id": int(c), "segment": seg, "trips": 1000.0,
              "welfare_eur": (5e4 * (y - years[0]) * (1 if seg.startswith("no_car") else -1)
                              if case == "scenario" else 0.0) + 1e6,
              "case": case} for y in years for c in grid["cell_id"]
             for seg in SEGMENTS for case in ("scenario", "reference")],
            columns=DOC_COLUMNS["welfare"])
        tables["spending"] = pd.DataFrame(
            [{"year": y, "segment": seg, "area": area, "residents": 1e5 * share, "trips": 9e7,
              "car_trips": (4e7 * (0.8 if case == "scenario" else 1.0)
                            if seg.startswith("car_available") else 0.0),
              "fuel_eur": 3e7 if seg.startswith("car_available") else 0.0,
              "electricity_eur": 1e6, "fares_eur": 2e7 * (0.5 if case == "scenario" else 1.0),
              "parking_and_zone_charges_eur": 5e6,
              "cordon_charges_eur": 2e6 if case == "scenario" else 0.0,
              "health_value_eur": 5e7 * (1.1 if case == "scenario" else 1.0), "case": case}
             for y in years for seg in SEGMENTS for case in ("scenario", "reference")
             for area, share in (("modelled area", 1.0), ("municipality", 0.6))],
            columns=DOC_COLUMNS["spending"])
    else:
        summary = summary.drop(columns=SUMMARY_EXTRA)
    return Results(summary=summary, modes=pd.DataFrame(rows_modes),
                   segments=pd.DataFrame(rows_seg), cells=pd.concat(rows_cells,
                                                                    ignore_index=True),
                   grid=grid, meta=meta, scenario_yaml="name: fixture\n", **tables)


def full_extra(res: Results) -> dict[str, pd.DataFrame]:
    """Tables a run does not have yet, in the shapes the dashboard documents (test data)."""
    years = sorted(res.summary["year"])
    measures = ["Cycle lanes", "Bus frequency", "Low-emission zone"]
    wedges = pd.DataFrame([{"year": y, "measure": m, "co2_wtw_reduction_t": 100.0 * (i + 1)
                            * (y - years[0])} for y in years for i, m in enumerate(measures)])
    costs = pd.DataFrame({"measure": [*measures, "Free parking"],
                          "cost_eur": [2e6, 5e6, 1e6, 3e5],
                          "co2_abated_t": [1e4, 2e4, 5e3, 0.0]})
    return {"wedges": wedges, "costs": costs}



# ---------------------------------------------------------------------------------------------
# The fixture follows the table definitions of results.py.


def test_fixture_tables_have_the_documented_columns():
    import mobility_sim.results as results_module

    res = make_results()
    for name in TABLES:
        expected = (DOC_COLUMNS["summary"] + SUMMARY_EXTRA if name in ("summary", "reference")
                    else DOC_COLUMNS[name])
        assert sorted(res.table(name).columns) == sorted(expected), name
        for col in expected:
            assert f"{col}" in results_module.__doc__, f"{name}.{col} not in results.py docstring"
    assert list(res.pollutants.columns) == ["year", "pollutant", "tonnes"]
    old = make_results(with_fleet=False)
    assert old.fleet.empty and old.health.empty and old.pollutants.empty
    assert sorted(old.summary.columns) == sorted(DOC_COLUMNS["summary"])


def test_fixture_totals_agree_between_tables():
    res = make_results()
    by_year = res.modes.groupby("year")[["co2_wtw_t", "trips"]].sum()
    cells = res.cells.groupby("year")[["co2_wtw_t", "trips"]].sum()
    summary = res.summary.set_index("year")
    np.testing.assert_allclose(by_year["co2_wtw_t"], summary["co2_wtw_t"])
    np.testing.assert_allclose(cells["co2_wtw_t"], summary["co2_wtw_t"])
    np.testing.assert_allclose(cells["trips"], summary["trips"])
    shares = res.mode_share("trips").groupby("year")["share"].sum()
    np.testing.assert_allclose(shares, 1.0)
    pollutants = res.pollutants.pivot(index="year", columns="pollutant", values="tonnes")
    np.testing.assert_allclose(pollutants["nox"], summary["nox_t"])
    np.testing.assert_allclose(pollutants["pm25_non_exhaust"], summary["pm25_non_exhaust_t"])
    health = res.health.groupby("year")["deaths_avoided"].sum()
    np.testing.assert_allclose(health, summary["deaths_avoided"])


def test_fixture_emissions_fall_over_time():
    s = make_results().summary
    assert s["co2_wtw_t"].is_monotonic_decreasing
