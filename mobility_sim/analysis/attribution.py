"""Shapley attribution of a measure package's effect to its measures, per year and output.

The *effect* of a package is its result minus the result of the same scenario without any
measure (same city, years and parameters). Measures interact (an electric fleet makes a car
trip avoided by better public transport worth less CO2), so "the effect of measure i" depends
on which other measures are in place. The Shapley value of measure i averages its marginal
effect over every order in which the measures could be added:

    phi_i = sum over coalitions S without i of |S|! (n - |S| - 1)! / n! * (v(S + i) - v(S))

where v(S) is the result with only the measures of S. The contributions add up exactly to the
package's effect (*efficiency*), an interaction is shared equally between the measures that
make it, and a measure that changes nothing gets 0.

Exact up to ``max_exact`` measures (default 10: 2^10 = 1,024 runs); beyond, ``permutations``
random orders are sampled (each with its reverse, which lowers the variance) and each measure's
mean marginal effect is reported with its standard error (Castro, Gomez & Tejada 2009,
"Polynomial calculation of the Shapley value based on sampling", Computers & Operations
Research 36(5)). Sampled contributions still add up exactly: along each order the marginal
effects telescope to the package's effect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError
from ..scenario import LoadedScenario
from .jobs import Job, base_tags, measure_names, subset_label
from .sweep import SweepReport, run_sweep

#: Default largest package attributed exactly (2^10 = 1,024 runs).
MAX_EXACT = 10
#: Default number of sampled orders (each also run reversed) beyond ``MAX_EXACT``.
PERMUTATIONS = 100

#: Columns of the job table that are not outputs.
_NOT_OUTPUTS = ("job", "year")


@dataclass
class Attribution:
    """Shapley contributions of a package's measures.

    Attributes
    ----------
    contributions : pandas.DataFrame
        ``year, output, measure, position, contribution, std_error``: the Shapley value of
        each measure (``std_error`` is 0 when exact).
    totals : pandas.DataFrame
        ``year, output, without_measures, package, effect``: the results without any measure
        and with all, and their difference (which the contributions add up to).
    measures : list of str
        Measure names in file order.
    method : {"exact", "sampled"}
        How the values were computed.
    n_runs : int
        Distinct simulations used.
    sweep : SweepReport
        The sweep that ran them.
    """

    contributions: pd.DataFrame
    totals: pd.DataFrame
    measures: list[str]
    method: str
    n_runs: int
    sweep: SweepReport

    def efficiency_gap(self) -> float:
        """Largest |sum of contributions - effect| relative to max(|effect|, 1e-12)."""
        summed = self.contributions.groupby(["year", "output"])["contribution"].sum()
        effect = self.totals.set_index(["year", "output"])["effect"]
        gap = (summed - effect.loc[summed.index]).abs()
        scale = effect.loc[summed.index].abs().clip(lower=1e-12)
        return float((gap / scale).max()) if len(gap) else 0.0

    def in_year(self, year: int, output: str = "co2_wtw_t") -> pd.DataFrame:
        """Contributions of one year and output, largest reduction first."""
        table = self.contributions
        part = table[(table["year"] == year) & (table["output"] == output)]
        if part.empty:
            raise AnalysisError(f"no attribution for year {year} and output {output!r}; years: "
                                f"{sorted(table['year'].unique())}")
        return part.sort_values("contribution").reset_index(drop=True)


def coalitions(n: int, max_exact: int = MAX_EXACT, permutations: int = PERMUTATIONS,
               seed: int = 0) -> tuple[str, list[tuple[int, ...]], list[list[int]]]:
    """Return the coalitions to simulate for ``n`` measures.

    Returns
    -------
    method : {"exact", "sampled"}
    subsets : list of tuple of int
        Every coalition needed (sorted positions), without repeats.
    orders : list of list of int
        The sampled orders (empty when exact).
    """
    if n < 1:
        raise AnalysisError("the scenario has no measures: there is nothing to attribute; add "
                            "measures to its 'measures' list")
    if n <= max_exact:
        subsets = [c for k in range(n + 1) for c in combinations(range(n), k)]
        return "exact", subsets, []
    if permutations < 1:
        raise AnalysisError(f"permutations must be at least 1 (got {permutations})")
    rng = np.random.default_rng(seed)
    orders: list[list[int]] = []
    for _ in range(permutations):
        order = [int(i) for i in rng.permutation(n)]
        orders += [order, order[::-1]]
    seen: dict[tuple[int, ...], None] = {}
    for order in orders:
        for k in range(n + 1):
            seen.setdefault(tuple(sorted(order[:k])), None)
    return "sampled", list(seen), orders


def attribute(
    loaded: LoadedScenario,
    *,
    max_exact: int = MAX_EXACT,
    permutations: int = PERMUTATIONS,
    seed: int = 0,
    outputs: list[str] | None = None,
    **sweep_options: Any,
) -> Attribution:
    """Attribute the package's effect to its measures (Shapley values), per year and output.

    Parameters
    ----------
    loaded : LoadedScenario
        The package (a scenario with measures).
    max_exact : int
        Largest number of measures attributed exactly (2^n runs).
    permutations : int
        Sampled orders beyond ``max_exact`` (each also run reversed).
    seed : int
        Seed of the sampled orders.
    outputs : list of str, optional
        Columns of the job table to attribute (default: every numeric column).
    **sweep_options
        Passed to :func:`mobility_sim.analysis.sweep.run_sweep` (``store``, ``n_jobs``,
        ``scheduler``, ``engine``, ``progress``).

    Returns
    -------
    Attribution

    Raises
    ------
    AnalysisError
        If the scenario has no measures, an output is unknown or a run failed.
    """
    names = measure_names(loaded)
    n = len(names)
    method, subsets, orders = coalitions(n, max_exact, permutations, seed)
    tags = base_tags(loaded)
    jobs = [Job(base=loaded, measures=s, tags={**tags, "subset": subset_label(s)})
            for s in subsets]
    sweep_options.setdefault("description", f"attribution ({len(jobs)} runs)")
    report = run_sweep(jobs, **sweep_options)
    if report.failures:
        raise AnalysisError([f"attribution run {f['tags'].get('subset')} failed: {f['error']}"
                             for f in report.failures])
    table = report.table
    numeric = [c for c in table.columns if c not in _NOT_OUTPUTS
               and c not in tags and c != "subset" and pd.api.types.is_numeric_dtype(table[c])]
    if outputs is None:
        outputs = numeric
    unknown = [o for o in outputs if o not in numeric]
    if unknown:
        raise AnalysisError(f"unknown output(s) {', '.join(unknown)}; outputs: "
                            f"{', '.join(numeric)}")
    years = sorted(table["year"].unique())
    values = {}
    for s, frame in zip(subsets, _by_job(table, report.keys), strict=True):
        values[s] = frame.set_index("year").loc[years, outputs].to_numpy(float)
    full, empty = tuple(range(n)), ()
    if method == "exact":
        phi, se = exact_shapley(values, n)
    else:
        phi, se = _sampled(values, orders, n)
    rows = []
    for i, name in enumerate(names):
        frame = pd.DataFrame(phi[i], columns=outputs)
        frame.insert(0, "year", years)
        long = frame.melt(id_vars="year", var_name="output", value_name="contribution")
        err = pd.DataFrame(se[i], columns=outputs).melt(value_name="std_error")["std_error"]
        long["std_error"] = err.to_numpy()
        long.insert(2, "measure", name)
        long.insert(3, "position", i)
        rows.append(long)
    contributions = pd.concat(rows, ignore_index=True)
    totals = []
    for k, out in enumerate(outputs):
        totals.append(pd.DataFrame({
            "year": years, "output": out, "without_measures": values[empty][:, k],
            "package": values[full][:, k], "effect": values[full][:, k] - values[empty][:, k]}))
    return Attribution(contributions=contributions, totals=pd.concat(totals, ignore_index=True),
                       measures=names, method=method, n_runs=len(subsets), sweep=report)


def _by_job(table: pd.DataFrame, keys: list[str]) -> list[pd.DataFrame]:
    groups = dict(iter(table.groupby("job", sort=False)))
    return [groups[k] for k in keys]


def exact_shapley(values: dict[tuple[int, ...], np.ndarray],
                  n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the exact Shapley value of each of ``n`` players (and zero standard errors).

    ``values`` maps every coalition (sorted player positions) to the outputs with only those
    players; the values of each output add up to ``values[all] - values[none]``.
    """
    shape = next(iter(values.values())).shape
    phi = np.zeros((n, *shape))
    weight = [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n)
              for s in range(n)]
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for k in range(n):
            for s in combinations(others, k):
                with_i = tuple(sorted((*s, i)))
                phi[i] += weight[k] * (values[with_i] - values[s])
    return phi, np.zeros_like(phi)


def _sampled(values: dict[tuple[int, ...], np.ndarray], orders: list[list[int]],
             n: int) -> tuple[np.ndarray, np.ndarray]:
    shape = next(iter(values.values())).shape
    # One sample per pair (an order and its reverse), so the pairs are independent.
    pairs = len(orders) // 2
    samples = np.zeros((pairs, n, *shape))
    for p in range(pairs):
        for order in orders[2 * p: 2 * p + 2]:
            for k, i in enumerate(order):
                before = tuple(sorted(order[:k]))
                after = tuple(sorted(order[:k + 1]))
                samples[p, i] += 0.5 * (values[after] - values[before])
    phi = samples.mean(axis=0)
    se = samples.std(axis=0, ddof=1) / math.sqrt(pairs) if pairs > 1 else np.full_like(phi,
                                                                                    np.nan)
    return phi, se
