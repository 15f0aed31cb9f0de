"""The fleet's view of a year's levers (:class:`mobility_sim.scenario.levers.YearLevers`).

:func:`fleet_levers` reads these fields; a field a ``YearLevers`` lacks (or sets to None) takes
its "no measure" value:

``bev_sales_share`` (float)
    Battery-electric share of new cars; other powertrains keep their baseline proportions.
``bus_bev_sales_share`` (float or None)
    Battery-electric share of new city buses; None: the baseline bus sales mix.
``grid_intensity_factor`` (float, default 1)
    Multiplier of the country's latest published grid intensity.
``lez_min_euro`` (mapping fuel -> int, or None)
    Lowest Euro class allowed in the low-emission zones per fuel (``petrol``, ``diesel``;
    hybrids follow petrol; 99 bars every combustion car). None or empty: no zone.
``lez_affected_share`` (float, default 0)
    Share of the city's cars that enter the zones, times the zones' intensity (0-1).
``lez_compliance`` (float, default 1)
    Share of the affected owners who comply with the rule (0-1).
``fuel_price_change_eur_per_l``, ``carbon_price_eur_per_t`` (float, default 0)
    What the scenario adds to the fuel price, and its carbon price on road fuels (the part
    above the reference case's ETS2 shifts the new-car mix: :mod:`.purchase`).
``bev_purchase_subsidy_eur`` (float, default 0)
    Subsidy per new battery-electric car (shifts the new-car mix: :mod:`.purchase`).
``car_shedding`` (per-cell shares, or None)
    Share of car-available residents who give up their car; the caller turns it into
    ``car_shed_share``, the share of the city's cars given up.
``pt_lines``
    New public transport lines: read by :mod:`.pt_supply`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class FleetLevers:
    """Lever values the fleet, energy and emission model uses in one year.

    Attributes
    ----------
    year : int
        Calendar year.
    car_bev_sales_share : float
        Battery-electric share of new cars.
    bus_bev_sales_share : float or None
        Battery-electric share of new buses; None: the baseline bus sales mix.
    grid_intensity_factor : float
        Multiplier of the country's published grid intensity.
    lez_min_euro : mapping of str to int
        Lowest Euro class allowed per fuel; empty: no zone.
    lez_affected_share : float
        Share of the city's cars entering the zones (intensity included).
    lez_compliance : float
        Share of the affected owners who comply.
    car_stock_factor : float
        Multiplier of the car stock target: (1 - share of cars given up) x the growth of the
        residents (the city's population projection; cars per resident held).
    fuel_price_change_eur_per_l : float
        EUR per litre the scenario adds to petrol and diesel.
    carbon_price_extra_eur_per_t : float
        Carbon price on road fuels above the reference case's, EUR per tonne of CO2.
    bev_purchase_subsidy_eur : float
        Subsidy per new battery-electric car, EUR.
    """

    year: int
    car_bev_sales_share: float
    bus_bev_sales_share: float | None = None
    grid_intensity_factor: float = 1.0
    lez_min_euro: Mapping[str, int] = field(default_factory=dict)
    lez_affected_share: float = 0.0
    lez_compliance: float = 1.0
    car_stock_factor: float = 1.0
    fuel_price_change_eur_per_l: float = 0.0
    carbon_price_extra_eur_per_t: float = 0.0
    bev_purchase_subsidy_eur: float = 0.0

    @property
    def lez_reach(self) -> float:
        """Share of the city's cars whose owners must act on the zones' rules."""
        if not self.lez_min_euro:
            return 0.0
        return float(np.clip(self.lez_affected_share * self.lez_compliance, 0.0, 1.0))

    def grid_gco2e_per_kwh(self, published: float) -> float:
        """Return the year's grid intensity given the country's published value."""
        return max(0.0, self.grid_intensity_factor * published)


def fleet_levers(year_levers: Any, car_shed_share: float = 0.0,
                 reference_carbon_price: float = 0.0) -> FleetLevers:
    """Read the fleet-relevant fields of a ``YearLevers``.

    Parameters
    ----------
    year_levers : YearLevers
        The year's levers.
    car_shed_share : float
        Share of the city's cars given up this year (car shedding), in [0, 1].
    reference_carbon_price : float
        The reference case's carbon price on road fuels this year (ETS2), EUR/t.
    """
    def get(name: str, default: Any) -> Any:
        value = getattr(year_levers, name, None)
        return default if value is None else value

    bus = get("bus_bev_sales_share", None)
    return FleetLevers(
        year=int(year_levers.year),
        car_bev_sales_share=float(year_levers.bev_sales_share),
        bus_bev_sales_share=None if bus is None else float(np.clip(bus, 0.0, 1.0)),
        grid_intensity_factor=float(get("grid_intensity_factor", 1.0)),
        lez_min_euro={str(k): int(v) for k, v in dict(get("lez_min_euro", {})).items()},
        lez_affected_share=float(get("lez_affected_share", 0.0)),
        lez_compliance=float(get("lez_compliance", 1.0)),
        car_stock_factor=float(np.clip(1.0 - car_shed_share, 0.0, 1.0)),
        fuel_price_change_eur_per_l=float(get("fuel_price_change_eur_per_l", 0.0)),
        carbon_price_extra_eur_per_t=(float(get("carbon_price_eur_per_t", 0.0))
                                      - float(reference_carbon_price)),
        bev_purchase_subsidy_eur=float(get("bev_purchase_subsidy_eur", 0.0)),
    )
