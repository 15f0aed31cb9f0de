"""Moved to :mod:`mobility_sim.calibration.validation`; kept for ``notebooks/04_calibration.py``.

Import :func:`mobility_sim.calibration.validate_model` instead; this module goes when the
notebook does.
"""

from .calibration.validation import validate_model

__all__ = ["validate_model"]
