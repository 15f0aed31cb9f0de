"""Target solver: the least-cost measure intensities that reach an emission target.

Each *lever* is one numeric field of one measure of the scenario (``share`` of an
``ev_sales_share`` measure, ``headway_factor`` of a ``pt_frequency`` measure...) with two
values given by the user: ``no_effect`` (the value at which the measure changes nothing, e.g.
a headway factor of 1) and ``bound`` (the furthest the city is willing or able to go, e.g. 0.5).
The solver looks for intensities ``x_i`` in [0, 1], the field taking
``no_effect + x_i (bound - no_effect)``, that

    minimise   sum_i x_i C_i + tie-break
    subject to E(x) <= T

where ``E`` is the target year's CO2 (the target's metric), ``T = (1 - reduction) x E0(base
year)`` with ``E0`` the emissions of the base year with every lever at ``no_effect``, and
``C_i`` the net present cost to the public budget of measure i with every lever at its bound
(:mod:`mobility_sim.economics`: the rule of its type from published unit costs, or the
scenario's own ``cost:``; revenues count against it; discounted at the given rate, default the
European Commission's 3 %). With ``objective="net"`` the co-benefits are subtracted: the value
of the health benefit of walking and cycling (WHO HEAT) and of the valued pollutants, lever i's
share taken as the change when lever i alone goes back to no effect (a leave-one-out
approximation; one extra run per lever). Assumptions, stated: a measure's cost scales linearly
with its intensity; the start and end years of the measures stay as written (only how far they
go is solved); the tie-break (a 1e-3 weight on the mean intensity) makes the solver prefer
less intervention among equal-cost solutions. A lever whose measure cannot be costed (no
published unit cost and no ``cost:``) is refused: it would look free.

Method: SciPy's SLSQP from the all-at-bound point, with the gradient of ``E`` by finite
differences computed as one parallel batch of runs per iteration (through the sweep, so a
store makes the solver resumable). The returned point is always one that was simulated; if
SLSQP stops slightly short of the target, the point is moved towards the bounds by bisection
until a run meets the target. When even every lever at its bound misses the target, the
solver minimises ``E`` over the bounds instead (L-BFGS-B) and reports the best reachable
emissions and the remaining gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError, LeverError
from ..io.input_errors import did_you_mean
from ..io.yamlio import read_yaml
from ..scenario import LoadedScenario
from .jobs import (
    Job,
    MeasureSetting,
    base_tags,
    find_measure,
    measure_names,
    numeric_fields,
    set_measure_field,
)
from .sweep import run_sweep

#: Fields whose no-effect value follows from their definition (a multiplier of 1, an added
#: price, share or count of 0). Fields measured against the city's current state (an EV sales
#: share, a cycle-network share, a parking price, car occupancy) need ``no_effect`` from the
#: user: today's value in that city.
KNOWN_NO_EFFECT: dict[tuple[str, str], float] = {
    ("pt_frequency", "headway_factor"): 1.0,
    ("pt_fare", "factor"): 1.0,
    ("pt_fare", "change_eur"): 0.0,
    ("ebike_subsidy", "ebikes"): 0.0,
    ("bike_sharing", "coverage"): 0.0,
    ("cordon_charge", "eur_per_trip"): 0.0,
    ("low_emission_zone", "compliance"): 0.0,
    ("speed_limit", "street_share"): 0.0,
    ("telework", "share"): 0.0,
    ("densification", "share"): 0.0,
    ("car_sharing", "coverage"): 0.0,
    ("car_sharing", "car_shedding"): 0.0,
    ("grid_decarbonisation", "reduction"): 0.0,
    ("fuel_price", "change_eur_per_litre"): 0.0,
    ("carbon_price", "eur_per_tco2"): 0.0,
}
#: Reduction of the Mission's climate-neutrality target: about 20 % residual emissions may be
#: offset (EU Mission "Climate-Neutral and Smart Cities", Climate City Contracts).
MISSION_REDUCTION = 0.80
#: Intensity step of the finite differences.
STEP = 1e-3
#: Weight of the mean intensity in the objective (prefers less intervention at equal cost).
TIE_BREAK = 1e-3


@dataclass(frozen=True)
class Lever:
    """One numeric field of one measure, scaled between its no-effect value and a bound."""

    measure: int
    field: str
    no_effect: float
    bound: float
    name: str

    def value(self, x: float) -> float:
        """Return the field's value at intensity ``x``."""
        return self.no_effect + x * (self.bound - self.no_effect)


