"""Target solver: reaches targets known to be reachable at least cost; reports the gap otherwise."""

from __future__ import annotations

import pytest

from mobility_sim.analysis.jobs import Job, MeasureSetting
from mobility_sim.analysis.solver import (
    make_lever,
    parse_lever,
    read_levers,
    solve,
    target_of,
)
from mobility_sim.analysis.sweep import run_sweep
from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.exceptions import LeverError
from mobility_sim.scenario import load_scenario

ENGINE = "reference"

PACKAGE = """\
name: solver-test
city: synthetic
years: {start: 2025, end: 2028}
target: {year: 2028, reduction: 0.05}
measures:
  - {type: ev_sales_share, label: EV, start: 2025, end: 2027, share: 0.6,
     cost: {capex_eur: 5.0e6}}
  - {type: parking_price, label: Parking, start: 2026, profile: step, eur_per_hour: 5.0,
     area: {zone: centre}}
"""

#: Levers: EV share from 0.145 (assumption for the test: about today's EU sales share) to 1;
#: central parking from 3 EUR/h (the default price of the densest cells) to 4.5 EUR/h. In this
#: 25-cell city a central parking price above about 5 EUR/h sends more car trips to farther
#: destinations than it takes off the road, and emissions rise again (with cost damping, the
#: short trips weigh the price most): the tests need levers that cut emissions over their range.
LEVERS = ("EV.share=0.145:1.0", "Parking.eur_per_hour=3:4.5")


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    path = tmp_path_factory.mktemp("solver") / "package.yaml"
    path.write_text(PACKAGE, encoding="utf-8")
    return load_scenario(path, city=synthetic_city(25, kind="polycentric", seed=1))


def _co2(loaded, year, **job):
    table = run_sweep([Job(base=loaded, **job)], engine=ENGINE, progress=False).table
    return float(table.loc[table["year"] == year, "co2_wtw_t"].iloc[0])


def _levers(loaded):
    return [parse_lever(text, loaded) for text in LEVERS]


def _at(levers, x):
    return tuple(MeasureSetting(lv.measure, lv.field, lv.value(v))
                 for lv, v in zip(levers, x, strict=True))


def test_reaches_a_target_a_few_percent_beyond_the_package(package):
    """The checked-by case: the package's own effect plus 2 percentage points."""
    levers = _levers(package)
    base = _co2(package, 2025, settings=_at(levers, (0, 0)))
    achieved = 1.0 - _co2(package, 2028) / base
    target = target_of(package, reduction=achieved + 0.02)
    assert _co2(package, 2028, settings=_at(levers, (1, 1))) < (1 - target.reduction) * base
    solution = solve(package, levers, target, engine=ENGINE)
    assert solution.reached, solution.summary_text()
    assert solution.emissions_t <= solution.target_emissions_t
    # least cost: the constraint is active at the optimum (no needless overshoot)
    assert solution.emissions_t >= solution.target_emissions_t - 0.002 * base
    assert solution.base_emissions_t == pytest.approx(base, rel=1e-12)
    # the reported emissions are those of a run of the solved scenario
    solved = solution.scenario.scenario.measures
    values = (solved[0].share, solved[1].eur_per_hour)
    assert values == tuple(solution.levers["value"])
    redo = _co2(package, 2028, settings=(MeasureSetting(0, "share", values[0]),
                                         MeasureSetting(1, "eur_per_hour", values[1])))
    assert redo == pytest.approx(solution.emissions_t, rel=1e-12)


def test_uses_the_lever_that_earns_money_before_the_costly_one(package):
    """Parking earns the city revenue (published-cost rules) and reaches the target: EV, which
    costs EUR 5 million, stays at no effect."""
    levers = _levers(package)
    base = _co2(package, 2025, settings=_at(levers, (0, 0)))
    half = _co2(package, 2028, settings=_at(levers, (0, 0.5)))
    target = target_of(package, reduction=1.0 - half / base)
    solution = solve(package, levers, target, engine=ENGINE)
    assert solution.reached, solution.summary_text()
    table = solution.levers.set_index("measure")
    assert table.loc["EV", "intensity"] < 0.01
    assert table.loc["Parking", "intensity"] >= 0.48
    assert solution.cost_eur < 0  # parking revenue exceeds its cost


