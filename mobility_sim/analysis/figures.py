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

import pandas as pd
import plotly.graph_objects as go

from ..exceptions import AnalysisError
from ..report.page import Page, esc, grid, table
from ..report.theme import OKABE_ITO, UNITS, house, plain

#: Axis titles of outputs that have a house unit label.
OUTPUT_TITLES: dict[str, str] = {"co2_wtw_t": UNITS["co2_t"] + ", well-to-wheel",
                                 "co2_ttw_t": UNITS["co2_t"] + ", tank-to-wheel"}

_CUT, _RISE, _TOTAL = OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"], OKABE_ITO["blue"]


def _check(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisError(f"{name} table lacks column(s) {', '.join(missing)}")


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
    labels = [*part["measure"].map(plain), "Package"]
    values = [*part["contribution"].astype(float), effect]
    pct = [v / base if base else float("nan") for v in values]
    fig = go.Figure(go.Waterfall(
        x=labels, y=values, measure=["relative"] * len(part) + ["total"],
        decreasing={"marker": {"color": _CUT}}, increasing={"marker": {"color": _RISE}},
        totals={"marker": {"color": _TOTAL}}, connector={"line": {"color": "#9CA3AF"}},
        text=[f"{v:+,.0f} ({p:+.1%})" for v, p in zip(values, pct, strict=True)],
        textposition="outside", hovertemplate="%{x}: %{y:+,.0f}<extra></extra>"))
    house(fig, title or f"What each measure changes: {output} in {year} "
                        f"(without measures: {base:,.0f})")
    fig.update_yaxes(title=f"Change in {OUTPUT_TITLES.get(output, output)}",
                     zeroline=True, zerolinecolor="#6B7280")
    fig.update_xaxes(title="")
    return fig


def fan_chart_figure(fan: pd.DataFrame, reference: pd.DataFrame | None = None,
                     output: str | None = None, title: str | None = None) -> go.Figure:
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
    house(fig, title or f"Uncertainty of {output}")
    fig.update_yaxes(title=OUTPUT_TITLES.get(output, output), rangemode="tozero")
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
    """Return an HTML table of a small DataFrame (numbers rounded, right-aligned)."""
    numeric = {i for i, c in enumerate(frame.columns)
               if pd.api.types.is_numeric_dtype(frame[c])}

    def fmt(v: object) -> object:
        if isinstance(v, float):
            return "" if pd.isna(v) else (f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.{digits}g}")
        return v

    rows = [[fmt(v) for v in row] for row in frame.itertuples(index=False)]
    return table([str(c) for c in frame.columns], rows, numeric)


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
    page.header = f"<h1>{esc(title)}</h1>"
    for i, (heading, lead, figures, extra) in enumerate(sections):
        panels = [page.figure(fig, wide=True, name=f"analysis-{i + 1}-{k + 1}")
                  for k, fig in enumerate(figures)]
        page.add_section(f"section-{i + 1}", heading, grid(*panels) + extra, lead=esc(lead))
    return page.write(path)
