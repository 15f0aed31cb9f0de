"""Where a public transport improvement's new riders come from: the model's diversion ratios.

On a city's baseline, PT fares are cut by 10 % (and, separately, PT departures made 10 % more
frequent); the trips PT gains are set against the trips each other mode loses. The diversion
ratio from a mode is ``-dT_mode / dT_PT``; the model's trip rates are fixed, so the ratios add up
to 1 and no trip is new. A multinomial logit draws the new riders from the other modes in
proportion to their shares of the trips PT competes for (its IIA property): the table shows
each mode's share of the non-PT trips beside its diversion ratio. Published diversion studies
find new PT riders coming mostly from walking, cycling and other PT and less from the car, and
a part of them making trips they did not make before (``diversion_factors.csv``, shown beside
in ``docs/elasticities.md``): the reviewer's point against a plain logit, measured.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..kernels.spec import BIKE, CAR_MODES, EBIKE, PT, WALK, DemandOutputs
from ..model.base_year import BaselineModel

#: The improvements, and the lever factor of each.
CHANGES: dict[str, tuple[str, float]] = {
    "pt_fare_minus_10pct": ("PT fares -10 %", 0.9),
    "pt_frequency_plus_10pct": ("PT departures +10 %", 1.1),
}
#: The modes new PT riders can come from (model modes of each).
FROM: dict[str, tuple[int, ...]] = {"car": tuple(CAR_MODES), "walk": (WALK,),
                                    "bike": (BIKE, EBIKE)}


def _by_mode(out: DemandOutputs) -> np.ndarray:
    return np.asarray(out.trips, dtype=float).sum(axis=(0, 1, 2))


def diversion_ratios(model: BaselineModel,
                     baseline: DemandOutputs | None = None) -> pd.DataFrame:
    """Return the model's diversion ratios for the improvements of :data:`CHANGES`.

    Columns ``change, label, from_mode, diversion, share_of_other_trips``: the share of the
    new PT trips taken from each mode, and that mode's share of the baseline's non-PT trips.
    ``baseline``: the model's run without a change, when the caller has it (else run here).
    """
    base = _by_mode(model.run() if baseline is None else baseline)
    params = model.params
    rows = []
    for key, (label, factor) in CHANGES.items():
        if key.startswith("pt_fare"):
            fare = np.array(params.fare, dtype=float, copy=True)
            fare[PT] *= factor
            changed = model.run(dataclasses.replace(params, fare=fare))
        else:
            changed = model.run(params, model.inputs_with_headway(1.0 / factor))
        delta = _by_mode(changed) - base
        gained = float(delta[PT])
        other = float(base.sum() - base[PT])
        for name, modes in FROM.items():
            lost = -float(delta[list(modes)].sum())
            rows.append({"change": key, "label": label, "from_mode": name,
                         "diversion": lost / gained if gained > 0 else float("nan"),
                         "share_of_other_trips": (float(base[list(modes)].sum()) / other
                                                  if other > 0 else float("nan"))})
    return pd.DataFrame(rows)
