"""What each element of the reference case (EU and national policy) contributes in a city.

The reference case's elements (:data:`mobility_sim.reference.case.ELEMENTS`) are switched off
in every combination (2^5 = 32 runs of the scenario, each without its reference run) and the
change of each output is split among them by the exact Shapley value, as
:mod:`.attribution` splits a package among its measures: ``contribution[e]`` is what element
``e`` changes (negative: emissions it avoids), the contributions add up exactly to the
difference between the scenario as given and the same scenario with every element off, and an
interaction (a cleaner grid makes electric cars cleaner) is shared equally.

Elements the scenario already switches off stay off and get 0.
"""

from __future__ import annotations

import dataclasses
from itertools import combinations

import numpy as np
import pandas as pd

from ..reference.case import ELEMENTS
from ..scenario import LoadedScenario
from ..simulate import simulate
from .attribution import exact_shapley

#: Outputs split among the elements.
OUTPUTS: tuple[str, ...] = ("co2_wtw_t", "co2_ttw_t", "fleet_bev_share", "car_vkm")


def policy_contributions(loaded: LoadedScenario, engine: str = "auto") -> pd.DataFrame:
    """Shapley contributions of the reference case's elements to a scenario's outputs.

    Returns
    -------
    DataFrame
        ``year, output, element, contribution`` (in the output's unit), plus rows with element
        ``all off`` holding the value with every element off and ``as given`` the scenario's.
    """
    given = loaded.scenario.reference.model_dump()
    active = [name for name in ELEMENTS if given.get(name, True)]
    values: dict[tuple[int, ...], np.ndarray] = {}
    years: list[int] = []
    for k in range(len(active) + 1):
        for subset in combinations(range(len(active)), k):
            switches = {**given, **{name: i in subset for i, name in enumerate(active)}}
            scenario = loaded.scenario.model_copy(update={
                "reference": loaded.scenario.reference.model_copy(update=switches)})
            run = simulate(dataclasses.replace(loaded, scenario=scenario), engine=engine,
                           with_reference=False).summary
            years = [int(y) for y in run["year"]]
            values[subset] = run[list(OUTPUTS)].to_numpy(float)
    phi = (exact_shapley(values, len(active))[0] if active
           else np.zeros((0, len(years), len(OUTPUTS))))
    rows = []
    for i, name in enumerate(active):
        for j, out in enumerate(OUTPUTS):
            rows += [{"year": y, "output": out, "element": name, "contribution": phi[i, t, j]}
                     for t, y in enumerate(years)]
    full = tuple(range(len(active)))
    for label, key in (("all off", ()), ("as given", full)):
        for j, out in enumerate(OUTPUTS):
            rows += [{"year": y, "output": out, "element": label,
                      "contribution": values[key][t, j]} for t, y in enumerate(years)]
    return pd.DataFrame(rows, columns=["year", "output", "element", "contribution"])
