"""Shared fixtures: the repository root, ../shared, and a small synthetic city."""

from __future__ import annotations

from pathlib import Path

import pytest

from mobility_sim.city.synthetic import synthetic_city

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "real_data").is_dir():
        pytest.fail(f"{SHARED} is missing: the tests need ../shared beside the checkout "
                    "(CI always has it)")
    return SHARED


@pytest.fixture(scope="session")
def small_city():
    return synthetic_city(64, kind="polycentric", seed=1)
