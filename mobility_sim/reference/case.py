"""The reference case: what happens in a city without its own measures ("with existing measures").

National projections (NECPs, the EEA's "with existing measures" projections) build their
reference on the policies already decided. The reference case here does the same for a city,
from its country's data, with five named elements that a scenario can switch off
(``reference:`` in the scenario file) to show what each contributes:

``car_co2_standards``
    The EU CO2 standards for new cars (Regulation (EU) 2019/631 as amended by 2023/851; the UK's
    ZEV mandate for Great Britain; an assumed EU-equivalent rule for Switzerland) turned into
    the battery-electric share of new cars, year by year, from the country's latest published
    sales mix. Off: the latest published mix is held.
``bus_zero_emission``
    The EU heavy-duty CO2 rules for new urban buses (90 % zero-emission from 2030, 100 % from
    2035) and the Clean Vehicles Directive's zero-emission minimum, from the country's latest
    published share of zero-emission new city buses. Off: that share is held.
``grid_projection``
    The country's grid carbon intensity follows a published projection
    (``grid_intensity_projection.csv``) from its 2023 value. Where no projection value was
    found the 2023 value is held and the run says "frozen grid". Off: the 2023 value is held.
``ets2``
    The EU ETS2 carbon price on road fuels from its start year (EU member states only), at the
    price path of ``ets2_price_path.csv`` (an assumption, stated there). Off: no carbon price.
``vehicle_efficiency``
    New vehicles use less energy than the ones before them (``fleet.*.efficiency_gain``). Off:
    every vintage has the base-year factor.

Each country also starts from its own car fleet, bus fleet and new-car sales mix
(:mod:`.mixes`) and, through the parameters, its own car lifetime and running costs
(:func:`.country.country_parameters`).
The city's measures act on top of the reference case; the results hold both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from ..data import grid_intensity, read_table
from ..exceptions import FleetParameterError
from ..fleet.mix import sales_mix
from .mixes import BusShares, MixEstimate, bus_shares, car_fleet_mix, car_sales_mix, eu_sales_mix

#: The reference case's elements, in display order, with what each stands for.
ELEMENTS: dict[str, str] = {
    "car_co2_standards": "EU CO2 standards for new cars (UK: ZEV mandate)",
    "bus_zero_emission": "EU rules for new urban buses (zero-emission 90 % from 2030, 100 % "
                         "from 2035)",
    "grid_projection": "the country's projected grid carbon intensity",
    "ets2": "EU ETS2 carbon price on road fuels",
    "vehicle_efficiency": "new-vehicle efficiency gains",
    "freight_co2_standards": "EU CO2 standards for new vans and lorries (UK: van ZEV mandate)",
}
#: Year of the EU sales mix that the EU path starts from (Eurostat 2023, fleet_defaults.csv).
EU_SALES_YEAR = 2023


@cache
def country_row(country: str) -> pd.Series:
    """Return the country's row of ``country_reference.csv`` (rules, ETS2, lifetime group).

    Raises
    ------
    FleetParameterError
        If the country is not in the table.
    """
    table = read_table("country_reference.csv").set_index("iso3")
    if country not in table.index:
        raise FleetParameterError(
            f"country {country!r} has no reference-case row in mobility_sim/data/"
            f"country_reference.csv (known: {', '.join(sorted(table.index))}); add one with "
            "its rules and sources")
    return table.loc[country]


@cache
def _rules() -> pd.DataFrame:
    return read_table("reference_case_rules.csv")


@cache
def rule_anchors(rule: str) -> tuple[tuple[int, float], ...]:
    """(year, zero-emission share of new vehicles) anchors of one rule, ascending."""
    rows = _rules()[_rules()["rule"] == rule].sort_values("year")
    return tuple((int(r.year), float(r.value)) for r in rows.itertuples())


def interpolate(anchors: Sequence[tuple[int, float]], year: int) -> float:
    """Linear interpolation between anchors; held flat before the first and after the last."""
    xs = [a[0] for a in anchors]
    ys = [a[1] for a in anchors]
    return float(np.interp(year, xs, ys))


def eu_car_path(year: int, last_year: int | None = None) -> float:
    """Return the EU-wide zero-emission share of new cars under the CO2 standards in ``year``.

    From the EU's 2023 share (Eurostat, 14.5 %) linearly to the 2030 share and to 100 % in
    2035 (``reference_case_rules.csv``; manufacturers are assumed to ramp up between target
    periods rather than step at the period boundary). ``last_year`` stops the path there
    (a rule without a later target holds its last anchor).
    """
    anchors = [(EU_SALES_YEAR, eu_sales_mix()["bev"]), *rule_anchors("eu_co2_standards")]
    if last_year is not None:
        anchors = [a for a in anchors if a[0] <= last_year]
    return interpolate(anchors, year)


def car_bev_path(country: str, years: Iterable[int], on: bool = True
                 ) -> tuple[dict[int, float], str]:
    """Battery-electric share of new cars in each year, and how it was made.

    The country starts from its latest published share ``s0`` (year ``y0``). Under the EU rule
    it closes the same fraction of its gap to 100 % as the EU path closes of the EU's gap:
    ``s(t) = s0 + (1 - s0) * (e(t) - e(y0)) / (1 - e(y0))``, so that countries ahead stay ahead
    and all reach 100 % in 2035. Under the UK mandate the share is the mandate's, never below
    ``s0``. Never below ``s0``; off: ``s0`` held.
    """
    start = car_sales_mix(country)
    s0, y0 = start.shares["bev"], start.year or EU_SALES_YEAR
    rule = str(country_row(country)["car_rule"])
    years = list(years)
    if not on:
        return {y: s0 for y in years}, (f"held at the latest published share ({s0:.0%}, "
                                         f"{y0}): element switched off")
    out: dict[int, float] = {}
    if rule == "uk_zev_mandate":
        anchors = rule_anchors(rule)
        for y in years:
            out[y] = s0 if y <= y0 else max(s0, interpolate(anchors, y))
        how = "UK ZEV mandate (Vehicle Emissions Trading Schemes Order 2023)"
    else:
        last = 2030 if rule == "ch_co2_act" else None
        e0 = eu_car_path(y0, last)
        for y in years:
            gain = 0.0 if y <= y0 else (eu_car_path(y, last) - e0) / max(1.0 - e0, 1e-9)
            out[y] = float(np.clip(s0 + (1.0 - s0) * max(gain, 0.0), s0, 1.0))
        how = ("EU CO2 standards for new cars (2019/631 as amended by 2023/851)"
               if rule == "eu_co2_standards" else
               "assumed EU-equivalent new-car CO2 targets to 2030, held after")
    origin = (f"{country}'s {y0} share ({s0:.0%})" if start.is_national else
              f"the EU's {y0} share ({s0:.0%}; no published figure for {country})")
    return out, f"{how}, from {origin}"


def freight_zero_emission_path(country: str, years: Iterable[int], on: bool = True
                               ) -> tuple[dict[str, dict[int, float]], str]:
    """Zero-emission share of new vans and new lorries in each year, and how it was made.

    Vans start from the country's 2024 share where published (``country_van_start`` rows),
    else the EU's; under the EU rule they close the same fraction of the gap to 100 % as the EU
    path (2024 -> 50 % in 2030 -> 100 % in 2035; the 2030 cut read as a zero-emission share);
    the UK follows its van ZEV mandate; Switzerland the EU path to 2030, held after (an
    assumption, as for cars). Lorries follow the EU heavy-duty path (2.3 % in 2024 -> 45 %
    2030 -> 65 % 2035 -> 90 % 2040) everywhere (the UK's own HGV phase-out was not found: an
    assumption). Off: the 2024 shares held.
    """
    years = list(years)
    rule = str(country_row(country)["car_rule"])
    eu_van = rule_anchors("eu_van_co2_standards")
    starts = _rules()[(_rules()["rule"] == "country_van_start")
                      & (_rules()["vehicle"] == f"van_{country}")]
    van0 = float(starts["value"].iloc[0]) if not starts.empty else eu_van[0][1]
    lorry = rule_anchors("eu_hdv_co2_standards")
    y0 = eu_van[0][0]
    if not on:
        return ({"van": dict.fromkeys(years, van0), "lorry": dict.fromkeys(years, lorry[0][1])},
                f"held at the 2024 shares (vans {van0:.1%}, lorries {lorry[0][1]:.1%}): "
                "element switched off")
    van: dict[int, float] = {}
    if rule == "uk_zev_mandate":
        anchors = rule_anchors("uk_van_zev_mandate")
        for y in years:
            van[y] = van0 if y <= y0 else max(van0, interpolate(anchors, y))
        how = "UK van ZEV mandate"
    else:
        path = [a for a in eu_van if rule != "ch_co2_act" or a[0] <= 2030]
        e0 = interpolate(path, y0)
        for y in years:
            gain = 0.0 if y <= y0 else (interpolate(path, y) - e0) / max(1.0 - e0, 1e-9)
            van[y] = float(np.clip(van0 + (1.0 - van0) * max(gain, 0.0), van0, 1.0))
        how = ("EU CO2 standards for new vans (2019/631 as amended by 2023/851)"
               if rule != "ch_co2_act" else
               "assumed EU-equivalent new-van targets to 2030, held after")
    origin = (f"{country}'s 2024 share ({van0:.1%})" if not starts.empty else
              f"the EU's 2024 share ({van0:.1%}; no published figure for {country})")
    return ({"van": van, "lorry": {y: interpolate(lorry, y) for y in years}},
            f"vans: {how}, from {origin}; lorries: EU heavy-duty CO2 standards (2019/1242 as "
            "amended by 2024/1610), the cuts read as zero-emission shares of new lorries")


def bus_zero_emission_path(country: str, years: Iterable[int], on: bool = True
                           ) -> tuple[dict[int, float], str]:
    """Zero-emission share of new city buses in each year, and how it was made.

    Under the EU rule: from the latest published share linearly to 90 % in 2030 and 100 % in
    2035 (never below the published share, nor below the Clean Vehicles Directive's
    zero-emission minimum of 2026-2030 where the country's value was found). Without a rule or
    switched off: the latest share held.
    """
    shares_ = bus_shares(country)
    s0, y0 = shares_.new_zero_emission, shares_.new_year or 2024
    years = list(years)
    rule = str(country_row(country)["bus_rule"])
    if not on or rule != "eu_hdv_urban_bus":
        why = "element switched off" if not on else "no binding rule found for this country"
        return {y: s0 for y in years}, f"held at {s0:.0%} ({shares_.new_note}): {why}"
    anchors = [(y0, s0)] + [(y, max(v, s0)) for y, v in rule_anchors(rule) if y > y0]
    cvd = cvd_zero_emission_minimum(country)
    out = {}
    for y in years:
        value = s0 if y <= y0 else interpolate(anchors, y)
        if cvd is not None and 2026 <= y <= 2030:
            value = max(value, cvd)
        out[y] = float(min(max(value, s0), 1.0))
    extra = f"; Clean Vehicles Directive minimum {cvd:.0%} in 2026-2030" if cvd else ""
    return out, f"EU rules for new urban buses (2019/1242 as amended by 2024/1610){extra}, " \
                f"from {shares_.new_note}"


@cache
def cvd_zero_emission_minimum(country: str) -> float | None:
    """Half of the country's clean-bus procurement minimum for 2026-2030 (None: not found)."""
    table = read_table("eu_vehicle_co2_standards.csv")
    rows = table[(table["instrument"] == "clean_vehicles_directive") & (table["area"] == country)
                 & (table["year_from"] == 2026) & table["value"].notna()]
    if rows.empty:
        return None
    return 0.5 * float(rows.iloc[0]["value"]) / 100.0


@cache
def _projection() -> pd.DataFrame:
    return read_table("grid_intensity_projection.csv")


def grid_projection_points(country: str) -> list[tuple[int, float]]:
    """Return the projection's (year, gCO2e/kWh) values for the country, ascending."""
    return list(_projection_of(country)[1])


@cache
def _projection_of(country: str) -> tuple[str, tuple[tuple[int, float], ...]]:
    """Return the projection's name and (year, gCO2e/kWh) values ('' and none if not found)."""
    table = _projection()
    rows = table[(table["iso3"] == country) & table["gco2e_per_kwh"].notna()]
    name = str(rows.iloc[0]["projection"]) if len(rows) else ""
    return name, tuple(sorted((int(r.year), float(r.gco2e_per_kwh)) for r in rows.itertuples()))


def grid_path(country: str, years: Iterable[int], on: bool = True,
              observed_year: int = 2023) -> tuple[dict[int, float], str, bool]:
    """Return the grid carbon intensity in each year, how it was made, and whether frozen.

    The path starts from the observed 2023 value (``grid_intensity.csv``). With projection
    values around 2023, it follows the projection's relative change from 2023 (the projection
    interpolated linearly between its years), so the observed level and its definition are
    kept and the path falls where the projection falls; with projection values only after
    2023, it runs linearly from the observed value to the projection's first value and then
    follows the projection. After the projection's last year the value is held. Without any
    projection value, or switched off, the 2023 value is held ("frozen grid").
    """
    try:
        g0 = grid_intensity(country)
    except KeyError as exc:
        raise FleetParameterError(str(exc.args[0])) from None
    years = list(years)
    name, found = _projection_of(country)
    points = list(found)
    if not on or not points:
        why = "element switched off" if not on else "no projection value found for this country"
        return {y: g0 for y in years}, f"frozen at the 2023 value ({g0:.0f} g/kWh): {why}", True
    before = [p for p in points if p[0] <= observed_year]
    after = [p for p in points if p[0] >= observed_year]
    if before and after:
        base = interpolate(points, observed_year)
        path = {y: g0 * interpolate(points, max(y, observed_year)) / base if base > 0 else g0
                for y in years}
        how = f"relative change of {name} from 2023"
    else:
        anchors = [(observed_year, g0), *points]
        path = {y: interpolate(anchors, max(y, observed_year)) for y in years}
        how = f"from the 2023 value to {name}'s values"
    return path, f"{how} (observed 2023: {g0:.0f} g/kWh)", False


@cache
def _ets2() -> pd.DataFrame:
    return read_table("ets2_price_path.csv")


def ets2_path(country: str, years: Iterable[int], on: bool = True
              ) -> tuple[dict[int, float], str]:
    """EU ETS2 price on road-fuel CO2 in each year (EUR/t), and how it was made.

    From the start year the reference price of ``ets2_price_path.csv`` (an assumption: the
    Directive's 45 EUR/t price-stability trigger, in 2020 prices); after the last year with a
    value, that value is held (assumption: no published path beyond 2030 was found). Zero
    before the start year, outside the EU, and when switched off.
    """
    years = list(years)
    if not on:
        return dict.fromkeys(years, 0.0), "no carbon price: element switched off"
    if not int(country_row(country)["ets2"]):
        return dict.fromkeys(years, 0.0), "not in the EU ETS2"
    table = _ets2()
    start = int(table.loc[table["parameter"] == "start_year", "value"].iloc[0])
    prices = table[(table["parameter"] == "price_reference_case") & table["value"].notna()]
    points = sorted((int(r.year), float(r.value)) for r in prices.itertuples())
    out = {y: 0.0 if y < start else interpolate(points, y) for y in years}
    return out, (f"from {start} at {points[0][1]:.0f} EUR/t (2020 prices; assumption: the "
                 f"Directive's price-stability trigger), held after {points[-1][0]} "
                 "(assumption: no published path found)")


@dataclass(frozen=True)
class ReferenceCase:
    """The reference case of one city's country over a run's calendar years.

    Attributes
    ----------
    country : str
        ISO3 code of the country whose vehicles and rules apply.
    grid_country : str
        ISO3 code of the grid.
    elements : dict of str to bool
        Which elements of :data:`ELEMENTS` are on.
    car_sales : dict of int to dict
        New-car sales mix by powertrain in each year.
    bus_zero_emission : dict of int to float
        Zero-emission share of new city buses in each year.
    grid_gco2e_per_kwh : dict of int to float
        Grid carbon intensity in each year.
    carbon_price_eur_per_t : dict of int to float
        Carbon price on road-fuel CO2 in each year.
    car_fleet : MixEstimate
        The starting car fleet by powertrain.
    bus : BusShares
        The starting bus fleet and new-bus share.
    grid_frozen : bool
        True when the grid intensity is held at its 2023 value.
    freight_zero_emission : dict of str to dict of int to float
        Zero-emission share of new ``van`` and ``lorry`` sales in each year.
    notes : dict of str to str
        How each element (and the starting fleets) was made, for the results.
    """

    country: str
    grid_country: str
    elements: dict[str, bool]
    car_sales: dict[int, dict[str, float]]
    bus_zero_emission: dict[int, float]
    grid_gco2e_per_kwh: dict[int, float]
    carbon_price_eur_per_t: dict[int, float]
    car_fleet: MixEstimate
    bus: BusShares
    grid_frozen: bool
    notes: dict[str, str] = field(default_factory=dict)
    freight_zero_emission: dict[str, dict[int, float]] = field(default_factory=dict)

    @property
    def efficiency(self) -> bool:
        """Whether new vehicles get more efficient (the ``vehicle_efficiency`` element)."""
        return self.elements["vehicle_efficiency"]

    def car_bev_sales(self, year: int) -> float:
        """Battery-electric share of new cars in ``year``."""
        return self.car_sales[year]["bev"]

    def describe(self) -> dict[str, object]:
        """Return the reference case in plain data, for the run's metadata and the dashboard."""
        return {
            "country": self.country, "grid_country": self.grid_country,
            "elements": [{"name": k, "label": v, "on": self.elements[k],
                          "how": self.notes.get(k, "")} for k, v in ELEMENTS.items()],
            "starting_fleet": {"car": self.car_fleet.note, "bus": self.bus.fleet.note,
                               "car_sales": self.notes.get("car_sales_start", "")},
            "grid_frozen": self.grid_frozen,
        }


def resolve_elements(switches: Mapping[str, bool] | None) -> dict[str, bool]:
    """Every element's on/off state: on unless ``switches`` turns it off.

    Raises
    ------
    ValueError
        If ``switches`` names an unknown element.
    """
    given = dict(switches or {})
    unknown = sorted(set(given) - set(ELEMENTS))
    if unknown:
        raise ValueError(f"unknown reference-case element(s) {', '.join(unknown)}; known: "
                         f"{', '.join(ELEMENTS)}")
    return {name: bool(given.get(name, True)) for name in ELEMENTS}


def reference_case(country: str, grid_country: str, years: Iterable[int],
                   switches: Mapping[str, bool] | None = None) -> ReferenceCase:
    """Build the reference case of a country over ``years``.

    Parameters
    ----------
    country : str
        ISO3 code of the city's country (vehicles, rules, carbon price).
    grid_country : str
        ISO3 code of the grid whose intensity applies.
    years : iterable of int
        Calendar years.
    switches : mapping of str to bool, optional
        Elements switched off (``False``); the rest are on.
    """
    years = list(years)
    on = resolve_elements(switches)
    bev, car_note = car_bev_path(country, years, on["car_co2_standards"])
    start = car_sales_mix(country)
    car_sales = {y: sales_mix(bev[y], start.shares) for y in years}
    bus, bus_note = bus_zero_emission_path(country, years, on["bus_zero_emission"])
    grid, grid_note, frozen = grid_path(grid_country, years, on["grid_projection"])
    price, price_note = ets2_path(country, years, on["ets2"])
    freight, freight_note = freight_zero_emission_path(  # from 2024: the stock's start
        country, range(min(2024, years[0]), years[-1] + 1), on["freight_co2_standards"])
    notes = {"car_co2_standards": car_note, "bus_zero_emission": bus_note,
             "grid_projection": grid_note, "ets2": price_note,
             "vehicle_efficiency": ("each new vintage uses less energy per km than the one "
                                    "before (fleet.*.efficiency_gain, fleet_parameters.csv)"
                                    if on["vehicle_efficiency"] else
                                    "every vintage at the base-year factor: element switched off"),
             "car_sales_start": start.note, "freight_co2_standards": freight_note}
    return ReferenceCase(country=country, grid_country=grid_country, elements=on,
                         car_sales=car_sales, bus_zero_emission=bus, grid_gco2e_per_kwh=grid,
                         carbon_price_eur_per_t=price, car_fleet=car_fleet_mix(country),
                         bus=bus_shares(country), grid_frozen=frozen, notes=notes,
                         freight_zero_emission=freight)


__all__ = ["ELEMENTS", "MixEstimate", "ReferenceCase", "bus_zero_emission_path", "car_bev_path",
           "ets2_path", "freight_zero_emission_path", "grid_path", "reference_case",
           "resolve_elements"]
