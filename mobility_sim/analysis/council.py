"""The council's five questions for one package, computed in one call.

What happens if we do nothing (the reference case), what each measure achieves (Shapley
wedges), when the target is met, what it costs per tonne (appraisal and cost curve), and how
sure we are (a Monte Carlo band of the reduction, each run against its own base year and
reference case). :func:`council` runs the extra simulations; :func:`save_council` keeps the
tables beside a run, and :func:`~mobility_sim.report.council_tables.read_council` reads them
for its dashboard.

Cost on this 2-core machine, Helsinki's SUMP package (20 measures, 26 years, speeds following
traffic): the sampled attribution with 3 orders and their reverses (112 runs) and a Monte
Carlo of 16 samples (32 runs: each sample with and without the measures) took 72-83 s on 2
worker processes (``docs/costs.md`` has the command).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError
from ..report.council_tables import FILES
from ..scenario import LoadedScenario
from .attribution import attribute
from .distributions import ParameterSpace, read_distributions
from .jobs import Job, base_tags
from .store import job_table
from .sweep import run_sweep

#: Outputs attributed for the council page: CO2 (both scopes), pollutants, health value (and
#: the residents' welfare by segment, for who gains and who pays).
COUNCIL_OUTPUTS: tuple[str, ...] = ("territorial_co2_wtw_t", "co2_wtw_t", "co2_ttw_t",
                                    "territorial_co2_ttw_t", "nox_t", "pm25_t",
                                    "health_value_eur")
#: Default sampled orders (each also run reversed) of the council's attribution.
COUNCIL_PERMUTATIONS = 3
#: Default Monte Carlo samples of the council's band.
COUNCIL_SAMPLES = 16
#: Quantiles of the band.
BAND_QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
#: The packaged distributions of the model's uncertain parameters (chosen by Morris screening,
#: docs/costs.md).
DEFAULT_DISTRIBUTIONS = Path(__file__).resolve().parent.parent / "data" / \
    "uncertain_parameters.yaml"


@dataclass
class Council:
    """What the council page shows, beside a run.

    Attributes
    ----------
    contributions, totals : pandas.DataFrame
        The Shapley attribution (:class:`~.attribution.Attribution`).
    appraisal : mobility_sim.economics.Appraisal
        Costs, abatement, EUR per tonne, co-benefits.
    band : pandas.DataFrame
        ``year, quantile, change_vs_first, against_reference``: over the Monte Carlo runs, the
        change of the target metric against the same run's first year and against the same
        run's reference case (shares; -0.3 is 30 % less).
    runs : pandas.DataFrame
        ``sample, year, scenario_t, reference_t, target_t``: each Monte Carlo run.
    info : dict
        ``metric, target_year, target_name, chance_met, samples, parameters, permutations,
        attribution_runs, method, seconds``.
    """

    contributions: pd.DataFrame
    totals: pd.DataFrame
    appraisal: Any
    band: pd.DataFrame
    runs: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)


def council(loaded: LoadedScenario, results: Any, *,
            permutations: int = COUNCIL_PERMUTATIONS, samples: int = COUNCIL_SAMPLES,
            distributions: Path | None = None, discount_rate: float | None = None,
            seed: int = 0, **sweep_options: Any) -> Council:
    """Attribute, appraise and bound one package.

    Parameters
    ----------
    loaded : LoadedScenario
        The package.
    results : Results
        Its run (with the reference case).
    permutations : int
        Sampled orders of the attribution when the package has more than 10 measures.
    samples : int
        Monte Carlo samples of the band (each run with and without the measures).
    distributions : path, optional
        Parameter distributions (default: :data:`DEFAULT_DISTRIBUTIONS`).
    discount_rate : float, optional
        Social discount rate (default: the European Commission's).
    seed : int
        Seed of the sampled orders and the Latin hypercube.
    **sweep_options
        ``n_jobs``, ``scheduler``, ``store``, ``engine``, ``progress``.
    """
    from ..economics import appraise_run

    if not loaded.scenario.measures:
        raise AnalysisError(f"{loaded.path}: the scenario has no measures; the council page "
                            "appraises a package of measures")
    started = time.perf_counter()
    columns = job_table(results).columns
    outputs = [o for o in COUNCIL_OUTPUTS if o in columns]
    outputs += [c for c in columns if c.startswith(("welfare_eur.", "spending_eur."))]
    attribution = attribute(loaded, permutations=permutations, seed=seed, outputs=outputs,
                            **sweep_options)
    appraisal = appraise_run(loaded, results, attribution.contributions,
                             discount_rate=discount_rate)
    space = read_distributions(distributions or DEFAULT_DISTRIBUTIONS)
    runs = monte_carlo(loaded, space, samples, seed, **sweep_options)
    band = band_table(runs)
    target = (results.meta.get("targets") or [None])[0]
    info: dict[str, Any] = {
        "metric": runs.attrs["metric"], "samples": int(runs["sample"].nunique()),
        "parameters": list(space.names), "distributions": str(distributions or
                                                               "packaged defaults"),
        "permutations": permutations, "attribution_runs": attribution.n_runs,
        "method": attribution.method, "efficiency_gap": attribution.efficiency_gap(),
        "discount_rate": appraisal.discount_rate, "abated_output": appraisal.output,
    }
    if target:
        year = int(target["year"])
        at = runs[runs["year"] == year]
        info.update({"target_name": target.get("name"), "target_year": year,
                     "chance_met": float((at["scenario_t"] <= at["target_t"]).mean())
                     if len(at) else None})
    info["seconds"] = round(time.perf_counter() - started, 1)
    return Council(contributions=attribution.contributions, totals=attribution.totals,
                   appraisal=appraisal, band=band, runs=runs, info=info)


def monte_carlo(loaded: LoadedScenario, space: ParameterSpace, samples: int, seed: int,
                **sweep_options: Any) -> pd.DataFrame:
    """Run each Latin-hypercube sample with and without the measures; anchor each's target.

    Returns ``sample, year, scenario_t, reference_t, target_t`` (``target_t``: the first
    target's level anchored on that run's own base year, NaN without a target); the metric in
    ``attrs["metric"]``.
    """
    from ..reference.targets import anchor_targets
    from .uncertainty import design

    unit = design(space, "montecarlo", samples, seed)
    values = space.from_unit(unit)
    tags = {**base_tags(loaded), "method": "council"}
    jobs = space.jobs(loaded, values, {**tags, "case": "scenario"})
    jobs += [Job(base=j.base, parameters=j.parameters, settings=j.settings, measures=(),
                 tags={**j.tags, "case": "reference"}) for j in jobs]
    sweep_options.setdefault("description", f"uncertainty band ({len(jobs)} runs)")
    report = run_sweep(jobs, **sweep_options)
    if report.failures:
        raise AnalysisError([f"uncertainty run {f['tags'].get('sample')} failed: {f['error']}"
                             for f in report.failures])
    table = report.table
    targets = loaded.scenario.all_targets
    metric = f"{targets[0].metric}_t" if targets else "co2_wtw_t"
    rows = []
    for sample, part in table.groupby("sample"):
        scen = part[part["case"] == "scenario"].sort_values("year")
        ref = part[part["case"] == "reference"].sort_values("year")
        level = np.nan
        if targets:
            anchored = anchor_targets(targets[:1], loaded.city, ref, scen)[0]
            level = anchored.get("target_emissions_t") or np.nan
        rows.append(pd.DataFrame({"sample": int(sample), "year": scen["year"].to_numpy(int),
                                  "scenario_t": scen[metric].to_numpy(float),
                                  "reference_t": ref[metric].to_numpy(float),
                                  "target_t": float(level) if level is not None else np.nan}))
    out = pd.concat(rows, ignore_index=True)
    out.attrs["metric"] = metric
    return out


def band_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Quantiles per year of each run's change against its own first year and reference."""
    first = runs.sort_values("year").groupby("sample")["scenario_t"].transform("first")
    frame = runs.assign(change_vs_first=runs["scenario_t"] / first - 1.0,
                        against_reference=runs["scenario_t"] / runs["reference_t"] - 1.0)
    q = frame.groupby("year")[["change_vs_first", "against_reference"]].quantile(
        list(BAND_QUANTILES))
    q.index.names = ["year", "quantile"]
    return q.reset_index()


def save_council(result: Council, folder: Path) -> Path:
    """Write the council tables into ``folder`` (each through a temporary file)."""
    from .cli import write_frame, write_text

    folder = Path(folder)
    a = result.appraisal
    for name, frame in (("contributions", result.contributions), ("totals", result.totals),
                        ("band", result.band), ("runs", result.runs),
                        ("measures", a.measures), ("money", a.money), ("lines", a.lines)):
        write_frame(frame, folder / FILES[name])
    write_frame(action_plan_by_year(result), folder / "action_plan_by_year.csv")
    info = {**result.info, "package": a.package, "price_year": a.price_year}
    write_text(json.dumps(info, indent=2, default=float) + "\n", folder / "council.json")
    return folder


def action_plan_by_year(result: Council) -> pd.DataFrame:
    """Per measure and calendar year: money (undiscounted, EUR of the price year) and the cut.

    The Climate City Contract action plan's shape: ``measure, year, capex_eur, opex_eur,
    revenue_eur, residual_eur, net_eur, co2e_abated_t`` (the Shapley cut of the territorial
    well-to-wheel CO2e against the reference case; years between simulated ones interpolated).
    """
    a = result.appraisal
    money = a.money.copy()
    c = result.contributions[result.contributions["output"] == a.output]
    cut = []
    for name, part in money.groupby("measure", sort=False):
        own = c[c["measure"] == name].sort_values("year")
        values = (np.interp(part["year"], own["year"], -own["contribution"]) if len(own)
                  else np.full(len(part), np.nan))
        cut.append(pd.Series(values, index=part.index))
    money["co2e_abated_t"] = pd.concat(cut) if cut else np.nan
    return money
