"""Geometry of measures on the grid: areas (cell centres inside) and lines (distance to cells)."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ..city import City
from ..city.model import invalid_geometry
from ..io.input_errors import did_you_mean
from .base import Area, LineGeometry

_POLYGONS = ("Polygon", "MultiPolygon")
#: Largest GeoJSON file read for an area or a line (an assumption: a detailed city outline is
#: well under 1 MB; the bound stops a wrong file from being read for minutes).
MAX_GEOJSON_BYTES = 20_000_000
_LINES = ("LineString", "MultiLineString")


def _read_geojson(name: str, city: City, base: Path) -> shapely.Geometry:
    """Read a GeoJSON file (relative to ``base``) as one geometry in the city's CRS."""
    file = (base / name).resolve()
    if not file.is_file():
        raise ValueError(f"GeoJSON file {name!r} not found (looked for {file})")
    size = file.stat().st_size
    if size > MAX_GEOJSON_BYTES:
        raise ValueError(f"GeoJSON {file} has {size / 1e6:.1f} MB, more than the "
                         f"{MAX_GEOJSON_BYTES / 1e6:.0f} MB an area or a line may have; simplify "
                         "the outline (e.g. with shapely's simplify) or give a named zone")
    try:
        frame = gpd.read_file(file)
    except Exception as exc:
        raise ValueError(f"cannot read GeoJSON {file} ({type(exc).__name__}: {exc})") from None
    if frame.empty:
        raise ValueError(f"GeoJSON {file} has no features")
    for i, geometry in enumerate(frame.geometry):
        if geometry is not None and not geometry.is_valid:  # the rule WKT areas follow
            raise ValueError(f"GeoJSON {file}: feature {i}: {invalid_geometry(geometry)}")
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    try:
        return frame.to_crs(city.meta.crs).geometry.union_all()
    except Exception as exc:
        raise ValueError(f"cannot reproject GeoJSON {file} to {city.meta.crs} "
                         f"({type(exc).__name__}: {exc})") from None


def _from_wkt(text: str, kinds: tuple[str, ...], example: str, crs: str) -> shapely.Geometry:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            geom = shapely.from_wkt(text)
    except (shapely.errors.GEOSException, ValueError, TypeError) as exc:
        raise ValueError(f"invalid WKT ({exc}); write e.g. {example!r} in {crs} metres") from None
    if geom is None or geom.is_empty:
        raise ValueError(f"the WKT geometry is empty; write e.g. {example!r} in {crs} metres")
    if geom.geom_type not in kinds:
        raise ValueError(f"the WKT is a {geom.geom_type}, expected {' or '.join(kinds)}; "
                         f"write e.g. {example!r}")
    if not geom.is_valid:
        raise ValueError(f"the WKT geometry: {invalid_geometry(geom)}")
    return geom


def area_mask(area: Area, city: City, base: Path) -> np.ndarray:
    """Return a boolean mask of the cells of ``city`` whose centre lies inside ``area``.

    Parameters
    ----------
    area : Area
        A named zone, WKT in the grid's CRS, or a GeoJSON file.
    city : City
        The city.
    base : pathlib.Path
        Folder that a relative GeoJSON path starts from (the scenario file's folder).

    Raises
    ------
    ValueError
        With a message naming the problem and the fix.
    """
    if area.zone is not None:
        zones = list(city.meta.zones)
        if area.zone not in city.meta.zones:
            raise ValueError(f"{city.name} has no zone {area.zone!r}"
                             f"{did_you_mean(area.zone, zones)}; zones of this city: "
                             f"{', '.join(zones) or 'none'} (defined in its city.yaml)")
        return city.zone_mask(area.zone)
    if area.wkt is not None:
        geom = _from_wkt(area.wkt, _POLYGONS, "POLYGON ((x1 y1, x2 y2, x3 y3, x1 y1))",
                         city.meta.crs)
        return city.mask_of(geom)
    assert area.geojson is not None
    geom = _read_geojson(area.geojson, city, base)
    if geom.geom_type not in _POLYGONS and geom.geom_type != "GeometryCollection":
        raise ValueError(f"GeoJSON {area.geojson!r} holds a {geom.geom_type}; an area needs "
                         "polygons")
    return city.mask_of(geom)


def line_wkt(line: LineGeometry, city: City, base: Path) -> str:
    """Return the line as WKT in the city's CRS (reading its GeoJSON file if it has one).

    Raises
    ------
    ValueError
        With a message naming the problem and the fix.
    """
    example = "LINESTRING (x1 y1, x2 y2, x3 y3)"
    if line.main_axis_m is not None:
        return main_axis_line(city, line.main_axis_m / 2.0)
    if line.wkt is not None:
        return _from_wkt(line.wkt, _LINES, example, city.meta.crs).wkt
    assert line.geojson is not None
    geom = _read_geojson(line.geojson, city, base)
    if geom.geom_type not in _LINES:
        raise ValueError(f"GeoJSON {line.geojson!r} holds a {geom.geom_type}; a PT line needs "
                         "LineString features")
    return shapely.to_wkt(geom, rounding_precision=1)


def main_axis_line(city: City, half_length_m: float) -> str:
    """Return a straight line through the city's ``centre`` zone along its population's main axis.

    The axis is the leading eigenvector of the population-weighted covariance of the cell
    centres within ``2 x half_length_m`` of the zone's centroid; coordinates are rounded to 10 m.
    """
    x, y = city.grid["x"].to_numpy(float), city.grid["y"].to_numpy(float)
    pop = city.grid["population"].to_numpy(float)
    if "centre" in city.meta.zones:
        centre = shapely.from_wkt(city.meta.zones["centre"]).centroid
        cx, cy = centre.x, centre.y
    else:
        cx, cy = np.average(x, weights=pop), np.average(y, weights=pop)
    near = np.hypot(x - cx, y - cy) <= 2 * half_length_m
    w = pop[near] if pop[near].sum() > 0 else np.ones(int(near.sum()))
    dx, dy = x[near] - cx, y[near] - cy
    cov = np.cov(np.vstack([dx, dy]), aweights=w) if near.sum() > 2 else np.eye(2)
    values, vectors = np.linalg.eigh(cov)
    ux, uy = vectors[:, int(np.argmax(values))]
    if ux < 0 or (ux == 0 and uy < 0):
        ux, uy = -ux, -uy
    r = lambda v: int(round(v / 10.0) * 10)  # noqa: E731
    a = (r(cx - ux * half_length_m), r(cy - uy * half_length_m))
    b = (r(cx + ux * half_length_m), r(cy + uy * half_length_m))
    return f"LINESTRING ({a[0]} {a[1]}, {b[0]} {b[1]})"


def line_distance(wkt: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return the distance in metres from each point ``(x, y)`` to the line ``wkt``."""
    return shapely.distance(shapely.from_wkt(wkt), shapely.points(x, y))


def mean_distance_to_line(distance: np.ndarray, cell_size: float) -> np.ndarray:
    """Mean perpendicular distance of a cell's residents to a line, metres.

    Residents are spread evenly across the cell and the line runs straight through it at
    ``distance`` from the centre: the mean of ``|u - d|`` for ``u`` uniform on
    ``[-c/2, c/2]`` is ``c/4 + d^2/c`` while the line crosses the cell (``d <= c/2``) and ``d``
    beyond.
    """
    c = float(cell_size)
    return np.where(distance <= c / 2.0, c / 4.0 + distance**2 / c, distance)
