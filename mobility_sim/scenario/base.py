"""Building blocks of the scenario schema: strict models, areas, costs and the measure base.

Every model is strict (unknown keys are errors, no silent type coercion, no NaN or infinity),
frozen, and documented field by field: the field docstrings are the reference and flow into
the JSON Schema and into ``docs/measures.md``.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

if TYPE_CHECKING:
    import numpy as np

    from .levers import LeverBuilder


def unit(symbol: str) -> dict[str, Any]:
    """Return ``json_schema_extra`` that records a field's physical unit (shown in the docs)."""
    return {"unit": symbol}


class Strict(BaseModel):
    """Base of every scenario model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True,
                              strict=True, allow_inf_nan=False)


class Area(Strict):
    """Where a measure applies: exactly one of a named zone, a WKT polygon or a GeoJSON file.

    A cell belongs to the area when its centre lies inside it. Omit ``area`` for the whole city.
    """

    zone: str | None = None
    """A zone named in the city's ``city.yaml`` (e.g. ``centre``)."""
    wkt: str | None = None
    """A polygon in well-known text, in the city grid's CRS (metres, EPSG:3035)."""
    geojson: str | None = None
    """A GeoJSON file of polygons (any CRS it declares; WGS84 if none), relative to the scenario
    file."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Area:
        given = [k for k in ("zone", "wkt", "geojson") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of zone, wkt or geojson "
                             f"(given: {', '.join(given) or 'none'}); omit 'area' for the "
                             "whole city")
        return self


class LineGeometry(Strict):
    """A line on the map: exactly one of a WKT line, a GeoJSON file of lines, or a main axis."""

    wkt: str | None = None
    """A ``LINESTRING`` (or ``MULTILINESTRING``) in well-known text, in the city grid's CRS
    (metres, EPSG:3035)."""
    geojson: str | None = None
    """A GeoJSON file of line features (any CRS it declares; WGS84 if none), relative to the
    scenario file. The loader converts it to WKT in the grid's CRS."""
    main_axis_m: float | None = Field(default=None, gt=0, le=100_000,
                                      json_schema_extra=unit("m"))
    """A straight line of this length through the centre of the city's ``centre`` zone, along
    the main axis of its population (resolved for the city the scenario runs on, so one
    package applies to any city: ``sweep --city``)."""

    @model_validator(mode="after")
    def _exactly_one(self) -> LineGeometry:
        given = [k for k in ("wkt", "geojson", "main_axis_m") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of wkt, geojson or main_axis_m "
                             f"(given: {', '.join(given) or 'none'})")
        return self


class Cost(Strict):
    """What a measure costs the city's budget, in EUR of 2023 (replaces the cost rule of its type).

    Without ``cost`` a measure is costed by its type's rule from published unit costs
    (``docs/costs.md``); give the city's own figures here when it has them.
    """

    capex_eur: float = Field(default=0.0, ge=0, json_schema_extra=unit("EUR"))
    """Investment, EUR, spent as the measure's intensity rises (all in the start year for a
    step; spread over the ramp otherwise; ``docs/costs.md``)."""
    opex_eur_per_year: float = Field(default=0.0, ge=0, json_schema_extra=unit("EUR/year"))
    """Running cost at full effect, EUR per year; each year counts it times the measure's
    intensity (so a measure ramping up costs less to run while it ramps)."""
    revenue_eur_per_year: float = Field(default=0.0, ge=0, json_schema_extra=unit("EUR/year"))
    """Revenue to the city at full effect, EUR per year (parking fees, charges), counted like
    the running cost and subtracted from it."""
    lifetime_years: float | None = Field(default=None, gt=0, le=100,
                                         json_schema_extra=unit("years"))
    """Life of the investment: renewed when it ends inside the horizon, the life left at the
    horizon's end credited back (default: it outlives the horizon)."""


Profile = Literal["step", "linear", "s-curve"]

#: Where a measure type may apply (shown in the reference page).
AreaRule = Literal["optional", "required", "none"]


