"""A job: one simulation of a scenario, possibly changed, named by a content hash.

A :class:`Job` is a loaded scenario (its *base*) plus light changes: parameter overrides (a
Monte Carlo sample), a subset of its measures (a Shapley coalition) and new values of numeric
measure fields (a solver's intensities). :func:`resolve` applies them and returns the
:class:`~mobility_sim.scenario.LoadedScenario` that is simulated; :func:`job_key` names it by a
SHA-256 of the base's content hash (scenario file, city grid, package version) and the changed
scenario, so that two jobs with the same inputs share one key and a finished job is found again
on a rerun.

The key does not include the demand engine: the engines agree to 1e-9 relative (DESIGN.md), so
a store filled with one engine is reused with the other.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..data import parameter_table
from ..data import parameters as default_parameters
from ..exceptions import AnalysisError
from ..io.input_errors import did_you_mean
from ..scenario import LoadedScenario
from ..scenario.base import distinct_names
from ..scenario.checks import value_problem
from ..scenario.models import MeasureBase

#: Values allowed as job tags (they become columns of the sweep table).
Scalar = str | int | float | bool

#: Version of the key recipe; bump it when the recipe changes so old stores are not reused.
KEY_VERSION = "mobility_sim.job/1"


@dataclass(frozen=True)
class MeasureSetting:
    """A new value for one numeric field of one measure.

    Attributes
    ----------
    index : int
        Position of the measure in the base scenario's ``measures``.
    field : str
        Field name (e.g. ``share``, ``headway_factor``).
    value : float
        The new value (validated by the measure's schema when the job is resolved).
    """

    index: int
    field: str
    value: float


@dataclass(frozen=True)
class Job:
    """One run: a base scenario and the changes to make to it.

    Attributes
    ----------
    base : LoadedScenario
        The scenario as loaded (with its city and measure masks).
    parameters : mapping of str to float
        Overrides of model parameters, merged over the scenario's own ``parameters``; keys are
        those of ``mobility_sim/data/parameters.csv``.
    measures : tuple of int, optional
        Positions of the base measures to keep (``None``: all). ``()`` runs without measures.
    settings : tuple of MeasureSetting
        New values of numeric measure fields, applied before the subset is taken.
    tags : mapping of str to scalar
        Labels carried into the results table (e.g. ``sample``, ``subset``).
    """

    base: LoadedScenario
    parameters: Mapping[str, float] = field(default_factory=dict)
    measures: tuple[int, ...] | None = None
    settings: tuple[MeasureSetting, ...] = ()
    tags: Mapping[str, Scalar] = field(default_factory=dict)


def check_parameters(overrides: Mapping[str, Any], where: str) -> dict[str, float]:
    """Return ``overrides`` as floats, or raise listing every unknown key and bad value.

    Parameters
    ----------
    overrides : mapping
        Parameter key -> value.
    where : str
        What the overrides come from, for the message (``file:line`` or an option name).

    Raises
    ------
    AnalysisError
        One line per unknown key (with a suggestion), non-finite value or value out of the
        parameter's range (the scenario files' rule, :func:`..scenario.checks.value_problem`).
    """
    known = default_parameters()
    table = parameter_table()
    units = dict(zip(table["key"], table["unit"].astype(str), strict=True))
    problems: list[str] = []
    out: dict[str, float] = {}
    for key, value in overrides.items():
        if key not in known:
            problems.append(f"{where}: unknown parameter {key!r}{did_you_mean(key, list(known))};"
                            " see mobility_sim/data/parameters.csv")
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            problems.append(f"{where}: parameter {key!r} = {value!r} is not a number")
            continue
        if not math.isfinite(number):
            problems.append(f"{where}: parameter {key!r} = {value!r} is not finite")
            continue
        problem = value_problem(key, number, units[key])
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        out[key] = number
    if problems:
        raise AnalysisError(problems)
    return out


def numeric_fields(measure: MeasureBase) -> list[str]:
    """Return the names of the measure's own numeric fields (not start, end, cost)."""
    skip = set(MeasureBase.model_fields)
    return [name for name in type(measure).model_fields
            if name not in skip and _is_number(getattr(measure, name))]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def set_measure_field(measure: MeasureBase, name: str, value: float, where: str) -> MeasureBase:
    """Return a copy of ``measure`` with field ``name`` set to ``value``, validated.

    Parameters
    ----------
    measure : MeasureBase
        The measure.
    name : str
        A numeric field of the measure (see :func:`numeric_fields`).
    value : float
        New value.
    where : str
        Place for the error message.

    Raises
    ------
    AnalysisError
        If the field is unknown or not numeric, or the value breaks the measure's schema.
    """
    fields = numeric_fields(measure)
    kind = getattr(measure, "type", type(measure).__name__)
    if name not in fields:
        raise AnalysisError(
            f"{where}: measure type {kind!r} has no numeric field {name!r}"
            f"{did_you_mean(name, fields)}; its numeric fields: {', '.join(fields) or 'none'}")
    # Field values as they are (nested models stay models: the schema is strict).
    data = {key: getattr(measure, key) for key in measure.model_fields_set | {"type"}}
    # Integer fields (counts) take the nearest integer.
    current = getattr(measure, name)
    data[name] = round(value) if isinstance(current, int) else float(value)
    try:
        return type(measure).model_validate(data)
    except ValidationError as exc:
        reasons = "; ".join(e["msg"] for e in exc.errors())
        raise AnalysisError(f"{where}: {kind}.{name} = {value!r} is not allowed ({reasons});"
                            " narrow the bounds") from None


