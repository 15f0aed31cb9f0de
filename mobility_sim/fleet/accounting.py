"""One year's vehicle-km, energy and emissions by vehicle class and powertrain.

Cars: vehicle-km from the demand model (residents' trips, whole): the electric car
alternative is the battery-electric vkm; the combustion alternative is split over petrol,
diesel, HEV and PHEV by their stock shares (assumption: equal annual mileage). Public transport:
service vehicle-km (:mod:`.pt_supply`), bus vkm split over bus powertrains by stock share.
E-bikes: their passenger-km (one rider). Vans, lorries and cargo bikes: the freight model's
vehicle-km (:mod:`.freight`), at the DESNZ fleet-average factors. Every quantity is vkm x the
year's fleet-average factor (:mod:`.vintage_factors`); electricity emissions use the year's
grid intensity.

Units: CO2 in tonnes CO2e, pollutants in tonnes, electricity in MWh, liquid fuel in litres,
gas (CNG) in kg.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .freight import FLEET_OF, FREIGHT_VEHICLES, FreightActivity, freight_factors
from .grid import electricity_kg_per_kwh
from .projection import FleetYear
from .stock import StockYear
from .tables import factor

#: Pollutant names of the ``emissions`` table.
POLLUTANTS: tuple[str, ...] = ("co2_ttw", "co2_wtw", "nox", "pm25_exhaust", "pm25_tyre",
                               "pm25_brake", "pm25_road")
#: Non-exhaust PM2.5 processes.
NON_EXHAUST: tuple[str, ...] = ("pm25_tyre", "pm25_brake", "pm25_road")
#: Public transport vehicle classes (service-based accounting).
PT_VEHICLES: tuple[str, ...] = ("bus", "tram", "metro")
#: Accounting label of each vehicle class.
ACCOUNTING: dict[str, str] = {"car": "residents_trips", "ebike": "residents_trips",
                              "bus": "territorial_service", "tram": "territorial_service",
                              "metro": "territorial_service", "van": "territorial_freight",
                              "lorry_rigid": "territorial_freight",
                              "lorry_articulated": "territorial_freight",
                              "cargo_bike": "territorial_freight"}

FLEET_COLUMNS: tuple[str, ...] = (
    "year", "vehicle", "powertrain", "stock", "stock_share", "sales", "sales_share", "retired",
    "early_retired", "mean_age", "vkm", "electricity_mwh", "fuel_litres", "gas_kg",
    "kwh_per_vkm", "co2_ttw_g_per_vkm", "co2_wtw_g_per_vkm", "nox_g_per_vkm",
    "pm25_exhaust_g_per_vkm", "pm25_non_exhaust_g_per_vkm")
EMISSION_COLUMNS: tuple[str, ...] = ("year", "vehicle", "powertrain", "pollutant", "accounting",
                                     "tonnes")


@dataclass(frozen=True)
class YearActivity:
    """Vehicle activity of one year (annual).

    Attributes
    ----------
    car_ice_vkm, car_ev_vkm : float
        Car vehicle-km of the combustion and electric alternatives.
    pt_service_vkm : mapping of str to float
        Service vehicle-km of ``bus``, ``tram``, ``metro``.
    ebike_pkm : float
        E-bike passenger-km.
    """

    car_ice_vkm: float
    car_ev_vkm: float
    pt_service_vkm: Mapping[str, float]
    ebike_pkm: float


def car_vkm_by_powertrain(stock: StockYear, ice_vkm: float, ev_vkm: float) -> dict[str, float]:
    """Split the combustion vkm over its powertrains by stock share; BEV vkm as given."""
    shares = stock.shares()
    ice = {p: s for p, s in shares.items() if p != "bev"}
    total = sum(ice.values())
    out = {p: ice_vkm * (s / total if total > 0 else 1.0 / len(ice)) for p, s in ice.items()}
    out["bev"] = ev_vkm
    return out


def _rows(year: int, vehicle: str, stock: StockYear | None, vkm: Mapping[str, float],
          factors: Mapping[str, Mapping[str, float]], kg_per_kwh: float,
          ) -> tuple[list[dict], list[dict]]:
    fleet_rows: list[dict] = []
    emission_rows: list[dict] = []
    stock_shares = stock.shares() if stock is not None else {}
    sales_shares = stock.sales_shares() if stock is not None else {}
    mean_age = stock.mean_age() if stock is not None else None
    for j, (powertrain, km) in enumerate(vkm.items()):
        f = factors[powertrain]
        wtw = f["ttw"] + f["wtt"] + f["kwh"] * kg_per_kwh
        non_exhaust = sum(f.get(q, 0.0) for q in NON_EXHAUST)
        row = {"year": year, "vehicle": vehicle, "powertrain": powertrain,
               "stock": np.nan, "stock_share": np.nan, "sales": np.nan, "sales_share": np.nan,
               "retired": np.nan, "early_retired": np.nan, "mean_age": np.nan,
               "vkm": km, "electricity_mwh": km * f["kwh"] / 1000.0,
               "fuel_litres": km * f.get("fuel_l", 0.0), "gas_kg": km * f.get("gas_kg", 0.0),
               "kwh_per_vkm": f["kwh"], "co2_ttw_g_per_vkm": 1000.0 * f["ttw"],
               "co2_wtw_g_per_vkm": 1000.0 * wtw, "nox_g_per_vkm": f.get("nox", 0.0),
               "pm25_exhaust_g_per_vkm": f.get("pm25_exhaust", 0.0),
               "pm25_non_exhaust_g_per_vkm": non_exhaust}
        if stock is not None and mean_age is not None:
            row.update(stock=float(stock.stock[j]), stock_share=stock_shares[powertrain],
                       sales=float(stock.sales[j]), sales_share=sales_shares[powertrain],
                       retired=float(stock.retired[j]),
                       early_retired=float(stock.early_retired[j]), mean_age=float(mean_age[j]))
        fleet_rows.append(row)
        grams = {"nox": f.get("nox", 0.0), "pm25_exhaust": f.get("pm25_exhaust", 0.0),
                 **{q: f.get(q, 0.0) for q in NON_EXHAUST}}
        tonnes = {"co2_ttw": km * f["ttw"] / 1000.0, "co2_wtw": km * wtw / 1000.0,
                  **{q: km * g / 1e6 for q, g in grams.items()}}
        for pollutant in POLLUTANTS:
            emission_rows.append({"year": year, "vehicle": vehicle, "powertrain": powertrain,
                                  "pollutant": pollutant, "accounting": ACCOUNTING[vehicle],
                                  "tonnes": tonnes[pollutant]})
    return fleet_rows, emission_rows


def _electric(vehicle: str, unit: str = "electric") -> dict[str, dict[str, float]]:
    return {unit: {"ttw": 0.0, "wtt": 0.0, "kwh": factor(vehicle, unit, "kwh")}}


@dataclass(frozen=True)
class YearAccounts:
    """One year's ``fleet`` and ``emissions`` rows (lists of dicts; build frames once a run).

    Attributes
    ----------
    fleet_rows : list of dict
        Rows with the columns :data:`FLEET_COLUMNS`.
    emission_rows : list of dict
        Rows with the columns :data:`EMISSION_COLUMNS`.
    """

    fleet_rows: list[dict]
    emission_rows: list[dict]

    def tonnes(self, pollutant: str, vehicles: tuple[str, ...] | None = None) -> float:
        """Total tonnes of one pollutant (optionally of some vehicle classes only)."""
        return float(sum(r["tonnes"] for r in self.emission_rows if r["pollutant"] == pollutant
                         and (vehicles is None or r["vehicle"] in vehicles)))

    def fleet_total(self, column: str, vehicles: tuple[str, ...] | None = None) -> float:
        """Sum of one ``fleet`` column (optionally of some vehicle classes only)."""
        return float(sum(r[column] for r in self.fleet_rows
                         if vehicles is None or r["vehicle"] in vehicles))

    def pt_co2(self) -> tuple[float, float]:
        """Tonnes CO2e (TTW, WTW) of public transport service."""
        return (self.tonnes("co2_ttw", PT_VEHICLES), self.tonnes("co2_wtw", PT_VEHICLES))

    def plus(self, other: YearAccounts) -> YearAccounts:
        """Both years' rows together (e.g. passenger and freight traffic)."""
        return YearAccounts(self.fleet_rows + other.fleet_rows,
                            self.emission_rows + other.emission_rows)

    def with_pt_co2_per_pkm(self, year: int, ttw_t: float, wtw_t: float) -> YearAccounts:
        """Replace PT service CO2 rows by per-passenger-km PT CO2 (vehicle ``pt``).

        Air pollutants of PT keep following service vehicle-km.
        """
        kept = [r for r in self.emission_rows
                if not (r["vehicle"] in PT_VEHICLES and r["pollutant"] in ("co2_ttw", "co2_wtw"))]
        kept += [{"year": year, "vehicle": "pt", "powertrain": "average_local_bus",
                  "pollutant": name, "accounting": "residents_trips", "tonnes": value}
                 for name, value in (("co2_ttw", ttw_t), ("co2_wtw", wtw_t))]
        return YearAccounts(self.fleet_rows, kept)


