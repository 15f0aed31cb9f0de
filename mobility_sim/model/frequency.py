"""Trips made or not made: residents' non-commute trips follow their accessibility.

With ``frequency.logsum_coef`` ``phi`` above 0, the non-commute trips of each segment's residents
of a cell are multiplied by::

    exp(phi x (L - L0 - ln(g / g0)))

where ``L`` is the segment's non-commute destination-choice logsum of the cell in the previous
simulated year (one year's lag: trip-making habits follow accessibility, they do not anticipate
it), ``L0`` the first simulated year's, and ``g / g0`` the growth of residents and jobs between
those years: every destination growing alike adds ``ln(g / g0)`` to every logsum without
changing anyone's accessibility. A measure that makes trips dearer or slower (a cordon charge,
parking) lowers ``L`` and suppresses trips; one that makes them cheaper or nearer (fares, a
tram, densification) induces them. Commute trips are held (the jobs are held). A logsum that is
not finite (no destination reachable) counts as no change.

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


class TripFrequency:
    """A run's trip-frequency response, year by year (see the module docstring).

    :attr:`factor` is this year's trip factor of the grid's cells, shape (S, P, N), or None
    (the response off, or the first year); :meth:`respond` takes each year's logsums and sets
    next year's.

    Parameters
    ----------
    phi : float
        ``frequency.logsum_coef``.
    growth : mapping of int to float
        Residents and jobs of each simulated year relative to the grid's (``RunSetup.growth``).
    """

    def __init__(self, phi: float, growth: Mapping[int, float]) -> None:
        self.phi = float(phi)
        self.growth = growth
        self.factor: np.ndarray | None = None
        self._first: np.ndarray | None = None
        self._first_growth = 1.0

    @classmethod
    def of(cls, parameters: Mapping[str, float], growth: Mapping[int, float]) -> TripFrequency:
        """Return the response with the run's ``frequency.logsum_coef``."""
        return cls(ModelParameters.of(parameters).frequency.logsum_coef, growth)

    def respond(self, year: int, dest_logsum: np.ndarray) -> None:
        """Take the year's logsums of the grid's cells (S, P, N); set the next year's factor."""
        if self.phi == 0.0:
            return
        logsum = np.asarray(dest_logsum, dtype=float)[:, OTHER]
        growth = float(self.growth.get(year, 1.0))
        if self._first is None:
            self._first, self._first_growth = logsum, growth
            return
        usable = np.isfinite(logsum) & np.isfinite(self._first)
        change = np.where(usable, logsum - np.where(usable, self._first, 0.0), 0.0)
        change = np.where(usable, change - np.log(growth / self._first_growth), 0.0)
        factor = np.ones((logsum.shape[0], len(PURPOSES), logsum.shape[1]))
        factor[:, OTHER] = np.exp(self.phi * change)
        self.factor = factor


__all__ = ["OTHER", "TripFrequency"]
