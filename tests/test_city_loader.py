"""The city loader rejects corrupt folders with every problem, its file and the fix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from mobility_sim.city import load_city
from mobility_sim.city.build import write_city
from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.exceptions import CityDataError


@pytest.fixture
def folder(tmp_path) -> Path:
    return write_city(synthetic_city(n_cells=30, seed=1), tmp_path / "syn")


def corrupt_grid(folder: Path, change) -> None:
    import geopandas as gpd

    grid = gpd.read_parquet(folder / "grid.parquet")
    grid = change(grid)
    grid.to_parquet(folder / "grid.parquet")


def problems_of(folder: Path) -> str:
    with pytest.raises(CityDataError) as err:
        load_city(folder)
    return str(err.value)


def test_valid_folder_loads(folder):
    city = load_city(folder)
    assert city.n_cells == 30 and city.meta.synthetic


def test_nan_population(folder):
    def change(g):
        g.loc[3, "population"] = np.nan
        return g
    corrupt_grid(folder, change)
    msg = problems_of(folder)
    assert "grid.parquet" in msg and "'population'" in msg and "fill them" in msg


def test_negative_jobs(folder):
    def change(g):
        g.loc[0, "jobs"] = -5.0
        return g
    corrupt_grid(folder, change)
    msg = problems_of(folder)
    assert "'jobs'" in msg and "negative" in msg and ">= 0" in msg


def test_duplicate_cell_ids(folder):
    def change(g):
        g.loc[1, "cell_id"] = g.loc[0, "cell_id"]
        return g
    corrupt_grid(folder, change)
    assert "cell_id not unique" in problems_of(folder)


def test_missing_crs_and_geographic_crs(folder):
    corrupt_grid(folder, lambda g: g.set_crs(None, allow_override=True))
    assert "no CRS" in problems_of(folder)
    corrupt_grid(folder, lambda g: g.set_crs("EPSG:3035", allow_override=True).to_crs(4326))
    assert "not projected" in problems_of(folder)


def test_invalid_geometry(folder):
    def change(g):
        g.loc[2, "geometry"] = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])  # bow tie
        return g
    corrupt_grid(folder, change)
    assert "invalid or empty cell geometries" in problems_of(folder)


def test_every_problem_reported_at_once(folder):
    def change(g):
        g.loc[1, "cell_id"] = g.loc[0, "cell_id"]
        g.loc[4, "population"] = -1.0
        g.loc[5, "cycle_infra_share"] = np.nan
        g["cycle_infra_share"] = g["cycle_infra_share"].fillna(0.5)
        g.loc[6, "cycle_infra_share"] = 1.5
        return g
    corrupt_grid(folder, change)
    with pytest.raises(CityDataError) as err:
        load_city(folder)
    assert len(err.value.problems) == 3


def test_missing_column(folder):
    corrupt_grid(folder, lambda g: g.drop(columns=["jobs"]))
    assert "missing columns ['jobs']" in problems_of(folder)


def test_grid_not_parquet(folder):
    (folder / "grid.parquet").write_bytes(b"not a parquet file")
    msg = problems_of(folder)
    assert "cannot read the grid as GeoParquet" in msg and "mobility-sim city build" in msg


def test_bad_yaml_points_at_line(folder):
    text = (folder / "city.yaml").read_text()
    (folder / "city.yaml").write_text(text.replace("country: AUT", "country: [AUT"))
    msg = problems_of(folder)
    assert "city.yaml:" in msg and "invalid YAML" in msg


def test_city_yaml_alias_bomb_and_tags_are_refused(folder):
    text = (folder / "city.yaml").read_text()
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + k)}: &{chr(98 + k)} [*{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, "
        f"*{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, "
        f"*{chr(97 + k)}, *{chr(97 + k)}]\n" for k in range(6))
    (folder / "city.yaml").write_text(text + bomb)
    msg = problems_of(folder)
    assert "city.yaml:" in msg and "expand to more than" in msg
    (folder / "city.yaml").write_text(text + "extra: !!python/object/apply:os.system [ls]\n")
    msg = problems_of(folder)
    assert "city.yaml:" in msg and "'!!python/object/apply:os.system' is not allowed" in msg


def test_bad_metadata_value(folder):
    text = (folder / "city.yaml").read_text()
    (folder / "city.yaml").write_text(text.replace("country: AUT", "country: Austria"))
    msg = problems_of(folder)
    assert "city.yaml" in msg and "country" in msg


def test_invalid_zone_wkt(folder):
    text = (folder / "city.yaml").read_text()
    start = text.index("centre: ")
    (folder / "city.yaml").write_text(text[:start] + "centre: POLYGON ((1 2, oops))\n"
                                      + text[text.index("notes:", start):]
                                      if "notes:" in text[start:] else
                                      text[:start] + "centre: POLYGON ((1 2, oops))\n")
    assert "zones.centre: invalid WKT" in problems_of(folder)


def test_unknown_city_lists_places(tmp_path):
    with pytest.raises(CityDataError) as err:
        load_city(tmp_path / "atlantis")
    assert "atlantis" in str(err.value) and "mobility-sim city build" in str(err.value)
