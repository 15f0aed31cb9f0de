"""Command-line functions of the analysis tools (registered by :mod:`mobility_sim.cli`).

Each function parses its options, calls the Python API and prints where the results are. Bad
input ends with exit code 2 and one ``error:`` line per problem; a sweep with failed jobs ends
with exit code 1 after listing them (the finished jobs are stored).

Intended names: ``mobility-sim sweep`` (:func:`sweep_command`), ``attribute``
(:func:`attribute_command`), ``sensitivity`` (:func:`sensitivity_command`), ``solve``
(:func:`solve_command`), ``export`` (:func:`export_command`), ``scale`` (:func:`scale_command`).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from ..cli_errors import fail as _fail
from ..exceptions import MobilitySimError, OutputError
from ..io.yamlio import atomic_path, dump_yaml, write_text_atomic

EngineOpt = Annotated[str, typer.Option(help="Demand engine: auto, reference or numba.")]
JobsOpt = Annotated[int, typer.Option("--n-jobs", "-j",
                                      help="Local worker processes (joblib); 1 runs here.")]
SchedulerOpt = Annotated[str | None, typer.Option(
    help="Dask scheduler address (tcp://host:port): run the jobs on that cluster.")]
StoreOpt = Annotated[Path | None, typer.Option(
    help="Sweep store folder: finished runs are kept there and skipped on a rerun.")]
ProgressOpt = Annotated[bool, typer.Option(help="Show a progress bar.")]
OutOpt = Annotated[Path, typer.Option(help="Output folder.")]



def _engine(engine: str) -> Any:
    if engine not in ("auto", "reference", "numba"):
        raise MobilitySimError(f"--engine {engine!r}: use auto, reference or numba")
    return engine


def _sweep_options(n_jobs: int, scheduler: str | None, store: Path | None, engine: str,
                   progress: bool) -> dict[str, Any]:
    if n_jobs < 1:
        raise MobilitySimError(f"--n-jobs {n_jobs}: give 1 or more")
    return {"n_jobs": n_jobs, "scheduler": scheduler, "store": store,
            "engine": _engine(engine), "progress": progress}


def write_frame(frame: pd.DataFrame, path: Path) -> Path:
    """Write a table atomically as CSV (``.csv``) or Parquet (``.parquet``).

    Raises
    ------
    OutputError
        If the file cannot be written.
    """
    if path.suffix.lower() not in (".csv", ".parquet"):
        raise OutputError(f"{path}: a table is written as .csv or .parquet, not "
                          f"{path.suffix or 'a file without suffix'}; rename it")
    try:
        with atomic_path(path) as tmp:
            if path.suffix.lower() == ".csv":
                frame.to_csv(tmp, index=False)
            else:
                frame.to_parquet(tmp, index=False)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc}); choose another "
                          "--out") from None
    return path


def write_text(text: str, path: Path) -> Path:
    """Write text atomically, with the user's usual permissions (see :func:`write_frame`)."""
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc}); choose another "
                          "--out") from None
    return path


def _portable_city(ref: str, base: Path) -> str:
    """Return a slug as is and a relative city folder as an absolute one (the file moves)."""
    if "/" in ref or "\\" in ref or ref.startswith("."):
        return str((base / ref).resolve())
    return ref


