"""The parameters of a model run: defaults < country < city < calibration < overrides.

:func:`resolve_parameters` is the one place where the layers are put together; every run
(a scenario, a calibration, a validation, the bench) gets its values from it. The result is a
:class:`Parameters`: a frozen, read-only mapping from the keys of the packaged tables
(``mobility_sim/data/parameters.csv``, ``fleet_parameters.csv``, ``health_parameters.csv``,
where each value's unit and source are given) to floats, which also records which layer each
value came from.

The city's calibration is ``cities/<slug>/calibration.yaml`` (written by ``mobility-sim
calibrate``). It holds alternative-specific constants per segment, purpose and mode
(``utility.asc.<segment>.<purpose>.<mode>``, :mod:`mobility_sim.model.asc`) and, when fitted,
``destination.scale.<purpose>``, ``destination.distance.<purpose>`` and ``trip_rate.<purpose>``.
Reading it lives here, with the layering; writing it is calibration's
(:mod:`mobility_sim.calibration.store`).
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from ..city import City
from ..city.model import resolve_city_path
from ..data import parameter_table, read_table
from ..data import parameters as default_values
from ..data.typed_parameters import ModelParameters
from ..exceptions import CalibrationError
from ..io.yamlio import read_yaml
from ..kernels.spec import PURPOSES
from ..reference.country import country_parameters
from ..scenario.checks import value_problem
from .asc import ASC_PREFIX, parse_asc_key

#: Where a value came from.
Origin = Literal["default", "country", "city", "transferred", "calibration", "override"]

#: File name of a city's calibration, inside its folder.
CALIBRATION_FILE = "calibration.yaml"
_OTHER_CALIBRATED = ({f"destination.scale.{purpose}" for purpose in PURPOSES}
                     | {f"destination.distance.{purpose}" for purpose in PURPOSES}
                     | {f"trip_rate.{purpose}" for purpose in PURPOSES})


@dataclass(frozen=True)
class Parameters(Mapping[str, float]):
    """Parameter values of one run, read-only, with the layer each value came from.

    A mapping from parameter key (``group.name[.qualifier]``, e.g. ``speed.walk``,
    ``parking.dwell_h.commute``, ``fleet.bus.annual_km``) to its value in the unit of the
    packaged table. The groups: ``geometry`` (distances), ``speed``, ``pt`` (stop access,
    headways, fares, new lines), ``car`` (costs, occupancy, ownership), ``parking``,
    ``trip_rate``, ``size`` and ``destination`` (destination choice), ``utility`` (mode-choice
    coefficients and constants), ``ebike``, ``bike``, ``speed_limit``, ``balancing``,
    ``annual``, ``fleet``, ``pt_supply``, ``emissions`` and ``health``. Read them typed through
    :attr:`typed` (:class:`~mobility_sim.data.typed_parameters.ModelParameters`).

    Attributes
    ----------
    values : mapping of str to float
        The values (a read-only view).
    origins : mapping of str to {"default", "country", "city", "transferred", "calibration",
        "override"}
        The layer each value came from.
    """

    values: Mapping[str, float]
    origins: Mapping[str, Origin] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))
        object.__setattr__(self, "origins", MappingProxyType(dict(self.origins)))

    def __getitem__(self, key: str) -> float:
        return self.values[key]

    @cached_property
    def typed(self) -> ModelParameters:
        """The values as a typed, documented object (``typed.pt.wait_cap``, ...)."""
        return ModelParameters.of(self.values)

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def updated(self, changes: Mapping[str, float],
                origin: Origin = "override") -> Parameters:
        """Return a copy with ``changes`` on top (recorded as coming from ``origin``)."""
        return Parameters({**self.values, **changes},
                          {**self.origins, **dict.fromkeys(changes, origin)})

    def from_layer(self, origin: Origin) -> dict[str, float]:
        """Return the values that came from one layer."""
        return {k: v for k, v in self.values.items() if self.origins.get(k) == origin}


def resolve_parameters(city: City | None = None,
                       overrides: Mapping[str, float] | None = None,
                       calibration: bool = True) -> Parameters:
    """Layer the parameters of a run: defaults < country < city < calibration < ``overrides``.

    Parameters
    ----------
    city : City, optional
        The city. Its country sets the values it has its own data for (car lifetime, fuel and
        electricity cost per km, :func:`mobility_sim.reference.country.country_parameters`),
        then the city
        its published figures (``parameters`` in ``city.yaml``); its
        ``calibration.yaml`` is applied when ``calibration`` is true and the city was loaded
        from a folder (in-memory cities, e.g. synthetic ones, have none).
    overrides : mapping, optional
        The scenario's (or the caller's) values, applied last.
    calibration : bool
        Apply the city's calibration; a city loaded from a folder without one gets the
        constants transferred from the calibrated cities instead
        (:func:`transferred_constants`, layer ``transferred``).

    Returns
    -------
    values : Parameters
        The values, each with the layer it came from.

    Raises
    ------
    CalibrationError
        If the city's calibration file exists but is malformed.
    """
    values = Parameters(default_values(), dict.fromkeys(default_values(), "default"))
    if city is not None:
        values = values.updated({k: v for k, (v, _) in
                                 country_parameters(city.meta.country).items()}, "country")
        values = values.updated({k: p.value for k, p in city.meta.parameters.items()}, "city")
    if calibration and city is not None and city.path is not None:
        if calibration_path(city).is_file():
            values = values.updated(calibrated_parameters(city), "calibration")
        else:
            values = values.updated(transferred_constants(), "transferred")
    return values.updated(dict(overrides or {}), "override")


#: The kinds of parameter a calibration file may hold, as messages name them.
CALIBRATED_KINDS = (f"{ASC_PREFIX}<segment>.<purpose>.<mode>, destination.scale.<purpose>, "
                    "destination.distance.<purpose>, trip_rate.<purpose>")
#: Packaged table of the constants transferred to cities without a calibration.
TRANSFERRED_TABLE = "transferred_constants.csv"


def is_calibrated_key(key: str) -> bool:
    """Return True for a parameter a calibration file may hold (:data:`CALIBRATED_KINDS`)."""
    try:
        return parse_asc_key(key) is not None or key in _OTHER_CALIBRATED
    except KeyError:
        return False


@lru_cache(maxsize=1)
def transferred_constants() -> dict[str, float]:
    """Constants for a city without calibration: the calibrated cities' mean (empty if none).

    Written by ``mobility-sim transfer-constants``
    (:mod:`mobility_sim.calibration.transfer_constants`), which states the rule and its
    leave-one-out error.
    """
    try:
        table = read_table(TRANSFERRED_TABLE)
    except FileNotFoundError:
        return {}
    return {str(k): float(v) for k, v in zip(table["key"], table["value"], strict=True)}


def calibration_path(city: City | str | os.PathLike[str]) -> Path:
    """Return where a city's ``calibration.yaml`` lives (it may not exist)."""
    if isinstance(city, City):
        if city.path is None:
            raise CalibrationError(f"city {city.slug!r} was not loaded from a folder; it has no "
                                   "place for a calibration.yaml")
        return city.path / CALIBRATION_FILE
    return resolve_city_path(city) / CALIBRATION_FILE


