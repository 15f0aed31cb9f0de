"""The scenario schema (pydantic v2): strict, frozen, documented field by field.

A scenario names a ``city``, a span of ``years``, optionally one parent file it ``extends``, a
list of ``measures`` (each a typed lever in physical units with a time profile and an optional
area and cost), ``parameters`` (overrides of the packaged defaults) and a ``target``.

The measure catalogue lives in the ``measures_*`` modules, grouped by theme; this module joins
them into the tagged union :data:`Measure` and lists them in :data:`MEASURE_TYPES`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import Area, Cost, LineGeometry, MeasureBase, Profile, Strict, unit
from .measures_active import BikeSharing, CycleNetwork, EbikeSubsidy
from .measures_car import (
    CarOccupancy,
    CarSharing,
    CordonCharge,
    LowEmissionZone,
    ParkingPrice,
    RoadSpace,
    SpeedLimit,
)
from .measures_demand import Densification, Telework
from .measures_energy import (
    CarbonPrice,
    EvPurchaseSubsidy,
    EvSalesShare,
    FuelPrice,
    GridDecarbonisation,
)
from .measures_freight import CargoBikes, ConsolidationCentre, DeliveryWindow, ElectricVans
from .measures_pt import PtFare, PtFrequency, PtLine

__all__ = [
    "MEASURE_TYPES",
    "Area",
    "BikeSharing",
    "CarOccupancy",
    "CarSharing",
    "CarbonPrice",
    "CargoBikes",
    "ConsolidationCentre",
    "CordonCharge",
    "Cost",
    "CycleNetwork",
    "DeliveryWindow",
    "Densification",
    "EbikeSubsidy",
    "ElectricVans",
    "EvPurchaseSubsidy",
    "EvSalesShare",
    "FuelPrice",
    "GridDecarbonisation",
    "LineGeometry",
    "LowEmissionZone",
    "Measure",
    "MeasureBase",
    "ParkingPrice",
    "Profile",
    "PtFare",
    "PtFrequency",
    "PtLine",
    "ReferenceElements",
    "RoadSpace",
    "Scenario",
    "SpeedLimit",
    "Strict",
    "Target",
    "Telework",
    "Years",
]


class Years(Strict):
    """The simulated years: ``start`` to ``end`` inclusive, every ``step`` years."""

    start: int = Field(ge=2000, le=2100, json_schema_extra=unit("year"))
    """First simulated year (the base year of results)."""
    end: int = Field(ge=2000, le=2100, json_schema_extra=unit("year"))
    """Last simulated year, included."""
    step: int = Field(default=1, ge=1, le=10, json_schema_extra=unit("years"))
    """Years between simulated years."""

    @model_validator(mode="after")
    def _ordered(self) -> Years:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start}); swap them")
        return self

    def as_list(self) -> list[int]:
        """Return the simulated years; ``end`` is always included."""
        years = list(range(self.start, self.end + 1, self.step))
        if years[-1] != self.end:
            years.append(self.end)
        return years


#: Every measure type, in the order of the reference page.
_CATALOGUE: tuple[type[MeasureBase], ...] = (
    EvSalesShare, PtFrequency, PtLine, PtFare, CycleNetwork, EbikeSubsidy, BikeSharing,
    ParkingPrice, CordonCharge, LowEmissionZone, SpeedLimit, RoadSpace, Telework, Densification,
    CarSharing, CarOccupancy, GridDecarbonisation, FuelPrice, CarbonPrice, EvPurchaseSubsidy,
    ElectricVans, CargoBikes, ConsolidationCentre, DeliveryWindow,
)

Measure = Annotated[
    EvSalesShare | PtFrequency | PtLine | PtFare | CycleNetwork | EbikeSubsidy | BikeSharing
    | ParkingPrice | CordonCharge | LowEmissionZone | SpeedLimit | RoadSpace | Telework
    | Densification | CarSharing | CarOccupancy | GridDecarbonisation | FuelPrice | CarbonPrice
    | EvPurchaseSubsidy | ElectricVans | CargoBikes | ConsolidationCentre | DeliveryWindow,
    Field(discriminator="type"),
]

#: Measure type name -> model class.
MEASURE_TYPES: dict[str, type[MeasureBase]] = {cls.type_name(): cls for cls in _CATALOGUE}


class Target(Strict):
    """The city's emission target, as the city states it: a cut against a base year.

    The base year's emissions come from the city's published inventory (``inventory`` in
    ``city.yaml``) or, where there is none, from a backcast with the country's road-transport
    inventory; the results say which (``docs/reference_case.md``).
    """

    name: str = ""
    """What the target is, e.g. "EU -55 % by 2030" or "Climate City Contract 2030"."""
    kind: Literal["reduction", "mission_climate_neutrality"] = "reduction"
    """``reduction``: cut ``reduction`` by ``year`` against ``base_year``.
    ``mission_climate_neutrality``: the EU Mission's climate neutrality, a cut of
    1 - ``residual_share`` (the residual is offset)."""
    year: int = Field(ge=2000, le=2100, json_schema_extra=unit("year"))
    """Target year."""
    reduction: float | None = Field(default=None, gt=0, le=1,
                                    json_schema_extra=unit("share 0-1"))
    """Reduction of CO2 versus ``base_year``: 0.55 means -55 % (``kind: reduction``)."""
    residual_share: float = Field(default=0.2, ge=0, lt=1, json_schema_extra=unit("share 0-1"))
    """Share of base-year emissions left and offset under the Mission's climate neutrality
    (default 0.2: the Mission allows about 20 % residual emissions to be offset)."""
    base_year: int | None = Field(default=None, ge=1990, le=2100, json_schema_extra=unit("year"))
    """Year the reduction is measured against: 1990 for the EU's -55 %, or the base year of
    the city's Climate City Contract or SECAP (default: the first simulated year)."""
    metric: Literal["co2_wtw", "co2_ttw", "territorial_co2_wtw", "territorial_co2_ttw"] = (
        "co2_wtw")
    """Well-to-wheel or tank-to-wheel CO2 of the residents' trips and public transport (the
    model's main scope), or ``territorial_``: of all traffic on the grid's roads, as a Climate
    City Contract or SECAP inventory counts it (freight, visitors, through traffic included;
    docs/reconciliation.md)."""

    @model_validator(mode="after")
    def _complete(self) -> Target:
        if self.kind == "reduction" and self.reduction is None:
            raise ValueError("a target of kind 'reduction' needs 'reduction' (e.g. 0.55 for "
                             "-55 %); or use kind: mission_climate_neutrality")
        if self.kind == "mission_climate_neutrality" and self.reduction is not None:
            raise ValueError("kind 'mission_climate_neutrality' sets its own reduction "
                             "(1 - residual_share); remove 'reduction'")
        if self.base_year is not None and self.base_year > self.year:
            raise ValueError(f"base_year ({self.base_year}) is after the target year "
                             f"({self.year})")
        return self

    @property
    def cut(self) -> float:
        """The reduction against the base year (0-1)."""
        if self.kind == "mission_climate_neutrality":
            return 1.0 - self.residual_share
        return float(self.reduction or 0.0)

    @property
    def label(self) -> str:
        """The target's name, or one made from its values."""
        if self.name:
            return self.name
        if self.kind == "mission_climate_neutrality":
            return (f"climate neutrality {self.year} (EU Mission; "
                    f"{self.residual_share:.0%} residual)")
        return f"-{self.cut:.0%} by {self.year}"


