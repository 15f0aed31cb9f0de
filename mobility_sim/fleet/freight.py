"""Vans and lorries: urban freight and service traffic, their fleets and their emissions.

The demand model has no goods trips. Freight traffic is set from the city's car traffic:

- **How much.** Each class's vehicle-km per car vehicle-km on the city's roads: the country's
  published shares of motor traffic (``freight_traffic.csv``: van, lorry and car shares of the
  same year, or their vehicle-km), else the median of the countries that publish them; a city
  with its own published shares (London, Paris) scales its country's ratio by its own share over
  the country's. The ratio is applied to the territorial car vehicle-km of the run's first year
  without measures (residents' and non-residents' car traffic inside the grid), so the base
  year's freight does not follow passenger measures. It then grows by
  ``freight.growth_per_year`` (an all-traffic projection).
- **Where.** Over the cells in proportion to jobs plus residents (the size term of non-commute
  trips; an assumption): a measure on an area acts on the area's share of it.
- **Which vehicles.** The zero-emission share of each class's stock follows its new sales
  (the reference case's EU van and heavy-duty CO2 standards, or an ``electric_vans`` measure)
  with exponential turnover at ``freight.*_turnover`` per year, from the stock of 2024 built up
  from published EU sales shares since 2019.
- **Measures.** ``cargo_bikes`` move a share of the area's van-km to (electric) cargo bikes, one
  km for one km; ``consolidation_centre`` removes the served share of the area's van and lorry
  km times the centre's reduction; a zero-emission zone (``low_emission_zone`` without
  ``min_euro``) has the complying share of the area's diesel van and lorry km driven by
  zero-emission vehicles. Cordon charges and parking prices are not passed on to freight volumes:
  freight answers a charge far less than cars (Stockholm's trial: heavy traffic across the
  cordon -1 % against -28 % for all traffic; London's charge, first six months: vans and
  lorries entering -20 % against cars -38 %; ``freight_evidence.csv``), so the freight's
  response is left out (an upper bound on the charged freight's km), while the vans and
  lorries entering pay the charge in the appraisal
  (:mod:`mobility_sim.economics.rules`). Delivery windows (``delivery_window``) move
  freight km between hours, not their amount: they act on the road traffic
  (:meth:`mobility_sim.model.traffic.RoadNetwork.freight_load`).

Classes: vans, rigid and articulated lorries (the lorry traffic split by the one published
national split, the Netherlands'; an assumption elsewhere). Emission factors are
``emission_factors.csv``'s ``van``, ``lorry_rigid`` and ``lorry_articulated`` rows (DESNZ 2025
fleet averages, average laden) with non-exhaust PM2.5 (EMEP/EEA Tier 1 as in Germany's
inventory); exhaust NOx and PM2.5 of diesel vans and lorries come from COPERT's speed curves
at the year's speed on the freight's cells (Euro 6 a/b/c vans, Euro VI lorries, the newest
classes read: a lower bound for fleets with older vehicles;
:func:`mobility_sim.fleet.speed_factors.freight_exhaust`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from ..data import read_table
from ..data.typed_parameters import ModelParameters
from .speed_factors import freight_energy_multipliers, freight_exhaust, with_multipliers
from .tables import factor

#: Freight vehicle classes: light commercial vehicles (N1, up to 3.5 t), rigid and articulated
#: lorries (HGVs above 3.5 t).
FREIGHT_VEHICLES: tuple[str, ...] = ("van", "lorry_rigid", "lorry_articulated")
#: The fleet (sales rules, turnover) each class belongs to.
FLEET_OF: dict[str, str] = {"van": "van", "lorry_rigid": "lorry", "lorry_articulated": "lorry"}
#: Their powertrains: combustion (diesel) and zero-emission (battery-electric).
FREIGHT_POWERTRAINS: tuple[str, ...] = ("diesel", "bev")
#: Cities with their own published freight shares of motor traffic: (country rows' city slug).
_CITY_SHARES = ("london", "paris")


@dataclass(frozen=True)
class FreightRatios:
    """Vehicle-km of each freight class per car vehicle-km, with where they come from.

    ``lorry`` is rigid and articulated lorries together; ``rigid_share`` their rigid part.
    """

    van: float
    lorry: float
    source: str
    rigid_share: float = 1.0

    def of(self, vehicle: str) -> float:
        """Return the ratio of a class of :data:`FREIGHT_VEHICLES` (or ``lorry``)."""
        if vehicle == "lorry_rigid":
            return self.lorry * self.rigid_share
        if vehicle == "lorry_articulated":
            return self.lorry * (1.0 - self.rigid_share)
        return float(getattr(self, vehicle))


def _usable(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["status"].isin(["published", "derived"]) & table["value"].notna()]


@cache
def _country_ratios() -> dict[str, tuple[float, float, str]]:
    """Return (van per car vkm, lorry per car vkm, how) of each country publishing both.

    Shares of motor traffic before vehicle-km totals; the latest year with all three classes.
    """
    table = _usable(read_table("freight_traffic.csv"))
    out: dict[str, tuple[float, float, str]] = {}
    for iso3, rows in table.groupby("iso3"):
        found = None
        for quantity, how in (("vkm_share_all_traffic", "shares of motor traffic"),
                              ("vkm_total", "vehicle-km, billion")):
            groups = rows[rows["quantity"] == quantity].groupby("year")
            for year, group in sorted(groups, key=lambda g: g[0], reverse=True):  # latest
                by = group.set_index("vehicle")["value"]
                if found is None and {"van", "lorry_all", "car"} <= set(by.index):
                    found = (by["van"] / by["car"], by["lorry_all"] / by["car"],
                             f"{iso3} {how} {int(year)} (van {by['van']:.3g}, lorry "
                             f"{by['lorry_all']:.3g}, car {by['car']:.3g})")
        if found is not None:
            out[str(iso3)] = (float(found[0]), float(found[1]), found[2])
    return out


@cache
def _city_factors() -> dict[str, tuple[float, float, str]]:
    """Return the published city shares over the country's: (van factor, lorry factor, how)."""
    table = _usable(read_table("freight_traffic.csv"))
    city = table[table["quantity"] == "city_traffic_share"]
    national = table[table["quantity"] == "vkm_share_all_traffic"]
    out: dict[str, tuple[float, float, str]] = {}
    for slug in _CITY_SHARES:
        rows = city[city["definition"].str.contains(f"city slug = {slug}", regex=False)]
        if rows.empty:
            continue
        iso3 = str(rows["iso3"].iloc[0])
        nat = national[national["iso3"] == iso3]
        if nat.empty:
            continue
        nat_by = nat[nat["year"] == nat["year"].max()].set_index("vehicle")["value"]
        complete = [(int(y), g.set_index("vehicle")["value"]) for y, g in rows.groupby("year")
                    if {"van", "lorry_all"} <= set(g["vehicle"]) or "van_and_lorry" in
                    set(g["vehicle"])]
        if not complete:
            continue
        year, by = max(complete, key=lambda item: item[0])
        if "van" in by and "lorry_all" in by:
            van, lorry = by["van"] / nat_by["van"], by["lorry_all"] / nat_by["lorry_all"]
            how = (f"{slug}'s own shares {year} (van {by['van']:.0%}, lorry "
                   f"{by['lorry_all']:.1%}) over {iso3}'s")
        else:
            van = lorry = by["van_and_lorry"] / (nat_by["van"] + nat_by["lorry_all"])
            how = (f"{slug}'s own share {year} (vans and lorries {by['van_and_lorry']:.0%}) over "
                   f"{iso3}'s")
        out[slug] = (float(van), float(lorry), how)
    return out


