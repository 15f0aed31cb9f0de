"""What calibration and validation read off a model run: survey-mode shares, trip lengths, vkm."""

from __future__ import annotations

import numpy as np

from ..kernels.spec import CAR_ICE, CAR_MODES, MODES, DemandOutputs
from ..model.modes import SURVEY_MODES


def mode_totals(out: DemandOutputs, unit: str, purposes: tuple[int, ...]) -> np.ndarray:
    """Daily trips or passenger-km per model mode over the given purposes, shape (M,)."""
    table = out.trips if unit == "trips" else out.pkm
    return table[:, list(purposes)].sum(axis=(0, 1, 2))


def survey_mode_shares(out: DemandOutputs, unit: str,
                       purposes: tuple[int, ...]) -> dict[str, float]:
    """Share of each survey mode (walk, bike, pt, car) among the modelled modes."""
    totals = mode_totals(out, unit, purposes)
    grand = float(totals.sum())
    return {m: float(totals[list(idx)].sum()) / grand if grand > 0 else 0.0
            for m, idx in SURVEY_MODES.items()}


def mean_trip_length(out: DemandOutputs, purposes: tuple[int, ...],
                     modes: tuple[int, ...] | None = None) -> float:
    """Mean network distance per trip, km, over purposes and (by default) all modes."""
    cols = list(modes) if modes is not None else list(range(len(MODES)))
    trips = out.trips[:, list(purposes)][..., cols].sum()
    pkm = out.pkm[:, list(purposes)][..., cols].sum()
    return float(pkm / trips) if trips > 0 else float("nan")


def car_vkm(out: DemandOutputs) -> float:
    """Daily car vehicle-km (both powertrains)."""
    return float(out.vkm[:, list(CAR_MODES)].sum())


def combustion_car_vkm(out: DemandOutputs) -> float:
    """Daily vehicle-km of combustion cars."""
    return float(out.vkm[:, CAR_ICE].sum())
