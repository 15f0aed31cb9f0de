"""City + parameters + a year's levers -> the arrays of the demand model.

Per-cell layers a city does not provide take documented defaults that scale with residential
density (all in ``mobility_sim/data/parameters.csv``); :func:`cell_layers` records which layers
came from data and which from defaults, and the results carry that record.

:func:`demand_inputs` and :func:`demand_params` apply a year's levers
(:class:`mobility_sim.scenario.levers.YearLevers`): this is where each measure reaches the
model's inputs, never its outputs. ``docs/measures.md`` says which input each measure changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..city import City
from ..city.layers import density_default, residents_per_km2
from ..data.typed_parameters import ModelParameters, PerMode
from ..exceptions import ScenarioError
from ..fleet import FleetState, mode_emission_factors
from ..fleet.purchase import running_cost_change
from ..kernels.spec import (
    BIKE,
    CAR_EV,
    CAR_ICE,
    CAR_MODES,
    EBIKE,
    MODES,
    PT,
    PURPOSES,
    SEGMENTS,
    WALK,
    DemandInputs,
    DemandParams,
)
from ..scenario.areas import line_distance, mean_distance_to_line
from ..scenario.levers import PtLineLever, YearLevers
from .income import CAR_SEGMENTS, NO_CAR_SEGMENTS, segment_cost_factors, segment_shares
from .ownership import shifted

Params = Mapping[str, float]

#: A visit is two trips (there and back): each of the model's one-way trips to a destination
#: carries half the parking cost of the visit (price x dwell hours x paid share).
TRIPS_PER_VISIT = 2.0


@dataclass(frozen=True)
class CellLayers:
    """Static per-cell layers of a city, from its data or from density-scaled defaults.

    Attributes
    ----------
    density : ndarray
        Residents per km2.
    car_speed : ndarray
        Car speed, km/h.
    pt_stop_distance_m : ndarray
        Walk distance to the nearest stop, metres.
    pt_access_min : ndarray
        Walking minutes to the nearest stop.
    pt_headway_min : ndarray
        Headway of the best service, minutes (before measures).
    bike_infra : ndarray
        Share of streets with protected cycle infrastructure.
    parking_eur_per_hour : ndarray
        Parking price, EUR/h.
    parking_search_min : ndarray
        Parking search and walk minutes at the destination.
    car_available : ndarray
        Share of residents with a car available.
    sources : dict of str to str
        For each layer, ``"data"`` or ``"default"``.
    """

    density: np.ndarray
    car_speed: np.ndarray
    pt_stop_distance_m: np.ndarray
    pt_access_min: np.ndarray
    pt_headway_min: np.ndarray
    bike_infra: np.ndarray
    parking_eur_per_hour: np.ndarray
    parking_search_min: np.ndarray
    car_available: np.ndarray
    sources: dict[str, str]


def _decay(density: np.ndarray, lo: float, hi: float, scale: float) -> np.ndarray:
    """``hi`` at zero density falling exponentially towards ``lo``."""
    return lo + (hi - lo) * np.exp(-density / scale)


def cell_layers(city: City, p: Params) -> CellLayers:
    """Return the static layers of ``city`` (data where present, defaults elsewhere)."""
    grid = city.grid
    density = residents_per_km2(city)
    sources: dict[str, str] = {}

    def layer(column: str, default: np.ndarray) -> np.ndarray:
        if column in grid.columns:
            sources[column] = "data"
            return grid[column].to_numpy(float)
        sources[column] = "default"
        return default

    mp = ModelParameters.of(p)
    walk_m_per_min = mp.speed.walk * 1000.0 / 60.0
    stop_m, headway, infra = (
        layer(name, density_default(name, density, p))
        for name in ("pt_stop_distance_m", "pt_headway_min", "cycle_infra_share"))
    ramp = np.clip((density - mp.parking.density_start)
                   / (mp.parking.density_full - mp.parking.density_start), 0.0, 1.0)
    parking = layer("parking_eur_per_hour", mp.parking.max_eur_per_h * ramp)
    car_speed = _decay(density, mp.speed.car_min, mp.speed.car_max, mp.speed.car_density_scale)
    sources["car_speed"] = "default"
    if "car_ownership" in grid.columns:
        sources["car_ownership"] = "data"
        ownership = grid["car_ownership"].to_numpy(float)
    else:
        city_value = (city.meta.car_ownership.cars_per_1000 / 1000.0
                      if city.meta.car_ownership is not None else mp.car.ownership_default)
        sources["car_ownership"] = "city" if city.meta.car_ownership is not None else "default"
        profile = 1.0 / (1.0 + density / mp.car.ownership_density_scale)
        pop = grid["population"].to_numpy(float)
        mean = float((profile * pop).sum() / pop.sum()) if pop.sum() > 0 else 1.0
        ownership = city_value * profile / mean
    car_available = np.clip(ownership * mp.car.availability_per_car, 0.0,
                            mp.car.availability_max)
    return CellLayers(
        density=density, car_speed=car_speed, pt_stop_distance_m=stop_m,
        pt_access_min=stop_m / walk_m_per_min,
        pt_headway_min=headway, bike_infra=infra, parking_eur_per_hour=parking,
        parking_search_min=mp.parking.search_max_min * ramp, car_available=car_available,
        sources=sources,
    )


@dataclass(frozen=True)
class PtNetwork:
    """Per-cell public transport supply of one year, after frequency measures and new lines.

    Attributes
    ----------
    stop_distance_m : ndarray
        Walk distance to the nearest stop, metres.
    access_min : ndarray
        Walking minutes to the nearest stop.
    headway_min : ndarray
        Headway of the best service, minutes (new lines included).
    speed_kmh : ndarray
        In-vehicle speed, km/h.
    service_headway_min : ndarray
        Headway of the existing services after the frequency measures, minutes: what the
        supply model counts per cell (new lines are counted apart, from their length).
    lines : tuple of PtLineLever
        The year's new lines (those at intensity 0 included: they run no service).
    """

    stop_distance_m: np.ndarray
    access_min: np.ndarray
    headway_min: np.ndarray
    speed_kmh: np.ndarray
    service_headway_min: np.ndarray
    lines: tuple[PtLineLever, ...] = ()


def apply_pt_line(line: PtLineLever, x: np.ndarray, y: np.ndarray, cell_size: float,
                  catchment_m: float, stop_m: np.ndarray, headway: np.ndarray,
                  speed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Place one new line on the grid (see ``pt_line`` in ``docs/measures.md``).

    Served cells (centre within ``catchment_m`` of the line) get a stop distance of at most the
    residents' mean perpendicular distance to the line plus a quarter of the stop spacing, a
    headway of at most the line's, and a PT speed of at least the line's; the intensity
    ``line.level`` interpolates each change.

    Returns
    -------
    stop_m, headway, speed : ndarray
        Updated copies.
    """
    dist = line_distance(line.wkt, x, y)
    served = dist <= catchment_m
    level = line.level * served
    to_line = mean_distance_to_line(dist, cell_size) + line.stop_spacing_m / 4.0
    stop_m = (1.0 - level) * stop_m + level * np.minimum(stop_m, to_line)
    headway = (1.0 - level) * headway + level * np.minimum(headway, line.headway_min)
    speed = (1.0 - level) * speed + level * np.maximum(speed, line.speed_kmh)
    return stop_m, headway, speed


