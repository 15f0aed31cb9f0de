"""Every error mobility_sim raises on bad input, each with every problem, its place and the fix."""

from __future__ import annotations


class MobilitySimError(Exception):
    """Base class of every error mobility_sim raises on bad input.

    Parameters
    ----------
    problems : list of str
        One line per problem, each naming the file or place and how to fix it.
    """

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class ScenarioError(MobilitySimError):
    """A scenario file is malformed or inconsistent."""


class CityDataError(MobilitySimError):
    """A city folder or a city input file is missing, malformed or inconsistent."""


class OutputError(MobilitySimError):
    """Results cannot be written where asked."""


class FleetParameterError(MobilitySimError):
    """Fleet, public transport supply, emission or health parameters out of range."""


class CalibrationError(MobilitySimError):
    """A calibration target is missing, malformed or unreachable, or the fit did not converge.

    Each problem names the file or target, what is wrong and how to fix it, one per line.
    """


class AnalysisError(MobilitySimError):
    """An analysis request is inconsistent (a job, a sweep store, an option)."""


class DistributionError(AnalysisError):
    """A parameter distribution file is malformed or names unknown parameters."""


class LeverError(AnalysisError):
    """A solver lever names an unknown measure or field, or gives unusable bounds."""


class SweepStoreError(AnalysisError):
    """A sweep store folder cannot be used (not a store, unreadable, not writable)."""
