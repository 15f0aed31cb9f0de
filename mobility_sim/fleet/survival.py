"""Weibull survival curves of vehicles and the age profile they imply.

A vehicle sold in year ``v`` is still registered at age ``a`` with probability
``S(a) = exp(-(a / scale) ** shape)``; the scale follows from the mean lifespan,
``scale = mean / Gamma(1 + 1 / shape)``. Every vehicle left at ``max_age`` is retired.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Survival:
    """A Weibull survival curve with a hard maximum age.

    Attributes
    ----------
    mean_lifetime : float
        Mean lifespan, years.
    shape : float
        Weibull shape (larger: retirements gather closer to the mean).
    max_age : int
        Age at which all remaining vehicles retire; ages run 0..max_age.
    """

    mean_lifetime: float
    shape: float
    max_age: int

    def __post_init__(self) -> None:
        if not (self.mean_lifetime > 0 and self.shape > 0 and self.max_age >= 1):
            raise ValueError("survival curve needs mean_lifetime > 0, shape > 0, max_age >= 1 "
                             f"(got {self.mean_lifetime}, {self.shape}, {self.max_age})")

    @property
    def scale(self) -> float:
        """Weibull scale, years."""
        return self.mean_lifetime / math.gamma(1.0 + 1.0 / self.shape)

    @property
    def median_lifetime(self) -> float:
        """Median lifespan, years."""
        return self.scale * math.log(2.0) ** (1.0 / self.shape)

    def survival(self, age: np.ndarray | float) -> np.ndarray:
        """Probability of still being in the fleet at ``age`` (1 at age 0)."""
        a = np.asarray(age, dtype=float)
        return np.exp(-((np.maximum(a, 0.0) / self.scale) ** self.shape))

    def retirement_rates(self) -> np.ndarray:
        """Share of the vehicles of each age 0..max_age retired before their next birthday.

        ``h[a] = 1 - S(a + 1) / S(a)``, and ``h[max_age] = 1``.
        """
        ages = np.arange(self.max_age + 1, dtype=float)
        s_now, s_next = self.survival(ages), self.survival(ages + 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            rates = np.where(s_now > 0, 1.0 - s_next / s_now, 1.0)
        rates[-1] = 1.0
        return rates

    def steady_state_ages(self, growth: float = 0.0) -> np.ndarray:
        """Age profile of a fleet fed by sales growing at ``growth`` per year (sums to 1).

        With constant sales (``growth = 0``) the share of age ``a`` is proportional to
        ``S(a)``; this is the assumed age profile of the initial fleet.
        """
        ages = np.arange(self.max_age + 1, dtype=float)
        weights = self.survival(ages) * (1.0 + growth) ** (-ages)
        return weights / weights.sum()
