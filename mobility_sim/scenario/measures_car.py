"""Measures on car use: parking, cordon, low-emission zone, speed limit, sharing, occupancy."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from .base import AreaRule, CityWide, MeasureBase, unit
from .levers import ZERO_EMISSION_EURO

if TYPE_CHECKING:
    from .levers import LeverBuilder


class ParkingPrice(MeasureBase):
    """On-street parking at destinations in the area costs ``eur_per_hour``.

    Model: the parking price of each destination cell in the area (baseline: the city's layer or
    the density-scaled default). A car visit pays the price times the parked hours of its
    purpose (``parking.dwell_h.*``) times the share of such visits that pay
    (``parking.paid_share.*``); each of the visit's two one-way trips carries half of it in the
    money cost of both car alternatives. A lower price than today's lowers the cost.
    """

    PARAMETERS: ClassVar[tuple[str, ...]] = (
        "parking.dwell_h.commute", "parking.dwell_h.other", "parking.paid_share.commute",
        "parking.paid_share.other", "parking.max_eur_per_h")

    type: Literal["parking_price"]
    eur_per_hour: float = Field(ge=0, le=50, json_schema_extra=unit("EUR/h"))
    """Parking price at full effect."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Move the parking price of the area towards the target."""
        if level > 0:
            levers.ramp("parking", mask, self.eur_per_hour, level)


