"""Each measure moves the model the right way, and a measure at zero intensity changes nothing.

Runs the reference demand model on a small synthetic city (100 cells of 1 km): the measure is
loaded from YAML like a planner's file, turned into levers, then into model inputs.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from mobility_sim.kernels.reference import demand_reference
from mobility_sim.kernels.spec import BIKE, CAR_EV, CAR_ICE, CAR_MODES, EBIKE, PT, PURPOSES

from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.data import parameters
from mobility_sim.fleet.mix import default_sales
from mobility_sim.model.external import split_outputs
from mobility_sim.model.income import CAR_SEGMENTS, NO_CAR_SEGMENTS
from mobility_sim.model.parameters import resolve_parameters
from mobility_sim.model.years import setup_run, year_inputs
from mobility_sim.scenario import load_scenario
from mobility_sim.scenario.library import EXAMPLES, city_examples

YEAR = 2035
BASE_BEV = default_sales()["bev"]
COMMUTE = PURPOSES.index("commute")


@pytest.fixture(scope="module")
def city():
    return synthetic_city(100, kind="monocentric", seed=3)


@pytest.fixture(scope="module")
def centre(city):
    return city.zone_mask("centre")


#: Persons per car (the default ``car.occupancy``): a car's charges are shared by them.
OCCUPANCY = parameters()["car.occupancy"]


def load(tmp_path: Path, city, measures: list[dict], end: int = 2050):
    text = json.dumps({"name": "t", "city": "synthetic",  # JSON is YAML
                       "years": {"start": 2025, "end": end}, "measures": measures})
    path = tmp_path / f"s{abs(hash(text))}.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path, city=city)


def model(loaded, year: int = YEAR):
    """The model's inputs of ``year`` (the vintage fleet of the scenario), and the outputs."""
    p = resolve_parameters(loaded.city, loaded.scenario.parameters)
    setup = setup_run(loaded.city, p, loaded.scenario.measures, loaded.masks, [2025, year])
    inputs, params = year_inputs(setup, year)
    out = demand_reference(inputs, params)
    n = loaded.city.n_cells
    if setup.external is not None:  # the grid's part: its residents' trips, arrivals from anyone
        out, _ = split_outputs(out, n, setup.external, params.circuity)
    return grid_inputs(inputs, n), params, out, setup.levers[year]


def grid_inputs(inputs, n: int):
    """The kernel inputs of the grid's ``n`` cells (the external zones left out)."""
    changes = {}
    for name in inputs.__dataclass_fields__:
        value = getattr(inputs, name)
        if isinstance(value, np.ndarray) and value.shape[-1] > n:
            changes[name] = value[..., :n]
    changes.update(external=None, trip_factor=None)
    return replace(inputs, **changes)


@pytest.fixture(scope="module")
def base(tmp_path_factory, city):
    return model(load(tmp_path_factory.mktemp("base"), city, []))


def measure(stem: str, city, **changes) -> dict:
    m = dict(city_examples(city)[stem])
    m.update(start=2026, end=2030, profile="linear")
    m.update(changes)
    return {k: v for k, v in m.items() if v is not None}


def car_trips_to(out, cells):
    return out.trips_to[cells][:, list(CAR_MODES)].sum()


def mode_trips(out, *modes):
    return out.trips.sum(axis=(0, 1, 2))[list(modes)].sum()


# --- zero intensity -------------------------------------------------------------------------


@pytest.mark.parametrize("stem", sorted(EXAMPLES))
def test_measure_before_its_start_changes_no_input(tmp_path, city, base, stem):
    loaded = load(tmp_path, city, [measure(stem, city, start=2030, end=2034)])
    inputs, params, _, lv = model(loaded, year=2029)
    b_inputs, b_params, _, b_lv = model(load(tmp_path, city, []), year=2029)
    assert lv.active[loaded.scenario.measures[0].display_label] == 0.0
    for name in b_inputs.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(inputs, name), getattr(b_inputs, name), err_msg=name)
    for name in b_params.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(params, name), getattr(b_params, name), err_msg=name)
    # the reference case's values (EU sales path, ETS2), untouched by the measure
    assert lv.bev_sales_share == b_lv.bev_sales_share > BASE_BEV
    assert lv.bus_bev_sales_share is None
    assert lv.carbon_price_eur_per_t == b_lv.carbon_price_eur_per_t
    assert lv.grid_intensity_factor == 1.0 and lv.lez_min_euro is None


