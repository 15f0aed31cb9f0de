"""Results in a notebook: a summary that displays itself, and the dashboard's figures.

In Jupyter, a :class:`~mobility_sim.results.Results` alone in a cell shows :func:`results_html`
(the scenario, the years, the headline numbers and which inputs are real, proxies or model
defaults), and ``results.plot`` gives every figure of the dashboard as one call that returns a
Plotly figure, drawn inline::

    results.plot.emissions(baseline=baseline)   # CO2e trajectory, target path, a baseline
    results.plot.mode_share()                   # modal split by year
    results.plot.co2_map(2030)                  # CO2e per resident by home cell

A dashboard or comparison page (:func:`~mobility_sim.report.build_dashboard`,
:func:`~mobility_sim.report.build_comparison`, ...) also displays itself in a cell, in a frame
that holds the whole page: it works under a Jupyter server and in a saved notebook, offline.

This module reads the attributes of a run and never imports :mod:`mobility_sim.results` at run
time (the report layer sits after the results in the data flow).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

from .access_figures import access_change_map, access_map
from .cobenefit_figures import health_figure, pollutants_figure
from .emissions_figures import accounts_figure, emissions_by_mode, emissions_trajectory
from .fleet_figures import bev_share_figure, fleet_composition_figure, grid_intensity_figure
from .kpi import (
    base_year_of,
    city_name,
    fmt_number,
    fmt_pct,
    fmt_tonnes,
    layer_statuses,
    read_target,
    scenario_kpis,
    scenario_name,
)
from .map_figures import (
    add_outlines,
    car_speed_change_map,
    co2_per_capita_map,
    map_outlines,
    mode_share_change_map,
)
from .page import esc
from .travel_figures import mode_share_figure, observed_split_figure, road_traffic_figure

if TYPE_CHECKING:  # pragma: no cover
    from ..results import Results

class ResultsPlots:
    """The figures of a run's dashboard, one method each (``results.plot.<name>()``).

    Every method returns a :class:`plotly.graph_objects.Figure` in the house style: in a
    notebook it is drawn inline; ``fig.write_html(...)`` or ``fig.write_image(...)`` save it.

    Parameters
    ----------
    results : Results
        The run to draw.
    """

    def __init__(self, results: Results) -> None:
        self._results = results

    def __repr__(self) -> str:
        names = ", ".join(f"{n}()" for n in FIGURES)
        return f"<figures of {scenario_name(self._results)}: {names}>"

    def emissions(self, baseline: Results | None = None) -> go.Figure:
        """CO2e per year (well-to-wheel and tank-to-wheel), the target path, a baseline.

        Parameters
        ----------
        baseline : Results, optional
            A run of the same city (for example its baseline scenario); its well-to-wheel line
            is drawn in grey. Default: the run's own reference case when it has measures.
        """
        r = self._results
        if baseline is None and r.meta.get("measures") and not r.reference.empty:
            return emissions_trajectory(
                r.summary, target=read_target(r.meta, base_year_of(r)), baseline=r.reference,
                baseline_label="Reference case (EU and national policy, no city measure)")
        return emissions_trajectory(
            r.summary, target=read_target(r.meta, base_year_of(r)),
            baseline=None if baseline is None else baseline.summary,
            baseline_label=scenario_name(baseline) if baseline is not None else "Baseline")

    def emissions_by_mode(self) -> go.Figure:
        """Well-to-wheel CO2e per year, stacked by mode."""
        return emissions_by_mode(self._results.modes)

    def accounts(self, accounting: str = "territorial") -> go.Figure:
        """Well-to-wheel CO2e per year by component: ``"territorial"`` or ``"residents"``.

        Raises
        ------
        ValueError
            If the run has no ``accounts`` table (saved before it existed).
        """
        if self._results.accounts.empty:
            raise ValueError("this run has no accounts table (saved by an older version)")
        return accounts_figure(self._results.accounts, accounting)

    def mode_share(self, by: str = "trips") -> go.Figure:
        """Modal split per year: share of ``"trips"`` or of passenger-km (``"pkm"``)."""
        return mode_share_figure(self._results.modes, by)

    def modal_split_vs_survey(self) -> go.Figure:
        """Draw the model's base-year split next to each published survey split of the city.

        Raises
        ------
        ValueError
            If the city's metadata lists no published split that can be compared (none, or
            none with a share of trips or passenger-km of a survey mode group).
        """
        r = self._results
        fig = observed_split_figure(r.modes, r.meta.get("observed_modal_split") or [],
                                    base_year_of(r))
        if fig is None:
            raise ValueError(f"{city_name(r)}: the city's city.yaml lists no published modal "
                             "split (observed_modal_split) to compare with; add one")
        return fig

    def fleet(self, vehicle: str = "car") -> go.Figure:
        """Vehicles in stock by powertrain per year (``"car"`` or ``"bus"``)."""
        return fleet_composition_figure(self._results.fleet, vehicle)

    def bev_share(self) -> go.Figure:
        """Battery-electric share of the car stock per year."""
        return bev_share_figure(self._results.summary)

    def grid_intensity(self) -> go.Figure:
        """Grid carbon intensity per year (drives the emissions of electric vehicles)."""
        r = self._results
        return grid_intensity_figure(r.summary, country=r.meta.get("country") or None)

    def co2_map(self, year: int | None = None, outlines: bool = True) -> go.Figure:
        """Well-to-wheel CO2e per resident by home cell in ``year`` (default: the last year).

        With ``outlines`` (the default) the city's named zones, the measures' areas and new
        public transport lines are drawn over the map (:meth:`outlined`).
        """
        r = self._results
        chosen = int(r.summary["year"].max()) if year is None else self._year(year)
        return self._outlined(co2_per_capita_map(r.grid, r.cells, chosen,
                                                 cell_size_m=r.meta.get("cell_size_m")),
                              outlines)

    def car_share_change_map(self, start: int | None = None, end: int | None = None,
                             outlines: bool = True) -> go.Figure:
        """Change in the car share of trips by home cell, ``start`` to ``end`` (in points).

        The defaults are the run's base year and its last year; ``outlines`` as in
        :meth:`co2_map`.
        """
        r = self._results
        first = base_year_of(r) if start is None else self._year(start)
        last = int(r.summary["year"].max()) if end is None else self._year(end)
        return self._outlined(mode_share_change_map(r.grid, r.cells, first, last,
                                                    cell_size_m=r.meta.get("cell_size_m")),
                              outlines)

    def road_traffic(self) -> go.Figure:
        """Car speed relative to the base year's and road delay per year, with the reference."""
        r = self._results
        return road_traffic_figure(r.summary, r.reference)

    def car_speed_map(self, start: int | None = None, end: int | None = None,
                      outlines: bool = True) -> go.Figure:
        """Change in each cell's car speed, ``start`` to ``end`` (default: base year to last).

        ``outlines`` as in :meth:`co2_map`.
        """
        r = self._results
        first = base_year_of(r) if start is None else self._year(start)
        last = int(r.summary["year"].max()) if end is None else self._year(end)
        return self._outlined(car_speed_change_map(r.grid, r.cells, first, last,
                                                   cell_size_m=r.meta.get("cell_size_m")),
                              outlines)

    def outlined(self, fig: go.Figure) -> go.Figure:
        """Draw the run's outlines over a map of it (in place) and return the map.

        The city's named zones (their polygons), each measure's area (the outline of the cells
        it acts on) and each new public transport line (``pt_line``), as thin dark lines named
        in the legend, where a click hides or shows each. Existing public transport lines are
        not in a city's data, so they are not drawn.
        """
        r = self._results
        return add_outlines(fig, map_outlines(r.grid, r.meta, r.scenario_yaml,
                                              r.meta.get("cell_size_m")))

    def _outlined(self, fig: go.Figure, outlines: bool) -> go.Figure:
        return self.outlined(fig) if outlines else fig

    def access_map(self, year: int | None = None, mode: str = "pt", minutes: int = 45,
                   outlines: bool = True) -> go.Figure:
        """Jobs reachable within ``minutes`` by ``mode`` (walk, bike, pt, car) from each cell.

        ``year`` defaults to the last year; ``outlines`` as in :meth:`co2_map`.
        """
        r = self._results
        chosen = int(r.summary["year"].max()) if year is None else self._year(year)
        return self._outlined(access_map(r.grid, r.access, chosen, mode, minutes,
                                         cell_size_m=r.meta.get("cell_size_m")), outlines)

    def access_change_map(self, year: int | None = None, mode: str = "pt", minutes: int = 45,
                          outlines: bool = True) -> go.Figure:
        """Jobs reachable within ``minutes`` by ``mode``: scenario minus reference case."""
        r = self._results
        chosen = int(r.summary["year"].max()) if year is None else self._year(year)
        return self._outlined(access_change_map(r.grid, r.access, chosen, mode, minutes,
                                                cell_size_m=r.meta.get("cell_size_m")),
                              outlines)

    def pollutants(self) -> go.Figure:
        """NOx and PM2.5 (exhaust and non-exhaust) in tonnes per year."""
        return pollutants_figure(self._results.pollutants)

    def health(self) -> go.Figure:
        """Premature deaths avoided per year by walking and cycling (WHO HEAT)."""
        return health_figure(self._results.health)

    def _year(self, year: int) -> int:
        years = sorted(int(y) for y in self._results.summary["year"])
        if int(year) not in years:
            raise ValueError(f"year {year} is not in the run; its years are "
                             f"{years[0]}-{years[-1]}")
        return int(year)


