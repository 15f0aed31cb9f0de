"""Command line: ``mobility-sim ...`` (also ``python -m mobility_sim ...``).

A thin layer over the Python API: every command parses its arguments, calls one function and
prints where the results are. Bad input ends with exit code 2 and one line per problem (file,
place, fix), never a traceback. Importing this module compiles no kernel.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .analysis.cli import (
    attribute_command,
    backcast_command,
    export_command,
    policy_command,
    reconcile_command,
    scale_command,
    sensitivity_command,
    solve_command,
    sweep_command,
)
from .bench import bench_command
from .calibration.cli import (
    calibrate_command,
    transfer_constants_command,
    validate_model_command,
)
from .city.cli import city_app
from .cli_errors import fail
from .exceptions import MobilitySimError
from .report.cli import compare_cities_command, compare_command, dashboard_command
from .scenario.cli import schema_command

app = typer.Typer(
    name="mobility-sim",
    help="Urban mobility decarbonisation scenarios: run SUMP measures on a gridded city to 2050.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(city_app, name="city")
app.command("dashboard")(dashboard_command)
app.command("compare")(compare_command)
app.command("compare-cities")(compare_cities_command)
app.command("calibrate")(calibrate_command)
app.command("validate-model")(validate_model_command)
app.command("transfer-constants")(transfer_constants_command)
app.command("policy")(policy_command)
app.command("reconcile")(reconcile_command)
app.command("backcast")(backcast_command)
app.command("sweep")(sweep_command)
app.command("attribute")(attribute_command)
app.command("sensitivity")(sensitivity_command)
app.command("solve")(solve_command)
app.command("export")(export_command)
app.command("scale")(scale_command)
app.command("schema")(schema_command)
app.command("bench")(bench_command)



@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default: output/<scenario name>).")
    ] = None,
    dashboard: Annotated[bool, typer.Option(help="Write dashboard.html.")] = True,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    uncalibrated: Annotated[bool, typer.Option(
        help="Run without the city's calibration (e.g. a stale one); the results say so.")]
    = False,
    city: Annotated[str | None, typer.Option(
        help="Run the scenario on this city (slug or folder) instead of its own: one package "
             "on many cities (default output: output/<scenario name>-<city>).")] = None,
) -> None:
    """Run a scenario and write results (Parquet), the resolved scenario and a dashboard."""
    from .city import load_city
    from .simulate import run as run_scenario
    from .simulate import safe_name

    try:
        other = load_city(city) if city is not None else None
        if other is not None and out is None:
            from .scenario import load_scenario

            name = load_scenario(scenario, city=other).scenario.name
            out = Path("output") / safe_name(f"{name}-{other.slug}")
        folder = run_scenario(scenario, out=out, dashboard=dashboard, progress=progress,
                              save=True, uncalibrated=uncalibrated, city=other
                              ).meta["output_folder"]
    except MobilitySimError as exc:
        fail(exc)
    folder = Path(folder)
    typer.echo(f"results:   {folder.resolve()}")
    if dashboard:
        typer.echo(f"dashboard: {(folder / 'dashboard.html').resolve()}")


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files to check.")],
) -> None:
    """Check scenario files, their city and its calibration without running them.

    Exit 0 when every file is valid, so that a valid file does not fail on input when run.
    """
    from .scenario import load_scenario
    from .simulate import run_calibration

    problems: list[str] = []
    for file in files:
        try:
            run_calibration(load_scenario(file).city)
        except MobilitySimError as exc:
            problems += exc.problems
        else:
            typer.echo(f"ok: {file}")
    if problems:
        fail(MobilitySimError(problems))


def main() -> None:
    """Entry point of the ``mobility-sim`` command."""
    try:
        app()
    except MobilitySimError as exc:  # pragma: no cover - commands catch their own
        for line in exc.problems:
            print(f"error: {line}", file=sys.stderr)
        sys.exit(2)
