"""Run one scenario: the model's years (levers -> fleet -> kernel inputs -> kernel) -> Results.

:func:`simulate` runs a loaded scenario in memory; :func:`run` loads a file, runs it and, by
default, writes the run folder (Parquet tables, resolved scenario, ``run.json``, dashboard).

The model layer (:mod:`mobility_sim.model`) resolves the parameters, fixes each year's levers,
PT network and vintage fleet, builds each year's kernel inputs and runs the kernel
(:func:`mobility_sim.model.years.run_years`). Here each year's outputs become tables: the
year's vehicle-km (cars from demand, public transport from service), energy, emissions and the
WHO HEAT health benefit (:mod:`mobility_sim.fleet.accounting`, :mod:`mobility_sim.fleet.health`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ._version import __version__
from .accounts import (
    ACCOUNTS_COLUMNS,
    ZONE_COLUMNS,
    CarTraffic,
    account_rows,
    car_factors,
    car_traffic,
    pt_residents_share,
    zone_rows,
)
from .city import City
from .city.build import sheet_monthly_pass
from .city.data_sheet import DataSheet, load_data_sheet
from .city.layers import grid_country
from .city.quality import data_quality
from .data.typed_parameters import ModelParameters
from .exceptions import CalibrationError, CityDataError
from .fleet import FleetYear
from .fleet.accounting import (
    YearAccounts,
    YearActivity,
    emissions_frame,
    fleet_frame,
    freight_accounts,
    year_accounts,
)
from .fleet.freight import FREIGHT_VEHICLES, freight_activity
from .fleet.health import HEALTH_COLUMNS, health_rows, pt_walk_km
from .indicators import MODELLED_AREA, spending_rows, sumi_table, welfare_rows, year_extras
from .kernels.spec import (
    BIKE,
    CAR_EV,
    CAR_ICE,
    CAR_MODES,
    EBIKE,
    MODES,
    PT,
    PURPOSES,
    SEGMENTS,
    WALK,
    DemandInputs,
    DemandOutputs,
)
from .model.accessibility import ACCESS_COLUMNS, access_rows
from .model.base_year import calibration_status
from .model.frequency import describe as describe_frequency
from .model.frequency import frequency_on
from .model.income import CAR_SEGMENTS
from .model.income import describe as describe_income_groups
from .model.inputs import expected_wait_min
from .model.kernel import Engine, KernelFn, destinations_for, kernel_for
from .model.modes import MODE_GROUP, MODE_GROUPS
from .model.ownership import describe as describe_ownership
from .model.parameters import (
    TRANSFERRED_TABLE,
    calibrated_parameters,
    calibration_path,
    resolve_parameters,
    transferred_constants,
)
from .model.traffic import RoadBase, street_density
from .model.years import ModelYear, RunSetup, run_years, setup_run
from .model.zone_flows import ZoneFlows, zone_flows
from .reference.country import country_parameters
from .reference.targets import anchor_targets
from .results import ACCOUNTING_NOTE, GRID_NOTE, Results, check_run_folder
from .scenario import LoadedScenario, load_scenario


def simulate(loaded: LoadedScenario, engine: Engine = "auto", progress: bool = False,
             uncalibrated: bool = False, with_reference: bool = True) -> Results:
    """Run a loaded scenario year by year and return its results (nothing is written).

    Parameters
    ----------
    loaded : LoadedScenario
        From :func:`mobility_sim.scenario.load_scenario`.
    engine : {"auto", "reference", "numba"}
        Demand implementation.
    progress : bool
        Show a progress bar over years.
    uncalibrated : bool
        Leave the city's calibration out (the run says so in its metadata and dashboard).
    with_reference : bool
        Also run the reference case (the scenario without its measures) and keep it in
        ``Results.reference``. Sweeps, which compare runs themselves, leave it out (half the
        cost); ``Results.reference`` is then empty and the targets' base years are anchored on
        the scenario's own first year.

    Returns
    -------
    Results
        Tables per year; see :mod:`mobility_sim.results`.

    Raises
    ------
    CalibrationError
        If the city's calibration was made for other inputs (stale) or another city, unless
        ``uncalibrated``: a run never uses a calibration that does not fit its city.
    """
    scenario, city = loaded.scenario, loaded.city
    calibration = run_calibration(city, uncalibrated)
    p = resolve_parameters(city, scenario.parameters, calibration=calibration["applied"])
    kernel = kernel_for(engine)
    years, switches = scenario.years.as_list(), scenario.reference.model_dump()
    setup = setup_run(city, p, scenario.measures, loaded.masks, years, switches)
    label = f"{scenario.name} ({city.name})"
    zones = report_zones(loaded)
    responds = frequency_on(p)  # trips made or not made: they need the reference case first
    reference_setup = (setup_run(city, p, (), (), years, switches)
                       if scenario.measures and (with_reference or responds) else None)
    reference_tables: dict[str, pd.DataFrame] | None = None
    pivot: dict[int, np.ndarray] | None = None
    if reference_setup is not None and responds:
        # trips made or not made pivot on the reference case's logsums: it runs first
        pivot = {}
        if with_reference:
            reference_tables, _ = run_tables(reference_setup, kernel, progress,
                                             f"{label}, reference case", zones,
                                             logsums_out=pivot)
        else:
            pivot.update({y.year: y.outputs.dest_logsum
                          for y in run_years(reference_setup, kernel)})
    tables, road_base = run_tables(setup, kernel, progress, label, zones,
                                   with_access=with_reference, reference_logsums=pivot)
    for name in CASE_TABLES:
        tables[name] = tables[name].assign(case="scenario")
    country = city.meta.country
    sheet = city_data_sheet(city)
    monthly_pass = sheet_monthly_pass(sheet)
    tables["sumi"] = sumi_table(tables["summary"], tables["modes"], tables.pop("extras"),
                                country, "scenario", p, monthly_pass)
    if not scenario.measures:
        reference = tables["summary"].copy()
    elif with_reference:
        assert reference_setup is not None
        if reference_tables is None:
            reference_tables, _ = run_tables(reference_setup, kernel, progress,
                                             f"{label}, reference case", zones)
        reference = reference_tables["summary"]
        for name in CASE_TABLES:
            tables[name] = pd.concat([tables[name],
                                      reference_tables[name].assign(case="reference")],
                                     ignore_index=True)
        tables["sumi"] = pd.concat([tables["sumi"], sumi_table(
            reference_tables["summary"], reference_tables["modes"],
            reference_tables["extras"], country, "reference", p, monthly_pass)],
            ignore_index=True)
    else:
        reference = pd.DataFrame()
    grid_first = setup.fleet[setup.years[0]].grid_gco2e_per_kwh
    meta = {**run_meta(loaded, setup.layers.sources, grid_first, kernel.__name__, sheet),
            "calibration": calibration, "reference_case": setup.reference.describe(),
            "external_zones": (setup.external.describe() if setup.external is not None
                               else None),
            "freight": ({"ratios": {v: setup.freight.ratios.of(v) for v in FREIGHT_VEHICLES},
                         "source": setup.freight.ratios.source}
                        if setup.freight is not None else None),
            "income_groups": describe_income_groups(country, p),
            "car_ownership": describe_ownership(p),
            "trip_frequency": describe_frequency(p),
            "pt_accounting": "service vehicle-km" if setup.supply_based else "passenger-km",
            "road_traffic": road_traffic_meta(setup, tables["summary"], road_base)}
    meta["targets"] = anchor_targets(scenario.all_targets, city,
                                     reference if not reference.empty else tables["summary"],
                                     tables["summary"])
    meta["reference_run"] = not reference.empty
    meta["target"] = meta["targets"][0] if meta["targets"] else None
    meta["municipality"] = municipality_meta(city, sheet)
    meta["map_layers"] = map_layers(loaded)
    return Results(**tables, reference=reference, areas=area_table(tables["cells"], city),
                   meta=meta, scenario_yaml=loaded.resolved_yaml())


def road_traffic_meta(setup: RunSetup, summary: pd.DataFrame,
                      base: RoadBase | None) -> dict | None:
    """How the run's speeds followed traffic (``docs/traffic.md``); None with fixed speeds.

    From the base year's calibrated roads (``base``): the congestion level and its source, the
    peak hour's volume over capacity and the implied capacity per lane-km.
    ``years_at_iteration_limit`` lists the years that used every kernel run
    ``traffic.max_iterations`` allows (their speeds may not have settled within
    ``traffic.tolerance``).
    """
    if setup.roads is None or base is None:
        return None
    tr = ModelParameters.of(setup.parameters).traffic
    limit = summary["traffic_iterations"] >= tr.max_iterations
    return {"districts": setup.roads.n_districts, "street_density": setup.roads.street_source,
            "congestion_level": base.congestion, "congestion_source": base.source,
            "peak_volume_over_capacity": base.peak_ratio,
            "capacity_veh_per_h_per_lane_km": base.lane_capacity,
            "tolerance": tr.tolerance,
            "mean_iterations": float(summary["traffic_iterations"].mean()),
            "years_at_iteration_limit": [int(y) for y in summary.loc[limit, "year"]]}


def simulate_document(document: Mapping[str, object], with_reference: bool = True,
                      ) -> Results:
    """Run a scenario given as a mapping (the contents of a scenario file), in memory.

    For analyses that build scenarios themselves (``mobility-sim reconcile``, ``backcast``):
    the mapping is written to a temporary file and loaded like a planner's file, so it meets
    the same checks; ``city`` should be a path to a city folder.
    """
    import tempfile

    from .io.yamlio import dump_yaml

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenario.yaml"
        dump_yaml(dict(document), path)
        return simulate(load_scenario(path), with_reference=with_reference)


def city_data_sheet(city: City) -> DataSheet | None:
    """Return the city's data sheet, or None.

    None also for a sheet that does not read: ``city info`` reports that; a run does not stop.
    """
    try:
        return load_data_sheet(city.path) if city.path is not None else None
    except CityDataError:
        return None


AREA_COLUMNS = ("population", "trips", "co2_ttw_t", "co2_wtw_t")


def area_table(cells: pd.DataFrame, city: City) -> pd.DataFrame:
    """Return the ``cells`` table summed over the modelled area, the municipality and the rest.

    Each cell counts in the municipality with its share of area inside the boundary (the
    grid's ``municipality_share``); cities without a boundary have the modelled area only.
    """
    frames = [cells.groupby("year")[list(AREA_COLUMNS)].sum().assign(area="modelled area")]
    if "municipality_share" in city.grid.columns:
        share = city.grid.set_index("cell_id")["municipality_share"]
        weight = cells["cell_id"].map(share).fillna(0.0).to_numpy(float)
        for name, w in (("municipality", weight), ("rest of the grid", 1.0 - weight)):
            part = cells[list(AREA_COLUMNS)].mul(w, axis=0).assign(year=cells["year"])
            frames.append(part.groupby("year")[list(AREA_COLUMNS)].sum().assign(area=name))
    out = pd.concat(frames).reset_index()
    return out[["year", "area", *AREA_COLUMNS]]


def resident_areas(city: City) -> dict[str, np.ndarray]:
    """Return the weight of each grid cell in the areas whose residents the run reports.

    The modelled area (every cell), then, with a municipal boundary, the municipality (each
    cell's share of area inside it, as :func:`area_table`) and the rest of the grid, then the
    city's named zones (e.g. the centre). Used by the ``spending`` table (money and health by
    area).
    """
    out = {MODELLED_AREA: np.ones(city.n_cells)}
    if "municipality_share" in city.grid.columns:
        share = city.grid["municipality_share"].to_numpy(float)
        out["municipality"] = share
        out["rest of the grid"] = 1.0 - share
    for name in city.meta.zones:
        out.setdefault(name, city.zone_mask(name).astype(float))
    return out


def municipality_meta(city: City, sheet: DataSheet | None) -> dict[str, object] | None:
    """Return the municipality's record, its residents in the grid, the published population.

    ``sheet`` is the city's data sheet (its ``population`` is the published one).
    """
    if city.meta.municipality is None or "municipality_share" not in city.grid.columns:
        return None
    grid = city.grid
    inside = float((grid["population"] * grid["municipality_share"]).sum())
    out: dict[str, object] = {**city.meta.municipality.model_dump(),
                              "residents_in_grid": inside}
    published = sheet.latest("population") if sheet is not None else None
    if published is not None and isinstance(published.value, int | float):
        out["published_population"] = {"value": float(published.value), "year": published.year,
                                        "scope": published.scope, "source": published.source}
        out["residents_not_in_grid"] = max(float(published.value) - inside, 0.0)
    return out


def run_tables(setup: RunSetup, kernel: KernelFn, progress: bool = False,
               label: str = "", zones: Mapping[str, tuple[str, np.ndarray]] | None = None,
               with_access: bool = True,
               reference_logsums: Mapping[int, np.ndarray] | None = None,
               logsums_out: dict[int, np.ndarray] | None = None,
               ) -> tuple[dict[str, pd.DataFrame], RoadBase | None]:
    """Run a set-up run's years and turn each year's outputs into the result tables.

    ``zones`` maps a zone's name to its kind and cell mask (:func:`report_zones`): each gets
    its rows of the ``zones`` table. ``with_access``: also count the jobs and residents each
    cell reaches within 30 and 45 minutes by mode (the ``access`` table,
    :mod:`mobility_sim.model.accessibility`; O(N^2) a year, left out of sweeps).
    ``reference_logsums``: the reference case's logsums by year, which trips made or not made
    pivot on (:mod:`mobility_sim.model.frequency`); ``logsums_out`` receives this run's.

    Returns
    -------
    tables : dict of str to DataFrame
        ``summary, modes, segments, cells, grid, fleet, emissions, health, accounts, zones,
        access, welfare`` (see :mod:`mobility_sim.results`) and ``extras`` (what the SUMP
        indicators need beyond them, :func:`mobility_sim.indicators.year_extras`).
    road_base : RoadBase or None
        The base year's calibrated roads the speeds pivoted on (None with fixed speeds).
    """
    city, p = setup.city, setup.parameters
    supply_based = setup.supply_based
    days = ModelParameters.of(p).annual.days_per_year
    rows: dict[str, list[pd.DataFrame]] = {name: [] for name in (
        "summary", "modes", "segments", "cells")}
    fleet_rows: list[dict] = []
    emission_rows: list[dict] = []
    health_rows_: list[dict] = []
    account_rows_: list[dict] = []
    zone_rows_: list[dict] = []
    grid_km2 = city.n_cells * (city.meta.cell_size_m / 1000.0) ** 2
    freight_base: dict[str, float] | None = None
    road_base: RoadBase | None = None
    access_frames: list[pd.DataFrame] = []
    welfare_frames: list[pd.DataFrame] = []
    spending_frames: list[pd.DataFrame] = []
    areas = resident_areas(city)
    extras: list[dict[str, float]] = []
    cell_ids = city.grid["cell_id"].to_numpy()
    street_km = street_density(city, p)[0] * (city.meta.cell_size_m / 1000.0) ** 2
    for year_run in run_years(setup, kernel, progress, label, reference_logsums):
        if logsums_out is not None:
            logsums_out[year_run.year] = year_run.outputs.dest_logsum
        year, out, fleet_year = year_run.year, year_run.outputs, year_run.fleet
        activity = YearActivity(
            car_ice_vkm=float(out.vkm[:, CAR_ICE].sum()) * days,
            car_ev_vkm=float(out.vkm[:, CAR_EV].sum()) * days,
            pt_service_vkm=year_run.service_vkm,
            ebike_pkm=float(out.pkm[..., EBIKE].sum()) * days)
        accounts = year_accounts(fleet_year, activity)
        if supply_based:
            pt_co2: tuple[float, float] | None = accounts.pt_co2()
        else:
            pt_co2 = None
            accounts = accounts.with_pt_co2_per_pkm(
                year, float(out.co2_ttw[:, PT].sum()) * days / 1000.0,
                float(out.co2_wtw[:, PT].sum()) * days / 1000.0)
        traffic = car_traffic(out, year_run.external, year_run.params, days, p, grid_km2)
        passenger = accounts  # the summary's fleet columns: passenger vehicles
        if setup.freight is not None:
            if freight_base is None:
                freight_base = freight_base_vkm(setup, kernel, year_run, traffic, days, grid_km2)
            levers = year_run.levers
            activity_f = freight_activity(
                freight_base, year - setup.years[0], setup.freight.stock_ze[year],
                setup.freight.weights, p, cargo_bike=levers.cargo_bike,
                consolidation=levers.consolidation,
                zero_emission_zone=levers.freight_zero_emission)
            weights = setup.freight.weights
            speed = base_speed = None
            if weights.sum() > 0:  # the freight's mean speed on its cells: this year's, base's
                speed = float(np.average(year_run.inputs.car_speed[:city.n_cells],
                                         weights=weights))
                base_speed = float(np.average(setup.layers.car_speed, weights=weights))
            accounts = accounts.plus(freight_accounts(
                year, activity_f, setup.freight.stock_ze[year], setup.freight.sales_ze[year],
                fleet_year.grid_gco2e_per_kwh, speed, base_speed))
        factor = car_factors(accounts, traffic)  # per car-km: every car traffic but the residents'
        year_accounts_rows = account_rows(year, traffic, accounts, factor,
                                          pt_residents_share(out, year_run.external))
        account_rows_ += year_accounts_rows
        flows = year_zone_flows(year_run, zones or {}, city.n_cells, kernel)
        zone_rows_ += zone_rows(year, zones or {}, year_run, factor, accounts, days,
                                setup.freight.weights if setup.freight else None,
                                flows[:len(zones or {})])
        tables = year_tables(year, out, city, days, pt_co2=pt_co2,
                             population=year_run.inputs.population[:city.n_cells])
        daily_pkm = {m: float(out.pkm[..., i].sum()) for i, m in
                     ((WALK, "walk"), (BIKE, "bike"), (EBIKE, "ebike"))}
        daily_pkm["walk"] += float(pt_walk_km(
            out.trips[..., PT].sum(axis=(0, 1)), year_run.inputs.dest_time[PT, :city.n_cells],
            out.trips_to[:, PT], ModelParameters.of(p).speed.walk).sum())
        health = health_rows(year, daily_pkm, city.population, p)
        tables["summary"] = add_fleet_summary(
            tables["summary"], fleet_year, year_run.levers.bev_sales_share, passenger, health,
            pt_pkm=float(out.pkm[..., PT].sum()) * days, pollutants=accounts)
        tables["summary"]["carbon_price_eur_per_t"] = year_run.levers.carbon_price_eur_per_t
        tables["summary"] = add_traffic_summary(tables["summary"], traffic, year_accounts_rows,
                                                accounts)
        tables["summary"] = add_road_summary(tables["summary"], year_run, setup.layers.car_speed)
        tables["summary"]["car_available_share"] = car_available_share(year_run.inputs,
                                                                       city.n_cells)
        tables["cells"]["car_speed_kmh"] = year_run.inputs.car_speed[:city.n_cells]
        welfare_frames.append(welfare_rows(
            year, cell_ids, out.trips.sum(axis=3), out.dest_logsum, year_run.params.cost_coef,
            year_run.params.dest_scale, days, SEGMENTS))
        spending_frames.append(spending_rows(
            year, out, year_run.inputs, year_run.params, city.n_cells, days, SEGMENTS,
            None if year_run.external is None else year_run.external.inbound_trips,
            flows[len(zones or {})] if len(flows) > len(zones or {}) else None, p, areas))
        limit = year_run.levers.speed_limit
        limit30 = (np.zeros(city.n_cells) if limit is None else
                   np.where(np.nan_to_num(limit.target, nan=np.inf) <= 30.0, limit.level, 0.0))
        extras.append(year_extras(year, tables["segments"], tables["cells"], year_run.inputs,
                                  year_run.params, year_run.pt, city.n_cells, street_km,
                                  limit30[:city.n_cells], p))
        if with_access:
            access_frames.append(access_rows(
                year, cell_ids, year_run.inputs, year_run.params,
                expected_wait_min(year_run.pt.headway_min, p), year_run.pt.access_min))
        for name, frame in tables.items():
            rows[name].append(frame)
        fleet_rows += accounts.fleet_rows
        emission_rows += accounts.emission_rows
        health_rows_ += health
        road_base = year_run.road_base
    return {
        "summary": pd.concat(rows["summary"], ignore_index=True),
        "modes": pd.concat(rows["modes"], ignore_index=True),
        "segments": pd.concat(rows["segments"], ignore_index=True),
        "cells": pd.concat(rows["cells"], ignore_index=True),
        "grid": city.grid[["cell_id", "x", "y", "population", "jobs"]].copy(),
        "fleet": fleet_frame(fleet_rows),
        "emissions": emissions_frame(emission_rows),
        "health": pd.DataFrame(health_rows_, columns=list(HEALTH_COLUMNS)),
        "accounts": pd.DataFrame(account_rows_, columns=list(ACCOUNTS_COLUMNS)),
        "zones": pd.DataFrame(zone_rows_, columns=list(ZONE_COLUMNS)),
        "access": (pd.concat(access_frames, ignore_index=True) if access_frames
                   else pd.DataFrame(columns=list(ACCESS_COLUMNS))),
        "extras": pd.DataFrame(extras),
        "welfare": pd.concat(welfare_frames, ignore_index=True),
        "spending": pd.concat(spending_frames, ignore_index=True),
    }, road_base


#: Measure types whose area is a zone the results report (trips entering, km inside).
ZONE_MEASURES = {"cordon_charge": "cordon", "low_emission_zone": "low-emission zone"}
#: Tables that hold the scenario's rows and the reference case's (column ``case``).
CASE_TABLES: tuple[str, ...] = ("zones", "access", "welfare", "spending")


def year_zone_flows(year_run: ModelYear, zones: Mapping[str, tuple[str, np.ndarray]],
                    n: int, kernel: KernelFn) -> list[ZoneFlows]:
    """Return the year's trips of every reported zone, then of the cordon (if charged).

    One pass of :func:`mobility_sim.model.zone_flows.zone_flows` over the union of their cells
    serves the ``zones`` table and the cordon charges of the ``spending`` table, computed by
    the implementation of ``kernel`` (:func:`.model.kernel.destinations_for`).
    """
    masks = [mask for _, mask in zones.values()]
    cordon = np.asarray(year_run.inputs.cordon, dtype=bool)[:n]
    if cordon.any() and (np.asarray(year_run.params.cordon_charge) > 0).any():
        masks.append(cordon)
    if not masks:
        return []
    return zone_flows(year_run.inputs, year_run.params, year_run.outputs, masks,
                      destinations_for(kernel))


def report_zones(loaded: LoadedScenario) -> dict[str, tuple[str, np.ndarray]]:
    """Return the zones a run reports: the city's named zones and its cordon and low-emission zones.

    Returns ``{name: (kind, cell mask)}``; a measure's zone is named by its label.
    """
    city = loaded.city
    out: dict[str, tuple[str, np.ndarray]] = {
        name: ("city zone", city.zone_mask(name)) for name in city.meta.zones}
    for measure, mask in zip(loaded.scenario.measures, loaded.masks, strict=True):
        kind = ZONE_MEASURES.get(measure.type)  # type: ignore[attr-defined]
        if kind is not None and mask is not None and np.any(mask):
            out[measure.display_label] = (kind, np.asarray(mask, dtype=bool))
    return out


def map_layers(loaded: LoadedScenario) -> dict[str, list[dict]]:
    """Return what the result maps draw over the grid (run metadata; no result depends on it).

    ``zones``: the city's named zones (``name``, polygon ``wkt`` in the grid's CRS and the
    ``cell_ids`` whose centre lies inside); ``areas``: each measure that has an ``area``
    (``label``, ``type``, the ``zone`` it names or None, and the ``cell_ids`` it acts on);
    ``pt_lines``: each new line of a ``pt_line`` measure (``label``, ``vehicle``, line ``wkt``
    as the model places it). Existing public transport lines are not in a city's data (its
    GTFS feed gives per-cell stop distances and headways only), so none are listed.
    """
    city = loaded.city
    ids = city.grid["cell_id"].to_numpy()

    def cells(mask: np.ndarray) -> list[int]:
        return [int(i) for i in ids[np.asarray(mask, dtype=bool)]]

    zones = [{"name": name, "wkt": wkt, "cell_ids": cells(city.zone_mask(name))}
             for name, wkt in city.meta.zones.items()]
    areas: list[dict] = []
    lines: list[dict] = []
    for measure, mask in zip(loaded.scenario.measures, loaded.masks, strict=True):
        kind, area, line = (getattr(measure, "type", ""), getattr(measure, "area", None),
                            getattr(measure, "line", None))
        if kind == "pt_line" and line is not None:
            lines.append({"label": measure.display_label, "wkt": str(line.wkt),
                          "vehicle": getattr(measure, "vehicle", None)})
        elif area is not None and mask is not None:
            areas.append({"label": measure.display_label, "type": kind, "zone": area.zone,
                          "cell_ids": cells(mask)})
    return {"zones": zones, "areas": areas, "pt_lines": lines}


def freight_base_vkm(setup: RunSetup, kernel: KernelFn, first: ModelYear, traffic: CarTraffic,
                     days: float, grid_km2: float) -> dict[str, float]:
    """Base-year van and lorry vehicle-km: the ratios x the first year's territorial car vkm.

    The car traffic is that of the first simulated year without measures: the run's own first
    year when no measure acts in it, else one more kernel run of that year with none.
    """
    assert setup.freight is not None
    if any(level > 0 for level in first.levers.active.values()):
        bare = setup_run(setup.city, setup.parameters, (), (), [first.year],
                         {k: v for k, v in setup.reference.elements.items() if not v})
        first = next(run_years(bare, kernel))
        traffic = car_traffic(first.outputs, first.external, first.params, days,
                              setup.parameters, grid_km2)
    car = traffic.territorial()
    return {v: car * setup.freight.ratios.of(v) for v in FREIGHT_VEHICLES}


def add_road_summary(summary: pd.DataFrame, year_run: ModelYear,
                     base_speed: np.ndarray) -> pd.DataFrame:
    """Return a one-row ``summary`` with the year's road speeds and congestion.

    ``car_speed_index``: the residents' car-vkm-weighted mean of the cells' car speed over the
    base year's (the layers', no measure); ``road_delay_index``: the road traffic's mean travel
    time per km over free flow (NaN with fixed speeds); ``traffic_iterations``: kernel runs
    the year took.
    """
    n = base_speed.size
    out = year_run.outputs
    weight = out.vkm[:n][:, list(CAR_MODES)].sum(axis=1)
    ratio = year_run.inputs.car_speed[:n] / base_speed
    road = year_run.road
    summary = summary.copy()
    summary["car_speed_index"] = (float((weight * ratio).sum() / weight.sum())
                                  if weight.sum() > 0 else 1.0)
    summary["road_delay_index"] = (float((road.load * road.delay).sum() / road.load.sum())
                                   if road is not None and road.load.sum() > 0 else np.nan)
    summary["traffic_iterations"] = 1 if road is None else road.iterations
    return summary


def car_available_share(inputs: DemandInputs, n: int) -> float:
    """Return the share of the grid's residents with a car available this year.

    Car ownership's response, car shedding and the income groups are included.
    """
    pop = np.asarray(inputs.population[:n], dtype=float)
    cars = np.asarray(inputs.segment_share, dtype=float)[list(CAR_SEGMENTS), :n].sum(axis=0)
    return float((pop * cars).sum() / pop.sum()) if pop.sum() > 0 else float("nan")


def add_traffic_summary(summary: pd.DataFrame, traffic: CarTraffic, rows: list[dict],
                        accounts: YearAccounts) -> pd.DataFrame:
    """Return a one-row ``summary`` with both accountings' totals and the traffic they count."""
    def total(accounting: str, column: str) -> float:
        return float(sum(r[column] for r in rows if r["accounting"] == accounting))

    extra = {
        "territorial_co2_ttw_t": total("territorial", "co2_ttw_t"),
        "territorial_co2_wtw_t": total("territorial", "co2_wtw_t"),
        "residents_co2_ttw_t": total("residents", "co2_ttw_t"),
        "residents_co2_wtw_t": total("residents", "co2_wtw_t"),
        "car_vkm_inside": traffic.territorial(),
        "nonresidents_car_vkm_inside": sum(traffic.nonresidents_inside.values()),
        "residents_car_vkm_beyond": sum(traffic.residents_beyond.values()),
        "through_vkm": traffic.through,
        "van_vkm": accounts.fleet_total("vkm", ("van",)),
        "lorry_vkm": accounts.fleet_total("vkm", ("lorry_rigid", "lorry_articulated")),
        "freight_co2_wtw_t": accounts.tonnes("co2_wtw", (*FREIGHT_VEHICLES, "cargo_bike")),
    }
    return pd.concat([summary.reset_index(drop=True), pd.DataFrame([extra])], axis=1)


