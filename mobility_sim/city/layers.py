"""Per-cell layers: OSM and GTFS results, stop access, density defaults, the city's grid country.

Cells that a data source does not cover keep the model's density-scaled defaults
(:func:`density_default`, the formula :func:`mobility_sim.model.inputs.cell_layers` uses too:
``lo + (hi - lo) * exp(-density / scale)`` for stop distance and headway;
``max * (1 - exp(-density / scale))`` for cycle infrastructure, with the keys of
``mobility_sim/data/parameters.csv``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely

from ..data import parameters
from ..data.typed_parameters import ModelParameters
from .jobs import build_parameter
from .model import City, DataSource, Layer
from .synthetic import square_cells


@dataclass
class LayerResult:
    """Columns to add to a grid, with their provenance and sources."""

    columns: dict[str, np.ndarray] = field(default_factory=dict)
    layers: dict[str, Layer] = field(default_factory=dict)
    sources: list[DataSource] = field(default_factory=list)
    #: Per column, the cells that hold data (the rest hold density defaults).
    covered: dict[str, np.ndarray] = field(default_factory=dict)


def cell_density(grid: gpd.GeoDataFrame, cell_size: float) -> np.ndarray:
    """Return residents per km2 of each cell."""
    return grid["population"].to_numpy(float) / (cell_size * cell_size / 1e6)


def density_default(layer: str, density: np.ndarray,
                    p: Mapping[str, float] | None = None) -> np.ndarray:
    """Return the density-scaled default of a layer: the one formula the model and builder use.

    Parameters
    ----------
    layer : {"pt_stop_distance_m", "pt_headway_min", "cycle_infra_share"}
        The layer.
    density : ndarray
        Residents per km2.
    p : mapping, optional
        Parameter values (default: the packaged defaults of ``parameters.csv``).

    Returns
    -------
    ndarray
        Default values per cell.
    """
    mp = ModelParameters.of(parameters() if p is None else p)
    if layer == "pt_stop_distance_m":
        lo, hi, scale = mp.pt.access_min_m, mp.pt.access_max_m, mp.pt.access_density_scale
    elif layer == "pt_headway_min":
        lo, hi, scale = mp.pt.headway_min, mp.pt.headway_max, mp.pt.headway_density_scale
    elif layer == "cycle_infra_share":
        scale = mp.bike.infra_density_scale
        return mp.bike.infra_default_max * (1.0 - np.exp(-density / scale))
    else:
        raise KeyError(f"no density default for layer {layer!r}")
    return lo + (hi - lo) * np.exp(-density / scale)


def grid_country(city: City) -> str:
    """Return the ISO3 code of the electricity grid the city's vehicles charge from."""
    return city.meta.grid_intensity_country or city.meta.country


def residents_per_km2(city: City) -> np.ndarray:
    """Return residents per km2 of each cell of a city (the density the defaults scale with)."""
    area_km2 = (city.meta.cell_size_m / 1000.0) ** 2
    return city.grid["population"].to_numpy(float) / area_km2


def stop_distance_layer(city: City, p: Mapping[str, float] | None = None) -> np.ndarray:
    """Return the walk distance to the nearest stop: the grid's layer, else its density default."""
    if "pt_stop_distance_m" in city.grid.columns:
        return city.grid["pt_stop_distance_m"].to_numpy(float)
    return density_default("pt_stop_distance_m", residents_per_km2(city), p)


def cell_boxes(grid: gpd.GeoDataFrame, cell_size: float) -> np.ndarray:
    """Return the square polygon of each cell (from its centre)."""
    return square_cells(grid["x"].to_numpy(float), grid["y"].to_numpy(float), cell_size)


def stop_distance(
    grid: gpd.GeoDataFrame, cell_size: float, stops: np.ndarray
) -> np.ndarray:
    """Return the mean walk distance from each cell to its nearest stop, metres.

    The distance is averaged over ``access.samples_per_side`` squared points spread evenly over
    the cell (so a stop inside a large cell still leaves a walk), and multiplied by
    ``access.circuity`` (both in ``mobility_sim/data/city_build_parameters.csv``).

    Parameters
    ----------
    grid : GeoDataFrame
        Cells with centre columns ``x`` and ``y`` (same CRS as ``stops``).
    cell_size : float
        Cell side, metres.
    stops : ndarray of shapely Points
        Stop locations.

    Returns
    -------
    ndarray
        Walk distance per cell.
    """
    k = int(build_parameter("access.samples_per_side"))
    offsets = ((np.arange(k) + 0.5) / k - 0.5) * cell_size
    ox, oy = np.meshgrid(offsets, offsets)
    x = (grid["x"].to_numpy(float)[:, None] + ox.ravel()[None, :]).ravel()
    y = (grid["y"].to_numpy(float)[:, None] + oy.ravel()[None, :]).ravel()
    tree = shapely.STRtree(stops)
    idx, dist = tree.query_nearest(shapely.points(x, y), return_distance=True, all_matches=False)
    nearest = np.empty(len(x))
    nearest[idx[0]] = dist
    return build_parameter("access.circuity") * nearest.reshape(len(grid), k * k).mean(axis=1)