NEUTRAL = {
    "pt_frequency": {"headway_factor": 1.0},
    "pt_fare": {"factor": 1.0},
    "cycle_network": {"share": 0.0},
    "ebike_subsidy": {"ebikes": 0},
    "bike_sharing": {"coverage": 0.0},
    "cordon_charge": {"eur_per_trip": 0.0, "ev_eur_per_trip": 0.0},
    "low_emission_zone": {"compliance": 0.0},
    "speed_limit": {"street_share": 0.0},
    "telework": {"share": 0.0},
    "densification": {"share": 0.0},
    "car_sharing": {"coverage": 0.0, "car_shedding": 0.0},
    "car_occupancy": {"persons_per_car": parameters()["car.occupancy"]},
    "grid_decarbonisation": {"reduction": 0.0},
    "fuel_price": {"change_eur_per_litre": 0.0},
    "carbon_price": {"eur_per_tco2": 0.0},
    "ev_sales_share": {"share": 0.0},  # below the reference case's share: adds nothing
    "electric_vans": {"share": 0.0},  # the same for vans
    "cargo_bikes": {"van_km_share": 0.0},
    "consolidation_centre": {"served_share": 0.0},
    "delivery_window": {"moved_share": 0.0},
}


@pytest.mark.parametrize("stem", sorted(NEUTRAL))
def test_measure_with_zero_magnitude_changes_no_result(tmp_path, city, base, stem):
    loaded = load(tmp_path, city, [measure(stem, city, **NEUTRAL[stem])])
    _, _, out, lv = model(loaded)
    assert lv.active[loaded.scenario.measures[0].display_label] == 1.0
    b_out = base[2]
    for name in ("trips", "pkm", "trips_to", "vkm", "co2_wtw"):
        np.testing.assert_allclose(getattr(out, name), getattr(b_out, name), rtol=1e-12,
                                   atol=1e-9, err_msg=name)
    assert lv.grid_intensity_factor == 1.0
    assert lv.bev_sales_share == base[3].bev_sales_share


# --- direction ------------------------------------------------------------------------------


def test_more_frequency_gives_more_pt_trips(tmp_path, city, base):
    out = model(load(tmp_path, city, [measure("pt_frequency", city, headway_factor=0.5,
                                              area=None)]))[2]
    less = model(load(tmp_path, city, [measure("pt_frequency", city, headway_factor=2.0,
                                               area=None)]))[2]
    assert mode_trips(out, PT) > mode_trips(base[2], PT) > mode_trips(less, PT)


def test_new_line_gives_more_pt_trips(tmp_path, city, base):
    loaded = load(tmp_path, city, [measure("pt_line", city, headway_min=3, speed_kmh=35)])
    inputs, _, out, _ = model(loaded)
    served = loaded.masks[0]
    assert served.any() and not served.all()
    assert np.all(inputs.pt_speed[served] == 35) and np.all(inputs.pt_speed[~served] == 20)
    assert np.all(inputs.origin_time[PT] <= base[0].origin_time[PT])
    assert np.array_equal(inputs.origin_time[PT][~served], base[0].origin_time[PT][~served])
    assert mode_trips(out, PT) > mode_trips(base[2], PT)


@pytest.mark.parametrize(("fare", "sign"), [({"factor": 0.0}, 1), ({"change_eur": -0.5}, 1),
                                           ({"fare_eur": 3.0}, -1)])
def test_fares_move_pt_trips(tmp_path, city, base, fare, sign):
    m = measure("pt_fare", city, factor=None)
    m.update(fare)
    out = model(load(tmp_path, city, [m]))[2]
    assert sign * (mode_trips(out, PT) - mode_trips(base[2], PT)) > 0


