"""Run one scenario: years x (levers -> model inputs -> demand kernel) -> Results.

:func:`simulate` runs a loaded scenario in memory; :func:`run` loads a file, runs it and, by
default, writes the run folder (Parquet tables, resolved scenario, ``run.json``, dashboard).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from . import __version__
from .city import City
from .data import grid_intensity, parameters
from .exceptions import OutputError
from .fleet import car_fleet_path
from .fleet.mix import default_sales
from .kernels.spec import MODES, PURPOSES, SEGMENTS, DemandInputs, DemandOutputs, DemandParams
from .model_inputs import cell_layers, demand_inputs, demand_params
from .results import ACCOUNTING_NOTE, Results
from .scenario import LoadedScenario, load_scenario
from .scenario.levers import year_levers

Engine = Literal["auto", "reference", "numba"]
KernelFn = Callable[[DemandInputs, DemandParams, "np.ndarray | None"], DemandOutputs]

#: Survey category of each model mode (e-bikes count as bikes in travel surveys).
MODE_GROUP: dict[str, str] = {"walk": "walk", "bike": "bike", "ebike": "bike", "pt": "pt",
                              "car_ice": "car", "car_ev": "car"}
MODE_GROUPS: tuple[str, ...] = ("walk", "bike", "pt", "car")


def kernel_for(engine: Engine) -> KernelFn:
    """Return the demand implementation for ``engine``.

    ``reference`` is the NumPy specification; ``numba`` the fused kernel; ``auto`` picks the
    fused kernel when it is available.
    """
    if engine in ("numba", "auto"):
        try:
            from .kernels.fused import demand_fused
        except ImportError:
            if engine == "numba":
                raise
        else:
            return demand_fused
    from .kernels.reference import demand_reference

    return demand_reference


def model_parameters(loaded: LoadedScenario) -> dict[str, float]:
    """Defaults overridden by the scenario's ``parameters``."""
    values = parameters()
    values.update(loaded.scenario.parameters)
    return values


def simulate(loaded: LoadedScenario, engine: Engine = "auto", progress: bool = False) -> Results:
    """Run a loaded scenario year by year and return its results (nothing is written).

    Parameters
    ----------
    loaded : LoadedScenario
        From :func:`mobility_sim.scenario.load_scenario`.
    engine : {"auto", "reference", "numba"}
        Demand implementation.
    progress : bool
        Show a progress bar over years.

    Returns
    -------
    Results
        Tables per year; see :mod:`mobility_sim.results`.
    """
    scenario, city = loaded.scenario, loaded.city
    p = model_parameters(loaded)
    kernel = kernel_for(engine)
    years = scenario.years.as_list()
    country = city.meta.grid_intensity_country or city.meta.country
    grid_g = grid_intensity(country)
    baseline_bev = default_sales()["bev"]
    levers = {y: year_levers(scenario.measures, loaded.masks, y, city.n_cells, baseline_bev)
              for y in range(years[0], years[-1] + 1)}
    fleet = car_fleet_path(years, {y: lv.bev_sales_share for y, lv in levers.items()})
    layers = cell_layers(city, p)
    days = p["annual.days_per_year"]
    balancing: np.ndarray | None = None
    rows: dict[str, list[pd.DataFrame]] = {"summary": [], "modes": [], "segments": [], "cells": []}
    for year, fleet_state in tqdm(list(zip(years, fleet, strict=True)), disable=not progress,
                                  desc=f"{scenario.name} ({city.name})", unit="year"):
        inputs = demand_inputs(city, layers, p, levers[year], fleet_state)
        params = demand_params(p, fleet_state, grid_g)
        out = kernel(inputs, params, balancing)
        balancing = out.balancing
        tables = year_tables(year, out, city, days)
        for name, frame in tables.items():
            rows[name].append(frame)
        summary = tables["summary"]
        summary["fleet_bev_share"] = fleet_state.bev_share
        summary["bev_sales_share"] = levers[year].bev_sales_share
        summary["grid_gco2e_per_kwh"] = grid_g
    results = Results(
        summary=pd.concat(rows["summary"], ignore_index=True),
        modes=pd.concat(rows["modes"], ignore_index=True),
        segments=pd.concat(rows["segments"], ignore_index=True),
        cells=pd.concat(rows["cells"], ignore_index=True),
        grid=city.grid[["cell_id", "x", "y", "population", "jobs"]].copy(),
        meta=run_meta(loaded, layers.sources, grid_g, kernel.__name__),
        scenario_yaml=loaded.resolved_yaml(),
    )
    return results


