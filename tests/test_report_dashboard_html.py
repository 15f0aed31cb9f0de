"""The dashboard HTML: self-contained, offline, plotly.js once, names escaped, atomic writes."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_report_fixtures import full_extra, make_results

from mobility_sim.exceptions import OutputError
from mobility_sim.report import build_dashboard, write_dashboard
from mobility_sim.results import ACCOUNTING_NOTE, Results

PLOTLY_BANNER = re.compile(r"\* plotly\.js v\d+\.\d+\.\d+")


class Tags(HTMLParser):
    """Collect script/link/img/iframe tags with their attributes and script bodies."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


def count_tags(html: str, name: str) -> int:
    return sum(1 for tag, _ in parse(html).tags if tag == name)


def figure_specs(html: str) -> list[dict]:
    specs = re.findall(r'<script type="application/json" id="[^"]*-fig-\d+-data">(.*?)</script>',
                       html, flags=re.S)
    return [json.loads(s) for s in specs]


@pytest.fixture(scope="module")
def page_html(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("dash") / "dashboard.html"
    written = write_dashboard(make_results(), path)
    assert written == path
    return path.read_text(encoding="utf-8")


def test_dashboard_loads_nothing_from_outside(page_html):
    tags = parse(page_html)
    for tag, attrs in tags.tags:
        if tag == "script":
            assert "src" not in attrs, f"external script {attrs}"
        if tag == "link":
            assert "href" not in attrs or attrs["href"].startswith("#"), f"link {attrs}"
        if tag in ("img", "iframe", "source", "video", "audio", "embed", "object"):
            pytest.fail(f"<{tag}> element would load a resource: {attrs}")
    # No stylesheet import or font from a URL, and no MathJax script.
    for style in re.findall(r"<style>(.*?)</style>", page_html, flags=re.S):
        assert "@import" not in style and "url(" not in style
    assert "mathjax" not in " ".join(a.get("src") or "" for _, a in tags.tags).lower()
    assert not re.search(r"<script[^>]+mathjax", page_html, flags=re.I)


def test_plotly_js_is_embedded_exactly_once(page_html):
    assert len(PLOTLY_BANNER.findall(page_html)) == 1
    big = [s for s in parse(page_html).scripts if len(s) > 1_000_000]
    assert len(big) == 1
    assert page_html.count("window.PlotlyConfig") == 1


def test_topojson_and_mathjax_cdn_are_not_configured(page_html):
    config = json.loads(re.search(r'id="ms-plot-config">(.*?)</script>', page_html,
                                  flags=re.S).group(1))
    assert not str(config.get("topojsonURL", "")).startswith("http")
    assert "MathJaxConfig: 'local'" in page_html
    for spec in figure_specs(page_html):
        assert all(t.get("type") not in ("scattergeo", "choropleth", "scattermap",
                                         "choroplethmap", "scattermapbox", "densitymap")
                   for t in spec["data"]), "a map trace would load tiles or topojson"


def test_every_figure_is_a_placeholder_with_its_data(page_html):
    divs = re.findall(r'<div class="ms-figure[^"]*" id="([^"]+)" data-spec="([^"]+)"', page_html)
    specs = figure_specs(page_html)
    assert len(divs) == len(specs) >= 9
    for fig_id, spec_id in divs:
        assert spec_id == f"{fig_id}-data"
        assert f'id="{spec_id}"' in page_html


def test_figure_data_cannot_close_its_script_tag():
    res = make_results(scenario_name="</script><script>alert(1)</script>")
    html = build_dashboard(res).render()
    for spec in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', html,
                           flags=re.S):
        assert "<" not in spec and ">" not in spec
        json.loads(spec)


@pytest.mark.parametrize("field", ["scenario_name", "city_name", "scenario_description",
                                   "area_note"])
def test_user_given_names_are_escaped(tmp_path, field):
    evil = "<script>alert(1)</script>"
    res = make_results(**{field: evil})
    res.meta["measures"] = [{"type": "x", "label": "<img src=x onerror=alert(2)>", "start": 2026,
                             "end": 2030}]
    res.meta["sources"] = ["<b>bold</b> & co"]
    html = write_dashboard(res, tmp_path / "d.html").read_text(encoding="utf-8")
    assert evil not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    # Only the page's own scripts exist: no element was injected by a name.
    clean = build_dashboard(make_results()).render()
    assert count_tags(html, "script") == count_tags(clean, "script")
    assert count_tags(html, "img") == 0


