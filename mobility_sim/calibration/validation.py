"""Validate a city's model against figures it was not fitted to (``mobility-sim validate-model``).

Reports, for the (calibrated, when ``calibration.yaml`` exists) baseline of a city:

- implied elasticities (PT fare, PT service frequency, PT in-vehicle time, fuel cost with and
  without destination choice, parking price, PT with respect to fuel cost) computed by +/-1 %
  perturbations, beside the span of the published values in
  ``mobility_sim/data/elasticities.csv`` with their sources;
- the emergent (never calibrated) mean trip length by mode and purpose;
- emergent quantities beside independent published figures
  (``mobility_sim/data/validation_figures.csv``), each with its definition and how it differs
  from what the model counts, and the ratio model / published.

Written as CSV tables and a Markdown page. With ``--coefficients NAME`` the same tables are
computed with a transferred coefficient set (:mod:`.calibration.transfer`) in place of the
default time and cost coefficients, the constants refitted to the observed split.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..city import City, load_city
from ..data import read_table
from ..data.typed_parameters import ModelParameters
from ..exceptions import OutputError
from ..io.yamlio import atomic_path, write_text_atomic
from ..kernels.spec import MODES, PURPOSES, DemandOutputs
from ..model.base_year import BaselineModel, calibration_status
from ..model.kernel import KernelFn
from ..model.modes import SURVEY_MODES
from .comparison import compare_figures
from .diversion import diversion_ratios
from .elasticities import compare_with_literature, implied_elasticities, literature
from .outputs import mean_trip_length
from .run import calibrate
from .transfer import transferred_parameters


@dataclass(frozen=True)
class ModelValidation:
    """Validation tables of one city.

    Attributes
    ----------
    city : City
        The city.
    calibration : str
        ``"current"``, ``"stale"`` (made on other inputs or defaults) or ``"none"``; with a
        transferred coefficient set, which set the constants were refitted with.
    elasticities : pandas.DataFrame
        From :func:`~mobility_sim.calibration.elasticities.compare_with_literature`.
    trip_lengths : pandas.DataFrame
        ``purpose, mode, trips_share, mean_km`` (purpose ``all`` included).
    figures : pandas.DataFrame
        From :func:`~mobility_sim.calibration.comparison.compare_figures` (empty when no
        independent figure is packaged for the city).
    diversion : pandas.DataFrame
        From :func:`~mobility_sim.calibration.diversion.diversion_ratios`: where the new riders
        of a cheaper or more frequent PT come from.
    """

    city: City
    calibration: str
    elasticities: pd.DataFrame
    trip_lengths: pd.DataFrame
    figures: pd.DataFrame
    diversion: pd.DataFrame = field(default_factory=pd.DataFrame)


def trip_length_table(out: DemandOutputs) -> pd.DataFrame:
    """Mean trip length and trip share by purpose (and all) and survey mode."""
    rows = []
    groups = [("all", tuple(range(len(PURPOSES))))] + [(p, (i,)) for i, p in enumerate(PURPOSES)]
    modes = {"all": tuple(range(len(MODES))), **SURVEY_MODES}
    for name, purposes in groups:
        trips = out.trips[:, list(purposes)]
        total = float(trips.sum())
        for mode, idx in modes.items():
            rows.append({"purpose": name, "mode": mode,
                         "trips_share": float(trips[..., list(idx)].sum()) / total
                         if total else np.nan,
                         "mean_km": mean_trip_length(out, purposes, idx)})
    return pd.DataFrame(rows)


def validate_model(city: City | str | os.PathLike[str], use_calibration: bool = True,
                   step: float = 0.01, kernel: KernelFn | None = None,
                   coefficients: str | None = None) -> ModelValidation:
    """Compute the validation tables of a city's baseline.

    Parameters
    ----------
    city : City, slug or path
        The city.
    use_calibration : bool
        Apply the city's ``calibration.yaml`` when it has one.
    step : float
        Relative lever change for the elasticities.
    kernel : callable, optional
        Demand implementation (default: the fastest available).
    coefficients : str, optional
        Name of a transferred coefficient set (:mod:`.calibration.transfer`): its time and cost
        coefficients replace the defaults and the constants are fitted again to the city's
        observed split in memory (``use_calibration`` is then ignored; nothing is written).

    Returns
    -------
    ModelValidation
        Elasticities beside published ranges, emergent trip lengths, and emergent quantities
        beside independent published figures.

    Raises
    ------
    CalibrationError
        If ``coefficients`` names no packaged set, or the constants cannot be fitted with it
        (for example, the city has no published split).
    """
    city = city if isinstance(city, City) else load_city(city)
    if coefficients is not None:
        transferred = transferred_parameters(coefficients)
        fit = calibrate(city, write=False, overrides=transferred, kernel=kernel)
        model = BaselineModel.build(city, {**transferred, **fit.result.parameters}, kernel)
        status = f"constants refitted with the {coefficients} coefficients"
    else:
        status = calibration_status(city) if city.path is not None else "none"
        calibrated = use_calibration and status != "none"
        model = BaselineModel.build(city, kernel=kernel, calibrated=calibrated)
        status = status if calibrated else "none"
    baseline = model.run()
    figures = compare_figures(city, baseline, ModelParameters.of(model.values).annual.days_per_year)
    elasticities = compare_with_literature(implied_elasticities(model, step))
    return ModelValidation(city=city, calibration=status,
                           elasticities=elasticities, trip_lengths=trip_length_table(baseline),
                           figures=figures, diversion=diversion_ratios(model, baseline))


def _fmt(value: object, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _number(value: float) -> str:
    """Three significant digits, without scientific notation for everyday magnitudes."""
    if not np.isfinite(value):
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def figure_rows(validation: ModelValidation) -> list[str]:
    """Markdown table rows (with header) of model vs independent published figures."""
    lines = ["| quantity | unit | published (year) | model | model / published | how the "
             "definitions differ |", "|---|---|---|---|---|---|"]
    for row in validation.figures.itertuples():
        lines.append(f"| {row.quantity} | {row.unit} | {_number(row.published)} ({row.year}) | "
                     f"{_number(row.model)} | {_fmt(row.ratio)} | {row.differs_from_model} |")
    return lines


def _judged(row) -> bool:
    """Whether an elasticity row is judged inside/outside: a published span, not a point."""
    return bool(row.n_sources > 0 and row.published_low != row.published_high)


def elasticity_rows(validation: ModelValidation) -> list[str]:
    """Markdown table rows (with header) of one city's elasticities."""
    lines = ["| elasticity | lever | measured on | model | published span | sign | inside |",
             "|---|---|---|---|---|---|---|"]
    for row in validation.elasticities.itertuples():
        mark = ", converted" if row.converted else ""
        span = ("-" if row.n_sources == 0 else
                f"{row.published_low:.2f} to {row.published_high:.2f} ({row.n_sources} src{mark})"
                if row.published_low != row.published_high else
                f"{row.published_low:.2f} (point, {row.n_sources} src{mark})")
        inside = _fmt(row.inside) if _judged(row) else "-"
        lines.append(f"| {row.elasticity} | {row.lever} | {row.quantity} | {_fmt(row.model)} | "
                     f"{span} | {_fmt(row.sign_ok)} | {inside} |")
    return lines


