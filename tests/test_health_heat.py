"""WHO HEAT (2017) physical-activity benefit: a textbook case computed by hand."""

import numpy as np
import pytest

from mobility_sim.data import parameters
from mobility_sim.exceptions import FleetParameterError
from mobility_sim.fleet.health import HeatMode, health_rows, health_value, minutes_per_week


def test_heat_values_are_those_of_facts_md():
    p = parameters()
    walk, bike = HeatMode.from_parameters("walk", p), HeatMode.from_parameters("bike", p)
    assert (walk.relative_risk, walk.reference_minutes, walk.cap) == (0.89, 168, 0.30)
    assert (bike.relative_risk, bike.reference_minutes, bike.cap) == (0.90, 100, 0.45)


def test_textbook_case_by_hand():
    # 100,000 residents; 70 % aged 20-74 with 0.5 % yearly mortality; they walk 84 min/week
    # on average. Hand calculation (WHO HEAT 2017, linear RR, cap 30 %):
    #   risk reduction = (1 - 0.89) x 84 / 168 = 0.055
    #   deaths prevented = 100,000 x 0.70 x 0.005 x 0.055 = 19.25 per year
    walk = HeatMode(relative_risk=0.89, reference_minutes=168, cap=0.30,
                    population_share=0.70, mortality_rate=0.005)
    assert walk.risk_reduction(84) == pytest.approx(0.055)
    assert walk.deaths_prevented(100_000, 84) == pytest.approx(19.25)
    # Cycling 150 min/week, 58 % aged 20-64 with 0.25 % mortality:
    #   (1 - 0.90) x 150 / 100 = 0.15; 100,000 x 0.58 x 0.0025 x 0.15 = 21.75
    bike = HeatMode(relative_risk=0.90, reference_minutes=100, cap=0.45,
                    population_share=0.58, mortality_rate=0.0025)
    assert bike.deaths_prevented(100_000, 150) == pytest.approx(21.75)


def test_caps_bind_above_the_capped_volumes():
    walk = HeatMode(0.89, 168, 0.30, 1.0, 0.01)
    bike = HeatMode(0.90, 100, 0.45, 1.0, 0.01)
    # walking reaches 30 % at 168 x 0.30 / 0.11 = 458.2 min; cycling 45 % at 450 min
    assert walk.risk_reduction(458.0) == pytest.approx(0.11 * 458 / 168)
    assert walk.risk_reduction(600.0) == 0.30
    assert bike.risk_reduction(450.0) == pytest.approx(0.45)
    assert bike.risk_reduction(1000.0) == 0.45
    assert bike.risk_reduction(0.0) == 0.0


def test_rows_from_daily_passenger_km():
    p = parameters()
    p.update({"health.walk.population_share": 0.7, "health.walk.mortality_rate": 0.005,
              "health.bike.population_share": 0.58, "health.bike.mortality_rate": 0.0025,
              "health.ebike_weight": 0.0})
    residents = 100_000.0
    # 84 min/week each at 4.5 km/h = 0.9 km per person per day: 90,000 pkm/day
    walk_pkm = residents * 84 / 7 / 60 * p["speed.walk"]
    bike_pkm = residents * 150 / 7 / 60 * p["speed.bike"]
    assert minutes_per_week(walk_pkm, p["speed.walk"], residents) == pytest.approx(84)
    rows = {r["mode"]: r for r in health_rows(2030, {"walk": walk_pkm, "bike": bike_pkm,
                                                     "ebike": 1e6}, residents, p)}
    assert rows["walk"]["deaths_avoided"] == pytest.approx(19.25)
    assert rows["bike"]["deaths_avoided"] == pytest.approx(21.75)
    assert rows["walk"]["value_eur"] == pytest.approx(19.25 * 3_387_000)
    assert rows["walk"]["population"] == pytest.approx(70_000)
    p["health.ebike_weight"] = 0.5
    more = {r["mode"]: r for r in health_rows(2030, {"walk": walk_pkm, "bike": bike_pkm,
                                                     "ebike": 1e5}, residents, p)}
    extra = 0.5 * minutes_per_week(1e5, p["speed.ebike"], residents)
    assert more["bike"]["minutes_per_week"] == pytest.approx(150 + extra)


def test_out_of_range_health_parameter_names_the_key():
    p = parameters()
    p["health.bike.cap"] = 1.5
    with pytest.raises(FleetParameterError, match=r"health\.bike\.cap = 1.5"):
        health_rows(2030, {"walk": 1.0, "bike": 1.0}, 10.0, p)


def test_the_value_of_many_groups_at_once_is_each_groups_rows():
    p = parameters()
    walk = np.array([0.0, 5e4, 2e6, 1e3])  # the third group walks past the cap
    bike = np.array([1e4, 0.0, 3e5, 1e3])
    residents = np.array([1e4, 2e4, 5e3, 0.0])  # the last has nobody: no value
    values = health_value({"walk": walk, "bike": bike}, residents, p)
    for k in range(walk.size):
        rows = health_rows(2030, {"walk": walk[k], "bike": bike[k]}, residents[k], p)
        assert values[k] == pytest.approx(sum(r["value_eur"] for r in rows), rel=1e-12)
    assert values[3] == 0.0
    assert health_rows(2030, {"walk": 2e6}, 5e3, p)[0]["risk_reduction"] == pytest.approx(0.3)


def test_walks_to_and_from_pt_stops_by_hand():
    from mobility_sim.fleet.health import pt_walk_km

    # 100 PT trips from cell 0 (6 min to its stop) and 50 from cell 1 (2 min); the day's PT
    # trips arrive 3 in 4 at cell 0 and 1 in 4 at cell 1: 5 min at the far end on average.
    km = pt_walk_km(np.array([100.0, 50.0]), np.array([6.0, 2.0]), np.array([30.0, 10.0]), 4.8)
    assert km == pytest.approx([100 * 11 / 60 * 4.8, 50 * 7 / 60 * 4.8])
    assert pt_walk_km(np.zeros(2), np.ones(2), np.zeros(2), 4.8).sum() == 0.0


def test_a_run_counts_the_walks_of_its_pt_trips_as_walking(tmp_path):
    from mobility_sim.city.synthetic import synthetic_city
    from mobility_sim.data.typed_parameters import ModelParameters
    from mobility_sim.scenario import load_scenario
    from mobility_sim.simulate import simulate

    city = synthetic_city(36, kind="polycentric", seed=1)
    path = tmp_path / "walk_to_pt.yaml"
    path.write_text("name: walk-to-pt\ncity: synthetic\nyears: {start: 2025, end: 2025}\n",
                    encoding="utf-8")
    r = simulate(load_scenario(path, city=city), engine="reference")
    modes = r.modes[r.modes["year"] == 2025].groupby("mode")[["trips", "pkm"]].sum()
    mp = ModelParameters.of(parameters())
    walk_only = minutes_per_week(float(modes.loc["walk", "pkm"]) / mp.annual.days_per_year,
                                 mp.speed.walk, city.population)
    walk = r.health[r.health["mode"] == "walk"].iloc[0]
    assert modes.loc["pt", "trips"] > 0
    assert walk["minutes_per_week"] > walk_only * 1.01  # the walks to the stops are added
