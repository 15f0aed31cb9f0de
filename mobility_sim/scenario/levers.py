"""Measures -> the value of each lever in each year.

A measure's *intensity* in a year runs from 0 (before ``start``) to 1 (from ``end`` on) along its
profile; a lever's value is its baseline moved towards the measure's target by the intensity.

Levers that need a baseline the scenario does not know (a city's parking prices, the fare in
``parameters.csv``, the country's grid intensity) are stored as *adjustments* that the model
applies to its baseline: :class:`Adjust` for one city-wide number, :class:`CellRamp` for a
per-cell layer. With no measure every lever is neutral, and a measure at intensity 0 leaves it
neutral.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Literal, Protocol

import numpy as np

from ..fleet.tables import BUS_POWERTRAINS, shares


class Measure(Protocol):
    """What the lever builder needs of a measure (:class:`.base.MeasureBase` has it)."""

    start: int
    profile: str

    @property
    def full_year(self) -> int:
        """The year the measure reaches full intensity."""

    @property
    def display_label(self) -> str:
        """The measure's label."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Apply the measure at intensity ``level`` to the cells ``mask`` of ``levers``."""

#: ``lez_min_euro`` value of a zero-emission zone: above every Euro class, so no combustion car
#: is allowed.
ZERO_EMISSION_EURO = 99


def intensity(measure: Measure, year: int) -> float:
    """Return how far ``measure`` has taken effect in ``year``, in [0, 1].

    ``step`` is 1 from ``start``; ``linear`` rises evenly from 0 in ``start`` to 1 in ``end``;
    ``s-curve`` follows the smoothstep ``3t^2 - 2t^3`` of the same ``t``. A measure with an
    ``until`` year (a purchase subsidy's last year) is 0 after it.
    """
    until = getattr(measure, "until", None)
    if year < measure.start or (until is not None and year > until):
        return 0.0
    end = measure.full_year
    if measure.profile == "step" or year >= end:
        return 1.0
    t = (year - measure.start) / (end - measure.start)
    if measure.profile == "linear":
        return t
    return t * t * (3.0 - 2.0 * t)


@dataclass(frozen=True)
class Adjust:
    """A lever on one city-wide number: ``value = scale * baseline + add``.

    Attributes
    ----------
    scale : float
        Multiplier of the baseline.
    add : float
        Amount added, in the number's unit.
    """

    scale: float = 1.0
    add: float = 0.0

    def apply(self, baseline: float) -> float:
        """Return the value of the number given its ``baseline``."""
        return self.scale * baseline + self.add

    def toward(self, level: float, target_scale: float, target_add: float) -> Adjust:
        """Move the current value towards ``target_scale * baseline + target_add`` by ``level``.

        ``value' = value + level * (target - value)``, where ``value`` is this adjustment
        applied to the baseline; the result is again an :class:`Adjust`.
        """
        k = 1.0 + level * (target_scale - 1.0)
        return Adjust(scale=self.scale * k, add=self.add * k + level * target_add)

    @property
    def is_neutral(self) -> bool:
        """True when the value equals the baseline."""
        return self.scale == 1.0 and self.add == 0.0


@dataclass(frozen=True)
class CellRamp:
    """A per-cell lever: each cell moves from its baseline towards ``target`` by ``level``.

    Attributes
    ----------
    target : ndarray, shape (N,)
        Target value per cell; NaN where no measure acts.
    level : ndarray, shape (N,)
        How far each cell has moved, in [0, 1] (0 where no measure acts).
    """

    target: np.ndarray
    level: np.ndarray

    def apply(self, baseline: np.ndarray, raise_only: bool = False) -> np.ndarray:
        """Return ``(1 - level) * baseline + level * target`` per cell (exact at 0 and 1).

        With ``raise_only`` the target never lowers a cell (cells already above it keep their
        value).
        """
        target = np.where(np.isnan(self.target), baseline, self.target)
        if raise_only:
            target = np.maximum(target, baseline)
        return (1.0 - self.level) * baseline + self.level * target