#: The metrics a target may use (``Target.metric`` of the scenario schema).
TARGET_METRICS: tuple[str, ...] = ("co2_wtw", "co2_ttw", "territorial_co2_wtw",
                                   "territorial_co2_ttw")


@dataclass(frozen=True)
class SolveTarget:
    """The target: ``reduction`` of ``metric`` in ``year`` versus ``base_year``."""

    year: int
    reduction: float
    base_year: int
    metric: Literal["co2_wtw", "co2_ttw", "territorial_co2_wtw", "territorial_co2_ttw"] = (
        "co2_wtw")

    @property
    def column(self) -> str:
        """Results column of the metric."""
        return f"{self.metric}_t"


@dataclass
class Solution:
    """The solver's answer.

    Attributes
    ----------
    status : {"reached", "unreachable"}
        Whether the target is met.
    levers : pandas.DataFrame
        ``lever, measure, field, no_effect, bound, intensity, value, cost_eur``.
    target : SolveTarget
        The target.
    base_emissions_t : float
        Base-year emissions with every lever at no effect.
    target_emissions_t : float
        The emissions the target allows.
    emissions_t : float
        Target-year emissions at the solution.
    gap_t : float
        ``max(0, emissions - target)``: what remains to be cut.
    cost_eur : float
        Total cost of the levers at the solution.
    n_runs : int
        Distinct simulations used.
    message : str
        How the solver ended.
    history : list of dict
        Every simulated point: intensities, emissions, cost.
    scenario : LoadedScenario
        The scenario with the solved values.
    """

    status: str
    levers: pd.DataFrame
    target: SolveTarget
    base_emissions_t: float
    target_emissions_t: float
    emissions_t: float
    gap_t: float
    cost_eur: float
    n_runs: int
    message: str
    history: list[dict[str, Any]] = field(default_factory=list)
    scenario: LoadedScenario | None = None

    @property
    def reached(self) -> bool:
        """True when the target is met."""
        return self.status == "reached"

    def summary_text(self) -> str:
        """Return a plain-language paragraph for the console and the report."""
        t = self.target
        head = (f"Target: {t.reduction:.0%} less {t.metric.replace('_', ' ').upper()} in "
                f"{t.year} than in {t.base_year} ({self.base_emissions_t:,.0f} t -> at most "
                f"{self.target_emissions_t:,.0f} t).")
        if self.reached:
            body = (f" Reached at {self.emissions_t:,.0f} t for {self.cost_eur:,.0f} EUR with "
                    + "; ".join(f"{r.lever} = {r.value:.4g} (intensity {r.intensity:.2f})"
                                for r in self.levers.itertuples()) + ".")
        else:
            body = (f" Not reachable within the bounds: the best reachable is "
                    f"{self.emissions_t:,.0f} t, {self.gap_t:,.0f} t "
                    f"({self.gap_t / self.base_emissions_t:.1%} of the base year) short, with "
                    + "; ".join(f"{r.lever} = {r.value:.4g}" for r in self.levers.itertuples())
                    + ". Widen the bounds or add measures.")
        return head + body + f" ({self.n_runs} runs; {self.message})"


