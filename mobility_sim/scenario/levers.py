"""Measures -> the value of each lever in each year.

A measure's *intensity* in a year runs from 0 (before ``start``) to 1 (from ``end`` on) along its
profile; a lever's value is its baseline moved towards the measure's target by the intensity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .models import EvSalesShare, MeasureBase, PtFrequency


def intensity(measure: MeasureBase, year: int) -> float:
    """Return how far ``measure`` has taken effect in ``year``, in [0, 1].

    ``step`` is 1 from ``start``; ``linear`` rises evenly from 0 in ``start`` to 1 in ``end``;
    ``s-curve`` follows the smoothstep ``3t^2 - 2t^3`` of the same ``t``.
    """
    if year < measure.start:
        return 0.0
    end = measure.full_year
    if measure.profile == "step" or year >= end:
        return 1.0
    t = (year - measure.start) / (end - measure.start)
    if measure.profile == "linear":
        return t
    return t * t * (3.0 - 2.0 * t)


@dataclass(frozen=True)
class YearLevers:
    """Lever values of one year.

    Attributes
    ----------
    year : int
        The year.
    bev_sales_share : float
        Battery-electric share of new car sales.
    headway_factor : ndarray, shape (N,)
        Multiplier of each cell's PT headway.
    active : dict of str to float
        Intensity of each measure (by its label) in this year.
    """

    year: int
    bev_sales_share: float
    headway_factor: np.ndarray
    active: dict[str, float]


def year_levers(
    measures: Sequence[MeasureBase],
    masks: Sequence[np.ndarray],
    year: int,
    n_cells: int,
    baseline_bev_sales: float,
) -> YearLevers:
    """Apply every measure to the baseline lever values of ``year``.

    Parameters
    ----------
    measures : sequence of MeasureBase
        The scenario's measures, in file order (later measures act on the result of earlier
        ones).
    masks : sequence of ndarray of bool
        Cells each measure applies to.
    year : int
        The year.
    n_cells : int
        Number of grid cells.
    baseline_bev_sales : float
        Battery-electric share of new car sales without any measure.
    """
    bev = baseline_bev_sales
    headway = np.ones(n_cells)
    active: dict[str, float] = {}
    for measure, mask in zip(measures, masks, strict=True):
        level = intensity(measure, year)
        active[measure.display_label] = level
        if isinstance(measure, EvSalesShare):
            bev = bev + level * (measure.share - bev)
        elif isinstance(measure, PtFrequency):
            headway[mask] *= 1.0 + level * (measure.headway_factor - 1.0)
        else:  # pragma: no cover - every model class is handled above
            raise TypeError(f"no lever for measure type {type(measure).__name__}")
    return YearLevers(year=year, bev_sales_share=bev, headway_factor=headway, active=active)