class MeasureBase(Strict):
    """Fields shared by every measure.

    A measure's *intensity* runs from 0 before ``start`` to 1 from ``end`` on, along its
    ``profile``; the measure moves its lever from the baseline towards its target value by the
    intensity. Subclasses set the class variables below and implement :meth:`contribute`.
    """

    #: Where the measure may apply.
    AREA_RULE: ClassVar[AreaRule] = "optional"
    #: Why the measure takes no area (``AREA_RULE`` ``none``) or needs one (``required``).
    AREA_REASON: ClassVar[str] = ""
    #: Keys of ``mobility_sim/data/parameters.csv`` the measure uses (listed in the docs).
    PARAMETERS: ClassVar[tuple[str, ...]] = ()
    #: At most one measure of this type per scenario (whatever the areas and years).
    ONE_PER_SCENARIO: ClassVar[bool] = False

    label: str | None = None
    """A name for charts and tables (defaults to the measure type)."""
    start: int = Field(ge=2000, le=2100, json_schema_extra=unit("year"))
    """Year the measure starts to take effect (intensity 0 in this year for ``linear`` and
    ``s-curve``, 1 for ``step``)."""
    end: int | None = Field(default=None, ge=2000, le=2100, json_schema_extra=unit("year"))
    """Year the measure reaches its full value (defaults to ``start``); it stays in force
    afterwards."""
    profile: Profile = "linear"
    """How the measure ramps from ``start`` to ``end``: ``step`` (full from ``start``),
    ``linear``, or ``s-curve`` (smooth: slow, fast, slow)."""
    area: Area | None = None
    """Where it applies; the whole city when omitted."""
    cost: Cost | None = None
    """What it costs, if known."""

    @field_validator("area")
    @classmethod
    def _area_allowed(cls, value: Area | None) -> Area | None:
        if value is not None and cls.AREA_RULE == "none":
            raise ValueError(f"a {cls.type_name()} measure takes no 'area' ({cls.AREA_REASON}); "
                             "remove 'area'")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> MeasureBase:
        found = self.problems()
        if found:
            raise ValueError("; ".join(found))
        return self

    def problems(self) -> list[str]:
        """Return what is inconsistent between this measure's fields (subclasses add theirs)."""
        found = []
        if self.end is not None and self.end < self.start:
            found.append(f"end ({self.end}) is before start ({self.start}); swap them")
        if self.AREA_RULE == "required" and self.area is None:
            found.append(f"a {self.type_name()} measure needs an 'area' ({self.AREA_REASON}); "
                         "add e.g. 'area: {zone: centre}'")
        return found

    @classmethod
    def type_name(cls) -> str:
        """Return the measure's ``type`` tag (its YAML name)."""
        field = cls.model_fields.get("type")
        args = typing.get_args(field.annotation) if field is not None else ()
        return str(args[0]) if args else cls.__name__

    @property
    def full_year(self) -> int:
        """Year the measure reaches its full value."""
        return self.start if self.end is None else self.end

    @property
    def display_label(self) -> str:
        """Label for charts: ``label`` or the measure type."""
        return self.label or self.type  # type: ignore[attr-defined]

    @property
    def overlap_key(self) -> tuple[str, ...] | None:
        """Measures with the same key may not overlap in area (``None``: they may)."""
        return (self.type,)  # type: ignore[attr-defined]

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Apply this measure at intensity ``level`` to the cells ``mask`` of ``levers``."""
        raise NotImplementedError(type(self).__name__)


class CityWide(MeasureBase):
    """A measure that acts on one city-wide number of the model (no ``area``)."""

    AREA_RULE: ClassVar[AreaRule] = "none"


def distinct_names(labels: Sequence[str]) -> list[str]:
    """Return ``labels`` with repeats renamed `` (2)``, `` (3)``... (as charts show them)."""
    names: list[str] = []
    for label in labels:
        name = label
        k = 2
        while name in names:
            name = f"{label} ({k})"
            k += 1
        names.append(name)
    return names
