"""The sweep store verifies what it reuses: damaged or foreign files are recomputed, never reused.

Faults: a stored table edited by hand, truncated by a full disk, replaced by another job's
file, its record lost; a table computed with another numba thread count (results differ in the
last digits). Each is reported and computed again, never a traceback, never reused.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from test_analysis_sweep import ENGINE, _jobs, loaded  # noqa: F401  (fixture)

from mobility_sim.analysis.store import ResultStore
from mobility_sim.analysis.sweep import effective_threads, run_settings, run_sweep
from mobility_sim.exceptions import SweepStoreError


@pytest.fixture
def swept(tmp_path, loaded):  # noqa: F811
    jobs = _jobs(loaded, 3)
    store = tmp_path / "store"
    first = run_sweep(jobs, store, engine=ENGINE, progress=False)
    assert first.n_run == 3 and not first.store_problems
    return jobs, store, first


def _rerun(jobs, store):
    return run_sweep(jobs, store, engine=ENGINE, progress=False)


def test_an_untouched_store_is_reused_whole(swept):
    jobs, store, first = swept
    again = _rerun(jobs, store)
    assert (again.n_skipped, again.n_run, again.store_problems) == (3, 0, [])
    pd.testing.assert_frame_equal(again.table, first.table)


def test_an_edited_table_is_detected_and_recomputed(swept):
    jobs, store, first = swept
    key = first.keys[0]
    path = ResultStore(store).path_of(key)
    table = pd.read_parquet(path)
    table["co2_wtw_t"] *= 0.5  # someone "fixed" a number by hand
    table.to_parquet(path, index=False)
    again = _rerun(jobs, store)
    assert again.n_run == 1 and any("does not match its checksum" in p
                                    for p in again.store_problems)
    pd.testing.assert_frame_equal(again.table, first.table)


def test_a_truncated_table_is_recomputed_not_a_traceback(swept):
    jobs, store, first = swept
    path = ResultStore(store).path_of(first.keys[1])
    path.write_bytes(path.read_bytes()[:100])
    again = _rerun(jobs, store)
    assert again.n_run == 1 and again.store_problems
    pd.testing.assert_frame_equal(again.table, first.table)


def test_another_jobs_file_under_a_key_is_recomputed(swept):
    jobs, store, first = swept
    s = ResultStore(store)
    a, b = first.keys[0], first.keys[1]
    shutil.copy(s.path_of(b), s.path_of(a))
    shutil.copy(s.record_path(b), s.record_path(a))
    again = _rerun(jobs, store)
    assert any("belongs to job" in p for p in again.store_problems)
    pd.testing.assert_frame_equal(again.table, first.table)


def test_a_lost_record_is_recomputed(swept):
    jobs, store, first = swept
    ResultStore(store).record_path(first.keys[2]).unlink()
    again = _rerun(jobs, store)
    assert again.n_run == 1 and any("record" in p for p in again.store_problems)


def test_a_job_of_another_thread_count_is_not_reused(swept):
    jobs, store, first = swept
    s = ResultStore(store)
    record = s.record_path(first.keys[0])
    info = json.loads(record.read_text(encoding="utf-8"))
    assert info["threads"] == effective_threads(None, 1, None)
    info["threads"] += 7
    record.write_text(json.dumps(info), encoding="utf-8")
    # the checksum still matches: only the settings differ
    assert s.check(first.keys[0]) is None
    assert "other run settings" in s.check(first.keys[0], run_settings(ENGINE, info["threads"]
                                                                      - 7))
    again = _rerun(jobs, store)
    assert again.n_run == 1 and any("other run settings" in p for p in again.store_problems)


def test_reading_a_damaged_job_is_a_clear_error(swept):
    _, store, first = swept
    s = ResultStore(store)
    s.path_of(first.keys[0]).write_bytes(b"PAR1 garbage")
    with pytest.raises(SweepStoreError, match="rerun the sweep"):
        s.read(first.keys)