class ReferenceElements(Strict):
    """Which elements of the reference case (policies already decided) apply; all by default.

    Switch one off to show what that EU or national policy contributes in the city (run the
    scenario with and without it). See ``docs/reference_case.md``.
    """

    car_co2_standards: bool = True
    """EU CO2 standards for new cars (UK: ZEV mandate) -> the new-car sales mix."""
    bus_zero_emission: bool = True
    """EU rules for new urban buses (90 % zero-emission from 2030, 100 % from 2035)."""
    grid_projection: bool = True
    """The country's projected grid carbon intensity (else the 2023 value held)."""
    ets2: bool = True
    """The EU ETS2 carbon price on road fuels (EU member states)."""
    vehicle_efficiency: bool = True
    """New vehicles more efficient than older ones."""
    freight_co2_standards: bool = True
    """EU CO2 standards for new vans and lorries (UK: van ZEV mandate) -> their sales mix."""


class Scenario(Strict):
    """One scenario file."""

    name: str = Field(min_length=1, max_length=120)
    """Short name, used for the output folder and in charts."""
    description: str = ""
    """What the scenario represents, in words."""
    city: str
    """City slug (``helsinki``) or path to a city folder, relative to this file."""
    years: Years
    """Simulated years."""
    extends: str | None = None
    """A parent scenario file (relative to this file) whose measures and parameters this one
    adds to. At most one parent; the parent may not extend another file."""
    measures: list[Measure] = Field(default_factory=list)
    """The measures, each a typed lever."""
    parameters: dict[str, float] = Field(default_factory=dict)
    """Overrides of default parameters by key (see ``mobility_sim/data/parameters.csv``)."""
    target: Target | None = None
    """The emission target, if any."""
    targets: list[Target] = Field(default_factory=list)
    """Further targets shown with the results (e.g. the Mission's 2030 climate neutrality
    beside the EU's -55 %)."""
    reference: ReferenceElements = Field(default_factory=ReferenceElements)
    """The reference case the measures act on (``docs/reference_case.md``); every element is
    on unless switched off here."""

    @property
    def all_targets(self) -> list[Target]:
        """``target`` (if any) followed by ``targets``."""
        return ([self.target] if self.target is not None else []) + list(self.targets)