def pt_network(city: City, layers: CellLayers, p: Params, levers: YearLevers) -> PtNetwork:
    """Return the PT network of a year: headway factors, then new lines, on the city's layers.

    Resolved once a year, it feeds both the demand model (:func:`demand_inputs`) and the supply
    model (:func:`mobility_sim.fleet.pt_supply.annual_service_vkm`).
    """
    mp = ModelParameters.of(p)
    service_headway = layers.pt_headway_min * levers.headway_factor
    speed = np.full(city.n_cells, mp.speed.pt)
    all_lines = tuple(levers.pt_lines)
    lines = [line for line in all_lines if line.level > 0]
    if not lines:
        return PtNetwork(layers.pt_stop_distance_m, layers.pt_access_min, service_headway, speed,
                         service_headway, all_lines)
    x, y = city.grid["x"].to_numpy(float), city.grid["y"].to_numpy(float)
    stop_m, headway = layers.pt_stop_distance_m, service_headway
    for line in lines:
        catchment = line.catchment_m if line.catchment_m is not None else mp.pt.line_catchment_m
        stop_m, headway, speed = apply_pt_line(line, x, y, city.meta.cell_size_m, catchment,
                                               stop_m, headway, speed)
    walk_m_per_min = mp.speed.walk * 1000.0 / 60.0
    return PtNetwork(stop_m, stop_m / walk_m_per_min, headway, speed, service_headway, all_lines)


