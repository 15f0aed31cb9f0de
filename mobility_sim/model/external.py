"""External zones: trips across the grid's edge, to and from the rest of the functional urban area.

The grid is a GHS urban centre; the city's residents also travel to the towns around it, and
people living around it come in to work, shop and visit. Both cross the grid's edge. The model
adds ``K`` external zones (``external.sectors``, one per compass sector around the grid's
population-weighted centre) as extra zones of the kernel (``DemandInputs.external``): the kernel
chooses destinations and modes for their trips like any other, except that no trip goes from one
external zone to another (those never touch the city).

How a zone is placed and sized (every rule an assumption unless a published figure is named):

- **Where.** On the ray from the centre through the sector's middle, at the grid's edge in that
  direction (the farthest cell of the sector, plus half a cell) plus ``beyond_km``: the mean
  distance beyond the edge of residents spread evenly over the ring between a disc of the
  grid's area and a disc of the grid's plus the outside area (the functional urban area's, when
  published), ``2/3 (r1^3 - r0^3) / (r1^2 - r0^2) - r0``; else ``external.beyond_km``.
- **Who lives there.** The functional urban area's residents outside the grid (published FUA
  population minus the grid's, else ``external.outside_population_ratio`` x the grid's), shared
  among sectors by the residents of each sector's outer ring of cells (suburbs continue where
  the city's edge is populated).
- **Who comes in.** Only the part of their trips that enters the city is modelled: the zone's
  population in the kernel is its residents x ``entering_share`` (in-commuters over the employed
  residents of the functional urban area outside the city, else ``external.entering_share``);
  their other trips (shopping, visits, business) enter at ``external.other_entering_ratio``
  times that share (``DemandInputs.trip_factor``; an assumption).
  Their car availability is that of the grid's outer ring, their cars the city's fleet.
- **Where residents go.** Commute trips are balanced to destination totals: the external zones'
  job totals are set so that ``out_commute_share`` of the grid's commute trips leave (out-
  commuters over employed residents, else ``external.out_commute_share``). Other trips go out
  by the gravity rule, to the outside area's jobs and residents (grown like the grid's).
- **How.** Car and public transport only (walking and cycling across the edge are not
  modelled); at the external end, car speed ``external.car_speed``, public transport speed,
  access and headway ``external.pt_*``; no parking charge, no cordon, no zone.

The kernel gives every trip its whole length. :class:`ExternalFlows` splits them: the length
beyond the edge is ``circuity x beyond_km`` per trip (the rest is inside the grid).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..city import City
from ..data.typed_parameters import ModelParameters
from ..kernels.spec import (
    BIKE,
    CAR_MODES,
    EBIKE,
    MODES,
    PT,
    PURPOSES,
    WALK,
    DemandInputs,
    DemandOutputs,
)
from .income import CAR_SEGMENTS, NO_CAR_SEGMENTS, segment_shares
from .inputs import CellLayers, Params, expected_wait_min, wait_weight

#: Sector names for 4 and 8 sectors (other counts are numbered).
SECTOR_NAMES = {4: ("east", "north", "west", "south"),
                8: ("east", "north-east", "north", "north-west", "west", "south-west", "south",
                    "south-east")}
#: Modes that cross the grid's edge (walking and cycling do not).
CLOSED_MODES = (WALK, BIKE, EBIKE)


@dataclass(frozen=True)
class ExternalZones:
    """The external zones of a city.

    Attributes
    ----------
    names : tuple of str
        One per zone (its compass sector).
    x, y : ndarray, shape (K,)
        Zone centres in the grid's CRS, metres.
    beyond_km : float
        Straight-line km from the grid's edge to each zone.
    outside_population : ndarray, shape (K,)
        Residents of the functional urban area outside the grid, per zone (base year).
    entering_share : float
        Share of their trips that enter the grid.
    out_commute_share : float
        Share of the grid's commute trips that leave it.
    car_available : float
        Share of the zones' residents with a car available.
    sources : dict of str to str
        Where each of the sizes comes from (published figure or the default's assumption).
    """

    names: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    beyond_km: float
    outside_population: np.ndarray
    entering_share: float
    out_commute_share: float
    car_available: float
    sources: dict[str, str]

    @property
    def count(self) -> int:
        """Number of zones ``K``."""
        return len(self.names)

    def describe(self) -> dict[str, object]:
        """Return the zones' sizes and sources, for a run's metadata."""
        return {"zones": list(self.names), "beyond_km": round(self.beyond_km, 2),
                "outside_population": float(self.outside_population.sum()),
                "entering_share": self.entering_share,
                "out_commute_share": self.out_commute_share,
                "car_available": round(self.car_available, 4), "sources": self.sources}


def _ring_mean_beyond(r0: float, r1: float) -> float:
    """Mean distance beyond radius ``r0`` of points spread evenly over the ring ``r0 .. r1``."""
    if r1 <= r0:
        return 0.0
    return 2.0 / 3.0 * (r1 ** 3 - r0 ** 3) / (r1 ** 2 - r0 ** 2) - r0


def external_zones(city: City, layers: CellLayers, p: Params) -> ExternalZones | None:
    """Place and size the external zones of ``city`` (None when ``external.enabled`` is 0).

    Parameters
    ----------
    city : City
        The city (its ``surroundings`` in ``city.yaml`` give the published sizes).
    layers : CellLayers
        Its static layers (car availability of the outer ring).
    p : mapping
        The run's parameters.
    """
    ext = ModelParameters.of(p).external
    if not ext.enabled or city.n_cells == 0:
        return None
    grid = city.grid
    x, y = grid["x"].to_numpy(float), grid["y"].to_numpy(float)
    pop = grid["population"].to_numpy(float)
    total = float(pop.sum())
    if total <= 0:
        return None
    cx, cy = float((x * pop).sum() / total), float((y * pop).sum() / total)
    k = max(round(ext.sectors), 1)
    angle = np.mod(np.arctan2(y - cy, x - cx), 2 * np.pi)
    sector = np.minimum((angle / (2 * np.pi / k) + 0.5).astype(int) % k, k - 1)
    dist = np.hypot(x - cx, y - cy)
    cell = float(city.meta.cell_size_m)
    edge = np.full(k, cell / 2.0)
    ring_pop = np.zeros(k)
    outer = np.zeros(dist.size, dtype=bool)  # each sector's outer ring of cells
    for s in range(k):
        inside = sector == s
        if inside.any():
            edge[s] = dist[inside].max() + cell / 2.0
            ring = inside & (dist >= 0.75 * dist[inside].max())
            ring_pop[s] = pop[ring].sum()
            outer |= ring
    surroundings = city.meta.surroundings
    sources: dict[str, str] = {}

    def published(field: str, default: float, assumption: str) -> float:
        """Return the city's published ``field`` (its source recorded), else ``default``."""
        value = getattr(surroundings, field) if surroundings is not None else None
        if value is None:
            sources[field] = f"assumption: {assumption}"
            return default
        sources[field] = surroundings.source  # type: ignore[union-attr]
        return float(value)

    outside = published(
        "outside_population", ext.outside_population_ratio * total,
        f"external.outside_population_ratio ({ext.outside_population_ratio}) x the grid's "
        "residents (no published functional-urban-area population)")
    area_outside = surroundings.outside_area_km2 if surroundings is not None else None
    if area_outside is not None:
        grid_km2 = city.n_cells * (cell / 1000.0) ** 2
        r0 = np.sqrt(grid_km2 / np.pi)
        beyond = _ring_mean_beyond(r0, np.sqrt((grid_km2 + area_outside) / np.pi))
        sources["beyond_km"] = ("mean distance beyond the edge of residents spread evenly "
                                "over the functional urban area outside the grid "
                                f"({area_outside:,.0f} km2; {surroundings.source})")  # type: ignore[union-attr]
    else:
        beyond = ext.beyond_km
        sources["beyond_km"] = (f"assumption: external.beyond_km ({ext.beyond_km} km; no "
                                "published functional-urban-area size)")
    entering = published("entering_share", ext.entering_share,
                         f"external.entering_share ({ext.entering_share}; no published "
                         "commuting figures)")
    out_share = published("out_commute_share", ext.out_commute_share,
                          f"external.out_commute_share ({ext.out_commute_share}; no "
                          "published commuting figures)")
    weights = ring_pop / ring_pop.sum() if ring_pop.sum() > 0 else np.full(k, 1.0 / k)
    mid = np.arange(k) * 2 * np.pi / k
    reach = edge + beyond * 1000.0
    outer_pop = pop[outer]
    car = (float((layers.car_available[outer] * outer_pop).sum() / outer_pop.sum())
           if outer_pop.sum() > 0 else float(np.average(layers.car_available)))
    names = SECTOR_NAMES.get(k, tuple(f"sector {s + 1}" for s in range(k)))
    return ExternalZones(
        names=names, x=cx + reach * np.cos(mid), y=cy + reach * np.sin(mid),
        beyond_km=float(beyond), outside_population=float(outside) * weights,
        entering_share=float(entering), out_commute_share=float(out_share), car_available=car,
        sources=sources)


def with_external_zones(inputs: DemandInputs, zones: ExternalZones, p: Params,
                        trip_rate: np.ndarray, growth: float = 1.0) -> DemandInputs:
    """Return ``inputs`` with the external zones appended (``N + K`` zones).

    Parameters
    ----------
    inputs : DemandInputs
        The grid's inputs of the year (:func:`.inputs.demand_inputs`).
    zones : ExternalZones
        From :func:`external_zones`.
    p : mapping
        The run's parameters.
    trip_rate : ndarray, shape (P,)
        The year's trips per person and day (``DemandParams.trip_rate``): sets the commute
        totals the zones' job totals are balanced to.
    growth : float
        Residents and jobs of the year relative to the base year's (outside like inside).
    """
    mp = ModelParameters.of(p)
    ext = mp.external
    k, n = zones.count, inputs.n_cells
    commute = PURPOSES.index("commute")
    outside = zones.outside_population * growth
    travellers = outside * zones.entering_share
    # commute job totals of the zones: out_commute_share of the grid's commute trips leave
    produced = float(inputs.population.sum()) * trip_rate[commute]
    incoming = float(travellers.sum()) * trip_rate[commute]
    jobs_inside = float(inputs.size[commute].sum())
    leaving = zones.out_commute_share * produced
    share = leaving / (produced + incoming) if produced + incoming > 0 else 0.0
    out_jobs = jobs_inside * share / (1.0 - share) if share < 1 else 0.0
    weights = outside / outside.sum() if outside.sum() > 0 else np.full(k, 1.0 / k)
    pop_grid = float(inputs.population.sum())
    jobs_per_resident = jobs_inside / pop_grid if pop_grid > 0 else 0.0
    size_ext = np.vstack([out_jobs * weights,
                          outside * jobs_per_resident + mp.size.other_pop_weight * outside])
    n_modes = len(MODES)
    origin_avail = np.ones((inputs.origin_avail.shape[0], n_modes, k))
    # the car alternatives: the city's fleet shares at the outer ring's car availability
    fleet_share = inputs.origin_avail[0][:, :1].copy()  # any cell: the fleet shares are uniform
    origin_avail[list(CAR_SEGMENTS)] = fleet_share
    origin_avail[list(NO_CAR_SEGMENTS)] = 0.0
    origin_avail[:, PT] = 1.0
    origin_avail[:, CLOSED_MODES] = 0.0
    dest_avail = np.ones((n_modes, k))
    dest_avail[list(CLOSED_MODES)] = 0.0
    wait = float(expected_wait_min(ext.pt_headway_min, p))
    origin_time = np.zeros((n_modes, k))
    dest_time = np.zeros((n_modes, k))
    origin_time[PT] = ext.pt_access_min + wait * wait_weight(p)
    dest_time[PT] = ext.pt_access_min
    segment_share = segment_shares(np.full(k, zones.car_available), p)

    def cat(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.concatenate([a, b], axis=-1)

    no_cost = np.zeros((*inputs.dest_cost.shape[:2], k))

    # the grid's trip factors (by purpose, or by segment and purpose) and the zones' (P, K)
    grid_factor = (np.ones((len(PURPOSES), n)) if inputs.trip_factor is None
                   else np.asarray(inputs.trip_factor))
    zone_factor = np.vstack([np.ones(k) if purpose == "commute" else
                             np.full(k, ext.other_entering_ratio) for purpose in PURPOSES])

    return DemandInputs(
        x=cat(inputs.x, zones.x), y=cat(inputs.y, zones.y), cell_size=inputs.cell_size,
        population=cat(inputs.population, travellers),
        segment_share=cat(inputs.segment_share, segment_share),
        size=cat(inputs.size, size_ext),
        origin_avail=cat(inputs.origin_avail, origin_avail),
        dest_avail=cat(inputs.dest_avail, dest_avail),
        origin_time=cat(inputs.origin_time, origin_time),
        dest_time=cat(inputs.dest_time, dest_time),
        dest_cost=cat(inputs.dest_cost, no_cost),
        car_speed=cat(inputs.car_speed, np.full(k, ext.car_speed)),
        pt_speed=cat(inputs.pt_speed, np.full(k, ext.pt_speed)),
        bike_infra=cat(inputs.bike_infra, np.zeros(k)),
        cordon=cat(np.asarray(inputs.cordon, dtype=bool), np.zeros(k, dtype=bool)),
        external=cat(np.zeros(n, dtype=bool), np.ones(k, dtype=bool)),
        trip_factor=cat(grid_factor, np.broadcast_to(zone_factor, (*grid_factor.shape[:-1], k))),
        # residents a low-emission zone spares live in the grid; destinations outside it
        # are the same for them
        **({} if inputs.zone_residents is None else {
            "zone_residents": cat(np.asarray(inputs.zone_residents, dtype=bool),
                                  np.zeros(k, dtype=bool)),
            "resident_dest_avail": cat(inputs.resident_dest_avail, dest_avail),
            "resident_dest_cost": cat(inputs.resident_dest_cost, no_cost)}),
    )


@dataclass(frozen=True)
class ExternalFlows:
    """One year's trips across the grid's edge (daily), split from the kernel's outputs.

    Attributes
    ----------
    zones : ExternalZones
        The zones.
    beyond_km : float
        Network km of each crossing trip beyond the grid's edge (circuity x straight-line).
    inbound_trips, inbound_pkm : ndarray, shape (K, M)
        Non-residents' trips into the grid per day by zone and mode, and their passenger-km
        (whole trips).
    inbound_co2_ttw, inbound_co2_wtw : ndarray, shape (K, M)
        kg CO2e per day of those trips (whole trips).
    inbound_vkm : ndarray, shape (K, M)
        Their vehicle-km per day (whole trips).
    outbound_trips : ndarray, shape (K, M)
        Residents' trips to each zone per day (their passenger-km are in the grid's outputs).
    """

    zones: ExternalZones
    beyond_km: float
    inbound_trips: np.ndarray
    inbound_pkm: np.ndarray
    inbound_co2_ttw: np.ndarray
    inbound_co2_wtw: np.ndarray
    inbound_vkm: np.ndarray
    outbound_trips: np.ndarray


def split_outputs(out: DemandOutputs, n: int, zones: ExternalZones,
                  circuity: float) -> tuple[DemandOutputs, ExternalFlows]:
    """Split a kernel run over ``n`` grid cells and the external zones into the two parts.

    The grid's part keeps every output of its ``n`` cells (residents' trips wherever they go,
    arrivals from anywhere); the balancing factors keep all zones (the next year's warm start).
    """
    grid = DemandOutputs(
        trips=out.trips[:, :, :n], pkm=out.pkm[:, :, :n], trips_to=out.trips_to[:n],
        vkm=out.vkm[:n], co2_ttw=out.co2_ttw[:n], co2_wtw=out.co2_wtw[:n],
        dest_logsum=out.dest_logsum[:, :, :n], balancing=out.balancing,
        iterations=out.iterations, district_car_pkm=out.district_car_pkm)
    inbound, outbound = crossing_trips(out, n)
    flows = ExternalFlows(
        zones=zones, beyond_km=circuity * zones.beyond_km, inbound_trips=inbound,
        inbound_pkm=out.pkm[:, :, n:].sum(axis=(0, 1)),
        inbound_co2_ttw=out.co2_ttw[n:], inbound_co2_wtw=out.co2_wtw[n:],
        inbound_vkm=out.vkm[n:], outbound_trips=outbound)
    return grid, flows


def crossing_trips(out: DemandOutputs, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Trips across the grid's edge of a kernel run over ``n`` grid cells and the zones.

    Returns ``(inbound, outbound)``, each (E, M): the non-residents' trips from each external
    zone into the grid and the residents' trips to it, by mode, per day.
    """
    return np.asarray(out.trips)[:, :, n:].sum(axis=(0, 1)), np.asarray(out.trips_to)[n:]


def crossing_car_vehicles(inbound_trips: np.ndarray, outbound_trips: np.ndarray,
                          vkm_per_pkm: np.ndarray) -> np.ndarray:
    """Car vehicles crossing the grid's edge at each external zone, shape (E,).

    ``inbound_trips``, ``outbound_trips`` (E, M): the non-residents' trips in and the
    residents' trips out by mode (:class:`ExternalFlows`); each car person trip is
    ``vkm_per_pkm`` vehicles (one over the occupancy).
    """
    car = list(CAR_MODES)
    trips = np.asarray(inbound_trips)[:, car] + np.asarray(outbound_trips)[:, car]
    return (trips * np.asarray(vkm_per_pkm)[car]).sum(axis=1)


def through_vehicle_km(crossing_vehicles: float, p: Params, grid_km2: float) -> float:
    """Vehicle-km that through traffic drives inside the grid.

    ``through.share_of_crossing_trips`` through vehicles per car vehicle crossing the grid's
    edge (``crossing_vehicles``: the residents' cars going out and the non-residents' coming
    in), each driving the grid's mean chord: ``pi r / 2`` for a disc of the grid's area
    (``grid_km2``), times ``geometry.circuity``. The rule and its sources: ``parameters.csv``.
    """
    mp = ModelParameters.of(p)
    chord_km = math.pi * math.sqrt(grid_km2 / math.pi) / 2.0 * mp.geometry.circuity
    return mp.through.share_of_crossing_trips * crossing_vehicles * chord_km
