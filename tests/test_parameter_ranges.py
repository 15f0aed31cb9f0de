"""Every parameter value is finite and within the physical range of its unit, wherever it comes
from (the defaults, a scenario's overrides, a sweep's samples): one rule, one place."""

from __future__ import annotations

import re
from textwrap import dedent

import pytest

from mobility_sim.data import parameter_table
from mobility_sim.exceptions import ScenarioError
from mobility_sim.scenario import load_scenario
from mobility_sim.scenario.checks import UNIT_BOUNDS, value_problem

BASE = """\
name: ranges
city: synthetic
years: {start: 2025, end: 2026}
parameters: VALUES
"""


def test_every_default_lies_in_its_range_and_every_unit_has_bounds():
    table = parameter_table()
    assert set(table["unit"]) <= set(UNIT_BOUNDS)
    for row in table.itertuples():
        assert value_problem(row.key, float(row.value), str(row.unit)) is None, row.key


@pytest.mark.parametrize(("values", "expected"), [
    ("{car.occupancy: 1e308}", "outside the physical range [1, 9]"),
    ("{car.occupancy: .inf}", "finite number"),
    ("{utility.asc.car: .nan}", "finite number"),
    ("{trip_rate.commute: -5}", "must be positive"),
    ("{speed.car_max: 4500}", "outside the physical range [0, 200]"),
    ("{pt.fare: 1.0e6}", "outside the physical range [0, 1000]"),
    ("{frequency.logsum_coef: 5}", "outside the physical range [0, 1]"),
    ("{frequency.logsum_coef: -0.05}", "outside the physical range [0, 1]"),
])
def test_scenario_overrides_out_of_range_are_refused_with_their_line(tmp_path, small_city,
                                                                    values, expected):
    path = tmp_path / "s.yaml"
    path.write_text(dedent(BASE.replace("VALUES", values)), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, city=small_city)
    text = "\n".join(info.value.problems)
    assert re.search(r"s\.yaml:4: parameters\.", text) and expected in text, text


def test_non_finite_values_are_refused_by_the_rule_itself():
    assert "finite" in value_problem("utility.asc.car", float("nan"), "-")
    assert "finite" in value_problem("car.occupancy", float("inf"), "persons/vehicle")