@dataclass(frozen=True)
class PtLineLever:
    """A new public transport line in one year (see ``pt_line`` in ``docs/measures.md``).

    Attributes
    ----------
    label : str
        The measure's label.
    wkt : str
        The line in the grid's CRS.
    stop_spacing_m, headway_min, speed_kmh : float
        Distance between stops, headway and commercial speed of the line.
    catchment_m : float or None
        Served cells lie within this distance of the line (None: ``pt.line_catchment_m``).
    vehicle : str
        ``bus``, ``tram``, ``metro`` or ``train`` (for the fleet model; demand treats all alike).
    level : float
        Intensity in this year.
    """

    label: str
    wkt: str
    stop_spacing_m: float
    headway_min: float
    speed_kmh: float
    catchment_m: float | None
    vehicle: str
    level: float


@dataclass(frozen=True)
class Densify:
    """Residents and jobs moved towards public transport in one year.

    Attributes
    ----------
    mask : ndarray of bool, shape (N,)
        Cells of the area (donors and receivers both lie in it).
    residents_share, jobs_share : float
        Share of the residents (jobs) of area cells farther than ``distance_m`` from a stop that
        live (work) in area cells within ``distance_m`` instead (intensity included).
    distance_m : float
        Walk distance to a stop that counts as near.
    """

    mask: np.ndarray
    residents_share: float
    jobs_share: float
    distance_m: float


@dataclass(frozen=True)
class AreaAmount:
    """An amount spread over the residents of an area (e.g. subsidised e-bikes)."""

    mask: np.ndarray
    """Cells of the area."""
    amount: float
    """The amount in this year (intensity included)."""


