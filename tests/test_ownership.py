"""Car ownership responds to the accessibility a car gives (issue 22 item 2).

Each cell's car-available share moves with the non-commute destination-choice logsums of
residents with and without a car (SANDAG's ActivitySim auto-ownership coefficients), a quarter
of the gap a year; the fleet's car stock follows.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from mobility_sim.kernels.spec import PURPOSES, SEGMENTS

from mobility_sim.city import load_city
from mobility_sim.data import parameters
from mobility_sim.model.income import CAR_SEGMENTS
from mobility_sim.model.kernel import kernel_for
from mobility_sim.model.ownership import (
    accessibility_gap,
    long_run_shift,
    next_shift,
    shifted,
    stock_factor,
)
from mobility_sim.model.parameters import resolve_parameters
from mobility_sim.model.years import run_years, setup_run
from mobility_sim.scenario.models import ParkingPrice, PtFrequency

YEARS = (2025, 2026, 2027, 2028, 2029, 2030)


def test_the_shift_moves_log_odds_and_keeps_shares_of_zero_and_one():
    a = np.array([0.0, 0.2, 0.5, 0.8, 1.0])
    out = shifted(a, np.full(5, np.log(2.0)))  # odds doubled
    assert out[0] == 0.0 and out[-1] == 1.0
    odds = out[1:4] / (1 - out[1:4])
    np.testing.assert_allclose(odds, 2 * a[1:4] / (1 - a[1:4]))
    np.testing.assert_array_equal(shifted(a, None), a)
    pop = np.array([0.0, 100.0, 100.0, 100.0, 0.0])
    assert stock_factor(a, np.full(5, np.log(2.0)), pop) == pytest.approx(
        (pop * out).sum() / (pop * a).sum())


def test_a_quarter_of_the_gap_closes_each_year():
    p = parameters()
    target, shift = np.array([-0.4]), np.zeros(1)
    for _ in range(40):
        shift = next_shift(shift, target, p)
    assert shift == pytest.approx(target, rel=1e-4)
    assert next_shift(np.zeros(1), target, p) == pytest.approx(0.25 * target)
    # simulated every five years: five years of adjustment between two of them
    assert next_shift(np.zeros(1), target, p, years=5) == pytest.approx(
        (1 - 0.75 ** 5) * target)


def test_the_long_run_shift_weighs_the_logsums_by_sandags_coefficients():
    p = parameters()
    n = 3
    first = np.zeros((len(SEGMENTS), len(PURPOSES), n))
    now = first.copy()
    other = PURPOSES.index("other")
    now[list(CAR_SEGMENTS), other] = -1.0  # the car is worth less (a parking charge, say)
    target = long_run_shift(accessibility_gap(now), accessibility_gap(first), p)
    np.testing.assert_allclose(target, -p["ownership.logsum_coef_car"])
    now[:, PURPOSES.index("commute")] = 5.0  # commute logsums do not enter
    assert long_run_shift(accessibility_gap(now), accessibility_gap(first), p) == (
        pytest.approx(target))


@pytest.fixture(scope="module")
def york(repo_root):
    return load_city(repo_root / "cities" / "york")


def _run(city, measures=(), overrides=None):
    p = resolve_parameters(city, {"ownership.response": 1, **(overrides or {})})
    masks = [city.zone_mask("centre")] * len(measures)
    setup = setup_run(city, p, list(measures), masks, list(YEARS))
    return list(run_years(setup, kernel_for("numba")))


def _car_share(year_run, mask):
    share = year_run.inputs.segment_share[list(CAR_SEGMENTS)].sum(axis=0)[:mask.size]
    pop = year_run.inputs.population[:mask.size]
    return float((share * pop)[mask].sum() / pop[mask].sum())


def test_parking_prices_and_better_pt_lower_car_ownership_and_the_car_stock(york):
    centre = york.zone_mask("centre")
    base = _run(york)
    parking = _run(york, [ParkingPrice(type="parking_price", label="p", start=2026,
                                       profile="step", eur_per_hour=4.0,
                                       area={"zone": "centre"})])
    pt = _run(york, [PtFrequency(type="pt_frequency", label="pt", start=2026, profile="step",
                                 headway_factor=0.5, area={"zone": "centre"})])
    # the base year is the pivot; the first measure year is not yet answered (one year's lag)
    for run in (parking, pt):
        assert _car_share(run[0], centre) == pytest.approx(_car_share(base[0], centre))
        assert _car_share(run[1], centre) == pytest.approx(_car_share(base[1], centre))
    last = len(YEARS) - 1
    assert _car_share(parking[last], centre) < _car_share(base[last], centre) - 0.005
    assert _car_share(pt[last], centre) < _car_share(base[last], centre)
    # growing a little each year (partial adjustment), and the fleet's car stock follows
    gaps = [_car_share(base[y], centre) - _car_share(parking[y], centre) for y in range(2, 6)]
    assert all(b > a for a, b in itertools.pairwise(gaps))
    assert parking[last].fleet.car.stock.sum() < base[last].fleet.car.stock.sum()


def test_the_response_can_be_switched_off(york):
    held = _run(york, overrides={"ownership.response": 0})
    shares = [_car_share(y, np.ones(york.n_cells, dtype=bool)) for y in held]
    assert shares == pytest.approx([shares[0]] * len(shares), rel=1e-12)


def test_runs_report_the_share_with_a_car_and_how_it_responds(york_scenario):
    from mobility_sim.simulate import simulate

    results = simulate(york_scenario("""\
        - type: parking_price
          start: 2026
          profile: step
          eur_per_hour: 5.0
          area: {zone: centre}
        """, years="{start: 2025, end: 2030, step: 1}"), with_reference=True)
    share = results.summary.set_index("year")["car_available_share"]
    ref = results.reference.set_index("year")["car_available_share"]
    assert 0 < share[2025] < 1 and share[2025] == pytest.approx(ref[2025])
    assert share[2030] < ref[2030]  # fewer households keep a car where parking costs more
    meta = results.meta["car_ownership"]
    assert meta["response"] and meta["logsum_coef_car"] == pytest.approx(0.517335299)
