"""Run many jobs: in this process, on local worker processes (joblib) or on a Dask cluster.

:func:`run_sweep` takes a list of :class:`~mobility_sim.analysis.jobs.Job`, skips the ones a
:class:`~mobility_sim.analysis.store.ResultStore` already holds, runs the others with a progress
bar and stores each one as soon as it finishes. A job that raises is recorded (key, tags,
message) and the others carry on; :class:`SweepReport` lists the failures.

Where jobs run
--------------
``n_jobs=1`` (no scheduler)
    One after the other in this process.
``n_jobs>1`` (no scheduler)
    joblib's ``loky`` worker processes on this machine. Each worker caps numba's threads at
    ``numba_threads`` (default: the machine's cores divided by ``n_jobs``, at least 1) with
    :func:`numba.set_num_threads` before it runs a job, so ``n_jobs`` workers never start more
    threads than there are cores.
``scheduler="tcp://host:port"`` or a ``distributed.Client``
    Dask distributed. Each distinct base scenario (city grid and masks) is sent to the cluster
    once (``Client.scatter``) and jobs carry only their changes; at most ``max_in_flight`` jobs
    are queued at a time, so a sweep of a million jobs does not flood the scheduler. Workers
    cap numba at ``numba_threads`` threads per job (default 1: a Dask worker already runs one
    job per thread). Results come back to this process, which writes the store: workers need
    no shared file system.

Every backend runs the same function on the same inputs (:func:`execute`), so results are
identical whichever runs them.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from ..exceptions import AnalysisError, MobilitySimError
from ..model.kernel import Engine
from ..scenario import LoadedScenario
from ..simulate import simulate
from .jobs import Job, MeasureSetting, resolve
from .store import ResultStore, job_table


@dataclass(frozen=True)
class Outcome:
    """What a worker returns for one job.

    Attributes
    ----------
    key : str
        The job key.
    table : pandas.DataFrame or None
        The job's per-year table (``None`` when it failed).
    error : str or None
        The error message when it failed.
    seconds : float
        Wall time of the run in the worker.
    stored : bool
        The worker wrote the table to the store itself (``worker_writes``).
    run : dict
        The run settings the worker used (:func:`run_settings`).
    """

    key: str
    table: pd.DataFrame | None
    error: str | None
    seconds: float
    stored: bool = False
    run: dict[str, Any] = field(default_factory=dict)


@dataclass
class SweepReport:
    """What a sweep did.

    Attributes
    ----------
    keys : list of str
        The key of each job, in the order the jobs were given.
    table : pandas.DataFrame
        The per-year tables of every finished job, in job order, with a ``job`` column (the
        key) and one column per tag. Jobs that failed are absent.
    n_jobs, n_distinct, n_skipped, n_run : int
        Jobs given, distinct keys among them, keys already in the store, keys run now.
    failures : list of dict
        ``{"key", "tags", "error"}`` of each job that failed.
    seconds : float
        Wall time of the sweep.
    run_seconds : list of float
        Worker wall time of each job run now.
    store_problems : list of str
        Stored jobs that could not be reused (damaged, or computed with other run settings)
        and were computed again, one line each.
    """

    keys: list[str]
    table: pd.DataFrame
    n_jobs: int
    n_distinct: int
    n_skipped: int
    n_run: int
    failures: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    run_seconds: list[float] = field(default_factory=list)
    store_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every job finished."""
        return not self.failures

    def summary_line(self) -> str:
        """One line for the console: counts and time."""
        return (f"{self.n_jobs} jobs ({self.n_distinct} distinct): {self.n_skipped} already "
                f"stored, {self.n_run} run, {len(self.failures)} failed, "
                f"{self.seconds:.1f} s")


def run_settings(engine: Engine, threads: int) -> dict[str, Any]:
    """Return what, besides the job, changes a job's results: stored with each job.

    The numba thread count changes the order of sums in the kernel, so results differ in the
    last digits (about 1e-16 relative) between thread counts; a stored job is reused only when
    computed with the same engine, thread count and mobility_sim version.
    """
    from .. import __version__

    return {"engine": str(engine), "threads": int(threads), "version": __version__}


