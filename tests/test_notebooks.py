"""The tutorial notebooks run in a Jupyter kernel and show what a planner expects to see.

The notebooks are jupytext percent-format ``.py`` files in ``notebooks/`` (readable diffs);
each is read with jupytext and executed cell by cell in a fresh ``python3`` kernel with nbclient,
as JupyterLab would run it, from a temporary working directory (so it must find the repository
by itself) and with ``TMPDIR`` pointing into the test's temporary folder (so its outputs are
cleaned up with it). The outputs are then checked: figures arrive as Plotly figure outputs with
nothing fetched from a CDN, tables as HTML, no traceback and no warning, no wall of text.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

jupytext = pytest.importorskip("jupytext", reason="make test installs jupytext (the dev extra)")
nbclient = pytest.importorskip("nbclient", reason="make test installs nbclient (the dev extra)")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
PLOTLY = "application/vnd.plotly.v1+json"
WIDGET = "application/vnd.jupyter.widget-view+json"
#: A script, style sheet or frame loaded from the network (the outputs must work offline). The
#: plotly.js bundle embedded in a page mentions CDN addresses in its defaults; loading one is what
#: counts.
REMOTE = re.compile(r"<(script|link|iframe)[^>]*\b(src|href)\s*=\s*['\"](https?:)?//", re.I)
#: The longest plain-text output a cell may print (a results object dumped 25,642 characters).
MAX_TEXT = 6_000


def test_notebooks_are_found() -> None:
    assert len(NOTEBOOKS) >= 6, f"notebooks/NN_*.py not found in {ROOT / 'notebooks'}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_has_markdown_and_code_cells(notebook: Path) -> None:
    nb = jupytext.read(notebook)
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(markdown) >= 3, f"{notebook.name}: fewer than 3 markdown cells"
    assert any(len(c.source) > 200 for c in markdown), f"{notebook.name}: no explanatory text"
    assert code, f"{notebook.name}: no code cells"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert "IFrame(src=" not in notebook.read_text(encoding="utf-8"), (
        f"{notebook.name}: an IFrame of a file path is answered with HTTP 404 by a Jupyter "
        "server; display the page object (build_dashboard, build_comparison) instead")


def _outputs(nb: Any) -> list[dict[str, Any]]:
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


def _text(output: dict[str, Any]) -> str:
    if output["output_type"] == "stream":
        return str(output["text"])
    data = output.get("data", {})
    return str(data.get("text/plain", ""))


@pytest.fixture(scope="module")
def run_notebook(tmp_path_factory):
    """Execute a notebook once per test module; later tests read the same outputs."""
    done: dict[Path, tuple[Any, Path, Path]] = {}

    def run(notebook: Path) -> tuple[Any, Path, Path]:
        if notebook not in done:
            base = tmp_path_factory.mktemp(notebook.stem)
            work, scratch = base / "cwd", base / "tmp"
            work.mkdir()
            scratch.mkdir()
            nb = jupytext.read(notebook)
            client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=900,
                                             resources={"metadata": {"path": str(work)}})
            with pytest.MonkeyPatch.context() as env:  # the kernel inherits the environment
                env.setenv("TMPDIR", str(scratch))
                env.delenv("MOBILITY_SIM_CITIES", raising=False)
                client.execute()
            done[notebook] = (nb, work, scratch)
        return done[notebook]

    return run


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_a_jupyter_kernel(notebook: Path, run_notebook) -> None:
    nb, work, scratch = run_notebook(notebook)
    outputs = _outputs(nb)
    name = notebook.name
    # No error, traceback or warning anywhere (tqdm's "IProgress not found" included).
    assert not [o for o in outputs if o["output_type"] == "error"], name
    streams = "".join(str(o["text"]) for o in outputs if o["output_type"] == "stream")
    for bad in ("Traceback", "IProgress", "Warning:", "WARNING"):
        assert bad not in streams, f"{name} printed {bad!r}:\n{streams[-3000:]}"
    # Figures are Plotly figure outputs that render without the network.
    figures = [o for o in outputs if PLOTLY in o.get("data", {})]
    assert figures, f"{name} draws no inline figure"
    for fig in figures:
        spec = fig["data"][PLOTLY]
        assert spec.get("data"), f"{name}: an empty figure"
    for out in outputs:
        page = html.unescape(str(out.get("data", {}).get("text/html", "")))  # srcdoc included
        assert not REMOTE.search(page), f"{name}: an output loads from the network"
        assert "require.config" not in page, f"{name}: an output loads plotly.js with require"
    # Tables are HTML; no cell dumps a wall of plain text.
    assert any("<table" in str(o.get("data", {}).get("text/html", "")) for o in outputs), (
        f"{name} shows no table as HTML")
    for out in outputs:
        assert len(_text(out)) <= MAX_TEXT, f"{name}: an output of {len(_text(out))} characters"
    # Outputs go to the temporary folder, never into the working directory.
    assert not any(work.iterdir()), f"{name} wrote into its working directory"
    assert any(scratch.iterdir()), f"{name} wrote no output under TMPDIR"


def test_quick_start_shows_results_figures_and_dashboard_inline(run_notebook):
    """Notebook 01: a run alone in a cell, figures from results.plot, the dashboard framed."""
    nb, _, _ = run_notebook(ROOT / "notebooks" / "01_quick_start.py")
    pages = [str(o["data"]["text/html"]) for o in _outputs(nb) if "text/html" in o.get("data", {})]
    summary = [h for h in pages if "mobility-sim-results" in h]
    assert summary, "the results object did not display itself"
    assert "Data quality" in summary[0] and "2025" in summary[0] and "2050" in summary[0]
    framed = [h for h in pages if h.startswith("<iframe srcdoc=")]
    assert framed, "the dashboard is not shown in a frame"
    assert "plotly" in framed[0] and "src=\"/" not in framed[0]
    titles = [str(o["data"][PLOTLY]["layout"].get("title", {}).get("text", ""))
              for o in _outputs(nb) if PLOTLY in o.get("data", {})]
    assert any("CO₂e" in t for t in titles), titles
    assert any("share" in t.lower() for t in titles), titles
    widgets = [o for o in _outputs(nb) if WIDGET in o.get("data", {})]
    assert widgets, "the run's progress bar is not a notebook widget"


def test_make_lab_opens_the_py_notebooks_as_notebooks() -> None:
    """``make lab`` writes JupyterLab settings that make jupytext the viewer of ``.py`` files."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    settings = re.search(r"echo '(\{.*defaultViewers.*\})' > \$\(LAB_SETTINGS\)", makefile)
    assert settings, "the lab target writes no JupyterLab settings"
    viewers = json.loads(settings.group(1))["@jupyterlab/docmanager-extension:plugin"]
    assert viewers["defaultViewers"]["python"] == "Jupytext Notebook"
    assert "notebook" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
