"""The council section of a run's dashboard: target, wedges, cost per tonne, uncertainty band.

Reads the tables :func:`mobility_sim.analysis.council.read_council` returns (written by
``mobility-sim run --council``) beside the run's own summary and reference case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..economics.appraisal import macc_table
from .page import Page, esc, grid, table
from .theme import OKABE_ITO, house, plain, series_style

#: Words for the CO2 outputs.
OUTPUT_LABELS: dict[str, str] = {
    "co2_wtw_t": "residents' trips and PT, well-to-wheel CO₂e",
    "co2_ttw_t": "residents' trips and PT, tank-to-wheel CO₂e",
    "territorial_co2_wtw_t": "all traffic on the city's roads (territorial), well-to-wheel CO₂e",
    "territorial_co2_ttw_t": "all traffic on the city's roads (territorial), tank-to-wheel CO₂e",
}


def target_met_year(summary: pd.DataFrame, target: Mapping[str, Any] | None) -> int | None:
    """Return the first year the run is at or below the target's level (None: never)."""
    if not target or target.get("target_emissions_t") is None:
        return None
    column = f"{target['metric']}_t"
    if column not in summary.columns:
        return None
    met = summary[summary[column] <= float(target["target_emissions_t"])]
    return int(met["year"].min()) if len(met) else None


def trajectory_figure(summary: pd.DataFrame, reference: pd.DataFrame, band: pd.DataFrame,
                      metric: str, target: Mapping[str, Any] | None) -> go.Figure:
    """Change against the first year: reference case, scenario, Monte Carlo band, target."""
    s = summary.sort_values("year")
    r = reference.sort_values("year") if not reference.empty else s
    first = float(s[metric].iloc[0])
    fig = go.Figure()
    q = band.pivot(index="year", columns="quantile", values="change_vs_first")
    years = q.index.to_numpy()
    for lo, hi, name, alpha in ((0.05, 0.95, "90 % of runs", 0.18), (0.25, 0.75, "50 % of runs",
                                                                       0.32)):
        if lo in q.columns and hi in q.columns:
            fig.add_trace(go.Scatter(
                x=np.concatenate([years, years[::-1]]),
                y=100 * np.concatenate([q[hi].to_numpy(), q[lo].to_numpy()[::-1]]),
                fill="toself", line={"width": 0}, name=name, hoverinfo="skip",
                fillcolor=f"rgba(0,114,178,{alpha})"))
    fig.add_trace(go.Scatter(x=r["year"], y=100 * (r[metric] / float(r[metric].iloc[0]) - 1),
                             name="Reference case (no city measures)",
                             line={"color": OKABE_ITO["grey"], "dash": "dash", "width": 3}))
    fig.add_trace(go.Scatter(x=s["year"], y=100 * (s[metric] / first - 1), name="Scenario",
                             line={"color": OKABE_ITO["blue"], "width": 3}))
    if target and target.get("target_emissions_t") is not None:
        level = 100 * (float(target["target_emissions_t"]) / first - 1)
        fig.add_trace(go.Scatter(x=[s["year"].min(), s["year"].max()], y=[level, level],
                                 name=f"Target: {target.get('name')}",
                                 line={"color": OKABE_ITO["vermillion"], "dash": "dot"}))
        met = target_met_year(summary, target)
        if met is not None:
            fig.add_trace(go.Scatter(x=[met], y=[100 * (float(s.loc[s['year'] == met,
                                                                  metric].iloc[0]) / first - 1)],
                                     mode="markers+text", text=[f"met in {met}"],
                                     textposition="top right", name="Target met",
                                     marker={"size": 12, "color": OKABE_ITO["vermillion"]}))
    house(fig, f"Change of {OUTPUT_LABELS.get(metric, plain(metric))} against "
               f"{int(s['year'].iloc[0])}", height=480)
    fig.update_yaxes(title_text=f"% against {int(s['year'].iloc[0])}", ticksuffix=" %")
    fig.update_xaxes(title_text="Year")
    return fig


def wedge_bars_figure(contributions: pd.DataFrame, totals: pd.DataFrame,
                      output: str) -> go.Figure:
    """Each measure's cut against the reference case per year (bars), and the package's."""
    part = contributions[contributions["output"] == output]
    tot = totals[totals["output"] == output].sort_values("year")
    order = (part.groupby("measure")["contribution"].sum().sort_values().index.tolist())
    fig = go.Figure()
    for i, name in enumerate(order):
        one = part[part["measure"] == name].sort_values("year")
        fig.add_trace(go.Bar(x=one["year"], y=-one["contribution"] / 1000.0, name=plain(name),
                             marker_color=series_style(i)["color"]))
    fig.add_trace(go.Scatter(x=tot["year"], y=-tot["effect"] / 1000.0, mode="lines",
                             name="Package (sum of the measures)",
                             line={"color": OKABE_ITO["black"], "width": 3}))
    fig.update_layout(barmode="relative", legend={"traceorder": "normal"})
    house(fig, f"Cut by measure against the reference case: {OUTPUT_LABELS.get(output, output)}",
          height=max(480, 22 * len(order) + 200))
    fig.update_yaxes(title_text="kt CO₂e a year less than the reference case")
    fig.update_xaxes(title_text="Year")
    return fig