@dataclass(frozen=True)
class YearLevers:
    """Lever values of one year. Every field added after the foundation has a neutral default.

    Attributes
    ----------
    year : int
        The year.
    bev_sales_share : float
        Battery-electric share of new car sales.
    headway_factor : ndarray, shape (N,)
        Multiplier of each cell's PT headway.
    active : dict of str to float
        Intensity of each measure (by its label) in this year.
    bus_bev_sales_share : float or None
        Battery-electric share of new city buses (None: no bus measure, the fleet model's
        baseline sales mix).
    grid_intensity_factor : float
        Multiplier of the country's published grid carbon intensity (gCO2e/kWh).
    lez_min_euro : dict of str to int, or None
        Lowest Euro class allowed in low-emission zones in force, per fuel (``petrol``,
        ``diesel``); :data:`ZERO_EMISSION_EURO` bars every combustion car. None: no zone.
    lez_affected_share : float
        Share of the city's cars that enter the zones, times the zones' intensity (0-1).
    lez_compliance : float
        Share of affected owners who comply with the zones' rules (0-1).
    pt_fare : Adjust
        Average PT fare per trip, EUR: ``pt_fare.apply(mp.pt.fare)``, floored at 0.
    car_occupancy : Adjust
        Persons per car: ``car_occupancy.apply(mp.car.occupancy)`` (``mp``: the run's
        :class:`~mobility_sim.data.typed_parameters.ModelParameters`).
    commute_trip_factor : float
        Multiplier of the commute trip rate (telework).
    fuel_price_change_eur_per_l : float
        EUR per litre added to the price of petrol and diesel.
    carbon_price_eur_per_t : float
        EUR per tonne of tank-to-wheel CO2 charged on car fuels.
    bev_purchase_subsidy_eur : float
        EUR paid to the buyer of a new battery-electric car (``ev_purchase_subsidy``).
    cordon : ndarray of bool, shape (N,), or None
        Cells inside the charging cordon (None: no cordon).
    cordon_charge_eur, cordon_charge_ev_eur : float
        Charge per combustion (battery-electric) car trip crossing the cordon's boundary in
        either direction, EUR (a round trip across it is two such trips).
    cordon_resident_factor : float
        Share of the charge paid on the trips of the cordon's residents out of it (1 - the
        scheme's residents' discount).
    ice_dest_avail : ndarray, shape (N,), or None
        Multiplier of the availability of combustion cars for trips ending in each cell (zone
        bans).
    ice_dest_charge_eur : ndarray, shape (N,), or None
        EUR per combustion-car trip ending in each cell (zone charges).
    zone_residents : ndarray of bool, shape (N,), or None
        Cells whose residents low-emission zones spare (a residents' exemption or discount;
        None: none). Their trips meet ``resident_ice_dest_avail`` and
        ``resident_ice_dest_charge_eur`` instead of the two above: every zone in force, each
        at its residents' share of its rule (residents of one sparing zone are spared by the
        others that spare theirs too).
    resident_ice_dest_avail, resident_ice_dest_charge_eur : ndarray, shape (N,), or None
        As ``ice_dest_avail`` and ``ice_dest_charge_eur``, for the trips of ``zone_residents``.
    parking : CellRamp or None
        Parking price, EUR/h, per destination cell.
    bike_infra : CellRamp or None
        Share of streets with protected cycle infrastructure (applied raise-only).
    speed_limit : CellRamp or None
        ``target``: posted limit, km/h; ``level``: share of the cell's street length under it
        (intensity included).
    ebike_subsidised : tuple of AreaAmount
        E-bikes bought with a subsidy so far, per area.
    shared_ebike_coverage : ndarray, shape (N,), or None
        Share of residents within reach of a shared (e-)bike that the model counts as an
        e-bike at hand (coverage x electric share x intensity).
    car_sharing_coverage : ndarray, shape (N,), or None
        Share of residents without a car who can use a shared car.
    car_sharing_ev_share : float or None
        Battery-electric share of the shared cars (None: the fleet's share).
    car_shedding : ndarray, shape (N,), or None
        Share of car-available residents who give up their car (move to the no-car segment).
    densify : tuple of Densify
        Residents and jobs moved towards public transport stops.
    pt_lines : tuple of PtLineLever
        New public transport lines (level may be 0 before they open).
    van_bev_sales_share : (float, float) or None
        Target zero-emission share of new vans and its intensity: the year's share is the
        reference case's moved towards the target, never below it (None: the reference
        case's).
    cargo_bike : ndarray, shape (N,), or None
        Share of each cell's van-km moved to cargo bikes.
    consolidation : ndarray, shape (N,), or None
        Share of each cell's van and lorry km removed by consolidation centres.
    freight_zero_emission : ndarray, shape (N,), or None
        Share of each cell's diesel van and lorry km driven by zero-emission vehicles
        (zero-emission zones, compliance included).
    delivery_off_peak : ndarray, shape (N,), or None
        Share of each cell's van and lorry km of the peak hours moved to the day hours
        (``delivery_window``).
    delivery_night : ndarray, shape (N,), or None
        Share of each cell's van and lorry km of the daytime (peak and day hours) moved into
        the night hours (``delivery_window``).
    road_capacity_cut : ndarray, shape (N,), or None
        Share of each cell's car lane capacity given to other uses (``road_space``).
    bus_lane : ndarray, shape (N,), or None
        Share of each cell's bus routes on lanes of their own (``road_space``).
    """

    year: int
    bev_sales_share: float
    headway_factor: np.ndarray
    active: dict[str, float]
    bus_bev_sales_share: float | None = None
    grid_intensity_factor: float = 1.0
    lez_min_euro: dict[str, int] | None = None
    lez_affected_share: float = 0.0
    lez_compliance: float = 1.0
    pt_fare: Adjust = Adjust()
    car_occupancy: Adjust = Adjust()
    commute_trip_factor: float = 1.0
    fuel_price_change_eur_per_l: float = 0.0
    carbon_price_eur_per_t: float = 0.0
    bev_purchase_subsidy_eur: float = 0.0
    cordon: np.ndarray | None = None
    cordon_charge_eur: float = 0.0
    cordon_charge_ev_eur: float = 0.0
    cordon_resident_factor: float = 1.0
    ice_dest_avail: np.ndarray | None = None
    ice_dest_charge_eur: np.ndarray | None = None
    zone_residents: np.ndarray | None = None
    resident_ice_dest_avail: np.ndarray | None = None
    resident_ice_dest_charge_eur: np.ndarray | None = None
    parking: CellRamp | None = None
    bike_infra: CellRamp | None = None
    speed_limit: CellRamp | None = None
    ebike_subsidised: tuple[AreaAmount, ...] = ()
    shared_ebike_coverage: np.ndarray | None = None
    car_sharing_coverage: np.ndarray | None = None
    car_sharing_ev_share: float | None = None
    car_shedding: np.ndarray | None = None
    densify: tuple[Densify, ...] = ()
    pt_lines: tuple[PtLineLever, ...] = ()
    van_bev_sales_share: tuple[float, float] | None = None
    cargo_bike: np.ndarray | None = None
    consolidation: np.ndarray | None = None
    freight_zero_emission: np.ndarray | None = None
    delivery_off_peak: np.ndarray | None = None
    delivery_night: np.ndarray | None = None
    road_capacity_cut: np.ndarray | None = None
    bus_lane: np.ndarray | None = None


