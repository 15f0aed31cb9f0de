"""Checks of the fleet model against published history and against its survival curve.

:func:`norway_backcast` runs the model's vintage stock (:mod:`mobility_sim.fleet.stock`, the
survival curve of the parameters) over Norway's history: from the published car fleet at the
end of 2015 (Statistics Norway) with the published battery-electric share of new cars each year
(OFV via the press, ``norway_new_car_sales.csv``) and the published total of registered cars
(``norway_car_fleet.csv``; years without a total are interpolated), and compares the modelled
battery-electric share of the fleet with the published one in each later year. Nothing is
fitted: the lifetime is the model's default for Western Europe (Held et al. 2021).

Known reasons for a gap: the published new-car shares exclude used imports, which added many
battery-electric cars to Norway's fleet in the 2010s; the model gives every powertrain the
steady-state age profile, so it retires young battery-electric cars as if they were average.

:func:`fleet_share_oracle` is the survival-curve arithmetic the projection must reproduce
for a stock of constant size that starts in its steady state: the share of a powertrain in the
fleet of ``year`` is the sum over ages ``a`` of the steady-state age weight ``w(a)`` times the
share of that powertrain in the sales of ``year - a``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import numpy as np
import pandas as pd

from ..data import read_table
from ..data.typed_parameters import ModelParameters
from ..fleet.stock import initial_stock, step
from ..fleet.survival import Survival
from ..fleet.tables import CAR_POWERTRAINS
from .mixes import complete_mix, eu_fleet_mix

#: First year of the backcast: the end-2015 fleet is its starting stock.
START_YEAR = 2015


@cache
def _norway_fleet() -> pd.DataFrame:
    return read_table("norway_car_fleet.csv")


@cache
def _norway_sales() -> pd.DataFrame:
    return read_table("norway_new_car_sales.csv")


def published_bev_fleet_share() -> dict[int, float]:
    """Norway's published battery-electric share of registered cars at the end of each year.

    SSB's stated shares (``series`` ``stated_share``), with the Norwegian Public Roads
    Administration's 2023 figure where SSB's is rounded (the derived count / total).
    """
    table = _norway_fleet()
    rows = table[(table["powertrain"] == "bev") & table["share"].notna()]
    out: dict[int, float] = {}
    for series in ("stated_share", "ssb_fuel_groups_2016_2019", "ssb_counts_2020_2023",
                   "vegvesen_2023"):
        for r in rows[rows["series"] == series].itertuples():
            out[int(r.year)] = float(r.share)
    return dict(sorted(out.items()))


def published_totals() -> dict[int, float]:
    """Return the registered passenger cars at the end of each year where published."""
    table = _norway_fleet()
    rows = table[table["total_cars"].notna()]
    return {int(y): float(v) for y, v in rows.groupby("year")["total_cars"].first().items()}


def published_bev_sales_share() -> dict[int, float]:
    """Battery-electric share of new cars registered in Norway each year (exclusive rows)."""
    table = _norway_sales()
    rows = table[(table["powertrain"] == "bev") & table["share"].notna()]
    return {int(r.year): float(r.share) for r in rows.itertuples()}


def norway_backcast(p: Mapping[str, float], end_year: int = 2023) -> pd.DataFrame:
    """Run the vintage stock over Norway's history and compare with the published fleet.

    Parameters
    ----------
    p : mapping
        Model parameters (the car survival curve).
    end_year : int
        Last year of the backcast.

    Returns
    -------
    DataFrame
        ``year, bev_sales_share, cars, modelled_bev_share, published_bev_share, error_pp``
        (modelled minus published, percentage points; NaN where nothing was published).
    """
    car = ModelParameters.of(p).fleet.car
    survival = Survival(car.mean_lifetime_years, car.weibull_shape, int(car.max_age))
    totals = published_totals()
    years = list(range(START_YEAR, end_year + 1))
    known = sorted(totals)
    cars = dict(zip(years, np.interp(years, known, [totals[y] for y in known]), strict=True))
    fleet_share = published_bev_fleet_share()
    table = _norway_fleet()
    start_rows = table[(table["year"] == START_YEAR + 1)
                       & (table["series"] == "ssb_fuel_groups_2016_2019")]
    groups = {r.powertrain: float(r.share) for r in start_rows.itertuples()
              if r.powertrain == "hybrid_hev_phev"}
    known_start = {r.powertrain: float(r.share) for r in start_rows.itertuples()
                   if r.powertrain in ("petrol", "diesel", "other")}
    known_start["bev"] = fleet_share[START_YEAR]
    start = complete_mix(known_start, groups, eu_fleet_mix())
    stock = initial_stock(START_YEAR, cars[START_YEAR], start, CAR_POWERTRAINS, survival)
    rates = survival.retirement_rates()
    sales = published_bev_sales_share()
    rows = [{"year": START_YEAR, "bev_sales_share": sales.get(START_YEAR, np.nan),
             "cars": cars[START_YEAR], "modelled_bev_share": stock.shares()["bev"]}]
    for year in years[1:]:
        share = sales[year]
        mix = {p_: (1.0 - share) / (len(CAR_POWERTRAINS) - 1) for p_ in CAR_POWERTRAINS}
        mix["bev"] = share
        stock = step(stock, cars[year], mix, rates)
        rows.append({"year": year, "bev_sales_share": share, "cars": cars[year],
                     "modelled_bev_share": stock.shares()["bev"]})
    out = pd.DataFrame(rows)
    out["published_bev_share"] = out["year"].map(fleet_share)
    out["error_pp"] = 100.0 * (out["modelled_bev_share"] - out["published_bev_share"])
    return out


def fleet_share_oracle(survival: Survival, sales_share: Mapping[int, float], year: int,
                       initial_share: float) -> float:
    """Share of a powertrain in the fleet of ``year`` from the survival curve alone.

    For a stock of constant size starting in its steady state: sum over ages ``a`` of the
    steady-state weight ``w(a)`` x the powertrain's share of the sales of ``year - a``
    (``initial_share`` for years before ``sales_share`` starts).
    """
    weights = survival.steady_state_ages()
    first = min(sales_share)
    total = 0.0
    for age, w in enumerate(weights):
        built = year - age
        total += w * (sales_share[built] if built >= first else initial_share)
    return float(total)
