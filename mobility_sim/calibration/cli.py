"""The calibration commands: ``mobility-sim calibrate`` and ``mobility-sim validate-model``.

Thin layers over :func:`.run.calibrate` and :func:`.validation.validate_model`, registered by
:mod:`mobility_sim.cli`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..cli_errors import fail
from ..exceptions import CalibrationError, MobilitySimError
from .run import calibrate, total_target, trip_length_target
from .validation import (
    elasticity_rows,
    figure_rows,
    validate_model,
    write_validation,
)


def calibrate_command(
    city: Annotated[str, typer.Argument(help="City slug or path to a city folder.")],
    year: Annotated[int | None, typer.Option(
        help="Year of the observed modal split to fit (default: the most recent).")] = None,
    trip_length_km: Annotated[float | None, typer.Option(
        help="Mean trip length (km, all modes) to fit with the destination-choice scale.")] = None,
    trip_length_purposes: Annotated[str, typer.Option(
        help="Purposes the trip length covers: 'all' or 'work and education'.")] = "all",
    trip_length_source: Annotated[str | None, typer.Option(
        help="Source of the trip length (required with --trip-length-km; or 'assumption: ...').",
    )] = None,
    trip_length_fit: Annotated[str, typer.Option(
        help="What fits the trip length: 'scale' (the logsum coefficients of destination "
             "choice) or 'distance' (its own distance term; the coefficients kept).")] = "scale",
    total_car_vkm: Annotated[float | None, typer.Option(
        help="Reported car vehicle-km per year to scale trip rates to.")] = None,
    total_co2_t: Annotated[float | None, typer.Option(
        help="Reported tank-to-wheel tonnes CO2e per year to scale trip rates to.")] = None,
    total_source: Annotated[str | None, typer.Option(
        help="Source of the total (required with --total-car-vkm or --total-co2-t).")] = None,
    write: Annotated[bool, typer.Option(
        help="Write cities/<slug>/calibration.yaml (--no-write: only print the fit).")] = True,
) -> None:
    """Fit the model's constants to a city's published modal split and write calibration.yaml."""
    from .run import fit_table

    try:
        length = (trip_length_target(trip_length_km, trip_length_source, trip_length_purposes,
                                     trip_length_fit)
                  if trip_length_km is not None else None)
        if total_car_vkm is not None and total_co2_t is not None:
            raise CalibrationError("give one of --total-car-vkm and --total-co2-t, not both")
        total = None
        if total_car_vkm is not None:
            total = total_target("car_vkm", total_car_vkm, total_source)
        elif total_co2_t is not None:
            total = total_target("co2_ttw_t", total_co2_t, total_source)
        result = calibrate(city, split_year=year, trip_length=length, total=total, write=write)
    except MobilitySimError as exc:
        fail(exc)
    split = result.content["targets"]["modal_split"]
    typer.echo(f"{result.city.name}: modal split {split['year']} ({split['unit']}, "
               f"{split['population']}, purposes: {split['purposes']}); source: {split['source']}")
    for line in fit_table(result):
        typer.echo("  " + line)
    for note in split["treatment"] + split["caveats"]:
        typer.echo(f"  note: {note}")
    if result.result.trip_length is not None:
        info = result.result.trip_length
        how = (f"distance term {info['distance_coef']:.4f} per km" if info["fit"] == "distance"
               else f"destination scale x {info['scale_factor']:.3f}")
        typer.echo(f"  mean trip length: {info['modelled_km']:.3f} km (target "
                   f"{info['target_km']:.3f} km; {how})")
    if result.result.total is not None:
        info = result.result.total
        typer.echo(f"  {info['quantity']}: {info['modelled']:.4g} (target {info['target']:.4g}; "
                   f"trip rates x {info['rate_factor']:.4f})")
    typer.echo(f"  converged in {result.result.runs} model runs")
    if result.path is not None:
        typer.echo(f"written: {result.path}")


def validate_model_command(
    city: Annotated[str, typer.Argument(help="City slug or path to a city folder.")],
    out: Annotated[Path | None, typer.Option(
        help="Output folder (default: output/validation/<slug>).")] = None,
    calibrated: Annotated[bool, typer.Option(
        help="Use the city's calibration.yaml when present.")] = True,
    coefficients: Annotated[str | None, typer.Option(
        help="Apply a transferred coefficient set (a 'set' of "
             "mobility_sim/data/transferred_coefficients.csv, e.g. swiss_astra_2016; or a "
             "choice structure: mnl, biogeme_optima_nested) instead of the defaults and "
             "refit the constants in memory. "
             "Default output folder: output/validation/<slug>/<set>.")] = None,
) -> None:
    """Compare the model's elasticities and emergent quantities with published figures."""
    try:
        validation = validate_model(city, use_calibration=calibrated, coefficients=coefficients)
        folder = out if out is not None else (
            Path("output") / "validation" / validation.city.slug / (coefficients or ""))
        paths = write_validation(validation, folder)
    except MobilitySimError as exc:
        fail(exc)
    typer.echo(f"{validation.city.name} (calibration: {validation.calibration})")
    for line in elasticity_rows(validation)[2:]:
        typer.echo("  " + line)
    if validation.figures.empty:
        typer.echo("  no independent published figure is packaged for this city")
    for line in figure_rows(validation)[2:]:
        typer.echo("  " + line)
    for path in paths:
        typer.echo(f"written: {path.resolve()}")


def transfer_constants_command(
    write: Annotated[bool, typer.Option(
        help="Write mobility_sim/data/transferred_constants.csv (--no-write: only print).")]
    = True,
) -> None:
    """Transfer constants to uncalibrated cities: the calibrated cities' mean, with its error.

    Prints each calibrated city's split error left out of the mean (leave-one-out) beside the
    error with the default constants, and writes the mean for the cities without calibration.
    """
    from ..data import __file__ as data_init
    from ..io.yamlio import write_text_atomic
    from ..model.parameters import TRANSFERRED_TABLE
    from ..paths import repo_root
    from .transfer_constants import calibrated_constants, constants_table, leave_one_out, summary

    try:
        slugs = sorted(p.parent.name for p in (repo_root() / "cities").glob("*/calibration.yaml"))
        errors = leave_one_out(slugs)
        constants = calibrated_constants(slugs)
    except MobilitySimError as exc:
        fail(exc)
    typer.echo(f"{'city':<12} {'mode':<5} {'default':>8} {'transferred':>11}  (modelled - "
               "published, pp)")
    for row in errors.itertuples():
        typer.echo(f"{row.city:<12} {row.mode:<5} {row.default_pp:>8.1f} "
                   f"{row.transferred_pp:>11.1f}")
    typer.echo("mean absolute error, pp:")
    for mode, row in summary(errors).iterrows():
        typer.echo(f"  {mode:<10} default {row['default_mae_pp']:5.1f}   transferred "
                   f"{row['transferred_mae_pp']:5.1f}")
    if write:
        path = Path(data_init).parent / TRANSFERRED_TABLE
        write_text_atomic(path, constants_table(constants, errors).to_csv(index=False))
        typer.echo(f"written: {path}")
