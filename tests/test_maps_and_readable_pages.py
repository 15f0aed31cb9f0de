"""Pages a planner can read (issue 24, item 6).

* The result maps draw the city's named zones, each measure's area and new PT lines over the
  grid, each a legend entry named by its zone or measure label, in the maps' km coordinates;
* the attribution waterfall grows with its measures, reads its labels and never shows a raw
  column name; the analysis tables show whole, with human headers;
* the measure reference (docs/measures.md) shows no Python type text.
"""

from __future__ import annotations

import dataclasses
import re
from html import escape as html_escape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from test_report_fixtures import make_results

from mobility_sim.analysis.figures import (
    WATERFALL_MIN_PX,
    column_label,
    frame_table,
    waterfall_figure,
    write_analysis_page,
)
from mobility_sim.report.map_figures import (
    add_outlines,
    cell_set_outline,
    co2_per_capita_map,
    grid_origin_m,
    map_outlines,
)
from mobility_sim.scenario.models import MEASURE_TYPES
from mobility_sim.scenario.reference_doc import reference_text
from mobility_sim.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]


# Maps ----------------------------------------------------------------------------------------

def _york_box(cells: int = 3) -> str:
    """A square WKT polygon around the south-west ``cells`` x ``cells`` cells of York's grid."""
    grid = pd.read_parquet(ROOT / "cities" / "york" / "grid.parquet", columns=["x", "y"])
    x0, y0 = float(grid["x"].min()), float(grid["y"].min())
    x1, y1 = x0 + (cells - 0.5) * 1000, y0 + (cells - 0.5) * 1000
    return f"POLYGON (({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))"


def _measures() -> str:
    return f"""\
- type: cordon_charge
  label: Centre cordon
  start: 2030
  profile: step
  eur_per_trip: 5.0
  area: {{zone: centre}}
- type: parking_price
  label: South-west parking <5 EUR>
  start: 2030
  profile: step
  eur_per_hour: 5.0
  area: {{wkt: "{_york_box()}"}}
- type: pt_line
  label: New tram line
  start: 2030
  profile: step
  line: {{main_axis_m: 6000.0}}
  stop_spacing_m: 500
  headway_min: 7.5
  speed_kmh: 22
"""


@pytest.fixture(scope="module")
def york_run(tmp_path_factory):
    from mobility_sim.scenario import load_scenario

    folder = tmp_path_factory.mktemp("york_map")
    text = (f"name: york maps\ncity: {ROOT / 'cities' / 'york'}\n"
            "years: {start: 2025, end: 2030, step: 5}\nmeasures:\n"
            + "\n".join("  " + line for line in _measures().splitlines()) + "\n")
    path = folder / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_scenario(path)
    return loaded, simulate(loaded, with_reference=False)


def _rings(trace) -> shapely.Geometry:
    """The area a trace of closed rings encloses (even-odd: a ring inside another is a hole)."""
    xs, ys = list(trace.x), list(trace.y)
    area, current = shapely.Polygon(), []
    for x, y in zip([*xs, None], [*ys, None], strict=True):
        if x is None:
            if len(current) >= 4:
                assert current[0] == pytest.approx(current[-1]), "an outline ring is not closed"
                area = area.symmetric_difference(shapely.Polygon(current))
            current = []
        else:
            current.append((x, y))
    return area


def _centres_km(grid: pd.DataFrame, cell_size_m: float) -> pd.DataFrame:
    x0, y0 = grid_origin_m(grid, cell_size_m)
    return pd.DataFrame({"cell_id": grid["cell_id"], "x": (grid["x"] - x0) / 1000,
                         "y": (grid["y"] - y0) / 1000})


def _named(fig, name: str):
    found = [t for t in fig.data if t.name == name and t.showlegend is not False]
    assert len(found) == 1, f"no single legend entry {name!r}: {[t.name for t in fig.data]}"
    return found[0]


def test_a_run_saves_its_zones_areas_and_lines_for_the_maps(york_run):
    loaded, results = york_run
    layers = results.meta["map_layers"]
    ids = loaded.city.grid["cell_id"].to_numpy()
    centre = set(ids[loaded.city.zone_mask("centre")].tolist())
    assert [z["name"] for z in layers["zones"]] == ["centre"]
    assert set(layers["zones"][0]["cell_ids"]) == centre
    assert layers["zones"][0]["wkt"].startswith("POLYGON")
    areas = {a["label"]: a for a in layers["areas"]}
    assert set(areas) == {"Centre cordon", "South-west parking <5 EUR>"}
    assert set(areas["Centre cordon"]["cell_ids"]) == centre
    assert areas["Centre cordon"]["zone"] == "centre"
    assert len(areas["South-west parking <5 EUR>"]["cell_ids"]) >= 1
    (line,) = layers["pt_lines"]
    assert line["label"] == "New tram line" and line["wkt"].startswith("LINESTRING")
    assert line["vehicle"] == "tram"


