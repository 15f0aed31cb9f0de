"""Trips made or not made: residents' non-commute trips follow their accessibility.

With ``frequency.logsum_coef`` ``phi`` above 0, the non-commute trips of each segment's residents
of a cell are multiplied by::

    exp(phi x (L - L_ref))

where ``L`` is the segment's non-commute destination-choice logsum of the cell in the previous
simulated year (one year's lag: trip-making habits follow accessibility, they do not anticipate
it) and ``L_ref`` the reference case's in that year (the scenario without its measures). The
response pivots on the reference case of the same year, as national appraisal's incremental
variable-demand models do: the reference case keeps the surveyed trip rates (a factor of 1),
and only what the measures change in accessibility makes or removes trips. A measure that
makes trips dearer or slower (a cordon charge, parking) lowers ``L`` and suppresses trips; one
that makes them cheaper or nearer (fares, a tram, densification) induces them. Commute trips
are held (the jobs are held). A logsum that is not finite (no destination reachable) counts as
no change.

The default ``phi`` is 0 (the response off); the evidence for a positive value and why it is off
are in ``parameters.csv`` and ``docs/elasticities.md`` ("Trips made or not made").
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..data.typed_parameters import ModelParameters
from ..kernels.spec import PURPOSES

#: The purpose whose trip rate responds.
OTHER = PURPOSES.index("other")


def frequency_on(parameters: Mapping[str, float]) -> bool:
    """Return True when the run's ``frequency.logsum_coef`` switches the response on."""
    return ModelParameters.of(parameters).frequency.logsum_coef != 0.0


def describe(parameters: Mapping[str, float]) -> dict[str, object]:
    """Return what a run's metadata says of trips made or not made."""
    phi = ModelParameters.of(parameters).frequency.logsum_coef
    return {"response": phi != 0.0, "logsum_coef": phi, "purpose": "other",
            "pivot": "the reference case's non-commute destination-choice logsums of the same "
                     "year, a year's lag",
            "source": "parameters.csv frequency.logsum_coef (0 by default: an assumption; "
                      "SANDAG ABM3 evidence 0.02-0.07)"}


class TripFrequency:
    """A run's trip-frequency response, year by year (see the module docstring).

    :attr:`factor` is this year's trip factor of the grid's cells, shape (S, P, N), or None
    (the response off, no reference case, or the first year); :meth:`respond` takes each
    year's logsums and sets next year's.

    Parameters
    ----------
    phi : float
        ``frequency.logsum_coef``.
    reference : mapping of int to ndarray, optional
        The reference case's logsums of the grid's cells (``DemandOutputs.dest_logsum``,
        shape (S, P, N)) by year; None for a run of the reference case itself.
    """

    def __init__(self, phi: float, reference: Mapping[int, np.ndarray] | None) -> None:
        self.phi = float(phi)
        self.reference = reference
        self.factor: np.ndarray | None = None

    @classmethod
    def of(cls, parameters: Mapping[str, float],
           reference: Mapping[int, np.ndarray] | None) -> TripFrequency:
        """Return the response with the run's ``frequency.logsum_coef``."""
        return cls(ModelParameters.of(parameters).frequency.logsum_coef, reference)

    def respond(self, year: int, dest_logsum: np.ndarray) -> None:
        """Take the year's logsums of the grid's cells (S, P, N); set the next year's factor."""
        if self.phi == 0.0 or self.reference is None or year not in self.reference:
            return
        logsum = np.asarray(dest_logsum, dtype=float)[:, OTHER]
        pivot = np.asarray(self.reference[year], dtype=float)[:, OTHER]
        usable = np.isfinite(logsum) & np.isfinite(pivot)
        change = np.where(usable, logsum - np.where(usable, pivot, 0.0), 0.0)
        factor = np.ones((logsum.shape[0], len(PURPOSES), logsum.shape[1]))
        factor[:, OTHER] = np.exp(self.phi * change)
        self.factor = factor


__all__ = ["OTHER", "TripFrequency", "describe", "frequency_on"]
