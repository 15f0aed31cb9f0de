"""Synthetic cities for tests and benchmarks: labelled synthetic wherever they appear.

A synthetic city is a square-ish grid in EPSG:3035 with residents and jobs falling off
exponentially from one centre (monocentric) or several (polycentric). Nothing in it is observed
data: its metadata says ``synthetic: true`` and its name starts with "Synthetic".
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .model import City, CityMeta, Layer

#: Origin of synthetic grids in EPSG:3035 (metres); an arbitrary point in central Europe.
_ORIGIN_X, _ORIGIN_Y = 4_300_000.0, 2_900_000.0


def square_cells(x: np.ndarray, y: np.ndarray, cell_size: float) -> np.ndarray:
    """Return square polygons of side ``cell_size`` centred on ``(x, y)``."""
    half = cell_size / 2.0
    return shapely.box(x - half, y - half, x + half, y + half)


def synthetic_city(
    n_cells: int = 400,
    kind: Literal["monocentric", "polycentric"] = "monocentric",
    cell_size_m: float = 1000.0,
    population: float = 500_000.0,
    jobs_per_resident: float = 0.5,
    country: str = "AUT",
    seed: int = 0,
) -> City:
    """Make a synthetic city of about ``n_cells`` cells.

    Parameters
    ----------
    n_cells : int
        Number of cells (the grid is the most square rectangle with exactly this many cells).
    kind : {"monocentric", "polycentric"}
        One centre, or one main centre and three secondary ones.
    cell_size_m : float
        Cell side in metres.
    population : float
        Total residents.
    jobs_per_resident : float
        Total jobs as a multiple of residents.
    country : str
        ISO3 code used for the grid carbon intensity.
    seed : int
        Seed of the small random texture added to densities.

    Returns
    -------
    City
        A city whose metadata marks it synthetic.
    """
    if n_cells < 1:
        raise ValueError("n_cells must be at least 1")
    cols = int(np.ceil(np.sqrt(n_cells)))
    while n_cells % cols:
        cols += 1
    rows = n_cells // cols
    if cols > 4 * max(rows, 1) and n_cells > 4:  # prime-ish counts: fall back to a near-square
        cols = int(np.ceil(np.sqrt(n_cells)))
        rows = int(np.ceil(n_cells / cols))
    idx = np.arange(n_cells)
    col, row = idx % cols, idx // cols
    x = _ORIGIN_X + (col + 0.5) * cell_size_m
    y = _ORIGIN_Y + (row + 0.5) * cell_size_m
    cx, cy = x.mean(), y.mean()
    span = max(cols, rows) * cell_size_m
    centres = [(cx, cy, 1.0)]
    if kind == "polycentric":
        centres += [
            (cx + 0.3 * span, cy + 0.1 * span, 0.4),
            (cx - 0.25 * span, cy + 0.25 * span, 0.3),
            (cx - 0.1 * span, cy - 0.3 * span, 0.3),
        ]
    rng = np.random.default_rng(seed)
    pop_w = np.zeros(n_cells)
    job_w = np.zeros(n_cells)
    for ccx, ccy, weight in centres:
        r = np.hypot(x - ccx, y - ccy)
        pop_w += weight * np.exp(-r / (0.25 * span))
        job_w += weight * np.exp(-r / (0.12 * span))
    pop_w *= rng.uniform(0.8, 1.2, n_cells)
    job_w *= rng.uniform(0.8, 1.2, n_cells)
    pop = population * pop_w / pop_w.sum()
    jobs = population * jobs_per_resident * job_w / job_w.sum()
    grid = gpd.GeoDataFrame(
        pd.DataFrame({"cell_id": idx.astype(np.int64), "x": x, "y": y,
                      "population": pop, "jobs": jobs}),
        geometry=square_cells(x, y, cell_size_m),
        crs="EPSG:3035",
    )
    radius = 0.15 * span
    centre_zone = shapely.Point(cx, cy).buffer(radius)
    meta = CityMeta(
        slug=f"synthetic_{kind}_{n_cells}",
        name=f"Synthetic {kind} city ({n_cells} cells)",
        country=country,
        crs="EPSG:3035",
        cell_size_m=cell_size_m,
        synthetic=True,
        area_note="SYNTHETIC: generated for tests and benchmarks; not a real place.",
        layers={
            "population": Layer(status="proxy", method="synthetic exponential density profile"),
            "jobs": Layer(status="proxy", method="synthetic exponential density profile"),
        },
        zones={"centre": centre_zone.wkt},
    )
    return City(meta=meta, grid=grid, path=None)
