"""Measure what one run costs on this machine and what a large sweep would need.

:func:`measure_run` times full runs of a scenario (after one warm-up run, which includes numba
compilation when the numba engine is used) and records the memory they take;
:func:`measure_cells` times one simulated year on synthetic cities of several sizes and fits
``seconds = a * cells ** b``; :func:`sweep_estimate` turns the measurements into the cores,
memory and wall time of a sweep, for a given list of city sizes.

Every figure in ``docs/scale.md`` comes from ``mobility-sim scale`` (see that page for the
command line) and is written with the machine's load average at the time, because the
machine that measured it may be shared.
"""

from __future__ import annotations

import dataclasses
import gc
import io
import os
import pickle
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..bench.probes import peak_rss_mb
from ..city.synthetic import synthetic_city
from ..model.kernel import Engine, kernel_for
from ..scenario import LoadedScenario, load_scenario
from ..simulate import simulate
from .store import job_table


@dataclass
class RunCost:
    """Measured cost of one scenario run.

    Attributes
    ----------
    scenario, city : str
        What was run.
    n_cells, n_years : int
        Grid cells and simulated years.
    engine : str
        Name of the demand implementation that ran.
    first_run_s : float
        The warm-up run (includes numba compilation or cache loading, if any).
    run_s : list of float
        The timed runs.
    traced_peak_mb : float
        Peak of memory allocated during one run (tracemalloc; NumPy arrays included).
    process_peak_rss_mb : float
        Peak resident memory of the whole process so far (imports, city, runs).
    result_bytes : int
        Size of one job's stored table (Parquet).
    base_bytes : int
        Size of the pickled scenario and city sent to a worker.
    load_average : tuple of float
        1, 5 and 15 minute load averages when the measurement ended.
    cpu_count : int
        Logical cores of the machine.
    """

    scenario: str
    city: str
    n_cells: int
    n_years: int
    engine: str
    first_run_s: float
    run_s: list[float]
    traced_peak_mb: float
    process_peak_rss_mb: float
    result_bytes: int
    base_bytes: int
    load_average: tuple[float, float, float]
    cpu_count: int

    @property
    def median_s(self) -> float:
        """Median of the timed runs."""
        return float(np.median(self.run_s))


