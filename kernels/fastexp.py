"""Vectorisable exp and log for numba kernels, in float32 and float64.

numba's ``np.exp`` and ``math.exp`` compile to a call of the C library's scalar ``exp``, which
stops LLVM from vectorising the loop around it. The functions here are written with arithmetic,
a rounding, and a bit reinterpretation only, so a loop that calls them compiles to SIMD code.

Method (exp): ``x = n ln2 + r`` with ``n = round(x / ln2)`` (rounded by adding and
subtracting ``1.5 * 2**23``, resp. ``2**52``, whose low mantissa bits then hold ``n``) and
``|r| <= ln2 / 2``; ``r`` is
computed with a two-part ln2 (Cody and Waite) so the reduction is exact to the working
precision; ``exp(r)`` is a polynomial: in float32 of degree 6, fitted at import by Chebyshev
least squares on ``[-ln2/2, ln2/2]``; in float64 the Taylor polynomial of degree 13;
``2**n`` is built in the exponent bits.
Arguments below the smallest normal result give 0 (also ``-inf``); arguments above
``127.5 ln2`` (float32: 88.37) or ``1023.5 ln2`` (float64: 709.43) saturate at the exp of that
bound instead of overflowing to ``inf`` (no utility of the model comes near: it would mean a
trip worth more than e**88 walks of one minute). One clamp and one select, no other branch.

Method (log): ``x = 2**e m`` with ``m`` in ``[sqrt(1/2), sqrt(2))``; ``log m = 2 atanh(s)``,
``s = (m - 1)/(m + 1)``, by its odd series (through ``s**9`` in float32, ``s**23`` in float64).
Subnormal inputs are rescaled first; ``log(0) = -inf``; inputs must not be negative or NaN.

Accuracy, measured against long-double NumPy over the whole normal range and asserted by
``tests/test_kernel_fastexp.py``: exp within 1 machine epsilon relative (measured: float32
1.12e-7 = 0.94 eps, float64 0.79 eps); log within 3e-7 (float32) and 4e-16 (float64) relative
to ``max(|log x|, 1)``. Speed in a loop that sums the results, float32, per core: about
2.7-3.1 G exp/s on the 2-core EPYC CI VM (against 0.74 G/s for NumPy's float32 ``np.exp`` in
the same process); on the Intel AVX-512 CI VM 4.2 G/s with 256-bit vectors and 6.0 G/s with
the 512-bit vectors :mod:`.numba_env` asks for there.

Importing this module compiles nothing: the functions are compiled when a kernel that calls
them is first compiled.
"""

from __future__ import annotations

import math
from decimal import Decimal, getcontext

import numpy as np

from .numba_env import prepare

prepare()

from llvmlite import ir  # noqa: E402 - numba_env.prepare() must run before numba is imported
from numba import njit, types  # noqa: E402
from numba.extending import intrinsic, overload  # noqa: E402


def _chebyshev_exp_coefficients(degree: int) -> np.ndarray:
    """Monomial coefficients of a near-minimax polynomial for exp on [-ln2/2, ln2/2]."""
    from numpy.polynomial import chebyshev

    half = math.log(2.0) / 2.0
    nodes = np.cos(np.pi * (np.arange(4 * degree) + 0.5) / (4 * degree))
    series = chebyshev.chebfit(nodes, np.exp(nodes * half), degree)
    return chebyshev.cheb2poly(series) / half ** np.arange(degree + 1)


def _split_ln2(mantissa_bits: int) -> tuple[float, float]:
    """ln2 as ``hi + lo`` with ``hi`` holding only ``mantissa_bits`` significant bits."""
    getcontext().prec = 50
    ln2 = Decimal(2).ln()
    hi = math.ldexp(math.floor(math.ldexp(float(ln2), mantissa_bits)), -mantissa_bits)
    return hi, float(ln2 - Decimal(hi))


