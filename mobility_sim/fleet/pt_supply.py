"""Public transport service vehicle-km from the per-cell headways (supply, not passengers).

Each cell is crossed by ``pt_supply.lines_per_cell`` lines running at the cell's headway (after
the year's headway measures: the ``service_headway_min`` of the year's PT network,
:func:`mobility_sim.model.inputs.pt_network`, the network the demand model uses too) in both
directions for ``pt_supply.hours_per_day`` hours; each crossing is one cell side long. So a
cell's daily service is::

    2 x lines x cell_side_km x (60 / headway_min) x hours_per_day   vehicle-km

The service is split into bus, tram and metro by ``pt_supply.share_tram`` and
``pt_supply.share_metro`` (bus: the rest). A new line (``pt_line`` measure) adds
``2 x length_km x (60 / headway) x hours_per_day x intensity`` vehicle-km of its own vehicle
type (a ``train`` counts as metro: electric rail; assumption); the line's full length counts.
All of these are assumptions (``fleet_parameters.csv``); the implied average load (passenger-km
per service vehicle-km) is reported so a planner can check them against the operator's figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import shapely

from ..data.typed_parameters import ModelParameters
from ..exceptions import FleetParameterError

#: Public transport vehicle types of the supply model.
PT_VEHICLES: tuple[str, ...] = ("bus", "tram", "metro")


def service_shares(p: Mapping[str, float]) -> dict[str, float]:
    """Share of service vehicle-km by vehicle type (sum to 1).

    Raises
    ------
    FleetParameterError
        If a share is negative or tram + metro exceed 1.
    """
    supply = ModelParameters.of(p).pt_supply
    tram, metro = float(supply.share_tram), float(supply.share_metro)
    problems = [f"parameters: pt_supply.share_{k} = {v} is negative; use a share in [0, 1]"
                for k, v in (("tram", tram), ("metro", metro)) if v < 0]
    if tram + metro > 1.0 + 1e-12:
        problems.append(f"parameters: pt_supply.share_tram + pt_supply.share_metro = "
                        f"{tram + metro:g} > 1; lower them so that buses run the rest")
    if problems:
        raise FleetParameterError(problems)
    return {"bus": max(1.0 - tram - metro, 0.0), "tram": tram, "metro": metro}


def service_vkm_per_day(headway_min: np.ndarray, cell_size_m: float,
                        p: Mapping[str, float]) -> np.ndarray:
    """Service vehicle-km per day in each cell (all PT vehicle types together).

    Parameters
    ----------
    headway_min : ndarray, shape (N,)
        Headway of each cell's services in the year (after the frequency measures), minutes.
    cell_size_m : float
        Cell side, metres.
    p : mapping
        Model parameters (``pt_supply.*``).
    """
    headway = np.asarray(headway_min, dtype=float)
    if np.any(headway <= 0) or not np.all(np.isfinite(headway)):
        raise FleetParameterError("pt_headway_min x headway measures: every headway must be "
                                  "a positive number of minutes; fix the grid's pt_headway_min")
    supply = ModelParameters.of(p).pt_supply
    return (2.0 * supply.lines_per_cell * cell_size_m / 1000.0 * (60.0 / headway)
            * supply.hours_per_day)


def line_vkm_per_day(line: Any, p: Mapping[str, float]) -> float:
    """Service vehicle-km per day of one new line (a ``PtLineLever``) at its intensity."""
    if line.level <= 0:
        return 0.0
    length_km = shapely.from_wkt(line.wkt).length / 1000.0
    hours = ModelParameters.of(p).pt_supply.hours_per_day
    return 2.0 * length_km * 60.0 / line.headway_min * hours * line.level


def annual_service_vkm(headway_min: np.ndarray, cell_size_m: float, p: Mapping[str, float],
                       lines: Iterable[Any] = ()) -> dict[str, float]:
    """Service vehicle-km per year by vehicle type (bus, tram, metro).

    Parameters
    ----------
    headway_min, cell_size_m, p
        See :func:`service_vkm_per_day`.
    lines : iterable of PtLineLever
        New lines of the year (``vehicle`` bus, tram, metro or train).
    """
    days = ModelParameters.of(p).annual.days_per_year
    total = float(service_vkm_per_day(headway_min, cell_size_m, p).sum() * days)
    out = {k: total * share for k, share in service_shares(p).items()}
    for line in lines:
        vehicle = "metro" if line.vehicle == "train" else line.vehicle
        if vehicle not in out:
            raise FleetParameterError(f"pt_line {line.label!r}: vehicle {line.vehicle!r} has no "
                                      "energy factor; use bus, tram, metro or train")
        out[vehicle] += line_vkm_per_day(line, p) * days
    return out
