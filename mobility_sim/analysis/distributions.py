"""Parameter distributions read from YAML, for Monte Carlo and sensitivity analysis.

A distribution file names model parameters (any key of ``mobility_sim/data/parameters.csv``,
i.e. any key a scenario's ``parameters:`` accepts: behavioural constants, emission factors,
fleet lifetimes, the grid trajectory as the fleet model adds them) and gives each a
distribution and its source. Example (``scenarios/uncertainty/behaviour.yaml``):

.. code-block:: yaml

    name: behaviour
    description: Behavioural constants of the mode choice model.
    parameters:
      utility.time.car:
        distribution: uniform
        low: -0.10
        high: -0.06
        source: "assumption: +-25 % around the uncalibrated default -0.08"
      car.occupancy:
        distribution: triangular
        low: 1.4
        mode: 1.6
        high: 1.8
        source: "INE IMob 2017 (1.56 Porto to 1.60 Lisbon), widened (assumption)"

Distributions: ``uniform`` (low, high), ``triangular`` (low, mode, high), ``normal`` (mean, sd)
and ``truncated_normal`` (mean, sd, low, high). Every entry needs a ``source`` (a citation, or
the word "assumption" and why). A sampled value replaces the scenario's own value of that
parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from scipy import stats

from ..data import parameters as default_parameters
from ..exceptions import AnalysisError, DistributionError
from ..io.input_errors import did_you_mean, format_validation_error
from ..io.yamlio import read_yaml
from ..scenario import LoadedScenario
from .jobs import Job, MeasureSetting, Scalar, find_measure, numeric_fields

#: Quantiles that stand for 0 and 1 when a screening design puts an unbounded distribution at
#: the ends of its range (Morris levels include 0 and 1): the 0.5 % and 99.5 % quantiles.
UNBOUNDED_CLIP = (0.005, 0.995)


class _Distribution(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    source: str = Field(min_length=1)
    """Where the range comes from: a citation, or "assumption" and why."""

    #: Whether the distribution has finite lower and upper ends.
    bounded: ClassVar[bool] = False

    def frozen(self) -> stats.rv_continuous:  # pragma: no cover - every subclass overrides
        """Return the scipy distribution."""
        raise NotImplementedError

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Map probabilities in [0, 1] to values (the inverse distribution function)."""
        return np.asarray(self.frozen().ppf(u), dtype=float)


class Uniform(_Distribution):
    """Every value between ``low`` and ``high`` equally likely."""

    distribution: Literal["uniform"]
    low: float
    high: float
    bounded: ClassVar[bool] = True

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self

    def frozen(self) -> stats.rv_continuous:
        """Return the scipy distribution."""
        return stats.uniform(loc=self.low, scale=self.high - self.low)


class Triangular(_Distribution):
    """Triangular between ``low`` and ``high`` with its peak at ``mode``."""

    distribution: Literal["triangular"]
    low: float
    mode: float
    high: float
    bounded: ClassVar[bool] = True

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low < self.high and self.low <= self.mode <= self.high):
            raise ValueError(f"need low <= mode <= high and low < high (got low {self.low}, "
                             f"mode {self.mode}, high {self.high})")
        return self

    def frozen(self) -> stats.rv_continuous:
        """Return the scipy distribution."""
        width = self.high - self.low
        return stats.triang(c=(self.mode - self.low) / width, loc=self.low, scale=width)


class Normal(_Distribution):
    """Normal with ``mean`` and standard deviation ``sd`` (unbounded: prefer truncated)."""

    distribution: Literal["normal"]
    mean: float
    sd: float = Field(gt=0)

    def frozen(self) -> stats.rv_continuous:
        """Return the scipy distribution."""
        return stats.norm(loc=self.mean, scale=self.sd)


class TruncatedNormal(_Distribution):
    """Normal with ``mean`` and ``sd``, cut to ``low``-``high``."""

    distribution: Literal["truncated_normal"]
    mean: float
    sd: float = Field(gt=0)
    low: float
    high: float
    bounded: ClassVar[bool] = True

    @model_validator(mode="after")
    def _ordered(self) -> TruncatedNormal:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self

    def frozen(self) -> stats.rv_continuous:
        """Return the scipy distribution."""
        a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        return stats.truncnorm(a, b, loc=self.mean, scale=self.sd)


