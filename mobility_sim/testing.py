"""Helpers for tests, benchmarks and notebooks: model inputs of synthetic cities.

Everything made here is built on :func:`mobility_sim.city.synthetic.synthetic_city` and is
labelled synthetic.
"""

from __future__ import annotations

from pathlib import Path
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


def repo_root(start: Path | None = None) -> Path:
    """Find the source checkout (the folder holding ``scenarios/`` and ``cities/``).

    Searches ``start`` (default: the working directory) and its parents, then the checkout this
    package is installed from (an editable install, as ``make`` sets up).

    Raises
    ------
    FileNotFoundError
        If no such folder is found.
    """
    here = (start or Path.cwd()).resolve()
    package_checkout = Path(__file__).resolve().parents[1]
    for folder in [here, *here.parents, package_checkout]:
        if (folder / "scenarios").is_dir() and (folder / "cities").is_dir():
            return folder
    raise FileNotFoundError("run this from inside the mobility_sim repository (a folder with "
                            "scenarios/ and cities/), or install the package from a checkout")
