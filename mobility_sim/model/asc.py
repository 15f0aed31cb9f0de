"""Parameter keys of calibrated constants and how they enter :class:`DemandParams`.

The default table (``parameters.csv``) holds one alternative-specific constant per mode
(``utility.asc.<mode>``), broadcast to every segment and purpose. A calibration may set a
constant per car class, purpose and mode with the key ``utility.asc.<class>.<purpose>.<mode>``,
where ``<class>`` is one of :data:`~mobility_sim.kernels.spec.CAR_CLASSES` (the constant of
every income group of that class: income groups differ by their cost coefficient and car
availability, not by their constants) and ``<mode>`` one of :data:`ASC_MODES` (``car`` sets both
car powertrains: they are one survey mode). :func:`apply_asc_overrides` writes such keys into
a built :class:`~mobility_sim.kernels.spec.DemandParams`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from ..kernels.spec import (
    BIKE,
    CAR_CLASSES,
    CAR_EV,
    CAR_ICE,
    EBIKE,
    PT,
    PURPOSES,
    SEGMENT_CAR_CLASS,
    WALK,
    DemandParams,
)

#: Modes that carry their own constant, and the model modes each one sets.
ASC_MODES: dict[str, tuple[int, ...]] = {
    "walk": (WALK,), "bike": (BIKE,), "ebike": (EBIKE,), "pt": (PT,), "car": (CAR_ICE, CAR_EV),
}
ASC_PREFIX = "utility.asc."


def asc_key(car_class: str, purpose: str, mode: str) -> str:
    """Return the parameter key of one constant, e.g. ``utility.asc.no_car.commute.pt``."""
    return f"{ASC_PREFIX}{car_class}.{purpose}.{mode}"


def class_segments(car_class: int) -> list[int]:
    """Segments of one car class (index into ``CAR_CLASSES``): its income groups."""
    return [s for s, c in enumerate(SEGMENT_CAR_CLASS) if c == car_class]


def parse_asc_key(key: str) -> tuple[list[int], int, tuple[int, ...]] | None:
    """Return ``(segments, purpose, model modes)`` of a per-class constant key.

    Returns ``None`` for a key that is not of the form ``utility.asc.<segment>.<purpose>.<mode>``
    (e.g. the broadcast default ``utility.asc.car``); raises ``KeyError`` for a key of that form
    naming an unknown segment, purpose or mode.
    """
    if not key.startswith(ASC_PREFIX):
        return None
    parts = key[len(ASC_PREFIX):].split(".")
    if len(parts) != 3:
        return None
    segment, purpose, mode = parts
    problems = []
    if segment not in CAR_CLASSES:
        problems.append(f"car class {segment!r} (known: {', '.join(CAR_CLASSES)})")
    if purpose not in PURPOSES:
        problems.append(f"purpose {purpose!r} (known: {', '.join(PURPOSES)})")
    if mode not in ASC_MODES:
        problems.append(f"mode {mode!r} (known: {', '.join(ASC_MODES)})")
    if problems:
        raise KeyError(f"{key}: unknown " + "; unknown ".join(problems))
    return class_segments(CAR_CLASSES.index(segment)), PURPOSES.index(purpose), ASC_MODES[mode]


def apply_asc_overrides(params: DemandParams, values: Mapping[str, float]) -> DemandParams:
    """Return ``params`` with the per-segment constants found in ``values`` written in.

    Parameters
    ----------
    params : DemandParams
        Parameters built from the default table (one constant per mode).
    values : mapping of str to float
        Any parameter dictionary; only keys ``utility.asc.<segment>.<purpose>.<mode>`` are used.

    Returns
    -------
    DemandParams
        A copy with the new constants (``params`` itself is not changed).

    Raises
    ------
    KeyError
        If a key of that form names an unknown segment, purpose or mode.
    """
    asc = np.array(params.asc, dtype=np.float64, copy=True)
    changed = False
    for key, value in values.items():
        parsed = parse_asc_key(key)
        if parsed is None:
            continue
        segments, p, modes = parsed
        asc[np.ix_(segments, [p], list(modes))] = float(value)
        changed = True
    return dataclasses.replace(params, asc=asc) if changed else params


def asc_parameters(asc: np.ndarray) -> dict[str, float]:
    """Return the per-class constant keys of an ``asc`` array of shape (S, P, M).

    Raises
    ------
    ValueError
        If the two car powertrains carry different constants (they are one survey mode), or
        the income groups of a car class do (a calibration sets them together).
    """
    if not np.allclose(asc[:, :, CAR_ICE], asc[:, :, CAR_EV]):
        raise ValueError("car_ice and car_ev constants differ; a calibration sets them together")
    out: dict[str, float] = {}
    for c, car_class in enumerate(CAR_CLASSES):
        segments = class_segments(c)
        if not np.allclose(asc[segments], asc[segments[0]]):
            raise ValueError(f"the income groups of {car_class} carry different constants; "
                             "a calibration sets them together")
        for k, purpose in enumerate(PURPOSES):
            for mode, idx in ASC_MODES.items():
                out[asc_key(car_class, purpose, mode)] = float(asc[segments[0], k, idx[0]])
    return out