_EXP32 = tuple(np.float32(c) for c in _chebyshev_exp_coefficients(6))
#: float64: Taylor coefficients 1/k! through degree 13 (truncation below 5e-18 on the
#: interval); a float64 least-squares fit is not accurate to the last bit.
_EXP64 = tuple(np.float64(1.0 / math.factorial(k)) for k in range(14))
_LN2_HI32, _LN2_LO32 = (np.float32(v) for v in _split_ln2(10))
_LN2_HI64, _LN2_LO64 = (np.float64(v) for v in _split_ln2(32))
_LOG2E32, _LOG2E64 = np.float32(1.0 / math.log(2.0)), np.float64(1.0 / math.log(2.0))
_LN2_32, _LN2_64 = np.float32(math.log(2.0)), np.float64(math.log(2.0))
#: Arguments below these give 0: the result would be subnormal.
EXP_MIN32, EXP_MIN64 = np.float32(-87.33), np.float64(-708.39)
#: Arguments above these saturate (give the exp of the bound).
EXP_MAX32, EXP_MAX64 = np.float32(88.37), np.float64(709.43)
_HALF32, _HALF64 = np.float32(0.5), np.float64(0.5)
#: 1.5 * 2**23 and 1.5 * 2**52: adding one rounds to an integer held in the low mantissa bits.
_MAGIC32, _MAGIC64 = np.float32(1.5 * 2.0**23), np.float64(1.5 * 2.0**52)
_MAGIC_BITS32 = np.int32(np.array(_MAGIC32).view(np.int32))
_MAGIC_BITS64 = np.int64(np.array(_MAGIC64).view(np.int64))
_ZERO32, _ZERO64 = np.float32(0.0), np.float64(0.0)
_ONE32, _ONE64 = np.float32(1.0), np.float64(1.0)
_INF32, _INF64 = np.float32(np.inf), np.float64(np.inf)
_SQRT2_32, _SQRT2_64 = np.float32(math.sqrt(2.0)), np.float64(math.sqrt(2.0))
_TINY32, _TINY64 = np.float32(np.finfo(np.float32).tiny), np.float64(np.finfo(np.float64).tiny)
_UP32, _UP64 = np.float32(2.0**32), np.float64(2.0**64)
_UPLOG32, _UPLOG64 = np.float32(32 * math.log(2.0)), np.float64(64 * math.log(2.0))
#: Odd-series coefficients 2/(2k+1) of log(m) = 2 atanh(s).
_ATANH32 = tuple(np.float32(2.0 / (2 * k + 1)) for k in range(5))
_ATANH64 = tuple(np.float64(2.0 / (2 * k + 1)) for k in range(12))


@intrinsic
def _float_from_bits(typingctx, bits):
    """Reinterpret an int32 as float32 or an int64 as float64 (no conversion)."""
    if bits == types.int32:
        sig, target = types.float32(types.int32), ir.FloatType()
    elif bits == types.int64:
        sig, target = types.float64(types.int64), ir.DoubleType()
    else:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], target)

    return sig, codegen


@intrinsic
def _bits_from_float(typingctx, value):
    """Reinterpret a float32 as int32 or a float64 as int64 (no conversion)."""
    if value == types.float32:
        sig, target = types.int32(types.float32), ir.IntType(32)
    elif value == types.float64:
        sig, target = types.int64(types.float64), ir.IntType(64)
    else:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], target)

    return sig, codegen


def fast_exp(x: float) -> float:
    """Vectorisable ``exp(x)`` inside numba kernels (``np.exp`` when called from Python).

    Parameters
    ----------
    x : float32 or float64
        Argument; the result has the same type.

    Returns
    -------
    float
        ``exp(x)``; 0 below :data:`EXP_MIN32` / :data:`EXP_MIN64`; saturates above
        :data:`EXP_MAX32` / :data:`EXP_MAX64`.
    """
    return np.exp(x)


def fast_log(x: float) -> float:
    """Vectorisable ``log(x)`` for ``x >= 0`` inside numba kernels (``np.log`` from Python).

    Parameters
    ----------
    x : float32 or float64
        Non-negative argument; the result has the same type; ``log(0) = -inf``.

    Returns
    -------
    float
        ``log(x)``.
    """
    return np.log(x)


def _exp32(x):
    c0, c1, c2, c3, c4, c5, c6 = _EXP32
    xc = min(x, EXP_MAX32)
    t = xc * _LOG2E32 + _MAGIC32
    n = t - _MAGIC32  # round(x / ln2), exactly
    r = (xc - n * _LN2_HI32) - n * _LN2_LO32
    p = c0 + r * (c1 + r * (c2 + r * (c3 + r * (c4 + r * (c5 + r * c6)))))
    scale = _float_from_bits(np.int32((_bits_from_float(t) - _MAGIC_BITS32 + 127) << 23))
    out = p * scale
    if x < EXP_MIN32:  # also drops the meaningless scale of very negative n
        out = _ZERO32
    return out


def _exp64(x):
    c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13 = _EXP64
    xc = min(x, EXP_MAX64)
    t = xc * _LOG2E64 + _MAGIC64
    n = t - _MAGIC64  # round(x / ln2), exactly
    r = (xc - n * _LN2_HI64) - n * _LN2_LO64
    p = c0 + r * (c1 + r * (c2 + r * (c3 + r * (c4 + r * (c5 + r * (
        c6 + r * (c7 + r * (c8 + r * (c9 + r * (c10 + r * (c11 + r * (c12 + r * c13))))))))))))
    scale = _float_from_bits(np.int64((_bits_from_float(t) - _MAGIC_BITS64 + 1023) << 52))
    out = p * scale
    if x < EXP_MIN64:  # also drops the meaningless scale of very negative n
        out = _ZERO64
    return out