def sweep_command(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
    city: Annotated[list[str] | None, typer.Option(
        help="Run every scenario on this city (slug or folder); repeat for several. "
             "Default: each scenario's own city.")] = None,
    distributions: Annotated[Path | None, typer.Option(
        help="Parameter distribution YAML (see scenarios/uncertainty/).")] = None,
    samples: Annotated[int, typer.Option(help="Latin-hypercube samples per scenario and "
                                              "city (needs --distributions).")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the samples.")] = 0,
    store: Annotated[Path, typer.Option(help="Sweep store folder (resumable).")] = Path(
        "output/sweep"),
    n_jobs: JobsOpt = 1,
    scheduler: SchedulerOpt = None,
    numba_threads: Annotated[int | None, typer.Option(
        help="Numba threads per job (default: cores / n-jobs locally, 1 on Dask).")] = None,
    engine: EngineOpt = "auto",
    progress: ProgressOpt = True,
    collect: Annotated[bool, typer.Option(
        help="Write all results to STORE/sweep.parquet at the end (turn off for sweeps too "
             "large for memory; read the store in parts).")] = True,
    worker_writes: Annotated[bool, typer.Option(
        help="Workers write results to the store themselves (the store must be on a file "
             "system every worker sees at the same path).")] = False,
) -> None:
    """Run scenarios x cities x parameter samples; resumable; local or on a Dask cluster."""
    from .distributions import read_distributions
    from .plan import load_bases, plan_sweep
    from .sweep import run_sweep

    try:
        if samples and distributions is None:
            raise MobilitySimError("--samples needs --distributions FILE")
        space = read_distributions(distributions) if distributions else None
        jobs = plan_sweep(load_bases(scenarios, city or []), space, samples, seed)
        report = run_sweep(jobs, store, n_jobs=n_jobs, scheduler=scheduler,
                           engine=_engine(engine), numba_threads=numba_threads,
                           progress=progress, collect=collect, worker_writes=worker_writes)
        table_path = write_frame(report.table, store / "sweep.parquet") if collect else None
    except MobilitySimError as exc:
        _fail(exc)
    typer.echo(report.summary_line())
    typer.echo(f"store:  {store.resolve()}")
    if table_path is not None:
        typer.echo(f"table:  {table_path.resolve()}")
    for f in report.failures:
        typer.echo(f"failed: {f['tags']}: {f['error']}", err=True)
    if report.failures:
        typer.echo(f"{len(report.failures)} job(s) failed; the others are stored. Fix the cause "
                   "and rerun the same command to run only what is missing.", err=True)
        raise typer.Exit(code=1)


def attribute_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file (the package).")],
    out: OutOpt = Path("output/attribution"),
    year: Annotated[int | None, typer.Option(
        help="Year of the waterfall and action table (default: target year, else last).")
    ] = None,
    max_exact: Annotated[int, typer.Option(help="Largest package attributed exactly "
                                                "(2^n runs).")] = 10,
    permutations: Annotated[int, typer.Option(help="Sampled orders beyond --max-exact.")] = 100,
    seed: Annotated[int, typer.Option(help="Seed of the sampled orders.")] = 0,
    discount_rate: Annotated[float | None, typer.Option(
        help="Social discount rate of costs (default: the European Commission's 3 %).")]
    = None,
    store: StoreOpt = None,
    n_jobs: JobsOpt = 1,
    scheduler: SchedulerOpt = None,
    engine: EngineOpt = "auto",
    progress: ProgressOpt = True,
) -> None:
    """Shapley attribution of a package's effect to its measures; waterfall; action table."""
    from ..economics import appraise_run
    from ..scenario import load_scenario
    from ..simulate import simulate
    from .attribution import attribute
    from .export import action_table
    from .figures import frame_table, waterfall_figure, write_analysis_page

    try:
        loaded = load_scenario(scenario)
        years = loaded.scenario.years.as_list()
        if year is not None and year not in years:  # checked before the runs, not after
            raise MobilitySimError(f"--year {year} is not a simulated year of {scenario} "
                                   f"({years[0]}-{years[-1]}); give one of its years")
        result = attribute(loaded, max_exact=max_exact, permutations=permutations, seed=seed,
                           **_sweep_options(n_jobs, scheduler, store, engine, progress))
        target = loaded.scenario.target
        metric = target.metric if target else "co2_wtw"
        appraisal = appraise_run(loaded, simulate(loaded, engine=_engine(engine)),
                                 result.contributions, discount_rate=discount_rate,
                                 output=f"{metric}_t")
        actions = action_table(result, loaded, appraisal, year=year, metric=metric)
        shown_year, metric = actions.attrs["year"], actions.attrs["metric"]
        write_frame(result.contributions, out / "contributions.parquet")
        write_frame(result.totals, out / "totals.parquet")
        write_frame(actions, out / "actions.csv")
        fig = waterfall_figure(result.contributions, result.totals, shown_year, f"{metric}_t")
        page = write_analysis_page(out / "attribution.html", f"{loaded.scenario.name}: "
                                   "what each measure does", [(
                                       f"{metric.upper()} in {shown_year}",
                                       f"Shapley attribution ({result.method}, "
                                       f"{result.n_runs} runs); contributions add up to the "
                                       "package's effect.", [fig], frame_table(actions))])
    except MobilitySimError as exc:
        _fail(exc)
    typer.echo(f"{result.method} Shapley attribution of {len(result.measures)} measures "
               f"({result.n_runs} runs); largest gap between the sum of contributions and "
               f"the effect: {result.efficiency_gap():.1e} (relative)")
    typer.echo(actions[["measure", "co2_effect_t", "co2_abated_t", "cost_eur",
                        "eur_per_t_abated"]].to_string(index=False))
    typer.echo(f"results: {out.resolve()}")
    typer.echo(f"page:    {page.resolve()}")
    typer.echo(f"on the run's dashboard: mobility-sim dashboard RUN_DIR --attribution {out}")


