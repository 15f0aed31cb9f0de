"""City data that cannot be right is refused before any run, with the file, the place and the fix.

Each case copies the shipped York folder, breaks one thing as a careless or unlucky user would
(an infinite cell size, a grid in Web Mercator labelled LAEA, a population in the wrong unit,
a copied row, a survey share of 7.5, a zone that crosses itself), and loads it.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest

from mobility_sim.city import load_city
from mobility_sim.exceptions import CityDataError

YORK = Path(__file__).resolve().parents[1] / "cities" / "york"
BOWTIE = "POLYGON ((3596000 3484000, 3598000 3486000, 3598000 3484000, 3596000 3486000, " \
         "3596000 3484000))"


def broken_city(tmp_path: Path, yaml_edit: Callable[[str], str] | None = None,
                grid_edit: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame] | None = None,
                source: Path = YORK) -> Path:
    folder = tmp_path / source.name
    shutil.copytree(source, folder)
    (folder / "calibration.yaml").unlink(missing_ok=True)
    if yaml_edit is not None:
        path = folder / "city.yaml"
        path.write_text(yaml_edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    if grid_edit is not None:
        grid = gpd.read_parquet(folder / "grid.parquet")
        grid_edit(grid).to_parquet(folder / "grid.parquet", index=False)
    return folder


def problems_of(folder: Path) -> str:
    with pytest.raises(CityDataError) as info:
        load_city(folder)
    return "\n".join(info.value.problems)


def test_the_shipped_city_itself_is_plausible(tmp_path):
    assert load_city(broken_city(tmp_path)).n_cells > 10


@pytest.mark.parametrize(("value", "expected"), [
    (".inf", "finite number"), (".nan", "finite number"), ("0.001", "greater than or equal"),
    ("1e9", "less than or equal")])
def test_impossible_cell_sizes_are_refused_with_file_and_line(tmp_path, value, expected):
    folder = broken_city(tmp_path, lambda t: t.replace("cell_size_m: 1000.0",
                                                       f"cell_size_m: {value}"))
    text = problems_of(folder)
    assert re.search(r"city\.yaml:8: cell_size_m", text) and expected in text, text


def test_a_crs_that_is_not_one_is_refused(tmp_path):
    folder = broken_city(tmp_path, lambda t: t.replace("crs: EPSG:3035", "crs: garbage"))
    text = problems_of(folder)
    assert "city.yaml:7: crs" in text and "not a coordinate reference system" in text, text


def test_a_grid_in_another_crs_than_declared_is_refused(tmp_path):
    folder = broken_city(tmp_path, grid_edit=lambda g: g.to_crs("EPSG:3857"))
    text = problems_of(folder)
    assert "says EPSG:3035" in text and "3857" in text, text


def test_web_mercator_coordinates_labelled_laea_are_refused(tmp_path):
    def relabel(grid: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        moved = grid.to_crs("EPSG:3857")
        moved["x"], moved["y"] = moved.geometry.centroid.x, moved.geometry.centroid.y
        return moved.set_crs("EPSG:3035", allow_override=True)

    text = problems_of(broken_city(tmp_path, grid_edit=relabel))
    assert "outside the area where EPSG:3035 is defined" in text, text


def test_xy_that_disagree_with_the_geometry_are_refused(tmp_path):
    def shift(grid: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        grid["x"] = grid["x"] + 5_000.0
        return grid

    assert "not the centres" in problems_of(broken_city(tmp_path, grid_edit=shift))


def test_a_duplicated_cell_is_refused(tmp_path):
    def duplicate(grid: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        extra = grid.iloc[[3]].copy()
        extra["cell_id"] = grid["cell_id"].max() + 1
        return gpd.GeoDataFrame(pd_concat([grid, extra]), crs=grid.crs)

    assert "repeat the centre" in problems_of(broken_city(tmp_path, grid_edit=duplicate))


def pd_concat(frames):
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize(("column", "value", "expected"), [
    ("population", 1e12, "above the physical bound"),
    ("population", 1e308, "above the physical bound"),
    ("jobs", 1e12, "above the physical bound"),
    ("car_ownership", 1e6, "cars per resident")])
def test_values_in_the_wrong_unit_are_refused(tmp_path, column, value, expected):
    def set_value(grid: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        grid[column] = grid["population"] * 0 + 0.4 if column == "car_ownership" else grid[column]
        grid.loc[grid.index[0], column] = value
        return grid

    text = problems_of(broken_city(tmp_path, grid_edit=set_value))
    assert expected in text and column in text, text


def test_a_city_without_jobs_is_refused(tmp_path):
    def no_jobs(grid: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        grid["jobs"] = 0.0
        return grid

    assert "commute trips have no destination" in problems_of(
        broken_city(tmp_path, grid_edit=no_jobs))


def test_survey_shares_outside_zero_one_are_refused_with_line(tmp_path):
    def edit(text: str) -> str:
        return re.sub(r"(\n\s+walk: )[0-9.]+", r"\g<1>7.5", text, count=1)

    folder = broken_city(tmp_path, edit, source=YORK.parent / "vienna")
    text = problems_of(folder)
    assert re.search(r"city\.yaml:\d+: observed_modal_split\.0\.shares\.walk", text), text


def test_cars_per_1000_in_the_wrong_unit_is_refused(tmp_path):
    folder = broken_city(tmp_path, lambda t: re.sub(r"cars_per_1000: [0-9.]+",
                                                    "cars_per_1000: 1000000.0", t))
    assert "cars_per_1000" in problems_of(folder)


def test_a_zone_that_crosses_itself_is_refused_with_line(tmp_path):
    def edit(text: str) -> str:
        head, _, _ = text.partition("zones:\n")
        return head + f"zones:\n  centre: {BOWTIE}\n"

    text = problems_of(broken_city(tmp_path, edit))
    assert re.search(r"city\.yaml:\d+: zones\.centre: invalid geometry", text), text


SCENARIO = """\
name: area-test
city: york
years: {start: 2025, end: 2026}
measures:
  - type: parking_price
    start: 2026
    eur_per_hour: 4
    area: AREA
"""


def scenario_problems(tmp_path: Path, area: str) -> str:
    from mobility_sim.exceptions import ScenarioError
    from mobility_sim.scenario import load_scenario

    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("AREA", area), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return "\n".join(info.value.problems)


def test_a_self_intersecting_area_is_refused_alike_as_wkt_and_as_geojson(tmp_path):
    import shapely

    by_wkt = scenario_problems(tmp_path, f'{{wkt: "{BOWTIE}"}}')
    gpd.GeoDataFrame(geometry=[shapely.from_wkt(BOWTIE)], crs="EPSG:3035").to_file(
        tmp_path / "bowtie.geojson", driver="GeoJSON")
    by_geojson = scenario_problems(tmp_path, "{geojson: bowtie.geojson}")
    for text in (by_wkt, by_geojson):
        assert re.search(r"s\.yaml:\d+: measures\.0\.area", text), text
        assert "invalid geometry (Self-intersection" in text, text


def test_an_oversized_geojson_is_refused_before_it_is_read(tmp_path):
    (tmp_path / "huge.geojson").write_bytes(b" " * 20_000_001)
    text = scenario_problems(tmp_path, "{geojson: huge.geojson}")
    assert "more than the 20 MB" in text, text
