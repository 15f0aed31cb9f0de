"""Two accountings of a year's road transport: territorial and residents'.

City inventories (Climate City Contracts, SECAPs, Covenant of Mayors) count the traffic on the
city's territory; a resident-based view counts every trip the residents make, wherever it goes.
The model has both, side by side, in the ``accounts`` table (one row per year, accounting and
component):

``territorial`` (all traffic inside the grid)
    residents' car trips, less the part beyond the grid's edge of those leaving it;
    non-residents' car trips into the grid (in-commuters, visitors), their part inside only;
    through traffic; public transport service; vans, rigid and articulated lorries, cargo
    bikes.
``residents`` (all trips of the grid's residents, wherever they go)
    residents' car trips, whole; their share of public transport (by passenger-km); e-bikes.

A third table, ``zones``, has each named zone's trips entering, leaving and within, vehicles
entering, and vehicle-km and emissions inside (:func:`zone_rows`).

The part of a crossing trip beyond the edge is ``circuity x beyond_km`` per trip
(:class:`mobility_sim.model.external.ExternalFlows`). Car traffic that is not the residents'
(non-residents, through traffic) has the city's fleet: the residents' tonnes per vehicle-km of
each car alternative. **Through traffic** is not modelled behaviourally: its vehicles per day
are ``through.share_of_crossing_trips`` x the car trips crossing the edge, each driving the
grid's mean chord (``pi r / 2`` for a disc of the grid's area, times circuity:
:func:`mobility_sim.model.external.through_vehicle_km`, whose vehicle-km the roads also carry,
:meth:`mobility_sim.model.traffic.RoadNetwork.through_load`) at the city's car fleet's factors;
measures change it only through the crossing trips (an assumption stated in every run).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .fleet.accounting import YearAccounts
from .fleet.freight import FREIGHT_VEHICLES
from .kernels.spec import CAR_EV, CAR_ICE, CAR_MODES, MODES, PT, DemandOutputs, DemandParams
from .model.external import ExternalFlows, crossing_car_vehicles, through_vehicle_km
from .model.years import ModelYear
from .model.zone_flows import ZoneFlows

ACCOUNTS_COLUMNS: tuple[str, ...] = ("year", "accounting", "component", "vkm", "co2_ttw_t",
                                     "co2_wtw_t")
#: Territorial components, in the order of the tables and charts.
TERRITORIAL = ("residents' car trips (inside)", "non-residents' car trips (inside)",
               "through traffic", "public transport", "vans", "rigid lorries",
               "articulated lorries", "cargo bikes")
RESIDENTS = ("residents' car trips (whole)", "residents' public transport", "e-bikes")


@dataclass(frozen=True)
class CarTraffic:
    """One year's car vehicle-km (annual) by whose and where, per car alternative."""

    residents_whole: dict[int, float]
    residents_beyond: dict[int, float]
    nonresidents_inside: dict[int, float]
    through: float

    def residents_inside(self, m: int) -> float:
        """Residents' vkm of alternative ``m`` inside the grid."""
        return max(self.residents_whole[m] - self.residents_beyond[m], 0.0)

    def territorial(self) -> float:
        """Car vehicle-km inside the grid (through traffic left out)."""
        return sum(self.residents_inside(m) + self.nonresidents_inside[m] for m in CAR_MODES)


def car_traffic(out: DemandOutputs, flows: ExternalFlows | None, params: DemandParams,
                days: float, p: Mapping[str, float], grid_km2: float) -> CarTraffic:
    """Annual car vehicle-km of a year by whose and where (see the module docstring)."""
    whole = {m: float(out.vkm[:, m].sum()) * days for m in CAR_MODES}
    beyond = dict.fromkeys(CAR_MODES, 0.0)
    inside = dict.fromkeys(CAR_MODES, 0.0)
    through = 0.0
    if flows is not None:
        for m in CAR_MODES:
            per_trip = flows.beyond_km * float(params.vkm_per_pkm[m])
            beyond[m] = float(flows.outbound_trips[:, m].sum()) * per_trip * days
            inbound = float(flows.inbound_vkm[:, m].sum()) * days
            inside[m] = max(inbound - float(flows.inbound_trips[:, m].sum()) * per_trip * days,
                            0.0)
        crossing = crossing_car_vehicles(flows.inbound_trips, flows.outbound_trips,
                                         params.vkm_per_pkm)
        through = through_vehicle_km(float(crossing.sum()) * days, p, grid_km2)
    return CarTraffic(residents_whole=whole, residents_beyond=beyond,
                      nonresidents_inside=inside, through=through)


