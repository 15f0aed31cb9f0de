"""Optional static export (PNG, PDF, SVG) of a page's figures through kaleido.

kaleido drives a locally installed Chromium; it is not a dependency of mobility_sim. The export
runs offline: it uses the plotly.js bundled with the plotly package and disables MathJax, which
kaleido would otherwise fetch from a CDN.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..exceptions import MobilitySimError, OutputError
from .page import Page

FORMATS: tuple[str, ...] = ("png", "pdf", "svg")


def _plotlyjs_path() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def export_figures(page: Page, folder: str | Path, formats: Sequence[str] = ("png",), *,
                   scale: float = 2.0, width: int = 900) -> list[Path]:
    """Write every figure of ``page`` as image files named after the figures.

    Parameters
    ----------
    page : Page
        A built page, e.g. :func:`mobility_sim.report.build_dashboard` ``(results)``.
    folder : str or pathlib.Path
        Where to write ``<figure name>.<format>`` files (created if needed).
    formats : sequence of str
        Any of :data:`FORMATS`.
    scale : float
        Pixel density of raster output (2 = print quality).
    width : int
        Width in CSS pixels; the height is each figure's own.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    MobilitySimError
        If a format is unknown, kaleido is not installed, or no browser can be started.
    OutputError
        If the folder cannot be written.
    """
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise MobilitySimError(f"image export: unknown format(s) {bad}; use {list(FORMATS)}")
    try:
        import kaleido
    except ImportError:
        raise MobilitySimError("image export needs the kaleido package and a Chromium browser: "
                               "pip install kaleido; apt-get install chromium") from None
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".export-", dir=folder))
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write images ({exc.strerror or exc}); choose "
                          "another folder") from None
    jobs, targets = [], []
    for name, fig in page.named_figures:
        for fmt in formats:
            tmp = staging / f"{name}.{fmt}"
            height = fig.layout.height or 450
            jobs.append({"fig": fig.to_dict(), "path": str(tmp),
                         "opts": {"format": fmt, "scale": scale, "width": width,
                                  "height": height}})
            targets.append((tmp, folder / f"{name}.{fmt}"))
    try:
        kaleido.write_fig_from_object_sync(
            jobs, kopts={"mathjax": False, "plotlyjs": str(_plotlyjs_path())})
        written = []
        for tmp, target in targets:
            if not tmp.is_file():
                raise MobilitySimError(f"image export: kaleido wrote no {target.name}")
            os.replace(tmp, target)
            written.append(target)
    except MobilitySimError:
        raise
    except Exception as exc:  # browser start-up failures come in many types
        raise MobilitySimError(f"image export failed ({type(exc).__name__}: {exc}); kaleido "
                               "needs Chromium: apt-get install chromium, or set BROWSER_PATH "
                               "to a Chrome/Chromium binary") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written
