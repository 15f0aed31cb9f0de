"""Errors that reach a planner: each carries every problem found, with its place and the fix."""

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