def validate_calibrated(raw: Any, where: str) -> tuple[dict[str, float], list[str]]:
    """Check the ``parameters`` mapping of a calibration file; return values and problems."""
    if not isinstance(raw, dict) or not raw:
        return {}, [f"{where}: 'parameters' must be a non-empty mapping of key: number; rerun "
                    "'mobility-sim calibrate'"]
    values: dict[str, float] = {}
    problems: list[str] = []
    for key, value in raw.items():
        try:
            known = parse_asc_key(key) is not None or key in _OTHER_CALIBRATED
        except KeyError as exc:
            problems.append(f"{where}: parameters.{key}: {exc.args[0]}")
            continue
        if not known:
            problems.append(f"{where}: parameters.{key}: not a calibrated parameter (allowed: "
                            f"{CALIBRATED_KINDS})")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{where}: parameters.{key}: {value!r} is not a number")
        else:
            problem = _calibrated_value_problem(key, float(value))
            if problem:
                problems.append(f"{where}: parameters.{key}: {problem}; rerun "
                                "'mobility-sim calibrate'")
            else:
                values[key] = float(value)
    return values, problems


#: Largest magnitude of a fitted alternative-specific constant (an assumption: a constant of
#: +-50 utils makes a mode certain or impossible; fitted constants are within a few utils).
MAX_ABS_ASC = 50.0


def _calibrated_value_problem(key: str, value: float) -> str | None:
    """Why a fitted value cannot be right (the scenario files' range rule), or None."""
    if not math.isfinite(value):
        return f"{value} is not a finite number"
    if key.startswith(ASC_PREFIX):
        return None if abs(value) <= MAX_ABS_ASC else (
            f"{value:g} is beyond +-{MAX_ABS_ASC:g}, which no fitted constant reaches")
    units = _units()
    return value_problem(key, value, units[key]) if key in units else None


@lru_cache(maxsize=1)
def _units() -> dict[str, str]:
    table = parameter_table()
    return dict(zip(table["key"], table["unit"].astype(str), strict=True))


def read_calibration(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check a calibration file.

    A file is parsed once per content on disk (path, modification time and size): every run
    reads it several times (checks, status, layering), and a sweep runs many times.

    Raises
    ------
    CalibrationError
        If the file is missing, not YAML, or its parameters are malformed (``file:line``).
    """
    try:
        stat = Path(path).stat()
    except OSError:
        return _read_calibration(str(path), 0, -1)  # the reader reports the missing file
    return copy.deepcopy(_read_calibration(str(Path(path).resolve()), stat.st_mtime_ns,
                                           stat.st_size))


@lru_cache(maxsize=64)
def _read_calibration(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    doc = read_yaml(path, error=CalibrationError)
    data = doc.data if isinstance(doc.data, dict) else {}
    where = f"{doc.path}:{doc.line_of(['parameters'])}"
    _, problems = validate_calibrated(data.get("parameters"), where)
    if problems:
        raise CalibrationError(problems)
    return data


def calibrated_parameters(city: City | str | os.PathLike[str]) -> dict[str, float]:
    """Return a city's calibrated parameter values, or ``{}`` if it has no calibration.yaml.

    Parameters
    ----------
    city : City, slug or path
        The city.

    Returns
    -------
    dict of str to float
        Keys ``utility.asc.<segment>.<purpose>.<mode>`` and, when fitted or given to the fit,
        ``destination.scale.<purpose>``, ``destination.distance.<purpose>`` and
        ``trip_rate.<purpose>``; :func:`resolve_parameters`
        puts them on top of the defaults and below the overrides.

    Raises
    ------
    CalibrationError
        If the file exists but is malformed.
    """
    path = calibration_path(city)
    if not path.is_file():
        return {}
    data = read_calibration(path)
    slug = city.slug if isinstance(city, City) else path.parent.name
    if data.get("city") != slug:
        doc = read_yaml(path, error=CalibrationError)
        raise CalibrationError(
            f"{path}:{doc.line_of(['city'])}: city: this calibration was made for "
            f"{data.get('city')!r}, not for {slug!r} (copied from another city?); refit it with "
            f"'mobility-sim calibrate {slug}', or delete the file to run uncalibrated")
    values, _ = validate_calibrated(data["parameters"], str(path))
    return values
