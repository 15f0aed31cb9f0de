"""Results of a scenario run: tidy tables, metadata, and their on-disk form.

A run folder holds one Parquet file per table, ``run.json`` (metadata) and
``scenario.resolved.yaml``; :meth:`Results.save` writes every file through a temporary file and a
rename, so a failed run never leaves half-written results.

Tables (all quantities per year; CO2 in tonnes CO2e):

``summary``
    ``year, population, trips, pkm, car_vkm, co2_ttw_t, co2_wtw_t, co2_ttw_per_capita_kg,
    co2_wtw_per_capita_kg, fleet_bev_share, grid_gco2e_per_kwh``, then ``bev_sales_share``
    (battery-electric share of the new cars sold: prices and zones' early replacements
    included), ``car_stock``, ``bus_stock`` (vehicles),
    ``bus_bev_share`` (of the bus stock), ``pt_service_vkm`` (bus + tram + metro service
    vehicle-km), ``pt_pkm_per_service_vkm`` (implied average load), ``electricity_mwh``,
    ``fuel_litres`` (petrol + diesel), ``gas_kg`` (CNG) (these three of passenger vehicles),
    ``nox_t``, ``pm25_exhaust_t``, ``pm25_non_exhaust_t``, ``pm25_t`` (tonnes; all vehicles,
    vans and lorries included: their exhaust NOx and PM from COPERT at their speed),
    ``deaths_avoided`` and
    ``health_value_eur``
    (WHO HEAT, walking + cycling), ``carbon_price_eur_per_t`` (the year's carbon price on
    road-fuel CO2: the reference case's ETS2 plus carbon-price measures).
    ``grid_gco2e_per_kwh`` is the year's value (reference case moved by grid measures).
    CO2 totals (``co2_*_t``) are the residents' passenger trips (whole, including their parts
    beyond the grid's edge) and public transport service (see :data:`ACCOUNTING_NOTE`); then
    ``territorial_co2_ttw_t, territorial_co2_wtw_t, residents_co2_ttw_t, residents_co2_wtw_t``
    (the two accountings' totals of ``accounts``),
    ``car_vkm_inside`` (residents' and non-residents' car vehicle-km inside the grid),
    ``nonresidents_car_vkm_inside``, ``residents_car_vkm_beyond``, ``through_vkm``,
    ``van_vkm``, ``lorry_vkm`` and ``freight_co2_wtw_t`` (vans, lorries, cargo bikes);
    ``car_speed_index`` (residents' car-vkm-weighted car speed over the base year's, no
    measure), ``road_delay_index`` (road traffic's mean travel time per km over free flow;
    NaN when speeds do not follow traffic) and ``traffic_iterations`` (kernel runs in the
    year; ``docs/traffic.md``); ``car_available_share`` (share of the grid's residents with a
    car available: car ownership follows accessibility a year late, ``model/ownership.py``).
``modes``
    ``year, mode, mode_group, trips, pkm, vkm, co2_ttw_t, co2_wtw_t``; ``mode`` is one of the
    model's modes (walk, bike, ebike, pt, car_ice, car_ev), ``mode_group`` the survey category
    (walk, bike, pt, car; e-bike counts as bike). ``vkm`` is demand-driven vehicle-km (cars);
    0 for walk, bike and PT (PT service vehicle-km are in ``fleet``). PT CO2 is that of the
    service vehicle-km (or DESNZ per passenger-km when ``emissions.pt_supply_based`` is 0);
    e-bike CO2 WTW is its charging electricity.
``segments``
    ``year, segment, purpose, mode, trips, pkm``: for calibration against survey definitions.
``cells``
    ``year, cell_id, population, trips, walk_trips, bike_trips, pt_trips, car_trips, co2_ttw_t,
    co2_wtw_t, car_speed_kmh``, by the residence (origin) cell of each trip; PT service CO2 is
    allocated to cells by their residents' PT passenger-km; ``car_speed_kmh`` is the cell's car
    speed in the year (settled with the traffic).
``grid``
    ``cell_id, x, y, population, jobs``: the static grid, for maps.
``fleet``
    ``year, vehicle, powertrain, stock, stock_share, sales, sales_share, retired,
    early_retired, mean_age, vkm, electricity_mwh, fuel_litres, gas_kg, kwh_per_vkm,
    co2_ttw_g_per_vkm, co2_wtw_g_per_vkm, nox_g_per_vkm, pm25_exhaust_g_per_vkm,
    pm25_non_exhaust_g_per_vkm``: one row per year, vehicle and powertrain. ``vehicle`` is
    ``car`` (powertrains petrol, diesel, hev, phev, bev), ``bus`` (diesel, cng, bev), ``tram``,
    ``metro`` and ``ebike`` (powertrain ``electric``), ``van`` and ``lorry`` (``diesel``,
    ``bev``: ``stock_share`` and ``sales_share`` are the shares of the freight model's stock and
    new sales, no vehicle counts) and ``cargo_bike`` (``electric``). Stock columns (vehicles;
    ``stock_share`` and ``sales_share`` within the vehicle class and year; ``retired`` on the
    survival curve, ``early_retired`` by a low-emission zone; ``mean_age`` in years) are NaN for
    tram, metro and e-bike, which have no stock model. ``vkm``: cars from demand, PT from
    service, e-bike passenger-km. The ``*_per_vkm`` columns are the year's fleet-average factors
    (``co2_wtw`` with the year's grid intensity; for e-bikes per passenger-km).
``emissions``
    ``year, vehicle, powertrain, pollutant, accounting, tonnes``: ``pollutant`` is one of
    ``co2_ttw, co2_wtw`` (tonnes CO2e), ``nox, pm25_exhaust, pm25_tyre, pm25_brake,
    pm25_road`` (tonnes); ``accounting`` is ``residents_trips`` (cars, e-bikes; and PT CO2 when
    it is counted per passenger-km, then as vehicle ``pt``) or ``territorial_service`` (bus,
    tram, metro service inside the grid) or ``territorial_freight`` (vans, lorries, cargo
    bikes on the grid's roads; diesel exhaust NOx and PM from COPERT's speed curves, Euro 6
    a/b/c vans and Euro VI lorries, a lower bound; the ``summary``'s fleet columns are the
    passenger vehicles'). :attr:`Results.pollutants` sums it to
    ``year, pollutant, tonnes`` with ``nox``, ``pm25_exhaust``, ``pm25_non_exhaust``.
``reference``
    The reference case side by side with the scenario: the ``summary`` columns of the same
    city, years and parameters without the scenario's measures (the EU and national policies
    already decided, ``docs/reference_case.md``). The scenario minus the reference is what the
    city's measures achieve. A run without measures is its own reference (same rows).
``areas``
    ``year, area, population, trips, co2_ttw_t, co2_wtw_t``: the ``cells`` table summed over
    the modelled area (``area`` = ``modelled area``) and, for a city with its municipal
    boundary (``municipality`` in ``city.yaml``), over the municipality (``municipality``) and
    the rest of the grid (``rest of the grid``), each cell weighted by its share of area inside
    the boundary. Counted by home cell, like ``cells``. Empty for runs saved before it existed.
``accounts``
    ``year, accounting, component, vkm, co2_ttw_t, co2_wtw_t``: the year's road transport in
    two accountings side by side (:mod:`mobility_sim.accounts`). ``territorial``: all traffic
    inside the grid, as city inventories count it (residents' and non-residents' car trips,
    their parts inside; through traffic; public transport service; vans, lorries, cargo
    bikes). ``residents``: all trips of the grid's residents wherever they go (car trips whole,
    their share of public transport, e-bikes). The ``summary`` has both totals
    (``territorial_co2_ttw_t`` ...). Empty for runs saved before it existed.
``zones``
    ``year, zone, kind, vehicle, trips_entering, trips_leaving, trips_within,
    vehicles_entering, vkm_inside, co2_ttw_t, co2_wtw_t, case``: for each of the city's named
    zones (``kind`` ``city zone``) and each cordon and low-emission zone of the scenario (named
    by the measure's label), per mode (``walk`` ... ``car_ev``) and for ``van`` and ``lorry``:
    one-way trips counted from the home end: of people living outside the zone to it (residents
    of the rest of the grid and non-residents, both ways of each visit), of the zone's residents
    to outside (both ways) and within it; vehicles entering the zone (half the legs crossing its
    boundary, since a round trip across it enters once, over occupancy; vans and lorries: at the
    cars' entries per vehicle-km inside); vehicle-km inside (half of each trip's km at each end;
    freight: the zone's share of jobs and residents) and their CO2. ``case`` is ``scenario`` or
    ``reference`` (the same zones without the measures). Empty for runs saved before it existed.
``access``
    ``year, cell_id, mode, jobs_30, jobs_45, residents_30, residents_45, case``: the jobs and
    residents each cell reaches within 30 and 45 minutes door to door by ``walk``, ``bike``,
    ``pt`` and ``car`` (:mod:`mobility_sim.model.accessibility`), in the scenario and the
    reference case. Empty for sweeps and for runs saved before it existed.
``sumi``
    ``year, indicator, name, value, unit, case, scope, how``: the European Commission's
    Sustainable Urban Mobility Indicators that a run supports (:mod:`mobility_sim.indicators`,
    ``docs/sumi.md``), scenario and reference case. Empty for older runs.
``welfare``
    ``year, cell_id, segment, trips, welfare_eur, case``: each cell's residents' trips a year
    and their logsum in EUR a year, by segment (car class x income group, e.g.
    ``no_car.low``), in the scenario and the reference case
    (:func:`mobility_sim.indicators.welfare_rows`). Only differences mean anything: scenario
    minus reference case in a year is the consumer surplus, the standard appraisal measure of
    what the measures do to travellers. Empty for older runs.
``spending``
    ``year, segment, area, residents, trips, car_trips, fuel_eur, electricity_eur, fares_eur,
    parking_and_zone_charges_eur, cordon_charges_eur, health_value_eur, case``: per segment
    and area, its residents in the area (by home cell), their trips and car trips a year, the
    money they pay for their trips in a year, by item (the last two approximated, see
    :func:`mobility_sim.indicators.spending_rows`), and the WHO HEAT value of their walking and
    cycling, in the scenario and the reference case. ``area``: ``modelled area`` (all the
    grid's residents; :func:`mobility_sim.indicators.whole_grid` selects these rows), then,
    where the city has them, ``municipality`` and ``rest of the grid`` (cells counted with
    their share inside the boundary) and the city's named zones (e.g. ``centre``); the areas
    overlap, so never sum over them. Empty for older runs (and without ``area`` before it
    existed: all rows are the modelled area's).
``health``
    ``year, mode, population, minutes_per_week, risk_reduction, deaths_avoided, value_eur``:
    WHO HEAT physical-activity benefit; ``mode`` is ``walk`` or ``bike``, ``population`` the
    residents in the mode's age band (20-74 walking, 20-64 cycling), ``minutes_per_week`` per
    resident, ``risk_reduction`` the capped all-cause mortality reduction, ``deaths_avoided``
    per year (compared with no walking or cycling at all), ``value_eur`` = deaths x value of a
    statistical life.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .exceptions import OutputError
from .io.yamlio import atomic_path, current_umask, file_sha256, write_text_atomic

if TYPE_CHECKING:  # pragma: no cover
    from .report.notebook import ResultsPlots

#: Tables every run folder has.
CORE_TABLES: tuple[str, ...] = ("summary", "modes", "segments", "cells", "grid")
#: Fleet, emission and health tables (absent from run folders written before they existed).
FLEET_TABLES: tuple[str, ...] = ("fleet", "emissions", "health")
#: The reference case's summary, the results by area and the two accountings (absent from
#: older run folders).
REFERENCE_TABLES: tuple[str, ...] = ("reference", "areas", "accounts", "zones")
#: Accessibility and the Commission's SUMP indicators (absent from older run folders).
INDICATOR_TABLES: tuple[str, ...] = ("access", "sumi", "welfare", "spending")
TABLES: tuple[str, ...] = CORE_TABLES + FLEET_TABLES + REFERENCE_TABLES + INDICATOR_TABLES

#: How emissions are counted; shown on every dashboard.
ACCOUNTING_NOTE = (
    "Two accountings side by side (table 'accounts'). Territorial, as city inventories count: "
    "all traffic inside the grid: residents' and non-residents' (in-commuters, visitors) car "
    "trips, their parts inside the grid's edge; through traffic (a stated rule); public "
    "transport service; vans, lorries and cargo bikes (freight, scaled from national traffic "
    "shares). Residents': all trips of the grid's residents, whole, wherever they go (to the "
    "rest of the functional urban area through external zones), with their share of public "
    "transport. The main CO2 columns and the cells and modes tables are the residents' "
    "passenger trips, counted at their origin cell, plus public transport service. "
    "Tank-to-wheel and well-to-wheel per vehicle-km from the vintage fleets; electricity at "
    "the year's grid intensity; walking and cycling: zero."
)
#: How the grid intensity is set; shown with the results.
GRID_NOTE = (
    "Grid carbon intensity: the country's 2023 value (Ember / Our World in Data) following the "
    "reference case's projection (EU Reference Scenario 2020 for EU member states; held where "
    "no projection was found: 'frozen grid'), moved further by grid measures."
)


@dataclass(repr=False)
class Results:
    """All results of one scenario run.

    Attributes
    ----------
    summary, modes, segments, cells, grid, fleet, emissions, health, reference, areas, accounts,
    zones, access, sumi, welfare, spending
        The tables described in the module docstring (DataFrames; ``fleet``, ``emissions``,
        ``health``, ``reference``, ``areas``, ``accounts``, ``zones``, ``access``, ``sumi``,
        ``welfare`` and ``spending`` are empty for runs saved before they existed).
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
    fleet: pd.DataFrame = field(default_factory=pd.DataFrame)
    emissions: pd.DataFrame = field(default_factory=pd.DataFrame)
    health: pd.DataFrame = field(default_factory=pd.DataFrame)
    reference: pd.DataFrame = field(default_factory=pd.DataFrame)
    areas: pd.DataFrame = field(default_factory=pd.DataFrame)
    accounts: pd.DataFrame = field(default_factory=pd.DataFrame)
    zones: pd.DataFrame = field(default_factory=pd.DataFrame)
    access: pd.DataFrame = field(default_factory=pd.DataFrame)
    sumi: pd.DataFrame = field(default_factory=pd.DataFrame)
    welfare: pd.DataFrame = field(default_factory=pd.DataFrame)
    spending: pd.DataFrame = field(default_factory=pd.DataFrame)
    meta: dict[str, Any] = field(default_factory=dict)
    scenario_yaml: str = ""

    def __repr__(self) -> str:
        meta = self.meta
        years = self.summary["year"] if "year" in self.summary else pd.Series(dtype=int)
        span = f"{int(years.min())}-{int(years.max())}" if len(years) else "no years"
        city = meta.get("city_name") or meta.get("city_slug") or "unnamed city"
        return f"<Results {meta.get('scenario_name') or 'unnamed'} · {city}, {span}>"

    def _repr_html_(self) -> str:
        """Show the run in a notebook: what ran, headline numbers, data quality."""
        from .report.notebook import results_html

        return results_html(self)

    @property
    def plot(self) -> ResultsPlots:
        """The dashboard's figures, one call each, e.g. ``results.plot.emissions()``.

        See :class:`mobility_sim.report.notebook.ResultsPlots` for the list; each returns a
        Plotly figure, drawn inline in a notebook.
        """
        from .report.notebook import ResultsPlots

        return ResultsPlots(self)

    def table(self, name: str) -> pd.DataFrame:
        """Return a table by name (one of :data:`TABLES`)."""
        if name not in TABLES:
            raise KeyError(f"no table {name!r}; tables: {', '.join(TABLES)}")
        return getattr(self, name)

    @property
    def pollutants(self) -> pd.DataFrame:
        """Local air pollutants per year: ``year, pollutant, tonnes`` (a view of ``emissions``).

        ``pollutant`` is ``nox``, ``pm25_exhaust`` or ``pm25_non_exhaust`` (tyre + brake + road
        wear); empty when the run has no ``emissions`` table.
        """
        if self.emissions.empty:
            return pd.DataFrame(columns=["year", "pollutant", "tonnes"])
        table = self.emissions
        groups = {"nox": "nox", "pm25_exhaust": "pm25_exhaust", "pm25_tyre": "pm25_non_exhaust",
                  "pm25_brake": "pm25_non_exhaust", "pm25_road": "pm25_non_exhaust"}
        rows = table[table["pollutant"].isin(groups)].assign(
            pollutant=lambda t: t["pollutant"].map(groups))
        out = rows.groupby(["year", "pollutant"], as_index=False, sort=False)["tonnes"].sum()
        return out.sort_values(["year", "pollutant"], ignore_index=True)

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

    def save(self, folder: str | Path,
             extra: Mapping[str, Callable[[Results, Path], object]] | None = None) -> Path:
        """Write the run folder as one unit: every table, ``run.json``, the resolved scenario.

        Everything is written into a new hidden folder beside ``folder``, with ``manifest.json``
        (the SHA-256 of every data file) last; then the new folder replaces ``folder`` whole.
        A failed or killed save leaves the old folder as it was; no file of an earlier run
        (an old dashboard, a table it had) survives beside the new tables; two saves into one
        folder take turns (a lock) and the last one wins whole.

        Parameters
        ----------
        folder : path-like
            The run folder. An existing folder is replaced only if it is a run folder (or
            empty): any other folder is refused, so that no file of the user's is deleted.
        extra : mapping of str to callable, optional
            Further files of the run (e.g. ``{"dashboard.html": write_dashboard}``): each is
            called as ``writer(results, path)`` to write that file into the new folder before it
            replaces the old one.

        Returns
        -------
        pathlib.Path
            The folder.

        Raises
        ------
        OutputError
            If the folder cannot be written, or exists and is not a run folder.
        """
        folder = Path(folder)
        check_run_folder(folder)
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            with _folder_lock(folder):
                check_run_folder(folder)  # again: another process may have made it meanwhile
                stage = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".new",
                                              dir=folder.parent))
                try:
                    self._write_files(stage)
                    for name, writer in (extra or {}).items():
                        writer(self, stage / name)
                    os.chmod(stage, 0o777 & ~current_umask())  # mkdtemp makes it owner-only
                    _replace_folder(stage, folder)
                finally:
                    shutil.rmtree(stage, ignore_errors=True)  # gone once renamed
        except OSError as exc:
            raise OutputError(f"{folder}: cannot write results ({exc.strerror or exc}); "
                              "choose another --out folder") from None
        return folder

    def _write_files(self, folder: Path) -> None:
        """Write the data files and, last, the manifest of their checksums into ``folder``."""
        for name in TABLES:
            with atomic_path(folder / f"{name}.parquet") as tmp:
                self.table(name).to_parquet(tmp, index=False)
        write_text_atomic(folder / "run.json", json.dumps(self.meta, indent=2, default=str))
        write_text_atomic(folder / "scenario.resolved.yaml", self.scenario_yaml)
        files = {f"{n}.parquet": file_sha256(folder / f"{n}.parquet") for n in TABLES}
        for name in ("run.json", "scenario.resolved.yaml"):
            files[name] = file_sha256(folder / name)
        manifest = {"format": MANIFEST_FORMAT, "files": files}
        write_text_atomic(folder / MANIFEST, json.dumps(manifest, indent=2) + "\n")

    @classmethod
    def load(cls, folder: str | Path) -> Results:
        """Read a run folder written by :meth:`save`.

        Raises
        ------
        OutputError
            If the folder is not a complete run folder.
        """
        folder = Path(folder)
        missing = [f"{n}.parquet" for n in CORE_TABLES
                   if not (folder / f"{n}.parquet").is_file()]
        if not (folder / "run.json").is_file():
            missing.append("run.json")
        if missing:
            raise OutputError(f"{folder}: not a complete run folder (missing {', '.join(missing)});"
                              " run 'mobility-sim run SCENARIO.yaml --out FOLDER' first")
        verify_run_folder(folder)
        tables = {n: pd.read_parquet(folder / f"{n}.parquet") for n in TABLES
                  if (folder / f"{n}.parquet").is_file()}
        meta = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        resolved = folder / "scenario.resolved.yaml"
        text = resolved.read_text(encoding="utf-8") if resolved.is_file() else ""
        return cls(**tables, meta=meta, scenario_yaml=text)


