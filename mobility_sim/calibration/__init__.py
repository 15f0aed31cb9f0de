"""Calibration and validation of the demand model against published figures.

Modules
-------
targets
    A published modal split read in its own definition; trip-length and total targets.
baseline
    The model of a city in its baseline year, run repeatedly with changed parameters.
fit
    Fitting constants, the destination scale and trip rates.
keys
    Parameter keys of calibrated constants and :func:`apply_asc_overrides`.
store
    ``cities/<slug>/calibration.yaml``: writing, reading, :func:`calibrated_parameters`.
run
    :func:`calibrate`: a city end to end.
elasticities
    Implied elasticities by perturbation, beside the published ranges.
"""

from .errors import CalibrationError
from .keys import all_asc_keys, apply_asc_overrides, asc_key
from .run import CityCalibration, calibrate, total_target, trip_length_target
from .store import calibrated_parameters, calibration_status, read_calibration

__all__ = [
    "CalibrationError",
    "CityCalibration",
    "all_asc_keys",
    "apply_asc_overrides",
    "asc_key",
    "calibrate",
    "calibrated_parameters",
    "calibration_status",
    "read_calibration",
    "total_target",
    "trip_length_target",
]
