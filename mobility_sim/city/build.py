"""Build a city folder (``grid.parquet`` + ``city.yaml``) from real data.

Inputs: a population raster (any GeoTIFF, any CRS) or a population vector grid (GeoPackage,
GeoParquet), resampled onto the EPSG:3035 reference grid with the population total conserved;
optionally an OpenStreetMap PBF (cycle infrastructure, road density, public transport stops) and
a GTFS feed (stops and headways). Jobs come from a documented proxy (:mod:`.jobs`). Every layer
is recorded in ``city.yaml`` as ``real``, ``proxy`` or ``default``; layers that are absent take
the model's density-scaled defaults.

:func:`build_city` returns a :class:`~mobility_sim.city.model.City`; :func:`write_city` writes
it atomically; :func:`build_catalogue_city` builds one of the shipped cities from the packaged
table ``mobility_sim/data/cities.csv``.
"""

from __future__ import annotations

import io
import math
import os
import re
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from ..data import eur_exchange_rate, read_table
from ..data import parameters as default_parameters
from ..exceptions import CityDataError
from ..io.yamlio import atomic_path, dump_yaml
from ..paths import municipal_boundary, repo_root
from .boundary import municipality_meta, municipality_share, read_boundary
from .data_sheet import DATA_SHEET_FILE, Centre, DataSheet, blank_data_sheet, load_data_sheet
from .jobs import build_parameter, densest_disc_centre, jobs_proxy
from .model import (
    OPTIONAL_LAYERS,
    CarOwnership,
    City,
    CityMeta,
    CityParameter,
    DataSource,
    InventoryFigure,
    Layer,
    ModalSplit,
    PopulationGrowth,
)
from .resample import TARGET_CRS, CellCounts, raster_to_cells, vector_to_cells
from .surroundings import city_surroundings
from .synthetic import square_cells

#: File suffixes read as rasters; anything else is read as a vector file.
RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".img", ".asc", ".nc")

#: The GHS-POP release the shipped cities are built from.
GHS_POP_SOURCE = DataSource(
    name="GHS-POP R2022A, epoch 2020, 1 km, Mollweide (GHS_POP_E2020_GLOBE_R2022A_54009_1000), "
         "clipped to the GHS-UCDB 2015 urban-centre polygon",
    licence="CC BY 4.0",
    citation="Schiavina M., Freire S., Carioli A., MacManus K. (2022): GHS-POP R2022A - GHS "
             "population grid multitemporal (1975-2030). European Commission, Joint Research "
             "Centre (JRC)",
    url="https://ghsl.jrc.ec.europa.eu/",
)

#: Area note of every city built from a GHS urban-centre raster.
GHS_AREA_NOTE = (
    "GHS urban centre, NOT the administrative city of {name}: the contiguous 1 km cells of at "
    "least 1,500 inhabitants per km2 (GHS-UCDB 2015 polygon), with GHS-POP 2020 residents. "
    "Observed modal splits below may cover a different area; their 'area' field says which."
)


def _read_cells(
    population: Path,
    cell_size: float,
    kind: Literal["auto", "raster", "vector"],
    column: str,
    layer: str | None,
    band: int,
    bbox: tuple[float, float, float, float] | None,
) -> tuple[CellCounts, str]:
    if kind == "auto":
        kind = "raster" if population.suffix.lower() in RASTER_SUFFIXES else "vector"
    if bbox is not None and kind != "raster":
        raise CityDataError(f"{population}: --bbox applies to rasters only; clip the vector "
                            "file instead (e.g. ogr2ogr -spat)")
    if kind == "raster":
        cells = raster_to_cells(population, cell_size=cell_size, band=band, bbox=bbox)
        method = (f"raster {population.name} resampled to {cell_size:g} m cells of the EPSG:3035 "
                  "reference grid: each pixel split into k x k sub-cells whose centres are "
                  "transformed and summed, so the total is conserved")
    else:
        cells = vector_to_cells(population, column=column, cell_size=cell_size, layer=layer)
        method = (f"vector grid {population.name} (column {column!r}) resampled to {cell_size:g} "
                  "m cells of the EPSG:3035 reference grid by area of intersection, so the "
                  "total is conserved")
    if bbox is not None:
        method += f"; pixels with centres inside lon/lat box {list(bbox)}"
    method += f" (source total {cells.source_total:,.0f}, grid total {cells.population.sum():,.0f})"
    return cells, method


