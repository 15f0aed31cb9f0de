"""Pages that compare runs: scenarios of one city, and one measure package across cities.

:func:`write_comparison` is behind ``mobility-sim compare RUN_DIR...``;
:func:`write_city_comparison` behind ``mobility-sim compare-cities RUN_DIR...``. Both take
:class:`~mobility_sim.results.Results` (``Results.load(folder)`` reads a run folder).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import MobilitySimError
from ..results import ACCOUNTING_NOTE, Results
from ..scenario.base import distinct_names
from .comparison_figures import (
    change_bars,
    final_mode_split_figure,
    measure_ranking_figure,
    per_capita_bars,
    small_multiple_maps,
    small_multiples_trajectories,
    trajectories_figure,
)
from .kpi import (
    base_year_of,
    city_name,
    fmt_number,
    fmt_pct,
    fmt_tonnes,
    read_target,
    scenario_kpis,
    scenario_name,
)
from .map_figures import (
    add_outlines,
    co2_per_capita,
    difference_map,
    map_outlines,
    to_raster,
)
from .page import Page, esc, grid, na_panel, table
from .sections import (
    calibration_banner,
    extra_table,
    header_html,
    proxy_note,
    quality_table,
    synthetic_banner,
)


def _check(results_list: Sequence[Results], what: str) -> list[Results]:
    runs = list(results_list)
    if not runs:
        raise MobilitySimError(f"{what}: no runs given; pass one or more run folders written by "
                               "'mobility-sim run'")
    bad = [i for i, r in enumerate(runs) if not isinstance(r, Results)]
    if bad:
        raise MobilitySimError(f"{what}: items {bad} are not Results; load run folders with "
                               "Results.load(folder)")
    return runs


def same_grid(a: Results, b: Results) -> bool:
    """Return True when two runs share one grid (same cells at the same places)."""
    ga = a.grid.sort_values("cell_id")[["cell_id", "x", "y"]].reset_index(drop=True)
    gb = b.grid.sort_values("cell_id")[["cell_id", "x", "y"]].reset_index(drop=True)
    return ga.shape == gb.shape and bool(np.allclose(ga.to_numpy(float), gb.to_numpy(float)))


def kpi_rows(runs: Sequence[Results], labels: Sequence[str]) -> pd.DataFrame:
    """One row of :func:`~mobility_sim.report.kpi.scenario_kpis` numbers per run."""
    rows = []
    for label, r in zip(labels, runs, strict=True):
        rows.append({"label": label, "scenario": scenario_name(r), "city": city_name(r),
                     **scenario_kpis(r)})
    return pd.DataFrame(rows)


def kpi_table_html(rows: pd.DataFrame, first: str = "Scenario") -> str:
    """Return the KPI table shown on comparison pages."""
    headers = [first, "Years", "CO₂e base year", "CO₂e final year", "Change",
               "kg CO₂e per resident (final)", "Car share of trips (final)",
               "Battery-electric cars (final)", "Target", "Gap to target"]
    body = []
    for _, k in rows.iterrows():
        if k.get("target_year") is None or pd.isna(k.get("target_year")):
            target, gap = "none given", ""
        else:
            target = (f"{fmt_pct(-k['target_reduction_pct'], digits=0)} by "
                      f"{int(k['target_year'])} vs {int(k['target_base_year'])}")
            g = k.get("gap_t")
            if g is None or pd.isna(g):
                gap = "not in run" if not k.get("target_year_in_run") else "n/a"
            else:
                gap = "met" if g <= 0 else f"{fmt_tonnes(g)} over"
        car = k.get("car_share_final")
        bev = k.get("bev_share_final")
        body.append([
            k["label"], f"{int(k['base_year'])}–{int(k['final_year'])}",
            fmt_tonnes(k["co2_wtw_base_t"]), fmt_tonnes(k["co2_wtw_final_t"]),
            fmt_pct(k["co2_wtw_change_pct"]), fmt_number(k["co2_wtw_pc_final_kg"]),
            "n/a" if car is None or pd.isna(car) else fmt_pct(100 * car, signed=False, digits=0),
            "n/a" if bev is None or pd.isna(bev) else fmt_pct(100 * bev, signed=False, digits=0),
            target, gap])
    return table(headers, body, numeric={2, 3, 4, 5, 6, 7})


def _provenance_table(runs: Sequence[Results], labels: Sequence[str]) -> str:
    rows = [[label, city_name(r), str(r.meta.get("version") or ""),
             str(r.meta.get("scenario_hash") or "")[:12], str(r.meta.get("created") or ""),
             "yes" if r.meta.get("synthetic") else "no"]
            for label, r in zip(labels, runs, strict=True)]
    return table(["Run", "City", "Model version", "Scenario hash", "Created", "Synthetic"], rows)


def _notes(runs: Sequence[Results], labels: Sequence[str]) -> str:
    accounting = dict.fromkeys(str(r.meta.get("accounting") or ACCOUNTING_NOTE) for r in runs)
    parts = [f"<dt>What is counted</dt><dd>{esc(' / '.join(accounting))}</dd>"]
    areas = {city_name(r): r.meta.get("area_note") for r in runs if r.meta.get("area_note")}
    if areas:
        parts.append("<dt>Areas</dt><dd><ul>" + "".join(
            f"<li>{esc(c)}: {esc(a)}</li>" for c, a in areas.items()) + "</ul></dd>")
    proxies = {city_name(r): proxy_note(r.meta.get("layers") or {}) for r in runs}
    proxies = {c: p for c, p in proxies.items() if p}
    if proxies:
        parts.append("<dt>Proxies</dt><dd><ul>" + "".join(
            f"<li>{esc(c)}: {esc(p)}</li>" for c, p in proxies.items()) + "</ul></dd>")
    sources = list(dict.fromkeys(s for r in runs for s in (r.meta.get("sources") or []) if s))
    if sources:
        parts.append("<dt>Sources</dt><dd><ul>" + "".join(f"<li>{esc(s)}</li>" for s in sources)
                     + "</ul></dd>")
    parts.append(f"<dt>Runs</dt><dd>{_provenance_table(runs, labels)}</dd>")
    return '<dl class="ms-notes">' + "".join(parts) + "</dl>"


def build_comparison(results_list: Sequence[Results]) -> Page:
    """Assemble the scenario-comparison page (see :func:`write_comparison`)."""
    runs = _check(results_list, "compare")
    cities = list(dict.fromkeys(city_name(r) for r in runs))
    one_city = len(cities) == 1
    labels = distinct_names([scenario_name(r) if one_city else f"{scenario_name(r)} · "
                            f"{city_name(r)}" for r in runs])
    title = f"Scenario comparison · {', '.join(cities)}"
    page = Page(title=f"{title} · mobility_sim", slug="compare")
    finals = [int(r.summary["year"].max()) for r in runs]
    facts = [("Scenarios", str(len(runs))), ("Reference", labels[0]),
             ("Years", f"{min(base_year_of(r) for r in runs)}–{max(finals)}")]
    badges = [("synthetic city", "synthetic")] if any(r.meta.get("synthetic") for r in runs) else []
    page.header = header_html(title, "The same city under different scenarios; the first run "
                              "is the reference for difference maps.", facts, badges)
    page.footer = "Made with mobility_sim. This page works offline."
    page.add_html(synthetic_banner(runs))
    page.add_html(calibration_banner(runs))
    rows = kpi_rows(runs, labels)
    page.add_section("kpis", "Key indicators", kpi_table_html(rows))

    summaries = [(label, r.summary) for label, r in zip(labels, runs, strict=True)]
    target = read_target(runs[0].meta, base_year_of(runs[0]))
    shared_target = None
    if target is not None and all(read_target(r.meta, base_year_of(r)) == target for r in runs):
        path = target.path(runs[0].summary)
        if path is not None and target.metric == "co2_wtw_t":
            shared_target = (target, *path)
    panels = [page.figure(trajectories_figure(summaries, target=shared_target),
                          name="compare-trajectories",
                          note="Well-to-wheel CO₂e of residents' trips."),
              page.figure(trajectories_figure(summaries, "co2_wtw_per_capita_kg",
                                              title="CO₂e per resident by scenario"),
                          name="compare-per-capita", note="Well-to-wheel, kg per resident.")]
    page.add_section("trajectories", "Trajectories", grid(*panels))

    modes = [(label, r.modes) for label, r in zip(labels, runs, strict=True)]
    panels = [page.figure(final_mode_split_figure(modes, finals, "trips"), name="compare-split",
                          note="Residents' trips by mode group in each run's final year."),
              page.figure(final_mode_split_figure(modes, finals, "pkm"),
                          name="compare-split-pkm", note="Passenger-km by mode group.")]
    page.add_section("modes", "Mode split", grid(*panels))

    ref = runs[0]
    panels = []
    for label, r in zip(labels[1:], runs[1:], strict=True):
        common = sorted(set(ref.cells["year"]) & set(r.cells["year"]))
        if not same_grid(ref, r):
            panels.append(na_panel(f"Difference map: {label}",
                                   f"{label} and the reference {labels[0]} are on different "
                                   "grids, so cells cannot be compared one to one."))
            continue
        if not common:
            panels.append(na_panel(f"Difference map: {label}",
                                   f"{label} and {labels[0]} share no year."))
            continue
        year = int(common[-1])
        fig = difference_map(
            r.grid, co2_per_capita(r.cells, year), co2_per_capita(ref.cells, year),
            title=f"{label} minus {labels[0]}, {year}",
            colorbar_title="kg CO₂e per\nresident per year", cell_size_m=r.meta.get("cell_size_m"))
        add_outlines(fig, map_outlines(r.grid, r.meta, r.scenario_yaml,
                                       r.meta.get("cell_size_m")))  # this run's zones, areas
        panels.append(page.figure(fig, name=f"difference-map-{len(panels) + 1}",
                                  note=f"CO₂e per resident by home cell in {year}: {esc(label)} "
                                       f"minus {esc(labels[0])}. Blue: lower than the "
                                       "reference."))
    if panels:
        page.add_section("maps", "Difference maps", grid(*panels))
    page.add_section("notes", "About these numbers", _notes(runs, labels))
    return page


def write_comparison(results_list: Sequence[Results], path: str | Path) -> Path:
    """Write a page comparing scenarios: trajectories, KPI table, mode split, difference maps.

    Parameters
    ----------
    results_list : sequence of Results
        The runs; the first is the reference of the difference maps.
    path : str or pathlib.Path
        The HTML file to write (atomically).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    MobilitySimError
        If no runs are given.
    OutputError
        If the file cannot be written.
    """
    return build_comparison(results_list).write(path)


def measure_effects(runs: Sequence[Results], labels: Sequence[str],
                    wedges: Sequence[pd.DataFrame | None]) -> pd.DataFrame:
    """Final-year CO2e avoided per resident by measure and city, from each run's wedges table."""
    rows = []
    for label, r, w in zip(labels, runs, wedges, strict=True):
        if w is None:
            continue
        final = int(w["year"].max())
        pop = float(r.summary.loc[r.summary["year"] == final, "population"].sum()) or np.nan
        for measure, t in w[w["year"] == final].groupby("measure")["co2_wtw_reduction_t"].sum(
        ).items():
            rows.append({"city": label, "measure": measure,
                         "reduction_kg_per_resident": 1000.0 * float(t) / pop})
    return pd.DataFrame(rows, columns=["city", "measure", "reduction_kg_per_resident"])