def test_cycle_network_gives_more_cycling(tmp_path, city, base):
    inputs, _, out, _ = model(load(tmp_path, city, [measure("cycle_network", city, share=0.9)]))
    assert np.all(inputs.bike_infra >= base[0].bike_infra) and inputs.bike_infra.max() == 0.9
    assert mode_trips(out, BIKE, EBIKE) > mode_trips(base[2], BIKE, EBIKE)


@pytest.mark.parametrize("stem", ["ebike_subsidy", "bike_sharing"])
def test_ebike_support_gives_more_ebike_trips(tmp_path, city, base, stem):
    inputs, _, out, _ = model(load(tmp_path, city, [measure(stem, city)]))
    assert np.all(inputs.origin_avail[:, EBIKE] >= base[0].origin_avail[:, EBIKE])
    assert mode_trips(out, EBIKE) > mode_trips(base[2], EBIKE)


def test_subsidised_ebikes_raise_availability_by_the_stated_count(tmp_path, city, base):
    p = parameters()
    inputs = model(load(tmp_path, city, [measure("ebike_subsidy", city, ebikes=5000)]))[0]
    added = (inputs.origin_avail[0, EBIKE] - base[0].origin_avail[0, EBIKE]) * inputs.population
    expected = 5000 * p["ebike.subsidy_additionality"] * p["ebike.users_per_bike"]
    assert added.sum() == pytest.approx(expected)


def test_parking_price_gives_fewer_car_trips_to_the_area(tmp_path, city, base, centre):
    out = model(load(tmp_path, city, [measure("parking_price", city, eur_per_hour=8.0)]))[2]
    assert car_trips_to(out, centre) < car_trips_to(base[2], centre)


def test_cordon_charge_gives_fewer_car_trips_into_the_area(tmp_path, city, base, centre):
    loaded = load(tmp_path, city, [measure("cordon_charge", city)])
    inputs, params, out, _ = model(loaded)
    assert np.array_equal(inputs.cordon, centre)
    # 5 EUR per entry: each of the two crossing legs of a round trip carries half, shared by
    # the car's occupants
    assert params.cordon_charge[CAR_ICE] == pytest.approx(2.5 / OCCUPANCY)
    assert params.cordon_charge[CAR_EV] == pytest.approx(1.25 / OCCUPANCY)
    assert car_trips_to(out, centre) < car_trips_to(base[2], centre)
    # residents inside pay too when their car trip crosses out (and back in)
    inside_origins = out.trips[..., list(CAR_MODES)][:, :, centre].sum()
    assert inside_origins < base[2].trips[..., list(CAR_MODES)][:, :, centre].sum()


def test_a_cordon_charging_each_crossing_charges_each_leg_in_full(tmp_path, city, centre):
    loaded = load(tmp_path, city, [measure("cordon_charge", city, charged="each_crossing")])
    params = model(loaded)[1]
    assert params.cordon_charge[CAR_ICE] == pytest.approx(5.0 / OCCUPANCY)
    assert params.cordon_charge[CAR_EV] == pytest.approx(2.5 / OCCUPANCY)


def test_low_emission_zone_gives_fewer_combustion_car_km_inside(tmp_path, city, base, centre):
    loaded = load(tmp_path, city, [measure("low_emission_zone", city)])
    inputs, _, out, lv = model(loaded)
    np.testing.assert_allclose(inputs.dest_avail[CAR_ICE][centre], 0.1)
    assert out.trips_to[centre, CAR_ICE].sum() < 0.5 * base[2].trips_to[centre, CAR_ICE].sum()
    assert out.vkm[centre, CAR_ICE].sum() < base[2].vkm[centre, CAR_ICE].sum()
    assert out.vkm[:, CAR_ICE].sum() < base[2].vkm[:, CAR_ICE].sum()
    assert lv.lez_min_euro == {"petrol": 99, "diesel": 99}
    jobs = city.grid["jobs"].to_numpy()
    assert lv.lez_affected_share == pytest.approx(jobs[centre].sum() / jobs.sum(), abs=1e-4)


