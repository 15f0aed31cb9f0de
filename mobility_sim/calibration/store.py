"""Writing ``cities/<slug>/calibration.yaml`` (parameters with date, targets, sources, fit).

Reading a calibration, layering it between the defaults and a scenario's overrides, and
checking that it was made for today's inputs (its fingerprint) are the model's
(:mod:`mobility_sim.model.parameters`, :mod:`mobility_sim.model.base_year`). Here: writing it.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from typing import Any

from ..io.yamlio import dump_yaml, write_text_atomic


def write_calibration(path: str | os.PathLike[str], content: Mapping[str, Any],
                      header: str) -> None:
    """Write a calibration file atomically, with a comment header."""
    stream = io.StringIO()
    dump_yaml(dict(content), stream)
    lines = "".join(f"# {line}\n" for line in header.splitlines())
    write_text_atomic(path, lines + stream.getvalue())
