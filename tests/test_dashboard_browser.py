"""Every page opens in headless Chromium with the network off: no errors, every figure drawn.

Chromium comes from ``scripts/ensure_browser.sh`` (run by ``make test``). Without it these tests
skip locally and fail when ``CI`` is set. Set ``MOBILITY_SIM_SCREENSHOTS=<folder>`` to keep the
screenshots for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import pytest
from browser import inspect_page, require_browser, screenshot
from test_report_fixtures import full_extra, make_results

from mobility_sim.report import write_city_comparison, write_comparison, write_dashboard


@pytest.fixture(scope="module")
def browser() -> str:
    return require_browser()


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    years = tuple(range(2025, 2041))
    res = make_results(years=years, side=30, cell_size=250.0)
    base = make_results(years=years, side=30, cell_size=250.0, car_cut=0.0,
                        scenario_name="Business as usual")
    other = make_results(years=years, side=12, seed=5, city_name="Otherburg", synthetic=False)
    extra = full_extra(res)
    return {
        "full": write_dashboard(res, folder / "full.html", baseline=base, extra=extra),
        "bare": write_dashboard(make_results(with_fleet=False), folder / "bare.html"),
        "compare": write_comparison([base, res], folder / "compare.html"),
        "cities": write_city_comparison([res, other], folder / "cities.html",
                                        wedges=[extra["wedges"], full_extra(other)["wedges"]]),
    }


@pytest.mark.parametrize(("page", "n_figures"), [("full", 22), ("bare", 9), ("compare", 5),
                                                  ("cities", 6)])
def test_page_renders_offline_without_errors(browser, pages, page, n_figures):
    report = inspect_page(pages[page], browser)
    assert report.plotly, "plotly.js did not load"
    assert report.errors == [], report.errors
    assert report.external == [], f"network requests: {report.external}"
    assert report.figures == n_figures
    assert report.rendered == n_figures, f"not rendered: {report.empty}"
    assert report.drawn == n_figures, f"figures without drawn marks: {report.empty}"
    assert report.all_rendered
    assert report.ok


def test_the_check_catches_errors_missing_figures_and_network_use(browser, tmp_path):
    # A deliberately broken page: the same collector must report every failure.
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head>"
        '<script src="https://cdn.plot.ly/plotly-3.0.0.min.js"></script></head><body>'
        '<div class="ms-figure" id="f1"></div>'
        "<script>console.error('deliberate'); undefinedFunction();</script>"
        "</body></html>", encoding="utf-8")
    report = inspect_page(bad, browser)
    assert not report.ok
    assert any("deliberate" in e for e in report.errors)
    assert any("undefinedFunction" in e for e in report.errors)
    assert any("cdn.plot.ly" in e for e in report.errors), report.errors
    assert not report.plotly
    assert report.figures == 1 and report.drawn == 0 and report.empty == ["f1"]


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


def test_dashboard_screenshot(browser, pages, tmp_path):
    out = screenshot(pages["full"], browser, tmp_path / "dashboard.png", height=5200)
    assert png_size(out) == (1400, 5200)
    assert out.stat().st_size > 200_000, "the screenshot looks empty"
    keep = os.environ.get("MOBILITY_SIM_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(out, Path(keep) / "dashboard.png")
