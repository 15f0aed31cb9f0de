"""The house style of every figure: one Plotly template, colour-blind-safe colours, unit labels.

Colours come from the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"), which stays
distinguishable under the common forms of colour-vision deficiency. Sequential maps use
``cividis`` (designed for colour-vision deficiency); diverging maps use ``RdBu`` reversed, so a
fall shows in blue and a rise in red.
"""

from __future__ import annotations

import html

import plotly.graph_objects as go

#: Okabe-Ito colours by name.
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}

#: One colour per model mode and per survey mode group (``modes.mode`` / ``modes.mode_group``).
MODE_COLOURS: dict[str, str] = {
    "walk": OKABE_ITO["orange"],
    "bike": OKABE_ITO["bluish_green"],
    "ebike": OKABE_ITO["sky_blue"],
    "pt": OKABE_ITO["blue"],
    "car_ice": OKABE_ITO["vermillion"],
    "car_ev": OKABE_ITO["reddish_purple"],
    "car": OKABE_ITO["vermillion"],
    "other": OKABE_ITO["grey"],
}

#: Display names of modes and mode groups.
MODE_LABELS: dict[str, str] = {
    "walk": "Walk",
    "bike": "Bike",
    "ebike": "E-bike",
    "pt": "Public transport",
    "car_ice": "Car (combustion)",
    "car_ev": "Car (battery-electric)",
    "car": "Car",
    "other": "Other",
}

#: Order in which modes are stacked and listed (sustainable modes first).
MODE_ORDER: tuple[str, ...] = ("walk", "bike", "ebike", "pt", "car_ev", "car_ice", "car", "other")

#: Colours for scenarios or cities on one chart, in order (Okabe-Ito without yellow).
SERIES_COLOURS: tuple[str, ...] = (
    OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"], OKABE_ITO["orange"], OKABE_ITO["sky_blue"], OKABE_ITO["black"],
)
#: Line dashes cycled with :data:`SERIES_COLOURS`, so series differ by more than colour.
SERIES_DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")

#: Colour scales of maps.
SEQUENTIAL_SCALE = "cividis"
DIVERGING_SCALE = "RdBu_r"

#: Axis titles with their units, used by every figure.
UNITS: dict[str, str] = {
    "year": "Year",
    "co2_t": "CO₂e (t per year)",
    "co2_kt": "CO₂e (kt per year)",
    "co2_pc_kg": "CO₂e per resident (kg per year)",
    "share_pct": "Share (%)",
    "change_pp": "Change (percentage points)",
    "x_km": "Easting (km)",
    "y_km": "Northing (km)",
    "vehicles": "Vehicles in stock",
    "fleet_share_pct": "Share of vehicles in stock (%)",
    "pollutant_t": "Emissions (t per year)",
    "deaths": "Deaths avoided (per year)",
    "eur_per_t": "Cost per tonne CO₂e abated (EUR/t)",
    "reduction_t": "CO₂e reduction (t per year)",
    "change_pct": "Change (%)",
}

FONT_FAMILY = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', "
    "'Liberation Sans', sans-serif"
)

_AXIS = {
    "showgrid": True,
    "gridcolor": "#E5E7EB",
    "zeroline": False,
    "linecolor": "#6B7280",
    "showline": True,
    "ticks": "outside",
    "tickcolor": "#6B7280",
    "title": {"standoff": 8},
    "automargin": True,
}

#: The house template: white background, light grid, Okabe-Ito colours, legend on top.
HOUSE_TEMPLATE = go.layout.Template(
    layout={
        "font": {"family": FONT_FAMILY, "size": 13, "color": "#1F2937"},
        "title": {"font": {"size": 16}, "x": 0.01, "xanchor": "left", "xref": "container",
                  "y": 0.985, "yanchor": "top", "yref": "container"},
        "paper_bgcolor": "#FFFFFF",
        "plot_bgcolor": "#FFFFFF",
        "colorway": list(SERIES_COLOURS),
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left",
                   "x": 0.0, "bgcolor": "rgba(255,255,255,0)"},
        "margin": {"l": 70, "r": 20, "t": 95, "b": 55},
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "hovermode": "closest",
        "height": 480,
    }
)


def house(fig: go.Figure, title: str, *, height: int | None = None) -> go.Figure:
    """Apply the house template and a title to ``fig`` (in place) and return it.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure.
    title : str
        Plain-text title; it is escaped, so user-given names show as written.
    height : int, optional
        Height in pixels (default: the template's).
    """
    fig.update_layout(template=HOUSE_TEMPLATE, title={"text": plain(title)})
    shown = [t for t in fig.data if t.showlegend is not False]
    if fig.layout.showlegend is False or (len(shown) <= 1 and fig.layout.showlegend is None):
        fig.update_layout(margin={"t": 60})  # no legend above the plot: less room needed
    if height is not None:
        fig.update_layout(height=height)
    return fig


def plain(text: object) -> str:
    """Escape text for Plotly labels, which understand a subset of HTML.

    Plotly renders ``<b>``, ``<br>`` and entities in titles, legends and hover labels; escaping
    makes a name such as ``<script>`` show literally instead of being parsed.
    """
    return html.escape(str(text), quote=False)


def mode_colour(mode: str) -> str:
    """Colour of a mode or mode group (grey for unknown ones)."""
    return MODE_COLOURS.get(mode, OKABE_ITO["grey"])


def mode_label(mode: str) -> str:
    """Display name of a mode or mode group (the raw name for unknown ones)."""
    return MODE_LABELS.get(mode, str(mode))


def series_style(i: int) -> dict[str, str]:
    """Colour and dash of the ``i``-th series (scenario or city) on a chart."""
    return {"color": SERIES_COLOURS[i % len(SERIES_COLOURS)],
            "dash": SERIES_DASHES[(i // len(SERIES_COLOURS)) % len(SERIES_DASHES)]}


def sort_modes(modes: list[str]) -> list[str]:
    """Order modes as in :data:`MODE_ORDER`; unknown modes go last, alphabetically."""
    rank = {m: i for i, m in enumerate(MODE_ORDER)}
    return sorted(modes, key=lambda m: (rank.get(m, len(rank)), m))
