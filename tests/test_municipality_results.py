"""Results for the municipality a climate plan covers, beside the modelled urban centre."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from mobility_sim.city import load_city
from mobility_sim.report import build_dashboard
from mobility_sim.scenario import load_scenario
from mobility_sim.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]


def _short_baseline(slug: str, end: int = 2027):
    loaded = load_scenario(ROOT / "scenarios" / slug / "baseline.yaml")
    sc = loaded.scenario
    years = sc.years.model_copy(update={"end": end})
    targets = [t.model_copy(update={"year": min(t.year, end)}) for t in sc.targets]
    target = sc.target.model_copy(update={"year": end}) if sc.target else None
    new = sc.model_copy(update={"years": years, "target": target, "targets": targets})
    return simulate(dataclasses.replace(loaded, scenario=new), engine="reference")


def test_the_shipped_grid_knows_the_municipality():
    paris = load_city("paris")
    share = paris.grid["municipality_share"].to_numpy(float)
    assert ((share >= 0) & (share <= 1)).all()
    cell_km2 = (paris.meta.cell_size_m / 1000.0) ** 2
    # the cells' shares add up to the boundary's area (105.35 km2; INSEE 105.4 km2)
    assert share.sum() * cell_km2 == pytest.approx(paris.meta.municipality.area_km2, rel=0.02)
    assert "Etalab" in paris.meta.municipality.licence
    assert "municipality_share" not in load_city("madrid").grid.columns  # boundary not found


def test_municipality_and_rest_add_up_to_the_modelled_area():
    results = _short_baseline("berlin")
    areas = results.areas.set_index(["area", "year"])
    total = areas.loc["modelled area"]
    parts = areas.loc["municipality"] + areas.loc["rest of the grid"]
    np.testing.assert_allclose(parts.to_numpy(float), total.to_numpy(float), rtol=1e-9)
    assert 0 < areas.loc["municipality", "co2_wtw_t"].iloc[0] < total["co2_wtw_t"].iloc[0]
    muni = results.meta["municipality"]
    # Berlin's outer districts lie outside the urban centre: residents not in the grid, stated
    assert muni["residents_not_in_grid"] > 0
    assert muni["published_population"]["value"] == pytest.approx(
        muni["residents_in_grid"] + muni["residents_not_in_grid"])
    html = build_dashboard(results).render()
    assert "Municipality and modelled area" in html and "not in the grid" in html


def test_a_city_without_boundary_says_so():
    results = _short_baseline("madrid")
    assert set(results.areas["area"]) == {"modelled area"}
    assert "No municipal boundary for this city" in build_dashboard(results).render()