@pytest.mark.parametrize("method", ["co2_map", "car_share_change_map", "car_speed_map"])
def test_map_outlines_enclose_the_cordon_cells_and_name_them(york_run, method):
    _, results = york_run
    fig = getattr(results.plot, method)()
    assert fig.data[0].type == "heatmap"
    size = float(results.meta["cell_size_m"])
    centres = _centres_km(results.grid, size)
    points = shapely.points(centres["x"].to_numpy(), centres["y"].to_numpy())
    for label in ("Centre cordon", "South-west parking <5 EUR>"):
        area = next(a for a in results.meta["map_layers"]["areas"] if a["label"] == label)
        trace = _named(fig, label.replace("<", "&lt;").replace(">", "&gt;"))
        assert trace.meta == {"outline": "area"}
        enclosed = _rings(trace)
        inside = set(centres.loc[shapely.covers(enclosed, points), "cell_id"].tolist())
        assert inside == set(area["cell_ids"]), label
        # the outline runs on cell edges: its area is the cells' area
        assert enclosed.area == pytest.approx(len(area["cell_ids"]) * (size / 1000) ** 2)
    # the named zone: its polygon, which holds the centres of its cells
    zone = _named(fig, "centre")
    assert zone.meta == {"outline": "zone"}
    enclosed = _rings(zone)
    inside = set(centres.loc[shapely.covers(enclosed.buffer(1e-6), points), "cell_id"])
    assert inside == set(results.meta["map_layers"]["zones"][0]["cell_ids"])
    # the tram line as the model places it, in the maps' km
    tram = _named(fig, "New tram line")
    x0, y0 = grid_origin_m(results.grid, size)
    coords = shapely.get_coordinates(shapely.from_wkt(
        results.meta["map_layers"]["pt_lines"][0]["wkt"]))
    np.testing.assert_allclose(tram.x, (coords[:, 0] - x0) / 1000)
    np.testing.assert_allclose(tram.y, (coords[:, 1] - y0) / 1000)


def test_outlines_are_thin_dark_lines_toggled_from_the_legend(york_run):
    _, results = york_run
    fig = results.plot.co2_map()
    named = [t for t in fig.data if t.type == "scatter" and t.showlegend is not False]
    assert len(named) == 4  # centre, cordon, parking area, tram line
    assert fig.layout.showlegend is True
    for trace in named:
        assert trace.mode == "lines" and trace.line.width <= 2.5
        rgb = [int(trace.line.color[i:i + 2], 16) for i in (1, 3, 5)]
        assert max(rgb) < 80, f"{trace.name}: outline colour {trace.line.color} is not dark"
        group = [t for t in fig.data if t.legendgroup == trace.legendgroup]
        assert len(group) == 2  # the line and its white halo hide and show together
    # the two areas have different dashes; the run without outlines is the plain heatmap
    dashes = {t.name: t.line.dash for t in named if t.meta == {"outline": "area"}}
    assert len(set(dashes.values())) == 2
    assert [t.type for t in results.plot.co2_map(outlines=False).data] == ["heatmap"]
    assert fig.layout.height > results.plot.co2_map(outlines=False).layout.height


def test_older_run_gets_its_lines_and_wkt_areas_from_the_resolved_scenario():
    res = make_results()
    box = ("POLYGON ((4800000 2700000, 4801000 2700000, 4801000 2701000, 4800000 2701000, "
           "4800000 2700000))")
    yaml = (f"name: fixture\nmeasures:\n- type: pt_line\n  label: Line 1\n  line:\n"
            f"    wkt: LINESTRING (4800100 2700100, 4802400 2702400)\n"
            f"- type: parking_price\n  label: Parking box\n  area:\n    wkt: {box}\n"
            f"- type: parking_price\n  label: Named zone only\n  area:\n    zone: centre\n")
    old = dataclasses.replace(res, scenario_yaml=yaml)
    assert "map_layers" not in old.meta
    outlines = {o.name: o for o in map_outlines(old.grid, old.meta, old.scenario_yaml)}
    assert set(outlines) == {"Line 1", "Parking box"}  # a zone's polygon was never saved
    assert set(outlines["Parking box"].cell_ids) == {0, 1, 5, 6}
    assert outlines["Line 1"].x_km[0] == pytest.approx(0.1)
    fig = old.plot.co2_map()
    assert {"Line 1", "Parking box"} <= {t.name for t in fig.data}
    # nothing to draw: the map is the plain heatmap, as before
    assert [t.type for t in res.plot.co2_map().data] == ["heatmap"]


