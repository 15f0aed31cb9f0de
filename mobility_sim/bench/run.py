"""``mobility-sim bench``: time the fused demand kernel on a synthetic city, print one JSON line.

What is measured (all in one process, so that ratios are comparable on a noisy machine):

- the fused kernel (:func:`mobility_sim.kernels.fused.demand_fused`) over ``years``
  scenario-years of a synthetic city, each year warm-starting the doubly constrained balancing
  from the trend of the last three years' factors, as a simulation does
  (:func:`mobility_sim.kernels.balancing.warm_start`). Years differ by small input changes
  (battery-electric share of the car fleet, e-bike availability, PT headways, cycle lanes);
- the NumPy reference (:func:`mobility_sim.kernels.reference.demand_reference`) on one of those
  years, with the same warm start, so the speed-up compares the same work;
- the machine's vectorised exp rate in the benchmark's dtype (:func:`.kernels.fastexp.exp_probe`,
  all threads, data in L1), before and after the kernel runs; the larger is the bound.

Counting. A *pair evaluation* is one origin-destination pair for one segment and purpose in
one year (destination and mode choice over the 6 modes): ``cells**2 * segments * purposes *
years``. The reference always evaluates the model's 2 segments and 2 purposes, so its rate is
its own pair evaluations over its time; the speed-up is the ratio of the two rates on the same
year. With ``--segments 1`` every resident is in the first segment (car available) and the
kernel evaluates that segment only; with ``--purposes 1`` it evaluates the commute purpose
only, and the reference's second purpose is made a copy of it, so that both do the same kind
of work per pair (a doubly constrained purpose costs more per pair than an origin-constrained
one). The exp-bound fraction counts the exponentials and logarithms the kernel evaluates
(:func:`.kernels.fused.transcendentals`, from its loop structure) per second, over the measured
exp rate.

Where the time goes: ``seconds_by_phase`` splits the kernel's time into the pass that stores
the attractiveness of doubly constrained purposes, the balancing sweeps over it, the pass that
computes trips and passenger-km, and the rest (input folding, Python);
``exp_passes_fraction_of_exp_bound`` is the exp-bound fraction of the two exp passes alone,
and ``balancing_sweep_read_gb_per_s`` the rate at which the sweeps read the stored array (they
are bound by memory bandwidth, not by exps).

Roofline. The exp bound leaves out the balancing sweeps, which evaluate no exp but must read
the stored array once per sweep. ``roofline_seconds`` adds the two limits this machine sets
on the kernel's algorithm: its exponentials at the measured exp rate, plus the bytes its
sweeps read at the measured memory read rate (``memory_read_gb_per_s``,
:func:`.kernels.bandwidth.read_probe`, 256 MB on all threads, measured after the run);
``roofline_fraction`` is that over the measured time. Neither limit can overlap the other
(the sweeps need the stored array complete, the flows pass needs the balanced factors), so
their sum is a bound; what it leaves out (writing the stored array, distances, the arithmetic
around each exp) is what keeps the fraction below 1.

The synthetic city (:func:`mobility_sim.city.synthetic.synthetic_city`, 250 m cells, about
3,000 residents per km2) gets plausible inputs built here from its density with the default
parameters (``mobility_sim/data/parameters.csv``): they are benchmark inputs, not a model run.

Importing this module imports neither numba nor the kernels.
"""

from __future__ import annotations

import json
import math
import resource
import time
from collections.abc import Mapping
from typing import Annotated, Any

import numpy as np
import typer

#: Years over which the synthetic fleet electrifies (share of battery-electric cars).
_BEV_START, _BEV_STEP = 0.03, 0.03


def _param(p: Mapping[str, float], key: str, default: float) -> float:
    return float(p.get(key, default))


