"""Public transport measures: frequency, a new line, fares."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from .base import AreaRule, CityWide, LineGeometry, MeasureBase, unit
from .levers import PtLineLever

if TYPE_CHECKING:
    import numpy as np

    from .levers import LeverBuilder


class PtFrequency(MeasureBase):
    """Public transport headways multiplied by ``headway_factor`` in the area.

    Model: the headway of each cell in the area, hence the expected wait at the origin (half the
    headway, capped at ``pt.wait_cap``), which enters PT utility with the wait coefficient.
    Successive measures in disjoint areas act on their own cells.
    """

    PARAMETERS: ClassVar[tuple[str, ...]] = ("pt.wait_cap", "utility.wait")

    type: Literal["pt_frequency"]
    headway_factor: float = Field(gt=0, le=10, json_schema_extra=unit("factor"))
    """Multiplier of headways at full effect: 0.5 doubles the frequency, 1 changes nothing."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Scale the headways of the area."""
        if level > 0:
            levers.headway_factor[mask] *= 1.0 + level * (self.headway_factor - 1.0)


class PtLine(MeasureBase):
    """A new public transport line along ``line`` with stops every ``stop_spacing_m``.

    Model, an approximation on the grid: a cell is served when its centre lies within the
    catchment of the line. In a served cell, (1) the walk to a stop becomes at most the mean
    perpendicular distance of the cell's residents to the line plus a quarter of the stop
    spacing (the mean distance along the line to the nearest stop), (2) the headway becomes
    ``min(existing, headway_min)``, and (3) the PT in-vehicle speed is raised to ``speed_kmh``
    where it is lower. A trip uses the harmonic mean of its origin and destination speeds, so the
    line's speed reaches trips that start or end in served cells, not only trips along the line.
    Several lines may overlap; each cell keeps the best of them. The intensity interpolates
    all three effects (use ``profile: step`` for an opening day).
    """

    AREA_RULE: ClassVar[AreaRule] = "none"
    AREA_REASON: ClassVar[str] = ("a line serves the cells along it: give its geometry in "
                                  "'line' and its walking catchment in 'catchment_m'")
    PARAMETERS: ClassVar[tuple[str, ...]] = ("pt.line_catchment_m", "speed.walk", "speed.pt")

    type: Literal["pt_line"]
    line: LineGeometry
    """The route."""
    stop_spacing_m: float = Field(ge=100, le=10000, json_schema_extra=unit("m"))
    """Distance between stops (tram 400-600 m, metro 800-1500 m)."""
    headway_min: float = Field(gt=0, le=120, json_schema_extra=unit("min"))
    """Minutes between vehicles."""
    speed_kmh: float = Field(gt=0, le=150, json_schema_extra=unit("km/h"))
    """Commercial speed including stops."""
    catchment_m: float | None = Field(default=None, gt=0, le=5000, json_schema_extra=unit("m"))
    """Cells whose centre lies within this distance of the line are served (default:
    ``pt.line_catchment_m``)."""
    vehicle: Literal["bus", "tram", "metro", "train"] = "tram"
    """Vehicle type, for the fleet model (the demand model treats all alike)."""

    @property
    def overlap_key(self) -> None:
        """Lines may cross or share corridors: each cell keeps the best service."""
        return None

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Record the line (the model places it on the grid)."""
        levers.pt_lines += (PtLineLever(
            label=self.display_label, wkt=str(self.line.wkt), stop_spacing_m=self.stop_spacing_m,
            headway_min=self.headway_min, speed_kmh=self.speed_kmh, catchment_m=self.catchment_m,
            vehicle=self.vehicle, level=level),)


class PtFare(CityWide):
    """The average PT fare per trip changes: a new fare, a change in EUR, or a factor.

    Model: the fare (``pt.fare``, EUR per trip) in the PT money cost of every trip. Give exactly
    one of ``fare_eur``, ``change_eur`` or ``factor``; the fare never falls below 0.
    """

    AREA_REASON: ClassVar[str] = ("it applies city-wide: the model has one fare for the whole "
                                  "network")
    PARAMETERS: ClassVar[tuple[str, ...]] = ("pt.fare",)

    type: Literal["pt_fare"]
    fare_eur: float | None = Field(default=None, ge=0, le=50, json_schema_extra=unit("EUR/trip"))
    """New average fare per trip at full effect."""
    change_eur: float | None = Field(default=None, ge=-50, le=50,
                                     json_schema_extra=unit("EUR/trip"))
    """Amount added to the average fare per trip at full effect (negative for a cut)."""
    factor: float | None = Field(default=None, ge=0, le=10, json_schema_extra=unit("factor"))
    """Multiplier of the fare at full effect: 0 is fare-free, 0.5 half price."""

    def problems(self) -> list[str]:
        """Add: exactly one target."""
        found = super().problems()
        given = [k for k in ("fare_eur", "change_eur", "factor") if getattr(self, k) is not None]
        if len(given) != 1:
            found.append("give exactly one of fare_eur (new fare), change_eur (EUR added) "
                         f"or factor (multiplier), given: {', '.join(given) or 'none'}")
        return found

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Move the fare towards its target."""
        if self.fare_eur is not None:
            target = (0.0, self.fare_eur)
        elif self.change_eur is not None:
            target = (1.0, self.change_eur)
        else:
            target = (float(self.factor or 0.0), 0.0)
        levers.pt_fare = levers.pt_fare.toward(level, *target)
