"""Sweeps: identical results serially, with joblib and on a Dask LocalCluster; resumable;
one failing job does not lose the others; the store writes atomically."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from mobility_sim.analysis.jobs import Job, MeasureSetting, job_key, resolve
from mobility_sim.analysis.store import ResultStore
from mobility_sim.analysis.sweep import cap_numba_threads, run_sweep
from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.exceptions import AnalysisError, SweepStoreError
from mobility_sim.scenario import load_scenario

ENGINE = "reference"

SCENARIO = """\
name: sweep-test
city: synthetic
years: {start: 2025, end: 2027}
measures:
  - {type: ev_sales_share, label: EV, start: 2025, end: 2027, share: 0.8}
  - {type: pt_frequency, label: PT, start: 2026, profile: step, headway_factor: 0.6,
     area: {zone: centre}}
"""


def _write_scenario(folder: Path) -> Path:
    path = folder / "scenario.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def _city():
    return synthetic_city(25, kind="polycentric", seed=1)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    return load_scenario(_write_scenario(tmp_path_factory.mktemp("sweep")), city=_city())


def _jobs(loaded, n: int) -> list[Job]:
    return [Job(base=loaded, parameters={"car.occupancy": 1.4 + 0.05 * i},
                tags={"sample": i}) for i in range(n)]


def test_identical_serially_with_joblib_and_on_a_dask_local_cluster(loaded):
    from distributed import Client, LocalCluster

    jobs = [*_jobs(loaded, 4), Job(base=loaded, measures=(1,), tags={"sample": 99})]
    serial = run_sweep(jobs, engine=ENGINE, progress=False)
    local = run_sweep(jobs, engine=ENGINE, n_jobs=2, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        dask = run_sweep(jobs, engine=ENGINE, scheduler=client, progress=False,
                         max_in_flight=2)
    assert serial.ok and local.ok and dask.ok
    assert len(serial.table) == 5 * 3
    pd.testing.assert_frame_equal(serial.table, local.table, check_exact=True)
    pd.testing.assert_frame_equal(serial.table, dask.table, check_exact=True)
    # the samples really differ (the comparison is not between copies of one run)
    assert serial.table.groupby("sample")["co2_wtw_t"].sum().nunique() == 5


def test_workers_can_write_the_store_themselves(loaded, tmp_path):
    jobs = _jobs(loaded, 3)
    by_driver = run_sweep(jobs, tmp_path / "a", engine=ENGINE, n_jobs=2, progress=False)
    by_workers = run_sweep(jobs, tmp_path / "b", engine=ENGINE, n_jobs=2, progress=False,
                           worker_writes=True)
    assert by_workers.n_run == 3 and len(by_workers.run_seconds) == 3
    pd.testing.assert_frame_equal(by_driver.table, by_workers.table, check_exact=True)
    assert ResultStore(tmp_path / "b").finished() == {job_key(j) for j in jobs}
    with pytest.raises(AnalysisError, match="needs a store folder"):
        run_sweep(jobs, None, engine=ENGINE, worker_writes=True, progress=False)


def test_a_failing_job_is_reported_and_the_others_are_stored(loaded, tmp_path, monkeypatch):
    import mobility_sim.analysis.sweep as sweep_module

    real = sweep_module.simulate

    def fragile(scenario, **kwargs):  # the model breaks on one parameter value
        if scenario.scenario.parameters.get("car.occupancy") == 2.5:
            raise ZeroDivisionError("float division by zero")
        return real(scenario, **kwargs)

    monkeypatch.setattr(sweep_module, "simulate", fragile)
    jobs = _jobs(loaded, 3)
    bad = Job(base=loaded, parameters={"car.occupancy": 2.5}, tags={"sample": 7})
    store = ResultStore(tmp_path / "store")
    report = run_sweep([*jobs[:2], bad, jobs[2]], store, engine=ENGINE, progress=False)
    assert len(report.failures) == 1
    failure = report.failures[0]
    assert failure["tags"] == {"sample": 7} and "ZeroDivisionError" in failure["error"]
    assert report.n_run == 3 and sorted(report.table["sample"].unique()) == [0, 1, 2]
    assert store.finished() == {job_key(j) for j in jobs}
    assert [f["key"] for f in store.failures()] == [job_key(bad)]
    again = run_sweep([*jobs, bad], store, engine=ENGINE, progress=False)
    assert again.n_skipped == 3 and len(again.failures) == 1  # only the failed job reran
    monkeypatch.undo()
    fixed = run_sweep([*jobs, bad], store, engine=ENGINE, progress=False)
    assert fixed.ok and fixed.n_run == 1 and store.failures() == []


def test_resume_after_a_killed_sweep_runs_only_the_missing_jobs(tmp_path):
    """Kill a sweep (SIGKILL) once a few jobs are stored; the rerun runs only the rest."""
    scenario = _write_scenario(tmp_path)
    store_dir = tmp_path / "store"
    n = 30
    script = f"""
