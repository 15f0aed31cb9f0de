"""A run's parameters as a typed, documented object: the parameter tables, field by field.

:class:`ModelParameters` mirrors ``mobility_sim/data/parameters.csv``, ``fleet_parameters.csv``
and ``health_parameters.csv``: key ``group.name`` is the attribute ``group.name``, and a key
with a purpose or a mode (``parking.dwell_h.commute``, ``utility.time.pt``) is an attribute of
a :class:`PerPurpose` or :class:`PerMode`. Units and meanings are those of the tables
(repeated in each class's attributes); the sources are in the tables. :meth:`ModelParameters.of`
reads the values of a run (:class:`mobility_sim.model.parameters.Parameters`: defaults <
calibration < scenario overrides) into it; it is the one place where a parameter is read by its
key. A test holds the fields to the tables' keys. It lives beside the tables (not in
:mod:`mobility_sim.model`) so that the city builder and the fleet model, upstream of the model
layer, read it too.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from ..kernels.spec import BIKE, CAR_EV, CAR_ICE, EBIKE, MODES, PT, PURPOSES, WALK

#: The parameter-table mode of each model mode (both car powertrains share ``car``).
MODE_KEY: dict[int, str] = {WALK: "walk", BIKE: "bike", EBIKE: "ebike", PT: "pt",
                            CAR_ICE: "car", CAR_EV: "car"}


@dataclass(frozen=True)
class PerPurpose:
    """A value per trip purpose.

    Attributes
    ----------
    commute, other : float
        The value for commute (work and education) and other trips.
    """

    commute: float
    other: float

    def of(self, purpose: str) -> float:
        """Return the value of ``purpose`` (one of :data:`~mobility_sim.kernels.spec.PURPOSES`)."""
        return float(getattr(self, purpose))

    def by_purpose(self) -> list[float]:
        """Return the values in the kernel's purpose order."""
        return [self.of(purpose) for purpose in PURPOSES]


@dataclass(frozen=True)
class PerMode:
    """A value per mode of the parameter table (both car powertrains share ``car``).

    Attributes
    ----------
    walk, bike, ebike, pt, car : float
        The value of each mode.
    """

    walk: float
    bike: float
    ebike: float
    pt: float
    car: float

    def of_mode(self, mode: int) -> float:
        """Return the value of a kernel mode index (``CAR_ICE`` and ``CAR_EV`` read ``car``)."""
        return float(getattr(self, MODE_KEY[mode]))


@dataclass(frozen=True)
class Geometry:
    """``geometry.*`` parameters.

    Attributes
    ----------
    circuity : float
        Network distance / straight-line distance between cell centres (all modes).
    intrazonal_factor : float
        Mean trip length inside a cell as a fraction of the cell side.
    """

    circuity: float
    intrazonal_factor: float


@dataclass(frozen=True)
class Speed:
    """``speed.*`` parameters.

    Attributes
    ----------
    walk : float
        Walking speed (km/h).
    bike : float
        Conventional bicycle door-to-door speed (km/h).
    ebike : float
        E-bike (pedelec 25 km/h assist) door-to-door speed (km/h).
    pt : float
        Public transport in-vehicle speed including stops (bus/tram/metro mix) (km/h).
    car_min : float
        Car speed in the densest cells (congestion and junctions) (km/h).
    car_max : float
        Car speed in the least dense cells (km/h).
    car_density_scale : float
        Density at which car speed has fallen 63 % of the way from car_max to car_min
        (inh/km2).
    """

    walk: float
    bike: float
    ebike: float
    pt: float
    car_min: float
    car_max: float
    car_density_scale: float


@dataclass(frozen=True)
class Pt:
    """``pt.*`` parameters.

    Attributes
    ----------
    access_min_m : float
        Walk distance to a stop in the densest cells (m).
    access_max_m : float
        Walk distance to a stop in the least dense cells (m).
    access_density_scale : float
        Density scale of the stop-distance default (inh/km2).
    headway_min : float
        Headway in the densest cells (min).
    headway_max : float
        Headway in the least dense cells (min).
    headway_density_scale : float
        Density scale of the headway default (inh/km2).
    wait_cap : float
        Cap on expected wait (half the headway) for timetable-aware travellers (min).
    fare : float
        Average fare paid per trip (season tickets lower it below the single fare)
        (EUR/trip).
    line_catchment_m : float
        Walk distance from a new PT line within which a cell (by its centre) counts as
        served (m).
    trips_per_pass : float
        Public transport trips a pass holder makes in a month (a city's monthly pass into an
        average fare per trip; used by the city builder).
    """

    access_min_m: float
    access_max_m: float
    access_density_scale: float
    headway_min: float
    headway_max: float
    headway_density_scale: float
    wait_cap: float
    fare: float
    line_catchment_m: float
    trips_per_pass: float


