"""The machine's memory read rate, measured the way the balancing sweeps read memory.

The Furness sweeps of the doubly constrained balancing (:func:`.fused_core.balance_rows`) read
the stored attractiveness array, row after row, on all kernel threads; they are bound by memory
bandwidth, not by arithmetic. :func:`read_probe` sums the rows of an array on the kernels' own
thread pool, so that timing it from Python gives the rate at which this machine can stream an
array from memory: the benchmark's bound for the sweeps (``mobility_sim/bench/``).

Importing this module compiles nothing.
"""

from __future__ import annotations

import numpy as np

from .numba_env import prepare

prepare()

from numba import njit  # noqa: E402 - numba_env.prepare() must run before numba is imported

from .fused_core import FASTMATH  # noqa: E402


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FASTMATH)
def _sum_rows(start: int, stop: int, rows: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    """Add the sum of ``rows[start:stop]`` to ``out[0]`` (row sums in their dtype, then float64)."""
    total = 0.0
    for i in range(start, stop):
        row = rows[i]
        acc = row.dtype.type(0.0)
        for j in range(row.size):
            acc += row[j]
        total += acc
    out[0] += total


def read_probe(rows: np.ndarray) -> float:
    """Read every element of ``rows`` once on the kernels' threads; return their sum.

    Parameters
    ----------
    rows : ndarray, 2-D, C-contiguous
        The array to stream; make it several times larger than the last-level cache (256 MB
        and more read at the same rate as the 1.6 GB array of a 20,000-cell city, measured on
        the 2-core CI VM; 64 MB partly from cache).

    Returns
    -------
    float
        Sum of the elements (kept so the reads cannot be optimised away).
    """
    from .threads import chunk_count, run_chunks

    partial = np.zeros((chunk_count(rows.shape[0]), 1))
    run_chunks(_sum_rows, rows.shape[0], partial, rows)
    return float(partial.sum())