def freight_ratios(country: str, city: str = "") -> FreightRatios:
    """Van and lorry vehicle-km per car vehicle-km of a city (see the module docstring)."""
    countries = _country_ratios()
    if country in countries:
        van, lorry, how = countries[country]
    else:
        van = float(np.median([v[0] for v in countries.values()]))
        lorry = float(np.median([v[1] for v in countries.values()]))
        how = (f"median of the {len(countries)} countries publishing van, lorry and car traffic "
               f"({', '.join(sorted(countries))}): no like-for-like figures for {country}")
    if city in _city_factors():
        fv, fl, city_how = _city_factors()[city]
        van, lorry, how = van * fv, lorry * fl, f"{how}, scaled by {city_how}"
    rigid, rigid_how = _rigid_share(country)
    return FreightRatios(van=van, lorry=lorry, rigid_share=rigid,
                         source=f"freight_traffic.csv: {how}; national shares applied to the "
                                "city's car traffic (an assumption where no city share is "
                                f"published); rigid lorries {rigid:.1%} of lorry-km: {rigid_how}")


@cache
def _rigid_shares() -> dict[str, tuple[float, str]]:
    """Return each country's published rigid share of lorry vehicle-km, and how."""
    table = _usable(read_table("freight_traffic.csv"))
    rows = table[(table["quantity"] == "vkm_total")
                 & table["vehicle"].isin(["lorry_rigid", "lorry_articulated"])]
    out: dict[str, tuple[float, str]] = {}
    for (iso3, year), group in rows.groupby(["iso3", "year"]):
        by = group.set_index("vehicle")["value"]
        if {"lorry_rigid", "lorry_articulated"} <= set(by.index):
            total = by["lorry_rigid"] + by["lorry_articulated"]
            out[str(iso3)] = (float(by["lorry_rigid"] / total),
                              f"{iso3} {int(year)} (rigid {by['lorry_rigid']:.2f}, articulated "
                              f"{by['lorry_articulated']:.2f} billion vkm)")
    return out


