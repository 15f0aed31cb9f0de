"""Accessibility: maps of the jobs each cell reaches, and the residents' average, by mode.

Reads the run's ``access`` table (:mod:`mobility_sim.model.accessibility`): ``year, cell_id,
mode, jobs_30, jobs_45, residents_30, residents_45, case``.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .map_figures import difference_map, grid_heatmap, to_raster
from .page import table

#: Display names of the accessibility modes.
ACCESS_MODE_LABELS: dict[str, str] = {"walk": "walking", "bike": "cycling",
                                      "pt": "public transport", "car": "car"}


def _jobs(access: pd.DataFrame, year: int, mode: str, minutes: int, case: str) -> pd.Series:
    part = access[(access["year"] == year) & (access["mode"] == mode)
                  & (access.get("case", "scenario") == case)]
    return part.set_index("cell_id")[f"jobs_{minutes}"]


def access_map(grid: pd.DataFrame, access: pd.DataFrame, year: int, mode: str = "pt",
               minutes: int = 45, *, cell_size_m: float | None = None) -> go.Figure:
    """Jobs reachable within ``minutes`` by ``mode`` from each cell in ``year`` (thousands)."""
    values = _jobs(access, year, mode, minutes, "scenario") / 1000.0
    return grid_heatmap(to_raster(grid, values, cell_size_m),
                        title=f"Jobs within {minutes} min by {ACCESS_MODE_LABELS[mode]}, {year}",
                        colorbar_title="thousand jobs", value_format=",.0f")


def access_change_map(grid: pd.DataFrame, access: pd.DataFrame, year: int, mode: str = "pt",
                      minutes: int = 45, *, cell_size_m: float | None = None) -> go.Figure:
    """Jobs reachable within ``minutes`` by ``mode``: scenario minus reference case in ``year``."""
    scen = _jobs(access, year, mode, minutes, "scenario")
    ref = _jobs(access, year, mode, minutes, "reference")
    return difference_map(grid, scen, ref, cell_size_m=cell_size_m,
                          title=f"Jobs within {minutes} min by {ACCESS_MODE_LABELS[mode]}, "
                                f"{year}: scenario minus reference case",
                          colorbar_title="jobs")


def residents_average(access: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """Jobs reachable per resident (residents' average), by year, case, mode and threshold.

    ``year, case, mode, jobs_30, jobs_45``: each cell's count weighted by its residents (the
    grid's; the year's growth moves every cell alike).
    """
    weight = grid.set_index("cell_id")["population"]
    frame = access.copy()
    if "case" not in frame.columns:
        frame["case"] = "scenario"
    w = frame["cell_id"].map(weight).fillna(0.0)
    cols = [c for c in ("jobs_30", "jobs_45") if c in frame.columns]
    weighted = frame[cols].mul(w, axis=0)
    weighted[["year", "case", "mode"]] = frame[["year", "case", "mode"]]
    total = float(weight.sum()) or 1.0
    out = weighted.groupby(["year", "case", "mode"], as_index=False)[cols].sum()
    out[cols] = out[cols] / total
    return out


def access_table_html(access: pd.DataFrame, grid: pd.DataFrame) -> str:
    """Residents' average jobs reachable, first and last year, scenario and reference case."""
    avg = residents_average(access, grid)
    first, last = int(avg["year"].min()), int(avg["year"].max())
    rows = []
    for mode in ("walk", "bike", "pt", "car"):
        for minutes in (30, 45):
            col = f"jobs_{minutes}"

            def at(year: int, case: str, mode: str = mode, col: str = col) -> str:
                part = avg[(avg["year"] == year) & (avg["case"] == case) & (avg["mode"] == mode)]
                return f"{float(part[col].iloc[0]):,.0f}" if len(part) else "–"

            rows.append([ACCESS_MODE_LABELS[mode], f"{minutes} min", at(first, "scenario"),
                         at(last, "reference"), at(last, "scenario")])
    return table(["Mode", "Within", f"{first}", f"{last}, reference case", f"{last}, scenario"],
                 rows, numeric={2, 3, 4})


def sumi_table_html(sumi: pd.DataFrame, target_year: int | None = None) -> str:
    """Return the run's SUMP indicators: first, target and last year, both cases."""
    first, last = int(sumi["year"].min()), int(sumi["year"].max())
    years = [first] + ([target_year] if target_year and first < target_year < last else []) \
        + [last]
    wide = sumi.pivot_table(index=["indicator", "name", "unit", "scope"],
                            columns=["case", "year"], values="value", sort=False)
    rows = []
    for (ind, name, unit, scope), r in wide.iterrows():
        cells = []
        for y in years:
            for case in ("reference", "scenario"):
                if y == first and case == "reference":
                    continue
                v = r.get((case, y))
                cells.append("–" if v is None or pd.isna(v) else f"{float(v):,.3g}")
        rows.append([ind.replace("SUMI_", ""), name, unit, *cells, scope])
    heads = []
    for y in years:
        heads += [f"{y}"] if y == first else [f"{y} reference", f"{y} scenario"]
    return '<div class="ms-scroll">' + table(
        ["SUMI", "Indicator", "Unit", *heads, "Against the Commission's definition"], rows,
        numeric=set(range(3, 3 + len(heads)))) + "</div>"
