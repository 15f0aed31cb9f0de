"""Destination balancing: Anderson-accelerated Furness reaches the plain Furness answer, faster."""

from __future__ import annotations

import numpy as np
import pytest
from mobility_sim.kernels.balancing import balance_factors, relative_error, warm_start


def gravity_problem(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Attractiveness ``A`` of a random city, origins ``O`` and destination targets ``D``."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0.0, 10.0, (n, 2))
    dist = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) + 0.3
    size = rng.uniform(0.0, 100.0, n) * (rng.random(n) > 0.1)  # some cells attract nothing
    attract = size[None, :] * np.exp(-0.4 * dist)
    origins = rng.uniform(0.0, 50.0, n)
    target = size / size.sum() * origins.sum()
    return attract, origins, target


def sweeper(attract: np.ndarray, origins: np.ndarray):
    calls = []

    def sweep(factors: np.ndarray) -> np.ndarray:
        calls.append(1)
        weighted = attract * factors[None, :]
        denom = weighted.sum(axis=1)
        return np.divide(origins, denom, out=np.zeros_like(origins), where=denom > 0) @ weighted

    return sweep, calls


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_anderson_reaches_the_plain_furness_factors_in_fewer_sweeps(seed):
    attract, origins, target = gravity_problem(150, seed)
    plain_sweep, _plain_calls = sweeper(attract, origins)
    plain, plain_iterations = balance_factors(plain_sweep, target, np.ones(150), 1e-10, 1000,
                                              depth=0)
    fast_sweep, fast_calls = sweeper(attract, origins)
    fast, fast_iterations = balance_factors(fast_sweep, target, np.ones(150), 1e-10, 1000)
    assert relative_error(fast_sweep(fast), target) <= 1e-10
    assert relative_error(plain_sweep(plain), target) <= 1e-10
    # Factors are defined up to a common scale: compare them normalised on the served cells.
    served = target > 0
    np.testing.assert_allclose(fast[served] / fast[served].sum(),
                               plain[served] / plain[served].sum(), rtol=1e-8)
    assert fast_iterations < plain_iterations
    assert len(fast_calls) == fast_iterations + 2  # one per update, the first, and the check


def test_given_arrivals_save_the_first_sweep_and_the_last_sweep_uses_the_returned_factors():
    attract, origins, target = gravity_problem(60, 3)
    sweep, _calls = sweeper(attract, origins)
    seen = []

    def recording(factors):
        seen.append(factors.copy())
        return sweep(factors)

    start = np.ones(60)
    factors, iterations = balance_factors(recording, target, start, 1e-9, 500,
                                          arrivals=sweep(start))
    assert len(seen) == iterations
    np.testing.assert_array_equal(seen[-1], factors)


def test_max_iterations_stops_the_updates():
    attract, origins, target = gravity_problem(80, 4)
    sweep, calls = sweeper(attract, origins)
    _factors, iterations = balance_factors(sweep, target, np.ones(80), 0.0, 3)
    assert iterations == 3
    assert len(calls) == 4


def test_cells_without_target_or_arrivals_take_the_plain_step():
    attract, origins, target = gravity_problem(40, 5)
    attract[:, 7] = 0.0  # nobody can reach cell 7: its factor must stay as it was
    sweep, _ = sweeper(attract, origins)
    start = np.full(40, 2.0)
    factors, _ = balance_factors(sweep, target, start, 1e-9, 500)
    assert factors[7] == 2.0
    assert np.all(factors[(target == 0) & (attract.sum(axis=0) > 0)] == 0.0)
    assert np.all(np.isfinite(factors))


