"""The European Commission's Sustainable Urban Mobility Indicators (SUMI) that a run supports.

One row per indicator, year and case (scenario, reference case) in the run's ``sumi`` table;
``docs/sumi.md`` lists all 18 indicators, which are computed, which only approximately and
why the others are out of scope. Definitions: ``mobility_sim/data/sumi_indicators.csv`` (the
Commission's SUMI methodology, 2017-2020). Every value says its scope and how it was made
(``how``); where the model can only approximate the Commission's definition the ``scope`` says
``proxy``.

Computed here, per year:

* ``SUMI_07`` greenhouse gas emissions: territorial well-to-wheel CO2e (all passenger and
  freight traffic on the grid's roads) per resident, t a year: the Commission's definition;
* ``SUMI_03`` air pollutant emissions: NOx and PM2.5 (exhaust and non-exhaust, all vehicles)
  per resident, kg a year, each pollutant on its own (the index's PM2.5-equivalent weights
  were not found);
* ``SUMI_05`` road deaths per 100,000 residents: the residents' passenger-km by mode times
  national own-mode fatality rates per km (``road_risk.csv``; 2007-2011 rates, a proxy for
  counted deaths);
* ``SUMI_06`` access to mobility services: the share of residents whose cell's public
  transport stop is within ``sumi.access_stop_m`` with a departure at least every
  ``sumi.access_headway_min`` (the Commission's zone thresholds were not found: proxy);
* ``SUMI_08`` congestion and delays: road traffic's travel time over free flow, minus 1 (all
  day, all roads; the Commission's is peak over off-peak on ten corridors: proxy);
* ``SUMI_09`` energy efficiency: energy of passenger vehicles per passenger-km, MJ (freight
  tonne-km are not modelled: passenger part only);
* ``SUMI_10`` opportunity for active mobility: street length with protected cycle
  infrastructure or a 30 km/h limit over all street length (pavements and pedestrian zones
  are not in the model's data: a lower bound);
* ``SUMI_13`` traffic safety of active modes: pedestrians' and cyclists' deaths per billion
  trips, from the same fatality rates (proxy);
* ``SUMI_MS`` modal split by trips and by passenger-km (residents' trips);
* ``SUMI_01`` affordability of public transport for the poorest quarter: a year of monthly
  passes (the city's data sheet, moved with the fare measures) over the mean equivalised
  disposable income of the country's poorest quarter (Eurostat EU-SILC, ``income_groups.csv``;
  the Commission's definition was not found: proxy);
* ``SUMI_16`` commuting travel time: the mean door-to-door minutes of residents' commute
  trips, from their passenger-km by mode at the year's speeds plus the walk and wait of public
  transport (the Commission's definition was not found: the model's own).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from .data import read_table

#: Columns of the ``sumi`` table.
SUMI_COLUMNS: tuple[str, ...] = ("year", "indicator", "name", "value", "unit", "case", "scope",
                                 "how")
#: Energy content of fuels, MJ per litre or kg (lower heating values).
MJ_PER_KWH = 3.6


@cache
def _risk() -> pd.DataFrame:
    return read_table("road_risk.csv")


def fatality_rates(country: str) -> dict[str, tuple[float, str]]:
    """Deaths per billion km travelled by mode (own-mode risk), with where each comes from.

    Car occupants per passenger-km (Germany 2007-2011; the only national rate per
    passenger-km found), pedestrians per km walked (Great Britain 2011, the only one found),
    cyclists per km cycled (the country's latest where found, else the median of the
    countries'), public transport per passenger-km (Germany's bus rate 2007-2011, an upper
    bound for trams and metros).
    """
    t = _risk()
    t = t[t["status"] != "not_found"].copy()
    t["first_year"] = t["year"].astype(str).str.extract(r"(\d{4})").astype(float)

    def pick(rows: pd.DataFrame, label: str) -> tuple[float, str]:
        own = rows[rows["geography"] == country]
        use = own if len(own) else rows
        if len(own):
            row = own.sort_values("first_year").iloc[-1]
            return float(row["value"]), f"{label}: {country} {row['year']}"
        latest = use.sort_values("first_year").groupby("geography").tail(1)
        return (float(latest["value"].median()),
                f"{label}: median of {', '.join(sorted(latest['geography']))}")

    car = t[(t["mode"] == "car_occupant") & t["unit"].str.contains("passenger-km")
            & (t["geography"] != "EU15")]
    walk = t[(t["mode"] == "pedestrian") & (t["geography"] != "EU15")]
    bike = t[(t["mode"] == "cyclist") & t["unit"].str.contains("km")
             & ~t["unit"].str.contains("ratio") & (t["geography"] != "EU15")]
    pt = t[(t["mode"] == "bus_passenger")]
    rates = {"car": pick(car, "car occupants"), "walk": pick(walk, "pedestrians"),
             "bike": pick(bike, "cyclists"), "pt": pick(pt, "bus passengers")}
    rates["ebike"] = rates["bike"]
    return rates


def year_extras(year: int, segments: pd.DataFrame, cells: pd.DataFrame, inputs: Any,
                params: Any, pt: Any, n: int, street_km: np.ndarray,
                limit30_share: np.ndarray, p: Mapping[str, float]) -> dict[str, float]:
    """Return what the SUMI need of one simulated year beyond the result tables.

    ``segments`` and ``cells``: the year's rows; ``inputs``, ``params``: the kernel's (their
    first ``n`` cells are the grid's); ``pt``: the year's PT network; ``street_km``: street
    length per cell; ``limit30_share``: share of each cell's streets under a 30 km/h limit.
    """
    from .kernels.spec import BIKE, EBIKE, WALK
    from .model.inputs import expected_wait_min
    from .model.parameters import ModelParameters

    mp = ModelParameters.of(p)
    population = np.asarray(inputs.population[:n], float)
    weight = population / population.sum() if population.sum() > 0 else np.full(n, 1.0 / n)
    headway = np.asarray(pt.headway_min[:n], float)
    near = np.asarray(pt.stop_distance_m[:n], float) <= mp.sumi.access_stop_m
    frequent = headway <= mp.sumi.access_headway_min
    access_share = float(weight[near & frequent].sum())
    infra = np.clip(np.asarray(inputs.bike_infra[:n], float), 0.0, 1.0)
    active = 1.0 - (1.0 - infra) * (1.0 - np.clip(limit30_share, 0.0, 1.0))
    active_share = float((active * street_km).sum() / street_km.sum()) if street_km.sum() else 0.0
    commute = segments[segments["purpose"] == "commute"].groupby("mode")[["trips", "pkm"]].sum()
    car_trips = cells["car_trips"].to_numpy(float)
    car_kmh = (float(car_trips.sum() / (car_trips / cells["car_speed_kmh"].to_numpy(float)).sum())
               if car_trips.sum() > 0 else float(np.mean(inputs.car_speed[:n])))
    pt_kmh = 1.0 / float((weight / np.asarray(inputs.pt_speed[:n], float)).sum())
    wait = expected_wait_min(headway, p)
    pt_fixed = float((weight * (2.0 * np.asarray(pt.access_min[:n], float) + wait)).sum())
    speeds = {"walk": params.speed[WALK], "bike": params.speed[BIKE],
              "ebike": params.speed[EBIKE], "pt": pt_kmh, "car_ice": car_kmh, "car_ev": car_kmh}
    minutes = trips = 0.0
    for mode, row in commute.iterrows():
        minutes += float(row["pkm"]) / speeds[str(mode)] * 60.0
        if mode == "pt":
            minutes += float(row["trips"]) * pt_fixed
        trips += float(row["trips"])
    from .kernels.spec import PT

    base_fare = float(p["pt.fare"])
    fare_ratio = float(params.fare[PT]) / base_fare if base_fare > 0 else 1.0
    return {"year": year, "access_share": access_share, "active_share": active_share,
            "commute_minutes": minutes / trips if trips > 0 else float("nan"),
            "fare_ratio": fare_ratio}


def poorest_quarter_income(country: str) -> tuple[float, str] | None:
    """Mean equivalised disposable income of the poorest quarter, EUR a year, and source.

    The country's own figure only (None without one: the SUMI is then left out, while the
    demand model's income groups fall back to the EU27's).
    """
    from .model.income import latest_value

    found = latest_value("income_mean_bottom_quartile_eur", country)
    if found is None:
        return None
    value, year, source = found
    return value, f"{country} {year}: {source[:120]}"


def sumi_table(summary: pd.DataFrame, modes: pd.DataFrame, extras: pd.DataFrame,
               country: str, case: str, p: Mapping[str, float],
               monthly_pass: tuple[float, str] | None = None) -> pd.DataFrame:
    """Return the run's SUMI rows (:data:`SUMI_COLUMNS`) for one case (scenario, reference).

    ``monthly_pass``: the city's monthly public transport pass in EUR and its source (None
    where the data sheet has none: affordability is then left out).
    """
    from .model.parameters import ModelParameters

    rates = fatality_rates(country)
    sp = ModelParameters.of(p).sumi
    rows: list[dict[str, Any]] = []
    access_how = (f"share of residents whose cell's stop is within {sp.access_stop_m:g} m "
                  f"with a departure at least every {sp.access_headway_min:g} min "
                  "(assumption: the Commission's zone thresholds were not found)")
    extra = extras.set_index("year")
    income = poorest_quarter_income(country)
    for _, s in summary.iterrows():
        year = int(s["year"])
        pop = float(s["population"])
        m = modes[modes["year"] == year].set_index("mode")

        def add(ind: str, name: str, value: float, unit: str, scope: str, how: str,
                year: int = year) -> None:
            rows.append({"year": year, "indicator": ind, "name": name, "value": float(value),
                         "unit": unit, "case": case, "scope": scope, "how": how})

        add("SUMI_07", "Greenhouse gas emissions", s["territorial_co2_wtw_t"] / pop,
            "t CO2e per resident per year", "Commission's definition",
            "territorial well-to-wheel CO2e (all passenger and freight traffic on the grid's "
            "roads) / residents")
        add("SUMI_03", "Air pollutant emissions: NOx", s["nox_t"] * 1000.0 / pop,
            "kg NOx per resident per year", "part",
            "exhaust NOx of all vehicles on the grid's roads / residents; the index's "
            "PM2.5-equivalent weights were not found, so each pollutant is shown on its own")
        add("SUMI_03", "Air pollutant emissions: PM2.5", s["pm25_t"] * 1000.0 / pop,
            "kg PM2.5 per resident per year", "part",
            "exhaust and non-exhaust PM2.5 of all vehicles on the grid's roads / residents")
        pkm = {k: float(m.loc[k, "pkm"]) if k in m.index else 0.0
               for k in ("walk", "bike", "ebike", "pt", "car_ice", "car_ev")}
        deaths = (rates["car"][0] * (pkm["car_ice"] + pkm["car_ev"])
                  + rates["walk"][0] * pkm["walk"] + rates["bike"][0] * (pkm["bike"] + pkm["ebike"])
                  + rates["pt"][0] * pkm["pt"]) / 1e9
        add("SUMI_05", "Road deaths", deaths / pop * 1e5, "deaths per 100,000 residents",
            "proxy", "residents' passenger-km by mode x national own-mode fatality rates per km "
            "(" + "; ".join(v[1] for k, v in rates.items() if k != "ebike")
            + "; road_risk.csv): indicative, not the city's counted deaths")
        for label, key, members in (("pedestrians", "walk", ("walk",)),
                                    ("cyclists", "bike", ("bike", "ebike"))):
            trips = sum(float(m.loc[k, "trips"]) for k in members if k in m.index)
            if trips > 0:
                killed = rates[key][0] * sum(pkm[k] for k in members) / 1e9
                add("SUMI_13", f"Traffic safety active modes: {label}", killed / trips * 1e9,
                    "deaths per billion trips", "proxy",
                    f"residents' {label[:-1]} passenger-km x the national fatality rate per km "
                    f"({rates[key][1]}) / their trips: indicative")
        if year in extra.index:
            e = extra.loc[year]
            add("SUMI_06", "Access to mobility services", 100.0 * e["access_share"],
                "% of residents", "proxy", access_how)
            add("SUMI_10", "Opportunity for active mobility", e["active_share"],
                "share of street length", "lower bound",
                "streets with protected cycle infrastructure or a 30 km/h limit / all streets "
                "(pavements and pedestrian zones are not in the model's data)")
            add("SUMI_16", "Commuting travel time", e["commute_minutes"], "minutes per trip",
                "model's own", "mean door-to-door time of residents' commute trips: their "
                "passenger-km by mode at the year's mean speeds, plus the walk to and from "
                "the stop and the wait for public transport")
            if monthly_pass is not None and income is not None:
                add("SUMI_01", "Affordability of public transport for the poorest quarter",
                    100.0 * 12.0 * monthly_pass[0] * e["fare_ratio"] / income[0],
                    "% of income", "proxy",
                    f"a year of monthly passes (EUR {monthly_pass[0]:.2f} a month: "
                    f"{monthly_pass[1]}; moved with the year's fare measures) / the mean "
                    f"equivalised disposable income of the country's poorest quarter (EUR "
                    f"{income[0]:,.0f} a year, {income[1]}; income held at its latest year); "
                    "the Commission's definition was not found")
        if np.isfinite(s.get("road_delay_index", np.nan)):
            add("SUMI_08", "Congestion and delays", 100.0 * (s["road_delay_index"] - 1.0),
                "% extra travel time over free flow", "proxy",
                "road traffic's travel time per km over free flow, all day and all roads (the "
                "Commission's: peak over off-peak on ten corridors, and public transport)")
        mj = (float(s["electricity_mwh"]) * 1000.0 * MJ_PER_KWH
              + float(s["fuel_litres"]) * sp.mj_per_litre
              + float(s["gas_kg"]) * sp.mj_per_kg_cng)
        add("SUMI_09", "Energy efficiency", mj / float(s["pkm"]) if s["pkm"] else np.nan,
            "MJ per passenger-km", "part", "energy of passenger vehicles (electricity, petrol "
            "and diesel, CNG) / residents' passenger-km; freight tonne-km are not modelled")
        trips_total = float(m["trips"].sum()) or 1.0
        pkm_total = sum(pkm.values()) or 1.0
        for group, members in (("walking", ("walk",)), ("cycling", ("bike", "ebike")),
                               ("public transport", ("pt",)), ("car", ("car_ice", "car_ev"))):
            trips = sum(float(m.loc[k, "trips"]) for k in members if k in m.index)
            add("SUMI_MS", f"Modal split by trips: {group}", 100.0 * trips / trips_total,
                "% of trips", "Commission's definition", "residents' trips by main mode")
            add("SUMI_MS", f"Modal split by passenger-km: {group}",
                100.0 * sum(pkm[k] for k in members) / pkm_total, "% of passenger-km",
                "Commission's definition", "residents' passenger-km by main mode")
    return pd.DataFrame(rows, columns=list(SUMI_COLUMNS))


#: Columns of the ``welfare`` table.
WELFARE_COLUMNS: tuple[str, ...] = ("year", "cell_id", "segment", "trips", "welfare_eur")


def welfare_rows(year: int, cell_ids: np.ndarray, trips: np.ndarray, logsum: np.ndarray,
                 cost_coef: np.ndarray, dest_scale: np.ndarray, days: float,
                 segments: tuple[str, ...]) -> pd.DataFrame:
    """Return the ``welfare`` table's rows of one year (:data:`WELFARE_COLUMNS`).

    A cell's welfare for a segment is the logsum of its trips in money: for each purpose
    ``p``, trips a year x the destination-choice logsum / (the purpose's destination scale x
    minus its money coefficient), summed over purposes. The destination-choice utility is
    ``log(size) + scale x (the mode logsum)``, so dividing by the scale brings it back to the
    mode utilities, whose money coefficient turns it into EUR (Williams 1977; de Jong et al.
    2007, "The logsum as an evaluation measure", Transportation Research A 41). Only
    differences mean anything: the difference of two runs in the same year is the consumer
    surplus of one against the other. Cells with nothing reachable count 0. With cost damping
    (``cost_damping.exponent``) a euro weighs more on short trips than on long ones; the
    money coefficient used here is the one at the reference distance (``cost_damping.ref_km``),
    an approximation of a logsum whose money coefficient varies with trip length.

    Parameters
    ----------
    trips : ndarray, shape (S, P, N)
        Trips per day by segment, purpose and origin cell (the grid's cells).
    logsum : ndarray, shape (S, P, N)
        The kernel's ``dest_logsum`` of the same cells.
    cost_coef : ndarray, shape (S, P)
        The year's money coefficients (negative) by segment: each income group's surplus is
        in its own money (willingness to pay; no distributional weights).
    dest_scale : ndarray, shape (P,)
        The year's destination scales.
    """
    finite = np.where(np.isfinite(logsum), logsum, 0.0)
    per_trip = finite / (np.asarray(dest_scale)[None, :, None]
                         * -np.asarray(cost_coef)[:, :, None])
    welfare = (trips * per_trip).sum(axis=1) * days  # (S, N)
    n = cell_ids.size
    return pd.DataFrame({
        "year": year, "cell_id": np.tile(cell_ids, len(segments)),
        "segment": np.repeat(list(segments), n),
        "trips": (trips.sum(axis=1) * days).reshape(-1), "welfare_eur": welfare.reshape(-1)})


def welfare_per_trip(welfare_eur: pd.Series, trips: pd.Series) -> pd.Series:
    """Return the welfare per trip (the logsum in money), 0 where there is no trip."""
    return (welfare_eur / trips).where(trips > 0, 0.0)


def surplus_rows(welfare: pd.DataFrame) -> pd.DataFrame:
    """Return the consumer surplus of each year, cell and segment, EUR a year.

    ``welfare`` holds both cases (column ``case``). Each cell's segment counts with the
    reference case's trips: the surplus is the change of the welfare per trip (the logsum in
    money) times the reference case's trips (column ``trips``, also returned). A segment's
    residents then stay those of the reference case, though car ownership responds
    (:mod:`mobility_sim.model.ownership`) and car shedding moves residents between the car
    classes: what those who give up a car (or buy one) gain or lose by switching is the
    ownership choice's, not counted here; and a measure that removes trips (telework) is
    valued on the trips that remain.
    """
    keys = ["year", "cell_id", "segment"]
    cases = welfare.groupby([*keys, "case"])[["welfare_eur", "trips"]].sum().unstack("case")
    trips_ref = cases[("trips", "reference")]

    def per_trip(case: str) -> pd.Series:
        return welfare_per_trip(cases[("welfare_eur", case)], cases[("trips", case)])

    return pd.DataFrame({"trips": trips_ref,
                         "consumer_surplus_eur": trips_ref * (per_trip("scenario")
                                                              - per_trip("reference"))
                         }).reset_index()


def consumer_surplus(welfare: pd.DataFrame, by: str = "segment") -> pd.DataFrame:
    """Return the scenario's consumer surplus against the reference case, EUR a year.

    ``welfare`` holds both cases (column ``case``); the result has ``year``, ``by`` and
    ``consumer_surplus_eur`` (positive: the scenario's travellers are better off;
    :func:`surplus_rows` says how). ``by``: ``segment``, ``cell_id``, ``car_class`` or
    ``income_group`` (the two parts of a segment's name, ``<car_class>.<income_group>``), or
    ``total``.
    """
    surplus = surplus_rows(welfare)
    if by in ("car_class", "income_group"):
        parts = surplus["segment"].str.split(".", n=1, expand=True)
        surplus[by] = parts[0 if by == "car_class" else 1]
    group = ["year", by] if by != "total" else ["year"]
    return surplus.groupby(group)["consumer_surplus_eur"].sum().reset_index()


#: What the ``spending`` table counts, in order: column ``<item>_eur``.
SPENDING_ITEMS: tuple[str, ...] = ("fuel", "electricity", "fares", "parking_and_zone_charges",
                                   "cordon_charges")
#: Columns of the ``spending`` table.
SPENDING_COLUMNS: tuple[str, ...] = ("year", "segment", "area", "residents", "trips",
                                     "car_trips", *(f"{item}_eur" for item in SPENDING_ITEMS),
                                     "health_value_eur")
#: The ``spending`` table's area of all the grid's residents.
MODELLED_AREA = "modelled area"


def whole_grid(spending: pd.DataFrame) -> pd.DataFrame:
    """Return the ``spending`` rows of all the grid's residents (every row of an older run)."""
    if "area" not in spending.columns:
        return spending
    return spending[spending["area"] == MODELLED_AREA]


def money_by_cell(out: Any, inputs: Any, params: Any, n: int,
                  inbound_trips: np.ndarray | None = None,
                  cordon_flows: Any = None) -> dict[str, np.ndarray]:
    """Money the residents pay for their trips, EUR a day, by item, segment and home cell.

    Returns ``{item: array (S, N)}`` for the items of :data:`SPENDING_ITEMS`; how each is
    counted is in :func:`spending_rows`.
    """
    from .kernels.spec import CAR_MODES, PT, PURPOSES

    trips = np.asarray(out.trips)[:, :, :n]  # (S, P, N, M)
    pkm = np.asarray(out.pkm)[:, :, :n]
    car = list(CAR_MODES)
    # the car's money costs of the model are per person (the vehicle's, shared by its
    # occupants: model.inputs.car_occupancy), so each person's passenger-km and trips pay them
    car_pkm = pkm[..., car].sum(axis=1)  # (S, N, 2)
    items = {
        "fuel": car_pkm[..., 0] * params.cost_per_km[car[0]],
        "electricity": car_pkm[..., 1] * params.cost_per_km[car[1]],
        "fares": trips[..., PT].sum(axis=1) * params.fare[PT],
    }
    arrivals = np.asarray(out.trips_to)[:n, car]  # (N, 2)
    charge = np.zeros((trips.shape[0], n))
    for k in range(len(PURPOSES)):
        cost = np.asarray(inputs.dest_cost)[k][car][:, :n].T  # (N, 2)
        mean = np.divide((arrivals * cost).sum(axis=0), arrivals.sum(axis=0),
                         out=np.zeros(len(car)), where=arrivals.sum(axis=0) > 0)
        charge += (trips[:, k][..., car] * mean).sum(axis=2)
    items["parking_and_zone_charges"] = charge
    crossing = np.zeros_like(charge)
    if cordon_flows is not None:
        cordon = np.asarray(inputs.cordon, dtype=bool)[:n]
        per_crossing = np.asarray(params.cordon_charge)[car]
        seg_car = trips[..., car].sum(axis=1)  # (S, N, 2)
        inside = seg_car[:, cordon].sum(axis=(0, 1))  # (2,)
        outside = seg_car[:, ~cordon].sum(axis=(0, 1))
        extra = (np.zeros(len(car)) if inbound_trips is None  # (K, M): by external zone
                 else np.asarray(inbound_trips, dtype=float).sum(axis=0)[car])
        leave = np.divide(cordon_flows.leaving[car], inside, out=np.zeros(len(car)),
                          where=inside > 0)
        enter = np.divide(cordon_flows.entering[car], outside + extra,
                          out=np.zeros(len(car)), where=outside + extra > 0)
        rate = np.where(cordon[:, None], np.minimum(leave, 1.0), np.minimum(enter, 1.0))
        paid = np.where(cordon, params.cordon_resident_factor, 1.0)[:, None]  # residents' share
        crossing = (seg_car * rate[None] * paid[None] * per_crossing).sum(axis=2)
    items["cordon_charges"] = crossing
    return items


def spending_rows(year: int, out: Any, inputs: Any, params: Any, n: int, days: float,
                  segments: tuple[str, ...], inbound_trips: np.ndarray | None = None,
                  cordon_flows: Any = None, p: Mapping[str, float] | None = None,
                  areas: Mapping[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Return the ``spending`` table's rows of one year (:data:`SPENDING_COLUMNS`).

    One row per segment and area: the segment's residents in the area (by home cell), their
    trips and car trips a year, and the money they pay for their trips, EUR a year, by item
    (``<item>_eur``; :func:`money_by_cell`):

    - ``fuel``, ``electricity``: their car passenger-km x the car's money cost per
      passenger-km (the kernel's: the vehicle's cost per km, with any fuel-price or carbon
      measure, shared by its occupants): exact;
    - ``fares``: their PT trips x the year's average fare per trip: exact;
    - ``parking_and_zone_charges``: their car trips x the mean charge per person car trip at
      the destinations all car trips of the year reach (parking per visit, a zone's charge per
      visit, shared by the car's occupants as the kernel charges them; until 2026-12-07 every
      occupant was counted as paying them in full). Approximation: each segment's car trips
      end where all car trips end;
    - ``cordon_charges``: car trips crossing the cordon x the charge per person crossing (the
      car's, shared by its occupants), shared between
      residents by their car trips from each side: trips leaving the cordon (``cordon_flows``,
      :func:`mobility_sim.model.zone_flows.zone_flows` of the year's cordon cells; None when no
      cordon charge applies) by the car trips from inside it; trips entering it by the car
      trips from outside it, non-residents (``inbound_trips``, shape (K, M), the external
      zones' trips) counted as outside origins that cross at the same rate (assumption).

    Trips are the kernel's; ``n``: the grid's cells (the first ``n`` of ``inputs``). Money a
    car owner pays whatever the trips (purchase, insurance, tax) is not counted.

    ``health_value_eur``: the WHO HEAT value of the walking and cycling of the segment's
    residents in the area (:func:`mobility_sim.fleet.health.health_rows` on their own
    residents and passenger-km, their walks to and from PT stops included:
    :func:`mobility_sim.fleet.health.pt_walk_km`; with the model parameters ``p``; NaN without
    them): its health co-benefit, compared with no walking or cycling at all.

    ``areas``: ``{name: weight of each grid cell, shape (N,)}`` (a cell partly in an area
    counts with its share); default :data:`MODELLED_AREA` only (every cell with weight 1),
    which is always given first.
    """
    from .kernels.spec import CAR_MODES

    trips = np.asarray(out.trips)[:, :, :n]  # (S, P, N, M)
    pkm = np.asarray(out.pkm)[:, :, :n]
    car = list(CAR_MODES)
    money = money_by_cell(out, inputs, params, n, inbound_trips, cordon_flows)
    cell_residents = (np.asarray(inputs.population)[:n][None, :]
                      * np.asarray(inputs.segment_share)[:, :n])  # (S, N)
    cell_trips = trips.sum(axis=(1, 3))
    cell_car = trips[..., car].sum(axis=(1, 3))
    weights = {MODELLED_AREA: np.ones(n), **{k: v for k, v in (areas or {}).items()
                                              if k != MODELLED_AREA}}
    w = np.array([np.asarray(v, dtype=float) for v in weights.values()]).T  # (N, A)
    n_seg, n_area = len(segments), w.shape[1]

    def by_area(values: np.ndarray) -> np.ndarray:  # (S, N) -> rows area by area, (A * S,)
        return (values @ w).T.reshape(-1)

    residents = by_area(cell_residents)
    table = pd.DataFrame({"year": year, "segment": list(segments) * n_area,
                          "area": np.repeat(list(weights), n_seg), "residents": residents,
                          "trips": by_area(cell_trips) * days,
                          "car_trips": by_area(cell_car) * days})
    for item in SPENDING_ITEMS:
        table[f"{item}_eur"] = by_area(money[item]) * days
    table["health_value_eur"] = np.nan
    if p is not None:
        from .data.typed_parameters import ModelParameters
        from .fleet.health import health_value, pt_walk_km
        from .kernels.spec import MODES, PT

        active = {m: by_area(pkm[..., MODES.index(m)].sum(axis=1))
                  for m in ("walk", "bike", "ebike")}
        active["walk"] = active["walk"] + by_area(pt_walk_km(
            trips[..., PT].sum(axis=1), np.asarray(inputs.dest_time)[PT, :n],
            np.asarray(out.trips_to)[:n, PT], ModelParameters.of(p).speed.walk))
        table["health_value_eur"] = health_value(active, residents, p)
    return table[list(SPENDING_COLUMNS)]
