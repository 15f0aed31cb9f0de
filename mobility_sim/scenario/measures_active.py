"""Cycling measures: the protected cycle network, e-bike purchase subsidies, bike sharing."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from .base import MeasureBase, unit
from .levers import AreaAmount

if TYPE_CHECKING:
    import numpy as np

    from .levers import LeverBuilder


class CycleNetwork(MeasureBase):
    """Share of streets with protected cycle infrastructure in the area reaches ``share``.

    Model: the per-cell cycle-infrastructure share (a trip sees the mean of its origin and
    destination cells), which lightens every minute of a bike or e-bike trip by
    ``utility.bike_infra_time_saving`` times that share (0.26 on fully protected streets:
    a Swedish mode-choice study's values of cycling time). Cells already above ``share`` keep
    their value.
    """

    PARAMETERS: ClassVar[tuple[str, ...]] = ("utility.bike_infra_time_saving",
                                             "bike.infra_default_max",
                                             "bike.infra_density_scale")

    type: Literal["cycle_network"]
    share: float = Field(ge=0, le=1, json_schema_extra=unit("share 0-1"))
    """Share of street length with protected cycle lanes or tracks at full effect."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Raise the cycle-infrastructure share of the area."""
        if level > 0:
            levers.ramp("bike_infra", mask, self.share, level)


class EbikeSubsidy(MeasureBase):
    """Purchase subsidies put ``ebikes`` more e-bikes into the hands of the area's residents.

    Model: the share of residents with an e-bike at hand (origin availability of the e-bike
    alternative, baseline ``ebike.availability``) rises by ``ebikes x ebike.subsidy_additionality
    x ebike.users_per_bike / residents of the area``, capped at 1. The profile spreads the
    purchases from ``start`` to ``end`` (all of them by ``end``); put the subsidy budget in
    ``cost``.
    """

    PARAMETERS: ClassVar[tuple[str, ...]] = ("ebike.availability", "ebike.subsidy_additionality",
                                             "ebike.users_per_bike")

    type: Literal["ebike_subsidy"]
    ebikes: float = Field(ge=0, le=10_000_000, json_schema_extra=unit("e-bikes"))
    """Number of subsidised e-bike purchases by ``end``."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Record the subsidised e-bikes of the area."""
        if level > 0 and self.ebikes > 0:
            levers.ebike_subsidised += (AreaAmount(mask=mask, amount=level * self.ebikes),)


class BikeSharing(MeasureBase):
    """A bike-sharing scheme within reach of ``coverage`` of the area's residents.

    Model: the model already assumes every resident has a conventional bicycle at hand, so a
    scheme acts through its pedal-assist bikes: the e-bike availability of the area's cells
    becomes ``1 - (1 - own) (1 - coverage x electric_share)``, where ``own`` is the share with
    their own e-bike. A scheme of conventional bikes only (``electric_share: 0``) changes
    nothing in this model.
    """

    PARAMETERS: ClassVar[tuple[str, ...]] = ("ebike.availability",)

    type: Literal["bike_sharing"]
    coverage: float = Field(ge=0, le=1, json_schema_extra=unit("share 0-1"))
    """Share of the area's residents within a short walk of a station or the free-floating
    zone at full effect."""
    electric_share: float = Field(default=1.0, ge=0, le=1, json_schema_extra=unit("share 0-1"))
    """Share of the shared fleet that is pedal-assist (e-bikes)."""

    def contribute(self, levers: LeverBuilder, level: float, mask: np.ndarray) -> None:
        """Make shared e-bikes available in the area."""
        if level > 0:
            cover = levers.cells("shared_ebike_coverage", 0.0)
            cover[mask] = level * self.coverage * self.electric_share
