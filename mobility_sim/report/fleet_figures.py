"""Fleet and energy figures: battery-electric share, grid intensity, fleet composition."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .theme import OKABE_ITO, UNITS, house, plain

#: Columns :func:`fleet_composition_figure` expects (one row per year, vehicle and powertrain).
FLEET_COLUMNS: tuple[str, ...] = ("year", "vehicle", "powertrain", "stock")

POWERTRAIN_COLOURS: dict[str, str] = {
    "petrol": OKABE_ITO["vermillion"],
    "diesel": OKABE_ITO["black"],
    "hev": OKABE_ITO["orange"],
    "phev": OKABE_ITO["reddish_purple"],
    "bev": OKABE_ITO["bluish_green"],
    "fcev": OKABE_ITO["sky_blue"],
    "lpg": OKABE_ITO["grey"],
    "cng": OKABE_ITO["blue"],
}
POWERTRAIN_LABELS: dict[str, str] = {
    "petrol": "Petrol", "diesel": "Diesel", "hev": "Hybrid (HEV)", "phev": "Plug-in hybrid",
    "bev": "Battery-electric", "fcev": "Fuel cell", "lpg": "LPG", "cng": "CNG",
}



#: Plural of vehicle classes in titles.
_PLURAL: dict[str, str] = {"bus": "buses", "car": "cars"}

def bev_share_figure(summary: pd.DataFrame, *, title: str = "Battery-electric share of the car "
                     "fleet") -> go.Figure:
    """Line of ``summary.fleet_bev_share`` (0-1) in per cent."""
    s = summary.sort_values("year")
    fig = go.Figure()
    fig.add_scatter(x=s["year"], y=100 * s["fleet_bev_share"], name="Battery-electric cars",
                    mode="lines+markers", line={"color": OKABE_ITO["bluish_green"], "width": 3},
                    hovertemplate="%{x}: %{y:.1f} %<extra></extra>", showlegend=False)
    fig.update_xaxes(title_text=UNITS["year"])
    fig.update_yaxes(title_text=UNITS["fleet_share_pct"], rangemode="tozero")
    return house(fig, title)


def grid_intensity_figure(summary: pd.DataFrame, *, country: str | None = None,
                          title: str | None = None) -> go.Figure:
    """Line of ``summary.grid_gco2e_per_kwh``: the electricity behind EVs and electric PT."""
    s = summary.sort_values("year")
    fig = go.Figure()
    fig.add_scatter(x=s["year"], y=s["grid_gco2e_per_kwh"], name="Grid intensity",
                    mode="lines+markers", line={"color": OKABE_ITO["orange"], "width": 3},
                    hovertemplate="%{x}: %{y:.0f} g/kWh<extra></extra>", showlegend=False)
    fig.update_xaxes(title_text=UNITS["year"])
    fig.update_yaxes(title_text="Intensity (g CO₂e/kWh)", rangemode="tozero")
    where = f" ({country})" if country else ""
    return house(fig, title or plain(f"Electricity grid carbon intensity{where}"))


def fleet_composition_figure(fleet: pd.DataFrame, vehicle: str = "car", *,
                             title: str | None = None) -> go.Figure:
    """Stacked shares of the vehicle stock by powertrain per year.

    Parameters
    ----------
    fleet : pandas.DataFrame
        Columns :data:`FLEET_COLUMNS`: ``year``, ``vehicle`` (e.g. car, bus), ``powertrain``
        (petrol, diesel, hev, phev, bev, ...), ``stock`` (vehicles).
    vehicle : str
        Which vehicle type to draw.
    """
    missing = [c for c in FLEET_COLUMNS if c not in fleet.columns]
    if missing:
        raise ValueError(f"fleet table lacks columns {missing}; expected {list(FLEET_COLUMNS)}")
    rows = fleet[fleet["vehicle"] == vehicle]
    data = rows.groupby(["year", "powertrain"], as_index=False)["stock"].sum()
    total = data.groupby("year")["stock"].transform("sum")
    data["share"] = data["stock"] / total.where(total > 0)
    fig = go.Figure()
    order = [pt for pt in POWERTRAIN_COLOURS if pt in set(data["powertrain"])]
    order += sorted(set(data["powertrain"]) - set(order))
    for pt in order:
        r = data[data["powertrain"] == pt].sort_values("year")
        colour = POWERTRAIN_COLOURS.get(pt, OKABE_ITO["grey"])
        fig.add_scatter(x=r["year"], y=100 * r["share"], name=plain(POWERTRAIN_LABELS.get(pt, pt)),
                        mode="lines", stackgroup="fleet", line={"width": 0.5, "color": colour},
                        fillcolor=colour, hovertemplate="%{x}: %{y:.1f} %<extra>"
                        + plain(POWERTRAIN_LABELS.get(pt, pt)) + "</extra>")
    fig.update_xaxes(title_text=UNITS["year"])
    fig.update_yaxes(title_text=UNITS["fleet_share_pct"], range=[0, 100])
    fig.update_layout(hovermode="x unified")
    plural = _PLURAL.get(vehicle, vehicle + "s")
    return house(fig, title or plain(f"Fleet composition: {plural} by powertrain"))
