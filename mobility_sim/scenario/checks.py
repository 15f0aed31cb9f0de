"""The semantic layer of loading: a schema-valid scenario checked against its city.

Checks: parameter keys exist and their values make sense; measures start and reach full
effect inside the simulated years; areas and lines exist and touch the grid; no two measures of
one kind overlap in area; labels are unique; densification has somewhere to move people; the
target lies inside the years. Also *resolves* what a measure leaves to defaults that depend on
the city (a PT line's GeoJSON and catchment, a zone's share of the city's cars, the grid
intensity a target is reached from), so that the resolved scenario records the values used.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..city import City
from ..city.layers import grid_country, stop_distance_layer
from ..data import grid_intensity, parameter_table, parameters
from ..data.typed_parameters import ModelParameters
from ..io.input_errors import did_you_mean
from ..kernels.spec import PURPOSES
from ..reference.targets import anchor_problem
from .areas import area_mask, line_distance, line_wkt
from .base import LineGeometry, MeasureBase
from .measures_car import LowEmissionZone
from .measures_demand import Densification
from .measures_energy import GridDecarbonisation
from .measures_pt import PtLine
from .models import Scenario

#: Parameters that are shares and must lie in [0, 1].
SHARE_PARAMETERS: frozenset[str] = frozenset({
    "ebike.availability", "car.availability_max", "parking.paid_share.commute",
    "parking.paid_share.other", "bike.infra_default_max", "ebike.subsidy_additionality",
    "speed_limit.travel_speed_ratio", "speed_limit.minor_street_share",
    "speed_limit.minor_traffic_share", "traffic.peak_share", "traffic.night_share",
    "traffic.relaxation", "utility.bike_infra_time_saving",
})
#: Units of parameters that must be positive.
POSITIVE_UNITS: frozenset[str] = frozenset({
    "km/h", "m", "min", "h", "persons/vehicle", "inh/km2", "persons/car", "days/year", "l/vkm",
    "persons/e-bike", "cars/person", "trips/person/day", "km/km2", "lanes",
    "pcu",
})
#: Units of marginal utilities of time, money and distance, which must not be positive (more
#: time, money or distance cannot make a trip more attractive).
DISUTILITY_UNITS: frozenset[str] = frozenset({"1/min", "1/EUR", "1/km"})
#: Physical bounds of a parameter value by unit (inclusive). Each is an assumption chosen well
#: outside any real value, so that only a wrong unit, a typing error or a placeholder such as
#: 1e308 is refused; except persons/vehicle: a passenger car (EU category M1) has at most eight
#: seats besides the driver's (Regulation (EU) 2018/858, Article 4).
UNIT_BOUNDS: dict[str, tuple[float, float]] = {
    "km/h": (0.0, 200.0), "m": (0.0, 50_000.0), "min": (0.0, 1_440.0), "h": (0.0, 24.0),
    "persons/vehicle": (1.0, 9.0), "persons/car": (0.0, 20.0), "persons/e-bike": (0.0, 10.0),
    "cars/person": (0.0, 3.0), "inh/km2": (0.0, 250_000.0), "days/year": (1.0, 366.0),
    "l/vkm": (0.0, 1.0), "trips/person/day": (0.0, 20.0), "EUR/h": (0.0, 1_000.0),
    "EUR/trip": (0.0, 1_000.0), "EUR/vkm": (0.0, 100.0), "1/min": (-10.0, 0.0),
    "1/EUR": (-10.0, 0.0), "-": (-1_000.0, 1_000_000.0), "1/year": (-1.0, 1.0),
    "EUR": (0.0, 1e9), "deaths/person/year": (0.0, 1.0), "h/day": (0.0, 24.0),
    "kWh/vkm": (0.0, 10.0), "km/bus/year": (0.0, 500_000.0), "lines": (0.0, 100.0),
    "min/week": (0.0, 10_080.0), "years": (0.0, 100.0), "km": (0.0, 500.0),
    "zones": (1.0, 64.0), "trips/month": (1.0, 500.0), "km/km2": (0.0, 100.0),
    "lanes": (0.0, 20.0), "pcu": (0.0, 10.0), "1/kEUR": (0.0, 1.0),
    "km/car/year": (0.0, 200_000.0), "1/util": (0.0, 1.0),
    "degC": (-50.0, 50.0), "MJ/l": (0.0, 100.0), "MJ/kg": (0.0, 150.0),
    "nest": (1.0, 3.0), "1/km": (-10.0, 0.0),
}

Where = Callable[[list[Any]], str]


@dataclass(frozen=True)
class Checked:
    """Outcome of the semantic layer.

    Attributes
    ----------
    problems : list of str
        ``file:line: path: message`` lines (empty when the scenario is sound).
    masks : list of ndarray of bool
        Cells each measure applies to (for a PT line: the cells it serves).
    scenario : Scenario
        The scenario with city-dependent defaults filled in.
    """

    problems: list[str]
    masks: list[np.ndarray]
    scenario: Scenario


def value_problem(key: str, value: float, unit: str) -> str | None:
    """Return why ``value`` is out of range for parameter ``key`` (in ``unit``), or None.

    Values must be finite; a mode's nest is 1, 2 or 3 and a nest's scale lies in (0, 1];
    shares must lie in [0, 1]; lengths, speeds, times, densities and
    rates must be positive; persons per vehicle at least 1 (the driver); prices must not be
    negative; marginal utilities of time and money must not be positive; and every value must
    lie within the physical bounds of its unit (:data:`UNIT_BOUNDS`).
    """
    if not math.isfinite(value):
        return f"{key} must be a finite number (got {value})"
    if key.startswith("nest.member.") and value not in (1.0, 2.0, 3.0):
        return f"{key} is the number of a mode-choice nest and must be 1, 2 or 3 (got {value})"
    if key == "cost_damping.exponent" and not -1.0 < value <= 0.0:
        return (f"{key} is the elasticity of the cost coefficient with trip length and must lie "
                f"in (-1, 0]: 0 is no damping, and at -1 or below a longer trip would cost "
                f"less (got {value})")
    if key == "cost_damping.ref_km" and not value > 0.0:
        return f"{key} is a distance in km and must be > 0 (got {value})"
    if key.startswith("nest.scale_") and not 0.0 < value <= 1.0:
        return (f"{key} is a nest's scale and must lie in (0, 1]: above 1 the nested logit is "
                f"not consistent with random utility maximisation, and 1 makes the nest's "
                f"modes independent alternatives (got {value})")
    if key in SHARE_PARAMETERS and not 0.0 <= value <= 1.0:
        return f"{key} is a share and must lie in [0, 1] (got {value})"
    if unit in POSITIVE_UNITS and value <= 0:
        return f"{key} is in {unit} and must be positive (got {value})"
    if unit == "persons/vehicle" and value < 1:
        return f"{key} is in {unit} and must be at least 1, the driver (got {value})"
    if unit.startswith("EUR") and value < 0:
        return f"{key} is a price in {unit} and must be >= 0 (got {value})"
    if unit in DISUTILITY_UNITS and value > 0:
        return (f"{key} is a marginal utility in {unit} and must be <= 0: time and money spent "
                f"make a trip less attractive (got {value})")
    low, high = UNIT_BOUNDS.get(unit, (-math.inf, math.inf))
    if not low <= value <= high:
        return (f"{key} = {value} is outside the physical range [{low:g}, {high:g}] of a value "
                f"in {unit}; check the unit")
    return None


def parameter_problems(scenario: Scenario, where: Where) -> list[str]:
    """Check that every parameter override names a known key and has a sensible value."""
    table = parameter_table().set_index("key")
    problems: list[str] = []
    for key, value in scenario.parameters.items():
        here = where(["parameters", key])
        if key not in table.index:
            problems.append(f"{here}: unknown parameter {key!r}"
                            f"{did_you_mean(key, list(table.index))}; see "
                            "mobility_sim/data/parameters.csv")
            continue
        problem = value_problem(key, value, str(table.loc[key, "unit"]))
        if problem:
            problems.append(f"{here}: {problem}")
    for purpose in PURPOSES:  # a distance term needs a logsum coefficient above 0
        key, scale_key = f"destination.distance.{purpose}", f"destination.scale.{purpose}"
        distance = scenario.parameters.get(key, float(table.loc[key, "value"]))
        scale = scenario.parameters.get(scale_key, float(table.loc[scale_key, "value"]))
        if distance != 0 and not scale > 0:
            place = key if key in scenario.parameters else scale_key
            problems.append(f"{where(['parameters', place])}: {key} = {distance:g} needs "
                            f"{scale_key} above 0 (got {scale:g}): the distance term is added "
                            "to the logsum's weight in destination choice; set the scale above "
                            "0 or the distance to 0")
    return problems


def _year_problems(i: int, measure: MeasureBase, first: int, last: int, where: Where) -> list[str]:
    problems = []
    if measure.start > last:
        problems.append(f"{where(['measures', i, 'start'])}: starts in {measure.start}, after "
                        f"the last simulated year {last}; move it or extend years.end")
    elif measure.start < first:
        problems.append(f"{where(['measures', i, 'start'])}: starts in {measure.start}, before "
                        f"the first simulated year {first} (the base year would already include "
                        f"part of it); start it in {first} or later, or move years.start")
    if measure.full_year > last and measure.start <= last:
        problems.append(f"{where(['measures', i, 'end'])}: reaches full effect in "
                        f"{measure.full_year}, after the last simulated year {last}; set end to "
                        f"{last} or earlier, or extend years.end")
    return problems


def _resolve(i: int, measure: MeasureBase, city: City, base: Path, p: dict[str, float],
             where: Where) -> tuple[MeasureBase, np.ndarray, list[str]]:
    """Return the measure with city-dependent defaults filled in, its cells, and problems."""
    everywhere = np.ones(city.n_cells, dtype=bool)
    if isinstance(measure, PtLine):
        try:
            wkt = line_wkt(measure.line, city, base)
        except ValueError as exc:
            return measure, np.zeros(city.n_cells, dtype=bool), [
                f"{where(['measures', i, 'line'])}: {exc}"]
        catchment = measure.catchment_m or ModelParameters.of(p).pt.line_catchment_m
        dist = line_distance(wkt, city.grid["x"].to_numpy(float), city.grid["y"].to_numpy(float))
        served = dist <= catchment
        problems = []
        if not served.any():
            problems.append(f"{where(['measures', i, 'line'])}: the line passes within "
                            f"{catchment:g} m of no cell centre of {city.name}'s grid (nearest "
                            f"{dist.min():.0f} m); check its coordinates and CRS "
                            f"({city.meta.crs}) or raise catchment_m")
        resolved = measure.model_copy(update={"line": LineGeometry(wkt=wkt),
                                              "catchment_m": float(catchment)})
        return resolved, served, problems
    mask = everywhere
    if measure.area is not None:
        try:
            mask = area_mask(measure.area, city, base)
        except ValueError as exc:
            return measure, everywhere, [f"{where(['measures', i, 'area'])}: {exc}"]
        if not mask.any():
            return measure, everywhere, [
                f"{where(['measures', i, 'area'])}: the area covers no cell centre of "
                f"{city.name}'s grid; check its coordinates and CRS ({city.meta.crs})"]
    if isinstance(measure, LowEmissionZone) and measure.cars_entering_share is None:
        jobs = city.grid["jobs"].to_numpy(float)
        share = float(jobs[mask].sum() / jobs.sum()) if jobs.sum() > 0 else 0.0
        measure = measure.model_copy(update={"cars_entering_share": round(share, 4)})
    if (isinstance(measure, GridDecarbonisation) and measure.gco2e_per_kwh is not None
            and measure.baseline_gco2e_per_kwh is None):
        try:
            grid_intensity(grid_country(city))
        except KeyError as exc:
            return measure, mask, [f"{where(['measures', i])}: {exc.args[0]}; or give "
                                   "baseline_gco2e_per_kwh"]
    return measure, mask, []


def _densification_problem(i: int, measure: Densification, mask: np.ndarray, city: City,
                           p: dict[str, float], where: Where) -> str | None:
    stop_m = stop_distance_layer(city, p)
    near = mask & (stop_m <= measure.distance_m)
    far = mask & ~near & (city.grid["population"].to_numpy(float) > 0)
    if not near.any():
        return (f"{where(['measures', i, 'distance_m'])}: no cell of the area lies within "
                f"{measure.distance_m:g} m of a PT stop (nearest {stop_m[mask].min():.0f} m), so "
                "there is nowhere to move residents to; raise distance_m or widen the area")
    if not far.any():
        return (f"{where(['measures', i, 'distance_m'])}: every populated cell of the area "
                f"already lies within {measure.distance_m:g} m of a PT stop, so nobody moves; "
                "lower distance_m or widen the area")
    return None


def _overlap_problems(scenario: Scenario, masks: list[np.ndarray], skip: set[int],
                      where: Where) -> list[str]:
    problems = []
    measures = scenario.measures
    for j, b in enumerate(measures):
        if j in skip:
            continue
        if b.ONE_PER_SCENARIO:
            first = next(i for i, a in enumerate(measures) if a.type == b.type)  # type: ignore[attr-defined]
            if first != j:
                problems.append(f"{where(['measures', j])}: a second {b.type} measure "  # type: ignore[attr-defined]
                                f"(measures.{first} is the first); the model has one cordon: "
                                "merge them into one measure with one area")
                continue
        if b.overlap_key is None:
            continue
        for i in range(j):
            a = measures[i]
            same = i not in skip and a.overlap_key == b.overlap_key
            if same and bool(np.any(masks[i] & masks[j])):
                problems.append(
                    f"{where(['measures', j])}: overlaps measures.{i} (same kind "
                    f"{'/'.join(b.overlap_key)!r} in the same cells; both stay in force once "
                    "started); merge them into one measure or give them disjoint areas")
                break
    labels: dict[str, int] = {}
    for j, m in enumerate(measures):
        if m.label is not None and m.label in labels:
            problems.append(f"{where(['measures', j, 'label'])}: label {m.label!r} is already "
                            f"used by measures.{labels[m.label]}; give each measure its own label")
        labels.setdefault(m.display_label, j)
    return problems


def semantic_checks(scenario: Scenario, city: City, base: Path, where: Where) -> Checked:
    """Check the meaning of a schema-valid scenario against its city.

    Parameters
    ----------
    scenario : Scenario
        The merged, schema-valid scenario.
    city : City
        The city it runs on.
    base : pathlib.Path
        Folder that relative GeoJSON paths start from.
    where : callable
        Maps a location in the scenario (list of keys and indices) to ``file:line: path``.

    Returns
    -------
    Checked
        Problems, masks and the resolved scenario.
    """
    problems = parameter_problems(scenario, where)
    p = parameters()
    p.update({k: v for k, v in scenario.parameters.items() if k in p})
    first, last = scenario.years.start, scenario.years.end
    masks: list[np.ndarray] = []
    resolved: list[MeasureBase] = []
    failed: set[int] = set()
    for i, measure in enumerate(scenario.measures):
        problems += _year_problems(i, measure, first, last, where)
        new, mask, found = _resolve(i, measure, city, base, p, where)
        problems += found
        if found:
            failed.add(i)
        if not found and isinstance(new, Densification):
            problem = _densification_problem(i, new, mask, city, p, where)
            if problem:
                problems.append(problem)
        masks.append(mask)
        resolved.append(new)
    problems += _overlap_problems(scenario, masks, failed, where)
    places = ([["target"]] if scenario.target is not None else []) + [
        ["targets", k] for k in range(len(scenario.targets))]
    for place, t in zip(places, scenario.all_targets, strict=True):
        if not first <= t.year <= last:
            problems.append(f"{where([*place, 'year'])}: target year {t.year} is outside the "
                            f"simulated years {first}-{last}")
        base_year = t.base_year if t.base_year is not None else first
        if base_year >= first and base_year not in scenario.years.as_list():
            problems.append(f"{where([*place, 'base_year'])}: base year {base_year} is not a "
                            f"simulated year ({first}-{last}, step {scenario.years.step}); "
                            "use a simulated year or one before the first")
        problem = anchor_problem(t, first, city.meta.inventory, city.meta.country)
        if problem:
            problems.append(f"{where([*place, 'base_year'])}: {problem}")
    return Checked(problems=sorted(problems, key=line_order), masks=masks,
                   scenario=scenario.model_copy(update={"measures": _numbered(resolved)}))


def _numbered(measures: list[MeasureBase]) -> list[MeasureBase]:
    """Give unlabelled measures of a repeated type the labels ``<type> 1``, ``<type> 2``, ..."""
    counts: dict[str, int] = {}
    for m in measures:
        if m.label is None:
            counts[m.display_label] = counts.get(m.display_label, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for m in measures:
        if m.label is None and counts[m.display_label] > 1:
            seen[m.display_label] = seen.get(m.display_label, 0) + 1
            taken = {x.label for x in measures}
            label = f"{m.display_label} {seen[m.display_label]}"
            while label in taken:
                label += "'"
            m = m.model_copy(update={"label": label})
        out.append(m)
    return out


def line_order(line: str) -> tuple[str, int]:
    """Sort key of a ``file:line: ...`` message: file, then line number."""
    file, _, rest = line.partition(":")
    number = rest.partition(":")[0]
    return file, int(number) if number.isdigit() else 0
