"""Constants for a city without a published split, transferred from the calibrated cities.

Rule: a city without its own calibration takes, for each alternative-specific constant
(``utility.asc.<segment>.<purpose>.<mode>``), the mean of that constant over the shipped cities
calibrated to a split of **all purposes** (a commute-only split leaves the other purposes at
their defaults, so those cities do not inform them). The city stays flagged uncalibrated in
every table and dashboard; its constants are "transferred".

How good the rule is, is measured by leaving each calibrated city out in turn
(:func:`leave_one_out`): the city gets the mean of the *other* cities' constants, and its
modelled base-year split is compared with its own published split (in that split's
definition: :mod:`.targets`). The same comparison with the model's default constants is the
yardstick. ``mobility-sim calibrate --transfer`` writes the mean into
``mobility_sim/data/transferred_constants.csv`` and prints the leave-one-out table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from ..city import City, load_city
from ..model.asc import ASC_PREFIX
from ..model.base_year import BaselineModel
from ..model.kernel import KernelFn
from ..model.modes import SURVEY_MODES
from ..model.parameters import calibration_path, read_calibration
from .outputs import survey_mode_shares
from .targets import choose_split, purposes_of, read_split


def calibrated_constants(slugs: Iterable[str]) -> dict[str, dict[str, float]]:
    """Return the constants of each city calibrated to an all-purpose split (others left out)."""
    out = {}
    for slug in slugs:
        city = load_city(slug)
        path = calibration_path(city)
        if not path.is_file():
            continue
        content = read_calibration(path)
        split = (content.get("targets") or {}).get("modal_split") or {}
        if len(purposes_of(str(split.get("purposes", "")), str(path))) < 2:
            continue
        out[slug] = {k: float(v) for k, v in (content.get("parameters") or {}).items()
                     if k.startswith(ASC_PREFIX)}
    return out


def mean_constants(constants: Mapping[str, Mapping[str, float]],
                   leave_out: str | None = None) -> dict[str, float]:
    """Return the mean of each constant over ``constants``' cities (without ``leave_out``)."""
    keys = sorted({k for values in constants.values() for k in values})
    out = {}
    for key in keys:
        values = [v[key] for slug, v in constants.items() if slug != leave_out and key in v]
        if values:
            out[key] = float(np.mean(values))
    return out


def split_error_pp(city: City, overrides: Mapping[str, float],
                   kernel: KernelFn | None = None) -> dict[str, float]:
    """Return modelled minus published share (pp) per published mode of the city's split.

    The split is the one calibration uses (:func:`.targets.choose_split`), read in its own
    definition; the model runs with the defaults and ``overrides`` (no calibration).
    """
    splits = city.meta.observed_modal_split
    index = choose_split(splits, city.slug)
    target = read_split(splits[index], city.slug)
    model = BaselineModel.build(city, overrides, kernel)
    shares = survey_mode_shares(model.run(), target.unit, target.purposes)
    errors = {}
    for group, goal in zip(target.groups, target.shares, strict=True):
        if len(group) == 1 and group[0] in SURVEY_MODES:
            errors[group[0]] = 100.0 * (shares[group[0]] - goal)
    return errors


def leave_one_out(slugs: Iterable[str], kernel: KernelFn | None = None) -> pd.DataFrame:
    """Return each calibrated city's split error with the default and transferred constants.

    Returns
    -------
    DataFrame
        ``city, mode, default_pp, transferred_pp``: modelled minus published, percentage
        points, per published mode.
    """
    constants = calibrated_constants(slugs)
    rows = []
    for slug in constants:
        city = load_city(slug)
        default = split_error_pp(city, {}, kernel)
        transferred = split_error_pp(city, mean_constants(constants, leave_out=slug), kernel)
        for mode, err in default.items():
            rows.append({"city": slug, "mode": mode, "default_pp": err,
                         "transferred_pp": transferred[mode]})
    return pd.DataFrame(rows, columns=["city", "mode", "default_pp", "transferred_pp"])


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Return the mean absolute error per mode (pp) of the defaults and of the transfer rule."""
    grouped = table.assign(default=table["default_pp"].abs(),
                           transferred=table["transferred_pp"].abs())
    out = grouped.groupby("mode")[["default", "transferred"]].mean()
    out.loc["all modes"] = grouped[["default", "transferred"]].mean()
    return out.rename(columns={"default": "default_mae_pp", "transferred": "transferred_mae_pp"})


def constants_table(constants: Mapping[str, Mapping[str, float]],
                    errors: pd.DataFrame) -> pd.DataFrame:
    """Return the packaged table: each constant with its cities and the rule's error."""
    mean = mean_constants(constants)
    mae = summary(errors).loc["all modes"]
    cities = " ".join(sorted(constants))
    source = (f"mean over the {len(constants)} shipped cities calibrated to an all-purpose "
              f"published split ({cities}); leave-one-out mean absolute error "
              f"{mae['transferred_mae_pp']:.1f} pp per published mode against "
              f"{mae['default_mae_pp']:.1f} pp with the default constants "
              "(mobility-sim transfer-constants)")
    return pd.DataFrame({"key": list(mean), "value": list(mean.values()),
                         "n_cities": [sum(k in v for v in constants.values()) for k in mean],
                         "source": source})