def relocate(values: np.ndarray, area: np.ndarray, near: np.ndarray, share: float) -> np.ndarray:
    """Move ``share`` of ``values`` from far area cells to near area cells (total conserved).

    The amount taken from the area's cells outside ``near`` is spread over the area's cells in
    ``near`` in proportion to their current values (evenly if those are all 0). Nothing moves
    when either group is empty.
    """
    donors, receivers = area & ~near, area & near
    if share <= 0 or not donors.any() or not receivers.any():
        return values
    out = values.astype(float).copy()
    moved = out[donors] * share
    out[donors] -= moved
    weights = out[receivers]
    total_w = weights.sum()
    spread = weights / total_w if total_w > 0 else np.full(weights.size, 1.0 / weights.size)
    out[receivers] += moved.sum() * spread
    return out


def _ebike_availability(p: Params, levers: YearLevers, population: np.ndarray,
                        n: int) -> np.ndarray:
    """Share of residents with an e-bike at hand: own, subsidised, and shared."""
    mp = ModelParameters.of(p)
    own = np.full(n, mp.ebike.availability)
    per_bike = mp.ebike.subsidy_additionality * mp.ebike.users_per_bike
    for subsidy in levers.ebike_subsidised:
        residents = float(population[subsidy.mask].sum())
        if residents > 0:
            own[subsidy.mask] += subsidy.amount * per_bike / residents
    own = np.minimum(own, 1.0)
    if levers.shared_ebike_coverage is not None:
        cover = levers.shared_ebike_coverage
        own = np.where(cover > 0, np.maximum(own, 1.0 - (1.0 - own) * (1.0 - cover)), own)
    return own


def _car_speed(layers: CellLayers, p: Params, levers: YearLevers) -> np.ndarray:
    """Car speed per cell: the harmonic mean over the car-km under a speed limit and the rest.

    The limit's share of street length becomes a share of car-km
    (:meth:`~mobility_sim.data.typed_parameters.SpeedLimit.traffic_share`: minor streets,
    which a limit covers first, carry less traffic per km than main roads).
    """
    base = layers.car_speed
    if levers.speed_limit is None:
        return base
    rules = ModelParameters.of(p).speed_limit
    share = rules.traffic_share(levers.speed_limit.level)
    limit = np.where(np.isnan(levers.speed_limit.target), np.inf, levers.speed_limit.target)
    limited = np.minimum(base, limit * rules.travel_speed_ratio)
    slower = (share > 0) & (limited < base)
    blended = 1.0 / ((1.0 - share) / base + share / limited)
    return np.where(slower, np.minimum(blended, base), base)


