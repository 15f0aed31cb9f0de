"""The year loop: a city, its parameters and a scenario's measures -> one kernel run per year.

:func:`setup_run` fixes what a run decides before its first year: the static cell layers, every
calendar year's levers and PT network, the PT service it implies, and the vintage fleet
projected over the whole horizon (it needs the PT service for the buses). :func:`run_years` then
builds each simulated year's kernel inputs (:mod:`.inputs`) and runs the kernel, warm-starting
the destination balancing from the trend of the last three years. What a year's outputs mean
(vehicle-km, energy, emissions, health, result tables) is the caller's
(:func:`mobility_sim.simulate.simulate`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from ..city import City
from ..city.layers import grid_country
from ..data.typed_parameters import ModelParameters
from ..fleet import FleetLevers, FleetStart, FleetYear, fleet_levers, project_fleet
from ..fleet.cold_start import ambient_temperature
from ..fleet.freight import (
    FREIGHT_VEHICLES,
    FreightRatios,
    freight_growth,
    freight_ratios,
    freight_stock_shares,
    freight_weights,
)
from ..fleet.pt_supply import annual_service_vkm
from ..kernels.balancing import warm_start
from ..kernels.spec import PT, DemandInputs, DemandOutputs, DemandParams
from ..reference.case import ReferenceCase, reference_case
from ..reference.country import income_growth
from ..scenario.base import MeasureBase
from ..scenario.levers import YearLevers, year_levers
from .asc import apply_asc_overrides
from .car_owners import owner_demand
from .external import (
    ExternalFlows,
    ExternalZones,
    external_zones,
    split_outputs,
    with_external_zones,
)
from .frequency import TripFrequency
from .inputs import CellLayers, PtNetwork, cell_layers, demand_inputs, demand_params, pt_network
from .kernel import KernelFn, fused_kernel_cached
from .ownership import accessibility_gap, long_run_shift, next_shift, stock_factor
from .parameters import Parameters
from .traffic import (
    RoadBase,
    RoadNetwork,
    RoadYear,
    road_network,
    settle,
    start_ratio,
    with_speed_factors,
)

#: The base year: the first year of the shipped scenarios and the year the cities are
#: calibrated in. Its fleet is the vintage model's (:func:`mobility_sim.fleet.projection.
#: project_fleet`) in that year with no measure, as in every baseline run; a split's survey
#: year only sets the split's definition. Incomes (and values of time) grow from it.
BASE_YEAR = 2025


@dataclass(frozen=True)
class RunSetup:
    """What a run fixes before its first year.

    Attributes
    ----------
    city : City
        The city.
    parameters : Parameters
        The run's parameters (:func:`~.parameters.resolve_parameters`).
    layers : CellLayers
        Static per-cell layers.
    years : list of int
        The simulated years.
    levers : dict of int to YearLevers
        Every calendar year's levers, from the first simulated year to the last.
    pt : dict of int to PtNetwork
        Every calendar year's PT network (used by demand and by supply).
    service_vkm : dict of int to dict
        Every calendar year's PT service vehicle-km by vehicle type.
    fleet : dict of int to FleetYear
        Every calendar year's car and bus fleet.
    reference : ReferenceCase
        The reference case the measures act on (:mod:`mobility_sim.reference.case`).
    growth : dict of int to float
        Every calendar year's residents and jobs relative to the grid's
        (:func:`population_factors`).
    external : ExternalZones or None
        The zones outside the grid (:mod:`.external`); None for a closed grid.
    freight : FreightSetup or None
        Vans and lorries: their traffic per car vehicle-km, their spread over the cells and
        their fleets (:mod:`mobility_sim.fleet.freight`).
    money_weight : dict of int to float
        Every calendar year's multiplier of the money coefficients: values of time rise with
        income from :data:`BASE_YEAR` (:func:`money_weights`).
    roads : RoadNetwork or None
        The traffic districts and their roads when speeds follow traffic
        (``traffic.feedback``; :mod:`.traffic`); None: the layers' fixed speeds.
    temperature_c : float
        The city's annual mean air temperature, degC (cold starts;
        :func:`mobility_sim.fleet.cold_start.ambient_temperature`).
    """

    city: City
    parameters: Parameters
    layers: CellLayers
    years: list[int]
    levers: dict[int, YearLevers]
    pt: dict[int, PtNetwork]
    service_vkm: dict[int, dict[str, float]]
    fleet: dict[int, FleetYear]
    reference: ReferenceCase
    growth: dict[int, float] = dataclasses.field(default_factory=dict)
    external: ExternalZones | None = None
    freight: FreightSetup | None = None
    money_weight: dict[int, float] = dataclasses.field(default_factory=dict)
    roads: RoadNetwork | None = None
    temperature_c: float = 10.0

    @property
    def supply_based(self) -> bool:
        """PT emissions counted from service vehicle-km (else from passenger-km)."""
        return bool(ModelParameters.of(self.parameters).emissions.pt_supply_based)


@dataclass(frozen=True)
class FreightSetup:
    """What a run fixes of its vans and lorries (:mod:`mobility_sim.fleet.freight`).

    Attributes
    ----------
    ratios : FreightRatios
        Van and lorry vehicle-km per car vehicle-km on the city's roads.
    weights : ndarray, shape (N,)
        Each cell's share of the freight traffic.
    stock_ze : dict of int to dict of str to float
        Zero-emission share of the van and lorry stocks in every calendar year.
    sales_ze : dict of int to dict of str to float
        Zero-emission share of new vans and lorries in every calendar year.
    """

    ratios: FreightRatios
    weights: np.ndarray
    stock_ze: dict[int, dict[str, float]]
    sales_ze: dict[int, dict[str, float]]


def freight_setup(city: City, p: Mapping[str, float], ref: ReferenceCase,
                  levers: Mapping[int, YearLevers]) -> FreightSetup:
    """Fix a run's freight: ratios, spread over the cells, and the fleets of every year.

    An ``electric_vans`` measure moves the reference case's share of new vans towards its
    target by its intensity, never below the reference case's.
    """
    sales: dict[str, dict[int, float]] = {v: dict(path) for v, path in
                                          ref.freight_zero_emission.items()}
    for year, lever in levers.items():
        if lever.van_bev_sales_share is not None:
            target, level = lever.van_bev_sales_share
            now = sales["van"][year]
            sales["van"][year] = max(now, now + level * (target - now))
    calendar = sorted(levers)
    grid = city.grid
    return FreightSetup(
        ratios=freight_ratios(city.meta.country, city.slug),
        weights=freight_weights(grid["jobs"].to_numpy(float), grid["population"].to_numpy(float),
                                p),
        stock_ze=freight_stock_shares(calendar, sales, p),
        sales_ze={y: {v: sales[v][y] for v in sales} for y in calendar})


@dataclass(frozen=True)
class ModelYear:
    """One simulated year: its levers, fleet and PT network, the kernel's inputs and outputs.

    ``inputs`` are the kernel's (the grid's cells, then the external zones; with the year's
    settled speeds when they follow traffic); ``outputs`` are the grid's part
    (:func:`.external.split_outputs`: its residents' trips wherever they go, arrivals from
    anywhere) and ``external`` the trips across the grid's edge; ``road`` the year's road
    traffic and ``road_base`` the base year's it pivots on (None with fixed speeds).
    """

    year: int
    levers: YearLevers
    fleet: FleetYear
    pt: PtNetwork
    service_vkm: dict[str, float]
    inputs: DemandInputs
    params: DemandParams
    outputs: DemandOutputs
    external: ExternalFlows | None = None
    road: RoadYear | None = None
    road_base: RoadBase | None = None


def setup_run(city: City, parameters: Parameters, measures: Sequence[MeasureBase],
              masks: Sequence[np.ndarray], years: Sequence[int],
              reference: Mapping[str, bool] | None = None) -> RunSetup:
    """Fix the levers, PT networks, PT service and fleets of every calendar year of a run.

    The reference case of the city's country (EU and national policies already decided, its
    starting fleets) sets the levers' values without a measure; the measures act on top.

    Parameters
    ----------
    city : City
        The city.
    parameters : Parameters
        The run's parameters.
    measures : sequence of measures
        The scenario's measures.
    masks : sequence of ndarray
        Each measure's cells (``LoadedScenario.masks``).
    years : sequence of int
        The simulated years, ascending.
    reference : mapping of str to bool, optional
        Reference-case elements switched off (the scenario's ``reference:``); all on by default.
    """
    p = parameters
    calendar = list(range(years[0], years[-1] + 1))
    ref = reference_case(city.meta.country, grid_country(city), calendar, reference)
    levers = {y: year_levers(measures, masks, y, city.n_cells, ref.car_bev_sales(y),
                             baseline_bus_bev_sales=ref.bus_zero_emission[y],
                             baseline_carbon_price=ref.carbon_price_eur_per_t[y],
                             reference_grid_gco2e=ref.grid_gco2e_per_kwh[y])
              for y in calendar}
    layers = cell_layers(city, p)
    pt = {y: pt_network(city, layers, p, levers[y]) for y in calendar}
    service = {y: annual_service_vkm(pt[y].service_headway_min, city.meta.cell_size_m, p,
                                     pt[y].lines)
               for y in calendar}
    growth = population_factors(city, calendar)
    fleet = fleet_path(city, p, levers, layers, growth, service, ref)
    external = external_zones(city, layers, p)
    freight = freight_setup(city, p, ref, levers)
    roads = None
    if ModelParameters.of(p).traffic.feedback:
        roads = road_network(
            city, p, None if external is None else (external.x, external.y), freight.weights,
            {v: freight.ratios.of(v) for v in FREIGHT_VEHICLES})
    return RunSetup(city=city, parameters=parameters, layers=layers, years=list(years),
                    levers=levers, pt=pt, service_vkm=service, fleet=fleet, reference=ref,
                    growth=growth, external=external, freight=freight,
                    money_weight=money_weights(city.meta.country, calendar, p), roads=roads,
                    temperature_c=ambient_temperature(
                        city.slug, ModelParameters.of(p).emissions.ambient_temperature_default_c
                    )[0])


def fleet_path(city: City, p: Mapping[str, float], levers: Mapping[int, YearLevers],
               layers: CellLayers, growth: Mapping[int, float],
               service: Mapping[int, Mapping[str, float]], ref: ReferenceCase,
               ownership: Mapping[int, float] | None = None) -> dict[int, FleetYear]:
    """Project the car and bus fleets of every calendar year of ``levers``.

    The car stock grows with the residents (``growth``) and follows car shedding and the
    car-ownership response (``ownership``: the year's multiplier of the cars owned,
    :func:`mobility_sim.model.ownership.stock_factor`; none: 1).
    """
    calendar = sorted(levers)
    owned = ownership or {}
    return project_fleet(
        [dataclasses.replace(
            fl, car_stock_factor=fl.car_stock_factor * owned.get(y, 1.0))
         for y in calendar
         for fl in [_grown(fleet_levers(levers[y], car_shed_share(levers[y], layers, city),
                                        ref.carbon_price_eur_per_t[y]), growth[y])]],
        grid_country(city), car_stock(city, p),
        {y: service[y]["bus"] / ModelParameters.of(p).fleet.bus.annual_km for y in calendar}, p,
        FleetStart(car_shares=ref.car_fleet.shares, bus_shares=ref.bus.fleet.shares,
                   car_sales=ref.car_sales, bus_bev_sales=ref.bus_zero_emission,
                   grid=ref.grid_gco2e_per_kwh, efficiency=ref.efficiency))


def money_weights(country: str, calendar: Sequence[int], p: Mapping[str, float],
                  ) -> dict[int, float]:
    """Multiplier of the money coefficients in each calendar year: values of time rise with income.

    Real income per head grows at the country's projected rate ``g``
    (:func:`mobility_sim.reference.country.income_growth`) from :data:`BASE_YEAR`, and the value
    of time with it at the elasticity ``vot.income_elasticity``, as appraisal guidance
    prescribes: ``((1 + g) ^ (year - BASE_YEAR)) ^ -elasticity`` (1 in the base year, so the
    calibration is untouched; money prices are held in real terms).
    """
    rate, _ = income_growth(country)
    elasticity = ModelParameters.of(p).vot.income_elasticity
    return {y: (1.0 + rate) ** (-(y - BASE_YEAR) * elasticity) for y in calendar}


def population_factors(city: City, calendar: Sequence[int]) -> dict[int, float]:
    """Residents and jobs of each calendar year relative to the grid's.

    With the city's published projection (``population_growth`` in ``city.yaml``): grown at its
    yearly rate from the first year of ``calendar`` to the projection's year, held after;
    without one, 1 every year (an assumption the run states).
    """
    growth = city.meta.population_growth
    first = calendar[0]
    if growth is None:
        return dict.fromkeys(calendar, 1.0)
    return {y: (1.0 + growth.rate_per_year) ** max(min(y, growth.until_year) - first, 0)
            for y in calendar}


def _grown(levers: FleetLevers, factor: float) -> FleetLevers:
    """Return the fleet levers with the car stock grown like the residents."""
    if factor == 1.0:
        return levers
    return dataclasses.replace(levers, car_stock_factor=levers.car_stock_factor * factor)


def run_years(setup: RunSetup, kernel: KernelFn, progress: bool = False,
              label: str = "", reference_logsums: Mapping[int, np.ndarray] | None = None,
              ) -> Iterator[ModelYear]:
    """Build each simulated year's kernel inputs and run the kernel on them.

    Parameters
    ----------
    setup : RunSetup
        From :func:`setup_run`.
    kernel : callable
        Demand implementation (:func:`~.kernel.kernel_for`).
    progress : bool
        Show a progress bar over years.
    label : str
        The progress bar's label.
    reference_logsums : mapping of int to ndarray, optional
        The reference case's logsums by year (grid cells), which the trip-frequency response
        pivots on (:class:`~.frequency.TripFrequency`; None: trip rates as they are).

    Yields
    ------
    ModelYear
        One per simulated year, in order.
    """
    if progress and kernel.__name__ == "demand_fused" and not fused_kernel_cached():
        tqdm.write("compiling the numba kernel on first use (about 10 s; cached for later runs)")
    history: list[np.ndarray] = []  # the last three years' factors, newest first
    roads = setup.roads
    ratios: list[np.ndarray] = []  # the last two years' speed ratios, newest first
    base: RoadBase | None = None
    owners = CarOwnership(setup)
    frequency = TripFrequency.of(setup.parameters, reference_logsums)
    for year in tqdm(setup.years, disable=not progress, desc=label, unit="year"):
        inputs, params = year_inputs(setup, year, owners.shift, frequency.factor)
        fleet = owners.fleet(year)
        road = None
        if roads is None:
            out = owner_demand(kernel, inputs, params, warm_start(*history))
        else:
            if base is None and any(level > 0 for level in setup.levers[year].active.values()):
                base = road_base(setup, kernel, year)
            start = start_ratio(*[*ratios, None, None][:2], roads.n_districts)
            out, road, base = settle(kernel, inputs, params, roads, setup.levers[year],
                                     setup.parameters, start, warm_start(*history), base,
                                     setup.city.slug,
                                     freight_growth(year - setup.years[0], setup.parameters))
            ratios = [road.ratio, *ratios[:1]]
            fleet, out, params = with_speed_factors(
                fleet, out, params, road.inputs, setup.layers.car_speed,
                setup.pt[year].speed_kmh, base.trip_km, setup.temperature_c)
            inputs = road.inputs
        history = [out.balancing, *history[:2]]
        flows = None
        if setup.external is not None:
            out, flows = split_outputs(out, setup.city.n_cells, setup.external, params.circuity)
        owners.respond(year, out.dest_logsum)
        frequency.respond(year, out.dest_logsum)
        yield ModelYear(year=year, levers=setup.levers[year], fleet=fleet,
                        pt=setup.pt[year], service_vkm=setup.service_vkm[year], inputs=inputs,
                        params=params, outputs=out, external=flows, road=road, road_base=base)


class CarOwnership:
    """A run's car-ownership response, year by year (:mod:`mobility_sim.model.ownership`).

    ``shift`` is this year's change of each cell's car-available log-odds (None until it
    moves); :meth:`respond` takes each year's logsums and sets next year's. The fleet follows:
    :meth:`fleet` returns the setup's projection until the cars owned differ from it by more
    than :attr:`REPROJECT` (relative), then a projection with the cars owned each year so far
    and this year's level held after (each re-projection repeats the past years exactly).
    """

    #: Relative change of the cars owned that triggers a new fleet projection.
    REPROJECT = 0.002

    def __init__(self, setup: RunSetup) -> None:
        self.setup = setup
        self.on = ModelParameters.of(setup.parameters).ownership.response > 0
        self.shift: np.ndarray | None = None
        self._first: np.ndarray | None = None
        self._factors: dict[int, float] = {}
        self._projected: dict[int, FleetYear] = setup.fleet
        self._projected_factor = 1.0
        self._population = setup.city.grid["population"].to_numpy(float)

    def fleet(self, year: int) -> FleetYear:
        """Return the year's fleet, projected again if ownership has moved enough."""
        s = self.setup
        factor = stock_factor(s.layers.car_available, self.shift, self._population)
        if abs(factor / self._projected_factor - 1.0) > self.REPROJECT:
            owned = {y: self._factors.get(y, factor) for y in s.fleet}
            self._projected = fleet_path(s.city, s.parameters, s.levers, s.layers, s.growth,
                                         s.service_vkm, s.reference, owned)
            self._projected_factor = factor
        self._factors[year] = self._projected_factor  # what the fleet of this year assumed
        return self._projected[year]

    def respond(self, year: int, dest_logsum: np.ndarray) -> None:
        """Take the year's logsums (grid cells) and set the next simulated year's shift."""
        if not self.on:
            return
        terms = accessibility_gap(dest_logsum)
        if self._first is None:
            self._first = terms
            return
        target = long_run_shift(terms, self._first, self.setup.parameters)
        previous = np.zeros(target.size) if self.shift is None else self.shift
        years = self.setup.years
        later = [y for y in years if y > year]
        self.shift = next_shift(previous, target, self.setup.parameters,
                                later[0] - year if later else 1)


def road_base(setup: RunSetup, kernel: KernelFn, year: int) -> RoadBase:
    """Return the base year's road traffic without any measure (measures act in year one).

    One more kernel run of ``year`` with no measure (and the scenario's reference-case
    switches), whose road traffic the year's speeds pivot on.
    """
    assert setup.roads is not None
    bare = setup_run(setup.city, setup.parameters, (), (), [year],
                     {k: v for k, v in setup.reference.elements.items() if not v})
    inputs, params = year_inputs(bare, year)
    _, _, base = settle(kernel, inputs, params, setup.roads, bare.levers[year], setup.parameters,
                        np.ones(setup.roads.n_districts), None, None, setup.city.slug)
    return base


def year_inputs(setup: RunSetup, year: int, car_shift: np.ndarray | None = None,
                trip_factor: np.ndarray | None = None) -> tuple[DemandInputs, DemandParams]:
    """Build the kernel inputs and parameters of one year of a run (every lever applied).

    The inputs are the grid's cells followed by the run's external zones (if any).

    Parameters
    ----------
    setup : RunSetup
        From :func:`setup_run`.
    year : int
        A calendar year of the run.
    car_shift : ndarray, shape (N,), optional
        The car-ownership response's change of each cell's car-available log-odds
        (:class:`CarOwnership`; None: the base year's car availability).
    trip_factor : ndarray, shape (S, P, N), optional
        The trip-frequency response's factor of the grid's cells
        (:class:`~.frequency.TripFrequency`; None: the trip rates as they are).
    """
    p, fleet_year, levers = setup.parameters, setup.fleet[year], setup.levers[year]
    state = fleet_year.state
    inputs = demand_inputs(setup.city, setup.layers, p, levers, state, setup.pt[year],
                           setup.growth.get(year, 1.0), car_shift)
    params = apply_asc_overrides(demand_params(p, state, fleet_year.grid_gco2e_per_kwh, levers,
                                                 country=setup.city.meta.country), p)
    weight = setup.money_weight.get(year, 1.0)
    if weight != 1.0:  # values of time rise with income: a euro weighs less each year
        params = dataclasses.replace(params, cost_coef=params.cost_coef * weight)
    if setup.supply_based:
        params = without_pt_per_pkm(params)
    if trip_factor is not None:
        inputs = dataclasses.replace(inputs, trip_factor=trip_factor)
    if setup.external is not None:
        inputs = with_external_zones(inputs, setup.external, p, params.trip_rate,
                                     setup.growth.get(year, 1.0))
    return inputs, params


def car_stock(city: City, p: Mapping[str, float]) -> float:
    """Return the cars owned by the grid's residents.

    Residents x the grid's ``car_ownership`` layer, else the city's cars per resident, else the
    model default.
    """
    population = city.grid["population"].to_numpy(float)
    if "car_ownership" in city.grid.columns:
        return float((population * city.grid["car_ownership"].to_numpy(float)).sum())
    per_person = (city.meta.car_ownership.cars_per_1000 / 1000.0
                  if city.meta.car_ownership is not None
                  else ModelParameters.of(p).car.ownership_default)
    return float(population.sum() * per_person)


def car_shed_share(levers: YearLevers, layers: CellLayers, city: City) -> float:
    """Share of the city's cars given up under car shedding (car-available weighted mean)."""
    shedding = levers.car_shedding
    if shedding is None:
        return 0.0
    weight = city.grid["population"].to_numpy(float) * layers.car_available
    total = weight.sum()
    return float((weight * np.asarray(shedding, float)).sum() / total) if total > 0 else 0.0


def without_pt_per_pkm(params: DemandParams) -> DemandParams:
    """Zero the kernel's PT factors: PT emissions are counted from service vehicle-km."""
    ttw, wtw = params.ef_ttw.copy(), params.ef_wtw.copy()
    ttw[PT] = wtw[PT] = 0.0
    return dataclasses.replace(params, ef_ttw=ttw, ef_wtw=wtw)
