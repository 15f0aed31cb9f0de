"""Who gains and who pays: consumer surplus and money for trips by group of residents.

Groups (:data:`WHO`) are sets of the model's segments (car class x income group).

Reads the run's ``welfare`` table (``year, cell_id, segment, trips, welfare_eur, case``;
:func:`mobility_sim.indicators.welfare_rows`): the change of welfare per trip between the
reference case and the scenario, times the reference case's trips, is the consumer surplus
(:func:`mobility_sim.indicators.surplus_rows`), the logsum-based appraisal measure of what the
measures do to travellers (time, money, choice), in EUR. Residents of a segment in a cell are
apportioned by the segment's share of the cell's trips (the segments' trip rates are equal).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..indicators import MODELLED_AREA, SPENDING_ITEMS, surplus_rows, whole_grid
from ..kernels.spec import SEGMENTS
from .kpi import fmt_number
from .map_figures import grid_heatmap, to_raster
from .page import esc, table
from .theme import plain

#: The groups of residents the tables show, each a set of segments (car class x income group,
#: ``mobility_sim.kernels.spec.SEGMENTS``): the income groups, the car classes, and the poorest
#: quarter without a car (whom a just-transition strategy asks about first).
WHO: dict[str, tuple[str, ...]] = {
    "in the poorest quarter": tuple(s for s in SEGMENTS if s.endswith(".low")),
    "in the middle half": tuple(s for s in SEGMENTS if s.endswith(".middle")),
    "in the richest quarter": tuple(s for s in SEGMENTS if s.endswith(".high")),
    "with a car available": tuple(s for s in SEGMENTS if s.startswith("car_available.")),
    "without a car": tuple(s for s in SEGMENTS if s.startswith("no_car.")),
    "in the poorest quarter without a car": ("no_car.low",),
}


def surplus_by_cell(welfare: pd.DataFrame, grid: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per cell and segment in ``year``: residents and consumer surplus, EUR a year."""
    out = surplus_rows(welfare[welfare["year"] == year]).rename(
        columns={"consumer_surplus_eur": "surplus_eur"}).drop(columns="year")
    cell_trips = out.groupby("cell_id")["trips"].transform("sum")
    population = out["cell_id"].map(grid.set_index("cell_id")["population"])
    out["residents"] = np.where(cell_trips > 0, population * out["trips"] / cell_trips, 0.0)
    return out


def surplus_table_html(welfare: pd.DataFrame, grid: pd.DataFrame, years: list[int],
                       growth: Mapping[int, float] | None = None) -> str:
    """Consumer surplus per resident and month by group of residents (:data:`WHO`)."""
    by_year = {year: surplus_by_cell(welfare, grid, year) for year in years}
    rows = []
    for label, segments in WHO.items():
        cells = []
        share = None
        for year in years:
            by = by_year[year]
            seg = by[by["segment"].isin(segments)]
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
    """Consumer surplus per resident and month by home cell in ``year`` (all segments)."""
    by = surplus_by_cell(welfare, grid, year).groupby("cell_id")[["surplus_eur",
                                                                   "residents"]].sum()
    values = (by["surplus_eur"] / by["residents"].where(by["residents"] > 0) / 12.0)
    return grid_heatmap(to_raster(grid, values, cell_size_m), diverging=True,
                        title=f"Consumer surplus per resident, {year}: scenario against "
                              "reference case", colorbar_title="EUR a month",
                        value_format="+,.2f")


def winners_by_measure_html(contributions: pd.DataFrame, welfare: pd.DataFrame,
                            grid: pd.DataFrame, year: int, growth: float = 1.0,
                            output: str = "welfare_eur") -> str:
    """Each measure's share of an output by segment in ``year``, per resident and month.

    From the council's Shapley contributions to ``<output>.<segment>``: ``welfare_eur`` (each
    measure's consumer surplus for the residents of each segment) or ``spending_eur`` (what
    each measure changes in the money they pay for their trips), summed over the segments of
    each group of :data:`WHO`; ``growth``: the year's residents over the grid's.
    """
    by = surplus_by_cell(welfare, grid, year).groupby("segment")["residents"].sum()
    part = contributions[(contributions["year"] == year)
                         & contributions["output"].str.startswith(f"{output}.")]
    if part.empty:
        return ""
    rows = []
    for measure, one in part.groupby("measure", sort=False):
        cells = []
        for segments in WHO.values():
            value = one.loc[one["output"].isin([f"{output}.{s}" for s in segments]),
                            "contribution"]
            residents = float(by.reindex(list(segments)).fillna(0.0).sum()) * growth
            v = float(value.sum()) / residents / 12.0 if len(value) and residents else np.nan
            cells.append("–" if not np.isfinite(v) else f"{v:+,.2f}")
        rows.append([plain(measure), *cells])
    return table(["Measure", *[f"Residents {label}, EUR a month ({year})" for label in WHO]],
                 rows, numeric=set(range(1, 1 + len(WHO))))