def synthetic_inputs(
    n_cells: int,
    year_index: int,
    segments: int = 2,
    purposes: int = 2,
    cell_size_m: float = 250.0,
) -> tuple[Any, Any]:
    """Build plausible model inputs for one year of a synthetic benchmark city.

    Parameters
    ----------
    n_cells : int
        Cells of the synthetic monocentric city.
    year_index : int
        Years since the start: the BEV fleet share, e-bike availability, cycle lanes and PT
        headways move a little every year.
    segments : {1, 2}
        With 1, every resident is in the car-available segment (the second has share 0).
    purposes : {1, 2}
        With 1, the second purpose is a copy of the first (commute, doubly constrained), so that
        the reference, which always evaluates both, does the same kind of work per pair.
    cell_size_m : float
        Cell side, metres.

    Returns
    -------
    inputs : DemandInputs
    params : DemandParams
    """
    from .city.synthetic import synthetic_city
    from .data import parameters
    from .kernels.spec import (
        BIKE,
        CAR_EV,
        CAR_ICE,
        EBIKE,
        MODES,
        PT,
        SEGMENTS,
        WALK,
        DemandInputs,
        DemandParams,
    )

    p = parameters()
    area_km2 = (cell_size_m / 1000.0) ** 2
    city = synthetic_city(n_cells, cell_size_m=cell_size_m, population=3000.0 * area_km2 * n_cells)
    grid = city.grid
    n, m = n_cells, len(MODES)
    t = float(year_index)
    pop = grid["population"].to_numpy(float)
    jobs = grid["jobs"].to_numpy(float)
    density = pop / area_km2
    car_speed = 20.0 + 25.0 * np.exp(-density / 4000.0)
    walk_m_per_min = _param(p, "speed.walk", 4.5) * 1000.0 / 60.0
    access = (250.0 + 750.0 * np.exp(-density / 2000.0)) / walk_m_per_min
    headway = (5.0 + 25.0 * np.exp(-density / 3000.0)) * (1.0 - 0.01 * t)
    ramp = np.clip((density - 3000.0) / 7000.0, 0.0, 1.0)
    infra = np.minimum(0.3 * (1.0 - np.exp(-density / 5000.0)) + 0.005 * t, 1.0)
    profile = 1.0 / (1.0 + density / 10000.0)
    ownership = 0.569 * profile / (profile * pop).sum() * pop.sum()
    car_available = np.clip(1.5 * ownership, 0.0, 0.95) if segments == 2 else np.ones(n)
    bev = min(_BEV_START + _BEV_STEP * t, 1.0)
    origin_avail = np.ones((len(SEGMENTS), m, n))
    origin_avail[:, EBIKE] = min(_param(p, "ebike.availability", 0.1) + 0.01 * t, 1.0)
    origin_avail[0, CAR_ICE], origin_avail[0, CAR_EV] = 1.0 - bev, bev
    origin_avail[1, [CAR_ICE, CAR_EV]] = 0.0
    origin_time = np.zeros((m, n))
    dest_time = np.zeros((m, n))
    origin_time[PT] = access + np.minimum(headway / 2.0, 15.0)
    dest_time[PT] = access
    dest_time[[CAR_ICE, CAR_EV]] = 5.0 * ramp
    dwell = (8.0 * 0.25, 1.5 * 1.0)  # hours parked x share paying, commute and other
    dest_cost = np.zeros((2, m, n))
    for k in range(2):
        dest_cost[k, [CAR_ICE, CAR_EV]] = 3.0 * ramp * dwell[k if purposes == 2 else 0]
    size = np.vstack([jobs, jobs + 0.5 * pop]) if purposes == 2 else np.vstack([jobs, jobs])
    inputs = DemandInputs(
        x=grid["x"].to_numpy(float), y=grid["y"].to_numpy(float), cell_size=cell_size_m,
        population=pop, segment_share=np.vstack([car_available, 1.0 - car_available]),
        size=size, origin_avail=origin_avail, dest_avail=np.ones((m, n)),
        origin_time=origin_time, dest_time=dest_time, dest_cost=dest_cost,
        car_speed=car_speed, pt_speed=np.full(n, _param(p, "speed.pt", 20.0)),
        bike_infra=infra, cordon=np.zeros(n, dtype=bool),
    )
    key = {WALK: "walk", BIKE: "bike", EBIKE: "ebike", PT: "pt", CAR_ICE: "car", CAR_EV: "car"}
    defaults_time = {"walk": -0.1, "bike": -0.1, "ebike": -0.09, "pt": -0.06, "car": -0.08}
    defaults_asc = {"walk": 0.0, "bike": -1.8, "ebike": -1.8, "pt": -0.2, "car": -0.8}
    speed = np.zeros(m)
    for mode in (WALK, BIKE, EBIKE):
        speed[mode] = _param(p, f"speed.{key[mode]}", {WALK: 4.5, BIKE: 15.0, EBIKE: 20.0}[mode])
    asc = np.array([_param(p, f"utility.asc.{key[k]}", defaults_asc[key[k]]) for k in range(m)])
    second = 1 if purposes == 2 else 0
    rate = (_param(p, "trip_rate.commute", 0.8), _param(p, "trip_rate.other", 2.2))
    cost = (_param(p, "utility.cost.commute", -0.4), _param(p, "utility.cost.other", -0.5))
    scale = (_param(p, "destination.scale.commute", 1.0),
             _param(p, "destination.scale.other", 1.5))
    ef_ttw = np.array([0.0, 0.0, 0.0, 0.07, 0.17 / 1.6, 0.0])
    params = DemandParams(
        trip_rate=np.array([rate[0], rate[second]]),
        asc=np.broadcast_to(asc, (len(SEGMENTS), 2, m)).copy(),
        time_coef=np.array([_param(p, f"utility.time.{key[k]}", defaults_time[key[k]])
                            for k in range(m)]),
        ovt_coef=_param(p, "utility.ovt", -0.06),
        cost_coef=np.array([cost[0], cost[second]]),
        infra_coef=np.array([0.0, 1.0, 1.0, 0.0, 0.0, 0.0]) * _param(p, "utility.bike_infra", 1.0),
        speed=speed,
        cost_per_km=np.array([0.0, 0.0, 0.0, 0.0, 0.12, 0.05]),
        fare=np.array([0.0, 0.0, 0.0, _param(p, "pt.fare", 1.5), 0.0, 0.0]),
        cordon_charge=np.zeros(m),
        dest_scale=np.array([scale[0], scale[second]]),
        doubly_constrained=np.array([True, purposes == 1]),
        circuity=_param(p, "geometry.circuity", 1.3),
        intrazonal_factor=_param(p, "geometry.intrazonal_factor", 0.5214),
        vkm_per_pkm=np.array([0.0, 0.0, 0.0, 0.0, 1 / 1.6, 1 / 1.6]),
        ef_ttw=ef_ttw, ef_wtw=ef_ttw * 1.2,
        tolerance=_param(p, "balancing.tolerance", 1e-9),
        max_iterations=int(_param(p, "balancing.max_iterations", 500)),
    )
    return inputs, params


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _available_mb() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) / 1024.0
    except OSError:
        pass
    return math.inf


