"""Emergent model quantities beside independent published figures (not used in calibration).

``mobility_sim/data/validation_figures.csv`` holds, per city, published figures the model was
never fitted to: mean trip length by mode, transport greenhouse gases, vehicle-km. Each row
says its definition and how it differs from what the model counts (survey area, population,
vehicles, tank-to-wheel or not). :func:`compare_figures` puts the model's value beside each one
with the ratio model / published. The ratio is reported, never required to be near 1: where the
definitions differ, a ratio far from 1 is expected and the row says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..city import City
from ..data import read_table
from ..exceptions import CalibrationError
from ..kernels.spec import CAR_MODES, MODES, PURPOSES, DemandOutputs
from .outputs import mean_trip_length
from .targets import SURVEY_MODES

FILE = "mobility_sim/data/validation_figures.csv"
COLUMNS = ("city", "quantity", "value", "unit", "year", "definition", "differs_from_model",
           "source")


@dataclass(frozen=True)
class ModelQuantity:
    """How the model computes one comparable quantity.

    Attributes
    ----------
    unit : str
        The unit published figures of this quantity must be given in.
    definition : str
        What the model counts.
    compute : callable
        ``(city, daily outputs, days per year) -> value`` in ``unit``.
    """

    unit: str
    definition: str
    compute: Callable[[City, DemandOutputs, float], float]


def _trip_length(modes: tuple[int, ...]) -> Callable[[City, DemandOutputs, float], float]:
    purposes = tuple(range(len(PURPOSES)))
    return lambda city, out, days: mean_trip_length(out, purposes, modes)


def _co2_per_capita(city: City, out: DemandOutputs, days: float) -> float:
    return float(out.co2_ttw.sum()) * days / city.population if city.population else np.nan


def _co2_kt(city: City, out: DemandOutputs, days: float) -> float:
    return float(out.co2_ttw.sum()) * days / 1e6


def _car_vkm_million(city: City, out: DemandOutputs, days: float) -> float:
    return float(out.vkm[:, list(CAR_MODES)].sum()) * days / 1e6


_TRIPS = ("mean network distance per trip of the urban-centre residents' modelled trips (all "
          "purposes, all days), {what}")
#: The quantities a published figure can be compared with, by name.
MODEL_QUANTITIES: dict[str, ModelQuantity] = {
    **{f"mean_trip_km.{mode}": ModelQuantity("km", _TRIPS.format(what=f"main mode {mode}"),
                                             _trip_length(idx))
       for mode, idx in SURVEY_MODES.items()},
    "mean_trip_km.all": ModelQuantity("km", _TRIPS.format(what="all modes"),
                                      _trip_length(tuple(range(len(MODES))))),
    "ghg_per_capita_kg": ModelQuantity(
        "kg CO2e/person/year", "tank-to-wheel CO2e of the residents' modelled passenger trips "
        "(cars by vehicle-km, buses by passenger-km) per resident of the urban-centre grid",
        _co2_per_capita),
    "road_ghg_kt": ModelQuantity(
        "kt CO2e/year", "tank-to-wheel CO2e of the urban-centre residents' modelled passenger "
        "trips per year (cars and buses)", _co2_kt),
    "motor_vkm_million": ModelQuantity(
        "million vkm/year", "car vehicle-km of the urban-centre residents' modelled trips per "
        "year (buses, vans and lorries not included)", _car_vkm_million),
}


def published_figures() -> pd.DataFrame:
    """Read and check the packaged independent figures.

    Returns
    -------
    pandas.DataFrame
        One row per published figure, columns as in the file.

    Raises
    ------
    CalibrationError
        Naming the file, the line and the fix, for an unknown quantity, a unit that is not the
        one the model reports, a missing or non-positive value, or a missing source.
    """
    table = read_table("validation_figures.csv")
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise CalibrationError(f"{FILE}: missing columns {missing}; the header must be "
                               f"{','.join(COLUMNS)}")
    problems = []
    for line, row in enumerate(table.itertuples(index=False), start=2):
        where = f"{FILE}:{line}: {row.city} {row.quantity}"
        spec = MODEL_QUANTITIES.get(row.quantity)
        if spec is None:
            problems.append(f"{where}: unknown quantity; use one of "
                            f"{', '.join(sorted(MODEL_QUANTITIES))}")
            continue
        if row.unit != spec.unit:
            problems.append(f"{where}: unit {row.unit!r}; convert the figure to {spec.unit!r}")
        value = pd.to_numeric(row.value, errors="coerce")
        if not (np.isfinite(value) and value > 0):
            problems.append(f"{where}: value {row.value!r} must be a positive number")
        for column in ("definition", "differs_from_model", "source"):
            text = getattr(row, column)
            if not isinstance(text, str) or len(text.strip()) < 10:
                problems.append(f"{where}: give the {column.replace('_', ' ')}")
    if problems:
        raise CalibrationError(problems)
    return table


def compare_figures(city: City, out: DemandOutputs, days: float,
                    published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Put the model's emergent quantities beside a city's published figures.

    Parameters
    ----------
    city : City
        The city (matched on its slug).
    out : DemandOutputs
        Daily outputs of the (calibrated) baseline.
    days : float
        Days per year (``annual.days_per_year``).
    published : pandas.DataFrame, optional
        Figures to compare with (default: :func:`published_figures`).

    Returns
    -------
    pandas.DataFrame
        ``quantity, unit, year, published, model, ratio, definition, model_definition,
        differs_from_model, source``; empty (same columns) when the city has no figure.
    """
    published = published_figures() if published is None else published
    rows = []
    for row in published[published["city"] == city.slug].itertuples(index=False):
        spec = MODEL_QUANTITIES[row.quantity]
        model = float(spec.compute(city, out, days))
        value = float(row.value)
        rows.append({"quantity": row.quantity, "unit": row.unit, "year": int(row.year),
                     "published": value, "model": model,
                     "ratio": model / value if value else np.nan,
                     "definition": row.definition, "model_definition": spec.definition,
                     "differs_from_model": row.differs_from_model, "source": row.source})
    columns = ["quantity", "unit", "year", "published", "model", "ratio", "definition",
               "model_definition", "differs_from_model", "source"]
    return pd.DataFrame(rows, columns=columns)
