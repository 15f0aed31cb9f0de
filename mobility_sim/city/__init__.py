"""Cities: a regular grid of cells with population and jobs, plus metadata and zones.

A city lives in a folder ``cities/<slug>/`` holding ``grid.parquet`` (GeoParquet, projected CRS
in metres, one square cell per row) and ``city.yaml`` (name, country, sources, licences, observed
modal split, named zones). :func:`load_city` reads and validates one; :mod:`.synthetic` makes
labelled synthetic cities for tests and benchmarks; :mod:`.build` builds a city from real data.
"""

from .model import GRID_COLUMNS, OPTIONAL_LAYERS, City, load_city, resolve_city_path

__all__ = ["GRID_COLUMNS", "OPTIONAL_LAYERS", "City", "load_city", "resolve_city_path"]