def reference_memory_mb(n_cells: int) -> float:
    """Rough peak memory of one reference year: two stored ``N x N`` float64 arrays and temps."""
    return (2 + 2) * n_cells * n_cells * 8 / 2**20 + 400.0


def exp_rate(dtype: type, threads: int, seconds: float = 0.3) -> float:
    """Measure the vectorised exp rate (evaluations per second) on ``threads`` threads.

    Parameters
    ----------
    dtype : type
        float32 or float64.
    threads : int
        Parallel workers.
    seconds : float
        Rough duration of the measurement.

    Returns
    -------
    float
        Exponentials per second (best of three).
    """
    from .kernels.fastexp import exp_probe

    x = np.linspace(-20.0, 0.0, 4096).astype(dtype)
    shift = np.linspace(0.0, 1e-3, 7).astype(dtype)
    exp_probe(x, shift, 1, threads)
    sweeps = 64
    start = time.perf_counter()
    exp_probe(x, shift, sweeps, threads)
    elapsed = time.perf_counter() - start
    sweeps = max(1, int(sweeps * seconds / max(elapsed, 1e-6)))
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        exp_probe(x, shift, sweeps, threads)
        best = min(best, time.perf_counter() - start)
    return threads * sweeps * x.size / best


def read_rate(megabytes: float = 256.0, repeats: int = 5) -> float:
    """Measure the memory read rate (bytes per second) on the kernels' threads.

    Parameters
    ----------
    megabytes : float
        Size of the array streamed (see :func:`.kernels.bandwidth.read_probe`).
    repeats : int
        Timed passes; the fastest counts.

    Returns
    -------
    float
        Bytes read per second.
    """
    from .kernels.bandwidth import read_probe

    rows = np.ones((max(1, int(megabytes * 2**20 / 4 / 4096)), 4096), dtype=np.float32)
    read_probe(rows)
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        read_probe(rows)
        best = min(best, time.perf_counter() - start)
    return rows.nbytes / best


def _phase_record(phases: dict[str, float], total: float) -> dict[str, float]:
    """Seconds per kernel phase over all years, the rest (setup, Python) as ``other``."""
    names = ("attractiveness_pass", "balancing_sweeps", "flows_pass")
    out = {name: round(phases.get(name, 0.0), 4) for name in names}
    out["other"] = round(max(total - sum(phases.get(name, 0.0) for name in names), 0.0), 4)
    return out


def city_totals(out: Any, segments: int, purposes: int) -> np.ndarray:
    """Trips and passenger-km by mode, city totals over the evaluated segments and purposes."""
    return np.concatenate([out.trips[:segments, :purposes].sum(axis=(0, 1, 2)),
                           out.pkm[:segments, :purposes].sum(axis=(0, 1, 2))])