def spending_table_html(spending: pd.DataFrame, year: int) -> str:
    """Money for trips and car trips per resident a month by group of residents, in ``year``.

    From the run's ``spending`` table (both cases): the money each group pays for its trips
    (fuel, electricity, fares, parking and zone charges, cordon charges) in the reference case
    and with the measures, what the charges alone change, how many fewer car trips the group
    makes (who is priced off the road), and what the measures change in the WHO HEAT value of
    its walking and cycling (its health co-benefit), all per resident and month.
    """
    part = whole_grid(spending[spending["year"] == year])
    money = [f"{item}_eur" for item in SPENDING_ITEMS]
    charges = ["parking_and_zone_charges_eur", "cordon_charges_eur"]
    by_case = {case: one.set_index("segment") for case, one in part.groupby("case")}
    if set(by_case) != {"scenario", "reference"}:
        return ""
    total_residents = float(by_case["reference"]["residents"].sum())
    rows = []
    for label, segments in WHO.items():
        sums = {case: one.reindex(list(segments)).fillna(0.0).sum()
                for case, one in by_case.items()}
        residents = {case: float(s["residents"]) for case, s in sums.items()}
        if not residents["reference"] or not residents["scenario"]:
            continue

        def per_month(case: str, columns: list[str], s: dict = sums,
                      r: dict = residents) -> float:
            return float(s[case][columns].sum()) / r[case] / 12.0

        ref, scen = per_month("reference", money), per_month("scenario", money)
        charge = per_month("scenario", charges) - per_month("reference", charges)
        car_ref = per_month("reference", ["car_trips"])
        car_scen = per_month("scenario", ["car_trips"])
        car_change = (car_scen / car_ref - 1.0) if car_ref > 0 else np.nan
        health = (per_month("scenario", ["health_value_eur"])
                  - per_month("reference", ["health_value_eur"])
                  if "health_value_eur" in part.columns else np.nan)
        rows.append([f"Residents {label}", f"{residents['reference'] / total_residents:.0%}",
                     f"{ref:,.2f}", f"{scen:,.2f}", f"{scen - ref:+,.2f}", f"{charge:+,.2f}",
                     f"{car_ref:,.1f}",
                     "–" if not np.isfinite(car_change) else f"{car_change:+.0%}",
                     "–" if not np.isfinite(health) else f"{health:+,.2f}"])
    return table(["Who", "Share of residents", "Money for trips, reference case",
                  "With the measures", "Change", "of which charges",
                  "Car trips a month, reference case", "Car trips: change",
                  "Health value of walking and cycling: change"],
                 rows, numeric=set(range(1, 9)))


def spending_by_area_html(spending: pd.DataFrame, year: int) -> str:
    """Money for trips and the health value of walking and cycling per resident a month, by area.

    From the run's ``spending`` table (both cases): for the municipality and the rest of the
    grid (cities with a boundary) and the city's named zones, all residents of the area (by
    home cell): the money they pay for their trips in the reference case and with the
    measures, what the charges alone change, and the change in the WHO HEAT value of their
    walking and cycling. Empty when the run has no area but the modelled area.
    """
    if "area" not in spending.columns:
        return ""
    part = spending[(spending["year"] == year) & (spending["area"] != MODELLED_AREA)]
    if part.empty or set(part["case"]) != {"scenario", "reference"}:
        return ""
    money = [f"{item}_eur" for item in SPENDING_ITEMS]
    charges = ["parking_and_zone_charges_eur", "cordon_charges_eur"]
    sums = part.groupby(["area", "case"], sort=False)[
        ["residents", *money, "health_value_eur"]].sum()
    rows = []
    for area in dict.fromkeys(part["area"]):
        ref, scen = sums.loc[(area, "reference")], sums.loc[(area, "scenario")]
        if not ref["residents"] or not scen["residents"]:
            continue

        def per_month(s: pd.Series, columns: list[str]) -> float:
            return float(s[columns].sum()) / float(s["residents"]) / 12.0

        before, after = per_month(ref, money), per_month(scen, money)
        charge = per_month(scen, charges) - per_month(ref, charges)
        health = per_month(scen, ["health_value_eur"]) - per_month(ref, ["health_value_eur"])
        rows.append([area, fmt_number(float(ref["residents"])), f"{before:,.2f}",
                     f"{after:,.2f}", f"{after - before:+,.2f}", f"{charge:+,.2f}",
                     "–" if not np.isfinite(health) else f"{health:+,.2f}"])
    if not rows:
        return ""
    return table(["Area (residents by home cell)", "Residents", "Money for trips, reference case",
                  "With the measures", "Change", "of which charges",
                  "Health value of walking and cycling: change"],
                 rows, numeric=set(range(1, 7)))


