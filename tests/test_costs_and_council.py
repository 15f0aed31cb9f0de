"""Measure costs, appraisal and the council page: cash flows, unit costs, EUR per tonne, band."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.data import read_table
from mobility_sim.economics import PRICE_YEAR, Prices, UnitCosts, appraise, appraise_run
from mobility_sim.economics.cashflow import (
    CostLines,
    Flow,
    Investment,
    Running,
    annuity_factor,
    discount_factors,
    yearly_money,
)
from mobility_sim.economics.rules import RULES
from mobility_sim.scenario import load_scenario
from mobility_sim.scenario.levers import intensity
from mobility_sim.simulate import simulate

YEARS = list(range(2025, 2051))


class _Step:
    start, profile, full_year = 2030, "step", 2030


class _Ramp:
    start, profile, full_year = 2026, "linear", 2035


def test_investment_is_renewed_and_its_remaining_life_credited_back():
    lines = CostLines([Investment("asset", 100.0, 12.0, "test")])
    money = yearly_money(lines, lambda y: intensity(_Step(), y), YEARS)
    spent = dict(zip(money.years, money.capex, strict=True))
    assert spent[2030] == 100.0 and spent[2042] == 100.0 and spent[2029] == 0.0
    # bought again in 2042, used 2042-2050 (9 of 12 years): a quarter is left after 2050
    assert money.residual[-1] == pytest.approx(25.0)
    assert money.capex.sum() == pytest.approx(200.0)


def test_investment_of_a_ramped_measure_follows_its_rise():
    lines = CostLines([Investment("lanes", 90.0, math.inf, "test")])
    money = yearly_money(lines, lambda y: intensity(_Ramp(), y), YEARS)
    assert money.capex.sum() == pytest.approx(90.0)
    assert money.capex[YEARS.index(2027)] == pytest.approx(10.0)  # a ninth a year
    assert money.residual.sum() == 0.0  # no stated life: nothing credited back


def test_running_costs_follow_intensity_and_flows_are_revenue():
    lines = CostLines([Running("ops", 10.0, "t"), Flow("fees", {2025: -4.0, 2050: -4.0}, "t")])
    money = yearly_money(lines, lambda y: intensity(_Step(), y), YEARS)
    assert money.opex[YEARS.index(2029)] == 0 and money.opex[YEARS.index(2031)] == 10.0
    assert np.allclose(money.revenue, 4.0)
    assert np.allclose(money.net, money.opex - 4.0)


def test_annualised_cost_has_the_same_present_value():
    years = np.arange(2025, 2051)
    for rate in (0.0, 0.03, 0.05):
        pv = float(np.sum(1000.0 * discount_factors(years, rate)))
        assert 1000.0 * annuity_factor(rate, years.size) == pytest.approx(pv)


def test_unit_cost_is_the_median_of_published_figures_at_the_countrys_price_level():
    prices = Prices.load()
    evidence = read_table("measure_unit_costs.csv")
    rows = evidence[evidence["rule_key"] == "pt.bus.opex_per_vkm"]
    eu = sorted(prices.to_eur(r.value, r.currency, int(r.price_year))
                / prices.price_level(r.iso3) for r in rows.itertuples())
    fin = UnitCosts("FIN", prices).get("pt.bus.opex_per_vkm")
    assert fin.value == pytest.approx(float(np.median(eu)) * prices.price_level("FIN"))
    assert "median of 3 published figures" in fin.text
    pol = UnitCosts("POL", prices).get("pt.bus.opex_per_vkm")
    assert pol.value < fin.value  # Poland's price level is lower than Finland's


def test_prices_bring_other_years_and_currencies_to_one_base():
    prices = Prices.load()
    assert prices.to_eur(100.0, "EUR", PRICE_YEAR) == pytest.approx(100.0)
    assert prices.to_eur(100.0, "EUR", 2015) > 120.0  # EU27 HICP 2015 -> 2023: +26.5 %
    assert prices.to_eur(100.0, "GBP", 2023) == pytest.approx(114.971, rel=1e-4)
    assert prices.discount_rate() == pytest.approx(0.03)


def test_every_unit_cost_row_has_a_source_and_a_status():
    table = read_table("measure_unit_costs.csv")
    assert table["source"].notna().all()
    assert set(table["status"]) <= {"found", "derived", "assumption", "not_found"}
    used = table[table["rule_key"].notna() & (table["rule_key"] != "")]
    assert (used["status"] != "not_found").all()
    assert used["value"].notna().all()


def test_a_missing_unit_cost_is_not_costed_rather_than_free():
    with pytest.raises(KeyError):
        UnitCosts("FIN").get("no.such.key")


def _fake(measures, npc_lines, cuts):
    """Appraise fake measures whose cut per year is constant."""
    names = [m.type for m in measures]
    rows = []
    for name, cut in zip(names, cuts, strict=True):
        for y in (2025, 2050):
            rows.append({"year": y, "output": "territorial_co2_wtw_t", "measure": name,
                         "contribution": -cut})
    return appraise(measures, names, npc_lines, lambda m, y: 1.0, [2025, 2050],
                    discount_rate=0.03, prices=Prices.load(), country="FIN",
                    area_type="metropolitan", contributions=pd.DataFrame(rows))


class _M:
    def __init__(self, t):
        self.type = t


def test_eur_per_tonne_is_cost_over_discounted_tonnes_and_not_costed_stays_empty():
    lines = [CostLines([Running("a", 1000.0, "t")]), CostLines([Running("b", 100.0, "t")]),
             CostLines(note="not costed: test")]
    a = _fake([_M("a"), _M("b"), _M("c")], lines, [10.0, 10.0, 5.0])
    t = a.measures.set_index("measure")
    assert t.loc["a", "eur_per_t"] == pytest.approx(100.0)  # same discounting of both
    assert t.loc["b", "eur_per_t"] == pytest.approx(10.0)
    assert math.isnan(t.loc["c", "eur_per_t"]) and not t.loc["c", "costed"]
    macc = a.macc()
    assert list(macc["measure"]) == ["b", "a"]
    assert macc["end_t"].iloc[-1] == pytest.approx(520.0)


def test_every_city_measure_type_has_a_rule_or_a_stated_reason():
    from mobility_sim.economics.rules import NATIONAL, NOT_COSTED
    from mobility_sim.scenario.models import MEASURE_TYPES

    for kind in MEASURE_TYPES:
        assert kind in RULES or kind in NATIONAL or kind in NOT_COSTED, kind


PACKAGE = """\
name: council-test
city: synthetic
years: {start: 2025, end: 2030}
target: {year: 2030, reduction: 0.1}
measures:
  - {type: ev_sales_share, label: EV sales, start: 2025, end: 2028, share: 0.9}
  - {type: pt_frequency, label: Central PT, start: 2026, profile: step, headway_factor: 0.5,
     area: {zone: centre}}
  - {type: cordon_charge, label: Cordon, start: 2026, profile: step, eur_per_trip: 4.0,
     area: {zone: centre}}
  - {type: telework, label: Telework, start: 2025, end: 2028, share: 0.1}
  - {type: car_occupancy, label: Carpool, start: 2026, profile: step, persons_per_car: 1.8}
  - {type: electric_vans, label: E-vans, start: 2025, end: 2028, share: 0.9}
