"""Analysis at scale: sweeps, Shapley attribution, uncertainty and sensitivity, target solver.

Modules (each usable on its own; see ``docs/analysis.md``):

* :mod:`.jobs`: a :class:`~.jobs.Job` is a loaded scenario plus changes (parameter overrides,
  a subset of its measures, new values of measure fields), named by a content hash;
* :mod:`.store`: the sweep store, one Parquet file per finished job, written atomically;
* :mod:`.sweep`: :func:`~.sweep.run_sweep` runs jobs here, on joblib workers or on a Dask
  cluster, resumably, with a progress bar;
* :mod:`.plan`: scenarios x cities x parameter samples -> jobs;
* :mod:`.attribution`: exact or sampled Shapley values of a package's measures;
* :mod:`.distributions` and :mod:`.uncertainty`: parameter distributions (YAML), Monte Carlo
  fan charts, Morris and Sobol indices (SALib);
* :mod:`.solver`: least-cost measure intensities that reach a target;
* :mod:`.export`: IAMC table and Climate-City-Contract action table;
* :mod:`.council`: the council page's tables (attribution, appraisal, Monte Carlo band);
* :mod:`.figures`: waterfall, fan and sensitivity charts and the analysis HTML page;
* :mod:`.scale`: per-run cost measurements and sweep estimates;
* :mod:`.cli`: the command-line functions.

The names below are imported on first use, so ``import mobility_sim.analysis`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "Job": "jobs", "MeasureSetting": "jobs", "resolve": "jobs", "job_key": "jobs",
    "ResultStore": "store", "job_table": "store",
    "run_sweep": "sweep", "SweepReport": "sweep",
    "plan_sweep": "plan", "load_bases": "plan",
    "attribute": "attribution", "Attribution": "attribution",
    "read_distributions": "distributions", "ParameterSpace": "distributions",
    "run_uncertainty": "uncertainty", "UncertaintyRun": "uncertainty",
    "solve": "solver", "make_lever": "solver", "parse_lever": "solver",
    "read_levers": "solver", "target_of": "solver", "Solution": "solver",
    "iamc_table": "export", "iamc_from_results": "export", "iamc_from_sweep": "export",
    "action_table": "export",
    "council": "council", "Council": "council", "save_council": "council",
    "read_council": "council",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mobility_sim.analysis' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
