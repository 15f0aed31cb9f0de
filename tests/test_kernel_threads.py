"""The kernels' thread pool: every row once, at most the requested threads, errors surface.

And the fused kernel gives the same answer on one thread as on two (chunks differ, so sums are
added in another order: equal to 1e-12, not bit for bit).
"""

from __future__ import annotations

import threading
import time

import numba
import numpy as np
import pytest
from mobility_sim.kernels import threads
from mobility_sim.kernels.fused import demand_fused

from mobility_sim.bench import synthetic_inputs


@pytest.fixture()
def numba_threads():
    """Restore numba's thread count after the test."""
    before = numba.get_num_threads()
    yield
    numba.set_num_threads(before)


def test_run_chunks_covers_every_row_once(numba_threads):
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    n_rows = 103
    seen = np.zeros(n_rows, dtype=int)
    lock = threading.Lock()

    def core(start, stop, out):
        with lock:
            seen[start:stop] += 1
        out[0] = stop - start

    partial = np.zeros((threads.chunk_count(n_rows), 1))
    threads.run_chunks(core, n_rows, partial)
    assert np.all(seen == 1)
    assert partial.sum() == n_rows


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs two numba threads")
def test_run_chunks_never_runs_more_than_the_requested_threads(numba_threads):
    threads._pool(6)  # a pool larger than what is asked for next (as after an earlier call)
    numba.set_num_threads(2)
    running, most = 0, 0
    lock = threading.Lock()

    def core(start, stop, out):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.01)
        with lock:
            running -= 1

    threads.run_chunks(core, 8, np.zeros((8, 1)))
    assert most <= 2


def test_run_chunks_raises_a_chunk_error(numba_threads):
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))

    def core(start, stop, out):
        if start > 0:
            raise ValueError("chunk failed")

    with pytest.raises(ValueError, match="chunk failed"):
        threads.run_chunks(core, 10, np.zeros((4, 1)))


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs two numba threads")
def test_fused_kernel_same_on_one_and_two_threads(numba_threads):
    inputs, params = synthetic_inputs(300, 1)
    numba.set_num_threads(1)
    one = demand_fused(inputs, params)
    numba.set_num_threads(2)
    two = demand_fused(inputs, params)
    for name in ("trips", "pkm", "trips_to", "balancing", "dest_logsum"):
        np.testing.assert_allclose(getattr(two, name), getattr(one, name), rtol=1e-12,
                                   err_msg=name)
    assert np.array_equal(one.iterations, two.iterations)
