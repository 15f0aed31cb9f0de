"""Monte Carlo fan charts and global sensitivity indices (SALib) over parameter distributions.

Three designs over a :class:`~mobility_sim.analysis.distributions.ParameterSpace`:

``montecarlo``
    ``n`` Latin-hypercube samples (scipy.stats.qmc) mapped through each distribution's inverse
    distribution function; the results give percentile bands per year (fan charts).
``morris``
    Morris elementary-effects screening (SALib; ``n`` trajectories of k + 1 runs, 4 levels):
    ``mu_star`` ranks the inputs by their mean absolute effect, ``sigma`` shows nonlinearity or
    interactions. Cheap: use it first when there are many inputs. Effects are per unit of the
    input's quantile range (0 to 1), so inputs in different units compare.
``sobol``
    Sobol variance-based indices (SALib; Saltelli design, ``n`` base samples, n (k + 2) runs;
    ``n`` a power of two): ``S1`` the share of the output variance due to the input alone,
    ``ST`` including its interactions, with 95 % bootstrap confidence intervals.

The analysed output is one number per run: by default the target year's CO2 of the scenario's
target metric (the last simulated year and well-to-wheel CO2 when it has no target).

Which inputs "matter": Sobol ``ST`` of at least 0.05 (5 % of the variance; a common screening
threshold, assumption); Morris ``mu_star`` of at least 10 % of the largest (assumption).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError
from ..scenario import LoadedScenario
from .distributions import ParameterSpace
from .jobs import Job, base_tags
from .sweep import SweepReport, run_sweep

Method = Literal["montecarlo", "morris", "sobol"]
METHODS: tuple[str, ...] = ("montecarlo", "morris", "sobol")
#: Percentiles of the fan chart bands.
FAN_QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Threshold of total-order Sobol index above which an input "matters" (assumption).
SOBOL_THRESHOLD = 0.05
#: Fraction of the largest Morris mu_star above which an input "matters" (assumption).
MORRIS_FRACTION = 0.10
#: Morris grid levels.
MORRIS_LEVELS = 4


def target_output(loaded: LoadedScenario) -> tuple[str, int]:
    """Return (output column, year) analysed by default: the target's metric and year."""
    target = loaded.scenario.target
    if target is None:
        return "co2_wtw_t", loaded.scenario.years.as_list()[-1]
    return f"{target.metric}_t", target.year


def design(space: ParameterSpace, method: Method, n: int, seed: int) -> np.ndarray:
    """Return the unit-cube design, shape (runs, k), of ``method`` with ``n`` samples."""
    k = len(space.names)
    if n < 1:
        raise AnalysisError(f"--samples must be at least 1 (got {n})")
    if method == "montecarlo":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=k, rng=np.random.default_rng(seed)).random(n)
    if method == "morris":
        from SALib.sample import morris

        if n < 2:
            raise AnalysisError("morris needs at least 2 trajectories (--samples 2)")
        return morris.sample(space.unit_problem(), n, num_levels=MORRIS_LEVELS, seed=seed)
    if method == "sobol":
        from SALib.sample import sobol

        if n & (n - 1):
            raise AnalysisError(f"sobol needs --samples a power of two (got {n}; try "
                                f"{1 << max(1, n.bit_length() - 1)} or {1 << n.bit_length()})")
        return sobol.sample(space.unit_problem(), n, calc_second_order=False, seed=seed)
    raise AnalysisError(f"unknown method {method!r}; use one of: {', '.join(METHODS)}")


@dataclass
class UncertaintyRun:
    """Results of a Monte Carlo or sensitivity design.

    Attributes
    ----------
    method : str
        ``montecarlo``, ``morris`` or ``sobol``.
    space : ParameterSpace
        The distributions.
    samples : pandas.DataFrame
        ``sample`` and one column per parameter: the values of each run.
    table : pandas.DataFrame
        Per-year results of every finished run (``sample`` column), see the sweep table.
    reference : pandas.DataFrame
        Per-year results with the scenario's own parameter values.
    output : str
        The analysed output column.
    year : int
        The analysed year.
    indices : pandas.DataFrame or None
        Sensitivity indices (Morris or Sobol), one row per parameter.
    sweep : SweepReport
        The sweep that ran the design.
    """

    method: str
    space: ParameterSpace
    samples: pd.DataFrame
    table: pd.DataFrame
    reference: pd.DataFrame
    output: str
    year: int
    indices: pd.DataFrame | None
    sweep: SweepReport

    def fan(self, output: str | None = None,
            quantiles: tuple[float, ...] = FAN_QUANTILES) -> pd.DataFrame:
        """Percentiles per year of ``output`` over the runs: ``year, output, quantile, value``."""
        return fan_table(self.table, output or self.output, quantiles)

    def important(self) -> list[str]:
        """Parameters that matter, most important first (see the module's thresholds)."""
        return important_inputs(self.indices, self.method) if self.indices is not None else []

    def summary_text(self) -> str:
        """Return a plain-language paragraph naming the inputs that matter."""
        return sensitivity_text(self)


