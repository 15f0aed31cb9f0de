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
    SpeedLimit,
)
from .measures_demand import Densification, Telework
from .measures_energy import CarbonPrice, EvSalesShare, FuelPrice, GridDecarbonisation
from .measures_pt import PtFare, PtFrequency, PtLine

__all__ = [
    "MEASURE_TYPES", "Area", "BikeSharing", "CarOccupancy", "CarSharing", "CarbonPrice",
    "CordonCharge", "Cost", "CycleNetwork", "Densification", "EbikeSubsidy", "EvSalesShare",
    "FuelPrice", "GridDecarbonisation", "LineGeometry", "LowEmissionZone", "Measure",
    "MeasureBase", "ParkingPrice", "Profile", "PtFare", "PtFrequency", "PtLine", "Scenario",
    "SpeedLimit", "Strict", "Target", "Telework", "Years",
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
    ParkingPrice, CordonCharge, LowEmissionZone, SpeedLimit, Telework, Densification,
    CarSharing, CarOccupancy, GridDecarbonisation, FuelPrice, CarbonPrice,
)

Measure = Annotated[
    EvSalesShare | PtFrequency | PtLine | PtFare | CycleNetwork | EbikeSubsidy | BikeSharing
    | ParkingPrice | CordonCharge | LowEmissionZone | SpeedLimit | Telework | Densification
    | CarSharing | CarOccupancy | GridDecarbonisation | FuelPrice | CarbonPrice,
    Field(discriminator="type"),
]

#: Measure type name -> model class.
MEASURE_TYPES: dict[str, type[MeasureBase]] = {cls.type_name(): cls for cls in _CATALOGUE}


class Target(Strict):
    """The city's emission target for urban passenger transport."""

    year: int = Field(ge=2000, le=2100, json_schema_extra=unit("year"))
    """Target year."""
    reduction: float = Field(gt=0, le=1, json_schema_extra=unit("share 0-1"))
    """Reduction of CO2 versus ``base_year``: 0.55 means -55 %."""
    base_year: int | None = Field(default=None, ge=1990, le=2100, json_schema_extra=unit("year"))
    """Reference year of the reduction (defaults to the first simulated year)."""
    metric: Literal["co2_wtw", "co2_ttw"] = "co2_wtw"
    """Well-to-wheel or tank-to-wheel CO2."""


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
