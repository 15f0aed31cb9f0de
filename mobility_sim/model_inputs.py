"""City + parameters + a year's levers -> the arrays of the demand model.

Per-cell layers a city does not provide take documented defaults that scale with residential
density (all in ``mobility_sim/data/parameters.csv``); :func:`cell_layers` records which layers
came from data and which from defaults, and the results carry that record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .city import City
from .fleet import FleetState, mode_emission_factors
from .kernels.spec import (
    BIKE, CAR_EV, CAR_ICE, CAR_MODES, EBIKE, MODES, PT, PURPOSES, SEGMENTS, WALK,
    DemandInputs, DemandParams,
)
from .scenario.levers import YearLevers

Params = Mapping[str, float]


@dataclass(frozen=True)
class CellLayers:
    """Static per-cell layers of a city, from its data or from density-scaled defaults.

    Attributes
    ----------
    density : ndarray
        Residents per km2.
    car_speed : ndarray
        Car speed, km/h.
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
    area_km2 = (city.meta.cell_size_m / 1000.0) ** 2
    density = grid["population"].to_numpy(float) / area_km2
    sources: dict[str, str] = {}

    def layer(column: str, default: np.ndarray) -> np.ndarray:
        if column in grid.columns:
            sources[column] = "data"
            return grid[column].to_numpy(float)
        sources[column] = "default"
        return default

    walk_m_per_min = p["speed.walk"] * 1000.0 / 60.0
    stop_m = layer("pt_stop_distance_m", _decay(density, p["pt.access_min_m"], p["pt.access_max_m"],
                                                p["pt.access_density_scale"]))
    headway = layer("pt_headway_min", _decay(density, p["pt.headway_min"], p["pt.headway_max"],
                                             p["pt.headway_density_scale"]))
    infra = layer("cycle_infra_share",
                  p["bike.infra_default_max"] * (1.0 - np.exp(-density / p["bike.infra_density_scale"])))
    ramp = np.clip((density - p["parking.density_start"])
                   / (p["parking.density_full"] - p["parking.density_start"]), 0.0, 1.0)
    parking = layer("parking_eur_per_hour", p["parking.max_eur_per_h"] * ramp)
    car_speed = _decay(density, p["speed.car_min"], p["speed.car_max"], p["speed.car_density_scale"])
    sources["car_speed"] = "default"
    if "car_ownership" in grid.columns:
        sources["car_ownership"] = "data"
        ownership = grid["car_ownership"].to_numpy(float)
    else:
        city_value = (city.meta.car_ownership.cars_per_1000 / 1000.0
                      if city.meta.car_ownership is not None else p["car.ownership_default"])
        sources["car_ownership"] = "city" if city.meta.car_ownership is not None else "default"
        profile = 1.0 / (1.0 + density / p["car.ownership_density_scale"])
        pop = grid["population"].to_numpy(float)
        mean = float((profile * pop).sum() / pop.sum()) if pop.sum() > 0 else 1.0
        ownership = city_value * profile / mean
    car_available = np.clip(ownership * p["car.availability_per_car"], 0.0, p["car.availability_max"])
    return CellLayers(
        density=density, car_speed=car_speed, pt_access_min=stop_m / walk_m_per_min,
        pt_headway_min=headway, bike_infra=infra, parking_eur_per_hour=parking,
        parking_search_min=p["parking.search_max_min"] * ramp, car_available=car_available,
        sources=sources,
    )


