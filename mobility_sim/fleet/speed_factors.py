"""Emission factors that follow speed: COPERT's average-speed curves as multipliers.

The EMEP/EEA air pollutant emission inventory guidebook (2019, chapter 1.A.3.b.i-iv, annex of
hot emission factors; ``copert_hot_ef.csv``) gives each vehicle class's hot exhaust factor as a
function of average speed ``V``::

    EF(V) = (alpha V^2 + beta V + gamma + delta / V) / (epsilon V^2 + zeta V + eta) (1 - RF)

in g/km (NOx, exhaust PM) or MJ/km (energy, from which fuel and CO2 follow in proportion).

How the model uses it. The packaged factors (``emission_factors.csv``, ``euro_standards.csv``)
stay the level: they are averages of the traffic they were measured on, which the base year's
speeds stand for. When speeds change (traffic, a speed limit, a road-space measure), each
factor of a powertrain changes by the ratio of its COPERT curve at the new speeds to the same
curve at the base year's speeds, averaged over the cells weighted by the year's vehicle-km
(:func:`speed_multipliers`): ``m = sum_i w_i EF(v_i) / sum_i w_i EF(v0_i)``. The curve of one
Euro class stands for the shape of every class of a powertrain (:data:`CURVES`); speeds are
clamped to the curve's range (cars: :data:`CAR_SPEED_RANGE`, an assumption, since the
transcription read has no range for cars). Battery-electric cars take the shape of the
guidebook's small electric van (its electric-car rows were not found: an assumption). What is
not covered, and stays at the packaged factor: compressed-gas and electric buses,
battery-electric lorries, non-exhaust PM and cold starts (:mod:`.cold_start`). Vans' and
lorries' fuel, electricity and CO2 follow their COPERT energy curves in the same way, at the
freight's average speed (:func:`freight_energy_multipliers`); they have no packaged NOx or PM
factors: :func:`freight_exhaust` gives them COPERT's absolute values at the year's speed
(Euro 6 a/b/c vans, Euro VI lorries: a lower bound).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from ..data import read_table
from .vintage_factors import ENERGY_QUANTITIES

#: COPERT curve (category, fuel, segment, Euro class prefix, technology) that gives the speed
#: shape of each vehicle class and powertrain.
CURVES: dict[tuple[str, str], tuple[str, str, str, str, str]] = {
    ("car", "petrol"): ("passenger_car", "petrol", "Medium", "Euro 6 a/b/c", "GDI"),
    ("car", "phev"): ("passenger_car", "petrol", "Medium", "Euro 6 a/b/c", "GDI"),
    ("car", "diesel"): ("passenger_car", "diesel", "Medium", "Euro 6 a/b/c", "DPF"),
    ("car", "hev"): ("passenger_car", "petrol_hybrid", "Medium", "Euro 6 a/b/c", ""),
    # battery-electric cars: the guidebook's electric-car rows were not found; its N1-II
    # electric van's energy curve (2023 update 2025) gives the shape (an assumption)
    ("car", "bev"): ("light_commercial", "electric", "N1-II", "Euro 7", ""),
    ("bus", "diesel"): ("urban_bus", "diesel", "Urban Buses Standard 15 - 18 t", "Euro VI",
                        "DPF+SCR"),
}
#: COPERT curve giving the exhaust NOx and PM of a diesel van or lorry at its speed (absolute
#: values: the model has no other factors for them). The newest classes with rows read:
#: older vans and lorries emit more NOx, so these are a lower bound.
FREIGHT_CURVES: dict[str, tuple[str, str, str, str, str]] = {
    "van": ("light_commercial", "diesel", "N1-III", "Euro 6 a/b/c", ""),
    "lorry_rigid": ("heavy_truck", "diesel", "Rigid 14 - 20 t", "Euro VI", ""),
    "lorry_articulated": ("heavy_truck", "diesel", "Articulated 34 - 40 t", "Euro VI", ""),
}
#: COPERT energy curve giving the speed shape of the fuel, electricity and CO2 of each van and
#: lorry powertrain (their packaged per-km factors stay the level, as the cars'): the newest
#: Euro classes with rows read; battery-electric vans on the guidebook's N1-III electric van;
#: battery-electric lorries have no curve read and stay at their packaged factor.
FREIGHT_ENERGY_CURVES: dict[tuple[str, str], tuple[str, str, str, str, str]] = {
    ("van", "diesel"): FREIGHT_CURVES["van"],
    ("van", "bev"): ("light_commercial", "electric", "N1-III", "Euro 7", ""),
    ("lorry_rigid", "diesel"): FREIGHT_CURVES["lorry_rigid"],
    ("lorry_articulated", "diesel"): FREIGHT_CURVES["lorry_articulated"],
}
#: Quantities of the vintage factors that follow each COPERT pollutant.
FOLLOWS: dict[str, tuple[str, ...]] = {"energy": ENERGY_QUANTITIES, "nox": ("nox",),
                                       "pm_exhaust": ("pm25_exhaust",)}
#: Speeds (km/h) the car curves are evaluated within: assumption (COPERT's car curves are
#: commonly stated valid from about 10 km/h up to motorway speeds).
CAR_SPEED_RANGE: tuple[float, float] = (10.0, 130.0)


@cache
def _table() -> pd.DataFrame:
    return read_table("copert_hot_ef.csv")


@dataclass(frozen=True)
class Curve:
    """One COPERT row: the coefficients of its speed function and its speed range (km/h)."""

    alpha: float
    beta: float
    gamma: float
    delta: float
    epsilon: float
    zita: float
    hta: float
    rf_percent: float
    vmin_kmh: float
    vmax_kmh: float

    def __getitem__(self, name: str) -> float:
        return float(getattr(self, name))


@cache
def curve_row(category: str, fuel: str, segment: str, euro: str, technology: str,
              pollutant: str) -> Curve | None:
    """Return the COPERT curve of a vehicle class and pollutant (None when the table has none).

    Rows for a driving mode (urban peak, ...) are not speed curves and are skipped; with
    several technologies the one named is taken, else the first. A row without a speed range
    (the car rows of the transcription read) gets :data:`CAR_SPEED_RANGE`.
    """
    t = _table()
    rows = t[(t["category"] == category) & (t["fuel"] == fuel) & (t["segment"] == segment)
             & t["euro"].str.startswith(euro) & (t["pollutant"] == pollutant)
             & t["mode"].isna()]
    if rows.empty:
        return None
    named = rows[rows["technology"].fillna("") == technology]
    row = (named if not named.empty else rows).iloc[0]
    low, high = row["vmin_kmh"], row["vmax_kmh"]
    if pd.isna(low) or pd.isna(high):
        low, high = CAR_SPEED_RANGE
    return Curve(*(float(row[k]) for k in ("alpha", "beta", "gamma", "delta", "epsilon",
                                           "zita", "hta", "rf_percent")),
                 vmin_kmh=float(low), vmax_kmh=float(high))


def copert_factor(row: Curve, speed: np.ndarray) -> np.ndarray:
    """Evaluate one COPERT curve at ``speed`` (km/h), clamped to its range.

    A fitted curve that dips below zero (the hybrid car's NOx at walking pace) is read as 0.
    """
    v = np.clip(np.asarray(speed, dtype=float), row.vmin_kmh, row.vmax_kmh)
    num = row.alpha * v ** 2 + row.beta * v + row.gamma + row.delta / v
    den = row.epsilon * v ** 2 + row.zita * v + row.hta
    return np.maximum(num / den * (1.0 - row.rf_percent / 100.0), 0.0)


def speed_multipliers(vehicle: str, powertrains: tuple[str, ...], speed: np.ndarray,
                      base_speed: np.ndarray, weight: np.ndarray,
                      curves: Mapping[tuple[str, str], tuple[str, str, str, str, str]] = CURVES,
                      follows: Mapping[str, tuple[str, ...]] = FOLLOWS,
                      ) -> dict[str, dict[str, float]]:
    """Multiplier of each factor of each powertrain for a change of speeds (see the module).

    Parameters
    ----------
    vehicle : str
        Vehicle class (a key of ``curves`` with the powertrain).
    powertrains : tuple of str
        Its powertrains.
    speed, base_speed : ndarray, shape (N,)
        The year's and the base year's average speed in each cell, km/h.
    weight : ndarray, shape (N,)
        The year's vehicle-km by cell.
    curves : mapping, optional
        The COPERT curve of each (vehicle, powertrain): :data:`CURVES` (cars, buses) or
        :data:`FREIGHT_ENERGY_CURVES`.
    follows : mapping, optional
        The factor quantities that follow each COPERT pollutant (:data:`FOLLOWS`).

    Returns
    -------
    dict
        ``{powertrain: {quantity: multiplier}}`` for the quantities that follow speed; a
        powertrain or quantity without a curve is left out (multiplier 1).
    """
    total = float(np.sum(weight))
    out: dict[str, dict[str, float]] = {}
    if total <= 0:
        return out
    for pt in powertrains:
        curve = curves.get((vehicle, pt))
        if curve is None:
            continue
        factors: dict[str, float] = {}
        for pollutant, quantities in follows.items():
            row = curve_row(*curve, pollutant)
            if row is None:
                continue
            before = float(np.sum(weight * copert_factor(row, base_speed)))
            if before <= 0:
                continue
            ratio = float(np.sum(weight * copert_factor(row, speed))) / before
            factors.update(dict.fromkeys(quantities, ratio))
        out[pt] = factors
    return out


def freight_exhaust(vehicle: str, speed: float) -> dict[str, float]:
    """Exhaust NOx and PM2.5 (g/vkm) of a diesel van or lorry at an average speed (km/h).

    From :data:`FREIGHT_CURVES` (exhaust PM taken as PM2.5, as the guidebook counts it); an
    empty mapping for a class without a curve.
    """
    curve = FREIGHT_CURVES.get(vehicle)
    if curve is None:
        return {}
    out = {}
    for pollutant, quantity in (("nox", "nox"), ("pm_exhaust", "pm25_exhaust")):
        row = curve_row(*curve, pollutant)
        if row is not None:
            out[quantity] = float(copert_factor(row, np.array([speed]))[0])
    return out


def freight_energy_multipliers(vehicle: str, speed: float, base_speed: float,
                               ) -> dict[str, dict[str, float]]:
    """Multiplier of the energy factors (fuel, electricity, CO2) of a van or lorry by powertrain.

    :func:`speed_multipliers` with COPERT's energy curve of each powertrain
    (:data:`FREIGHT_ENERGY_CURVES`) at the class's average speed on the city's roads this year
    and at the base year's (``{powertrain: {quantity: ratio}}`` for :data:`ENERGY_QUANTITIES`;
    a powertrain without a curve is left out, multiplier 1). Exhaust NOx and PM are absolute
    values (:func:`freight_exhaust`), not multiplied.
    """
    powertrains = tuple(pt for cls, pt in FREIGHT_ENERGY_CURVES if cls == vehicle)
    return speed_multipliers(vehicle, powertrains, np.array([speed]), np.array([base_speed]),
                             np.ones(1), curves=FREIGHT_ENERGY_CURVES,
                             follows={"energy": ENERGY_QUANTITIES})


def with_multipliers(factors: Mapping[str, Mapping[str, float]],
                     multipliers: Mapping[str, Mapping[str, float]],
                     ) -> dict[str, dict[str, float]]:
    """Return the factors ``{powertrain: {quantity: value}}`` times their multipliers."""
    return {pt: {q: v * multipliers.get(pt, {}).get(q, 1.0) for q, v in values.items()}
            for pt, values in factors.items()}
