"""The Commission's SUMP indicators (SUMI) from a run: definitions, proxies and the export."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from mobility_sim.kernels.spec import SEGMENTS

from mobility_sim.indicators import fatality_rates, poorest_quarter_income
from mobility_sim.scenario import load_scenario
from mobility_sim.simulate import simulate

HALF_FARES = """\
name: sumi-test
city: helsinki
years: {start: 2025, end: 2027}
measures:
  - {type: pt_fare, label: Half fares, start: 2026, profile: step, factor: 0.5}
  - {type: pt_frequency, label: Frequent PT, start: 2026, profile: step, headway_factor: 0.5}
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("sumi")
    path = root / "half_fares.yaml"
    path.write_text(HALF_FARES, encoding="utf-8")
    loaded = load_scenario(path)
    return loaded, simulate(loaded)


def _value(sumi: pd.DataFrame, name: str, year: int, case: str = "scenario") -> float:
    rows = sumi[(sumi["name"] == name) & (sumi["year"] == year) & (sumi["case"] == case)]
    assert len(rows) == 1, (name, year, case)
    return float(rows["value"].iloc[0])


def test_greenhouse_gas_and_modal_split_follow_the_commissions_definitions(run):
    _, r = run
    s = r.summary.set_index("year")
    ghg = _value(r.sumi, "Greenhouse gas emissions", 2027)
    assert ghg == pytest.approx(s.loc[2027, "territorial_co2_wtw_t"] / s.loc[2027, "population"])
    split = r.sumi[(r.sumi["name"].str.startswith("Modal split by trips"))
                   & (r.sumi["year"] == 2027) & (r.sumi["case"] == "scenario")]
    assert split["value"].sum() == pytest.approx(100.0)


def test_road_deaths_are_passenger_km_times_the_fatality_rates(run):
    _, r = run
    rates = fatality_rates("FIN")
    pkm = r.modes[r.modes["year"] == 2027].set_index("mode")["pkm"]
    deaths = (rates["car"][0] * (pkm["car_ice"] + pkm["car_ev"]) + rates["walk"][0]
              * pkm["walk"] + rates["bike"][0] * (pkm["bike"] + pkm["ebike"])
              + rates["pt"][0] * pkm["pt"]) / 1e9
    pop = float(r.summary.set_index("year").loc[2027, "population"])
    assert _value(r.sumi, "Road deaths", 2027) == pytest.approx(deaths / pop * 1e5)
    assert "median of" in rates["bike"][1]  # no Finnish cyclist rate: the countries' median
    walk_trips = float(r.modes[r.modes["year"] == 2027].set_index("mode").loc["walk", "trips"])
    assert _value(r.sumi, "Traffic safety active modes: pedestrians", 2027) == pytest.approx(
        rates["walk"][0] * pkm["walk"] / walk_trips)


def test_half_fares_halve_the_cost_of_a_pass_for_the_poorest_quarter(run):
    _, r = run
    name = "Affordability of public transport for the poorest quarter"
    before, after = _value(r.sumi, name, 2025), _value(r.sumi, name, 2027)
    assert after == pytest.approx(before / 2.0)
    assert _value(r.sumi, name, 2027, "reference") == pytest.approx(before)
    income = poorest_quarter_income("FIN")
    assert income is not None
    assert before == pytest.approx(100.0 * 12 * 66.6 / income[0])  # HSL AB 30-day ticket


def test_more_frequent_pt_gives_more_residents_access(run):
    _, r = run
    name = "Access to mobility services"
    assert _value(r.sumi, name, 2027) > _value(r.sumi, name, 2027, "reference")
    assert _value(r.sumi, name, 2025) == pytest.approx(_value(r.sumi, name, 2025, "reference"))
    scopes = set(r.sumi["scope"])
    assert {"proxy", "Commission's definition"} <= scopes


