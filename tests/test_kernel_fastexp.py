"""The vectorisable exp and log: measured accuracy, edge values, and that loops vectorise."""

from __future__ import annotations

import re

import numpy as np
import pytest
from mobility_sim.kernels import fastexp
from numba import njit

# Bounds asserted, in units of the dtype's machine epsilon (relative error against long double).
EXP_EPS = {np.float32: 1.0, np.float64: 1.0}
LOG_REL = {np.float32: 3e-7, np.float64: 4e-16}
RANGE = {np.float32: (-87.3, 88.3), np.float64: (-708.3, 709.4)}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_exp_accuracy_over_the_whole_normal_range(dtype):
    lo, hi = RANGE[dtype]
    x = np.concatenate([np.linspace(lo, hi, 1_000_001), np.linspace(-0.5, 0.5, 100_001)])
    x = x.astype(dtype)
    out = np.empty_like(x)
    fastexp.exp_array(x, out)
    rel = np.abs(out.astype(np.longdouble) / np.exp(x.astype(np.longdouble)) - 1)
    assert float(rel.max()) <= EXP_EPS[dtype] * np.finfo(dtype).eps


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_exp_edges(dtype):
    x = np.array([-np.inf, -1e4, RANGE[dtype][0] - 1.0, 0.0, 1e4], dtype=dtype)
    out = np.empty_like(x)
    fastexp.exp_array(x, out)
    assert out[0] == 0 and out[1] == 0 and out[2] == 0
    assert out[3] == 1
    assert np.isfinite(out[4]) and out[4] > np.finfo(dtype).max / 2  # saturates, documented


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_accuracy_including_subnormals_and_zero(dtype):
    tiny = np.finfo(dtype).tiny
    x = np.concatenate([np.exp(np.linspace(-80, 80, 1_000_001)), [tiny / 1000, tiny, 1.0]])
    x = x.astype(dtype)
    out = np.empty_like(x)
    fastexp.log_array(x, out)
    want = np.log(x.astype(np.longdouble))
    err = np.abs(out - want) / np.maximum(np.abs(want), 1.0)
    assert float(err.max()) <= LOG_REL[dtype]
    zero = np.zeros(1, dtype=dtype)
    fastexp.log_array(zero, zero)
    assert zero[0] == -np.inf


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_loop_calling_fast_exp_compiles_to_vector_code(dtype):
    @njit(error_model="numpy", fastmath={"reassoc", "contract"})
    def row(x, out):
        total = x.dtype.type(0.0)
        for j in range(x.size):
            v = fastexp.fast_exp(x[j])
            out[j] = v
            total += v
        return total

    x = np.linspace(-5, 0, 64).astype(dtype)
    row(x, np.empty_like(x))
    ir = next(iter(row.inspect_llvm().values()))
    kind = "float" if dtype == np.float32 else "double"
    assert re.search(rf"<\d+ x {kind}>", ir), "the exp loop did not vectorise"
    assert "@exp" not in ir and "llvm.exp" not in ir, "a scalar library exp was called"


def test_exp_probe_counts_its_work():
    x = np.linspace(-20.0, 0.0, 256).astype(np.float32)
    shift = np.zeros(1, np.float32)
    total = fastexp.exp_probe(x, shift, 3, 2)
    assert total == pytest.approx(2 * 3 * np.exp(x.astype(np.float64)).sum(), rel=1e-5)
