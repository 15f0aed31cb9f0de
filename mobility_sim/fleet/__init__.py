"""Vehicle fleets, energy, emission factors, grid intensity and health co-benefits.

Modules
-------
:mod:`.survival`
    Weibull survival curves and the steady-state age profile.
:mod:`.stock`
    Vintage stock turnover of one vehicle class (survivors + sales = stock).
:mod:`.vintage_factors`
    CO2, energy, NOx and PM2.5 per vintage (efficiency index, Euro classes) and fleet averages.
:mod:`.projection`
    Car and bus fleets year by year from the levers (:class:`FleetYear`).
:mod:`.levers`
    What the fleet model reads from a year's levers (:class:`FleetLevers`).
:mod:`.grid`
    Grid carbon intensity per year.
:mod:`.pt_supply`
    Public transport service vehicle-km from headways.
:mod:`.accounting`
    A year's vkm, energy and emissions by vehicle class and powertrain.
:mod:`.health`
    WHO HEAT physical-activity benefit of walking and cycling.
:mod:`.mix`
    :class:`FleetState` (what the demand model sees), the car powertrains, the packaged sales
    mix and per-passenger-km mode factors.
"""

from .levers import FleetLevers, fleet_levers
from .mix import FleetState, mode_emission_factors
from .projection import FleetStart, FleetYear, project_fleet
from .survival import Survival
from .tables import BUS_POWERTRAINS, CAR_POWERTRAINS

__all__ = ["BUS_POWERTRAINS", "CAR_POWERTRAINS", "FleetLevers", "FleetStart", "FleetState",
           "FleetYear", "Survival", "fleet_levers", "mode_emission_factors", "project_fleet"]
