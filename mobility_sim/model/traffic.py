"""Road traffic: car speeds that follow the year's traffic, by traffic district.

The grid's cells are grouped into square traffic districts (``traffic.district_km`` on a side,
larger when the grid would otherwise have more than ``traffic.max_districts``); each external
zone is a district of its own. Each year:

1. **Demand.** The kernel returns the car passenger-km between districts
   (``DemandOutputs.district_car_pkm``); times vehicle-km per passenger-km, the car
   vehicle-km between them.
2. **Loading.** A trip's vehicle-km are laid on the straight line between its districts'
   centres (:func:`path_shares`, sampled at :data:`PATH_SAMPLES` points): each grid district
   receives the share of the line inside it; the part beyond the grid's edge is outside the
   city's roads. Through traffic adds the vehicle-km the accounts count for it
   (:func:`mobility_sim.model.external.through_vehicle_km`: a share of the car vehicles
   crossing the grid's edge, each driving the grid's mean chord), laid on the lines between
   pairs of external zones weighted by the product of their crossing cars
   (:meth:`RoadNetwork.through_load`). Vans and lorries add their base-year traffic in
   passenger-car units (``traffic.lorry_pcu``), spread like their activity over the cells
   (:func:`mobility_sim.fleet.freight.freight_weights`): the base year's, grown like the
   freight model's and cut where consolidation centres and cargo bikes act
   (:meth:`RoadNetwork.freight_load`).
3. **Lane-km.** Lane-km of each cell: street km per km2 (the grid's OpenStreetMap layer
   ``road_density_km_per_km2`` where it was built from an extract, else
   ``traffic.street_km_per_km2``, the density rule) x the cell's area x
   ``traffic.lanes_per_street``. A ``road_space`` measure removes part of them; a district
   loses the same share of its capacity.
4. **Delay.** The daily traffic is spread over the hours of the day (:func:`hourly_profile`:
   peaks, day and night; the freight that delivery windows move drives its km of the
   restricted hours at the other hours, :func:`hourly_shares`); in each hour the
   volume-delay function of the US Bureau of Public Roads (1964) gives the travel time per
   km relative to free flow, ``1 + alpha (V/C)^beta`` (``traffic.bpr_alpha``,
   ``traffic.bpr_beta``); the day's delay index ``D`` is its traffic-weighted mean.
5. **Calibration.** Each district's capacity is set once, on the base year's traffic, so
   that its delay index equals 1 plus the city's published congestion level (TomTom Traffic
   Index, the latest edition of 2016-2019: extra travel time over free flow, all roads of
   TomTom's city area; :func:`congestion_level`), else ``traffic.congestion_default``
   (:func:`calibrate_base`): congestion is taken as even over the city (an assumption: the
   city's road network is not modelled link by link, and straight-line loading puts traffic
   where the network may not). The lane-km of the density rule or OpenStreetMap then say
   what share of a district's capacity a ``road_space`` measure removes; the implied capacity
   per lane-km is reported (``meta["road_traffic"]``), to set beside published lane
   capacities (``road_traffic_evidence.csv``: 1,300 vehicles an hour per lane of a UAP3
   street in DMRB TA 79/99).
6. **Speeds (pivot).** The cells' car speeds of the layers (the density rule or the city's
   data, with any speed limit) are the base year's observed speeds; a district's speed
   changes by ``D_base / D_year``, where ``D_base`` is the base year's traffic, without any
   measure, on the base year's roads. Buses lose the same time on the road share of public
   transport (``1 - pt_supply.share_tram - pt_supply.share_metro``) outside bus lanes; on
   bus lanes they no longer suffer the base year's delay (:func:`with_speeds`).

:func:`settle` iterates demand and speeds to a fixed point: it stops when no district's
speed ratio moves by more than ``traffic.tolerance`` (relative). Each step moves the ratios
towards the new ones by ``traffic.relaxation`` (geometrically), halved whenever the change
grows (an overshoot); a year starts from the trend of the previous two years' ratios
(:func:`start_ratio`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np

from ..city import City
from ..data import read_table
from ..data.typed_parameters import ModelParameters
from ..exceptions import ScenarioError
from ..fleet.cold_start import cold_start_multipliers, combined
from ..fleet.mix import mode_emission_factors
from ..fleet.projection import FleetYear
from ..fleet.speed_factors import speed_multipliers, with_multipliers
from ..fleet.tables import BUS_POWERTRAINS, CAR_POWERTRAINS
from ..kernels.spec import CAR_ICE, CAR_MODES, PT, DemandInputs, DemandOutputs, DemandParams
from ..scenario.levers import YearLevers
from .car_owners import owner_demand
from .external import crossing_car_vehicles, crossing_trips, through_vehicle_km

#: Points at which the line between two districts' centres is sampled.
PATH_SAMPLES = 24


def hourly_profile(p: Mapping[str, float]) -> np.ndarray:
    """Share of the day's road traffic in each of the 24 hours (peaks, day, night).

    Raises
    ------
    ScenarioError
        If the periods' hours or shares do not fit in a day.
    """
    tr = ModelParameters.of(p).traffic
    day_hours = 24.0 - tr.peak_hours - tr.night_hours
    day_share = 1.0 - tr.peak_share - tr.night_share
    if (min(tr.peak_hours, tr.night_hours) < 0 or day_hours <= 0 or day_share <= 0
            or min(tr.peak_share, tr.night_share) < 0 or int(tr.peak_hours) != tr.peak_hours
            or int(tr.night_hours) != tr.night_hours):
        raise ScenarioError(
            "parameters: traffic.peak_hours and traffic.night_hours must be whole hours leaving "
            "some day hours, and traffic.peak_share + traffic.night_share must stay below 1")
    peak, night = int(tr.peak_hours), int(tr.night_hours)
    return np.concatenate([np.full(peak, tr.peak_share / peak) if peak else [],
                           np.full(int(day_hours), day_share / day_hours),
                           np.full(night, tr.night_share / night) if night else []])


@cache
def _congestion_levels() -> dict[str, tuple[float, str]]:
    table = read_table("road_traffic_evidence.csv")
    rows = table[(table["topic"] == "congestion_index")
                 & table["item"].str.fullmatch(r"tomtom_(2016|2018|2019)_congestion_level")
                 & table["value"].notna()].copy()
    rows["edition"] = rows["item"].str.extract(r"(\d{4})", expand=False).astype(int)
    latest = rows.sort_values("edition").groupby("city").tail(1)
    return {str(r.city): (float(r.value), f"TomTom Traffic Index {r.edition}: {r.source}")
            for r in latest.itertuples()}


def congestion_level(city: str, p: Mapping[str, float]) -> tuple[float, str]:
    """Return a city's congestion level (extra travel time over free flow) and its source.

    The latest TomTom Traffic Index congestion level of the 2016-2019 editions in
    ``road_traffic_evidence.csv`` (later editions changed the definition and include the
    pandemic years), else ``traffic.congestion_default``.
    """
    found = _congestion_levels().get(city)
    if found is not None:
        return found
    return (ModelParameters.of(p).traffic.congestion_default,
            "traffic.congestion_default (no published level for the city)")


@dataclass(frozen=True)
class RoadNetwork:
    """A city's traffic districts and their roads.

    Attributes
    ----------
    district : ndarray of int, shape (N,)
        Traffic district of each grid cell, ``0 .. K-1``.
    n_districts : int
        Grid districts ``K``.
    n_external : int
        External zones (districts ``K .. K + n_external - 1``).
    path : ndarray, shape (K + E, K + E, K)
        Share of the vehicle-km between two districts driven inside each grid district.
    cell_lane_km : ndarray, shape (N,)
        Lane-km of each cell's streets.
    freight_cells : ndarray, shape (N,)
        Each cell's share of the van and lorry traffic (zeros without freight);
        :attr:`freight_share` sums it by district.
    freight_pcu : float
        Van and lorry passenger-car-unit km per car vehicle-km on the city's roads.
    van_pcu_share : float
        Vans' share of the freight's passenger-car-unit km.
    bus_road_share : float
        Share of public transport in-vehicle time spent on roads shared with cars.
    street_source : str
        Where the street density comes from.
    through_km_per_crossing : float
        Through traffic's vehicle-km inside the grid per car vehicle crossing its edge
        (:func:`mobility_sim.model.external.through_vehicle_km`; 0 without external zones).
    """

    district: np.ndarray
    n_districts: int
    n_external: int
    path: np.ndarray
    cell_lane_km: np.ndarray
    freight_cells: np.ndarray
    freight_pcu: float
    van_pcu_share: float
    bus_road_share: float
    street_source: str
    through_km_per_crossing: float = 0.0

    @property
    def freight_share(self) -> np.ndarray:
        """Each district's share of the van and lorry traffic, shape (K,)."""
        return np.bincount(self.district, self.freight_cells, self.n_districts)

    def lane_km(self, levers: YearLevers | None = None) -> np.ndarray:
        """Lane-km of each district's streets open to cars (a ``road_space`` cut removed), (K,)."""
        lane_km = self.cell_lane_km
        if levers is not None and levers.road_capacity_cut is not None:
            lane_km = lane_km * (1.0 - np.clip(levers.road_capacity_cut, 0.0, 1.0))
        return np.bincount(self.district, lane_km, self.n_districts)

    def remaining(self, levers: YearLevers) -> np.ndarray:
        """Share of each district's lane-km still open to cars this year, shape (K,)."""
        full = self.lane_km()
        return np.divide(self.lane_km(levers), full, out=np.ones_like(full), where=full > 0)

    def all_districts(self) -> np.ndarray:
        """District of every kernel zone: the grid's cells, then the external zones."""
        external = self.n_districts + np.arange(self.n_external)
        return np.concatenate([self.district, external]).astype(np.int64)

    def freight_load(self, background: np.ndarray, levers: YearLevers, growth: float,
                     ) -> FreightLoad:
        """Return the year's van and lorry load of each district, and the part moved in time.

        ``background`` is the base year's freight load (pcu-km a day, shape (K,)). Each cell's
        freight grows by ``growth`` (:func:`mobility_sim.fleet.freight.freight_growth`) and
        loses the consolidated share (``levers.consolidation``) and the vans' share moved to
        cargo bikes (``levers.cargo_bike``, on the vans' part of the pcu); delivery windows
        (``levers.delivery_off_peak``, ``levers.delivery_night``) move a share of what is left
        to other hours (:class:`FreightLoad`).
        """
        n, k = self.district.size, self.n_districts
        cells = self.freight_cells
        keep = np.full(n, float(growth))
        if levers.consolidation is not None:
            keep *= 1.0 - np.clip(levers.consolidation, 0.0, 1.0)
        if levers.cargo_bike is not None:
            keep *= 1.0 - self.van_pcu_share * np.clip(levers.cargo_bike, 0.0, 1.0)
        base = self.freight_share

        def per_district(values: np.ndarray) -> np.ndarray:
            share = np.divide(np.bincount(self.district, cells * values, k), base,
                              out=np.zeros(k), where=base > 0)
            return background * share

        load = per_district(keep)
        moved = {window: per_district(keep * np.clip(lever, 0.0, 1.0))
                 for window, lever in (("peak", levers.delivery_off_peak),
                                       ("night", levers.delivery_night)) if lever is not None}
        return FreightLoad(load=load, off_peak=moved.get("peak"), night=moved.get("night"))

    def car_load(self, out: DemandOutputs, params: DemandParams) -> np.ndarray:
        """Daily car vehicle-km on each district's streets, shape (K,)."""
        if out.district_car_pkm is None:
            raise ValueError("the kernel was run without traffic districts")
        vkm = out.district_car_pkm * float(params.vkm_per_pkm[CAR_ICE])
        return np.einsum("ab,abc->c", vkm, self.path)

    def through_load(self, out: DemandOutputs, params: DemandParams) -> np.ndarray:
        """Daily through-traffic vehicle-km on each district's streets, shape (K,).

        As many as the run's accounts count (:func:`.external.through_vehicle_km` of the
        year's car vehicles crossing the grid's edge), laid on the straight lines between
        pairs of external zones, each pair weighted by the product of the two zones' crossing
        car vehicles (a gravity rule without distance: an assumption; the through routes are
        not known): each grid district gets its share of those lines.
        """
        k, n = self.n_districts, self.district.size
        if self.n_external == 0 or self.through_km_per_crossing <= 0:
            return np.zeros(k)
        crossing = crossing_car_vehicles(*crossing_trips(out, n), params.vkm_per_pkm)
        pairs = np.outer(crossing, crossing)
        np.fill_diagonal(pairs, 0.0)
        lines = np.einsum("ab,abc->c", pairs, self.path[k:, k:])
        if lines.sum() <= 0:
            return np.zeros(k)
        return float(crossing.sum()) * self.through_km_per_crossing * lines / lines.sum()