#: File of a run folder that lists the checksum of every data file; written last.
MANIFEST = "manifest.json"
MANIFEST_FORMAT = "mobility_sim run folder 1"


def verify_run_folder(folder: Path) -> None:
    """Check a run folder against its manifest: every listed file present and unchanged.

    Raises
    ------
    OutputError
        If the manifest is missing or unreadable, or a file is missing or differs from the one
        the run wrote (a file of another run, an edited or truncated table).
    """
    path = folder / MANIFEST
    rerun = "run the scenario again into this folder ('mobility-sim run SCENARIO --out FOLDER')"
    if not path.is_file():
        raise OutputError(f"{folder}: no {MANIFEST}, so its files cannot be checked to come from "
                          f"one run (an interrupted save, or a folder of an older version); "
                          f"{rerun}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = dict(manifest["files"])
        valid = manifest.get("format") == MANIFEST_FORMAT
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OutputError(f"{path}: unreadable manifest ({exc}); {rerun}") from None
    if not valid:
        raise OutputError(f"{path}: not a manifest of this version ({MANIFEST_FORMAT!r}); {rerun}")
    bad = [name for name, digest in files.items()
           if not (folder / name).is_file() or file_sha256(folder / name) != digest]
    if bad:
        raise OutputError(f"{folder}: {', '.join(sorted(bad))} missing or changed since the run "
                          f"wrote them (files of two runs, or an edited file); {rerun}")


def check_run_folder(folder: Path) -> None:
    """Raise :class:`OutputError` unless a run may be saved as ``folder``.

    ``folder`` may be missing (its nearest existing parent must be a writable folder), empty, or
    a run folder (it is then replaced whole). Any other folder is refused: replacing it would
    delete files that are not the run's. Nothing is created.
    """
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: exists and is not a folder; choose another --out")
    if folder.is_dir() and any(folder.iterdir()) and not (
            (folder / "run.json").is_file() or (folder / MANIFEST).is_file()):
        raise OutputError(f"{folder}: a folder that is not a run folder (no run.json); results "
                          "replace the whole folder, so choose a new or empty --out")
    parent = next((p for p in folder.absolute().parents if p.exists()), Path("/"))
    if not parent.is_dir():
        raise OutputError(f"{folder}: {parent} is not a folder; choose another --out")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{folder}: no permission to write in {parent}; choose another --out")


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder``'s name while it is replaced (other saves wait)."""
    lock = folder.parent / f".{folder.name}.lock"
    while True:
        fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:  # the holder before us may have removed the file: then lock the new one
                same = os.stat(lock).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                try:
                    yield
                finally:
                    lock.unlink(missing_ok=True)
                return
        finally:
            os.close(fd)


def _replace_folder(new: Path, folder: Path) -> None:
    """Put ``new`` in the place of ``folder`` (removing the old one whole)."""
    if not folder.exists():
        os.rename(new, folder)
        return
    old = folder.parent / f".{folder.name}.{os.getpid()}.old"
    os.rename(folder, old)
    try:
        os.rename(new, folder)
    except OSError:
        os.rename(old, folder)  # put the old run back
        raise
    shutil.rmtree(old, ignore_errors=True)
