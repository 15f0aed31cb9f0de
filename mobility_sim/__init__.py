"""mobility_sim: urban mobility decarbonisation scenarios on real city grids.

A planner's scenario (YAML: measures in physical units, in an area, with a time profile) is run
year by year over a gridded city: destination and mode choice respond to the measures, a fleet
model turns sales into fleet shares, emission factors turn kilometres into CO2.

Quick use::

    import mobility_sim as ms
    results = ms.run("scenarios/helsinki/sump_package.yaml")
    results.summary

Importing the package compiles no kernel and loads no data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

__all__ = ["Results", "__version__", "load_city", "load_scenario", "run", "simulate"]

if TYPE_CHECKING:  # pragma: no cover
    from .city import load_city
    from .results import Results
    from .scenario import load_scenario
    from .simulate import run, simulate

_LAZY = {
    "Results": ("results", "Results"),
    "load_city": ("city", "load_city"),
    "load_scenario": ("scenario", "load_scenario"),
    "run": ("simulate", "run"),
    "simulate": ("simulate", "simulate"),
}


def __getattr__(name: str) -> Any:
    """Import public names on first use, keeping ``import mobility_sim`` light."""
    if name in _LAZY:
        from importlib import import_module

        module, attr = _LAZY[name]
        return getattr(import_module(f".{module}", __name__), attr)
    raise AttributeError(f"module 'mobility_sim' has no attribute {name!r}")
