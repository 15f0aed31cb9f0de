"""Population inputs (rasters, vector grids) resampled onto a square grid with totals conserved.

The target grid is aligned to the European reference grid (EEA / INSPIRE): cells are squares of
``cell_size`` metres in EPSG:3035 whose lower-left corners are multiples of ``cell_size``. Every
function here returns a :class:`CellCounts` table of (column, row) indices and population; the
builder turns it into a GeoDataFrame.

Conservation: a raster cell is split into ``k x k`` sub-cells, each carrying ``1/k^2`` of its
population; sub-cell centres are transformed to the target CRS and summed into the target cell
they fall in. A vector polygon's population is split by the area of its intersection with each
target cell. Either way each source value is handed out in shares that sum to one, so the grid
total equals the source total up to floating-point rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from ..exceptions import CityDataError

#: CRS of every grid the builder writes.
TARGET_CRS = "EPSG:3035"
#: Sub-cells per source cell side are chosen so that a sub-cell is at most this fraction of the
#: target cell side (a 1 km source onto a 1 km target gives 10 x 10 sub-cells).
SUBCELL_FRACTION = 0.1
#: Upper bound on sub-cells per source cell side.
MAX_SUBDIVISIONS = 20


@dataclass(frozen=True)
class CellCounts:
    """Population summed into target cells.

    Attributes
    ----------
    col, row : ndarray of int64
        Cell indices: the cell spans ``[col*size, (col+1)*size)`` in x, same for ``row`` in y.
    population : ndarray of float64
        Residents per cell.
    cell_size : float
        Cell side in metres.
    source_total : float
        Population total of the source (for the conservation check).
    """

    col: np.ndarray
    row: np.ndarray
    population: np.ndarray
    cell_size: float
    source_total: float

    @property
    def x(self) -> np.ndarray:
        """Cell-centre x in EPSG:3035, metres."""
        return (self.col + 0.5) * self.cell_size

    @property
    def y(self) -> np.ndarray:
        """Cell-centre y in EPSG:3035, metres."""
        return (self.row + 0.5) * self.cell_size


def _sum_into_cells(
    x: np.ndarray, y: np.ndarray, values: np.ndarray, cell_size: float, source_total: float
) -> CellCounts:
    col = np.floor(x / cell_size).astype(np.int64)
    row = np.floor(y / cell_size).astype(np.int64)
    frame = pd.DataFrame({"col": col, "row": row, "population": values})
    summed = frame.groupby(["col", "row"], sort=True, as_index=False)["population"].sum()
    summed = summed[summed["population"] > 0]
    return CellCounts(
        col=summed["col"].to_numpy(np.int64),
        row=summed["row"].to_numpy(np.int64),
        population=summed["population"].to_numpy(np.float64),
        cell_size=float(cell_size),
        source_total=float(source_total),
    )


def _pixel_size_m(crs: pyproj.CRS, res_x: float, res_y: float, lat: float) -> float:
    """Return the larger pixel side in metres (approximate for geographic CRS)."""
    if crs.is_geographic:
        metres_per_degree = 111_320.0
        return max(abs(res_x) * metres_per_degree * math.cos(math.radians(lat)),
                   abs(res_y) * metres_per_degree)
    factor = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    return max(abs(res_x), abs(res_y)) * factor


def raster_to_cells(
    path: str | Path,
    cell_size: float = 1000.0,
    band: int = 1,
    subdivisions: int | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> CellCounts:
    """Resample a population-count raster onto the EPSG:3035 reference grid.

    The raster is read in blocks of rows and only populated pixels are kept, so a national
    raster can be used with ``bbox`` to cut out a city.

    Parameters
    ----------
    path : path-like
        A GeoTIFF (or any raster GDAL reads) of residents per pixel (counts, not densities), in
        any CRS.
    cell_size : float
        Target cell side in metres.
    band : int
        Band holding the counts.
    subdivisions : int, optional
        Sub-cells per source pixel side; by default enough that a sub-cell is at most
        :data:`SUBCELL_FRACTION` of ``cell_size`` (capped at :data:`MAX_SUBDIVISIONS`).
    bbox : tuple of float, optional
        ``(west, south, east, north)`` in degrees (WGS84): keep only pixels whose centre lies
        inside. The conserved total is then that of the kept pixels.

    Returns
    -------
    CellCounts
        Populated target cells; their total equals the raster total up to rounding.

    Raises
    ------
    CityDataError
        If the file cannot be read, has no CRS, or holds negative counts.
    """
    import rasterio
    from rasterio.windows import Window

    path = Path(path)
    if not path.is_file():
        raise CityDataError(f"{path}: population raster not found; give the path to a GeoTIFF")
    rows_l: list[np.ndarray] = []
    cols_l: list[np.ndarray] = []
    counts_l: list[np.ndarray] = []
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                raise CityDataError(
                    f"{path}: the raster has no CRS; set one (e.g. gdal_edit.py -a_srs "
                    "ESRI:54009) before building"
                )
            if band < 1 or band > src.count:
                raise CityDataError(f"{path}: band {band} does not exist (the raster has "
                                    f"{src.count}); pass --band 1..{src.count}")
            transform = src.transform
            crs = pyproj.CRS.from_user_input(src.crs.to_wkt())
            inside = None
            if bbox is not None:
                inside = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
            chunk = max(1, 4_000_000 // max(src.width, 1))
            for r0 in range(0, src.height, chunk):
                h = min(chunk, src.height - r0)
                block = src.read(band, window=Window(0, r0, src.width, h), masked=True)
                values = np.ma.filled(block.astype(np.float64), np.nan)
                valid = np.isfinite(values)
                negative = valid & (values < 0)
                if negative.any():
                    r, c = np.argwhere(negative)[0]
                    raise CityDataError(
                        f"{path}: pixels hold negative population (first at row {r + r0}, "
                        f"column {c}: {values[r, c]}); set the raster's nodata value to the "
                        "fill value it uses, or clip counts at 0"
                    )
                rr, cc = np.nonzero(valid & (values > 0))
                vv = values[rr, cc]
                rr = rr + r0
                if inside is not None and rr.size:
                    px = transform.c + (cc + 0.5) * transform.a + (rr + 0.5) * transform.b
                    py = transform.f + (cc + 0.5) * transform.d + (rr + 0.5) * transform.e
                    lon, lat = inside.transform(px, py, direction="INVERSE")
                    keep = ((lon >= bbox[0]) & (lon <= bbox[2]) & (lat >= bbox[1])
                            & (lat <= bbox[3]))
                    rr, cc, vv = rr[keep], cc[keep], vv[keep]
                rows_l.append(rr)
                cols_l.append(cc)
                counts_l.append(vv)
    except CityDataError:
        raise
    except Exception as exc:  # any reader failure becomes a clear message
        raise CityDataError(f"{path}: cannot read as a raster ({type(exc).__name__}: {exc}); "
                            "give a GeoTIFF of residents per pixel") from None
    rows, cols = np.concatenate(rows_l), np.concatenate(cols_l)
    counts = np.concatenate(counts_l)
    total = float(counts.sum())
    if rows.size == 0:
        where = " inside the bbox" if bbox is not None else ""
        raise CityDataError(f"{path}: the raster holds no population{where} (all pixels nodata "
                            "or 0); check the band, the nodata value and the bbox")
    to_target = pyproj.Transformer.from_crs(crs, TARGET_CRS, always_xy=True)
    if subdivisions is None:
        mc, mr = float(cols.mean()) + 0.5, float(rows.mean()) + 0.5
        cx = transform.c + mc * transform.a + mr * transform.b
        cy = transform.f + mc * transform.d + mr * transform.e
        lat = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(cx, cy)[1]
        size_m = _pixel_size_m(crs, transform.a, transform.e, lat)
        subdivisions = int(np.clip(math.ceil(size_m / (SUBCELL_FRACTION * cell_size)), 1,
                                   MAX_SUBDIVISIONS))
    k = int(subdivisions)
    offsets = (np.arange(k) + 0.5) / k
    ox, oy = np.meshgrid(offsets, offsets)
    ox, oy = ox.ravel()[None, :], oy.ravel()[None, :]
    parts: list[CellCounts] = []
    batch = max(1, 2_000_000 // (k * k))
    for b0 in range(0, rows.size, batch):
        rr, cc, vv = rows[b0:b0 + batch], cols[b0:b0 + batch], counts[b0:b0 + batch]
        sub_c = (cc[:, None] + ox).ravel()
        sub_r = (rr[:, None] + oy).ravel()
        px = transform.c + sub_c * transform.a + sub_r * transform.b
        py = transform.f + sub_c * transform.d + sub_r * transform.e
        tx, ty = (np.asarray(v) for v in to_target.transform(px, py))
        if not (np.isfinite(tx).all() and np.isfinite(ty).all()):
            raise CityDataError(f"{path}: some pixels cannot be transformed to {TARGET_CRS}; "
                                "the raster must cover a part of Europe")
        parts.append(_sum_into_cells(tx, ty, np.repeat(vv / (k * k), k * k), cell_size, 0.0))
    merged = _sum_into_cells(
        (np.concatenate([p.col for p in parts]) + 0.5) * cell_size,
        (np.concatenate([p.row for p in parts]) + 0.5) * cell_size,
        np.concatenate([p.population for p in parts]), cell_size, total)
    return merged


def vector_to_cells(
    path: str | Path,
    column: str = "population",
    cell_size: float = 1000.0,
    layer: str | None = None,
) -> CellCounts:
    """Resample a population vector grid (polygons or points) onto the EPSG:3035 grid.

    Polygons hand their population to target cells in proportion to the intersected area
    (areas measured in EPSG:3035, an equal-area CRS); points go to the cell they fall in.

    Parameters
    ----------
    path : path-like
        GeoPackage, GeoParquet or any file geopandas reads, in any CRS.
    column : str
        Column of residents per feature.
    cell_size : float
        Target cell side in metres.
    layer : str, optional
        Layer of a multi-layer file (GeoPackage).

    Returns
    -------
    CellCounts
        Populated target cells; their total equals the file's total up to rounding.

    Raises
    ------
    CityDataError
        If the file cannot be read, has no CRS, lacks the column, or holds bad values.
    """
    path = Path(path)
    if not path.is_file():
        raise CityDataError(f"{path}: population vector file not found")
    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            frame = gpd.read_parquet(path)
        else:
            frame = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as exc:  # any reader failure becomes a clear message
        raise CityDataError(f"{path}: cannot read as a vector file ({type(exc).__name__}: "
                            f"{exc}); give a GeoPackage or GeoParquet") from None
    problems: list[str] = []
    if frame.crs is None:
        problems.append(f"{path}: no CRS; set one (e.g. ogr2ogr -a_srs EPSG:4326) and rebuild")
    if column not in frame.columns:
        cols = [c for c in frame.columns if c != frame.geometry.name]
        problems.append(f"{path}: no column {column!r} (columns: {cols}); pass --population-"
                        "column with the column of residents")
    if problems:
        raise CityDataError(problems)
    pop = pd.to_numeric(frame[column], errors="coerce").to_numpy(np.float64)
    if (~np.isfinite(pop)).any():
        problems.append(f"{path}: column {column!r} has {int((~np.isfinite(pop)).sum())} missing "
                        "or non-numeric values; fill them (0 for empty cells)")
    elif (pop < 0).any():
        problems.append(f"{path}: column {column!r} has {int((pop < 0).sum())} negative values; "
                        "population must be >= 0")
    geoms = frame.geometry
    if geoms.isna().any() or geoms.is_empty.any():
        problems.append(f"{path}: {int((geoms.isna() | geoms.is_empty).sum())} features without "
                        "geometry; drop them or give them their cell")
    if problems:
        raise CityDataError(problems)
    frame = gpd.GeoDataFrame({"population": pop}, geometry=geoms.make_valid(), crs=frame.crs)
    frame = frame[frame["population"] > 0].to_crs(TARGET_CRS)
    total = float(frame["population"].sum())
    if frame.empty:
        raise CityDataError(f"{path}: column {column!r} holds no population")
    is_point = frame.geom_type.isin(["Point"]).to_numpy()
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    if is_point.any():
        pts = frame[is_point]
        xs.append(pts.geometry.x.to_numpy())
        ys.append(pts.geometry.y.to_numpy())
        vals.append(pts["population"].to_numpy())
    polys = frame[~is_point]
    if not polys.empty:
        area = polys.geometry.area.to_numpy()
        if (area <= 0).any():
            raise CityDataError(f"{path}: {int((area <= 0).sum())} features are neither points "
                                "nor polygons with an area; give cells as polygons or points")
        x0, y0, x1, y1 = polys.total_bounds
        c0, c1 = math.floor(x0 / cell_size), math.floor(x1 / cell_size)
        r0, r1 = math.floor(y0 / cell_size), math.floor(y1 / cell_size)
        cc, rr = np.meshgrid(np.arange(c0, c1 + 1), np.arange(r0, r1 + 1))
        cc, rr = cc.ravel(), rr.ravel()
        cells = gpd.GeoDataFrame(
            {"col": cc, "row": rr},
            geometry=shapely.box(cc * cell_size, rr * cell_size,
                                 (cc + 1) * cell_size, (rr + 1) * cell_size),
            crs=TARGET_CRS,
        )
        src = polys.assign(src_area=area, src_id=np.arange(len(polys)))
        pieces = gpd.overlay(src, cells, how="intersection", keep_geom_type=True)
        share = pieces.geometry.area.to_numpy() / pieces["src_area"].to_numpy()
        # renormalise per source feature so that rounding in the overlay cannot leak people
        pieces["share"] = share
        norm = pieces.groupby("src_id")["share"].transform("sum").to_numpy()
        amount = pieces["population"].to_numpy() * share / norm
        xs.append((pieces["col"].to_numpy() + 0.5) * cell_size)
        ys.append((pieces["row"].to_numpy() + 0.5) * cell_size)
        vals.append(amount)
    return _sum_into_cells(np.concatenate(xs), np.concatenate(ys), np.concatenate(vals),
                           cell_size, total)
