"""``mobility-sim bench`` prints one JSON line with every field CI keeps (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mobility_sim.bench import run_benchmark
from mobility_sim.data import parameters

FIELDS = {
    "cells": int, "years": int, "modes": int, "segments": int, "purposes": int, "dtype": str,
    "threads": int, "seconds_per_year": float, "pair_evaluations_per_s": float,
    "peak_memory_mb": float, "speedup_vs_reference": float, "exp_bound_fraction": float,
    "exp_rate_per_s": float, "balancing_iterations_by_year": list, "reference_cells": int,
    "city_totals_max_rel_diff_vs_reference": float, "seconds_by_phase": dict,
    "exp_passes_fraction_of_exp_bound": float, "balancing_sweep_read_gb_per_s": float,
    "memory_read_gb_per_s": float, "roofline_seconds": float, "roofline_fraction": float,
}


def test_bench_command_prints_one_json_line_with_the_fields():
    done = subprocess.run(
        [sys.executable, "-m", "mobility_sim", "bench", "--cells", "300", "--years", "2",
         "--segments", "1", "--purposes", "1", "--dtype", "float32"],
        capture_output=True, text=True, check=True,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    record = json.loads(lines[0])
    for name, kind in FIELDS.items():
        assert isinstance(record[name], kind), name
    assert (record["cells"], record["years"], record["segments"], record["purposes"]) == (
        300, 2, 1, 1)
    assert record["modes"] == 6 and record["dtype"] == "float32"
    # one model segment: the car-available residents, owners of combustion and of electric cars
    assert record["kernel_segments"] == 2
    assert len(record["seconds_by_year"]) == 2
    assert record["pair_evaluations_per_s"] == pytest.approx(
        300 * 300 * 2 * 2 / record["total_seconds"], rel=1e-9)
    assert all(k > 0 for k in record["balancing_iterations_by_year"])
    assert record["city_totals_max_rel_diff_vs_reference"] < 1e-5  # float32 vs reference
    assert record["reference_cells"] == 300 and record["reference_note"] is None
    phases = record["seconds_by_phase"]
    assert set(phases) == {"attractiveness_pass", "balancing_sweeps", "flows_pass", "other"}
    assert all(v >= 0 for v in phases.values())
    assert sum(phases.values()) == pytest.approx(record["total_seconds"], abs=5e-4)  # rounding
    assert record["exp_passes_fraction_of_exp_bound"] > record["exp_bound_fraction"]
    # the roofline adds the sweeps' reads at the measured read rate to the exp bound
    exp_seconds = record["transcendentals_per_year"] * 2 / record["exp_rate_per_s"]
    sweeps = sum(record["balancing_iterations_by_year"])
    read_seconds = sweeps * 2 * 300 * 300 * 4 / (record["memory_read_gb_per_s"] * 1e9)
    assert record["roofline_seconds"] == pytest.approx(exp_seconds + read_seconds, rel=1e-9)
    assert record["roofline_fraction"] == pytest.approx(
        record["roofline_seconds"] / record["total_seconds"], rel=1e-9)


def test_full_model_in_float64_agrees_with_the_reference_in_the_same_run():
    record = run_benchmark(cells=200, years=2, dtype="float64")
    assert (record["segments"], record["purposes"]) == (6, 2)  # the model's: all of them
    # the kernel's: each car-available segment split into combustion and electric car owners
    assert record["kernel_segments"] == 9
    assert record["city_totals_max_rel_diff_vs_reference"] < 1e-9
    # Commute (doubly constrained): two exp passes of 12 alternatives (walk, bike, e-bike, and
    # PT and the two car powertrains once per income group: each values its fare and running
    # cost differently, and with cost damping a fare weighs differently on every cell pair);
    # other purposes: one pass, plus a log and an exp per kernel segment when their logsum
    # coefficient is not 1; in every pass a log and an exp per inclusive value of the mode
    # choice's nests of scale below 1 (two by default: motorised and not): the motorised one
    # per kernel segment, the walking and cycling one once (every segment weighs walking and
    # cycling alike in this uncalibrated city: fused.nest_aliases); and a log and an exp per
    # cell pair for the cost damping.
    values = parameters()
    other_scale = float(values["destination.scale.other"])
    assert sum(float(values[f"nest.scale_{k}"]) < 1.0 for k in (1, 2, 3)) == 2
    assert float(values["cost_damping.exponent"]) != 0.0
    nests = 9 + 1
    per_pair = (2 * (12 + 2 * nests + 2) + 12 + 2 * nests + 2
                + (0 if other_scale == 1.0 else 2 * 9))
    assert record["transcendentals_per_year"] == 200 * 200 * per_pair


def test_districts_report_their_cost_and_keep_the_reference_agreement():
    record = run_benchmark(cells=400, years=2, dtype="float64", districts=True)
    assert record["districts"] >= 1 and record["district_cost_ratio"] > 0
    # the reference computes the district output too: the totals still agree
    assert record["city_totals_max_rel_diff_vs_reference"] < 1e-9


def test_bad_dtype_exits_with_code_2():
    done = subprocess.run([sys.executable, "-m", "mobility_sim", "bench", "--dtype", "int8"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "float32 or float64" in done.stderr