def sensitivity_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    distributions: Annotated[Path, typer.Option(help="Parameter distribution YAML.")],
    method: Annotated[str, typer.Option(help="montecarlo, morris or sobol.")] = "morris",
    samples: Annotated[int, typer.Option(
        help="Monte Carlo samples, Morris trajectories, or Sobol base samples (a power of "
             "two).")] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the design.")] = 0,
    output: Annotated[str | None, typer.Option(
        help="Output column analysed (default: the target metric, e.g. co2_wtw_t).")] = None,
    year: Annotated[int | None, typer.Option(help="Year analysed (default: target year).")
                    ] = None,
    out: OutOpt = Path("output/sensitivity"),
    store: StoreOpt = None,
    n_jobs: JobsOpt = 1,
    scheduler: SchedulerOpt = None,
    engine: EngineOpt = "auto",
    progress: ProgressOpt = True,
) -> None:
    """Monte Carlo fan chart and Morris or Sobol sensitivity of the target-year CO2."""
    from ..scenario import load_scenario
    from .distributions import read_distributions
    from .figures import fan_chart_figure, frame_table, sensitivity_figure, write_analysis_page
    from .uncertainty import METHODS, run_uncertainty

    try:
        if method not in METHODS:
            raise MobilitySimError(f"--method {method!r}: use one of {', '.join(METHODS)}")
        loaded = load_scenario(scenario)
        space = read_distributions(distributions)
        run = run_uncertainty(loaded, space, method, samples, seed, output=output, year=year,
                              **_sweep_options(n_jobs, scheduler, store, engine, progress))
        write_frame(run.samples, out / "samples.parquet")
        write_frame(run.table, out / "runs.parquet")
        figures = []
        if method != "morris":  # Morris runs sit on a grid of levels: not a sample
            fan = run.fan()
            write_frame(fan, out / "fan.parquet")
            figures.append(fan_chart_figure(fan, run.reference,
                                            target=_target_line(loaded, run)))
        extra = ""
        if run.indices is not None:
            write_frame(run.indices, out / "indices.csv")
            figures.append(sensitivity_figure(run.indices, method,
                                              output_label=f"{run.output} in {run.year}"))
            extra = frame_table(run.indices)
        text = run.summary_text()
        write_text(text + "\n", out / "summary.txt")
        page = write_analysis_page(out / "sensitivity.html",
                                   f"{loaded.scenario.name}: uncertainty and sensitivity",
                                   [(f"{method}: {run.output} in {run.year}", text, figures,
                                     extra)])
    except MobilitySimError as exc:
        _fail(exc)
    typer.echo(text)
    typer.echo(f"results: {out.resolve()}")
    typer.echo(f"page:    {page.resolve()}")


def _target_line(loaded: Any, run: Any) -> tuple[str, float] | None:
    """Return the first target's name and level on the run with the scenario's own values."""
    from ..reference.targets import anchor_targets

    targets = loaded.scenario.all_targets
    if not targets or f"{targets[0].metric}_t" != run.output or run.reference.empty:
        return None
    anchored = anchor_targets(targets[:1], loaded.city, run.reference, run.reference)[0]
    level = anchored.get("target_emissions_t")
    return (str(anchored.get("name") or "target"), float(level)) if level is not None else None