class CordonCharge(MeasureBase):
    """Car trips across the area's boundary pay ``eur_per_trip`` (congestion charge).

    Model: the charging cordon (cells of the area) and the charge per car mode. The model's
    trips are one-way legs and a round trip across the boundary is two of them, whichever side
    the traveller lives on: with ``charged: entering`` (London, Milan: each entry pays) each
    crossing leg carries half the charge; with ``charged: each_crossing`` (Stockholm,
    Gothenburg: every passage in either direction pays) each carries the whole charge. Trips
    inside or outside the cordon pay nothing. The cordon's residents pay ``1 -
    residents_discount`` of it on their trips out (the kernel's origin is the home end). The
    model has one cordon per scenario.
    """

    AREA_RULE: ClassVar[AreaRule] = "required"
    AREA_REASON: ClassVar[str] = "it charges car trips that enter the area"
    ONE_PER_SCENARIO: ClassVar[bool] = True

    type: Literal["cordon_charge"]
    eur_per_trip: float = Field(ge=0, le=100, json_schema_extra=unit("EUR/trip"))
    """Charge per charged passage of a combustion car at full effect."""
    ev_eur_per_trip: float | None = Field(default=None, ge=0, le=100,
                                          json_schema_extra=unit("EUR/trip"))
    """Charge per charged passage of a battery-electric car (default: ``eur_per_trip``; 0
    exempts electric cars)."""
    charged: Literal["entering", "each_crossing"] = "entering"
    """Which passages pay: ``entering`` the cordon (once per round trip) or
    ``each_crossing`` in either direction (twice per round trip)."""
    residents_discount: float = Field(default=0.0, ge=0, le=1,
                                      json_schema_extra=unit("share 0-1"))
    """Share of the charge the cordon's residents do not pay (London: 0.9, a 90 % discount
    for registered residents of the zone; Stockholm, Gothenburg, Oslo: none). It applies to
    the trips of the people who live inside the cordon, on both legs of their trips out."""

    @property
    def legs_factor(self) -> float:
        """Share of the charge each crossing leg carries (0.5 entering, 1 each crossing)."""
        return 0.5 if self.charged == "entering" else 1.0

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Set the cordon and its charge per crossing leg."""
        if level > 0:
            levers.cells("cordon", 0.0)[mask] = 1.0
            ev = self.eur_per_trip if self.ev_eur_per_trip is None else self.ev_eur_per_trip
            levers.cordon_charge_eur = level * self.eur_per_trip * self.legs_factor
            levers.cordon_charge_ev_eur = level * ev * self.legs_factor
            levers.cordon_resident_factor = 1.0 - self.residents_discount


class LowEmissionZone(MeasureBase):
    """Combustion cars are banned from (or charged in) the area, with a compliance rate.

    Model: for trips ending in the zone, the availability of the combustion-car alternative is
    multiplied by ``1 - affected_share x compliance`` (``rule: ban``), or the trip pays
    ``affected_share x compliance x charge_eur_per_trip`` (``rule: charge``). It binds the
    owners of combustion cars only: they choose another mode or destination, never an electric
    car they do not own (``mobility_sim/model/car_owners.py``). The model's
    combustion alternative covers petrol, diesel, hybrid and plug-in hybrid cars: for a zone
    that bans only older cars, set ``affected_share`` to their share of combustion-car trips.
    Trips of the zone's residents to outside destinations are not restricted in the demand
    model; ``residents_discount`` spares their trips within the zone too (Madrid Central let
    its residents drive in whatever their car; London's central ULEZ spared the residents
    registered for the congestion charge's discount until 24 October 2021). The fleet model
    brings forward the replacement of the barred cars (``fleet.lez.replacement_share`` of the
    owners reached), and the replacements are cars the zone lets in: battery-electric under a
    zero-emission zone, the year's sales mix under a Euro-class zone (every new car meets
    Euro 6).
    """

    AREA_RULE: ClassVar[AreaRule] = "required"
    AREA_REASON: ClassVar[str] = "it restricts combustion cars inside the area"

    type: Literal["low_emission_zone"]
    rule: Literal["ban", "charge"] = "ban"
    """``ban``: affected cars may not enter; ``charge``: they pay per visit (the two one-way
    trips of a visit carry half each)."""
    compliance: float = Field(ge=0, le=1, json_schema_extra=unit("share 0-1"))
    """Share of affected trips that obey the rule (do not enter, or pay) at full effect."""
    affected_share: float = Field(default=1.0, ge=0, le=1, json_schema_extra=unit("share 0-1"))
    """Share of combustion-car trips by vehicles the rule covers (1: a zero-emission zone)."""
    charge_eur_per_trip: float | None = Field(default=None, ge=0, le=200,
                                              json_schema_extra=unit("EUR/trip"))
    """Charge per affected visit to the zone, for ``rule: charge``."""
    residents_discount: float = Field(default=0.0, ge=0, le=1,
                                      json_schema_extra=unit("share 0-1"))
    """Share of the rule the zone's residents are spared (1: exempt; for ``rule: charge`` a
    0.9 pays a tenth of the charge, for ``rule: ban`` the share of their trips let in). It
    applies to the trips of the people who live in the zone (the kernel's origin is the home
    end), to every destination inside a zone that spares its residents; residents of
    several sparing zones are spared by each (exact for zones nested in one another)."""
    min_euro: dict[Literal["petrol", "diesel"], int] | None = None
    """Lowest Euro emission class allowed per fuel (e.g. ``{petrol: 4, diesel: 6}``), for the
    fleet model's early replacements (hybrids follow petrol). Omitted: a zero-emission zone,
    no combustion car allowed. The demand model does not see Euro classes: set
    ``affected_share`` to match."""
    cars_entering_share: float | None = Field(default=None, ge=0, le=1,
                                              json_schema_extra=unit("share 0-1"))
    """Share of the city's cars that enter the zone now and then, for the fleet model (default:
    the zone's share of the city's jobs, an assumption filled in by the loader and recorded in
    the resolved scenario)."""
    freight: bool = True
    """Whether a zero-emission zone (no ``min_euro``, ``rule: ban``) also covers vans and
    lorries: the complying share of their diesel km in the zone is driven zero-emission.
    Zones that bar only older Euro classes leave freight CO2 unchanged (the model has no Euro
    classes for vans and lorries)."""

    def problems(self) -> list[str]:
        """Add: a charge needs its amount; Euro classes run from 1 to 7."""
        found = super().problems()
        if self.rule == "charge" and self.charge_eur_per_trip is None:
            found.append("rule 'charge' needs charge_eur_per_trip (EUR per trip)")
        if self.rule == "ban" and self.charge_eur_per_trip is not None:
            found.append("charge_eur_per_trip is only used with rule 'charge'; remove it or "
                         "set rule: charge")
        for fuel, euro in (self.min_euro or {}).items():
            if not 1 <= euro <= 7:
                found.append(f"min_euro.{fuel}: Euro classes run from 1 to 7 (got {euro})")
        return found

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Restrict or charge combustion cars ending their trip in the zone; tell the fleet."""
        if level <= 0:
            return
        charge = float(self.charge_eur_per_trip or 0.0)
        reach = level * float(self.cars_entering_share if self.cars_entering_share is not None
                              else 0.0)
        before = float(levers.lez_affected_share)
        total = min(1.0, before + reach)
        if before == 0:
            levers.lez_compliance = self.compliance
        elif reach > 0:
            levers.lez_compliance = (
                before * float(levers.lez_compliance) + reach * self.compliance
            ) / (before + reach)
        levers.lez_affected_share = total
        rule = dict(self.min_euro or {"petrol": ZERO_EMISSION_EURO, "diesel": ZERO_EMISSION_EURO})
        merged = dict(levers.lez_min_euro or {})
        for fuel, euro in rule.items():
            merged[fuel] = max(euro, merged.get(fuel, 0))
        levers.lez_min_euro = merged
        obey = level * self.affected_share * self.compliance
        if self.rule == "ban" and self.freight and self.min_euro is None:
            zone = levers.cells("freight_zero_emission", 0.0)
            zone[mask] = np.maximum(zone[mask], level * self.compliance)
        if self.residents_discount > 0:
            levers.spare_residents(mask)
        # everyone's levers, and (once a zone spares its residents) theirs, at their share
        spared = levers.zone_residents is not None
        theirs = obey * (1.0 - self.residents_discount)
        if self.rule == "ban":
            levers.cells("ice_dest_avail", 1.0)[mask] *= 1.0 - obey
            if spared:
                levers.cells("resident_ice_dest_avail", 1.0)[mask] *= 1.0 - theirs
        else:
            levers.cells("ice_dest_charge_eur", 0.0)[mask] += obey * charge
            if spared:
                levers.cells("resident_ice_dest_charge_eur", 0.0)[mask] += theirs * charge


