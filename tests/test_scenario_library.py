"""The scenario library: every file loads and builds valid model inputs; the runs move as expected.

Run time is kept short on purpose: every scenario of every city is loaded (schema + semantic
checks) and turned into model inputs for its first and last year (checked by
``kernels.spec.check_inputs``); the demand model itself runs, through ``simulate`` on the
reference engine with the horizon cut to {2025, 2050}, for Helsinki and York (the smallest).
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import pytest
from mobility_sim.kernels.spec import check_inputs

from mobility_sim.city import load_city
from mobility_sim.model.parameters import resolve_parameters
from mobility_sim.model.years import setup_run, year_inputs
from mobility_sim.scenario import load_scenario
from mobility_sim.scenario.library import EXAMPLES, library_files
from mobility_sim.scenario.models import MEASURE_TYPES
from mobility_sim.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
#: Library folders: scenarios/<slug>/ for each shipped city.
CITY_FOLDERS = sorted(p for p in SCENARIOS.iterdir()
                      if p.is_dir() and (ROOT / "cities" / p.name / "city.yaml").is_file())
#: Cities whose whole library runs through the demand model in this test.
RUN_CITIES = {"helsinki"} | ({"york"}
                             & {p.name for p in CITY_FOLDERS})


@cache
def city(slug: str):
    return load_city(ROOT / "cities" / slug)


def test_library_covers_helsinki_with_every_measure():
    assert "helsinki" in [p.name for p in CITY_FOLDERS]
    names = {p.name for p in (SCENARIOS / "helsinki").glob("*.yaml")}
    assert {"baseline.yaml", "sump_package.yaml"} <= names
    assert {f"{stem}.yaml" for stem in EXAMPLES} <= names
    types = {m["type"] for m in EXAMPLES.values()}
    assert types == set(MEASURE_TYPES), "every measure type has a library file"


@pytest.mark.parametrize("folder", CITY_FOLDERS, ids=lambda p: p.name)
def test_every_city_folder_holds_the_library_files(folder):
    expected = set(library_files(city(folder.name)))
    assert {p.name for p in folder.glob("*.yaml")} == expected


@pytest.mark.parametrize("folder", CITY_FOLDERS, ids=lambda p: p.name)
def test_every_scenario_loads_and_builds_valid_model_inputs(folder):
    c = city(folder.name)
    for path in sorted(folder.glob("*.yaml")):
        loaded = load_scenario(path, city=c)
        assert loaded.scenario.city == folder.name, path
        years = loaded.scenario.years
        p = resolve_parameters(c, loaded.scenario.parameters)
        setup = setup_run(c, p, loaded.scenario.measures, loaded.masks, [years.start, years.end])
        for year in (years.start, years.end):
            inputs, params = year_inputs(setup, year)
            check_inputs(inputs, params)
        if path.name != "baseline.yaml":
            assert loaded.scenario.measures, path


def _short(loaded):
    years = loaded.scenario.years
    years = years.model_copy(update={"step": years.end - years.start})  # only first and last
    target = loaded.scenario.target
    if target is not None:
        target = target.model_copy(update={"year": years.end})
    new = loaded.scenario.model_copy(update={"years": years, "target": target})
    return dataclasses.replace(loaded, scenario=new)


#: The engine each library runs on: the NumPy reference (the model's specification) on the
#: small city, the fused kernel on the larger one (the reference takes two minutes there since
#: the six segments of the income groups; the two agree to 1e-9, tested elsewhere).
LIBRARY_ENGINE = {"york": "reference", "helsinki": "numba"}


@pytest.mark.parametrize("slug", sorted(RUN_CITIES))
def test_library_runs_and_the_package_cuts_emissions(slug):
    results = {}
    for path in sorted((SCENARIOS / slug).glob("*.yaml")):
        loaded = _short(load_scenario(path, city=city(slug)))
        summary = simulate(loaded, engine=LIBRARY_ENGINE[slug],  # type: ignore[arg-type]
                           with_reference=False).summary.set_index("year")
        assert list(summary.index) == [2025, 2050], path
        assert summary["trips"].gt(0).all() and summary["co2_wtw_t"].ge(0).all(), path
        results[path.stem] = summary
    base = results["baseline"]
    for stem, summary in results.items():
        # every measure starts after the base year: 2025 is the baseline's
        assert summary.loc[2025, "co2_wtw_t"] == pytest.approx(base.loc[2025, "co2_wtw_t"],
                                                               rel=1e-9), stem
    package = results["sump_package"]
    # a package of measures cuts emissions by a quarter or more (not a target: York's cut
    # 29.8 % in 2050 and Helsinki's more, on 2026-12-07, after protected cycle infrastructure
    # took its published value; the bar was 30 % before)
    assert package.loc[2050, "co2_wtw_t"] < 0.75 * base.loc[2050, "co2_wtw_t"]
    assert package.loc[2050, "car_vkm"] < base.loc[2050, "car_vkm"]
