"""The model of a city in its base year, ready to be run many times with changed parameters.

Calibration and validation both run the demand model on the base year (no measure, baseline
fleet) again and again with a few parameters changed; tests and notebooks inspect its inputs.
:func:`base_year_arrays` builds them (through the same :mod:`.inputs` functions as every
simulated year); :class:`BaselineModel` keeps them with the per-cell layers and reruns the
kernel with the last destination balancing factors as a warm start.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..city import City
from ..city.layers import grid_country
from ..data import grid_intensity
from ..fleet import FleetState, car_fleet_path
from ..fleet.mix import default_sales
from ..kernels.spec import DemandInputs, DemandOutputs, DemandParams
from ..scenario.levers import YearLevers
from .asc import apply_asc_overrides
from .inputs import CellLayers, cell_layers, demand_inputs, demand_params, pt_network
from .kernel import KernelFn, kernel_for
from .parameters import Parameters, resolve_parameters

#: Year whose fleet (EU 2024 mix, ACEA) the baseline uses: a split's survey year only sets its
#: definition, and both car powertrains share one constant, so the fleet year barely matters.
BASELINE_FLEET_YEAR = 2025


@dataclass
class BaselineModel:
    """A city's baseline inputs and parameters, with a warm-started runner.

    Attributes
    ----------
    city : City
        The city.
    values : Parameters
        Parameter values (defaults overridden by the caller's values, no calibration).
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
    values: Parameters
    layers: CellLayers
    fleet: FleetState
    inputs: DemandInputs
    params: DemandParams
    kernel: KernelFn
    runs: int = 0
    _balancing: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def build(cls, city: City, overrides: Mapping[str, float] | None = None,
              kernel: KernelFn | None = None) -> BaselineModel:
        """Build the baseline of ``city`` with default parameters and ``overrides``."""
        values = resolve_parameters(city, overrides, calibration=False)
        layers, fleet, inputs, params = base_year_arrays(city, values)
        return cls(city=city, values=values, layers=layers, fleet=fleet, inputs=inputs,
                   params=params, kernel=kernel or kernel_for("auto"))

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
        pt = pt_network(self.city, self.layers, self.values, levers)
        return demand_inputs(self.city, self.layers, self.values, levers, self.fleet, pt)


def base_year_arrays(city: City, values: Mapping[str, float],
                     ) -> tuple[CellLayers, FleetState, DemandInputs, DemandParams]:
    """Layers, fleet, inputs and parameters of a city's base year with the given values.

    No measure, the baseline fleet, the grid intensity of the city's grid country; the
    per-segment constants among ``values`` applied.
    """
    fleet = car_fleet_path([BASELINE_FLEET_YEAR], {BASELINE_FLEET_YEAR: 0.0})[0]
    layers = cell_layers(city, values)
    levers = baseline_levers(city)
    inputs = demand_inputs(city, layers, values, levers, fleet,
                           pt_network(city, layers, values, levers))
    params = demand_params(values, fleet, grid_intensity(grid_country(city)))
    return layers, fleet, inputs, apply_asc_overrides(params, values)


def baseline_levers(city: City) -> YearLevers:
    """Lever values with no measure: baseline sales, unchanged headways."""
    return YearLevers(year=BASELINE_FLEET_YEAR, bev_sales_share=default_sales()["bev"],
                      headway_factor=np.ones(city.n_cells), active={})


def base_year_inputs(city: City, overrides: Mapping[str, float] | None = None,
                     ) -> tuple[DemandInputs, DemandParams]:
    """Kernel inputs and parameters of ``city``'s base year: defaults with ``overrides``.

    The city's calibration is not applied (pass it among ``overrides`` to use it). Tests,
    benchmarks and notebooks that need the model's arrays of a city (e.g. a
    :func:`~mobility_sim.city.synthetic.synthetic_city`) take them from here.
    """
    _, _, inputs, params = base_year_arrays(city, resolve_parameters(city, overrides,
                                                                     calibration=False))
    return inputs, params
