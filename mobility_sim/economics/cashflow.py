"""A measure's money year by year: investments, running costs, revenues; discounting.

One rule for every measure type (``docs/costs.md``):

* an **investment** (capital cost) is spent as the measure grows: in each year the share of the
  total equal to the rise of the measure's intensity that year (a step measure spends it all in
  its start year; a cycle network built linearly over ten years spends a tenth a year). It is
  renewed when its lifetime ends inside the horizon, and whatever life is left at the end of
  the horizon is credited back as a residual value (straight-line depreciation, the EU
  cost-benefit guide's convention), so a longer or shorter horizon does not change the cost per
  year of use;
* a **running cost** (operating, maintenance, enforcement) at full effect is paid each year
  times the measure's intensity;
* a **yearly flow** is an amount per calendar year taken from the run itself (fare revenue lost,
  parking and charge revenue, energy saved); a revenue is a negative cost.

All amounts are in EUR of one price year (:data:`mobility_sim.economics.prices.PRICE_YEAR`) and
are discounted to the first simulated year at a stated social discount rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Investment:
    """A capital cost: ``eur`` in total at full effect, lasting ``lifetime_years``.

    An infinite lifetime (a scenario's own cost without one) is spent once and never renewed
    or credited back.
    """

    name: str
    eur: float
    lifetime_years: float
    source: str


@dataclass(frozen=True)
class Running:
    """A running cost at full effect, EUR per year (negative: a saving)."""

    name: str
    eur_per_year: float
    source: str


@dataclass(frozen=True)
class Flow:
    """An amount per calendar year from the run (negative: a revenue), ``eur[year]``.

    ``kind`` says where it is booked: ``revenue`` (a revenue, or revenue lost) or ``cost`` (a
    running cost that follows the run, e.g. collection, subsidies per trip).
    """

    name: str
    eur: dict[int, float]
    source: str
    kind: str = "revenue"


Item = Investment | Running | Flow


@dataclass
class CostLines:
    """Everything a measure costs or earns, with how each line was found."""

    items: list[Item] = field(default_factory=list)
    #: Why the measure has no cost lines (a national measure, no published unit cost...).
    note: str = ""

    def add(self, item: Item) -> None:
        """Add a line (zero lines are kept: they show that the item was considered)."""
        self.items.append(item)


@dataclass(frozen=True)
class YearlyMoney:
    """A measure's money per calendar year (EUR, the price year), undiscounted.

    ``capex`` includes renewals; ``residual`` is the value credited back in the last year
    (positive: reduces the cost); ``opex`` the running costs and ``revenue`` the flows taken
    from the run (a revenue is positive here, a loss of revenue negative).
    """

    years: np.ndarray
    capex: np.ndarray
    opex: np.ndarray
    revenue: np.ndarray
    residual: np.ndarray

    @property
    def net(self) -> np.ndarray:
        """Cost net of revenue and residual value, per year."""
        return self.capex + self.opex - self.revenue - self.residual


def discount_factors(years: np.ndarray, rate: float) -> np.ndarray:
    """Return ``(1 + rate) ** -(year - first year)`` for each year."""
    years = np.asarray(years, dtype=float)
    return (1.0 + rate) ** -(years - years[0])


def annuity_factor(rate: float, years: int) -> float:
    """Return the present value of 1 EUR a year for ``years`` years (end of year 0 first)."""
    if years <= 0:
        return 0.0
    if rate == 0:
        return float(years)
    return float((1.0 - (1.0 + rate) ** -years) / rate * (1.0 + rate))


def yearly_money(lines: CostLines, intensity: Callable[[int], float],
                 years: Sequence[int]) -> YearlyMoney:
    """Turn cost lines into money per calendar year from the first to the last year.

    Parameters
    ----------
    lines : CostLines
        The measure's cost lines.
    intensity : callable
        The measure's intensity in a year, 0 to 1.
    years : sequence of int
        The simulated years (the calendar years between them are filled in).
    """
    calendar = np.arange(min(years), max(years) + 1)
    n = calendar.size
    level = np.array([intensity(int(y)) for y in calendar], dtype=float)
    rise = np.diff(np.concatenate([[intensity(int(calendar[0]) - 1)], level])).clip(min=0.0)
    capex, opex = np.zeros(n), np.zeros(n)
    revenue, residual = np.zeros(n), np.zeros(n)
    for item in lines.items:
        if isinstance(item, Investment):
            life = max(float(item.lifetime_years), 1.0)
            for i in np.flatnonzero(rise > 0):
                amount = item.eur * rise[i]
                if math.isinf(life):  # no stated life: spent once, nothing credited back
                    capex[i] += amount
                    continue
                start = float(i)
                while start < n:
                    capex[int(start)] += amount
                    used = n - start
                    if used < life:  # life left after the horizon: credit it back
                        residual[-1] += amount * (1.0 - used / life)
                    start += life
        elif isinstance(item, Running):
            opex += item.eur_per_year * level
        else:
            flow = np.interp(calendar, sorted(item.eur), [item.eur[y] for y in sorted(item.eur)])
            if item.kind == "cost":
                opex += flow
            else:
                revenue -= flow
    return YearlyMoney(years=calendar, capex=capex, opex=opex, revenue=revenue,
                       residual=residual)


def present_value(values: np.ndarray, years: np.ndarray, rate: float) -> float:
    """Return the sum of ``values`` discounted to the first of ``years`` at ``rate``."""
    return float(np.sum(np.asarray(values, float) * discount_factors(years, rate)))
