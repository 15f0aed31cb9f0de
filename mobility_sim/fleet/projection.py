"""The car and bus fleets year by year: vintage stocks, sales mixes and fleet-average factors.

The initial fleet (:class:`FleetStart`: the country's fleet by powertrain from the reference
case, else the EU 2024 mix of ``fleet_defaults.csv``) is the stock at the end of the year before
the first simulated year, with the steady-state age profile of the survival curve (assumption:
constant past sales, same age profile for every powertrain). Each following year steps the
vintage stock (:mod:`.stock`) with that year's sales mix: the battery-electric share from the
levers (the reference case's share moved by the city's measures), the other powertrains in the
reference mix's proportions. The car stock follows residents x cars per resident (growing at
``fleet.car.stock_growth``); the bus stock follows the year's bus service vehicle-km /
``fleet.bus.annual_km``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..data.typed_parameters import ModelParameters, VehicleSurvival
from ..exceptions import FleetParameterError
from .grid import grid_path
from .levers import FleetLevers
from .mix import FleetState, default_sales, sales_mix
from .purchase import running_cost_change, shifted_bev_share
from .stock import StockYear, initial_stock, step
from .survival import Survival
from .tables import BUS_POWERTRAINS, CAR_FUEL, CAR_POWERTRAINS, ICE_POWERTRAINS, shares
from .vintage_factors import VintageFactors, vintage_factors


@dataclass(frozen=True)
class FleetYear:
    """Both fleets in one year.

    Attributes
    ----------
    year : int
        Calendar year.
    car, bus : StockYear
        Vintage stocks.
    car_factors, bus_factors : dict
        Fleet-average factors ``{powertrain: {quantity: value}}`` (see
        :mod:`.vintage_factors` for quantities and units).
    grid_gco2e_per_kwh : float
        The year's grid carbon intensity.
    """

    year: int
    car: StockYear
    bus: StockYear
    car_factors: dict[str, dict[str, float]]
    bus_factors: dict[str, dict[str, float]]
    grid_gco2e_per_kwh: float

    @property
    def state(self) -> FleetState:
        """The car fleet as the demand model sees it (shares and factors by powertrain)."""
        return FleetState(self.year, self.car.shares(), self.car_factors)


@dataclass(frozen=True)
class FleetStart:
    """What a run's fleets start from, and the reference case's sales and grid they follow.

    Attributes
    ----------
    car_shares, bus_shares : mapping of str to float
        The initial car and bus fleets by powertrain.
    car_sales : mapping of int to mapping
        The reference case's new-car sales mix by powertrain in each calendar year (its
        non-electric proportions split the sales that are not battery-electric).
    bus_bev_sales : mapping of int to float
        The reference case's battery-electric share of new buses in each calendar year (used
        when no measure sets it).
    grid : mapping of int to float
        The reference case's grid intensity in each calendar year, gCO2e/kWh.
    efficiency : bool
        New vehicles more efficient than older ones.
    """

    car_shares: Mapping[str, float]
    bus_shares: Mapping[str, float]
    car_sales: Mapping[int, Mapping[str, float]]
    bus_bev_sales: Mapping[int, float]
    grid: Mapping[int, float]
    efficiency: bool = True


def survival_of(vehicle: str, p: Mapping[str, float]) -> Survival:
    """Return the survival curve of ``car`` or ``bus`` from the parameters."""
    try:
        fleet = ModelParameters.of(p).fleet
        given: VehicleSurvival = fleet.car if vehicle == "car" else fleet.bus
        return Survival(given.mean_lifetime_years, given.weibull_shape, int(given.max_age))
    except ValueError as exc:
        raise FleetParameterError(f"parameters: fleet.{vehicle}.*: {exc}") from None


def bus_sales_mix(bev_share: float | None) -> dict[str, float]:
    """Bus sales mix: the baseline, or the given BEV share with the rest in baseline proportions."""
    base = shares("bus_sales_2023", BUS_POWERTRAINS)
    return base if bev_share is None else sales_mix(bev_share, base)


def zone_early(factors: VintageFactors, year: int, n_ages: int, now: FleetLevers,
               before: FleetLevers | None, replacement_share: float) -> np.ndarray | None:
    """Share of each (age, powertrain) of cars retired early by low-emission zones this year.

    A combustion car whose Euro class is below the zone's minimum for its fuel is barred. Of
    the barred cars, ``reach x replacement_share`` are replaced by new cars in the year they
    become barred (``reach`` = cars entering the zones x compliance); when the reach grows,
    the increase applies to cars barred already. A zone that stays the same retires no more
    cars early. The replacements are cars the zone lets in (:func:`compliant_mix`).
    """
    reach_now = now.lez_reach
    if reach_now <= 0:
        return None
    reach_before = before.lez_reach if before is not None else 0.0
    rule_before = before.lez_min_euro if before is not None and reach_before > 0 else {}
    numbers = factors.euro_numbers(year, n_ages)
    early = np.zeros((n_ages, len(factors.powertrains)))
    for j, pt in enumerate(factors.powertrains):
        fuel = CAR_FUEL.get(pt)
        if fuel is None or fuel not in now.lez_min_euro:
            continue
        barred_now = numbers[:, j] < now.lez_min_euro[fuel]
        barred_before = (numbers[:, j] < rule_before[fuel] if fuel in rule_before
                         else np.zeros(n_ages, dtype=bool))
        early[barred_now & ~barred_before, j] = reach_now * replacement_share
        early[barred_now & barred_before, j] = (max(reach_now - reach_before, 0.0)
                                                * replacement_share)
    return early if early.any() else None


def compliant_mix(factors: VintageFactors, year: int, now: FleetLevers,
                  sales: Mapping[str, float]) -> dict[str, float]:
    """Sales mix of the cars bought to replace cars a zone barred: the new cars it lets in.

    The year's sales mix restricted to the powertrains whose new cars meet the zone's minimum
    Euro class for their fuel (all of them under a Euro 6 zone; battery-electric only under a
    zero-emission zone), in the mix's proportions; the whole mix if none would be let in.
    """
    numbers = factors.euro_numbers(year, 1)[0]
    allowed = {}
    for j, pt in enumerate(factors.powertrains):
        fuel = CAR_FUEL.get(pt)
        if fuel is None or fuel not in now.lez_min_euro or numbers[j] >= now.lez_min_euro[fuel]:
            allowed[pt] = float(sales.get(pt, 0.0))
    return allowed if sum(allowed.values()) > 0 else dict(sales)


def purchase_share(now: FleetLevers, factors: VintageFactors, sales: Mapping[str, float],
                   mp: ModelParameters) -> float:
    """Return the year's battery-electric share of new cars once the scenario's prices act.

    ``now.car_bev_sales_share`` moved by what the scenario adds to running a new combustion car
    (:func:`.purchase.shifted_bev_share`): the fuel price change at ``car.fuel_l_per_km`` and
    the carbon price above the reference case's at the new combustion cars' tank-to-wheel CO2
    per km (this year's vintage, in the year's sales proportions), and any purchase subsidy.
    """
    share = now.car_bev_sales_share
    if now.fuel_price_change_eur_per_l == 0 and now.carbon_price_extra_eur_per_t == 0:
        return shifted_bev_share(share, 0.0, mp, now.bev_purchase_subsidy_eur)
    ttw = factors.per_vintage(now.year, 1)["ttw"][0]
    weights = np.array([sales.get(pt, 0.0) if pt in ICE_POWERTRAINS else 0.0
                        for pt in factors.powertrains])
    kg_per_km = float(weights @ ttw / weights.sum()) if weights.sum() > 0 else 0.0
    extra = running_cost_change(now.fuel_price_change_eur_per_l,
                                now.carbon_price_extra_eur_per_t, mp.car.fuel_l_per_km, kg_per_km)
    return shifted_bev_share(share, extra, mp, now.bev_purchase_subsidy_eur)


def project_fleet(levers: Sequence[FleetLevers], country: str, car_stock: float,
                  bus_stock: Mapping[int, float], p: Mapping[str, float],
                  start: FleetStart | None = None) -> dict[int, FleetYear]:
    """Run both fleets over consecutive calendar years.

    Parameters
    ----------
    levers : sequence of FleetLevers
        One per calendar year, consecutive and ascending.
    country : str
        ISO3 code of the grid.
    car_stock : float
        Cars in the initial fleet (residents x cars per resident); later years grow it by
        ``fleet.car.stock_growth`` and scale it by the year's ``car_stock_factor``.
    bus_stock : mapping of int to float
        Buses needed each calendar year (service vehicle-km / annual km); the initial bus fleet
        takes the first year's value.
    p : mapping
        Model parameters.
    start : FleetStart, optional
        The country's starting fleets and the reference case's sales and grid (default: the
        EU 2024 fleets, the EU 2023 sales mix and the published 2023 grid value, all held).

    Returns
    -------
    dict of int to FleetYear
        One per year of ``levers``.
    """
    years = [lv.year for lv in levers]
    if years != list(range(years[0], years[0] + len(years))):
        raise ValueError(f"fleet levers must cover consecutive years, got {years}")
    first = years[0]
    car_surv, bus_surv = survival_of("car", p), survival_of("bus", p)
    car_rates, bus_rates = car_surv.retirement_rates(), bus_surv.retirement_rates()
    efficiency = start.efficiency if start is not None else True
    car_factors = vintage_factors("car", CAR_POWERTRAINS, first - 1,
                                  car_surv.steady_state_ages(), p, efficiency)
    bus_factors = vintage_factors("bus", BUS_POWERTRAINS, first - 1,
                                  bus_surv.steady_state_ages(), p, efficiency)
    car_shares = (start.car_shares if start is not None
                  else shares("fleet_2024", CAR_POWERTRAINS))
    bus_shares = (start.bus_shares if start is not None
                  else shares("bus_fleet_2024", BUS_POWERTRAINS))
    car = initial_stock(first - 1, car_stock, car_shares, CAR_POWERTRAINS, car_surv)
    bus = initial_stock(first - 1, bus_stock[first], bus_shares, BUS_POWERTRAINS, bus_surv)
    grid = grid_path(country, levers, start.grid if start is not None else None)
    mp = ModelParameters.of(p)
    fleet = mp.fleet
    growth = fleet.car.stock_growth
    out: dict[int, FleetYear] = {}
    before: FleetLevers | None = None
    for lv in levers:
        early = zone_early(car_factors, lv.year, car.by_age.shape[0], lv, before,
                           fleet.lez.replacement_share)
        target = car_stock * (1.0 + growth) ** (lv.year - first + 1) * lv.car_stock_factor
        reference_sales = start.car_sales[lv.year] if start is not None else default_sales()
        mix = sales_mix(purchase_share(lv, car_factors, reference_sales, mp), reference_sales)
        replacing = (compliant_mix(car_factors, lv.year, lv, mix) if early is not None
                     else None)
        car = step(car, target, mix, car_rates, early, replacing)
        bus_bev = lv.bus_bev_sales_share
        if bus_bev is None and start is not None:
            bus_bev = start.bus_bev_sales[lv.year]
        bus = step(bus, bus_stock[lv.year], bus_sales_mix(bus_bev), bus_rates)
        out[lv.year] = FleetYear(lv.year, car, bus, car_factors.fleet_average(car),
                                 bus_factors.fleet_average(bus), grid[lv.year])
        before = lv
    return out


__all__ = ["FleetStart", "FleetYear", "bus_sales_mix", "compliant_mix", "project_fleet",
           "purchase_share", "survival_of"]
