"""Command functions of the report pages, for the ``mobility-sim`` command line.

Register them on the main app::

    from .report.cli import compare_cities_command, compare_command, dashboard_command
    app.command("compare")(compare_command)
    app.command("compare-cities")(compare_cities_command)
    app.command("dashboard")(dashboard_command)

Each reads run folders, writes one HTML page and prints its path; bad input ends with exit
code 2 and one line per problem, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..cli_errors import fail as _fail
from ..exceptions import MobilitySimError

RunDirs = Annotated[list[Path], typer.Argument(help="Run folders written by 'mobility-sim run'.")]



def _load(run_dirs: list[Path]) -> list:
    from ..results import Results

    problems: list[str] = []
    runs = []
    for folder in run_dirs:
        try:
            runs.append(Results.load(folder))
        except MobilitySimError as exc:
            problems += exc.problems
    if problems:
        raise MobilitySimError(problems)
    return runs


def _attribution_tables(folders: list[Path | None], runs: list, run_dirs: list[Path]) -> list:
    """Read each attribution folder (None: no tables) and check it belongs to its run."""
    from .attribution_tables import check_matches, read_attribution

    problems: list[str] = []
    out: list = []
    for folder, run, run_dir in zip(folders, runs, run_dirs, strict=True):
        if folder is None:
            out.append(None)
            continue
        try:
            tables = read_attribution(folder)
            check_matches(tables, run, folder, run_dir)
            out.append(tables)
        except MobilitySimError as exc:
            problems += exc.problems
    if problems:
        raise MobilitySimError(problems)
    return out


def _export(page, out: Path, images: list[str]) -> None:
    if images:
        from .export import export_figures

        folder = out.with_suffix("").with_name(out.stem + "_figures")
        written = export_figures(page, folder, images)
        typer.echo(f"images:    {len(written)} files in {folder.resolve()}")


Images = Annotated[list[str], typer.Option(
    "--image", help="Also save every figure as png, pdf or svg (needs kaleido and Chromium); "
    "repeat for several formats.")]


def compare_command(
    run_dirs: RunDirs,
    out: Annotated[Path, typer.Option(help="HTML file to write.")] = Path("comparison.html"),
    image: Images = [],  # noqa: B006 - typer needs a literal default
) -> None:
    """Compare scenarios side by side: trajectories, KPI table, mode split, difference maps."""
    from .comparison import build_comparison

    try:
        page = build_comparison(_load(run_dirs))
        path = page.write(out)
        typer.echo(f"comparison: {path.resolve()}")
        _export(page, out, image)
    except MobilitySimError as exc:
        _fail(exc)


def compare_cities_command(
    run_dirs: RunDirs,
    out: Annotated[Path, typer.Option(help="HTML file to write.")] = Path("cities.html"),
    attribution: Annotated[list[Path], typer.Option(
        help="Output folder of 'mobility-sim attribute' for each run, in the order of the "
        "run folders (all or none): ranks the measures by effect per city.")] = [],  # noqa: B006
    image: Images = [],  # noqa: B006 - typer needs a literal default
) -> None:
    """Compare one measure package across cities: per-resident KPIs, small multiples, ranking."""
    from .comparison import build_city_comparison

    try:
        runs = _load(run_dirs)
        if attribution and len(attribution) != len(run_dirs):
            raise MobilitySimError(f"--attribution: {len(attribution)} folders for "
                                   f"{len(run_dirs)} runs; give one per run, in the same order")
        wedges = None
        if attribution:
            wedges = [t["wedges"] for t in _attribution_tables(attribution, runs, run_dirs)]
        page = build_city_comparison(runs, wedges=wedges)
        path = page.write(out)
        typer.echo(f"cities:    {path.resolve()}")
        _export(page, out, image)
    except MobilitySimError as exc:
        _fail(exc)


def dashboard_command(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by 'mobility-sim run'.")],
    out: Annotated[Path | None, typer.Option(
        help="HTML file to write (default: RUN_DIR/dashboard.html).")] = None,
    baseline: Annotated[Path | None, typer.Option(
        help="Run folder of a baseline to draw on the emissions trajectory.")] = None,
    attribution: Annotated[Path | None, typer.Option(
        help="Output folder of 'mobility-sim attribute' for the same scenario: draws the "
        "reduction by measure (wedges) and, when measures have costs, EUR per tonne.")] = None,
    image: Images = [],  # noqa: B006 - typer needs a literal default
) -> None:
    """Write (again) the dashboard of a run folder."""
    from .dashboard import build_dashboard

    try:
        folders = [run_dir] + ([baseline] if baseline is not None else [])
        runs = _load(folders)
        extra = _attribution_tables([attribution], runs[:1], [run_dir])[0]
        council = None
        if (run_dir / "council" / "council.json").is_file():
            from .council_tables import read_council

            council = read_council(run_dir / "council")
        page = build_dashboard(runs[0], baseline=runs[1] if baseline is not None else None,
                               extra=extra, council=council)
        target = out or run_dir / "dashboard.html"
        path = page.write(target)
        typer.echo(f"dashboard: {path.resolve()}")
        _export(page, target, image)
    except MobilitySimError as exc:
        _fail(exc)
