"""Vintage fleet: survival curve, mass balance, inertia of sales shares, low-emission zones."""

import math

import numpy as np
import pytest

from mobility_sim.data import parameters
from mobility_sim.exceptions import FleetParameterError
from mobility_sim.fleet import FleetLevers, Survival, project_fleet
from mobility_sim.fleet.projection import survival_of
from mobility_sim.fleet.stock import initial_stock, step
from mobility_sim.fleet.tables import CAR_POWERTRAINS, shares

YEARS = list(range(2025, 2051))


def zone(share, rule=None, compliance=1.0):
    return {"lez_min_euro": rule or {"petrol": 4, "diesel": 6}, "lez_affected_share": share,
            "lez_compliance": compliance}


def run(bev=0.2, zones=None, growth=0.0, bus=None, **overrides):
    p = parameters()
    p["fleet.car.stock_growth"] = growth
    p.update(overrides)
    levers = [FleetLevers(y, bev, **(zones or {}).get(y, {})) for y in YEARS]
    buses = bus or {y: 300.0 for y in YEARS}
    return project_fleet(levers, "FIN", 100_000.0, buses, p)


def test_weibull_curve_has_the_stated_mean_and_median():
    s = Survival(18.1, 2.5, 40)
    assert s.scale == pytest.approx(18.1 / math.gamma(1.4))
    assert float(s.survival(s.median_lifetime)) == pytest.approx(0.5)
    # mean lifespan = integral of S(a) da
    ages = np.linspace(0.0, 200.0, 200_001)
    assert np.trapezoid(s.survival(ages), ages) == pytest.approx(18.1, rel=1e-4)
    rates = s.retirement_rates()
    assert rates[-1] == 1.0 and np.all(np.diff(rates[:-1]) > 0)  # Weibull k > 1: rising hazard


def test_bad_survival_parameters_are_reported():
    p = parameters()
    p["fleet.car.mean_lifetime_years"] = -3
    with pytest.raises(FleetParameterError, match=r"fleet\.car"):
        survival_of("car", p)


def test_initial_fleet_is_the_acea_mix_with_the_survival_age_profile():
    s = Survival(18.1, 2.5, 40)
    mix = shares("fleet_2024", CAR_POWERTRAINS)
    stock = initial_stock(2024, 1000.0, mix, CAR_POWERTRAINS, s)
    assert stock.total == pytest.approx(1000.0)
    for p, share in stock.shares().items():
        assert share == pytest.approx(mix[p])
    by_age = stock.by_age.sum(axis=1)
    np.testing.assert_allclose(by_age / by_age[0], s.survival(np.arange(41.0)))
    assert mix["bev"] == pytest.approx(0.023 / 0.890)  # ACEA 2.3 % over the listed 89.0 %


@pytest.mark.parametrize("growth", [0.0, 0.02, -0.03])
def test_mass_balance_every_year(growth):
    zones = {2030: zone(0.5)}
    fleet = run(bev=0.4, zones=zones, growth=growth)
    previous = None
    for year in YEARS:
        f = fleet[year]
        for stock in (f.car, f.bus):
            np.testing.assert_allclose(stock.stock, stock.survivors + stock.sales, rtol=1e-12)
            assert np.all(stock.by_age >= 0)
        if previous is not None:
            for now, before in ((f.car, previous.car), (f.bus, previous.bus)):
                np.testing.assert_allclose(
                    now.stock, before.stock - now.retired - now.early_retired + now.sales,
                    rtol=1e-9, atol=1e-6)
        expected = 100_000.0 * (1 + growth) ** (year - 2024)
        assert f.car.total == pytest.approx(expected, rel=1e-9)
        previous = f
    assert fleet[2030].car.early_retired.sum() > 0
    assert fleet[2030].car.early_retired[CAR_POWERTRAINS.index("bev")] == 0


def test_all_bev_sales_reach_the_fleet_on_the_survival_time_scale():
    s = Survival(18.1, 2.5, 40)
    fleet = run(bev=1.0)
    initial_bev = shares("fleet_2024", CAR_POWERTRAINS)["bev"]
    ages = np.arange(41.0)
    for year in (2025, 2030, 2035, 2040, 2050):
        t = year - 2024
        # share of the 2024 fleet still on the road after t years (steady-state age profile)
        remaining = s.survival(ages + t)[ages + t <= 40].sum() / s.survival(ages).sum()
        expected = 1.0 - remaining * (1.0 - initial_bev)
        assert fleet[year].car.shares()["bev"] == pytest.approx(expected, rel=1e-9)
    # inertia: a decade of 100 % BEV sales leaves the fleet well short of 100 %
    assert fleet[2034].car.shares()["bev"] < 0.6
    assert fleet[2025].car.shares()["bev"] < 0.1
    assert fleet[2050].car.shares()["bev"] > 0.9


def test_no_bev_sales_keep_the_bev_share_falling_as_they_retire():
    fleet = run(bev=0.0)
    assert fleet[2050].car.shares()["bev"] < fleet[2025].car.shares()["bev"]


