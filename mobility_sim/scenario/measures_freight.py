"""Measures on urban freight: electric vans, cargo bikes, consolidation centres.

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