#: Per-cell levers a measure can create on first use (:meth:`LeverBuilder.cells`).
CellLever = Literal["cordon", "ice_dest_avail", "ice_dest_charge_eur", "resident_ice_dest_avail",
                    "resident_ice_dest_charge_eur", "shared_ebike_coverage",
                    "car_sharing_coverage", "car_shedding", "cargo_bike", "consolidation",
                    "freight_zero_emission", "delivery_off_peak", "delivery_night",
                    "road_capacity_cut", "bus_lane"]
#: Per-cell levers that move each cell towards a target (:meth:`LeverBuilder.ramp`).
RampLever = Literal["parking", "bike_infra", "speed_limit"]


@dataclass
class LeverBuilder:
    """Mutable lever values while the measures of one year are applied (see :func:`year_levers`).

    The fields are those of :class:`YearLevers` (see there), each at its reference-case value
    (the policies already decided: new-car sales, the ETS2 carbon price) or its neutral value
    until a measure changes it; ``reference_grid_gco2e`` is the year's grid intensity in the
    reference case (gCO2e/kWh; None: not known), which grid measures start from. Measures set
    the scalar fields directly; per-cell arrays are created on first use (:meth:`cells`,
    :meth:`ramp`) so that untouched levers stay ``None`` (neutral). ``cordon`` holds 1.0 in the
    cordon's cells while building and becomes a boolean mask in :meth:`freeze`.
    """

    n_cells: int
    bev_sales_share: float
    baseline_bus_bev_sales: float | None = None
    reference_grid_gco2e: float | None = None
    headway_factor: np.ndarray = field(init=False)
    bus_bev_sales_share: float | None = None
    grid_intensity_factor: float = 1.0
    lez_min_euro: dict[str, int] | None = None
    lez_affected_share: float = 0.0
    lez_compliance: float = 1.0
    pt_fare: Adjust = Adjust()
    car_occupancy: Adjust = Adjust()
    commute_trip_factor: float = 1.0
    fuel_price_change_eur_per_l: float = 0.0
    carbon_price_eur_per_t: float = 0.0
    bev_purchase_subsidy_eur: float = 0.0
    cordon: np.ndarray | None = None
    cordon_charge_eur: float = 0.0
    cordon_charge_ev_eur: float = 0.0
    cordon_resident_factor: float = 1.0
    ice_dest_avail: np.ndarray | None = None
    ice_dest_charge_eur: np.ndarray | None = None
    zone_residents: np.ndarray | None = None
    resident_ice_dest_avail: np.ndarray | None = None
    resident_ice_dest_charge_eur: np.ndarray | None = None
    parking: CellRamp | None = None
    bike_infra: CellRamp | None = None
    speed_limit: CellRamp | None = None
    ebike_subsidised: tuple[AreaAmount, ...] = ()
    shared_ebike_coverage: np.ndarray | None = None
    car_sharing_coverage: np.ndarray | None = None
    car_sharing_ev_share: float | None = None
    car_shedding: np.ndarray | None = None
    densify: tuple[Densify, ...] = ()
    pt_lines: tuple[PtLineLever, ...] = ()
    van_bev_sales_share: tuple[float, float] | None = None
    cargo_bike: np.ndarray | None = None
    consolidation: np.ndarray | None = None
    freight_zero_emission: np.ndarray | None = None
    delivery_off_peak: np.ndarray | None = None
    delivery_night: np.ndarray | None = None
    road_capacity_cut: np.ndarray | None = None
    bus_lane: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.headway_factor = np.ones(self.n_cells)

    def bus_baseline(self) -> float:
        """Battery-electric share of new buses without a measure (packaged default if not given).

        Raises
        ------
        ValueError
            If no baseline was given and ``fleet_defaults.csv`` has no ``bus_sales_2023`` rows.
        """
        if self.baseline_bus_bev_sales is None:
            try:
                self.baseline_bus_bev_sales = shares("bus_sales_2023", BUS_POWERTRAINS)["bev"]
            except KeyError:
                raise ValueError("no baseline bus sales mix: pass baseline_bus_bev_sales to "
                                 "year_levers or add bus_sales_2023 rows to fleet_defaults.csv"
                                 ) from None
        return self.baseline_bus_bev_sales

    def cells(self, name: CellLever, fill: float) -> np.ndarray:
        """Return the per-cell array ``name``, created with ``fill`` on first use."""
        values = getattr(self, name)
        if values is None:
            values = np.full(self.n_cells, fill, dtype=float)
            setattr(self, name, values)
        return values

    def spare_residents(self, mask: np.ndarray) -> None:
        """Spare the residents of ``mask`` (a zone's cells) from zone rules, as far as they do.

        The first time, their levers start as everyone's (the zones applied so far); every
        zone then writes both (:class:`~mobility_sim.scenario.measures_car.LowEmissionZone`).
        """
        if self.zone_residents is None:
            self.zone_residents = np.zeros(self.n_cells, dtype=bool)
            for name in ("ice_dest_avail", "ice_dest_charge_eur"):
                values = getattr(self, name)
                setattr(self, f"resident_{name}", None if values is None else values.copy())
        self.zone_residents |= np.asarray(mask, dtype=bool)

    def ramp(self, name: RampLever, mask: np.ndarray, target: float, level: float) -> None:
        """Set the cells ``mask`` of the :class:`CellRamp` lever ``name`` to a target and level."""
        current: CellRamp | None = getattr(self, name)
        if current is None:
            current = CellRamp(target=np.full(self.n_cells, np.nan), level=np.zeros(self.n_cells))
            setattr(self, name, current)
        current.target[mask] = target
        current.level[mask] = level

    def freeze(self, year: int, active: dict[str, float]) -> YearLevers:
        """Return the immutable :class:`YearLevers`."""
        values = {item.name: getattr(self, item.name) for item in fields(YearLevers)
                  if item.name not in ("year", "active")}
        if self.cordon is not None:
            values["cordon"] = np.asarray(self.cordon) > 0
        return YearLevers(year=year, active=active, **values)


