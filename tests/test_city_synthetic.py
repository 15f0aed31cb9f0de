"""Synthetic cities: any size, mono- or polycentric, labelled synthetic everywhere."""

from __future__ import annotations

import numpy as np
import pytest

from mobility_sim.city import load_city
from mobility_sim.city.build import write_city
from mobility_sim.city.model import validate_grid
from mobility_sim.city.synthetic import synthetic_city


@pytest.mark.parametrize("n", [1, 7, 97, 400, 1001])
@pytest.mark.parametrize("kind", ["monocentric", "polycentric"])
def test_any_size_is_valid_with_totals(n, kind):
    city = synthetic_city(n_cells=n, kind=kind, population=123_456.0, jobs_per_resident=0.6)
    assert city.n_cells == n
    assert validate_grid(city.grid, "synthetic") == []
    assert city.population == pytest.approx(123_456.0)
    assert city.grid["jobs"].sum() == pytest.approx(0.6 * 123_456.0)
    assert city.grid["cell_id"].is_unique


def test_labelled_synthetic_everywhere(tmp_path):
    city = synthetic_city(n_cells=50, kind="polycentric")
    assert city.meta.synthetic is True
    assert city.name.startswith("Synthetic") and city.slug.startswith("synthetic")
    assert "SYNTHETIC" in city.meta.area_note
    loaded = load_city(write_city(city, tmp_path / city.slug))
    assert loaded.meta.synthetic is True
    assert "synthetic: true" in (tmp_path / city.slug / "city.yaml").read_text()


def test_monocentric_peaks_in_the_centre_polycentric_has_subcentres():
    mono = synthetic_city(n_cells=900, kind="monocentric", seed=3)
    centre = mono.zone_mask("centre")
    g = mono.grid
    assert g.loc[centre, "population"].mean() > 2 * g.loc[~centre, "population"].mean()
    poly = synthetic_city(n_cells=900, kind="polycentric", seed=3)
    # a polycentric city puts more residents far from the main centre
    def far_share(city):
        gg = city.grid
        r = np.hypot(gg["x"] - gg["x"].mean(), gg["y"] - gg["y"].mean())
        return gg.loc[r > r.median(), "population"].sum() / gg["population"].sum()
    assert far_share(poly) > 1.1 * far_share(mono)


def test_seed_reproducible_and_varies():
    a = synthetic_city(n_cells=100, seed=5).grid["population"].to_numpy()
    b = synthetic_city(n_cells=100, seed=5).grid["population"].to_numpy()
    c = synthetic_city(n_cells=100, seed=6).grid["population"].to_numpy()
    assert np.array_equal(a, b) and not np.allclose(a, c)


def test_rejects_empty_city():
    with pytest.raises(ValueError):
        synthetic_city(n_cells=0)
