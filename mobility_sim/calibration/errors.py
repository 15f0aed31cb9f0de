"""The error raised when a city cannot be calibrated or validated."""

from __future__ import annotations

from ..exceptions import MobilitySimError


class CalibrationError(MobilitySimError):
    """A calibration target is missing, malformed or unreachable, or the fit did not converge.

    Each problem names the file or target, what is wrong and how to fix it, one per line.
    """