def test_synthetic_city_is_flagged_and_real_city_is_not():
    synthetic = build_dashboard(make_results(synthetic=True)).render()
    real = build_dashboard(make_results(synthetic=False)).render()
    assert "Synthetic city:" in synthetic and "synthetic city</span>" in synthetic
    assert "Synthetic city:" not in real and "synthetic city</span>" not in real


def test_notes_show_accounting_sources_and_jobs_proxy(page_html):
    text = " ".join(parse(page_html).text)
    assert ACCOUNTING_NOTE[:80] in text
    assert "Fixture data made up for tests" in text
    assert "Proxy layers: jobs" in text
    assert "jobs (proxy)" in text  # in the header facts
    assert "GHS urban centre, not the administrative city" in text


def test_missing_results_are_labelled_not_available():
    page_html = build_dashboard(make_results(with_fleet=False)).render()
    for title in ("Emission reduction by measure (wedges)", "Fleet composition by powertrain",
                  "Local air pollutants (NOx, PM2.5)", "Health benefit of walking and cycling",
                  "Cost-effectiveness (EUR per tonne CO₂e)"):
        block = page_html.split(title, 1)
        assert len(block) == 2, title
        assert "Not available in this run." in block[1][:400], title


def test_dashboard_degrades_when_optional_meta_is_missing(tmp_path):
    res = make_results()
    res.meta = {}  # a bare run: no names, no target, no layers, no sources
    html = write_dashboard(res, tmp_path / "bare.html").read_text(encoding="utf-8")
    assert "Unnamed scenario" in html and "Unnamed city" in html
    assert "does not list its data sources" in html
    assert "Gap to the city" not in html
    assert len(figure_specs(html)) >= 8


def test_dashboard_is_written_atomically(tmp_path, monkeypatch):
    path = tmp_path / "dashboard.html"
    path.write_text("old", encoding="utf-8")
    import mobility_sim.report.page as page_module

    def boom(self):
        raise RuntimeError("figure failed")

    monkeypatch.setattr(page_module.Page, "render", boom)
    with pytest.raises(RuntimeError):
        write_dashboard(make_results(), path)
    assert path.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dashboard.html"]


def test_dashboard_write_failure_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError) as err:
        write_dashboard(make_results(), blocker / "sub" / "dashboard.html")
    assert len(err.value.problems) == 1
    assert "cannot write the dashboard" in err.value.problems[0]
    assert str(blocker) in err.value.problems[0]


def test_dashboard_file_is_readable_by_others(tmp_path):
    path = write_dashboard(make_results(), tmp_path / "d.html")
    assert path.stat().st_mode & 0o044, "the page should be shareable, not 0600"


def test_dashboard_from_a_saved_run_folder(tmp_path):
    folder = make_results().save(tmp_path / "run")
    loaded = Results.load(folder)
    html = write_dashboard(loaded, folder / "dashboard.html").read_text(encoding="utf-8")
    assert "SUMP package · Testville" in html


def test_optional_tables_replace_the_not_available_panels(tmp_path):
    res = make_results()
    html = write_dashboard(res, tmp_path / "d.html", extra=full_extra(res)).read_text("utf-8")
    assert "Not available in this run." not in html
    assert len(figure_specs(html)) == 22  # accountings, road traffic, accessibility, surplus


def test_ten_figure_page_stays_under_6_mb(tmp_path):
    # A large grid (100 x 100 cells) over 26 years with every optional figure present.
    res = make_results(years=tuple(range(2025, 2051)), side=100, cell_size=250.0)
    path = write_dashboard(res, tmp_path / "big.html", extra=full_extra(res))
    html = path.read_text(encoding="utf-8")
    assert len(figure_specs(html)) >= 10
    assert path.stat().st_size < 6_000_000, f"{path.stat().st_size / 1e6:.2f} MB"


def test_baseline_is_drawn_on_the_trajectory(tmp_path):
    res = make_results()
    base = make_results(car_cut=0.0, scenario_name="Business as usual")
    html = write_dashboard(res, tmp_path / "d.html", baseline=base).read_text("utf-8")
    names = [t.get("name") for t in figure_specs(html)[0]["data"]]
    assert "Business as usual (well-to-wheel)" in names


def test_dashboard_writes_into_a_new_folder(tmp_path):
    path = write_dashboard(make_results(), Path(tmp_path) / "a" / "b" / "dashboard.html")
    assert path.is_file()
