"""The model's implied elasticities, by small perturbations, beside published ranges.

Each elasticity is an arc elasticity over a small symmetric change ``x (1 +/- h)`` of one lever
around the baseline::

    E = (ln Q(+) - ln Q(-)) / (ln(1 + h) - ln(1 - h))

These one-year perturbations hold car ownership, trip frequency, fuel efficiency and road
speeds fixed (in a simulated run car ownership answers a year later and speeds follow
traffic). Its full response (mode and destination choice) sits between the short run, which the
TRACE project and de Jong & Gunn limit to mode choice, and the long run. The fuel-cost elasticity
is therefore also computed with destinations held at the baseline (``car_fuel_vkm_short``: mode
choice only). Both perturb the fuel cost per km at fixed fuel efficiency, so they are compared
with published fuel-PRICE elasticities converted to the cost per km (the ``derivation`` column of
``mobility_sim/data/elasticities.csv`` says how); the table says which run and context each
published figure describes. Both measure the vehicle-km of combustion cars, the cars whose fuel
cost changes: the published figures were measured on fleets of combustion cars, and the
electric cars of today's fleets (31 % of Oslo's car-km in its base year) neither pay the fuel
nor, their owners choosing apart (:mod:`mobility_sim.model.car_owners`), answer it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..data import read_table
from ..kernels import reference
from ..kernels.spec import CAR_ICE, CAR_MODES, PT, PURPOSES, DemandOutputs, DemandParams
from ..model.base_year import BaselineModel
from ..model.car_owners import owner_params, split_owners
from .outputs import combustion_car_vkm


@dataclass(frozen=True)
class Elasticity:
    """One implied elasticity: which lever moves, which quantity is measured."""

    key: str
    lever: str
    quantity: str


#: The elasticities computed, in report order.
ELASTICITIES: tuple[Elasticity, ...] = (
    Elasticity("pt_fare", "PT fare per trip", "PT trips"),
    Elasticity("pt_service", "PT service frequency (1 / headway; moves the wait time)",
               "PT trips"),
    Elasticity("pt_ivt", "PT in-vehicle time (1 / PT speed)", "PT trips"),
    Elasticity("car_fuel_vkm", "fuel cost per km of combustion cars (fuel efficiency fixed)",
               "combustion-car vehicle-km (mode and destination choice)"),
    Elasticity("car_fuel_vkm_short", "fuel cost per km of combustion cars (fuel efficiency fixed)",
               "combustion-car vehicle-km, destinations held at the baseline (mode choice "
               "only)"),
    Elasticity("parking", "parking price at the destination",
               "car trips to cells where parking is paid"),
    Elasticity("pt_cross_fuel", "fuel cost per km of combustion cars", "PT trips"),
)
#: Expected sign of each elasticity (all published ranges agree with it).
EXPECTED_SIGN: dict[str, int] = {"pt_fare": -1, "pt_service": 1, "pt_ivt": -1,
                                 "car_fuel_vkm": -1, "car_fuel_vkm_short": -1, "parking": -1,
                                 "pt_cross_fuel": 1}


def literature() -> pd.DataFrame:
    """Return published elasticities, one row per source.

    Columns ``elasticity, low, high, context, source, derivation``; ``derivation`` is empty where
    the published figure is used as it is, and says how it was converted otherwise.
    """
    table = read_table("elasticities.csv")
    table["derivation"] = table["derivation"].fillna("")
    return table


def combustion_car_vkm_destinations_held(model: BaselineModel, baseline: DemandOutputs,
                                         params: DemandParams,
                                         changed: tuple[int, ...] | None = None) -> float:
    """Daily combustion-car vehicle-km, the baseline's destinations, ``params``' mode shares.

    Trips from ``i`` to ``j`` stay those of the baseline (its destination probabilities and
    balancing factors); only the choice of mode on each origin-destination pair follows
    ``params``. Computed with the readable reference model, block by block, on the kernel's
    segments (:mod:`mobility_sim.model.car_owners`).

    Parameters
    ----------
    model : BaselineModel
        The baseline; ``model.params`` fix the destinations.
    baseline : DemandOutputs
        Outputs of ``model.params`` (for the balancing factors).
    params : DemandParams
        Parameters whose mode shares are applied.
    changed : tuple of int, optional
        The modes whose utilities ``params`` change against ``model.params`` (the others'
        weights are the baseline's, computed once per block); default: all.

    Returns
    -------
    float
        Combustion-car vehicle-km per day.
    """
    # the kernel's segments: owners of combustion and of electric cars apart (model/car_owners)
    inputs, base, split = split_owners(model.inputs, model.params)
    params = owner_params(params, split)
    total = 0.0
    for k in range(len(PURPOSES)):
        origins = reference.productions(inputs, base, k)
        factors = baseline.balancing[k]
        for s in range(inputs.segment_share.shape[0]):
            for rows in reference.blocks(model.city.n_cells):  # the grid's residents
                dist = reference.distance_block(inputs, base, rows)
                attract, weights = reference.attractiveness(inputs, base, s, k, rows, dist)
                flow = reference.destination_flows(origins[s, rows], attract, factors)
                new = reference.mode_weights(inputs, params, s, k, rows, dist, changed)
                if changed is not None:
                    weights[list(changed)] = new[list(changed)]
                    new = weights
                share = reference.mode_shares(new, params)
                total += float((flow * share[CAR_ICE] * dist).sum()) * params.vkm_per_pkm[CAR_ICE]
    return total


def _pt_trips(out: DemandOutputs) -> float:
    return float(out.trips[..., PT].sum())


def _paid_parking_car_trips(model: BaselineModel) -> Callable[[DemandOutputs], float]:
    paid = (model.inputs.dest_cost[:, list(CAR_MODES), :model.city.n_cells] > 0).any(axis=(0, 1))

    def quantity(out: DemandOutputs) -> float:
        return float(out.trips_to[paid][:, list(CAR_MODES)].sum())

    return quantity


def _runner(model: BaselineModel, key: str) -> tuple[Callable[[float], Any],
                                                     Callable[[Any], float]] | None:
    """Return ``(run with lever factor f, quantity of its result)`` for one elasticity."""
    params, inputs = model.params, model.inputs
    if key == "pt_fare":
        def run(f: float) -> DemandOutputs:
            return model.run(dataclasses.replace(params, fare=_scaled(params.fare, [PT], f)))
        return run, _pt_trips
    if key == "pt_service":
        return (lambda f: model.run(params, model.inputs_with_headway(1.0 / f))), _pt_trips
    if key == "pt_ivt":
        def run_ivt(f: float) -> DemandOutputs:
            return model.run(params, dataclasses.replace(inputs, pt_speed=inputs.pt_speed / f))
        return run_ivt, _pt_trips
    if key in ("car_fuel_vkm", "pt_cross_fuel"):
        def run_fuel(f: float) -> DemandOutputs:
            cost = _scaled(params.cost_per_km, [CAR_ICE], f)
            return model.run(dataclasses.replace(params, cost_per_km=cost))
        return run_fuel, (combustion_car_vkm if key == "car_fuel_vkm" else _pt_trips)
    if key == "car_fuel_vkm_short":
        baseline = model.run()

        def run_held(f: float) -> DemandParams:
            return dataclasses.replace(params,
                                       cost_per_km=_scaled(params.cost_per_km, [CAR_ICE], f))
        return run_held, (lambda changed: combustion_car_vkm_destinations_held(
            model, baseline, changed, (CAR_ICE,)))
    if key == "parking":
        paid = (inputs.dest_cost[:, list(CAR_MODES), :] > 0).any()
        if not paid:
            return None

        def run_parking(f: float) -> DemandOutputs:
            cost = np.array(inputs.dest_cost, copy=True)
            cost[:, list(CAR_MODES), :] *= f
            return model.run(params, dataclasses.replace(inputs, dest_cost=cost))
        return run_parking, _paid_parking_car_trips(model)
    raise KeyError(key)


def _scaled(values: np.ndarray, index: list[int], factor: float) -> np.ndarray:
    out = np.array(values, dtype=np.float64, copy=True)
    out[index] *= factor
    return out


def implied_elasticities(model: BaselineModel, step: float = 0.01) -> pd.DataFrame:
    """Compute the model's elasticities around its baseline by +/- ``step`` perturbations.

    Parameters
    ----------
    model : BaselineModel
        The (calibrated) baseline.
    step : float
        Relative change of each lever (0.01 = 1 %).

    Returns
    -------
    pandas.DataFrame
        Columns ``elasticity, lever, quantity, model``; ``model`` is NaN where the lever does
        not exist in the city (e.g. no paid parking anywhere).
    """
    rows = []
    for item in ELASTICITIES:
        runner = _runner(model, item.key)
        value = float("nan")
        if runner is not None:
            run, quantity = runner
            up, down = quantity(run(1.0 + step)), quantity(run(1.0 - step))
            if up > 0 and down > 0:
                value = (math.log(up) - math.log(down)) / (math.log1p(step) - math.log1p(-step))
        rows.append({"elasticity": item.key, "lever": item.lever, "quantity": item.quantity,
                     "model": value})
    return pd.DataFrame(rows)


def compare_with_literature(implied: pd.DataFrame,
                            published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Put implied elasticities beside the span of published values.

    Returns
    -------
    pandas.DataFrame
        ``implied`` plus ``published_low``, ``published_high`` (the span over all cited rows),
        ``n_sources``, ``sign_ok``, ``inside`` (None where nothing is cited), ``sources`` and
        ``converted`` (True where a published figure was converted, see ``derivation`` in
        :func:`literature`).
    """
    published = literature() if published is None else published
    out = implied.copy()
    lows, highs, counts, inside, signs, sources, converted = [], [], [], [], [], [], []
    for key, value in zip(out["elasticity"], out["model"], strict=True):
        rows = published[published["elasticity"] == key]
        signs.append(bool(np.sign(value) == EXPECTED_SIGN[key]) if np.isfinite(value) else None)
        counts.append(len(rows))
        if rows.empty:
            lows.append(np.nan)
            highs.append(np.nan)
            inside.append(None)
            sources.append("")
            converted.append(False)
            continue
        low, high = float(rows["low"].min()), float(rows["high"].max())
        lows.append(low)
        highs.append(high)
        inside.append(bool(low <= value <= high) if np.isfinite(value) else None)
        sources.append("; ".join(rows["source"]))
        derivation = rows["derivation"] if "derivation" in rows else pd.Series([], dtype=str)
        converted.append(bool(derivation.fillna("").str.len().gt(0).any()))
    out["published_low"] = lows
    out["published_high"] = highs
    out["n_sources"] = counts
    out["sign_ok"] = signs
    out["inside"] = inside
    out["sources"] = sources
    out["converted"] = converted
    return out
