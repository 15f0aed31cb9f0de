"""Fitting: mode constants to a split, the destination scale to a trip length, rates to a total.

Mode constants use the classic iterative update (e.g. Ortuzar & Willumsen, *Modelling
Transport*, on calibrating constants to observed shares)::

    asc[s, p, m] += ln(target_g / modelled_g)      for every mode m of fitted group g

over the segments ``s`` and the split's purposes ``p``, re-running destination choice each time,
with walk kept as the reference (its constant never moves). The destination-choice scales of
the target's purposes are multiplied by one factor found by bracketing and false position on
its logarithm; or, with ``fit: distance``, the destination choice's own distance term of those
purposes is set to one value (utility per km, at most 0) found the same way. Trip rates scale
linearly to a reported annual total.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from ..data.typed_parameters import ModelParameters
from ..exceptions import CalibrationError
from ..kernels.spec import PURPOSES, DemandOutputs
from ..model.base_year import BaselineModel
from ..model.modes import SURVEY_MODES
from .outputs import car_vkm, mean_trip_length, survey_mode_shares
from .targets import SplitTarget, TotalTarget, TripLengthTarget

#: Largest factor by which a trip-length fit may move the destination scales (either way).
SCALE_FACTOR_LIMIT = 64.0
#: Strongest distance term a trip-length fit may reach, utility per network km (a destination
#: 1 km farther then weighs e**-5 as much: far beyond any estimated model).
DISTANCE_COEF_LIMIT = 5.0
#: First bracketing step of a distance-term fit, utility per km (doubled until the target is
#: bracketed).
DISTANCE_STEP = 0.02


@dataclass
class SplitFit:
    """Fit of the mode constants to one split.

    Attributes
    ----------
    rows : list of dict
        One per survey mode: ``mode``, ``published`` (or None), ``group`` (the fitted group
        it belongs to), ``target`` and ``modelled`` group shares among modelled modes and
        ``difference_pp`` (modelled - target, percentage points), ``mode_modelled`` (the
        mode's own modelled share).
    converged : bool
        Whether every group is within the tolerance.
    iterations : int
        Model runs used by the last fit.
    """

    rows: list[dict]
    converged: bool
    iterations: int

    @property
    def max_error_pp(self) -> float:
        """Largest absolute difference over fitted groups, percentage points."""
        return max(abs(r["difference_pp"]) for r in self.rows)


@dataclass
class CalibrationResult:
    """Outcome of calibrating a baseline.

    Attributes
    ----------
    parameters : dict of str to float
        Calibrated parameter values (per-segment constants, and any fitted destination
        scales and trip rates).
    split : SplitFit
        Fit of the modal split.
    trip_length : dict or None
        ``target_km``, ``modelled_km``, ``scale_factor`` when a trip length was fitted.
    total : dict or None
        ``quantity``, ``target``, ``modelled``, ``rate_factor`` when a total was fitted.
    converged : bool
        Whether every target was reached.
    runs : int
        Model runs used.
    outputs : DemandOutputs
        Daily outputs of the calibrated baseline.
    problems : list of str
        Why it did not converge (empty when it did).
    """

    parameters: dict[str, float]
    split: SplitFit
    trip_length: dict | None
    total: dict | None
    converged: bool
    runs: int
    outputs: DemandOutputs
    problems: list[str] = field(default_factory=list)


def _mode_index(mode: str) -> list[int]:
    return list(SURVEY_MODES[mode])


def reachable_share(model: BaselineModel, target: SplitTarget, group: tuple[str, ...]) -> float:
    """Largest trip share a group can reach: trips of residents who have one of its modes."""
    inputs, params = model.inputs, model.params
    modes = [i for m in group for i in _mode_index(m)]
    total = reach = 0.0
    n = model.city.n_cells  # the grid's residents (external zones follow them)
    for k in target.purposes:
        origins = inputs.productions(params.trip_rate, k)[:, :n]
        has_mode = (inputs.origin_avail[:, modes, :n] > 0).any(axis=1)
        total += float(origins.sum())
        reach += float((origins * has_mode).sum())
    return reach / total if total > 0 else 0.0


def check_reachable(model: BaselineModel, target: SplitTarget) -> None:
    """Raise if a target share is beyond what availability allows (trip shares only).

    Raises
    ------
    CalibrationError
        Naming the mode, its target and the largest share the model can give it.
    """
    if target.unit != "trips":
        return
    problems = []
    for group, share in zip(target.groups, target.shares, strict=True):
        bound = reachable_share(model, target, group)
        name = " + ".join(group)
        if bound <= 0:
            problems.append(f"{target.where}: {name} is not available to anyone in the model; "
                            "the split cannot be fitted (missing mode)")
        elif share >= bound - 1e-9:
            problems.append(
                f"{target.where}: unreachable: {name} share {share:.3f} needs at least that "
                f"share of trips by residents who have it, but only {bound:.3f} do (car "
                "availability: city.yaml car_ownership and car.availability_per_car in "
                "parameters.csv)"
            )
    if problems:
        raise CalibrationError(problems)


def _split_rows(target: SplitTarget, shares: dict[str, float]) -> list[dict]:
    rows = []
    for group, goal in zip(target.groups, target.shares, strict=True):
        modelled = sum(shares[m] for m in group)
        for mode in group:
            rows.append({
                "mode": mode, "published": target.split.shares.get(mode),
                "group": "+".join(group), "target": goal, "modelled": modelled,
                "difference_pp": 100.0 * (modelled - goal), "mode_modelled": shares[mode],
            })
    return rows


def fit_mode_constants(model: BaselineModel, target: SplitTarget, tolerance: float = 1e-4,
                       max_iterations: int = 100) -> tuple[SplitFit, DemandOutputs]:
    """Fit the constants of ``model.params`` to a split; ``model.params`` is updated in place.

    Parameters
    ----------
    model : BaselineModel
        The baseline; its ``params.asc`` is the starting point.
    target : SplitTarget
        Targets from :func:`~mobility_sim.calibration.targets.read_split`.
    tolerance : float
        Largest accepted difference per fitted group, as a share (1e-4 = 0.01 pp).
    max_iterations : int
        Most updates.

    Returns
    -------
    SplitFit, DemandOutputs
        The fit and the outputs of the last run.

    Raises
    ------
    CalibrationError
        If a fitted group is unavailable or its target unreachable.
    """
    check_reachable(model, target)
    asc = np.array(model.params.asc, dtype=np.float64, copy=True)
    purposes = list(target.purposes)
    walk_group = next((g for g in target.groups if "walk" in g), None)
    iterations = 0
    damping, last_error = 1.0, math.inf
    while True:
        model.params = dataclasses.replace(model.params, asc=asc.copy())
        out = model.run()
        iterations += 1
        shares = survey_mode_shares(out, target.unit, target.purposes)
        rows = _split_rows(target, shares)
        error = max(abs(r["difference_pp"]) for r in rows) / 100.0
        if error <= tolerance or iterations > max_iterations:
            return SplitFit(rows=rows, converged=error <= tolerance, iterations=iterations), out
        # A step that made things worse overshot (modes interact through destination choice
        # and balancing): halve the later steps. Steps that keep improving stay whole.
        if error > last_error:
            damping *= 0.5
        last_error = error
        steps = {}
        for group, goal in zip(target.groups, target.shares, strict=True):
            modelled = sum(shares[m] for m in group)
            if modelled <= 0:
                raise CalibrationError(f"{target.where}: the model gives {' + '.join(group)} "
                                       "no trips at all (missing mode); it cannot be fitted")
            steps[group] = math.log(goal / modelled)
        reference = steps[walk_group] if walk_group is not None else 0.0
        for group, step in steps.items():
            for mode in group:
                for m in _mode_index(mode):
                    asc[:, purposes, m] += damping * (step - reference)


def fit_trip_length(model: BaselineModel, target: TripLengthTarget, tolerance_km: float = 0.01,
                    max_runs: int = 40) -> tuple[dict, DemandOutputs]:
    """Fit destination choice of the target's purposes to match a mean trip length.

    ``target.fit == "scale"``: the scales ``dest_scale[p]`` are multiplied by one factor ``k``
    (larger ``k``: destinations nearer, trips shorter). ``"distance"``: the distance term
    ``dest_distance_coef[p]`` is set to one value ``-x`` with ``x >= 0`` (larger ``x``: trips
    shorter); a target longer than the trips without a distance term is out of its reach.
    ``model.params`` is updated in place.

    Returns
    -------
    dict, DemandOutputs
        ``target_km``, ``modelled_km``, ``fit``, ``scale_factor`` (1 when the distance is
        fitted), ``distance_coef`` (the purposes' distance term), ``converged``, ``runs``;
        outputs of the last run.

    Raises
    ------
    CalibrationError
        If the target lies outside what factors in [1/64, 64] (scale), or distance terms in
        [-5, 0] per km (distance), reach.
    """
    purposes = list(target.purposes)
    by_distance = target.fit == "distance"
    base_scale = np.array(model.params.dest_scale, dtype=np.float64)
    base_distance = model.params.distance_coef().copy()
    runs = 0

    def settings(x: float) -> tuple[np.ndarray, np.ndarray]:
        scale, distance = base_scale.copy(), base_distance.copy()
        if by_distance:
            distance[purposes] = -x
        else:
            scale[purposes] *= math.exp(x)
        return scale, distance

    def evaluate(x: float) -> tuple[float, DemandOutputs]:
        nonlocal runs
        scale, distance = settings(x)
        model.params = dataclasses.replace(model.params, dest_scale=scale,
                                           dest_distance_coef=distance)
        out = model.run()
        runs += 1
        return mean_trip_length(out, target.purposes) - target.km, out

    def result(x: float, gap: float, out: DemandOutputs) -> tuple[dict, DemandOutputs]:
        return {"target_km": target.km, "modelled_km": target.km + gap, "fit": target.fit,
                "scale_factor": 1.0 if by_distance else math.exp(x),
                "distance_coef": float(settings(x)[1][purposes[0]]),
                "converged": abs(gap) <= tolerance_km, "runs": runs}, out

    start = float(-base_distance[purposes[0]]) if by_distance else 0.0
    g0, out = evaluate(start)
    if abs(g0) <= tolerance_km:
        return result(start, g0, out)
    direction = 1.0 if g0 > 0 else -1.0  # too long: raise the scale, strengthen the distance
    a, ga = start, g0
    b, gb = a, ga
    step = DISTANCE_STEP if by_distance else math.log(2.0)
    while gb * ga > 0:
        b = a + direction * step
        if by_distance:
            step *= 2.0
        out_of_reach = (b < -1e-12 or b > DISTANCE_COEF_LIMIT + 1e-12 if by_distance
                        else abs(b) > math.log(SCALE_FACTOR_LIMIT) + 1e-12)
        if out_of_reach:
            raise CalibrationError(_unreachable(target, target.km + ga, direction))
        gb, out = evaluate(b)
        if abs(gb) <= tolerance_km:
            return result(b, gb, out)
        if gb * ga > 0:
            a, ga = b, gb
    lo_k, lo_gap = a, ga
    hi_k, hi_gap = b, gb
    side = 0
    while runs < max_runs:
        x = hi_k - hi_gap * (hi_k - lo_k) / (hi_gap - lo_gap)
        gx, out = evaluate(x)
        if abs(gx) <= tolerance_km:
            return result(x, gx, out)
        if gx * hi_gap < 0:
            lo_k, lo_gap = hi_k, hi_gap
            side = 0
        elif side == 1:
            lo_gap /= 2.0  # Illinois step: keep false position from stalling
        else:
            side = 1
        hi_k, hi_gap = x, gx
    return result(hi_k, hi_gap, out)


def _unreachable(target: TripLengthTarget, reached: float, direction: float) -> str:
    """Why a trip-length target is out of the fitted parameter's reach."""
    if target.fit == "distance":
        if direction < 0:
            return (f"trip length target {target.km:.2f} km is unreachable with a distance "
                    f"term: without one the trips are {reached:.2f} km, and a distance term "
                    "only shortens them; lower destination.scale.* or fit the scale instead "
                    f"({target.source})")
        return (f"trip length target {target.km:.2f} km is unreachable: a distance term of "
                f"-{DISTANCE_COEF_LIMIT:g} per km still gives {reached:.2f} km ({target.source})")
    return (f"trip length target {target.km:.2f} km is unreachable: destination scales "
            f"{SCALE_FACTOR_LIMIT:g} times {'larger' if direction > 0 else 'smaller'} "
            f"than the defaults still give {reached:.2f} km ({target.source})")


def fit_total(model: BaselineModel, target: TotalTarget, days: float) -> tuple[dict, DemandOutputs]:
    """Scale every trip rate by one factor so that an annual total matches ``target``.

    Totals are linear in trip rates (shares do not change), so one step is exact; the model is
    re-run to report the result. ``model.params`` is updated in place.
    """
    out = model.run()
    modelled = _annual_total(out, target.quantity, days)
    if modelled <= 0:
        raise CalibrationError(f"{target.quantity}: the model gives 0; cannot scale trip rates")
    factor = target.value / modelled
    model.params = dataclasses.replace(model.params, trip_rate=model.params.trip_rate * factor)
    out = model.run()
    return {"quantity": target.quantity, "target": target.value,
            "modelled": _annual_total(out, target.quantity, days), "rate_factor": factor}, out


def _annual_total(out: DemandOutputs, quantity: str, days: float) -> float:
    if quantity == "car_vkm":
        return car_vkm(out) * days
    return float(out.co2_ttw.sum()) * days / 1000.0


def calibrate_baseline(model: BaselineModel, split: SplitTarget,
                       trip_length: TripLengthTarget | None = None,
                       total: TotalTarget | None = None, tolerance: float = 1e-4,
                       max_iterations: int = 100, max_rounds: int = 8) -> CalibrationResult:
    """Fit constants, and optionally the destination scale and trip rates, to the targets.

    With a trip-length target the two fits alternate (constants, then scale) until, in one
    run, the split is within ``tolerance`` and the trip length within 0.01 km.

    Parameters
    ----------
    model : BaselineModel
        The baseline to calibrate; its ``params`` end calibrated.
    split : SplitTarget
        Modal split targets.
    trip_length : TripLengthTarget, optional
        Mean trip length to match.
    total : TotalTarget, optional
        Annual total to scale trip rates to.
    tolerance : float
        Largest accepted share difference per fitted group.
    max_iterations : int
        Most constant updates per fit.
    max_rounds : int
        Most alternations between the two fits.

    Returns
    -------
    CalibrationResult
        With ``converged`` False and ``problems`` saying why when a target was not reached.
    """
    start_runs = model.runs
    length_info: dict | None = None
    split_fit, out = fit_mode_constants(model, split, tolerance, max_iterations)
    if trip_length is not None:
        first = trip_length.purposes[0]
        start_scale = float(model.params.dest_scale[first])
        for _ in range(max_rounds):
            length_info, out = fit_trip_length(model, trip_length)
            split_fit, out = fit_mode_constants(model, split, tolerance, max_iterations)
            length_now = mean_trip_length(out, trip_length.purposes)
            length_info["modelled_km"] = length_now
            length_info["converged"] = abs(length_now - trip_length.km) <= 0.01
            length_info["scale_factor"] = float(model.params.dest_scale[first]) / start_scale
            if split_fit.converged and length_info["converged"]:
                break
    total_info: dict | None = None
    if total is not None:
        days = ModelParameters.of(model.values).annual.days_per_year
        total_info, out = fit_total(model, total, days)
    problems: list[str] = []
    if not split_fit.converged:
        worst = max(split_fit.rows, key=lambda r: abs(r["difference_pp"]))
        problems.append(
            f"{split.where}: the modal split did not converge in {max_iterations} iterations "
            f"(worst: {worst['group']} {100 * worst['modelled']:.2f} % vs target "
            f"{100 * worst['target']:.2f} %); the target may sit at the edge of what "
            "availability allows"
        )
    if length_info is not None and not length_info["converged"]:
        problems.append(f"trip length: {length_info['modelled_km']:.3f} km vs target "
                        f"{length_info['target_km']:.3f} km after {max_rounds} rounds")
    fitted = None if trip_length is None else trip_length.fit
    parameters = calibrated_values(model, fitted, total is not None)
    return CalibrationResult(parameters=parameters, split=split_fit, trip_length=length_info,
                             total=total_info, converged=not problems,
                             runs=model.runs - start_runs, outputs=out, problems=problems)


def calibrated_values(model: BaselineModel, destination: str | None,
                      with_rates: bool) -> dict[str, float]:
    """Parameter keys and values of a calibrated baseline.

    ``destination`` is what a trip-length fit set (``"scale"``, ``"distance"``; None: none).
    """
    from ..model.asc import asc_parameters

    values = asc_parameters(model.params.asc)
    if destination == "scale":
        for k, purpose in enumerate(PURPOSES):
            values[f"destination.scale.{purpose}"] = float(model.params.dest_scale[k])
    elif destination == "distance":
        for k, purpose in enumerate(PURPOSES):
            values[f"destination.distance.{purpose}"] = float(model.params.distance_coef()[k])
    if with_rates:
        for k, purpose in enumerate(PURPOSES):
            values[f"trip_rate.{purpose}"] = float(model.params.trip_rate[k])
    return values
