"""Fused numba implementation of the demand model: same results as :mod:`.reference`, fast.

:func:`demand_fused` computes, for one scenario-year, exactly what
:func:`.reference.demand_reference` computes (DESIGN.md steps 1-5 and 7), origin row by origin
row, in parallel over origins, without ever holding a cell-pair x mode array.

How the work is organised (per purpose ``p``; ``N`` cells, ``M`` modes, ``S`` segments):

1. The utility of mode ``m`` from ``i`` to ``j`` is split into an origin part, a destination
   part and ``d_ij`` times a slope (car slopes depend on both cell speeds), all folded by this
   wrapper into per-cell arrays; availability weights enter as ``log`` in the destination part
   and as factors ``origin_avail * exp(asc)`` per segment, divided by their largest over the
   segments, which enters the origin part (so the exponentials carry the constants, as the
   reference's one ``exp`` does, and no factor exceeds 1). So one row of exponentials per
   *alternative* (a vectorised polynomial exp, :mod:`.fastexp`) serves every segment. The
   alternatives are the modes, except that a mode whose money cost differs between cell pairs
   (car running costs, parking, charges) is one alternative per distinct cost coefficient of
   the segments (income groups value money differently), with weight 0 for the other
   segments (:func:`alternatives`); a flat fare's difference enters the segments' weights.
   Money costs stay apart from the rest of the utility: ``g(d_ij) (c_j + d_ij k)`` with the
   destination's money cost ``c_j`` (fare, parking, charge, times the cost coefficient) and
   the cost per km ``k``, so that cost damping ``g(d) = (d / d_ref) ** cost_damping`` (one log
   and one exp per cell pair, shared by every mode and segment; :func:`.spec.cost_damping_factor`)
   weighs them by trip length. With damping, a fare differs between cell pairs too, so a mode
   with a fare is split by cost coefficient like the others.
2. When the logsum coefficient ``dest_scale[p]`` is 1 and the mode choice is a multinomial
   logit, the size term is folded into the exponent too, and every per-origin quantity is a
   per-mode row sum: trips, passenger-km and the destination-choice denominator of every
   segment come from ``2 M`` sums per origin. Otherwise the attractiveness
   ``size * W ** dest_scale`` is computed per segment with a vectorised log and exp (the
   destination choice's own distance term ``exp(delta d)`` enters the utilities when
   ``dest_scale`` is 1, leaving each pair's mode shares as they are, else the size term once
   per origin and tile: :func:`.fused_core._decayed_size`). A nested
   logit (:func:`.spec.nest_structure`) divides each alternative's utility and constant by its
   nest's scale when they are folded, and per cell pair and segment raises each nest's sum to
   its scale (:func:`.fused_core._nested_modes`: a log and an exp per nest of scale below 1);
   each mode's trips then carry its nest's factor ``I ** (scale - 1)``.
3. Origin-constrained purposes take one pass over the origins. Doubly constrained purposes take
   a pass that stores the attractiveness ``A[s, i, j]`` (one ``N x N`` array per evaluated
   segment, in the compute dtype: float32 halves it; kept between calls of the same shape, see
   :func:`release_workspace`) and makes the first Furness sweep while the rows are in cache;
   further sweeps over that array (float64 sums, four rows per pass over the factors), whose
   factor updates are :func:`.balancing.balance_factors` (Anderson-accelerated Furness), the
   very function the reference calls, so both take the same steps; and a final pass that
   recomputes the exponentials with the balanced factors, whose denominators are known, so
   that no row is stored. The singly constrained path stores nothing ``N x N``.
4. Trips by destination are accumulated per chunk of origins (per block of 8 origins) and
   added at the end; with traffic districts, so are the car passenger-km by origin district
   and destination cell (``K`` more rows of the chunk's accumulator), summed into districts
   of destination at the end. Chunks run on a pool of threads (:mod:`.threads`); the cores
   release the GIL.

``dtype=np.float32`` computes utilities, exponentials and the stored array in float32; sums
over destinations are taken in float32 over tiles of 512 and added in float64, and balancing
is float64 throughout: city totals stay within 1e-5 relative of float64
(``tests/test_kernel_fused_float32.py``). Outputs are float64 always.

Importing this module compiles nothing; the first call compiles the cores for its dtype and
caches them on disk (see :mod:`.numba_env` for the folder and thread settings). numba's cache
is invalidated per source file only: after editing ``fastexp.py``, delete
``kernels/__pycache__/fused_core*.nb?`` (the cores inline the exp).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .numba_env import prepare

prepare()

from . import fused_core  # noqa: E402 - numba_env.prepare() must run first
from .balancing import (  # noqa: E402
    balance_factors,
    destination_targets,
    starting_factors,
)
from .spec import (  # noqa: E402
    CAR_MODES,
    MODES,
    PT,
    PURPOSES,
    DemandInputs,
    DemandOutputs,
    DemandParams,
    UtilityRangeError,
    check_inputs,
    check_origin_groups,
    nest_structure,
)
from .threads import chunk_count, run_chunks  # noqa: E402

#: Compute dtypes accepted by :func:`demand_fused`.
DTYPES: tuple[type, ...] = (np.float64, np.float32)


@dataclass(frozen=True)
class PurposeArrays:
    """Per-cell arrays of one purpose, folded for the compiled cores (see :mod:`.fused_core`).

    Attributes
    ----------
    px, py : ndarray, shape (N,)
        Centred coordinates times ``circuity / 1000`` (network km).
    dz : float
        Intrazonal network distance, km.
    a, sl : ndarray, shape (A, N)
        Origin part of the utility (with the largest log of the segments' origin weights,
        see ``f``), and the utility per network km from each origin, per alternative
        (``alt_mode``).
    b : ndarray, shape (C, A, N)
        Destination part of the utility, money costs apart, per class of origin: inside (0)
        and outside (1) the cordon; with external zones, classes 2 and 3 are the same for
        external origins, with the external destinations closed (``-inf``); with residents a
        low-emission zone spares (``zone_residents``), classes 4 and 5 are theirs, inside and
        outside the cordon, with the destinations as they meet them (``resident_dest_*``).
    cb : ndarray, shape (C, A, N)
        Money cost of the destination in utility (fare, destination cost and, per class of
        origin, the cordon charge of the destinations on the other side of the cordon, times
        the cost coefficient), before cost damping.
    ck : ndarray, shape (A,)
        Money cost per network km in utility (cost per km times the cost coefficient), before
        cost damping.
    damp : ndarray, shape (2,)
        ``[cost_damping, 1 / cost_damping_ref_km]`` (float64); ``cost_damping`` 0: no damping.
    kvj : ndarray, shape (A, N)
        Destination part of the time slope: of modes with per-cell speeds (car, PT), and the
        cycling minutes the destination's protected infrastructure lightens (its half of
        the trip's mean share; the origin's half is in ``sl``).
    origin_class : ndarray of int64, shape (N,)
        Each origin's row of ``b``: 1 outside the cordon, plus 2 for an external zone, plus 4
        for residents a zone spares.
    f : ndarray, shape (S, A, N)
        Origin weight per evaluated segment: ``origin_avail * exp(asc)`` times the
        segment's factor of :func:`alternatives`, divided by its largest over the segments
        (whose log is in ``a``): at most 1.
    origins : ndarray, shape (S, N)
        Trips produced per evaluated segment (float64).
    size : ndarray, shape (N,)
        Destination size term.
    gravity : bool
        Whether the size term is folded into ``b`` (``dest_scale == 1``).
    lam : float
        Logsum coefficient of destination choice.
    delta : float
        Its own distance term, utility per network km (``dest_distance_coef``); 0 when
        ``lam`` is 1, where it is in ``sl`` instead.
    alt_mode : ndarray of int64, shape (A,)
        Mode of each alternative: the rows of ``a``, ``sl``, ``b``, ``kvj`` and the second axis
        of ``f`` are the kernel's alternatives (:func:`alternatives`), ``A >= M``.
    alt_nest : ndarray of int64, shape (A,)
        Nest of each alternative (its mode's, :func:`.spec.nest_structure`, numbered over the
        nests that have a mode).
    nest_scale : ndarray, shape (K,)
        Scale of each nest that has a mode (float64). The utilities in ``a``, ``sl``, ``b``,
        ``kvj`` and the constants in ``f`` are divided by their nest's scale; the availability
        weights are not.
    nested : bool
        Whether any nest's scale is below 1 (else the model is the multinomial logit and the
        cores take their plain paths).
    nest_alias : ndarray of int64, shape (S, K)
        For each evaluated segment and nest, the lowest segment whose origin weights ``f`` on
        the nest's alternatives are the same (itself if none): the cores compute that nest's
        inclusive value once for both (:func:`nest_aliases`).
    """

    px: np.ndarray
    py: np.ndarray
    dz: float
    a: np.ndarray
    sl: np.ndarray
    b: np.ndarray
    kvj: np.ndarray
    origin_class: np.ndarray
    cb: np.ndarray
    ck: np.ndarray
    damp: np.ndarray
    f: np.ndarray
    origins: np.ndarray
    size: np.ndarray
    gravity: bool
    lam: float
    delta: float
    alt_mode: np.ndarray
    alt_nest: np.ndarray
    nest_scale: np.ndarray
    nested: bool
    nest_alias: np.ndarray


def nest_aliases(f: np.ndarray, alt_nest: np.ndarray, n_nests: int) -> np.ndarray:
    """Return ``(S, K)``: for each segment and nest the lowest segment with the same weights.

    Parameters
    ----------
    f : ndarray, shape (S, A, N)
        Origin weights of the alternatives per segment (:class:`PurposeArrays`).
    alt_nest : ndarray of int, shape (A,)
        Nest of each alternative.
    n_nests : int
        Number of nests ``K``.

    Returns
    -------
    ndarray of int64, shape (S, K)
        ``alias[s, k] = a <= s``, the first segment whose ``f[a]`` equals ``f[s]`` on every
        alternative of nest ``k`` at every origin: the nest's inclusive value is then the same
        for both segments in every cell pair (e.g. walking and cycling, whose constants depend
        on the car class only, in every income group of one car class).
    """
    n_seg = f.shape[0]
    alias = np.tile(np.arange(n_seg, dtype=np.int64)[:, None], (1, n_nests))
    for k in range(n_nests):
        members = np.flatnonzero(alt_nest == k)
        for s in range(n_seg):
            for earlier in range(s):
                if np.array_equal(f[earlier, members], f[s, members]):
                    alias[s, k] = alias[earlier, k]
                    break
    return alias


def _log(values: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(values)


def cell_speed_modes(inputs: DemandInputs) -> dict[int, np.ndarray]:
    """Modes whose in-vehicle time uses per-cell speeds (harmonic mean of origin and destination).

    Parameters
    ----------
    inputs : DemandInputs
        Per-cell inputs.

    Returns
    -------
    dict of int to ndarray
        Mode index -> speed per cell, km/h: the car modes use ``car_speed``, PT ``pt_speed``;
        the other modes use the scalar ``DemandParams.speed``.
    """
    out = {m: inputs.car_speed for m in CAR_MODES}
    out[PT] = inputs.pt_speed
    return out


def alternatives(
    inputs: DemandInputs, params: DemandParams, p: int, segments: Sequence[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the kernel's alternatives of purpose ``p``: modes, split by cost coefficient.

    Segments may value money differently (``cost_coef[s, p]``). A mode whose money cost varies
    from one cell pair to another (a cost per km, a destination cost, a cordon charge) then
    has a different exponential per cost coefficient, so it becomes one alternative per
    distinct coefficient, open only to the segments with that coefficient (weight 0 for the
    others). A mode with no money cost, or a flat fare only, stays one alternative: its fare
    differs between segments by a constant, folded into the segments' origin weights (unless
    costs are damped: the fare then weighs differently with each trip's length, and a mode
    with a fare is split too). With a single coefficient the alternatives are the modes.

    Returns
    -------
    alt_mode : ndarray of int64, shape (A,)
        Mode of each alternative.
    alt_coef : ndarray, shape (A,)
        Cost coefficient in each alternative's exponential.
    seg_weight : ndarray, shape (S, A)
        Factor on each evaluated segment's origin weight: 1 or 0 for a split mode's
        alternatives, ``exp((cost_coef[s, p] - alt_coef) * fare)`` for an unsplit one.
    """
    coef = np.asarray(params.cost_coef, dtype=np.float64)[list(segments), p]
    distinct = np.unique(coef)
    pair_cost = ((params.cost_per_km != 0) | (params.cordon_charge != 0)
                 | np.any(inputs.dest_cost[p] != 0, axis=1)
                 | (np.any(inputs.resident_dest_cost[p] != 0, axis=1)
                    if inputs.resident_dest_cost is not None else False)
                 | ((params.fare != 0) & (params.cost_damping != 0.0)))
    alt_mode: list[int] = []
    alt_coef: list[float] = []
    columns: list[np.ndarray] = []
    for m in range(len(MODES)):
        if pair_cost[m] and distinct.size > 1:
            for c in distinct:
                alt_mode.append(m)
                alt_coef.append(float(c))
                columns.append((coef == c).astype(np.float64))
        else:
            alt_mode.append(m)
            alt_coef.append(float(distinct[0]))
            columns.append(np.exp((coef - distinct[0]) * params.fare[m]))
    return (np.array(alt_mode, dtype=np.int64), np.array(alt_coef),
            np.stack(columns, axis=1))


