"""How much of a city's model input is its own data: real, proxy and default inputs, one score.

The inputs counted are the grid layers of ``city.yaml`` (population, jobs, car ownership, PT
stop distance and headway, cycle infrastructure, parking price): each ``real`` (observed data
for the cells), ``proxy`` (derived by a documented rule from a published figure or other data)
or ``default`` (the model's density-scaled default). The **score** is
``(real + 0.5 x proxy) / inputs``, in [0, 1] (a stated rule: a proxy counts half). The data
sheet's share of sourced fields is reported beside it; whether the city is calibrated is the
run's (``run.json`` ``calibration``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Weight of a proxy input in the score (a real input counts 1, a default 0).
PROXY_WEIGHT = 0.5


@dataclass(frozen=True)
class DataQuality:
    """A city's inputs by status and its score.

    Attributes
    ----------
    real, proxy, default : int
        Number of inputs of each status.
    sheet_sourced, sheet_fields : int or None
        Data-sheet fields with a sourced figure, and all fields (None: no sheet).
    """

    real: int
    proxy: int
    default: int
    sheet_sourced: int | None = None
    sheet_fields: int | None = None

    @property
    def inputs(self) -> int:
        """Number of inputs counted."""
        return self.real + self.proxy + self.default

    @property
    def score(self) -> float:
        """``(real + 0.5 x proxy) / inputs`` (0 without inputs)."""
        return (self.real + PROXY_WEIGHT * self.proxy) / self.inputs if self.inputs else 0.0

    @property
    def text(self) -> str:
        """E.g. '2 real, 2 proxy, 3 default inputs (score 0.43); data sheet 12/17 fields'."""
        sheet = ("no data sheet" if self.sheet_fields is None else
                 f"data sheet {self.sheet_sourced}/{self.sheet_fields} fields")
        return (f"{self.real} real, {self.proxy} proxy, {self.default} default inputs "
                f"(score {self.score:.2f}); {sheet}")

    def as_dict(self) -> dict[str, Any]:
        """Plain data for a run's metadata."""
        return {"real": self.real, "proxy": self.proxy, "default": self.default,
                "score": round(self.score, 3), "sheet_sourced": self.sheet_sourced,
                "sheet_fields": self.sheet_fields, "text": self.text}


def data_quality(layers: Mapping[str, Any], sheet: Any = None) -> DataQuality:
    """Count a city's inputs by status (``layers``: name -> Layer or dict) and its sheet.

    Parameters
    ----------
    layers : mapping
        ``city.yaml`` layers (objects with ``status`` or dicts with ``"status"``).
    sheet : DataSheet, optional
        The city's data sheet.
    """
    counts = {"real": 0, "proxy": 0, "default": 0}
    for layer in layers.values():
        status = layer.get("status") if isinstance(layer, Mapping) else layer.status
        counts[status if status in counts else "default"] += 1
    if sheet is None:
        return DataQuality(**counts)
    return DataQuality(**counts, sheet_sourced=sheet.n_sourced,
                       sheet_fields=len(sheet.coverage()))
