"""``mobility-sim city ...``: build city folders from real data and inspect them.

A thin layer over :mod:`mobility_sim.city.build`; bad input ends with exit code 2 and one line
per problem.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..cli_errors import fail as _fail
from ..exceptions import CityDataError, MobilitySimError
from ..paths import ghs_rasters_dir

city_app = typer.Typer(help="Build and inspect city grids.", no_args_is_help=True)



def _command_line() -> str:
    args = [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv else ["mobility-sim"]
    return "built with: " + shlex.join(args)


@city_app.command("build")
def build(
    population: Annotated[Path, typer.Argument(
        help="Population raster (GeoTIFF, any CRS) or vector grid (GeoPackage / GeoParquet).")],
    slug: Annotated[str, typer.Option(help="Folder name: lower-case letters, digits, '_'.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-3 code, e.g. FIN.")],
    out: Annotated[Path | None, typer.Option(
        help="Output folder (default: cities/<slug>).")] = None,
    cell_size: Annotated[float, typer.Option(help="Cell side in metres (EPSG:3035 grid).")]
    = 1000.0,
    population_column: Annotated[str, typer.Option(
        help="Column of residents in a vector grid.")] = "population",
    layer: Annotated[str | None, typer.Option(help="Layer of a multi-layer vector file.")]
    = None,
    band: Annotated[int, typer.Option(help="Raster band of the counts.")] = 1,
    bbox: Annotated[str | None, typer.Option(
        help="Cut a city out of a larger raster: west,south,east,north in degrees.")] = None,
    source_name: Annotated[str | None, typer.Option(help="What the population data is.")]
    = None,
    licence: Annotated[str | None, typer.Option(help="Licence of the population data.")]
    = None,
    citation: Annotated[str | None, typer.Option(help="Citation of the population data.")]
    = None,
    url: Annotated[str | None, typer.Option(help="Where the population data is published.")]
    = None,
    grid_intensity_country: Annotated[str | None, typer.Option(
        help="ISO3 code whose electricity grid applies (default: --country).")] = None,
    jobs_total: Annotated[float | None, typer.Option(
        help="Total jobs, a cited employment figure (default: an assumption per resident).")]
    = None,
    jobs_source: Annotated[str | None, typer.Option(help="Citation of --jobs-total.")] = None,
    osm: Annotated[Path | None, typer.Option(
        help="OpenStreetMap PBF: cycle infrastructure, road density, PT stops.")] = None,
    gtfs: Annotated[Path | None, typer.Option(
        help="GTFS feed (zip or folder): PT stops and headways.")] = None,
    cars_per_1000: Annotated[float | None, typer.Option(
        help="City car ownership, cars per 1000 residents (needs --car-ownership-source).")]
    = None,
    car_ownership_source: Annotated[str | None, typer.Option(
        help="Citation of --cars-per-1000.")] = None,
    area_note: Annotated[str, typer.Option(help="What the grid covers, in words.")] = "",
) -> None:
    """Build a city folder (grid.parquet + city.yaml) from a population raster or vector grid."""
    from .build import (
        build_city,
        sheet_car_ownership,
        sheet_centre,
        sheet_parameters,
        sheet_population_growth,
        sheet_splits,
        write_city,
    )
    from .data_sheet import load_data_sheet
    from .model import CarOwnership, DataSource

    try:
        problems = []
        if (cars_per_1000 is None) != (car_ownership_source is None):
            problems.append("--cars-per-1000 and --car-ownership-source go together: give both "
                            "or neither (without them the model uses the EU average)")
        if jobs_total is not None and not jobs_source:
            problems.append("--jobs-total needs --jobs-source: cite where the figure comes from")
        box = None
        if bbox is not None:
            try:
                box = tuple(float(v) for v in bbox.split(","))
            except ValueError:
                box = ()
            if len(box) != 4:
                problems.append(f"--bbox {bbox!r}: give four numbers west,south,east,north, "
                                "e.g. 24.8,60.1,25.2,60.3")
        if problems:
            raise MobilitySimError(problems)
        source = None
        if source_name or licence or citation:
            source = DataSource(name=source_name or population.name,
                                licence=licence or "not given",
                                citation=citation or "not given", url=url)
        folder = out or Path("cities") / slug
        sheet = load_data_sheet(folder)  # a sheet filled in since the last build is read
        cars = sheet_car_ownership(sheet)
        if cars_per_1000 is not None and car_ownership_source:
            cars = CarOwnership(cars_per_1000=cars_per_1000, source=car_ownership_source)
        city = build_city(
            population, slug=slug, name=name, country=country.upper(), cell_size=cell_size,
            population_column=population_column, vector_layer=layer, band=band, bbox=box,
            population_source=source, grid_intensity_country=grid_intensity_country,
            jobs_total=jobs_total, jobs_source=jobs_source, osm_pbf=osm, gtfs=gtfs,
            car_ownership=cars, observed_modal_split=sheet_splits(sheet),
            centre=sheet_centre(sheet), parameters=sheet_parameters(sheet),
            population_growth=sheet_population_growth(sheet),
            area_note=area_note, notes=[_command_line()],
        )
        folder = write_city(city, folder)
    except MobilitySimError as exc:
        _fail(exc)
    typer.echo(f"{folder}: {city.n_cells} cells, population {city.population:,.0f}")


@city_app.command("build-shipped")
def build_shipped(
    slugs: Annotated[list[str] | None, typer.Argument(
        help="Slugs of mobility_sim/data/cities.csv (default: all).")] = None,
    raster_dir: Annotated[Path | None, typer.Option(
        help="Folder of the GHS-POP urban-centre rasters (default: the repository's "
             "source_data/ghs_pop_2020_1km_urban_centres).")] = None,
    out_root: Annotated[Path, typer.Option(help="Folder holding the city folders.")]
    = Path("cities"),
) -> None:
    """Build the shipped cities from GHS-POP rasters and the packaged city table."""
    from .build import build_catalogue_city, catalogue, write_city

    chosen = slugs or list(catalogue()["slug"])
    if raster_dir is None:
        try:
            raster_dir = ghs_rasters_dir()
        except FileNotFoundError as exc:
            _fail(CityDataError(f"{exc}; or give the rasters' folder with --raster-dir"))
    try:
        for slug in chosen:
            header = (f"Built by: mobility-sim city build-shipped {slug}\nfrom the GHS-POP 2020 "
                      "urban-centre raster and mobility_sim/data/cities.csv (see cities/README.md)")
            city = build_catalogue_city(slug, raster_dir)
            folder = write_city(city, out_root / slug, header=header)
            typer.echo(f"{folder}: {city.n_cells} cells, population {city.population:,.0f}")
    except MobilitySimError as exc:
        _fail(exc)


@city_app.command("info")
def info(
    city: Annotated[str, typer.Argument(help="City slug or folder.")],
) -> None:
    """Validate a city folder and print what it holds and where each layer comes from."""
    from .data_sheet import load_data_sheet
    from .model import load_city
    from .quality import data_quality

    try:
        loaded = load_city(city)
    except MobilitySimError as exc:
        _fail(exc)
    meta = loaded.meta
    typer.echo(f"{meta.name} ({meta.slug}, {meta.country}){' SYNTHETIC' if meta.synthetic else ''}")
    typer.echo(f"  {loaded.n_cells} cells of {meta.cell_size_m:g} m, {meta.crs}, "
               f"population {loaded.population:,.0f}, jobs {loaded.grid['jobs'].sum():,.0f}")
    if meta.area_note:
        typer.echo(f"  area: {meta.area_note}")
    for name, layer in meta.layers.items():
        typer.echo(f"  {name}: {layer.status}")
    for source in meta.sources:
        typer.echo(f"  source: {source.name} ({source.licence})")
    try:
        sheet = load_data_sheet(loaded.path) if loaded.path is not None else None
    except MobilitySimError as exc:
        _fail(exc)
    typer.echo(f"  data quality: {data_quality(meta.layers, sheet).text}")
    if sheet is None:
        typer.echo("  data sheet: none (data_sheet.yaml; see cities/DATA_SHEETS.md)")
        return
    rows = sheet.coverage()
    typer.echo(f"  data sheet: {sheet.n_sourced} of {len(rows)} fields sourced "
               f"({sum(r[1] == 'derived' for r in rows)} derived, "
               f"{sum(r[1] == 'outdated' for r in rows)} outdated)")
    for name, status, detail in rows:
        typer.echo(f"    {name}: {status}" + (f" ({detail})" if detail else ""))