def car_factors(accounts: YearAccounts, traffic: CarTraffic) -> dict[int, tuple[float, float]]:
    """Return tonnes CO2e (TTW, WTW) per car vehicle-km of each alternative (the residents' fleet).

    The year's car emission rows over the residents' car vehicle-km: the electric alternative
    is the ``bev`` rows, the combustion one the others.
    """
    out = {}
    for m, electric in ((CAR_ICE, False), (CAR_EV, True)):
        rows = [r for r in accounts.emission_rows if r["vehicle"] == "car"
                and (r["powertrain"] == "bev") == electric]
        km = traffic.residents_whole[m]
        ttw = sum(r["tonnes"] for r in rows if r["pollutant"] == "co2_ttw")
        wtw = sum(r["tonnes"] for r in rows if r["pollutant"] == "co2_wtw")
        out[m] = (ttw / km, wtw / km) if km > 0 else (0.0, 0.0)
    return out


def account_rows(year: int, traffic: CarTraffic, accounts: YearAccounts,
                 factor: Mapping[int, tuple[float, float]],
                 pt_residents_share: float) -> list[dict]:
    """Return the year's rows of the ``accounts`` table (see the module docstring).

    ``accounts`` holds the year's fleet and emission rows, freight included; ``factor`` is
    :func:`car_factors`; ``pt_residents_share`` is :func:`pt_residents_share`.
    """
    whole_km = sum(traffic.residents_whole.values())
    ice_share = traffic.residents_whole[CAR_ICE] / whole_km if whole_km > 0 else 1.0

    def car(km: Mapping[int, float]) -> tuple[float, float, float]:
        total = sum(km.values())
        return (total, sum(km[m] * factor[m][0] for m in CAR_MODES),
                sum(km[m] * factor[m][1] for m in CAR_MODES))

    def vehicles(names: tuple[str, ...]) -> tuple[float, float, float]:
        rows = [r for r in accounts.emission_rows if r["vehicle"] in names]
        km = sum(r["vkm"] for r in accounts.fleet_rows if r["vehicle"] in names)
        return (km, sum(r["tonnes"] for r in rows if r["pollutant"] == "co2_ttw"),
                sum(r["tonnes"] for r in rows if r["pollutant"] == "co2_wtw"))

    pt = vehicles(("bus", "tram", "metro", "pt"))
    through = car({CAR_ICE: traffic.through * ice_share, CAR_EV: traffic.through * (1 - ice_share)})
    territorial = {
        TERRITORIAL[0]: car({m: traffic.residents_inside(m) for m in CAR_MODES}),
        TERRITORIAL[1]: car(traffic.nonresidents_inside),
        TERRITORIAL[2]: through,
        TERRITORIAL[3]: pt,
        TERRITORIAL[4]: vehicles(("van",)),
        TERRITORIAL[5]: vehicles(("lorry_rigid",)),
        TERRITORIAL[6]: vehicles(("lorry_articulated",)),
        TERRITORIAL[7]: vehicles(("cargo_bike",)),
    }
    residents = {
        RESIDENTS[0]: car(traffic.residents_whole),
        RESIDENTS[1]: (pt[0] * pt_residents_share, pt[1] * pt_residents_share,
                       pt[2] * pt_residents_share),
        RESIDENTS[2]: vehicles(("ebike",)),
    }
    rows = []
    for accounting, parts in (("territorial", territorial), ("residents", residents)):
        for component, (km, ttw, wtw) in parts.items():
            rows.append({"year": year, "accounting": accounting, "component": component,
                         "vkm": km, "co2_ttw_t": ttw, "co2_wtw_t": wtw})
    return rows


def pt_residents_share(out: DemandOutputs, flows: ExternalFlows | None) -> float:
    """Residents' share of the public transport passenger-km (whole trips)."""
    residents = float(out.pkm[..., PT].sum())
    others = float(flows.inbound_pkm[:, PT].sum()) if flows is not None else 0.0
    total = residents + others
    return residents / total if total > 0 else 1.0


ZONE_COLUMNS: tuple[str, ...] = ("year", "zone", "kind", "vehicle", "trips_entering",
                                 "trips_leaving", "trips_within", "vehicles_entering",
                                 "vkm_inside", "co2_ttw_t", "co2_wtw_t")


