"""Results of a scenario run: tidy tables, metadata, and their on-disk form.

A run folder holds one Parquet file per table, ``run.json`` (metadata) and
``scenario.resolved.yaml``; :meth:`Results.save` writes every file through a temporary file and a
rename, so a failed run never leaves half-written results.

Tables (all quantities per year; CO2 in tonnes CO2e):

``summary``
    ``year, population, trips, pkm, car_vkm, co2_ttw_t, co2_wtw_t, co2_ttw_per_capita_kg,
    co2_wtw_per_capita_kg, fleet_bev_share, grid_gco2e_per_kwh``.
``modes``
    ``year, mode, mode_group, trips, pkm, vkm, co2_ttw_t, co2_wtw_t``; ``mode`` is one of the
    model's modes (walk, bike, ebike, pt, car_ice, car_ev), ``mode_group`` the survey category
    (walk, bike, pt, car; e-bike counts as bike). ``vkm`` is demand-driven vehicle-km (cars);
    0 for walk, bike and PT, whose emissions are allocated per passenger-km.
``segments``
    ``year, segment, purpose, mode, trips, pkm``: for calibration against survey definitions.
``cells``
    ``year, cell_id, population, trips, walk_trips, bike_trips, pt_trips, car_trips, co2_ttw_t,
    co2_wtw_t``, by the residence (origin) cell of each trip.
``grid``
    ``cell_id, x, y, population, jobs``: the static grid, for maps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .exceptions import OutputError
from .yamlio import atomic_path, write_text_atomic

TABLES: tuple[str, ...] = ("summary", "modes", "segments", "cells", "grid")

#: How emissions are counted; shown on every dashboard.
ACCOUNTING_NOTE = (
    "Residents' trips: all trips made by the residents of the grid cells, counted at their "
    "origin cell, with both ends inside the grid (trips leaving the grid are not modelled). "
    "Cars: tank-to-wheel and well-to-wheel per vehicle-km from the fleet mix; PT: per "
    "passenger-km (UK DESNZ 2025 average local bus); walking and cycling: zero."
)


@dataclass
class Results:
    """All results of one scenario run.

    Attributes
    ----------
    summary, modes, segments, cells, grid : pandas.DataFrame
        The tables described in the module docstring.
    meta : dict
        Scenario and city identification, units, provenance notes, version, content hash.
    scenario_yaml : str
        The fully resolved scenario (YAML text).
    """

    summary: pd.DataFrame
    modes: pd.DataFrame
    segments: pd.DataFrame
    cells: pd.DataFrame
    grid: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)
    scenario_yaml: str = ""

    def table(self, name: str) -> pd.DataFrame:
        """Return a table by name (one of :data:`TABLES`)."""
        if name not in TABLES:
            raise KeyError(f"no table {name!r}; tables: {', '.join(TABLES)}")
        return getattr(self, name)

    def mode_share(self, by: str = "trips") -> pd.DataFrame:
        """Return the modal split per year and mode group (shares sum to 1 each year).

        Parameters
        ----------
        by : {"trips", "pkm"}
            Share of trips or of passenger-km.
        """
        grouped = self.modes.groupby(["year", "mode_group"], as_index=False)[by].sum()
        grouped["share"] = grouped[by] / grouped.groupby("year")[by].transform("sum")
        return grouped[["year", "mode_group", "share"]]

    def save(self, folder: str | Path) -> Path:
        """Write every table, ``run.json`` and ``scenario.resolved.yaml`` into ``folder``.

        Returns
        -------
        pathlib.Path
            The folder.

        Raises
        ------
        OutputError
            If the folder cannot be created or written.
        """
        folder = Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name in TABLES:
                with atomic_path(folder / f"{name}.parquet") as tmp:
                    self.table(name).to_parquet(tmp, index=False)
            write_text_atomic(folder / "run.json", json.dumps(self.meta, indent=2, default=str))
            write_text_atomic(folder / "scenario.resolved.yaml", self.scenario_yaml)
        except OSError as exc:
            raise OutputError(f"{folder}: cannot write results ({exc.strerror or exc}); "
                              "choose another --out folder") from None
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Results:
        """Read a run folder written by :meth:`save`.

        Raises
        ------
        OutputError
            If the folder is not a complete run folder.
        """
        folder = Path(folder)
        missing = [f"{n}.parquet" for n in TABLES if not (folder / f"{n}.parquet").is_file()]
        if not (folder / "run.json").is_file():
            missing.append("run.json")
        if missing:
            raise OutputError(f"{folder}: not a complete run folder (missing {', '.join(missing)});"
                              " run 'mobility-sim run SCENARIO.yaml --out FOLDER' first")
        tables = {n: pd.read_parquet(folder / f"{n}.parquet") for n in TABLES}
        meta = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        resolved = folder / "scenario.resolved.yaml"
        text = resolved.read_text(encoding="utf-8") if resolved.is_file() else ""
        return cls(**tables, meta=meta, scenario_yaml=text)
