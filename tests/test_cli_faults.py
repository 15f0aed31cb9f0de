"""Faults at the command line end in one clear line and a non-zero exit, never a traceback.

Cases met by users: an export to a format that is not written, a year that is not simulated
(refused before hours of runs, not after), zero worker processes, a city written over a file,
Ctrl-C while the command starts, SIGTERM to a sweep with worker processes (no worker survives).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]
YORK = ROOT / "scenarios" / "york" / "baseline.yaml"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mobility_sim", *map(str, args)],
                          capture_output=True, text=True, check=False, cwd=cwd)


def assert_clean_error(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr


def test_export_to_an_unwritten_format_is_refused(tmp_path):
    run = tmp_path / "run"
    assert cli("run", YORK, "--out", run, "--no-dashboard").returncode == 0
    proc = cli("export", run, "--iamc", tmp_path / "x.xlsx")
    assert_clean_error(proc, "x.xlsx", ".csv or .parquet")
    assert not (tmp_path / "x.xlsx").exists()


def test_a_year_that_is_not_simulated_is_refused_before_the_runs(tmp_path):
    proc = cli("attribute", ROOT / "scenarios" / "york" / "sump_package.yaml", "--year", "2099",
               "--out", tmp_path / "attr", "--no-progress")
    assert_clean_error(proc, "--year 2099 is not a simulated year")
    assert not (tmp_path / "attr").exists()


@pytest.mark.parametrize("option", ["--n-jobs", "--numba-threads"])
def test_zero_workers_or_threads_are_refused(tmp_path, option):
    proc = cli("sweep", YORK, "--store", tmp_path / "store", option, "0", "--no-progress")
    assert_clean_error(proc, f"{option}) is 0")


def test_a_city_written_over_a_file_is_refused(tmp_path):
    target = tmp_path / "taken"
    target.write_text("mine", encoding="utf-8")
    raster = ROOT / "source_data" / "ghs_pop_2020_1km_urban_centres" / "1874_York.tif"
    proc = cli("city", "build", raster, "--slug", "york2", "--name", "York", "--country", "GBR",
               "--out", target)
    assert_clean_error(proc, "exists and is not a folder")
    assert target.read_text(encoding="utf-8") == "mine"


def test_ctrl_c_while_the_command_starts_is_one_line(tmp_path):
    script = """
import builtins, sys
real = builtins.__import__
def interrupted(name, *args, **kwargs):
    if name == "cli":  # 'from .cli import main': the user presses Ctrl-C right then
        raise KeyboardInterrupt
    return real(name, *args, **kwargs)
builtins.__import__ = interrupted
sys.argv = ["mobility-sim", "--help"]
from mobility_sim.__main__ import main
main()
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.strip() == "interrupted" and "Traceback" not in proc.stderr


def test_sigterm_to_a_sweep_stops_its_worker_processes(tmp_path):
    store = tmp_path / "store"
    proc = subprocess.Popen(
        [sys.executable, "-m", "mobility_sim", "sweep", str(YORK), "--store", str(store),
         "--n-jobs", "2", "--samples", "60", "--distributions",
         str(ROOT / "scenarios" / "uncertainty" / "behaviour.yaml"), "--no-progress"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ})
    me = psutil.Process(proc.pid)
    workers: list[psutil.Process] = []
    while proc.poll() is None and not workers:  # until the pool is up (or the sweep ended)
        workers = [c for c in me.children(recursive=True)
                   if "loky" in " ".join(c.cmdline()) or "joblib" in " ".join(c.cmdline())]
        time.sleep(0.05)
    assert workers, "the sweep ended before its workers could be seen"
    proc.send_signal(signal.SIGTERM)
    proc.wait()
    stderr = proc.stderr.read().decode()
    assert proc.returncode == 143, stderr
    assert "Traceback" not in stderr, stderr
    _, alive = psutil.wait_procs(workers, timeout=60)
    assert not alive, f"worker processes survived the sweep: {[p.pid for p in alive]}"


def test_an_unknown_backcast_case_is_named_with_the_known_ones():
    proc = cli("backcast", "stockholm_2099")
    assert_clean_error(proc, "stockholm_2099", "stockholm_charge_2006")


def test_reconcile_writes_its_table_whole(tmp_path):
    out = tmp_path / "reconcile.csv"
    proc = cli("reconcile", "york", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert "| york |" in proc.stdout and out.is_file()
    assert "model_t_per_resident" in out.read_text(encoding="utf-8")
