"""The model of a city in its base year, ready to be run many times with changed parameters.

Calibration and validation both run the demand model on the base year (no measure, baseline
fleet) again and again with a few parameters changed; tests and notebooks inspect its inputs.
:func:`base_year_arrays` builds them (through the same :mod:`.inputs` functions as every
simulated year); :class:`BaselineModel` keeps them with the per-cell layers and reruns the
kernel with the last destination balancing factors as a warm start.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..city import City
from ..fleet import FleetState
from ..kernels.spec import DemandInputs, DemandOutputs, DemandParams
from .asc import apply_asc_overrides
from .car_owners import owner_demand
from .external import ExternalFlows, ExternalZones, split_outputs, with_external_zones
from .inputs import CellLayers, demand_inputs, demand_params, pt_network
from .kernel import KernelFn, kernel_for
from .parameters import Parameters, calibration_path, read_calibration, resolve_parameters
from .years import BASE_YEAR, RunSetup, setup_run

__all__ = ["BASE_YEAR", "BaselineModel", "base_year_arrays", "base_year_inputs",
           "base_year_setup", "calibration_status", "inputs_fingerprint"]


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
        Baseline kernel inputs: the grid's cells, then the external zones (if any).
    params : DemandParams
        Baseline parameters (per-segment constants from ``values`` applied).
    kernel : callable
        Demand implementation (the fastest available by default).
    external : ExternalZones or None
        The zones outside the grid; :meth:`run` returns the grid's part of the outputs and
        keeps the trips across its edge in ``flows``.
    """

    city: City
    values: Parameters
    layers: CellLayers
    fleet: FleetState
    inputs: DemandInputs
    params: DemandParams
    kernel: KernelFn
    external: ExternalZones | None = None
    flows: ExternalFlows | None = None
    runs: int = 0
    _balancing: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def build(cls, city: City, overrides: Mapping[str, float] | None = None,
              kernel: KernelFn | None = None, calibrated: bool = False) -> BaselineModel:
        """Build the baseline of ``city``: defaults (< its calibration) < ``overrides``.

        Parameters
        ----------
        city : City
            The city.
        overrides : mapping, optional
            Values on top (e.g. a transferred coefficient set).
        kernel : callable, optional
            Demand implementation (default: the fastest available).
        calibrated : bool
            Apply the city's ``calibration.yaml`` (:func:`~.parameters.resolve_parameters`).
        """
        values = resolve_parameters(city, overrides, calibration=calibrated)
        setup = base_year_setup(city, values)
        layers, fleet, inputs, params = base_year_arrays(city, values, setup)
        return cls(city=city, values=values, layers=layers, fleet=fleet, inputs=inputs,
                   params=params, kernel=kernel or kernel_for("auto"), external=setup.external)

    def run(self, params: DemandParams | None = None,
            inputs: DemandInputs | None = None) -> DemandOutputs:
        """Run the model with changed parameters or inputs (warm-started balancing).

        Returns the grid's part of the outputs (its residents' trips wherever they go); the
        trips across the grid's edge are kept in :attr:`flows`.
        """
        params = params or self.params
        out = owner_demand(self.kernel, inputs or self.inputs, params, self._balancing)
        self._balancing = out.balancing
        self.runs += 1
        if self.external is not None:
            out, self.flows = split_outputs(out, self.city.n_cells, self.external,
                                            params.circuity)
        return out

    def inputs_with_headway(self, factor: float) -> DemandInputs:
        """Baseline inputs with every cell's PT headway multiplied by ``factor``."""
        levers = dataclasses.replace(base_year_setup(self.city, self.values).levers[BASE_YEAR],
                                     headway_factor=np.full(self.city.n_cells, factor))
        pt = pt_network(self.city, self.layers, self.values, levers)
        inputs = demand_inputs(self.city, self.layers, self.values, levers, self.fleet, pt)
        if self.external is None:
            return inputs
        return with_external_zones(inputs, self.external, self.values, self.params.trip_rate)


def base_year_setup(city: City, values: Mapping[str, float]) -> RunSetup:
    """Return the model's setup of a run of :data:`BASE_YEAR` alone, with no measure."""
    parameters = values if isinstance(values, Parameters) else Parameters(values)
    return setup_run(city, parameters, (), (), [BASE_YEAR])


def base_year_arrays(city: City, values: Mapping[str, float], setup: RunSetup | None = None,
                     ) -> tuple[CellLayers, FleetState, DemandInputs, DemandParams]:
    """Layers, fleet, kernel inputs and parameters of a city's base year with the given values.

    No measure; the car fleet of the vintage model in :data:`BASE_YEAR`; the grid intensity of
    that year; the per-segment constants among ``values`` applied; the external zones appended
    to the grid's cells. The kernel's PT emission factors are kept (per passenger-km) whatever
    ``emissions.pt_supply_based`` says: the base year has no supply accounting of its own.
    ``setup`` is :func:`base_year_setup` of the same values, when the caller has it.
    """
    setup = setup or base_year_setup(city, values)
    fleet_year, levers = setup.fleet[BASE_YEAR], setup.levers[BASE_YEAR]
    fleet = fleet_year.state
    inputs = demand_inputs(city, setup.layers, values, levers, fleet, setup.pt[BASE_YEAR])
    params = apply_asc_overrides(
        demand_params(values, fleet, fleet_year.grid_gco2e_per_kwh, levers,
                      country=city.meta.country), values)
    if setup.external is not None:
        inputs = with_external_zones(inputs, setup.external, values, params.trip_rate)
    return setup.layers, fleet, inputs, params


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


def inputs_fingerprint(city: City, values: Mapping[str, float]) -> str:
    """Hash of the baseline model arrays a calibration is fitted on, constants left out.

    Built from the baseline's per-cell inputs and its parameters other than the constants, so
    that it changes when the grid, the city's metadata or a default the baseline uses changes,
    but not when an unrelated parameter (a measure's setting) is added. A calibration records
    it; a different one today means the calibration was made for other inputs (stale).
    """
    _, _, inputs, params = base_year_arrays(city, values)
    digest = hashlib.sha256()
    for container in (inputs, params):
        for item in dataclasses.fields(container):
            if item.name == "asc" or getattr(container, item.name) is None:
                continue  # None: an optional input the base year does not use
            value = np.asarray(getattr(container, item.name))
            digest.update(item.name.encode())
            digest.update(np.ascontiguousarray(value).tobytes())
    return digest.hexdigest()[:16]


CalibrationStatus = Literal["none", "current", "stale"]


def calibration_status(city: City) -> CalibrationStatus:
    """Whether a city's calibration exists and was made on today's inputs and defaults.

    Cached per city folder and the modification times of its grid, metadata and calibration
    files (computing the fingerprint builds the base year once).
    """
    if city.path is None:
        return "none"
    path = calibration_path(city)
    if not path.is_file():
        return "none"
    key = (str(city.path.resolve()), *(f.stat().st_mtime_ns if f.is_file() else 0 for f in
                                       (path, city.path / "grid.parquet", city.path / "city.yaml")))
    if key not in _STATUS:
        stored = read_calibration(path).get("inputs_fingerprint")
        defaults = resolve_parameters(city, calibration=False)
        _STATUS[key] = "current" if stored == inputs_fingerprint(city, defaults) else "stale"
    return _STATUS[key]


#: Calibration status by city folder and file modification times (see calibration_status).
_STATUS: dict[tuple[object, ...], CalibrationStatus] = {}
