"""``mobility-sim bench``: time the fused demand kernel on a synthetic city, print one JSON line.

See :mod:`mobility_sim.bench` for what is measured and counted. Importing this module imports
neither numba nor the kernels.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Annotated, Any

import numpy as np
import typer

from ..kernels.spec import MODES, PURPOSES, SEGMENTS
from .inputs import synthetic_inputs
from .probes import available_mb, exp_rate, peak_rss_mb, read_rate


def reference_memory_mb(n_cells: int) -> float:
    """Rough peak memory of one reference year: two stored ``N x N`` float64 arrays and temps."""
    return (2 + 2) * n_cells * n_cells * 8 / 2**20 + 400.0


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


def bench_districts(inputs: Any) -> np.ndarray:
    """Traffic districts of the benchmark city, as the road-traffic model draws them."""
    from ..data import parameters
    from ..model.traffic import grid_districts

    tr = parameters()
    district, _ = grid_districts(inputs.x, inputs.y, inputs.cell_size, tr["traffic.district_km"],
                                 int(tr["traffic.max_districts"]))
    return district


def fused_segments(inputs: Any) -> tuple[int, ...]:
    """Return the kernel segments with residents (the first ones).

    Car-available segments are split by the car owned (:mod:`mobility_sim.model.car_owners`),
    so one model segment may be two kernel segments.
    """
    return tuple(range(int(np.count_nonzero(inputs.segment_share.sum(axis=1) > 0))))


def run_benchmark(
    cells: int,
    years: int,
    segments: int = len(SEGMENTS),
    purposes: int = 2,
    dtype: str = "float32",
    reference: bool = True,
    reference_cells: int | None = None,
    threads: int | None = None,
    districts: bool = False,
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
    districts : bool
        Also return the car passenger-km between traffic districts (the road-traffic model's
        demand, ``model/traffic.py``: 3 km squares, at most 100) in every timed year, and
        time one year without them in the same run (``district_cost_ratio``).

    Returns
    -------
    dict
        The JSON record.
    """
    import numba

    from ..kernels.balancing import warm_start
    from ..kernels.fused import (
        alternatives,
        demand_fused,
        nest_evaluations,
        purpose_arrays,
        transcendentals,
    )

    if threads:
        numba.set_num_threads(threads)
    n_threads = numba.get_num_threads()
    compute = {"float32": np.float32, "float64": np.float64}[dtype]
    purs = tuple(range(purposes))

    def fused(inputs: Any, params: Any, start: np.ndarray | None,
              timings: dict[str, float] | None = None) -> Any:
        return demand_fused(inputs, params, start, dtype=compute, segments=segs, purposes=purs,
                            timings=timings)

    small = synthetic_inputs(64, 0, segments, purposes)
    segs = fused_segments(small[0])
    n_eval = len(segs)
    t0 = time.perf_counter()
    fused(*small, None)
    compile_seconds = time.perf_counter() - t0
    rate_before = exp_rate(compute, n_threads)
    memory_before = peak_rss_mb()
    history: list[np.ndarray] = []  # the last three years' balancing factors, newest first
    starts, outputs, seconds, iterations = [], [], [], []
    inputs_seconds = 0.0
    kept = 1 if years > 1 else 0  # the year the reference is timed on, kept for it
    yearly: dict[int, tuple] = {}
    phases: dict[str, float] = {}
    sweep_bytes = 0.0
    district = None
    for k in range(years):
        t0 = time.perf_counter()
        inputs, params = synthetic_inputs(cells, k, segments, purposes)  # built, not timed
        if districts:
            if district is None:
                district = bench_districts(inputs)
            inputs = replace(inputs, district=district)
        inputs_seconds += time.perf_counter() - t0
        if k == kept or k == 0:
            yearly[k] = (inputs, params)
        start = warm_start(*history)  # as the simulation does
        starts.append(start if k == kept else None)
        t0 = time.perf_counter()
        out = fused(inputs, params, start, phases)
        seconds.append(time.perf_counter() - t0)
        sweep_bytes += sum(int(out.iterations[q]) * n_eval * cells * cells
                           for q in purs) * np.dtype(compute).itemsize
        history = [out.balancing, *history[:2]]
        iterations.append(int(out.iterations[list(purs)].max()))
        outputs.append(city_totals(out, n_eval, purposes))
        del inputs, params, out
    peak = peak_rss_mb()
    memory_rate = read_rate()  # after the peak is read: the probe's array is not the kernel's
    rate = max(rate_before, exp_rate(compute, n_threads))
    total = float(sum(seconds))
    pairs_per_year = cells * cells * n_eval * purposes
    params0 = yearly[0][1]
    work = transcendentals(cells, n_eval, [float(params0.dest_scale[k]) for k in purs],
                           [bool(params0.doubly_constrained[k]) for k in purs],
                           [alternatives(yearly[0][0], params0, k, segs)[0].size for k in purs],
                           [nest_evaluations(purpose_arrays(yearly[0][0], params0, k, segs,
                                                            compute)) for k in purs],
                           cost_damping=params0.cost_damping != 0.0)
    roofline = work * years / rate + sweep_bytes / memory_rate
    record: dict[str, Any] = {
        "cells": cells, "years": years, "modes": len(MODES), "segments": segments,
        "kernel_segments": n_eval,
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
    if districts:
        inputs, params = yearly[kept]
        t0 = time.perf_counter()
        fused(replace(inputs, district=None), params, starts[kept])
        without = time.perf_counter() - t0
        t0 = time.perf_counter()
        fused(inputs, params, starts[kept])
        record.update(districts=int(np.max(district)) + 1,
                      district_cost_ratio=(time.perf_counter() - t0) / without)
    if reference:
        record.update(_reference_record(cells, years, segments, purposes, reference_cells,
                                        yearly, starts, outputs, seconds, pairs_per_year,
                                        fused))
    return record


def _reference_record(cells: int, years: int, segments: int, purposes: int,
                      reference_cells: int | None, yearly: dict, starts: list, outputs: list,
                      seconds: list, pairs_per_year: int, fused: Any) -> dict[str, Any]:
    """Time the reference on one year and compare rates (and results when on the same city)."""
    from ..kernels.reference import demand_reference

    k = 1 if years > 1 else 0
    n_ref = cells if reference_cells is None else reference_cells
    note = None
    budget = 0.7 * available_mb()
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
        fused_totals = city_totals(fused(inputs, params, start), len(fused_segments(inputs)),
                                   purposes)
        fused_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = demand_reference(inputs, params, start)
    ref_seconds = time.perf_counter() - t0
    # the reference evaluates every kernel segment and purpose
    ref_pairs = n_ref * n_ref * inputs.segment_share.shape[0] * len(PURPOSES)
    fused_rate = pairs_per_year * (n_ref / cells) ** 2 / fused_seconds
    ref_rate = ref_pairs / ref_seconds
    ref_totals = city_totals(ref, len(fused_segments(inputs)), purposes)
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
    segments: Annotated[int, typer.Option(
        min=1, max=len(SEGMENTS),
        help="Segments evaluated (car class x income group; default: all, the model's).")
    ] = len(SEGMENTS),
    purposes: Annotated[int, typer.Option(min=1, max=2, help="Purposes evaluated.")] = 2,
    dtype: Annotated[str, typer.Option(help="Compute dtype: float32 or float64.")] = "float32",
    reference: Annotated[bool, typer.Option(help="Time the NumPy reference on one year.")] = True,
    reference_cells: Annotated[
        int | None, typer.Option(help="Time the reference on this many cells instead.")
    ] = None,
    threads: Annotated[int | None, typer.Option(help="numba threads (default: all).")] = None,
    districts: Annotated[bool, typer.Option(
        help="Also compute the car passenger-km between traffic districts (speed feedback's "
             "demand) and report its cost against a year without.")] = False,
) -> None:
    """Time the fused demand kernel on a synthetic city; print one JSON line.

    Fields: cells, years, modes, segments, kernel_segments, purposes, dtype, threads,
    seconds_per_year, pair_evaluations_per_s, peak_memory_mb, speedup_vs_reference (same year,
    same process), exp_bound_fraction (exp and log evaluations per second over the measured
    vectorised exp rate), and details. See :mod:`mobility_sim.bench` for what is counted.
    """
    if dtype not in ("float32", "float64"):
        typer.echo(f"error: --dtype must be float32 or float64, got {dtype!r}", err=True)
        raise typer.Exit(code=2)
    record = run_benchmark(cells, years, segments, purposes, dtype, reference, reference_cells,
                           threads, districts)
    typer.echo(json.dumps(record))
