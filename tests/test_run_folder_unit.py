"""A run folder is one unit: written whole or not at all, never a mix of two runs.

Faults a careless or unlucky user meets: a save that fails half-way, a run written over an
older one without a dashboard, two runs into the same ``--out`` at once, a table copied in
from another run, a folder of the user's own files given as ``--out``.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from test_report_fixtures import make_results

from mobility_sim.exceptions import OutputError
from mobility_sim.results import MANIFEST, Results, check_run_folder, verify_run_folder
from mobility_sim.simulate import safe_name


def _write_page(results: Results, path: Path) -> Path:
    path.write_text(f"<html>{results.meta['scenario_name']}</html>", encoding="utf-8")
    return path


def _hidden_leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if p.name.startswith(".")]


def test_a_new_run_replaces_the_whole_folder(tmp_path):
    out = tmp_path / "run"
    make_results(scenario_name="A").save(out, extra={"dashboard.html": _write_page})
    assert (out / "dashboard.html").is_file()
    make_results(scenario_name="B", car_cut=0.3).save(out)  # as with --no-dashboard
    assert not (out / "dashboard.html").exists(), "an old dashboard survived beside new tables"
    assert Results.load(out).meta["scenario_name"] == "B"
    assert _hidden_leftovers(tmp_path) == []


def test_a_failed_save_leaves_the_old_run_untouched(tmp_path):
    out = tmp_path / "run"
    make_results(scenario_name="A").save(out, extra={"dashboard.html": _write_page})
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(results: Results, path: Path) -> None:
        path.write_text("half a page", encoding="utf-8")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="No space left on device"):
        make_results(scenario_name="B").save(out, extra={"dashboard.html": broken})
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert Results.load(out).meta["scenario_name"] == "A"
    assert _hidden_leftovers(tmp_path) == [], "the half-written folder was left behind"


def test_a_folder_of_other_files_is_refused_and_kept(tmp_path):
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.docx").write_text("years of work", encoding="utf-8")
    with pytest.raises(OutputError, match="not a run folder"):
        make_results().save(mine)
    assert (mine / "thesis.docx").read_text(encoding="utf-8") == "years of work"
    empty = tmp_path / "empty"
    empty.mkdir()
    check_run_folder(empty)  # an empty folder is fine
    with pytest.raises(OutputError, match="not a folder"):
        check_run_folder(mine / "thesis.docx")


def test_load_refuses_a_table_of_another_run(tmp_path):
    a = make_results(scenario_name="A").save(tmp_path / "a")
    b = make_results(scenario_name="B", car_cut=0.3).save(tmp_path / "b")
    shutil.copy(b / "summary.parquet", a / "summary.parquet")
    with pytest.raises(OutputError, match=r"summary\.parquet missing or changed"):
        Results.load(a)


def test_load_refuses_a_truncated_or_removed_file_and_a_missing_manifest(tmp_path):
    out = make_results().save(tmp_path / "run")
    data = (out / "cells.parquet").read_bytes()
    (out / "cells.parquet").write_bytes(data[: len(data) // 2])
    with pytest.raises(OutputError, match=r"cells\.parquet"):
        Results.load(out)
    out = make_results().save(tmp_path / "run2")
    (out / "fleet.parquet").unlink()
    with pytest.raises(OutputError, match=r"fleet\.parquet"):
        Results.load(out)
    out = make_results().save(tmp_path / "run3")
    (out / MANIFEST).unlink()
    with pytest.raises(OutputError, match=r"no manifest\.json"):
        Results.load(out)
    (out / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(OutputError, match="unreadable manifest"):
        verify_run_folder(out)


def test_manifest_lists_every_data_file(tmp_path):
    out = make_results().save(tmp_path / "run", extra={"dashboard.html": _write_page})
    files = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert {"summary.parquet", "cells.parquet", "run.json", "scenario.resolved.yaml"} <= set(files)
    assert all(len(digest) == 64 for digest in files.values())


def test_concurrent_saves_into_one_folder_never_mix(tmp_path):
    out = tmp_path / "run"
    runs = {name: make_results(scenario_name=name, car_cut=cut)
            for name, cut in (("A", 0.1), ("B", 0.3))}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def save_many(name: str) -> None:
        try:
            start.wait()
            for _ in range(6):
                runs[name].save(out, extra={"dashboard.html": _write_page})
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=save_many, args=(n,)) for n in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    back = Results.load(out)  # verifies the manifest: one run's files only
    name = back.meta["scenario_name"]
    assert back.summary.equals(runs[name].summary)
    assert (out / "dashboard.html").read_text(encoding="utf-8") == f"<html>{name}</html>"
    assert _hidden_leftovers(tmp_path) == []


def test_scenario_names_cannot_escape_the_output_folder():
    assert safe_name("..") == "scenario"
    assert safe_name("../../etc") == "_.._etc"
    assert safe_name(".hidden") == "hidden"
    assert safe_name("helsinki-sump") == "helsinki-sump"