def macc_figure(macc: pd.DataFrame, price_year: int) -> go.Figure:
    """Marginal abatement cost curve: bars as wide as each measure's abatement."""
    fig = go.Figure()
    for i, row in macc.reset_index(drop=True).iterrows():
        width = float(row["abated_t"]) / 1000.0
        fig.add_trace(go.Bar(
            x=[float(row["start_t"]) / 1000.0 + width / 2], y=[float(row["eur_per_t"])],
            width=[width], name=plain(row["measure"]),
            marker_color=series_style(int(i))["color"],
            hovertemplate=(f"{esc(plain(row['measure']))}<br>%{{y:,.0f}} EUR per tonne<br>"
                           f"{width:,.1f} kt abated<extra></extra>")))
    house(fig, f"Marginal abatement cost curve (EUR {price_year} per tonne CO₂e)",
          height=max(480, 22 * len(macc) + 200))
    fig.update_xaxes(title_text="Cumulative CO₂e abated over the horizon, kt")
    fig.update_yaxes(title_text=f"EUR {price_year} per tonne (negative: saves money)")
    return fig


def _money(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value / 1e6:,.1f}"


def _per_t(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value:,.0f}"


def appraisal_table(measures: pd.DataFrame) -> str:
    """Per measure: cost, abatement, EUR per tonne, co-benefits, how the cost was set.

    Net present cost and co-benefits over the horizon (discounted); "a year": the annualised
    cost; abated: all years, undiscounted; "EUR per t net": net of co-benefits.
    """
    rows = []
    for _, r in measures.iterrows():
        cut = float(r.get("abated_discounted_t", np.nan))
        per_t = _per_t(r["eur_per_t"]) if np.isfinite(cut) and cut > 0 else "no cut"
        if not bool(r.get("costed", True)):
            per_t = "not costed"
        basis = r.get("cost_basis", r.get("note"))
        note = basis if isinstance(basis, str) and basis else "published unit costs (docs/costs.md)"
        rows.append([plain(r["measure"]), _money(r["npc_eur"]), _money(r["annualised_eur"]),
                     f"{float(r['abated_t']) / 1000:,.1f}" if np.isfinite(r["abated_t"])
                     else "–", per_t, _money(r["cobenefits_eur"]), _per_t(r["net_eur_per_t"]),
                     note])
    return '<div class="ms-scroll">' + table(
        ["Measure", "Net present cost, M EUR", "A year, M EUR", "Abated, kt CO₂e",
         "EUR per t", "Co-benefits, M EUR", "EUR per t net", "How the cost was set"],
        rows, numeric={1, 2, 3, 4, 5, 6}) + "</div>"


def council_section(page: Page, summary: pd.DataFrame, reference: pd.DataFrame,
                    council: Mapping[str, Any], target: Mapping[str, Any] | None) -> str:
    """Return the body of the council section (registers its figures on ``page``)."""
    info = council["info"]
    metric = info["metric"]
    measures = council["measures"]
    package = info.get("package", {})
    met = target_met_year(summary, target)
    final = int(summary["year"].max())
    first = int(summary["year"].min())
    chance = info.get("chance_met")
    lines = []
    if target:
        lines.append(f"<b>Target</b> ({esc(target.get('name'))}, {esc(target.get('year'))}): "
                     + (f"met in <b>{met}</b>." if met is not None else
                        f"<b>not met</b> by {final}."))
    if chance is not None:
        lines.append(f"<b>How sure:</b> the target is met in {info.get('target_year')} in "
                     f"<b>{chance:.0%}</b> of {info['samples']} Monte Carlo runs, each against "
                     "its own base year and reference case (sampled: "
                     f"{esc(', '.join(info.get('parameters', [])))}; docs/costs.md).")
    if package:
        lines.append(f"<b>Cost:</b> the package's net present cost to the public budget is "
                     f"EUR {package.get('npc_eur', 0) / 1e6:,.0f} million (EUR "
                     f"{info.get('price_year')}, discounted at "
                     f"{100 * float(info.get('discount_rate', 0)):.1f} % to {first}); it abates "
                     f"{package.get('abated_t', 0) / 1000:,.0f} kt CO₂e from {first} to "
                     f"{final}: EUR {package.get('eur_per_t', float('nan')):,.0f} per tonne.")
    lead = "".join(f"<p>{x}</p>" for x in lines)
    panels = [page.figure(trajectory_figure(summary, reference, council["band"], metric,
                                            target), wide=True, name="council-trajectory",
                          note="Each Monte Carlo run is measured against its own first year "
                               "(so the band is of the reduction, not of absolute tonnes). "
                               "The reference case: EU and national policy already decided, "
                               "no city measure.")]
    output = info.get("abated_output") or metric
    panels.append(page.figure(wedge_bars_figure(council["contributions"], council["totals"],
                                                output), wide=True, name="council-wedges",
                              note=f"Shapley attribution ({info.get('method')}, "
                                   f"{info.get('attribution_runs')} runs): the bars of a year add "
                                   "up to the package's cut against the reference case."))
    macc = macc_table(measures)
    if len(macc):
        panels.append(page.figure(macc_figure(macc, int(info.get("price_year", 2023))),
                                  wide=True, name="council-macc",
                                  note="Measures cheapest per tonne first; a bar's width is the "
                                       "CO₂e it abates over the horizon. Measures without a "
                                       "cost or without a cut are in the table only."))
    return lead + grid(*panels) + appraisal_table(measures)