import sys
from mobility_sim.analysis.jobs import Job
from mobility_sim.analysis.sweep import run_sweep
from mobility_sim.city.synthetic import synthetic_city
from mobility_sim.scenario import load_scenario
loaded = load_scenario({str(scenario)!r}, city=synthetic_city(25, kind="polycentric", seed=1))
jobs = [Job(base=loaded, parameters={{"car.occupancy": 1.4 + 0.05 * i}}, tags={{"sample": i}})
        for i in range({n})]
run_sweep(jobs, {str(store_dir)!r}, engine={ENGINE!r}, progress=False)
"""
    proc = subprocess.Popen([sys.executable, "-c", script], env={**os.environ},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    jobs_dir = store_dir / "jobs"
    while proc.poll() is None:  # no time limit: the loop ends when enough jobs are stored
        # a job is finished once its record is written (after its table): count records
        if len(list(jobs_dir.glob("*/*.json"))) >= 3:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    stored = ResultStore(store_dir).finished()
    assert 3 <= len(stored) < n, "the sweep finished before it could be killed"

    loaded = load_scenario(scenario, city=_city())
    jobs = _jobs(loaded, n)
    report = run_sweep(jobs, store_dir, engine=ENGINE, progress=False)
    assert report.ok
    assert report.n_skipped == len(stored)
    assert report.n_run == n - len(stored)
    assert len(report.table) == n * 3
    # A job stored by the killed process equals the same job run afresh.
    first = next(j for j in jobs if job_key(j) in stored)
    fresh = run_sweep([first], engine=ENGINE, progress=False).table
    mine = report.table[report.table["job"] == job_key(first)].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, fresh, check_exact=True)


def test_an_interrupted_write_leaves_no_finished_job(loaded, tmp_path, monkeypatch):
    store = ResultStore(tmp_path / "store")
    job = _jobs(loaded, 1)[0]

    def broken(self, path, *args, **kwargs):
        Path(path).write_bytes(b"PAR1 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    with pytest.raises(SweepStoreError, match="cannot write"):
        run_sweep([job], store, engine=ENGINE, progress=False)
    monkeypatch.undo()
    assert store.finished() == set()
    assert not any(p.suffix == ".parquet" for p in (tmp_path / "store").rglob("*"))
    assert run_sweep([job], store, engine=ENGINE, progress=False).n_run == 1


def test_repeated_jobs_run_once_and_keys_follow_the_inputs(loaded):
    a = Job(base=loaded, parameters={"car.occupancy": 1.5})
    b = Job(base=loaded, parameters={"car.occupancy": 1.5}, tags={"copy": True})
    c = Job(base=loaded, parameters={"car.occupancy": 1.5000001})
    d = Job(base=loaded, settings=(MeasureSetting(0, "share", 0.5),))
    assert job_key(a) == job_key(b)
    assert len({job_key(a), job_key(c), job_key(d), job_key(Job(base=loaded))}) == 4
    report = run_sweep([a, b], engine=ENGINE, progress=False)
    assert report.n_distinct == 1 and report.n_run == 1 and len(report.table) == 2 * 3
    assert resolve(d).scenario.measures[0].share == 0.5


def test_bad_jobs_are_rejected_before_anything_runs(loaded, tmp_path):
    jobs = [Job(base=loaded, parameters={"car.ocupancy": 1.5}),
            Job(base=loaded, parameters={"car.occupancy": 0.5}),
            Job(base=loaded, settings=(MeasureSetting(1, "headway", 0.5),)),
            Job(base=loaded, settings=(MeasureSetting(0, "share", 1.5),))]
    with pytest.raises(AnalysisError) as info:
        run_sweep(jobs, tmp_path / "store", engine=ENGINE, progress=False)
    text = "\n".join(info.value.problems)
    assert "unknown parameter 'car.ocupancy' (did you mean 'car.occupancy'?)" in text
    assert "car.occupancy is in persons/vehicle and must be at least 1, the driver" in text
    assert "no numeric field 'headway' (did you mean 'headway_factor'?)" in text
    assert "share = 1.5 is not allowed" in text
    assert ResultStore(tmp_path / "store").finished() == set()


def test_a_folder_that_is_not_a_store_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SweepStoreError, match="not empty and is not a sweep store"):
        ResultStore(tmp_path)


def _threads_after_cap(n: int) -> int:
    import numba

    cap_numba_threads(n)
    return numba.get_num_threads()


def test_joblib_workers_cap_numba_threads():
    from joblib import Parallel, delayed

    got = Parallel(n_jobs=2, backend="loky")(delayed(_threads_after_cap)(1) for _ in range(2))
    assert got == [1, 1]