def effective_threads(numba_threads: int | None, n_jobs: int, scheduler: Any) -> int:
    """Return the numba thread count each job of a sweep runs with (see :func:`run_sweep`)."""
    import numba

    if scheduler is not None:
        wanted = 1 if numba_threads is None else numba_threads
    elif n_jobs > 1:
        wanted = numba_threads or default_threads(n_jobs)
    else:
        wanted = numba_threads or numba.get_num_threads()
    return max(1, min(int(wanted), numba.config.NUMBA_NUM_THREADS))


def cap_numba_threads(n: int | None) -> int | None:
    """Limit numba's parallel threads in the calling thread to ``n`` and return the limit.

    ``numba.set_num_threads`` is thread-local and cannot exceed the launch maximum
    (``NUMBA_NUM_THREADS``, the core count by default); ``None`` leaves numba alone.
    """
    if n is None:
        return None
    import numba

    limit = max(1, min(int(n), numba.config.NUMBA_NUM_THREADS))
    numba.set_num_threads(limit)
    return limit


def execute(key: str, base: LoadedScenario, parameters: dict[str, float],
            measures: tuple[int, ...] | None, settings: tuple[MeasureSetting, ...],
            engine: Engine, numba_threads: int | None,
            store_folder: str | None = None) -> Outcome:
    """Run one job and return its table, or the error it raised (never raises).

    This is what every backend runs, in the worker. With ``store_folder`` the worker writes
    the table to that store itself (atomically) and returns no table.
    """
    start = time.perf_counter()
    try:
        cap_numba_threads(numba_threads)
        loaded = resolve(Job(base=base, parameters=parameters, measures=measures,
                             settings=settings))
        if loaded.content_hash != key:
            raise AnalysisError(f"job {key}: the worker computed key {loaded.content_hash}; "
                                "client and workers run different mobility_sim versions")
        table = job_table(simulate(loaded, engine=engine, with_reference=False))
        table.insert(0, "job", key)
        import numba

        run = run_settings(engine, numba.get_num_threads())
        if store_folder is not None:
            ResultStore(store_folder).write(key, table, run)
            return Outcome(key, None, None, time.perf_counter() - start, stored=True, run=run)
        return Outcome(key, table, None, time.perf_counter() - start, run=run)
    except MobilitySimError as exc:
        message = "; ".join(exc.problems)
    except Exception as exc:  # one failing job must not stop the sweep
        tail = traceback.format_exception(exc)[-3:]
        message = f"{type(exc).__name__}: {exc} ({''.join(tail).strip()})"
    return Outcome(key, None, message, time.perf_counter() - start)


