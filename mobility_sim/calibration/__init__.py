"""Calibration and validation of the demand model against published figures.

Modules
-------
targets
    A published modal split read in its own definition; trip-length and total targets.
outputs
    What calibration reads off a run: survey-mode shares, trip lengths, car vehicle-km.
fit
    Fitting constants, the destination scale and trip rates (on
    :class:`mobility_sim.model.base_year.BaselineModel`).
store
    Writing ``cities/<slug>/calibration.yaml``; whether a calibration is current (reading it is
    :func:`mobility_sim.model.parameters.calibrated_parameters`).
run
    :func:`calibrate`: a city end to end.
elasticities
    Implied elasticities by perturbation, beside the published ranges.
comparison
    Emergent quantities beside independent published figures.
transfer
    Coefficient sets of estimated models, transferred.
validation
    :func:`validate_model`: elasticities, trip lengths and figures of a city, as tables and a page.
cli
    ``mobility-sim calibrate`` and ``mobility-sim validate-model``.
"""

from ..exceptions import CalibrationError
from ..model.base_year import calibration_status
from ..model.parameters import calibrated_parameters, read_calibration
from .run import CityCalibration, calibrate, total_target, trip_length_target
from .validation import ModelValidation, validate_model

__all__ = [
    "CalibrationError",
    "CityCalibration",
    "ModelValidation",
    "calibrate",
    "calibrated_parameters",
    "calibration_status",
    "read_calibration",
    "total_target",
    "trip_length_target",
    "validate_model",
]
