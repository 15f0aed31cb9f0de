"""Helpers for tests, benchmarks and notebooks: model inputs of synthetic cities.

Everything made here is built on :func:`mobility_sim.city.synthetic.synthetic_city` and is
labelled synthetic.
"""

from __future__ import annotations

from typing import Literal

from .city.synthetic import synthetic_city
from .kernels.spec import DemandInputs, DemandParams
from .model.base_year import base_year_inputs


def synthetic_model_inputs(
    n_cells: int = 100,
    kind: Literal["monocentric", "polycentric"] = "monocentric",
    seed: int = 0,
    overrides: dict[str, float] | None = None,
) -> tuple[DemandInputs, DemandParams]:
    """Base-year model inputs of a synthetic city (:func:`.model.base_year.base_year_inputs`)."""
    return base_year_inputs(synthetic_city(n_cells, kind=kind, seed=seed), overrides)
