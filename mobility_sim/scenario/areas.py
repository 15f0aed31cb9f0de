"""Resolve a measure's ``area`` to the grid cells it covers (cell centres inside the area)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ..city import City
from .errors import did_you_mean
from .models import Area


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
        try:
            geom = shapely.from_wkt(area.wkt)
        except shapely.errors.GEOSException as exc:
            raise ValueError(f"invalid WKT ({exc}); write e.g. 'POLYGON ((x1 y1, x2 y2, ...))' "
                             f"in {city.meta.crs} metres") from None
        if not geom.is_valid:
            raise ValueError("the WKT geometry is not valid (self-intersecting?); fix its ring")
        return city.mask_of(geom)
    assert area.geojson is not None
    file = (base / area.geojson).resolve()
    if not file.is_file():
        raise ValueError(f"GeoJSON file {area.geojson!r} not found (looked for {file})")
    try:
        frame = gpd.read_file(file)
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes one message
        raise ValueError(f"cannot read GeoJSON {file} ({type(exc).__name__}: {exc})") from None
    if frame.empty:
        raise ValueError(f"GeoJSON {file} has no features")
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    geom = frame.to_crs(city.meta.crs).geometry.union_all()
    return city.mask_of(geom)
