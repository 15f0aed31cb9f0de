"""One price base: published figures of other years and currencies brought to EUR of 2023.

Reads ``mobility_sim/data/appraisal_parameters.csv`` (every value with its source): the EU27
harmonised index of consumer prices (annual averages), the ECB's annual average exchange rates,
Eurostat's price level indices by country, the social discount rate, and the damage costs
of air pollutants (the EU Handbook on the External Costs of Transport where found, else a
national appraisal value or a wider average: :meth:`Prices.damage_cost`). A figure in another
currency is converted at the exchange rate of its price year, then brought to 2023 with the
EU27 index (the European Commission's convention for EU-wide unit values; a national deflator
would differ by the difference in national inflation, which is small next to the spread of the
published costs).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd

from ..data import read_table

#: The price year of every amount the model reports.
PRICE_YEAR = 2023

#: Currency code of each non-euro country of the shipped cities.
CURRENCY_OF: dict[str, str] = {"GBR": "GBP", "SWE": "SEK", "DNK": "DKK", "NOR": "NOK",
                               "CHE": "CHF", "CZE": "CZK", "HUN": "HUF", "POL": "PLN"}


#: How the damage costs' area types read on a page.
AREA_LABELS: dict[str, str] = {"metropolitan": "metropolitan areas", "urban": "urban areas",
                               "national_average": "road transport, all area types",
                               "all_sources": "all emission sources"}
#: Why a damage cost of a wider scope is a lower bound for a city's traffic.
LOWER_BOUNDS: dict[str, str] = {
    "national_average": "; an average over towns and countryside: a lower bound for a city",
    "all_sources": "; an average over all sources and places: a lower bound for a city's traffic"}


@dataclass(frozen=True)
class Value:
    """A number with the words that say where it comes from."""

    value: float
    text: str


class Prices:
    """Deflators, exchange rates, price levels, discount rate and damage costs."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table
        self.health_price_year = 2011  # WHO HEAT's value of a statistical life (health CSV)

    @classmethod
    @cache
    def load(cls) -> Prices:
        """Return the packaged appraisal parameters (read once)."""
        table = read_table("appraisal_parameters.csv")
        return cls(table[table["status"] != "not_found"].copy())

    def _rows(self, quantity: str) -> pd.DataFrame:
        return self.table[self.table["quantity"] == quantity]

    def hicp(self, year: int) -> float:
        """EU27 harmonised consumer price index of ``year`` (nearest published year)."""
        rows = self._rows("hicp_index")
        rows = rows[rows["geography"].isin(["EU27", "EU27_2020"]) & rows["value"].notna()]
        if rows.empty:
            raise LookupError("appraisal_parameters.csv has no EU27 hicp_index")
        years = rows["year"].astype(int)
        nearest = int(years.iloc[(years - year).abs().argmin()])
        return float(rows.loc[years == nearest, "value"].iloc[0])

    def inflate(self, value: float, price_year: int) -> float:
        """Bring EUR of ``price_year`` to EUR of :data:`PRICE_YEAR`."""
        return value * self.hicp(PRICE_YEAR) / self.hicp(int(price_year))

    def exchange_rate(self, currency: str, year: int) -> float:
        """EUR per unit of ``currency`` in ``year`` (nearest published year)."""
        if currency == "EUR":
            return 1.0
        rows = self._rows("exchange_rate_eur_per_unit")
        iso = {v: k for k, v in CURRENCY_OF.items()}.get(currency, currency)
        rows = rows[rows["geography"].isin([currency, iso]) & rows["value"].notna()]
        if rows.empty:
            raise LookupError(f"appraisal_parameters.csv has no exchange rate for {currency}")
        years = rows["year"].astype(int)
        nearest = int(years.iloc[(years - year).abs().argmin()])
        return float(rows.loc[years == nearest, "value"].iloc[0])

    def to_eur(self, value: float, currency: str, price_year: int) -> float:
        """Convert ``value`` in ``currency`` of ``price_year`` to EUR of :data:`PRICE_YEAR`."""
        return self.inflate(value * self.exchange_rate(currency, int(price_year)),
                            int(price_year))

    def price_level(self, iso3: str) -> float:
        """Price level of ``iso3`` relative to the EU27 (1.0: the EU27 average)."""
        rows = self._rows("price_level_index")
        rows = rows[(rows["geography"] == iso3) & rows["value"].notna()]
        if rows.empty:  # not found (e.g. the UK): the EU27 level, stated in docs/costs.md
            return 1.0
        return float(rows.sort_values("year")["value"].iloc[-1]) / 100.0

    def discount_rate(self) -> float:
        """Return the European Commission's social discount rate (real, per year)."""
        rows = self._rows("social_discount_rate")
        eu = rows[rows["geography"].astype(str).str.startswith("EU") & rows["value"].notna()]
        value = float(eu.sort_values("year")["value"].iloc[-1])
        return value / 100.0 if value > 1 else value

    def damage_cost(self, pollutant: str, iso3: str, area_type: str) -> Value | None:
        """Damage cost of a tonne of ``pollutant`` (nox, pm25) emitted by transport, EUR 2023.

        In order of preference: the country's value for the area type (``metropolitan``,
        ``urban``: the EU Handbook on the External Costs of Transport's where found, else the
        country's own appraisal value), the EU Handbook's EU value for the area type, the
        country's road-transport average over all area types, and last the EU27 average over
        all emission sources. The last two are averages over towns and countryside, a lower
        bound for a city's traffic, and the text says so. None when none was found (the
        co-benefit is then not valued, and the page says so).
        """
        name = f"damage_cost_{pollutant}_eur_per_t"
        rows = self.table[self.table["quantity"].astype(str).str.startswith(name + ".")
                          & self.table["value"].notna()]
        order = [(iso3, area_type), (iso3, "urban"), ("EU28", area_type), ("EU28", "urban"),
                 ("EU27", area_type), ("EU27", "urban"), (iso3, "national_average"),
                 ("EU27", "all_sources")]
        for geo, area in order:
            pick = rows[(rows["geography"] == geo) & (rows["quantity"] == f"{name}.{area}")]
            if pick.empty:
                continue
            r = pick.iloc[0]
            basis = str(r["price_year"]).split()
            currency = basis[0] if len(basis) > 1 else "EUR"
            eur = self.to_eur(float(r["value"]), currency, int(basis[-1]))
            what = str(r["definition"]).split(":", 1)[0]
            bound = LOWER_BOUNDS.get(area, "")
            where = AREA_LABELS.get(area, f"{area} areas")
            return Value(eur, f"{eur:,.0f} EUR/t ({geo}, {where}; {what}{bound}; "
                              "appraisal_parameters.csv)")
        return None