def resolve(job: Job) -> LoadedScenario:
    """Apply the job's changes to its base and return the scenario to simulate.

    The returned scenario's ``content_hash`` is the job key.

    Raises
    ------
    AnalysisError
        If a parameter key, a measure position or a measure field is invalid.
    """
    base = job.base
    scenario = base.scenario
    n = len(scenario.measures)
    measures = list(scenario.measures)
    for s in job.settings:
        if not 0 <= s.index < n:
            raise AnalysisError(f"job setting {s.field}={s.value}: measure position {s.index} "
                                f"does not exist ({base.path} has {n} measures, 0-{n - 1})")
        measures[s.index] = set_measure_field(measures[s.index], s.field, s.value,
                                              f"{base.path}: measures.{s.index}")
    keep = tuple(range(n)) if job.measures is None else tuple(job.measures)
    bad = [i for i in keep if not 0 <= i < n]
    if bad or len(set(keep)) != len(keep):
        raise AnalysisError(f"job measure subset {keep}: positions must be distinct and in "
                            f"0-{n - 1} ({base.path} has {n} measures)")
    params = {**scenario.parameters, **check_parameters(job.parameters, "job parameters")}
    changed = scenario.model_copy(update={"measures": [measures[i] for i in keep],
                                          "parameters": params})
    return dataclasses.replace(base, scenario=changed, masks=[base.masks[i] for i in keep],
                               content_hash=_key(base.content_hash, changed))


def _key(base_hash: str, scenario: Any) -> str:
    h = hashlib.sha256()
    h.update(KEY_VERSION.encode())
    h.update(base_hash.encode())
    h.update(json.dumps(scenario.model_dump(mode="json"), sort_keys=True).encode())
    return h.hexdigest()


def job_key(job: Job) -> str:
    """Return the job's key: SHA-256 of the base content hash and the changed scenario."""
    return resolve(job).content_hash


def measure_names(loaded: LoadedScenario) -> list[str]:
    """Return one distinct display name per measure (repeats get `` (2)``, `` (3)``...)."""
    return distinct_names([m.display_label for m in loaded.scenario.measures])


def find_measure(loaded: LoadedScenario, ref: Any, where: str) -> int:
    """Return the position of the measure ``ref`` (a position, or a label as in charts).

    Raises
    ------
    AnalysisError
        If no measure matches, with the closest label and the list of measures.
    """
    names = measure_names(loaded)
    if isinstance(ref, int) and not isinstance(ref, bool):
        if 0 <= ref < len(names):
            return ref
        raise AnalysisError(f"{where}: measure position {ref} does not exist in {loaded.path} "
                            f"(0-{len(names) - 1})")
    text = str(ref)
    if text in names:
        return names.index(text)
    if text.isdigit() and int(text) < len(names):
        return int(text)
    raise AnalysisError(f"{where}: no measure {text!r}{did_you_mean(text, names)} in "
                        f"{loaded.path}; measures: "
                        + ", ".join(f"{i}: {n}" for i, n in enumerate(names)))


def base_tags(loaded: LoadedScenario) -> dict[str, Scalar]:
    """Tags every job of ``loaded`` carries: scenario name and city slug."""
    return {"scenario": loaded.scenario.name, "city": loaded.city.slug}


def subset_label(subset: Sequence[int]) -> str:
    """Return a coalition as text: measure positions joined by ``+`` (``-`` for none)."""
    return "+".join(str(i) for i in sorted(subset)) or "-"
