"""Grid carbon intensity per year: the country's published value moved by the grid lever.

Without a grid measure the intensity stays at the latest published value (2023, Ember / Our
World in Data) for every year: an assumption that no further decarbonisation happens, stated
with the results. Electric cars, e-bikes, electric buses, trams and metros use this value every
year (kWh x intensity x (1 + transmission and distribution losses)).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..data import grid_intensity
from ..exceptions import FleetParameterError
from .levers import FleetLevers
from .tables import factor


def grid_path(country: str, levers: Iterable[FleetLevers]) -> dict[int, float]:
    """gCO2e/kWh for each year of ``levers``.

    Parameters
    ----------
    country : str
        ISO3 code of the country whose grid applies.
    levers : iterable of FleetLevers
        One per year.

    Returns
    -------
    dict of int to float
        Intensity by year: the published value x the year's grid intensity factor.

    Raises
    ------
    FleetParameterError
        If the country has no published value.
    """
    try:
        base = grid_intensity(country)
    except KeyError as exc:
        raise FleetParameterError(str(exc.args[0])) from None
    return {lv.year: lv.grid_gco2e_per_kwh(base) for lv in levers}


def td_losses() -> float:
    """Transmission and distribution losses added on top of the grid intensity (fraction)."""
    return factor("electricity", "grid", "td_losses")


def electricity_kg_per_kwh(grid_gco2e_per_kwh: float) -> float:
    """Return kg CO2e per kWh delivered to a vehicle, losses included."""
    return grid_gco2e_per_kwh / 1000.0 * (1.0 + td_losses())
