"""The car fleet as the demand model sees it, and per-passenger-km factors of each mode.

:class:`FleetState` carries the car stock shares by powertrain and, from the vintage model
(:mod:`.projection`), the fleet-average factors of each powertrain. :func:`mode_emission_factors`
turns them, the grid intensity and occupancy into the kernel's per-passenger-km factors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..kernels.spec import CAR_EV, CAR_ICE, EBIKE, MODES, PT
from .tables import CAR_POWERTRAINS, ICE_POWERTRAINS, shares
from .tables import factor as _factor


@dataclass(frozen=True)
class FleetState:
    """The car fleet in one year.

    Attributes
    ----------
    year : int
        Calendar year.
    shares : dict of str to float
        Stock shares by powertrain (sum to 1).
    factors : dict, optional
        Fleet-average factors by powertrain, ``{powertrain: {quantity: value}}`` with
        quantities ``ttw``, ``wtt`` (kg CO2e/vkm) and ``kwh`` (kWh/vkm) at least; empty: the
        packaged base-year factors.
    """

    year: int
    shares: dict[str, float]
    factors: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    @property
    def bev_share(self) -> float:
        """Battery-electric share of the fleet."""
        return self.shares["bev"]


def default_sales() -> dict[str, float]:
    """EU new-car sales 2023 by powertrain (Eurostat), renormalised."""
    return shares("sales_2023", CAR_POWERTRAINS)


def sales_mix(bev_share: float, baseline: Mapping[str, float] | None = None) -> dict[str, float]:
    """Sales mix with the given battery-electric share; other powertrains keep their proportions.

    For cars (default baseline: :func:`default_sales`) and buses alike.
    """
    base = dict(baseline or default_sales())
    others = sum(v for k, v in base.items() if k != "bev")
    if others <= 0:  # an all-electric baseline: the others' proportions do not matter
        base = {k: 1.0 for k in base if k != "bev"} | {"bev": 0.0}
        others = float(len(base) - 1)
    mix = {k: (1.0 - bev_share) * v / others for k, v in base.items() if k != "bev"}
    mix["bev"] = bev_share
    return mix


def car_factors_per_vkm(powertrain: str, grid_gco2e_per_kwh: float,
                        factors: Mapping[str, float] | None = None) -> tuple[float, float]:
    """Return (TTW, WTW) kg CO2e per vehicle-km of one car powertrain.

    ``factors`` (``ttw``, ``wtt``, ``kwh``) replace the packaged base-year values when given.
    """
    def get(quantity: str) -> float:
        if factors is not None and quantity in factors:
            return float(factors[quantity])
        return _factor("car", powertrain, quantity)

    td = _factor("electricity", "grid", "td_losses")
    ttw = get("ttw")
    electricity = get("kwh") * grid_gco2e_per_kwh / 1000.0 * (1.0 + td)
    return ttw, ttw + get("wtt") + electricity


def mode_emission_factors(
    fleet: FleetState, grid_gco2e_per_kwh: float, occupancy: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per-passenger-km TTW and WTW factors of each model mode (kg CO2e/pkm).

    The combustion car alternative carries the fleet-weighted average of petrol, diesel, HEV and
    PHEV; the electric one the BEV factor with the country's grid intensity (both from
    ``fleet.factors`` when the vintage model supplies them). Cars divide by occupancy. PT uses
    the DESNZ average local bus per passenger-km: the demand-based alternative; a run with
    supply-based PT accounting sets the PT entries to 0 and counts service vehicle-km instead.
    E-bikes carry their electricity x grid intensity (WTW only); walking and cycling are 0.

    Returns
    -------
    ttw, wtw : ndarray, shape (M,)
        Factors in the order of :data:`kernels.spec.MODES`.
    """
    ttw = np.zeros(len(MODES))
    wtw = np.zeros(len(MODES))
    ice_total = sum(fleet.shares[pt] for pt in ICE_POWERTRAINS)
    for pt in ICE_POWERTRAINS:
        weight = fleet.shares[pt] / ice_total if ice_total > 0 else 1.0 / len(ICE_POWERTRAINS)
        t, w = car_factors_per_vkm(pt, grid_gco2e_per_kwh, fleet.factors.get(pt))
        ttw[CAR_ICE] += weight * t / occupancy
        wtw[CAR_ICE] += weight * w / occupancy
    t, w = car_factors_per_vkm("bev", grid_gco2e_per_kwh, fleet.factors.get("bev"))
    ttw[CAR_EV], wtw[CAR_EV] = t / occupancy, w / occupancy
    ttw[PT] = _factor("pt", "bus", "ttw")
    wtw[PT] = ttw[PT] + _factor("pt", "bus", "wtt")
    td = _factor("electricity", "grid", "td_losses")
    wtw[EBIKE] = _factor("ebike", "electric", "kwh") * grid_gco2e_per_kwh / 1000.0 * (1.0 + td)
    return ttw, wtw
