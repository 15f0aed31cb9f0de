"""What a measure costs: the one rule, used by the solver, the attribution export and tables.

A measure's ``cost`` holds a one-off ``capex_eur`` (spent in its start year) and a running
``opex_eur_per_year`` at full effect (each year counts it times the measure's intensity). A
measure without ``cost`` costs nothing here; callers that must not read a missing cost as a free
measure check ``measure.cost is None`` (the solver refuses such levers, the export says so).
"""

from __future__ import annotations

from collections.abc import Sequence

from .base import MeasureBase
from .levers import intensity


def yearly_cost(measure: MeasureBase, year: int) -> tuple[float, float]:
    """Return the measure's (capex, opex) in one calendar year, EUR (0 without a cost)."""
    if measure.cost is None:
        return 0.0, 0.0
    capex = measure.cost.capex_eur if year == measure.start else 0.0
    return capex, measure.cost.opex_eur_per_year * intensity(measure, year)


def measure_cost(measure: MeasureBase, years: Sequence[int], discount_rate: float = 0.0) -> float:
    """Cost of a measure over the simulated calendar years, EUR.

    ``capex_eur`` in the start year (if simulated) plus ``opex_eur_per_year`` times the
    measure's intensity in every calendar year from the first to the last simulated year,
    each discounted to the first year at ``discount_rate``.
    """
    if measure.cost is None:
        return 0.0
    first, last = min(years), max(years)
    total = 0.0
    for year in range(first, last + 1):
        factor = (1.0 + discount_rate) ** -(year - first)
        capex, opex = yearly_cost(measure, year)
        if year == measure.start:
            total += capex * factor
        total += opex * factor
    return total