def year_accounts(fleet: FleetYear, activity: YearActivity) -> YearAccounts:
    """Tabulate the ``fleet`` and ``emissions`` rows of one year."""
    year = fleet.year
    kg_kwh = electricity_kg_per_kwh(fleet.grid_gco2e_per_kwh)
    car_vkm = car_vkm_by_powertrain(fleet.car, activity.car_ice_vkm, activity.car_ev_vkm)
    bus_shares = fleet.bus.shares()
    bus_total = activity.pt_service_vkm.get("bus", 0.0)
    bus_vkm = {p: bus_total * s for p, s in bus_shares.items()}
    parts = [
        _rows(year, "car", fleet.car, car_vkm, fleet.car_factors, kg_kwh),
        _rows(year, "bus", fleet.bus, bus_vkm, fleet.bus_factors, kg_kwh),
        _rows(year, "tram", None, {"electric": activity.pt_service_vkm.get("tram", 0.0)},
              _electric("tram"), kg_kwh),
        _rows(year, "metro", None, {"electric": activity.pt_service_vkm.get("metro", 0.0)},
              _electric("metro"), kg_kwh),
        _rows(year, "ebike", None, {"electric": activity.ebike_pkm}, _electric("ebike"),
              kg_kwh),
    ]
    return YearAccounts([r for f, _ in parts for r in f], [r for _, e in parts for r in e])