def fan_table(table: pd.DataFrame, output: str,
              quantiles: tuple[float, ...] = FAN_QUANTILES) -> pd.DataFrame:
    """Percentiles per year of ``output`` over the runs in ``table``."""
    if output not in table.columns:
        raise AnalysisError(f"unknown output {output!r}; outputs: "
                            f"{', '.join(c for c in table.columns if c not in ('job', 'year'))}")
    q = table.groupby("year")[output].quantile(list(quantiles)).rename("value").reset_index()
    q = q.rename(columns={"level_1": "quantile"})
    q.insert(1, "output", output)
    return q[["year", "output", "quantile", "value"]]


def run_uncertainty(
    loaded: LoadedScenario,
    space: ParameterSpace,
    method: Method = "montecarlo",
    n: int = 100,
    seed: int = 0,
    output: str | None = None,
    year: int | None = None,
    **sweep_options: Any,
) -> UncertaintyRun:
    """Run a Monte Carlo or sensitivity design of ``loaded`` over ``space``.

    Parameters
    ----------
    loaded : LoadedScenario
        The scenario.
    space : ParameterSpace
        Parameter distributions (:func:`~mobility_sim.analysis.distributions.read_distributions`).
    method : {"montecarlo", "morris", "sobol"}
        The design (see the module docstring).
    n : int
        Samples (Monte Carlo), trajectories (Morris) or base samples (Sobol, a power of two).
    seed : int
        Seed of the design.
    output : str, optional
        Output column analysed (default: the target metric, see :func:`target_output`).
    year : int, optional
        Year analysed (default: the target year).
    **sweep_options
        Passed to :func:`~mobility_sim.analysis.sweep.run_sweep`.

    Returns
    -------
    UncertaintyRun

    Raises
    ------
    AnalysisError
        If the design is invalid, or a run of a Morris or Sobol design failed (their indices
        need every run); failed Monte Carlo runs are left out and listed in ``sweep.failures``.
    """
    default_output, default_year = target_output(loaded)
    output = output or default_output
    year = default_year if year is None else year
    if year not in loaded.scenario.years.as_list():
        raise AnalysisError(f"year {year} is not simulated by {loaded.path} "
                            f"({loaded.scenario.years.start}-{loaded.scenario.years.end})")
    unit = design(space, method, n, seed)
    values = space.from_unit(unit, clip_unbounded=method == "morris")
    tags = {**base_tags(loaded), "method": method}
    jobs = [Job(base=loaded, tags={**tags, "sample": -1}), *space.jobs(loaded, values, tags)]
    sweep_options.setdefault("description", f"{method} ({len(jobs)} runs)")
    report = run_sweep(jobs, **sweep_options)
    if report.failures and method != "montecarlo":
        raise AnalysisError([f"{method} run {f['tags'].get('sample')} failed: {f['error']}"
                             for f in report.failures]
                            + [f"{method} indices need every run: fix the failing runs (narrow "
                               "the distributions) and rerun with the same --store to resume"])
    table = report.table
    if output not in table.columns:
        raise AnalysisError(f"unknown output {output!r}; outputs: "
                            f"{', '.join(c for c in table.columns if c not in ('job', 'year'))}")
    reference = table[table["sample"] == -1].reset_index(drop=True)
    runs = table[table["sample"] >= 0].reset_index(drop=True)
    samples = pd.DataFrame(values, columns=space.names)
    samples.insert(0, "sample", np.arange(len(samples)))
    indices = None
    if method in ("morris", "sobol"):
        at_year = runs[runs["year"] == year].sort_values("sample")
        y = at_year[output].to_numpy(float)
        indices = _indices(space, method, unit, y, seed)
    return UncertaintyRun(method=method, space=space, samples=samples, table=runs,
                          reference=reference, output=output, year=year, indices=indices,
                          sweep=report)


