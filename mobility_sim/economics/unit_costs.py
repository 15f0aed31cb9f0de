"""Published unit costs of measures, brought to one price base and to the country's price level.

``mobility_sim/data/measure_unit_costs.csv`` holds the evidence: one row per published figure
(value, unit, currency, price year, where it was measured, what it includes, the source), or an
``assumption`` / ``not_found`` row. A row's ``rule_key`` says which input of a cost rule
(:mod:`.rules`) it informs. The value a rule uses is the **median** of the published figures
of its key (``found`` or ``derived`` rows), each converted to EUR of
:data:`~.prices.PRICE_YEAR` and divided by the price level of the country where it was
measured (column ``iso3``; EU-wide figures, and countries without a published index, at the
EU27 level), then multiplied by the price level of the city's country; only when no figure
was found does an ``assumption`` row stand in (and the text says so). No figure is chosen by
hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from ..data import read_table
from .prices import PRICE_YEAR, Prices, Value

#: Units of a count or share: no currency, no price level.
PLAIN_UNITS = ("years", "year", "share", "-", "kW", "km", "bikes", "cameras", "min")


@cache
def evidence() -> pd.DataFrame:
    """Return the unit-cost evidence table (every row, ``not_found`` included)."""
    return read_table("measure_unit_costs.csv")


@dataclass(frozen=True)
class _Figure:
    eu_value: float  # EUR of PRICE_YEAR at the EU27 price level (or the plain number)
    label: str


class UnitCosts:
    """The rule inputs of one country: :meth:`get` returns a value with its provenance."""

    def __init__(self, iso3: str, prices: Prices | None = None) -> None:
        self.iso3 = iso3
        self.prices = prices or Prices.load()
        self.level = self.prices.price_level(iso3)

    @classmethod
    @cache
    def for_country(cls, iso3: str) -> UnitCosts:
        """Return the unit costs at ``iso3``'s price level (cached)."""
        return cls(iso3)

    @staticmethod
    def _plain(row: pd.Series) -> bool:
        """Whether a row is a count, share or life (no currency, no price level)."""
        currency = row.get("currency")
        return (str(row["unit"]).startswith(PLAIN_UNITS) or pd.isna(currency)
                or str(currency) in ("", "nan", "-"))

    def _figure(self, row: pd.Series) -> _Figure:
        value = float(row["value"])
        where = f"{row['geography']} {int(row['price_year'])}" if pd.notna(
            row.get("price_year")) else str(row["geography"])
        if self._plain(row):
            return _Figure(value, where)
        if pd.isna(row.get("price_year")):  # not stated: converted, not inflated
            eur = value * self.prices.exchange_rate(str(row["currency"]), PRICE_YEAR)
            where += " (price year not stated)"
        else:
            eur = self.prices.to_eur(value, str(row["currency"]), int(row["price_year"]))
        country = str(row.get("iso3") or "")
        level = self.prices.price_level(country) if len(country) == 3 else 1.0
        return _Figure(eur / level, where)

    def get(self, key: str) -> Value:
        """Return the value of rule input ``key`` with a sentence saying how it was found.

        Raises
        ------
        KeyError
            If the table has no usable row for ``key`` (a packaging error).
        """
        table = evidence()
        rows = table[(table["rule_key"] == key) & table["value"].notna()]
        found = rows[rows["status"].isin(["found", "derived"])]
        basis = "published figure"
        if found.empty:
            found, basis = rows[rows["status"] == "assumption"], "assumption"
        if found.empty:
            raise KeyError(f"measure_unit_costs.csv has no value for {key!r}")
        figures = [self._figure(r) for _, r in found.iterrows()]
        unit = str(found["unit"].iloc[0])
        plain = all(self._plain(r) for _, r in found.iterrows())
        median = float(np.median([f.eu_value for f in figures]))
        value = median if plain else median * self.level
        where = "; ".join(f.label for f in figures[:4]) + (" ..." if len(figures) > 4 else "")
        if basis == "assumption":
            how = f"assumption ({where})"
        elif len(figures) == 1:
            how = f"published figure ({where})"
        else:
            how = f"median of {len(figures)} published figures ({where})"
        scaled = "" if plain else f", EUR {PRICE_YEAR} at {self.iso3} prices"
        if plain:
            shown = f"{_fmt(value)} {unit}"
        else:  # the unit after the currency code: "GBP/km" -> "EUR per km"
            rest = unit.split("/", 1)[1] if "/" in unit else ""
            shown = f"EUR {_fmt(value)}" + (f" per {rest.replace('/', ' per ')}" if rest else "")
        return Value(value, f"{shown} [{key}: {how}{scaled}]")


def _fmt(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} M"
    if abs(value) >= 1e3:
        return f"{value:,.0f}"
    return f"{value:,.3g}"
