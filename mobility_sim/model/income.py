"""Income groups: the demand model's segments by income, and how the groups differ.

Every segment of the demand model (:data:`mobility_sim.kernels.spec.SEGMENTS`) is a car class
(a car available in the household or not) times an income group of the country's equivalised
net disposable income per person (EU-SILC): the poorest quarter, the middle half and the richest
quarter of residents (:data:`GROUP_SHARE`, by definition of the groups). The groups differ in
two ways, both from published sources (``parameters.csv``, group ``income``):

- **Car availability.** The poorer a household, the less often it has a car. Each cell keeps
  its own car-available share (the city's data); it is split between the groups by shifting
  the cell's log-odds by a group offset (``income.car_log_odds_low`` / ``_high``, derived from
  national car-free shares by income; 0 for the middle half) and solving for the one common
  shift that keeps the cell's share: ``sum_g w_g sigmoid(logit(a_i) + t_i + delta_g) = a_i``.
- **Value of time.** A euro weighs more for the poorer: the cost coefficient of group ``g``
  is the city's times ``(y_g / y) ** -income.vot_elasticity`` (``y_g`` the group's mean
  income, ``y`` the country's mean; :func:`income_groups`).

Where the groups live in the city is not known: open income grids exist for France (INSEE
Filosofi) and the Netherlands (CBS squares) only and are not shipped, so every cell holds the
country's shares (``income_groups.csv``, rows ``income_grid_open_data``). What varies from cell
to cell is each group's car availability, through the cell's own car-available share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np

from ..data import read_table
from ..data.typed_parameters import ModelParameters
from ..kernels.spec import CAR_CLASSES, INCOME_GROUPS, SEGMENT_CAR_CLASS, SEGMENT_INCOME_GROUP

#: Share of residents in each income group (:data:`INCOME_GROUPS`): quartiles of equivalised
#: income per person, so by definition.
GROUP_SHARE: tuple[float, ...] = (0.25, 0.5, 0.25)
#: Countries' data fall back to this geography when a country has no row.
FALLBACK = "EU27"
#: Segments with a car available, and without (indices into ``SEGMENTS``).
CAR_SEGMENTS: tuple[int, ...] = tuple(s for s, c in enumerate(SEGMENT_CAR_CLASS)
                                      if CAR_CLASSES[c] == "car_available")
NO_CAR_SEGMENTS: tuple[int, ...] = tuple(s for s, c in enumerate(SEGMENT_CAR_CLASS)
                                         if CAR_CLASSES[c] == "no_car")


@dataclass(frozen=True)
class IncomeGroups:
    """A country's income groups.

    Attributes
    ----------
    geography : str
        The country whose data are used (or :data:`FALLBACK`).
    year : int
        EU-SILC survey year.
    mean_eur : ndarray, shape (G,)
        Mean equivalised net disposable income per person of each group, EUR a year.
    overall_mean_eur : float
        Mean of all residents, EUR a year.
    source : str
        How the figures were found and derived.
    """

    geography: str
    year: int
    mean_eur: np.ndarray
    overall_mean_eur: float
    source: str

    def cost_factors(self, elasticity: float) -> np.ndarray:
        """Cost-coefficient multiplier of each group: ``(y_g / y) ** -elasticity``, shape (G,)."""
        return (self.mean_eur / self.overall_mean_eur) ** -float(elasticity)


def latest_value(quantity: str, geography: str) -> tuple[float, int, str] | None:
    """Return the latest found ``(value, year, source)`` of ``income_groups.csv``, or None."""
    table = read_table("income_groups.csv")
    rows = table[(table["quantity"] == quantity) & (table["geography"] == geography)
                 & table["value"].notna()]
    if rows.empty:
        return None
    row = rows.sort_values("year").iloc[-1]
    return float(row["value"]), int(row["year"]), str(row["source"])


@cache
def income_groups(country: str) -> IncomeGroups:
    """Return the income groups of ``country`` (ISO alpha-3), else of the EU27.

    The poorest quarter's mean is ``income_mean_bottom_quartile_eur`` (derived from Eurostat's
    income share of the first quartile and the mean); the middle half's mean is taken as the
    median (assumption: the mean of the 25th-75th percentiles of a right-skewed distribution is
    close to its median); the richest quarter's follows from the overall mean:
    ``y_high = 4 y - y_low - 2 y_middle``.
    """
    for geography in (country, FALLBACK):
        found = [latest_value(q, geography) for q in
                 ("income_mean_bottom_quartile_eur", "income_median_eur", "income_mean_eur")]
        if all(found):
            (low, year, _), (middle, _, _), (mean, _, _) = found  # type: ignore[misc]
            high = 4.0 * mean - low - 2.0 * middle
            note = "" if geography == country else f" ({country} not found: the EU27's)"
            return IncomeGroups(
                geography=geography, year=year, mean_eur=np.array([low, middle, high]),
                overall_mean_eur=mean,
                source=(f"Eurostat EU-SILC {year}, {geography}{note}: poorest quarter's mean "
                        f"{low:,.0f} EUR (ilc_di01 share x mean), middle half's taken as the "
                        f"median {middle:,.0f} EUR (assumption), richest quarter's "
                        f"{high:,.0f} EUR (derived from the mean {mean:,.0f} EUR); "
                        "mobility_sim/data/income_groups.csv"))
    raise KeyError(f"income_groups.csv has no income data for {country} nor {FALLBACK}")


def segment_cost_factors(country: str, p: Mapping[str, float]) -> np.ndarray:
    """Cost-coefficient multiplier of every segment, shape (S,) (1 for the mean income)."""
    groups = income_groups(country)
    factors = groups.cost_factors(ModelParameters.of(p).income.vot_elasticity)
    return factors[list(SEGMENT_INCOME_GROUP)]


def car_available_by_group(car_available: np.ndarray, p: Mapping[str, float]) -> np.ndarray:
    """Share of each income group's residents with a car available, per cell, shape (G, N).

    Each cell's log-odds are shifted by the group offsets and one common shift, found by
    Newton's method (the groups' mean is increasing and smooth in the shift; steps are capped
    at 4 in log-odds), so that the groups (weighted by :data:`GROUP_SHARE`) average to the
    cell's own share: cells keep their car-available share exactly (1e-12).
    """
    inc = ModelParameters.of(p).income
    offsets = np.array([inc.car_log_odds_low, 0.0, inc.car_log_odds_high])[:, None]
    weights = np.array(GROUP_SHARE)[:, None]
    a = np.clip(np.asarray(car_available, dtype=np.float64), 0.0, 1.0)
    inner = (a > 0) & (a < 1)
    base = np.zeros_like(a)
    base[inner] = np.log(a[inner] / (1.0 - a[inner]))
    shift = np.zeros_like(a)
    for _ in range(50):
        share = 1.0 / (1.0 + np.exp(-(base + shift + offsets)))
        error = (weights * share).sum(axis=0) - a
        if np.all(np.abs(error[inner]) < 1e-14):
            break
        slope = (weights * share * (1.0 - share)).sum(axis=0)
        step = np.divide(error, slope, out=np.zeros_like(a), where=slope > 0)
        shift = np.where(inner, shift - np.clip(step, -4.0, 4.0), 0.0)
    out = 1.0 / (1.0 + np.exp(-(base + shift + offsets)))
    out[:, a <= 0] = 0.0
    out[:, a >= 1] = 1.0
    return out


def segment_shares(car_available: np.ndarray, p: Mapping[str, float]) -> np.ndarray:
    """Share of each cell's residents in each segment, shape (S, N); columns sum to 1."""
    by_group = car_available_by_group(car_available, p)
    weights = np.array(GROUP_SHARE)[:, None]
    out = np.empty((len(SEGMENT_CAR_CLASS), by_group.shape[1]))
    for s, (c, g) in enumerate(zip(SEGMENT_CAR_CLASS, SEGMENT_INCOME_GROUP, strict=True)):
        has_car = CAR_CLASSES[c] == "car_available"
        out[s] = weights[g] * (by_group[g] if has_car else 1.0 - by_group[g])
    return out


def describe(country: str, p: Mapping[str, float]) -> dict[str, object]:
    """Return the income groups of a run as the report states them (means, factors, sources)."""
    groups = income_groups(country)
    inc = ModelParameters.of(p).income
    factors = groups.cost_factors(inc.vot_elasticity)
    return {
        "groups": list(INCOME_GROUPS), "population_share": list(GROUP_SHARE),
        "mean_income_eur": [round(float(v)) for v in groups.mean_eur],
        "cost_factor": [round(float(v), 4) for v in factors],
        "value_of_time_factor": [round(1.0 / float(v), 4) for v in factors],
        "vot_elasticity": inc.vot_elasticity,
        "car_log_odds": [inc.car_log_odds_low, 0.0, inc.car_log_odds_high],
        "spatial_pattern": "Where the groups live is not known: every cell holds the country's "
                           "quarters (no open income grid shipped)",
        "source": groups.source, "year": groups.year,
        "geography": groups.geography,
    }
