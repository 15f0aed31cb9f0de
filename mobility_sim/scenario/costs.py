"""What a scenario's measures cost, year by year (for EUR per tonne CO2 abated).

A measure's ``cost`` holds a one-off ``capex_eur`` (spent in its start year) and a running
``opex_eur_per_year`` at full effect (each year counts it times the measure's intensity).
Measures without ``cost`` appear with zeros and ``cost_given = False``, so that a missing cost
is never read as a free measure.
"""

from __future__ import annotations

import pandas as pd

from .levers import intensity
from .models import Scenario

#: Columns of :func:`measure_costs`.
COST_COLUMNS: tuple[str, ...] = ("year", "label", "type", "intensity", "capex_eur", "opex_eur",
                                 "cost_given")


def measure_costs(scenario: Scenario, years: list[int] | None = None) -> pd.DataFrame:
    """Return one row per measure and calendar year with its capex and opex, EUR.

    Parameters
    ----------
    scenario : Scenario
        The (resolved) scenario.
    years : list of int, optional
        Calendar years to list (default: every year from ``years.start`` to ``years.end``,
        including years between simulated ones, since money is spent every year).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COST_COLUMNS`.
    """
    span = years if years is not None else list(range(scenario.years.start,
                                                       scenario.years.end + 1))
    rows = []
    for m in scenario.measures:
        capex = m.cost.capex_eur if m.cost is not None else 0.0
        opex = m.cost.opex_eur_per_year if m.cost is not None else 0.0
        for year in span:
            level = intensity(m, year)
            rows.append({"year": year, "label": m.display_label, "type": m.type,  # type: ignore[attr-defined]
                         "intensity": level, "capex_eur": capex if year == m.start else 0.0,
                         "opex_eur": opex * level, "cost_given": m.cost is not None})
    return pd.DataFrame(rows, columns=list(COST_COLUMNS))