class _MemoryStore:
    """Finished jobs kept in memory when no store folder is given."""

    def __init__(self) -> None:
        self.tables: dict[str, pd.DataFrame] = {}
        self.failed: dict[str, dict[str, Any]] = {}
        self.problems: list[str] = []

    def finished(self, run: dict[str, Any] | None = None) -> set[str]:
        return set(self.tables)

    def write(self, key: str, table: pd.DataFrame, run: dict[str, Any] | None = None) -> None:
        self.tables[key] = table
        self.failed.pop(key, None)

    def write_failure(self, key: str, tags: dict[str, Any], message: str) -> None:
        self.failed[key] = {"key": key, "tags": tags, "error": message}

    def read(self, keys: Sequence[str]) -> pd.DataFrame:
        frames = [self.tables[k] for k in keys]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def default_threads(n_jobs: int) -> int:
    """Numba threads per local worker: the machine's cores divided by ``n_jobs``, at least 1."""
    return max(1, (os.cpu_count() or 1) // max(1, n_jobs))


def run_sweep(
    jobs: Sequence[Job],
    store: ResultStore | str | os.PathLike[str] | None = None,
    *,
    n_jobs: int = 1,
    scheduler: Any = None,
    engine: Engine = "auto",
    numba_threads: int | None = None,
    max_in_flight: int | None = None,
    progress: bool = True,
    description: str = "sweep",
    collect: bool = True,
    worker_writes: bool = False,
) -> SweepReport:
    """Run every job not yet in ``store``; store each as it finishes.

    Parameters
    ----------
    jobs : sequence of Job
        The jobs; repeated keys run once.
    store : ResultStore or path, optional
        Where finished jobs are kept (and found again on a rerun). ``None`` keeps them in
        memory for this call only.
    n_jobs : int
        Local worker processes (joblib); 1 runs in this process. Ignored with ``scheduler``.
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``tcp://host:port``) or a connected client.
    engine : {"auto", "reference", "numba"}
        Demand implementation (see :func:`mobility_sim.model.kernel.kernel_for`).
    numba_threads : int, optional
        Numba threads per job in a worker; default: cores // n_jobs locally, 1 on Dask. In
        this process (``n_jobs=1``) numba is left alone unless this is given.
    max_in_flight : int, optional
        Dask only: most jobs queued at once (default: 4 per worker thread, at least 8).
    progress : bool
        Show a progress bar.
    description : str
        Label of the progress bar.
    collect : bool
        Build :attr:`SweepReport.table` from the store at the end. Turn it off for sweeps too
        large to hold in memory and read the store in parts (:meth:`ResultStore.read`).
    worker_writes : bool
        Workers write their tables to the store themselves instead of sending them back.
        Needs a store folder that every worker sees at the same path (a shared file system);
        lifts the limit of one process writing every file (see ``docs/scale.md``).

    Returns
    -------
    SweepReport
        Counts, failures and the table of every finished job.

    Raises
    ------
    AnalysisError
        If a job is invalid (checked for every job before anything runs) or local workers die.
    """
    start = time.perf_counter()
    if n_jobs < 1:
        raise AnalysisError(f"n_jobs (--n-jobs) is {n_jobs}: give 1 or more worker processes")
    if numba_threads is not None and numba_threads < 1:
        raise AnalysisError(f"numba_threads (--numba-threads) is {numba_threads}: give 1 or "
                            "more")
    if isinstance(store, ResultStore | _MemoryStore):
        target = store
    elif store is None:
        target = _MemoryStore()
    else:
        target = ResultStore(store)
    keys: list[str] = []
    problems: dict[str, list[int]] = {}  # the same problem in many jobs is reported once
    for i, job in enumerate(jobs):
        try:
            keys.append(resolve(job).content_hash)
        except MobilitySimError as exc:
            for p in exc.problems:
                problems.setdefault(p, []).append(i)
    if problems:
        raise AnalysisError([f"job {where[0]} {dict(jobs[where[0]].tags)}"
                             + (f" and {len(where) - 1} more" if len(where) > 1 else "")
                             + f": {p}" for p, where in problems.items()])
    first: dict[str, Job] = {}
    for key, job in zip(keys, jobs, strict=True):
        first.setdefault(key, job)
    if worker_writes and not isinstance(target, ResultStore):
        raise AnalysisError("worker_writes needs a store folder (--store) on a file system "
                            "that every worker sees")
    worker_store = str(target.folder.resolve()) if worker_writes and isinstance(
        target, ResultStore) else None
    done = target.finished(run_settings(engine, effective_threads(numba_threads, n_jobs,
                                                                  scheduler)))
    for line in target.problems:  # said, never silently reused
        tqdm.write(f"warning: {line}", file=sys.stderr)
    todo = [(k, j) for k, j in first.items() if k not in done]
    failures: list[dict[str, Any]] = []
    run_seconds: list[float] = []
    bar = tqdm(total=len(todo), disable=not progress, desc=description, unit="job")
    try:
        for outcome in _outcomes(todo, n_jobs, scheduler, engine, numba_threads,
                                 max_in_flight, worker_store):
            tags = dict(first[outcome.key].tags)
            if outcome.stored or outcome.table is not None:
                if outcome.table is not None:
                    target.write(outcome.key, outcome.table, outcome.run)
                run_seconds.append(outcome.seconds)
            else:
                target.write_failure(outcome.key, tags, outcome.error or "unknown error")
                failures.append({"key": outcome.key, "tags": tags, "error": outcome.error})
                bar.set_postfix(failed=len(failures))
            bar.update()
    finally:
        bar.close()
    failed = {f["key"] for f in failures}
    table = _tagged(target, keys, jobs, failed) if collect else pd.DataFrame()
    return SweepReport(keys=keys, table=table, n_jobs=len(jobs), n_distinct=len(first),
                       n_skipped=len(first) - len(todo), n_run=len(todo) - len(failures),
                       failures=failures, seconds=time.perf_counter() - start,
                       run_seconds=run_seconds, store_problems=list(target.problems))


def _tagged(target: ResultStore | _MemoryStore, keys: list[str], jobs: Sequence[Job],
            failed: set[str]) -> pd.DataFrame:
    """Stack the tables of finished jobs in job order, with each job's tags as columns."""
    frames = []
    stored = {k: t for k, t in _read_distinct(target, [k for k in keys if k not in failed])}
    for key, job in zip(keys, jobs, strict=True):
        if key in failed:
            continue
        frame = stored[key].copy()
        for i, (name, value) in enumerate(job.tags.items()):
            frame.insert(1 + i, name, value)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _read_distinct(target: ResultStore | _MemoryStore,
                   keys: list[str]) -> Iterator[tuple[str, pd.DataFrame]]:
    distinct = list(dict.fromkeys(keys))
    if not distinct:
        return
    table = target.read(distinct)
    yield from table.groupby("job", sort=False)


def _outcomes(todo: list[tuple[str, Job]], n_jobs: int, scheduler: Any, engine: Engine,
              numba_threads: int | None, max_in_flight: int | None,
              worker_store: str | None) -> Iterator[Outcome]:
    if not todo:
        return
    if scheduler is not None:
        yield from _dask_outcomes(todo, scheduler, engine,
                                  1 if numba_threads is None else numba_threads, max_in_flight,
                                  worker_store)
    elif n_jobs > 1:
        yield from _joblib_outcomes(todo, n_jobs, engine,
                                    numba_threads or default_threads(n_jobs), worker_store)
    else:
        for key, job in todo:
            yield execute(key, job.base, dict(job.parameters), job.measures, job.settings,
                          engine, numba_threads, worker_store)


def _joblib_outcomes(todo: list[tuple[str, Job]], n_jobs: int, engine: Engine,
                     threads: int, worker_store: str | None) -> Iterator[Outcome]:
    from joblib import Parallel, delayed
    from joblib.externals.loky.process_executor import TerminatedWorkerError

    calls = (delayed(execute)(key, job.base, dict(job.parameters), job.measures, job.settings,
                              engine, threads, worker_store) for key, job in todo)
    done = False
    try:
        yield from Parallel(n_jobs=n_jobs, backend="loky", return_as="generator_unordered")(calls)
        done = True
    except TerminatedWorkerError as exc:
        raise AnalysisError(f"a local worker process died ({exc}); finished jobs are kept in "
                            "the store: rerun to resume, with fewer --n-jobs if memory ran "
                            "out") from None
    finally:
        if not done:  # interrupted (Ctrl-C, SIGTERM, an error): no worker may run on
            from joblib.externals.loky import get_reusable_executor

            get_reusable_executor().shutdown(wait=False, kill_workers=True)


def _dask_outcomes(todo: list[tuple[str, Job]], scheduler: Any, engine: Engine, threads: int,
                   max_in_flight: int | None, worker_store: str | None) -> Iterator[Outcome]:
    from distributed import Client, as_completed

    own = not isinstance(scheduler, Client)
    try:
        client = Client(scheduler) if own else scheduler
    except (OSError, TimeoutError, ValueError) as exc:
        raise AnalysisError(f"--scheduler {scheduler}: cannot connect ({exc}); start the "
                            "scheduler (dask scheduler) and workers, or check the "
                            "address") from None
    try:
        if max_in_flight is None:
            n_threads = sum(client.nthreads().values()) or 1
            max_in_flight = max(8, 4 * n_threads)
        bases: dict[int, Any] = {}
        pending = iter(todo)
        futures = as_completed()
        meta: dict[str, tuple[str, Job]] = {}

        def submit_next() -> bool:
            item = next(pending, None)
            if item is None:
                return False
            key, job = item
            if id(job.base) not in bases:
                bases[id(job.base)] = client.scatter(job.base, hash=False)
            future = client.submit(execute, key, bases[id(job.base)], dict(job.parameters),
                                   job.measures, job.settings, engine, threads, worker_store,
                                   key=f"mobility-sim-job-{key}", pure=False, retries=0)
            meta[future.key] = item
            futures.add(future)
            return True

        for _ in range(max_in_flight):
            if not submit_next():
                break
        for future in futures:
            key, _job = meta.pop(future.key)
            if future.status == "finished":
                yield future.result()
            else:
                exc = future.exception()
                yield Outcome(key, None, f"the Dask task failed: {type(exc).__name__}: {exc}",
                              0.0)
            future.release()
            submit_next()
    finally:
        if own:
            client.close()

