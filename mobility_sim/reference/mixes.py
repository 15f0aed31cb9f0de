"""A country's car sales mix, car fleet mix and bus shares from the packaged country tables.

The country tables (``country_new_car_sales.csv``, ``country_car_fleet.csv``,
``country_bus_fleet.csv``) hold what was published, often part of a mix (the battery-electric
share only, or "all hybrids" as one group). :func:`complete_mix` turns such a partial mix into
shares of the model's powertrains by one stated rule:

1. the published shares of the model's powertrains are kept;
2. a published group (``hybrid_hev_phev``, ``petrol_diesel``, ``plugin_bev_phev``) is split over
   its members that were not published, in the proportions of the EU mix;
3. the rest (1 minus everything kept) goes to the powertrains still missing, in the
   proportions of the EU mix; ``other`` (LPG, CNG, E85, hydrogen) counts as petrol, as in the
   EU default (``fleet_defaults.csv``);
4. shares are renormalised to sum to 1.

Every estimate says which shares were published and which were filled in, and from which
year and source; a country with nothing published gets the EU mix, labelled as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import pandas as pd

from ..data import read_table
from ..fleet.tables import BUS_POWERTRAINS, CAR_POWERTRAINS, shares

#: Published groups and the model powertrains they are made of.
GROUPS: dict[str, tuple[str, ...]] = {
    "hybrid_hev_phev": ("hev", "phev"),
    "petrol_diesel": ("petrol", "diesel"),
    "plugin_bev_phev": ("bev", "phev"),
}


@dataclass(frozen=True)
class MixEstimate:
    """Shares by powertrain for one country, with what was published and what was filled in.

    Attributes
    ----------
    country : str
        ISO3 code (``EU27`` for the EU default).
    year : int or None
        Year of the published figures (None: the EU default was used).
    shares : dict of str to float
        Shares of the model's powertrains, summing to 1.
    published : tuple of str
        Powertrains (or groups) whose share was published for ``country`` and ``year``.
    source : str
        Where the published shares come from (the first source of the rows used).
    note : str
        How the mix was made, in words (shown with the results).
    """

    country: str
    year: int | None
    shares: dict[str, float]
    published: tuple[str, ...]
    source: str
    note: str

    @property
    def is_national(self) -> bool:
        """True when at least one share was published for the country."""
        return bool(self.published)


def complete_mix(known: Mapping[str, float], groups: Mapping[str, float],
                 fallback: Mapping[str, float],
                 powertrains: tuple[str, ...] = CAR_POWERTRAINS) -> dict[str, float]:
    """Complete a partial mix by the rule of the module docstring.

    Parameters
    ----------
    known : mapping of str to float
        Published shares of model powertrains (``other`` is added to petrol).
    groups : mapping of str to float
        Published shares of groups (keys of :data:`GROUPS`).
    fallback : mapping of str to float
        The EU mix whose proportions fill the gaps.
    powertrains : tuple of str
        The model's powertrains.

    Returns
    -------
    dict of str to float
        Shares summing to 1.
    """
    other = float(known.get("other", 0.0)) if "petrol" in powertrains else 0.0
    mix = {name: float(value) for name, value in known.items() if name in powertrains}
    for group, value in groups.items():
        members = [p for p in GROUPS.get(group, ()) if p in powertrains and p not in mix]
        covered = sum(mix.get(p, 0.0) for p in GROUPS.get(group, ()) if p in mix)
        rest = max(float(value) - covered, 0.0)
        weights = {p: fallback.get(p, 0.0) for p in members}
        total = sum(weights.values())
        for p in members:
            mix[p] = rest * (weights[p] / total if total > 0 else 1.0 / len(members))
    missing = [p for p in powertrains if p not in mix]
    rest = max(1.0 - sum(mix.values()) - other, 0.0)
    weights = {p: fallback.get(p, 0.0) for p in missing}
    total = sum(weights.values())
    for p in missing:
        mix[p] = rest * (weights[p] / total if total > 0 else 1.0 / len(missing))
    if other:
        mix["petrol"] = mix.get("petrol", 0.0) + other
    total = sum(mix.values())
    return {p: mix[p] / total for p in powertrains}


def _latest_mix(table: pd.DataFrame, country: str, fallback: Mapping[str, float],
                what: str, year_column: str = "year") -> MixEstimate:
    """Return the latest year of ``country`` with a published battery-electric share."""
    rows = table[(table["iso3"] == country) & table["share"].notna()]
    bev_years = sorted(rows.loc[rows["powertrain"] == "bev", year_column].unique())
    if not bev_years:
        return MixEstimate("EU27", None, dict(fallback), (), "",
                           f"{what}: no published figure for {country}; the EU average is used")
    year = int(bev_years[-1])
    part = rows[rows[year_column] == year]
    if "exclusive" in part.columns:
        part = part[part["exclusive"].astype(str).str.lower().isin(("true", "1"))
                    | part["powertrain"].isin(list(GROUPS))]
    part = part.drop_duplicates("powertrain", keep="first")
    known = {r.powertrain: float(r.share) for r in part.itertuples()
             if r.powertrain in (*CAR_POWERTRAINS, "other")}
    groups = {r.powertrain: float(r.share) for r in part.itertuples() if r.powertrain in GROUPS}
    mix = complete_mix(known, groups, fallback)
    published = tuple(sorted({*known, *groups}))
    filled = [p for p in CAR_POWERTRAINS if p not in known
              and not any(p in GROUPS[g] for g in groups)]
    note = (f"{what}: {country} {year}, published: {', '.join(published)}"
            + (f"; filled in with EU proportions: {', '.join(filled)}" if filled else ""))
    return MixEstimate(country, year, mix, published, str(part.iloc[0]["source"]), note)


@cache
def _sales_table() -> pd.DataFrame:
    table = read_table("country_new_car_sales.csv")
    norway = read_table("norway_new_car_sales.csv").assign(iso3="NOR")
    return pd.concat([table, norway], ignore_index=True)


@cache
def _fleet_table() -> pd.DataFrame:
    table = read_table("country_car_fleet.csv")
    norway = read_table("norway_car_fleet.csv").assign(iso3="NOR")
    return pd.concat([table, norway], ignore_index=True)


def eu_sales_mix() -> dict[str, float]:
    """EU new-car sales 2023 by powertrain (Eurostat, ``fleet_defaults.csv``)."""
    return shares("sales_2023", CAR_POWERTRAINS)


def eu_fleet_mix() -> dict[str, float]:
    """EU car fleet 2024 by powertrain (ACEA, ``fleet_defaults.csv``)."""
    return shares("fleet_2024", CAR_POWERTRAINS)


@cache
def car_sales_mix(country: str) -> MixEstimate:
    """Return the latest published new-car sales mix, completed (EU average if none)."""
    return _latest_mix(_sales_table(), country, eu_sales_mix(), "new-car sales")


@cache
def car_fleet_mix(country: str) -> MixEstimate:
    """Return the latest published car fleet mix, completed (EU average if none)."""
    return _latest_mix(_fleet_table(), country, eu_fleet_mix(), "car fleet")


@dataclass(frozen=True)
class BusShares:
    """Zero-emission shares of a country's buses.

    Attributes
    ----------
    fleet : MixEstimate
        The bus fleet by powertrain (``diesel``, ``cng``, ``bev``).
    new_zero_emission : float
        Zero-emission share of new city buses in ``new_year``.
    new_year : int or None
        Year of that share (None: the EU figure was used).
    new_note : str
        Where the new-bus share comes from.
    """

    fleet: MixEstimate
    new_zero_emission: float
    new_year: int | None
    new_note: str


@cache
def _bus_table() -> pd.DataFrame:
    return read_table("country_bus_fleet.csv")


def _bus_value(country: str, metric: str) -> tuple[int, float, str] | None:
    table = _bus_table()
    rows = table[(table["iso3"] == country) & (table["metric"] == metric)
                 & table["value"].notna() & (table["status"] == "published")]
    if rows.empty:
        return None
    row = rows.sort_values("year").iloc[-1]
    return int(row["year"]), float(row["value"]), str(row["source"])


@cache
def bus_shares(country: str) -> BusShares:
    """Return the bus fleet and the zero-emission share of new city buses of a country.

    The fleet: the published battery-electric share of the registered bus fleet (ACEA), the
    rest split as the EU default (``bus_fleet_2024``); else the EU default. New city buses: the
    country's published zero-emission share of new city-bus registrations (Transport &
    Environment), else the EU figure.
    """
    fallback = shares("bus_fleet_2024", BUS_POWERTRAINS)
    found = _bus_value(country, "fleet_bev_share")
    if found is None:
        fleet = MixEstimate("EU27", None, dict(fallback), (), "",
                            f"bus fleet: no published figure for {country}; the EU average "
                            "is used")
    else:
        year, value, source = found
        mix = complete_mix({"bev": value}, {}, fallback, BUS_POWERTRAINS)
        fleet = MixEstimate(country, year, mix, ("bev",), source,
                            f"bus fleet: {country} {year}, battery-electric share published; "
                            "diesel and CNG split as the EU default")
    new = _bus_value(country, "new_city_bus_zero_emission_share")
    if new is None:
        year, value, source = _bus_value("EU27", "new_city_bus_zero_emission_share") or (
            2024, shares("bus_sales_2023", BUS_POWERTRAINS)["bev"], "fleet_defaults.csv")
        return BusShares(fleet, value, None,
                         f"new city buses: no published figure for {country}; the EU "
                         f"{year} share ({value:.0%}) is used")
    year, value, source = new
    return BusShares(fleet, value, year,
                     f"new city buses: {country} {year}, {value:.0%} zero-emission ({source})")