def make_lever(loaded: LoadedScenario, measure: Any, field_name: str, bound: float,
               no_effect: float | None = None, where: str = "lever") -> Lever:
    """Check and build a lever.

    Parameters
    ----------
    loaded : LoadedScenario
        The scenario.
    measure : int or str
        Position or label of the measure.
    field_name : str
        A numeric field of that measure.
    bound : float
        The field's value at intensity 1.
    no_effect : float, optional
        The field's value at which the measure changes nothing (required unless known, see
        :data:`KNOWN_NO_EFFECT`).
    where : str
        Place for error messages (file:line or option).

    Raises
    ------
    LeverError
        If the measure or field is unknown, a value is missing, or a value breaks the
        measure's schema.
    """
    names = measure_names(loaded)
    try:
        i = find_measure(loaded, measure, where)
    except AnalysisError as exc:
        raise LeverError(exc.problems) from None
    m = loaded.scenario.measures[i]
    kind = getattr(m, "type", type(m).__name__)
    fields = numeric_fields(m)
    if field_name not in fields:
        raise LeverError(f"{where}: measure {names[i]!r} ({kind}) has no numeric field "
                         f"{field_name!r}{did_you_mean(field_name, fields)}; its numeric "
                         f"fields: {', '.join(fields) or 'none'}")
    if no_effect is None:
        no_effect = KNOWN_NO_EFFECT.get((kind, field_name))
        if no_effect is None:
            raise LeverError(f"{where}: give 'no_effect' for {kind}.{field_name}: the value at "
                             "which the measure changes nothing (e.g. today's value)")
    if bound == no_effect:
        raise LeverError(f"{where}: bound equals no_effect ({bound}); the lever could not move")
    for value in (no_effect, bound):
        try:
            set_measure_field(m, field_name, value, where)
        except AnalysisError as exc:
            raise LeverError(exc.problems) from None
    return Lever(measure=i, field=field_name, no_effect=float(no_effect), bound=float(bound),
                 name=f"{names[i]}.{field_name}")


def parse_lever(text: str, loaded: LoadedScenario) -> Lever:
    """Parse ``MEASURE.FIELD=BOUND`` or ``MEASURE.FIELD=NO_EFFECT:BOUND`` (command line).

    ``MEASURE`` is the measure's position or label; labels may contain dots (the field is
    the part after the last dot).
    """
    where = f"--lever {text!r}"
    left, sep, right = text.partition("=")
    measure, dot, field_name = left.rpartition(".")
    if not sep or not dot or not right:
        raise LeverError(f"{where}: write MEASURE.FIELD=BOUND or MEASURE.FIELD=NO_EFFECT:BOUND "
                         "(e.g. 1.headway_factor=1:0.5)")
    parts = right.split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise LeverError(f"{where}: {right!r} is not a number or NUMBER:NUMBER") from None
    if len(numbers) == 1:
        return make_lever(loaded, measure, field_name, numbers[0], None, where)
    if len(numbers) == 2:
        return make_lever(loaded, measure, field_name, numbers[1], numbers[0], where)
    raise LeverError(f"{where}: give BOUND or NO_EFFECT:BOUND, not {len(numbers)} numbers")


def read_levers(path: str | Path, loaded: LoadedScenario) -> list[Lever]:
    """Read levers from YAML: ``levers: [{measure, field, bound, no_effect}, ...]``.

    Raises
    ------
    LeverError
        Every problem, as ``file:line: levers.i: message``.
    """
    doc = read_yaml(path, error=LeverError)
    items = doc.data.get("levers") if isinstance(doc.data, dict) else None
    if not isinstance(items, list) or not items:
        raise LeverError(f"{path}:1: levers: expected a list 'levers:' of "
                         "{measure, field, bound, no_effect}")
    levers, problems = [], []
    for i, item in enumerate(items):
        where = f"{path}:{doc.line_of(['levers', i])}: levers.{i}"
        if not isinstance(item, dict):
            problems.append(f"{where}: expected a mapping with measure, field, bound, no_effect")
            continue
        extra = set(item) - {"measure", "field", "bound", "no_effect"}
        missing = {"measure", "field", "bound"} - set(item)
        if extra or missing:
            problems.append(f"{where}: " + "; ".join(
                [f"unknown key {k!r}" for k in sorted(extra)]
                + [f"missing key {k!r}" for k in sorted(missing)]))
            continue
        try:
            levers.append(make_lever(loaded, item["measure"], str(item["field"]),
                                     float(item["bound"]),
                                     None if item.get("no_effect") is None
                                     else float(item["no_effect"]), where))
        except LeverError as exc:
            problems += exc.problems
        except (TypeError, ValueError):
            problems.append(f"{where}: bound and no_effect must be numbers")
    if problems:
        raise LeverError(problems)
    return levers