def add_fleet_summary(summary: pd.DataFrame, fleet: FleetYear, bev_sales_share: float,
                      accounts: YearAccounts, health: list[dict], pt_pkm: float,
                      pollutants: YearAccounts | None = None) -> pd.DataFrame:
    """Return a one-row ``summary`` with the fleet, energy, pollutant and health columns.

    ``bev_sales_share`` is the levers' share of the year (before the purchase response to
    prices and the zones' early replacements): the column is the share of the cars actually
    sold, this one only in a year when none were.
    ``accounts`` are the passenger vehicles' (fleet and energy columns); ``pollutants`` the
    accounts the pollutant columns sum (default: the same; a run passes all vehicles, freight
    included).
    """
    pt_vkm = accounts.fleet_total("vkm", ("bus", "tram", "metro"))
    pollutants = pollutants or accounts
    exhaust = pollutants.tonnes("pm25_exhaust")
    non_exhaust = sum(pollutants.tonnes(q) for q in ("pm25_tyre", "pm25_brake", "pm25_road"))
    extra = {
        "fleet_bev_share": fleet.car.shares()["bev"],
        "bev_sales_share": (fleet.car.sales_shares()["bev"] if fleet.car.sales.sum() > 0
                            else bev_sales_share),
        "grid_gco2e_per_kwh": fleet.grid_gco2e_per_kwh,
        "car_stock": fleet.car.total,
        "bus_stock": fleet.bus.total,
        "bus_bev_share": fleet.bus.shares()["bev"],
        "pt_service_vkm": pt_vkm,
        "pt_pkm_per_service_vkm": pt_pkm / pt_vkm if pt_vkm > 0 else np.nan,
        "electricity_mwh": accounts.fleet_total("electricity_mwh"),
        "fuel_litres": accounts.fleet_total("fuel_litres"),
        "gas_kg": accounts.fleet_total("gas_kg"),
        "nox_t": pollutants.tonnes("nox"),
        "pm25_exhaust_t": exhaust,
        "pm25_non_exhaust_t": non_exhaust,
        "pm25_t": exhaust + non_exhaust,
        "deaths_avoided": float(sum(r["deaths_avoided"] for r in health)),
        "health_value_eur": float(sum(r["value_eur"] for r in health)),
    }
    return pd.concat([summary.reset_index(drop=True), pd.DataFrame([extra])], axis=1)


