"""Figures of the analyses (thin functions of tidy tables) and the analysis HTML page.

* :func:`waterfall_figure`: from the result without measures, each measure's Shapley
  contribution, to the package's result, for one year and output;
* :func:`fan_chart_figure`: Monte Carlo percentile bands per year, with the reference run;
* :func:`sensitivity_figure`: Morris ``mu_star`` or Sobol ``S1``/``ST`` per input;
* :func:`write_analysis_page`: one offline HTML page of any of them, in the house style of
  :mod:`mobility_sim.report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..exceptions import AnalysisError
from ..report.page import Page, esc, grid, table
from ..report.theme import OKABE_ITO, UNITS, house, plain

#: Axis titles of outputs that have a house unit label.
OUTPUT_TITLES: dict[str, str] = {"co2_wtw_t": UNITS["co2_t"] + ", well-to-wheel",
                                 "co2_ttw_t": UNITS["co2_t"] + ", tank-to-wheel",
                                 "territorial_co2_wtw_t": UNITS["co2_t"]
                                 + ", territorial, well-to-wheel",
                                 "territorial_co2_ttw_t": UNITS["co2_t"]
                                 + ", territorial, tank-to-wheel"}

#: Plain names of outputs in titles and text (a column name never shows on a page).
OUTPUT_NAMES: dict[str, str] = {
    "co2_wtw_t": "well-to-wheel CO₂e", "co2_ttw_t": "tank-to-wheel CO₂e",
    "territorial_co2_wtw_t": "territorial well-to-wheel CO₂e",
    "territorial_co2_ttw_t": "territorial tank-to-wheel CO₂e",
    "residents_co2_wtw_t": "residents' well-to-wheel CO₂e",
    "residents_co2_ttw_t": "residents' tank-to-wheel CO₂e",
    "co2_wtw_per_capita_kg": "well-to-wheel CO₂e per resident",
    "co2_ttw_per_capita_kg": "tank-to-wheel CO₂e per resident",
    "trips": "trips", "pkm": "passenger-km", "car_vkm": "car vehicle-km",
    "fleet_bev_share": "battery-electric share of cars",
}

#: Column headers of the analysis tables (action table, sensitivity indices).
COLUMN_LABELS: dict[str, str] = {
    "measure": "Measure", "type": "Type", "area": "Area", "start": "Start",
    "full_effect_year": "Full effect from", "profile": "Profile",
    "capex_eur": "Investment (EUR)", "opex_eur_per_year": "Running cost (EUR per year)",
    "cost_eur": "Cost, all years (EUR)", "co2_effect_t": "CO₂e effect (t)",
    "co2_effect_share": "Share of the package's effect",
    "co2_abated_t": "CO₂e abated, all years (t)",
    "eur_per_t_abated": "Cost per tonne abated (EUR/t)",
    "parameter": "Parameter", "mu_star": "Morris μ* (mean absolute effect)",
    "mu_star_conf": "μ* confidence (95 %)", "sigma": "Morris σ (spread of effects)",
    "S1": "First-order index S1", "S1_conf": "S1 confidence (95 %)",
    "ST": "Total-order index ST", "ST_conf": "ST confidence (95 %)",
}

#: Unit suffixes of column names and how a header shows them (:func:`column_label`).
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("_eur_per_t", "EUR/t"), ("_eur_per_year", "EUR per year"), ("_eur", "EUR"),
    ("_kg", "kg"), ("_t", "t"), ("_pct", "%"), ("_km", "km"), ("_kmh", "km/h"),
)

#: Abbreviations in column names and their words in headers.
_WORDS: dict[str, str] = {
    "co2": "CO₂e", "wtw": "well-to-wheel", "ttw": "tank-to-wheel", "pt": "PT", "ev": "EV",
    "bev": "battery-electric", "nox": "NOx", "pm25": "PM2.5", "vkm": "vehicle-km",
    "pkm": "passenger-km", "pc": "per resident", "eur": "EUR",
}

#: Columns of years (shown without a thousands separator).
_YEAR_COLUMNS = frozenset({"year", "start", "end", "full_effect_year", "base_year",
                           "target_year"})

#: Pixels per bar of the waterfall, and the room for its title, legend and axis.
WATERFALL_BAR_PX, WATERFALL_MARGIN_PX, WATERFALL_MIN_PX = 28, 200, 420
#: Longest measure label (characters) still drawn under a vertical bar; longer: horizontal bars.
WATERFALL_VERTICAL_LABEL = 16

_CUT, _RISE, _TOTAL = OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"], OKABE_ITO["blue"]


def _check(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisError(f"{name} table lacks column(s) {', '.join(missing)}")


def output_name(output: str) -> str:
    """Plain name of an output column for a title (e.g. ``co2_wtw_t`` -> well-to-wheel CO₂e)."""
    if output in OUTPUT_NAMES or output in COLUMN_LABELS:
        return OUTPUT_NAMES.get(output) or COLUMN_LABELS[output]
    label = column_label(output)
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def column_label(column: str) -> str:
    """Human header of a table column: :data:`COLUMN_LABELS`, else words and a unit.

    ``co2_effect_t`` -> "CO₂e effect (t)"; an unknown ``foo_bar_eur`` -> "Foo bar (EUR)".
    """
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    name, unit = str(column), ""
    for suffix, text in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name, unit = name[: -len(suffix)], text
            break
    words = " ".join(_WORDS.get(w, w) for w in name.split("_") if w)
    words = words[:1].upper() + words[1:]
    return f"{words} ({unit})" if unit else words


def waterfall_height(n_measures: int) -> int:
    """Height in pixels of a waterfall of ``n_measures`` steps (and the package's total)."""
    return max(WATERFALL_MIN_PX,
               WATERFALL_BAR_PX * (n_measures + 1) + WATERFALL_MARGIN_PX)


def _padded_range(values: Sequence[float], pad: float = 0.22) -> list[float]:
    """Value-axis range of a waterfall with room for the text beside its longest bars.

    Spans zero, every running total and the package's total, plus ``pad`` of that span on
    each side (a bar's text is drawn beyond its end).
    """
    steps = np.asarray(values[:-1], dtype=float)
    ends = np.concatenate([[0.0], np.cumsum(steps), [float(values[-1])]])
    lo, hi = float(np.nanmin(ends)), float(np.nanmax(ends))
    span = (hi - lo) or max(abs(hi), 1.0)
    return [lo - pad * span if lo < 0 else lo, hi + pad * span if hi > 0 else hi]


def waterfall_figure(contributions: pd.DataFrame, totals: pd.DataFrame, year: int,
                     output: str = "co2_wtw_t", title: str | None = None) -> go.Figure:
    """Waterfall of the package's effect in ``year``: each measure's step, then the total.

    The bars are changes against the result without any measure (stated in the title), so the
    axis starts at zero and no step is hidden by a truncated axis. Cuts are green, rises red.

    Parameters
    ----------
    contributions : pandas.DataFrame
        ``year, output, measure, contribution`` (:attr:`Attribution.contributions`).
    totals : pandas.DataFrame
        ``year, output, without_measures, package, effect`` (:attr:`Attribution.totals`).
    year : int
        The year shown.
    output : str
        The output shown.
    title : str, optional
        Plain-text title.
    """
    _check(contributions, ("year", "output", "measure", "contribution"), "contributions")
    _check(totals, ("year", "output", "without_measures", "package", "effect"), "totals")
    part = contributions[(contributions["year"] == year) & (contributions["output"] == output)]
    tot = totals[(totals["year"] == year) & (totals["output"] == output)]
    if part.empty or tot.empty:
        raise AnalysisError(f"no attribution for {output} in {year}")
    part = part.sort_values("contribution")
    base, effect = float(tot["without_measures"].iloc[0]), float(tot["effect"].iloc[0])
    names = [str(m) for m in part["measure"]]
    labels = [*map(plain, names), "Package"]
    values = [*part["contribution"].astype(float), effect]
    pct = [v / base if base else float("nan") for v in values]
    horizontal = max((len(n) for n in names), default=0) > WATERFALL_VERTICAL_LABEL
    name = output_name(output)
    unit_title = OUTPUT_TITLES.get(output, column_label(output))
    steps = {"measure": ["relative"] * len(part) + ["total"],
             "decreasing": {"marker": {"color": _CUT}},
             "increasing": {"marker": {"color": _RISE}},
             "totals": {"marker": {"color": _TOTAL}},
             "connector": {"line": {"color": "#9CA3AF"}},
             "text": [f"{v:+,.0f} ({p:+.1%})" for v, p in zip(values, pct, strict=True)],
             "textposition": "outside", "cliponaxis": False, "name": plain(name)}
    if horizontal:  # long labels read left of their bars, first measure on top
        fig = go.Figure(go.Waterfall(orientation="h", y=labels, x=values,
                                     hovertemplate="%{y}: %{x:+,.0f}<extra></extra>", **steps))
    else:
        fig = go.Figure(go.Waterfall(x=labels, y=values,
                                     hovertemplate="%{x}: %{y:+,.0f}<extra></extra>", **steps))
    tonnes = " t" if output.endswith("_t") else ""
    house(fig, title or f"What each measure changes: {name} in {year} "
                        f"(without measures: {base:,.0f}{tonnes})",
          height=waterfall_height(len(part)))
    value_axis = {"title": f"Change in {unit_title}", "zeroline": True,
                  "zerolinecolor": "#6B7280", "range": _padded_range(values)}
    if horizontal:
        fig.update_xaxes(**value_axis)
        fig.update_yaxes(title="", autorange="reversed", showgrid=False)
        fig.update_layout(margin={"r": 90})  # room for the text beside the longest bar
    else:
        fig.update_yaxes(**value_axis)
        fig.update_xaxes(title="")
    fig.update_layout(showlegend=False)
    return fig


def fan_chart_figure(fan: pd.DataFrame, reference: pd.DataFrame | None = None,
                     output: str | None = None, title: str | None = None,
                     target: tuple[str, float] | None = None) -> go.Figure:
    """Percentile bands per year (5-95 %, 25-75 %), the median and the reference run.

    Parameters
    ----------
    fan : pandas.DataFrame
        ``year, output, quantile, value`` (:func:`~mobility_sim.analysis.uncertainty.fan_table`)
        with quantiles 0.05, 0.25, 0.5, 0.75, 0.95.
    reference : pandas.DataFrame, optional
        ``year`` and the output column: the run with the scenario's own parameter values.
    output : str, optional
        The output (default: the fan's).
    title : str, optional
        Plain-text title.
    target : (str, float), optional
        A target's name and level (same unit as the output), drawn as a line. With absolute
        tonnes the level is the scenario's own run's; each run's base moves with its
        parameters (the council page measures each run against its own base).
    """
    _check(fan, ("year", "output", "quantile", "value"), "fan")
    output = output or str(fan["output"].iloc[0])
    wide = fan[fan["output"] == output].pivot(index="year", columns="quantile", values="value")
    needed = [0.05, 0.25, 0.5, 0.75, 0.95]
    if not all(any(abs(q - c) < 1e-9 for c in wide.columns) for q in needed):
        raise AnalysisError(f"the fan table needs quantiles {needed}")
    wide.columns = [round(float(c), 4) for c in wide.columns]
    years = wide.index.to_list()
    fig = go.Figure()
    for lo, hi, alpha, name in ((0.05, 0.95, 0.18, "5-95 % of runs"),
                                (0.25, 0.75, 0.35, "25-75 % of runs")):
        fig.add_trace(go.Scatter(x=years, y=wide[hi], mode="lines", line={"width": 0},
                                 showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=years, y=wide[lo], mode="lines", line={"width": 0},
                                 fill="tonexty", fillcolor=f"rgba(0,114,178,{alpha})",
                                 name=name, hovertemplate="%{x}: %{y:,.0f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=years, y=wide[0.5], mode="lines", name="Median",
                             line={"color": OKABE_ITO["blue"], "width": 2.5}))
    if reference is not None and output in reference.columns and len(reference):
        fig.add_trace(go.Scatter(x=reference["year"], y=reference[output], mode="lines",
                                 name="Scenario's own values",
                                 line={"color": OKABE_ITO["black"], "dash": "dash"}))
    if target is not None:
        fig.add_trace(go.Scatter(x=[years[0], years[-1]], y=[target[1], target[1]],
                                 mode="lines", name=f"Target: {target[0]}",
                                 line={"color": OKABE_ITO["vermillion"], "dash": "dot"}))
    house(fig, title or f"Uncertainty of {output_name(output)}", height=480)
    fig.update_yaxes(title=OUTPUT_TITLES.get(output, column_label(output)),
                     rangemode="tozero")
    fig.update_xaxes(title=UNITS["year"])
    return fig


def sensitivity_figure(indices: pd.DataFrame, method: str, title: str | None = None,
                       output_label: str = "") -> go.Figure:
    """Horizontal bars of the sensitivity indices, most important input on top.

    Parameters
    ----------
    indices : pandas.DataFrame
        Morris (``parameter, mu_star, mu_star_conf``) or Sobol (``parameter, S1, S1_conf,
        ST, ST_conf``) indices.
    method : {"morris", "sobol"}
        Which.
    title : str, optional
        Plain-text title.
    output_label : str
        What was analysed, for the title (plain text).
    """
    fig = go.Figure()
    if method == "morris":
        _check(indices, ("parameter", "mu_star", "mu_star_conf"), "Morris indices")
        data = indices.sort_values("mu_star")
        fig.add_trace(go.Bar(y=data["parameter"].map(plain), x=data["mu_star"], orientation="h",
                             error_x={"type": "data", "array": data["mu_star_conf"]},
                             marker_color=OKABE_ITO["blue"], name="mu*"))
        xtitle = "Morris mu* (mean absolute elementary effect, output units)"
    elif method == "sobol":
        _check(indices, ("parameter", "S1", "S1_conf", "ST", "ST_conf"), "Sobol indices")
        data = indices.sort_values("ST")
        for col, colour, name in (("S1", OKABE_ITO["sky_blue"], "First order S1"),
                                  ("ST", OKABE_ITO["blue"], "Total order ST")):
            fig.add_trace(go.Bar(y=data["parameter"].map(plain), x=data[col], orientation="h",
                                 error_x={"type": "data", "array": data[f"{col}_conf"]},
                                 marker_color=colour, name=name))
        fig.update_layout(barmode="group")
        xtitle = "Sobol index (share of the output's variance)"
    else:
        raise AnalysisError(f"no sensitivity figure for method {method!r} (morris or sobol)")
    house(fig, title or f"Which inputs matter{': ' + output_label if output_label else ''}",
          height=max(320, 60 + 40 * len(indices)))
    fig.update_xaxes(title=xtitle)
    fig.update_yaxes(title="", showgrid=False)
    return fig


def frame_table(frame: pd.DataFrame, digits: int = 3) -> str:
    """Return an HTML table of a small DataFrame, whole: human headers, numbers rounded.

    Headers come from :func:`column_label` (never a raw column name); shares (``*_share``)
    show in per cent, years without thousands separators; numeric columns align right. The
    table scrolls sideways inside its own box when it is wider than the page, so no column is
    cut off, and it has no height limit.
    """
    numeric = {i for i, c in enumerate(frame.columns)
               if pd.api.types.is_numeric_dtype(frame[c])}

    def fmt(column: str, v: object) -> object:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return ""
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, int | float) and column in _YEAR_COLUMNS:
            return f"{v:.0f}"
        if isinstance(v, int | float) and column.endswith("_share"):
            return f"{100 * float(v):.1f} %"
        if isinstance(v, float):
            return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.{digits}g}"
        return v

    columns = [str(c) for c in frame.columns]
    rows = [[fmt(c, v) for c, v in zip(columns, row, strict=True)]
            for row in frame.itertuples(index=False)]
    html = table([column_label(c) for c in columns], rows, numeric).replace(
        '<table class="ms-table">', '<table class="ms-table ms-analysis-table">', 1)
    return ('<div class="ms-table-scroll" style="overflow-x:auto;max-width:100%;'
            'max-height:none">' + html + "</div>")


