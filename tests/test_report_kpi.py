"""Headline indicators: computed from the tables, gap to target, formatting."""

from __future__ import annotations

import pytest
from test_report_fixtures import make_results

from mobility_sim.report.kpi import fmt_pct, fmt_tonnes, kpi_cards, read_target, scenario_kpis


def value(res, year, col):
    s = res.summary
    return float(s.loc[s["year"] == year, col].iloc[0])


def test_kpis_compare_final_year_with_base_year():
    res = make_results()
    k = scenario_kpis(res)
    assert (k["base_year"], k["final_year"]) == (2025, 2035)
    base, final = value(res, 2025, "co2_wtw_t"), value(res, 2035, "co2_wtw_t")
    assert k["co2_wtw_change_pct"] == pytest.approx(100 * (final - base) / base)
    assert k["co2_wtw_pc_final_kg"] == pytest.approx(value(res, 2035, "co2_wtw_per_capita_kg"))
    modes = res.modes[res.modes["year"] == 2035]
    car = modes.loc[modes["mode_group"] == "car", "trips"].sum() / modes["trips"].sum()
    assert k["car_share_final"] == pytest.approx(car)


def test_gap_to_target_uses_the_target_base_year_and_year():
    res = make_results(target={"year": 2030, "reduction": 0.3, "base_year": 2025})
    k = scenario_kpis(res)
    level = value(res, 2025, "co2_wtw_t") * 0.7
    assert k["target_level_t"] == pytest.approx(level)
    assert k["gap_t"] == pytest.approx(value(res, 2030, "co2_wtw_t") - level)
    assert k["reduction_at_target_year_pct"] == pytest.approx(
        100 * (1 - value(res, 2030, "co2_wtw_t") / value(res, 2025, "co2_wtw_t")))


def test_target_met_and_missed_cards():
    missed = kpi_cards(scenario_kpis(make_results(
        target={"year": 2035, "reduction": 0.9, "base_year": 2025})))
    card = next(c for c in missed if c.label.startswith("Gap"))
    assert card.tone == "bad" and card.value.endswith("over")
    met = kpi_cards(scenario_kpis(make_results(
        target={"year": 2035, "reduction": 0.01, "base_year": 2025})))
    card = next(c for c in met if c.label.startswith("Gap"))
    assert card.tone == "good" and card.value == "met"


def test_target_outside_the_run_is_said_not_computed():
    k = scenario_kpis(make_results(target={"year": 2050, "reduction": 0.5, "base_year": 2025}))
    assert k["target_year_in_run"] is False and k["gap_t"] is None
    card = next(c for c in kpi_cards(k) if c.label.startswith("Gap"))
    assert card.value == "not in run"
    k = scenario_kpis(make_results(target={"year": 2030, "reduction": 0.55, "base_year": 1990}))
    assert k["gap_t"] is None
    card = next(c for c in kpi_cards(k) if c.label.startswith("Gap"))
    assert "1990" in card.detail and card.value == "n/a"


def test_no_target_means_no_gap_card():
    k = scenario_kpis(make_results(target=None))
    assert k["target_year"] is None
    assert not any(c.label.startswith("Gap") for c in kpi_cards(k))


@pytest.mark.parametrize("raw", [None, "2030", {"year": 2030}, {"reduction": 0.5},
                                 {"year": "x", "reduction": 0.5}])
def test_incomplete_targets_are_ignored(raw):
    assert read_target({"target": raw}, 2025) is None


def test_base_year_falls_back_to_the_first_year():
    res = make_results()
    res.meta["base_year"] = 2000
    assert scenario_kpis(res)["base_year"] == 2025
    del res.meta["base_year"]
    assert scenario_kpis(res)["base_year"] == 2025


def test_formatting():
    assert fmt_pct(-23.44) == "\u221223.4 %"
    assert fmt_pct(5) == "+5.0 %"
    assert fmt_pct(None) == "n/a"
    assert fmt_tonnes(1234.4) == "1,234 t"
    assert fmt_tonnes(45_678) == "45.7 kt"
    assert fmt_tonnes(412_300) == "412 kt"
