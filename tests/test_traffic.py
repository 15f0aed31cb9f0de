"""Road traffic physics (issue 23): speeds that follow traffic, factors that follow speed.

Car speeds of a district change with its road traffic through the BPR volume-delay function,
pivoting on the base year's observed speeds and calibrated to the city's congestion level; a
year iterates demand and speeds to a stated tolerance; a road-space measure removes capacity;
COPERT's speed curves move the emission factors; the SUMO (HBEFA 4) comparison in the docs is
the script's output.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re

import numpy as np
import pandas as pd
import pytest

from mobility_sim.city import load_city
from mobility_sim.data import parameters, read_table
from mobility_sim.fleet.freight import freight_growth
from mobility_sim.fleet.speed_factors import CURVES, copert_factor, curve_row, speed_multipliers
from mobility_sim.model.kernel import kernel_for
from mobility_sim.model.parameters import resolve_parameters
from mobility_sim.model.traffic import (
    FreightLoad,
    congestion_level,
    delay_index,
    grid_districts,
    hourly_profile,
    hourly_shares,
    path_shares,
    period_masks,
)
from mobility_sim.model.years import run_years, setup_run
from mobility_sim.scenario import load_scenario
from mobility_sim.scenario.models import ConsolidationCentre, DeliveryWindow, RoadSpace

KERNEL = kernel_for("numba")


@pytest.fixture(scope="module")
def helsinki(repo_root):
    return load_city(repo_root / "cities" / "helsinki")


def run(city, measures=(), masks=(), years=(2025, 2026, 2027, 2028), overrides=None):
    p = resolve_parameters(city, overrides or {})
    setup = setup_run(city, p, list(measures), list(masks), list(years))
    return setup, list(run_years(setup, KERNEL))


@pytest.fixture(scope="module")
def baseline(helsinki):
    return run(helsinki)


def centre(city):
    return city.zone_mask("centre")


def test_districts_are_squares_and_never_more_than_the_bound():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 60, 2000) * 500.0
    y = rng.integers(0, 60, 2000) * 500.0
    district, side = grid_districts(x, y, 500.0, 3.0, 100)
    assert district.max() + 1 <= 100 and side >= 3.0
    # cells of one district lie within one square of the side used
    for d in np.unique(district)[:10]:
        member = district == d
        assert np.ptp(x[member]) < side * 1000 and np.ptp(y[member]) < side * 1000


def test_a_trip_within_a_district_stays_in_it_and_grid_paths_sum_to_one():
    cx = np.array([0.0, 3000.0, 6000.0, 20000.0])  # three districts in a row, one external
    cy = np.zeros(4)

    def district_of_point(px, py):
        out = np.floor((px + 1500.0) / 3000.0).astype(np.int64)
        return np.where((out >= 0) & (out <= 2), out, -1)

    path = path_shares(cx, cy, district_of_point, 3)
    assert path[1, 1].tolist() == [0.0, 1.0, 0.0]
    np.testing.assert_allclose(path[:3, :3].sum(axis=2), 1.0)
    # centre to centre: half of each end district and the whole width of the middle one
    assert path[0, 2].tolist() == pytest.approx([0.25, 0.5, 0.25])
    assert 0 < path[3, 0].sum() < 0.5  # from the external zone: most of the way is outside


def test_base_year_keeps_the_observed_speeds_and_its_delay_is_the_citys_congestion(
        helsinki, baseline):
    setup, years = baseline
    first = years[0]
    assert first.road.iterations == 1 and first.road.converged
    np.testing.assert_allclose(first.road.ratio, 1.0)
    np.testing.assert_allclose(first.inputs.car_speed[:helsinki.n_cells],
                               setup.layers.car_speed)
    level, source = congestion_level("helsinki", setup.parameters)
    assert level == pytest.approx(0.26) and "TomTom" in source
    np.testing.assert_allclose(first.road_base.delay, 1.0 + level, rtol=1e-9)


def test_a_city_without_a_published_level_takes_the_default():
    p = parameters()
    assert congestion_level("bern", p) == (p["traffic.congestion_default"],
                                           "traffic.congestion_default (no published level "
                                           "for the city)")
    levels = read_table("road_traffic_evidence.csv")
    levels = levels[levels["item"].str.fullmatch(r"tomtom_(2016|2018|2019)_congestion_level")
                    & levels["value"].notna()]
    latest = levels.assign(edition=levels["item"].str[7:11]).sort_values("edition")
    median = float(np.median(latest.groupby("city")["value"].last()))
    assert p["traffic.congestion_default"] == pytest.approx(median)


def test_speed_feedback_converges_every_year(baseline):
    _, years = baseline
    tol = parameters()["traffic.tolerance"]
    for year in years:
        assert year.road.converged and year.road.change <= tol
        assert year.road.iterations <= parameters()["traffic.max_iterations"]


def test_more_traffic_means_more_delay():
    p = parameters()
    capacity = np.array([100.0, 100.0])
    low, high = delay_index(np.array([1000.0, 2000.0]), capacity, p)
    assert 1.0 < low < high
    assert hourly_profile(p).sum() == pytest.approx(1.0)


def test_road_space_taken_from_cars_slows_them_and_bus_lanes_speed_buses(helsinki, baseline):
    mask = centre(helsinki)
    _, base = baseline
    measure = RoadSpace(type="road_space", label="car-free centre", start=2026, use="car_free",
                        street_share=0.5)
    lanes = RoadSpace(type="road_space", label="bus lanes", start=2026, use="bus_lane",
                      street_share=0.5)
    cycle = RoadSpace(type="road_space", label="cycle lanes", start=2026, use="cycle_lane",
                      street_share=0.5)
    _, free = run(helsinki, [measure], [mask])
    _, bus = run(helsinki, [lanes], [mask])
    _, bike = run(helsinki, [cycle], [mask])
    y = 2027 - 2025
    n = helsinki.n_cells
    car_base = base[y].inputs.car_speed[:n][mask]
    assert np.all(free[y].inputs.car_speed[:n][mask] <= car_base + 1e-9)
    assert free[y].inputs.car_speed[:n][mask].mean() < 0.97 * car_base.mean()
    assert np.all(bus[y].levers.road_capacity_cut[mask] == pytest.approx(0.25))
    # the same lanes taken for cycles or for buses: buses on their lanes escape the traffic
    np.testing.assert_allclose(bike[y].levers.road_capacity_cut, bus[y].levers.road_capacity_cut)
    assert bus[y].inputs.pt_speed[:n][mask].mean() > bike[y].inputs.pt_speed[:n][mask].mean()
    assert (bike[y].inputs.bike_infra[:n][mask] > base[y].inputs.bike_infra[:n][mask]).all()
    # fewer car-km in the centre than without the measure
    car = [out.outputs.district_car_pkm.sum() for out in (base[y], free[y])]
    assert car[1] < car[0]


def test_fixed_speeds_when_feedback_is_off(helsinki):
    _, years = run(helsinki, years=(2025, 2026), overrides={"traffic.feedback": 0})
    assert all(y.road is None for y in years)
    assert years[1].outputs.district_car_pkm is None


def test_copert_curve_is_the_published_formula():
    row = curve_row(*CURVES[("car", "petrol")], "energy")
    v = 30.0
    expected = ((row["alpha"] * v**2 + row["beta"] * v + row["gamma"] + row["delta"] / v)
                / (row["epsilon"] * v**2 + row["zita"] * v + row["hta"])
                * (1 - row["rf_percent"] / 100))
    assert copert_factor(row, np.array([v]))[0] == pytest.approx(expected)
    # energy per km falls from 20 to 30 km/h for every curve, and on to 50 km/h for engines
    for (vehicle, pt), curve in CURVES.items():
        energy = curve_row(*curve, "energy")
        values = copert_factor(energy, np.array([20.0, 30.0, 50.0]))
        assert values[0] > values[1], (vehicle, pt)
        if pt != "bev":
            assert values[1] > values[2], (vehicle, pt)


def test_slower_traffic_raises_the_factors_and_unchanged_speeds_keep_them():
    speeds = np.array([35.0, 30.0, 25.0])
    weight = np.array([1.0, 2.0, 1.0])
    same = speed_multipliers("car", ("petrol", "diesel", "bev", "cng"), speeds, speeds, weight)
    assert all(v == pytest.approx(1.0) for f in same.values() for v in f.values())
    assert "cng" not in same  # no speed curve: the packaged factor
    assert set(same["bev"]) >= {"kwh"} and "nox" not in same["bev"]
    slower = speed_multipliers("car", ("petrol", "diesel"), speeds * 0.8, speeds, weight)
    assert slower["petrol"]["ttw"] > 1.05 and slower["diesel"]["nox"] > 1.05
    assert slower["petrol"]["ttw"] == slower["petrol"]["fuel_l"] == slower["petrol"]["wtt"]


def test_a_30_kmh_limit_slows_cars_and_raises_their_co2_per_km(helsinki, baseline, repo_root):
    loaded = load_scenario(repo_root / "scenarios" / "helsinki" / "speed_limit.yaml")
    measures = loaded.scenario.measures
    _, limited = run(helsinki, measures, loaded.masks)
    _, base = baseline
    y = 2028 - 2025
    n = helsinki.n_cells
    assert limited[y].inputs.car_speed[:n].mean() < base[y].inputs.car_speed[:n].mean()
    petrol = (limited[y].fleet.car_factors["petrol"]["ttw"]
              / base[y].fleet.car_factors["petrol"]["ttw"])
    assert petrol > 1.0
    assert limited[y].params.ef_ttw[4] > base[y].params.ef_ttw[4]


def test_the_sumo_comparison_in_the_docs_is_the_scripts_output(repo_root):
    spec = importlib.util.spec_from_file_location(
        "compare_speed_factors", repo_root / "benchmarks" / "compare_speed_factors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = module.comparison(pd.read_csv(module.ORACLE))
    doc = (repo_root / "docs" / "traffic.md").read_text(encoding="utf-8")
    assert module.markdown(table) in doc
    assert module.markdown(module.shapes(table)) in doc
    # the claim the docs make about the shapes at urban speeds holds
    shapes = module.shapes(table)
    cars = shapes[shapes["vehicle_class"].str.startswith("car_")
                  & (shapes["cycles"] == "steady_30kmh / steady_50kmh")
                  & (shapes["quantity"] != "electricity_wh_per_km")]
    assert cars["within_20pct"].all()
    assert re.search(r"SUMO 1\.28\.0", doc)


def test_road_space_rejects_a_use_it_does_not_know(tmp_path, helsinki):
    from mobility_sim.exceptions import ScenarioError

    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\ncity: helsinki\nyears: {start: 2025, end: 2027}\nmeasures:\n"
        "  - type: road_space\n    label: x\n    start: 2026\n    use: parking_lane\n"
        "    street_share: 0.5\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad\.yaml:\d+"):
        load_scenario(path, city=helsinki)


def test_road_space_measures_combine_multiplicatively(helsinki):
    mask = centre(helsinki)
    a = RoadSpace(type="road_space", label="a", start=2025, use="cycle_lane", street_share=0.5)
    b = RoadSpace(type="road_space", label="b", start=2025, use="car_free", street_share=0.2)
    setup = setup_run(helsinki, resolve_parameters(helsinki), [a, b], [mask, mask], [2025])
    cut = setup.levers[2025].road_capacity_cut[mask]
    np.testing.assert_allclose(cut, 1 - (1 - 0.25) * (1 - 0.2))
    assert dataclasses.is_dataclass(setup.roads)


def test_an_openstreetmap_street_layer_spreads_the_capacity(helsinki):
    grid = helsinki.grid.copy()
    density = np.where(np.arange(len(grid)) % 2 == 0, 20.0, 5.0)
    grid["road_density_km_per_km2"] = density
    city = dataclasses.replace(helsinki, grid=grid)
    p = resolve_parameters(helsinki)
    from mobility_sim.model.traffic import road_network

    roads = road_network(city, p, None)
    assert roads.street_source.startswith("OpenStreetMap")
    area = (helsinki.meta.cell_size_m / 1000.0) ** 2
    np.testing.assert_allclose(roads.cell_lane_km,
                               density * area * p["traffic.lanes_per_street"])
    rule = road_network(helsinki, p, None)
    assert rule.street_source.startswith("density rule")
    np.testing.assert_allclose(rule.cell_lane_km, rule.cell_lane_km[0])


def test_cold_start_follows_the_guidebook_and_shorter_trips_raise_it():
    from mobility_sim.fleet.cold_start import (
        TRIP_KM_RANGE,
        cold_share,
        cold_start_multipliers,
        excess,
        ratios,
    )

    # Table 3-39 at the European default trip (12.4 km) and 10 degC
    assert cold_share(12.4, 10.0) == pytest.approx(
        0.6474 - 0.02545 * 12.4 - (0.00974 - 0.000385 * 12.4) * 10.0)
    petrol = ratios()["petrol"]["nox"]
    bc = 0.1573 - 0.005 * 12.4
    assert excess(petrol, 12.4, 25.0, 10.0) == pytest.approx(
        bc * cold_share(12.4, 10.0) * (0.089 * 25.0 + 7.257 - 1.0))
    shorter = cold_start_multipliers(9.0, 25.0, 12.0, 25.0, 10.0)
    assert shorter["petrol"]["nox"] > 1.0 and shorter["diesel"]["ttw"] > 1.0
    assert "ttw" not in shorter["petrol"]  # petrol energy: ratio not found, packaged factor
    # below the fitted range the trip length is held at its lower end
    low = TRIP_KM_RANGE[0]
    same = cold_start_multipliers(low - 3.0, 25.0, low, 25.0, 10.0)
    assert all(v == pytest.approx(1.0) for f in same.values() for v in f.values())


def test_vans_and_lorries_get_copert_exhaust_at_their_speed():
    from mobility_sim.fleet.freight import freight_factors
    from mobility_sim.fleet.speed_factors import FREIGHT_CURVES, freight_exhaust

    assert freight_factors("van")["diesel"].get("nox") is None  # no speed: not counted
    for vehicle, curve in FREIGHT_CURVES.items():
        factors = freight_factors(vehicle, 25.0)
        row = curve_row(*curve, "nox")
        assert factors["diesel"]["nox"] == pytest.approx(copert_factor(row, np.array([25.0]))[0])
        assert factors["diesel"]["pm25_exhaust"] > 0
        assert "nox" not in factors["bev"]
        # slower traffic, more NOx per km (urban speeds)
        assert freight_exhaust(vehicle, 15.0)["nox"] > freight_exhaust(vehicle, 40.0)["nox"]


def test_every_year_of_the_sump_package_settles(repo_root):
    import mobility_sim

    results = mobility_sim.run(repo_root / "scenarios" / "helsinki" / "sump_package.yaml",
                               save=False, dashboard=False)
    road = results.meta["road_traffic"]
    assert road["years_at_iteration_limit"] == []
    assert road["congestion_level"] == pytest.approx(0.26)
    iterations = results.summary["traffic_iterations"]
    assert iterations.iloc[0] == 1 and iterations.max() < parameters()["traffic.max_iterations"]
    assert results.summary["road_delay_index"].iloc[0] == pytest.approx(1.26)


def test_delivery_windows_move_freight_out_of_the_restricted_hours():
    p = parameters()
    profile, periods = hourly_profile(p), period_masks(p)
    load, capacity = np.array([1000.0, 1000.0]), np.array([90.0, 90.0])
    moved = FreightLoad(load=np.array([200.0, 200.0]), off_peak=np.array([100.0, 0.0]),
                        night=np.array([0.0, 50.0]))
    shares = hourly_shares(load, p, moved)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)  # the same km, at other hours
    peak, day, night = (profile[periods[q]].sum() for q in ("peak", "day", "night"))
    # district 0: the moved freight's peak-hour km leave the peak for the day hours
    assert 1000 * shares[0, periods["peak"]].sum() == pytest.approx(1000 * peak - 100 * peak)
    assert 1000 * shares[0, periods["day"]].sum() == pytest.approx(1000 * day + 100 * peak)
    assert shares[0, periods["night"]].sum() == pytest.approx(night)
    # district 1: its moved freight's daytime km go into the night
    assert 1000 * shares[1, periods["night"]].sum() == pytest.approx(
        1000 * night + 50 * (peak + day))
    # spreading the load over the day relieves the (convex) delay
    before, after = delay_index(load, capacity, p), delay_index(load, capacity, p, moved)
    assert np.all(after < before)
    np.testing.assert_allclose(hourly_shares(load, p), np.broadcast_to(profile, (2, 24)))


def test_freight_on_the_roads_grows_and_freight_measures_relieve_it(helsinki, baseline):
    setup, base = baseline
    p, roads, y = setup.parameters, setup.roads, 3
    background = base[y].road_base.background
    grown = roads.freight_load(background, base[y].levers, freight_growth(y, p))
    growth = (1 + p["freight.growth_per_year"]) ** y
    assert grown.load.sum() == pytest.approx(background.sum() * growth)
    mask = centre(helsinki)
    inside = np.unique(roads.district[mask])
    window = DeliveryWindow(type="delivery_window", label="peak ban", start=2026,
                            moved_share=1.0, window="peak", area={"zone": "centre"})
    hub = ConsolidationCentre(type="consolidation_centre", label="hub", start=2026,
                              served_share=1.0, area={"zone": "centre"})
    _, banned = run(helsinki, [window], [mask])
    _, bundled = run(helsinki, [hub], [mask])
    delay = base[y].road.delay[inside]
    assert np.all(banned[y].road.delay[inside] < delay)
    assert np.all(bundled[y].road.delay[inside] < delay)
    n = helsinki.n_cells
    speed = base[y].inputs.car_speed[:n][mask].mean()
    assert banned[y].inputs.car_speed[:n][mask].mean() > speed
    # the same freight km: a window moves hours, a consolidation centre removes km
    freight = [roads.freight_load(background, r[y].levers, freight_growth(y, p))
               for r in (banned, bundled)]
    assert freight[0].load.sum() == pytest.approx(grown.load.sum())
    assert freight[1].load.sum() < grown.load.sum()
    assert freight[0].off_peak[inside].sum() > 0 and freight[0].night is None


def test_vans_and_lorries_burn_more_fuel_per_km_in_slower_traffic():
    from mobility_sim.fleet.freight import freight_factors
    from mobility_sim.fleet.speed_factors import FREIGHT_ENERGY_CURVES

    for vehicle in ("van", "lorry_rigid", "lorry_articulated"):
        base = freight_factors(vehicle, 30.0)  # no base speed: the packaged level
        same = freight_factors(vehicle, 30.0, 30.0)  # the base year's speed: unchanged
        slow = freight_factors(vehicle, 15.0, 30.0)
        for pt in ("diesel", "bev"):
            for q in ("ttw", "wtt", "fuel_l", "kwh"):
                assert same[pt][q] == pytest.approx(base[pt][q])
            curve = FREIGHT_ENERGY_CURVES.get((vehicle, pt))
            if curve is None:  # electric lorries: no curve read, the packaged factor stays
                assert slow[pt] == base[pt]
                continue
            row = curve_row(*curve, "energy")
            at = copert_factor(row, np.array([15.0, 30.0]))
            ratio = at[0] / at[1]
            assert ratio > 1.0  # stop-and-go costs energy
            key = "ttw" if pt == "diesel" else "kwh"
            assert slow[pt][key] == pytest.approx(base[pt][key] * ratio)
        # NOx stays COPERT's absolute value at the year's speed (no multiplier on top)
        at_speed = freight_factors(vehicle, 15.0)["diesel"]["nox"]
        assert slow["diesel"]["nox"] == pytest.approx(at_speed)


def test_through_traffic_drives_on_the_roads_as_the_accounts_count_it(helsinki, baseline):
    # the roads carry the through traffic the territorial accounts count (one rule,
    # model.external.through_vehicle_km), laid over the grid between the external zones; the
    # year's road load is the cars', the freight's and the through traffic's
    from mobility_sim.accounts import car_traffic
    from mobility_sim.model.car_owners import owner_demand
    from mobility_sim.model.external import split_outputs

    setup, base = baseline
    roads, p, y = setup.roads, setup.parameters, 2
    year = base[y]
    out = owner_demand(KERNEL, year.inputs, year.params, None)
    through = roads.through_load(out, year.params)
    n = helsinki.n_cells
    grid_out, flows = split_outputs(out, n, setup.external, year.params.circuity)
    grid_km2 = n * (helsinki.meta.cell_size_m / 1000.0) ** 2
    counted = car_traffic(grid_out, flows, year.params, 1.0, p, grid_km2).through
    assert counted > 0
    assert through.sum() == pytest.approx(counted, rel=1e-12)
    assert (through > 0).sum() > roads.n_districts // 2  # across the city, not at one spot
    car = roads.car_load(out, year.params)
    freight = roads.freight_load(year.road_base.background, year.levers, freight_growth(y, p))
    np.testing.assert_allclose(year.road.load, car + freight.load + through, rtol=1e-6)
    # a closed grid has no through traffic
    assert not dataclasses.replace(roads, n_external=0).through_load(out, year.params).any()
