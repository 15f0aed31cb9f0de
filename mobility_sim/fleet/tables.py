"""Cached access to the packaged fleet and emission tables (``mobility_sim/data``).

Every value in these tables carries its source; this module only reads and indexes them.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from ..data import emission_factors, fleet_defaults, read_table

#: Car powertrains and the fuel whose Euro classes (NOx, exhaust PM) apply to each.
CAR_FUEL: dict[str, str | None] = {"petrol": "petrol", "diesel": "diesel", "hev": "petrol",
                                   "phev": "petrol", "bev": None}
#: Car powertrains; ``bev`` drives the demand model's electric alternative, the others the
#: combustion one.
CAR_POWERTRAINS: tuple[str, ...] = ("petrol", "diesel", "hev", "phev", "bev")
#: Combustion car powertrains.
ICE_POWERTRAINS: tuple[str, ...] = ("petrol", "diesel", "hev", "phev")
#: Bus powertrains.
BUS_POWERTRAINS: tuple[str, ...] = ("diesel", "cng", "bev")
#: Bus powertrains and the fuel whose Euro classes apply.
BUS_FUEL: dict[str, str | None] = {"diesel": "diesel", "cng": "cng", "bev": None}


@cache
def _factors() -> dict[tuple[str, str, str], float]:
    table = emission_factors()
    return {(r.mode, r.powertrain, r.quantity): float(r.value) for r in table.itertuples()}


def factor(vehicle: str, powertrain: str, quantity: str) -> float:
    """Return one value of ``emission_factors.csv`` (0.0 when the table has no such row).

    A row with powertrain ``all`` applies to every powertrain of the vehicle class.

    Parameters
    ----------
    vehicle : str
        The table's ``mode`` column: ``car``, ``bus``, ``tram``, ``metro``, ``ebike``, ``pt``.
    powertrain : str
        E.g. ``petrol``, ``bev``, ``diesel``, ``electric``.
    quantity : str
        E.g. ``ttw``, ``wtt``, ``kwh``, ``fuel_l``, ``gas_kg``, ``pm25_tyre``.
    """
    table = _factors()
    if (vehicle, powertrain, quantity) in table:
        return table[vehicle, powertrain, quantity]
    return table.get((vehicle, "all", quantity), 0.0)


@cache
def euro_table() -> pd.DataFrame:
    """Euro classes: ``vehicle, fuel, euro, euro_number, from_year, pollutant, value, unit``."""
    return read_table("euro_standards.csv").sort_values(["vehicle", "fuel", "from_year"])


@cache
def _shares(kind: str, powertrains: tuple[str, ...]) -> tuple[float, ...]:
    table = fleet_defaults()
    rows = table[table["kind"] == kind].set_index("powertrain")["share"].astype(float)
    if rows.empty:
        raise KeyError(f"fleet_defaults.csv has no rows of kind {kind!r}")
    total = float(sum(rows.get(p, 0.0) for p in powertrains))
    return tuple(float(rows.get(p, 0.0)) / total for p in powertrains)


def shares(kind: str, powertrains: tuple[str, ...]) -> dict[str, float]:
    """Shares of one ``kind`` of ``fleet_defaults.csv`` renormalised over ``powertrains``."""
    return dict(zip(powertrains, _shares(kind, tuple(powertrains)), strict=True))