class SpeedLimit(MeasureBase):
    """A speed limit of ``limit_kmh`` (e.g. 30 km/h) on ``street_share`` of the area's streets.

    Model: the car speed of each cell in the area. On limited streets cars travel at
    ``limit_kmh x speed_limit.travel_speed_ratio`` where that is slower than today; the cell's
    speed is the harmonic mean over the car-km on limited and other streets (time adds up per
    km). The limited streets' share of car-km follows from their share of length: a limit
    covers the minor streets first, which carry less traffic per km
    (``speed_limit.minor_street_share``, ``speed_limit.minor_traffic_share``: Graz's 30 km/h
    side streets, about 80 % of the network, carry about 20 % of its traffic). PT speed is not
    changed (buses and trams run on exempt main roads or own lanes: an assumption).
    """

    PARAMETERS: ClassVar[tuple[str, ...]] = ("speed_limit.travel_speed_ratio",
                                             "speed_limit.minor_street_share",
                                             "speed_limit.minor_traffic_share", "speed.car_min",
                                             "speed.car_max")

    type: Literal["speed_limit"]
    limit_kmh: float = Field(ge=10, le=130, json_schema_extra=unit("km/h"))
    """Posted speed limit."""
    street_share: float = Field(default=1.0, ge=0, le=1, json_schema_extra=unit("share 0-1"))
    """Share of street length under the limit at full effect (main roads are often exempt)."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Limit car speed in the area."""
        if level > 0:
            levers.ramp("speed_limit", mask, self.limit_kmh, level * self.street_share)