def expected_wait_min(headway_min: np.ndarray | float, p: Params) -> np.ndarray:
    """Return the expected wait at a stop, minutes: half the headway, capped at ``pt.wait_cap``."""
    return np.minimum(np.asarray(headway_min, dtype=float) / 2.0,
                      ModelParameters.of(p).pt.wait_cap)


def wait_weight(p: Params) -> float:
    """Out-of-vehicle minutes one minute of PT wait counts as: ``utility.wait / utility.ovt``.

    The kernel has one out-of-vehicle coefficient (access, egress, parking search); the wait
    enters its time in those minutes, so a wait coefficient of its own needs no second array.

    Raises
    ------
    ScenarioError
        If ``utility.ovt`` is 0 while ``utility.wait`` is not (the wait could not be weighed).
    """
    utility = ModelParameters.of(p).utility
    ovt, wait = utility.ovt, utility.wait
    if ovt == 0:
        if wait != 0:
            raise ScenarioError(
                f"parameters: utility.ovt is 0 while utility.wait is {wait}: the wait is "
                "weighed relative to utility.ovt; give utility.ovt a negative value")
        return 0.0
    return wait / ovt


def car_occupancy(mp: ModelParameters, levers: YearLevers | None) -> float:
    """Persons per car of the year: ``car.occupancy`` with any occupancy measure, at least 1.

    One home for the value that divides a car's vehicle-km and its money costs (running
    cost, parking, zone and cordon charges) among the persons in it.
    """
    occupancy = mp.car.occupancy
    if levers is not None:
        occupancy = max(1.0, levers.car_occupancy.apply(occupancy))
    return float(occupancy)