Distribution = Annotated[Uniform | Triangular | Normal | TruncatedNormal,
                         Field(discriminator="distribution")]
KINDS: tuple[str, ...] = ("uniform", "triangular", "normal", "truncated_normal")


class DistributionFile(BaseModel):
    """A distribution file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    """Short name of the set of distributions."""
    description: str = ""
    """What the distributions represent."""
    parameters: dict[str, Distribution] = Field(default_factory=dict)
    """Parameter key -> distribution."""
    measures: dict[str, dict[str, Distribution]] = Field(default_factory=dict)
    """Measure label (or position) -> numeric field -> distribution: an uncertain measure
    effect or setting (e.g. the grid trajectory's ``reduction``)."""


@dataclass(frozen=True)
class Entry:
    """One uncertain input: a parameter key, or a numeric field of a measure.

    Attributes
    ----------
    name : str
        The parameter key, or ``<measure>.<field>``.
    distribution : _Distribution
        Its distribution.
    measure : str or None
        The measure's label or position (``None`` for a parameter).
    field : str or None
        The measure's field.
    where : str
        ``file:line`` of the entry, for messages.
    """

    name: str
    distribution: _Distribution
    measure: str | None = None
    field: str | None = None
    where: str = ""


class ParameterSpace:
    """The uncertain inputs: names, distributions, unit-cube -> value mapping, job changes.

    Parameters
    ----------
    entries : list of Entry
        The uncertain inputs, in file order.
    name : str
        Name of the set.
    path : Path, optional
        The file it was read from.
    """

    def __init__(self, entries: list[Entry], name: str = "distributions",
                 path: Path | None = None) -> None:
        self.entries = list(entries)
        self.name = name
        self.path = path

    @classmethod
    def of_parameters(cls, distributions: dict[str, _Distribution]) -> ParameterSpace:
        """Build a space of parameter keys only (no file)."""
        return cls([Entry(k, d) for k, d in distributions.items()])

    @property
    def names(self) -> list[str]:
        """Input names, in file order."""
        return [e.name for e in self.entries]

    def unit_problem(self) -> dict:
        """Return a SALib problem on the unit cube (values are mapped by :meth:`from_unit`)."""
        return {"num_vars": len(self.names), "names": self.names,
                "bounds": [[0.0, 1.0]] * len(self.names)}

    def from_unit(self, u: np.ndarray, clip_unbounded: bool = False) -> np.ndarray:
        """Map points of the unit cube, shape (n, k), to input values, shape (n, k).

        ``clip_unbounded`` maps 0 and 1 of unbounded distributions to the quantiles
        :data:`UNBOUNDED_CLIP` instead of infinity (used for Morris designs).
        """
        u = np.atleast_2d(np.asarray(u, dtype=float))
        out = np.empty_like(u)
        lo, hi = UNBOUNDED_CLIP
        for k, entry in enumerate(self.entries):
            col = u[:, k]
            if clip_unbounded and not entry.distribution.bounded:
                col = lo + col * (hi - lo)
            out[:, k] = entry.distribution.ppf(col)
        return out

    def check(self, loaded: LoadedScenario) -> None:
        """Check that every measure entry names a measure and numeric field of ``loaded``.

        Raises
        ------
        DistributionError
            One line per entry that does not fit the scenario, naming the file and line.
        """
        problems: list[str] = []
        for entry in self.entries:
            if entry.measure is None:
                continue
            try:
                i = find_measure(loaded, entry.measure, entry.where)
                measure = loaded.scenario.measures[i]
                fields = numeric_fields(measure)
                if entry.field not in fields:
                    problems.append(
                        f"{entry.where}: measure {entry.measure!r} of {loaded.path} has no "
                        f"numeric field {entry.field!r}{did_you_mean(str(entry.field), fields)};"
                        f" its numeric fields: {', '.join(fields) or 'none'}")
            except AnalysisError as exc:
                problems += exc.problems
        if problems:
            raise DistributionError(problems)

    def changes(self, loaded: LoadedScenario, row: Sequence[float]
                ) -> tuple[dict[str, float], tuple[MeasureSetting, ...]]:
        """Turn one row of values into a job's parameter overrides and measure settings."""
        params: dict[str, float] = {}
        settings: list[MeasureSetting] = []
        for entry, value in zip(self.entries, row, strict=True):
            if entry.measure is None:
                params[entry.name] = float(value)
            else:
                i = find_measure(loaded, entry.measure, entry.where)
                settings.append(MeasureSetting(i, str(entry.field), float(value)))
        return params, tuple(settings)

    def jobs(self, loaded: LoadedScenario, values: np.ndarray,
             tags: dict[str, Scalar] | None = None) -> list[Job]:
        """Return one job per row of ``values``, tagged ``sample`` (the row) and ``tags``."""
        self.check(loaded)
        out = []
        for i, row in enumerate(np.atleast_2d(values)):
            params, settings = self.changes(loaded, row)
            out.append(Job(base=loaded, parameters=params, settings=settings,
                           tags={**(tags or {}), "sample": i}))
        return out


def read_distributions(path: str | Path) -> ParameterSpace:
    """Read and check a distribution file.

    Measure entries are checked against a scenario later (:meth:`ParameterSpace.check`).

    Raises
    ------
    DistributionError
        Every problem, as ``file:line: path: message`` (unknown parameter keys with a
        suggestion, unknown distributions, missing or inconsistent values, missing sources).
    """
    path = Path(path)
    doc = read_yaml(path, error=DistributionError)
    if not isinstance(doc.data, dict):
        raise DistributionError(f"{path}:1: (top level): a distribution file is a mapping "
                                "with name, description, parameters and measures")
    problems: list[str] = []
    known = default_parameters()
    specs: list[tuple[list[Any], Any]] = []
    params = doc.data.get("parameters")
    if isinstance(params, dict):
        for key, spec in params.items():
            loc = ["parameters", key]
            specs.append((loc, spec))
            if key not in known:
                problems.append(f"{path}:{doc.line_of(loc)}: parameters.{key}: unknown parameter "
                                f"{key!r}{did_you_mean(key, list(known))}; see "
                                "mobility_sim/data/parameters.csv")
    measures = doc.data.get("measures")
    if isinstance(measures, dict):
        for ref, fields in measures.items():
            if isinstance(fields, dict):
                specs += [(["measures", ref, f], spec) for f, spec in fields.items()]
    for loc, spec in specs:
        kind = spec.get("distribution") if isinstance(spec, dict) else None
        if kind is not None and kind not in KINDS:
            dotted = ".".join(str(p) for p in loc)
            problems.append(f"{path}:{doc.line_of([*loc, 'distribution'])}: {dotted}"
                            f".distribution: unknown distribution {kind!r}"
                            f"{did_you_mean(str(kind), KINDS)}; use one of: {', '.join(KINDS)}")
    if problems:
        raise DistributionError(problems)
    try:
        parsed = DistributionFile.model_validate(doc.data)
    except ValidationError as exc:
        lines = format_validation_error(exc, doc, path, root=DistributionFile)
        raise DistributionError([_untag(line) for line in lines]) from None
    entries = [Entry(key, dist, where=f"{path}:{doc.line_of(['parameters', key])}")
               for key, dist in parsed.parameters.items()]
    for ref, fields in parsed.measures.items():
        entries += [Entry(f"{ref}.{f}", dist, measure=ref, field=f,
                          where=f"{path}:{doc.line_of(['measures', ref, f])}")
                    for f, dist in fields.items()]
    if not entries:
        raise DistributionError(f"{path}:1: give at least one distribution under 'parameters' "
                                "or 'measures'")
    return ParameterSpace(entries, name=parsed.name, path=path)


def _untag(line: str) -> str:
    """Drop pydantic's union tag from a dotted path (``parameters.x.uniform.low``)."""
    for kind in KINDS:
        line = line.replace(f".{kind}.", ".").replace(f".{kind}:", ":")
    return line