def test_low_emission_zone_charge_costs_combustion_cars_only(tmp_path, city, base, centre):
    m = measure("low_emission_zone", city, rule="charge", charge_eur_per_trip=10.0,
                compliance=1.0)
    inputs, _, out, _ = model(load(tmp_path, city, [m]))
    extra = inputs.dest_cost - base[0].dest_cost
    # 10 EUR per visit, 2 trips, shared by the car's occupants
    np.testing.assert_allclose(extra[:, CAR_ICE][:, centre], 5.0 / OCCUPANCY)
    assert not extra[:, CAR_EV].any()
    assert out.trips_to[centre, CAR_ICE].sum() < base[2].trips_to[centre, CAR_ICE].sum()


def test_speed_limit_slows_cars_in_the_area_and_cuts_car_trips(tmp_path, city, base):
    inputs, _, out, _ = model(load(tmp_path, city, [measure("speed_limit", city)]))
    assert np.all(inputs.car_speed <= base[0].car_speed)
    assert np.any(inputs.car_speed < base[0].car_speed)
    assert mode_trips(out, *CAR_MODES) < mode_trips(base[2], *CAR_MODES)


def test_telework_removes_the_stated_share_of_commute_trips_with_its_rebound(tmp_path, city,
                                                                             base):
    out = model(load(tmp_path, city, [measure("telework", city, share=0.2)]))[2]
    removed = 0.2 * base[2].trips[:, COMMUTE].sum()
    assert out.trips[:, COMMUTE].sum() == pytest.approx(base[2].trips[:, COMMUTE].sum() - removed)
    other = 1 - COMMUTE
    # a quarter of a non-commute trip for each commute trip removed (telework.rebound_trips)
    added = out.trips[:, other].sum() - base[2].trips[:, other].sum()
    assert added == pytest.approx(0.25 * removed)
    # shorter than the commutes they replace: less than a quarter of the km come back
    removed_km = base[2].pkm[:, COMMUTE].sum() - out.pkm[:, COMMUTE].sum()
    added_km = out.pkm[:, other].sum() - base[2].pkm[:, other].sum()
    assert 0 < added_km < 0.25 * removed_km
    loaded = load(tmp_path, city, [measure("telework", city, share=0.2)])
    loaded.scenario.parameters["telework.rebound_trips"] = 0.0
    none = model(loaded)[2]
    assert none.trips[:, other].sum() == pytest.approx(base[2].trips[:, other].sum())


def test_densification_moves_people_near_stops_and_raises_pt_use(tmp_path, city, base):
    inputs, _, out, _ = model(load(tmp_path, city, [measure("densification", city, share=0.3)]))
    assert inputs.population.sum() == pytest.approx(base[0].population.sum(), rel=1e-12)
    assert inputs.size[COMMUTE].sum() == pytest.approx(base[0].size[COMMUTE].sum(), rel=1e-12)
    share = lambda o: mode_trips(o, PT) / o.trips.sum()  # noqa: E731
    assert share(out) > share(base[2])


def test_car_sharing_gives_the_no_car_segments_car_trips(tmp_path, city, base, centre):
    inputs, _, out, _ = model(load(tmp_path, city, [measure("car_sharing", city)]))
    no_car, cars = list(NO_CAR_SEGMENTS), list(CAR_SEGMENTS)
    assert np.all(inputs.origin_avail[no_car, CAR_EV][:, centre] == 0.3)
    assert not inputs.origin_avail[np.ix_(no_car, list(CAR_MODES))][:, :, ~centre].any()
    assert base[2].trips[no_car][..., list(CAR_MODES)].sum() == 0
    assert out.trips[no_car][..., list(CAR_MODES)].sum() > 0
    assert np.all(inputs.segment_share[cars].sum(axis=0)
                  <= base[0].segment_share[cars].sum(axis=0) + 1e-12)