@dataclass(frozen=True)
class Car:
    """``car.*`` parameters.

    Attributes
    ----------
    cost_per_km_ice : float
        Perceived fuel cost of a combustion car (about 7 l/100 km at 1.75 EUR/l) (EUR/vkm).
    cost_per_km_ev : float
        Perceived electricity cost of a battery-electric car (0.18 kWh/km at about 0.28
        EUR/kWh) (EUR/vkm).
    occupancy : float
        Average car occupancy (pkm per vkm) (persons/vehicle).
    ownership_default : float
        City car ownership when the city file gives none (cars/person).
    ownership_density_scale : float
        Car ownership per cell falls as 1/(1+density/scale); rescaled so the population-
        weighted mean equals the city value (inh/km2).
    availability_per_car : float
        Persons who can use a household car per car owned (persons/car).
    availability_max : float
        Upper bound on the car-available share of a cell's residents.
    fuel_l_per_km : float
        Fuel use of an average combustion car (converts a fuel price change into cost per
        km) (l/vkm).
    """

    cost_per_km_ice: float
    cost_per_km_ev: float
    occupancy: float
    ownership_default: float
    ownership_density_scale: float
    availability_per_car: float
    availability_max: float
    fuel_l_per_km: float


@dataclass(frozen=True)
class Parking:
    """``parking.*`` parameters.

    Attributes
    ----------
    max_eur_per_h : float
        On-street parking price in the densest cells (EUR/h).
    density_start : float
        Density below which parking is free (inh/km2).
    density_full : float
        Density at which parking reaches max_eur_per_h (inh/km2).
    search_max_min : float
        Parking search and walk time in the densest cells (scales like the price) (min).
    dwell_h : PerPurpose
        By purpose (h).
    paid_share : PerPurpose
        By purpose (-).
    """

    max_eur_per_h: float
    density_start: float
    density_full: float
    search_max_min: float
    dwell_h: PerPurpose
    paid_share: PerPurpose


@dataclass(frozen=True)
class Size:
    """``size.*`` parameters.

    Attributes
    ----------
    other_pop_weight : float
        Weight of residents relative to jobs in the size term of non-commute destinations.
    """

    other_pop_weight: float


@dataclass(frozen=True)
class Destination:
    """``destination.*`` parameters.

    Attributes
    ----------
    scale : PerPurpose
        By purpose (-).
    distance : PerPurpose
        Utility per network km beside the logsum, by purpose (1/km; 0: none).
    """

    scale: PerPurpose
    distance: PerPurpose


@dataclass(frozen=True)
class Utility:
    """``utility.*`` parameters.

    Attributes
    ----------
    time : PerMode
        By mode (1/min).
    ovt : float
        Marginal utility of out-of-vehicle time (PT access and egress walk; parking search)
        (1/min).
    wait : float
        Marginal utility of the expected PT wait at the stop (half the headway up to
        pt.wait_cap) (1/min).
    cost : PerPurpose
        By purpose (1/EUR).
    bike_infra_time_saving : float
        Share of the disutility of bike and e-bike time saved on fully protected cycle
        infrastructure (-).
    asc : PerMode
        By mode (-).
    """

    time: PerMode
    ovt: float
    wait: float
    cost: PerPurpose
    bike_infra_time_saving: float
    asc: PerMode