def demand_inputs(city: City, layers: CellLayers, p: Params, levers: YearLevers,
                  fleet: FleetState) -> DemandInputs:
    """Build the per-cell model inputs of one year."""
    n = city.n_cells
    grid = city.grid
    n_seg, n_pur, n_modes = len(SEGMENTS), len(PURPOSES), len(MODES)
    population = grid["population"].to_numpy(float)
    jobs = grid["jobs"].to_numpy(float)
    segment_share = np.vstack([layers.car_available, 1.0 - layers.car_available])
    size = np.vstack([jobs, jobs + p["size.other_pop_weight"] * population])
    origin_avail = np.ones((n_seg, n_modes, n))
    origin_avail[:, EBIKE] = p["ebike.availability"]
    ice_share = 1.0 - fleet.bev_share
    origin_avail[0, CAR_ICE], origin_avail[0, CAR_EV] = ice_share, fleet.bev_share
    origin_avail[1, list(CAR_MODES)] = 0.0
    dest_avail = np.ones((n_modes, n))
    headway = layers.pt_headway_min * levers.headway_factor
    wait = np.minimum(headway / 2.0, p["pt.wait_cap"])
    origin_time = np.zeros((n_modes, n))
    dest_time = np.zeros((n_modes, n))
    origin_time[PT] = layers.pt_access_min + wait
    dest_time[PT] = layers.pt_access_min
    dest_time[list(CAR_MODES)] = layers.parking_search_min
    dest_cost = np.zeros((n_pur, n_modes, n))
    for k, purpose in enumerate(PURPOSES):
        per_trip = (layers.parking_eur_per_hour * p[f"parking.dwell_h.{purpose}"]
                    * p[f"parking.paid_share.{purpose}"])
        dest_cost[k, list(CAR_MODES)] = per_trip
    return DemandInputs(
        x=grid["x"].to_numpy(float), y=grid["y"].to_numpy(float),
        cell_size=float(city.meta.cell_size_m), population=population,
        segment_share=segment_share, size=size, origin_avail=origin_avail, dest_avail=dest_avail,
        origin_time=origin_time, dest_time=dest_time, dest_cost=dest_cost,
        car_speed=layers.car_speed, bike_infra=layers.bike_infra, cordon=np.zeros(n, dtype=bool),
    )


def demand_params(p: Params, fleet: FleetState, grid_gco2e_per_kwh: float) -> DemandParams:
    """Build the model parameters of one year (emission factors follow the fleet and grid)."""
    n_modes = len(MODES)
    mode_key = {WALK: "walk", BIKE: "bike", EBIKE: "ebike", PT: "pt", CAR_ICE: "car", CAR_EV: "car"}
    per_mode = lambda prefix: np.array([p[f"{prefix}.{mode_key[m]}"] for m in range(n_modes)])  # noqa: E731
    asc = np.broadcast_to(per_mode("utility.asc"), (len(SEGMENTS), len(PURPOSES), n_modes)).copy()
    speed = np.zeros(n_modes)
    for m in (WALK, BIKE, EBIKE, PT):
        speed[m] = p[f"speed.{mode_key[m]}"]
    cost_per_km = np.zeros(n_modes)
    cost_per_km[CAR_ICE], cost_per_km[CAR_EV] = p["car.cost_per_km_ice"], p["car.cost_per_km_ev"]
    fare = np.zeros(n_modes)
    fare[PT] = p["pt.fare"]
    infra = np.zeros(n_modes)
    infra[[BIKE, EBIKE]] = p["utility.bike_infra"]
    vkm_per_pkm = np.zeros(n_modes)
    vkm_per_pkm[list(CAR_MODES)] = 1.0 / p["car.occupancy"]
    ef_ttw, ef_wtw = mode_emission_factors(fleet, grid_gco2e_per_kwh, p["car.occupancy"])
    return DemandParams(
        trip_rate=np.array([p[f"trip_rate.{k}"] for k in PURPOSES]),
        asc=asc, time_coef=per_mode("utility.time"), ovt_coef=p["utility.ovt"],
        cost_coef=np.array([p[f"utility.cost.{k}"] for k in PURPOSES]),
        infra_coef=infra, speed=speed, cost_per_km=cost_per_km, fare=fare,
        cordon_charge=np.zeros(n_modes),
        dest_scale=np.array([p[f"destination.scale.{k}"] for k in PURPOSES]),
        doubly_constrained=np.array([k == "commute" for k in PURPOSES]),
        circuity=p["geometry.circuity"], intrazonal_factor=p["geometry.intrazonal_factor"],
        vkm_per_pkm=vkm_per_pkm, ef_ttw=ef_ttw, ef_wtw=ef_wtw,
        tolerance=p["balancing.tolerance"], max_iterations=int(p["balancing.max_iterations"]),
    )
