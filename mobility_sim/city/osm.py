"""Cycle infrastructure, road density and public transport stops per cell from an OSM PBF.

Read with pyrosm (an optional dependency: ``pip install pyrosm``). Definitions (OpenStreetMap
wiki: Key:highway, Key:cycleway, Public transport tagging scheme):

- streets: ways with ``highway`` in :data:`STREET_HIGHWAYS` (drivable public streets; service
  roads, tracks and paths are not streets);
- protected cycle infrastructure: ``highway=cycleway``; ``footway``/``path``/``pedestrian`` ways
  with ``bicycle=designated``; streets tagged ``cycleway[:left|:right|:both]=track`` (painted
  lanes do not count; ``separate`` is skipped because the separate way is counted itself);
- ``cycle_infra_share`` = protected length / street length in the cell, capped at 1 (a street
  with a cycle track on each side, mapped as two ways, can exceed 1 before the cap);
- ``road_density_km_per_km2`` = street length / cell area (written only when the extract covers
  every cell, since it is not a model layer and has no default);
- stops: nodes, ways and areas tagged ``highway=bus_stop``,
  ``public_transport=platform|stop_position|station`` or
  ``railway=station|halt|tram_stop|subway_entrance|platform`` (areas and ways at their centroid);
  ``pt_stop_distance_m`` from :func:`.layers.stop_distance`.

Coverage: the extract's extent is the convex hull of its ways and stops. A cell takes OSM values
when at least ``osm.min_coverage`` of its area lies inside; other cells keep the model's density
defaults, and ``city.yaml`` says how many cells are covered.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..exceptions import CityDataError
from .jobs import build_parameter
from .layers import LayerResult, cell_boxes, cell_density, density_default, stop_distance
from .model import DataSource, Layer

#: ``highway`` values counted as streets.
STREET_HIGHWAYS = frozenset({
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
    "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified", "residential",
    "living_street",
})
#: Tag values that mark a public transport stop.
STOP_FILTER: dict[str, list[str]] = {
    "highway": ["bus_stop"],
    "public_transport": ["platform", "stop_position", "station"],
    "railway": ["station", "halt", "tram_stop", "subway_entrance", "platform"],
}
_CYCLEWAY_KEYS = ("cycleway", "cycleway:left", "cycleway:right", "cycleway:both")
_TRACK_VALUES = {"track", "opposite_track"}

OSM_SOURCE_LICENCE = "ODbL 1.0"


def _read(path: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    try:
        import pyrosm
    except ImportError:
        raise CityDataError(f"{path}: reading OSM needs the pyrosm package; install it "
                            "(pip install pyrosm) or build without --osm") from None
    if not path.is_file():
        raise CityDataError(f"{path}: OSM file not found; give an .osm.pbf extract of the city")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            osm = pyrosm.OSM(str(path))
            ways = osm.get_network(network_type="all", extra_attributes=list(_CYCLEWAY_KEYS[1:]))
            stops = osm.get_data_by_custom_criteria(
                custom_filter=STOP_FILTER, filter_type="keep", keep_nodes=True, keep_ways=True,
                keep_relations=False)
    except Exception as exc:  # any reader failure becomes a clear message
        raise CityDataError(f"{path}: cannot read as an OSM PBF ({type(exc).__name__}: {exc}); "
                            "give an .osm.pbf extract (e.g. from Geofabrik or BBBike)") from None
    if ways is None or len(ways) == 0:
        raise CityDataError(f"{path}: the extract holds no highways; give an extract with the "
                            "city's street network")
    ways = ways.to_crs("EPSG:3035")
    stops = (gpd.GeoDataFrame(geometry=[], crs="EPSG:3035") if stops is None or len(stops) == 0
             else stops.to_crs("EPSG:3035"))
    return ways, stops


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype("string").fillna("")
    return pd.Series("", index=frame.index, dtype="string")


def classify_ways(ways: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return boolean masks (street, protected cycle infrastructure) over OSM ways."""
    highway = _column(ways, "highway")
    bicycle = _column(ways, "bicycle")
    street = highway.isin(STREET_HIGHWAYS).to_numpy()
    track = np.zeros(len(ways), dtype=bool)
    for key in _CYCLEWAY_KEYS:
        track |= _column(ways, key).isin(_TRACK_VALUES).to_numpy()
    protected = (
        (highway == "cycleway").to_numpy()
        | (highway.isin(["footway", "path", "pedestrian"]) & (bicycle == "designated")).to_numpy()
        | (street & track)
    )
    return street, protected