#: Share of the grid's jobs a resident must reach for the accessibility table to count them
#: (assumption: the SUMI define no threshold; a quarter of a city's jobs within 45 minutes
#: separates the well connected from the rest in the shipped cities).
ACCESS_THRESHOLD = 0.25


def access_by_group_html(access: pd.DataFrame, welfare: pd.DataFrame, grid: pd.DataFrame,
                         year: int, minutes: int = 45) -> str:
    """Jobs each group reaches within ``minutes`` by the best mode it has, in ``year``.

    Residents with a car available reach what the car, public transport, cycling or walking
    reaches, whichever is most; residents without a car what the other three reach. Per group
    of :data:`WHO`: the residents' average jobs, and the share of residents who reach at least
    :data:`ACCESS_THRESHOLD` of the grid's jobs, in the reference case and with the measures.
    Residents per cell and segment as :func:`surplus_by_cell` (the segments' trip rates are
    equal, so their trips split a cell's residents exactly).
    """
    residents = surplus_by_cell(welfare, grid, year).set_index(["cell_id", "segment"])
    residents = residents["residents"]
    jobs_total = float(grid["jobs"].sum())
    part = access[access["year"] == year]
    best: dict[str, dict[bool, pd.Series]] = {}
    for case, one in part.groupby("case"):
        wide = one.pivot_table(index="cell_id", columns="mode", values=f"jobs_{minutes}")
        best[str(case)] = {True: wide.max(axis=1),
                           False: wide.drop(columns="car", errors="ignore").max(axis=1)}
    if set(best) != {"scenario", "reference"} or not jobs_total:
        return ""
    rows = []
    for label, segments in WHO.items():
        cells = []
        for case in ("reference", "scenario"):
            total = reached = above = 0.0
            for segment in segments:
                r = residents.xs(segment, level="segment")
                jobs = best[case][segment.startswith("car_available")].reindex(r.index)
                jobs = jobs.fillna(0.0)
                total += float(r.sum())
                reached += float((r * jobs).sum())
                above += float(r[jobs >= ACCESS_THRESHOLD * jobs_total].sum())
            cells += [f"{reached / total:,.0f}" if total else "–",
                      f"{above / total:.0%}" if total else "–"]
        rows.append([f"Residents {label}", *cells])
    share = f"{ACCESS_THRESHOLD:.0%} of the jobs"
    return table(["Who", f"Jobs within {minutes} min, reference case",
                  f"Reaching {share}, reference case", "Jobs, with the measures",
                  f"Reaching {share}, with the measures"], rows, numeric={1, 2, 3, 4})


def income_groups_note_html(groups: Mapping | None) -> str:
    """How the run's income groups were set (the run's ``meta["income_groups"]``)."""
    if not isinstance(groups, Mapping) or not groups.get("mean_income_eur"):
        return ""
    names = ("poorest quarter", "middle half", "richest quarter")
    parts = [f"{name} EUR {income:,.0f} a year (a euro weighs x{factor:.2f})"
             for name, income, factor in zip(names, groups["mean_income_eur"],
                                              groups["cost_factor"], strict=False)]
    return ("<p><b>Income groups</b>: " + "; ".join(parts) + f". Values of time rise with "
            f"income at an elasticity of {float(groups['vot_elasticity']):g}; the poorest "
            "quarter has a car less often, the richest more often, in every cell. "
            f"{esc(str(groups.get('spatial_pattern', '')))}. Source: "
            f"{esc(str(groups.get('source', '')))}.</p>")
