"""The scenario schema (pydantic v2): strict, frozen, documented field by field.

A scenario names a ``city``, a span of ``years``, optionally one parent file it ``extends``, a
list of ``measures`` (each a typed lever in physical units with a time profile and an optional
area and cost), ``parameters`` (overrides of the packaged defaults) and a ``target``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Strict(BaseModel):
    """Base of every scenario model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Years(Strict):
    """The simulated years: ``start`` to ``end`` inclusive, every ``step`` years."""

    start: int = Field(ge=2000, le=2100)
    """First simulated year (the base year of results)."""
    end: int = Field(ge=2000, le=2100)
    """Last simulated year, included."""
    step: int = Field(default=1, ge=1, le=10)
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


class Area(Strict):
    """Where a measure applies: exactly one of a named zone, a WKT geometry or a GeoJSON file."""

    zone: str | None = None
    """A zone named in the city's ``city.yaml`` (e.g. ``centre``)."""
    wkt: str | None = None
    """A polygon in well-known text, in the city grid's CRS (metres, EPSG:3035)."""
    geojson: str | None = None
    """A GeoJSON file (any CRS it declares; WGS84 if none), relative to the scenario file."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Area:
        given = [k for k in ("zone", "wkt", "geojson") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of zone, wkt or geojson "
                             f"(given: {', '.join(given) or 'none'}); omit 'area' for the whole city")
        return self


class Cost(Strict):
    """What a measure costs the city (used for EUR per tonne CO2 abated)."""

    capex_eur: float = Field(default=0.0, ge=0)
    """One-off investment, EUR, spent in the measure's start year."""
    opex_eur_per_year: float = Field(default=0.0, ge=0)
    """Running cost, EUR per year, from the start year on."""


Profile = Literal["step", "linear", "s-curve"]


class MeasureBase(Strict):
    """Fields shared by every measure."""

    label: str | None = None
    """A name for charts and tables (defaults to the measure type)."""
    start: int = Field(ge=2000, le=2100)
    """Year the measure starts to take effect."""
    end: int | None = Field(default=None, ge=2000, le=2100)
    """Year the measure reaches its full value (defaults to ``start``)."""
    profile: Profile = "linear"
    """How the measure ramps from ``start`` to ``end``: ``step`` (full from ``start``),
    ``linear``, or ``s-curve`` (smooth: slow, fast, slow)."""
    area: Area | None = None
    """Where it applies; the whole city when omitted."""
    cost: Cost | None = None
    """What it costs, if known."""

    @model_validator(mode="after")
    def _ordered(self) -> MeasureBase:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self

    @property
    def full_year(self) -> int:
        """Year the measure reaches its full value."""
        return self.start if self.end is None else self.end

    @property
    def display_label(self) -> str:
        """Label for charts: ``label`` or the measure type."""
        return self.label or self.type  # type: ignore[attr-defined]


class EvSalesShare(MeasureBase):
    """Battery-electric share of new car sales reaches ``share`` (city-wide).

    Changes the model's inputs: the sales mix feeds the fleet, whose battery-electric share
    sets the weight of the electric car alternative and the fleet-average emission factors.
    The rest of the sales keep their baseline proportions.
    """

    type: Literal["ev_sales_share"]
    vehicle: Literal["car"] = "car"
    """Vehicle class (cars)."""
    share: float = Field(ge=0, le=1)
    """Battery-electric share of new sales at full effect, 0-1."""


class PtFrequency(MeasureBase):
    """Public transport headways multiplied by ``headway_factor`` in the area.

    Changes the model's inputs: expected wait (half the headway, capped) at stops in the area.
    """

    type: Literal["pt_frequency"]
    headway_factor: float = Field(gt=0, le=10)
    """Multiplier of headways at full effect: 0.5 doubles the frequency."""


Measure = Annotated[EvSalesShare | PtFrequency, Field(discriminator="type")]

#: Measure type name -> model class.
MEASURE_TYPES: dict[str, type[MeasureBase]] = {
    "ev_sales_share": EvSalesShare,
    "pt_frequency": PtFrequency,
}


class Target(Strict):
    """The city's emission target for urban passenger transport."""

    year: int = Field(ge=2000, le=2100)
    """Target year."""
    reduction: float = Field(gt=0, le=1)
    """Reduction of CO2 versus ``base_year``: 0.55 means -55 %."""
    base_year: int | None = Field(default=None, ge=1990, le=2100)
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