def target_of(loaded: LoadedScenario, year: int | None = None, reduction: float | None = None,
              base_year: int | None = None, metric: str | None = None,
              mission: bool = False) -> SolveTarget:
    """Build the target from the scenario's ``target`` and any overrides.

    ``mission=True`` sets the reduction to :data:`MISSION_REDUCTION` (climate neutrality with
    about 20 % residual emissions offset) and the year to 2030 unless given.

    Raises
    ------
    LeverError
        If no target is given, or its years are not simulated.
    """
    t = loaded.scenario.target
    years = loaded.scenario.years.as_list()
    if mission:
        reduction = MISSION_REDUCTION if reduction is None else reduction
        year = 2030 if year is None and t is None else year
    year = year if year is not None else (t.year if t else None)
    reduction = reduction if reduction is not None else (t.reduction if t else None)
    if year is None or reduction is None:
        raise LeverError(f"{loaded.path}: no target: add 'target: {{year: 2030, reduction: "
                         "0.55}' to the scenario or give --target-year and --target-reduction")
    base = base_year if base_year is not None else (
        t.base_year if t is not None and t.base_year is not None else years[0])
    metric = metric or (t.metric if t else "co2_wtw")
    problems = [f"{loaded.path}: target {name} {value} is not a simulated year "
                f"({years[0]}-{years[-1]})" for name, value in (("year", year),
                                                                ("base year", base))
                if value not in years]
    if not 0 < reduction <= 1:
        problems.append(f"target reduction {reduction} must be in (0, 1] (0.55 means -55 %)")
    if metric not in TARGET_METRICS:
        problems.append(f"target metric {metric!r}: use one of {', '.join(TARGET_METRICS)}")
    if problems:
        raise LeverError(problems)
    return SolveTarget(year=int(year), reduction=float(reduction), base_year=int(base),
                       metric=metric)  # type: ignore[arg-type]


class _Evaluator:
    """Runs points (intensity vectors) in batches through the sweep and remembers them."""

    def __init__(self, loaded: LoadedScenario, levers: list[Lever], target: SolveTarget,
                 sweep_options: dict[str, Any]) -> None:
        self.loaded, self.levers, self.target = loaded, levers, target
        self.options = {**sweep_options, "progress": sweep_options.get("progress", False)}
        self.cache: dict[tuple[float, ...], tuple[float, float]] = {}

    def job(self, x: Sequence[float]) -> Job:
        settings = tuple(MeasureSetting(lv.measure, lv.field, lv.value(xi))
                         for lv, xi in zip(self.levers, x, strict=True))
        return Job(base=self.loaded, settings=settings,
                   tags={**base_tags(self.loaded), "point": ",".join(f"{v:.6f}" for v in x)})

    def run(self, points: Sequence[Sequence[float]]) -> list[tuple[float, float]]:
        """Return (target-year emissions, base-year emissions) of each point."""
        keys = [tuple(float(v) for v in p) for p in points]
        todo = list(dict.fromkeys(k for k in keys if k not in self.cache))
        if todo:
            report = run_sweep([self.job(k) for k in todo], description="solver", **self.options)
            if report.failures:
                raise LeverError([f"solver run at intensities {f['tags'].get('point')} failed: "
                                  f"{f['error']}" for f in report.failures])
            col = self.target.column
            for k, frame in zip(todo, _frames(report.table, report.keys), strict=True):
                by_year = frame.set_index("year")[col]
                self.cache[k] = (float(by_year.loc[self.target.year]),
                                 float(by_year.loc[self.target.base_year]))
        return [self.cache[k] for k in keys]

    def emissions(self, x: Sequence[float]) -> float:
        return self.run([x])[0][0]

    def gradient(self, x: np.ndarray) -> np.ndarray:
        """Finite-difference gradient of the emissions (forward, backward at the upper end)."""
        points, steps = [x], []
        for i in range(len(x)):
            h = STEP if x[i] + STEP <= 1.0 else -STEP
            p = x.copy()
            p[i] = min(1.0, max(0.0, x[i] + h))
            points.append(p)
            steps.append(p[i] - x[i])
        values = [v[0] for v in self.run(points)]
        return np.array([(values[i + 1] - values[0]) / steps[i] for i in range(len(x))])