def _indices(space: ParameterSpace, method: str, unit: np.ndarray, y: np.ndarray,
             seed: int) -> pd.DataFrame:
    problem = space.unit_problem()
    if method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem, unit, y, num_levels=MORRIS_LEVELS, seed=seed)
        frame = pd.DataFrame({"parameter": space.names, "mu": res["mu"],
                              "mu_star": res["mu_star"], "sigma": res["sigma"],
                              "mu_star_conf": res["mu_star_conf"]})
        return frame.sort_values("mu_star", ascending=False, ignore_index=True)
    from SALib.analyze import sobol

    if np.ptp(y) == 0:
        frame = pd.DataFrame({"parameter": space.names, "S1": 0.0, "S1_conf": 0.0, "ST": 0.0,
                              "ST_conf": 0.0})
        return frame
    res = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
    frame = pd.DataFrame({"parameter": space.names, "S1": res["S1"], "S1_conf": res["S1_conf"],
                          "ST": res["ST"], "ST_conf": res["ST_conf"]})
    return frame.sort_values("ST", ascending=False, ignore_index=True)


def important_inputs(indices: pd.DataFrame, method: str) -> list[str]:
    """Return the parameters above the method's threshold, most important first."""
    if method == "sobol":
        keep = indices[indices["ST"] >= SOBOL_THRESHOLD].sort_values("ST", ascending=False)
    elif method == "morris":
        top = float(indices["mu_star"].max())
        if top <= 0:
            return []
        keep = indices[indices["mu_star"] >= MORRIS_FRACTION * top]
        keep = keep.sort_values("mu_star", ascending=False)
    else:
        return []
    return keep["parameter"].tolist()


def change_against_first_year(table: pd.DataFrame, output: str, year: int) -> pd.Series:
    """Return each run's ``output`` in ``year`` relative to its own first year, minus 1."""
    if "sample" not in table.columns or table.empty:
        return pd.Series(dtype=float)
    first = table.sort_values("year").groupby("sample")[output].first()
    at = table[table["year"] == year].set_index("sample")[output]
    return (at / first.loc[at.index] - 1.0).dropna()


def sensitivity_text(run: UncertaintyRun) -> str:
    """Name the inputs that matter (or the spread, for Monte Carlo) in one paragraph."""
    at = run.table[run.table["year"] == run.year][run.output]
    ref = run.reference[run.reference["year"] == run.year][run.output]
    spread = (f"{run.output} in {run.year}: median {at.median():,.0f}, 90 % of runs between "
              f"{at.quantile(0.05):,.0f} and {at.quantile(0.95):,.0f} ({len(at)} runs"
              + (f"; {len(run.sweep.failures)} failed" if run.sweep.failures else "")
              + (f"; with the scenario's own values: {ref.iloc[0]:,.0f}" if len(ref) else "")
              + ").")
    change = change_against_first_year(run.table, run.output, run.year)
    if len(change):
        spread += (f" Each run against its own first year (the base moves with the "
                   f"parameters, so absolute tonnes are not a chance of meeting a target): "
                   f"median {change.median():+.1%}, 90 % of runs between "
                   f"{change.quantile(0.05):+.1%} and {change.quantile(0.95):+.1%}. For the "
                   "chance of meeting the target against each run's own base year and "
                   "reference case: mobility-sim run SCENARIO --council.")
    if run.method == "morris":  # a grid of levels, not a sample: no spread to report
        spread = (f"{run.output} in {run.year}, Morris screening ({len(at)} runs on a grid of "
                  f"{MORRIS_LEVELS} levels per input; for the spread of the result use "
                  "montecarlo).")
    if run.indices is None:
        return spread
    names = run.important()
    rest = [p for p in run.indices["parameter"] if p not in names]
    if run.method == "sobol":
        idx = run.indices.set_index("parameter")
        listed = ", ".join(f"{p} (ST {idx.loc[p, 'ST']:.2f} +- {idx.loc[p, 'ST_conf']:.2f})"
                           for p in names)
        rule = f"total-order Sobol index ST >= {SOBOL_THRESHOLD}"
    else:
        idx = run.indices.set_index("parameter")
        listed = ", ".join(f"{p} (mu* {idx.loc[p, 'mu_star']:,.0f})" for p in names)
        rule = f"Morris mu* >= {MORRIS_FRACTION:.0%} of the largest"
    text = (f"{spread} The inputs that matter ({rule}): {listed or 'none'}."
            + (f" Negligible: {', '.join(rest)}." if rest else ""))
    return text