def zone_vehicles(rows: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Return the car vehicles of the person-trip ``columns`` of car rows of the ``zones`` table.

    The trips are one-way legs counted from the home end (:func:`zone_rows`): ``trips_entering``
    (legs of people living outside the zone that end inside it, both ways of their visits) plus
    ``trips_leaving`` (the zone's residents' legs to outside) are the legs crossing the zone's
    boundary, ``trips_entering`` plus ``trips_within`` the legs ending in the zone. Persons
    become vehicles at the row's rate: its cars entering per leg crossing, times 2 (a round
    trip across the boundary enters once); 0 where no leg crosses.
    """
    crossing = rows["trips_entering"] + rows["trips_leaving"]
    per_trip = (2.0 * rows["vehicles_entering"] / crossing).where(crossing > 0, 0.0)
    return sum((rows[c] for c in columns), start=pd.Series(0.0, index=rows.index)) * per_trip


def zone_rows(year: int, zones: Mapping[str, tuple[str, np.ndarray]], year_run: ModelYear,
              factor: Mapping[int, tuple[float, float]], accounts: YearAccounts, days: float,
              freight_weights: np.ndarray | None,
              flows: Sequence[ZoneFlows]) -> list[dict]:
    """Return the year's rows of the ``zones`` table (annual quantities).

    ``zones`` maps each zone's name to its kind and cell mask; ``factor`` is
    :func:`car_factors`. Trips by mode from
    :func:`mobility_sim.model.zone_flows.zone_flows` (``flows``, one per zone in order), as
    one-way legs counted from the home end: ``trips_entering`` are the legs of people living
    outside the zone (residents of the rest of the grid, non-residents from the external
    zones) to destinations inside it, both the way in and the way back; ``trips_leaving`` the
    zone's residents' legs to outside, both ways; ``trips_within`` the legs from and to it.
    Vehicles entering are the vehicles physically entering: half the legs crossing the boundary
    (each round trip across it enters once, whichever side its traveller lives on), times
    vehicles per passenger. Car vehicle-km inside a zone follow the trip-end rule: half of each
    trip's km at each end, the trips arriving taken at the mode's mean trip length (an
    approximation: the model has no routes); emissions at the city's car factors. Vans and
    lorries: the zone's share of the freight traffic (jobs plus residents); the freight model
    has vehicle-km, not trips, so vehicles entering are taken at the cars' rate per vehicle-km
    inside the zone (an assumption: a van on a delivery round drives more km inside per entry
    than a car, so this overstates van entries); no trips entering, leaving or within.
    """
    if not zones:
        return []
    out, params = year_run.outputs, year_run.params
    names = list(zones)
    trips_m = out.trips.sum(axis=(0, 1, 2))
    pkm_m = out.pkm.sum(axis=(0, 1, 2))
    freight = {}
    for vehicle in FREIGHT_VEHICLES:
        freight[vehicle] = (
            sum(r["vkm"] for r in accounts.fleet_rows if r["vehicle"] == vehicle),
            {q: sum(r["tonnes"] for r in accounts.emission_rows
                    if r["vehicle"] == vehicle and r["pollutant"] == q)
             for q in ("co2_ttw", "co2_wtw")})
    rows = []
    for zone, zone_flow in zip(names, flows, strict=True):
        kind, mask = zones[zone]
        car_vkm = car_entering = 0.0
        for m, mode in enumerate(MODES):
            mean_km = float(pkm_m[m] / trips_m[m]) if trips_m[m] > 0 else 0.0
            vkm_per_pkm = float(params.vkm_per_pkm[m])
            vkm = (0.5 * (zone_flow.pkm_from[m] + zone_flow.arriving[m] * mean_km)
                   * vkm_per_pkm * days)
            ttw, wtw = factor.get(m, (0.0, 0.0))
            # a round trip across the boundary crosses it twice and enters once
            entering = 0.5 * (zone_flow.entering[m] + zone_flow.leaving[m]) * vkm_per_pkm * days
            if m in CAR_MODES:
                car_vkm += vkm
                car_entering += entering
            rows.append({"year": year, "zone": zone, "kind": kind, "vehicle": mode,
                         "trips_entering": zone_flow.entering[m] * days,
                         "trips_leaving": zone_flow.leaving[m] * days,
                         "trips_within": zone_flow.within[m] * days,
                         "vehicles_entering": entering,
                         "vkm_inside": vkm, "co2_ttw_t": vkm * ttw, "co2_wtw_t": vkm * wtw})
        share = float(freight_weights[mask].sum()) if freight_weights is not None else 0.0
        per_vkm = car_entering / car_vkm if car_vkm > 0 else 0.0
        for vehicle, (km, tonnes) in freight.items():
            rows.append({"year": year, "zone": zone, "kind": kind, "vehicle": vehicle,
                         "trips_entering": np.nan, "trips_leaving": np.nan,
                         "trips_within": np.nan, "vehicles_entering": km * share * per_vkm,
                         "vkm_inside": km * share, "co2_ttw_t": tonnes["co2_ttw"] * share,
                         "co2_wtw_t": tonnes["co2_wtw"] * share})
    return rows