def solve_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    lever: Annotated[list[str] | None, typer.Option(
        help="MEASURE.FIELD=BOUND or MEASURE.FIELD=NO_EFFECT:BOUND (MEASURE: position or "
             "label); repeat for several.")] = None,
    levers: Annotated[Path | None, typer.Option(help="YAML file of levers.")] = None,
    target_year: Annotated[int | None, typer.Option(help="Target year.")] = None,
    target_reduction: Annotated[float | None, typer.Option(
        help="Reduction versus the base year, 0-1 (0.55 = -55 %).")] = None,
    base_year: Annotated[int | None, typer.Option(help="Base year of the reduction.")] = None,
    metric: Annotated[str | None, typer.Option(
        help="co2_wtw, co2_ttw, territorial_co2_wtw or territorial_co2_ttw.")] = None,
    mission: Annotated[bool, typer.Option(
        help="Mission climate-neutrality target: -80 % (about 20 % residual offset), 2030 "
             "unless --target-year.")] = False,
    discount_rate: Annotated[float | None, typer.Option(
        help="Social discount rate of costs (default: the European Commission's 3 %).")]
    = None,
    objective: Annotated[str, typer.Option(
        help="'cost': the net present cost to the public budget (published unit costs, "
             "docs/costs.md); 'net': that cost less the co-benefits.")] = "cost",
    out: OutOpt = Path("output/solve"),
    store: StoreOpt = None,
    n_jobs: JobsOpt = 1,
    scheduler: SchedulerOpt = None,
    engine: EngineOpt = "auto",
) -> None:
    """Least-cost measure intensities that reach a target, or the best reachable and the gap."""
    from ..scenario import load_scenario
    from .solver import parse_lever, read_levers, solve, target_of

    try:
        loaded = load_scenario(scenario)
        chosen = [parse_lever(text, loaded) for text in lever or []]
        if levers is not None:
            chosen += read_levers(levers, loaded)
        if objective not in ("cost", "net"):
            raise MobilitySimError(f"--objective {objective!r}: use 'cost' or 'net'")
        target = target_of(loaded, target_year, target_reduction, base_year, metric, mission)
        solution = solve(loaded, chosen, target, discount_rate=discount_rate,
                         objective=objective,  # type: ignore[arg-type]
                         **_sweep_options(n_jobs, scheduler, store, engine, False))
        write_frame(solution.levers, out / "levers.csv")
        record = {"status": solution.status, "target": solution.target.__dict__,
                  "base_emissions_t": solution.base_emissions_t,
                  "target_emissions_t": solution.target_emissions_t,
                  "emissions_t": solution.emissions_t, "gap_t": solution.gap_t,
                  "cost_eur": solution.cost_eur, "n_runs": solution.n_runs,
                  "message": solution.message, "history": solution.history}
        write_text(json.dumps(record, indent=2) + "\n", out / "solution.json")
        solved = solution.scenario
        data = solved.scenario.model_dump(mode="json", exclude_none=True) if solved else {}
        data.pop("extends", None)
        data["name"] = f"{data.get('name', 'scenario')}-solved"[:120]
        data["city"] = _portable_city(str(data.get("city", "")), scenario.parent)
        buf = io.StringIO()
        buf.write(f"# solved by mobility-sim solve from {scenario} ({solution.status}): "
                  "the measures with the solved values, parent file merged in\n")
        dump_yaml(data, buf)
        write_text(buf.getvalue(), out / "solved_scenario.yaml")
    except MobilitySimError as exc:
        _fail(exc)
    typer.echo(solution.summary_text())
    typer.echo(f"results: {out.resolve()}")