def year_tables(year: int, out: DemandOutputs, city: City, days: float,
                pt_co2: tuple[float, float] | None = None,
                population: np.ndarray | None = None) -> dict[str, pd.DataFrame]:
    """Turn one year's daily kernel outputs into annual tidy rows.

    Parameters
    ----------
    population : ndarray, optional
        Residents per cell in this year (after densification measures); the city grid's
        residents when omitted.
    pt_co2 : (float, float), optional
        Tonnes CO2e (TTW, WTW) of public transport service in the year. When given, they are
        PT's emissions in ``modes`` and are allocated to the ``cells`` by their residents' PT
        passenger-km (the kernel's PT factors are then 0).
    """
    trips_m = out.trips.sum(axis=(0, 1, 2)) * days
    pkm_m = out.pkm.sum(axis=(0, 1, 2)) * days
    co2_cell = {"ttw": out.co2_ttw * days / 1000.0, "wtw": out.co2_wtw * days / 1000.0}
    if pt_co2 is not None:
        pt_pkm_cell = out.pkm[..., PT].sum(axis=(0, 1))
        total = pt_pkm_cell.sum()
        weight = pt_pkm_cell / total if total > 0 else np.zeros_like(pt_pkm_cell)
        for key, tonnes in zip(("ttw", "wtw"), pt_co2, strict=True):
            co2_cell[key] = co2_cell[key].copy()
            co2_cell[key][:, PT] = tonnes * weight
    modes = pd.DataFrame({
        "year": year, "mode": list(MODES), "mode_group": [MODE_GROUP[m] for m in MODES],
        "trips": trips_m, "pkm": pkm_m, "vkm": out.vkm.sum(axis=0) * days,
        "co2_ttw_t": co2_cell["ttw"].sum(axis=0),
        "co2_wtw_t": co2_cell["wtw"].sum(axis=0),
    })
    seg_idx = pd.MultiIndex.from_product([SEGMENTS, PURPOSES, MODES],
                                         names=["segment", "purpose", "mode"])
    segments = pd.DataFrame({
        "trips": out.trips.sum(axis=2).reshape(-1) * days,
        "pkm": out.pkm.sum(axis=2).reshape(-1) * days,
    }, index=seg_idx).reset_index()
    segments.insert(0, "year", year)
    trips_cell = out.trips.sum(axis=(0, 1)) * days  # (N, M)
    residents = (city.grid["population"].to_numpy(float) if population is None
                 else np.asarray(population, dtype=float))
    cells = pd.DataFrame({"year": year, "cell_id": city.grid["cell_id"].to_numpy(),
                          "population": residents,
                          "trips": trips_cell.sum(axis=1)})
    for group in MODE_GROUPS:
        cols = [i for i, m in enumerate(MODES) if MODE_GROUP[m] == group]
        cells[f"{group}_trips"] = trips_cell[:, cols].sum(axis=1)
    cells["co2_ttw_t"] = co2_cell["ttw"].sum(axis=1)
    cells["co2_wtw_t"] = co2_cell["wtw"].sum(axis=1)
    population = float(residents.sum())
    co2_ttw, co2_wtw = float(modes["co2_ttw_t"].sum()), float(modes["co2_wtw_t"].sum())
    summary = pd.DataFrame([{
        "year": year, "population": population, "trips": float(trips_m.sum()),
        "pkm": float(pkm_m.sum()), "car_vkm": float(modes["vkm"].sum()),
        "co2_ttw_t": co2_ttw, "co2_wtw_t": co2_wtw,
        "co2_ttw_per_capita_kg": 1000.0 * co2_ttw / population if population else np.nan,
        "co2_wtw_per_capita_kg": 1000.0 * co2_wtw / population if population else np.nan,
    }])
    return {"summary": summary, "modes": modes, "segments": segments, "cells": cells}


