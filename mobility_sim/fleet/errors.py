"""The error raised when fleet, emission or health parameters are inconsistent."""

from __future__ import annotations

from ..exceptions import MobilitySimError


class FleetParameterError(MobilitySimError):
    """Fleet, public transport supply, emission or health parameters out of range."""
