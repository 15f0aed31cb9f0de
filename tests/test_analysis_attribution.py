"""Shapley attribution: contributions add up to the package's effect, exactly and sampled."""

from __future__ import annotations

import dataclasses
import math
from itertools import permutations
from pathlib import Path

import numpy as np
import pytest

from mobility_sim.analysis.attribution import attribute, coalitions
from mobility_sim.analysis.figures import waterfall_figure
from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.exceptions import AnalysisError
from mobility_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
ENGINE = "reference"

THREE_MEASURES = """\
name: three-measures
city: synthetic
years: {start: 2025, end: 2028}
target: {year: 2028, reduction: 0.1}
measures:
  - {type: ev_sales_share, label: EV sales, start: 2025, end: 2028, share: 0.9,
     cost: {capex_eur: 2.0e6}}
  - {type: pt_frequency, label: Central PT, start: 2025, profile: step, headway_factor: 0.5,
     area: {zone: centre}}
  - {type: pt_frequency, label: Outer PT, start: 2026, profile: step, headway_factor: 0.7,
     area: {wkt: "POLYGON ((4300000 2900000, 4301500 2900000, 4301500 2901500, 4300000 2901500,
     4300000 2900000))"}}
"""


@pytest.fixture(scope="module")
def city():
    return synthetic_city(36, kind="polycentric", seed=1)


@pytest.fixture(scope="module")
def three(tmp_path_factory, city):
    path = tmp_path_factory.mktemp("attr") / "three.yaml"
    path.write_text(THREE_MEASURES, encoding="utf-8")
    return load_scenario(path, city=city)


def _short(loaded, end: int):
    """The same scenario with its years cut at ``end`` (keeps the tests fast)."""
    sc = loaded.scenario
    target = sc.target.model_copy(update={"year": end}) if sc.target else None
    new = sc.model_copy(update={"years": sc.years.model_copy(update={"end": end}),
                                "target": target})
    return dataclasses.replace(loaded, scenario=new)


@pytest.mark.slow
def test_contributions_add_up_to_the_effect_of_the_sump_package():
    """The checked-by case: Helsinki's full SUMP package (every measure of the library).

    Cut to 2025-2027 and two sampled orders (an order and its reverse) to stay quick; sampled
    contributions add up exactly, like exact ones. On the fused kernel (the package's 40-odd
    runs take over a minute on the NumPy reference with the income groups' six segments).
    """
    loaded = _short(load_scenario(ROOT / "scenarios/helsinki/sump_package.yaml"), 2027)
    n = len(loaded.scenario.measures)
    result = attribute(loaded, max_exact=min(n, 4), permutations=1,
                       outputs=["co2_wtw_t", "co2_ttw_t", "car_vkm"], engine="numba",
                       progress=False)
    assert result.method == ("exact" if n <= 4 else "sampled")
    summed = result.contributions.groupby(["year", "output"])["contribution"].sum()
    effect = result.totals.set_index(["year", "output"])["effect"].loc[summed.index]
    np.testing.assert_allclose(summed.to_numpy(), effect.to_numpy(), rtol=1e-9, atol=1e-6)
    assert result.efficiency_gap() < 1e-9
    co2 = result.totals[(result.totals["output"] == "co2_wtw_t") & (result.totals["year"] == 2027)]
    assert float(co2["effect"].iloc[0]) < -1.0  # the package cuts CO2: there is something to split


def test_exact_values_equal_the_average_over_every_order(three):
    loaded = _short(three, 2027)
    result = attribute(loaded, outputs=["co2_wtw_t", "car_vkm"], engine=ENGINE, progress=False)
    assert result.method == "exact" and result.n_runs == 8
    # Recompute the Shapley values by brute force over all 3! orders from the stored runs.
    table = result.sweep.table
    value = {tuple(int(i) for i in s.split("+")) if s != "-" else (): frame
             for s, frame in table.groupby("subset")}
    year = 2027

    def v(subset):
        frame = value[tuple(sorted(subset))]
        return float(frame.loc[frame["year"] == year, "co2_wtw_t"].iloc[0])

    brute = np.zeros(3)
    for order in permutations(range(3)):
        for k, i in enumerate(order):
            brute[i] += v(order[:k + 1]) - v(order[:k])
    brute /= math.factorial(3)
    got = result.in_year(year).sort_values("position")["contribution"].to_numpy()
    np.testing.assert_allclose(got, brute, rtol=1e-12, atol=1e-9)


def test_sampled_attribution_still_adds_up_and_reports_errors(three):
    loaded = _short(three, 2026)
    result = attribute(loaded, max_exact=2, permutations=2, seed=3,
                       outputs=["co2_wtw_t"], engine=ENGINE, progress=False)
    assert result.method == "sampled"
    assert result.efficiency_gap() < 1e-9
    assert result.contributions["std_error"].notna().all()


def test_a_measure_that_changes_nothing_gets_zero(tmp_path, city):
    text = THREE_MEASURES.replace("headway_factor: 0.7", "headway_factor: 1.0")
    path = tmp_path / "null.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = _short(load_scenario(path, city=city), 2026)
    result = attribute(loaded, outputs=["co2_wtw_t", "pkm"], engine=ENGINE, progress=False)
    null = result.contributions[result.contributions["measure"] == "Outer PT"]
    assert np.allclose(null["contribution"], 0.0, atol=1e-9)
    other = result.contributions[result.contributions["measure"] == "EV sales"]
    assert (other["contribution"].abs() > 1e-6).any()


def test_waterfall_ends_at_the_package_effect(three):
    loaded = _short(three, 2026)
    result = attribute(loaded, outputs=["co2_wtw_t"], engine=ENGINE, progress=False)
    fig = waterfall_figure(result.contributions, result.totals, 2026)
    trace = fig.data[0]
    assert list(trace.measure) == ["relative"] * 3 + ["total"]
    assert math.isclose(sum(trace.y[:-1]), trace.y[-1], rel_tol=1e-9, abs_tol=1e-9)
    assert list(trace.x)[-1] == "Package"


def test_no_measures_is_a_clear_error(three):
    empty = dataclasses.replace(three, scenario=three.scenario.model_copy(
        update={"measures": []}), masks=[])
    with pytest.raises(AnalysisError, match="no measures"):
        attribute(empty, engine=ENGINE, progress=False)


def test_coalitions_exact_and_sampled_sizes():
    method, subsets, orders = coalitions(3)
    assert method == "exact" and len(subsets) == 8 and orders == []
    method, subsets, orders = coalitions(12, max_exact=10, permutations=5, seed=1)
    assert method == "sampled" and len(orders) == 10
    assert () in subsets and tuple(range(12)) in subsets
    assert all(order[::-1] in orders for order in orders)
