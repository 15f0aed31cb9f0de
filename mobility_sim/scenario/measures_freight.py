"""Measures on urban freight: electric vans, cargo bikes, consolidation centres, delivery windows.

Vans and lorries are not in the demand model: these measures act on the freight traffic of
``mobility_sim/fleet/freight.py`` (its vehicle-km, spread over the cells by jobs and residents,
and its fleets). Zero-emission zones (``low_emission_zone``) act on freight too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from .base import CityWide, MeasureBase, unit

if TYPE_CHECKING:
    from .levers import LeverBuilder


class ElectricVans(CityWide):
    """Zero-emission share of new vans reaches ``share`` (procurement, incentives, rules).

    Model: the share of battery-electric vans among new vans feeds the van stock's turnover
    (``freight.van_turnover``); it never falls below the reference case's share (the EU CO2
    standards for vans, or the UK's ZEV mandate, already raise it year by year).
    """

    AREA_REASON: ClassVar[str] = "van sales are one trajectory for the city"
    PARAMETERS: ClassVar[tuple[str, ...]] = ("freight.van_turnover",)

    type: Literal["electric_vans"]
    share: float = Field(ge=0, le=1, json_schema_extra=unit("share 0-1"))
    """Zero-emission share of new vans at full effect."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Record the target share and its intensity for the fleet model.

        The fleet model moves the reference case's share towards it, never below it.
        """
        if level > 0:
            levers.van_bev_sales_share = (self.share, level)


class CargoBikes(MeasureBase):
    """Cargo bikes take over ``van_km_share`` of the vans' km in the area.

    Model: that share of the area's van-km (the area's share of the city's freight traffic:
    jobs plus residents) is driven by electric cargo bikes instead, one km for one km (an
    assumption; cargo bikes used 'e-bike' electricity per km). Published potentials: 25 % of
    urban commercial trips and 51 % of goods-related trips (CycleLogistics), a sixth of London's
    van deliveries (TfL), at least 10 % of van-km (University of Westminster), all in
    ``mobility_sim/data/freight_evidence.csv``; the field is capped at the highest, 0.51.
    """

    type: Literal["cargo_bikes"]
    van_km_share: float = Field(ge=0, le=0.51, json_schema_extra=unit("share 0-1"))
    """Share of the area's van-km moved to cargo bikes at full effect."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Raise the area's cargo-bike share."""
        if level > 0:
            cells = levers.cells("cargo_bike", 0.0)
            cells[mask] = np.minimum(cells[mask] + level * self.van_km_share, 0.51)


class ConsolidationCentre(MeasureBase):
    """A consolidation centre bundles ``served_share`` of the area's van and lorry deliveries.

    Model: the area's van and lorry km fall by ``served_share x vehicle_km_reduction``. Ex-post
    evidence (``freight_evidence.csv``): London Construction Consolidation Centre -68 % of
    journeys to the sites served (2005-2007); Bristol's retail centre -50 % to -79 % of delivery
    movements of its members; the Bath extension served 0.3 % of the city's freight traffic.
    The centre's own trunking from outside the city is not counted.
    """

    AREA_RULE: ClassVar = "required"
    AREA_REASON: ClassVar[str] = "it serves deliveries to the area"

    type: Literal["consolidation_centre"]
    served_share: float = Field(ge=0, le=1, json_schema_extra=unit("share 0-1"))
    """Share of the area's van and lorry deliveries routed through the centre at full
    effect."""
    vehicle_km_reduction: float = Field(default=0.68, ge=0, le=1,
                                        json_schema_extra=unit("share 0-1"))
    """Fall in vehicle-km of the deliveries served (default 0.68: London Construction
    Consolidation Centre's journeys, 2005-2007)."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Raise the area's consolidated share of freight km."""
        if level > 0:
            cells = levers.cells("consolidation", 0.0)
            removed = level * self.served_share * self.vehicle_km_reduction
            cells[mask] = 1.0 - (1.0 - cells[mask]) * (1.0 - removed)


class DeliveryWindow(MeasureBase):
    """Delivery time windows: ``moved_share`` of the area's deliveries leave the restricted hours.

    Model: the van and lorry km of the area (its share of the city's freight traffic: jobs
    plus residents) that fall in the restricted hours are driven at other hours instead, in
    the share ``moved_share`` (compliance and exemptions included): ``window: peak`` bars
    deliveries in the peak hours (``traffic.peak_hours``) and moves them to the day hours;
    ``window: night`` is an off-hour delivery programme, moving daytime deliveries (peak and
    day hours) into the night hours (``traffic.night_hours``). The vehicle-km stay the same;
    what changes is the hourly road load of the area's traffic districts, hence the road
    delay, car and bus speeds and the speed-dependent car factors (docs/traffic.md). Not
    modelled: the freight's own exhaust at night
    speeds (taken at the day's mean speed), night-time noise, extra handling cost. Ex-post
    evidence (``freight_evidence.csv``): during the London 2012 Games 15-20 % of commercial
    vehicles left the 6am-6pm roads and about 10 % of those moved to the night; TfL's
    retiming trials moved 15 % of deliveries out of the peak; the Stockholm off-peak pilot and
    the Dutch PIEK programme published no quantified effect (not found).
    """

    AREA_RULE: ClassVar = "required"
    AREA_REASON: ClassVar[str] = "a delivery window applies to the streets of an area"

    type: Literal["delivery_window"]
    moved_share: float = Field(ge=0, le=1, json_schema_extra=unit("share 0-1"))
    """Share of the area's van and lorry km in the restricted hours moved to other hours at
    full effect."""
    window: Literal["peak", "night"] = "peak"
    """``peak``: no deliveries in the peak hours (moved to the day hours); ``night``:
    deliveries moved from the daytime (peak and day hours) into the night hours."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Raise the area's moved share of freight in the window's hours."""
        if level > 0:
            name = "delivery_off_peak" if self.window == "peak" else "delivery_night"
            cells = levers.cells(name, 0.0)
            cells[mask] = 1.0 - (1.0 - cells[mask]) * (1.0 - level * self.moved_share)
