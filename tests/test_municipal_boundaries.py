"""The municipal boundaries in source_data/municipal_boundaries/ (issue 20).

Each shipped city may have one file `<slug>.geojson` holding the boundary of the municipality
(the unit whose government signs the climate plan), in EPSG:4326, with its source and licence.
Cities whose boundary was not found simply have no file (the README says which); these tests
check every file that is there.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "source_data" / "municipal_boundaries"
FILES = sorted(FOLDER.glob("*.geojson"))
SHIPPED = sorted(p.parent.name for p in (ROOT / "cities").glob("*/grid.parquet"))

REQUIRED = ("slug", "name", "unit", "source", "licence", "attribution", "retrieved", "area_km2")

# The smallest and largest municipality among the 29 cities are Paris (about 105 km2) and
# Greater London (about 1,570 km2); Luxembourg (about 51 km2) is the smallest unit overall.
AREA_RANGE_KM2 = (20.0, 2500.0)


def _read(path: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(path)


def test_folder_has_files():
    assert FILES, "no municipal boundary files found"


def test_every_file_is_a_shipped_city():
    for path in FILES:
        assert path.stem in SHIPPED, f"{path.name} is not a shipped city"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_one_valid_polygonal_feature(path):
    gdf = _read(path)
    assert len(gdf) == 1
    assert gdf.crs is not None and gdf.crs.to_epsg() == 4326
    geom = gdf.geometry.iloc[0]
    assert geom.geom_type in ("Polygon", "MultiPolygon")
    assert geom.is_valid and not geom.is_empty
    # plain lon/lat in Europe
    minx, miny, maxx, maxy = geom.bounds
    assert -11 < minx < maxx < 32 and 34 < miny < maxy < 72


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_required_properties(path):
    props = json.loads(path.read_text(encoding="utf-8"))["features"][0]["properties"]
    for key in REQUIRED:
        assert key in props and props[key] not in (None, ""), f"{path.name}: missing {key}"
    assert props["slug"] == path.stem
    if path.stat().st_size > 300 * 1024:
        pytest.fail(f"{path.name} is over 300 KB")


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_area_plausible_and_as_stated(path):
    gdf = _read(path)
    props = gdf.iloc[0]
    area = float(gdf.to_crs(3035).area.iloc[0]) / 1e6
    lo, hi = AREA_RANGE_KM2
    assert lo <= area <= hi, f"{path.stem}: {area:.1f} km2"
    assert area == pytest.approx(float(props["area_km2"]), rel=0.01)
    # where the officially published area is recorded, the boundary must be within 10 % of it
    # (the sources are generalised; some count water areas differently)
    official = props.get("official_area_km2") if "official_area_km2" in gdf.columns else None
    if official is not None and official == official:  # not NaN
        assert area == pytest.approx(float(official), rel=0.10), (
            f"{path.stem}: {area:.1f} vs {official}")


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_overlaps_shipped_grid(path):
    """The boundary and the city's shipped grid describe the same place.

    The grid is a GHS urban centre, which can be much larger than the municipality (Paris:
    ~1,600 km2 of grid around a 105 km2 commune) or much smaller (York: a compact urban centre
    inside a largely rural 272 km2 unitary authority). Neither "the boundary lies inside the
    grid" nor "the grid lies inside the boundary" holds for all cities, so the check is relative
    to the SMALLER of the two: at least half of the smaller one must lie inside the other. Two
    unrelated places (a wrong feature, swapped lon/lat, a wrong CRS) give an overlap near 0.
    """
    gdf = _read(path).to_crs(3035)
    boundary = gdf.geometry.iloc[0]
    grid = gpd.read_parquet(ROOT / "cities" / path.stem / "grid.parquet")
    assert grid.crs is not None and grid.crs.to_epsg() == 3035
    cells = grid.geometry.union_all()
    inter = boundary.intersection(cells).area
    share = inter / min(boundary.area, cells.area)
    assert share >= 0.5, f"{path.stem}: only {share:.0%} of the smaller area overlaps"
