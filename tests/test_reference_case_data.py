"""Checks of the data tables for the "with existing measures" reference case (issue 19).

The tables are read directly with pandas (the loaders come later); every test here
would fail if a table lost rows, columns, sources or plausible values.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[1] / "mobility_sim" / "data"

TABLES = [
    "norway_new_car_sales.csv",
    "norway_car_fleet.csv",
    "eu_vehicle_co2_standards.csv",
    "ets2_price_path.csv",
    "country_new_car_sales.csv",
    "country_car_fleet.csv",
    "country_bus_fleet.csv",
    "grid_intensity_projection.csv",
    "car_lifetime_by_country_group.csv",
    "reference_case_rules.csv",
    "national_road_transport_ghg.csv",
    "city_transport_inventories.csv",
    "country_economics.csv",
    "freight_traffic.csv",
]
POWERTRAINS = {"petrol", "diesel", "hev", "phev", "bev"}
# aggregates used where a source publishes only a combined group (never summed with the above)
AGGREGATES = {"other", "hybrid_hev_phev", "plugin_bev_phev", "petrol_diesel",
              "petrol_incl_hybrids", "alternative_all", "all"}
SHIPPED = {"FIN", "AUT", "NLD", "DNK", "PRT", "CZE", "POL", "DEU", "FRA", "GBR", "ESP", "HUN",
           "SWE", "NOR", "EST", "LVA", "BEL", "IRL", "CHE", "LUX"}


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name)


@pytest.mark.parametrize("name", TABLES)
def test_table_parses_and_every_row_has_a_source(name):
    df = read(name)
    assert len(df) > 0
    assert "source" in df.columns and "status" in df.columns
    src = df["source"].fillna("").astype(str).str.strip()
    assert (src != "").all(), f"{name}: rows without a source"
    # a row without a value must say why
    value_col = next(c for c in ("share", "value", "gco2e_per_kwh") if c in df.columns)
    empty = df[value_col].isna()
    why = df.loc[empty, "status"].isin({"not_found", "not_searched", "count_only",
                                        "not_applicable"})
    if "unit" in df.columns:  # a legal application date has no numeric value
        why |= df.loc[empty, "unit"].eq("date")
    assert why.all(), df.loc[empty][~why]


# --- Norway, new-car sales -------------------------------------------------------------

def test_norway_sales_ranges():
    df = read("norway_new_car_sales.csv")
    assert df["year"].between(2012, 2026).all()
    assert set(df["powertrain"]) <= POWERTRAINS
    shares = df["share"].dropna()
    assert shares.between(0, 1).all()
    assert df["exclusive"].isin([True, False]).all()


def test_norway_bev_sales_share_rises_as_published():
    df = read("norway_new_car_sales.csv")
    bev = df[(df.powertrain == "bev") & df.share.notna()].set_index("year")["share"]
    # published OFV figures: 5.5 % (2013), 12.5 % (2014), 17.1 % (2015), 42.4 % (2019),
    # 64.5 % (2021), 79.3 % (2022), 82.4 % (2023), 88.9 % (2024), 95.9 % (2025)
    assert bev[2013] == pytest.approx(0.055)
    assert bev[2021] == pytest.approx(0.645)
    assert bev[2024] == pytest.approx(0.889)
    assert bev[2025] == pytest.approx(0.959)
    later = bev.loc[2018:]
    assert later.is_monotonic_increasing, later
    assert bev[2013] < bev[2014] < bev[2015] < bev[2018]


def test_norway_sales_complete_years_sum_to_one():
    df = read("norway_new_car_sales.csv")
    full = df[df.exclusive & df.share.notna()]
    for year, g in full.groupby("year"):
        if set(g.powertrain) == POWERTRAINS:
            assert g.share.sum() == pytest.approx(1.0, abs=0.01), year
    assert set(full[full.year == 2021].powertrain) == POWERTRAINS


# --- Norway, car fleet -----------------------------------------------------------------

def test_norway_fleet_groups_sum_to_one_and_bev_share_rises():
    df = read("norway_car_fleet.csv")
    groups = df[df.series == "ssb_fuel_groups_2016_2019"]
    assert sorted(groups.year.unique()) == [2016, 2017, 2018, 2019]
    for year, g in groups.groupby("year"):
        assert g.share.sum() == pytest.approx(1.0, abs=0.002), year
        assert g["count"].sum() == g.total_cars.iloc[0]
    stated = df[(df.series == "stated_share") & (df.powertrain == "bev") & df.share.notna()]
    s = stated.set_index("year")["share"].sort_index()
    assert s.is_monotonic_increasing
    assert s[2019] == pytest.approx(0.093) and s[2023] == pytest.approx(0.24)
    for year, g in df[(df.series == "stated_share") & df.share.notna()].groupby("year"):
        if len(g) >= 4:  # years where SSB gives every group
            assert g.share.sum() == pytest.approx(1.0, abs=0.02), year
    # the stock share stays far below the sales share of the same year
    sales = read("norway_new_car_sales.csv").query("powertrain == 'bev'").set_index("year")["share"]
    assert (s.loc[2019:2023] < sales.reindex(s.loc[2019:2023].index).fillna(1)).all()


# --- EU legal targets ------------------------------------------------------------------

def test_eu_standards_legal_values():
    df = read("eu_vehicle_co2_standards.csv")
    law = df[df.status == "in_force"]
    pct = law[law.unit == "percent"]["value"].dropna()
    assert pct.between(0, 100).all()
    car = law[(law.vehicle == "car") & (law.metric == "fleet_co2_reduction_vs_2021")]
    got = dict(zip(car.year_from, car.value, strict=True))
    assert got == {2025: 15, 2030: 55, 2035: 100}
    van = law[(law.vehicle == "van") & (law.metric == "fleet_co2_reduction_vs_2021")]
    assert dict(zip(van.year_from, van.value, strict=True)) == {2025: 15, 2030: 50, 2035: 100}
    hdv = law[law.metric == "fleet_co2_reduction_vs_2019"]
    expected = {2025: 15, 2030: 45, 2035: 65, 2040: 90}
    assert dict(zip(hdv.year_from, hdv.value, strict=True)) == expected
    bus = law[law.vehicle == "urban_bus"]
    assert set(bus.value) == {90, 100}
    cvd = df[(df.instrument == "clean_vehicles_directive")
             & (df.metric == "min_clean_bus_procurement_share")]
    found = cvd.value.dropna()
    assert found.between(24, 65).all()
    e7 = df[df.instrument == "euro7"]
    assert pd.to_datetime(e7.effective_date).dt.year.between(2026, 2029).all()
    # a proposal never counts as law
    assert not df[df.status == "proposal_not_adopted"].empty


def test_ets2_price_path():
    df = read("ets2_price_path.csv")
    start = df[df.parameter == "start_year"]["value"].iloc[0]
    assert start in (2027, 2028)
    ref = df[df.parameter == "price_reference_case"]
    assert ref.year.min() == start
    assert ref.year.max() == 2050
    priced = ref.value.dropna()
    assert priced.between(0, 500).all()
    assert (ref[ref.value.isna()].status == "not_found").all()
    assert (ref[ref.value.notna()].status == "assumption").all()


# --- country tables ----------------------------------------------------------------------

def test_country_sales_shares_and_complete_mixes():
    df = read("country_new_car_sales.csv")
    assert set(df.iso3) <= SHIPPED
    assert set(df.powertrain) <= POWERTRAINS | AGGREGATES
    assert df.year.between(2023, 2025).all()
    assert df.share.dropna().between(0, 1).all()
    excl = df[df.exclusive & df.share.notna()]
    complete = 0
    for key, g in excl.groupby(["iso3", "year"]):
        assert g.powertrain.is_unique, key
        assert g.share.sum() <= 1.01, key
        if POWERTRAINS <= set(g.powertrain):
            complete += 1
            assert g.share.sum() == pytest.approx(1.0, abs=0.015), key
    assert complete >= 6  # FRA, GBR, BEL, IRL, PRT (2024) and SWE (2023) at least
    # published anchors
    v = df.set_index(["iso3", "year", "powertrain"]).share
    assert v[("FRA", 2024, "bev")] == pytest.approx(0.169)
    assert v[("GBR", 2024, "bev")] == pytest.approx(0.196)
    assert v[("DNK", 2024, "bev")] == pytest.approx(0.515)


def test_country_fleet_shares():
    df = read("country_car_fleet.csv")
    assert set(df.iso3) <= SHIPPED | {"EU27"}
    assert set(df.powertrain) <= POWERTRAINS | AGGREGATES
    assert df.share.dropna().between(0, 1).all()
    eu = df[(df.iso3 == "EU27") & (df.year == 2024) & df.source.str.contains("ACEA")]
    # the six shares ACEA lists sum to 89.0 %
    assert eu.share.sum() == pytest.approx(0.890, abs=0.002)
    # BEV share of the stock is far below the BEV share of new sales in the same country
    sales = read("country_new_car_sales.csv").query("powertrain == 'bev'").dropna(subset=["share"])
    fleet_bev = df.query("powertrain == 'bev'").dropna(subset=["share"])
    for iso, g in fleet_bev.groupby("iso3"):
        s = sales[sales.iso3 == iso]
        if len(s):
            assert g.share.max() < s.share.max(), iso
    # no country-date has shares summing above one
    for key, g in df[df.powertrain.isin(POWERTRAINS)].dropna(subset=["share"]).groupby(
            ["iso3", "reference_date"]):
        assert g.share.sum() <= 1.01, key


def test_bus_table():
    df = read("country_bus_fleet.csv")
    shares = df[df.metric.str.contains("share")].value.dropna()
    assert shares.between(0, 1).all()
    eu = df[(df.iso3 == "EU27") & (df.metric == "fleet_bev_share")].value.iloc[0]
    assert 0.02 < eu < 0.05
    lux = df[(df.iso3 == "LUX") & (df.metric == "fleet_bev_share")].value.iloc[0]
    assert lux > eu


def test_grid_projection_is_named_and_never_invented():
    df = read("grid_intensity_projection.csv")
    assert df.projection.nunique() == 1  # ONE published projection
    assert set(df.iso3) == SHIPPED
    assert {2030, 2040, 2050} <= set(df.year)  # REF2020 publishes 2015-2050 in 5-year steps
    filled = df.gco2e_per_kwh.dropna()
    assert filled.between(0, 1200).all()
    assert df.loc[df.gco2e_per_kwh.isna(), "status"].isin({"not_found", "not_applicable"}).all()
    assert (df[df.iso3.isin({"GBR", "NOR", "CHE"})].status == "not_applicable").all()


def test_lifetimes():
    df = read("car_lifetime_by_country_group.csv")
    v = df.set_index(["country_group", "metric"]).value
    assert v[("western_europe", "mean_lifespan_years")] == pytest.approx(18.1)
    assert v[("eastern_europe", "mean_lifespan_years")] == pytest.approx(28.4)
    assert df.value.dropna().between(5, 40).all()


def test_keys_are_unique_and_dates_consistent():
    sales = read("country_new_car_sales.csv")
    assert not sales.duplicated(["iso3", "year", "powertrain"]).any()
    fleet = read("country_car_fleet.csv")
    assert not fleet.duplicated(["iso3", "reference_date", "powertrain", "source"]).any()
    dated = fleet.dropna(subset=["reference_date"])
    ref_year = pd.to_datetime(dated.reference_date).dt.year
    # the row year is the stock year: the reference date falls in it or on 1 January after it
    assert ((ref_year == dated.year) | (ref_year == dated.year + 1)).all()
    assert not read("country_bus_fleet.csv").duplicated(["iso3", "year", "metric"]).any()


def test_german_mix_matches_published_counts():
    df = read("country_new_car_sales.csv").query("iso3 == 'DEU' and year == 2024")
    mix = df.set_index("powertrain")
    assert mix["count"].sum() == 2817331
    assert mix.loc["bev", "count"] == 380609
    assert mix.loc[list(POWERTRAINS | {"other"}), "share"].sum() == pytest.approx(1.0, abs=1e-3)


# --- additions: Clean Vehicles Directive member-state values, grid paths, bus shares ------

def test_cvd_member_state_bus_minimums():
    df = read("eu_vehicle_co2_standards.csv")
    cvd = df[(df.instrument == "clean_vehicles_directive")
             & (df.metric == "min_clean_bus_procurement_share")
             & ~df.area.str.startswith("EU27")]
    assert set(cvd.area) <= SHIPPED
    assert not cvd.duplicated(["area", "year_from"]).any()
    found = cvd.dropna(subset=["value"])
    # shares are percentages within the directive's published range (24-45 % and 33-65 %)
    assert (found.value / 100).between(0, 1).all()
    assert found[found.year_from == 2021].value.between(24, 45).all()
    assert found[found.year_from == 2026].value.between(33, 65).all()
    assert (found.status == "in_force").all()
    assert cvd[cvd.value.isna()].status.isin({"not_found", "not_applicable"}).all()
    # the minimum never falls from the first to the second reference period
    v = found.set_index(["area", "year_from"]).value
    for area in found.area.unique():
        if (area, 2021) in v.index and (area, 2026) in v.index:
            assert v[(area, 2026)] >= v[(area, 2021)], area
    # published anchors (national transposition texts / ministries, see sources)
    assert v[("AUT", 2021)] == 45 and v[("AUT", 2026)] == 65
    assert v[("CZE", 2021)] == 41 and v[("CZE", 2026)] == 60
    assert v[("EST", 2021)] == 31 and v[("EST", 2026)] == 41
    assert v[("LVA", 2021)] == 35 and v[("LVA", 2026)] == 50
    # half of each minimum must be zero-emission
    ze = df[df.metric == "zero_emission_part_of_clean_bus_target"].value
    assert list(ze) == [50]
    # the directive does not apply to the UK or Switzerland (Norway: EEA relevance not checked)
    assert set(cvd[cvd.area.isin({"GBR", "CHE"})].status) <= {"not_applicable"}


def test_grid_projection_values_when_filled():
    df = read("grid_intensity_projection.csv")
    assert set(df.status) <= {"published", "computed", "not_found", "not_applicable"}
    filled = df.dropna(subset=["gco2e_per_kwh"])
    assert filled.status.isin({"published", "computed"}).all()
    # REF2020 (policies of 2020, EU ETS) ends every member state's path below its 2015 value;
    # single 5-year steps may rise (HUN 2035, LUX 2050: as published)
    for iso, g in filled.groupby("iso3"):
        s = g.set_index("year").gco2e_per_kwh.sort_index()
        assert s[2050] < s[2015], iso
    # every row names the definition it would hold (generation-based, direct CO2 or CO2e)
    assert df.definition.fillna("").str.len().gt(20).all()


def test_new_bus_shares_consistent_over_time():
    df = read("country_bus_fleet.csv")
    js = df[df.metric == "new_bus_electric_share_jan_sep"].set_index(["iso3", "year"]).value
    for iso in ("DNK", "NLD", "NOR", "BEL"):
        assert js[(iso, 2024)] < js[(iso, 2025)], iso
    lb = df[df.status == "lower_bound"]
    assert lb.value.between(0, 1).all()


def test_full_new_car_mixes_sum_to_one():
    df = read("country_new_car_sales.csv")
    excl = df[df.exclusive & df.share.notna()]
    for key, g in excl.groupby(["iso3", "year"]):
        if POWERTRAINS | {"other"} <= set(g.powertrain):
            assert g.share.sum() == pytest.approx(1.0, abs=0.015), key
    swe = excl[(excl.iso3 == "SWE") & (excl.year == 2023)].set_index("powertrain").share
    assert POWERTRAINS <= set(swe.index)  # full year 2023 (2030-sekretariatet)
    assert swe["bev"] == pytest.approx(0.387) and swe["phev"] == pytest.approx(0.211)


def test_every_shipped_country_has_its_rules_and_a_1990_inventory_value():
    rules = read("country_reference.csv")
    assert set(rules.iso3) == SHIPPED and rules.source.str.len().gt(0).all()
    assert set(rules.car_lifetime_group) <= set(read("car_lifetime_by_country_group.csv")
                                                .country_group)
    assert (rules.loc[rules.eu_member == 1, "ets2"] == 1).all()
    assert (rules.loc[rules.eu_member == 0, "ets2"] == 0).all()
    national = read("national_road_transport_ghg.csv")
    road = national[(national.category == "1.A.3.b") & national.value.notna()]
    for iso in SHIPPED:
        years = set(road.loc[road.iso3 == iso, "year"])
        assert {1990, 2005, 2019} <= years, iso