def demand_inputs(city: City, layers: CellLayers, p: Params, levers: YearLevers,
                  fleet: FleetState, pt: PtNetwork, growth: float = 1.0,
                  car_shift: np.ndarray | None = None) -> DemandInputs:
    """Build the per-cell model inputs of one year, with the year's measures applied.

    Parameters
    ----------
    city, layers, p, levers
        The city, its static layers, the parameters, the year's levers.
    fleet : FleetState
        The year's car fleet (battery-electric share of the car alternatives).
    pt : PtNetwork
        The year's PT network (:func:`pt_network` of the same levers).
    growth : float
        Residents and jobs of the year relative to the grid's (the city's population
        projection, :func:`mobility_sim.model.years.population_factors`).
    car_shift : ndarray, shape (N,), optional
        Change of each cell's car-available log-odds since the base year (the car-ownership
        response, :mod:`mobility_sim.model.ownership`; None: none).
    """
    mp = ModelParameters.of(p)
    n = city.n_cells
    grid = city.grid
    n_seg, n_pur, n_modes = len(SEGMENTS), len(PURPOSES), len(MODES)
    population = grid["population"].to_numpy(float) * growth
    jobs = grid["jobs"].to_numpy(float) * growth
    for move in levers.densify:
        near = pt.stop_distance_m <= move.distance_m
        population = relocate(population, move.mask, near, move.residents_share)
        jobs = relocate(jobs, move.mask, near, move.jobs_share)
    car_available = shifted(layers.car_available, car_shift)
    if levers.car_shedding is not None:
        car_available = car_available * (1.0 - levers.car_shedding)
    segment_share = segment_shares(car_available, p)
    size = np.vstack([jobs, jobs + mp.size.other_pop_weight * population])
    origin_avail = np.ones((n_seg, n_modes, n))
    origin_avail[:, EBIKE] = _ebike_availability(p, levers, population, n)
    ice_share = 1.0 - fleet.bev_share
    cars, no_cars = list(CAR_SEGMENTS), list(NO_CAR_SEGMENTS)
    origin_avail[cars, CAR_ICE], origin_avail[cars, CAR_EV] = ice_share, fleet.bev_share
    origin_avail[np.ix_(no_cars, list(CAR_MODES))] = 0.0
    if levers.car_sharing_coverage is not None:
        ev = fleet.bev_share if levers.car_sharing_ev_share is None else levers.car_sharing_ev_share
        origin_avail[no_cars, CAR_ICE] = levers.car_sharing_coverage * (1.0 - ev)
        origin_avail[no_cars, CAR_EV] = levers.car_sharing_coverage * ev
    wait = expected_wait_min(pt.headway_min, p)
    origin_time = np.zeros((n_modes, n))
    dest_time = np.zeros((n_modes, n))
    origin_time[PT] = pt.access_min + wait * wait_weight(p)
    dest_time[PT] = pt.access_min
    dest_time[list(CAR_MODES)] = layers.parking_search_min
    parking = layers.parking_eur_per_hour
    if levers.parking is not None:
        parking = levers.parking.apply(parking)
    per_person = 1.0 / car_occupancy(mp, levers)  # a car's charges are shared by its occupants

    def destinations(ice_avail: np.ndarray | None, ice_charge: np.ndarray | None
                     ) -> tuple[np.ndarray, np.ndarray]:
        """Availability and money cost of each destination under the zones' levers."""
        avail = np.ones((n_modes, n))
        if ice_avail is not None:
            avail[CAR_ICE] = ice_avail
        cost = np.zeros((n_pur, n_modes, n))
        for k, purpose in enumerate(PURPOSES):
            per_trip = (parking * mp.parking.dwell_h.of(purpose)
                        * mp.parking.paid_share.of(purpose) / TRIPS_PER_VISIT)
            cost[k, list(CAR_MODES)] = per_trip * per_person
            if ice_charge is not None:  # a zone's charge per visit, like parking
                cost[k, CAR_ICE] += ice_charge / TRIPS_PER_VISIT * per_person
        return avail, cost

    dest_avail, dest_cost = destinations(levers.ice_dest_avail, levers.ice_dest_charge_eur)
    spared: dict[str, np.ndarray] = {}
    if levers.zone_residents is not None:  # residents a low-emission zone spares
        avail, cost = destinations(levers.resident_ice_dest_avail,
                                   levers.resident_ice_dest_charge_eur)
        spared = {"zone_residents": np.asarray(levers.zone_residents, dtype=bool).copy(),
                  "resident_dest_avail": avail, "resident_dest_cost": cost}
    bike_infra = layers.bike_infra
    if levers.bike_infra is not None:
        bike_infra = np.clip(levers.bike_infra.apply(bike_infra, raise_only=True), 0.0, 1.0)
    cordon = np.zeros(n, dtype=bool) if levers.cordon is None else levers.cordon.copy()
    return DemandInputs(
        x=grid["x"].to_numpy(float), y=grid["y"].to_numpy(float),
        cell_size=float(city.meta.cell_size_m), population=population,
        segment_share=segment_share, size=size, origin_avail=origin_avail, dest_avail=dest_avail,
        origin_time=origin_time, dest_time=dest_time, dest_cost=dest_cost,
        car_speed=_car_speed(layers, p, levers), pt_speed=pt.speed_kmh,
        bike_infra=bike_infra, cordon=cordon, **spared,
    )


