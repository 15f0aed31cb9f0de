"""Owners of combustion and of electric cars choose modes separately.

The model's segments (:data:`~mobility_sim.kernels.spec.SEGMENTS`) give residents with a car
available both car alternatives, weighted by the fleet's shares: pooled that way, the owner of a
combustion car whose trip a zero-emission zone bars would take an electric car instead, and the
electric cars' trips grow where combustion cars are barred or charged. The demand kernels are
run instead on *kernel segments*: each car-available segment is split into the residents whose
household car is a combustion car (``share x ice / (ice + ev)``, with only the combustion
alternative) and those whose car is electric (only the electric one); the other segments are
kept. Each owner class faces its own car's costs, zones and charges, and the outputs are merged
back into the model's segments (trips and passenger-km added; the destination-choice logsum the
owners' share-weighted mean, the expected welfare of the segment's residents).

:func:`split_owners` makes the kernel inputs, :func:`merge_owners` the model's outputs, and
:func:`owner_demand` runs a kernel through both: every model run of the demand goes through it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from ..exceptions import ScenarioError
from ..kernels.spec import (
    CAR_CLASSES,
    CAR_EV,
    CAR_ICE,
    SEGMENT_CAR_CLASS,
    DemandInputs,
    DemandOutputs,
    DemandParams,
    UtilityRangeError,
)
from .kernel import KernelFn


@dataclass(frozen=True)
class OwnerSplit:
    """How kernel segments map to the model's segments.

    Attributes
    ----------
    parent : ndarray of int, shape (S',)
        Model segment of each kernel segment.
    weight : ndarray, shape (S', N)
        Share of the parent segment's residents in each kernel segment, per cell (1 for a
        segment that is not split).
    """

    parent: np.ndarray
    weight: np.ndarray


def split_owners(inputs: DemandInputs, params: DemandParams
                 ) -> tuple[DemandInputs, DemandParams, OwnerSplit]:
    """Kernel inputs with each segment that has both car alternatives split by car owned.

    A car-available segment of the model (:data:`~mobility_sim.kernels.spec.SEGMENTS`) is split
    where its origin weights of both car alternatives are positive somewhere; the no-car
    segments' shared cars stay pooled (a car-sharing member takes whichever car is free), and
    inputs with other segments than the model's are returned as they are. The combustion owners
    get the segment's share times ``a_ice / (a_ice + a_ev)`` and an origin weight
    ``a_ice + a_ev`` for the combustion car only; the electric owners likewise.
    """
    avail = np.asarray(inputs.origin_avail, dtype=float)
    share = np.asarray(inputs.segment_share, dtype=float)
    ice, ev = avail[:, CAR_ICE], avail[:, CAR_EV]
    owners = (np.array(SEGMENT_CAR_CLASS) == CAR_CLASSES.index("car_available")
              if share.shape[0] == len(SEGMENT_CAR_CLASS) else np.zeros(share.shape[0], bool))
    both = owners & (ice > 0).any(axis=1) & (ev > 0).any(axis=1)
    parents, weights, shares, avails = [], [], [], []
    for s in range(share.shape[0]):
        if not both[s]:
            parents.append(s)
            weights.append(np.ones(share.shape[1]))
            shares.append(share[s])
            avails.append(avail[s])
            continue
        total = ice[s] + ev[s]
        frac_ice = np.divide(ice[s], total, out=np.ones_like(total), where=total > 0)
        for frac, kept, dropped in ((frac_ice, CAR_ICE, CAR_EV), (1.0 - frac_ice, CAR_EV, CAR_ICE)):
            own = avail[s].copy()
            own[kept], own[dropped] = np.minimum(total, 1.0), 0.0  # fleet shares: 1 + eps
            parents.append(s)
            weights.append(frac)
            shares.append(share[s] * frac)
            avails.append(own)
    parent = np.array(parents, dtype=np.int64)
    split = OwnerSplit(parent=parent, weight=np.array(weights))
    if parent.size == share.shape[0]:
        return inputs, params, split
    factor = inputs.trip_factor
    if factor is not None and np.asarray(factor).ndim == 3:  # by segment: each owner its own
        factor = np.asarray(factor)[parent]
    kernel_inputs = dataclasses.replace(inputs, segment_share=np.array(shares),
                                        origin_avail=np.array(avails), trip_factor=factor)
    return kernel_inputs, owner_params(params, split), split


def owner_params(params: DemandParams, split: OwnerSplit) -> DemandParams:
    """Return ``params`` on the kernel segments of ``split`` (each owner takes its segment's)."""
    if np.array_equal(split.parent, np.arange(np.asarray(params.cost_coef).shape[0])):
        return params
    return dataclasses.replace(params, asc=np.asarray(params.asc)[split.parent],
                               cost_coef=np.asarray(params.cost_coef)[split.parent])


def merge_owners(out: DemandOutputs, split: OwnerSplit, n_segments: int) -> DemandOutputs:
    """Return the model's outputs from the kernel segments' (see the module docstring)."""
    if split.parent.size == n_segments:
        return out
    trips = np.zeros((n_segments, *out.trips.shape[1:]))
    pkm = np.zeros_like(trips)
    # the owners' weights of a split segment add up to 1 in every cell; a weight of 0 adds 0
    # (never 0 x -inf)
    weight = np.broadcast_to(split.weight[:, None, :], out.dest_logsum.shape)
    terms = np.where(weight > 0, weight * np.where(weight > 0, out.dest_logsum, 0.0), 0.0)
    logsum = np.zeros((n_segments, *out.dest_logsum.shape[1:]))
    for k, parent in enumerate(split.parent):  # kernel segment -> the model's
        trips[parent] += out.trips[k]
        pkm[parent] += out.pkm[k]
        logsum[parent] += terms[k]
    return dataclasses.replace(out, trips=trips, pkm=pkm, dest_logsum=logsum)


def owner_demand(kernel: KernelFn, inputs: DemandInputs, params: DemandParams,
                 balancing: np.ndarray | None) -> DemandOutputs:
    """Run ``kernel`` on the owners' kernel segments and return the model's segments.

    Raises
    ------
    ScenarioError
        When the engine's results are not finite (:class:`~mobility_sim.kernels.spec.
        UtilityRangeError`): the error names the parameters that put the utilities out of range.
    """
    kernel_inputs, kernel_params, split = split_owners(inputs, params)
    try:
        out = kernel(kernel_inputs, kernel_params, balancing)
    except UtilityRangeError as exc:
        raise ScenarioError(
            f"the demand model cannot be computed with these parameters: {exc}. Where: the "
            "parameters nest.scale_1 .. nest.scale_3 and cost_damping.exponent (a scenario's "
            "or the city's 'parameters:'); fix: nest scales nearer 1 (the defaults, 0.73 and 0.77, "
            "are Koppelman and Bhat's estimates) or cost damping nearer 0") from exc
    return merge_owners(out, split, np.asarray(inputs.segment_share).shape[0])


__all__ = ["OwnerSplit", "merge_owners", "owner_demand", "owner_params", "split_owners"]