#: Styles of the analysis tables on top of the house stylesheet: a measure's label keeps a
#: readable width; a table is never clipped in height.
_ANALYSIS_STYLE = (
    "<style>.ms-table-scroll{overflow-x:auto;overflow-y:visible;max-height:none}"
    "table.ms-table.ms-analysis-table td:first-child{min-width:14em}"
    "table.ms-table.ms-analysis-table th,table.ms-table.ms-analysis-table th.num"
    "{vertical-align:bottom;white-space:normal;min-width:5.5em}"
    "</style>")


def write_analysis_page(path: str | Path, title: str,
                        sections: Sequence[tuple[str, str, list[go.Figure], str]]) -> Path:
    """Write an offline HTML page of analysis results.

    Parameters
    ----------
    path : path-like
        The HTML file (written atomically).
    title : str
        Page title (plain text).
    sections : sequence of (heading, lead, figures, html)
        Per section: a plain-text heading, a plain-text lead paragraph, figures, and extra
        HTML (e.g. from :func:`frame_table`) shown below them.

    Raises
    ------
    mobility_sim.exceptions.OutputError
        If the file cannot be written.
    """
    page = Page(title=title, slug="analysis")
    page.header = f"<h1>{esc(title)}</h1>" + _ANALYSIS_STYLE
    for i, (heading, lead, figures, extra) in enumerate(sections):
        panels = [page.figure(fig, wide=True, name=f"analysis-{i + 1}-{k + 1}")
                  for k, fig in enumerate(figures)]
        page.add_section(f"section-{i + 1}", heading, grid(*panels) + extra, lead=esc(lead))
    return page.write(path)