@dataclass(frozen=True)
class Nest:
    """``nest.*`` parameters: the nests of the mode choice (a nested logit).

    Attributes
    ----------
    member : PerMode
        Number of the nest (1, 2 or 3) each mode belongs to (-).
    scale_1, scale_2, scale_3 : float
        Scale (dissimilarity) parameter of each nest, in (0, 1]; 1 for every nest gives the
        multinomial logit (-).
    """

    member: PerMode
    scale_1: float
    scale_2: float
    scale_3: float

    def structure(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the kernel's ``(nest, nest_scale)``: 0-based nest per model mode, scales."""
        member = np.array([int(self.member.of_mode(m)) - 1 for m in range(len(MODES))],
                          dtype=np.int64)
        return member, np.array([self.scale_1, self.scale_2, self.scale_3])


@dataclass(frozen=True)
class Ebike:
    """``ebike.*`` parameters.

    Attributes
    ----------
    availability : float
        Share of residents with an e-bike at hand.
    subsidy_additionality : float
        Share of subsidised e-bike purchases that would not have happened without the
        subsidy.
    users_per_bike : float
        Residents who have an e-bike at hand per e-bike added (persons/e-bike).
    """

    availability: float
    subsidy_additionality: float
    users_per_bike: float


@dataclass(frozen=True)
class Bike:
    """``bike.*`` parameters.

    Attributes
    ----------
    infra_default_max : float
        Default share of streets with protected cycle infrastructure in the densest cells
        (scales with density).
    infra_density_scale : float
        Density scale of the cycle-infrastructure default (inh/km2).
    """

    infra_default_max: float
    infra_density_scale: float


@dataclass(frozen=True)
class Annual:
    """``annual.*`` parameters.

    Attributes
    ----------
    days_per_year : float
        Annualisation of average-day trips (days/year).
    """

    days_per_year: float


@dataclass(frozen=True)
class External:
    """``external.*`` parameters: the zones outside the modelled area (``model/external.py``).

    Attributes
    ----------
    enabled : float
        1 to model trips across the grid's edge through external zones, 0 for a closed grid.
    sectors : float
        Number of external zones, one per compass sector around the grid's centre.
    car_speed : float
        Car speed at an external zone (km/h): a trip's time uses the harmonic mean of its two
        ends' speeds.
    pt_speed : float
        Public transport in-vehicle speed at an external zone (km/h).
    pt_access_min : float
        Walk minutes to and from the stop at an external zone.
    pt_headway_min : float
        Headway of public transport at an external zone (minutes).
    outside_population_ratio : float
        Residents of the functional urban area outside the grid per resident of the grid, for
        a city without a published figure.
    beyond_km : float
        Straight-line km from the grid's edge to an external zone, for a city without a
        published functional-urban-area size.
    entering_share : float
        Share of the outside residents' trips that enter the modelled area, for a city without
        published commuting figures.
    out_commute_share : float
        Share of the grid residents' commute trips that leave the modelled area, for a city
        without published commuting figures.
    other_entering_ratio : float
        The outside residents' other (non-commute) trips that enter the modelled area, as a
        multiple of the share of their commute trips that do.
    """

    enabled: float
    sectors: float
    car_speed: float
    pt_speed: float
    pt_access_min: float
    pt_headway_min: float
    outside_population_ratio: float
    beyond_km: float
    entering_share: float
    out_commute_share: float
    other_entering_ratio: float


@dataclass(frozen=True)
class Freight:
    """``freight.*`` parameters: vans and lorries (``fleet/freight.py``).

    Attributes
    ----------
    van_turnover, lorry_turnover : float
        Share of each class's stock replaced each year (1 / average age).
    growth_per_year : float
        Yearly growth of van and lorry traffic.
    """

    van_turnover: float
    lorry_turnover: float
    growth_per_year: float


@dataclass(frozen=True)
class Through:
    """``through.*`` parameters: traffic crossing the grid without stopping (``accounts.py``).

    Attributes
    ----------
    share_of_crossing_trips : float
        Through vehicles per car trip crossing the grid's edge.
    """

    share_of_crossing_trips: float


@dataclass(frozen=True)
class Traffic:
    """``traffic.*`` parameters: speeds that follow road traffic (``model/traffic.py``).

    Attributes
    ----------
    feedback : float
        1: car and bus speeds follow the year's road traffic; 0: fixed speeds.
    district_km : float
        Side of the square traffic districts (km).
    max_districts : float
        Most traffic districts of a city.
    bpr_alpha, bpr_beta : float
        Parameters of the BPR volume-delay function.
    peak_hours, peak_share : float
        Hours of the two peaks together and their share of the day's traffic.
    night_hours, night_share : float
        Night hours and their share of the day's traffic.
    street_km_per_km2 : float
        Street length per km2 of a cell without an OpenStreetMap layer.
    lanes_per_street : float
        Car lanes of an average street (both directions).
    congestion_default : float
        Extra travel time over free flow of a city without a published congestion level.
    lorry_pcu : float
        Passenger-car units of a lorry.
    tolerance : float
        Largest relative change of a speed ratio at which the iteration stops.
    max_iterations : float
        Most kernel runs per year.
    relaxation : float
        Weight of the new speed ratio in each iteration.
    """

    feedback: float
    district_km: float
    max_districts: float
    bpr_alpha: float
    bpr_beta: float
    peak_hours: float
    peak_share: float
    night_hours: float
    night_share: float
    street_km_per_km2: float
    lanes_per_street: float
    congestion_default: float
    lorry_pcu: float
    tolerance: float
    max_iterations: float
    relaxation: float


@dataclass(frozen=True)
class Vot:
    """``vot.*`` parameters: values of time across countries (``reference/country.py``).

    Attributes
    ----------
    income_elasticity : float
        Elasticity of the value of time with respect to income per head.
    income_growth_default : float
        Real income growth per head and year for a country without a published projection.
    """

    income_elasticity: float
    income_growth_default: float


@dataclass(frozen=True)
class Telework:
    """``telework.*`` parameters: what teleworkers do with the day (``model/inputs.py``).

    Attributes
    ----------
    rebound_trips : float
        Non-commute trips added per commute trip telework removes.
    """

    rebound_trips: float


@dataclass(frozen=True)
class CostDamping:
    """``cost_damping.*`` parameters: money weighs less on longer trips (``kernels/spec.py``).

    Attributes
    ----------
    exponent : float
        Elasticity of the cost coefficient with respect to trip distance, in (-1, 0].
    ref_km : float
        Network distance at which the cost coefficient is ``utility.cost`` (km).
    """

    exponent: float
    ref_km: float


@dataclass(frozen=True)
class Frequency:
    """``frequency.*`` parameters: trips made or not made (``model/frequency.py``).

    Attributes
    ----------
    logsum_coef : float
        Change of the log of non-commute trips per unit change of the non-commute logsum.
    """

    logsum_coef: float


@dataclass(frozen=True)
class Income:
    """``income.*`` parameters: how income groups differ (``model/income.py``).

    Attributes
    ----------
    vot_elasticity : float
        Cross-sectional elasticity of the value of time with respect to income.
    car_log_odds_low, car_log_odds_high : float
        Log-odds of car availability of the poorest and richest groups minus all households'.
    """

    vot_elasticity: float
    car_log_odds_low: float
    car_log_odds_high: float


@dataclass(frozen=True)
class Ownership:
    """``ownership.*`` parameters: how car availability responds (``model/ownership.py``).

    Attributes
    ----------
    response : float
        1: the response is on; 0: the base year's car availability is held.
    logsum_coef_car, logsum_coef_no_car : float
        Coefficients of the non-commute destination-choice logsums of residents with and
        without a car in the utilities of having a car and of having none.
    carry_over : float
        Share of the gap to the long-run car-available log-odds that remains after a year.
    """

    response: float
    logsum_coef_car: float
    logsum_coef_no_car: float
    carry_over: float


@dataclass(frozen=True)
class Balancing:
    """``balancing.*`` parameters.

    Attributes
    ----------
    tolerance : float
        Largest relative error of destination totals accepted by doubly constrained
        balancing.
    max_iterations : int
        Most balancing (Furness) iterations per year.
    """

    tolerance: float
    max_iterations: int


@dataclass(frozen=True)
class SpeedLimit:
    """``speed_limit.*`` parameters.

    Attributes
    ----------
    travel_speed_ratio : float
        Average car travel speed on streets under a speed limit as a share of the posted
        limit (junctions; crossings; other traffic).
    minor_street_share : float
        Share of a city's street length that is minor streets.
    minor_traffic_share : float
        Share of a city's car-km driven on its minor streets.
    """

    travel_speed_ratio: float
    minor_street_share: float
    minor_traffic_share: float

    def traffic_share(self, street_share: np.ndarray) -> np.ndarray:
        """Share of car-km on the streets under a limit covering ``street_share`` of them.

        A limit covers the minor streets first: up to ``minor_street_share`` of the length
        it covers car-km in proportion to the minor streets' ``minor_traffic_share``; beyond,
        the main roads, in proportion to the rest.
        """
        s = np.clip(np.asarray(street_share, dtype=float), 0.0, 1.0)
        lm, vm = self.minor_street_share, self.minor_traffic_share
        minor = s * vm / lm if lm > 0 else np.zeros_like(s)
        main = vm + (s - lm) * (1.0 - vm) / (1.0 - lm) if lm < 1 else np.ones_like(s)
        return np.where(s <= lm, minor, main)


@dataclass(frozen=True)
class PowertrainGain:
    """Yearly efficiency gain of new vehicles by powertrain group.

    Attributes
    ----------
    ice, bev : float
        Combustion and battery-electric (1/year).
    """

    ice: float
    bev: float


@dataclass(frozen=True)
class VehicleSurvival:
    """Survival curve of a vehicle class (Weibull).

    Attributes
    ----------
    mean_lifetime_years : float
        Mean lifetime (years).
    weibull_shape : float
        Shape of the Weibull survival curve.
    max_age : float
        Age at which every vehicle is retired (years).
    """

    mean_lifetime_years: float
    weibull_shape: float
    max_age: float


@dataclass(frozen=True)
class CarFleet(VehicleSurvival):
    """``fleet.car.*`` parameters (and the survival curve of cars).

    Attributes
    ----------
    stock_growth : float
        Yearly growth of the car stock (1/year).
    efficiency_gain : PowertrainGain
        Yearly efficiency gain of new cars (1/year).
    annual_km : float
        Distance a car is driven in a year (km/car/year).
    """

    stock_growth: float
    efficiency_gain: PowertrainGain
    annual_km: float


@dataclass(frozen=True)
class BusFleet(VehicleSurvival):
    """``fleet.bus.*`` parameters (and the survival curve of buses).

    Attributes
    ----------
    annual_km : float
        Kilometres a bus runs per year (km/bus/year).
    efficiency_gain : float
        Yearly efficiency gain of new buses (1/year).
    engine_kwh_per_km : float
        Energy of a bus engine per vehicle-km (kWh/vkm).
    """

    annual_km: float
    efficiency_gain: float
    engine_kwh_per_km: float


@dataclass(frozen=True)
class Sumi:
    """``sumi.*`` parameters of the SUMP indicators (``mobility_sim.indicators``).

    Attributes
    ----------
    access_stop_m : float
        A resident has access to mobility services when the cell's stop is within this distance
        ...
    access_headway_min : float
        ... and has a departure at least this often.
    mj_per_litre : float
        Energy content of the passenger vehicles' petrol and diesel.
    mj_per_kg_cng : float
        Energy content of compressed natural gas.
    """

    access_stop_m: float
    access_headway_min: float
    mj_per_litre: float
    mj_per_kg_cng: float


@dataclass(frozen=True)
class Lez:
    """``fleet.lez.*`` parameters.

    Attributes
    ----------
    replacement_share : float
        Share of the cars a low-emission zone bars that are replaced by new cars at once.
    """

    replacement_share: float


@dataclass(frozen=True)
class Purchase:
    """``fleet.purchase.*`` parameters: how prices shift the new-car mix (``fleet/purchase.py``).

    Attributes
    ----------
    coef_per_keur : float
        Change of the log-odds of a battery-electric new car per 1,000 EUR of its advantage.
    years_valued : float
        Years of running-cost savings counted as purchase price.
    """

    coef_per_keur: float
    years_valued: float


@dataclass(frozen=True)
class Fleet:
    """``fleet.*`` parameters: the vintage stock model (``fleet_parameters.csv``).

    Attributes
    ----------
    car : CarFleet
    bus : BusFleet
    lez : Lez
    purchase : Purchase
    """

    car: CarFleet
    bus: BusFleet
    lez: Lez
    purchase: Purchase


@dataclass(frozen=True)
class PtSupply:
    """``pt_supply.*`` parameters: PT service vehicle-km from headways (``fleet_parameters.csv``).

    Attributes
    ----------
    hours_per_day : float
        Service hours per day (h/day).
    lines_per_cell : float
        Lines crossing each cell (lines).
    share_tram, share_metro : float
        Shares of service vehicle-km run by tram and metro (buses run the rest).
    """

    hours_per_day: float
    lines_per_cell: float
    share_tram: float
    share_metro: float


@dataclass(frozen=True)
class Emissions:
    """``emissions.*`` parameters (``fleet_parameters.csv``).

    Attributes
    ----------
    pt_supply_based : float
        1: PT emissions follow service vehicle-km; 0: passenger-km.
    ambient_temperature_default_c : float
        Annual mean air temperature of a city without a climate normal (degC).
    """

    pt_supply_based: float
    ambient_temperature_default_c: float


@dataclass(frozen=True)
class HealthMode:
    """WHO HEAT inputs of walking or cycling (``health_parameters.csv``).

    Attributes
    ----------
    relative_risk : float
        All-cause mortality relative risk at the reference volume.
    reference_min_per_week : float
        Reference volume (min/week).
    cap : float
        Largest risk reduction counted.
    population_share : float
        Share of the population the benefit applies to (the HEAT age range).
    mortality_rate : float
        Crude death rate of that population (deaths/person/year).
    """

    relative_risk: float
    reference_min_per_week: float
    cap: float
    population_share: float
    mortality_rate: float


@dataclass(frozen=True)
class Health:
    """``health.*`` parameters (``health_parameters.csv``).

    Attributes
    ----------
    walk, bike : HealthMode
    value_of_statistical_life_eur : float
        Value of a statistical life (EUR).
    ebike_weight : float
        Weight of e-bike minutes as cycling minutes.
    """

    walk: HealthMode
    bike: HealthMode
    value_of_statistical_life_eur: float
    ebike_weight: float


@dataclass(frozen=True)
class ModelParameters:
    """The demand model's parameters of one run, by group (see the module docstring).

    Attributes
    ----------
    geometry, speed, pt, car, parking, size, destination, utility, nest, ebike, bike, annual,
    balancing, speed_limit, external, freight, through, vot, income, ownership, traffic, sumi,
    telework, frequency, cost_damping
        The groups of ``parameters.csv``.
    fleet, pt_supply, emissions, health
        The groups of ``fleet_parameters.csv`` and ``health_parameters.csv``.
    trip_rate : PerPurpose
        Trips per person and day, by purpose.
    """

    geometry: Geometry
    speed: Speed
    pt: Pt
    car: Car
    parking: Parking
    trip_rate: PerPurpose
    size: Size
    destination: Destination
    utility: Utility
    nest: Nest
    ebike: Ebike
    bike: Bike
    annual: Annual
    balancing: Balancing
    speed_limit: SpeedLimit
    external: External
    freight: Freight
    through: Through
    vot: Vot
    income: Income
    ownership: Ownership
    traffic: Traffic
    sumi: Sumi
    telework: Telework
    frequency: Frequency
    cost_damping: CostDamping
    fleet: Fleet
    pt_supply: PtSupply
    emissions: Emissions
    health: Health

    @classmethod
    def of(cls, values: Mapping[str, float]) -> ModelParameters:
        """Read a run's parameter values (by key) into the typed object.

        Raises
        ------
        KeyError
            If a key of ``parameters.csv`` is missing from ``values``.
        """
        typed = getattr(values, "typed", None)  # a run's Parameters keep theirs, built once
        if isinstance(typed, cls):
            return typed
        return _build(cls, values, "")

    @classmethod
    def keys(cls) -> list[str]:
        """Return every parameter key the object reads, in field order."""
        return _keys(cls, "")


@cache
def _fields(cls: type) -> list[tuple[str, Any]]:
    hints = typing.get_type_hints(cls)
    return [(f.name, hints[f.name]) for f in dataclasses.fields(cls)]


def _build(cls: type, values: Mapping[str, float], prefix: str) -> Any:
    kwargs: dict[str, Any] = {}
    for name, kind in _fields(cls):
        key = f"{prefix}{name}"
        if dataclasses.is_dataclass(kind):
            kwargs[name] = _build(kind, values, key + ".")
        else:
            kwargs[name] = kind(values[key])
    return cls(**kwargs)


def _keys(cls: type, prefix: str) -> list[str]:
    out: list[str] = []
    for name, kind in _fields(cls):
        key = f"{prefix}{name}"
        out += _keys(kind, key + ".") if dataclasses.is_dataclass(kind) else [key]
    return out
