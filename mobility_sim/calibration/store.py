"""``cities/<slug>/calibration.yaml``: calibrated parameters with date, targets, sources and fit.

This module imports neither the kernels nor :mod:`mobility_sim.simulate`, so that the runner can
read a city's calibration (:func:`calibrated_parameters`) without import cycles.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..city import City
from ..city.model import resolve_city_path
from ..data import parameters
from ..kernels.spec import PURPOSES
from ..yamlio import dump_yaml, read_yaml, write_text_atomic
from .errors import CalibrationError
from .keys import ASC_PREFIX, parse_asc_key

FILE_NAME = "calibration.yaml"
_OTHER_KEYS = {f"destination.scale.{p}" for p in PURPOSES} | {f"trip_rate.{p}" for p in PURPOSES}


def calibration_path(city: City | str | os.PathLike[str]) -> Path:
    """Return where a city's ``calibration.yaml`` lives (it may not exist)."""
    if isinstance(city, City):
        if city.path is None:
            raise CalibrationError(f"city {city.slug!r} was not loaded from a folder; it has no "
                                   "place for a calibration.yaml")
        return city.path / FILE_NAME
    return resolve_city_path(city) / FILE_NAME


def validate_parameters(raw: Any, where: str) -> tuple[dict[str, float], list[str]]:
    """Check the ``parameters`` mapping of a calibration file; return values and problems."""
    if not isinstance(raw, dict) or not raw:
        return {}, [f"{where}: 'parameters' must be a non-empty mapping of key: number; rerun "
                    "'mobility-sim calibrate'"]
    values: dict[str, float] = {}
    problems: list[str] = []
    for key, value in raw.items():
        try:
            known = parse_asc_key(key) is not None or key in _OTHER_KEYS
        except KeyError as exc:
            problems.append(f"{where}: parameters.{key}: {exc.args[0]}")
            continue
        if not known:
            problems.append(f"{where}: parameters.{key}: not a calibrated parameter (allowed: "
                            f"{ASC_PREFIX}<segment>.<purpose>.<mode>, destination.scale.<purpose>,"
                            " trip_rate.<purpose>)")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{where}: parameters.{key}: {value!r} is not a number")
        else:
            values[key] = float(value)
    return values, problems


def read_calibration(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check a calibration file.

    Raises
    ------
    CalibrationError
        If the file is missing, not YAML, or its parameters are malformed (``file:line``).
    """
    doc = read_yaml(path, error=CalibrationError)
    data = doc.data if isinstance(doc.data, dict) else {}
    where = f"{doc.path}:{doc.line_of(['parameters'])}"
    _, problems = validate_parameters(data.get("parameters"), where)
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
        Keys ``utility.asc.<segment>.<purpose>.<mode>`` and, when fitted,
        ``destination.scale.<purpose>`` and ``trip_rate.<purpose>``. Apply them on top of the
        defaults and below scenario overrides; the constants enter the model through
        :func:`mobility_sim.calibration.keys.apply_asc_overrides`.

    Raises
    ------
    CalibrationError
        If the file exists but is malformed.
    """
    path = calibration_path(city)
    if not path.is_file():
        return {}
    data = read_calibration(path)
    values, _ = validate_parameters(data["parameters"], str(path))
    return values


def inputs_fingerprint(city: City, values: Mapping[str, float]) -> str:
    """Hash of the baseline model arrays a calibration was fitted on, constants left out.

    Built from the baseline's per-cell inputs and its parameters other than the constants, so
    that it changes when the grid, the city's metadata or a default the baseline uses changes,
    but not when an unrelated parameter (a measure's setting) is added. A changed fingerprint
    means the calibration should be redone.
    """
    from .baseline import baseline_arrays

    _, _, inputs, params = baseline_arrays(city, values)
    digest = hashlib.sha256()
    for container in (inputs, params):
        for item in dataclasses.fields(container):
            if item.name == "asc":
                continue
            value = np.asarray(getattr(container, item.name))
            digest.update(item.name.encode())
            digest.update(np.ascontiguousarray(value).tobytes())
    return digest.hexdigest()[:16]


def calibration_status(city: City) -> Literal["none", "current", "stale"]:
    """Whether a city's calibration exists and was made on today's inputs and defaults."""
    path = calibration_path(city)
    if not path.is_file():
        return "none"
    data = read_calibration(path)
    stored = data.get("inputs_fingerprint")
    return "current" if stored == inputs_fingerprint(city, parameters()) else "stale"


def write_calibration(path: str | os.PathLike[str], content: Mapping[str, Any],
                      header: str) -> None:
    """Write a calibration file atomically, with a comment header."""
    stream = io.StringIO()
    dump_yaml(dict(content), stream)
    lines = "".join(f"# {line}\n" for line in header.splitlines())
    write_text_atomic(path, lines + stream.getvalue())
