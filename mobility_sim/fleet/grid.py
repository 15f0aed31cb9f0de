"""Grid carbon intensity per year: the reference case's value moved by the grid lever.

The reference case (:mod:`mobility_sim.reference.case`) gives each year's intensity: the
country's 2023 value (Ember / Our World in Data) following a published projection, or held
where none was found. Without a reference path (a caller that passes none) the 2023 value is
held. Electric cars, e-bikes, electric buses, trams and metros use the year's value (kWh x
intensity x (1 + transmission and distribution losses)).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..data import grid_intensity
from ..exceptions import FleetParameterError
from .levers import FleetLevers
from .tables import factor


def grid_path(country: str, levers: Iterable[FleetLevers],
              reference: Mapping[int, float] | None = None) -> dict[int, float]:
    """gCO2e/kWh for each year of ``levers``.

    Parameters
    ----------
    country : str
        ISO3 code of the country whose grid applies.
    levers : iterable of FleetLevers
        One per year.
    reference : mapping of int to float, optional
        The reference case's intensity by year (default: the published 2023 value every year).

    Returns
    -------
    dict of int to float
        Intensity by year: the reference value x the year's grid intensity factor.

    Raises
    ------
    FleetParameterError
        If the country has no published value.
    """
    levers = list(levers)
    if reference is None:
        try:
            base = grid_intensity(country)
        except KeyError as exc:
            raise FleetParameterError(str(exc.args[0])) from None
        reference = {lv.year: base for lv in levers}
    return {lv.year: lv.grid_gco2e_per_kwh(reference[lv.year]) for lv in levers}


def td_losses() -> float:
    """Transmission and distribution losses added on top of the grid intensity (fraction)."""
    return factor("electricity", "grid", "td_losses")


def electricity_kg_per_kwh(grid_gco2e_per_kwh: float) -> float:
    """Return kg CO2e per kWh delivered to a vehicle, losses included."""
    return grid_gco2e_per_kwh / 1000.0 * (1.0 + td_losses())