def test_cell_set_outline_follows_cell_edges_with_holes():
    side, size = 5, 500.0
    ids = np.arange(side * side)
    grid = pd.DataFrame({"cell_id": ids, "x": 1000.0 + size * (ids % side),
                         "y": 2000.0 + size * (ids // side)})
    ring = [6, 7, 8, 11, 13, 16, 17, 18]  # a 3 x 3 block without its centre cell (12)
    xs, ys = cell_set_outline(grid, ring, size)
    assert None in xs  # two rings: the outer edge and the hole
    trace = type("T", (), {"x": xs, "y": ys})
    area = _rings(trace)
    assert area.area == pytest.approx(8 * 0.25)
    assert not area.covers(shapely.Point(1.25, 1.25))  # the hole's centre, in km
    assert area.covers(shapely.Point(0.75, 0.75))  # cell 6
    assert min(x for x in xs if x is not None) == pytest.approx(0.5)


def test_add_outlines_escapes_labels_and_leaves_the_heatmap_first():
    res = make_results()
    fig = co2_per_capita_map(res.grid, res.cells, 2035, cell_size_m=500.0)
    layers = {"zones": [], "areas": [{"label": "<b>x</b>", "type": "parking_price",
                                      "zone": None, "cell_ids": [0, 1]}], "pt_lines": []}
    add_outlines(fig, map_outlines(res.grid, {**res.meta, "map_layers": layers}))
    assert fig.data[0].type == "heatmap"
    assert [t.name for t in fig.data if t.showlegend is not False][-1] == "&lt;b&gt;x&lt;/b&gt;"


# The attribution waterfall and the analysis tables -------------------------------------------

LONG = ["EV sales to 100 % by 2035", "Protected cycle lanes on 60 % of streets",
        "Central congestion charge", "Half-price PT fares", "Central zero-emission zone",
        "E-bike purchase subsidy (17 800 e-bikes)", "Central parking 5 EUR/h",
        "30 km/h on residential streets", "Telework one day in ten", "Growth near PT stops",
        "Central car sharing", "Car occupancy 1.8", "Electric vans 80 % of sales by 2030",
        "Cargo-bike deliveries in the centre", "Central consolidation centre",
        "New tram line (10 km)", "Central bike sharing (half e-bikes)",
        "Bus lanes on half the central streets", "Electric city buses only from 2030"]


def _attribution(labels: list[str], output: str = "co2_wtw_t"):
    values = -np.linspace(100.0, 5000.0, len(labels))
    contributions = pd.DataFrame({"year": 2030, "output": output, "measure": labels,
                                  "contribution": values})
    totals = pd.DataFrame({"year": [2030], "output": [output], "without_measures": [1e6],
                           "package": [1e6 + values.sum()], "effect": [values.sum()]})
    return contributions, totals


def _texts(fig) -> str:
    layout = fig.layout
    parts = [layout.title.text or "", layout.xaxis.title.text or "", layout.yaxis.title.text or ""]
    for trace in fig.data:
        parts += [str(trace.name or ""), str(trace.hovertemplate or "")]
    return " ".join(parts)


def test_waterfall_figure_height_grows_with_the_measures():
    heights = [waterfall_figure(*_attribution(LONG[:n]), 2030).layout.height
               for n in (2, 8, 19)]
    assert heights[0] >= WATERFALL_MIN_PX
    assert heights[0] <= heights[1] < heights[2]
    assert heights[2] >= 28 * 20  # at least 28 px per bar (19 measures and the package)


def test_waterfall_figure_lays_long_labels_out_horizontally_in_plain_words():
    fig = waterfall_figure(*_attribution(LONG), 2030)
    trace = fig.data[0]
    assert trace.orientation == "h"
    assert list(trace.y)[-1] == "Package" and set(LONG) <= set(trace.y)
    assert fig.layout.yaxis.autorange == "reversed"  # the first step on top
    text = _texts(fig)
    assert "co2_wtw_t" not in text and "co2_wtw" not in text
    assert "well-to-wheel CO₂e" in fig.layout.title.text
    assert "(t per year)" in fig.layout.xaxis.title.text
    # short labels keep vertical bars
    short = waterfall_figure(*_attribution(["EV sales", "Outer PT"]), 2030)
    assert short.data[0].orientation in (None, "v")


def test_waterfall_figure_of_other_outputs_names_them_plainly():
    fig = waterfall_figure(*_attribution(LONG[:3], "territorial_co2_ttw_t"), 2030,
                           "territorial_co2_ttw_t")
    assert "territorial_co2_ttw_t" not in _texts(fig)
    assert "territorial tank-to-wheel CO₂e" in fig.layout.title.text


def test_analysis_page_shows_whole_tables_with_human_headers(tmp_path):
    labels = LONG[:12]
    actions = pd.DataFrame({
        "measure": labels, "type": "parking_price", "area": "centre", "start": 2027,
        "full_effect_year": 2030, "profile": "step", "capex_eur": np.nan,
        "opex_eur_per_year": 1.2e6, "cost_eur": 2.5e7, "co2_effect_t": -1000.0,
        "co2_effect_share": 1 / 12, "co2_abated_t": 2.0e4, "eur_per_t_abated": 1250.0})
    html = frame_table(actions)
    for raw in actions.columns:
        assert f">{raw}<" not in html, raw
    headers = re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", html)
    assert "CO₂e effect (t)" in headers and "Measure" in headers
    assert headers == [html_escape(column_label(c)) for c in actions.columns]
    assert "overflow-x:auto" in html and not re.search(r"max-height:\s*\d", html)
    assert html.count("<tr>") == len(actions) + 1  # every row, the header row
    assert "8.3 %" in html and ">2027<" in html and "1,200,000" in html
    fig = waterfall_figure(*_attribution(labels), 2030)
    page = write_analysis_page(tmp_path / "attribution.html", "Package: what each measure does",
                               [("CO₂e in 2030", "Shapley attribution.", [fig], html)])
    text = page.read_text(encoding="utf-8")
    assert "co2_wtw_t" not in text and "co2_effect_t" not in text
    assert '"height":' in text  # the figure carries its height: never a sliver of a frame
    style = re.findall(r"<style>(.*?)</style>", text, flags=re.S)
    assert not any(re.search(r"max-height:\s*\d", s) for s in style)


def test_column_label_makes_words_of_unknown_columns():
    assert column_label("co2_effect_t") == "CO₂e effect (t)"
    assert column_label("car_vkm") == "Car vehicle-km"
    assert column_label("running_cost_eur") == "Running cost (EUR)"
    assert "_" not in column_label("some_new_share_pct")


# The measure reference -------------------------------------------------------------------------

PYTHON_TEXT = ("typing.", "mobility_sim.", "FieldInfo", "NoneType", "Literal[", "Annotated",
               "<class", "=True", "=False", "PydanticUndefined")


def test_measures_doc_has_no_python_type_text():
    text = (ROOT / "docs" / "measures.md").read_text(encoding="utf-8")
    assert text == reference_text(), "docs/measures.md is stale; run 'mobility-sim schema'"
    for raw in PYTHON_TEXT:
        assert raw not in text, raw
    row = next(line for line in text.splitlines() if line.startswith("| `measures` |"))
    assert f"list of measures (one of the [{len(MEASURE_TYPES)} types](#catalogue) above)" in row
    for line in text.splitlines():  # a default in Python's words
        if line.startswith("| `"):
            assert "`True`" not in line and "`False`" not in line, line


def test_measures_doc_tables_are_whole_and_links_resolve():
    text = reference_text()
    header_cells = None
    for line in text.splitlines():
        if not line.startswith("|"):
            header_cells = None
            continue
        cells = len(re.findall(r"(?<!\\)\|", line))
        if header_cells is None:
            header_cells = cells
        assert cells == header_cells, f"a table row with a stray '|': {line[:120]}"
    anchors = {re.sub(r"[^a-z0-9 _-]", "", h.lower()).strip().replace(" ", "-")
               for h in re.findall(r"^#+ (.*)$", text, flags=re.M)}
    links = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert links <= anchors, sorted(links - anchors)