def test_zone_replacements_come_forward_once_and_only_for_barred_cars():
    zones = {y: zone(0.4, compliance=0.9) for y in range(2030, 2051)}
    with_zone, without = run(bev=0.5, zones=zones), run(bev=0.5)
    early = {y: with_zone[y].car.early_retired.sum() for y in YEARS}
    assert early[2030] > 0 and all(early[y] == 0 for y in YEARS if y != 2030)
    assert with_zone[2030].car.early_retired[CAR_POWERTRAINS.index("bev")] == 0
    # replaced cars are bought new (a Euro 6 zone lets every new car in): younger, more BEV
    assert (with_zone[2030].car.mean_age() < without[2030].car.mean_age())[:-1].all()
    assert with_zone[2030].car.shares()["bev"] > without[2030].car.shares()["bev"]
    # size: reach 0.4 x 0.9 x replacement share 0.5 x the barred cars (petrol before Euro 4,
    # i.e. sold before 2006; diesel before Euro 6, sold before 2016), counted in 2030 after
    # that year's retirements
    car = without[2030].car
    ages = np.arange(car.by_age.shape[0])
    petrol = car.by_age[2030 - ages < 2006, CAR_POWERTRAINS.index("petrol")].sum()
    diesel = car.by_age[2030 - ages < 2016, CAR_POWERTRAINS.index("diesel")].sum()
    hybrid = car.by_age[2030 - ages < 2006, 2:4].sum()
    assert early[2030] == pytest.approx(0.4 * 0.9 * 0.5 * (petrol + diesel + hybrid), rel=1e-9)


def test_zero_emission_zone_replaces_barred_cars_with_electric_ones():
    rule = {"petrol": 99, "diesel": 99}
    zones = {y: zone(0.4, rule, compliance=0.9) for y in range(2030, 2051)}
    with_zone, without = run(bev=0.3, zones=zones), run(bev=0.3)
    early = with_zone[2030].car.early_retired.sum()
    assert early > 0
    bev = CAR_POWERTRAINS.index("bev")
    # the other buyers keep the year's mix; every replacement is battery-electric
    regular = with_zone[2030].car.sales.sum() - early
    assert with_zone[2030].car.sales[bev] == pytest.approx(0.3 * regular + early, rel=1e-9)
    assert with_zone[2030].car.sales_shares()["bev"] > 0.3
    # so the zone adds its early replacements to the electric fleet one for one (at the sales
    # mix, only 30 % of them would be electric)
    added = with_zone[2030].car.stock[bev] - without[2030].car.stock[bev]
    assert added == pytest.approx(early, rel=1e-9)


def test_euro_zone_replacements_follow_the_sales_mix():
    zones = {2030: zone(0.4)}
    fleet = run(bev=0.3, zones=zones)
    assert fleet[2030].car.sales_shares()["bev"] == pytest.approx(0.3, rel=1e-12)


def test_replacements_never_exceed_the_sales_of_a_shrinking_stock():
    s = Survival(18.1, 2.5, 40)
    start = initial_stock(2024, 1000.0, {"petrol": 1.0}, CAR_POWERTRAINS, s)
    early = np.zeros_like(start.by_age)
    early[10:, CAR_POWERTRAINS.index("petrol")] = 0.5
    nxt = step(start, 900.0, {"petrol": 1.0}, s.retirement_rates(), early, {"bev": 1.0})
    assert nxt.total == pytest.approx(900.0)
    assert nxt.sales[CAR_POWERTRAINS.index("bev")] == pytest.approx(nxt.sales.sum())


def test_tighter_or_wider_zone_retires_more_cars_early():
    zones = {2030: zone(0.2), 2031: zone(0.4), 2032: zone(0.4, {"petrol": 5, "diesel": 6})}
    fleet = run(bev=0.5, zones=zones)
    early = {y: fleet[y].car.early_retired.sum() for y in YEARS}
    assert early[2030] > 0 and early[2031] > 0 and early[2032] > 0
    assert early[2033] == 0


def test_bus_fleet_follows_service_and_sales_mix():
    bus = {y: 300.0 if y < 2030 else 400.0 for y in YEARS}
    fleet = run(bus=bus)
    assert fleet[2030].bus.total == pytest.approx(400.0)
    assert fleet[2030].bus.sales.sum() > fleet[2029].bus.sales.sum() + 90
    assert fleet[2030].bus.sales_shares() == pytest.approx(shares("bus_sales_2023",
                                                                  ("diesel", "cng", "bev")))


def test_shrinking_stock_retires_the_excess_and_sells_nothing():
    s = Survival(18.1, 2.5, 40)
    start = initial_stock(2024, 1000.0, {"petrol": 1.0}, CAR_POWERTRAINS, s)
    nxt = step(start, 500.0, {"bev": 1.0}, s.retirement_rates())
    assert nxt.total == pytest.approx(500.0)
    assert nxt.sales.sum() == 0.0
    np.testing.assert_allclose(nxt.stock, start.stock - nxt.retired)
