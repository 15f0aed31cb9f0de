"""Cold-start excess of cars: the EMEP/EEA guidebook's method as a multiplier of the factors.

The guidebook (2023, update 2025, chapter 1.A.3.b.i-iv, section 3.4.3; ``copert_cold_start.csv``)
adds to the hot emissions of a car the excess of its cold engine::

    E_cold / E_hot = bc beta (e_cold / e_hot - 1)

``beta`` is the share of the distance driven cold, a function of the average trip length
``l`` (km) and the ambient temperature ``t`` (degC):
``beta = 0.6474 - 0.02545 l - (0.00974 - 0.000385 l) t`` (Table 3-39, valid for ``l`` of 8 to
15 km: trips are clamped to it); ``e_cold / e_hot`` (``Q``) is a function of the average
speed (5-45 km/h) and the temperature for Euro 6 NOx (petrol; diesel Euro 6 a/b/c), and of
the temperature for diesel energy (``1.34 - 0.008 t``, the guidebook's fuel row, applied to
Euro 6 cars: an assumption the notes state); ``bc`` reduces ``beta`` for Euro 6's regulated
pollutants (``bc = a + b l``); ``Q`` is floored at 1.

How the model uses it. As with the speed curves (:mod:`.speed_factors`), the packaged factors
are the level, which the base year stands for: the factor of a year is multiplied by
``(1 + excess(l, v, t)) / (1 + excess(l0, v0, t))`` where ``l, v`` are the year's mean car
trip length and speed and ``l0, v0`` the base year's. Shorter or slower trips raise it. Not
covered (not found in a readable carrier, ``docs/data_notes_copert.md``): petrol energy and
CO2, exhaust PM of Euro 6 cars; they keep the packaged factor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from ..data import read_table
from .vintage_factors import ENERGY_QUANTITIES

#: Trip lengths (km) within which the guidebook's beta was fitted.
TRIP_KM_RANGE: tuple[float, float] = (8.0, 15.0)
#: Speeds (km/h) within which its Euro 6 ratios were fitted.
SPEED_RANGE: tuple[float, float] = (5.0, 45.0)


@dataclass(frozen=True)
class Ratio:
    """``Q = a v + b t + c`` below and above 0 degC, and ``bc = bc_a + bc_b l`` (1: none)."""

    below: tuple[float, float, float]
    above: tuple[float, float, float]
    bc: tuple[float, float] = (1.0, 0.0)

    def q(self, speed: float, temperature: float) -> float:
        """``e_cold / e_hot`` at a mean speed (km/h) and temperature (degC), at least 1."""
        a, b, c = self.below if temperature < 0 else self.above
        v = float(np.clip(speed, *SPEED_RANGE))
        return max(1.0, a * v + b * temperature + c)


@cache
def _table() -> pd.DataFrame:
    return read_table("copert_cold_start.csv")


@cache
def _coefficients(fuel: str, euro: str, pollutant: str, parameter: str) -> tuple[float, ...]:
    t = _table()
    rows = t[t["fuel"].str.split(";").apply(lambda fuels: fuel in fuels)
             & (t["euro"] == euro) & (t["pollutant"] == pollutant)
             & (t["parameter"] == parameter)]
    if rows.empty:
        raise KeyError(f"copert_cold_start.csv has no {fuel} {euro} {pollutant} {parameter} row")
    row = rows.iloc[0]
    return tuple(0.0 if pd.isna(row[k]) else float(row[k]) for k in ("a", "b", "c"))


@cache
def ratios() -> dict[str, dict[str, Ratio]]:
    """Return the cold/hot ratios the model uses: ``{powertrain: {quantity group: Ratio}}``."""
    petrol_nox = Ratio(_coefficients("petrol", "Euro 6 (a/b/c, d-temp, d)", "nox",
                                     "ecold_over_ehot_ta_below_0"),
                       _coefficients("petrol", "Euro 6 (a/b/c, d-temp, d)", "nox",
                                     "ecold_over_ehot_ta_above_0"),
                       _coefficients("petrol", "Euro 6", "nox", "bc_beta_reduction")[:2])
    diesel_nox = Ratio(_coefficients("diesel", "Euro 6 a/b/c", "nox", "ecold_over_ehot_ta_below_0"),
                       _coefficients("diesel", "Euro 6 a/b/c", "nox", "ecold_over_ehot_ta_above_0"),
                       _coefficients("diesel", "Euro 6", "nox", "bc_beta_reduction")[:2])
    a, b, c = _coefficients(
        "diesel", "Euro 6 / Euro 7 (2025 sheet, LCV Euro 7 row; same numbers as the classic "
        "diesel FC row)", "fc", "ecold_over_ehot")
    diesel_energy = Ratio((a, b, c), (a, b, c))
    return {"petrol": {"nox": petrol_nox}, "phev": {"nox": petrol_nox},
            "hev": {"nox": petrol_nox}, "diesel": {"nox": diesel_nox, "energy": diesel_energy}}


def cold_share(trip_km: float, temperature: float) -> float:
    """``beta``: the share of a trip's distance driven with a cold engine (0-1)."""
    (a, b, c), (_, d, _) = (_coefficients("petrol", "all", "all", "beta_const_part"),
                            _coefficients("petrol", "all", "all", "beta_temp_part"))
    km = float(np.clip(trip_km, *TRIP_KM_RANGE))
    return float(np.clip(a + b * km + (c + d * km) * temperature, 0.0, 1.0))


def excess(ratio: Ratio, trip_km: float, speed: float, temperature: float) -> float:
    """Cold-start excess over the hot emissions: ``bc beta (Q - 1)``."""
    km = float(np.clip(trip_km, *TRIP_KM_RANGE))
    bc = ratio.bc[0] + ratio.bc[1] * km
    return bc * cold_share(trip_km, temperature) * (ratio.q(speed, temperature) - 1.0)


def cold_start_multipliers(trip_km: float, speed: float, base_trip_km: float, base_speed: float,
                           temperature: float) -> dict[str, dict[str, float]]:
    """Multiplier of each car factor for this year's trips against the base year's.

    Returns ``{powertrain: {quantity: multiplier}}`` (energy quantities follow ``energy``).
    """
    out: dict[str, dict[str, float]] = {}
    for pt, groups in ratios().items():
        factors: dict[str, float] = {}
        for group, ratio in groups.items():
            now = 1.0 + excess(ratio, trip_km, speed, temperature)
            then = 1.0 + excess(ratio, base_trip_km, base_speed, temperature)
            quantities = ENERGY_QUANTITIES if group == "energy" else (group,)
            factors.update(dict.fromkeys(quantities, now / then))
        out[pt] = factors
    return out


@cache
def _temperatures() -> dict[str, tuple[float, str]]:
    table = read_table("city_climate.csv")
    rows = table[(table["quantity"] == "annual_mean_temperature") & table["value"].notna()]
    return {str(r.city): (float(r.value), f"{r.source} ({r.station}, {r.period})")
            for r in rows.itertuples()}


def ambient_temperature(city: str, default: float) -> tuple[float, str]:
    """Return a city's annual mean air temperature (degC) and its source, else ``default``."""
    found = _temperatures().get(city)
    if found is not None:
        return found
    return default, "emissions.ambient_temperature_default_c (no climate normal for the city)"


def combined(*multipliers: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """Product of several ``{powertrain: {quantity: multiplier}}`` mappings."""
    out: dict[str, dict[str, float]] = {}
    for m in multipliers:
        for pt, factors in m.items():
            for q, value in factors.items():
                out.setdefault(pt, {})[q] = out.get(pt, {}).get(q, 1.0) * value
    return out