def test_the_sumi_export_has_one_column_per_year(run, tmp_path):
    from typer.testing import CliRunner

    from mobility_sim.cli import app

    _, r = run
    folder = r.save(tmp_path / "run")
    out = tmp_path / "sumi.csv"
    result = CliRunner().invoke(app, ["export", str(folder), "--sumi", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert {"indicator", "name", "unit", "case", "scope", "how", "2025", "2027"} <= set(
        table.columns)
    assert np.isfinite(table["2027"]).all()
    bad = CliRunner().invoke(app, ["export", str(folder)])
    assert bad.exit_code != 0 and "--sumi" in bad.output


def test_cheaper_and_more_frequent_pt_is_a_gain_for_residents_without_a_car(run):
    from mobility_sim.analysis.store import job_table
    from mobility_sim.indicators import consumer_surplus, whole_grid

    _, r = run
    cs = consumer_surplus(r.welfare, by="car_class").set_index(["year", "car_class"])
    cs = cs["consumer_surplus_eur"]
    assert cs.loc[(2025, "no_car")] == pytest.approx(0.0, abs=1e-6)  # before the measures
    assert cs.loc[(2027, "no_car")] > 0 and cs.loc[(2027, "car_available")] > 0
    by_income = consumer_surplus(r.welfare, by="income_group")
    assert set(by_income["income_group"]) == {"low", "middle", "high"}
    assert by_income.groupby("year")["consumer_surplus_eur"].sum().loc[2027] == pytest.approx(
        cs.loc[2027].sum())
    table = job_table(r)
    assert {f"welfare_eur.{s}" for s in SEGMENTS} <= set(table.columns)
    money = whole_grid(r.spending[(r.spending["case"] == "scenario")
                                  & (r.spending["year"] == 2027)])
    items = ["fuel_eur", "electricity_eur", "fares_eur", "parking_and_zone_charges_eur",
             "cordon_charges_eur"]
    low = money.loc[money["segment"] == "no_car.low", items].to_numpy().sum()
    assert table.set_index("year").loc[2027, "spending_eur.no_car.low"] == pytest.approx(low)
    # each group's health value of walking and cycling adds up to the city's (HEAT is linear
    # in the minutes walked and cycled below its cap)
    city = r.health[r.health["year"] == 2027]
    assert (city["risk_reduction"] < 0.3).all()  # below the caps: the linear part
    assert money["health_value_eur"].sum() == pytest.approx(city["value_eur"].sum(), rel=1e-9)
    # the job table's welfare: per trip, on the first year's trips grown with the residents
    scen = r.welfare[r.welfare["case"] == "scenario"]
    low = scen[scen["segment"] == "no_car.low"].set_index(["year", "cell_id"])
    per_trip = low["welfare_eur"] / low["trips"]
    pop = r.summary.set_index("year")["population"]
    expected = (per_trip.loc[2027] * low.loc[2025, "trips"]).sum() * pop[2027] / pop[2025]
    assert table.set_index("year").loc[2027, "welfare_eur.no_car.low"] == pytest.approx(
        expected, rel=1e-12)


@pytest.mark.parametrize("occupancy", [1.6, 3.2])
def test_residents_pay_their_cars_running_cost_once(tmp_path, occupancy):
    # a car's running cost is shared by its occupants: over all residents, the fuel money is
    # the combustion cars' vehicle-km times the vehicle's cost per km, at any occupancy; and
    # the parking and cordon charges per person are the vehicle's over the occupancy
    from mobility_sim.kernels.reference import demand_reference
    from mobility_sim.kernels.spec import CAR_ICE, CAR_MODES

    from mobility_sim.city.synthetic import synthetic_city
    from mobility_sim.data.typed_parameters import ModelParameters
    from mobility_sim.indicators import money_by_cell
    from mobility_sim.model.parameters import resolve_parameters
    from mobility_sim.model.years import setup_run, year_inputs

    path = tmp_path / "occupancy.yaml"
    path.write_text("name: occupancy\ncity: synthetic\nyears: {start: 2025, end: 2026}\n"
                    f"parameters: {{car.occupancy: {occupancy}}}\n"
                    "measures:\n  - {type: cordon_charge, label: Cordon, start: 2026, "
                    "profile: step, eur_per_trip: 6.0, area: {zone: centre}}\n",
                    encoding="utf-8")
    loaded = load_scenario(path, city=synthetic_city(36, kind="polycentric", seed=1))
    p = resolve_parameters(loaded.city, loaded.scenario.parameters)
    setup = setup_run(loaded.city, p, loaded.scenario.measures, loaded.masks, [2025, 2026])
    inputs, params = year_inputs(setup, 2026)
    out = demand_reference(inputs, params)
    n = loaded.city.n_cells
    money = money_by_cell(out, inputs, params, n)
    vehicle_cost = ModelParameters.of(p).car.cost_per_km_ice
    assert money["fuel"].sum() == pytest.approx(out.vkm[:n, CAR_ICE].sum() * vehicle_cost,
                                                rel=1e-12)
    car = list(CAR_MODES)
    np.testing.assert_allclose(params.cordon_charge[car], 6.0 / 2 / occupancy)
    assert money["parking_and_zone_charges"].sum() > 0


def test_a_zone_charge_on_cars_is_a_loss_for_car_owners(tmp_path):
    from mobility_sim.city.synthetic import synthetic_city
    from mobility_sim.indicators import consumer_surplus, whole_grid
    from mobility_sim.report.equity_figures import spending_by_area_html

    path = tmp_path / "charge.yaml"
    path.write_text("name: charge\ncity: synthetic\nyears: {start: 2025, end: 2026}\n"
                    "measures:\n  - {type: cordon_charge, label: Cordon, start: 2026, "
                    "profile: step, eur_per_trip: 6.0, area: {zone: centre}}\n",
                    encoding="utf-8")
    loaded = load_scenario(path, city=synthetic_city(36, kind="polycentric", seed=1))
    r = simulate(loaded, engine="reference")
    cs = consumer_surplus(r.welfare, by="car_class").set_index(["year", "car_class"])
    cs = cs["consumer_surplus_eur"]
    assert cs.loc[(2026, "car_available")] < 0
    # the charge falls on those who drive: per trip, car owners lose more than the others
    trips = r.welfare[(r.welfare["year"] == 2026) & (r.welfare["case"] == "reference")]
    per_trip = cs.loc[2026] / trips.groupby(trips["segment"].str.split(".").str[0])["trips"].sum()
    assert per_trip["car_available"] < per_trip["no_car"]
    # and so does its money: the charges paid are the drivers', none before the charge starts
    spend = whole_grid(r.spending).set_index(["case", "year", "segment"]).sort_index()[
        "cordon_charges_eur"]
    assert (spend.loc["reference"] == 0).all() and (spend.loc[("scenario", 2025)] == 0).all()
    paid = spend.loc[("scenario", 2026)]
    assert (paid[[s for s in SEGMENTS if s.startswith("car_available")]] > 0).all()
    assert (paid[[s for s in SEGMENTS if s.startswith("no_car")]] == 0).all()
    # residents pay for at most every crossing leg of the cordon, per car (its occupants share
    # the charge), at the half charge an entry charge puts on each leg (visitors pay too)
    zone = r.zones[(r.zones["case"] == "scenario") & (r.zones["year"] == 2026)
                   & r.zones["vehicle"].isin(["car_ice", "car_ev"])]
    cars = float(2.0 * zone["vehicles_entering"].sum())  # each car entering crosses twice
    assert 0 < paid.sum() <= cars * 6.0 * 0.5 * (1 + 1e-9)
    # by area: the centre's residents pay part of it, leaving; the city's money per resident
    # is the money of the areas' residents put together
    areas = r.spending[(r.spending["case"] == "scenario") & (r.spending["year"] == 2026)]
    by_area = areas.groupby("area")[["residents", "cordon_charges_eur", "fuel_eur"]].sum()
    assert set(by_area.index) == {"modelled area", "centre"}
    assert 0 < by_area.loc["centre", "cordon_charges_eur"] < paid.sum()
    assert 0 < by_area.loc["centre", "residents"] < by_area.loc["modelled area", "residents"]
    assert by_area.loc["centre", "fuel_eur"] < by_area.loc["modelled area", "fuel_eur"]
    # and the dashboard's table by area shows the centre's residents' money per month
    html = spending_by_area_html(r.spending, 2026)
    row = html.split("<td>centre</td>")[1].split("</tr>")[0]
    cells = [c.split("</td>")[0].split(">")[-1] for c in row.split("<td")[1:]]
    centre = r.spending[(r.spending["year"] == 2026) & (r.spending["area"] == "centre")]
    money = [c for c in centre.columns if c.endswith("_eur") and c != "health_value_eur"]
    per_month = {case: one[money].to_numpy().sum() / one["residents"].sum() / 12.0
                 for case, one in centre.groupby("case")}
    assert cells[3] == f"{per_month['scenario'] - per_month['reference']:+,.2f}"
    assert spending_by_area_html(whole_grid(r.spending), 2026) == ""


def test_the_surplus_counts_the_reference_cases_residents_not_who_changed_segment():
    from mobility_sim.indicators import consumer_surplus

    rows = []
    for case, car_trips, no_car_trips in (("reference", 100.0, 100.0), ("scenario", 80.0, 120.0)):
        # the same welfare per trip in both cases: 3 EUR with a car, 1 EUR without
        rows += [{"year": 2030, "cell_id": 1, "segment": "car_available.low", "case": case,
                  "trips": car_trips, "welfare_eur": 3.0 * car_trips},
                 {"year": 2030, "cell_id": 1, "segment": "no_car.low", "case": case,
                  "trips": no_car_trips, "welfare_eur": 1.0 * no_car_trips}]
    welfare = pd.DataFrame(rows)
    # twenty trips moved to the car-free segment (car ownership fell): no surplus of its own
    assert consumer_surplus(welfare, by="total")["consumer_surplus_eur"].iloc[0] == 0.0
    # a better trip without a car: 0.5 EUR more per trip on the reference case's 100 trips
    welfare.loc[(welfare["case"] == "scenario") & (welfare["segment"] == "no_car.low"),
                "welfare_eur"] = 1.5 * 120.0
    by_class = consumer_surplus(welfare, by="car_class").set_index("car_class")
    assert by_class.loc["no_car", "consumer_surplus_eur"] == pytest.approx(50.0)
    assert by_class.loc["car_available", "consumer_surplus_eur"] == pytest.approx(0.0)