def freight_accounts(year: int, activity: FreightActivity, stock_ze: Mapping[str, float],
                     sales_ze: Mapping[str, float], grid_gco2e_per_kwh: float,
                     speed_kmh: float | None = None,
                     base_speed_kmh: float | None = None) -> YearAccounts:
    """Tabulate the ``fleet`` and ``emissions`` rows of one year's vans, lorries, cargo bikes.

    The fleet rows carry each class's zero-emission stock and sales shares (no vehicle counts:
    the freight model has vehicle-km, not vehicles). ``speed_kmh``: the freight's average
    speed on the city's roads, which sets diesel exhaust NOx and PM (none without it);
    ``base_speed_kmh``: the same at the base year's speeds, from which the energy factors
    follow the speed (:func:`mobility_sim.fleet.freight.freight_factors`).
    """
    kg_kwh = electricity_kg_per_kwh(grid_gco2e_per_kwh)
    fleet_rows: list[dict] = []
    emission_rows: list[dict] = []
    for vehicle in FREIGHT_VEHICLES:
        f, e = _rows(year, vehicle, None, activity.vkm[vehicle],
                     freight_factors(vehicle, speed_kmh, base_speed_kmh), kg_kwh)
        fleet = FLEET_OF[vehicle]
        for row in f:
            ze = row["powertrain"] == "bev"
            row["stock_share"] = stock_ze[fleet] if ze else 1.0 - stock_ze[fleet]
            row["sales_share"] = sales_ze[fleet] if ze else 1.0 - sales_ze[fleet]
        fleet_rows += f
        emission_rows += e
    f, e = _rows(year, "cargo_bike", None, {"electric": activity.cargo_bike_km},
                 _electric("ebike"), kg_kwh)
    return YearAccounts(fleet_rows + f, emission_rows + e)


def fleet_frame(rows: list[dict]) -> pd.DataFrame:
    """Build the ``fleet`` table from rows."""
    return pd.DataFrame(rows, columns=list(FLEET_COLUMNS))


def emissions_frame(rows: list[dict]) -> pd.DataFrame:
    """Build the ``emissions`` table from rows."""
    return pd.DataFrame(rows, columns=list(EMISSION_COLUMNS))
