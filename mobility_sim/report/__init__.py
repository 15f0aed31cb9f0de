"""Plotly figures (thin functions of result tables) and self-contained offline HTML dashboards.

Public entry points:

- :func:`write_dashboard`: the dashboard of one run;
- :func:`write_comparison`: several scenarios side by side;
- :func:`write_city_comparison`: one measure package across several cities.

Each writes one HTML file atomically, with plotly.js embedded once and nothing loaded from the
network; each ``build_*`` returns the page, which also displays itself in a notebook. Figure
functions live in ``*_figures`` modules and take tidy tables; :mod:`.notebook` gives a run's
figures as ``results.plot.<name>()`` and its notebook summary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
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

_LAZY = {
    "build_city_comparison": "comparison",
    "build_comparison": "comparison",
    "write_city_comparison": "comparison",
    "write_comparison": "comparison",
    "build_dashboard": "dashboard",
    "write_dashboard": "dashboard",
}


def __getattr__(name: str) -> Any:
    """Import the page builders on first use.

    Importing a submodule (the notebook view of a run, a figure module) then does not import
    the page builders, which read :mod:`mobility_sim.results`.
    """
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'mobility_sim.report' has no attribute {name!r}")
