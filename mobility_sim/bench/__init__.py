"""The benchmark: ``mobility-sim bench`` times the fused demand kernel on a synthetic city.

Modules: :mod:`.inputs` (the benchmark city's inputs, from the model layer), :mod:`.probes`
(memory, exp rate, memory read rate), :mod:`.run` (the timed run and the JSON record).

What is measured (all in one process, so that ratios are comparable on a noisy machine):

- the fused kernel (:func:`mobility_sim.kernels.fused.demand_fused`) over ``years``
  scenario-years of a synthetic city, each year warm-starting the doubly constrained balancing
  from the trend of the last three years' factors, as a simulation does
  (:func:`mobility_sim.kernels.balancing.warm_start`). Years differ by small input changes
  (battery-electric share of the car fleet, shared e-bikes, PT headways, cycle lanes);
- the NumPy reference (:func:`mobility_sim.kernels.reference.demand_reference`) on one of those
  years, with the same warm start, so the speed-up compares the same work;
- the machine's vectorised exp rate in the benchmark's dtype
  (:func:`mobility_sim.kernels.fastexp.exp_probe`, all threads, data in L1), before and after
  the kernel runs; the larger is the bound.

Counting. A *pair evaluation* is one origin-destination pair for one kernel segment and
purpose in one year (destination and mode choice over the 6 modes): ``cells**2 *
kernel_segments * purposes * years``, where the kernel's segments are the model's with each
car-available one split into owners of combustion and of electric cars
(:mod:`mobility_sim.model.car_owners`: 9 for the full model's 6). The reference always
evaluates every kernel segment and both purposes, so its rate is its own pair evaluations over
its time; the speed-up is the ratio of the two rates on the same year. With ``--segments 1``
every resident is in the first segment (car available: two kernel segments, its owners of
either car) and the kernel evaluates those only; with ``--purposes 1`` it evaluates the
commute purpose only, and the reference's second purpose is made a copy of it, so that both
do the same kind of work per pair (a doubly constrained purpose costs more per pair than an
origin-constrained one). The exp-bound fraction counts the exponentials and logarithms the
kernel evaluates (:func:`mobility_sim.kernels.fused.transcendentals`, from its loop
structure) per second, over the measured exp rate.

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
:func:`mobility_sim.kernels.bandwidth.read_probe`, 256 MB on all threads, measured after the run);
``roofline_fraction`` is that over the measured time. Neither limit can overlap the other
(the sweeps need the stored array complete, the flows pass needs the balanced factors), so
their sum is a bound; what it leaves out (writing the stored array, distances, the arithmetic
around each exp) is what keeps the fraction below 1.

The synthetic city and its inputs: :mod:`.inputs`. They are the model's own inputs of each
year (built by :mod:`mobility_sim.model`, as a simulation builds them), under a few measures so
that the years differ.

Importing this package imports neither numba nor the kernels.
"""

from .inputs import synthetic_inputs
from .run import bench_command, run_benchmark

__all__ = ["bench_command", "run_benchmark", "synthetic_inputs"]
