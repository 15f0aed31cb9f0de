"""Optional PNG/PDF export of dashboard figures through kaleido (needs kaleido and Chromium)."""

from __future__ import annotations

import builtins
import importlib.util

import pytest
from browser import find_browser
from test_report_fixtures import make_results

from mobility_sim.exceptions import MobilitySimError
from mobility_sim.report import build_dashboard
from mobility_sim.report.export import export_figures


def test_export_without_kaleido_says_what_to_install(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_kaleido(name, *args, **kwargs):
        if name == "kaleido":
            raise ImportError("no kaleido")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_kaleido)
    with pytest.raises(MobilitySimError, match="pip install kaleido"):
        export_figures(build_dashboard(make_results()), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(MobilitySimError, match="unknown format"):
        export_figures(build_dashboard(make_results()), tmp_path, ["gif"])


@pytest.mark.skipif(importlib.util.find_spec("kaleido") is None or find_browser() is None,
                    reason="optional: kaleido and chromium are not installed")
def test_export_writes_one_image_per_figure(tmp_path):
    page = build_dashboard(make_results())
    written = export_figures(page, tmp_path / "figs", ["png", "pdf"])
    names = [name for name, _ in page.named_figures]
    assert sorted(p.name for p in written) == sorted(
        [f"{n}.png" for n in names] + [f"{n}.pdf" for n in names])
    for path in written:
        head = path.read_bytes()[:8]
        assert head.startswith(b"\x89PNG") if path.suffix == ".png" else head.startswith(b"%PDF")
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == sorted(p.name for p in written)