def run_calibration(city: City, uncalibrated: bool = False) -> dict[str, object]:
    """Decide whether a run applies its city's calibration, and say why (for ``run.json``).

    Returns ``{"applied": bool, "status": ..., "note": ...}`` with status ``current`` (fitted
    to a published split on today's inputs), ``none`` (the city has no calibration) or
    ``transferred`` (no calibration: the calibrated cities' mean constants), ``none`` (no
    calibration and nothing to transfer) or ``not applied`` (asked with ``uncalibrated``).

    Raises
    ------
    CalibrationError
        If the calibration is stale or another city's, unless ``uncalibrated``.
    """
    slug = city.slug
    if uncalibrated:
        return {"applied": False, "status": "not applied",
                "note": "run without the city's calibration, as asked: the base-year modal "
                        "split comes from the model's default constants"}
    if city.path is not None and calibration_path(city).is_file():
        calibrated_parameters(city)  # refuses another city's calibration and bad values first
    status = calibration_status(city)
    if status == "stale":
        raise CalibrationError(
            f"{calibration_path(city)}: the calibration was fitted on other inputs than the "
            f"city's today (its grid, metadata or the model's defaults changed since); refit it "
            f"with 'mobility-sim calibrate {slug}', or run without it (--uncalibrated)")
    if status == "none":
        if city.path is not None and transferred_constants():
            return {"applied": True, "status": "transferred",
                    "note": "the city is not calibrated (no published modal split in its "
                            "city.yaml): its constants are the mean of the calibrated cities' "
                            f"({TRANSFERRED_TABLE}; rule and leave-one-out error in "
                            "docs/calibration.md), not fitted to this city"}
        return {"applied": False, "status": "none",
                "note": "the city is not calibrated: its base-year modal split comes from the "
                        "model's default constants, not from a published survey"}
    return {"applied": True, "status": "current",
            "note": "constants fitted to the city's published modal split "
                    f"({calibration_path(city).name})"}


