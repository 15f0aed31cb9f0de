"""Maps of per-cell results as grid heatmaps: white background, equal aspect, no web tiles.

Cells are placed on a regular raster from their centres (``grid.x``, ``grid.y``, metres in the
city's projected CRS); axes show kilometres east and north of the grid's south-west corner, so
maps need no base map and no network. :func:`add_outlines` draws over a map the city's named
zones, the measures' areas and new public transport lines (:func:`map_outlines` reads them from
the run's metadata) as thin dark lines, each a legend entry.
"""

from __future__ import annotations

from collections.abc import Iterable
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


# Outlines over the maps: named zones, measure areas, new PT lines ----------------------------

#: Line styles of the outlines: thin and dark, over a thin white halo that keeps them visible on
#: the dark end of a colour scale; measure areas dashed (one dash per distinct area), new PT
#: lines thicker.
OUTLINE_COLOUR = "#111827"
OUTLINE_HALO = "rgba(255,255,255,0.7)"
OUTLINE_WIDTH = {"zone": 1.4, "area": 1.4, "pt_line": 2.4}
AREA_DASHES: tuple[str, ...] = ("dash", "dot", "dashdot", "longdash", "longdashdot")
#: Legend title of maps with outlines.
OUTLINE_LEGEND = "Outlines (click to hide or show):"
#: Why a map shows no existing public transport lines.
EXISTING_LINES_NOTE = (
    "Existing public transport lines are not drawn: a city's data keeps only what its GTFS "
    "feed gives per cell (walk to the nearest stop, best headway), not the routes' shapes.")


@dataclass(frozen=True)
class Outline:
    """One outline drawn over a map.

    Attributes
    ----------
    name : str
        Legend entry: the zone's name or the measure's label (plain text).
    kind : {"zone", "area", "pt_line"}
        A city's named zone (its polygon), a measure's area (the outline of the cells it acts
        on) or a new public transport line.
    x_km, y_km : tuple of float or None
        Vertices in km east and north of the grid's south-west corner; None separates parts.
    detail : str
        Hover text after the name (e.g. the measure type).
    cell_ids : tuple of int
        The cells inside (zones and areas; empty for lines).
    """

    name: str
    kind: str
    x_km: tuple[float | None, ...]
    y_km: tuple[float | None, ...]
    detail: str = ""
    cell_ids: tuple[int, ...] = ()


def grid_origin_m(grid: pd.DataFrame, cell_size_m: float | None = None) -> tuple[float, float]:
    """South-west corner of the grid in the city's CRS (metres): the maps' (0, 0)."""
    size = float(cell_size_m) if cell_size_m and cell_size_m > 0 else infer_cell_size(grid)
    return (float(np.min(grid["x"])) - size / 2, float(np.min(grid["y"])) - size / 2)


def cell_set_outline(grid: pd.DataFrame, cell_ids: Iterable[int],
                     cell_size_m: float | None = None
                     ) -> tuple[list[float | None], list[float | None]]:
    """Outline of a set of cells: the boundary edges of their union, as polylines in km.

    Parameters
    ----------
    grid : pandas.DataFrame
        The ``grid`` table (``cell_id``, ``x``, ``y``).
    cell_ids : iterable of int
        The cells; ids not in the grid are ignored.
    cell_size_m : float, optional
        Cell side in metres (inferred from the centres when missing).

    Returns
    -------
    (list, list)
        x and y in km from the grid's south-west corner (as on the maps), the closed rings of
        the union's boundary separated by None.
    """
    size = float(cell_size_m) if cell_size_m and cell_size_m > 0 else infer_cell_size(grid)
    chosen = grid[grid["cell_id"].isin(list(cell_ids))]
    x0, y0 = float(np.min(grid["x"])), float(np.min(grid["y"]))
    ix = np.rint((chosen["x"].to_numpy(float) - x0) / size).astype(np.int64)
    iy = np.rint((chosen["y"].to_numpy(float) - y0) / size).astype(np.int64)
    inside = set(zip(ix.tolist(), iy.tolist(), strict=True))
    edges: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for i, j in sorted(inside):
        if (i, j - 1) not in inside:
            edges.append(((i, j), (i + 1, j)))
        if (i + 1, j) not in inside:
            edges.append(((i + 1, j), (i + 1, j + 1)))
        if (i, j + 1) not in inside:
            edges.append(((i + 1, j + 1), (i, j + 1)))
        if (i - 1, j) not in inside:
            edges.append(((i, j + 1), (i, j)))
    # Chain the edges into rings (each edge runs anticlockwise around the cells it bounds)
    starts: dict[tuple[int, int], list[int]] = {}
    for k, (a, _b) in enumerate(edges):
        starts.setdefault(a, []).append(k)
    used = [False] * len(edges)
    km = size / 1000.0
    xs: list[float | None] = []
    ys: list[float | None] = []
    for first in range(len(edges)):
        if used[first]:
            continue
        ring = [edges[first][0]]
        k = first
        while not used[k]:
            used[k] = True
            end = edges[k][1]
            ring.append(end)
            k = next((n for n in starts.get(end, []) if not used[n]), k)
        if xs:
            xs.append(None)
            ys.append(None)
        xs += [p[0] * km for p in ring]
        ys += [p[1] * km for p in ring]
    return xs, ys


