"""Open HTML pages in headless Chromium with the network off and report what happened.

Used by the dashboard tests. :func:`inspect_page` copies a page, injects a small collector script
as the first thing in ``<head>`` (before plotly.js runs), loads it with ``--dump-dom`` under a
virtual-time budget, and reads back from the dumped DOM:

- errors: ``console.error`` calls, uncaught exceptions, unhandled promise rejections, failed
  resource loads (capture-phase ``error`` events), plus "Uncaught" console lines on stderr;
- requests: every resource the page fetched that is not a ``file:``/``data:``/``blob:`` URL;
- figures: how many ``div.ms-figure`` the page has, how many finished ``Plotly.newPlot``, and how
  many hold drawn marks (line/area paths, bars, heatmap images) inside an SVG.

The network is off: every host name resolves to nothing and every request goes to a dead proxy.

Chromium is installed by ``scripts/ensure_browser.sh`` (``make test`` runs it). Without it the
tests skip locally and fail when the ``CI`` environment variable is set.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
    # Network off: no name resolves, and anything that tries goes to a closed local port.
    "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
    "--enable-logging=stderr", "--v=0",
)

COLLECTOR = r"""
<script>
(function () {
  var errors = [];
  function add(kind, msg) { errors.push(kind + ": " + String(msg).slice(0, 400)); }
  var original = console.error;
  console.error = function () {
    add("console.error", Array.prototype.map.call(arguments, String).join(" "));
    return original.apply(console, arguments);
  };
  window.addEventListener("error", function (ev) {
    var t = ev.target;
    if (t && t !== window && (t.src || t.href)) { add("resource failed", t.src || t.href); }
    else { add("uncaught", ev.message + " (" + ev.filename + ":" + ev.lineno + ")"); }
  }, true);
  window.addEventListener("unhandledrejection", function (ev) {
    add("unhandled rejection", ev.reason);
  });
  var MARKS = "path.js-line, path.js-fill, g.point path, g.hm image, g.heatmaplayer image";
  function report() {
    var root = document.documentElement;
    var figs = document.querySelectorAll("div.ms-figure");
    var rendered = 0, drawn = 0, empty = [];
    Array.prototype.forEach.call(figs, function (div) {
      if (div.getAttribute("data-rendered") === "1") { rendered += 1; }
      var marks = Array.prototype.filter.call(div.querySelectorAll(MARKS), function (el) {
        var d = el.getAttribute("d");
        return el.tagName.toLowerCase() === "image" ? !!el.getAttribute("href") :
          (d && d.length > 8 && d !== "M0,0Z");
      });
      if (div.querySelector("svg.main-svg") && marks.length > 0) { drawn += 1; }
      else { empty.push(div.id); }
    });
    var external = [];
    if (window.performance && performance.getEntriesByType) {
      performance.getEntriesByType("resource").forEach(function (e) {
        if (!/^(file|data|blob|about):/.test(e.name)) { external.push(e.name); }
      });
    }
    root.setAttribute("data-ms-report", JSON.stringify({
      errors: errors, figures: figs.length, rendered: rendered, drawn: drawn, empty: empty,
      external: external, plotly: typeof window.Plotly !== "undefined",
      all: document.body ? document.body.getAttribute("data-rendered") : null
    }));
  }
  setInterval(report, 50);
  window.addEventListener("load", report);
})();
</script>
"""


@dataclass
class PageReport:
    """What a page did when opened in the browser."""

    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    figures: int = 0
    rendered: int = 0
    drawn: int = 0
    empty: list[str] = field(default_factory=list)
    plotly: bool = False
    all_rendered: bool = False
    stderr_console: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No errors, no network requests, and every figure drawn."""
        return (not self.errors and not self.external and self.figures == self.rendered
                == self.drawn)


def find_browser() -> str | None:
    """Path of a Chromium-family browser: ``$MOBILITY_SIM_BROWSER`` or one on PATH."""
    env = os.environ.get("MOBILITY_SIM_BROWSER")
    if env:
        return env if Path(env).exists() else shutil.which(env)
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def require_browser() -> str:
    """Return the browser, or skip the test (fail it when ``CI`` is set) if there is none."""
    path = find_browser()
    if path is None:
        message = ("no headless browser (chromium) found; run 'bash scripts/ensure_browser.sh' "
                   "as root or set MOBILITY_SIM_BROWSER")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _run(browser: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="ms-chromium-") as profile:
        return subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, check=False)


def inject_collector(html: str) -> str:
    """Insert :data:`COLLECTOR` right after the opening ``<head>`` tag."""
    match = re.search(r"<head[^>]*>", html, flags=re.IGNORECASE)
    if match is None:
        return COLLECTOR + html
    return html[: match.end()] + COLLECTOR + html[match.end():]


def inspect_page(page: Path, browser: str, budget_ms: int = 30000) -> PageReport:
    """Open ``page`` (with the collector injected) offline and return its :class:`PageReport`."""
    with tempfile.TemporaryDirectory(prefix="ms-page-") as tmp:
        copy = Path(tmp) / page.name
        copy.write_text(inject_collector(page.read_text(encoding="utf-8")), encoding="utf-8")
        proc = _run(browser, ["--window-size=1400,1000", f"--virtual-time-budget={budget_ms}",
                              "--dump-dom", copy.as_uri()])
    match = re.search(r'data-ms-report="([^"]*)"', proc.stdout)
    if match is None:
        raise AssertionError("the browser gave no report (page did not load?); stderr tail:\n"
                             + proc.stderr[-2000:])
    import html as html_module

    data = json.loads(html_module.unescape(match.group(1)))
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    uncaught = [line for line in console if "Uncaught" in line]
    return PageReport(errors=list(data["errors"]) + uncaught, external=list(data["external"]),
                      figures=int(data["figures"]), rendered=int(data["rendered"]),
                      drawn=int(data["drawn"]), empty=list(data["empty"]),
                      plotly=bool(data["plotly"]), all_rendered=data["all"] == "all",
                      stderr_console=console)


def screenshot(page: Path, browser: str, out: Path, width: int = 1400, height: int = 4200,
               budget_ms: int = 30000) -> Path:
    """Save a PNG of ``page`` (network off) at ``width`` x ``height`` pixels."""
    proc = _run(browser, [f"--window-size={width},{height}", f"--virtual-time-budget={budget_ms}",
                          f"--screenshot={out}", page.resolve().as_uri()])
    if not out.is_file():
        raise AssertionError(f"no screenshot written; stderr tail:\n{proc.stderr[-2000:]}")
    return out