"""


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    city = synthetic_city(36, kind="polycentric", seed=1)
    path = tmp_path_factory.mktemp("council") / "package.yaml"
    path.write_text(PACKAGE, encoding="utf-8")
    loaded = load_scenario(path, city=city)
    return loaded, simulate(loaded, engine="reference")


def test_costs_follow_the_run_cordon_revenue_and_pt_service(package):
    loaded, results = package
    a = appraise_run(loaded, results).measures.set_index("measure")
    assert a.loc["Cordon", "revenue_eur"] > 0  # cars, vans and lorries entering x charge
    lines = appraise_run(loaded, results).lines
    assert {"charge revenue", "charge revenue from vans and lorries"} <= set(
        lines.loc[lines["measure"] == "Cordon", "line"])
    assert a.loc["Central PT", "opex_eur"] > 0
    assert a.loc["Telework", "capex_eur"] > 0  # a programme reaching the employees (TFMM)
    assert a.loc["EV sales", "capex_eur"] > 0  # public charge points for the extra EVs
    assert a.loc["EV sales", "opex_eur"] > 0  # and their maintenance
    assert a.loc["Carpool", "opex_eur"] > 0  # incentives per shared ride (Ile-de-France)
    assert a.loc["E-vans", "opex_eur"] > 0  # subsidies for the vans bought beyond the reference


def test_the_cordon_earns_its_charge_on_every_crossing_leg_as_the_kernel_charges_it(package):
    # the model's trips are one-way legs counted from the home end: an outsider's visit is two
    # legs entering, a resident's trip out two legs leaving; with entries charged each leg
    # pays half the charge (CordonCharge.legs_factor), as in the kernel
    from mobility_sim.economics import cost_context
    from mobility_sim.economics.rules import cost_lines

    loaded, results = package
    index = [m.display_label for m in loaded.scenario.measures].index("Cordon")
    measure = loaded.scenario.measures[index]
    assert measure.legs_factor == 0.5
    lines = cost_lines(measure, loaded.masks[index], cost_context(loaded, results))
    revenue = next(item for item in lines.items if item.name == "charge revenue").eur
    z = results.zones
    cars = z[(z["zone"] == "Cordon") & (z["case"] == "scenario") & (z["year"] == 2027)
             & z["vehicle"].isin(["car_ice", "car_ev"])]
    assert cars["trips_leaving"].sum() > 0 and cars["trips_entering"].sum() > 0
    # every car entering crosses twice (in and out): each crossing leg pays half the charge
    vehicles = 2.0 * cars["vehicles_entering"]
    assert -revenue[2027] == pytest.approx(float(vehicles.sum()) * 4.0 * 0.5, rel=1e-12)


def _first_measure_line(tmp_path, measures: str, line: str):
    """Run ``measures`` (YAML list items) on the synthetic city, 2025-2027, with the reference
    engine; return the first measure's cost line named ``line`` (EUR by year), the cost
    context, the measure's cells and the results."""
    from mobility_sim.economics import cost_context
    from mobility_sim.economics.rules import cost_lines

    path = tmp_path / "revenue.yaml"
    path.write_text("name: revenue\ncity: synthetic\nyears: {start: 2025, end: 2027}\n"
                    "measures:\n" + measures, encoding="utf-8")
    loaded = load_scenario(path, city=synthetic_city(36, kind="polycentric", seed=1))
    results = simulate(loaded, engine="reference")
    ctx = cost_context(loaded, results)
    mask = loaded.masks[0]
    lines = cost_lines(loaded.scenario.measures[0], mask, ctx)
    return next(item for item in lines.items if item.name == line).eur, ctx, mask, results


