"""The bench's inputs: the model's own year inputs of a synthetic city under a few measures.

The benchmark city is :func:`mobility_sim.city.synthetic.synthetic_city` (monocentric, 250 m
cells, :data:`RESIDENTS_PER_KM2` on average). Its inputs come from the model layer exactly as a
simulation builds them (:func:`mobility_sim.model.years.setup_run`,
:func:`~mobility_sim.model.years.year_inputs`, default parameters of
``mobility_sim/data/parameters.csv``), with the measures of :data:`MEASURES` from
:data:`BASE_YEAR` on, so that successive years differ a little (battery-electric share of the
car fleet, PT headways, cycle lanes, shared e-bikes) as they do in a scenario.

Importing this module imports neither numba nor the kernels.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Any

import numpy as np

from ..kernels.spec import SEGMENTS
from ..model.car_owners import split_owners

#: First year of the benchmark's scenario.
BASE_YEAR = 2025
#: Years the cached setup covers (a longer benchmark makes a longer one).
HORIZON = 26
#: Mean residents per km2 of the synthetic city (assumption: a dense urban centre; GHS-POP urban
#: centres have at least 1,500).
RESIDENTS_PER_KM2 = 3000.0
#: The benchmark scenario's measures, city-wide (assumption: settings of a typical SUMP package,
#: chosen only so that every year's inputs differ a little).
MEASURES: tuple[dict[str, Any], ...] = (
    {"type": "ev_sales_share", "start": BASE_YEAR, "end": BASE_YEAR + 10, "profile": "linear",
     "share": 1.0},
    {"type": "pt_frequency", "start": BASE_YEAR, "end": BASE_YEAR + 25, "profile": "linear",
     "headway_factor": 0.75},
    {"type": "cycle_network", "start": BASE_YEAR, "end": BASE_YEAR + 25, "profile": "linear",
     "share": 0.5},
    {"type": "bike_sharing", "start": BASE_YEAR, "end": BASE_YEAR + 25, "profile": "linear",
     "coverage": 0.3},
)


@lru_cache(maxsize=2)
def bench_setup(n_cells: int, horizon: int, cell_size_m: float) -> Any:
    """Return the model's :class:`~mobility_sim.model.years.RunSetup` of the benchmark city."""
    from ..city.synthetic import synthetic_city
    from ..model.parameters import resolve_parameters
    from ..model.years import setup_run
    from ..scenario.models import Scenario

    area_km2 = (cell_size_m / 1000.0) ** 2
    city = synthetic_city(n_cells, cell_size_m=cell_size_m,
                          population=RESIDENTS_PER_KM2 * area_km2 * n_cells)
    scenario = Scenario.model_validate({
        "name": "bench", "city": city.slug,
        "years": {"start": BASE_YEAR, "end": BASE_YEAR + horizon - 1},
        "measures": list(MEASURES)})
    masks = [np.ones(city.n_cells, dtype=bool) for _ in scenario.measures]
    return setup_run(city, resolve_parameters(city), scenario.measures, masks,
                     scenario.years.as_list())


def synthetic_inputs(
    n_cells: int,
    year_index: int,
    segments: int = len(SEGMENTS),
    purposes: int = 2,
    cell_size_m: float = 250.0,
) -> tuple[Any, Any]:
    """Return the model inputs of one year of the benchmark city.

    Parameters
    ----------
    n_cells : int
        Cells of the synthetic monocentric city.
    year_index : int
        Years since :data:`BASE_YEAR`.
    segments : int, 1 .. len(SEGMENTS)
        Segments with residents: the first ``segments`` of the model's segments (car class x
        income group), each cell's residents shared between them in the model's proportions;
        with all of them (the default of ``mobility-sim bench``), the model's own inputs. The
        inputs returned are the kernel's: each car-available segment split into combustion
        and electric car owners (:mod:`mobility_sim.model.car_owners`), as the model runs it.
    purposes : {1, 2}
        With 1, the second purpose is a copy of the first (commute, doubly constrained), so that
        the reference, which always evaluates both, does the same kind of work per pair.
    cell_size_m : float
        Cell side, metres.

    Returns
    -------
    inputs : DemandInputs
    params : DemandParams
    """
    from ..model.years import year_inputs

    setup = bench_setup(n_cells, max(HORIZON, year_index + 1), float(cell_size_m))
    inputs, params = year_inputs(setup, BASE_YEAR + year_index)
    if segments < inputs.segment_share.shape[0]:
        share = np.zeros_like(inputs.segment_share)
        kept = inputs.segment_share[:segments]
        total = kept.sum(axis=0)
        share[:segments] = np.where(total > 0, kept / np.where(total > 0, total, 1.0),
                                    1.0 / segments)
        inputs = dataclasses.replace(inputs, segment_share=share)
    if purposes == 1:
        def first(a: np.ndarray, axis: int = 0) -> np.ndarray:
            return np.repeat(np.take(a, [0], axis=axis), a.shape[axis], axis=axis)

        inputs = dataclasses.replace(
            inputs, size=first(inputs.size), dest_cost=first(inputs.dest_cost),
            resident_dest_cost=(None if inputs.resident_dest_cost is None
                                else first(inputs.resident_dest_cost)))
        params = dataclasses.replace(
            params, trip_rate=first(params.trip_rate), cost_coef=first(params.cost_coef, axis=1),
            dest_scale=first(params.dest_scale), asc=first(params.asc, axis=1),
            doubly_constrained=first(params.doubly_constrained))
    inputs, params, _ = split_owners(inputs, params)
    return inputs, params