def build_city_comparison(results_list: Sequence[Results],
                          wedges: Sequence[pd.DataFrame | None] | None = None) -> Page:
    """Assemble the multi-city page (see :func:`write_city_comparison`)."""
    runs = _check(results_list, "compare-cities")
    labels = distinct_names([city_name(r) for r in runs])
    packages = list(dict.fromkeys(scenario_name(r) for r in runs))
    title = f"{' / '.join(packages)} · {len(runs)} cities"
    page = Page(title=f"{title} · mobility_sim", slug="cities")
    badges = [("synthetic city", "synthetic")] if any(r.meta.get("synthetic") for r in runs) else []
    signatures = {tuple((m.get("type"), m.get("label")) for m in r.meta.get("measures") or []
                        if isinstance(m, Mapping)) for r in runs}
    subtitle = ("The same measure package in several cities, per resident."
                if len(packages) == 1 or len(signatures) == 1 else
                "Warning: the runs use different scenarios: " + ", ".join(packages) + ".")
    page.header = header_html(title, subtitle, [("Cities", ", ".join(labels))], badges)
    page.footer = "Made with mobility_sim. This page works offline."
    page.add_html(synthetic_banner(runs))
    page.add_html(calibration_banner(runs))
    rows = kpi_rows(runs, labels)
    page.add_section("kpis", "Key indicators per city", kpi_table_html(rows, first="City"))
    page.add_section("quality", "Data quality per city", quality_table(runs, labels),
                     lead="Inputs that are the city's own data (real), derived from it by a "
                          "stated rule (proxy) or model defaults; score = (real + 0.5 x "
                          "proxy) / inputs. Cities whose constants are transferred or default "
                          "are not calibrated to a survey: their differences rest partly on "
                          "assumptions.")

    panels = [page.figure(per_capita_bars(rows), name="cities-per-capita",
                          note="Well-to-wheel CO₂e of residents' trips per resident."),
              page.figure(change_bars(rows), name="cities-change",
                          note="Final year against each city's base year.")]
    targets = [read_target(r.meta, base_year_of(r)) for r in runs]
    summaries = [(label, r.summary) for label, r in zip(labels, runs, strict=True)]
    panels.append(page.figure(small_multiples_trajectories(summaries, targets), wide=True,
                              name="cities-trajectories",
                              note="Shared vertical axis. Dashed: the city's own target path "
                                   "(where given for well-to-wheel CO₂e)."))
    page.add_section("per-capita", "Per-resident indicators", grid(*panels))

    finals = [int(r.summary["year"].max()) for r in runs]
    modes = [(label, r.modes) for label, r in zip(labels, runs, strict=True)]
    rasters = [(label, to_raster(r.grid, co2_per_capita(r.cells, y), r.meta.get("cell_size_m")))
               for label, r, y in zip(labels, runs, finals, strict=True)]
    panels = [page.figure(final_mode_split_figure(modes, finals, "trips", row_title="City"),
                          wide=True, name="cities-split",
                          note="Residents' trips by mode group in each city's final year."),
              page.figure(small_multiple_maps(rasters), wide=True, name="cities-maps",
                          note="One colour scale for all cities. Kilometres from each grid's "
                               "south-west corner; grids cover different areas (see notes).")]
    page.add_section("small-multiples", "Small multiples", grid(*panels))

    given = list(wedges) if wedges is not None else [extra_table(r, "wedges") for r in runs]
    if len(given) != len(runs):
        raise MobilitySimError(f"compare-cities: {len(given)} wedge tables for {len(runs)} runs; "
                               "give one per run (None where missing)")
    effects = measure_effects(runs, labels, given)
    if effects.empty:
        body = na_panel("Ranking of measures by effect", "None of these runs splits its "
                        "reduction among measures.", "Give each run a wedges table (year, "
                        "measure, co2_wtw_reduction_t) to rank measures per city.", wide=True)
    else:
        body = page.figure(measure_ranking_figure(effects), wide=True, name="measure-ranking",
                           note="Final-year CO₂e avoided per resident; #1 is the largest "
                                "effect in that city.")
    page.add_section("measures", "Which measure matters where", grid(body))
    page.add_section("notes", "About these numbers", _notes(runs, labels))
    return page


def write_city_comparison(results_list: Sequence[Results], path: str | Path, *,
                          wedges: Sequence[pd.DataFrame | None] | None = None) -> Path:
    """Write a page comparing one measure package across cities, per resident.

    Parameters
    ----------
    results_list : sequence of Results
        One run per city.
    path : str or pathlib.Path
        The HTML file to write (atomically).
    wedges : sequence of pandas.DataFrame or None, optional
        Per run, a table ``year, measure, co2_wtw_reduction_t`` for the ranking of measures;
        by default each run's own ``wedges`` table if it has one.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    return build_city_comparison(results_list, wedges).write(path)
