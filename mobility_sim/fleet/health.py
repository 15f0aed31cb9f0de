"""Physical-activity health benefit of walking and cycling: the WHO HEAT method (2017).

For each active mode, the all-cause mortality of adults in the mode's age band falls linearly
with the weekly minutes of that mode, up to a cap::

    reduction = min((1 - RR) x minutes_per_week / reference_minutes, cap)
    deaths prevented per year = residents x age-band share x mortality rate x reduction

with RR 0.89 at 168 min/week for walking (ages 20-74, cap 30 %) and RR 0.90 at 100 min/week
for cycling (ages 20-64, cap 45 %) (``health_parameters.csv``). The value is deaths prevented x
the value of a statistical life.

Minutes come from the model's walking and cycling passenger-km divided by the mode's speed,
spread evenly over all residents (assumption: adults walk and cycle as much as the average
resident; the cap is applied to that average, HEAT's population-average use). Walking to and
from public transport stops counts as walking (:func:`pt_walk_km`: the model's own walking
minutes to the stop at each end of a PT trip), as health impact models of transport add it
where a survey has no trip stages (ITHIM); without it, a measure that moves walkers to public
transport would lose their walking whole. E-bike minutes count with ``health.ebike_weight``
(0 by default: HEAT 2017 has no e-bike relative risk).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data.typed_parameters import HealthMode, ModelParameters
from ..exceptions import FleetParameterError

HEALTH_COLUMNS: tuple[str, ...] = ("year", "mode", "population", "minutes_per_week",
                                   "risk_reduction", "deaths_avoided", "value_eur")
ACTIVE_MODES: tuple[str, ...] = ("walk", "bike")


@dataclass(frozen=True)
class HeatMode:
    """HEAT inputs of one active mode.

    Attributes
    ----------
    relative_risk : float
        All-cause mortality relative risk at ``reference_minutes`` per week.
    reference_minutes : float
        Minutes per week of the relative risk.
    cap : float
        Largest mortality reduction credited.
    population_share : float
        Share of residents in the mode's age band.
    mortality_rate : float
        Deaths per person and year in the age band.
    """

    relative_risk: float
    reference_minutes: float
    cap: float
    population_share: float
    mortality_rate: float

    @classmethod
    def from_parameters(cls, mode: str, p: Mapping[str, float]) -> HeatMode:
        """Read ``health.<mode>.*`` and check the ranges."""
        given: HealthMode = getattr(ModelParameters.of(p).health, mode)
        values = {
            "relative_risk": given.relative_risk,
            "reference_minutes": given.reference_min_per_week,
            "cap": given.cap,
            "population_share": given.population_share,
            "mortality_rate": given.mortality_rate,
        }
        problems = []
        if not 0 < values["relative_risk"] <= 1:
            problems.append(f"parameters: health.{mode}.relative_risk = "
                            f"{values['relative_risk']} must lie in (0, 1]")
        if values["reference_minutes"] <= 0:
            problems.append(f"parameters: health.{mode}.reference_min_per_week must be > 0")
        for key in ("cap", "population_share", "mortality_rate"):
            if not 0 <= values[key] <= 1:
                problems.append(f"parameters: health.{mode}.{key} = {values[key]} must lie in "
                                "[0, 1]")
        if problems:
            raise FleetParameterError(problems)
        return cls(**values)

    def risk_reduction(self, minutes_per_week: Any) -> Any:
        """Relative reduction of mortality for the given weekly minutes (capped; arrays too)."""
        linear = ((1.0 - self.relative_risk) * np.maximum(minutes_per_week, 0.0)
                  / self.reference_minutes)
        out = np.minimum(linear, self.cap)
        return float(out) if np.ndim(out) == 0 else out

    def deaths_prevented(self, residents: Any, minutes_per_week: Any) -> Any:
        """Deaths prevented per year among ``residents`` (all ages) at the given minutes."""
        return (residents * self.population_share * self.mortality_rate
                * self.risk_reduction(minutes_per_week))


def pt_walk_km(pt_trips: Any, stop_walk_min: Any, arrivals: Any, walk_kmh: float) -> Any:
    """Kilometres walked a day to and from the stops by PT trips, at the walking speed.

    ``pt_trips`` (any shape ending in N) are PT trips a day by origin cell and
    ``stop_walk_min`` (N,) each cell's walk to its nearest stop (the model's PT access time,
    ``DemandInputs.dest_time`` of PT): the walk at the origin is its cell's, the walk at the
    other end the mean over the day's PT arrivals ``arrivals`` (N,) (every trip ends where the
    PT trips of the year end). Returns an array of ``pt_trips``'s shape.
    """
    trips = np.asarray(pt_trips, dtype=float)
    walk = np.asarray(stop_walk_min, dtype=float)
    arriving = np.asarray(arrivals, dtype=float)
    total = float(arriving.sum())
    at_end = float(arriving @ walk) / total if total > 0 else 0.0
    return trips * (walk + at_end) / 60.0 * walk_kmh


def minutes_per_week(daily_pkm: Any, speed_kmh: float, residents: Any) -> Any:
    """Average minutes per resident and week of a mode from its passenger-km per day.

    Scalars or arrays (elementwise); 0 where there are no residents.
    """
    pkm, people = np.asarray(daily_pkm, dtype=float), np.asarray(residents, dtype=float)
    out = np.divide(pkm / speed_kmh * 60.0 * 7.0, people, out=np.zeros(np.broadcast(
        pkm, people).shape), where=people > 0)
    return float(out) if out.ndim == 0 else out


def active_minutes(daily_pkm: Mapping[str, Any], residents: Any,
                   mp: ModelParameters) -> dict[str, Any]:
    """Minutes per resident and week walking and cycling (e-bikes with ``ebike_weight``)."""
    return {
        "walk": minutes_per_week(daily_pkm.get("walk", 0.0), mp.speed.walk, residents),
        "bike": minutes_per_week(daily_pkm.get("bike", 0.0), mp.speed.bike, residents)
        + mp.health.ebike_weight * minutes_per_week(daily_pkm.get("ebike", 0.0),
                                                    mp.speed.ebike, residents),
    }


def health_value(daily_pkm: Mapping[str, Any], residents: Any,
                 p: Mapping[str, float]) -> Any:
    """WHO HEAT value of walking and cycling, EUR a year: the sum over :func:`health_rows`.

    ``daily_pkm`` maps ``walk``, ``bike`` and ``ebike`` to passenger-km per day, scalars or
    arrays of one shape with ``residents`` (one group of residents per element).
    """
    mp = ModelParameters.of(p)
    minutes = active_minutes(daily_pkm, residents, mp)
    return sum(HeatMode.from_parameters(mode, p).deaths_prevented(residents, minutes[mode])
               for mode in ACTIVE_MODES) * mp.health.value_of_statistical_life_eur


def health_rows(year: int, daily_pkm: Mapping[str, float], residents: float,
                p: Mapping[str, float]) -> list[dict]:
    """Tabulate the ``health`` rows of one year.

    Parameters
    ----------
    year : int
        The year.
    daily_pkm : mapping of str to float
        Passenger-km per average day of ``walk``, ``bike`` and ``ebike``.
    residents : float
        Residents of the grid.
    p : mapping
        Model parameters (speeds, ``health.*``).

    Returns
    -------
    list of dict
        One row per active mode, keys :data:`HEALTH_COLUMNS`.
    """
    mp = ModelParameters.of(p)
    vsl = mp.health.value_of_statistical_life_eur
    minutes = active_minutes(daily_pkm, residents, mp)
    rows = []
    for mode in ACTIVE_MODES:
        heat = HeatMode.from_parameters(mode, p)
        deaths = heat.deaths_prevented(residents, minutes[mode])
        rows.append({"year": year, "mode": mode, "population": residents * heat.population_share,
                     "minutes_per_week": minutes[mode],
                     "risk_reduction": heat.risk_reduction(minutes[mode]),
                     "deaths_avoided": deaths, "value_eur": deaths * vsl})
    return rows