@pytest.mark.parametrize(("discount", "residents_pay"), [(None, 1.0), (0.9, 0.1)])
def test_a_charging_zone_earns_half_its_charge_per_visit_on_every_leg_ending_in_it(
        tmp_path, discount, residents_pay):
    # a zone's charge is per visit, like parking: each combustion-car leg ending in the zone,
    # from outside or from within it, carries half of it (the kernel's dest_cost); with a
    # residents' discount (90 %: London's congestion charge's) the legs within the zone (its
    # residents') pay their share of it, the legs entering it in full
    spared = "" if discount is None else f" residents_discount: {discount},"
    revenue, _, _, results = _first_measure_line(
        tmp_path,
        "  - {type: low_emission_zone, label: Zone, start: 2026, profile: step, rule: charge,\n"
        f"     charge_eur_per_trip: 6.0, affected_share: 0.5, compliance: 0.8,{spared}\n"
        "     area: {zone: centre}}\n", "charge revenue")
    z = results.zones
    ice = z[(z["zone"] == "Zone") & (z["case"] == "scenario") & (z["year"] == 2027)
            & (z["vehicle"] == "car_ice")].iloc[0]
    assert ice["trips_within"] > 0 and ice["trips_entering"] > 0
    per_person = 2.0 * ice["vehicles_entering"] / (ice["trips_entering"] + ice["trips_leaving"])
    legs = (ice["trips_entering"] + residents_pay * ice["trips_within"]) * per_person
    assert -revenue[2027] == pytest.approx(legs * 0.5 * 0.8 * 6.0 / 2.0, rel=1e-12)


