"""Importing the package and its kernels, and ``mobility-sim --help``, compile no kernel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Runs in a fresh interpreter; prints what numba compiled, if numba was imported at all.
PROBE = r"""
import gc, json, sys
{action}
report = {{"numba_imported": "numba" in sys.modules, "compiled": []}}
if "numba" in sys.modules:
    from numba.core.dispatcher import Dispatcher
    for obj in gc.get_objects():
        if isinstance(obj, Dispatcher) and obj.signatures:
            report["compiled"].append(obj.py_func.__qualname__)
print(json.dumps(report))
"""


def run_probe(action: str, cache_dir: Path) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir))
    done = subprocess.run([sys.executable, "-c", PROBE.format(action=action)], env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def cache_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.suffix in (".nbi", ".nbc")]


def test_importing_the_kernels_compiles_and_caches_nothing(tmp_path):
    report = run_probe("import mobility_sim, mobility_sim.kernels.fused, "
                       "mobility_sim.kernels.fastexp, mobility_sim.kernels.fused_core", tmp_path)
    assert report["numba_imported"]  # the probe is meaningful: the kernels were defined
    assert report["compiled"] == []
    assert cache_files(tmp_path) == []


def test_help_compiles_nothing_and_bench_module_does_not_import_numba(tmp_path):
    action = ("from typer.testing import CliRunner\n"
              "from mobility_sim.cli import app\n"
              "result = CliRunner().invoke(app, ['--help'])\n"
              "assert result.exit_code == 0, result.output\n"
              "assert 'bench' in result.output\n"
              "import mobility_sim.bench")
    report = run_probe(action, tmp_path)
    assert report["compiled"] == []
    assert cache_files(tmp_path) == []
    bench_only = run_probe("import mobility_sim.bench", tmp_path)
    assert not bench_only["numba_imported"]


def test_first_use_compiles_then_a_new_process_loads_from_the_cache(tmp_path):
    action = ("import numpy as np\n"
              "from mobility_sim.kernels.fastexp import exp_array\n"
              "x = np.zeros(4, np.float32); exp_array(x, x)")
    first = run_probe(action, tmp_path)
    assert "exp_array" in first["compiled"]
    files = cache_files(tmp_path)
    assert any(p.suffix == ".nbi" for p in files)
    run_probe(action, tmp_path)
    assert sorted(cache_files(tmp_path)) == sorted(files)  # reused, nothing new written
