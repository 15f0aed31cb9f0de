"""Per-vintage emission and energy factors, and their stock-weighted fleet averages.

For each vehicle class and powertrain, a vintage (model year ``v``) has:

- CO2 tank-to-wheel and well-to-tank (kg/vkm), fuel (l/vkm), gas (kg/vkm) and electricity
  (kWh/vkm): the packaged base-year factor x an efficiency index ``(1 - r) ** (v - y0) / norm``
  where ``r`` is the vintage-to-vintage efficiency gain and ``norm`` makes the average over the
  initial fleet's age profile 1, so the initial fleet average equals the published factor;
- NOx and exhaust PM2.5 (g/vkm) of the Euro class that was mandatory for new vehicles in year
  ``v`` (``euro_standards.csv``; bus limits in g/kWh x engine work per km); plug-in hybrids at
  half the petrol value (half of their distance on electricity, like their CO2 factor);
  battery-electric vehicles none;
- non-exhaust PM2.5 (tyre, brake, road wear; g/vkm) per vehicle class.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np

from ..data.typed_parameters import ModelParameters
from .stock import StockYear
from .tables import BUS_FUEL, CAR_FUEL, euro_table, factor

#: Energy and CO2 quantities scaled by the efficiency index of a vintage.
ENERGY_QUANTITIES: tuple[str, ...] = ("ttw", "wtt", "fuel_l", "gas_kg", "kwh")
#: Exhaust pollutants that follow the Euro class of a vintage.
EXHAUST_QUANTITIES: tuple[str, ...] = ("nox", "pm25_exhaust")
#: Non-exhaust PM2.5 processes, per vehicle class.
NON_EXHAUST_QUANTITIES: tuple[str, ...] = ("pm25_tyre", "pm25_brake", "pm25_road")
QUANTITIES: tuple[str, ...] = ENERGY_QUANTITIES + EXHAUST_QUANTITIES + NON_EXHAUST_QUANTITIES


@dataclass(frozen=True)
class EuroLookup:
    """Euro-class factors of one vehicle class and fuel, indexed by model year."""

    from_years: np.ndarray
    names: tuple[str, ...]
    numbers: np.ndarray
    values: dict[str, np.ndarray]

    def index(self, model_years: np.ndarray) -> np.ndarray:
        """Row of the class in force for each model year (the oldest class before it)."""
        idx = np.searchsorted(self.from_years, model_years, side="right") - 1
        return np.clip(idx, 0, len(self.from_years) - 1)


@cache
def euro_lookup(vehicle: str, fuel: str) -> EuroLookup:
    """Build the model-year lookup of ``euro_standards.csv`` for one vehicle class and fuel."""
    table = euro_table()
    rows = table[(table["vehicle"] == vehicle) & (table["fuel"] == fuel)]
    if rows.empty:
        raise KeyError(f"euro_standards.csv has no rows for {vehicle} {fuel}")
    classes = rows.drop_duplicates("euro").sort_values("from_year")
    values = {}
    for pollutant in EXHAUST_QUANTITIES:
        sub = rows[rows["pollutant"] == pollutant].set_index("euro")["value"].astype(float)
        values[pollutant] = np.array([float(sub[e]) for e in classes["euro"]])
    return EuroLookup(classes["from_year"].to_numpy(int), tuple(classes["euro"]),
                      classes["euro_number"].to_numpy(int), values)


@dataclass(frozen=True)
class VintageFactors:
    """Emission and energy factors of every vintage of one vehicle class.

    Attributes
    ----------
    vehicle : str
        ``car`` or ``bus``.
    powertrains : tuple of str
        Column order.
    base : dict of str to ndarray
        Base-year fleet-average value of each quantity, shape (P,).
    efficiency_gain : ndarray, shape (P,)
        Vintage-to-vintage reduction of the energy quantities.
    reference_year : int
        Year of the initial fleet, whose average the base values are.
    norm : ndarray, shape (P,)
        Average efficiency index over the initial age profile.
    euro : dict of str to EuroLookup or None
        Euro-class lookup per powertrain (None: no exhaust).
    exhaust_scale : ndarray, shape (P,)
        Multiplier of the Euro-class values (g/kWh -> g/vkm for buses; 0.5 for PHEV).
    """

    vehicle: str
    powertrains: tuple[str, ...]
    base: dict[str, np.ndarray]
    efficiency_gain: np.ndarray
    reference_year: int
    norm: np.ndarray
    euro: dict[str, EuroLookup | None]
    exhaust_scale: np.ndarray

    def per_vintage(self, year: int, n_ages: int) -> dict[str, np.ndarray]:
        """Each quantity for ages 0..n_ages-1 in ``year``, arrays of shape (A, P)."""
        model_years = year - np.arange(n_ages)
        offset = (model_years - self.reference_year).astype(float)[:, None]
        index = (1.0 - self.efficiency_gain[None, :]) ** offset / self.norm[None, :]
        out = {q: self.base[q][None, :] * index for q in ENERGY_QUANTITIES}
        for q in EXHAUST_QUANTITIES:
            out[q] = np.zeros((n_ages, len(self.powertrains)))
        for j, p in enumerate(self.powertrains):
            lookup = self.euro[p]
            if lookup is None:
                continue
            rows = lookup.index(model_years)
            for q in EXHAUST_QUANTITIES:
                out[q][:, j] = lookup.values[q][rows] * self.exhaust_scale[j]
        for q in NON_EXHAUST_QUANTITIES:
            out[q] = np.broadcast_to(self.base[q][None, :], (n_ages, len(self.powertrains)))
        return out

    def euro_numbers(self, year: int, n_ages: int) -> np.ndarray:
        """Euro class number (0 pre-Euro; -1 no exhaust) of each age and powertrain, (A, P)."""
        model_years = year - np.arange(n_ages)
        out = np.full((n_ages, len(self.powertrains)), -1, dtype=int)
        for j, p in enumerate(self.powertrains):
            lookup = self.euro[p]
            if lookup is not None:
                out[:, j] = lookup.numbers[lookup.index(model_years)]
        return out

    def fleet_average(self, stock: StockYear) -> dict[str, dict[str, float]]:
        """Stock-weighted average of each quantity: ``{powertrain: {quantity: value}}``.

        A powertrain with no vehicles in stock gets the value of a new vehicle.
        """
        n_ages = stock.by_age.shape[0]
        per = self.per_vintage(stock.year, n_ages)
        weights = stock.by_age
        totals = weights.sum(axis=0)
        out: dict[str, dict[str, float]] = {p: {} for p in self.powertrains}
        for q, values in per.items():
            with np.errstate(divide="ignore", invalid="ignore"):
                avg = np.where(totals > 0, (weights * values).sum(axis=0) / totals, values[0])
            for j, p in enumerate(self.powertrains):
                out[p][q] = float(avg[j])
        return out


def vintage_factors(vehicle: str, powertrains: tuple[str, ...], reference_year: int,
                    initial_ages: np.ndarray, p: Mapping[str, float],
                    efficiency: bool = True) -> VintageFactors:
    """Build the vintage factors of ``car`` or ``bus`` from the packaged tables.

    Parameters
    ----------
    vehicle : {"car", "bus"}
        Vehicle class.
    powertrains : tuple of str
        Powertrains in column order.
    reference_year : int
        Year of the initial fleet.
    initial_ages : ndarray, shape (A,)
        Age profile of the initial fleet (sums to 1).
    p : mapping
        Model parameters (efficiency gains, bus engine work).
    efficiency : bool
        Apply the vintage-to-vintage efficiency gains (False: every vintage at the base-year
        factor; the reference case's ``vehicle_efficiency`` element switched off).
    """
    fuels = CAR_FUEL if vehicle == "car" else BUS_FUEL
    base = {q: np.array([factor(vehicle, pt, q) for pt in powertrains])
            for q in ENERGY_QUANTITIES + NON_EXHAUST_QUANTITIES}
    if vehicle == "car":
        car_gain = ModelParameters.of(p).fleet.car.efficiency_gain
        gain = np.array([car_gain.bev if pt == "bev" else car_gain.ice for pt in powertrains])
        scale = np.array([0.5 if pt == "phev" else 1.0 for pt in powertrains])
    else:
        bus = ModelParameters.of(p).fleet.bus
        gain = np.full(len(powertrains), bus.efficiency_gain)
        scale = np.full(len(powertrains), bus.engine_kwh_per_km)
    if not efficiency:
        gain = np.zeros(len(powertrains))
    ages = np.arange(len(initial_ages), dtype=float)
    norm = ((1.0 - gain[None, :]) ** (-ages[:, None]) * initial_ages[:, None]).sum(axis=0)
    euro = {pt: (euro_lookup(vehicle, fuel) if (fuel := fuels.get(pt)) else None)
            for pt in powertrains}
    return VintageFactors(vehicle, powertrains, base, gain, reference_year, norm, euro, scale)
