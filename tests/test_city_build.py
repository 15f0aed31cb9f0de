"""Building city grids from real population rasters and vector grids."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin
from typer.testing import CliRunner

from mobility_sim.city import load_city
from mobility_sim.city.build import build_city, write_city
from mobility_sim.city.cli import city_app
from mobility_sim.city.resample import raster_to_cells, vector_to_cells
from mobility_sim.exceptions import CityDataError
from mobility_sim.paths import ghs_rasters_dir, hsy_helsinki_grid

GHS = ghs_rasters_dir()
HSY = hsy_helsinki_grid()


def raster_total(path: Path) -> float:
    with rasterio.open(path) as src:
        return float(src.read(1, masked=True).sum())


def test_helsinki_raster_total_conserved_exactly():
    tif = GHS / "3244_Helsinki.tif"
    cells = raster_to_cells(tif, cell_size=1000)
    assert cells.population.sum() == pytest.approx(raster_total(tif), rel=1e-9)
    assert cells.source_total == pytest.approx(raster_total(tif), rel=1e-12)


def test_raster_resampling_matches_exact_area_overlay():
    """Sub-cell sampling agrees with an exact area-weighted overlay cell by cell."""
    tif = GHS / "3244_Helsinki.tif"
    cells = raster_to_cells(tif, cell_size=1000)
    with rasterio.open(tif) as src:
        data = src.read(1, masked=True).filled(0)
        rows, cols = np.nonzero(data > 0)
        t = src.transform
        x0, y0 = t.c + cols * t.a, t.f + rows * t.e
        x1, y1 = x0 + t.a, y0 + t.e
        pixels = gpd.GeoDataFrame({"pop": data[rows, cols]},
                                  geometry=shapely.box(x0, y1, x1, y0), crs=src.crs.to_wkt())
    pixels = pixels.to_crs("EPSG:3035").assign(area=lambda f: f.area)
    targets = gpd.GeoDataFrame({"key": np.arange(len(cells.col))},
                               geometry=shapely.box(cells.col * 1000.0, cells.row * 1000.0,
                                                    cells.col * 1000.0 + 1000,
                                                    cells.row * 1000.0 + 1000),
                               crs="EPSG:3035")
    pieces = gpd.overlay(pixels, targets, how="intersection")
    exact = np.zeros(len(cells.col))
    np.add.at(exact, pieces["key"].to_numpy(), pieces["pop"] * pieces.area / pieces["area"])
    misplaced = np.abs(exact - cells.population).sum() / 2 / cells.population.sum()
    assert misplaced < 0.01


def test_vector_grid_hsy_conserved_at_250m_and_1km():
    gpkg = HSY
    total = float(gpd.read_file(gpkg)["population"].sum())
    for size in (250, 1000):
        cells = vector_to_cells(gpkg, column="population", cell_size=size)
        assert cells.population.sum() == pytest.approx(total, rel=1e-9)
        assert (cells.population > 0).all()
    fine = vector_to_cells(gpkg, cell_size=250)
    coarse = vector_to_cells(gpkg, cell_size=1000)
    assert len(fine.col) > 2 * len(coarse.col)


def test_raster_in_another_crs_and_resolution(tmp_path):
    """A 300 m UTM raster (values made up for the test) lands in the right 1 km cells."""
    tif = tmp_path / "utm_300m.tif"
    values = np.zeros((10, 10), dtype="float32")
    values[4:6, 4:6] = 1000.0  # a 600 m block of 4000 residents
    values[0, 0] = 7.0
    values[9, 9] = -1  # nodata
    # origin near Helsinki in UTM 35N
    with rasterio.open(tif, "w", driver="GTiff", height=10, width=10, count=1, dtype="float32",
                       crs="EPSG:32635", transform=from_origin(385000, 6675000, 300, 300),
                       nodata=-1) as dst:
        dst.write(values, 1)
    cells = raster_to_cells(tif, cell_size=1000)
    assert cells.population.sum() == pytest.approx(4007.0, rel=1e-9)
    # the block's centre, transformed, is in the cell that received most of it
    import pyproj
    to3035 = pyproj.Transformer.from_crs("EPSG:32635", "EPSG:3035", always_xy=True)
    bx, by = to3035.transform(385000 + 5 * 300, 6675000 - 5 * 300)
    top = np.argmax(cells.population)
    assert abs(cells.x[top] - bx) <= 1000 and abs(cells.y[top] - by) <= 1000


def test_negative_raster_values_rejected_with_fix(tmp_path):
    tif = tmp_path / "bad.tif"
    with rasterio.open(tif, "w", driver="GTiff", height=2, width=2, count=1, dtype="float32",
                       crs="ESRI:54009", transform=from_origin(1596000, 6908000, 1000, 1000)
                       ) as dst:
        dst.write(np.array([[5, -200], [3, 1]], dtype="float32"), 1)
    with pytest.raises(CityDataError) as err:
        raster_to_cells(tif)
    assert str(tif) in str(err.value) and "nodata" in str(err.value)


def test_missing_population_column_named(tmp_path):
    gpkg = HSY
    with pytest.raises(CityDataError) as err:
        vector_to_cells(gpkg, column="asukkaat")
    assert "asukkaat" in str(err.value) and "--population-column" in str(err.value)


def test_build_write_and_load_roundtrip(tmp_path):
    tif = GHS / "3244_Helsinki.tif"
    city = build_city(tif, slug="hel_test", name="Helsinki test", country="FIN",
                      jobs_total=400_000, jobs_source="test figure")
    folder = write_city(city, tmp_path / "hel_test")
    loaded = load_city(folder)
    grid = loaded.grid
    assert loaded.meta.crs == "EPSG:3035" and grid.crs.to_epsg() == 3035
    assert grid["population"].sum() == pytest.approx(raster_total(tif), rel=1e-9)
    assert grid["jobs"].sum() == pytest.approx(400_000, rel=1e-9)
    assert loaded.meta.layers["jobs"].status == "proxy"
    assert "test figure" in loaded.meta.layers["jobs"].method
    # aligned to the EEA 1 km reference grid
    assert np.allclose((grid["x"] - 500) % 1000, 0) and np.allclose((grid["y"] - 500) % 1000, 0)
    assert np.allclose(grid.geometry.area, 1e6)
    # the centre zone holds the densest part: its mean density beats the city's
    mask = loaded.zone_mask("centre")
    assert 5 < mask.sum() < len(grid)
    assert grid.loc[mask, "population"].mean() > 1.5 * grid["population"].mean()
    # jobs are more central than residents (the proxy's centrality weight)
    assert grid.loc[mask, "jobs"].sum() / grid["jobs"].sum() > \
        grid.loc[mask, "population"].sum() / grid["population"].sum()


def test_cli_build_and_errors(tmp_path):
    tif = GHS / "3255_Tallinn.tif"
    runner = CliRunner()
    out = tmp_path / "tallinn"
    res = runner.invoke(city_app, ["build", str(tif), "--slug", "tallinn", "--name", "Tallinn",
                                   "--country", "EST", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert load_city(out).population == pytest.approx(raster_total(tif), rel=1e-9)
    assert "built with:" in (out / "city.yaml").read_text()
    res = runner.invoke(city_app, ["build", str(tmp_path / "nope.tif"), "--slug", "x",
                                   "--name", "X", "--country", "est", "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert "nope.tif" in res.output and "not found" in res.output
    res = runner.invoke(city_app, ["build", str(tif), "--slug", "Bad Slug", "--name", "X",
                                   "--country", "EST", "--out", str(tmp_path / "b")])
    assert res.exit_code == 2 and "slug" in res.output


def test_bbox_cuts_a_city_out_of_a_raster():
    tif = GHS / "3244_Helsinki.tif"
    box = (24.85, 60.14, 25.05, 60.22)  # central Helsinki
    cells = raster_to_cells(tif, bbox=box)
    with rasterio.open(tif) as src:
        data = src.read(1, masked=True).filled(0)
        rows, cols = np.nonzero(data > 0)
        t = src.transform
        x, y = t.c + (cols + 0.5) * t.a, t.f + (rows + 0.5) * t.e
        import pyproj
        lon, lat = pyproj.Transformer.from_crs(src.crs.to_wkt(), "EPSG:4326",
                                               always_xy=True).transform(x, y)
    inside = (lon >= box[0]) & (lon <= box[2]) & (lat >= box[1]) & (lat <= box[3])
    expected = data[rows, cols][inside].sum()
    assert 0 < expected < raster_total(tif)
    assert cells.population.sum() == pytest.approx(expected, rel=1e-9)
    with pytest.raises(CityDataError, match="no population inside the bbox"):
        raster_to_cells(tif, bbox=(10.0, 50.0, 10.1, 50.1))


def test_a_rebuild_reads_the_data_sheet_the_planner_filled_in(tmp_path, repo_root):
    """First build: a blank sheet. Fill it in (here Tallinn's researched sheet, plus a car
    ownership figure and a split written as a planner would); the next build reads them."""
    tif = GHS / "3255_Tallinn.tif"
    runner = CliRunner()
    out = tmp_path / "mine"
    args = ["build", str(tif), "--slug", "mine", "--name", "Mine", "--country", "EST",
            "--out", str(out)]
    assert runner.invoke(city_app, args).exit_code == 0
    first = load_city(out).meta
    assert first.car_ownership is None and not first.observed_modal_split
    text = (repo_root / "cities" / "tallinn" / "data_sheet.yaml").read_text(encoding="utf-8")
    start = text.index("  cars_per_1000:")
    end = text.index("  car_free_households_share:")
    filled = """  cars_per_1000:
    value: 500
    unit: cars per 1000 inhabitants
    year: 2024
    definition: test figure written as a planner would
    scope: the test city
    source: test
"""
    (out / "data_sheet.yaml").write_text(text[:start] + filled + text[end:], encoding="utf-8")
    res = runner.invoke(city_app, args)
    assert res.exit_code == 0, res.output
    again = load_city(out).meta
    assert again.car_ownership.cars_per_1000 == 500 and "data sheet" in again.car_ownership.source
    assert "Town Hall" in again.notes[0]
    assert again.zones["centre"] != first.zones["centre"]


def test_a_centre_outside_the_grid_is_refused(tmp_path):
    from mobility_sim.city.build import build_city
    from mobility_sim.exceptions import CityDataError

    berlin = (4552269.0, 3273124.0, "Rotes Rathaus")
    with pytest.raises(CityDataError, match=r"centre .* is .* km from the nearest populated"):
        build_city(GHS / "3255_Tallinn.tif", slug="t", name="T", country="EST", centre=berlin)
