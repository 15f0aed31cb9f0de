"""Figures that put several runs side by side: scenarios of one city, or one package in many cities.

Each function takes a list of ``(label, table)`` pairs (labels are plain text, escaped here) so
it stays a thin function of tidy tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .emissions_figures import tonnes_scale
from .kpi import Target
from .map_figures import Raster
from .theme import (
    DIVERGING_SCALE,
    OKABE_ITO,
    SEQUENTIAL_SCALE,
    UNITS,
    house,
    mode_colour,
    mode_label,
    plain,
    series_style,
)
from .travel_figures import GROUPS, mode_shares

Labelled = Sequence[tuple[str, pd.DataFrame]]


def trajectories_figure(summaries: Labelled, column: str = "co2_wtw_t", *,
                        target: tuple[Target, list[int], list[float]] | None = None,
                        title: str = "CO₂e well-to-wheel by scenario") -> go.Figure:
    """One line per run of a ``summary`` column over the years.

    Parameters
    ----------
    summaries : sequence of (label, summary table)
        The runs.
    column : str
        ``co2_wtw_t``, ``co2_ttw_t`` (tonnes) or ``co2_wtw_per_capita_kg`` (kg per resident).
    target : (Target, years, levels), optional
        A shared target and its path (:meth:`Target.path`), drawn dashed.
    """
    per_capita = column.endswith("_kg")
    if per_capita:
        div, unit = 1.0, UNITS["co2_pc_kg"]
    else:
        div, unit = tonnes_scale(pd.concat([s[column] for _, s in summaries]))
    fig = go.Figure()
    for i, (label, s) in enumerate(summaries):
        s = s.sort_values("year")
        style = series_style(i)
        fig.add_scatter(x=s["year"], y=s[column] / div, name=plain(label), mode="lines+markers",
                        line={"color": style["color"], "dash": style["dash"], "width": 2.5},
                        marker={"size": 5},
                        hovertemplate="%{x}: %{y:,.1f}<extra>" + plain(label) + "</extra>")
    if target is not None:
        tgt, xs, ys = target
        fig.add_scatter(x=xs, y=[v / div for v in ys],
                        name=f"Target −{100 * tgt.reduction:.0f} % by {tgt.year}",
                        mode="lines+markers", marker={"size": [0, 11], "symbol": "star"},
                        line={"color": OKABE_ITO["grey"], "dash": "dash", "width": 2},
                        hovertemplate="%{x}: %{y:,.1f}<extra>target path</extra>")
    fig.update_xaxes(title_text=UNITS["year"])
    fig.update_yaxes(title_text=unit, rangemode="tozero")
    return house(fig, title)


def final_mode_split_figure(modes: Labelled, year_of: Sequence[int], by: str = "trips", *,
                            title: str | None = None, row_title: str = "Run") -> go.Figure:
    """Horizontal stacked bars: each run's mode-group split in its year ``year_of[i]``.

    ``row_title`` names the bars' axis ("Run", or "City" on multi-city pages).
    """
    labels = [plain(label) for label, _ in modes]
    fig = go.Figure()
    shares = [mode_shares(m[m["year"] == y], by, level="mode_group").set_index("mode_group")
              ["share"] for (_, m), y in zip(modes, year_of, strict=True)]
    for group in GROUPS:
        fig.add_bar(y=labels, x=[100 * float(s.get(group, 0.0)) for s in shares],
                    name=mode_label(group), orientation="h",
                    marker={"color": mode_colour(group)},
                    hovertemplate="%{y}: %{x:.1f} %<extra>" + mode_label(group) + "</extra>")
    fig.update_layout(barmode="stack", height=max(260, 120 + 42 * len(labels)))
    fig.update_xaxes(title_text=f"Share of {'trips' if by == 'trips' else 'passenger-km'} (%)",
                     range=[0, 100])
    fig.update_yaxes(title_text="", autorange="reversed", automargin=True)
    years = sorted(set(year_of))
    when = str(years[0]) if len(years) == 1 else "final year"
    fig = house(fig, title or f"Mode split of {by if by == 'trips' else 'passenger-km'}, {when}")
    fig.update_yaxes(title_text=row_title)
    return fig


def per_capita_bars(rows: pd.DataFrame, *, title: str = "CO₂e per resident, base and final year"
                    ) -> go.Figure:
    """Draw grouped bars per city: kg CO2e per resident in the base and the final year.

    Parameters
    ----------
    rows : pandas.DataFrame
        ``label, base_year, final_year, co2_wtw_pc_base_kg, co2_wtw_pc_final_kg``.
    """
    labels = [plain(v) for v in rows["label"]]
    fig = go.Figure()
    fig.add_bar(x=labels, y=rows["co2_wtw_pc_base_kg"], name="Base year",
                marker={"color": OKABE_ITO["grey"]},
                customdata=rows["base_year"],
                hovertemplate="%{x}, %{customdata}: %{y:,.0f} kg<extra></extra>")
    fig.add_bar(x=labels, y=rows["co2_wtw_pc_final_kg"], name="Final year",
                marker={"color": OKABE_ITO["blue"]},
                customdata=rows["final_year"],
                hovertemplate="%{x}, %{customdata}: %{y:,.0f} kg<extra></extra>")
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text="City")
    fig.update_yaxes(title_text=UNITS["co2_pc_kg"], rangemode="tozero")
    return house(fig, title)


def change_bars(rows: pd.DataFrame, *, title: str = "Change in CO₂e, base to final year"
                ) -> go.Figure:
    """Bars per run of ``co2_wtw_change_pct``, sorted from largest cut to smallest."""
    data = rows.dropna(subset=["co2_wtw_change_pct"]).sort_values("co2_wtw_change_pct")
    fig = go.Figure(go.Bar(
        x=[plain(v) for v in data["label"]], y=data["co2_wtw_change_pct"],
        marker={"color": [OKABE_ITO["bluish_green"] if v < 0 else OKABE_ITO["vermillion"]
                          for v in data["co2_wtw_change_pct"]]},
        hovertemplate="%{x}: %{y:+.1f} %<extra></extra>"))
    fig.update_xaxes(title_text="City")
    fig.update_yaxes(title_text="Change in CO₂e (%)", zeroline=True,
                     zerolinecolor="#6B7280")
    return house(fig, title)


def small_multiples_trajectories(summaries: Labelled, targets: Sequence[Target | None],
                                 *, title: str = "CO₂e per resident by city") -> go.Figure:
    """One panel per city: kg CO2e per resident per year, with the city's target path.

    All panels share the y axis so cities compare at a glance.
    """
    n = len(summaries)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    height = 300 * rows + 130
    fig = make_subplots(rows=rows, cols=cols, shared_yaxes=True, shared_xaxes=False,
                        subplot_titles=[plain(label) for label, _ in summaries],
                        horizontal_spacing=0.06,
                        vertical_spacing=row_spacing(rows, height, gap_px=80))
    for i, ((_, s), target) in enumerate(zip(summaries, targets, strict=True)):
        r, c = i // cols + 1, i % cols + 1
        s = s.sort_values("year")
        fig.add_scatter(x=s["year"], y=s["co2_wtw_per_capita_kg"], mode="lines+markers",
                        name="Well-to-wheel", showlegend=i == 0,
                        line={"color": OKABE_ITO["blue"], "width": 2.5}, marker={"size": 4},
                        hovertemplate="%{x}: %{y:,.0f} kg<extra></extra>", row=r, col=c)
        path = (target.path(s, "co2_wtw_per_capita_kg")
                if target is not None and target.metric == "co2_wtw_t" else None)
        if path is not None:
            fig.add_scatter(x=path[0], y=path[1],
                            mode="lines+markers", name="City's target path",
                            showlegend=i == 0, marker={"size": [0, 9], "symbol": "star"},
                            line={"color": OKABE_ITO["vermillion"], "dash": "dash"},
                            hovertemplate="%{x}: %{y:,.0f} kg<extra>target</extra>",
                            row=r, col=c)
        fig.update_xaxes(title_text=UNITS["year"], row=r, col=c)
        if c == 1:
            fig.update_yaxes(title_text=UNITS["co2_pc_kg"], rangemode="tozero",
                             row=r, col=c)
    house(fig, title, height=height)
    # Legend between the title and the panel titles, in pixels from the top.
    fig.update_layout(margin={"t": 115},
                      legend={"yref": "container", "y": 1 - 40 / height, "yanchor": "top"})
    return fig


def small_multiple_maps(rasters: Sequence[tuple[str, Raster]], *,
                        title: str = "CO₂e per resident by home cell, final year",
                        colorbar_title: str = "kg CO₂e per\nresident per year",
                        diverging: bool = False) -> go.Figure:
    """One map panel per run on one shared colour scale (equal aspect, no web tiles)."""
    n = len(rasters)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    height = 330 * rows + 110
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[plain(lbl) for lbl, _ in rasters],
                        horizontal_spacing=0.07,
                        vertical_spacing=row_spacing(rows, height, gap_px=75))
    finite = np.concatenate([r.z[np.isfinite(r.z)].ravel() for _, r in rasters] or [np.zeros(0)])
    values = np.abs(finite) if diverging else finite
    hi = float(np.percentile(values, 99.0)) if finite.size else 1.0
    capped = bool(finite.size) and hi < float(values.max())
    lo = -hi if diverging else (float(finite.min()) if finite.size else 0.0)
    hi = hi if hi > lo else lo + 1.0
    for i, (_, raster) in enumerate(rasters):
        r, c = i // cols + 1, i % cols + 1
        fig.add_heatmap(z=raster.z, x0=raster.centre0_km, dx=raster.cell_km,
                        y0=raster.centre0_km, dy=raster.cell_km, coloraxis="coloraxis",
                        zsmooth=False, hoverongaps=False,
                        hovertemplate="%{x:.2f} km E, %{y:.2f} km N<br>%{z:,.0f}<extra></extra>",
                        row=r, col=c)
        k = "" if i == 0 else str(i + 1)
        fig.update_xaxes(title_text=UNITS["x_km"], showgrid=False, constrain="domain", row=r,
                         col=c)
        fig.update_yaxes(title_text=UNITS["y_km"], showgrid=False, scaleanchor=f"x{k}",
                         scaleratio=1,
                         constrain="domain", row=r, col=c)
    bar = "<br>".join(plain(p) for p in colorbar_title.split("\n"))
    fig.update_layout(coloraxis={
        "colorscale": DIVERGING_SCALE if diverging else SEQUENTIAL_SCALE,
        "cmin": lo, "cmax": hi,
        "colorbar": {"title": {"text": bar + ("<br>(capped at 99th pct)" if capped else "")},
                     "thickness": 14}})
    house(fig, title, height=height)
    return fig


def row_spacing(rows: int, height_px: float, gap_px: float) -> float:
    """Vertical spacing of subplot rows (a fraction of the figure) giving ``gap_px`` pixels.

    A fixed fraction grows with the figure and, past a few rows, exceeds what Plotly allows
    (``1 / (rows - 1)``); a gap in pixels keeps panel titles clear of the axis above at any
    number of cities.
    """
    if rows < 2:
        return 0.1
    return min(gap_px / height_px, 0.9 / (rows - 1))


def measure_ranking_figure(effects: pd.DataFrame, *,
                           title: str = "Ranking of measures by effect, per city") -> go.Figure:
    """Heatmap of measures x cities: CO2e avoided per resident, with each measure's rank.

    Parameters
    ----------
    effects : pandas.DataFrame
        ``city, measure, reduction_kg_per_resident`` (final-year CO2e avoided per resident).
    """
    wide = effects.pivot_table(index="measure", columns="city",
                               values="reduction_kg_per_resident", aggfunc="sum")
    wide = wide[list(dict.fromkeys(effects["city"]))]  # cities in the order given
    wide = wide.loc[wide.mean(axis=1).sort_values(ascending=False).index]
    ranks = wide.rank(axis=0, ascending=False, method="min")
    text = [[("" if not np.isfinite(v) else f"#{int(v)}") for v in row] for row in ranks.values]
    fig = go.Figure(go.Heatmap(
        z=wide.to_numpy(dtype=float), x=[plain(c) for c in wide.columns],
        y=[plain(m) for m in wide.index], text=text, texttemplate="%{text}",
        colorscale=SEQUENTIAL_SCALE, reversescale=False, hoverongaps=False,
        colorbar={"title": {"text": "kg CO₂e avoided<br>per resident<br>per year"},
                  "thickness": 14},
        hovertemplate="%{y} in %{x}: %{z:,.1f} kg per resident (%{text})<extra></extra>"))
    fig.update_xaxes(title_text="City", showgrid=False)
    fig.update_yaxes(title_text="Measure", showgrid=False, autorange="reversed")
    return house(fig, title, height=max(320, 140 + 40 * len(wide)))
