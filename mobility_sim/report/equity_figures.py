"""Who gains and who pays: consumer surplus by segment, by area and by measure.

Reads the run's ``welfare`` table (``year, cell_id, segment, trips, welfare_eur, case``;
:func:`mobility_sim.indicators.welfare_rows`): scenario minus reference case is the consumer
surplus, the logsum-based appraisal measure of what the measures do to travellers (time,
money, choice), in EUR. Residents of a segment in a cell are apportioned by the segment's
share of the cell's trips (the segments' trip rates are equal).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .map_figures import grid_heatmap, to_raster
from .page import table
from .theme import plain

#: Display names of the segments.
SEGMENT_LABELS: dict[str, str] = {"car_available": "with a car available",
                                  "no_car": "without a car"}


def surplus_by_cell(welfare: pd.DataFrame, grid: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per cell and segment in ``year``: residents and consumer surplus, EUR a year."""
    part = welfare[welfare["year"] == year]
    wide = part.pivot_table(index=["cell_id", "segment"], columns="case",
                            values=["welfare_eur", "trips"], aggfunc="sum")
    out = pd.DataFrame({"surplus_eur": wide[("welfare_eur", "scenario")]
                        - wide[("welfare_eur", "reference")],
                        "trips": wide[("trips", "reference")]}).reset_index()
    cell_trips = out.groupby("cell_id")["trips"].transform("sum")
    population = out["cell_id"].map(grid.set_index("cell_id")["population"])
    out["residents"] = np.where(cell_trips > 0, population * out["trips"] / cell_trips, 0.0)
    return out


def surplus_table_html(welfare: pd.DataFrame, grid: pd.DataFrame, years: list[int],
                       growth: Mapping[int, float] | None = None) -> str:
    """Consumer surplus per resident and month by segment, in each of ``years``."""
    by_year = {year: surplus_by_cell(welfare, grid, year) for year in years}
    rows = []
    for segment, label in SEGMENT_LABELS.items():
        cells = []
        share = None
        for year in years:
            by = by_year[year]
            seg = by[by["segment"] == segment]
            residents = float(seg["residents"].sum()) * (growth or {}).get(year, 1.0)
            total = float(by["residents"].sum()) * (growth or {}).get(year, 1.0)
            share = residents / total if total else None
            value = float(seg["surplus_eur"].sum()) / residents / 12.0 if residents else np.nan
            cells.append("–" if not np.isfinite(value) else f"{value:+,.2f}")
        rows.append([f"Residents {label}", "–" if share is None else f"{share:.0%}", *cells])
    return table(["Who", "Share of residents", *[f"{y}, EUR per resident a month"
                                                 for y in years]], rows,
                 numeric=set(range(1, 2 + len(years))))


def surplus_map(welfare: pd.DataFrame, grid: pd.DataFrame, year: int, *,
                cell_size_m: float | None = None) -> go.Figure:
    """Consumer surplus per resident and month by home cell in ``year`` (both segments)."""
    by = surplus_by_cell(welfare, grid, year).groupby("cell_id")[["surplus_eur",
                                                                   "residents"]].sum()
    values = (by["surplus_eur"] / by["residents"].where(by["residents"] > 0) / 12.0)
    return grid_heatmap(to_raster(grid, values, cell_size_m), diverging=True,
                        title=f"Consumer surplus per resident, {year}: scenario against "
                              "reference case", colorbar_title="EUR a month",
                        value_format="+,.2f")


def winners_by_measure_html(contributions: pd.DataFrame, welfare: pd.DataFrame,
                            grid: pd.DataFrame, year: int, growth: float = 1.0) -> str:
    """Each measure's share of the consumer surplus in ``year``, per resident and month.

    From the council's Shapley contributions to ``welfare_eur.<segment>`` (each measure's
    consumer surplus for the residents with and without a car); ``growth``: the year's
    residents over the grid's.
    """
    by = surplus_by_cell(welfare, grid, year).groupby("segment")["residents"].sum()
    part = contributions[(contributions["year"] == year)
                         & contributions["output"].str.startswith("welfare_eur.")]
    if part.empty:
        return ""
    rows = []
    for measure, one in part.groupby("measure", sort=False):
        cells = []
        for segment in SEGMENT_LABELS:
            value = one.loc[one["output"] == f"welfare_eur.{segment}", "contribution"]
            residents = float(by.get(segment, 0.0)) * growth
            v = float(value.iloc[0]) / residents / 12.0 if len(value) and residents else np.nan
            cells.append("–" if not np.isfinite(v) else f"{v:+,.2f}")
        rows.append([plain(measure), *cells])
    return table(["Measure", *[f"Residents {label}, EUR a month ({year})"
                               for label in SEGMENT_LABELS.values()]], rows, numeric={1, 2})
