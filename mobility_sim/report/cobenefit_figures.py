"""Co-benefit and cost figures: pollutants, physical-activity health benefit, EUR per tonne.

These take tables that a run provides only when the model computes them; the dashboard shows a
"not available in this run" panel otherwise. Each function names the table shape it expects.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .theme import OKABE_ITO, UNITS, house, mode_colour, mode_label, plain, series_style

#: Columns of the pollutants table: tonnes per year of each pollutant.
POLLUTANT_COLUMNS: tuple[str, ...] = ("year", "pollutant", "tonnes")
#: Columns of the health table: premature deaths avoided per year by active mode (WHO HEAT).
HEALTH_COLUMNS: tuple[str, ...] = ("year", "mode", "deaths_avoided")
#: Columns of the measure-cost table: total cost and CO2e abated per measure over the horizon.
COST_COLUMNS: tuple[str, ...] = ("measure", "cost_eur", "co2_abated_t")

POLLUTANT_LABELS: dict[str, str] = {
    "nox": "NOx", "pm25": "PM2.5", "pm25_exhaust": "PM2.5 exhaust",
    "pm25_non_exhaust": "PM2.5 non-exhaust",
}


def check_columns(table: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    """Raise ValueError naming the missing columns of a table."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name} table lacks columns {missing}; expected {list(columns)}")


def pollutants_figure(pollutants: pd.DataFrame, *, title: str = "Local air pollutants"
                      ) -> go.Figure:
    """One panel per pollutant: tonnes per year (columns :data:`POLLUTANT_COLUMNS`)."""
    check_columns(pollutants, POLLUTANT_COLUMNS, "pollutants")
    names = list(dict.fromkeys(pollutants["pollutant"]))
    fig = make_subplots(rows=1, cols=len(names), horizontal_spacing=0.09,
                        subplot_titles=[plain(POLLUTANT_LABELS.get(n, n)) for n in names])
    for i, name in enumerate(names, start=1):
        rows = pollutants[pollutants["pollutant"] == name].groupby("year", as_index=False)[
            "tonnes"].sum()
        fig.add_scatter(x=rows["year"], y=rows["tonnes"], mode="lines+markers",
                        name=plain(POLLUTANT_LABELS.get(name, name)), showlegend=False,
                        line={"color": series_style(i - 1)["color"], "width": 2},
                        hovertemplate="%{x}: %{y:,.2f} t<extra></extra>", row=1, col=i)
        fig.update_xaxes(title_text=UNITS["year"], row=1, col=i)
        fig.update_yaxes(title_text=UNITS["pollutant_t"] if i == 1 else "", rangemode="tozero",
                         row=1, col=i)
    return house(fig, title)


def health_figure(health: pd.DataFrame, *, title: str = "Health benefit of walking and cycling "
                  "(WHO HEAT)") -> go.Figure:
    """Stacked bars of premature deaths avoided per year by mode (:data:`HEALTH_COLUMNS`)."""
    check_columns(health, HEALTH_COLUMNS, "health")
    data = health.groupby(["year", "mode"], as_index=False)["deaths_avoided"].sum()
    fig = go.Figure()
    for mode in dict.fromkeys(data["mode"]):
        rows = data[data["mode"] == mode].sort_values("year")
        fig.add_bar(x=rows["year"], y=rows["deaths_avoided"], name=mode_label(mode),
                    marker={"color": mode_colour(mode)},
                    hovertemplate="%{x}: %{y:,.2f}<extra>" + plain(mode_label(mode)) + "</extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=UNITS["year"])
    fig.update_yaxes(title_text=UNITS["deaths"], rangemode="tozero")
    return house(fig, title)


def cost_effectiveness_figure(costs: pd.DataFrame, *, title: str = "Cost-effectiveness of "
                              "measures") -> go.Figure:
    """Horizontal bars of EUR per tonne CO2e abated per measure (:data:`COST_COLUMNS`).

    Measures that abate nothing (or add emissions) have no cost per tonne; they are listed in a
    note instead of drawn as a misleading bar.
    """
    check_columns(costs, COST_COLUMNS, "costs")
    data = costs.copy()
    ok = data["co2_abated_t"] > 0
    data = data[ok].assign(eur_per_t=lambda d: d["cost_eur"] / d["co2_abated_t"])
    data = data.sort_values("eur_per_t", ascending=True)
    fig = go.Figure(go.Bar(
        x=data["eur_per_t"], y=[plain(m) for m in data["measure"]], orientation="h",
        marker={"color": [OKABE_ITO["bluish_green"] if v <= 0 else OKABE_ITO["blue"]
                          for v in data["eur_per_t"]]},
        customdata=data[["cost_eur", "co2_abated_t"]].to_numpy(),
        hovertemplate=("%{y}: %{x:,.0f} EUR/t<br>cost %{customdata[0]:,.0f} EUR, "
                       "abated %{customdata[1]:,.0f} t<extra></extra>"),
    ))
    skipped = costs.loc[~ok, "measure"].tolist()
    if skipped:
        fig.add_annotation(text=plain("No abatement, no EUR/t: " + ", ".join(map(str, skipped))),
                           xref="paper", yref="paper", x=0, y=1.02, yanchor="bottom",
                           showarrow=False, font={"size": 11, "color": "#4B5563"}, align="left")
    fig.update_xaxes(title_text=UNITS["eur_per_t"])
    fig.update_yaxes(title_text="Measure", automargin=True)
    return house(fig, title)
