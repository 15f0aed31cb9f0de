"""asv suite: one scenario-year of the demand model, fused kernel against the NumPy reference.

Run from the repository root::

    asv run --quick                               # a fresh environment per commit
    asv run --environment existing:.venv/bin/python --quick   # the current checkout

Inputs come from :func:`mobility_sim.bench.synthetic_inputs` (a synthetic city with 250 m
cells); every timed year warm-starts the balancing from the previous year's factors (a
simulation extrapolates the last three years' trend instead). ``setup`` runs the kernel once,
so compilation (or loading from numba's cache) is never timed. ``track_*`` benchmarks record
ratios measured within one process, which survive the noise of a shared machine better than
absolute times.
"""

from __future__ import annotations

import numpy as np

DTYPES = {"float32": np.float32, "float64": np.float64}


def _year(cells: int, segments: int = 2, purposes: int = 2):
    from mobility_sim.kernels.fused import demand_fused

    from mobility_sim.bench import synthetic_inputs

    first = synthetic_inputs(cells, 0, segments, purposes)
    second = synthetic_inputs(cells, 1, segments, purposes)
    chosen = {"segments": tuple(range(segments)), "purposes": tuple(range(purposes))}
    start = demand_fused(*first, **chosen).balancing
    return second, start, chosen


class FusedYear:
    """Full model (2 segments x 2 purposes), one warm-started year."""

    params = ((1000, 2500), tuple(DTYPES))
    param_names = ("cells", "dtype")
    timeout = 900

    def setup(self, cells, dtype):
        from mobility_sim.kernels.fused import demand_fused

        self.run = demand_fused
        self.year, self.start, _ = _year(cells)
        demand_fused(*self.year, self.start, dtype=DTYPES[dtype])

    def time_fused_year(self, cells, dtype):
        self.run(*self.year, self.start, dtype=DTYPES[dtype])

    def peakmem_fused_year(self, cells, dtype):
        self.run(*self.year, self.start, dtype=DTYPES[dtype])


class SingleSegmentDoublyConstrained:
    """The issue's headline configuration: one segment and purpose, doubly constrained."""

    params = (2500, 5000)
    param_names = ("cells",)
    timeout = 900

    def setup(self, cells):
        from mobility_sim.kernels.fused import demand_fused

        self.run = demand_fused
        self.year, self.start, self.chosen = _year(cells, 1, 1)
        demand_fused(*self.year, self.start, dtype=np.float32, **self.chosen)

    def time_fused_year_float32(self, cells):
        self.run(*self.year, self.start, dtype=np.float32, **self.chosen)


class ReferenceYear:
    """The NumPy reference on the same year (slow: small sizes only)."""

    params = (1000,)
    param_names = ("cells",)
    timeout = 900

    def setup(self, cells):
        from mobility_sim.kernels.reference import demand_reference

        self.run = demand_reference
        self.year, self.start, _ = _year(cells)

    def time_reference_year(self, cells):
        self.run(*self.year, self.start)


class SameProcessRatios:
    """Ratios measured in one process by ``mobility-sim bench`` (see mobility_sim/bench/)."""

    timeout = 900

    def setup_cache(self):
        from mobility_sim.bench import run_benchmark

        return run_benchmark(cells=1500, years=3, segments=1, purposes=1, dtype="float32")

    def track_speedup_vs_reference(self, record):
        return record["speedup_vs_reference"]

    track_speedup_vs_reference.unit = "x"

    def track_exp_bound_fraction(self, record):
        return record["exp_bound_fraction"]

    track_exp_bound_fraction.unit = "fraction"

    def track_exp_rate(self, record):
        return record["exp_rate_per_s"] / 1e9

    track_exp_rate.unit = "G exp/s"