def _cell_codes(cells: CellCounts) -> np.ndarray:
    size = cells.cell_size
    label = f"{size / 1000:g}km" if size >= 1000 else f"{size:g}m"
    east = (cells.col * size).astype(np.int64)
    north = (cells.row * size).astype(np.int64)
    if size % 1000 == 0:
        return np.array([f"{label}E{e // 1000}N{n // 1000}" for e, n in zip(east, north,
                                                                            strict=True)])
    return np.array([f"{label}E{e}N{n}" for e, n in zip(east, north, strict=True)])


def build_city(
    population: str | os.PathLike[str],
    slug: str,
    name: str,
    country: str,
    *,
    cell_size: float = 1000.0,
    kind: Literal["auto", "raster", "vector"] = "auto",
    population_column: str = "population",
    vector_layer: str | None = None,
    band: int = 1,
    bbox: tuple[float, float, float, float] | None = None,
    population_source: DataSource | None = None,
    grid_intensity_country: str | None = None,
    jobs_total: float | None = None,
    jobs_source: str | None = None,
    osm_pbf: str | os.PathLike[str] | None = None,
    gtfs: str | os.PathLike[str] | None = None,
    car_ownership: CarOwnership | None = None,
    observed_modal_split: list[ModalSplit] | None = None,
    inventory: list[InventoryFigure] | None = None,
    parameters: dict[str, CityParameter] | None = None,
    population_growth: PopulationGrowth | None = None,
    area_note: str = "",
    notes: list[str] | None = None,
    centre_radius_m: float | None = None,
    centre: tuple[float, float, str] | None = None,
) -> City:
    """Build a city from a population raster or vector grid and optional OSM / GTFS layers.

    Parameters
    ----------
    population : path-like
        Population raster (GeoTIFF, any CRS) or vector grid (GeoPackage / GeoParquet).
    slug, name, country : str
        Folder name (``[a-z0-9_]+``), display name and ISO3 country code.
    cell_size : float
        Output cell side in metres (cells aligned to the EPSG:3035 reference grid).
    kind : {"auto", "raster", "vector"}
        How to read ``population``; ``auto`` decides by file suffix.
    population_column : str
        Column of residents in a vector grid.
    vector_layer : str, optional
        Layer of a multi-layer vector file.
    band : int
        Raster band of the counts.
    bbox : tuple of float, optional
        ``(west, south, east, north)`` in degrees: cut a city out of a larger raster.
    population_source : DataSource, optional
        Name, licence and citation of the population data (recorded in ``city.yaml``).
    grid_intensity_country : str, optional
        ISO3 code whose electricity grid applies, if not ``country``.
    jobs_total : float, optional
        Total jobs (a cited employment figure); default ``jobs.per_resident`` x residents.
    jobs_source : str, optional
        Citation of ``jobs_total``.
    osm_pbf : path-like, optional
        OpenStreetMap extract: sets ``cycle_infra_share``, ``road_density_km_per_km2`` and
        ``pt_stop_distance_m`` where it covers the grid.
    gtfs : path-like, optional
        GTFS feed (zip or folder): sets ``pt_stop_distance_m`` and ``pt_headway_min``.
    car_ownership : CarOwnership, optional
        City-level car ownership with its source.
    observed_modal_split : list of ModalSplit, optional
        Published modal splits with their definitions.
    inventory : list of InventoryFigure, optional
        Published transport GHG inventory figures (target base years).
    parameters : dict of str to CityParameter, optional
        Model parameters set by the city's published figures (:func:`sheet_parameters`).
    population_growth : PopulationGrowth, optional
        Growth of residents and jobs from a published projection.
    area_note : str
        What the grid covers, in words.
    notes : list of str, optional
        Free notes recorded in ``city.yaml``.
    centre_radius_m : float, optional
        Radius of the ``centre`` zone (default ``zone.centre_radius_m``).
    centre : (x, y, description), optional
        The city's centre in the target CRS (the city hall or central business district, with
        where it comes from); default: the cell whose disc of ``centre_radius_m`` holds the most
        residents (a density centre).

    Returns
    -------
    City
        The built city (not yet written; see :func:`write_city`).

    Raises
    ------
    CityDataError
        If an input is missing or malformed; one line per problem.
    """
    population = Path(population)
    problems: list[str] = []
    if not slug or not all(ch.isascii() and (ch.islower() or ch.isdigit() or ch == "_")
                           for ch in slug):
        problems.append(f"slug {slug!r}: use lower-case letters, digits and '_' only "
                        "(e.g. 'helsinki')")
    if not (len(country) == 3 and country.isalpha() and country.isupper()):
        problems.append(f"country {country!r}: give an ISO 3166-1 alpha-3 code, e.g. 'FIN'")
    if not (cell_size > 0 and math.isfinite(cell_size)):
        problems.append(f"cell size {cell_size}: give a positive number of metres, e.g. 1000")
    if bbox is not None and not (len(bbox) == 4 and bbox[0] < bbox[2] and bbox[1] < bbox[3]):
        problems.append(f"bbox {bbox}: give west,south,east,north in degrees with west < east "
                        "and south < north")
    if jobs_total is not None and not jobs_total > 0:
        problems.append(f"jobs total {jobs_total}: give a positive number or leave it out")
    if problems:
        raise CityDataError(problems)

    cells, pop_method = _read_cells(population, cell_size, kind, population_column,
                                    vector_layer, band, bbox)
    x, y, pop = cells.x, cells.y, cells.population
    if not math.isclose(pop.sum(), cells.source_total, rel_tol=1e-9):
        raise RuntimeError(f"population not conserved: {pop.sum()} vs {cells.source_total}")

    radius = build_parameter("zone.centre_radius_m") if centre_radius_m is None \
        else centre_radius_m
    if centre is None:
        centre_i = densest_disc_centre(cells.col, cells.row, pop, radius / cell_size)
        centre_xy = (float(x[centre_i]), float(y[centre_i]))
        centre_note = (f"zone 'centre': circle of {radius:g} m around the cell centre "
                       f"{centre_xy[0]:.0f}, {centre_xy[1]:.0f} (EPSG:3035) whose {radius:g} m "
                       "disc holds the most residents; a density centre, not a surveyed central "
                       "business district")
    else:
        centre_xy = (round(float(centre[0])), round(float(centre[1])))
        populated = pop > 0
        nearest = float(np.hypot(x[populated] - centre_xy[0], y[populated] - centre_xy[1]).min())
        if nearest > radius:
            raise CityDataError(
                f"centre {centre[2]!r} ({centre_xy[0]:.0f}, {centre_xy[1]:.0f}, EPSG:3035) is "
                f"{nearest / 1000:.1f} km from the nearest populated cell of the grid: check the "
                "data sheet's centre (lat, lon in WGS84 degrees) and that the raster is the "
                "city's")
        centre_note = (f"zone 'centre': circle of {radius:g} m around {centre_xy[0]:.0f}, "
                       f"{centre_xy[1]:.0f} (EPSG:3035): {centre[2]}")
    per_resident = build_parameter("jobs.per_resident")
    if jobs_total is None:
        total_jobs = per_resident * float(pop.sum())
        total_note = (f"total = {per_resident:g} jobs per resident x residents (assumption "
                      "jobs.per_resident in mobility_sim/data/city_build_parameters.csv; not a "
                      "published employment figure)")
    else:
        total_jobs = float(jobs_total)
        total_note = f"total {total_jobs:,.0f} from: {jobs_source or 'source not given'}"
    jobs = jobs_proxy(x, y, pop, centre_xy, total_jobs, cell_size)

    order = np.lexsort((x, -y))  # north to south, west to east
    frame = pd.DataFrame({
        "cell_id": np.arange(len(order), dtype=np.int64),
        "x": x[order], "y": y[order],
        "population": pop[order], "jobs": jobs[order],
        "cell_code": _cell_codes(cells)[order],
    })
    grid = gpd.GeoDataFrame(frame, geometry=square_cells(frame["x"].to_numpy(),
                                                         frame["y"].to_numpy(), cell_size),
                            crs=TARGET_CRS)

    layers: dict[str, Layer] = {
        "population": Layer(status="real", method=pop_method),
        "jobs": Layer(status="proxy", method=(
            "PROXY, not employment data: w = a*p*c/sum(p*c) + (1-a)*c/sum(c), c = exp(-d/L), d "
            "= distance to the 'centre' zone's centre, a = jobs.density_weight, L = "
            "jobs.centrality_length_factor x radius of the populated area "
            f"(mobility_sim/data/city_build_parameters.csv); {total_note}")),
    }
    sources: list[DataSource] = [population_source] if population_source else [DataSource(
        name=f"population: {population.name}", licence="not given",
        citation="not given: pass the source's citation and licence when building")]

    if osm_pbf is not None:
        from .osm import osm_layers

        result = osm_layers(osm_pbf, grid, cell_size)
        for col, values in result.columns.items():
            grid[col] = values
        layers.update(result.layers)
        sources += result.sources
    if gtfs is not None:
        from .gtfs import gtfs_layers

        result = gtfs_layers(gtfs, grid, cell_size)
        for col, values in result.columns.items():
            grid[col] = values
        layers.update(result.layers)
        sources += result.sources
    if (car_ownership is not None and "car_ownership" not in grid.columns
            and "EU average" not in car_ownership.source):
        layers["car_ownership"] = Layer(status="proxy", method=(
            f"PROXY: the city's published {car_ownership.cars_per_1000:g} cars per 1,000 "
            "inhabitants (car_ownership below) spread over the cells by density "
            "(car.ownership_density_scale in mobility_sim/data/parameters.csv)"))
    if parameters and "parking.max_eur_per_h" in parameters and "parking_eur_per_hour" not in \
            grid.columns:
        layers["parking_eur_per_hour"] = Layer(status="proxy", method=(
            f"PROXY: the city's published central on-street tariff "
            f"({parameters['parking.max_eur_per_h'].value:g} EUR/h, parameters below) in the "
            "densest cells, scaled down with density by the model's rule (parking.* in "
            "mobility_sim/data/parameters.csv)"))
    for col, what in OPTIONAL_LAYERS.items():
        if col not in grid.columns and col not in layers:
            layers[col] = Layer(status="default", method=(
                f"not in the grid: the model's documented default for {what} "
                "(scales with density; mobility_sim/data/parameters.csv)"))

    centre_zone = shapely.Point(centre_xy).buffer(radius, quad_segs=8)
    centre_zone = shapely.set_precision(centre_zone, 1.0)
    all_notes = [centre_note, *(notes or [])]
    meta = CityMeta(
        slug=slug, name=name, country=country,
        grid_intensity_country=grid_intensity_country,
        crs=TARGET_CRS, cell_size_m=float(cell_size), synthetic=False,
        area_note=area_note, sources=sources, layers=layers,
        car_ownership=car_ownership,
        observed_modal_split=list(observed_modal_split or []),
        inventory=list(inventory or []),
        parameters=dict(parameters or {}),
        population_growth=population_growth,
        zones={"centre": centre_zone.wkt},
        notes=all_notes,
    )
    return City(meta=meta, grid=grid, path=None)