def export_command(
    sources: Annotated[list[Path], typer.Argument(
        help="Run folders (mobility-sim run) or sweep tables (sweep.parquet).")],
    iamc: Annotated[Path | None, typer.Option(
        help="IAMC table to write (.csv or .parquet).")] = None,
    model: Annotated[str | None, typer.Option(help="IAMC model name.")] = None,
    sumi: Annotated[Path | None, typer.Option(
        help="Write the SUMP indicators (SUMI) of the run folders here (.csv or .parquet): "
             "one row per indicator and case, one column per year.")] = None,
) -> None:
    """Write an IAMC-format table and/or the run's SUMP indicators (SUMI)."""
    from ..exceptions import AnalysisError
    from ..results import Results
    from .export import iamc_from_results, iamc_from_sweep, sumi_export

    try:
        if iamc is None and sumi is None:
            raise AnalysisError("give --iamc FILE, --sumi FILE or both")
        if sumi is not None:
            tables = []
            for source in sources:
                if not source.is_dir():
                    raise AnalysisError(f"{source}: --sumi needs run folders (mobility-sim run)")
                tables.append(sumi_export(Results.load(source)))
            table = pd.concat(tables, ignore_index=True)
            write_frame(table, sumi)
            typer.echo(f"{len(table)} indicator rows: {sumi.resolve()}")
        if iamc is None:
            return
        frames = []
        for source in sources:
            if source.is_dir():
                frames.append(iamc_from_results(Results.load(source), model=model))
            elif source.is_file() and source.suffix == ".parquet":
                table = pd.read_parquet(source)
                cols = ["scenario", "sample"] if "sample" in table.columns else ["scenario"]
                frames.append(iamc_from_sweep(table, scenario_columns=cols, model=model))
            else:
                raise AnalysisError(f"{source}: not a run folder or a sweep table (.parquet)")
        result = pd.concat(frames, ignore_index=True)
        if result.duplicated(["model", "scenario", "region", "variable", "year"]).any():
            raise AnalysisError("two sources give the same model, scenario and region; export "
                                "them to separate files")
        write_frame(result, iamc)
        typer.echo(f"{len(result)} rows, {result['scenario'].nunique()} scenario(s): "
                   f"{iamc.resolve()}")
    except MobilitySimError as exc:
        _fail(exc)


def scale_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file to time.")],
    engine: EngineOpt = "auto",
    repeats: Annotated[int, typer.Option(help="Timed runs after the warm-up run.")] = 3,
    sizes: Annotated[str, typer.Option(help="Synthetic city sizes (cells) for the per-year "
                                            "fit, comma-separated.")] = "100,400,1600,2500",
    fit_scenario: Annotated[Path | None, typer.Option(
        help="Scenario for the per-year fit on synthetic cities (its areas must exist there; "
             "default: SCENARIO).")] = None,
    parallel_runs: Annotated[int, typer.Option(help="Runs of the local parallel test "
                                                    "(0: skip).")] = 8,
    n_jobs: JobsOpt = 2,
    cities: Annotated[Path, typer.Option(help="Folder of city folders whose grid sizes "
                                              "stand in for the Mission Cities.")] = Path(
        "cities"),
    out: Annotated[Path, typer.Option(help="JSON file of the measurements.")] = Path(
        "output/scale.json"),
) -> None:
    """Measure the per-run cost on this machine and estimate large sweeps (docs/scale.md)."""
    from ..scenario import load_scenario
    from .scale import (
        as_record,
        measure_cells,
        measure_parallel,
        measure_run,
        mission_estimate,
        shipped_city_cells,
    )

    try:
        try:
            cell_sizes = [int(s) for s in sizes.split(",")]
        except ValueError:
            raise MobilitySimError(f"--sizes {sizes!r}: give cell counts separated by commas, "
                                   "e.g. 100,400,1600") from None
        loaded = load_scenario(scenario)
        run = measure_run(loaded, engine=_engine(engine), repeats=repeats)
        cells = measure_cells(fit_scenario or scenario, cell_sizes, engine=engine)
        record: dict[str, Any] = {"run": as_record(run), "median_s": run.median_s,
                                  "per_year_fit": cells}
        if parallel_runs:
            record["parallel"] = measure_parallel(loaded, parallel_runs, n_jobs, engine)
        sizes_here = shipped_city_cells(cities)
        if sizes_here:
            record["mission_estimate"] = {
                "city_cells": sizes_here,
                "note": "112 cities x 10 scenarios x 1,000 samples; the shipped cities' grid "
                        "sizes stand in for the Mission Cities' (assumption)",
                "clusters": mission_estimate(record, sizes_here)}
        write_text(json.dumps(record, indent=2) + "\n", out)
    except MobilitySimError as exc:
        _fail(exc)
    typer.echo(json.dumps(record, indent=2))
    typer.echo(f"written: {out.resolve()}")