def wkt_outline(wkt: str, origin_m: tuple[float, float]
                ) -> tuple[list[float | None], list[float | None]]:
    """Vertices of a WKT polygon or line (grid CRS) in km from ``origin_m``, parts split by None.

    Polygons give their outer and inner rings; lines their vertices. A geometry that does not
    read gives empty lists.
    """
    import shapely

    try:
        geom = shapely.from_wkt(wkt)
    except (shapely.errors.GEOSException, TypeError, ValueError):
        return [], []
    parts: list[np.ndarray] = []
    for part in getattr(geom, "geoms", [geom]):
        if part.geom_type == "Polygon":
            parts += [np.asarray(part.exterior.coords)]
            parts += [np.asarray(r.coords) for r in part.interiors]
        elif part.geom_type == "LineString":
            parts.append(np.asarray(part.coords))
    xs: list[float | None] = []
    ys: list[float | None] = []
    for coords in parts:
        if xs:
            xs.append(None)
            ys.append(None)
        xs += [(float(c[0]) - origin_m[0]) / 1000.0 for c in coords]
        ys += [(float(c[1]) - origin_m[1]) / 1000.0 for c in coords]
    return xs, ys


def map_outlines(grid: pd.DataFrame, meta: dict, scenario_yaml: str = "",
                 cell_size_m: float | None = None) -> list[Outline]:
    """Return the outlines of a run's maps: named zones, measure areas, new PT lines.

    Read from ``meta["map_layers"]`` (written by :func:`mobility_sim.simulate.map_layers`):
    each named zone as its polygon, each measure's area as the outline of the cells it acts on
    (a cell belongs to an area when its centre lies inside), each ``pt_line`` measure as its
    line. A run saved before that entry existed gets what its resolved scenario
    (``scenario_yaml``) says on its own: the lines and the areas given as WKT (a named zone's
    polygon was not saved with such runs). Existing public transport lines are never drawn
    (:data:`EXISTING_LINES_NOTE`).
    """
    size = cell_size_m or meta.get("cell_size_m")
    layers = meta.get("map_layers")
    if not isinstance(layers, dict):
        layers = _layers_from_scenario(grid, scenario_yaml)
    origin = grid_origin_m(grid, size)
    out: list[Outline] = []
    for zone in layers.get("zones") or []:
        xs, ys = wkt_outline(str(zone.get("wkt") or ""), origin)
        cells = tuple(int(c) for c in zone.get("cell_ids") or ())
        if not xs and cells:
            xs, ys = cell_set_outline(grid, cells, size)
        if xs:
            out.append(Outline(str(zone.get("name")), "zone", tuple(xs), tuple(ys),
                               "named zone of the city", cells))
    for area in layers.get("areas") or []:
        cells = tuple(int(c) for c in area.get("cell_ids") or ())
        xs, ys = cell_set_outline(grid, cells, size)
        if xs:
            where = f" in zone {area['zone']}" if area.get("zone") else ""
            out.append(Outline(str(area.get("label")), "area", tuple(xs), tuple(ys),
                               f"{area.get('type', 'measure')}{where}: its {len(cells)} cells",
                               cells))
    for line in layers.get("pt_lines") or []:
        xs, ys = wkt_outline(str(line.get("wkt") or ""), origin)
        if xs:
            vehicle = line.get("vehicle") or "public transport"
            out.append(Outline(str(line.get("label")), "pt_line", tuple(xs), tuple(ys),
                               f"new {vehicle} line"))
    return out


