"""Maps of per-cell results as grid heatmaps: white background, equal aspect, no web tiles.

Cells are placed on a regular raster from their centres (``grid.x``, ``grid.y``, metres in the
city's projected CRS); axes show kilometres east and north of the grid's south-west corner, so
maps need no base map and no network.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .theme import DIVERGING_SCALE, SEQUENTIAL_SCALE, UNITS, house, plain

#: Percentile at which a map's colour scale is capped when a few outlying cells (e.g. cells with
#: a handful of residents) would otherwise flatten every other cell into one colour.
CLIP_PERCENTILE = 99.0


@dataclass(frozen=True)
class Raster:
    """Per-cell values on a regular raster.

    Attributes
    ----------
    z : ndarray, shape (ny, nx)
        Values, NaN where there is no cell or no value; row 0 is the southernmost row.
    cell_km : float
        Cell side in kilometres.
    """

    z: np.ndarray
    cell_km: float

    @property
    def centre0_km(self) -> float:
        """Centre of the first row and column, km from the south-west corner."""
        return self.cell_km / 2


def infer_cell_size(grid: pd.DataFrame) -> float:
    """Cell side in metres from the spacing of the cell centres."""
    steps = []
    for col in ("x", "y"):
        values = np.unique(np.asarray(grid[col], dtype=float))
        if len(values) > 1:
            diffs = np.diff(values)
            steps.append(float(diffs[diffs > 1e-6].min()))
    return min(steps) if steps else 1000.0


def to_raster(grid: pd.DataFrame, values: pd.Series, cell_size_m: float | None = None) -> Raster:
    """Place per-cell values on a raster.

    Parameters
    ----------
    grid : pandas.DataFrame
        The ``grid`` table (``cell_id``, ``x``, ``y``).
    values : pandas.Series
        Values indexed by ``cell_id``; cells without a value stay blank.
    cell_size_m : float, optional
        Cell side in metres (``meta["cell_size_m"]``); inferred from the centres when missing.
    """
    size = float(cell_size_m) if cell_size_m and cell_size_m > 0 else infer_cell_size(grid)
    x = np.asarray(grid["x"], dtype=float)
    y = np.asarray(grid["y"], dtype=float)
    if len(x) == 0:
        return Raster(z=np.full((1, 1), np.nan, dtype=np.float32), cell_km=size / 1000)
    ix = np.rint((x - x.min()) / size).astype(np.int64)
    iy = np.rint((y - y.min()) / size).astype(np.int64)
    z = np.full((int(iy.max()) + 1, int(ix.max()) + 1), np.nan, dtype=np.float32)
    vals = values.reindex(pd.Index(grid["cell_id"])).to_numpy(dtype=float)
    z[iy, ix] = vals
    return Raster(z=z, cell_km=size / 1000)


def grid_heatmap(raster: Raster, *, title: str, colorbar_title: str, diverging: bool = False,
                 value_format: str = ".1f", height: int = 560) -> go.Figure:
    """Draw a raster as a heatmap with equal aspect on a white background.

    Parameters
    ----------
    raster : Raster
        From :func:`to_raster`.
    title, colorbar_title : str
        Plain text (escaped); the colour bar title should carry the unit; a newline in it
        breaks the line.
    diverging : bool
        Centre a diverging scale on zero (for changes and differences).
    value_format : str
        d3 format of values in the hover label.
    height : int
        Figure height in pixels.
    """
    z = raster.z
    finite = z[np.isfinite(z)]
    zmin = zmax = None
    capped = False
    if finite.size:
        lo, hi = float(finite.min()), float(finite.max())
        p_hi = float(np.percentile(np.abs(finite) if diverging else finite, CLIP_PERCENTILE))
        if diverging:
            top = max(abs(lo), abs(hi))
            if 0 < p_hi < top / 2:
                top, capped = p_hi, True
            top = top or 1.0
            zmin, zmax = -top, top
        else:
            zmin, zmax = lo, hi
            if lo < p_hi < hi and (p_hi - lo) < (hi - lo) / 2:
                zmax, capped = p_hi, True
    bar_title = "<br>".join(plain(part) for part in colorbar_title.split("\n"))
    if capped:
        bar_title += "<br>(scale capped at<br>99th percentile)"
    fig = go.Figure(go.Heatmap(
        z=z, x0=raster.centre0_km, dx=raster.cell_km, y0=raster.centre0_km, dy=raster.cell_km,
        colorscale=DIVERGING_SCALE if diverging else SEQUENTIAL_SCALE, zmin=zmin, zmax=zmax,
        zsmooth=False, hoverongaps=False,
        colorbar={"title": {"text": bar_title, "side": "right"}, "thickness": 14},
        hovertemplate=("%{x:.2f} km E, %{y:.2f} km N<br>%{z:" + value_format + "}<extra></extra>"),
    ))
    fig.update_xaxes(title_text=UNITS["x_km"], showgrid=False, constrain="domain")
    fig.update_yaxes(title_text=UNITS["y_km"], showgrid=False, scaleanchor="x", scaleratio=1,
                     constrain="domain")
    house(fig, title, height=height)
    fig.update_layout(margin={"r": 10})
    return fig


def co2_per_capita(cells: pd.DataFrame, year: int, column: str = "co2_wtw_t") -> pd.Series:
    """Per-cell kg CO2e per resident in ``year``; NaN where nobody lives."""
    rows = cells[cells["year"] == year].set_index("cell_id")
    pop = rows["population"].astype(float)
    return (rows[column].astype(float) * 1000.0 / pop.where(pop > 0)).rename("co2_pc_kg")


def mode_share_of(cells: pd.DataFrame, year: int, group: str = "car") -> pd.Series:
    """Per-cell share (0-1) of trips by ``group`` (walk, bike, pt, car) in ``year``."""
    rows = cells[cells["year"] == year].set_index("cell_id")
    trips = rows["trips"].astype(float)
    return (rows[f"{group}_trips"].astype(float) / trips.where(trips > 0)).rename("share")


def co2_per_capita_map(grid: pd.DataFrame, cells: pd.DataFrame, year: int, *,
                       cell_size_m: float | None = None, title: str | None = None) -> go.Figure:
    """Map of well-to-wheel CO2e per resident by home cell in ``year``."""
    raster = to_raster(grid, co2_per_capita(cells, year), cell_size_m)
    return grid_heatmap(raster, title=title or f"CO₂e per resident by home cell, {year}",
                        colorbar_title="kg CO₂e per\nresident per year", value_format=",.0f")


def mode_share_change_map(grid: pd.DataFrame, cells: pd.DataFrame, year0: int, year1: int,
                          group: str = "car", *, cell_size_m: float | None = None,
                          title: str | None = None) -> go.Figure:
    """Map of the change in a mode group's share of trips, ``year0`` to ``year1``, in points."""
    change = 100 * (mode_share_of(cells, year1, group) - mode_share_of(cells, year0, group))
    raster = to_raster(grid, change, cell_size_m)
    name = {"pt": "public transport"}.get(group, group)
    return grid_heatmap(raster, diverging=True,
                        title=title or f"Change in {name} share of trips, {year0} to {year1}",
                        colorbar_title="percentage\npoints", value_format="+.1f")


