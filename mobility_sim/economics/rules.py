"""What each measure type costs the public budget: one rule per type, from the run's quantities.

A rule turns a measure, the cells it acts on and the run into cost lines
(:mod:`.cashflow`): investments, running costs and yearly flows (revenues). Quantities come
from the city and the run (street-km of the area, the PT service of the reference case, the
cars that enter a cordon in each year), unit costs from ``measure_unit_costs.csv`` through
:class:`~.unit_costs.UnitCosts` (the median of the published figures, in EUR of the price year,
scaled to the country's price level). The scope is the **public budget** (the city and its
public transport authority): what residents pay or save is a transfer or a private cost,
counted in the generalised cost of travel, not here. ``docs/costs.md`` lists every rule.

A measure's own ``cost:`` in the scenario (the city's own figures) replaces the rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..accounts import zone_vehicles
from ..fleet.freight import FREIGHT_VEHICLES
from ..model.inputs import TRIPS_PER_VISIT
from ..scenario.levers import intensity
from .cashflow import CostLines, Flow, Investment, Running
from .prices import Value
from .unit_costs import UnitCosts


@dataclass
class CostContext:
    """What the rules read of the city and the run.

    Attributes
    ----------
    units : UnitCosts
        Unit costs at the country's price level.
    years : list of int
        Simulated years.
    cell_km2 : float
        Area of one cell.
    street_km : ndarray
        Street length per cell (OpenStreetMap layer or the density rule of the traffic model).
    population : ndarray
        Residents per cell (the grid's first year).
    cycle_infra_share : ndarray
        Share of streets with protected cycle infrastructure per cell before the measures.
    parking_eur_per_hour : ndarray
        Parking price per cell before the measures.
    pt_service_weight : ndarray
        Departures per cell (1 / headway), to share the PT service among areas.
    params : mapping of str to float
        The run's model parameters (fares, dwell hours, occupancy...).
    summary, reference, zones, fleet, modes : pandas.DataFrame
        The run's tables (scenario summary, reference-case summary, zone flows, fleet, modes).
    line_km : callable
        Length of a ``pt_line`` measure's line, km.
    country : str
        ISO3 of the city's country.
    reference_on : bool
        Whether the reference case's freight element is on (the vans' reference sales path).
    jobs : ndarray
        Jobs per cell (the grid's).
    stop_distance_m : ndarray
        Walk distance from each cell to its nearest PT stop before the measures, m.
    """

    units: UnitCosts
    years: list[int]
    cell_km2: float
    street_km: np.ndarray
    population: np.ndarray
    cycle_infra_share: np.ndarray
    parking_eur_per_hour: np.ndarray
    pt_service_weight: np.ndarray
    params: dict[str, float]
    summary: pd.DataFrame
    reference: pd.DataFrame
    zones: pd.DataFrame
    fleet: pd.DataFrame
    modes: pd.DataFrame
    line_km: Callable[[Any], float]
    country: str = ""
    reference_on: bool = True
    jobs: np.ndarray | None = None
    stop_distance_m: np.ndarray | None = None

    def first(self, table: pd.DataFrame, column: str) -> float:
        """Return a column's value in the first simulated year."""
        return float(table.sort_values("year")[column].iloc[0])


Rule = Callable[[Any, np.ndarray, CostContext], CostLines]
RULES: dict[str, Rule] = {}

#: Measure types that are national or EU policy: no cost to the city's budget (a tax is a
#: transfer in an appraisal); their revenue is the state's.
NATIONAL = {"fuel_price": "a national fuel tax", "carbon_price": "a national or EU carbon price",
            "grid_decarbonisation": "the national electricity system"}


def rule(*types: str) -> Callable[[Rule], Rule]:
    """Register a cost rule for measure ``types``."""
    def register(fn: Rule) -> Rule:
        for t in types:
            RULES[t] = fn
        return fn
    return register


def cost_lines(measure: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    """Return the cost lines of ``measure`` (the scenario's own ``cost:`` first)."""
    own = getattr(measure, "cost", None)
    if own is not None:
        lines = CostLines(note="the scenario's own figures (cost: in the scenario file)")
        if own.capex_eur:
            lines.add(Investment("investment (scenario)", own.capex_eur,
                                 own.lifetime_years or math.inf,
                                 "scenario file"))
        if own.opex_eur_per_year:
            lines.add(Running("running cost (scenario)", own.opex_eur_per_year, "scenario file"))
        if own.revenue_eur_per_year:
            lines.add(Running("revenue (scenario)", -own.revenue_eur_per_year, "scenario file"))
        if not lines.items:  # the city says it costs nothing: costed at zero, not unknown
            lines.add(Running("no cost (scenario)", 0.0, "scenario file"))
        return lines
    kind = str(getattr(measure, "type", ""))
    if kind in NATIONAL:
        return CostLines(note=f"{NATIONAL[kind]}: no cost to the city's budget (a tax is a "
                              "transfer)")
    fn = RULES.get(kind)
    if fn is None:
        return CostLines(note=NOT_COSTED.get(kind, "no cost rule for this measure type"))
    return fn(measure, mask, ctx)


#: Measure types without a rule, and why (docs/costs.md). Every city measure type has a rule
#: now; a type added without one must say here why it is not costed.
NOT_COSTED: dict[str, str] = {}


def _unit(ctx: CostContext, lines: CostLines, key: str) -> Value | None:
    """Return a unit value, or None and a note when no published figure was found."""
    try:
        return ctx.units.get(key)
    except KeyError:
        missing = f"not costed: {key} (no published figure found; measure_unit_costs.csv)"
        lines.note = f"{lines.note}; {missing}" if lines.note else missing
        return None


def _invest(ctx: CostContext, lines: CostLines, name: str, key: str, quantity: float,
            life_key: str | None, what: str) -> None:
    u = _unit(ctx, lines, key)
    if u is None:
        return
    life = None
    if life_key is not None:
        try:
            life = ctx.units.get(life_key)
        except KeyError:
            life = None
    life_text = (f"lifetime {life.text}" if life is not None else
                 "spent once (no published lifetime found: no renewal, no residual value)")
    lines.add(Investment(name, u.value * quantity, life.value if life else math.inf,
                         f"{quantity:,.1f} {what} x {u.text}; {life_text}"))


def _run(ctx: CostContext, lines: CostLines, name: str, key: str, quantity: float,
         what: str) -> None:
    u = _unit(ctx, lines, key)
    if u is not None:
        lines.add(Running(name, u.value * quantity, f"{quantity:,.1f} {what} x {u.text}"))


@rule("cycle_network")
def _cycle_network(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    new = np.clip(m.share - ctx.cycle_infra_share[mask], 0.0, None)
    km = float(np.sum(new * ctx.street_km[mask]))
    lines = CostLines()
    _invest(ctx, lines, "protected cycle lanes", "cycle_network.capex_per_km", km,
            "cycle_network.lifetime", "km of street")
    _run(ctx, lines, "maintenance", "cycle_network.opex_per_km_year", km, "km")
    return lines


@rule("road_space")
def _road_space(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    km = float(m.street_share * ctx.street_km[mask].sum())
    key = {"bus_lane": "road_space.bus_lane_capex_per_km",
           "cycle_lane": "cycle_network.capex_per_km",
           "car_free": "road_space.car_free_capex_per_km"}[m.use]
    lines = CostLines()
    _invest(ctx, lines, f"{m.use.replace('_', ' ')}s", key, km,
            "cycle_network.lifetime" if m.use == "cycle_lane" else None, "km of street")
    return lines


@rule("speed_limit")
def _speed_limit(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    km = float(m.street_share * ctx.street_km[mask].sum())
    lines = CostLines()
    _invest(ctx, lines, "signs", "speed_limit.capex_per_km", km, None, "km of street")
    return lines


def _annual_km_per_vehicle(ctx: CostContext, vehicle: str) -> float | None:
    """Vehicle-km per vehicle and year of the city's fleet in the first year (the run's)."""
    f = ctx.fleet
    if f.empty:
        return None
    part = f[(f["vehicle"] == vehicle) & (f["year"] == f["year"].min())]
    stock, vkm = float(part["stock"].sum()), float(part["vkm"].sum())
    return vkm / stock if stock > 0 and vkm > 0 else None


@rule("pt_frequency")
def _pt_frequency(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    weight = ctx.pt_service_weight
    share = float(weight[mask].sum() / weight.sum()) if weight.sum() > 0 else 0.0
    base_vkm = ctx.first(ctx.reference, "pt_service_vkm") * share
    extra = base_vkm * max(0.0, 1.0 / m.headway_factor - 1.0)
    lines = CostLines()
    _run(ctx, lines, "operating the extra service", "pt.bus.opex_per_vkm", extra,
         "extra vehicle-km a year (the area's share of the reference case's PT service, by "
         "departures)")
    per_bus = _annual_km_per_vehicle(ctx, "bus")
    if per_bus:
        _invest(ctx, lines, "extra vehicles", "pt.bus.price", extra / per_bus,
                "pt.bus.lifetime", f"buses ({per_bus:,.0f} km a year each, the run's fleet)")
    return lines


@rule("pt_line")
def _pt_line(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    vehicle = "bus" if m.vehicle == "bus" else ("metro" if m.vehicle in ("metro", "train")
                                                else "tram")
    km = ctx.line_km(m)
    hours = SERVICE_HOURS_PER_DAY
    fleet = math.ceil(2.0 * km / m.speed_kmh * 60.0 / m.headway_min)
    vkm = 2.0 * km * hours * 60.0 / m.headway_min * 365.0
    lines = CostLines()
    _invest(ctx, lines, f"{vehicle} line infrastructure", f"pt_line.{vehicle}.capex_per_km", km,
            f"pt_line.{vehicle}.lifetime", "route-km")
    price = "pt.bus.price" if vehicle == "bus" else f"pt.{vehicle}.price"
    life = "pt.bus.lifetime" if vehicle == "bus" else f"pt.{vehicle}.vehicle_lifetime"
    _invest(ctx, lines, f"{vehicle} vehicles", price, fleet, life,
            "vehicles (round trip at the line's speed over its headway; no spares: a lower "
            "bound)")
    if vehicle == "bus":
        _run(ctx, lines, "operating the line", "pt.bus.opex_per_vkm", vkm,
             f"vehicle-km a year ({hours:g} h of service a day, assumption)")
    else:
        _run(ctx, lines, "operating the line", f"pt_line.{vehicle}.opex_per_route_km_year", km,
             "route-km")
    return lines


#: Hours of service a day of a new line (assumption: about 5:30 to 23:30).
SERVICE_HOURS_PER_DAY = 18.0


@rule("pt_fare")
def _pt_fare(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    fare = ctx.params.get("pt.fare", 0.0)
    if m.fare_eur is not None:
        new = m.fare_eur
    elif m.change_eur is not None:
        new = fare + m.change_eur
    else:
        new = fare * m.factor
    new = max(0.0, new)
    pt = ctx.modes[ctx.modes["mode"] == "pt"].groupby("year")["trips"].sum()
    lost = {int(y): (fare - new) * intensity(m, int(y)) * float(t) for y, t in pt.items()}
    lines = CostLines()
    lines.add(Flow("fare revenue lost" if new < fare else "fare revenue gained", lost,
                   f"({fare:.2f} - {new:.2f}) EUR per trip (pt.fare of the city) x the run's "
                   "PT trips of residents"))
    return lines


def _car_rows(ctx: CostContext, zone: str | None) -> pd.DataFrame:
    """Return the scenario's car rows of one zone of the run's ``zones`` table (or none)."""
    z = ctx.zones
    if z.empty or not zone:
        return z.iloc[:0]
    return z[(z["zone"] == zone) & (z["case"] == "scenario")
             & z["vehicle"].isin(["car_ice", "car_ev"])]


def _legs(ctx: CostContext, label: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """Car legs of a zone each year by powertrain (vehicles): the person-trip ``columns``.

    The model's trips are one-way legs counted from where they are produced (the home end):
    the ``zones`` table's ``trips_entering`` are the legs of people living outside that end
    inside (both legs of a visit), ``trips_leaving`` the zone's residents' legs that end
    outside (both legs of their trips out), ``trips_within`` the legs from and to the zone;
    persons become vehicles at the row's rate (:func:`mobility_sim.accounts.zone_vehicles`).
    """
    rows = _car_rows(ctx, label)
    if rows.empty:
        return pd.DataFrame()
    legs = rows.assign(legs=zone_vehicles(rows, columns))
    return legs.pivot_table(index="year", columns="vehicle", values="legs",
                            aggfunc="sum").fillna(0.0)


def _paying_legs(ctx: CostContext, label: str, residents: str,
                 discount: float) -> pd.DataFrame:
    """Car legs a zone's scheme charges each year by powertrain, as the kernel charges them.

    The legs entering it of people living outside, in full, and the zone's residents' legs
    ``residents`` (``trips_leaving`` for a cordon, ``trips_within`` for a low-emission zone)
    at the share of the charge they pay, ``1 - discount``.
    """
    return (_legs(ctx, label, ("trips_entering",))
            + (1.0 - discount) * _legs(ctx, label, (residents,)))


#: Car legs ending in a zone: from outside it and from within it (a visit is two).
ENDING_IN_ZONE = ("trips_entering", "trips_within")


def _freight_entering(ctx: CostContext, zone: str) -> dict[int, tuple[float, float]]:
    """Vans and lorries entering a zone each year: (combustion, zero-emission) vehicles.

    The ``zones`` table's entries of every freight class, split by the class's zero-emission
    share of vehicle-km in the run's ``fleet`` table.
    """
    z, f = ctx.zones, ctx.fleet
    if z.empty or f.empty:
        return {}
    rows = z[(z["zone"] == zone) & (z["case"] == "scenario")
             & z["vehicle"].isin(FREIGHT_VEHICLES)]
    km = f[f["vehicle"].isin(FREIGHT_VEHICLES)].pivot_table(
        index=["year", "vehicle"], columns="powertrain", values="vkm", aggfunc="sum")
    out: dict[int, tuple[float, float]] = {}
    for r in rows.itertuples():
        key = (int(r.year), str(r.vehicle))
        if key not in km.index or not np.isfinite(r.vehicles_entering):
            continue
        by = km.loc[key]
        total = float(by.sum())
        ze = float(by.get("bev", 0.0)) / total if total > 0 else 0.0
        ice, bev = out.get(key[0], (0.0, 0.0))
        out[key[0]] = (ice + r.vehicles_entering * (1.0 - ze), bev + r.vehicles_entering * ze)
    return out


@rule("cordon_charge")
def _cordon(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    # legs crossing the boundary: of people living outside (full charge) and of the zone's
    # residents (their share of it), as the kernel charges them
    cars = _paying_legs(ctx, m.display_label, "trips_leaving", m.residents_discount)
    per_leg = m.legs_factor  # the share of the charge each crossing leg pays (as the kernel)
    price = m.eur_per_trip * per_leg
    ev_price = (m.eur_per_trip if m.ev_eur_per_trip is None else m.ev_eur_per_trip) * per_leg
    gross = {int(y): intensity(m, int(y)) * (float(r.get("car_ice", 0.0)) * price
                                             + float(r.get("car_ev", 0.0)) * ev_price)
             for y, r in cars.iterrows()}
    # a van's entry and its way out are two legs across the boundary, as a car's
    freight = {y: intensity(m, y) * 2.0 * (ice * price + bev * ev_price)
               for y, (ice, bev) in _freight_entering(ctx, m.display_label).items()}
    lines = CostLines()
    _invest(ctx, lines, "charging system (cameras, back office)", "cordon_charge.capex_per_scheme",
            1.0, None, "scheme")
    if gross:
        lines.add(Flow("charge revenue", {y: -v for y, v in gross.items()},
                       "car legs crossing the cordon in the run (entering from outside and the "
                       "zone's residents' legs out, these at the share of the charge residents "
                       "pay) x the charge each leg pays (half of it when entries are charged, "
                       "once per round trip; all of it when every crossing is)"))
    if any(freight.values()):
        lines.add(Flow("charge revenue from vans and lorries", {y: -v for y, v in freight.items()},
                       "vans and lorries entering the cordon (zones table: at the cars' entries "
                       "per vehicle-km inside), two legs across it each, x the car charge per "
                       "leg, combustion or "
                       "electric (an assumption: they pay as cars do; their traffic does not "
                       "respond)"))
        gross = {y: gross.get(y, 0.0) + freight.get(y, 0.0) for y in {*gross, *freight}}
    if gross:
        share = _unit(ctx, lines, "cordon_charge.operating_share_of_revenue")
        if share is not None:
            lines.add(Flow("collection and enforcement",
                           {y: share.value * v for y, v in gross.items()},
                           f"{share.text} of the revenue", kind="cost"))
    return lines


@rule("low_emission_zone")
def _lez(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    lines = CostLines()
    per_km2 = _unit(ctx, lines, "low_emission_zone.cameras_per_km2")
    if per_km2 is not None:
        cameras = float(mask.sum()) * ctx.cell_km2 * per_km2.value
        _invest(ctx, lines, "enforcement cameras", "low_emission_zone.capex_per_camera",
                cameras, None, f"cameras ({per_km2.text} of the zone)")
    if m.rule == "charge" and m.charge_eur_per_trip:
        # a charge per visit, like parking: each leg ending in the zone carries half of it
        # (the kernel's dest_cost), whether it comes from outside or from within the zone;
        # the legs within are its residents', who pay their share of it
        cars = _paying_legs(ctx, m.display_label, "trips_within", m.residents_discount)
        paid = m.affected_share * m.compliance * m.charge_eur_per_trip / TRIPS_PER_VISIT
        lines.add(Flow("charge revenue", {int(y): -intensity(m, int(y)) * paid
                                          * float(r.get("car_ice", 0.0))
                                          for y, r in cars.iterrows()},
                       "combustion-car legs ending in the zone in the run (from outside, and "
                       "within at the residents' share; a visit is two) x affected share x "
                       "compliance x half the charge per visit"))
    return lines


def _zone_name(m: Any) -> str | None:
    area = getattr(m, "area", None)
    return getattr(area, "zone", None) if area is not None else None


@rule("parking_price")
def _parking(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    before = float(np.average(ctx.parking_eur_per_hour[mask],
                              weights=np.maximum(ctx.population[mask], 1e-9)))
    added = m.eur_per_hour - before
    # cars parking: the car legs ending in the zone (entries plus trips within), in vehicles
    # at the year's persons per car (an occupancy measure of the same run included)
    parked = _legs(ctx, _zone_name(m), ENDING_IN_ZONE).sum(axis=1)
    paid_h = ctx.params.get("parking.dwell_h.other", 1.5) * ctx.params.get(
        "parking.paid_share.other", 1.0)
    lines = CostLines()
    if parked.empty:
        lines.note = ("parking revenue needs the area as a named zone (area: {zone: ...}); not "
                      "counted")
        return lines
    gross = {int(y): intensity(m, int(y)) * added * paid_h * float(v)
             for y, v in parked.items()}
    lines.add(Flow("parking revenue", {y: -v for y, v in gross.items()},
                   f"cars parking in the zone in the run (car legs ending in it, entering or "
                   f"within, in vehicles at the year's occupancy) x {paid_h:.2f} paid hours "
                   f"(dwell x paid share, other purposes) x {added:+.2f} EUR/h (the new price "
                   f"less today's)"))
    share = _unit(ctx, lines, "parking_price.operating_share_of_revenue")
    if share is not None:
        lines.add(Flow("enforcement and collection",
                       {y: share.value * max(v, 0.0) for y, v in gross.items()},
                       f"{share.text} of the added revenue", kind="cost"))
    return lines


@rule("ebike_subsidy")
def _ebike(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    lines = CostLines()
    _invest(ctx, lines, "purchase subsidies", "ebike_subsidy.subsidy_per_bike", m.ebikes, None,
            "e-bikes")
    return lines


@rule("bike_sharing")
def _bike_sharing(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    lines = CostLines()
    density = _unit(ctx, lines, "bike_sharing.bikes_per_1000_residents")
    if density is not None:
        bikes = float(ctx.population[mask].sum()) * m.coverage / 1000.0 * density.value
        _run(ctx, lines, "scheme contract (bikes, stations, operation)",
             "bike_sharing.cost_per_bike_year", bikes, f"bikes ({density.text})")
    return lines


@rule("car_sharing")
def _car_sharing(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    lines = CostLines()
    catchment = _unit(ctx, lines, "car_sharing.station_catchment_km2")
    if catchment is not None:
        km2 = float(np.count_nonzero(mask)) * ctx.cell_km2
        stations = m.coverage * km2 / catchment.value
        _invest(ctx, lines, "on-street car-sharing stations (public works)",
                "car_sharing.capex_per_station", stations, "car_sharing.lifetime",
                f"stations ({m.coverage:.0%} of {km2:,.1f} km2 / {catchment.text})")
        lines.note = ("the stations' public running costs are not costed: none published "
                      "found (measure_unit_costs.csv); the cars are the operator's")
    return lines


@rule("ev_sales_share")
def _ev_sales(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    lines = CostLines()
    s, r = ctx.summary.set_index("year"), ctx.reference.set_index("year")
    if m.vehicle == "bus":
        # the share's rise on the reference case's stock: buses added by other measures are
        # theirs (their being new, hence more often electric, still counts here: an
        # approximation, as the reference case's bus sales are not kept)
        extra = r["bus_stock"] * (s["bus_bev_share"] - r["bus_bev_share"])
        buses = float(extra.clip(lower=0).max())
        bev, diesel = (_unit(ctx, lines, k) for k in ("ev_sales_share.bus.bev_price",
                                                      "pt.bus.price"))
        charger = _unit(ctx, lines, "ev_sales_share.bus.depot_charger")
        if bev is not None and diesel is not None:
            life = _unit(ctx, lines, "pt.bus.lifetime")
            premium = bev.value - diesel.value + (charger.value if charger else 0.0)
            lines.add(Investment(
                "battery-electric buses: price over diesel, with a depot charger",
                premium * buses, life.value if life else math.inf,
                f"{buses:,.0f} more electric buses than in the reference case x ({bev.text} - "
                f"{diesel.text}" + (f" + {charger.text})" if charger else ")")))
        return lines
    extra = s["car_stock"] * (s["fleet_bev_share"] - r["fleet_bev_share"])
    cars = float(extra.clip(lower=0).max())
    kw, per_point = (_unit(ctx, lines, k) for k in ("charging.kw_per_bev",
                                                    "charging.kw_per_point"))
    if kw is not None and per_point is not None:
        points = cars * kw.value / per_point.value
        _invest(ctx, lines, "public charge points", "charging.capex_per_point", points,
                "charging.lifetime",
                f"charge points ({cars:,.0f} more electric cars than in the reference case x "
                f"{kw.text} / {per_point.text})")
        _run(ctx, lines, "charge point maintenance", "charging.opex_per_point_year", points,
             "charge points")
    return lines


@rule("ev_purchase_subsidy")
def _ev_purchase_subsidy(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    f = ctx.fleet
    bev = f[(f["vehicle"] == "car") & (f["powertrain"] == "bev")].set_index("year")["sales"]
    paid = {int(y): float(bev.get(y, 0.0)) * m.eur_per_car * intensity(m, int(y))
            for y in ctx.years}
    lines = CostLines()
    lines.add(Flow("purchase subsidies paid on new electric cars", paid,
                   f"battery-electric cars sold in the city each year (the run's fleet) x "
                   f"{m.eur_per_car:,.0f} EUR x the measure's intensity (every buyer is paid, "
                   "those who would have bought one anyway too)", kind="cost"))
    return lines


@rule("electric_vans")
def _electric_vans(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    from ..reference.case import freight_zero_emission_path
    lines = CostLines()
    per_van, subsidy = (_unit(ctx, lines, k) for k in ("electric_vans.km_per_van_year",
                                                       "electric_vans.subsidy_per_van"))
    if per_van is None or subsidy is None:
        return lines
    turnover = ctx.params.get("freight.van_turnover", 0.08)
    ref, _ = freight_zero_emission_path(ctx.country, ctx.years, ctx.reference_on)
    bought = {}
    for y, vkm in zip(ctx.summary["year"], ctx.summary["van_vkm"], strict=True):
        r = ref["van"][int(y)]
        target = r + max(0.0, m.share - r) * intensity(m, int(y))
        bought[int(y)] = float(vkm) / per_van.value * turnover * (target - r)
    lines.add(Flow("purchase subsidies for the extra electric vans",
                   {y: n * subsidy.value for y, n in bought.items()},
                   f"vans in the city (the run's van-km / {per_van.text}) x "
                   f"{turnover:.0%} renewed a year x the rise of the electric share of new vans "
                   f"over the reference case's x {subsidy.text}", kind="cost"))
    return lines


@rule("cargo_bikes")
def _cargo(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    from ..fleet.freight import freight_weights

    lines = CostLines()
    per_bike = _unit(ctx, lines, "cargo_bikes.km_per_bike_year")
    if per_bike is None:
        return lines
    weights = freight_weights(ctx.jobs, ctx.population, ctx.params)
    share = float(weights[mask].sum() / weights.sum()) if weights.sum() > 0 else 0.0
    km = ctx.first(ctx.reference, "van_vkm") * share * m.van_km_share
    _invest(ctx, lines, "cargo-bike purchase subsidies", "cargo_bikes.subsidy_per_bike",
            km / per_bike.value, None,
            f"cargo bikes (the area's van-km moved to cargo bikes, one bike-km per van-km, "
            f"over {per_bike.text})")
    return lines


@rule("car_occupancy")
def _car_occupancy(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    lines = CostLines()
    per_trip = _unit(ctx, lines, "car_occupancy.subsidy_per_passenger_trip")
    if per_trip is None:
        return lines
    occupancy = ctx.params.get("car.occupancy", 1.6)
    car = ctx.modes[ctx.modes["mode"].isin(["car_ice", "car_ev"])].groupby("year")["trips"].sum()
    shared = {}
    for y, trips in car.items():
        level = occupancy + (m.persons_per_car - occupancy) * intensity(m, int(y))
        shared[int(y)] = float(trips) * max(0.0, 1.0 - occupancy / level)
    lines.add(Flow("carpool incentives", {y: n * per_trip.value for y, n in shared.items()},
                   f"car trips of residents in the run that are shared rides above today's "
                   f"occupancy ({occupancy:.2f}) x {per_trip.text}", kind="cost"))
    return lines


@rule("consolidation_centre")
def _ucc(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    lines = CostLines()
    _run(ctx, lines, "operating subsidy", "consolidation_centre.subsidy_per_year", 1.0,
         "centre")
    return lines


@rule("telework")
def _telework(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    lines = CostLines()
    effect = _unit(ctx, lines, "telework.effect_per_employee_reached")
    if effect is None or ctx.jobs is None:
        return lines
    jobs = float(ctx.jobs.sum())
    reach = min(1.0, m.share / effect.value) if effect.value > 0 else 1.0
    employees = jobs * reach
    beyond = (f"; the programme's measured effect ({effect.text}) falls short of the {m.share:.0%}"
              " of commute trips removed: the rest is the trend of working from home, not "
              "bought by the programme" if m.share > effect.value else "")
    _invest(ctx, lines, "employer mobility-management and telework programme",
            "telework.programme_cost_per_employee_reached", employees,
            "telework.programme_years",
            f"employees reached (the grid's {jobs:,.0f} jobs x min(1, {m.share:.0%} of commute "
            f"trips removed / the effect per employee reached){beyond}")
    return lines


@rule("densification")
def _densification(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    lines = CostLines()
    per_home = _unit(ctx, lines, "densification.persons_per_dwelling")
    cost = _unit(ctx, lines, "densification.public_cost_per_dwelling_vs_greenfield")
    if per_home is None or cost is None or ctx.stop_distance_m is None:
        return lines
    near = ctx.stop_distance_m <= m.distance_m
    far, receivers = mask & ~near, mask & near
    residents = float(ctx.population[far].sum()) if receivers.any() else 0.0
    homes = m.share * residents / per_home.value
    lines.add(Investment(
        "public land development of the homes built near stops instead of on greenfield land",
        cost.value * homes, math.inf,
        f"{homes:,.0f} homes ({m.share:.0%} of the {residents:,.0f} residents of the area "
        f"farther than {m.distance_m:,.0f} m from a stop today / {per_home.text}) x "
        f"{cost.text}; spent once, as the homes are built (land is not renewed)"))
    lines.note = ("the jobs moved near stops are not costed: no public cost per job or per m2 "
                  "of floor space found (measure_unit_costs.csv)")
    return lines


@rule("delivery_window")
def _delivery_window(m: Any, mask: np.ndarray, ctx: CostContext) -> CostLines:
    km = float(ctx.street_km[mask].sum())
    lines = CostLines()
    _invest(ctx, lines, "signs", "speed_limit.capex_per_km", km, None,
            "km of street of the area (signed as a speed-limit zone is: an assumption)")
    _run(ctx, lines, "enforcement, net of the penalties it collects",
         "delivery_window.enforcement_net_eur_per_year", 1.0, "scheme")
    if m.window == "night":
        lines.note = ("the incentives an off-hour delivery programme pays to receivers and "
                      "carriers are not costed: the model has no count of receivers (New York's "
                      "pilot paid USD 2,000 per receiver; measure_unit_costs.csv)")
    return lines
