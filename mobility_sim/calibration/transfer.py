"""Coefficient sets transferred from estimated mode-choice models, to test the defaults against.

The default time coefficients (``mobility_sim/data/parameters.csv``) carry sourced relative
weights but an assumed absolute scale. ``mobility_sim/data/transferred_coefficients.csv`` holds
the time and cost coefficients of mode-choice models estimated elsewhere, each value with its
source, under the model's own parameter keys. Applying a set replaces those defaults; the
alternative-specific constants are then fitted again to the city's observed split (a
transferred model is always re-calibrated), and ``validate-model --coefficients NAME`` reports
the elasticities that result beside the published ranges, so the defaults and each transferred
set are judged by the same yardstick.

The same table holds choice structures (``nest.*`` keys): ``mnl``, the multinomial logit
(every nest scale 1), and ``biogeme_optima_nested``, the car / non-car nesting estimated on the
Swiss Optima survey, to set beside the default motorised / non-motorised nesting
(``docs/calibration.md``); and cost dampings (``cost_damping.*`` keys): ``swiss_cost_damping``,
the Swiss national model's, and ``no_cost_damping``, one cost coefficient for every trip length.
"""

from __future__ import annotations

import pandas as pd

from ..data import parameter_table, read_table
from ..exceptions import CalibrationError
from ..io.input_errors import did_you_mean
from ..scenario.checks import value_problem

#: Packaged table of transferred coefficient sets.
TABLE = "transferred_coefficients.csv"


def coefficient_sets() -> pd.DataFrame:
    """Return every transferred coefficient (columns ``set, key, value, source``).

    Raises
    ------
    CalibrationError
        If a row names an unknown parameter, has a value out of range or no source.
    """
    table = read_table(TABLE)
    units = parameter_table().set_index("key")["unit"]
    problems = []
    for number, row in enumerate(table.itertuples(), start=2):
        where = f"mobility_sim/data/{TABLE}:{number}"
        if row.key not in units.index:
            problems.append(f"{where}: unknown parameter {row.key!r}"
                            f"{did_you_mean(str(row.key), list(units.index))}")
            continue
        problem = value_problem(str(row.key), float(row.value), str(units[row.key]))
        if problem:
            problems.append(f"{where}: {problem}")
        if not isinstance(row.source, str) or not row.source.strip():
            problems.append(f"{where}: {row.key} has no source; cite it or start with "
                            "'assumption'")
    if table.duplicated(["set", "key"]).any():
        problems.append(f"mobility_sim/data/{TABLE}: a key appears twice in one set")
    if problems:
        raise CalibrationError(problems)
    return table


def set_names() -> list[str]:
    """Names of the packaged coefficient sets, in file order."""
    return list(dict.fromkeys(read_table(TABLE)["set"]))


def transferred_parameters(name: str) -> dict[str, float]:
    """Return the parameter values of one transferred set.

    Parameters
    ----------
    name : str
        Set name (see :func:`set_names`).

    Returns
    -------
    dict of str to float
        Parameter key to value; apply on top of the defaults, then re-fit the constants.

    Raises
    ------
    CalibrationError
        If no set has that name (the message lists the names).
    """
    table = coefficient_sets()
    rows = table[table["set"] == name]
    if rows.empty:
        names = set_names()
        raise CalibrationError(
            f"--coefficients {name!r}: no such coefficient set{did_you_mean(name, names)}; "
            f"choose one of {', '.join(names)} (mobility_sim/data/{TABLE})")
    return {str(k): float(v) for k, v in zip(rows["key"], rows["value"], strict=True)}


__all__ = ["coefficient_sets", "set_names", "transferred_parameters"]