def year_levers(
    measures: Sequence[Measure],
    masks: Sequence[np.ndarray],
    year: int,
    n_cells: int,
    baseline_bev_sales: float,
    *,
    baseline_bus_bev_sales: float | None = None,
    baseline_carbon_price: float = 0.0,
    reference_grid_gco2e: float | None = None,
) -> YearLevers:
    """Apply every measure to the baseline lever values of ``year``.

    Parameters
    ----------
    measures : sequence of Measure
        The scenario's measures, in file order (later measures act on the result of earlier
        ones).
    masks : sequence of ndarray of bool
        Cells each measure applies to (for a new PT line: the cells it serves).
    year : int
        The year.
    n_cells : int
        Number of grid cells.
    baseline_bev_sales : float
        Battery-electric share of new car sales without any measure (the reference case's).
    baseline_bus_bev_sales : float, optional
        Same for new city buses (default: the packaged ``bus_sales_2023`` mix); used only when a
        bus measure is present.
    baseline_carbon_price : float
        Carbon price on road-fuel CO2 without any measure (the reference case's ETS2), EUR/t.
    reference_grid_gco2e : float, optional
        The year's grid intensity without any measure, gCO2e/kWh.
    """
    builder = LeverBuilder(n_cells=n_cells, bev_sales_share=baseline_bev_sales,
                           baseline_bus_bev_sales=baseline_bus_bev_sales,
                           reference_grid_gco2e=reference_grid_gco2e,
                           carbon_price_eur_per_t=baseline_carbon_price)
    active: dict[str, float] = {}
    for measure, mask in zip(measures, masks, strict=True):
        level = intensity(measure, year)
        active[measure.display_label] = level
        measure.contribute(builder, level, np.asarray(mask, dtype=bool))
    return builder.freeze(year, active)
