"""Read a folder written by ``mobility-sim attribute`` as the dashboard's optional tables.

``mobility-sim attribute SCENARIO --out FOLDER`` writes the Shapley contributions of each
measure (``contributions.parquet``) and the action table (``actions.csv``). This module turns
them into the ``wedges`` and ``costs`` tables of :mod:`.dashboard` and
:func:`.comparison.build_city_comparison`, and checks that they belong to the run they are
drawn on (same measures), so that a planner can put the split of the reduction among measures
on the package's own page::

    mobility-sim run scenarios/helsinki/sump_package.yaml --out output/sump
    mobility-sim attribute scenarios/helsinki/sump_package.yaml --out output/sump_attribution
    mobility-sim dashboard output/sump --attribution output/sump_attribution
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..exceptions import MobilitySimError
from ..results import Results
from ..scenario.base import distinct_names
from .emissions_figures import wedges_from_contributions

#: Output of the attribution drawn as wedges.
WEDGE_OUTPUT = "co2_wtw_t"


def read_attribution(folder: str | Path) -> dict[str, pd.DataFrame]:
    """Return the ``wedges`` (and, when measures have costs, ``costs``) tables of a folder.

    Parameters
    ----------
    folder : path-like
        Output folder of ``mobility-sim attribute``.

    Returns
    -------
    dict of str to DataFrame
        ``wedges``: ``year, measure, co2_wtw_reduction_t`` (the Shapley contribution of each
        measure to the well-to-wheel CO2e change, sign flipped so a cut is positive);
        ``costs``: ``measure, cost_eur, co2_abated_t`` from the action table, only when at least
        one measure has a cost.

    Raises
    ------
    MobilitySimError
        When the folder or its contributions are missing or malformed.
    """
    folder = Path(folder)
    how = f"write it with 'mobility-sim attribute SCENARIO --out {folder}'"
    path = folder / "contributions.parquet"
    if not path.is_file():
        raise MobilitySimError(f"{path}: not found; {how}")
    try:
        contributions = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise MobilitySimError(f"{path}: cannot read ({exc}); {how}") from None
    needed = {"year", "output", "measure", "contribution"}
    if not needed <= set(contributions.columns):
        raise MobilitySimError(f"{path}: missing columns {sorted(needed - set(contributions))}; "
                               f"{how}")
    co2 = contributions[contributions["output"] == WEDGE_OUTPUT]
    if co2.empty:
        raise MobilitySimError(f"{path}: no rows for output {WEDGE_OUTPUT!r}; {how}")
    tables = {"wedges": wedges_from_contributions(co2, WEDGE_OUTPUT)}
    actions = folder / "actions.csv"
    if actions.is_file():
        table = pd.read_csv(actions)
        if {"measure", "cost_eur", "co2_abated_t"} <= set(table.columns) and (
                table["cost_eur"].fillna(0) != 0).any():
            tables["costs"] = table[["measure", "cost_eur", "co2_abated_t"]].dropna(
                subset=["cost_eur"]).reset_index(drop=True)
    return tables


def check_matches(tables: dict[str, pd.DataFrame], results: Results, folder: str | Path,
                  run_dir: str | Path) -> None:
    """Raise unless the attribution's measures are the run's measures and its years are run.

    Raises
    ------
    MobilitySimError
        Naming both folders and the measures or years that differ.
    """
    run_measures = set(distinct_names([str(m.get("label") or m.get("type"))
                                       for m in results.meta.get("measures") or []]))
    wedges = tables["wedges"]
    attributed = set(wedges["measure"])
    scenario = results.meta.get("scenario_name") or "?"
    if attributed != run_measures:
        missing = sorted(attributed - run_measures)
        extra = sorted(run_measures - attributed)
        raise MobilitySimError(
            f"{folder}: its measures are not those of run {run_dir} (scenario {scenario!r}): "
            f"attributed but not in the run: {missing or 'none'}; in the run but not "
            f"attributed: {extra or 'none'}; attribute the scenario the run was made from")
    years = set(results.summary["year"].astype(int))
    if not set(wedges["year"]) <= years:
        raise MobilitySimError(f"{folder}: attribution years {sorted(set(wedges['year']))} are "
                               f"not all simulated in run {run_dir}; attribute the same "
                               "scenario file")