def _rigid_share(country: str) -> tuple[float, str]:
    shares = _rigid_shares()
    if country in shares:
        return shares[country]
    if not shares:
        return 0.5, "assumption: no country publishes the split"
    value = float(np.median([v[0] for v in shares.values()]))
    where = "; ".join(v[1] for v in shares.values())
    return value, (f"the only published national split(s), {where}, applied to {country} (an "
                   "assumption; national lorry traffic is more articulated than a city's)")


@cache
def _sales_history() -> dict[str, dict[int, float]]:
    """Return the published EU zero-emission shares of new vans before 2024."""
    table = _usable(read_table("freight_evidence.csv"))
    rows = table[(table["quantity"] == "new_sales_share_bev")
                 & table["vehicle"].isin(["van_ev", "van_bev"])]
    van = {int(r.year): float(r.value) for r in rows.itertuples() if int(r.year) < 2024}
    return {"van": van, "lorry": {}}


def freight_stock_shares(calendar: Sequence[int], sales: Mapping[str, Mapping[int, float]],
                         p: Mapping[str, float]) -> dict[int, dict[str, float]]:
    """Zero-emission share of the van and lorry stocks in each calendar year.

    ``share(y) = share(y-1) (1 - r) + sales(y) r`` with ``r`` the class's turnover rate
    (``freight.van_turnover``, ``freight.lorry_turnover``), from 0 in 2018 through the published
    EU van sales shares of 2019-2023 (lorries: a straight line from 0 in 2018 to their 2024
    share, an assumption) and the given sales from 2024 on.
    """
    mp = ModelParameters.of(p).freight
    rate = {"van": mp.van_turnover, "lorry": mp.lorry_turnover}
    history = _sales_history()
    out: dict[int, dict[str, float]] = {y: {} for y in calendar}
    for vehicle in ("van", "lorry"):
        path = dict(sales[vehicle])
        first = min(path)
        share = 0.0
        r = rate[vehicle]
        for year in range(2019, calendar[-1] + 1):
            if year in path:
                new = path[year]
            elif year > first:
                new = path[max(y for y in path if y < year)]
            elif vehicle == "van" and year in history["van"]:
                new = history["van"][year]
            else:
                start = path[first]
                new = start * (year - 2018) / max(first - 2018, 1)
            share = share * (1.0 - r) + new * r
            if year in out:
                out[year][vehicle] = share
    return out


def freight_weights(jobs: np.ndarray, population: np.ndarray, p: Mapping[str, float]
                    ) -> np.ndarray:
    """Each cell's share of the freight traffic: jobs plus weighted residents (sums to 1)."""
    w = np.asarray(jobs, float) + ModelParameters.of(p).size.other_pop_weight * np.asarray(
        population, float)
    total = w.sum()
    return w / total if total > 0 else np.full(w.size, 1.0 / max(w.size, 1))


