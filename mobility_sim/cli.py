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
    council: Annotated[bool, typer.Option(
        help="Also answer the council: attribute the package to its measures (Shapley), cost "
             "them from published unit costs (EUR per tonne, cost curve) and draw a Monte "
             "Carlo band; about 90 s for a 20-measure package on 2 cores.")] = False,
    samples: Annotated[int, typer.Option(help="Monte Carlo samples of the council's band.")]
    = 16,
    permutations: Annotated[int, typer.Option(
        help="Sampled orders of the council's attribution (packages of more than 10 "
             "measures).")] = 3,
    discount_rate: Annotated[float | None, typer.Option(
        help="Social discount rate of the council's costs (default: the European "
             "Commission's 3 %).")] = None,
    n_jobs: Annotated[int, typer.Option(help="Worker processes of the council's runs.")] = 2,
    distributions: Annotated[Path | None, typer.Option(
        help="Parameter distributions of the council's band (default: the model's uncertain "
             "parameters chosen by Morris screening, docs/costs.md).")] = None,
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
        results = run_scenario(scenario, out=out, dashboard=dashboard and not council,
                               progress=progress, save=True, uncalibrated=uncalibrated,
                               city=other)
        folder = Path(results.meta["output_folder"])
        if council:
            _council(scenario, other, results, folder, samples=samples,
                     permutations=permutations, discount_rate=discount_rate, n_jobs=n_jobs,
                     progress=progress, dashboard=dashboard, distributions=distributions)
    except MobilitySimError as exc:
        fail(exc)
    typer.echo(f"results:   {folder.resolve()}")
    if dashboard:
        typer.echo(f"dashboard: {(folder / 'dashboard.html').resolve()}")


def _council(scenario: Path, city: object, results: object, folder: Path, *, samples: int,
             permutations: int, discount_rate: float | None, n_jobs: int, progress: bool,
             dashboard: bool, distributions: Path | None = None) -> None:
    """Compute the council tables beside a run and write its dashboard with them."""
    from .analysis.council import council, save_council
    from .report import write_dashboard
    from .report.council_tables import read_council
    from .scenario import load_scenario

    loaded = load_scenario(scenario, city=city)  # type: ignore[arg-type]
    result = council(loaded, results, samples=samples, permutations=permutations,
                     discount_rate=discount_rate, distributions=distributions, n_jobs=n_jobs,
                     progress=progress)
    save_council(result, folder / "council")
    typer.echo(f"council:   {(folder / 'council').resolve()} ({result.info['seconds']:.0f} s: "
               f"{result.info['attribution_runs']} attribution runs, "
               f"{2 * result.info['samples']} Monte Carlo runs)")
    if dashboard:
        write_dashboard(results, folder / "dashboard.html",  # type: ignore[arg-type]
                        council=read_council(folder / "council"))


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
