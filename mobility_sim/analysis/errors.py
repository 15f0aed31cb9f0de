"""Errors of the analysis tools: each line names the file or option, the place and the fix."""

from __future__ import annotations

from ..exceptions import MobilitySimError


class AnalysisError(MobilitySimError):
    """An analysis request is inconsistent (a job, a sweep store, an option)."""


class DistributionError(AnalysisError):
    """A parameter distribution file is malformed or names unknown parameters."""


class LeverError(AnalysisError):
    """A solver lever names an unknown measure or field, or gives unusable bounds."""


class SweepStoreError(AnalysisError):
    """A sweep store folder cannot be used (not a store, unreadable, not writable)."""