@dataclass(frozen=True)
class FreightActivity:
    """One year's freight traffic on the city's roads (annual).

    Attributes
    ----------
    vkm : dict of str to dict of str to float
        Vehicle-km by class (:data:`FREIGHT_VEHICLES`) and powertrain (``diesel``, ``bev``).
    cargo_bike_km : float
        Km driven by cargo bikes instead of vans.
    """

    vkm: dict[str, dict[str, float]]
    cargo_bike_km: float

    def total(self) -> float:
        """All van and lorry vehicle-km."""
        return float(sum(sum(v.values()) for v in self.vkm.values()))


def freight_growth(years_since_base: int, p: Mapping[str, float]) -> float:
    """Van and lorry traffic of a year over the run's first year's, before any measure.

    ``(1 + freight.growth_per_year) ^ years`` (an all-traffic projection).
    """
    rate = ModelParameters.of(p).freight.growth_per_year
    return (1.0 + rate) ** max(years_since_base, 0)


def _area_share(weights: np.ndarray, lever: np.ndarray | None) -> float:
    return 0.0 if lever is None else float((weights * np.asarray(lever, float)).sum())


def freight_activity(base_vkm: Mapping[str, float], years_since_base: int,
                     stock_ze: Mapping[str, float], weights: np.ndarray,
                     p: Mapping[str, float], *, cargo_bike: np.ndarray | None = None,
                     consolidation: np.ndarray | None = None,
                     zero_emission_zone: np.ndarray | None = None) -> FreightActivity:
    """Freight vehicle-km of one year by class and powertrain, the year's measures applied.

    Parameters
    ----------
    base_vkm : mapping of str to float
        Annual vehicle-km of each class of :data:`FREIGHT_VEHICLES` in the base year.
    years_since_base : int
        Years of growth at ``freight.growth_per_year``.
    stock_ze : mapping of str to float
        Zero-emission share of the ``van`` and ``lorry`` stocks (:func:`freight_stock_shares`).
    weights : ndarray, shape (N,)
        Each cell's share of the freight (:func:`freight_weights`).
    p : mapping
        The run's parameters.
    cargo_bike, consolidation, zero_emission_zone : ndarray, shape (N,), optional
        Per cell: share of van-km moved to cargo bikes; share of van and lorry km removed by
        consolidation; share of diesel van and lorry km driven zero-emission (compliance).
    """
    growth = freight_growth(years_since_base, p)
    consolidated = _area_share(weights, consolidation)
    zone = _area_share(weights, zero_emission_zone)
    moved = _area_share(weights, cargo_bike)
    out: dict[str, dict[str, float]] = {}
    cargo_km = 0.0
    for vehicle in FREIGHT_VEHICLES:
        km = float(base_vkm[vehicle]) * growth * (1.0 - consolidated)
        if vehicle == "van":
            cargo_km = km * moved
            km -= cargo_km
        ze = float(stock_ze[FLEET_OF[vehicle]])
        ze = ze + (1.0 - ze) * zone
        out[vehicle] = {"diesel": km * (1.0 - ze), "bev": km * ze}
    return FreightActivity(vkm=out, cargo_bike_km=cargo_km)


def freight_factors(vehicle: str, speed_kmh: float | None = None,
                    base_speed_kmh: float | None = None) -> dict[str, dict[str, float]]:
    """Per-vkm factors of a freight class by powertrain (``emission_factors.csv``).

    With ``speed_kmh`` (the average speed of the class on the city's roads), diesel vehicles
    also get exhaust NOx and PM2.5 from COPERT's curves
    (:func:`mobility_sim.fleet.speed_factors.freight_exhaust`); with ``base_speed_kmh`` too
    (the same average at the base year's speeds), the energy factors (fuel, electricity, CO2)
    change by COPERT's energy curve between the two
    (:func:`mobility_sim.fleet.speed_factors.freight_energy_multipliers`).
    """
    quantities = ("ttw", "wtt", "kwh", "fuel_l", "pm25_tyre", "pm25_brake", "pm25_road")
    out = {pt: {q: factor(vehicle, pt, q) for q in quantities} for pt in FREIGHT_POWERTRAINS}
    if speed_kmh is not None:
        out["diesel"].update(freight_exhaust(vehicle, speed_kmh))
        if base_speed_kmh is not None:
            out = with_multipliers(out, freight_energy_multipliers(vehicle, speed_kmh,
                                                                   base_speed_kmh))
    return out
