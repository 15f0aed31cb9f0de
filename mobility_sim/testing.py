"""Helpers for tests, benchmarks and notebooks: model inputs of synthetic cities.

Everything made here is built on :func:`mobility_sim.city.synthetic.synthetic_city` and is
labelled synthetic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np

from .city import City
from .city.synthetic import synthetic_city
from .data import grid_intensity, parameters
from .fleet import car_fleet_path
from .kernels.spec import DemandInputs, DemandParams
from .model_inputs import cell_layers, demand_inputs, demand_params
from .scenario.levers import YearLevers


def baseline_levers(city: City, year: int = 2025) -> YearLevers:
    """Lever values with no measure: baseline sales, unchanged headways."""
    from .fleet.mix import default_sales

    return YearLevers(year=year, bev_sales_share=default_sales()["bev"],
                      headway_factor=np.ones(city.n_cells), active={})


def city_model_inputs(city: City, overrides: dict[str, float] | None = None,
                      ) -> tuple[DemandInputs, DemandParams]:
    """Model inputs and parameters of ``city`` in a baseline year with default parameters."""
    p = parameters()
    p.update(overrides or {})
    fleet = car_fleet_path([2025], {2025: 0.0})[0]
    layers = cell_layers(city, p)
    inputs = demand_inputs(city, layers, p, baseline_levers(city), fleet)
    params = demand_params(p, fleet, grid_intensity(city.meta.country))
    return inputs, params


def synthetic_model_inputs(
    n_cells: int = 100,
    kind: Literal["monocentric", "polycentric"] = "monocentric",
    seed: int = 0,
    overrides: dict[str, float] | None = None,
) -> tuple[DemandInputs, DemandParams]:
    """Model inputs and parameters of a synthetic city (see :func:`city_model_inputs`)."""
    return city_model_inputs(synthetic_city(n_cells, kind=kind, seed=seed), overrides)


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