def test_parking_revenue_counts_cars_at_the_year_s_occupancy(tmp_path):
    # the cars parking are the car legs ending in the zone in vehicles, at the persons per car
    # of the year: a carpooling measure of the same run (3.2 persons) halves the cars per trip
    revenue, ctx, mask, results = _first_measure_line(
        tmp_path,
        "  - {type: parking_price, label: Parking, start: 2026, profile: step, eur_per_hour: 6.0,"
        "\n     area: {zone: centre}}\n"
        "  - {type: car_occupancy, label: Carpool, start: 2026, profile: step,"
        " persons_per_car: 3.2}\n", "parking revenue")
    z = results.zones
    cars = z[(z["zone"] == "centre") & (z["case"] == "scenario") & (z["year"] == 2027)
             & z["vehicle"].isin(["car_ice", "car_ev"])]
    persons = float((cars["trips_entering"] + cars["trips_within"]).sum())
    before = np.average(ctx.parking_eur_per_hour[mask], weights=ctx.population[mask])
    paid_h = ctx.params["parking.dwell_h.other"] * ctx.params["parking.paid_share.other"]
    assert persons > 0
    assert -revenue[2027] == pytest.approx(persons / 3.2 * paid_h * (6.0 - before), rel=1e-9)


def test_council_tables_add_up_and_fill_the_dashboard(package, tmp_path):
    from mobility_sim.analysis.council import council, save_council
    from mobility_sim.report import write_dashboard
    from mobility_sim.report.council_tables import read_council

    loaded, results = package
    result = council(loaded, results, samples=3, engine="reference", progress=False)
    out = result.appraisal.output
    c = result.contributions[result.contributions["output"] == out]
    summed = c.groupby("year")["contribution"].sum()
    effect = result.totals[result.totals["output"] == out].set_index("year")["effect"]
    assert np.allclose(summed, effect.loc[summed.index], rtol=1e-9, atol=1e-6)
    assert set(result.band["quantile"]) == {0.05, 0.25, 0.5, 0.75, 0.95}
    first = result.band[result.band["year"] == 2025]
    assert np.allclose(first["change_vs_first"], 0.0)  # each run against its own first year
    assert 0.0 <= result.info["chance_met"] <= 1.0
    folder = save_council(result, tmp_path / "council")
    plan = pd.read_csv(folder / "action_plan_by_year.csv")
    assert {"measure", "year", "net_eur", "co2e_abated_t"} <= set(plan.columns)
    html = write_dashboard(results, tmp_path / "d.html", council=read_council(folder)
                           ).read_text(encoding="utf-8")
    assert "For the council" in html and "council-macc" in html
    assert "Not available in this run" not in html.split('id="cobenefits"')[1].split(
        "</section>")[0]
    assert result.appraisal.measures["costed"].all()  # EUR per tonne for every measure
    assert "not costed" not in html
    assert 'id="equity"' in html and "By measure" in html  # who gains and who pays, per measure
    assert "Money for trips by measure" in html  # what each measure changes in what they pay
    money = result.contributions[result.contributions["output"].str.startswith("spending_eur.")]
    cordon = money[(money["measure"] == "Cordon") & (money["year"] == 2027)]
    paid = cordon.set_index("output")["contribution"]
    # the cordon charge is paid by those who drive, the more the richer (more of them drive)
    drivers = paid[[f"spending_eur.car_available.{g}" for g in ("low", "middle", "high")]]
    assert drivers.gt(0).all()


def test_the_packaged_band_parameters_are_the_morris_screened_ones():
    from mobility_sim.analysis.distributions import read_distributions

    root = Path(__file__).resolve().parents[1] / "mobility_sim" / "data"
    chosen = read_distributions(root / "uncertain_parameters.yaml").names
    candidates = read_distributions(root / "uncertain_parameters_candidates.yaml").names
    assert set(chosen) < set(candidates) and len(chosen) >= 5
    helsinki = read_distributions(root.parents[1] / "scenarios" / "uncertainty"
                                  / "helsinki_sump_package.yaml").names
    assert set(chosen) <= set(helsinki)  # the shipped package file samples what matters


def test_eur_per_tonne_hardly_depends_on_the_end_year():
    """Residual values and discounted tonnes: a 20-year asset cutting 10 t a year costs about
    the same per tonne whether the horizon ends in 2040 or 2050."""
    lines = [CostLines([Investment("asset", 1e6, 20.0, "t")])]

    def per_t(end: int) -> float:
        rows = [{"year": y, "output": "territorial_co2_wtw_t", "measure": "a",
                 "contribution": -10.0} for y in (2025, end)]
        a = appraise([_M("a")], ["a"], lines, lambda m, y: 1.0 if y >= 2025 else 0.0,
                     [2025, end], discount_rate=0.03, prices=Prices.load(), country="FIN",
                     area_type="metropolitan", contributions=pd.DataFrame(rows))
        return float(a.measures["eur_per_t"].iloc[0])

    assert per_t(2040) == pytest.approx(per_t(2050), rel=0.05)