def difference_map(grid: pd.DataFrame, values: pd.Series, reference: pd.Series, *,
                   title: str, colorbar_title: str, cell_size_m: float | None = None
                   ) -> go.Figure:
    """Map of ``values - reference`` per cell (both indexed by ``cell_id``) on a diverging scale."""
    raster = to_raster(grid, values.sub(reference), cell_size_m)
    return grid_heatmap(raster, diverging=True, title=title, colorbar_title=colorbar_title,
                        value_format="+,.0f")


def car_speed_change_map(grid: pd.DataFrame, cells: pd.DataFrame, year0: int, year1: int, *,
                         cell_size_m: float | None = None, title: str | None = None
                         ) -> go.Figure:
    """Map of the change in each cell's car speed from ``year0`` to ``year1``, in per cent.

    Raises
    ------
    ValueError
        If the ``cells`` table has no ``car_speed_kmh`` (a run saved before speeds followed
        traffic).
    """
    if "car_speed_kmh" not in cells:
        raise ValueError("the cells table has no car_speed_kmh column")

    def speed(year: int) -> pd.Series:
        return cells[cells["year"] == year].set_index("cell_id")["car_speed_kmh"].astype(float)

    change = 100 * (speed(year1) / speed(year0) - 1.0)
    raster = to_raster(grid, change, cell_size_m)
    return grid_heatmap(raster, diverging=True,
                        title=title or f"Change in car speed, {year0} to {year1}",
                        colorbar_title="per cent", value_format="+.1f")
