"""IAMC table (pyam-compatible columns, consistent aggregates) and the action table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mobility_sim.analysis.attribution import attribute
from mobility_sim.analysis.export import (
    IAMC_COLUMNS,
    action_table,
    iamc_from_results,
    iamc_from_sweep,
)
from mobility_sim.analysis.jobs import Job
from mobility_sim.analysis.sweep import run_sweep
from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.exceptions import AnalysisError
from mobility_sim.scenario import load_scenario
from mobility_sim.simulate import simulate

ENGINE = "reference"

SCENARIO = """\
name: export-test
city: synthetic
years: {start: 2025, end: 2028}
target: {year: 2028, reduction: 0.1}
measures:
  - {type: ev_sales_share, label: EV, start: 2025, end: 2027, share: 0.9,
     cost: {capex_eur: 1.0e6, opex_eur_per_year: 1.0e5}}
  - {type: parking_price, label: Parking, start: 2026, profile: step, eur_per_hour: 5.0,
     area: {zone: centre}, cost: {opex_eur_per_year: 2.0e5}}
  - {type: pt_frequency, label: PT, start: 2026, profile: step, headway_factor: 0.8}
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "s.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return load_scenario(path, city=synthetic_city(25, kind="polycentric", seed=1))


@pytest.fixture(scope="module")
def results(loaded):
    return simulate(loaded, engine=ENGINE)


def _check_iamc(table: pd.DataFrame) -> None:
    """What pyam.IamDataFrame needs: the columns, int years, float values, unique rows."""
    assert tuple(table.columns) == IAMC_COLUMNS
    assert table["year"].dtype == np.int64 and table["value"].dtype == np.float64
    assert table[["model", "scenario", "region", "variable", "unit"]].notna().all().all()
    assert np.isfinite(table["value"]).all()
    assert not table.duplicated(["model", "scenario", "region", "variable", "year"]).any()
    # every parent equals the sum of its direct children (pyam's check_aggregate)
    wide = table.pivot_table(index=["scenario", "region", "year"], columns="variable",
                             values="value")
    variables = set(wide.columns)
    parents = 0
    for var in variables:
        children = [v for v in variables if v.startswith(var + "|")
                    and "|" not in v[len(var) + 1:]]
        if children:
            parents += 1
            np.testing.assert_allclose(wide[children].sum(axis=1), wide[var], rtol=1e-12,
                                       err_msg=var)
    assert parents >= 8


def test_iamc_of_a_run_matches_its_results(results):
    table = iamc_from_results(results)
    _check_iamc(table)
    assert set(table["scenario"]) == {"export-test"}
    assert set(table["region"]) == {results.meta["city_name"]}
    wtw = table[table["variable"] == "Emissions|CO2e|Urban Passenger Transport|Well-to-Wheel"]
    np.testing.assert_allclose(wtw["value"].to_numpy(), results.summary["co2_wtw_t"],
                               rtol=1e-12)
    assert set(wtw["unit"]) == {"t CO2e/yr"}
    pkm = table[table["variable"] == "Energy Service|Transportation|Passenger|Urban"]
    np.testing.assert_allclose(pkm["value"].to_numpy() * 1e9, results.summary["pkm"],
                               rtol=1e-12)
    if "pm25_t" in results.summary.columns:
        pm = table[table["variable"] == "Emissions|PM2.5|Urban Passenger Transport"]
        np.testing.assert_allclose(pm["value"].to_numpy(), results.summary["pm25_t"],
                                   rtol=1e-9)


def test_iamc_of_a_sweep_names_each_sample(loaded):
    jobs = [Job(base=loaded, parameters={"car.occupancy": v},
                tags={"scenario": "export-test", "city": "Synthetic", "sample": i})
            for i, v in enumerate((1.5, 1.7))]
    sweep = run_sweep(jobs, engine=ENGINE, progress=False).table
    table = iamc_from_sweep(sweep, scenario_columns=("scenario", "sample"))
    _check_iamc(table)
    assert sorted(table["scenario"].unique()) == ["export-test|sample=0",
                                                 "export-test|sample=1"]
    with pytest.raises(AnalysisError, match="same IAMC scenario"):
        iamc_from_sweep(sweep, scenario_columns=("scenario",))


def test_action_table_rows_add_up_to_the_package_effect(loaded):
    from mobility_sim.economics import appraise_run
    from mobility_sim.simulate import simulate

    result = attribute(loaded, outputs=["co2_wtw_t"], engine=ENGINE, progress=False)
    appraisal = appraise_run(loaded, simulate(loaded, engine=ENGINE), result.contributions,
                             discount_rate=0.0, output="co2_wtw_t")
    table = action_table(result, loaded, appraisal)
    assert list(table["measure"]) == ["EV", "Parking", "PT"]
    effect = result.totals.query("year == 2028 and output == 'co2_wtw_t'")["effect"].iloc[0]
    assert table["co2_effect_t"].sum() == pytest.approx(effect, rel=1e-9)
    assert table["co2_effect_share"].sum() == pytest.approx(1.0, rel=1e-9)
    ev = table.set_index("measure").loc["EV"]
    # the scenario's own cost: capex as the intensity rises + opex x intensity (0, 0.5, 1, 1)
    assert ev["cost_eur"] == pytest.approx(1.0e6 + 2.5e5)
    assert ev["cost_basis"].startswith("the scenario's own figures")
    # undiscounted here, so EUR per tonne is the cost over the tonnes
    assert ev["eur_per_t_abated"] == pytest.approx(ev["cost_eur"] / ev["co2_abated_t"])
    contrib = result.contributions.query("measure == 'EV'")["contribution"].sum()
    assert ev["co2_abated_t"] == pytest.approx(-contrib)
    pt = table.set_index("measure").loc["PT"]
    assert pt["cost_eur"] > 0 and pt["opex_eur"] > 0  # no cost given: the rule of its type
    assert table.attrs["year"] == 2028 and table.attrs["metric"] == "co2_wtw"


def test_iamc_from_a_saved_run_folder(results, tmp_path):
    from mobility_sim.results import Results

    folder = results.save(tmp_path / "run")
    table = iamc_from_results(Results.load(folder), scenario="saved")
    _check_iamc(table)
    assert table.equals(iamc_from_results(results, scenario="saved"))
