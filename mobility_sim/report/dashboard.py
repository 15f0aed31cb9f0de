"""The single-scenario dashboard: one self-contained HTML file per run.

Tables that only some runs have are looked up by name, first in the ``extra`` mapping given to
:func:`write_dashboard`, then as attributes of :class:`~mobility_sim.results.Results` (which has
``fleet``, ``health`` and ``pollutants``; they are empty for older run folders). The columns
used:

``wedges``
    ``year, measure, co2_wtw_reduction_t`` (attribution of the reduction to measures).
``fleet``
    ``year, vehicle, powertrain, stock`` (vehicle stock by powertrain; cars and buses drawn).
``pollutants``
    ``year, pollutant, tonnes`` (e.g. nox, pm25_exhaust, pm25_non_exhaust).
``health``
    ``year, mode, deaths_avoided`` (WHO HEAT, walking and cycling).
``costs``
    ``measure, cost_eur, co2_abated_t`` (over the horizon, same discounting for both).

When one is missing the dashboard says so in a "not available in this run" panel; it never
fills the gap with made-up numbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..results import Results
from .access_figures import access_table_html, sumi_table_html
from .cobenefit_figures import (
    HEALTH_COLUMNS,
    POLLUTANT_COLUMNS,
    cost_effectiveness_figure,
    health_figure,
    pollutants_figure,
)
from .council_figures import council_section
from .emissions_figures import WEDGE_COLUMNS, wedge_figure
from .equity_figures import (
    access_by_group_html,
    income_groups_note_html,
    spending_by_area_html,
    spending_table_html,
    surplus_map,
    surplus_table_html,
    winners_by_measure_html,
)
from .fleet_figures import FLEET_COLUMNS, fleet_composition_figure
from .kpi import base_year_of, city_name, kpi_cards, scenario_kpis, scenario_name
from .notebook import ResultsPlots
from .page import Page, esc, grid, na_panel
from .sections import (
    accounts_html,
    areas_html,
    calibration_banner,
    extra_table,
    header_html,
    kpi_cards_html,
    measures_table,
    notes_html,
    reference_html,
    run_facts,
    synthetic_banner,
    zones_html,
)


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by '-', for file names and element ids."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "dashboard"


def _cols(columns: tuple[str, ...]) -> str:
    return ", ".join(columns)


def has_stock(fleet: pd.DataFrame, vehicle: str) -> bool:
    """Return True when ``fleet`` has a positive stock of ``vehicle`` in some year."""
    rows = fleet.loc[fleet["vehicle"] == vehicle, "stock"]
    return bool((pd.to_numeric(rows, errors="coerce").fillna(0) > 0).any())


def build_dashboard(results: Results, *, baseline: Results | None = None,
                    extra: Mapping[str, pd.DataFrame] | None = None,
                    council: Mapping[str, Any] | None = None) -> Page:
    """Assemble the dashboard page of one run (see :func:`write_dashboard`)."""
    meta = results.meta
    if council is not None:
        extra = {**council_extra(council), **(extra or {})}
    name, city = scenario_name(results), city_name(results)
    base = base_year_of(results)
    final = int(results.summary["year"].max())
    version = esc(meta.get("version") or "")
    page = Page(title=f"{name} · {city} · mobility_sim", slug=slugify(f"{name}-{city}"))
    badges = [("synthetic city", "synthetic")] if meta.get("synthetic") else []
    calibration = meta.get("calibration") if isinstance(meta.get("calibration"), dict) else {}
    if calibration and calibration.get("status") != "current" and not meta.get("synthetic"):
        badges.append(("not calibrated", "synthetic"))
    page.header = header_html(f"{name} · {city}", str(meta.get("scenario_description") or ""),
                              run_facts(results), badges)
    page.footer = (f"Made with mobility_sim {version}. Figures are drawn from the run's result "
                   "tables (Parquet files beside this page). This page works offline; use the "
                   "camera icon above a figure to save it as a PNG.")

    page.add_html(synthetic_banner([results]))
    page.add_html(calibration_banner([results]))
    page.add_section("kpis", "Headline", kpi_cards_html(kpi_cards(scenario_kpis(results))))
    target = (meta.get("targets") or [None])[0]
    target_year = target.get("year") if isinstance(target, Mapping) else None
    if council is not None:
        page.add_section("council", "For the council: target, measures, cost, certainty",
                         council_section(page, results.summary, results.reference, council,
                                         target))
    else:
        page.add_html('<div class="ms-banner" role="note">The council section (what each '
                      "measure achieves, EUR per tonne, the cost curve and an uncertainty "
                      "band) needs extra runs: <code>mobility-sim run SCENARIO --council"
                      "</code> writes it.</div>")

    # Emissions ---------------------------------------------------------------------------
    country = str(meta.get("country") or "")
    wtw_note = ("Well-to-wheel adds fuel and electricity production to the exhaust "
                "(tank-to-wheel); electricity at the grid carbon intensity of "
                f"{esc(country or 'the country')}. Residents' trips (whole, also beyond the "
                "grid's edge) and public transport service; all traffic on the grid's roads, "
                "freight included, is under 'Territorial and residents' accounts'.")
    plot = ResultsPlots(results)
    panels = [page.figure(plot.emissions(baseline), note=wtw_note, name="emissions-trajectory")]
    panels.append(page.figure(plot.emissions_by_mode(),
                              note="Walking and cycling emit nothing and are not drawn. See "
                                   "'About these numbers' for how public transport is counted.",
                              name="emissions-by-mode"))
    wedges = extra_table(results, "wedges", extra)
    if council is None:  # with it, the council section draws the wedges
        panels.append(page.figure(wedge_figure(wedges), wide=True, name="wedges",
                                  note="Reduction versus the baseline attributed to each "
                                       "measure.") if wedges is not None else na_panel(
            "Emission reduction by measure (wedges)",
            "Splitting the reduction among measures needs runs with each measure left out; "
            "this page shows one run.",
            "Run 'mobility-sim run SCENARIO --council' to show it (or give a table with "
            f"columns {_cols(WEDGE_COLUMNS)}).", wide=True))
    page.add_section("emissions", "Emissions", grid(*panels))
    page.add_section("reference", "Reference case and targets", reference_html(results))
    page.add_section("municipality", "Municipality and modelled area", areas_html(results))
    if not results.accounts.empty:
        page.add_section("accounts", "Territorial and residents' accounts", grid(
            page.figure(plot.accounts("territorial"), name="accounts-territorial",
                        note="All traffic on the grid's roads, freight included."),
            page.figure(plot.accounts("residents"), name="accounts-residents",
                        note="Every trip of the residents, whole, wherever it goes."))
            + accounts_html(results))
    page.add_section("zones", "Zones: cordon, low-emission zone, centre", zones_html(results))

    # Travel ------------------------------------------------------------------------------
    panels = [page.figure(plot.mode_share("trips"), name="mode-share-trips",
                          note="Residents' trips by main mode, all purposes."),
              page.figure(plot.mode_share("pkm"), name="mode-share-pkm",
                          note="Passenger-km by main mode, all purposes.")]
    try:
        panels.append(page.figure(plot.modal_split_vs_survey(), wide=True,
                                  name="modal-split-vs-survey", note=(
            "Surveys count trips differently (whose trips, which purposes, which area): hover a "
            "bar for its definition. Differences partly reflect definitions, not only the "
            "model.")))
    except ValueError:
        panels.append(na_panel("Modal split: model against published surveys",
                               "The city's metadata lists no published modal split.",
                               "Add observed_modal_split to the city's city.yaml.", wide=True))
    page.add_section("travel", "Travel", grid(*panels))

    # Road traffic ------------------------------------------------------------------------
    try:
        road = meta.get("road_traffic") or {}
        level = road.get("congestion_level")
        calibration = (f" Road capacity is calibrated so that the base year's travel time is "
                       f"{1 + level:.2f} times the free-flow time (the city's congestion level: "
                       f"{esc(str(road.get('congestion_source')))})."
                       if level is not None else " Speeds are fixed in this run.")
        panels = [page.figure(plot.road_traffic(), name="road-traffic", note=(
                      "Residents' car-km-weighted car speed relative to the base year's, and "
                      "the road traffic's travel time over free flow (BPR volume-delay "
                      "function by traffic district; docs/traffic.md)." + calibration)),
                  page.figure(plot.car_speed_map(), name="map-car-speed-change", note=(
                      "Car speed by cell, last year against the base year: traffic, speed "
                      "limits and road space taken from cars."))]
    except ValueError:
        panels = [na_panel("Car speed and road delay",
                           "This run folder was written before speeds followed traffic.",
                           "Run the scenario again to show it.", wide=True)]
    page.add_section("roads", "Road traffic and speeds", grid(*panels))

    # Who gains and who pays ----------------------------------------------------------------
    welfare = results.welfare
    if (isinstance(welfare, pd.DataFrame) and not welfare.empty and "case" in welfare.columns
            and "reference" in set(welfare["case"])):
        years = sorted({y for y in (target_year, final) if y is not None})
        grid_pop = float(results.grid["population"].sum()) or 1.0
        pop = results.summary.set_index("year")["population"]
        growth = {int(y): float(pop.loc[y]) / grid_pop for y in years}
        body = income_groups_note_html(meta.get("income_groups"))
        body += surplus_table_html(welfare, results.grid, years, growth)
        if isinstance(results.access, pd.DataFrame) and not results.access.empty:
            body += (f"<p><b>Access to jobs by the modes each group has</b>, {final} (a car "
                     "for those who have one; public transport, cycling and walking for "
                     "all):</p>" + access_by_group_html(results.access, welfare, results.grid,
                                                        final))
        spending = results.spending
        if isinstance(spending, pd.DataFrame) and not spending.empty:
            body += (f"<p><b>Money for trips and car trips</b> per resident a month, "
                     f"{years[0]} (fuel, electricity, fares, parking, zone and cordon "
                     "charges; not the cost of owning a car):</p>"
                     + spending_table_html(spending, years[0]))
            by_area = spending_by_area_html(spending, years[0])
            if by_area:
                body += (f"<p><b>By area</b>: money for trips and health per resident a "
                         f"month, {years[0]}, all residents of each area by home cell:</p>"
                         + by_area)
        body += grid(page.figure(surplus_map(welfare, results.grid, final,
                                             cell_size_m=meta.get("cell_size_m")),
                                 name="map-consumer-surplus",
                                 note="Blue: the residents of the cell lose; red: they gain "
                                      "(time, money and choice of their trips, in EUR)."))
        if council is not None:
            year = years[0]
            body += ("<p><b>By measure</b> (Shapley shares of the consumer surplus, "
                     f"{year}):</p>" + winners_by_measure_html(
                         council["contributions"], welfare, results.grid, year,
                         growth.get(year, 1.0)))
            money = winners_by_measure_html(council["contributions"], welfare, results.grid,
                                            year, growth.get(year, 1.0), "spending_eur")
            if money:
                body += ("<p><b>Money for trips by measure</b> (Shapley shares of the change "
                         f"in what residents pay for their trips, {year}; positive: they pay "
                         "more):</p>" + money)
        page.add_section("equity", "Who gains and who pays", body,
                         lead="Consumer surplus against the reference case: the logsum of "
                              "each resident's trips in EUR, the standard appraisal measure "
                              "of what measures do to travellers (time, money, choice), "
                              "each income group's in its own money (no distributional "
                              "weights). Income groups are the country's quarters of income "
                              "(EU-SILC), the same in every cell; car availability differs by "
                              "group and cell (docs/sumi.md).")

    # SUMP indicators -----------------------------------------------------------------------
    if isinstance(results.sumi, pd.DataFrame) and not results.sumi.empty:
        page.add_section("sumi", "Sustainable Urban Mobility Indicators (SUMI)",
                         sumi_table_html(results.sumi, target_year),
                         lead="The European Commission's SUMP indicators that a model run "
                              "supports, scenario and reference case. The last column says "
                              "how each compares with the Commission's definition; "
                              "docs/sumi.md lists all 18 and why the others are out of "
                              "scope. <code>mobility-sim export RUN --sumi sumi.csv</code> "
                              "writes them for a city to hand in.")

    # Fleet and energy ----------------------------------------------------------------------
    panels = []
    fleet = extra_table(results, "fleet", extra)
    if fleet is not None:
        panels.append(page.figure(fleet_composition_figure(fleet), name="fleet-composition",
                                  note="Cars in stock by powertrain."))
        if has_stock(fleet, "bus"):
            panels.append(page.figure(fleet_composition_figure(fleet, "bus"),
                                      name="bus-fleet-composition",
                                      note="Buses in stock by powertrain."))
    else:
        panels.append(na_panel(
            "Fleet composition by powertrain",
            "This run records the battery-electric share of the car fleet (next panel), not the "
            "stock by powertrain.",
            f"Give a table with columns {_cols(FLEET_COLUMNS)} to show it."))
    panels.append(page.figure(plot.bev_share(), name="bev-share",
                              note="Share of battery-electric cars in the car stock."))
    panels.append(page.figure(plot.grid_intensity(), name="grid-intensity",
                              note="Drives the well-to-wheel emissions of electric cars, e-bikes "
                                   "and electric public transport. "
                                   + esc(meta.get("grid_note") or "")))
    page.add_section("fleet", "Fleet and energy", grid(*panels))

    # Maps --------------------------------------------------------------------------------
    panels = [page.figure(plot.co2_map(final), name="map-co2-per-capita",
                          note="Well-to-wheel CO₂e of residents' trips, by home cell, per "
                               "resident. Blank cells have no residents."),
              page.figure(plot.car_share_change_map(base, final), name="map-car-share-change",
                          note=f"Car share of residents' trips by home cell, {final} minus "
                               f"{base}. Blue: fewer car trips.")]
    page.add_section("maps", "Maps", grid(*panels),
                     lead="Grid cells by home location of the travellers; kilometres from the "
                          "grid's south-west corner.")

    # Accessibility -----------------------------------------------------------------------
    if isinstance(results.access, pd.DataFrame) and not results.access.empty:
        panels = [page.figure(plot.access_map(final, "pt", 45), name="map-access-pt",
                              note="Jobs reached from each cell within 45 minutes door to door "
                                   "by public transport (walk to the stop, wait, ride, walk "
                                   "from the stop), the last year.")]
        if "reference" in set(results.access.get("case", [])):
            panels.append(page.figure(plot.access_change_map(final, "pt", 45),
                                      name="map-access-pt-change",
                                      note="What the scenario's measures change: jobs within "
                                           "45 minutes by public transport, scenario minus "
                                           "reference case."))
        page.add_section("access", "Accessibility", grid(*panels)
                         + access_table_html(results.access, results.grid),
                         lead="Jobs each resident reaches on average (residents' average of "
                              "their home cells), by mode; docs/sumi.md says how times are "
                              "computed.")

    # Co-benefits and costs ---------------------------------------------------------------
    panels = []
    pollutants = extra_table(results, "pollutants", extra)
    panels.append(page.figure(pollutants_figure(pollutants), name="pollutants", wide=True,
                              note="Tonnes per year, counted as CO₂e is (see 'About these "
                                   "numbers'). Non-exhaust: tyre, brake and road wear.")
                  if pollutants is not None else na_panel(
                      "Local air pollutants (NOx, PM2.5)",
                      "Pollutant emissions are not among this run's result tables.",
                      f"Give a table with columns {_cols(POLLUTANT_COLUMNS)} to show them."))
    health = extra_table(results, "health", extra)
    panels.append(page.figure(health_figure(health), name="health",
                              note="WHO HEAT method: premature deaths of adults avoided each "
                                   "year by the walking and cycling of residents, compared with "
                                   "none at all; the change over the years is the scenario's "
                                   "effect.")
                  if health is not None else na_panel(
                      "Health benefit of walking and cycling",
                      "The physical-activity benefit (WHO HEAT) is not among this run's result "
                      "tables.",
                      f"Give a table with columns {_cols(HEALTH_COLUMNS)} to show it."))
    costs = extra_table(results, "costs", extra)
    panels.append(page.figure(cost_effectiveness_figure(costs), name="cost-effectiveness",
                              wide=True, note="Total cost over the horizon divided by the "
                                              "CO₂e it abates.")
                  if costs is not None else na_panel(
                      "Cost-effectiveness (EUR per tonne CO₂e)",
                      "Measure costs and the abatement of each measure are not among this run's "
                      "result tables.",
                      "Run 'mobility-sim run SCENARIO --council' (attribution, published unit "
                      "costs, Monte Carlo band) to show it.", wide=True))
    page.add_section("cobenefits", "Co-benefits and costs", grid(*panels))

    # Measures and notes ------------------------------------------------------------------
    page.add_section("measures", "Measures", measures_table(meta.get("measures") or []))
    page.add_section("notes", "About these numbers", notes_html(results))
    return page


def council_extra(council: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """Return the ``costs`` table of the council tables (for the cost-effectiveness panel)."""
    measures = council["measures"]
    if "costed" in measures.columns:  # a measure that cannot be costed is not free
        measures = measures[measures["costed"].astype(bool)]
    costs = pd.DataFrame({"measure": measures["measure"], "cost_eur": measures["npc_eur"],
                          "co2_abated_t": measures["abated_t"]})
    return {"costs": costs}


def write_dashboard(results: Results, path: str | Path, *, baseline: Results | None = None,
                    extra: Mapping[str, pd.DataFrame] | None = None,
                    council: Mapping[str, Any] | None = None) -> Path:
    """Write the dashboard of one run as one self-contained HTML file.

    Parameters
    ----------
    results : Results
        The run.
    path : str or pathlib.Path
        The HTML file to write (atomically: a failure leaves no partial file).
    baseline : Results, optional
        A baseline run of the same city, drawn on the emissions trajectory.
    extra : mapping of str to pandas.DataFrame, optional
        Optional tables (``wedges``, ``fleet``, ``pollutants``, ``health``, ``costs``; see the
        module docstring for their columns).
    council : mapping, optional
        The council tables (:func:`mobility_sim.report.council_tables.read_council`): adds
        the council section (with the wedges) and fills the cost panel from them.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    OutputError
        If the file cannot be written.
    """
    return build_dashboard(results, baseline=baseline, extra=extra, council=council).write(path)