def demand_params(p: Params, fleet: FleetState, grid_gco2e_per_kwh: float,
                  levers: YearLevers | None = None, *, country: str) -> DemandParams:
    """Build the model parameters of one year (emission factors follow the fleet and grid).

    Parameters
    ----------
    p : mapping
        Parameters (defaults with the scenario's overrides).
    fleet : FleetState
        The car fleet of the year.
    grid_gco2e_per_kwh : float
        Grid carbon intensity of the year, with any grid measure already applied
        (``levers.grid_intensity_factor`` is not applied here).
    levers : YearLevers, optional
        The year's levers: fare, fuel and carbon price, occupancy, telework, cordon charges.
        Without them the parameters are those of no measure.
    country : str
        The city's country (ISO alpha-3): its income groups set each segment's cost
        coefficient (:func:`mobility_sim.model.income.segment_cost_factors`).
    """
    mp = ModelParameters.of(p)
    n_modes = len(MODES)
    utility = mp.utility

    def per_mode(values: PerMode) -> np.ndarray:
        return np.array([values.of_mode(m) for m in range(n_modes)])

    asc = np.broadcast_to(per_mode(utility.asc), (len(SEGMENTS), len(PURPOSES), n_modes)).copy()
    speed = np.zeros(n_modes)
    speed[WALK], speed[BIKE], speed[EBIKE] = mp.speed.walk, mp.speed.bike, mp.speed.ebike
    occupancy = car_occupancy(mp, levers)
    trip_rate = np.array(mp.trip_rate.by_purpose())
    fare = np.zeros(n_modes)
    fare[PT] = mp.pt.fare
    cordon_charge = np.zeros(n_modes)
    cordon_resident_factor = 1.0 if levers is None else levers.cordon_resident_factor
    if levers is not None:
        commute, other = PURPOSES.index("commute"), PURPOSES.index("other")
        removed = trip_rate[commute] * (1.0 - levers.commute_trip_factor)
        trip_rate[commute] -= removed
        trip_rate[other] += mp.telework.rebound_trips * removed
        fare[PT] = max(0.0, levers.pt_fare.apply(fare[PT]))
        cordon_charge[CAR_ICE] = levers.cordon_charge_eur
        cordon_charge[CAR_EV] = levers.cordon_charge_ev_eur
    ef_ttw, ef_wtw = mode_emission_factors(fleet, grid_gco2e_per_kwh, occupancy)
    cost_per_km = np.zeros(n_modes)
    cost_per_km[CAR_ICE], cost_per_km[CAR_EV] = mp.car.cost_per_km_ice, mp.car.cost_per_km_ev
    if levers is not None:
        ice_kg_per_vkm = ef_ttw[CAR_ICE] * occupancy
        cost_per_km[CAR_ICE] += running_cost_change(
            levers.fuel_price_change_eur_per_l, levers.carbon_price_eur_per_t,
            mp.car.fuel_l_per_km, ice_kg_per_vkm)
        cost_per_km[CAR_ICE] = max(0.0, cost_per_km[CAR_ICE])
    # a car's money costs are shared by its occupants: each person-km and person-trip pays
    # the vehicle's cost over the occupancy (so more persons per car make driving cheaper)
    cost_per_km /= occupancy
    cordon_charge /= occupancy
    infra = np.zeros(n_modes)
    infra[[BIKE, EBIKE]] = utility.bike_infra_time_saving
    vkm_per_pkm = np.zeros(n_modes)
    vkm_per_pkm[list(CAR_MODES)] = 1.0 / occupancy
    nest, nest_scale = mp.nest.structure()
    return DemandParams(
        trip_rate=trip_rate,
        asc=asc, time_coef=per_mode(utility.time), ovt_coef=utility.ovt,
        cost_coef=np.outer(segment_cost_factors(country, p), utility.cost.by_purpose()),
        infra_coef=infra, speed=speed, cost_per_km=cost_per_km, fare=fare,
        cordon_charge=cordon_charge, cordon_resident_factor=cordon_resident_factor,
        dest_scale=np.array(mp.destination.scale.by_purpose()),
        doubly_constrained=np.array([k == "commute" for k in PURPOSES]),
        circuity=mp.geometry.circuity, intrazonal_factor=mp.geometry.intrazonal_factor,
        vkm_per_pkm=vkm_per_pkm, ef_ttw=ef_ttw, ef_wtw=ef_wtw,
        tolerance=mp.balancing.tolerance, max_iterations=mp.balancing.max_iterations,
        nest=nest, nest_scale=nest_scale,
        cost_damping=mp.cost_damping.exponent, cost_damping_ref_km=mp.cost_damping.ref_km,
        dest_distance_coef=np.array(mp.destination.distance.by_purpose()),
    )
