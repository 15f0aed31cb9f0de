"""Destination balancing of doubly constrained purposes: the iteration both engines share.

A doubly constrained purpose needs destination factors ``B_j`` such that the arrivals
``T_j(B) = sum_s sum_i O_si B_j A_sij / sum_k B_k A_sik`` match the targets ``D_j``. The
classic Furness (iterative proportional fitting) update is ``B_j *= D_j / T_j(B)``; each update
costs one sweep over the stored attractiveness ``A`` (1.6 GB for 20,000 cells in float32), so
the number of sweeps sets the cost of balancing.

This module accelerates the Furness update with Anderson mixing (Walker H.F., Ni P. (2011)
Anderson acceleration for fixed-point iterations. SIAM Journal on Numerical Analysis 49(4),
1715-1735): in log space, ``x = log B`` and the Furness step is ``x + r`` with the residual
``r = log(D / T(B))``; Anderson's step combines the last ``depth`` steps so that the combined
residual is smallest in the least-squares sense. On the synthetic 20,000-cell benchmark city
it cuts the sweeps per year from 17 to 9 (warm start from last year's factors) and from 27 to
12 (cold start) for the same tolerance (see :data:`DEPTH`).

Rules, so that the reference and the fused kernel take the same steps:

- Cells with ``D_j > 0`` and ``T_j > 0`` are mixed; the others take the plain Furness step
  (``B_j *= D_j / T_j`` where ``T_j > 0``; unchanged where ``T_j = 0``).
- The history restarts (plain step) when the set of mixed cells changes or when the largest
  relative error grew since the last iteration (a safeguard: a mixed step that made things
  worse is not built upon), and when a mixed step is not finite or changes a log factor by more
  than :data:`STEP_LIMIT` times the plain step's largest change (then the plain step is taken).
- The stopping rule is the reference's: stop when every ``|T_j - D_j| / D_j`` (cells with
  ``D_j > 0``) is within the tolerance, or after ``max_iterations`` updates.

Whatever the acceleration, the balanced factors solve the same equations to the same
tolerance: it changes how many sweeps are needed, not the answer.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: Past steps combined by Anderson mixing. Sweeps per year on the benchmark city (float32,
#: cold start / warm start) at 20,000 cells: plain Furness 27 / 17, depth 3: 14 / 10,
#: depth 5: 12 / 9, depth 6: 11 / 9; at 10,000 cells (float64) depths 3 and 5 both 8 / 6.
DEPTH = 5
#: Largest change of a log factor in one mixed step, as a multiple of the plain (Furness)
#: step's largest change. When the reachable cells have converged but an unreachable target
#: keeps the iteration going, the least-squares fit on near-zero residuals is ill-conditioned
#: and its steps grow without bound (they overflowed to NaN factors in a random test city);
#: such a step is replaced by the plain step. The value 10 is an assumption, checked to leave
#: the sweep counts of the benchmark cities unchanged (5,000 cells: 8, 6, 5, 5, 5, 5).
STEP_LIMIT = 10.0


def _acceptable(change: np.ndarray, residual: np.ndarray) -> bool:
    """Whether a mixed step is finite and at most :data:`STEP_LIMIT` x the plain step."""
    return bool(np.all(np.isfinite(change))
                and np.max(np.abs(change)) <= STEP_LIMIT * np.max(np.abs(residual)))


#: Largest absolute log of a balancing factor. Balanced factors stay within a few units of 0;
#: only a balancing with no solution drives some of them away geometrically, step after step,
#: until they overflow: targets that the origins able to reach them cannot fill (an external
#: zone's target beyond the trips of the grid's origins, which alone may go there; found by the
#: property test of the zones' trips). Bounded at exp(80) (a float32 holds up to about exp(88)),
#: such factors stay finite and the run ends at its iteration limit, as any balancing that does
#: not converge does. A bound, not a fix: such a balancing has no solution.
LOG_FACTOR_BOUND = 80.0


def relative_error(arrivals: np.ndarray, target: np.ndarray) -> float:
    """Largest ``|T_j - D_j| / D_j`` over cells with ``D_j > 0`` (0 when there are none)."""
    has_target = target > 0
    if not has_target.any():
        return 0.0
    return float(np.max(np.abs(arrivals[has_target] - target[has_target]) / target[has_target]))


def balance_factors(
    sweep: Callable[[np.ndarray], np.ndarray],
    target: np.ndarray,
    factors: np.ndarray,
    tolerance: float,
    max_iterations: int,
    arrivals: np.ndarray | None = None,
    depth: int = DEPTH,
) -> tuple[np.ndarray, int]:
    """Balance destination factors so that arrivals match ``target`` (Anderson-accelerated).

    Parameters
    ----------
    sweep : callable
        ``sweep(factors) -> arrivals``: one pass over the attractiveness with these factors.
        The last call is always made with the factors returned (callers that keep per-origin
        denominators from it can use them).
    target : ndarray, shape (N,)
        Destination totals ``D_j``.
    factors : ndarray, shape (N,)
        Starting factors (ones, or last year's); not modified.
    tolerance : float
        Largest relative error of arrivals accepted.
    max_iterations : int
        Most factor updates.
    arrivals : ndarray, shape (N,), optional
        Arrivals with the starting factors, when already computed (saves one sweep).
    depth : int
        Past steps combined; 0 gives the plain Furness iteration.

    Returns
    -------
    factors : ndarray, shape (N,)
        Balanced factors (float64).
    iterations : int
        Factor updates made (sweeps made = iterations + 1, counting the given ``arrivals``).
    """
    x = np.array(factors, dtype=np.float64)
    if arrivals is None:
        arrivals = sweep(x)
    has_target = target > 0
    xs: list[np.ndarray] = []  # log factors of the mixed cells, oldest first
    rs: list[np.ndarray] = []  # their residuals
    last_mixed: np.ndarray | None = None
    last_error = np.inf
    for iteration in range(max_iterations + 1):
        error = relative_error(arrivals, target)
        if error <= tolerance or iteration == max_iterations:
            return x, iteration
        update = arrivals > 0
        mixed = update & has_target
        if last_mixed is None or not np.array_equal(mixed, last_mixed) or error > last_error:
            xs.clear()
            rs.clear()
        last_mixed, last_error = mixed, error
        new = x.copy()
        new[update] *= target[update] / arrivals[update]  # plain Furness step
        _bounded(new)
        if depth > 0 and mixed.any():
            log_x = np.log(x[mixed])
            residual = np.log(target[mixed] / arrivals[mixed])
            xs.append(log_x)
            rs.append(residual)
            del xs[:-(depth + 1)], rs[:-(depth + 1)]
            step = log_x + residual
            if len(xs) > 1:
                d_r = np.diff(np.array(rs), axis=0).T  # (cells, k)
                d_x = np.diff(np.array(xs), axis=0).T
                gamma = np.linalg.lstsq(d_r, residual, rcond=None)[0]
                mixed_step = step - (d_x + d_r) @ gamma
                if _acceptable(mixed_step - log_x, residual):
                    step = mixed_step
                else:  # keep the plain step and start the history again
                    xs.clear()
                    rs.clear()
            new[mixed] = np.exp(np.clip(step, -LOG_FACTOR_BOUND, LOG_FACTOR_BOUND))
        x = new
        arrivals = sweep(x)
    raise AssertionError("unreachable")


def _bounded(factors: np.ndarray) -> None:
    """Keep the positive factors within ``exp(+-LOG_FACTOR_BOUND)``, in place (0 stays 0)."""
    positive = factors > 0
    factors[positive] = np.clip(factors[positive], np.exp(-LOG_FACTOR_BOUND),
                                np.exp(LOG_FACTOR_BOUND))


def starting_factors(factors: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Return ``factors`` (float64 copy) with 1 where a cell has a target but a factor <= 0.

    The Furness update is multiplicative, so a zero factor never grows: a cell that had no
    target last year (factor 0 after balancing) but has one this year (jobs moved in) would
    never be served and the balancing would run to its iteration limit. Both engines apply
    this to their starting factors before the first sweep.
    """
    out = np.array(factors, dtype=np.float64)
    out[(target > 0) & ~(out > 0)] = 1.0
    return out


def destination_targets(size: np.ndarray, origins: np.ndarray) -> np.ndarray:
    """Balancing targets ``D_j``: the trips produced, shared out in proportion to ``size``."""
    total = float(size.sum())
    if total <= 0:
        return np.zeros(size.shape[0])
    return size / total * float(origins.sum())


def warm_start(
    previous: np.ndarray | None = None,
    before: np.ndarray | None = None,
    earlier: np.ndarray | None = None,
) -> np.ndarray | None:
    """Return starting factors for this year's balancing from the last years' factors.

    Factors change smoothly from year to year when the scenario's levers ramp, so the log
    factors are extrapolated: quadratically from the last three years,
    ``log B0 = 3 log B_{t-1} - 3 log B_{t-2} + log B_{t-3}``, linearly from the last two,
    ``B0 = B_{t-1} ** 2 / B_{t-2}``, or last year's factors alone. Each cell uses the highest
    order its factors allow: a cell whose factor was 0 (no target) in one of the years uses the
    years after it only. Sweeps per warm year, measured: on the 20,000-cell benchmark city, 9
    from last year's factors, 6 to 7 linear, 4 quadratic; on 5,000 cells, 5 linear, 3 quadratic;
    on Helsinki (the whole 26-year run), 209 linear and 197 quadratic for ``sump_package``,
    189 and 158 for ``pt_line``. A year where a measure switches on gets a worse guess than last
    year's factors, which costs a sweep or two; the balanced factors are the same either way
    (same equations, same tolerance).

    Parameters
    ----------
    previous, before, earlier : ndarray, shape (P, N), optional
        Balanced factors of the last year, the year before and the year before that
        (``DemandOutputs.balancing``).

    Returns
    -------
    ndarray or None
        ``None`` (cold start) without ``previous``; ``previous`` itself without ``before``.
    """
    if previous is None or before is None or np.shape(previous) != np.shape(before):
        return previous
    previous = np.asarray(previous, dtype=np.float64)
    before = np.asarray(before, dtype=np.float64)
    out = previous.copy()
    two = (previous > 0) & (before > 0)
    out[two] = previous[two] * (previous[two] / before[two])
    if earlier is not None and np.shape(earlier) == np.shape(previous):
        earlier = np.asarray(earlier, dtype=np.float64)
        three = two & (earlier > 0)
        log_p, log_b, log_e = np.log(previous[three]), np.log(before[three]), np.log(earlier[three])
        out[three] = np.exp(3.0 * (log_p - log_b) + log_e)
    return out