class RoadSpace(MeasureBase):
    """Road space taken from cars: bus lanes, cycle lanes or car-free streets in the area.

    Model: on ``street_share`` of the area's streets, ``lanes_removed_share`` of the car lanes
    go to another use (default: one lane of two for bus and cycle lanes, all of them for
    car-free streets). The car capacity of the area's cells falls by their product (several
    measures combine multiplicatively); car and bus speeds then follow the traffic
    (``model/traffic.py``; without ``traffic.feedback`` the measure changes nothing but its
    second effect). ``bus_lane``, and ``car_free`` (buses keep using car-free streets, as on
    a transit mall: an assumption): buses on those streets no longer lose the base year's
    delay in traffic. ``cycle_lane``: the streets' share of protected cycle infrastructure
    rises as if ``street_share`` of the streets without it got a protected lane (a
    ``cycle_network`` measure on the same cells sets its own share instead: the later measure
    in the file wins).
    """

    PARAMETERS: ClassVar[tuple[str, ...]] = ("traffic.feedback", "traffic.bpr_alpha",
                                             "traffic.bpr_beta")

    type: Literal["road_space"]
    use: Literal["bus_lane", "cycle_lane", "car_free"]
    """What the road space becomes."""
    street_share: float = Field(ge=0, le=1, json_schema_extra=unit("share 0-1"))
    """Share of the area's street length concerned, at full effect."""
    lanes_removed_share: float | None = Field(default=None, ge=0, le=1,
                                              json_schema_extra=unit("share 0-1"))
    """Share of the car lanes of those streets taken (default 0.5 for bus and cycle lanes,
    1 for car-free streets)."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Cut car capacity in the area; give buses their lanes or cycles their tracks."""
        if level <= 0:
            return
        removed = self.lanes_removed_share
        if removed is None:
            removed = 1.0 if self.use == "car_free" else 0.5
        share = level * self.street_share
        cut = levers.cells("road_capacity_cut", 0.0)
        cut[mask] = 1.0 - (1.0 - cut[mask]) * (1.0 - share * removed)
        if self.use in ("bus_lane", "car_free"):
            lane = levers.cells("bus_lane", 0.0)
            lane[mask] = 1.0 - (1.0 - lane[mask]) * (1.0 - share)
        elif self.use == "cycle_lane":
            levers.ramp("bike_infra", mask, 1.0, share)


class CarSharing(MeasureBase):
    """Car sharing within reach of ``coverage`` of the area's residents without a car.

    Model: the origin availability of the car alternatives for the no-car segment in the area
    (0 without the measure) becomes ``coverage``, split between combustion and electric by
    ``electric_share``; and ``car_shedding`` of the car-available residents of the area give up
    their car and move to the no-car segment (where sharing is then their car option).
    """

    type: Literal["car_sharing"]
    coverage: float = Field(ge=0, le=1, json_schema_extra=unit("share 0-1"))
    """Share of residents without a car who are members and live within a short walk of a
    shared car, at full effect."""
    car_shedding: float = Field(default=0.0, ge=0, le=1, json_schema_extra=unit("share 0-1"))
    """Share of car-available residents who give up their own car, at full effect."""
    electric_share: float | None = Field(default=None, ge=0, le=1,
                                         json_schema_extra=unit("share 0-1"))
    """Battery-electric share of the shared cars (default: the city fleet's share)."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Open car sharing to the no-car segment of the area."""
        if level <= 0:
            return
        levers.cells("car_sharing_coverage", 0.0)[mask] = level * self.coverage
        if self.car_shedding > 0:
            levers.cells("car_shedding", 0.0)[mask] = level * self.car_shedding
        if self.electric_share is not None:
            levers.car_sharing_ev_share = self.electric_share


class CarOccupancy(CityWide):
    """Average car occupancy reaches ``persons_per_car`` (ride sharing, carpool lanes).

    Model: vehicle-km per passenger-km of both car alternatives (``1 / occupancy``), hence car
    vehicle-km and the car emission factors per passenger-km; and, through behaviour, the
    car's money costs per person: running cost, parking and charges are shared by more
    occupants, so each car trip is cheaper and some residents drive who did not (the rebound
    that offsets part of the vehicle-km saved).
    """

    AREA_REASON: ClassVar[str] = "it applies city-wide: the model has one car occupancy"
    PARAMETERS: ClassVar[tuple[str, ...]] = ("car.occupancy",)

    type: Literal["car_occupancy"]
    persons_per_car: float = Field(ge=1, le=9, json_schema_extra=unit("persons/vehicle"))
    """Average persons per car at full effect."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Move occupancy towards the target."""
        levers.car_occupancy = levers.car_occupancy.toward(
            level, 0.0, self.persons_per_car)