def test_a_lever_that_cannot_be_costed_is_refused(tmp_path, monkeypatch):
    from mobility_sim.economics import rules

    monkeypatch.delitem(rules.RULES, "telework")  # every shipped type has a rule: drop one
    path = tmp_path / "telework.yaml"
    path.write_text(PACKAGE.replace("ev_sales_share, label: EV", "telework, label: EV")
                    .replace("share: 0.6,\n     cost: {capex_eur: 5.0e6}}", "share: 0.1}"),
                    encoding="utf-8")
    loaded = load_scenario(path, city=synthetic_city(25, kind="polycentric", seed=1))
    lever = parse_lever("EV.share=0:0.2", loaded)
    with pytest.raises(LeverError, match="not costed"):
        solve(loaded, [lever], target_of(loaded, reduction=0.01), engine=ENGINE)


def test_reports_the_best_reachable_and_the_gap(package):
    solution = solve(package, _levers(package), target_of(package, reduction=0.9),
                     engine=ENGINE)
    assert solution.status == "unreachable"
    assert solution.gap_t == pytest.approx(solution.emissions_t - solution.target_emissions_t)
    assert solution.gap_t > 0
    # both levers cut emissions, so the best reachable puts them at their bounds
    assert (solution.levers["intensity"] > 0.99).all()
    assert "short" in solution.summary_text()


def test_lever_errors_name_the_problem_and_the_fix(package, tmp_path):
    with pytest.raises(LeverError, match=r"no measure 'Parkin' \(did you mean 'Parking'\?\)"):
        parse_lever("Parkin.eur_per_hour=1", package)
    with pytest.raises(LeverError, match=r"no numeric field 'shar' \(did you mean 'share'\?\)"):
        parse_lever("EV.shar=1", package)
    with pytest.raises(LeverError, match=r"give 'no_effect' for ev_sales_share\.share"):
        parse_lever("EV.share=1", package)
    with pytest.raises(LeverError, match=r"share = 1\.5 is not allowed"):
        parse_lever("EV.share=0.1:1.5", package)
    with pytest.raises(LeverError, match=r"MEASURE\.FIELD=BOUND"):
        parse_lever("EV", package)
    with pytest.raises(LeverError, match="same measure"):
        solve(package, [make_lever(package, 0, "share", 1.0, 0.1),
                        make_lever(package, "EV", "share", 0.9, 0.1)],
              target_of(package), engine=ENGINE)
    path = tmp_path / "levers.yaml"
    path.write_text("levers:\n  - {measure: EV, field: share, bound: 1.0, no_effect: 0.1}\n"
                    "  - {measure: 1, field: eur_per_hour, bund: 1.0}\n",
                    encoding="utf-8")
    with pytest.raises(LeverError) as info:
        read_levers(path, package)
    assert info.value.problems == [f"{path}:3: levers.1: unknown key 'bund'; missing key "
                                   "'bound'"]


def test_mission_target_is_minus_80_percent_in_2030(package):
    with pytest.raises(LeverError, match="target year 2030 is not a simulated year"):
        target_of(package, mission=True, year=2030)
    target = target_of(package, mission=True, year=2028)
    assert target.reduction == 0.8 and target.year == 2028 and target.base_year == 2025


def test_net_objective_subtracts_the_co_benefits_of_each_lever(package):
    from mobility_sim.analysis.solver import _Evaluator, lever_costs

    levers = _levers(package)
    ev = _Evaluator(package, levers, target_of(package, reduction=0.05),
                    {"engine": ENGINE, "progress": False})
    cost = lever_costs(ev, 0.03, "cost")
    net = lever_costs(ev, 0.03, "net")
    assert cost[0] == pytest.approx(5.0e6 * 0.5 / 1.03 + 5.0e6 * 0.5 / 1.03**2)  # own capex
    # parking moves car trips to walking and cycling: a health benefit lowers its net cost
    assert net[1] < cost[1]
