"""The tutorial notebooks (jupytext percent-format scripts in ``notebooks/``) run end to end.

Each notebook is executed top to bottom as a plain script in a fresh subprocess, from a
temporary working directory (so it must find the repository by itself) and with ``TMPDIR``
pointing into the test's temporary folder (so its outputs are cleaned up with it).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
RASTERS = ROOT.parent / "shared" / "real_data" / "ghs_pop_2020_1km_urban_centres"


def test_notebooks_are_found() -> None:
    assert NOTEBOOKS, f"no notebooks/NN_*.py found in {ROOT / 'notebooks'}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_has_markdown_and_code_cells(notebook: Path) -> None:
    text = notebook.read_text(encoding="utf-8")
    markdown = re.findall(r"^# %% \[markdown\]\n((?:#.*\n)+)", text, flags=re.MULTILINE)
    code = re.findall(r"^# %%\n", text, flags=re.MULTILINE)
    assert len(markdown) >= 3, f"{notebook.name}: fewer than 3 markdown cells"
    assert any(len(cell) > 200 for cell in markdown), f"{notebook.name}: no explanatory text"
    assert code, f"{notebook.name}: no code cells"
    assert text.startswith("# ---\n# jupyter:"), f"{notebook.name}: no jupytext header"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_as_a_script(notebook: Path, tmp_path: Path) -> None:
    if "build_your_own_city" in notebook.name and not RASTERS.is_dir():
        pytest.skip(f"population rasters not available at {RASTERS}")
    work = tmp_path / "cwd"
    work.mkdir()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "MPLBACKEND": "Agg"}
    env.pop("MOBILITY_SIM_CITIES", None)
    proc = subprocess.run([sys.executable, str(notebook)], cwd=work, env=env,
                          capture_output=True, text=True, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{notebook.name} exited {proc.returncode}:\n{output[-4000:]}"
    assert "Traceback" not in output, f"{notebook.name} printed a traceback:\n{output[-4000:]}"
    assert proc.stdout.strip(), f"{notebook.name} printed nothing"
    assert not any(work.iterdir()), f"{notebook.name} wrote into its working directory"
    assert any(scratch.iterdir()), f"{notebook.name} wrote no output under TMPDIR"