def _layers_from_scenario(grid: pd.DataFrame, scenario_yaml: str) -> dict[str, list[dict]]:
    """Map layers of an older run from its resolved scenario: PT lines and WKT areas."""
    if not scenario_yaml:
        return {}
    import shapely
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        doc = YAML(typ="safe", pure=True).load(scenario_yaml)
    except YAMLError:
        return {}
    measures = doc.get("measures") if isinstance(doc, dict) else None
    areas: list[dict] = []
    lines: list[dict] = []
    points = None
    for m in measures if isinstance(measures, list) else []:
        if not isinstance(m, dict):
            continue
        label = str(m.get("label") or m.get("type"))
        line, area = m.get("line"), m.get("area")
        if m.get("type") == "pt_line" and isinstance(line, dict) and line.get("wkt"):
            lines.append({"label": label, "wkt": line["wkt"], "vehicle": m.get("vehicle")})
        elif isinstance(area, dict) and area.get("wkt"):
            try:
                geom = shapely.from_wkt(area["wkt"])
            except (shapely.errors.GEOSException, TypeError, ValueError):
                continue
            if points is None:
                points = shapely.points(grid["x"].to_numpy(float), grid["y"].to_numpy(float))
            inside = grid["cell_id"].to_numpy()[shapely.covers(geom, points)]
            areas.append({"label": label, "type": m.get("type"), "zone": None,
                          "cell_ids": [int(c) for c in inside]})
    return {"zones": [], "areas": areas, "pt_lines": lines}


def add_outlines(fig: go.Figure, outlines: list[Outline]) -> go.Figure:
    """Draw outlines over a map (in place): thin dark lines, one legend entry each.

    Each outline is a line trace named by its zone or measure label over a white halo of its
    own (hidden and shown with it from the legend). Measure areas whose cells are the same
    share one dash, so their lines lie on each other as one. The legend goes under the map;
    the figure grows by its rows.
    """
    if not outlines:
        return fig
    dashes: dict[tuple[int, ...], str] = {}
    for k, item in enumerate(outlines):
        if item.kind == "area":
            dash = dashes.setdefault(item.cell_ids, AREA_DASHES[len(dashes) % len(AREA_DASHES)])
        else:
            dash = "solid"
        width = OUTLINE_WIDTH.get(item.kind, 1.4)
        group = f"outline-{k}"
        name = plain(item.name)
        hover = f"<b>{name}</b><br>{plain(item.detail)}<extra></extra>"
        fig.add_trace(go.Scatter(
            x=list(item.x_km), y=list(item.y_km), mode="lines", legendgroup=group,
            showlegend=False, hoverinfo="skip", connectgaps=False,
            line={"color": OUTLINE_HALO, "width": width + 1.6}))
        fig.add_trace(go.Scatter(
            x=list(item.x_km), y=list(item.y_km), mode="lines", name=name, legendgroup=group,
            connectgaps=False, hovertemplate=hover, meta={"outline": item.kind},
            line={"color": OUTLINE_COLOUR, "width": width, "dash": dash}))
    # Legend rows in a half-width dashboard panel (about 60 characters a row), plus its title
    chars = sum(len(o.name) + 8 for o in outlines)
    rows = 1 + -(-chars // 60)
    height = int(fig.layout.height or 560) + 21 * rows
    fig.update_layout(
        showlegend=True, height=height,
        legend={"orientation": "h", "xref": "container", "x": 0.0, "xanchor": "left",
                "yref": "container", "y": 0.0, "yanchor": "bottom",
                "title": {"text": OUTLINE_LEGEND, "side": "top"},
                "font": {"size": 12}, "groupclick": "togglegroup", "entrywidthmode": "pixels",
                "bgcolor": "rgba(255,255,255,0)"})
    fig.update_layout(margin={"b": 30 + 21 * rows})
    return fig