def test_warm_start_extrapolates_log_factors_and_keeps_zeros():
    previous = np.array([[2.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    before = np.array([[1.0, 3.0, 0.0], [1.0, 1.0, 1.0]])
    start = warm_start(previous, before)
    np.testing.assert_allclose(start, [[4.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    assert warm_start(previous, None) is previous
    assert warm_start(None, None) is None


def test_warm_start_from_a_trend_needs_fewer_sweeps_than_last_years_factors():
    attract, origins, target = gravity_problem(120, 6)
    balanced = []
    for year in range(3):  # the attractiveness of the first cells grows 5 % a year
        grown = attract * np.where(np.arange(120) < 30, 1.05 ** year, 1.0)[None, :]
        sweep, _ = sweeper(grown, origins)
        start = np.ones(120) if not balanced else balanced[-1]
        balanced.append(balance_factors(sweep, target, start, 1e-10, 500)[0])
    grown = attract * np.where(np.arange(120) < 30, 1.05 ** 3, 1.0)[None, :]
    sweep, _ = sweeper(grown, origins)
    _, from_last = balance_factors(sweep, target, balanced[-1], 1e-10, 500)
    _, from_trend = balance_factors(sweep, target, warm_start(balanced[-1], balanced[-2]), 1e-10,
                                    500)
    assert from_trend < from_last


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_an_unreachable_target_does_not_blow_up_the_other_factors(seed):
    # cell 7 has a target nobody can reach: the largest error stays 1, the iteration runs to
    # max_iterations, and mixed steps fitted on the converged cells' near-zero residuals
    # must not push the factors to overflow (they once gave NaN trips)
    attract, origins, target = gravity_problem(40, seed)
    attract[:, 7] = 0.0
    target[7] = max(target[7], 1.0)
    target *= origins.sum() / target.sum()
    sweep, _ = sweeper(attract, origins)
    factors, iterations = balance_factors(sweep, target, np.ones(40), 1e-9, 500)
    assert iterations == 500
    assert np.all(np.isfinite(factors))
    arrivals = sweep(factors)
    assert np.all(np.isfinite(arrivals))
    assert relative_error(arrivals, target) == pytest.approx(1.0)


def test_a_cell_with_a_new_target_and_a_zero_factor_is_served():
    # last year the cell had no target (factor 0); a zero factor never grows under the
    # multiplicative update, so the start must give it a positive one
    from mobility_sim.kernels.balancing import destination_targets, starting_factors

    attract, origins, target = gravity_problem(50, 8)
    start = np.ones(50)
    start[np.flatnonzero(target > 0)[:3]] = 0.0
    fixed = starting_factors(start, target)
    assert np.all(fixed[target > 0] > 0) and np.all(fixed[target == 0] == start[target == 0])
    sweep, _ = sweeper(attract, origins)
    factors, iterations = balance_factors(sweep, target, fixed, 1e-9, 500)
    assert iterations < 500 and relative_error(sweep(factors), target) <= 1e-9
    np.testing.assert_allclose(destination_targets(np.array([1.0, 3.0]), np.ones((2, 2))),
                               [1.0, 3.0])
    assert destination_targets(np.zeros(3), np.ones(3)).tolist() == [0.0, 0.0, 0.0]


def test_warm_start_from_three_years_extrapolates_a_quadratic_log_trend_exactly():
    years = [np.array([[1.0, 2.0, 0.0, 5.0]]) * np.exp(np.array([0.1, -0.2, 0.0, 0.3]) * t
                                                      + np.array([0.01, 0.02, 0.0, -0.05]) * t * t)
             for t in range(4)]
    years[0][0, 3] = 0.0  # this cell had no target three years ago: linear from the last two
    start = warm_start(years[2], years[1], years[0])
    np.testing.assert_allclose(start[0, :3], years[3][0, :3], rtol=1e-12)
    assert start[0, 2] == 0.0
    np.testing.assert_allclose(start[0, 3], years[2][0, 3] ** 2 / years[1][0, 3], rtol=1e-12)
    np.testing.assert_allclose(warm_start(years[2], years[1]),
                               years[2] ** 2 / np.where(years[1] > 0, years[1], 1.0))
    assert warm_start() is None


def test_warm_start_from_three_years_needs_fewer_sweeps_on_a_curving_trend():
    attract, origins, target = gravity_problem(120, 9)

    def grown(year: int) -> np.ndarray:  # growth of the first cells' pull speeds up each year
        return attract * np.where(np.arange(120) < 30, 1.03 ** (year * year), 1.0)[None, :]

    balanced = []
    for year in range(3):
        sweep, _ = sweeper(grown(year), origins)
        start = np.ones(120) if not balanced else balanced[-1]
        balanced.append(balance_factors(sweep, target, start, 1e-10, 500)[0])
    sweep, _ = sweeper(grown(3), origins)
    _, linear = balance_factors(sweep, target, warm_start(balanced[-1], balanced[-2]), 1e-10, 500)
    _, quadratic = balance_factors(sweep, target, warm_start(*balanced[::-1]), 1e-10, 500)
    assert quadratic < linear