def run_benchmark(
    cells: int,
    years: int,
    segments: int = 2,
    purposes: int = 2,
    dtype: str = "float32",
    reference: bool = True,
    reference_cells: int | None = None,
    threads: int | None = None,
) -> dict[str, Any]:
    """Run the benchmark and return the JSON record (see the module docstring).

    Parameters
    ----------
    cells, years : int
        City size and scenario-years timed.
    segments, purposes : {1, 2}
        Segments and purposes evaluated.
    dtype : {"float32", "float64"}
        Compute dtype of the fused kernel.
    reference : bool
        Time the NumPy reference on one year.
    reference_cells : int, optional
        Time the reference on a city of this many cells instead (default: ``cells``; reduced
        automatically when its memory would not fit, which the record says).
    threads : int, optional
        numba threads (default: all).

    Returns
    -------
    dict
        The JSON record.
    """
    import numba

    from .kernels.balancing import warm_start
    from .kernels.fused import demand_fused, transcendentals

    if threads:
        numba.set_num_threads(threads)
    n_threads = numba.get_num_threads()
    compute = {"float32": np.float32, "float64": np.float64}[dtype]
    segs, purs = tuple(range(segments)), tuple(range(purposes))

    def fused(inputs: Any, params: Any, start: np.ndarray | None,
              timings: dict[str, float] | None = None) -> Any:
        return demand_fused(inputs, params, start, dtype=compute, segments=segs, purposes=purs,
                            timings=timings)

    small = synthetic_inputs(64, 0, segments, purposes)
    t0 = time.perf_counter()
    fused(*small, None)
    compile_seconds = time.perf_counter() - t0
    rate_before = exp_rate(compute, n_threads)
    memory_before = _peak_rss_mb()
    history: list[np.ndarray] = []  # the last three years' balancing factors, newest first
    starts, outputs, seconds, iterations = [], [], [], []
    inputs_seconds = 0.0
    kept = 1 if years > 1 else 0  # the year the reference is timed on, kept for it
    yearly: dict[int, tuple] = {}
    phases: dict[str, float] = {}
    sweep_bytes = 0.0
    for k in range(years):
        t0 = time.perf_counter()
        inputs, params = synthetic_inputs(cells, k, segments, purposes)  # built, not timed
        inputs_seconds += time.perf_counter() - t0
        if k == kept or k == 0:
            yearly[k] = (inputs, params)
        start = warm_start(*history)  # as the simulation does
        starts.append(start if k == kept else None)
        t0 = time.perf_counter()
        out = fused(inputs, params, start, phases)
        seconds.append(time.perf_counter() - t0)
        sweep_bytes += sum(int(out.iterations[q]) * segments * cells * cells
                           for q in purs) * np.dtype(compute).itemsize
        history = [out.balancing, *history[:2]]
        iterations.append(int(out.iterations[list(purs)].max()))
        outputs.append(city_totals(out, segments, purposes))
        del inputs, params, out
    peak = _peak_rss_mb()
    memory_rate = read_rate()  # after the peak is read: the probe's array is not the kernel's
    rate = max(rate_before, exp_rate(compute, n_threads))
    total = float(sum(seconds))
    pairs_per_year = cells * cells * segments * purposes
    params0 = yearly[0][1]
    work = transcendentals(cells, segments, [float(params0.dest_scale[k]) for k in purs],
                           [bool(params0.doubly_constrained[k]) for k in purs])
    roofline = work * years / rate + sweep_bytes / memory_rate
    record: dict[str, Any] = {
        "cells": cells, "years": years, "modes": 6, "segments": segments,
        "purposes": purposes, "dtype": dtype, "threads": n_threads,
        "seconds_per_year": total / years,
        "pair_evaluations_per_s": pairs_per_year * years / total,
        "peak_memory_mb": round(peak, 1),
        "speedup_vs_reference": None,
        "exp_bound_fraction": work * years / total / rate,
        "total_seconds": total,
        "seconds_by_year": [round(s, 4) for s in seconds],
        "balancing_iterations_by_year": iterations,
        "compile_or_cache_load_seconds": round(compile_seconds, 3),
        "memory_before_run_mb": round(memory_before, 1),
        "exp_rate_per_s": rate,
        "transcendentals_per_year": work,
        "inputs_seconds": round(inputs_seconds, 3),
        "seconds_by_phase": _phase_record(phases, total),
        "exp_passes_fraction_of_exp_bound": (
            work * years / rate / (phases.get("attractiveness_pass", 0.0)
                                   + phases.get("flows_pass", 0.0))),
        "balancing_sweep_read_gb_per_s": (
            sweep_bytes / 1e9 / phases["balancing_sweeps"]
            if phases.get("balancing_sweeps") else None),
        "memory_read_gb_per_s": memory_rate / 1e9,
        "roofline_seconds": roofline,
        "roofline_fraction": roofline / total,
    }
    if reference:
        record.update(_reference_record(cells, years, segments, purposes, reference_cells,
                                        yearly, starts, outputs, seconds, pairs_per_year,
                                        fused))
    return record