def diversion_rows(validation: ModelValidation) -> list[str]:
    """Markdown lines: where a cheaper or more frequent PT's new riders come from."""
    d = validation.diversion
    if d.empty:
        return []
    lines = ["Where new PT riders come from (share of the PT trips gained; in brackets, the "
             "mode's share of the trips not by PT; no trip is new: trip rates are fixed):", "",
             "| change | " + " | ".join(f"from {m}" for m in d["from_mode"].unique()) + " |",
             "|---|" + "---|" * d["from_mode"].nunique()]
    for _, part in d.groupby("change", sort=False):
        cells = [f"{100 * r.diversion:.0f} % ({100 * r.share_of_other_trips:.0f} %)"
                 for r in part.itertuples()]
        lines.append(f"| {part['label'].iloc[0]} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def published_diversion_rows() -> list[str]:
    """Markdown lines: the published diversion figures (``diversion_factors.csv``)."""
    table = read_table("diversion_factors.csv")
    table = table[table["status"].isin(["published", "derived"]) & table["value"].notna()]
    lines = ["| study | measure | new riders of | from | share | of what | where, when | source |",
             "|---|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.study} | {r.measure} | {r.new_mode} | {r.from_mode} | "
                     f"{100 * r.value:.0f} % | {r.unit} | {r.country} {r.year} | {r.source} |")
    return lines


def validation_page(validations: list[ModelValidation]) -> str:
    """Return a Markdown page: elasticities and trip lengths per city, then the sources."""
    lines = ["# Model validation: implied elasticities and emergent quantities", "",
             "Written by `mobility-sim validate-model`. Elasticities are arc elasticities over "
             "+/-1 % changes of one lever on the city's baseline (calibrated where the city has "
             "a calibration.yaml). 'published span' is the range over every cited source "
             "(mobility_sim/data/elasticities.csv); a single published value is shown as a "
             "point and not judged inside/outside. 'converted' marks published fuel-price "
             "elasticities converted to the fuel cost per km (the model keeps fuel efficiency "
             "fixed; see the derivation column of the sources). Trip lengths, CO2 and "
             "vehicle-km are never calibrated; where an independent published figure is "
             "packaged (mobility_sim/data/validation_figures.csv) it is shown beside the model "
             "with the ratio model / published and how the definitions differ. A ratio far "
             "from 1 is expected where the definitions differ and is not a failure.", ""]
    for v in validations:
        lines += [f"## {v.city.name} (calibration: {v.calibration})", ""]
        lines += elasticity_rows(v)
        lines += ["", "Mean trip length, km (share of trips), by mode:", "",
                  "| purpose | all | walk | bike | pt | car |", "|---|---|---|---|---|---|"]
        for purpose, table in v.trip_lengths.groupby("purpose", sort=False):
            cells = [f"{r.mean_km:.2f} ({100 * r.trips_share:.0f} %)"
                     for r in table.itertuples()]
            lines.append(f"| {purpose} | " + " | ".join(cells) + " |")
        lines.append("")
        lines += diversion_rows(v)
        if v.figures.empty:
            lines += ["No independent published figure is packaged for this city.", ""]
        else:
            lines += ["Emergent quantities beside independent published figures:", ""]
            lines += figure_rows(v)
            lines.append("")
    lines += ["## Sources of the published values", "",
              "| elasticity | low | high | context | source | derivation |",
              "|---|---|---|---|---|---|"]
    for row in literature().itertuples():
        lines.append(f"| {row.elasticity} | {row.low} | {row.high} | {row.context} | "
                     f"{row.source} | {row.derivation or 'as published'} |")
    lines += ["", "## Published diversion figures", "",
              "Where the new riders of a PT improvement came from, as published "
              "(mobility_sim/data/diversion_factors.csv), to set beside each city's 'Where new "
              "PT riders come from' above. The model has no new trips (trip rates are fixed) and "
              "no other PT to divert from (one PT mode).", ""]
    lines += published_diversion_rows()
    figures = [v.figures.assign(city=v.city.name) for v in validations if not v.figures.empty]
    if figures:
        lines += ["", "## Sources and definitions of the independent figures", "",
                  "| city | quantity | published definition | model definition | source |",
                  "|---|---|---|---|---|"]
        for row in pd.concat(figures).itertuples():
            lines.append(f"| {row.city} | {row.quantity} | {row.definition} | "
                         f"{row.model_definition} | {row.source} |")
    return "\n".join(lines) + "\n"


def coefficient_comparison(validations: dict[str, list[ModelValidation]]) -> list[str]:
    """Markdown table: each city's elasticities under the defaults and transferred sets.

    Parameters
    ----------
    validations : dict
        Coefficient-set label (``"defaults"`` or a set name) to the validations of the cities,
        in the same city order for every label.

    Returns
    -------
    list of str
        Table lines; a value outside the published span is marked ``(out)``.
    """
    labels = list(validations)
    names = list(next(iter(validations.values()))[0].elasticities["elasticity"])
    lines = ["| city | coefficients | " + " | ".join(names) + " |",
             "|---|---|" + "---|" * len(names)]
    for i, first in enumerate(validations[labels[0]]):
        for label in labels:
            table = validations[label][i].elasticities.set_index("elasticity")
            cells = []
            for name in names:
                row = table.loc[name]
                mark = " (out)" if _judged(row) and not row["inside"] else ""
                cells.append(_fmt(float(row["model"])) + mark)
            lines.append(f"| {first.city.name} | {label} | " + " | ".join(cells) + " |")
    return lines


def write_validation(validation: ModelValidation, folder: str | os.PathLike[str]) -> list[Path]:
    """Write the validation tables (CSV) and ``validation.md`` into ``folder``.

    The tables: ``elasticities.csv``, ``trip_lengths.csv``, ``figures.csv``, ``diversion.csv``.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: exists and is not a folder; choose another --out")
    paths = []
    for name, table in (("elasticities.csv", validation.elasticities),
                        ("trip_lengths.csv", validation.trip_lengths),
                        ("figures.csv", validation.figures),
                        ("diversion.csv", validation.diversion)):
        with atomic_path(folder / name) as tmp:
            table.to_csv(tmp, index=False)
        paths.append(folder / name)
    write_text_atomic(folder / "validation.md", validation_page([validation]))
    paths.append(folder / "validation.md")
    return paths