def test_a_scenario_cost_of_zero_is_costed_at_zero_not_unknown(monkeypatch):
    from mobility_sim.economics import rules
    from mobility_sim.scenario.models import MEASURE_TYPES

    monkeypatch.delitem(rules.RULES, "telework")  # a type without a rule
    telework = MEASURE_TYPES["telework"](type="telework", start=2026, share=0.1,
                                         cost={"capex_eur": 0.0})
    lines = rules.cost_lines(telework, np.ones(1, bool), None)  # type: ignore[arg-type]
    assert lines.items and lines.note.startswith("the scenario's own")
    bare = MEASURE_TYPES["telework"](type="telework", start=2026, share=0.1)
    unknown = rules.cost_lines(bare, np.ones(1, bool), None)  # type: ignore[arg-type]
    assert not unknown.items and unknown.note == "no cost rule for this measure type"


def test_an_impossible_discount_rate_is_refused_before_any_cost(package):
    from mobility_sim.exceptions import AnalysisError

    loaded, results = package
    for rate in (-1.0, 3.0):  # 3.0 is 300 %: a percentage typed for a share
        with pytest.raises(AnalysisError, match=r"--discount-rate .*e\.g\. 0\.03"):
            appraise_run(loaded, results, discount_rate=rate)


def test_car_sharing_stations_cover_the_promised_share_of_the_area():
    from types import SimpleNamespace

    from mobility_sim.economics.rules import cost_lines
    from mobility_sim.scenario.models import MEASURE_TYPES

    units = UnitCosts("AUT", Prices.load())
    ctx = SimpleNamespace(units=units, cell_km2=1.0)
    mask = np.zeros(40, bool)
    mask[:10] = True  # 10 km2
    measure = MEASURE_TYPES["car_sharing"](type="car_sharing", start=2026, coverage=0.5)
    lines = cost_lines(measure, mask, ctx)  # type: ignore[arg-type]
    (station,) = lines.items
    catchment = units.get("car_sharing.station_catchment_km2").value
    assert catchment == pytest.approx(math.pi * 0.4 ** 2, rel=1e-3)
    stations = 0.5 * 10.0 / catchment
    assert station.eur == pytest.approx(
        stations * units.get("car_sharing.capex_per_station").value)
    assert station.lifetime_years == units.get("car_sharing.lifetime").value
    assert "running costs are not costed" in lines.note
    full = MEASURE_TYPES["car_sharing"](type="car_sharing", start=2026, coverage=1.0)
    assert cost_lines(full, mask, ctx).items[0].eur == pytest.approx(2 * station.eur)  # type: ignore[arg-type]


def test_telework_is_costed_as_a_programme_reaching_the_employees_it_needs():
    from types import SimpleNamespace

    from mobility_sim.economics.rules import cost_lines
    from mobility_sim.scenario.models import MEASURE_TYPES

    units = UnitCosts("NLD", Prices.load())
    per_employee = units.get("telework.programme_cost_per_employee_reached").value
    effect = units.get("telework.effect_per_employee_reached").value
    ctx = SimpleNamespace(units=units, jobs=np.full(10, 1000.0))
    mask = np.ones(10, bool)

    def programme(share: float) -> Investment:
        m = MEASURE_TYPES["telework"](type="telework", start=2026, share=share)
        (line,) = cost_lines(m, mask, ctx).items  # type: ignore[arg-type]
        return line

    small = programme(effect / 2)  # half the programme's measured effect: half the employees
    assert small.eur == pytest.approx(5000.0 * per_employee)
    assert small.lifetime_years == units.get("telework.programme_years").value == 4
    large = programme(0.3)  # beyond the measured effect: every employee, and the page says so
    assert large.eur == pytest.approx(10000.0 * per_employee)
    assert "falls short" in large.source and "falls short" not in small.source