def _length_per_cell(lines: gpd.GeoSeries, boxes: np.ndarray) -> np.ndarray:
    """Length of ``lines`` inside each box, metres."""
    out = np.zeros(len(boxes))
    if len(lines) == 0:
        return out
    geoms = lines.to_numpy()
    tree = shapely.STRtree(geoms)
    box_idx, line_idx = tree.query(boxes, predicate="intersects")
    pieces = shapely.intersection(geoms[line_idx], boxes[box_idx])
    np.add.at(out, box_idx, shapely.length(pieces))
    return out


def osm_layers(
    path: str | os.PathLike[str], grid: gpd.GeoDataFrame, cell_size: float
) -> LayerResult:
    """Compute cycle infrastructure, road density and stop distance per cell from an OSM PBF.

    Parameters
    ----------
    path : path-like
        The ``.osm.pbf`` extract.
    grid : GeoDataFrame
        The city grid in EPSG:3035 (columns ``x``, ``y``, ``population``).
    cell_size : float
        Cell side, metres.

    Returns
    -------
    LayerResult
        ``cycle_infra_share``, ``pt_stop_distance_m`` (if the extract has stops) and, when the
        extract covers every cell, ``road_density_km_per_km2``.

    Raises
    ------
    CityDataError
        If the file is unreadable, pyrosm is missing, or the extract covers no cell.
    """
    path = Path(path)
    ways, stops = _read(path)
    stop_points = shapely.centroid(stops.geometry.to_numpy()) if len(stops) else np.array([])
    coords = shapely.get_coordinates(np.concatenate([ways.geometry.to_numpy(), stop_points]))
    extent = shapely.convex_hull(shapely.multipoints(coords))
    boxes = cell_boxes(grid, cell_size)
    covered_share = shapely.area(shapely.intersection(boxes, extent)) / (cell_size * cell_size)
    covered = covered_share >= build_parameter("osm.min_coverage")
    n_cov, n = int(covered.sum()), len(grid)
    if n_cov == 0:
        lon0, lat0, lon1, lat1 = gpd.GeoSeries([extent], crs="EPSG:3035").to_crs(
            "EPSG:4326").total_bounds
        raise CityDataError(
            f"{path}: the OSM extract (lon {lon0:.3f}..{lon1:.3f}, lat {lat0:.3f}..{lat1:.3f}) "
            f"covers none of the grid's {n} cells (a cell needs "
            f"{build_parameter('osm.min_coverage'):.0%} of its area inside); give an extract of "
            "the whole city")
    density = cell_density(grid, cell_size)
    street, protected = classify_ways(ways)
    street_m = _length_per_cell(ways.geometry[street], boxes)
    protected_m = _length_per_cell(ways.geometry[protected], boxes)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(street_m > 0, np.minimum(protected_m / street_m, 1.0),
                         (protected_m > 0).astype(float))
    coverage = (f"from OSM for {n_cov} of {n} cells (those with >= "
                f"{build_parameter('osm.min_coverage'):.0%} of their area inside the extract)")
    if n_cov < n:
        coverage += "; the other cells hold the model's density default"
    result = LayerResult(sources=[DataSource(
        name=f"OpenStreetMap extract {path.name}", licence=OSM_SOURCE_LICENCE,
        citation="© OpenStreetMap contributors", url="https://www.openstreetmap.org/copyright")])
    result.columns["cycle_infra_share"] = np.where(
        covered, share, density_default("cycle_infra_share", density))
    result.covered["cycle_infra_share"] = covered
    result.layers["cycle_infra_share"] = Layer(status="real", method=(
        "protected cycle length (highway=cycleway; footway/path with bicycle=designated; "
        "streets with cycleway*=track) / street length, capped at 1, " + coverage))
    if n_cov == n:
        result.columns["road_density_km_per_km2"] = street_m / 1000.0 / (cell_size ** 2 / 1e6)
        result.layers["road_density_km_per_km2"] = Layer(status="real", method=(
            "length of streets (highway motorway..living_street, no service roads) per km2, "
            "from OSM"))
    if len(stop_points):
        distance = stop_distance(grid, cell_size, stop_points)
        result.columns["pt_stop_distance_m"] = np.where(
            covered, distance, density_default("pt_stop_distance_m", density))
        result.covered["pt_stop_distance_m"] = covered
        result.layers["pt_stop_distance_m"] = Layer(status="real", method=(
            f"mean walk distance (x access.circuity) to the nearest of {len(stop_points)} OSM "
            f"public transport stops, {coverage}"))
    return result