def test_higher_occupancy_gives_fewer_car_vehicle_km_with_a_rebound(tmp_path, city, base):
    inputs, params, out, _ = model(load(tmp_path, city, [measure("car_occupancy", city)]))
    car, ratio = list(CAR_MODES), OCCUPANCY / 1.8
    # the car's money costs are shared by more persons: running cost, parking and cordon
    # charges per person fall with the occupancy
    np.testing.assert_allclose(params.cost_per_km[car], base[1].cost_per_km[car] * ratio)
    np.testing.assert_allclose(inputs.dest_cost[:, car], base[0].dest_cost[:, car] * ratio)
    assert base[0].dest_cost[:, car].max() > 0
    # so driving is cheaper: more car trips, and vehicle-km fall less than the occupancy alone
    assert out.trips[..., car].sum() > base[2].trips[..., car].sum()
    vkm, before = out.vkm[:, car].sum(), base[2].vkm[:, car].sum()
    assert before * ratio < vkm < before
    assert params.ef_ttw[CAR_ICE] < base[1].ef_ttw[CAR_ICE]


def test_grid_decarbonisation_lowers_electric_car_emission_factors(tmp_path, city, base):
    loaded = load(tmp_path, city, [measure("grid_decarbonisation", city)])
    _, params, _, lv = model(loaded)
    assert lv.grid_intensity_factor == pytest.approx(0.2)
    assert params.ef_wtw[CAR_EV] < base[1].ef_wtw[CAR_EV]
    absolute = load(tmp_path, city, [measure("grid_decarbonisation", city, reduction=None,
                                             gco2e_per_kwh=22.2)])
    # from the reference case's intensity of the year (here 111 g/kWh) to 22.2 g/kWh
    assert absolute.scenario.measures[0].baseline_gco2e_per_kwh is None
    levers = {y: absolute.year_levers(y, BASE_BEV, reference_grid_gco2e=111.0)
              for y in (2028, 2030)}
    assert levers[2030].grid_intensity_factor == pytest.approx(0.2)
    assert levers[2028].grid_intensity_factor == pytest.approx(0.6)
    # never above the reference case: a target above this year's intensity changes nothing
    high = absolute.year_levers(2030, BASE_BEV, reference_grid_gco2e=20.0)
    assert high.grid_intensity_factor == 1.0


@pytest.mark.parametrize(("stem", "field", "value"), [("fuel_price", "change_eur_per_litre", 0.5),
                                                      ("carbon_price", "eur_per_tco2", 200.0)])
def test_fuel_and_carbon_prices_give_fewer_combustion_car_trips(tmp_path, city, base, stem,
                                                                field, value):
    _, params, out, _ = model(load(tmp_path, city, [measure(stem, city, **{field: value})]))
    assert params.cost_per_km[CAR_ICE] > base[1].cost_per_km[CAR_ICE]
    assert params.cost_per_km[CAR_EV] == base[1].cost_per_km[CAR_EV]
    assert mode_trips(out, CAR_ICE) < mode_trips(base[2], CAR_ICE)


def test_ev_sales_share_electrifies_the_fleet_and_car_trips(tmp_path, city, base):
    loaded = load(tmp_path, city, [measure("ev_sales_share", city)])
    years = list(range(2025, YEAR + 1))
    shares = {y: loaded.year_levers(y, BASE_BEV).bev_sales_share for y in years}
    assert shares[2025] == BASE_BEV and shares[2030] == 1.0
    inputs, _, out, _ = model(loaded)
    # the vintage fleet electrifies: more of the car-available residents' car is electric
    assert inputs.origin_avail[0, CAR_EV].max() > base[0].origin_avail[0, CAR_EV].max()
    assert mode_trips(out, CAR_EV) > mode_trips(base[2], CAR_EV)


def test_bus_electrification_raises_the_bus_sales_share(tmp_path, city):
    loaded = load(tmp_path, city, [measure("bus_electrification", city)])
    assert loaded.year_levers(2025, BASE_BEV).bus_bev_sales_share is None
    assert loaded.year_levers(2030, BASE_BEV, baseline_bus_bev_sales=0.2).bus_bev_sales_share == 1
    half = loaded.year_levers(2028, BASE_BEV, baseline_bus_bev_sales=0.2).bus_bev_sales_share
    assert half == pytest.approx(0.6)
    assert loaded.year_levers(2028, BASE_BEV).bev_sales_share == BASE_BEV
