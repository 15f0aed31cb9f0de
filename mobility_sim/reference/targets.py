"""Targets as cities state them: a cut against a base year, anchored to published inventories.

A city's target ("-55 % by 2030 against 1990", "climate neutrality by 2030 with 20 % residual
emissions offset") is measured against emissions in a base year that usually lies before the
model's first simulated year. Targets use the model's main scope (the residents' passenger
trips, whole, and public transport service), not the city's inventory's, so the inventory's
tonnes cannot be compared with the model's directly; what carries over is the *change* since
the base year.
The base-year emissions on the model's own scope are therefore

    E_model(base) = E_model(first simulated year, reference case) x index(base -> latest)

where the index is, in order of preference:

1. **city inventory**: the ratio of two figures of one series of the city's own inventory
   (``inventory`` in ``city.yaml``): the base year and the latest year of that series;
2. **national backcast**: the ratio of the country's road-transport emissions (UNFCCC
   inventory, CRF 1.A.3.b, ``national_road_transport_ghg.csv``) in the base year and in the
   series' latest year (2019), assuming the city's emissions changed like the country's road
   transport and did not change between that year and the first simulated year.

A base year that is a simulated year uses the run's own value ("modelled"). Every anchored
target says which method it used, from which figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ..data import read_table

#: The national series used for backcasts.
NATIONAL_CATEGORY = "1.A.3.b"


class _Target(Protocol):
    name: str
    kind: str
    year: int
    base_year: int | None
    metric: str
    residual_share: float

    @property
    def cut(self) -> float: ...

    @property
    def label(self) -> str: ...


@cache
def _national() -> pd.DataFrame:
    table = read_table("national_road_transport_ghg.csv")
    return table[(table["category"] == NATIONAL_CATEGORY) & table["value"].notna()
                 & (table["unit"].astype(str).str.startswith("kt"))]


def national_series(country: str) -> list[tuple[int, float]]:
    """Return the road-transport GHG (kt CO2e) by year of the UNFCCC inventory series."""
    table = _national()
    rows = table[(table["iso3"] == country)]
    if "status" in rows.columns:
        rows = rows[rows["status"].isin(("published", "derived"))]
    source = rows["source"].astype(str)
    if len(rows):
        first = source.iloc[0]
        rows = rows[source == first]  # one consistent series
    return sorted((int(r.year), float(r.value)) for r in rows.itertuples())


def national_source(country: str) -> str:
    """Return the source of :func:`national_series` for ``country`` (empty if none)."""
    rows = _national()[_national()["iso3"] == country]
    return str(rows["source"].iloc[0]) if len(rows) else ""


def inventory_index(inventory: Sequence[Any], base_year: int) -> tuple[float, str] | None:
    """Ratio base year / latest year within one series of the city's inventory figures.

    Returns None when no series has a figure for the base year and a later one.
    """
    series: dict[str, list[Any]] = {}
    for figure in inventory:
        series.setdefault(figure.series or figure.scope, []).append(figure)
    for name, figures in sorted(series.items()):
        base = [f for f in figures if f.year == base_year]
        later = sorted((f for f in figures if f.year > base_year), key=lambda f: f.year)
        if base and later:
            latest = later[-1]
            return (base[0].value_t / latest.value_t,
                    f"city inventory '{name}': {base[0].value_t:,.0f} t in {base_year}, "
                    f"{latest.value_t:,.0f} t in {latest.year} ({base[0].source})")
    return None


def national_index(country: str, base_year: int) -> tuple[float, str] | None:
    """Ratio of national road-transport GHG in the base year to the series' latest year.

    Between the series' years the value is interpolated linearly; None when the base year is
    outside the series or the country has none.
    """
    points = national_series(country)
    if len(points) < 2 or not points[0][0] <= base_year <= points[-1][0]:
        return None
    years = [p[0] for p in points]
    values = [p[1] for p in points]
    base = float(np.interp(base_year, years, values))
    latest_year, latest = points[-1]
    return (base / latest,
            f"national backcast: {country}'s road-transport GHG (UNFCCC inventory, CRF "
            f"{NATIONAL_CATEGORY}) {base:,.0f} kt in {base_year} and {latest:,.0f} kt in "
            f"{latest_year}; assumes the city's emissions changed like the country's road "
            f"transport and held from {latest_year} to the first simulated year "
            f"({national_source(country)})")


def anchor_problem(target: _Target, first_year: int, inventory: Sequence[Any],
                   country: str) -> str | None:
    """Why a target's base year cannot be anchored (None when it can)."""
    base = target.base_year if target.base_year is not None else first_year
    if base >= first_year:
        return None
    if inventory_index(inventory, base) or national_index(country, base):
        return None
    points = national_series(country)
    span = f"{points[0][0]}-{points[-1][0]}" if points else "none"
    return (f"base year {base} is before the first simulated year ({first_year}) and cannot be "
            f"anchored: the city's inventory (city.yaml 'inventory') has no figure for {base} "
            f"and a later year of the same series, and {country}'s national road-transport "
            f"series covers {span}; add the city's inventory figures or use a base year in "
            "that span")


def anchor_targets(targets: Sequence[_Target], city: Any, reference: pd.DataFrame,
                   scenario: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    """Each target with its base-year emissions on the model's scope and how they were found.

    Parameters
    ----------
    targets : sequence of Target
        The scenario's targets.
    city : City
        The city (its ``meta.inventory`` and ``meta.country``).
    reference : DataFrame
        The reference case's summary (``year`` and the metric columns).
    scenario : DataFrame, optional
        The scenario's summary (used when the base year is a simulated year; default:
        ``reference``).

    Returns
    -------
    list of dict
        ``name, kind, year, reduction, residual_share, base_year, metric,
        base_emissions_t, target_emissions_t, base_method, base_note, inventory``.
    """
    scenario = reference if scenario is None else scenario
    first = int(reference["year"].min())
    inventory = list(getattr(city.meta, "inventory", []) or [])
    out = []
    for t in targets:
        column = f"{t.metric}_t"
        base_year = t.base_year if t.base_year is not None else first
        e_first = float(reference.loc[reference["year"] == first, column].iloc[0])
        if base_year >= first:
            rows = scenario.loc[scenario["year"] == base_year, column]
            base_t = float(rows.iloc[0]) if len(rows) else None
            method, note = "modelled", f"the run's own {base_year} value"
        else:
            found = inventory_index(inventory, base_year)
            method = "city inventory"
            if found is None:
                found = national_index(city.meta.country, base_year)
                method = "national backcast"
            if found is None:
                base_t, method, note = None, "not anchored", anchor_problem(
                    t, first, inventory, city.meta.country) or ""
            else:
                index, note = found
                base_t = e_first * index
                note = (f"{first} reference-case emissions ({e_first:,.0f} t) x "
                        f"{index:.3f}: {note}")
        out.append({
            "name": t.label, "kind": t.kind, "year": int(t.year), "reduction": float(t.cut),
            "residual_share": float(t.residual_share), "base_year": int(base_year),
            "metric": t.metric, "base_emissions_t": base_t,
            "target_emissions_t": None if base_t is None else base_t * (1.0 - t.cut),
            "base_method": method, "base_note": note,
            "inventory": [f.model_dump() for f in inventory]})
    return out
