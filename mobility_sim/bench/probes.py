"""Machine probes of the bench and of the scale estimates: memory, exp rate, memory read rate.

Importing this module imports neither numba nor the kernels.
"""

from __future__ import annotations

import math
import platform
import resource
import time

import numpy as np


def peak_rss_mb() -> float:
    """Return the peak resident memory of this process so far, MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024.0 if platform.system() == "Linux" else peak / 1024.0 / 1024.0


def available_mb() -> float:
    """Return the memory available to new processes, MB (``inf`` where it cannot be read)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) / 1024.0
    except OSError:
        pass
    return math.inf


def exp_rate(dtype: type, threads: int, seconds: float = 0.3) -> float:
    """Measure the vectorised exp rate (evaluations per second) on ``threads`` threads.

    Parameters
    ----------
    dtype : type
        float32 or float64.
    threads : int
        Parallel workers.
    seconds : float
        Rough duration of the measurement.

    Returns
    -------
    float
        Exponentials per second (best of three).
    """
    from ..kernels.fastexp import exp_probe

    x = np.linspace(-20.0, 0.0, 4096).astype(dtype)
    shift = np.linspace(0.0, 1e-3, 7).astype(dtype)
    exp_probe(x, shift, 1, threads)
    sweeps = 64
    start = time.perf_counter()
    exp_probe(x, shift, sweeps, threads)
    elapsed = time.perf_counter() - start
    sweeps = max(1, int(sweeps * seconds / max(elapsed, 1e-6)))
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        exp_probe(x, shift, sweeps, threads)
        best = min(best, time.perf_counter() - start)
    return threads * sweeps * x.size / best


def read_rate(megabytes: float = 256.0, repeats: int = 5) -> float:
    """Measure the memory read rate (bytes per second) on the kernels' threads.

    Parameters
    ----------
    megabytes : float
        Size of the array streamed (see :func:`.kernels.bandwidth.read_probe`).
    repeats : int
        Timed passes; the fastest counts.

    Returns
    -------
    float
        Bytes read per second.
    """
    from ..kernels.bandwidth import read_probe

    rows = np.ones((max(1, int(megabytes * 2**20 / 4 / 4096)), 4096), dtype=np.float32)
    read_probe(rows)
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        read_probe(rows)
        best = min(best, time.perf_counter() - start)
    return rows.nbytes / best
