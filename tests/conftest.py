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
