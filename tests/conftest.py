"""Fixtures for the whole suite: the repository root and a small synthetic city."""

from __future__ import annotations

from pathlib import Path

import pytest

from mobility_sim.city.synthetic import synthetic_city

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def small_city():
    return synthetic_city(64, kind="polycentric", seed=1)


@pytest.fixture()
def york_scenario(tmp_path):
    """Load a scenario on York (55 cells) with the given measures (YAML list items) and
    parameters (YAML mapping lines), years 2025-2035 every 5 unless given."""
    import textwrap

    from mobility_sim.scenario import load_scenario

    def make(measures: str = "", parameters: str = "",
             years: str = "{start: 2025, end: 2035, step: 5}"):
        text = f"name: york test\ncity: {ROOT / 'cities' / 'york'}\nyears: {years}\n"
        if measures:
            text += "measures:\n" + textwrap.indent(textwrap.dedent(measures), "  ")
        if parameters:
            text += "parameters:\n" + textwrap.indent(textwrap.dedent(parameters), "  ")
        path = tmp_path / "scenario.yaml"
        path.write_text(text, encoding="utf-8")
        return load_scenario(path)
    return make
