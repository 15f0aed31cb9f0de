"""The :class:`City` container, its metadata schema and the validating loader."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..data import parameters as default_parameters
from ..exceptions import CityDataError
from ..io.input_errors import format_validation_error
from ..io.yamlio import read_yaml

#: Physical bounds of city data (each an assumption, chosen well outside real values so that only
#: errors of units or typing are refused): the side of a grid cell, m;
MIN_CELL_SIZE_M, MAX_CELL_SIZE_M = 10.0, 10_000.0
#: residents per km2 (an assumption, well above the densest urban neighbourhoods);
MAX_RESIDENTS_PER_KM2 = 250_000.0
#: jobs per km2 (an assumption, well above the densest business districts);
MAX_JOBS_PER_KM2 = 1_000_000.0
#: cars per resident in a cell, and cars per 1,000 residents for a city (an assumption: the
#: EU average is 569 per 1,000 and Luxembourg's 694, ACEA);
MAX_CARS_PER_RESIDENT = 3.0
MAX_CARS_PER_1000 = 1_500.0
#: how far published shares may add up beyond 1 (rounding in the source).
SHARE_SUM_TOLERANCE = 0.02

#: Columns every grid must have.
GRID_COLUMNS: tuple[str, ...] = ("cell_id", "x", "y", "population", "jobs", "geometry")
#: Optional per-cell layers; when a column is absent the model uses documented defaults that
#: scale with density (see ``mobility_sim/data/parameters.csv``).
OPTIONAL_LAYERS: dict[str, str] = {
    "car_ownership": "cars per resident",
    "pt_stop_distance_m": "walk distance to the nearest public transport stop, m",
    "pt_headway_min": "headway of the best public transport service, minutes",
    "cycle_infra_share": "share of streets with protected cycle infrastructure, 0-1",
    "parking_eur_per_hour": "on-street parking price, EUR/h",
}


class _Strict(BaseModel):
    # NaN and infinity are never a value of a city (pydantic accepts them as floats otherwise).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class DataSource(_Strict):
    """Where a layer comes from and under which licence."""

    name: str = Field(description="What the data is.")
    licence: str = Field(description="Licence of the data, e.g. 'CC BY 4.0'.")
    citation: str = Field(description="How to cite it.")
    url: str | None = Field(default=None, description="Where it is published.")


class Layer(_Strict):
    """Provenance of one grid layer."""

    status: Literal["real", "proxy", "default"] = Field(
        description="'real' (observed data), 'proxy' (derived by a documented method) or "
        "'default' (model default that scales with density)."
    )
    method: str = Field(description="How the layer was made, or which data it is.")


class ModalSplit(_Strict):
    """An observed modal split with its definition: shares are never compared out of context."""

    year: int
    unit: Literal["trips", "pkm"] = Field(description="Share of trips or of passenger-km.")
    population: str = Field(description="Whose travel: e.g. 'residents', 'all trips in the area'.")
    purposes: str = Field(description="Which purposes: 'all' or e.g. 'work and education'.")
    area: str = Field(description="The area the survey covers (may differ from the grid).")
    shares: dict[Literal["walk", "bike", "pt", "car", "other"],
                 Annotated[float, Field(ge=0, le=1)] | None] = Field(
        description="Published shares in [0, 1]; null where not published."
    )
    source: str

    @model_validator(mode="after")
    def _shares_add_up(self) -> ModalSplit:
        total = sum(v for v in self.shares.values() if v is not None)
        if total > 1 + SHARE_SUM_TOLERANCE:
            raise ValueError(f"the shares add up to {total:.3f}, more than 1: give shares of "
                             "all trips in [0, 1] (e.g. 0.25 for 25 %)")
        return self


class InventoryFigure(_Strict):
    """A published greenhouse-gas inventory figure of the city's transport, with its scope.

    Figures of one ``series`` (same inventory, scope and method) are compared with each other
    only: a target's base year is anchored by the ratio of two figures of the same series
    (``docs/reference_case.md``).
    """

    year: int = Field(ge=1950, le=2100)
    value_t: float = Field(gt=0, description="Emissions, tonnes (CO2e or CO2, see definition).")
    sector: str = Field(description="What is counted, e.g. 'road transport', 'transport'.")
    scope: str = Field(description="Whose emissions: e.g. 'City of Oslo, territorial'.")
    definition: str = Field(default="", description="Gases, method, what is in and out.")
    series: str = Field(default="", description="Name of the series the figure belongs to.")
    status: Literal["published", "derived"] = "published"
    source: str


class Municipality(_Strict):
    """The municipality whose climate plan the results are also reported for.

    Its boundary is in the grid as ``municipality_share`` (each cell's share of area inside).
    """

    name: str
    unit: str = Field(description="Which administrative unit, with its official code.")
    area_km2: float = Field(gt=0)
    source: str
    licence: str
    attribution: str = ""


class PopulationGrowth(_Strict):
    """The city's published population projection as a yearly growth rate.

    The model grows the grid's residents and jobs at ``rate_per_year`` from the first
    simulated year to ``until_year`` (the projection's year) and holds them after.
    """

    rate_per_year: float = Field(ge=-0.05, le=0.05)
    until_year: int = Field(ge=2000, le=2100)
    source: str = Field(min_length=5)


class Surroundings(_Strict):
    """The functional urban area around the grid and the trips across its edge, as published.

    Each value missing here takes the model's default (``external.*`` in
    ``mobility_sim/data/parameters.csv``, an assumption the run states).
    """

    outside_population: float | None = Field(
        default=None, ge=0, description="Residents of the functional urban area outside the "
        "grid (FUA population minus the grid's).")
    outside_area_km2: float | None = Field(
        default=None, gt=0, description="Area of the functional urban area outside the grid.")
    entering_share: float | None = Field(
        default=None, ge=0, le=1, description="Share of the outside residents' commute trips "
        "that enter the city (in-commuters over the employed residents outside the city).")
    out_commute_share: float | None = Field(
        default=None, ge=0, le=1, description="Share of the city's employed residents who "
        "work outside it (out-commuters over employed residents).")
    source: str = Field(min_length=5, description="Where each value comes from, and how.")


class CityParameter(_Strict):
    """A model parameter set by a published figure of the city (with where it comes from)."""

    value: float
    source: str = Field(min_length=5)


class CarOwnership(_Strict):
    """City-level car ownership."""

    cars_per_1000: float = Field(gt=0, le=MAX_CARS_PER_1000)
    source: str


class CityMeta(_Strict):
    """The contents of ``city.yaml``."""

    slug: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    country: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3 code.")
    grid_intensity_country: str | None = Field(
        default=None, pattern=r"^[A-Z]{3}$",
        description="Country whose grid carbon intensity applies (defaults to 'country').",
    )
    crs: str = Field(description="Projected CRS of the grid, e.g. 'EPSG:3035'.")
    cell_size_m: float = Field(ge=MIN_CELL_SIZE_M, le=MAX_CELL_SIZE_M,
                               description="Side of a grid cell, m.")
    synthetic: bool = Field(default=False, description="True for generated test cities.")
    area_note: str = Field(default="", description="What the grid covers, in words.")
    sources: list[DataSource] = Field(default_factory=list)
    layers: dict[str, Layer] = Field(default_factory=dict)
    car_ownership: CarOwnership | None = None
    observed_modal_split: list[ModalSplit] = Field(default_factory=list)
    inventory: list[InventoryFigure] = Field(
        default_factory=list,
        description="Published transport GHG inventory figures of the city (target base years).")
    population_growth: PopulationGrowth | None = Field(
        default=None, description="Growth of residents and jobs from a published projection.")
    municipality: Municipality | None = Field(
        default=None, description="The municipality the results are also reported for.")
    surroundings: Surroundings | None = Field(
        default=None, description="The functional urban area around the grid and the trips "
        "across its edge (external zones).")
    parameters: dict[str, CityParameter] = Field(
        default_factory=dict,
        description="Model parameters the city's published figures set (key as in "
                    "mobility_sim/data/parameters.csv), each with its source.")
    zones: dict[str, str] = Field(
        default_factory=dict, description="Named zones as WKT polygons in the grid's CRS."
    )
    notes: list[str] = Field(default_factory=list)

    @field_validator("crs")
    @classmethod
    def _projected_crs(cls, value: str) -> str:
        try:
            crs = pyproj.CRS.from_user_input(value)
        except pyproj.exceptions.CRSError:
            raise ValueError(f"{value!r} is not a coordinate reference system; give an EPSG "
                             "code such as 'EPSG:3035'") from None
        if not crs.is_projected:
            raise ValueError(f"{value!r} is not a projected CRS in metres; use 'EPSG:3035' "
                             "for Europe") from None
        return value

    @field_validator("parameters")
    @classmethod
    def _known_parameters(cls, value: dict[str, CityParameter]) -> dict[str, CityParameter]:
        known = default_parameters()
        unknown = sorted(k for k in value if k not in known)
        if unknown:
            raise ValueError(f"unknown parameter(s) {', '.join(unknown)}; keys are those of "
                             "mobility_sim/data/parameters.csv (e.g. parking.max_eur_per_h)")
        return value


@dataclass(frozen=True)
class City:
    """A gridded city.

    Attributes
    ----------
    meta : CityMeta
        Metadata from ``city.yaml``.
    grid : geopandas.GeoDataFrame
        One row per cell, ordered by ``cell_id``; columns :data:`GRID_COLUMNS` and any of
        :data:`OPTIONAL_LAYERS`.
    path : pathlib.Path or None
        The city folder, if loaded from disk.
    """

    meta: CityMeta
    grid: gpd.GeoDataFrame
    path: Path | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def slug(self) -> str:
        """Short identifier of the city (folder name)."""
        return self.meta.slug

    @property
    def name(self) -> str:
        """Display name."""
        return self.meta.name

    @property
    def n_cells(self) -> int:
        """Number of grid cells."""
        return len(self.grid)

    @property
    def population(self) -> float:
        """Total residents."""
        return float(self.grid["population"].sum())

    def __repr__(self) -> str:
        kind = ", synthetic" if self.meta.synthetic else ""
        return (f"<City {self.slug}: {self.name} ({self.meta.country}{kind}), {self.n_cells} "
                f"cells of {self.meta.cell_size_m:g} m, population {self.population:,.0f}>")

    def _repr_html_(self) -> str:
        """Show the city in a notebook: size, area, and where each input comes from."""
        meta = self.meta
        esc = html.escape
        facts = [
            ("City", f"{meta.name} ({meta.slug}, {meta.country})"),
            ("Grid", f"{self.n_cells:,} cells of {meta.cell_size_m:g} m ({meta.crs})"),
            ("Residents", f"{self.population:,.0f}"),
            ("Jobs", f"{float(self.grid['jobs'].sum()):,.0f}"),
        ]
        if meta.car_ownership is not None:
            facts.append(("Cars per 1,000", f"{meta.car_ownership.cars_per_1000:g} "
                                            f"({meta.car_ownership.source})"))
        facts.append(("Published modal splits", str(len(meta.observed_modal_split))))
        facts.append(("Data sheet", self._data_sheet_summary()))
        if meta.area_note:
            facts.append(("Area", meta.area_note))
        rows = "".join(f"<tr><th style='text-align:left'>{esc(k)}</th>"
                       f"<td style='text-align:left'>{esc(v)}</td></tr>" for k, v in facts)
        layers = "".join(f"<li>{esc(name)}: <b>{esc(layer.status)}</b></li>"
                         for name, layer in meta.layers.items())
        observed = sum(layer.status == "real" for layer in meta.layers.values())
        banner = ("<p style='color:#a00'><b>Synthetic city</b>: generated for tests and "
                  "demonstrations, not a real place.</p>" if meta.synthetic else "")
        sources = "".join(f"<li>{esc(src.name)} ({esc(src.licence)})</li>" for src in meta.sources)
        return (f"<div class='mobility-sim-city'>{banner}<table>{rows}</table>"
                f"<p style='margin:0.3em 0'><b>Data quality:</b> {observed} of "
                f"{len(meta.layers)} grid layers observed (the others are proxies or "
                f"density-scaled model defaults)</p><ul style='margin:0'>{layers}</ul>"
                + (f"<p style='margin:0.3em 0'><b>Sources</b></p><ul style='margin:0'>{sources}"
                   "</ul>" if sources else "") + "</div>")

    def _data_sheet_summary(self) -> str:
        from .data_sheet import load_data_sheet

        try:
            sheet = load_data_sheet(self.path) if self.path is not None else None
        except CityDataError as exc:
            return f"unreadable ({exc.problems[0]})"
        if sheet is None:
            return "none (see cities/DATA_SHEETS.md)"
        return f"{sheet.n_sourced} of {len(sheet.fields)} fields sourced (data_sheet.yaml)"

    def zone_mask(self, name: str) -> np.ndarray:
        """Return a boolean mask of the cells whose centre lies in the named zone.

        Raises
        ------
        KeyError
            If the city has no zone of that name.
        """
        if name not in self.meta.zones:
            known = ", ".join(sorted(self.meta.zones)) or "none"
            raise KeyError(f"city {self.slug!r} has no zone {name!r}; its zones: {known}")
        return self.mask_of(shapely.from_wkt(self.meta.zones[name]))

    def mask_of(self, geometry: shapely.Geometry) -> np.ndarray:
        """Return a boolean mask of the cells whose centre lies in ``geometry`` (grid CRS)."""
        points = shapely.points(self.grid["x"].to_numpy(), self.grid["y"].to_numpy())
        return shapely.covers(geometry, points)


def validate_grid(grid: gpd.GeoDataFrame, where: str) -> list[str]:
    """Return every problem of a grid table, each naming ``where`` and the fix."""
    problems: list[str] = []
    missing = [c for c in GRID_COLUMNS if c not in grid.columns]
    if missing:
        return [f"{where}: missing columns {missing}; a grid needs {list(GRID_COLUMNS)}"]
    if grid.crs is None:
        problems.append(f"{where}: no CRS; write the GeoParquet with a projected CRS (EPSG:3035)")
    elif not grid.crs.is_projected:
        problems.append(f"{where}: CRS {grid.crs.to_string()} is not projected in metres; "
                        "reproject to EPSG:3035")
    if len(grid) == 0:
        problems.append(f"{where}: the grid has no cells")
    if grid["cell_id"].duplicated().any():
        dup = grid.loc[grid["cell_id"].duplicated(), "cell_id"].head(5).tolist()
        problems.append(f"{where}: cell_id not unique (e.g. {dup}); give each cell its own id")
    numeric = ["x", "y", "population", "jobs", *[c for c in OPTIONAL_LAYERS if c in grid.columns]]
    for col in numeric:
        values = pd.to_numeric(grid[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        if bad.any():
            problems.append(f"{where}: column {col!r} has {int(bad.sum())} missing or non-numeric "
                            f"values (first cell_id {grid['cell_id'].iloc[int(np.argmax(bad))]}); "
                            "fill them (0 for empty cells)")
        elif col not in ("x", "y") and (values < 0).any():
            problems.append(f"{where}: column {col!r} has {int((values < 0).sum())} negative "
                            "values; counts and prices must be >= 0")
    for col in ("cycle_infra_share", "municipality_share"):
        if col in grid.columns and not grid[col].between(0, 1).all():
            problems.append(f"{where}: column {col!r} must lie in [0, 1]")
    geoms = grid.geometry
    if geoms.isna().any() or (~geoms.is_valid).any():
        problems.append(f"{where}: {int((geoms.isna() | ~geoms.is_valid).sum())} invalid or "
                        "empty cell geometries; rebuild the grid")
    return problems


def polygon_problem(geometry: shapely.Geometry) -> str | None:
    """Return why ``geometry`` is not a valid area (polygon), or None when it is one."""
    if geometry is None or geometry.is_empty:
        return "empty geometry; give a polygon"
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        return f"a {geometry.geom_type}, not a polygon; give the area as a polygon"
    if not geometry.is_valid:
        return invalid_geometry(geometry)
    return None


def invalid_geometry(geometry: shapely.Geometry) -> str:
    """Say why a geometry is invalid and how to fix it (one rule for zones, WKT and GeoJSON)."""
    return (f"invalid geometry ({shapely.is_valid_reason(geometry)}); fix the outline (e.g. a "
            "ring that crosses itself) or repair it with shapely.make_valid")


def plausibility_problems(meta: CityMeta, grid: gpd.GeoDataFrame, grid_file: str,
                          at: Any) -> list[str]:
    """Return every physically implausible value of a city, each naming the place and the fix.

    Checks that the CRS of ``city.yaml`` is the grid file's and that the grid lies in that CRS's
    area of use, that the x/y columns are the cell centres, that no two cells share a centre,
    and that residents, jobs and cars per cell are within the physical bounds of this module
    (:data:`MAX_RESIDENTS_PER_KM2` and the others). ``at(*loc)`` gives ``file:line`` of a key
    of ``city.yaml``.
    """
    problems: list[str] = []
    declared = pyproj.CRS.from_user_input(meta.crs)
    if grid.crs is not None and not declared.equals(grid.crs, ignore_axis_order=True):
        problems.append(f"{at('crs')}: crs: says {meta.crs}, but {grid_file} is in "
                        f"{grid.crs.to_string()}; make them agree (reproject the grid or "
                        "correct city.yaml)")
    x = grid["x"].to_numpy(dtype=float)
    y = grid["y"].to_numpy(dtype=float)
    use = declared.area_of_use
    if use is not None and len(grid):
        to_lonlat = pyproj.Transformer.from_crs(declared, "EPSG:4326", always_xy=True)
        lon, lat = to_lonlat.transform(x, y)
        outside = ~((lon >= use.west - 1) & (lon <= use.east + 1)
                    & (lat >= use.south - 1) & (lat <= use.north + 1))
        if outside.any():
            first = grid["cell_id"].iloc[int(np.argmax(outside))]
            problems.append(f"{grid_file}: {int(outside.sum())} cell centres (first cell_id "
                            f"{first}) lie outside the area where {meta.crs} is defined "
                            f"({use.name}); are the coordinates in another CRS?")
    centres = grid.geometry.centroid
    off = np.hypot(centres.x.to_numpy() - x, centres.y.to_numpy() - y)
    if (off > 0.05 * meta.cell_size_m).any():
        first = grid["cell_id"].iloc[int(np.argmax(off))]
        problems.append(f"{grid_file}: x/y are not the centres of the cell geometries (cell_id "
                        f"{first} is {off.max():,.0f} m away); rebuild the grid")
    dup = pd.Series(list(zip(x, y, strict=True))).duplicated()
    if dup.any():
        first = grid["cell_id"].iloc[int(np.argmax(dup.to_numpy()))]
        problems.append(f"{grid_file}: {int(dup.sum())} cells repeat the centre of another "
                        f"(first cell_id {first}); each place must be counted once")
    km2 = meta.cell_size_m ** 2 / 1e6
    for column, bound, what in (("population", MAX_RESIDENTS_PER_KM2, "residents"),
                                ("jobs", MAX_JOBS_PER_KM2, "jobs")):
        per_km2 = grid[column].to_numpy(dtype=float) / km2
        if (per_km2 > bound).any():
            first = grid["cell_id"].iloc[int(np.argmax(per_km2))]
            problems.append(f"{grid_file}: {column}: {per_km2.max():.3g} {what} per km2 in "
                            f"cell_id {first}, above the physical bound of {bound:,.0f}; "
                            "check the units (persons per cell) and the cell size")
    if float(grid["population"].sum()) <= 0:
        problems.append(f"{grid_file}: population: no residents in any cell")
    if float(grid["jobs"].sum()) <= 0:
        problems.append(f"{grid_file}: jobs: every cell has 0 jobs, so commute trips have no "
                        "destination; give jobs (or rebuild with the jobs proxy)")
    if "car_ownership" in grid.columns:
        cars = grid["car_ownership"].to_numpy(dtype=float)
        if (cars > MAX_CARS_PER_RESIDENT).any():
            first = grid["cell_id"].iloc[int(np.argmax(cars))]
            problems.append(f"{grid_file}: car_ownership: {cars.max():.3g} cars per resident "
                            f"in cell_id {first}, above {MAX_CARS_PER_RESIDENT:g}; the column "
                            "is cars per resident (0.45 for 450 per 1,000)")
    return problems


def resolve_city_path(ref: str | os.PathLike[str], base: Path | None = None) -> Path:
    """Find a city folder from a slug or a path.

    Search order: ``ref`` as a path (relative to ``base`` and to the working directory); then
    ``$MOBILITY_SIM_CITIES/<slug>``; ``cities/<slug>`` in ``base`` and each of its parents;
    ``./cities/<slug>``; the ``cities/`` folder of the source checkout.

    Raises
    ------
    CityDataError
        If no folder with a ``city.yaml`` is found; the message lists the places searched.
    """
    ref_path = Path(ref)
    candidates: list[Path] = []
    if base is not None:
        candidates.append(base / ref_path)
    candidates.append(ref_path)
    slug = ref_path.name
    if os.environ.get("MOBILITY_SIM_CITIES"):
        candidates.append(Path(os.environ["MOBILITY_SIM_CITIES"]) / slug)
    if base is not None:
        candidates += [parent / "cities" / slug for parent in [base, *base.resolve().parents]]
    candidates.append(Path.cwd() / "cities" / slug)
    candidates.append(Path(__file__).resolve().parents[2] / "cities" / slug)
    for cand in candidates:
        if (cand / "city.yaml").is_file():
            return cand
    searched = "\n  ".join(dict.fromkeys(str(c) for c in candidates))
    raise CityDataError(
        f"city {str(ref)!r} not found: no city.yaml in any of\n  {searched}\n"
        "Give a path to a city folder, set MOBILITY_SIM_CITIES, or build the city with "
        "'mobility-sim city build'."
    )


def load_city(ref: str | os.PathLike[str], base: Path | None = None) -> City:
    """Load and validate a city folder.

    Parameters
    ----------
    ref : str or path
        A slug (``"helsinki"``) or a path to a folder with ``city.yaml`` and ``grid.parquet``.
    base : pathlib.Path, optional
        Folder that relative references start from (e.g. the scenario file's folder).

    Returns
    -------
    City
        The validated city.

    Raises
    ------
    CityDataError
        Listing every problem in ``city.yaml`` and ``grid.parquet``.
    """
    folder = resolve_city_path(ref, base)
    meta_file = folder / "city.yaml"
    raw = read_yaml(meta_file, error=CityDataError)
    problems: list[str] = []
    try:
        meta = CityMeta.model_validate(raw.data)
    except ValidationError as exc:
        raise CityDataError(format_validation_error(exc, raw, meta_file)) from None
    grid_file = folder / "grid.parquet"
    try:
        grid = gpd.read_parquet(grid_file)
    except Exception as exc:  # any reader failure becomes a clear message
        raise CityDataError(
            f"{grid_file}: cannot read the grid as GeoParquet ({type(exc).__name__}: {exc}); "
            "rebuild it with 'mobility-sim city build'"
        ) from None
    problems += validate_grid(grid, str(grid_file))
    if not problems:
        problems += plausibility_problems(meta, grid, str(grid_file),
                                          lambda *loc: f"{meta_file}:{raw.line_of(loc)}")
    for zone, wkt in meta.zones.items():
        where = f"{meta_file}:{raw.line_of(['zones', zone])}: zones.{zone}"
        try:
            geometry = shapely.from_wkt(wkt)
        except shapely.errors.GEOSException as exc:
            problems.append(f"{where}: invalid WKT ({exc})")
            continue
        problem = polygon_problem(geometry)
        if problem:
            problems.append(f"{where}: {problem}")
    if problems:
        raise CityDataError(problems)
    grid = grid.sort_values("cell_id").reset_index(drop=True)
    return City(meta=meta, grid=grid, path=folder)