def year_tables(year: int, out: DemandOutputs, city: City, days: float) -> dict[str, pd.DataFrame]:
    """Turn one year's daily kernel outputs into annual tidy rows."""
    trips_m = out.trips.sum(axis=(0, 1, 2)) * days
    pkm_m = out.pkm.sum(axis=(0, 1, 2)) * days
    modes = pd.DataFrame({
        "year": year, "mode": list(MODES), "mode_group": [MODE_GROUP[m] for m in MODES],
        "trips": trips_m, "pkm": pkm_m, "vkm": out.vkm.sum(axis=0) * days,
        "co2_ttw_t": out.co2_ttw.sum(axis=0) * days / 1000.0,
        "co2_wtw_t": out.co2_wtw.sum(axis=0) * days / 1000.0,
    })
    seg_idx = pd.MultiIndex.from_product([SEGMENTS, PURPOSES, MODES],
                                         names=["segment", "purpose", "mode"])
    segments = pd.DataFrame({
        "trips": out.trips.sum(axis=2).reshape(-1) * days,
        "pkm": out.pkm.sum(axis=2).reshape(-1) * days,
    }, index=seg_idx).reset_index()
    segments.insert(0, "year", year)
    trips_cell = out.trips.sum(axis=(0, 1)) * days  # (N, M)
    cells = pd.DataFrame({"year": year, "cell_id": city.grid["cell_id"].to_numpy(),
                          "population": city.grid["population"].to_numpy(float),
                          "trips": trips_cell.sum(axis=1)})
    for group in MODE_GROUPS:
        cols = [i for i, m in enumerate(MODES) if MODE_GROUP[m] == group]
        cells[f"{group}_trips"] = trips_cell[:, cols].sum(axis=1)
    cells["co2_ttw_t"] = out.co2_ttw.sum(axis=1) * days / 1000.0
    cells["co2_wtw_t"] = out.co2_wtw.sum(axis=1) * days / 1000.0
    population = float(city.grid["population"].sum())
    co2_ttw, co2_wtw = float(modes["co2_ttw_t"].sum()), float(modes["co2_wtw_t"].sum())
    summary = pd.DataFrame([{
        "year": year, "population": population, "trips": float(trips_m.sum()),
        "pkm": float(pkm_m.sum()), "car_vkm": float(modes["vkm"].sum()),
        "co2_ttw_t": co2_ttw, "co2_wtw_t": co2_wtw,
        "co2_ttw_per_capita_kg": 1000.0 * co2_ttw / population if population else np.nan,
        "co2_wtw_per_capita_kg": 1000.0 * co2_wtw / population if population else np.nan,
    }])
    return {"summary": summary, "modes": modes, "segments": segments, "cells": cells}


def run_meta(loaded: LoadedScenario, layer_sources: dict[str, str], grid_g: float,
             engine: str) -> dict:
    """Metadata of a run: identification, provenance and notes shown on the dashboard."""
    scenario, city = loaded.scenario, loaded.city
    layers = {name: layer.model_dump() for name, layer in city.meta.layers.items()}
    for name, source in layer_sources.items():
        layers.setdefault(name, {"status": "default" if source == "default" else "real",
                                 "method": "model default scaled with density (parameters.csv)"
                                 if source == "default" else "city data"})
    target = None
    if scenario.target is not None:
        target = scenario.target.model_dump()
        if target["base_year"] is None:
            target["base_year"] = scenario.years.start
    return {
        "scenario_name": scenario.name, "scenario_description": scenario.description,
        "scenario_file": str(loaded.path), "scenario_hash": loaded.content_hash,
        "city_name": city.name, "city_slug": city.slug, "country": city.meta.country,
        "grid_intensity_country": city.meta.grid_intensity_country or city.meta.country,
        "grid_gco2e_per_kwh": grid_g, "cell_size_m": city.meta.cell_size_m,
        "crs": city.meta.crs, "synthetic": city.meta.synthetic, "area_note": city.meta.area_note,
        "n_cells": city.n_cells, "accounting": ACCOUNTING_NOTE, "layers": layers,
        "base_year": scenario.years.start, "target": target,
        "measures": [{"type": m.type, "label": m.display_label, "start": m.start,  # type: ignore[attr-defined]
                      "end": m.full_year} for m in scenario.measures],
        "observed_modal_split": [s.model_dump() for s in city.meta.observed_modal_split],
        "sources": [f"{s.name} ({s.licence}): {s.citation}" for s in city.meta.sources]
        + ["Emission factors: UK DESNZ GHG conversion factors 2025 (OGL v3)",
           "Grid carbon intensity: Ember / Our World in Data 2023",
           "Fleet: ACEA Vehicles on European Roads 2026; sales: Eurostat 2023"],
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

    Returns
    -------
    Results
        The results; ``meta["output_folder"]`` names the folder when saved.
    """
    loaded = load_scenario(scenario_file, city=city)
    results = simulate(loaded, engine=engine, progress=progress)
    if save:
        folder = Path(out) if out is not None else Path("output") / _safe_name(loaded.scenario.name)
        if folder.exists() and not folder.is_dir():
            raise OutputError(f"{folder}: exists and is not a folder; choose another --out")
        results.meta["output_folder"] = str(folder)
        results.save(folder)
        if dashboard:
            from .report import write_dashboard

            write_dashboard(results, folder / "dashboard.html")
    return results


def _safe_name(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in name.strip())
    return keep or "scenario"