def measure_run(loaded: LoadedScenario, engine: Engine = "auto", repeats: int = 3) -> RunCost:
    """Time ``repeats`` runs of ``loaded`` after one warm-up run and record their memory."""
    start = time.perf_counter()
    results = simulate(loaded, engine=engine)
    first = time.perf_counter() - start
    times = []
    for _ in range(max(1, repeats)):
        gc.collect()
        start = time.perf_counter()
        simulate(loaded, engine=engine)
        times.append(time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    simulate(loaded, engine=engine)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    buf = io.BytesIO()
    job_table(results).to_parquet(buf, index=False)
    return RunCost(scenario=loaded.scenario.name, city=loaded.city.name,
                   n_cells=loaded.city.n_cells, n_years=len(loaded.scenario.years.as_list()),
                   engine=kernel_for(engine).__name__, first_run_s=first, run_s=times,
                   traced_peak_mb=traced / 2**20, process_peak_rss_mb=peak_rss_mb(),
                   result_bytes=buf.tell(), base_bytes=len(pickle.dumps(loaded)),
                   load_average=os.getloadavg(), cpu_count=os.cpu_count() or 1)


def _cut_years(loaded: LoadedScenario, n_years: int) -> LoadedScenario:
    first = loaded.scenario.years.start
    years = loaded.scenario.years.model_copy(update={"end": first + n_years - 1, "step": 1})
    scenario = loaded.scenario.model_copy(update={"years": years, "target": None})
    return dataclasses.replace(loaded, scenario=scenario)


def measure_cells(scenario: str | Path, sizes: Sequence[int] = (100, 400, 1600, 2500),
                  engine: Engine = "auto", repeats: int = 2, span: int = 6) -> dict[str, Any]:
    """Time runs of 1 and ``span`` years on synthetic cities of ``sizes`` cells.

    The difference gives the cost of one simulated year at each size, the rest the per-run
    overhead (loading tables, fleet projection, result tables). The scenario's measures are
    kept (areas named by zone must exist in the synthetic city: ``centre`` does).

    Returns
    -------
    dict
        ``sizes``; per size ``seconds`` (one simulated year), ``overhead_s`` (per run, at
        least 1 ms) and ``traced_mb`` (peak memory of a run); ``span``, ``engine``,
        ``load_average``.
    """
    per_year, overhead, traced = [], [], []
    for n in sizes:
        city = synthetic_city(int(n), kind="polycentric", seed=0)
        loaded = load_scenario(scenario, city=city)
        short = measure_run(_cut_years(loaded, 1), engine=engine, repeats=repeats)
        long = measure_run(_cut_years(loaded, span), engine=engine, repeats=repeats)
        year = max((long.median_s - short.median_s) / (span - 1), 1e-6)
        per_year.append(year)
        overhead.append(max(short.median_s - year, 1e-3))
        traced.append(max(short.traced_peak_mb, long.traced_peak_mb))
    return {"sizes": list(map(int, sizes)), "seconds": per_year, "overhead_s": overhead,
            "traced_mb": traced, "span": span, "engine": kernel_for(engine).__name__,
            "load_average": os.getloadavg()}


def measure_parallel(loaded: LoadedScenario, n_runs: int = 8, n_jobs: int = 2,
                     engine: Engine = "auto", dask: bool = True) -> dict[str, Any]:
    """Time ``n_runs`` jobs serially, on ``n_jobs`` joblib workers and on a Dask cluster.

    Serially means in this process with one numba thread (as in a worker). The Dask cluster
    is a ``LocalCluster`` of ``n_jobs`` single-threaded worker processes on the loopback
    interface. Workers are warmed up first (one job each: imports, numba cache), as they
    would be a few seconds into a long sweep. The jobs differ by a tiny change of
    ``car.occupancy`` so that none is a repeat.

    Returns
    -------
    dict
        Per backend (``serial``, ``joblib``, ``dask``): ``wall_s``, ``job_s`` (sum of the
        workers' own time per job) and, for the parallel ones, ``busy`` = job_s / (workers x
        wall): the share of worker time spent running jobs rather than waiting for the
        scheduler or data (the backend's efficiency, whatever else loads the machine), and
        ``speedup`` over serial (which another load on the machine distorts).
    """
    from .jobs import Job
    from .sweep import run_sweep

    occupancy = float(loaded.scenario.parameters.get("car.occupancy", 1.6))
    counter = iter(range(10**6))

    def batch(n: int) -> list[Job]:
        return [Job(base=loaded,
                    parameters={"car.occupancy": occupancy + 1e-4 * (next(counter) + 1)})
                for _ in range(n)]

    def timed(**options: Any) -> dict[str, float]:
        start = time.perf_counter()
        report = run_sweep(batch(n_runs), engine=engine, progress=False, **options)
        wall = time.perf_counter() - start
        return {"wall_s": wall, "job_s": float(sum(report.run_seconds))}

    out: dict[str, Any] = {"n_runs": n_runs, "n_jobs": n_jobs,
                           "engine": kernel_for(engine).__name__}
    run_sweep(batch(1), engine=engine, progress=False, numba_threads=1)
    out["serial"] = timed(numba_threads=1)
    run_sweep(batch(n_jobs), engine=engine, progress=False, n_jobs=n_jobs)
    out["joblib"] = timed(n_jobs=n_jobs)
    backends = ["joblib"]
    if dask:
        from distributed import Client, LocalCluster

        start = time.perf_counter()
        with LocalCluster(n_workers=n_jobs, threads_per_worker=1, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            out["dask_cluster_start_s"] = time.perf_counter() - start
            run_sweep(batch(n_jobs), engine=engine, progress=False, scheduler=client)
            out["dask"] = timed(scheduler=client)
        backends.append("dask")
    for name in backends:
        part = out[name]
        part["busy"] = part["job_s"] / (n_jobs * part["wall_s"])
        part["speedup"] = out["serial"]["wall_s"] / part["wall_s"]
    out["load_average"] = os.getloadavg()
    return out


@dataclass
class SweepEstimate:
    """Resources of a sweep, from measured per-run costs.

    Attributes
    ----------
    runs : int
        Runs in the sweep.
    core_hours : float
        Total compute, core-hours (one run per core at a time).
    cores : int
        Cores assumed.
    wall_hours : float
        Wall time with ``cores`` cores at ``efficiency``.
    memory_per_worker_gb : float
        Memory a worker needs for the largest city (traced peak plus process baseline).
    result_gb : float
        Size of the stored results.
    efficiency : float
        Parallel efficiency assumed (measured locally, see docs/scale.md).
    """

    runs: int
    core_hours: float
    cores: int
    wall_hours: float
    memory_per_worker_gb: float
    result_gb: float
    efficiency: float


def loglog_interp(x: np.ndarray | float, xs: Sequence[float], ys: Sequence[float]) -> np.ndarray:
    """Interpolate measured ``ys(xs)`` linearly in log-log space.

    Beyond the measured range each end is extended with the slope of its last segment (a local
    power law, taken from the measurements).
    """
    lx, ly = np.log(np.asarray(xs, float)), np.log(np.asarray(ys, float))
    t = np.log(np.asarray(x, float))
    inside = np.interp(t, lx, ly)
    lo_slope = (ly[1] - ly[0]) / (lx[1] - lx[0])
    hi_slope = (ly[-1] - ly[-2]) / (lx[-1] - lx[-2])
    out = np.where(t < lx[0], ly[0] + lo_slope * (t - lx[0]),
                   np.where(t > lx[-1], ly[-1] + hi_slope * (t - lx[-1]), inside))
    return np.exp(out)


def sweep_estimate(city_cells: Sequence[int], scenarios: int, samples: int, *,
                   years: int, per_year: dict[str, float], overhead_s: float,
                   baseline_mb: float, result_bytes: int, cores: int,
                   efficiency: float, n_cities: int | None = None) -> SweepEstimate:
    """Estimate a sweep of every city in ``city_cells`` x ``scenarios`` x ``samples``.

    Parameters
    ----------
    city_cells : sequence of int
        Grid cells of each city.
    scenarios, samples : int
        Scenarios per city and parameter samples per scenario.
    years : int
        Simulated years per run.
    per_year : dict
        From :func:`measure_cells`: ``sizes``, ``seconds`` and ``traced_mb`` per size
        (interpolated with :func:`loglog_interp`).
    overhead_s : float
        Per-run time outside the yearly loop (loading, tables), measured; used when
        ``per_year`` has no ``overhead_s`` per size.
    baseline_mb : float
        Resident memory of a worker process before a run (imports), measured.
    result_bytes : int
        Stored bytes per run, measured.
    cores : int
        Cores of the cluster.
    efficiency : float
        Parallel efficiency (0-1), measured on this machine.
    n_cities : int, optional
        Number of cities in the sweep when ``city_cells`` is a sample of their sizes (the
        mean cost per city of the sample is used); default ``len(city_cells)``.
    """
    cells = np.asarray(city_cells, dtype=float)
    run_s = years * loglog_interp(cells, per_year["sizes"], per_year["seconds"])
    if "overhead_s" in per_year:
        run_s += loglog_interp(cells, per_year["sizes"], per_year["overhead_s"])
    else:
        run_s += overhead_s
    n_cities = len(cells) if n_cities is None else n_cities
    core_s = float(run_s.mean()) * n_cities * scenarios * samples
    runs = n_cities * scenarios * samples
    mem_mb = baseline_mb + float(loglog_interp(cells.max(), per_year["sizes"],
                                               per_year["traced_mb"]))
    return SweepEstimate(runs=runs, core_hours=core_s / 3600.0, cores=cores,
                         wall_hours=core_s / 3600.0 / (cores * efficiency),
                         memory_per_worker_gb=mem_mb / 1024.0,
                         result_gb=runs * result_bytes / 1e9, efficiency=efficiency)


def as_record(obj: Any) -> dict[str, Any]:
    """Return a dataclass as a dict, with the package version."""
    return {**asdict(obj), "version": __version__}


def shipped_city_cells(folder: str | Path = "cities") -> list[int]:
    """Return the grid cells of every city folder under ``folder`` (``*/grid.parquet``)."""
    import pyarrow.parquet as pq

    return [pq.ParquetFile(p).metadata.num_rows for p in sorted(Path(folder).glob(
        "*/grid.parquet"))]


def mission_estimate(record: dict[str, Any], city_cells: Sequence[int], *,
                     n_cities: int = 112, scenarios: int = 10, samples: int = 1000,
                     cores: Sequence[int] = (128, 512, 2048)) -> list[dict[str, Any]]:
    """Estimate the Mission sweep from a ``mobility-sim scale`` record.

    Run time of a city of N cells: ``overhead(N) + years x per_year(N)``, both measured on
    synthetic cities and interpolated (:func:`loglog_interp`), times a *package factor*: the
    measured run of the record's scenario divided by that prediction for its own city (so
    the estimate is tied to the real package on the real city). Memory per worker: the
    measured process peak of that run plus the traced growth from its city's size to the
    largest city. Parallel efficiency: the share of Dask worker time spent running jobs,
    measured on this machine (``parallel.dask.busy``; 1.0 if not measured).
    ``city_cells`` stands in for the sizes of the ``n_cities`` cities (the mean cost per city
    is used): that is the one assumption.
    """
    run, fit = record["run"], record["per_year_fit"]
    n_here = run["n_cells"]
    per_year_here = float(loglog_interp(n_here, fit["sizes"], fit["seconds"]))
    overhead_here = float(loglog_interp(n_here, fit["sizes"], fit["overhead_s"])) \
        if "overhead_s" in fit else 0.0
    factor = record["median_s"] / (overhead_here + run["n_years"] * per_year_here)
    scaled = {**fit, "seconds": [v * factor for v in fit["seconds"]]}
    if "overhead_s" in fit:
        scaled["overhead_s"] = [v * factor for v in fit["overhead_s"]]
    traced_here = float(loglog_interp(n_here, fit["sizes"], fit["traced_mb"]))
    baseline = run["process_peak_rss_mb"] - traced_here
    efficiency = min(1.0, record.get("parallel", {}).get("dask", {}).get("busy", 1.0))
    out = []
    for n in cores:
        est = sweep_estimate(city_cells, scenarios, samples, years=run["n_years"],
                             per_year=scaled, overhead_s=0.0, baseline_mb=baseline,
                             result_bytes=run["result_bytes"], cores=n,
                             efficiency=efficiency, n_cities=n_cities)
        out.append({**asdict(est), "package_factor": factor})
    return out
