"""The model of a city in its baseline year, ready to be run many times with changed parameters.

Calibration and validation both run the demand model on the baseline (no measure, baseline
fleet) again and again with a few parameters changed. :class:`BaselineModel` builds the per-cell
layers once and keeps the last destination balancing factors as a warm start.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ..city import City
from ..data import grid_intensity, parameters
from ..fleet import FleetState, car_fleet_path
from ..fleet.mix import default_sales
from ..kernels.spec import CAR_MODES, MODES, DemandInputs, DemandOutputs, DemandParams
from ..model_inputs import CellLayers, cell_layers, demand_inputs, demand_params
from ..scenario.levers import YearLevers
from .keys import apply_asc_overrides
from .targets import SURVEY_MODES

Kernel = Callable[[DemandInputs, DemandParams, "np.ndarray | None"], DemandOutputs]

#: Year whose fleet (EU 2024 mix, ACEA) the baseline uses: a split's survey year only sets its
#: definition, and both car powertrains share one constant, so the fleet year barely matters.
BASELINE_FLEET_YEAR = 2025


def _default_kernel() -> Kernel:
    from ..simulate import kernel_for  # late import: simulate may import this package

    return kernel_for("auto")


@dataclass
class BaselineModel:
    """A city's baseline inputs and parameters, with a warm-started runner.

    Attributes
    ----------
    city : City
        The city.
    values : dict of str to float
        Parameter values (defaults overridden by the caller's values).
    layers : CellLayers
        Static per-cell layers.
    fleet : FleetState
        Baseline fleet.
    inputs : DemandInputs
        Baseline per-cell inputs.
    params : DemandParams
        Baseline parameters (per-segment constants from ``values`` applied).
    kernel : callable
        Demand implementation (the fastest available by default).
    """

    city: City
    values: dict[str, float]
    layers: CellLayers
    fleet: FleetState
    inputs: DemandInputs
    params: DemandParams
    kernel: Kernel
    runs: int = 0
    _balancing: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def build(cls, city: City, overrides: Mapping[str, float] | None = None,
              kernel: Kernel | None = None) -> BaselineModel:
        """Build the baseline of ``city`` with default parameters and ``overrides``."""
        values = parameters()
        values.update(overrides or {})
        layers, fleet, inputs, params = baseline_arrays(city, values)
        return cls(city=city, values=values, layers=layers, fleet=fleet, inputs=inputs,
                   params=params, kernel=kernel or _default_kernel())

    def run(self, params: DemandParams | None = None,
            inputs: DemandInputs | None = None) -> DemandOutputs:
        """Run the model with changed parameters or inputs (warm-started balancing)."""
        out = self.kernel(inputs or self.inputs, params or self.params, self._balancing)
        self._balancing = out.balancing
        self.runs += 1
        return out

    def inputs_with_headway(self, factor: float) -> DemandInputs:
        """Baseline inputs with every cell's PT headway multiplied by ``factor``."""
        levers = dataclasses.replace(baseline_levers(self.city),
                                     headway_factor=np.full(self.city.n_cells, factor))
        return demand_inputs(self.city, self.layers, self.values, levers, self.fleet)


def baseline_arrays(city: City, values: Mapping[str, float],
                    ) -> tuple[CellLayers, FleetState, DemandInputs, DemandParams]:
    """Layers, fleet, inputs and parameters of a city's baseline with the given values."""
    fleet = car_fleet_path([BASELINE_FLEET_YEAR], {BASELINE_FLEET_YEAR: 0.0})[0]
    layers = cell_layers(city, values)
    inputs = demand_inputs(city, layers, values, baseline_levers(city), fleet)
    country = city.meta.grid_intensity_country or city.meta.country
    params = demand_params(values, fleet, grid_intensity(country))
    return layers, fleet, inputs, apply_asc_overrides(params, values)


def baseline_levers(city: City) -> YearLevers:
    """Lever values with no measure: baseline sales, unchanged headways."""
    return YearLevers(year=BASELINE_FLEET_YEAR, bev_sales_share=default_sales()["bev"],
                      headway_factor=np.ones(city.n_cells), active={})


def mode_totals(out: DemandOutputs, unit: str, purposes: tuple[int, ...]) -> np.ndarray:
    """Daily trips or passenger-km per model mode over the given purposes, shape (M,)."""
    table = out.trips if unit == "trips" else out.pkm
    return table[:, list(purposes)].sum(axis=(0, 1, 2))


def survey_mode_shares(out: DemandOutputs, unit: str,
                       purposes: tuple[int, ...]) -> dict[str, float]:
    """Share of each survey mode (walk, bike, pt, car) among the modelled modes."""
    totals = mode_totals(out, unit, purposes)
    grand = float(totals.sum())
    return {m: float(totals[list(idx)].sum()) / grand if grand > 0 else 0.0
            for m, idx in SURVEY_MODES.items()}


def mean_trip_length(out: DemandOutputs, purposes: tuple[int, ...],
                     modes: tuple[int, ...] | None = None) -> float:
    """Mean network distance per trip, km, over purposes and (by default) all modes."""
    cols = list(modes) if modes is not None else list(range(len(MODES)))
    trips = out.trips[:, list(purposes)][..., cols].sum()
    pkm = out.pkm[:, list(purposes)][..., cols].sum()
    return float(pkm / trips) if trips > 0 else float("nan")


def car_vkm(out: DemandOutputs) -> float:
    """Daily car vehicle-km (both powertrains)."""
    return float(out.vkm[:, list(CAR_MODES)].sum())