def purpose_arrays(
    inputs: DemandInputs, params: DemandParams, p: int, segments: Sequence[int], dtype: type
) -> PurposeArrays:
    """Fold the inputs of purpose ``p`` into the arrays the cores read.

    Parameters
    ----------
    inputs, params : DemandInputs, DemandParams
        Validated model inputs.
    p : int
        Purpose index.
    segments : sequence of int
        Segments to evaluate.
    dtype : type
        Compute dtype.

    Returns
    -------
    PurposeArrays
        Arrays in ``dtype`` (``origins`` in float64), one row per alternative
        (:func:`alternatives`).
    """
    seg = list(segments)
    alt_mode, alt_coef, seg_weight = alternatives(inputs, params, p, seg)
    nest, nest_scale = nest_structure(params)
    used, alt_nest = np.unique(nest[alt_mode], return_inverse=True)  # nests with a mode only
    nest_scale = nest_scale[used]
    inv = 1.0 / nest_scale[alt_nest]  # utilities are divided by their nest's scale
    nested = bool(np.any(nest_scale != 1.0))
    if not nested:  # every scale 1: the multinomial logit, one nest
        alt_nest, nest_scale = np.zeros_like(alt_nest), np.ones(1)
    n_modes = len(MODES)
    cell_speed = cell_speed_modes(inputs)
    per_cell = np.isin(np.arange(n_modes), list(cell_speed))
    inv_speed = np.zeros((n_modes, inputs.n_cells))
    for m, speed_m in cell_speed.items():
        inv_speed[m] = 1.0 / speed_m
    inv_speed = inv_speed[alt_mode]
    scale = params.circuity / 1000.0
    speed = np.where(per_cell, 1.0, params.speed)
    slope = np.where(per_cell, 0.0, params.time_coef * 60.0 / speed)[alt_mode] * inv
    # protected cycle infrastructure lightens each minute of the modes with a fixed speed by
    # infra_coef x the mean of the origin's and destination's shares: half of it per km on
    # each end's part of the slope (infra_coef is 0 for car and PT)
    lighter = (-(slope * params.infra_coef[alt_mode])[:, None]
               * (0.5 * inputs.bike_infra[None, :]))
    # the destination choice's distance term delta d: with a logsum coefficient of 1 it enters
    # every alternative's utility per km (it scales each pair's W by exp(delta d) and leaves
    # the pair's mode shares as they are); otherwise the cores add it in the exponent of
    # W ** dest_scale (folding delta / dest_scale into the utilities would take them out of
    # float's range as dest_scale nears 0)
    delta = float(params.distance_coef()[p])
    if params.dest_scale[p] == 1.0:
        slope = slope + delta * inv
        delta = 0.0
    per_km_cost = alt_coef * params.cost_per_km[alt_mode] * inv
    kv = np.where(per_cell, 30.0 * params.time_coef, 0.0)[alt_mode] * inv
    a = params.ovt_coef * inputs.origin_time[alt_mode] * inv[:, None]
    gravity = bool(params.dest_scale[p] == 1.0) and not nested
    cordon = np.asarray(inputs.cordon, dtype=bool)
    charge = (alt_coef * params.cordon_charge[alt_mode] * inv)[:, None]

    def destination_part(avail: np.ndarray, dest_cost: np.ndarray
                         ) -> tuple[np.ndarray, list[np.ndarray]]:
        """``b`` of the destinations, and their costs from inside and outside the cordon."""
        b = (params.ovt_coef * inputs.dest_time[alt_mode] * inv[:, None]
             + _log(avail[alt_mode]))
        if gravity:
            b = b + _log(inputs.size[p])[None, :]
        cost = (alt_coef[:, None] * inv[:, None]
                * (params.fare[alt_mode][:, None] + dest_cost[p][alt_mode]))
        return b, [cost + charge * params.cordon_resident_factor * ~cordon[None, :],  # out of it
                   cost + charge * cordon[None, :]]  # trips into the cordon

    b_all, costs = destination_part(inputs.dest_avail, inputs.dest_cost)
    classes = [b_all, b_all]
    external = inputs.external_mask()
    spared = (np.zeros(inputs.n_cells, dtype=bool) if inputs.zone_residents is None
              else np.asarray(inputs.zone_residents, dtype=bool))
    if external.any() or spared.any():  # external origins: no external destination
        closed = np.where(external, -np.inf, 0.0)[None, :]
        classes += [b_all + closed, b_all + closed]
        costs += costs
    if spared.any():  # residents a zone spares: its rule as they meet it
        b_spared, spared_costs = destination_part(inputs.resident_dest_avail,
                                                  inputs.resident_dest_cost)
        classes += [b_spared, b_spared]
        costs += spared_costs
    # the origin weights' logs: availability, constant and the segment's factor of
    # ``alternatives``; their largest over the segments moves into the exponent (``a``), so
    # that each weight is at most 1 and the exponentials of the cores carry the constants as the
    # reference's one ``exp`` does (a nest of small scale multiplies constants by up to 20:
    # factored apart, ``exp(asc / scale)`` times ``exp`` of a rest beyond float64's range
    # underflowed where the reference's term did not, found by the property test)
    log_f = (_log(inputs.origin_avail[seg][:, alt_mode])
             + (params.asc[seg, p, :][:, alt_mode] * inv[None, :])[:, :, None]
             + (_log(seg_weight) * inv[None, :])[:, :, None])
    top = log_f.max(axis=0)
    shift = np.where(np.isfinite(top), top, 0.0)
    a = a + shift
    f = np.exp(log_f - shift[None])
    origins = inputs.productions(params.trip_rate, p)[seg]

    def cast(values: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(values, dtype=dtype)

    return PurposeArrays(
        px=cast((inputs.x - inputs.x.mean()) * scale),
        py=cast((inputs.y - inputs.y.mean()) * scale),
        dz=float(params.circuity * params.intrazonal_factor * inputs.cell_size / 1000.0),
        a=cast(a),
        sl=cast(slope[:, None] + kv[:, None] * inv_speed + lighter),
        b=cast(np.stack(classes)),
        kvj=cast(kv[:, None] * inv_speed + lighter),
        origin_class=np.ascontiguousarray(~cordon + 2 * external + 4 * spared, dtype=np.int64),
        cb=cast(np.stack(costs)),
        ck=cast(per_km_cost),
        damp=np.array([params.cost_damping, 1.0 / params.cost_damping_ref_km]),
        f=cast(f),
        origins=np.ascontiguousarray(origins, dtype=np.float64),
        size=cast(inputs.size[p]),
        gravity=gravity,
        lam=float(params.dest_scale[p]),
        delta=delta,
        alt_mode=alt_mode,
        alt_nest=np.ascontiguousarray(alt_nest, dtype=np.int64),
        nest_scale=np.ascontiguousarray(nest_scale, dtype=np.float64),
        nested=nested,
        nest_alias=nest_aliases(cast(f), alt_nest, nest_scale.size),
    )


def _selection(
    values: Sequence[int] | None, count: int, name: str, problems: list[str]
) -> list[int]:
    if values is None:
        return list(range(count))
    chosen = [int(v) for v in values]
    if not chosen or len(set(chosen)) != len(chosen) or any(v < 0 or v >= count for v in chosen):
        problems.append(f"{name}: expected distinct indices in 0..{count - 1}, got {list(values)}")
    return sorted(set(chosen))


def check_fused_arguments(
    inputs: DemandInputs,
    params: DemandParams,
    balancing: np.ndarray | None,
    dtype: type,
    segments: Sequence[int] | None,
    purposes: Sequence[int] | None,
) -> tuple[type, list[int], list[int]]:
    """Validate everything :func:`demand_fused` receives; raise once listing every problem.

    Returns
    -------
    dtype, segments, purposes
        The compute dtype as a NumPy scalar type and the sorted segment and purpose indices.

    Raises
    ------
    ValueError
        One line per problem.
    """
    check_inputs(inputs, params)
    problems: list[str] = []
    try:
        chosen = np.dtype(dtype).type
    except TypeError:
        chosen = None
    if chosen not in DTYPES:
        problems.append(f"dtype: expected float64 or float32, got {dtype!r}")
    segs = _selection(segments, np.asarray(inputs.segment_share).shape[0], "segments", problems)
    purs = _selection(purposes, len(PURPOSES), "purposes", problems)
    scale = np.asarray(params.dest_scale, dtype=float)
    if not np.all(np.isfinite(scale)) or np.any(scale < 0):
        problems.append("params.dest_scale: must be finite and >= 0")
    if not params.tolerance >= 0 or int(params.max_iterations) < 0:
        problems.append("params.tolerance and params.max_iterations must be >= 0")
    if balancing is not None:
        start = np.asarray(balancing)
        expected = (len(PURPOSES), inputs.n_cells)
        if start.shape != expected:
            problems.append(f"balancing: shape {start.shape}, expected {expected}")
        elif not np.all(np.isfinite(start)) or np.any(start < 0):
            problems.append("balancing: factors must be finite and >= 0")
    if problems:
        raise ValueError("invalid arguments of demand_fused:\n" + "\n".join(problems))
    return chosen, segs, purs


_WORKSPACE: dict[tuple, np.ndarray] = {}
_WORKSPACE_LOCK = threading.Lock()


def _take_workspace(shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """Return an uninitialised array for the attractiveness, reused from the previous call.

    A simulation calls the kernel once per year with the same shape; reusing the array saves
    the operating system's page faults and zeroing (0.7 s for 400 MB, measured). Concurrent
    calls each get their own array. :func:`release_workspace` frees the kept one.
    """
    with _WORKSPACE_LOCK:
        kept = _WORKSPACE.pop((shape, np.dtype(dtype).str), None)
    return kept if kept is not None else np.empty(shape, dtype=dtype)


def _return_workspace(array: np.ndarray) -> None:
    with _WORKSPACE_LOCK:
        _WORKSPACE.clear()  # keep one array at most
        _WORKSPACE[(array.shape, array.dtype.str)] = array


def release_workspace() -> None:
    """Free the attractiveness array kept between calls (one ``S x N x N`` array at most)."""
    with _WORKSPACE_LOCK:
        _WORKSPACE.clear()


def _run_timed(timings: dict[str, float] | None, phase: str, core, n: int, partial, *args) -> None:
    """:func:`.threads.run_chunks`, adding its wall time to ``timings[phase]`` when asked."""
    if timings is None:
        run_chunks(core, n, partial, *args)
        return
    start = time.perf_counter()
    run_chunks(core, n, partial, *args)
    timings[phase] = timings.get(phase, 0.0) + time.perf_counter() - start


def furness(
    stored: np.ndarray,
    origins: np.ndarray,
    target: np.ndarray,
    factors: np.ndarray,
    arrivals: np.ndarray,
    denom: np.ndarray,
    tolerance: float,
    max_iterations: int,
    timings: dict[str, float] | None = None,
) -> tuple[np.ndarray, int, np.ndarray]:
    """Balance destination factors over the stored attractiveness (:mod:`.balancing`).

    Parameters
    ----------
    stored : ndarray, shape (S, N, N)
        Attractiveness per evaluated segment.
    origins : ndarray, shape (S, N)
        Trips produced.
    target : ndarray, shape (N,)
        Destination totals ``D_j`` (:func:`.balancing.destination_targets`).
    factors : ndarray, shape (N,)
        Starting factors (:func:`.balancing.starting_factors`); not modified.
    arrivals, denom : ndarray, shapes (N,) and (S, N)
        The first sweep, made with ``factors`` by :func:`.fused_core.build_rows`.
    tolerance, max_iterations : float, int
        Stopping rule of :func:`.reference.balance`.
    timings : dict, optional
        Receives the seconds of the sweeps under ``"balancing_sweeps"`` (see
        :func:`demand_fused`).

    Returns
    -------
    factors : ndarray, shape (N,)
        Balanced factors.
    iterations : int
        Factor updates made.
    denom : ndarray, shape (S, N)
        Destination-choice denominators with the returned factors.
    """
    n = target.size
    partial = np.zeros((chunk_count(n), n))

    def sweep(factors: np.ndarray) -> np.ndarray:
        partial[:] = 0.0
        _run_timed(timings, "balancing_sweeps", fused_core.balance_rows, n, partial, stored,
                   factors, origins, denom)
        return partial.sum(axis=0) * factors

    factors, iterations = balance_factors(sweep, target, factors, tolerance, max_iterations,
                                          arrivals=arrivals)
    return factors, iterations, denom


def demand_fused(
    inputs: DemandInputs,
    params: DemandParams,
    balancing: np.ndarray | None = None,
    dtype: type = np.float64,
    *,
    segments: Sequence[int] | None = None,
    purposes: Sequence[int] | None = None,
    timings: dict[str, float] | None = None,
) -> DemandOutputs:
    """Compute one scenario-year of trips, passenger-km, vehicle-km and CO2 (fused kernel).

    Same model, arguments and results as :func:`.reference.demand_reference` (to 1e-9 relative
    in float64, tested property-wise), much faster and with memory of at most one ``N x N``
    array per segment of a doubly constrained purpose.

    Parameters
    ----------
    inputs : DemandInputs
        Per-cell inputs.
    params : DemandParams
        Model parameters (``dest_scale`` must be >= 0).
    balancing : ndarray, shape (P, N), optional
        Warm-start destination factors (last year's ``DemandOutputs.balancing``); rows of
        origin-constrained purposes are ignored.
    dtype : {numpy.float64, numpy.float32}
        Compute dtype. float32 is about twice as fast and halves the stored array; city totals
        stay within 1e-5 relative of float64. Outputs are float64 either way.
    segments, purposes : sequence of int, optional
        Evaluate only these segments / purposes (default: all). The others get no trips, a
        ``-inf`` logsum, factors of 1 and 0 iterations, and balancing targets count the
        evaluated segments only. Meant for timing one segment and purpose
        (``mobility-sim bench``); the model itself always evaluates all.
    timings : dict, optional
        When given, wall seconds are added to it per phase: ``"attractiveness_pass"`` (the
        exponentials of doubly constrained purposes, stored, with the first sweep),
        ``"balancing_sweeps"`` (the other sweeps over the stored array) and ``"flows_pass"``
        (the exponentials again, trips and passenger-km). For ``mobility-sim bench``.

    Returns
    -------
    DemandOutputs
        Daily results (float64).

    Raises
    ------
    ValueError
        Listing every invalid input (shapes, ranges, dtype, warm start); or, as
        :class:`.spec.UtilityRangeError`, when the trips are not finite (utilities beyond the
        compute dtype's range, which only nest scales near 0 with strong cost damping reach).
    """
    dtype, segs, purs = check_fused_arguments(inputs, params, balancing, dtype, segments, purposes)
    n, n_seg = inputs.n_cells, np.asarray(inputs.segment_share).shape[0]
    n_pur, n_modes = len(PURPOSES), len(MODES)
    trips = np.zeros((n_seg, n_pur, n, n_modes))
    pkm = np.zeros((n_seg, n_pur, n, n_modes))
    trips_to_mn = np.zeros((n_modes, n))
    dest_logsum = np.full((n_seg, n_pur, n), -np.inf)
    factors = np.ones((n_pur, n))
    iterations = np.zeros(n_pur, dtype=np.int64)
    chunks = chunk_count(n)
    k = inputs.n_districts
    district = (np.zeros(0, dtype=np.int64) if k == 0
                else np.ascontiguousarray(inputs.district, dtype=np.int64))
    car_to = np.zeros((k, n))
    for p in purs:
        arr = purpose_arrays(inputs, params, p, segs, dtype)
        n_alt = arr.alt_mode.size
        is_car = np.isin(arr.alt_mode, list(CAR_MODES))
        geometry = (arr.px, arr.py, arr.dz, arr.a, arr.sl, arr.b, arr.kvj, arr.origin_class,
                    arr.cb, arr.ck, arr.damp)
        nests = (arr.alt_nest, arr.nest_scale, arr.nest_alias)
        s_trips = np.zeros((len(segs), n, n_alt))
        s_pkm = np.zeros((len(segs), n, n_alt))
        s_logsum = np.full((len(segs), n), -np.inf)
        if params.doubly_constrained[p]:
            stored = _take_workspace((len(segs), n, n), dtype)
            target = destination_targets(inputs.size[p], arr.origins)
            start = starting_factors(np.ones(n) if balancing is None else balancing[p], target)
            denom = np.empty((len(segs), n))
            partial = np.zeros((chunks, n))
            _run_timed(timings, "attractiveness_pass", fused_core.build_rows, n, partial,
                       *geometry, arr.f, arr.gravity, arr.lam, arr.delta, arr.size, *nests,
                       stored, s_logsum, start, arr.origins, denom)
            arrivals = partial.sum(axis=0) * start
            factors[p], iterations[p], denom = furness(
                stored, arr.origins, target, start, arrivals, denom, params.tolerance,
                int(params.max_iterations), timings)
            _return_workspace(stored)
            del stored
            b = arr.b
            if arr.gravity:
                b = np.ascontiguousarray(arr.b + _log(factors[p])[None, None, :], dtype=dtype)
            weight = factors[p].astype(dtype)
            geometry = (*geometry[:5], b, *geometry[6:])
        else:
            denom = np.empty((len(segs), 0))
            weight = np.ones(n, dtype=dtype)
        parts = np.zeros((chunks, n_alt + k, n))
        if arr.gravity and denom.shape[1] == n:
            _run_timed(timings, "flows_pass", fused_core.known_gravity_rows, n, parts, *geometry,
                       arr.f, arr.origins, denom, s_trips, s_pkm, district, is_car)
        else:
            _run_timed(timings, "flows_pass", fused_core.flow_rows, n, parts, *geometry, arr.f,
                       arr.gravity, arr.lam, arr.delta, arr.size, *nests, weight, arr.origins,
                       denom, s_trips, s_pkm, s_logsum, district, is_car)
        summed = parts.sum(axis=0)
        car_to += summed[n_alt:]
        for alt, m in enumerate(arr.alt_mode):  # alternatives back to modes
            trips_to_mn[m] += summed[alt]
            trips[segs, p, :, m] += s_trips[:, :, alt]
            pkm[segs, p, :, m] += s_pkm[:, :, alt]
        dest_logsum[segs, p] = s_logsum
    _require_finite((trips, pkm), params, dtype)
    pkm_cell = pkm.sum(axis=(0, 1))
    od = None
    if k:
        od = np.zeros((k, k))
        np.add.at(od.T, district, car_to.T)  # columns: destination cells -> their districts
    return DemandOutputs(
        trips=trips,
        pkm=pkm,
        trips_to=np.ascontiguousarray(trips_to_mn.T),
        vkm=pkm_cell * params.vkm_per_pkm[None, :],
        co2_ttw=pkm_cell * params.ef_ttw[None, :],
        co2_wtw=pkm_cell * params.ef_wtw[None, :],
        dest_logsum=dest_logsum,
        balancing=factors,
        iterations=iterations,
        district_car_pkm=od,
    )


def _require_finite(arrays: Sequence[np.ndarray], params: DemandParams, dtype: type) -> None:
    """Raise a UtilityRangeError saying why when any of the kernel's ``arrays`` is not finite."""
    if all(np.isfinite(values).all() for values in arrays):
        return
    wider = " or dtype float64" if np.dtype(dtype) == np.float32 else ""
    raise UtilityRangeError(
        "the fused kernel's trips are not finite: the utilities leave the range of "
        f"{np.dtype(dtype).name} (a nest's inclusive value at the bottom of the range, whose "
        "modes' shares overflowed). Nest scales near 0 multiply utilities by 1 / scale: "
        f"params.nest_scale is {params.nest_scale}, params.cost_damping "
        f"{params.cost_damping}. Use nest scales nearer 1 or weaker cost damping{wider}")


def _runs(rows: np.ndarray) -> list[tuple[int, int]]:
    """Sorted ``rows`` as ranges ``[start, stop)`` of consecutive cells (a repeat starts one)."""
    if rows.size == 0:
        return []
    ordered = np.sort(rows)
    cut = np.flatnonzero(np.diff(ordered) != 1) + 1
    return [(int(run[0]), int(run[-1]) + 1) for run in np.split(ordered, cut)]


def trips_by_destination_fused(
    inputs: DemandInputs,
    params: DemandParams,
    balancing: np.ndarray,
    groups: Sequence[np.ndarray],
    dtype: type = np.float64,
) -> np.ndarray:
    """Trips by mode and destination from each group of origins (fused kernel).

    Same arguments and result as :func:`.reference.trips_by_destination` (to 1e-9 relative in
    float64): the flows pass of :func:`demand_fused` (:func:`.fused_core.flow_rows`) over each
    group's runs of consecutive origins, with the year's factors given, not balanced again.
    A doubly constrained purpose's factors multiply the destinations' size (when its logsum
    coefficient is 1, they enter the exponentials as in :func:`demand_fused`), so each origin's
    denominator is its row sum. Work: the group's origins x N cell pairs; no ``N x N`` array.

    Parameters
    ----------
    inputs, params : DemandInputs, DemandParams
        The year's inputs and parameters.
    balancing : ndarray, shape (P, N)
        The year's destination factors (``DemandOutputs.balancing``); the rows of
        origin-constrained purposes are not used.
    groups : sequence of array_like of int
        Origin cells of each group (a cell may be in several).
    dtype : {numpy.float64, numpy.float32}
        Compute dtype; the result is float64.

    Returns
    -------
    ndarray, shape (G, M, N)
        Daily trips by group, mode and destination.

    Raises
    ------
    ValueError
        Listing every invalid input; or when the trips are not finite (as
        :func:`demand_fused`).
    """
    dtype, segs, _ = check_fused_arguments(inputs, params, None, dtype, None, None)
    rows_of = check_origin_groups(inputs, balancing, groups)
    n, n_seg = inputs.n_cells, len(segs)
    out = np.zeros((len(rows_of), len(MODES), n))
    runs = [_runs(rows) for rows in rows_of]
    if not any(runs):
        return out
    district = np.zeros(0, dtype=np.int64)
    denom = np.empty((n_seg, 0))
    for p in range(len(PURPOSES)):
        arr = purpose_arrays(inputs, params, p, segs, dtype)
        factors = (np.asarray(balancing[p], dtype=np.float64) if params.doubly_constrained[p]
                   else np.ones(n))
        b, size = arr.b, arr.size
        if arr.gravity:
            b = np.ascontiguousarray(arr.b + _log(factors)[None, None, :], dtype=dtype)
        else:
            size = np.ascontiguousarray(arr.size * factors, dtype=dtype)
        weight = np.ones(n, dtype=dtype)
        n_alt = arr.alt_mode.size
        is_car = np.isin(arr.alt_mode, list(CAR_MODES))
        s_trips = np.zeros((n_seg, n, n_alt))
        s_pkm = np.zeros((n_seg, n, n_alt))
        s_logsum = np.full((n_seg, n), -np.inf)
        tt = np.zeros((n_alt, n))
        for g, group_runs in enumerate(runs):
            tt[:] = 0.0
            for start, stop in group_runs:
                fused_core.flow_rows(start, stop, arr.px, arr.py, arr.dz, arr.a, arr.sl, b,
                                     arr.kvj, arr.origin_class, arr.cb, arr.ck, arr.damp,
                                     arr.f, arr.gravity, arr.lam, arr.delta, size, arr.alt_nest,
                                     arr.nest_scale, arr.nest_alias, weight,
                                     arr.origins, denom, s_trips, s_pkm, s_logsum, district,
                                     is_car, tt)
            for alt, m in enumerate(arr.alt_mode):
                out[g, m] += tt[alt]
    _require_finite((out,), params, dtype)
    return out


def nest_evaluations(arr: PurposeArrays) -> int:
    """Inclusive values of scale below 1 the cores compute per cell pair and pass.

    One per segment and nest of scale below 1, less those shared with a lower segment
    (:func:`nest_aliases`); 0 for a multinomial logit.
    """
    if not arr.nested:
        return 0
    n_seg = arr.nest_alias.shape[0]
    own = arr.nest_alias == np.arange(n_seg)[:, None]
    return int((own & (arr.nest_scale < 1.0)[None, :]).sum())


def transcendentals(
    n_cells: int,
    n_segments: int,
    dest_scale: Sequence[float],
    doubly_constrained: Sequence[bool],
    n_alternatives: Sequence[int] | None = None,
    inclusive_values: Sequence[int] | None = None,
    cost_damping: bool = False,
) -> int:
    """Count the exp and log evaluations :func:`demand_fused` makes in one year.

    Follows the loops of :mod:`.fused_core`: one exponential per cell pair and alternative per
    pass (two passes for doubly constrained purposes, one otherwise), plus, per cell pair,
    segment and pass, a log and an exp when ``dest_scale`` is not 1, and per cell pair and pass
    a log and an exp per inclusive value computed (a segment's nest of scale below 1 that it
    does not share with a lower segment), and with cost damping a log and an exp per cell pair
    and pass. ``N`` logs of row sums are ignored.

    Parameters
    ----------
    n_cells, n_segments : int
        Cells and evaluated segments.
    dest_scale, doubly_constrained : sequences, one entry per evaluated purpose
        Logsum coefficient and balancing flag of each purpose.
    n_alternatives : sequence of int, optional
        The kernel's alternatives per evaluated purpose (:func:`alternatives`); default: the
        modes.
    inclusive_values : sequence of int, optional
        Per evaluated purpose, the inclusive values of scale below 1 computed per cell pair
        and pass (:func:`nest_evaluations`); default: none (the multinomial logit).
    cost_damping : bool
        Whether money costs are damped by trip length (``DemandParams.cost_damping``).

    Returns
    -------
    int
        Transcendental evaluations.
    """
    pairs = n_cells * n_cells
    if n_alternatives is None:
        n_alternatives = [len(MODES)] * len(dest_scale)
    if inclusive_values is None:
        inclusive_values = [0] * len(dest_scale)
    total = 0
    for lam, doubly, n_alt, nests in zip(dest_scale, doubly_constrained, n_alternatives,
                                         inclusive_values, strict=True):
        passes = 2 if doubly else 1
        per_pair = n_alt + 2 * n_segments * (lam != 1.0) + 2 * nests + 2 * cost_damping
        total += passes * per_pair * pairs
    return total