def city_yaml_text(meta: CityMeta, header: str = "") -> str:
    """Return the text of ``city.yaml`` for ``meta`` (nulls kept where they carry meaning)."""
    data = meta.model_dump(mode="json")
    for key in ("grid_intensity_country", "car_ownership"):
        if data.get(key) is None:
            data.pop(key, None)
    for source in data["sources"]:
        if source.get("url") is None:
            source.pop("url")
    stream = io.StringIO()
    dump_yaml(data, stream)
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    return ("\n".join(lines) + "\n" if lines else "") + stream.getvalue()


def write_city(city: City, folder: str | os.PathLike[str], header: str = "") -> Path:
    """Write ``grid.parquet``, ``city.yaml`` and a blank ``data_sheet.yaml`` into ``folder``.

    Each file is written atomically. The data sheet (published figures about the city, to be
    researched: :mod:`mobility_sim.city.data_sheet`) is written only when the folder has none.

    Parameters
    ----------
    city : City
        The city to write.
    folder : path-like
        Target folder; created if needed.
    header : str
        Comment lines put at the top of ``city.yaml`` (e.g. the command that built it).

    Returns
    -------
    pathlib.Path
        The folder.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise CityDataError(f"{folder}: exists and is not a folder; give --out a new folder "
                            "(a city is a folder with city.yaml and grid.parquet)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CityDataError(f"{folder}: cannot create the city folder ({exc.strerror or exc}); "
                            "give --out a folder you can write to") from None
    with atomic_path(folder / "grid.parquet") as tmp:
        city.grid.to_parquet(tmp, index=False, compression="zstd")
    with atomic_path(folder / "city.yaml") as tmp:
        tmp.write_text(city_yaml_text(city.meta, header), encoding="utf-8")
    sheet = folder / DATA_SHEET_FILE
    if not sheet.exists():  # a researched sheet is never overwritten by a rebuild
        with atomic_path(sheet) as tmp:
            tmp.write_text(blank_data_sheet(city.meta.slug, city.meta.name), encoding="utf-8")
    return folder


def catalogue() -> pd.DataFrame:
    """Return the table of shipped cities (``mobility_sim/data/cities.csv``)."""
    table = read_table("cities.csv").astype(object)
    return table.where(table.notna(), "")


def _modal_splits(slug: str) -> list[ModalSplit]:
    table = read_table("city_modal_splits.csv")
    splits = []
    for row in table[table["slug"] == slug].itertuples():
        shares = {m: (None if pd.isna(getattr(row, m)) else float(getattr(row, m)))
                  for m in ("walk", "bike", "pt", "car", "other")}
        splits.append(ModalSplit(year=int(row.year), unit=row.unit, population=row.population,
                                 purposes=row.purposes, area=row.area, shares=shares,
                                 source=row.source))
    return splits


#: Tonnes per unit of the inventory table's units.
_TONNES = {"t CO2e": 1.0, "t CO2": 1.0, "kt CO2e": 1e3, "kt CO2": 1e3, "Mt CO2e": 1e6,
           "Mt CO2": 1e6}


def _inventory(slug: str) -> list[InventoryFigure]:
    """Return the published transport inventory figures of a shipped city (CSV table)."""
    table = read_table("city_transport_inventories.csv")
    rows = table[(table["city"] == slug) & table["value"].notna()
                 & table["unit"].isin(list(_TONNES))
                 & table["status"].isin(["published", "derived"])
                 & table["sector"].astype(str).str.contains("transport|road|traffic")]
    return [InventoryFigure(year=int(r.year), value_t=float(r.value) * _TONNES[r.unit],
                            sector=str(r.sector), scope=str(r.scope),
                            definition=str(r.definition), status=r.status, source=str(r.source))
            for r in rows.itertuples()]


#: Data-sheet split units the calibration reads, and how (unit, purposes).
_SHEET_SPLIT_UNITS = {"trips": ("trips", None), "passenger_km": ("pkm", None),
                      "commute_trips": ("trips", "work and education")}


def sheet_splits(sheet: DataSheet | None) -> list[ModalSplit]:
    """Modal splits of a data sheet in the form ``city.yaml`` and calibration read.

    Splits by trips, passenger-km or commute trips are kept with their definition (whose
    trips, purposes, area); a split of persons by main mode is not a split of trips and is
    left out.
    """
    if sheet is None:
        return []
    out = []
    for split in sheet.entries("modal_splits"):
        if split.unit not in _SHEET_SPLIT_UNITS:
            continue
        unit, purposes = _SHEET_SPLIT_UNITS[split.unit]
        population = ("residents" if split.population == "residents" else
                      "all trips in the area" if split.population == "all" else split.population)
        out.append(ModalSplit(
            year=split.year, unit=unit, population=population,
            purposes=purposes or split.purposes, area=split.scope, shares=split.shares,
            source=f"{split.source} (data sheet: {split.definition})"))
    return out


def sheet_car_ownership(sheet: DataSheet | None) -> CarOwnership | None:
    """Return the cars per 1,000 inhabitants of a data sheet (None if not found)."""
    entry = sheet.latest("cars_per_1000") if sheet is not None else None
    if entry is None or not isinstance(entry.value, int | float):
        return None
    return CarOwnership(cars_per_1000=float(entry.value), source=(
        f"{entry.source} ({entry.year}; {entry.scope}; {entry.definition}); the "
        "municipality's figure applied to the urban-centre grid (data sheet)"))


def sheet_centre(sheet: DataSheet | None) -> tuple[float, float, str] | None:
    """Return the centre of a data sheet in EPSG:3035, with a note (None if not found)."""
    entry = sheet.latest("centre") if sheet is not None else None
    if entry is None or not isinstance(entry.value, Centre):
        return None
    transform = pyproj.Transformer.from_crs("EPSG:4326", TARGET_CRS, always_xy=True)
    x, y = transform.transform(entry.value.lon, entry.value.lat)
    return (x, y, f"{entry.value.name} ({entry.definition}; {entry.source}; data sheet)")


def sheet_population_growth(sheet: DataSheet | None) -> PopulationGrowth | None:
    """Return the yearly growth rate of the sheet's latest population projection.

    The rate runs from the projection's own starting figure (``base_value`` in ``base_year``,
    same scope and definition) to its target; without one, from the sheet's latest population
    (whose scope the sheet's author has matched to the projection's).
    """
    if sheet is None:
        return None
    later = sheet.latest("population_projection")
    if later is None or not isinstance(later.value, int | float):
        return None
    if later.base_value is not None and later.base_year is not None:
        start, start_year = float(later.base_value), later.base_year
        start_text = f"{start:,.0f} in {start_year} (the projection's base)"
    else:
        now = sheet.latest("population")
        if now is None or not isinstance(now.value, int | float) or now.value <= 0:
            return None
        start, start_year = float(now.value), now.year
        start_text = f"{start:,.0f} in {start_year} ({now.source})"
    if later.year <= start_year:
        return None
    rate = (float(later.value) / start) ** (1.0 / (later.year - start_year)) - 1.0
    return PopulationGrowth(
        rate_per_year=round(rate, 6), until_year=later.year,
        source=(f"data sheet: {later.value:,.0f} in {later.year} ({later.scope}; {later.source}) "
                f"against {start_text}; the urban centre is assumed to grow like the "
                "projection's area, jobs like residents"))


def eur_per(currency: str) -> tuple[float, str] | None:
    """Units of ``currency`` per EUR (ECB 2024 average, ``country_economics.csv``) and source."""
    if currency == "EUR":
        return 1.0, "EUR"
    rate = eur_exchange_rate(currency)
    if rate is None:
        return None
    return rate.per_eur, f"{rate.per_eur} {rate.unit}, {rate.year} ({rate.source})"


def _eur(entry: object, value: float) -> tuple[float, str] | None:
    """``value`` of a sheet entry in EUR (its unit's first word is the currency), and how."""
    rate = eur_per(str(getattr(entry, "unit", "")).split()[0])
    if rate is None:
        return None
    return value / rate[0], ("" if rate[0] == 1.0 else f"; converted at {rate[1]}")


#: A fare's definition saying that the city's residents ride free (e.g. Tallinn since 2013).
_RESIDENTS_FREE = re.compile(r"residents (travel |ride )?free|free for (all |registered )?"
                             r"residents")


def sheet_fare(sheet: DataSheet) -> CityParameter | None:
    """Return the average fare paid per public transport trip the sheet implies."""
    trips = float(default_parameters()["pt.trips_per_pass"])

    def first(field: str) -> tuple[object, float] | None:
        entry = sheet.latest(field)
        if entry is None:
            return None
        value = min(entry.value) if isinstance(entry.value, list) else entry.value
        return (entry, float(value)) if isinstance(value, int | float) else None

    def cite(entry: object) -> str:
        return (f"{getattr(entry, 'value', '')} {getattr(entry, 'unit', '')} "
                f"({getattr(entry, 'year', '')}; {getattr(entry, 'source', '')})")

    for field in ("fare_single", "fare_monthly_pass"):
        entry = sheet.latest(field)
        text = f"{getattr(entry, 'definition', '')} {getattr(entry, 'scope', '')}".lower()
        if entry is not None and _RESIDENTS_FREE.search(text):
            return CityParameter(value=0.0, source=(
                f"data sheet: residents travel free ({field}: {entry.definition}; "
                f"{entry.source})"))
    revenue = first("fare_revenue_per_trip")
    if revenue is not None and "trip" in str(getattr(revenue[0], "unit", "")):
        eur = _eur(revenue[0], revenue[1])
        if eur is not None:
            return CityParameter(value=round(eur[0], 4), source=(
                f"data sheet: fare revenue per trip {cite(revenue[0])}{eur[1]}"))
    single, monthly = first("fare_single"), first("fare_monthly_pass")
    single_eur = _eur(single[0], single[1]) if single is not None else None
    if monthly is not None:
        months = 12.0 if "year" in str(getattr(monthly[0], "unit", "")) else 1.0
        pass_eur = _eur(monthly[0], monthly[1] / months)
        if pass_eur is not None:
            per_trip = pass_eur[0] / trips
            how = (f"data sheet: the pass {cite(monthly[0])}"
                   f"{' / 12 months' if months == 12 else ''} / {trips:g} trips a month "
                   f"(pt.trips_per_pass, an assumption){pass_eur[1]}")
            if single_eur is not None and single_eur[0] < per_trip:
                per_trip = single_eur[0]
                how += f", capped at the single fare {cite(single[0])}{single_eur[1]}"
            return CityParameter(value=round(per_trip, 4), source=how)
    return None  # a single fare alone is not what travellers pay on average: the default


def sheet_monthly_pass(sheet: DataSheet | None) -> tuple[float, str] | None:
    """Return the monthly public transport pass in EUR (an annual pass over 12), and its source.

    0 where the sheet says residents travel free; None where the sheet gives no pass.
    """
    if sheet is None:
        return None
    entry = sheet.latest("fare_monthly_pass")
    if entry is None:
        return None
    text = f"{getattr(entry, 'definition', '')} {getattr(entry, 'scope', '')}".lower()
    if _RESIDENTS_FREE.search(text):
        return 0.0, f"residents travel free ({entry.definition}; {entry.source})"
    value = min(entry.value) if isinstance(entry.value, list) else entry.value
    if not isinstance(value, int | float):
        return None
    months = 12.0 if "year" in str(getattr(entry, "unit", "")) else 1.0
    eur = _eur(entry, float(value) / months)
    if eur is None:
        return None
    return eur[0], (f"{entry.value} {entry.unit} ({entry.year}; {entry.definition}; "
                    f"{entry.source}){' / 12 months' if months == 12 else ''}{eur[1]}")


def sheet_parameters(sheet: DataSheet | None) -> dict[str, CityParameter]:
    """Model parameters the city's data sheet sets, each with its source.

    - ``parking.max_eur_per_h``: the on-street tariff in the centre (the highest level where
      the sheet lists several zones), in EUR at the ECB's 2024 average rate: the price of the
      densest cells, which the model's density rule scales down elsewhere;
    - ``pt_supply.share_tram`` and ``pt_supply.share_metro``: tram and metro shares of the PT
      vehicle-km, where the sheet gives bus, tram (and metro) vehicle-km of one year in one unit;
    - ``pt.fare``: 0 where the sheet says residents travel free; the average fare paid per trip
      where the sheet gives it (fare revenue per trip, not per boarding), else a regular
      traveller's: the monthly pass over ``pt.trips_per_pass`` trips (an
      annual pass over twelve months), never above the basic single fare (the lowest where the
      sheet lists several), else the single fare; in EUR at the ECB's 2024 average rate.
    """
    out: dict[str, CityParameter] = {}
    if sheet is None:
        return out
    parking = sheet.latest("parking_centre_per_hour")
    if parking is not None:
        price = max(parking.value) if isinstance(parking.value, list) else parking.value
        eur = _eur(parking, float(price)) if isinstance(price, int | float) else None
        if eur is not None and price > 0:
            out["parking.max_eur_per_h"] = CityParameter(
                value=round(eur[0], 4),
                source=(f"data sheet: {price} {parking.unit} ({parking.year}; {parking.scope}; "
                        f"{parking.source}); highest central tariff{eur[1]}"))
    fare = sheet_fare(sheet)
    if fare is not None:
        out["pt.fare"] = fare
    vkm = {e.mode: e for e in sheet.entries("pt_network")
           if getattr(e, "metric", None) == "vehicle_km" and isinstance(e.value, int | float)}
    if "bus" in vkm and "tram" in vkm:
        same = [e for e in vkm.values() if e.mode in ("bus", "tram", "metro")
                and (e.unit, e.year) == (vkm["bus"].unit, vkm["bus"].year)]
        if {"bus", "tram"} <= {e.mode for e in same}:
            total = sum(float(e.value) for e in same)
            where = "; ".join(f"{e.mode} {e.value:,.0f} {e.unit}" for e in same)
            for mode in ("tram", "metro"):
                share = sum(float(e.value) for e in same if e.mode == mode) / total
                out[f"pt_supply.share_{mode}"] = CityParameter(value=round(share, 4), source=(
                    f"data sheet: {mode} share of PT vehicle-km, {vkm['bus'].year} ({where}; "
                    f"{vkm['bus'].source})"))
    return out


def build_catalogue_city(
    slug: str,
    raster_dir: str | os.PathLike[str],
    osm_pbf: str | os.PathLike[str] | None = None,
    gtfs: str | os.PathLike[str] | None = None,
    sheet: DataSheet | Literal["shipped"] | None = "shipped",
) -> City:
    """Build one shipped city from its GHS-POP urban-centre raster and the packaged tables.

    Parameters
    ----------
    slug : str
        A slug of ``mobility_sim/data/cities.csv``.
    raster_dir : path-like
        Folder holding the rasters named in the table (``ghs_pop_2020_1km_urban_centres``).
    osm_pbf, gtfs : path-like, optional
        Extra layers.
    sheet : DataSheet, None or "shipped"
        The city's data sheet (default: the one in the repository's ``cities/<slug>/``). Its
        cars per 1,000, centre and modal splits replace the packaged table's defaults and the
        density centre; without a sheet (or a field) the packaged tables apply.

    Returns
    -------
    City
        The built city.

    Raises
    ------
    CityDataError
        If the slug is unknown or the raster is missing.
    """
    table = catalogue()
    rows = table[table["slug"] == slug]
    if rows.empty:
        raise CityDataError(f"mobility_sim/data/cities.csv: no city {slug!r}; known: "
                            f"{', '.join(table['slug'])}")
    row = rows.iloc[0]
    raster = Path(raster_dir) / row["raster_file"]
    if not raster.is_file():
        raise CityDataError(f"{raster}: raster not found; pass the folder of the GHS-POP urban-"
                            "centre rasters (ghs_pop_2020_1km_urban_centres)")
    notes = [row["notes"]] if row["notes"] else []
    if sheet == "shipped":
        sheet = load_data_sheet(repo_root() / "cities" / slug)
    ownership = sheet_car_ownership(sheet) or CarOwnership(
        cars_per_1000=float(row["cars_per_1000"]), source=row["car_ownership_source"])
    listed = _modal_splits(slug)
    seen = {(m.year, m.unit, m.purposes) for m in listed}
    splits = listed + [m for m in sheet_splits(sheet) if (m.year, m.unit, m.purposes) not in seen]
    city = build_city(
        raster, slug=slug, name=f"{row['name']} (urban centre)", country=row["iso3"],
        grid_intensity_country=row["grid_intensity_iso3"] or None,
        population_source=GHS_POP_SOURCE,
        jobs_total=float(row["jobs_total"]) if row["jobs_total"] else None,
        jobs_source=row["jobs_source"] or None,
        osm_pbf=osm_pbf, gtfs=gtfs,
        car_ownership=ownership,
        observed_modal_split=splits,
        centre=sheet_centre(sheet),
        parameters=sheet_parameters(sheet),
        population_growth=sheet_population_growth(sheet),
        inventory=_inventory(slug),
        area_note=GHS_AREA_NOTE.format(name=row["name"]),
        notes=[f"GHS-UCDB urban centre id {row['ucdb_id']}", *notes],
    )
    published = sheet.latest("population") if sheet is not None else None
    municipal = ((float(published.value), f"{published.source}, {published.year}")
                 if published is not None and isinstance(published.value, int | float) else None)
    surroundings = city_surroundings(slug, float(city.grid["population"].sum()), municipal)
    if surroundings is not None:
        city = City(meta=city.meta.model_copy(update={"surroundings": surroundings}),
                    grid=city.grid, path=None)
    boundary_file = municipal_boundary(slug)
    if boundary_file.is_file():
        boundary, props = read_boundary(boundary_file)
        city.grid["municipality_share"] = municipality_share(city.grid.geometry, boundary)
        city = City(meta=city.meta.model_copy(update={
            "municipality": municipality_meta(props, boundary, boundary_file)}),
            grid=city.grid, path=None)
    return city
