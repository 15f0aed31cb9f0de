"""Plotly figures (thin functions of result tables) and self-contained offline HTML dashboards.

Public entry points:

- :func:`write_dashboard`: the dashboard of one run;
- :func:`write_comparison`: several scenarios side by side;
- :func:`write_city_comparison`: one measure package across several cities.

Each writes one HTML file atomically, with plotly.js embedded once and nothing loaded from the
network. Figure functions live in ``*_figures`` modules and take tidy tables.
"""

from __future__ import annotations

from .comparison import (
    build_city_comparison,
    build_comparison,
    write_city_comparison,
    write_comparison,
)
from .dashboard import build_dashboard, write_dashboard

__all__ = [
    "build_city_comparison",
    "build_comparison",
    "build_dashboard",
    "write_city_comparison",
    "write_comparison",
    "write_dashboard",
]
