"""Run a compiled core over chunks of origin rows on a pool of threads.

The cores in :mod:`.fused_core` are serial ``@njit(nogil=True, cache=True)`` functions that
take a row range ``[start, stop)`` and write into their own accumulator; they release the GIL,
so plain Python threads run them in parallel. This replaces ``@njit(parallel=True)`` wrappers
around the same cores, for compile time: numba re-optimises every serial core linked into a
``parallel=True`` function, which took the cold compile of the kernel from about 8 s to about
16 s (measured on the 2-core CI machine; see the note of issue 3). The run time is the same:
both designs split origins into chunks and run each chunk's loop nests unchanged.

The number of workers is numba's own setting, :func:`numba.get_num_threads` (``NUMBA_NUM_THREADS``
at start, :func:`numba.set_num_threads` after), so existing controls keep working.

Importing this module compiles nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

#: Chunks of origins per worker in a pass: a few, so that a worker slowed down by other load on
#: a shared machine does not hold up the others (chunks are handed out as workers get free).
CHUNKS_PER_WORKER = 4

_POOL: ThreadPoolExecutor | None = None
_POOL_SIZE = 0
_POOL_LOCK = threading.Lock()


def workers() -> int:
    """Threads the kernels run on: :func:`numba.get_num_threads` in the calling thread."""
    import numba

    return max(1, int(numba.get_num_threads()))


def chunk_count(n_rows: int) -> int:
    """Chunks of rows per pass for ``n_rows`` origins (at least 1, at most ``n_rows``)."""
    return max(1, min(n_rows, CHUNKS_PER_WORKER * workers()))


def _pool(size: int) -> ThreadPoolExecutor:
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        if _POOL is None or _POOL_SIZE < size:
            if _POOL is not None:
                _POOL.shutdown(wait=False)
            _POOL = ThreadPoolExecutor(max_workers=size, thread_name_prefix="mobility_sim-kernel")
            _POOL_SIZE = size
        return _POOL


def run_chunks(core: Callable[..., Any], n_rows: int, partial: np.ndarray, *args: Any) -> None:
    """Call ``core(start, stop, *args, partial[c])`` for every chunk ``c`` of ``n_rows`` rows.

    Parameters
    ----------
    core : callable
        A compiled ``nogil`` core taking a row range first and its chunk's accumulator last.
    n_rows : int
        Origins to cover; chunk ``c`` of ``C = len(partial)`` is rows
        ``[c * n_rows // C, (c + 1) * n_rows // C)``.
    partial : ndarray, shape (C, ...)
        One accumulator per chunk, zeroed by the caller; the caller adds them up, so the result
        does not depend on which thread ran which chunk.
    *args
        The core's other arguments, shared by all chunks (read-only, or written at rows of the
        chunk only).

    Notes
    -----
    With one worker (``numba.set_num_threads(1)``, as parallel sweeps of runs do) the chunks run
    in the calling thread. Exceptions raised in a chunk are raised here.
    """
    chunks = partial.shape[0]
    bounds = [(c * n_rows // chunks, (c + 1) * n_rows // chunks) for c in range(chunks)]
    size = min(workers(), chunks)
    if size == 1:
        for c, (start, stop) in enumerate(bounds):
            core(start, stop, *args, partial[c])
        return
    pending = iter(range(chunks))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                c = next(pending, None)
            if c is None:
                return
            core(*bounds[c], *args, partial[c])

    # ``size - 1`` pool threads and the calling thread take chunks as they get free: never
    # more than ``size`` at once, even when the pool was made larger for an earlier call.
    futures = [_pool(size - 1).submit(work) for _ in range(size - 1)]
    try:
        work()
    finally:
        for future in futures:
            future.result()
