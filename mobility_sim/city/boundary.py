"""The municipality a city's climate plan covers, against the modelled grid.

A Climate City Contract, SECAP or inventory is for a municipality; each shipped grid is a GHS
urban centre, larger than the municipality in some cities (Paris) and smaller in others
(Berlin's outer districts). :func:`municipality_share` gives each cell the share of its area
inside the municipality (``municipality_share`` in ``grid.parquet``), so that results can be
reported for the municipality and for the rest of the grid (its surrounding region), and
:func:`municipality_meta` records which boundary it is, with its source and licence.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ..exceptions import CityDataError
from .model import Municipality
from .resample import TARGET_CRS


def read_boundary(path: str | Path) -> tuple[shapely.Geometry, dict]:
    """Read a one-feature boundary GeoJSON; return the polygon in EPSG:3035 and its properties.

    Raises
    ------
    CityDataError
        If the file does not hold exactly one polygonal feature.
    """
    path = Path(path)
    frame = gpd.read_file(path)
    if len(frame) != 1 or frame.geometry.iloc[0].geom_type not in ("Polygon", "MultiPolygon"):
        raise CityDataError(f"{path}: a municipal boundary is ONE Polygon or MultiPolygon "
                            f"feature; found {len(frame)} feature(s)")
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    props = frame.drop(columns=frame.geometry.name).iloc[0].to_dict()
    return frame.to_crs(TARGET_CRS).geometry.iloc[0], props


def municipality_share(cells: gpd.GeoSeries, boundary: shapely.Geometry) -> np.ndarray:
    """Share of each cell's area inside the boundary, in [0, 1]."""
    areas = shapely.area(cells.values)
    inside = shapely.area(shapely.intersection(cells.values, boundary))
    return np.clip(np.where(areas > 0, inside / areas, 0.0), 0.0, 1.0).round(6)


def municipality_meta(props: dict, boundary: shapely.Geometry, path: Path) -> Municipality:
    """Return the municipality's record for ``city.yaml`` from the boundary file's properties."""
    return Municipality(
        name=str(props.get("name") or path.stem), unit=str(props.get("unit") or ""),
        area_km2=round(float(boundary.area) / 1e6, 2),
        source=str(props.get("source") or "not given"),
        licence=str(props.get("licence") or "not given"),
        attribution=str(props.get("attribution") or ""))