def _frames(table: pd.DataFrame, keys: list[str]) -> list[pd.DataFrame]:
    groups = dict(iter(table.groupby("job", sort=False)))
    return [groups[k] for k in keys]


def solve(
    loaded: LoadedScenario,
    levers: list[Lever],
    target: SolveTarget,
    *,
    discount_rate: float | None = None,
    objective: Literal["cost", "net"] = "cost",
    max_iterations: int = 50,
    **sweep_options: Any,
) -> Solution:
    """Find the least-cost intensities of ``levers`` that meet ``target``.

    Parameters
    ----------
    loaded : LoadedScenario
        The scenario (its other measures stay as written).
    levers : list of Lever
        From :func:`make_lever`, :func:`parse_lever` or :func:`read_levers`; one per measure.
    target : SolveTarget
        From :func:`target_of`.
    discount_rate : float, optional
        Social discount rate (default: the European Commission's).
    objective : {"cost", "net"}
        Minimise the net present cost to the public budget, or that cost net of the
        co-benefits.
    max_iterations : int
        Most SLSQP iterations.
    **sweep_options
        Passed to :func:`~mobility_sim.analysis.sweep.run_sweep` (``n_jobs``, ``scheduler``,
        ``store``, ``engine``).

    Returns
    -------
    Solution

    Raises
    ------
    LeverError
        If there are no levers, two levers act on one measure, or a run fails.
    """
    from scipy.optimize import minimize

    if not levers:
        raise LeverError("no levers: give at least one --lever MEASURE.FIELD=NO_EFFECT:BOUND")
    seen = [lv.measure for lv in levers]
    if len(set(seen)) != len(seen):
        raise LeverError("two levers act on the same measure; give one lever per measure (its "
                         "cost scales with one intensity)")
    n = len(levers)
    ev = _Evaluator(loaded, levers, target, sweep_options)
    costs = lever_costs(ev, discount_rate, objective)
    zero, one = np.zeros(n), np.ones(n)
    (e_zero, base_zero), (e_one, _) = ev.run([zero, one])
    allowed = (1.0 - target.reduction) * base_zero
    scale = max(abs(base_zero), 1e-9)
    cost_scale = max(float(np.abs(costs).sum()), 1.0)

    def objective(x: np.ndarray) -> float:
        return float(costs @ x) / cost_scale + TIE_BREAK * float(x.mean())

    def objective_grad(x: np.ndarray) -> np.ndarray:
        return costs / cost_scale + TIE_BREAK / n

    if e_one > allowed:
        # Not reachable: minimise emissions within the bounds, starting at the bounds.
        res = minimize(lambda x: ev.emissions(x) / scale, one, method="L-BFGS-B",
                       jac=lambda x: ev.gradient(np.clip(x, 0, 1)) / scale,
                       bounds=[(0.0, 1.0)] * n, options={"maxiter": max_iterations})
        best = min(ev.cache.items(), key=lambda kv: kv[1][0])
        x = np.array(best[0])
        status, message = "unreachable", f"L-BFGS-B: {res.message}"
    elif e_zero <= allowed:
        x, status, message = zero, "reached", "met with every lever at no effect"
    else:
        res = minimize(objective, one, jac=objective_grad, method="SLSQP",
                       bounds=[(0.0, 1.0)] * n,
                       constraints=[{"type": "ineq",
                                     "fun": lambda x: (allowed - ev.emissions(np.clip(x, 0, 1)))
                                     / scale,
                                     "jac": lambda x: -ev.gradient(np.clip(x, 0, 1)) / scale}],
                       options={"maxiter": max_iterations, "ftol": 1e-9})
        x = np.clip(res.x, 0.0, 1.0)
        message = f"SLSQP: {res.message}"
        if ev.emissions(x) > allowed:
            x = _restore(ev, x, allowed)
            message += "; moved towards the bounds by bisection to meet the target"
        status = "reached"
    e_x = ev.emissions(x)
    table = pd.DataFrame({
        "lever": [lv.name for lv in levers],
        "measure": [measure_names(loaded)[lv.measure] for lv in levers],
        "field": [lv.field for lv in levers],
        "no_effect": [lv.no_effect for lv in levers],
        "bound": [lv.bound for lv in levers],
        "intensity": x,
        "value": [lv.value(xi) for lv, xi in zip(levers, x, strict=True)],
        "cost_eur": costs * x,
    })
    history = [{"intensities": list(k), "emissions_t": v[0],
                "cost_eur": float(costs @ np.array(k))} for k, v in ev.cache.items()]
    solved = _solved_scenario(ev, x)
    return Solution(status=status, levers=table, target=target, base_emissions_t=base_zero,
                    target_emissions_t=allowed, emissions_t=e_x,
                    gap_t=max(0.0, e_x - allowed), cost_eur=float(costs @ x),
                    n_runs=len(ev.cache), message=message, history=history, scenario=solved)