def test_densification_costs_the_homes_built_near_stops_instead_of_on_greenfield_land():
    from types import SimpleNamespace

    from mobility_sim.economics.rules import cost_lines
    from mobility_sim.scenario.models import MEASURE_TYPES

    units = UnitCosts("DEU", Prices.load())
    ctx = SimpleNamespace(units=units, population=np.array([1000.0, 2000.0, 4000.0, 8000.0]),
                          stop_distance_m=np.array([100.0, 900.0, 1200.0, 2000.0]))
    area = np.array([True, True, True, False])  # the last cell is outside the area
    m = MEASURE_TYPES["densification"](type="densification", start=2026, share=0.25,
                                       distance_m=500.0)
    lines = cost_lines(m, area, ctx)  # type: ignore[arg-type]
    (homes,) = lines.items
    persons = units.get("densification.persons_per_dwelling").value
    assert persons == pytest.approx(2.2)
    per_home = units.get("densification.public_cost_per_dwelling_vs_greenfield").value
    assert homes.eur == pytest.approx(0.25 * 6000.0 / persons * per_home)
    assert math.isinf(homes.lifetime_years)  # land development is not renewed
    assert "jobs moved near stops are not costed" in lines.note
    no_stop = np.array([False, True, True, False])  # no cell of the area near a stop: no move
    assert cost_lines(m, no_stop, ctx).items[0].eur == 0.0  # type: ignore[arg-type]


def test_a_delivery_window_costs_its_signs_and_enforcement_paid_by_its_penalties():
    from types import SimpleNamespace

    from mobility_sim.economics.rules import cost_lines
    from mobility_sim.scenario.models import MEASURE_TYPES

    units = UnitCosts("GBR", Prices.load())
    ctx = SimpleNamespace(units=units, street_km=np.array([5.0, 7.0, 100.0]))
    mask = np.array([True, True, False])
    peak = MEASURE_TYPES["delivery_window"](type="delivery_window", start=2026, moved_share=0.5,
                                            area={"zone": "centre"})
    lines = cost_lines(peak, mask, ctx)  # type: ignore[arg-type]
    signs, enforcement = lines.items
    assert signs.eur == pytest.approx(12.0 * units.get("speed_limit.capex_per_km").value)
    assert enforcement.eur_per_year == 0.0 and not lines.note
    night = MEASURE_TYPES["delivery_window"](type="delivery_window", start=2026, moved_share=0.5,
                                             window="night", area={"zone": "centre"})
    assert "receivers" in cost_lines(night, mask, ctx).note  # type: ignore[arg-type]


def test_damage_costs_prefer_the_country_and_say_when_a_wider_average_stands_in():
    prices = Prices.load()
    deu = prices.damage_cost("pm25", "DEU", "metropolitan")
    assert deu is not None and deu.value == pytest.approx(prices.to_eur(511600.0, "EUR", 2025))
    assert "UBA" in deu.text and "lower bound" not in deu.text
    handbook = prices.damage_cost("nox", "DEU", "urban")
    assert handbook is not None and "Handbook" in handbook.text
    assert handbook.value == pytest.approx(prices.to_eur(36800.0, "EUR", 2016))
    gbr = prices.damage_cost("nox", "GBR", "metropolitan")  # pounds of 2022
    assert gbr is not None and gbr.value == pytest.approx(prices.to_eur(17893.0, "GBP", 2022))
    assert "lower bound" in gbr.text
    fin = prices.damage_cost("pm25", "FIN", "urban")  # no Finnish value: the EU27 average
    assert fin is not None and "all emission sources" in fin.text and "lower bound" in fin.text
    assert fin.value < deu.value
    empty = Prices(prices.table[~prices.table["quantity"].str.startswith("damage_cost")])
    assert empty.damage_cost("nox", "DEU", "urban") is None


def test_cobenefits_value_a_fall_in_pollutants_at_their_damage_cost():
    from mobility_sim.economics import cobenefit_value

    prices = Prices.load()
    change = pd.DataFrame({"nox_t": [-1.0, -1.0], "pm25_t": [-0.1, -0.1]}, index=[2025, 2026])
    value = cobenefit_value(change, prices, "GBR", "urban", 0.0)
    nox = prices.damage_cost("nox", "GBR", "urban").value
    pm = prices.damage_cost("pm25", "GBR", "urban").value
    assert value == pytest.approx(2 * (nox + 0.1 * pm))
