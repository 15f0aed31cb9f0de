"""Emission figures: trajectory against target and baseline, emissions by mode, wedges.

Every function takes tidy tables (see :mod:`mobility_sim.results`) and returns a Plotly figure
in the house style; none recomputes the model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .kpi import Target
from .theme import OKABE_ITO, UNITS, house, mode_colour, mode_label, plain, series_style, sort_modes

#: Columns :func:`wedge_figure` expects (one row per year and measure).
WEDGE_COLUMNS: tuple[str, ...] = ("year", "measure", "co2_wtw_reduction_t")


def tonnes_scale(values: pd.Series | np.ndarray) -> tuple[float, str]:
    """Return (divisor, axis title) so tonnes show as t or kt depending on their size."""
    peak = float(np.nanmax(np.abs(np.asarray(values, dtype=float)))) if len(values) else 0.0
    if peak >= 10_000:
        return 1000.0, UNITS["co2_kt"]
    return 1.0, UNITS["co2_t"]


def emissions_trajectory(
    summary: pd.DataFrame,
    *,
    target: Target | None = None,
    baseline: pd.DataFrame | None = None,
    baseline_label: str = "Baseline",
    title: str = "CO₂e emissions of residents' trips",
) -> go.Figure:
    """Yearly tank-to-wheel and well-to-wheel CO2e, with the target path and a baseline.

    Parameters
    ----------
    summary : pandas.DataFrame
        The ``summary`` table (``year``, ``co2_ttw_t``, ``co2_wtw_t``).
    target : Target, optional
        Drawn as a dashed path from the target's base-year level to the target level, when the
        base year is in ``summary``; otherwise as a note. A territorial target also draws the
        territorial series it is measured on.
    baseline : pandas.DataFrame, optional
        The ``summary`` table of a baseline run; its well-to-wheel line is drawn in grey.
    baseline_label : str
        Legend name of the baseline.
    title : str
        Figure title.
    """
    s = summary.sort_values("year")
    cols = [s["co2_wtw_t"], s["co2_ttw_t"]]
    if target is not None and target.metric in s:
        cols.append(s[target.metric])
    if baseline is not None:
        cols.append(baseline["co2_wtw_t"])
    div, unit = tonnes_scale(pd.concat(cols))
    fig = go.Figure()
    fig.add_scatter(x=s["year"], y=s["co2_wtw_t"] / div, name="Well-to-wheel",
                    mode="lines+markers", line={"color": OKABE_ITO["blue"], "width": 3},
                    marker={"size": 5},
                    hovertemplate="%{x}: %{y:,.1f}<extra>well-to-wheel</extra>")
    fig.add_scatter(x=s["year"], y=s["co2_ttw_t"] / div, name="Tank-to-wheel",
                    mode="lines+markers",
                    line={"color": OKABE_ITO["sky_blue"], "width": 2, "dash": "dash"},
                    marker={"size": 4, "symbol": "square"},
                    hovertemplate="%{x}: %{y:,.1f}<extra>tank-to-wheel</extra>")
    territorial = target is not None and target.metric.startswith("territorial_")
    if territorial and target is not None and target.metric in s:
        column = target.metric
        fig.add_scatter(x=s["year"], y=s[column] / div,
                        name=plain(f"Territorial ({target.metric_label.split(', ')[-1]})"),
                        mode="lines+markers", line={"color": OKABE_ITO["orange"], "width": 3},
                        marker={"size": 5}, hovertemplate="%{x}: %{y:,.1f}<extra>territorial"
                        "</extra>")
    if baseline is not None:
        b = baseline.sort_values("year")
        fig.add_scatter(x=b["year"], y=b["co2_wtw_t"] / div,
                        name=plain(f"{baseline_label} (well-to-wheel)"), mode="lines",
                        line={"color": OKABE_ITO["grey"], "width": 2, "dash": "dot"},
                        hovertemplate="%{x}: %{y:,.1f}<extra>baseline</extra>")
    if target is not None:
        path = target.path(s)
        if path is not None:
            xs, ys = path
            name = f"Target −{100 * target.reduction:.0f} % by {target.year}"
            if target.base_year < xs[0]:
                name += f" vs {target.base_year} ({target.base_method})"
            fig.add_scatter(x=xs, y=[v / div for v in ys],
                            name=name, mode="lines+markers",
                            line={"color": OKABE_ITO["vermillion"], "width": 2, "dash": "dash"},
                            marker={"size": [0, 11], "symbol": "star"},
                            hovertemplate="%{x}: %{y:,.1f}<extra>target path ("
                            + plain(f"{target.metric_label}, vs {target.base_year}") + ")</extra>")
        else:
            fig.add_annotation(
                text=plain(f"Target −{100 * target.reduction:.0f} % by {target.year} vs "
                           f"{target.base_year}: base year not in this run, not drawn"),
                xref="paper", yref="paper", x=0, y=-0.22, showarrow=False, align="left",
                font={"size": 11, "color": "#4B5563"})
    fig.update_xaxes(title_text=UNITS["year"], dtick=5 if len(s) > 12 else 1)
    fig.update_yaxes(title_text=unit, rangemode="tozero")
    return house(fig, title)


def emissions_by_mode(modes: pd.DataFrame, *, title: str = "CO₂e by mode (well-to-wheel)"
                      ) -> go.Figure:
    """Stacked area of yearly well-to-wheel CO2e per mode, from the ``modes`` table."""
    data = modes.groupby(["year", "mode"], as_index=False)["co2_wtw_t"].sum()
    div, unit = tonnes_scale(data.groupby("year")["co2_wtw_t"].sum())
    fig = go.Figure()
    for mode in sort_modes(list(data["mode"].unique())):
        rows = data[data["mode"] == mode].sort_values("year")
        if not (rows["co2_wtw_t"] > 0).any():
            continue  # walking and cycling emit nothing: no empty band in the legend
        fig.add_scatter(x=rows["year"], y=rows["co2_wtw_t"] / div, name=mode_label(mode),
                        mode="lines", stackgroup="co2", line={"width": 0.5,
                                                              "color": mode_colour(mode)},
                        fillcolor=mode_colour(mode),
                        hovertemplate="%{x}: %{y:,.1f}<extra>" + plain(mode_label(mode))
                        + "</extra>")
    fig.update_xaxes(title_text=UNITS["year"])
    fig.update_yaxes(title_text=unit, rangemode="tozero")
    fig.update_layout(hovermode="x unified")
    return house(fig, title)


def wedges_from_contributions(contributions: pd.DataFrame, output: str = "co2_wtw_t"
                               ) -> pd.DataFrame:
    """Turn Shapley contributions into the wedge table :func:`wedge_figure` draws.

    Parameters
    ----------
    contributions : pandas.DataFrame
        ``Attribution.contributions`` of :mod:`mobility_sim.analysis.attribution`: ``year,
        output, measure, contribution`` (a measure's share of package minus no-measure result).
    output : str
        The output to use (``co2_wtw_t``).

    Returns
    -------
    pandas.DataFrame
        :data:`WEDGE_COLUMNS`; the reduction is the negated contribution, so a measure that
        cuts emissions has a positive wedge.
    """
    rows = contributions[contributions["output"] == output]
    return pd.DataFrame({"year": rows["year"].astype(int).to_numpy(),
                         "measure": rows["measure"].astype(str).to_numpy(),
                         "co2_wtw_reduction_t": -rows["contribution"].astype(float).to_numpy()})


def wedge_figure(wedges: pd.DataFrame, *, title: str = "Emission reduction by measure"
                 ) -> go.Figure:
    """Stacked wedges: yearly CO2e reduction attributed to each measure.

    Parameters
    ----------
    wedges : pandas.DataFrame
        Columns :data:`WEDGE_COLUMNS`: ``year``, ``measure`` (label), ``co2_wtw_reduction_t``
        (tonnes CO2e per year avoided versus the baseline; the attribution method must make the
        wedges add up to the total reduction).
    """
    missing = [c for c in WEDGE_COLUMNS if c not in wedges.columns]
    if missing:
        raise ValueError(f"wedge table lacks columns {missing}; expected {list(WEDGE_COLUMNS)}")
    div, unit = tonnes_scale(wedges.groupby("year")["co2_wtw_reduction_t"].sum())
    fig = go.Figure()
    order = (wedges.groupby("measure")["co2_wtw_reduction_t"].sum()
             .sort_values(ascending=False).index)
    for i, measure in enumerate(order):
        rows = wedges[wedges["measure"] == measure].sort_values("year")
        colour = series_style(i)["color"]
        fig.add_scatter(x=rows["year"], y=rows["co2_wtw_reduction_t"] / div,
                        name=plain(measure), mode="lines", stackgroup="wedge",
                        line={"width": 0.5, "color": colour}, fillcolor=colour,
                        hovertemplate="%{x}: %{y:,.1f}<extra>" + plain(measure) + "</extra>")
    fig.update_xaxes(title_text=UNITS["year"])
    fig.update_yaxes(title_text=unit.replace("CO₂e", "CO₂e avoided"), rangemode="tozero")
    fig.update_layout(hovermode="x unified")
    return house(fig, title)


#: Colours of the accounts' components (territorial and residents').
_COMPONENT_COLOURS = ("#4c78a8", "#9ecae9", "#bab0ac", "#54a24b", "#f58518", "#e45756",
                      "#72b7b2", "#b279a2")


def accounts_figure(accounts: pd.DataFrame, accounting: str = "territorial", *,
                    title: str | None = None) -> go.Figure:
    """Stacked area of yearly well-to-wheel CO2e by component of one accounting.

    ``accounts`` is the ``accounts`` table; ``accounting`` is ``territorial`` (all traffic
    inside the grid) or ``residents`` (all trips of the residents, wherever they go).
    """
    data = accounts[accounts["accounting"] == accounting]
    div, unit = tonnes_scale(data.groupby("year")["co2_wtw_t"].sum())
    fig = go.Figure()
    for k, component in enumerate(dict.fromkeys(data["component"])):
        rows = data[data["component"] == component].sort_values("year")
        if not (rows["co2_wtw_t"] > 0).any():
            continue
        colour = _COMPONENT_COLOURS[k % len(_COMPONENT_COLOURS)]
        fig.add_scatter(x=rows["year"], y=rows["co2_wtw_t"] / div, name=component,
                        mode="lines", stackgroup="co2", line={"width": 0.5, "color": colour},
                        fillcolor=colour,
                        hovertemplate="%{x}: %{y:,.1f}<extra>" + plain(component) + "</extra>")
    fig.update_xaxes(title_text=UNITS["year"])
    fig.update_yaxes(title_text=unit, rangemode="tozero")
    fig.update_layout(hovermode="x unified")
    default = ("CO₂e on the city's territory (well-to-wheel)" if accounting == "territorial"
               else "CO₂e of the residents' trips, wherever they go (well-to-wheel)")
    return house(fig, title or default)