def square_index(qx: np.ndarray, qy: np.ndarray, x: np.ndarray, y: np.ndarray,
                 side_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the column and row of the ``side_km`` square holding each point ``(qx, qy)``.

    Squares are counted from the cells' south-west corner (``x.min(), y.min()``).
    """
    size = side_km * 1000.0
    return (np.floor((qx - x.min()) / size).astype(np.int64),
            np.floor((qy - y.min()) / size).astype(np.int64))


def street_density(city: City, p: Mapping[str, float]) -> tuple[np.ndarray, str]:
    """Street length per km² of each cell, and where it comes from.

    The grid's OpenStreetMap layer (``road_density_km_per_km2``) where the city has one, else
    the density rule ``traffic.street_km_per_km2`` in every cell.
    """
    grid = city.grid
    if "road_density_km_per_km2" in grid.columns:
        return (grid["road_density_km_per_km2"].to_numpy(float),
                "OpenStreetMap street length per cell (the grid's road_density_km_per_km2)")
    return (np.full(city.n_cells, ModelParameters.of(p).traffic.street_km_per_km2),
            "density rule: traffic.street_km_per_km2 in every cell")


def grid_districts(x: np.ndarray, y: np.ndarray, cell_size_m: float, side_km: float,
                   max_districts: int) -> tuple[np.ndarray, float]:
    """Group cells into square districts; return each cell's district and the side used (km).

    The side is ``side_km``, enlarged (by whole cells) until there are at most
    ``max_districts`` non-empty squares. Districts are numbered in order of their squares.
    """
    cell_km = cell_size_m / 1000.0
    side = max(side_km, cell_km)
    while True:
        ix, iy = square_index(x, y, x, y, side)
        key = iy * (ix.max() + 1) + ix
        squares, district = np.unique(key, return_inverse=True)
        if squares.size <= max(1, max_districts):
            return district.astype(np.int64), side
        side += cell_km


def path_shares(cx: np.ndarray, cy: np.ndarray, district_of_point: Callable[[np.ndarray,
                np.ndarray], np.ndarray], n_grid: int) -> np.ndarray:
    """Share of the straight line between each pair of centres inside each grid district.

    Parameters
    ----------
    cx, cy : ndarray, shape (D,)
        Centres of all districts (grid districts first), metres.
    district_of_point : callable
        Maps point coordinates to a grid district (``-1`` off the grid).
    n_grid : int
        Grid districts ``K``.

    Returns
    -------
    ndarray, shape (D, D, K)
        ``path[a, b, c]``: share of a trip's vehicle-km from ``a`` to ``b`` driven in ``c``.
        A trip within a district stays in it. Between two grid districts, the shares of the
        sampled points on the grid (water or empty squares are driven around) sum to 1;
        with an external end, the points beyond the grid's edge are not on the city's roads.
    """
    d = cx.size
    t = (np.arange(PATH_SAMPLES) + 0.5) / PATH_SAMPLES
    px = cx[:, None, None] + (cx[None, :, None] - cx[:, None, None]) * t[None, None, :]
    py = cy[:, None, None] + (cy[None, :, None] - cy[:, None, None]) * t[None, None, :]
    where = district_of_point(px.ravel(), py.ravel()).reshape(d, d, PATH_SAMPLES)
    path = np.zeros((d, d, n_grid))
    a_idx, b_idx, _ = np.nonzero(where >= 0)
    np.add.at(path, (a_idx, b_idx, where[where >= 0]), 1.0 / PATH_SAMPLES)
    both_grid = np.zeros((d, d), dtype=bool)
    both_grid[:n_grid, :n_grid] = True
    total = path.sum(axis=2)
    scale = np.divide(1.0, total, out=np.zeros_like(total), where=total > 0)
    path[both_grid] *= scale[both_grid][:, None]
    for a in range(min(d, n_grid)):
        path[a, a] = 0.0
        path[a, a, a] = 1.0
    return path


def road_network(city: City, p: Mapping[str, float], external_xy: tuple[np.ndarray, np.ndarray]
                 | None, freight_weights: np.ndarray | None = None,
                 freight_ratios: Mapping[str, float] | None = None) -> RoadNetwork:
    """Build a city's traffic districts, their lane-km and the paths between them.

    Parameters
    ----------
    city : City
        The city.
    p : mapping
        The run's parameters.
    external_xy : (ndarray, ndarray) or None
        Coordinates of the external zones (None: a closed grid).
    freight_weights : ndarray, shape (N,), optional
        Each cell's share of the van and lorry traffic (none without).
    freight_ratios : mapping of str to float, optional
        Van and lorry vehicle-km per car vehicle-km, by class (``van``, ``lorry_*``).
    """
    mp = ModelParameters.of(p)
    tr = mp.traffic
    grid = city.grid
    x, y = grid["x"].to_numpy(float), grid["y"].to_numpy(float)
    cell = float(city.meta.cell_size_m)
    district, side = grid_districts(x, y, cell, tr.district_km, int(tr.max_districts))
    k = int(district.max()) + 1 if district.size else 0
    ix, iy = square_index(x, y, x, y, side)
    squares = np.full((ix.max() + 1, iy.max() + 1), -1, dtype=np.int64)
    squares[ix, iy] = district
    half = cell / 2.0

    def district_of_point(qx: np.ndarray, qy: np.ndarray) -> np.ndarray:
        inside = ((qx >= x.min() - half) & (qx <= x.max() + half)
                  & (qy >= y.min() - half) & (qy <= y.max() + half))
        qi, qj = square_index(qx, qy, x, y, side)
        qi = np.clip(qi, 0, squares.shape[0] - 1)
        qj = np.clip(qj, 0, squares.shape[1] - 1)
        return np.where(inside, squares[qi, qj], -1)

    weight = np.maximum(grid["population"].to_numpy(float) + grid["jobs"].to_numpy(float), 1e-9)
    cx = np.bincount(district, weight * x, k) / np.bincount(district, weight, k)
    cy = np.bincount(district, weight * y, k) / np.bincount(district, weight, k)
    n_ext = 0
    if external_xy is not None:
        n_ext = external_xy[0].size
        cx = np.concatenate([cx, external_xy[0]])
        cy = np.concatenate([cy, external_xy[1]])
    area_km2 = (cell / 1000.0) ** 2
    density, source = street_density(city, p)
    lane_km = density * area_km2 * tr.lanes_per_street
    supply = mp.pt_supply
    cells = np.zeros(district.size)
    pcu = van_share = 0.0
    if freight_weights is not None and freight_ratios:
        cells = np.asarray(freight_weights, float)
        cells = cells / cells.sum() if cells.sum() > 0 else cells
        pcu = sum(r * (1.0 if v == "van" else tr.lorry_pcu) for v, r in freight_ratios.items())
        van_share = float(freight_ratios.get("van", 0.0)) / pcu if pcu > 0 else 0.0
    through = through_vehicle_km(1.0, p, district.size * area_km2) if n_ext else 0.0
    return RoadNetwork(
        district=district, n_districts=k, n_external=n_ext,
        path=path_shares(cx, cy, district_of_point, k), cell_lane_km=lane_km,
        freight_cells=cells, freight_pcu=pcu, van_pcu_share=van_share,
        bus_road_share=float(max(0.0, 1.0 - supply.share_tram - supply.share_metro)),
        street_source=source, through_km_per_crossing=through)


@dataclass(frozen=True)
class FreightLoad:
    """One year's van and lorry load of each traffic district (pcu-km a day, shape (K,)).

    Attributes
    ----------
    load : ndarray
        All of it.
    off_peak : ndarray or None
        Of which the peak hours' part moved to the day hours by delivery windows (in pcu-km of
        the whole day: the freight whose peak-hour km move).
    night : ndarray or None
        Of which the daytime part (peak and day hours) moved into the night hours, likewise.
    """

    load: np.ndarray
    off_peak: np.ndarray | None = None
    night: np.ndarray | None = None


def period_masks(p: Mapping[str, float]) -> dict[str, np.ndarray]:
    """Which of the 24 hours of :func:`hourly_profile` are ``peak``, ``day`` and ``night``."""
    tr = ModelParameters.of(p).traffic
    hours = np.arange(24)
    peak, night = int(tr.peak_hours), int(tr.night_hours)
    return {"peak": hours < peak, "day": (hours >= peak) & (hours < 24 - night),
            "night": hours >= 24 - night}


def hourly_shares(load: np.ndarray, p: Mapping[str, float],
                  freight: FreightLoad | None = None) -> np.ndarray:
    """Share of each district's daily road load in each hour, shape (K, 24).

    Every vehicle follows :func:`hourly_profile`, except the freight that delivery windows
    move: ``freight.off_peak`` drives its peak-hour km in the day hours instead and
    ``freight.night`` its peak and day km in the night hours (spread like the profile over
    the hours they move to).

    Raises
    ------
    ScenarioError
        If freight is moved into a period without hours.
    """
    profile = hourly_profile(p)
    shares = np.broadcast_to(profile, (load.size, profile.size)).copy()
    if freight is None:
        return shares
    periods = period_masks(p)
    for moved, source, target in ((freight.off_peak, ("peak",), "day"),
                                  (freight.night, ("peak", "day"), "night")):
        if moved is None or not np.any(moved > 0):
            continue
        into = profile * periods[target]
        if into.sum() <= 0:
            raise ScenarioError(f"delivery_window: the {target} period has no hours; raise "
                                f"traffic.{target}_hours or choose the other window")
        out_of = profile * np.logical_or.reduce([periods[q] for q in source])
        km = moved * out_of.sum()  # the moved freight's km in the restricted hours
        fraction = np.divide(km, load, out=np.zeros(load.size), where=load > 0)
        shares += fraction[:, None] * (into / into.sum() - out_of / out_of.sum())[None, :]
    return shares


def delay_index(load: np.ndarray, capacity: np.ndarray, p: Mapping[str, float],
                freight: FreightLoad | None = None) -> np.ndarray:
    """Traffic-weighted mean travel time per km over free flow, per district (BPR by hour).

    ``freight``: the year's van and lorry load, for the part delivery windows move to other
    hours (:func:`hourly_shares`; None: every vehicle follows the day's profile).
    """
    tr = ModelParameters.of(p).traffic
    shares = hourly_shares(load, p, freight)
    ratio = np.divide(load[:, None] * shares, capacity[:, None],
                      out=np.zeros(shares.shape), where=capacity[:, None] > 0)
    return (shares * (1.0 + tr.bpr_alpha * ratio ** tr.bpr_beta)).sum(axis=1)


@dataclass(frozen=True)
class RoadYear:
    """One year's road traffic after :func:`settle`.

    Attributes
    ----------
    ratio : ndarray, shape (K,)
        Car speed of each district relative to the base year's.
    load : ndarray, shape (K,)
        Daily vehicle-km (passenger-car units) on each district's streets.
    capacity : ndarray, shape (K,)
        Vehicle-km per hour at capacity.
    delay : ndarray, shape (K,)
        Delay index (travel time per km over free flow).
    iterations : int
        Kernel runs made this year.
    change : float
        The last iteration's largest relative change of a speed ratio.
    converged : bool
        Whether the change is within ``traffic.tolerance``.
    inputs : DemandInputs
        The kernel inputs of the settled speeds.
    """

    ratio: np.ndarray
    load: np.ndarray
    capacity: np.ndarray
    delay: np.ndarray
    iterations: int
    change: float
    converged: bool
    inputs: DemandInputs


@dataclass(frozen=True)
class RoadBase:
    """The base year's traffic that speeds pivot on.

    Attributes
    ----------
    load : ndarray, shape (K,)
        Daily vehicle-km (pcu) per district, without any measure, vans and lorries included.
    background : ndarray, shape (K,)
        Of which vans and lorries (each year's follow from it: :meth:`RoadNetwork.freight_load`).
    capacity : ndarray, shape (K,)
        Calibrated vehicle-km per hour at capacity of each district's streets.
    delay : ndarray, shape (K,)
        Its delay index on the base year's roads.
    peak_ratio : float
        The calibrated volume over capacity in a peak hour (every district alike).
    congestion : float
        The congestion level calibrated to.
    source : str
        Where the level comes from.
    lane_capacity : float
        Implied vehicles per hour and lane-km at capacity (median over districts), to compare
        with published lane capacities (``road_traffic_evidence.csv``).
    trip_km : float
        Mean car trip length of the base year (all car trips of the kernel), km; the cold-start
        excess pivots on it (:mod:`mobility_sim.fleet.cold_start`).
    """

    load: np.ndarray
    background: np.ndarray
    capacity: np.ndarray
    delay: np.ndarray
    peak_ratio: float
    congestion: float
    source: str
    lane_capacity: float
    trip_km: float = float("nan")


def car_trip_km(out: DemandOutputs) -> float:
    """Mean car trip length of a kernel run, km (NaN without car trips)."""
    trips = float(out.trips[..., list(CAR_MODES)].sum())
    return float(out.pkm[..., list(CAR_MODES)].sum()) / trips if trips > 0 else float("nan")


def calibrate_base(car_load: np.ndarray, network: RoadNetwork, city: str,
                   p: Mapping[str, float], through: np.ndarray | None = None) -> RoadBase:
    """Set each district's capacity so that its base-year delay is the city's congestion level.

    The base year's vans and lorries (``network.freight_pcu`` per car vehicle-km on the
    city's roads, spread by ``network.freight_share``) and its through traffic (``through``,
    :meth:`RoadNetwork.through_load`; None: none) are added to the car load first. Every
    district with traffic gets the capacity ``c x load`` whose delay index is
    ``1 + level``: ``alpha sum_h s_h (s_h / c)^beta = level``, so
    ``c = (alpha sum_h s_h^(beta+1) / level)^(1/beta)``; a district without traffic gets its
    lane-km at the median capacity per lane-km of the others.

    Raises
    ------
    ScenarioError
        If the congestion level is not positive or no district carries traffic.
    """
    tr = ModelParameters.of(p).traffic
    level, source = congestion_level(city, p)
    profile = hourly_profile(p)
    background = float(car_load.sum()) * network.freight_pcu * network.freight_share
    load = car_load + background + (0.0 if through is None else through)
    total = float(load.sum())
    if level <= 0 or total <= 0:
        raise ScenarioError(f"traffic: cannot calibrate road capacity (congestion level {level}, "
                            f"base-year car traffic {total:.0f} vkm/day); set traffic.feedback "
                            "to 0 or give a positive traffic.congestion_default")
    c = (tr.bpr_alpha * float((profile ** (tr.bpr_beta + 1.0)).sum()) / level) ** (
        1.0 / tr.bpr_beta)
    lane_km = network.lane_km()
    capacity = load * c
    loaded = (load > 0) & (lane_km > 0)
    per_lane_km = float(np.median(capacity[loaded] / lane_km[loaded])) if loaded.any() else 0.0
    capacity = np.where(load > 0, capacity, lane_km * per_lane_km)
    return RoadBase(load=load, background=background, capacity=capacity,
                    delay=delay_index(load, capacity, p), peak_ratio=float(profile.max() / c),
                    congestion=level, source=source, lane_capacity=per_lane_km)


def with_speeds(inputs: DemandInputs, network: RoadNetwork, ratio: np.ndarray,
                levers: YearLevers, base_delay: np.ndarray | None = None) -> DemandInputs:
    """Return the kernel inputs with the districts and the car and bus speeds of ``ratio``.

    Car speed of a grid cell = its layer speed x its district's ratio. On the road share of
    public transport, bus in-vehicle time per km changes by ``1 / ratio`` in traffic and by
    ``1 / D_base`` on bus lanes (``levers.bus_lane``: the base year's delay no longer
    suffered; ``base_delay`` None: not known yet, as in traffic).
    """
    n = network.district.size
    cell_ratio = ratio[network.district]
    car = inputs.car_speed.copy()
    car[:n] = car[:n] * cell_ratio
    pt = inputs.pt_speed.copy()
    lane = np.zeros(n) if levers.bus_lane is None else np.clip(levers.bus_lane, 0.0, 1.0)
    delay = np.ones(n) if base_delay is None else base_delay[network.district]
    road = network.bus_road_share
    time = (1.0 - road) + road * ((1.0 - lane) / cell_ratio + lane / delay)
    pt[:n] = pt[:n] / time
    return dataclasses.replace(inputs, car_speed=car, pt_speed=pt,
                               district=network.all_districts())


def start_ratio(last: np.ndarray | None, before: np.ndarray | None, n: int) -> np.ndarray:
    """Speed ratios a year's iteration starts from: the last two years' trend, within 5 %."""
    if last is None:
        return np.ones(n)
    if before is None:
        return last.copy()
    return last * np.clip(last / before, 1.0 / 1.05, 1.05)


Kernel = Callable[[DemandInputs, DemandParams, "np.ndarray | None"], DemandOutputs]


def settle(kernel: Kernel, inputs: DemandInputs, params: DemandParams, network: RoadNetwork,
           levers: YearLevers, p: Mapping[str, float], start: np.ndarray,
           warm: np.ndarray | None, base: RoadBase | None, city: str = "",
           freight_growth: float = 1.0) -> tuple[DemandOutputs, RoadYear, RoadBase]:
    """Run the kernel until car speeds and traffic agree (see the module docstring).

    Parameters
    ----------
    kernel : callable
        Demand implementation.
    inputs, params : DemandInputs, DemandParams
        The year's kernel inputs at the layers' speeds.
    network : RoadNetwork
        The city's districts and roads.
    levers : YearLevers
        The year's levers (road space, bus lanes).
    p : mapping
        The run's parameters.
    start : ndarray, shape (K,)
        Speed ratios to start from (the previous year's).
    warm : ndarray or None
        Balancing warm start.
    base : RoadBase or None
        The base year's traffic; None: this year's first evaluation is the base (a base year
        without measures), calibrated to the congestion level of ``city``.
    city : str
        The city's slug (its congestion level).
    freight_growth : float
        Van and lorry traffic over the base year's before measures
        (:func:`mobility_sim.fleet.freight.freight_growth`); the year's freight measures act on
        it (:meth:`RoadNetwork.freight_load`).

    Returns
    -------
    outputs, road, base
        The kernel outputs at the settled speeds, the year's road traffic and the base.

    Raises
    ------
    ScenarioError
        If a district's streets have no capacity while cars drive on them.
    """
    tr = ModelParameters.of(p).traffic
    ratio = np.asarray(start, dtype=float).copy()
    iterations = 0
    step, previous = tr.relaxation, np.inf
    while True:
        settled = with_speeds(inputs, network, ratio, levers,
                              None if base is None else base.delay)
        out = owner_demand(kernel, settled, params, warm)
        iterations += 1
        warm = out.balancing
        car_load = network.car_load(out, params)
        through = network.through_load(out, params)
        if base is None:
            base = dataclasses.replace(calibrate_base(car_load, network, city, p, through),
                                       trip_km=car_trip_km(out))
        freight = network.freight_load(base.background, levers, freight_growth)
        load = car_load + freight.load + through
        capacity = base.capacity * network.remaining(levers)
        if np.any((capacity <= 0) & (load > 0)):
            raise ScenarioError("road_space: a traffic district has no road capacity left while "
                                "cars still drive there; lower lanes_removed_share or "
                                "street_share")
        delay = delay_index(load, capacity, p, freight)
        target = base.delay / delay
        change = float(np.max(np.abs(target / ratio - 1.0))) if ratio.size else 0.0
        converged = change <= tr.tolerance
        if converged or iterations >= tr.max_iterations:
            break
        if change > previous:  # overshooting: damp the steps from now on
            step *= 0.5
        previous = change
        ratio = ratio * (target / ratio) ** step
    road = RoadYear(ratio=ratio, load=load, capacity=capacity, delay=delay,
                    iterations=iterations, change=change, converged=converged, inputs=settled)
    return out, road, base


def with_speed_factors(fleet: FleetYear, out: DemandOutputs, params: DemandParams,
                       settled: DemandInputs, car_base_kmh: np.ndarray, pt_base_kmh: np.ndarray,
                       base_trip_km: float = float("nan"), temperature: float = 10.0,
                       ) -> tuple[FleetYear, DemandOutputs, DemandParams]:
    """Return the year's fleet factors, kernel CO2 and car factors at the settled speeds.

    Car factors change by COPERT's speed curves between the base year's cell speeds
    (``car_base_kmh``: the layers', no measure) and the settled ones, weighted by the car
    vehicle-km of each cell's residents; bus factors likewise between the year's PT network
    speeds (``pt_base_kmh``) and the settled ones, weighted by PT passenger-km
    (:func:`mobility_sim.fleet.speed_factors.speed_multipliers`). Car factors also carry the
    change of the cold-start excess between the base year's mean car trip (``base_trip_km``,
    at the base speeds) and this year's, at the city's ``temperature``
    (:mod:`mobility_sim.fleet.cold_start`; none when the base trip length is unknown). The
    kernel's car emission factors per passenger-km and its car CO2 follow by the same ratio.
    """
    n = car_base_kmh.size
    car_w = out.vkm[:n, list(CAR_MODES)].sum(axis=1)
    pt_w = out.pkm[:, :, :n, PT].sum(axis=(0, 1))
    car_mult = speed_multipliers("car", CAR_POWERTRAINS, settled.car_speed[:n], car_base_kmh,
                                 car_w)
    if np.isfinite(base_trip_km) and car_w.sum() > 0:
        speed = float((car_w * settled.car_speed[:n]).sum() / car_w.sum())
        base_speed = float((car_w * car_base_kmh).sum() / car_w.sum())
        car_mult = combined(car_mult, cold_start_multipliers(
            car_trip_km(out), speed, base_trip_km, base_speed, temperature))
    car = with_multipliers(fleet.car_factors, car_mult)
    bus = with_multipliers(fleet.bus_factors, speed_multipliers(
        "bus", BUS_POWERTRAINS, settled.pt_speed[:n], pt_base_kmh, pt_w))
    adjusted = dataclasses.replace(fleet, car_factors=car, bus_factors=bus)
    grid = fleet.grid_gco2e_per_kwh
    ttw0, wtw0 = mode_emission_factors(fleet.state, grid, 1.0)
    ttw1, wtw1 = mode_emission_factors(adjusted.state, grid, 1.0)
    r_ttw = np.ones_like(ttw0)
    r_wtw = np.ones_like(wtw0)
    for m in CAR_MODES:
        r_ttw[m] = ttw1[m] / ttw0[m] if ttw0[m] > 0 else 1.0
        r_wtw[m] = wtw1[m] / wtw0[m] if wtw0[m] > 0 else 1.0
    out = dataclasses.replace(out, co2_ttw=out.co2_ttw * r_ttw[None, :],
                              co2_wtw=out.co2_wtw * r_wtw[None, :])
    params = dataclasses.replace(params, ef_ttw=params.ef_ttw * r_ttw,
                                 ef_wtw=params.ef_wtw * r_wtw)
    return adjusted, out, params
