"""Figure functions: units on every axis, mode colours, maps on a white equal-aspect grid."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from test_report_fixtures import full_extra, make_results

from mobility_sim.report import build_city_comparison, build_comparison, build_dashboard
from mobility_sim.report.cobenefit_figures import cost_effectiveness_figure
from mobility_sim.report.emissions_figures import (
    emissions_trajectory,
    wedge_figure,
    wedges_from_contributions,
)
from mobility_sim.report.kpi import Target
from mobility_sim.report.map_figures import co2_per_capita_map, to_raster
from mobility_sim.report.theme import MODE_COLOURS, OKABE_ITO
from mobility_sim.report.travel_figures import mode_share_figure, observed_split_figure

#: Axis titles that need no unit: categories and the year.
UNITLESS = {"Year", "Mode group", "Measure", "City", "Run", ""}


def all_figures():
    res = make_results()
    other = make_results(car_cut=0.3, scenario_name="Ambitious", seed=2)
    city2 = make_results(side=4, seed=3, city_name="Otherburg")
    pages = [build_dashboard(res, extra=full_extra(res), baseline=other),
             build_comparison([res, other]),
             build_city_comparison([res, city2], wedges=[full_extra(res)["wedges"],
                                                          full_extra(city2)["wedges"]])]
    return [(name, fig) for page in pages for name, fig in page.named_figures]


FIGURES = all_figures()


@pytest.mark.parametrize(("name", "fig"), FIGURES, ids=[n for n, _ in FIGURES])
def test_every_axis_has_a_title_with_its_unit(name, fig):
    layout = fig.to_plotly_json()["layout"]
    axes = [k for k in layout if k.startswith(("xaxis", "yaxis"))]
    assert axes, "figure without axes"
    for key in axes:
        axis = layout[key]
        if axis.get("visible") is False or axis.get("matches"):
            continue
        title = (axis.get("title") or {}).get("text") or ""
        shared_y = key.startswith("yaxis") and key != "yaxis" and layout.get(
            "yaxis", {}).get("title", {}).get("text")
        if not title and shared_y:
            continue  # small multiples: the first panel of the row names the unit
        assert title, f"{name}: {key} has no title"
        if title not in UNITLESS:
            assert re.search(r"\(.+\)|\bkm\b|%", title), f"{name}: {key} title {title!r} " \
                "has no unit"


@pytest.mark.parametrize(("name", "fig"), FIGURES, ids=[n for n, _ in FIGURES])
def test_every_figure_has_a_title_and_white_background(name, fig):
    layout = fig.layout
    assert layout.title.text, name
    assert layout.plot_bgcolor in (None, "#FFFFFF") and layout.template.layout.plot_bgcolor == \
        "#FFFFFF"


def test_mode_colours_are_colour_blind_safe_and_consistent():
    assert set(MODE_COLOURS.values()) <= set(OKABE_ITO.values())
    modes = make_results().modes
    for by in ("trips", "pkm"):
        fig = mode_share_figure(modes, by)
        colours = {t.name: t.line.color for t in fig.data}
        assert colours["Walk"] == MODE_COLOURS["walk"]
        assert colours["Car (battery-electric)"] == MODE_COLOURS["car_ev"]
        assert colours["Public transport"] == MODE_COLOURS["pt"]


def test_mode_shares_add_up_to_100_percent_each_year():
    fig = mode_share_figure(make_results().modes, "pkm")
    total = np.sum([np.asarray(t.y, dtype=float) for t in fig.data], axis=0)
    np.testing.assert_allclose(total, 100.0)


def test_raster_puts_each_cell_in_its_place():
    grid = pd.DataFrame({"cell_id": [10, 11, 12, 13, 14],
                         "x": [1250.0, 1750.0, 2250.0, 1250.0, 2250.0],
                         "y": [250.0, 250.0, 250.0, 750.0, 750.0]})
    values = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0], index=[10, 11, 12, 13, 14])
    raster = to_raster(grid, values, 500.0)
    assert raster.z.shape == (2, 3)
    np.testing.assert_array_equal(raster.z[0], [1, 2, 3])
    assert raster.z[1, 0] == 4 and math.isnan(raster.z[1, 1]) and raster.z[1, 2] == 5
    assert raster.cell_km == 0.5 and raster.centre0_km == 0.25
    # Without the cell size it is inferred from the spacing of the centres.
    assert to_raster(grid, values).cell_km == 0.5


def test_map_is_a_heatmap_with_equal_aspect_and_no_tiles():
    res = make_results()
    fig = co2_per_capita_map(res.grid, res.cells, 2035, cell_size_m=500.0)
    assert [t.type for t in fig.data] == ["heatmap"]
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == 1
    assert fig.layout.template.layout.plot_bgcolor == "#FFFFFF"
    assert "mapbox" not in fig.to_plotly_json()["layout"]
    assert "map" not in fig.to_plotly_json()["layout"]
    # Per-capita values: the park cell (no residents) is blank, others match the table.
    z = np.asarray(fig.data[0].z)
    cells = res.cells[res.cells["year"] == 2035].set_index("cell_id")
    expected = cells["co2_wtw_t"] * 1000 / cells["population"]
    assert math.isnan(z[2, 2])  # the centre cell of the 5 x 5 fixture
    assert z[0, 0] == pytest.approx(expected.loc[0], rel=1e-6)
    assert z[1, 3] == pytest.approx(expected.loc[8], rel=1e-6)


def test_trajectory_draws_the_target_path_to_the_target_level():
    res = make_results()
    s = res.summary
    target = Target(year=2030, reduction=0.3, base_year=2025)
    fig = emissions_trajectory(s, target=target)
    path = next(t for t in fig.data if t.name.startswith("Target"))
    base = float(s.loc[s["year"] == 2025, "co2_wtw_t"].iloc[0])
    div = 1000.0 if base >= 10_000 else 1.0
    assert list(path.x) == [2025, 2030]
    assert path.y[1] == pytest.approx(base * 0.7 / div)


def test_trajectory_notes_a_target_whose_base_year_is_not_in_the_run():
    fig = emissions_trajectory(make_results().summary,
                               target=Target(year=2030, reduction=0.55, base_year=1990))
    assert not any(t.name.startswith("Target") for t in fig.data)
    assert "base year not in this run" in fig.layout.annotations[0].text


def test_observed_split_compares_like_with_like():
    res = make_results()
    obs = res.meta["observed_modal_split"]
    fig = observed_split_figure(res.modes, obs, 2025)
    survey = next(t for t in fig.data if t.name.startswith("Survey"))
    assert list(survey.y) == [30.0, 10.0, 30.0, 30.0]
    model = next(t for t in fig.data if t.name.startswith("Model"))
    shares = res.mode_share("trips").query("year == 2025").set_index("mode_group")["share"]
    assert model.y[3] == pytest.approx(100 * shares["car"])
    assert observed_split_figure(res.modes, [], 2025) is None
    partial = [{**obs[0], "shares": {"walk": None, "bike": 0.2, "pt": None, "car": None}}]
    fig = observed_split_figure(res.modes, partial, 2025)
    survey = next(t for t in fig.data if t.name.startswith("Survey"))
    assert survey.y[0] is None and survey.y[1] == 20.0


def test_cost_effectiveness_is_cost_over_abatement_and_skips_zero_abatement():
    costs = pd.DataFrame({"measure": ["A", "B", "C"], "cost_eur": [1e6, -2e5, 5e5],
                          "co2_abated_t": [1e4, 1e3, 0.0]})
    fig = cost_effectiveness_figure(costs)
    bars = dict(zip(fig.data[0].y, fig.data[0].x, strict=True))
    assert bars == {"B": pytest.approx(-200.0), "A": pytest.approx(100.0)}
    assert "C" in fig.layout.annotations[0].text


def test_wedges_come_from_shapley_contributions():
    contributions = pd.DataFrame({
        "year": [2030, 2030, 2030], "output": ["co2_wtw_t", "co2_wtw_t", "nox_t"],
        "measure": ["EV sales", "PT frequency", "EV sales"], "position": [0, 1, 0],
        "contribution": [-500.0, 20.0, -3.0], "std_error": [0.0, 0.0, 0.0]})
    wedges = wedges_from_contributions(contributions)
    assert wedges.to_dict("list") == {"year": [2030, 2030], "measure": ["EV sales",
                                                                       "PT frequency"],
                                      "co2_wtw_reduction_t": [500.0, -20.0]}
    fig = wedge_figure(wedges)
    assert [t.name for t in fig.data] == ["EV sales", "PT frequency"]


def test_figure_functions_name_the_columns_they_miss():
    with pytest.raises(ValueError, match="co2_wtw_reduction_t"):
        wedge_figure(pd.DataFrame({"year": [2025], "measure": ["x"]}))


def test_user_names_are_escaped_in_plotly_labels():
    evil = "<b onmouseover=alert(1)>x</b>"
    res = make_results(scenario_name=evil)
    page = build_comparison([res, make_results()])
    names = [t.name for _, fig in page.named_figures for t in fig.data if t.name]
    assert evil not in names
    assert any("&lt;b onmouseover=alert(1)&gt;x&lt;/b&gt;" in n for n in names)
