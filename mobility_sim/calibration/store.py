"""Writing ``cities/<slug>/calibration.yaml`` (parameters with date, targets, sources, fit).

Reading a calibration, and layering it between the defaults and a scenario's overrides, is the
model's (:mod:`mobility_sim.model.parameters`). Here: the file's content, the fingerprint of
the inputs it was fitted on, and whether a city's calibration is still current.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

from ..city import City
from ..model.base_year import base_year_arrays
from ..model.parameters import calibration_path, read_calibration, resolve_parameters
from ..yamlio import dump_yaml, write_text_atomic


def inputs_fingerprint(city: City, values: Mapping[str, float]) -> str:
    """Hash of the baseline model arrays a calibration was fitted on, constants left out.

    Built from the baseline's per-cell inputs and its parameters other than the constants, so
    that it changes when the grid, the city's metadata or a default the baseline uses changes,
    but not when an unrelated parameter (a measure's setting) is added. A changed fingerprint
    means the calibration should be redone.
    """
    _, _, inputs, params = base_year_arrays(city, values)
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
    defaults = resolve_parameters(city, calibration=False)
    return "current" if stored == inputs_fingerprint(city, defaults) else "stale"


def write_calibration(path: str | os.PathLike[str], content: Mapping[str, Any],
                      header: str) -> None:
    """Write a calibration file atomically, with a comment header."""
    stream = io.StringIO()
    dump_yaml(dict(content), stream)
    lines = "".join(f"# {line}\n" for line in header.splitlines())
    write_text_atomic(path, lines + stream.getvalue())
