"""Vehicle fleets and emission factors.

:mod:`.mix` holds the foundation's single-pool car fleet (a fixed share of the fleet replaced
each year by that year's sales mix) and turns a fleet mix, the grid intensity and occupancy into
per-passenger-km emission factors for the demand model.
"""

from .mix import POWERTRAINS, FleetState, car_fleet_path, mode_emission_factors

__all__ = ["POWERTRAINS", "FleetState", "car_fleet_path", "mode_emission_factors"]
