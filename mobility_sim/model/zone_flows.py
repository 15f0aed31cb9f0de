"""Trips into, out of and within a named zone (the centre, a low-emission zone, a cordon).

A cordon charge or a low-emission zone is judged, in the cities that ran one, on the vehicles
entering it. The kernel returns trips by origin and by destination, not by pair; the trips that
both start and end in a zone are recomputed here for the zones' origins only (``|Z| x N`` cell
pairs, with the year's balancing factors), by the run's kernel implementation (the fused
kernel's flows pass, or the NumPy reference, the model's specification:
``trips_by_destination`` in :mod:`mobility_sim.kernels`), on the owners' kernel segments as the
demand ran (:mod:`.car_owners`). Then, per mode,

- trips arriving in the zone = the kernel's trips by destination over the zone's cells (from
  anywhere: residents, non-residents from the external zones);
- trips within = from the zone's cells to the zone's cells;
- trips entering = arriving - within; trips leaving = departing (the zone's residents' trips)
  - within.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..kernels.spec import MODES, DemandInputs, DemandOutputs, DemandParams
from .car_owners import split_owners
from .kernel import DestinationFn


@dataclass(frozen=True)
class ZoneFlows:
    """One year's daily trips of one zone by mode, shape (M,) each.

    Attributes
    ----------
    arriving, within, entering, leaving : ndarray
        Trips ending in the zone; starting and ending in it; ending in it from outside;
        starting in it to outside.
    pkm_from : ndarray
        Passenger-km of the trips starting in the zone (whole trips).
    """

    arriving: np.ndarray
    within: np.ndarray
    entering: np.ndarray
    leaving: np.ndarray
    pkm_from: np.ndarray


def zone_flows(inputs: DemandInputs, params: DemandParams, out: DemandOutputs,
               masks: Sequence[np.ndarray], destinations: DestinationFn) -> list[ZoneFlows]:
    """Trips of each zone in one year (see the module docstring).

    The origins of all zones are evaluated in one pass (zones often share cells).

    Parameters
    ----------
    inputs, params : DemandInputs, DemandParams
        The year's kernel inputs (grid cells, then any external zones) and parameters.
    out : DemandOutputs
        The year's outputs for the grid's cells (their balancing factors for every zone).
    masks : sequence of ndarray of bool, shape (N,)
        Each zone's grid cells.
    destinations : callable
        Trips by mode and destination from groups of origins, of the run's kernel
        implementation (:func:`.kernel.destinations_for`).
    """
    if not masks:
        return []
    inputs, params, _ = split_owners(inputs, params)
    n_grid = masks[0].size
    pad = inputs.n_cells - n_grid
    inside = np.array([np.concatenate([m, np.zeros(pad, dtype=bool)]) for m in masks])
    # origins grouped by the zones they are in: one group per distinct membership
    rows = np.flatnonzero(inside.any(axis=0))
    within = np.zeros((len(masks), len(MODES)))
    if rows.size:
        member, group_of = np.unique(inside[:, rows].T, axis=0, return_inverse=True)
        groups = [rows[group_of.ravel() == g] for g in range(member.shape[0])]
        trips = destinations(inputs, params, np.asarray(out.balancing, dtype=float), groups)
        for g, zones_in in enumerate(member):
            for k in np.flatnonzero(zones_in):
                within[k] += trips[g][:, inside[k]].sum(axis=1)
    result = []
    for k, mask in enumerate(masks):
        arriving = out.trips_to[mask].sum(axis=0)
        departing = out.trips[:, :, mask].sum(axis=(0, 1, 2))
        result.append(ZoneFlows(arriving=arriving, within=within[k],
                                entering=np.maximum(arriving - within[k], 0.0),
                                leaving=np.maximum(departing - within[k], 0.0),
                                pkm_from=out.pkm[:, :, mask].sum(axis=(0, 1, 2))))
    return result
