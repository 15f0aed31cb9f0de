"""Measures on travel demand itself: telework and land-use densification near public transport."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from .base import CityWide, MeasureBase, unit
from .levers import Densify

if TYPE_CHECKING:
    import numpy as np

    from .levers import LeverBuilder


class Telework(CityWide):
    """Telework removes ``share`` of commute trips (city-wide).

    Model: the commute trip rate (``trip_rate.commute``) is multiplied by ``1 - share``, and
    the residents make ``telework.rebound_trips`` other-purpose trips for each commute trip
    removed (short-run evidence: 0.17-0.25 from the Californian and Puget Sound pilots; their
    destinations and modes come out of the other-purpose choice, so they are shorter and more
    often on foot than the commutes they replace). The long-run rebound of moving farther from
    work (0.6 to over 1 of the km saved in Swiss and English surveys) is not modelled.
    """

    AREA_REASON: ClassVar[str] = ("it applies city-wide: the model has one commute trip rate "
                                  "for the whole city")
    PARAMETERS: ClassVar[tuple[str, ...]] = ("trip_rate.commute", "telework.rebound_trips")

    type: Literal["telework"]
    share: float = Field(ge=0, le=1, json_schema_extra=unit("share 0-1"))
    """Share of commute trips removed at full effect (e.g. 0.1: one day in ten at home)."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Scale the commute trip rate."""
        levers.commute_trip_factor = (
            float(levers.commute_trip_factor) * (1.0 - level * self.share))


class Densification(MeasureBase):
    """Land use: ``share`` of residents (and jobs) live (work) within ``distance_m`` of PT stops.

    Model: the grid has no population growth, so the measure relocates existing residents and
    jobs, read as "where the city's growth and redevelopment go": in each area cell farther than
    ``distance_m`` from a stop, ``share`` of the residents (``jobs_share`` of the jobs) move to
    the area's cells within ``distance_m`` of a stop, spread in proportion to those cells'
    residents (jobs). Totals are conserved. Movers take on the travel conditions and the
    car availability of their new cell. Stop distances include new PT lines of the same year.
    """

    type: Literal["densification"]
    share: float = Field(ge=0, le=1, json_schema_extra=unit("share 0-1"))
    """Share of residents of cells far from PT who live near stops instead, at full effect."""
    distance_m: float = Field(ge=50, le=3000, json_schema_extra=unit("m"))
    """Walk distance to a stop below which a cell counts as near PT."""
    jobs_share: float | None = Field(default=None, ge=0, le=1,
                                     json_schema_extra=unit("share 0-1"))
    """Same for jobs (default: ``share``)."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Record the relocation (the model applies it to the grid)."""
        if level <= 0:
            return
        jobs = self.share if self.jobs_share is None else self.jobs_share
        levers.densify += (Densify(mask=mask, residents_share=level * self.share,
                                         jobs_share=level * jobs, distance_m=self.distance_m),)