def policy_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    year: Annotated[int | None, typer.Option(
        help="Year shown (default: the target year, else the last).")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Write the table (year, output, element, contribution) to this CSV.")] = None,
    engine: EngineOpt = "auto",
) -> None:
    """Show what each EU or national policy of the reference case contributes (Shapley)."""
    from ..reference.case import ELEMENTS
    from ..scenario import load_scenario
    from .policy import policy_contributions

    try:
        loaded = load_scenario(scenario)
        years = loaded.scenario.years.as_list()
        target = loaded.scenario.target
        shown = year if year is not None else (target.year if target else years[-1])
        if shown not in years:
            raise MobilitySimError(f"--year {shown} is not a simulated year of {scenario} "
                                   f"({years[0]}-{years[-1]}); give one of its years")
        table = policy_contributions(loaded, engine=engine)
        if out is not None:
            write_frame(table, out)
    except MobilitySimError as exc:
        _fail(exc)
    part = table[(table["year"] == shown) & (table["output"] == "co2_wtw_t")].set_index("element")
    typer.echo(f"{loaded.scenario.name}: well-to-wheel CO2e in {shown}, t")
    typer.echo(f"  every element off: {part.loc['all off', 'contribution']:,.0f}")
    for name, label in ELEMENTS.items():
        if name in part.index:
            typer.echo(f"  {label}: {part.loc[name, 'contribution']:+,.0f}")
    typer.echo(f"  as given: {part.loc['as given', 'contribution']:,.0f} (the contributions add "
               "up to the difference; Shapley values over the 32 combinations)")


def _echo_table(markdown: str, table: pd.DataFrame, out: Path | None) -> None:
    """Print a table as Markdown and, with ``out``, write it as CSV (temporary file, rename)."""
    typer.echo(markdown, nl=False)
    if out is not None:
        with atomic_path(out) as tmp:
            table.to_csv(tmp, index=False)
        typer.echo(f"written: {out.resolve()}")


def reconcile_command(
    cities: Annotated[list[str] | None, typer.Argument(
        help="Shipped cities (default: every one with a published inventory figure).")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Also write the table as CSV here.")] = None,
) -> None:
    """Set each city's base year (2025) against its published transport inventory.

    Runs the base year of every shipped city with an absolute inventory figure (or one per
    inhabitant) and prints, per resident, the inventory, the model's territorial CO2e (all
    traffic on the grid's roads) and their ratio, with the scopes' comparability and the
    model's components (docs/reconciliation.md).
    """
    from .inventory import reconcile, reconciliation_markdown

    try:
        table = reconcile(cities)
    except MobilitySimError as exc:
        _fail(exc)
    _echo_table(reconciliation_markdown(table), table, out)


def backcast_command(
    cases: Annotated[list[str] | None, typer.Argument(
        help="Case names of mobility_sim/data/backcast_cases.csv (default: all).")] = None,
    out: Annotated[Path | None, typer.Option(help="Also write the table as CSV here.")] = None,
) -> None:
    """Run measures European cities took and set the model's prediction against the observed.

    Each case runs its shipped city with the measure as it was (docs/backcast.md says how each
    was put into the model's terms) and prints the predicted change of the measured outcome
    beside the observed change and its band. Cases outside their band are listed, never
    dropped; the model is not tuned to them.
    """
    from .backcast import backcast, backcast_markdown
    from .backcast import cases as all_cases

    try:
        known = all_cases()
        unknown = [c for c in cases or [] if c not in known]
        if unknown:
            _fail(MobilitySimError(f"unknown backcast case(s) {', '.join(unknown)}; known: "
                                   f"{', '.join(known)}"))
        table = backcast(known, cases or None)
    except MobilitySimError as exc:
        _fail(exc)
    _echo_table(backcast_markdown(table), table, out)
