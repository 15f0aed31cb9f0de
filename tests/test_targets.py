"""Targets as cities state them: a base year, anchored to an inventory or a national backcast."""

from __future__ import annotations

import dataclasses

import pytest

from mobility_sim.city.model import InventoryFigure
from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.data import read_table
from mobility_sim.exceptions import ScenarioError
from mobility_sim.report.dashboard import build_dashboard
from mobility_sim.report.kpi import read_targets
from mobility_sim.scenario import load_scenario
from mobility_sim.simulate import simulate

SCENARIO = """\
name: targets
city: synthetic
years: {{start: 2025, end: 2030}}
target: {target}
targets:
  - {{name: "Mission 2030", kind: mission_climate_neutrality, year: 2030}}
"""


@pytest.fixture(scope="module")
def city():
    return synthetic_city(36, kind="polycentric", seed=1, country="AUT")


def _run(tmp_path, city, target="{year: 2030, reduction: 0.55, base_year: 1990}"):
    path = tmp_path / "t.yaml"
    path.write_text(SCENARIO.format(target=target), encoding="utf-8")
    return simulate(load_scenario(path, city=city), engine="reference")


def national(country: str, year: int) -> float:
    table = read_table("national_road_transport_ghg.csv")
    rows = table[(table["iso3"] == country) & (table["category"] == "1.A.3.b")
                 & (table["year"] == year) & table["value"].notna()]
    return float(rows["value"].iloc[0])


def test_a_1990_base_year_is_backcast_with_the_national_inventory(tmp_path, city):
    results = _run(tmp_path, city)
    eu, mission = results.meta["targets"]
    first = float(results.reference["co2_wtw_t"].iloc[0])
    index = national("AUT", 1990) / national("AUT", 2019)  # UNFCCC CRF 1.A.3.b
    assert eu["base_method"] == "national backcast" and eu["base_year"] == 1990
    assert eu["base_emissions_t"] == pytest.approx(first * index, rel=1e-12)
    assert eu["target_emissions_t"] == pytest.approx(first * index * 0.45, rel=1e-12)
    assert "UNFCCC" in eu["base_note"]
    # The Mission's neutrality: an 80 % cut, 20 % residual offset, named as such.
    assert mission["kind"] == "mission_climate_neutrality" and mission["name"] == "Mission 2030"
    assert mission["reduction"] == pytest.approx(0.8)
    assert mission["base_method"] == "modelled" and mission["base_year"] == 2025


def test_the_citys_own_inventory_anchors_the_base_year_first(tmp_path, city):
    figures = [InventoryFigure(year=1990, value_t=2.0e6, sector="road transport",
                               scope="test city, territorial", series="road", source="test"),
               InventoryFigure(year=2019, value_t=1.6e6, sector="road transport",
                               scope="test city, territorial", series="road", source="test")]
    own = dataclasses.replace(city, meta=city.meta.model_copy(update={"inventory": figures}))
    results = _run(tmp_path, own)
    eu = results.meta["targets"][0]
    first = float(results.reference["co2_wtw_t"].iloc[0])
    assert eu["base_method"] == "city inventory"
    assert eu["base_emissions_t"] == pytest.approx(first * 2.0 / 1.6, rel=1e-12)


def test_the_dashboard_draws_the_path_from_the_first_year_and_says_how(tmp_path, city):
    results = _run(tmp_path, city)
    target = read_targets(results.meta, 2025)[0]
    xs, ys = target.path(results.summary)
    assert xs == [2025, 2030]
    level0 = results.meta["targets"][0]["base_emissions_t"]
    assert ys[1] == pytest.approx(level0 * 0.45)
    assert ys[0] == pytest.approx(level0 + (ys[1] - level0) * 35 / 40)
    html = build_dashboard(results).render()
    assert "Reference case and targets" in html and "national backcast" in html
    assert "Mission 2030" in html


def test_a_base_year_that_cannot_be_anchored_is_refused_with_its_line(tmp_path, city):
    # AUT's national series ends in 2019; 2022 is before the run and after the series.
    with pytest.raises(ScenarioError, match=r"t\.yaml:4: target\.base_year: base year 2022 "
                                            r"is before the first simulated year"):
        _run(tmp_path, city, "{year: 2030, reduction: 0.55, base_year: 2022}")


@pytest.mark.parametrize(("target", "message"), [
    ("{year: 2030}", "needs 'reduction'"),
    ("{year: 2030, kind: mission_climate_neutrality, reduction: 0.5}", "remove 'reduction'"),
    ("{year: 2030, reduction: 0.5, base_year: 2040}", "after the target year"),
])
def test_incomplete_targets_are_refused(tmp_path, city, target, message):
    with pytest.raises(ScenarioError, match=message):
        _run(tmp_path, city, target)


def test_a_climate_city_contract_target_can_be_territorial(tmp_path, city):
    # a CCC or SECAP counts all traffic on the territory: the target is measured on it
    results = _run(tmp_path, city, "{year: 2030, reduction: 0.55, base_year: 1990, "
                                   "metric: territorial_co2_wtw}")
    eu = results.meta["targets"][0]
    first = float(results.reference["territorial_co2_wtw_t"].iloc[0])
    index = national("AUT", 1990) / national("AUT", 2019)
    assert eu["metric"] == "territorial_co2_wtw"
    assert eu["base_emissions_t"] == pytest.approx(first * index, rel=1e-12)
    assert first > float(results.reference["co2_wtw_t"].iloc[0])  # freight, visitors, through
    target = read_targets(results.meta, 2025)[0]
    assert target.metric == "territorial_co2_wtw_t" and "territorial" in target.metric_label
    html = build_dashboard(results).render()
    assert "Territorial (well-to-wheel)" in html  # the series the target is measured on
