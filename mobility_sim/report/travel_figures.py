"""Travel-behaviour figures: mode share over time and the model against published surveys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from .theme import OKABE_ITO, UNITS, house, mode_colour, mode_label, plain, sort_modes

_UNIT_WORDS = {"trips": "trips", "pkm": "passenger-km"}
#: Survey mode groups, in display order.
GROUPS: tuple[str, ...] = ("walk", "bike", "pt", "car")


def mode_shares(modes: pd.DataFrame, by: str = "trips", level: str = "mode") -> pd.DataFrame:
    """Share (0-1) of each mode (or ``mode_group``) in each year's ``by`` total.

    Returns
    -------
    pandas.DataFrame
        ``year, <level>, share``.
    """
    grouped = modes.groupby(["year", level], as_index=False)[by].sum()
    total = grouped.groupby("year")[by].transform("sum")
    grouped["share"] = (grouped[by] / total.where(total > 0)).fillna(0.0)
    return grouped[["year", level, "share"]]


def mode_share_figure(modes: pd.DataFrame, by: str = "trips", *, title: str | None = None
                      ) -> go.Figure:
    """Stacked shares of each mode per year (trips or passenger-km), in per cent."""
    if by not in _UNIT_WORDS:
        raise ValueError(f"by must be 'trips' or 'pkm', not {by!r}")
    shares = mode_shares(modes, by)
    fig = go.Figure()
    for mode in sort_modes(list(shares["mode"].unique())):
        rows = shares[shares["mode"] == mode].sort_values("year")
        fig.add_scatter(x=rows["year"], y=100 * rows["share"], name=mode_label(mode),
                        mode="lines", stackgroup="share",
                        line={"width": 0.5, "color": mode_colour(mode)},
                        fillcolor=mode_colour(mode),
                        hovertemplate="%{x}: %{y:.1f} %<extra>" + plain(mode_label(mode))
                        + "</extra>")
    fig.update_xaxes(title_text=UNITS["year"])
    fig.update_yaxes(title_text=f"Share of {_UNIT_WORDS[by]} (%)", range=[0, 100])
    fig.update_layout(hovermode="x unified")
    return house(fig, title or f"Mode share of {_UNIT_WORDS[by]}")


def observed_split_figure(modes: pd.DataFrame, observed: Sequence[dict[str, Any]],
                          base_year: int, *, title: str | None = None) -> go.Figure | None:
    """Draw grouped bars: the model's base-year split next to each published survey split.

    Parameters
    ----------
    modes : pandas.DataFrame
        The ``modes`` table.
    observed : sequence of dict
        ``meta["observed_modal_split"]``: dicts with ``year``, ``unit`` (trips or pkm),
        ``shares`` (walk, bike, pt, car, other; None where not published), ``population``,
        ``purposes``, ``area``, ``source``.
    base_year : int
        Model year to compare with.

    Returns
    -------
    plotly.graph_objects.Figure or None
        None when no survey gives a usable share.
    """
    usable = [o for o in observed if isinstance(o, dict) and isinstance(o.get("shares"), dict)
              and any(o["shares"].get(g) is not None for g in GROUPS)
              and o.get("unit", "trips") in _UNIT_WORDS]
    if not usable:
        return None
    fig = go.Figure()
    units = sorted({o.get("unit", "trips") for o in usable})
    for unit in units:
        model = mode_shares(modes[modes["year"] == base_year], unit, level="mode_group")
        model = model.set_index("mode_group")["share"]
        fig.add_bar(x=[mode_label(g) for g in GROUPS],
                    y=[100 * float(model.get(g, 0.0)) for g in GROUPS],
                    name=f"Model {base_year} ({_UNIT_WORDS[unit]})",
                    marker={"color": OKABE_ITO["blue"] if unit == "trips" else
                            OKABE_ITO["sky_blue"]},
                    hovertemplate="%{x}: %{y:.1f} %<extra>model</extra>")
    patterns = ["/", "x", ".", "\\", "+", "-"]
    for i, obs in enumerate(usable):
        shares = obs["shares"]
        unit = obs.get("unit", "trips")
        defn = "; ".join(str(obs[k]) for k in ("population", "purposes", "area", "source")
                         if obs.get(k))
        name = f"Survey {obs.get('year', '?')} ({_UNIT_WORDS[unit]})"
        fig.add_bar(x=[mode_label(g) for g in GROUPS],
                    y=[None if shares.get(g) is None else 100 * float(shares[g])
                       for g in GROUPS],
                    name=plain(name),
                    marker={"color": "#FFFFFF", "line": {"color": OKABE_ITO["black"], "width": 1},
                            "pattern": {"shape": patterns[i % len(patterns)],
                                        "fgcolor": OKABE_ITO["vermillion"]}},
                    hovertemplate="%{x}: %{y:.1f} %<extra>" + plain(defn[:120]) + "</extra>")
    fig.update_xaxes(title_text="Mode group")
    fig.update_yaxes(title_text=UNITS["share_pct"], rangemode="tozero")
    fig.update_layout(barmode="group")
    return house(fig, title or f"Modal split: model {base_year} against published surveys")


def road_traffic_figure(summary: pd.DataFrame, reference: pd.DataFrame | None = None, *,
                        title: str | None = None) -> go.Figure:
    """Car speed (relative to the base year's) and road delay per year, with the reference.

    Raises
    ------
    ValueError
        If the summary has no ``car_speed_index`` (a run saved before speeds followed traffic).
    """
    if "car_speed_index" not in summary:
        raise ValueError("the summary has no car_speed_index column")
    fig = go.Figure()
    lines = (("car_speed_index", "Car speed (base year = 1)", OKABE_ITO["blue"]),
             ("road_delay_index", "Travel time over free flow", OKABE_ITO["vermillion"]))
    for case, table, dash in (("scenario", summary, "solid"), ("reference case", reference,
                                                                 "dot")):
        if table is None or table.empty or "car_speed_index" not in table:
            continue
        rows = table.sort_values("year")
        for column, name, colour in lines:
            if rows[column].isna().all():
                continue
            label = name if case == "scenario" else f"{name}, reference case"
            fig.add_scatter(x=rows["year"], y=rows[column], name=label, mode="lines",
                            line={"color": colour, "dash": dash},
                            hovertemplate="%{x}: %{y:.3f}<extra>" + plain(label) + "</extra>")
    fig.update_xaxes(title_text=UNITS["year"])
    fig.update_yaxes(title_text="Index (base year or free flow = 1)")
    fig.update_layout(hovermode="x unified")
    return house(fig, title or "Car speed and road delay")