#: The figure methods of :class:`ResultsPlots`, in dashboard order.
FIGURES: tuple[str, ...] = (
    "emissions", "emissions_by_mode", "mode_share", "modal_split_vs_survey", "fleet",
    "bev_share", "grid_intensity", "co2_map", "car_share_change_map", "pollutants", "health",
)


def _rows_html(rows: list[tuple[str, str]]) -> str:
    return "".join(f"<tr><th style='text-align:left'>{esc(k)}</th><td style='text-align:left'>"
                   f"{esc(v)}</td></tr>" for k, v in rows)


def results_html(results: Results) -> str:
    """HTML summary of a run for a notebook cell: what ran, headline numbers, data quality."""
    meta = results.meta
    k = scenario_kpis(results)
    base, final = k["base_year"], k["final_year"]
    years = sorted(int(y) for y in results.summary["year"])
    head = [
        ("City", f"{city_name(results)} ({meta.get('country') or 'country not given'})"),
        ("Years", f"{years[0]}–{years[-1]} ({len(years)} years)"),
        ("Grid", f"{len(results.grid):,} cells"
                 + (f" of {float(meta['cell_size_m']):,.0f} m" if meta.get("cell_size_m") else "")),
        ("Measures", str(len(meta.get("measures") or []))),
    ]
    numbers = [
        ("CO₂e well-to-wheel", fmt_tonnes(k["co2_wtw_base_t"]), fmt_tonnes(k["co2_wtw_final_t"]),
         fmt_pct(k["co2_wtw_change_pct"])),
        ("CO₂e per resident", fmt_number(k["co2_wtw_pc_base_kg"], 0, "kg"),
         fmt_number(k["co2_wtw_pc_final_kg"], 0, "kg"), ""),
        ("Car share of trips", _share(k["car_share_base"]), _share(k["car_share_final"]), ""),
        ("Battery-electric share of cars", "", _share(k["bev_share_final"]), ""),
    ]
    if k.get("target_year") is not None and k.get("gap_t") is not None:
        verdict = "met" if k["gap_t"] <= 0 else f"missed by {fmt_tonnes(k['gap_t'])}"
        head.append(("Target", f"-{k['target_reduction_pct']:.0f} % by {k['target_year']} vs "
                               f"{k['target_base_year']}: {verdict}"))
    calibration = meta.get("calibration")
    if isinstance(calibration, dict):
        head.append(("Calibration", f"{calibration.get('status')}: {calibration.get('note')}"))
    status = layer_statuses(meta)
    flags = [(name, s) for name, s in status.items() if s != "real"]
    quality = ("synthetic city: not a real place" if meta.get("synthetic") else
               f"{len(status) - len(flags)} of {len(status)} grid layers observed" if status
               else "no layer information in this run")
    table_rows = "".join(
        f"<tr><th style='text-align:left'>{esc(label)}</th><td>{esc(a)}</td><td>{esc(b)}</td>"
        f"<td>{esc(c)}</td></tr>" for label, a, b, c in numbers)
    flag_rows = "".join(f"<li>{esc(name)}: <b>{esc(s)}</b></li>" for name, s in flags)
    return (
        f"<div class='mobility-sim-results'><h4 style='margin:0.2em 0'>"
        f"{esc(scenario_name(results))}</h4>"
        f"<table>{_rows_html(head)}</table>"
        f"<table><thead><tr><th></th><th>{base}</th><th>{final}</th><th>change</th></tr></thead>"
        f"<tbody>{table_rows}</tbody></table>"
        f"<p style='margin:0.3em 0'><b>Data quality:</b> {esc(quality)}</p>"
        + (f"<ul style='margin:0'>{flag_rows}</ul>" if flag_rows else "")
        + "<p style='margin:0.3em 0;color:#555'>Tables: <code>.summary</code>, "
          "<code>.modes</code>, <code>.cells</code>, <code>.fleet</code>, "
          "<code>.emissions</code>, <code>.health</code>; figures: <code>.plot.emissions()</code>"
          " and the others listed by <code>.plot</code>.</p></div>"
    )


def _share(value: float | None) -> str:
    return fmt_pct(None if value is None else 100 * value, signed=False)

