"""Calibrate a city: read its published split, fit the baseline, write ``calibration.yaml``."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._version import __version__
from ..city import City, load_city
from ..data.typed_parameters import ModelParameters
from ..exceptions import CalibrationError
from ..kernels.spec import PURPOSES
from ..model.asc import ASC_MODES
from ..model.base_year import BaselineModel, inputs_fingerprint
from ..model.kernel import KernelFn
from ..model.modes import SURVEY_MODES
from ..model.parameters import (
    CALIBRATED_KINDS,
    calibration_path,
    is_calibrated_key,
    resolve_parameters,
)
from .fit import CalibrationResult, calibrate_baseline
from .outputs import mean_trip_length
from .store import write_calibration
from .targets import TotalTarget, TripLengthTarget, choose_split, read_split

METHOD = (
    "Alternative-specific constants per mode (same shift for every segment, car class and "
    "income group, and every purpose the split covers; walk is the reference) fitted by "
    "asc += ln(target/modelled) with destination choice re-run each iteration; optional "
    "destination-scale factor by false position on its logarithm; optional common trip-rate "
    "factor to an annual total."
)


@dataclass(frozen=True)
class CityCalibration:
    """A calibrated city: the fit, its file and what it means.

    Attributes
    ----------
    city : City
        The city.
    result : CalibrationResult
        Fit and calibrated parameters.
    content : dict
        What is (or would be) written to ``calibration.yaml``.
    path : pathlib.Path or None
        Where it was written (None when not written).
    """

    city: City
    result: CalibrationResult
    content: dict[str, Any]
    path: Path | None


def _require_source(source: str | None, what: str) -> str:
    if not source or not source.strip():
        raise CalibrationError(f"{what}: give its source (a citation, or a text starting with "
                               "'assumption' saying why the figure is used)")
    return source.strip()


def trip_length_target(km: float, source: str | None, purposes: str = "all",
                       fit: str = "scale") -> TripLengthTarget:
    """Build a mean-trip-length target; the source is required.

    ``fit`` is what the target is fitted with: ``scale`` (the logsum coefficients) or
    ``distance`` (destination choice's own distance term, the coefficients kept).

    Raises
    ------
    CalibrationError
        Without a source, or with a non-positive length, unknown purposes or fit.
    """
    from .targets import purposes_of

    if not km > 0:
        raise CalibrationError(f"trip length target {km} km: must be positive")
    if fit not in ("scale", "distance"):
        raise CalibrationError(f"trip length fit {fit!r}: use 'scale' (the logsum "
                               "coefficients) or 'distance' (destination choice's distance "
                               "term)")
    return TripLengthTarget(km=float(km), purposes=purposes_of(purposes, "trip length target"),
                            source=_require_source(source, "trip length target"),
                            fit=fit)  # type: ignore[arg-type]


def total_target(quantity: str, value: float, source: str | None) -> TotalTarget:
    """Build an annual-total target (``car_vkm`` or ``co2_ttw_t``); the source is required."""
    if quantity not in ("car_vkm", "co2_ttw_t"):
        raise CalibrationError(f"total target {quantity!r}: use 'car_vkm' or 'co2_ttw_t'")
    if not value > 0:
        raise CalibrationError(f"total target {quantity} = {value}: must be positive")
    return TotalTarget(quantity=quantity, value=float(value),  # type: ignore[arg-type]
                       source=_require_source(source, f"total target {quantity}"))


def emergent_figures(city: City, out: Any, days: float) -> dict[str, Any]:
    """Quantities the calibration did not fit: mean trip length by mode, CO2 per resident."""
    all_purposes = tuple(range(len(PURPOSES)))
    by_mode = {m: round(mean_trip_length(out, all_purposes, idx), 3)
               for m, idx in SURVEY_MODES.items()}
    population = city.population
    co2 = float(out.co2_ttw.sum()) * days / 1000.0
    return {
        "mean_trip_length_km": {"all_modes": round(mean_trip_length(out, all_purposes), 3),
                                **by_mode},
        "co2_ttw_per_resident_kg_per_year": round(1000.0 * co2 / population, 1)
        if population else None,
        "trips_per_resident_per_day": round(float(out.trips.sum()) / population, 3)
        if population else None,
    }


def calibrate(city: City | str | os.PathLike[str], split_year: int | None = None,
              trip_length: TripLengthTarget | None = None, total: TotalTarget | None = None,
              write: bool = True, overrides: Mapping[str, float] | None = None,
              tolerance: float = 1e-4, kernel: KernelFn | None = None) -> CityCalibration:
    """Calibrate a city's baseline to its published modal split (and optional targets).

    Parameters
    ----------
    city : City, slug or path
        The city; its ``city.yaml`` must carry an ``observed_modal_split``.
    split_year : int, optional
        Which split to use (default: the most recent).
    trip_length : TripLengthTarget, optional
        Mean trip length to fit with the destination scale (:func:`trip_length_target`).
    total : TotalTarget, optional
        Annual car vehicle-km or CO2 to scale trip rates to (:func:`total_target`).
    write : bool
        Write ``calibration.yaml`` into the city folder.
    overrides : mapping, optional
        Parameter values replacing the defaults before fitting. A written calibration holds
        them beside the fitted values (so that runs of the city use what the fit used); only
        kinds a calibration may hold can be written (e.g. an estimated model's
        ``destination.scale.*`` with ``--trip-length-fit distance``).
    tolerance : float
        Largest accepted share difference per fitted mode (1e-4 = 0.01 percentage points).
    kernel : callable, optional
        Demand implementation (default: the fastest available).

    Returns
    -------
    CityCalibration
        The fit, the file content and where it was written.

    Raises
    ------
    CalibrationError
        If the city has no usable split, a target is unreachable or the fit does not converge;
        nothing is written then.
    """
    city = city if isinstance(city, City) else load_city(city)
    given = {key: float(value) for key, value in (overrides or {}).items()}
    unstorable = sorted(key for key in given if not is_calibrated_key(key))
    if write and unstorable:
        raise CalibrationError(
            f"calibrate {city.slug}: {', '.join(unstorable)} cannot be stored in calibration.yaml "
            f"(it holds {CALIBRATED_KINDS}); put them in the city's parameters (city.yaml) or "
            "fit without writing")
    where_file = str(city.path / "city.yaml") if city.path else f"city {city.slug}"
    splits = city.meta.observed_modal_split
    index = choose_split(splits, where_file, split_year)
    target = read_split(splits[index], f"{where_file}: observed_modal_split[{index}]",
                        city.meta.area_note)
    model = BaselineModel.build(city, overrides, kernel)
    defaults = dict(model.values)
    result = calibrate_baseline(model, target, trip_length, total, tolerance=tolerance)
    if not result.converged:
        raise CalibrationError(result.problems)
    days = ModelParameters.of(model.values).annual.days_per_year
    content = {
        "city": city.slug,
        "created": _dt.date.today().isoformat(),
        "mobility_sim_version": __version__,
        "method": METHOD,
        "targets": {
            "modal_split": {**splits[index].model_dump(), "index": index,
                            "treatment": target.notes, "caveats": target.caveats},
            "trip_length": None if trip_length is None else {
                "km": trip_length.km, "purposes": [PURPOSES[k] for k in trip_length.purposes],
                "source": trip_length.source, "fit": trip_length.fit},
            "total": None if total is None else {
                "quantity": total.quantity, "value": total.value, "source": total.source},
        },
        "fit": {
            "converged": True, "model_runs": result.runs,
            "max_difference_pp": round(result.split.max_error_pp, 4),
            "modal_split": [{k: (round(v, 6) if isinstance(v, float) else v)
                             for k, v in row.items()} for row in result.split.rows],
            "trip_length": result.trip_length, "total": result.total,
        },
        "emergent": emergent_figures(city, result.outputs, days),
        "parameters": {**given, **result.parameters},
        "starting_values": {f"utility.asc.{m}": defaults[f"utility.asc.{m}"] for m in ASC_MODES},
        # as runs check it: on the values before any calibration (the given values are in it)
        "inputs_fingerprint": inputs_fingerprint(city, resolve_parameters(city,
                                                                          calibration=False)),
    }
    path = None
    if write:
        path = calibration_path(city)
        write_calibration(path, content, (
            f"Calibration of {city.name}: written by 'mobility-sim calibrate {city.slug}' on "
            f"{content['created']}.\nDo not edit by hand: rerun the command. Parameters here "
            "override the defaults of\nmobility_sim/data/parameters.csv for runs of this city "
            "(scenario parameters override both)."))
    return CityCalibration(city=city, result=result, content=content, path=path)


def fit_table(calibration: CityCalibration) -> list[str]:
    """Lines of a plain-text table: observed, target, modelled per survey mode."""
    lines = [f"{'mode':<6} {'published':>9} {'group':<14} {'target':>8} {'modelled':>8} "
             f"{'diff pp':>8}"]
    for row in calibration.result.split.rows:
        published = "-" if row["published"] is None else f"{100 * row['published']:.1f} %"
        lines.append(f"{row['mode']:<6} {published:>9} {row['group']:<14} "
                     f"{100 * row['target']:>6.2f} % {100 * row['modelled']:>6.2f} % "
                     f"{row['difference_pp']:>8.3f}")
    return lines


__all__ = ["CityCalibration", "calibrate", "fit_table", "total_target",
           "trip_length_target"]