def run_meta(loaded: LoadedScenario, layer_sources: dict[str, str], grid_g: float,
             engine: str, sheet: DataSheet | None = None) -> dict:
    """Metadata of a run: identification, provenance and notes shown on the dashboard.

    ``sheet`` is the city's data sheet (:func:`city_data_sheet`), for its data quality.
    """
    scenario, city = loaded.scenario, loaded.city
    layers = {name: layer.model_dump() for name, layer in city.meta.layers.items()}
    for name, source in layer_sources.items():
        layers.setdefault(name, {"status": "default" if source == "default" else "real",
                                 "method": "model default scaled with density (parameters.csv)"
                                 if source == "default" else "city data"})
    return {
        "data_quality": data_quality(city.meta.layers, sheet).as_dict(),
        "country_parameters": {k: {"value": v, "source": src} for k, (v, src) in
                               country_parameters(city.meta.country).items()},
        "city_parameters": {k: p.model_dump() for k, p in city.meta.parameters.items()},
        "population_growth": (city.meta.population_growth.model_dump()
                              if city.meta.population_growth is not None else None),
        "scenario_name": scenario.name, "scenario_description": scenario.description,
        "scenario_file": str(loaded.path), "scenario_hash": loaded.content_hash,
        "city_name": city.name, "city_slug": city.slug, "country": city.meta.country,
        "grid_intensity_country": grid_country(city),
        "grid_gco2e_per_kwh": grid_g, "grid_note": GRID_NOTE, "cell_size_m": city.meta.cell_size_m,
        "crs": city.meta.crs, "synthetic": city.meta.synthetic, "area_note": city.meta.area_note,
        "n_cells": city.n_cells, "accounting": ACCOUNTING_NOTE, "layers": layers,
        "base_year": scenario.years.start,
        "measures": [{"type": m.type, "label": m.display_label, "start": m.start,  # type: ignore[attr-defined]
                      "end": m.full_year} for m in scenario.measures],
        "observed_modal_split": [s.model_dump() for s in city.meta.observed_modal_split],
        "sources": [f"{s.name} ({s.licence}): {s.citation}" for s in city.meta.sources]
        + ["Emission factors: UK DESNZ GHG conversion factors 2025 (OGL v3)",
           "Grid carbon intensity: Ember / Our World in Data 2023; projection: EU Reference "
           "Scenario 2020 (European Commission 2021, PRIMES)",
           "Fleet: the country's published car and bus fleets and new-car sales "
           "(mobility_sim/data/country_*.csv), else ACEA Vehicles on European Roads 2026 and "
           "Eurostat 2023 (EU averages)",
           "Reference case: Regulation (EU) 2019/631 as amended by 2023/851; Regulation (EU) "
           "2019/1242 as amended by 2024/1610; Directive (EU) 2019/1161; Directive (EU) "
           "2023/959 (ETS2); UK Vehicle Emissions Trading Schemes Order 2023",
           "Car lifespans: Held et al. 2021, European Transport Research Review 13:9",
           "Non-exhaust PM2.5: EMEP/EEA air pollutant emission inventory guidebook 2019, Tier 1",
           "NOx and exhaust PM: EU Euro emission limits x real-world ratios (assumptions)",
           "Health: WHO HEAT 2017 methodology; value of a statistical life: WHO HEAT EU-27",
           "Other fleet, energy and health defaults: assumptions listed in "
           "mobility_sim/data (fleet_parameters.csv, health_parameters.csv, "
           "emission_factors.csv, euro_standards.csv)"],
        "engine": engine, "version": __version__,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }


def run(
    scenario_file: str | Path,
    out: str | Path | None = None,
    dashboard: bool = True,
    progress: bool = False,
    save: bool = True,
    engine: Engine = "auto",
    city: City | None = None,
    uncalibrated: bool = False,
) -> Results:
    """Load a scenario file, run it and (by default) write its run folder.

    Parameters
    ----------
    scenario_file : path-like
        Scenario YAML.
    out : path-like, optional
        Output folder; default ``output/<scenario name>``.
    dashboard : bool
        Also write ``dashboard.html``.
    progress : bool
        Show a progress bar.
    save : bool
        Write the run folder; with ``False`` nothing is written.
    engine : {"auto", "reference", "numba"}
        Demand implementation.
    city : City, optional
        Run on this city instead of the one the scenario names.
    uncalibrated : bool
        Run without the city's calibration (see :func:`simulate`).

    Returns
    -------
    Results
        The results; ``meta["output_folder"]`` names the folder when saved.
    """
    loaded = load_scenario(scenario_file, city=city)
    folder = Path(out) if out is not None else Path("output") / safe_name(loaded.scenario.name)
    if save:  # check the output folder before spending time on the run
        check_run_folder(folder)
    results = simulate(loaded, engine=engine, progress=progress, uncalibrated=uncalibrated)
    if save:
        results.meta["output_folder"] = str(folder)
        extra = {}
        if dashboard:
            from .report import write_dashboard

            extra["dashboard.html"] = write_dashboard
        results.save(folder, extra=extra)
    return results


def safe_name(name: str) -> str:
    """Return a folder name for a scenario: no path separators, no leading dots ('..')."""
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in name.strip()).lstrip(".")
    return keep or "scenario"