def _log32(x):
    a0, a1, a2, a3, a4 = _ATANH32
    small = x < _TINY32
    xs = x * _UP32 if small else x
    bits = _bits_from_float(xs)
    e = ((bits >> 23) & 255) - 127
    m = _float_from_bits(np.int32((bits & 0x7FFFFF) | 0x3F800000))
    if m > _SQRT2_32:
        m = m * _HALF32
        e = e + 1
    s = (m - _ONE32) / (m + _ONE32)
    s2 = s * s
    out = np.float32(e) * _LN2_32 + s * (a0 + s2 * (a1 + s2 * (a2 + s2 * (a3 + s2 * a4))))
    if small:
        out = out - _UPLOG32
    if x == _ZERO32:
        out = -_INF32
    return out


def _log64(x):
    a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11 = _ATANH64
    small = x < _TINY64
    xs = x * _UP64 if small else x
    bits = _bits_from_float(xs)
    e = ((bits >> 52) & 2047) - 1023
    m = _float_from_bits(np.int64((bits & 0xFFFFFFFFFFFFF) | 0x3FF0000000000000))
    if m > _SQRT2_64:
        m = m * _HALF64
        e = e + 1
    s = (m - _ONE64) / (m + _ONE64)
    s2 = s * s
    series = a0 + s2 * (a1 + s2 * (a2 + s2 * (a3 + s2 * (a4 + s2 * (a5 + s2 * (
        a6 + s2 * (a7 + s2 * (a8 + s2 * (a9 + s2 * (a10 + s2 * a11))))))))))
    out = np.float64(e) * _LN2_64 + s * series
    if small:
        out = out - _UPLOG64
    if x == _ZERO64:
        out = -_INF64
    return out


#: Set explicitly: numba would otherwise let the caller's fast-math flags in, and reassociation
#: breaks both the rounding trick and the two-part reduction.
_JIT_OPTIONS = {"error_model": "numpy", "fastmath": {"contract", "nsz"}}


@overload(fast_exp, jit_options=_JIT_OPTIONS)
def _fast_exp_overload(x):
    if x == types.float32:
        return _exp32
    if x == types.float64:
        return _exp64
    return None


@overload(fast_log, jit_options=_JIT_OPTIONS)
def _fast_log_overload(x):
    if x == types.float32:
        return _log32
    if x == types.float64:
        return _log64
    return None


@njit(cache=True, error_model="numpy")
def exp_array(x: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover - compiled
    """Write ``fast_exp(x)`` into ``out`` (same shape and dtype); for tests and probes."""
    flat_x, flat_out = x.ravel(), out.ravel()
    for k in range(flat_x.size):
        flat_out[k] = fast_exp(flat_x[k])


@njit(cache=True, error_model="numpy")
def log_array(x: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover - compiled
    """Write ``fast_log(x)`` into ``out`` (same shape and dtype); for tests and probes."""
    flat_x, flat_out = x.ravel(), out.ravel()
    for k in range(flat_x.size):
        flat_out[k] = fast_log(flat_x[k])


@njit(cache=True, error_model="numpy", fastmath={"reassoc", "contract", "nsz"})
def _exp_sweeps(x: np.ndarray, shift: np.ndarray, sweeps: int) -> float:  # pragma: no cover
    """Sum of ``fast_exp(x + shift[k])`` over ``sweeps`` passes of the (cache-resident) ``x``."""
    total = x.dtype.type(0.0)
    for k in range(sweeps):
        s = shift[k % shift.size]
        acc = x.dtype.type(0.0)
        for j in range(x.size):
            acc += fast_exp(x[j] + s)
        total += acc
    return total


@njit(cache=True, nogil=True, error_model="numpy")
def _exp_workers(start: int, stop: int, x: np.ndarray, shift: np.ndarray, sweeps: int,
                 out: np.ndarray) -> None:  # pragma: no cover
    """Workers ``start .. stop`` of :func:`exp_probe`, each over its own copy of ``x``."""
    for _ in range(start, stop):
        out[0] += _exp_sweeps(x.copy(), shift, sweeps)


def exp_probe(x: np.ndarray, shift: np.ndarray, sweeps: int, workers: int) -> float:
    """Evaluate ``workers * sweeps * x.size`` exponentials, ``workers`` at a time.

    Each worker runs :func:`_exp_sweeps` over its own copy of ``x`` (small enough to stay in
    the L1 cache), so the rate measured is that of the arithmetic, not of memory. Timed from
    Python, it gives the machine's vectorised exp rate in the dtype of ``x``. The workers run
    on the kernels' own thread pool (:func:`.threads.run_chunks`), as the model does; at most
    :func:`numba.get_num_threads` run at once.

    Parameters
    ----------
    x : ndarray, 1-D, float32 or float64
        Arguments (a few thousand values in the model's range, e.g. -20 to 0).
    shift : ndarray, 1-D, same dtype
        Offsets added per sweep, so that no sweep can be hoisted out of the loop.
    sweeps : int
        Passes over ``x`` per worker.
    workers : int
        Parallel workers (the number of kernel threads).

    Returns
    -------
    float
        Sum of all results (kept so the work cannot be optimised away).
    """
    from .threads import run_chunks

    partial = np.zeros((workers, 1))
    run_chunks(_exp_workers, workers, partial, x, shift, sweeps)
    return float(partial.sum())
