"""Accessibility: jobs and residents reachable from every cell within 30 and 45 minutes, by mode.

Door-to-door travel time between two cells, in minutes, with the model's own network
distance (:func:`mobility_sim.kernels.reference.distance_block`: straight line x circuity) and
the year's speeds, the same terms the demand model's utilities use but unweighted (real
minutes, not generalised time):

* **walk** and **bike**: distance / the mode's speed (``speed.walk``, ``speed.bike``);
* **car**: distance x the harmonic mean of the two cells' car speeds (settled with the traffic
  when speeds follow it) + the parking search and walk at the destination;
* **public transport**: the walk to the stop at the origin + half the headway (capped at
  ``pt.wait_cap``) + distance x the harmonic mean of the two cells' PT speeds + the walk from
  the stop at the destination.

A cell reaches a destination cell when the time is at most the threshold; it counts that
cell's jobs (the year's, after growth and densification) and residents. Cells of the grid
only (not the external zones). The SUMI indicator "access to mobility services" and the
dashboard's accessibility maps read this table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..kernels.reference import blocks, distance_block
from ..kernels.spec import BIKE, CAR_ICE, WALK, DemandInputs, DemandParams

#: Thresholds of the accessibility counts, minutes.
THRESHOLDS: tuple[int, ...] = (30, 45)
#: Modes of the accessibility counts.
ACCESS_MODES: tuple[str, ...] = ("walk", "bike", "pt", "car")
#: Columns of the ``access`` table.
ACCESS_COLUMNS: tuple[str, ...] = ("year", "cell_id", "mode", *(f"jobs_{t}" for t in THRESHOLDS),
                                   *(f"residents_{t}" for t in THRESHOLDS))


def travel_minutes(inputs: DemandInputs, params: DemandParams, wait_min: np.ndarray,
                   access_min: np.ndarray, n: int, rows: slice) -> dict[str, np.ndarray]:
    """Door-to-door minutes from the origins ``rows`` to the first ``n`` cells, by mode.

    Parameters
    ----------
    inputs, params
        The year's kernel inputs and parameters.
    wait_min : ndarray, shape (N,)
        Expected wait at each cell's stops (half the headway, capped).
    access_min : ndarray, shape (N,)
        Walk between each cell and its stop.
    n : int
        Cells of the grid (the kernel's inputs may add external zones after them).
    rows : slice
        Origin rows.
    """
    dist = distance_block(inputs, params, rows)[:, :n]
    car = inputs.car_speed
    pt = inputs.pt_speed
    o = np.arange(n)[rows]
    return {
        "walk": dist * (60.0 / params.speed[WALK]),
        "bike": dist * (60.0 / params.speed[BIKE]),
        "car": dist * 30.0 * (1.0 / car[o][:, None] + 1.0 / car[None, :n])
        + inputs.dest_time[CAR_ICE][None, :n],
        "pt": dist * 30.0 * (1.0 / pt[o][:, None] + 1.0 / pt[None, :n])
        + (access_min[o] + wait_min[o])[:, None] + access_min[None, :n],
    }


def accessibility(inputs: DemandInputs, params: DemandParams, wait_min: np.ndarray,
                  access_min: np.ndarray, n: int, jobs: np.ndarray,
                  residents: np.ndarray) -> dict[str, np.ndarray]:
    """Jobs and residents reachable from each cell within each threshold, by mode.

    Returns
    -------
    dict of str to ndarray, shape (n, 2 x len(THRESHOLDS))
        Per mode: jobs within each threshold, then residents within each threshold.
    """
    out = {m: np.zeros((n, 2 * len(THRESHOLDS))) for m in ACCESS_MODES}
    for rows in blocks(n):
        minutes = travel_minutes(inputs, params, wait_min, access_min, n, rows)
        for mode, t in minutes.items():
            for k, limit in enumerate(THRESHOLDS):
                within = t <= limit
                out[mode][rows, k] = within @ jobs
                out[mode][rows, len(THRESHOLDS) + k] = within @ residents
    return out


def access_rows(year: int, cell_ids: np.ndarray, inputs: DemandInputs, params: DemandParams,
                wait_min: np.ndarray, access_min: np.ndarray) -> pd.DataFrame:
    """Return the ``access`` table's rows of one year (:data:`ACCESS_COLUMNS`)."""
    n = cell_ids.size
    jobs = np.asarray(inputs.size[0][:n], float)
    residents = np.asarray(inputs.population[:n], float)
    counts = accessibility(inputs, params, wait_min[:n], access_min[:n], n, jobs, residents)
    frames = []
    for mode, values in counts.items():
        frame = pd.DataFrame(values, columns=list(ACCESS_COLUMNS[3:]))
        frame.insert(0, "mode", mode)
        frame.insert(0, "cell_id", cell_ids)
        frame.insert(0, "year", year)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)