def _reference_record(cells: int, years: int, segments: int, purposes: int,
                      reference_cells: int | None, yearly: dict, starts: list, outputs: list,
                      seconds: list, pairs_per_year: int, fused: Any) -> dict[str, Any]:
    """Time the reference on one year and compare rates (and results when on the same city)."""
    from .kernels.reference import demand_reference

    k = 1 if years > 1 else 0
    n_ref = cells if reference_cells is None else reference_cells
    note = None
    budget = 0.7 * _available_mb()
    while reference_memory_mb(n_ref) > budget and n_ref > 100:
        n_ref = int(n_ref * 0.8)
        note = (f"reference timed on {n_ref} cells: {cells} cells need about "
                f"{reference_memory_mb(cells):.0f} MB, more than 70% of the memory available")
    if n_ref == cells:
        inputs, params = yearly[k]
        start, fused_seconds, fused_totals = starts[k], seconds[k], outputs[k]
    else:
        inputs, params = synthetic_inputs(n_ref, k, segments, purposes)
        start = None
        if k:
            start = fused(*synthetic_inputs(n_ref, 0, segments, purposes), None).balancing
        t0 = time.perf_counter()
        fused_totals = city_totals(fused(inputs, params, start), segments, purposes)
        fused_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = demand_reference(inputs, params, start)
    ref_seconds = time.perf_counter() - t0
    ref_pairs = n_ref * n_ref * 4  # the reference evaluates 2 segments x 2 purposes
    fused_rate = pairs_per_year * (n_ref / cells) ** 2 / fused_seconds
    ref_rate = ref_pairs / ref_seconds
    ref_totals = city_totals(ref, segments, purposes)
    nonzero = ref_totals != 0
    rel = np.abs(fused_totals - ref_totals)[nonzero] / np.abs(ref_totals[nonzero])
    return {
        "speedup_vs_reference": fused_rate / ref_rate,
        "reference_cells": n_ref,
        "reference_year_index": k,
        "reference_seconds": ref_seconds,
        "reference_pair_evaluations_per_s": ref_rate,
        "fused_seconds_same_year": fused_seconds,
        "city_totals_max_rel_diff_vs_reference": float(rel.max()) if rel.size else None,
        "reference_note": note,
    }


def bench_command(
    cells: Annotated[int, typer.Option(min=2, help="Cells of the synthetic city.")] = 2000,
    years: Annotated[int, typer.Option(min=1, help="Scenario-years timed.")] = 3,
    segments: Annotated[int, typer.Option(min=1, max=2, help="Segments evaluated.")] = 2,
    purposes: Annotated[int, typer.Option(min=1, max=2, help="Purposes evaluated.")] = 2,
    dtype: Annotated[str, typer.Option(help="Compute dtype: float32 or float64.")] = "float32",
    reference: Annotated[bool, typer.Option(help="Time the NumPy reference on one year.")] = True,
    reference_cells: Annotated[
        int | None, typer.Option(help="Time the reference on this many cells instead.")
    ] = None,
    threads: Annotated[int | None, typer.Option(help="numba threads (default: all).")] = None,
) -> None:
    """Time the fused demand kernel on a synthetic city; print one JSON line.

    Fields: cells, years, modes, segments, purposes, dtype, threads, seconds_per_year,
    pair_evaluations_per_s, peak_memory_mb, speedup_vs_reference (same year, same process),
    exp_bound_fraction (exp and log evaluations per second over the measured vectorised exp
    rate), and details. See ``mobility_sim/bench.py`` for what is counted.
    """
    if dtype not in ("float32", "float64"):
        typer.echo(f"error: --dtype must be float32 or float64, got {dtype!r}", err=True)
        raise typer.Exit(code=2)
    record = run_benchmark(cells, years, segments, purposes, dtype, reference, reference_cells,
                           threads)
    typer.echo(json.dumps(record))
