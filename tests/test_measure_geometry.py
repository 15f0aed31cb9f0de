"""How measures land on the grid: new PT lines, densification, ramps, costs."""

from __future__ import annotations

import numpy as np
import pytest

from mobility_sim.model.inputs import apply_pt_line, relocate
from mobility_sim.scenario.areas import mean_distance_to_line
from mobility_sim.scenario.levers import Adjust, CellRamp, PtLineLever, year_levers
from mobility_sim.scenario.models import (
    Cost,
    Densification,
    ParkingPrice,
    PtFare,
    Telework,
)


def _line(level: float = 1.0, **kw) -> PtLineLever:
    args = {"label": "l", "wkt": "LINESTRING (0 0, 10000 0)", "stop_spacing_m": 800.0,
            "headway_min": 5.0, "speed_kmh": 30.0, "catchment_m": 600.0, "vehicle": "tram",
            "level": level}
    args.update(kw)
    return PtLineLever(**args)


def test_pt_line_serves_cells_within_the_catchment_only():
    x = np.array([500.0, 500.0, 500.0, 20000.0])
    y = np.array([0.0, 400.0, 1500.0, 0.0])
    stop = np.full(4, 900.0)
    headway = np.full(4, 20.0)
    speed = np.full(4, 18.0)
    s, h, v = apply_pt_line(_line(), x, y, 1000.0, 600.0, stop, headway, speed)
    # on the line: mean perpendicular distance c/4 = 250 m plus spacing/4 = 200 m
    assert s[0] == pytest.approx(450.0)
    assert s[1] == pytest.approx(250.0 + 400.0**2 / 1000.0 + 200.0)
    np.testing.assert_array_equal(h, [5.0, 5.0, 20.0, 20.0])
    np.testing.assert_array_equal(v, [30.0, 30.0, 18.0, 18.0])
    assert s[2] == 900.0 and s[3] == 900.0


def test_pt_line_keeps_better_existing_service_and_ramps_with_intensity():
    x, y = np.array([0.0]), np.array([0.0])
    s, h, v = apply_pt_line(_line(), x, y, 1000.0, 600.0, np.array([100.0]),
                            np.array([2.0]), np.array([40.0]))
    assert (s[0], h[0], v[0]) == (100.0, 2.0, 40.0)
    s, h, v = apply_pt_line(_line(level=0.5), x, y, 1000.0, 600.0, np.array([900.0]),
                            np.array([20.0]), np.array([20.0]))
    assert h[0] == pytest.approx(12.5) and v[0] == pytest.approx(25.0)
    assert s[0] == pytest.approx(0.5 * 900 + 0.5 * 450)


def test_mean_distance_to_line_is_continuous_at_the_cell_edge():
    d = np.array([0.0, 499.999, 500.0, 500.001, 800.0])
    got = mean_distance_to_line(d, 1000.0)
    assert got[0] == 250.0 and got[-1] == 800.0
    assert got[1] == pytest.approx(got[3], abs=1e-2)


def test_relocation_conserves_the_total_and_fills_near_cells_in_proportion():
    values = np.array([100.0, 50.0, 30.0, 20.0, 7.0])
    area = np.array([True, True, True, True, False])
    near = np.array([True, True, False, False, False])
    out = relocate(values, area, near, 0.5)
    assert out.sum() == pytest.approx(values.sum(), rel=1e-15)
    np.testing.assert_allclose(out[2:4], [15.0, 10.0])
    assert out[4] == 7.0
    assert out[0] / out[1] == pytest.approx(2.0)  # spread like the receivers' residents
    np.testing.assert_array_equal(relocate(values, area, near, 0.0), values)
    np.testing.assert_array_equal(relocate(values, area, np.zeros(5, bool), 0.5), values)


def test_densification_lever_scales_with_intensity():
    m = Densification(type="densification", start=2030, end=2040, share=0.2, distance_m=400)
    mask = np.ones(3, dtype=bool)
    assert year_levers([m], [mask], 2029, 3, 0.1).densify == ()
    (move,) = year_levers([m], [mask], 2035, 3, 0.1).densify
    assert move.residents_share == pytest.approx(0.1) and move.jobs_share == pytest.approx(0.1)


def test_adjust_moves_towards_targets_and_composes():
    half_free = Adjust().toward(0.5, 0.0, 0.0)
    assert half_free.apply(2.0) == pytest.approx(1.0)
    flat = Adjust().toward(1.0, 0.0, 3.0)
    assert flat.apply(1.5) == 3.0 and flat.apply(9.0) == 3.0
    both = Adjust().toward(1.0, 0.5, 0.0).toward(1.0, 1.0, -0.25)
    assert both.apply(2.0) == pytest.approx(0.75)
    assert Adjust().is_neutral and not flat.is_neutral


def test_fare_levers_from_each_form():
    def fare(**kw):
        m = PtFare(type="pt_fare", start=2026, profile="step", **kw)
        return year_levers([m], [np.ones(2, bool)], 2027, 2, 0.1).pt_fare.apply(2.0)
    assert fare(factor=0.0) == 0.0
    assert fare(fare_eur=1.2) == pytest.approx(1.2)
    assert fare(change_eur=-0.5) == pytest.approx(1.5)


def test_cell_ramp_exact_at_the_ends_and_raise_only():
    base = np.array([0.2, 0.8, 0.5])
    ramp = CellRamp(target=np.array([0.6, 0.6, np.nan]), level=np.array([1.0, 1.0, 0.0]))
    np.testing.assert_array_equal(ramp.apply(base), [0.6, 0.6, 0.5])
    np.testing.assert_array_equal(ramp.apply(base, raise_only=True), [0.6, 0.8, 0.5])


def test_parking_lever_only_in_the_area():
    m = ParkingPrice(type="parking_price", start=2026, profile="step", eur_per_hour=4.0)
    mask = np.array([True, False])
    lv = year_levers([m], [mask], 2026, 2, 0.1)
    np.testing.assert_array_equal(lv.parking.apply(np.array([1.0, 1.0])), [4.0, 1.0])


def test_own_costs_capex_follows_the_rise_and_opex_the_intensity():
    from mobility_sim.economics.cashflow import yearly_money
    from mobility_sim.economics.rules import cost_lines
    from mobility_sim.scenario.levers import intensity

    costly = Telework(type="telework", start=2026, end=2028, share=0.1,
                      cost=Cost(capex_eur=1e6, opex_eur_per_year=2e5))
    years = list(range(2025, 2031))
    money = yearly_money(cost_lines(costly, np.ones(1, bool), None),  # type: ignore[arg-type]
                         lambda y: intensity(costly, y), years)
    np.testing.assert_allclose(money.capex, [0, 0, 5e5, 5e5, 0, 0])  # linear: 0, 0.5, 1
    np.testing.assert_allclose(money.opex, [0, 0, 1e5, 2e5, 2e5, 2e5])
    assert money.residual.sum() == 0.0  # no lifetime given: spent once
