"""Car ownership: each cell's car-available share follows the accessibility a car gives.

The base year's car-available share of a cell (the city's cars per 1,000 spread by density, or
the grid's own layer; :func:`mobility_sim.model.inputs.cell_layers`) is what it is. From then
on residents respond to what having a car is worth to them, as in the household car-ownership
models of activity-based demand models: the utility of having a car includes the
destination-choice logsum of the non-commute purpose of a household with a car, the utility of
having none the logsum of a household without (SANDAG's ActivitySim resident model, the
one-car and zero-car alternatives: ``ownership.logsum_coef_car`` 0.517,
``ownership.logsum_coef_no_car`` 0.423). Pivoting on the first simulated year, the long-run
change of a cell's car-available log-odds is

    T_i = sum_g share_g (b_car (L_car,g,i - L0_car,g,i) - b_none (L_none,g,i - L0_none,g,i))

over the income groups ``g`` (:data:`mobility_sim.model.income.GROUP_SHARE`), with ``L`` this
year's logsums of the kernel (``DemandOutputs.dest_logsum``, non-commute purpose) and ``L0``
the first year's. Ownership adjusts partially: a quarter of the gap closes each year
(``ownership.carry_over`` 0.75: the long run about four times the short run, TRRL's lagged
car-ownership model), so next year's shift is ``S' = c S + (1 - c) T``. The shift applies to
every cell's log-odds (the income groups keep their offsets around it,
:func:`mobility_sim.model.income.car_available_by_group`), and the city's car stock in the
fleet model follows the residents with a car (:func:`stock_factor`).

What moves it: parking prices and charges, fuel and carbon prices and congestion lower the
logsum with a car; better public transport, cycling and densification raise the one without
(and, less, the one with a car); values of time rising with income make the car's money costs
weigh less. Caveats: SANDAG's model is estimated on San Diego households, whose logsums are
those of its own demand model (the coefficients are taken as they are: our logsums are of the
same kind, destination-choice logsums in utils of a logit); the coefficients differ, so a
uniform rise of both logsums (more destinations everywhere) raises ownership a little; the
response lags by a year (this year's logsums set next year's ownership); a measure acting in
the first simulated year is part of the pivot (the library's measures start later).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..data.typed_parameters import ModelParameters
from ..kernels.spec import CAR_CLASSES, PURPOSES, SEGMENT_CAR_CLASS, SEGMENT_INCOME_GROUP
from .income import GROUP_SHARE

#: The purpose whose logsums measure what a car is worth (SANDAG: shopping and discretionary).
PURPOSE = PURPOSES.index("other")


def accessibility_gap(dest_logsum: np.ndarray) -> np.ndarray:
    """Return the car's accessibility terms of each cell, shape (2, N): with a car, without.

    Each is the income-group-weighted non-commute destination-choice logsum of residents with
    (without) a car; a logsum that is not finite (a cell with no reachable destination) counts
    as 0 and is then held (:func:`long_run_shift` compares with the first year's).
    """
    n = dest_logsum.shape[2]
    out = np.zeros((2, n))
    for s, (car_class, group) in enumerate(zip(SEGMENT_CAR_CLASS, SEGMENT_INCOME_GROUP,
                                               strict=True)):
        cls = 0 if CAR_CLASSES[car_class] == "car_available" else 1
        weight = GROUP_SHARE[group]
        values = np.asarray(dest_logsum[s, PURPOSE], dtype=float)
        out[cls] += weight * np.where(np.isfinite(values), values, 0.0)
    return out


def long_run_shift(terms: np.ndarray, first: np.ndarray, p: Mapping[str, float]) -> np.ndarray:
    """Long-run change of each cell's car-available log-odds (``T`` of the module docstring).

    ``terms`` and ``first`` are :func:`accessibility_gap` of this year and of the first year.
    """
    mp = ModelParameters.of(p).ownership
    change = terms - first
    return mp.logsum_coef_car * change[0] - mp.logsum_coef_no_car * change[1]


def next_shift(shift: np.ndarray, target: np.ndarray, p: Mapping[str, float],
               years: int = 1) -> np.ndarray:
    """Return the log-odds shift ``years`` on: ``c^k shift + (1 - c^k) target``.

    Partial adjustment at ``c`` = ``ownership.carry_over`` a year, over the ``k`` = ``years``
    between two simulated years (the target held meanwhile).
    """
    c = ModelParameters.of(p).ownership.carry_over ** max(int(years), 1)
    return c * np.asarray(shift, float) + (1.0 - c) * np.asarray(target, float)


def shifted(car_available: np.ndarray, shift: np.ndarray | None) -> np.ndarray:
    """Return the car-available shares with their log-odds moved by ``shift``.

    Shares of exactly 0 or 1 stay (no log-odds); None leaves them unchanged.
    """
    a = np.asarray(car_available, dtype=float)
    if shift is None:
        return a
    inner = (a > 0.0) & (a < 1.0)
    out = a.copy()
    odds = np.log(a[inner] / (1.0 - a[inner])) + np.asarray(shift, float)[inner]
    out[inner] = 1.0 / (1.0 + np.exp(-odds))
    return out


def stock_factor(car_available: np.ndarray, shift: np.ndarray | None,
                 population: np.ndarray) -> float:
    """Residents with a car after the shift over before it: the car stock's multiplier."""
    pop = np.asarray(population, dtype=float)
    before = float((pop * np.asarray(car_available, float)).sum())
    if shift is None or before <= 0:
        return 1.0
    return float((pop * shifted(car_available, shift)).sum()) / before


def describe(p: Mapping[str, float]) -> dict[str, object]:
    """Return what a run's metadata says of the car-ownership response."""
    mp = ModelParameters.of(p).ownership
    return {"response": bool(mp.response > 0),
            "logsum_coef_car": mp.logsum_coef_car, "logsum_coef_no_car": mp.logsum_coef_no_car,
            "carry_over": mp.carry_over,
            "source": "SANDAG ABM3 ActivitySim auto ownership (coef_nonmand_logsum_1 and _0); "
                      "partial adjustment from TRRL LR1072 (long run about 4x the short run)",
            "pivot": "the first simulated year's non-commute destination-choice logsums"}