def lever_costs(ev: _Evaluator, discount_rate: float | None,
                objective: Literal["cost", "net"] = "cost") -> np.ndarray:
    """Return each lever's cost at its bound (net of co-benefits with ``objective="net"``).

    Raises
    ------
    LeverError
        If a lever's measure cannot be costed (no rule input found and no ``cost:``).
    """
    from ..economics import Prices, appraise_run, cobenefit_value
    from ..simulate import simulate
    from .jobs import resolve

    n = len(ev.levers)
    bound = resolve(ev.job([1.0] * n))
    engine = ev.options.get("engine", "auto")
    results = simulate(bound, engine=engine)
    appraisal = appraise_run(bound, results, discount_rate=discount_rate)
    rows = appraisal.measures
    names = measure_names(ev.loaded)
    problems = [f"lever {lv.name}: measure {names[lv.measure]!r} is not costed "
                f"({rows.loc[lv.measure, 'note']}); give it the city's own figures with "
                "'cost: {capex_eur: ..., opex_eur_per_year: ...}' in the scenario"
                for lv in ev.levers if not bool(rows.loc[lv.measure, "costed"])]
    if problems:
        raise LeverError(problems)
    costs = np.array([float(rows.loc[lv.measure, "npc_eur"]) for lv in ev.levers])
    if objective == "net":
        points = [[1.0] * n] + [[0.0 if j == i else 1.0 for j in range(n)] for i in range(n)]
        report = run_sweep([ev.job(p) for p in points], description="solver co-benefits",
                           **ev.options)
        if report.failures:
            raise LeverError([f"solver co-benefit run failed: {f['error']}"
                              for f in report.failures])
        frames = _frames(report.table, report.keys)
        country = ev.loaded.city.meta.country
        columns = [c for c in ("health_value_eur", "nox_t", "pm25_t")
                   if c in frames[0].columns]
        base = frames[0].set_index("year")[columns]
        for i in range(n):
            diff = base - frames[i + 1].set_index("year")[columns]
            costs[i] -= cobenefit_value(diff, Prices.load(), country, appraisal.area_type,
                                        appraisal.discount_rate)
    return costs


def _restore(ev: _Evaluator, x: np.ndarray, allowed: float, steps: int = 30) -> np.ndarray:
    """Smallest move of ``x`` towards all-at-bound that meets ``allowed`` (bisection)."""
    lo, hi = 0.0, 1.0
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        if ev.emissions(x + mid * (1.0 - x)) <= allowed:
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-6:
            break
    return x + hi * (1.0 - x)


def _solved_scenario(ev: _Evaluator, x: np.ndarray) -> LoadedScenario:
    from .jobs import resolve

    return resolve(ev.job([float(v) for v in x]))
