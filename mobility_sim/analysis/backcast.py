"""Backcasts: measures European cities took, run in the model and set against what was observed.

``mobility_sim/data/backcast_cases.csv`` holds published ex-post evaluations (each with its
source, the measure as it was, the measured outcome and its band). :data:`CASES` turns each
into the model's terms: the measure (as a scenario's measure, on the shipped city) and the
model output that corresponds to the measured outcome. :func:`backcast` runs each case's city
with and without the measure (the model's base year, 2025, with the measure from 2026: the
city of today, not the city of the evaluation year; said so with every result) and reports the
predicted change beside the observed one, inside or outside its band. A case outside its band
is reported with the reason known, never dropped; the model is never tuned to these cases.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from ..data import read_table
from ..paths import repo_root

#: The year the measures start in the model (the year after the base year).
START = 2026
#: Half-width of the band of a case published without a range, relative to its value.
NO_RANGE_TOLERANCE = 0.25


def _zone_value(results: Any, case: str, quantity: str | tuple[str, ...],
                zone: str = "measure") -> float | None:
    """Cars of a reported zone in the measure's first year (None: no such zone).

    ``quantity``: a column of the ``zones`` table, or a tuple of its person-trip columns,
    read as cars (:func:`mobility_sim.accounts.zone_vehicles`).
    """
    z = results.zones
    rows = z[(z["zone"] == zone) & (z["case"] == case) & (z["year"] == START)
             & z["vehicle"].isin(["car_ice", "car_ev"])]
    if rows.empty:
        return None
    if isinstance(quantity, str):
        return float(rows[quantity].sum())
    from ..accounts import zone_vehicles

    return float(zone_vehicles(rows, quantity).sum())


#: Model outputs a case's measured outcome corresponds to: (run with the measure, run as it was
#: before) -> (value after, value before), in the measure's first year.
Outcome = Callable[[Any, Any], tuple[float, float]]


def _zone(quantity: str | tuple[str, ...], zone: str = "measure") -> Outcome:
    def read(after: Any, before: Any) -> tuple[float, float]:
        now = _zone_value(after, "scenario", quantity, zone)
        # the zone exists only with the measure: the run's own reference case is the city
        # as it was (_simulate_case passes that run as both)
        then = None if before is after else _zone_value(before, "scenario", quantity, zone)
        if then is None:
            then = _zone_value(after, "reference", quantity, zone)
        if now is None or then is None:
            raise ValueError(f"the case's outcome needs the zone {zone!r} in the results")
        return now, then
    read.zone = zone  # type: ignore[attr-defined]  # the zone it reads (_needs_reference)
    return read


def _summary(column: str) -> Outcome:
    def read(after: Any, before: Any) -> tuple[float, float]:
        return (float(after.summary.set_index("year").loc[START, column]),
                float(before.summary.set_index("year").loc[START, column]))
    return read


def _mode_trips(*groups: str) -> Outcome:
    def read(after: Any, before: Any) -> tuple[float, float]:
        def total(res: Any) -> float:
            m = res.modes
            return float(m[(m["year"] == START) & m["mode_group"].isin(groups)]["trips"].sum())
        return total(after), total(before)
    return read


def _mode_share(*groups: str) -> Outcome:
    def read(after: Any, before: Any) -> tuple[float, float]:
        def share(res: Any) -> float:
            m = res.modes[res.modes["year"] == START]
            return float(m[m["mode_group"].isin(groups)]["trips"].sum() / m["trips"].sum())
        return share(after), share(before)
    return read


#: The label of a case's measure: its area is reported as a zone under this name.
ZONE = "measure"

#: The model outputs by name (the ``outcome`` key of a case), with what they count.
OUTCOMES: dict[str, tuple[Outcome, str]] = {
    "cars_crossing": (_zone(("trips_entering", "trips_leaving")),
                      "cars crossing the zone's boundary, both directions"),
    "cars_entering": (_zone("vehicles_entering"),
                      "cars entering the zone, its residents' ways home included"),
    "car_km_in_zone": (_zone("vkm_inside"), "car vehicle-km inside the zone"),
    "car_km_in_centre": (_zone("vkm_inside", zone="centre"),
                         "car vehicle-km inside the city's centre zone"),
    "car_visits_centre": (_zone(("trips_entering",), zone="centre"),
                          "car trips to the city's centre zone by people living outside it"),
    "pt_trips": (_mode_trips("pt"), "residents' public transport trips"),
    "pt_share": (_mode_share("pt"), "PT share of residents' trips"),
    "bike_trips": (_mode_trips("bike"), "residents' cycling trips (e-bikes included)"),
    "car_km_territorial": (_summary("car_vkm_inside"), "car vehicle-km on the grid's roads"),
    "car_speed": (_summary("car_speed_index"),
                  "residents' car-km-weighted mean car speed (docs/traffic.md)"),
}


@dataclass(frozen=True)
class Case:
    """One backcast: the evaluation's row and the model's translation of it.

    Attributes
    ----------
    case, city : str
        The row of ``backcast_cases.csv`` and the shipped city.
    measure : dict
        The measure as it was taken, as a scenario's measure (label and start are set here).
    outcome : str
        A key of :data:`OUTCOMES`.
    before : list of dict
        Measures in force before it and replaced by it (e.g. the old charge of a charge
        increase).
    in_force : list of dict
        Measures in force before it and after it, unchanged (e.g. the congestion charge of the
        zone where a low-emission zone came): the city's setting as it was.
    parameters : dict
        Parameter values of the city as it was (e.g. the fare before a fare-free policy).
    note : str
        How the case was put into the model's terms, and what differs.
    same_quantity : bool
        Whether the evaluation measured the quantity the model reports (the same vehicles or
        travellers, counted the same way): cars where the model counts cars, residents' trips
        where it counts residents'. Most evaluations count something near it (all vehicles at
        count sites, an operator's passengers): the note says what differs.
    """

    case: str
    city: str
    measure: dict[str, Any]
    outcome: str
    before: list[dict[str, Any]] = field(default_factory=list)
    in_force: list[dict[str, Any]] = field(default_factory=list)
    parameters: dict[str, float] = field(default_factory=dict)
    note: str = ""
    same_quantity: bool = False


def cases_table() -> pd.DataFrame:
    """Return the published evaluations (``backcast_cases.csv``), usable rows only."""
    table = read_table("backcast_cases.csv")
    return table[table["status"].isin(["published", "derived"])
                 & table["observed_change"].notna()]


def _document(case: Case, measures: list[dict[str, Any]], tag: str) -> dict[str, Any]:
    """Return the scenario of a case's city with ``measures`` (labelled and started here)."""
    doc: dict[str, Any] = {"name": f"backcast {case.case} {tag}",
                           "city": str(repo_root() / "cities" / case.city),
                           "years": {"start": START - 1, "end": START}}
    kept = [{"profile": "step", **m, "label": f"in force {i + 1}", "start": START - 1}
            for i, m in enumerate(case.in_force)]
    if measures or kept:
        doc["measures"] = kept + [{"profile": "step", **m, "label": ZONE, "start": START}
                                  for m in measures]
    if case.parameters:
        doc["parameters"] = dict(case.parameters)
    return doc


def _run_key(case: Case) -> str:
    """Return what a case's runs depend on: city, measures (its, before, in force), parameters."""
    import json

    return json.dumps([case.city, case.measure, case.before, case.in_force, case.parameters],
                      sort_keys=True, default=str)


def _needs_reference(case: Case) -> bool:
    """Whether a case's run with the measure needs its reference case.

    The reference case is the same city without the measure: needed only where the outcome
    reads the measure's zone and no measure before it had one.
    """
    zone = getattr(OUTCOMES[case.outcome][0], "zone", None)
    if zone == ZONE and case.in_force:
        raise ValueError(f"{case.case}: with measures in force, read a city zone (the reference "
                         "case would lack them)")
    return zone == ZONE and not case.before


def _simulate_case(case: Case) -> tuple[Any, Any]:
    """Run a case's city with the measure and as it was before: (after, before) results.

    Where the outcome reads the measure's zone and nothing was in force before, the run's
    reference case (the same city without the measure, with the zone reported) is the city as
    it was: that one run is returned as both, and the outcome reads its reference rows.
    """
    from ..simulate import simulate_document

    if _needs_reference(case):
        after = simulate_document(_document(case, [case.measure], "after"))
        return after, after
    after = simulate_document(_document(case, [case.measure], "after"), with_reference=False)
    before = simulate_document(_document(case, case.before, "before"), with_reference=False)
    return after, before


def run_case(case: Case, runs: dict[str, tuple[Any, Any]] | None = None) -> tuple[float, float]:
    """Run a case's city with the measure and as it was before.

    Returns the (after, before) values of the case's outcome in the measure's first year.
    ``runs``, when given, keeps the runs by what they depend on (:func:`_run_key`): cases that
    read another outcome of the same runs (or repeat them against another evaluation) reuse
    them.
    """
    if runs is None:
        after, before = _simulate_case(case)
    else:
        key = _run_key(case)
        if key not in runs:
            runs[key] = _simulate_case(case)
        after, before = runs[key]
    read, _ = OUTCOMES[case.outcome]
    return read(after, before)


def backcast(cases: Mapping[str, Case], names: list[str] | None = None) -> pd.DataFrame:
    """Run the cases and set each predicted change against the observed one.

    A case whose evaluation gives no range is judged against the observed value +/- 25 %
    of it (:data:`NO_RANGE_TOLERANCE`, an assumption, the tolerance the reconciliation uses).

    Returns
    -------
    DataFrame
        ``case, city, measure_type, outcome, model_outcome, same_quantity, observed_change,
        band_low, band_high, predicted_change, inside, note, source``.
    """
    table = cases_table().set_index("case")
    rows = []
    runs: dict[str, tuple[Any, Any]] = {}  # cases on the same runs share them
    for name in names or list(cases):
        case = cases[name]
        if name not in table.index:
            continue
        evidence = table.loc[name]
        scen, ref = run_case(case, runs)
        predicted = scen / ref - 1.0 if ref else math.nan
        observed = float(evidence["observed_change"])
        if pd.notna(evidence["band_low"]) and pd.notna(evidence["band_high"]):
            low, high = float(evidence["band_low"]), float(evidence["band_high"])
        else:
            low = observed * (1 - NO_RANGE_TOLERANCE)
            high = observed * (1 + NO_RANGE_TOLERANCE)
        low, high = min(low, high), max(low, high)
        rows.append({"case": name, "city": case.city, "measure_type": evidence["measure_type"],
                     "outcome": evidence["outcome"],
                     "model_outcome": OUTCOMES[case.outcome][1],
                     "same_quantity": case.same_quantity,
                     "observed_change": observed,
                     "band_low": float(low), "band_high": float(high),
                     "predicted_change": predicted,
                     "inside": bool(low <= predicted <= high), "note": case.note,
                     "source": evidence["source"]})
    return pd.DataFrame(rows)


def _centre_disc(city: str, area_km2: float) -> dict[str, str]:
    """Return an area of ``area_km2`` around the city's centre (its ``centre`` zone's centroid)."""
    import shapely

    from ..city import load_city

    meta = load_city(repo_root() / "cities" / city).meta
    centre = shapely.from_wkt(meta.zones["centre"]).centroid
    radius = math.sqrt(area_km2 / math.pi) * 1000.0
    return {"wkt": shapely.to_wkt(centre.buffer(radius, 64), rounding_precision=0)}


#: Tallinn residents' PT ticket revenue in 2012, the year before fares were abolished for them:
#: EUR 17 million in all, 5 million of it from non-residents (Tõnu Karu for the City of
#: Tallinn, reported by Railway PRO, 2013, "Recent estimates show that the decision on free
#: public transport services in Tallinn was the right thing to do"; the Baltic Course of
#: 19 Aug 2013 also gives "12 million EUR of deprived ticket income").
TALLINN_RESIDENTS_TICKET_REVENUE_2012_EUR = 17e6 - 5e6
#: Registered residents of Tallinn on 1 January 2012, whom that revenue came from: 419,830 on
#: 1 January 2013 "0.9 % more than a year ago" (the Baltic Course, 12 Feb 2013, from LETA).
TALLINN_RESIDENTS_2012 = round(419_830 / 1.009)
#: BVG (Berlin's buses, trams and U-Bahn) in 2019: 1.125 billion passenger trips and EUR 766
#: million fare revenue (BVG annual report 2019 as reported by the Berliner Morgenpost,
#: "BVG verzeichnet Fahrgastrekord und schreibt Millionendefizit", May 2020): trips from
#: BVG's counting sensors and ticket sales (whether a change between lines counts as one trip
#: or two was not read: if two, the fare per journey is higher), revenue including the
#: state's payments for pupils' and trainees' tickets.
BVG_TRIPS_2019, BVG_FARE_REVENUE_2019_EUR = 1.125e9, 766e6


@cache
def revenue_fare(city: str, revenue_eur: float, residents: float,
                 tolerance: float = 1e-4) -> float:
    """Return the average fare at which a city's residents' PT trips bring in their revenue.

    The fare actually paid per trip (passes, concessions and free riders included) is the
    residents' ticket revenue over their trips; where the trips of the revenue's year are not
    published, the model's own residents' PT trips of the base year are taken (calibrated
    city), at the fare being solved for: a fixed point, reached in a few runs. The revenue
    ``revenue_eur`` of ``residents`` people is taken per resident, times the grid's residents
    (the grid is not the municipality).
    """
    from ..city import load_city
    from ..data.typed_parameters import ModelParameters
    from ..kernels.spec import PT
    from ..model.base_year import BaselineModel

    loaded = load_city(repo_root() / "cities" / city)
    revenue_eur = revenue_eur / residents * float(loaded.grid["population"].sum())
    fare = 1.0
    for _ in range(20):
        model = BaselineModel.build(loaded, {"pt.fare": fare}, calibrated=True)
        days = ModelParameters.of(model.values).annual.days_per_year
        trips = float(model.run().trips[..., PT].sum()) * days
        new = revenue_eur / trips
        if abs(new - fare) <= tolerance:
            return round(new, 4)
        fare = new
    raise ValueError(f"{city}: the fare from revenue did not settle (last {fare:.4f} EUR)")


def _city_parameter(city: str, key: str) -> float:
    """Return a parameter the city's published figures set (``parameters:`` in its city.yaml)."""
    from ..city import load_city

    return float(load_city(repo_root() / "cities" / city).meta.parameters[key].value)


CENTRE = {"zone": "centre"}


def cases() -> dict[str, Case]:
    """Return the evaluations of ``backcast_cases.csv`` in the model's terms (see each ``note``).

    Charges are the schedule's middle level in EUR at the year's rate; the cordons and zones
    are the city's ``centre`` zone (a 3 km circle, about 28 km2) unless the evaluation gives an
    area, then a disc of that area around the centre. Left out, with the reason: the Graz
    30 km/h case (its outcome, injury accidents, is not a model output), Oslo 2019 and
    Amsterdam 2009 (their tariffs were not read).
    """
    sek06, sek13, nok17 = 9.25, 8.65, 9.3  # per EUR, approximate yearly rates (assumption)
    tallinn_fare = revenue_fare("tallinn", TALLINN_RESIDENTS_TICKET_REVENUE_2012_EUR,
                                TALLINN_RESIDENTS_2012)
    stockholm = {"type": "cordon_charge", "eur_per_trip": round(15 / sek06, 2),
                 "ev_eur_per_trip": 0.0, "charged": "each_crossing", "area": CENTRE}
    entry = {"type": "cordon_charge", "ev_eur_per_trip": 0.0, "charged": "entering",
             "area": CENTRE}
    # registered residents of the zone paid a tenth: The Times, 'Congestion discount shunned'
    # (Feb 2003: a 90 per cent discount on the GBP 5 charge); TfL, 'Discounts and exemptions'
    london = {**entry, "eur_per_trip": 7.2, "residents_discount": 0.9}
    amsterdam_tariff = _city_parameter("amsterdam", "parking.max_eur_per_h")
    amsterdam_after = {"type": "parking_price", "eur_per_hour": amsterdam_tariff,
                       "area": CENTRE}
    amsterdam_before = {**amsterdam_after, "eur_per_hour": round(amsterdam_tariff / 1.65, 2)}
    # ULEZ: GBP 12.50 a day at about 1.16 EUR per GBP (2019, assumption); all comply or pay
    ulez = {"type": "low_emission_zone", "rule": "charge", "compliance": 1.0,
            "charge_eur_per_trip": round(12.5 * 1.16, 2), "min_euro": {"petrol": 4, "diesel": 6}}
    out = [
        Case("stockholm_charge_2006", "stockholm", stockholm, "cars_crossing", note=(
            "15 SEK (the middle of 10/15/20) = 1.62 EUR per passage in either direction; clean "
            "cars exempt as then; the cordon as the 28 km2 centre zone (the real one: about "
            "30 km2); observed: all vehicles, the model: cars")),
        Case("stockholm_charge_2007", "stockholm", stockholm, "cars_crossing", note=(
            "as the 2006 trial; observed 2008 against 2005, the model's first year")),
        Case("gothenburg_charge_2013", "gothenburg",
             {**stockholm, "eur_per_trip": round(13 / sek13, 2), "ev_eur_per_trip": None},
             "cars_crossing", note=(
                 "13 SEK (the middle of 8-18) = 1.50 EUR per passage; the cordon as the centre "
                 "zone (the real one also charges the Alvsborg Bridge and E6 approaches)")),
        Case("london_charge_2003", "london", london, "cars_entering", note=(
            "GBP 5 a day = 7.2 EUR per entry (one charge per day: the model charges each "
            "entering trip); the zone's residents pay a tenth (the 90 % residents' "
            "discount); alternative-fuel cars exempt; zone 28 km2 against 21 km2")),
        Case("london_charge_2003_cars", "london", london, "cars_entering", same_quantity=True,
             note="as london_charge_2003; observed: cars alone, in the first six months"),
        Case("london_charge_increase_2005", "london", {**london, "eur_per_trip": 11.7},
             "cars_entering", before=[london], note="GBP 5 -> 8 (7.2 -> 11.7 EUR)"),
        Case("oslo_toll_2017", "oslo",
             {**entry, "eur_per_trip": round(49 / nok17, 2)}, "cars_entering",
             before=[{**entry, "eur_per_trip": round(34 / nok17, 2)}], note=(
                 "flat 34 NOK -> 54 NOK peak / 44 NOK off-peak for petrol cars (49 NOK, the "
                 "middle, = 5.27 EUR) per inbound passage; electric cars free; the toll ring "
                 "as the centre zone (the real ring encloses more of the city)")),
        Case("tallinn_fare_free_2013", "tallinn", {"type": "pt_fare", "factor": 0.0},
             "pt_trips", parameters={"pt.fare": tallinn_fare}, note=(
                 f"the fare before: the average fare actually paid, {tallinn_fare:.2f} EUR, at "
                 "which the model's residents' PT trips bring in the residents' 2012 ticket "
                 "revenue (EUR 12 million from 416,000 residents, per resident times the "
                 "grid's; revenue_fare; the 2012 trips were not found); "
                 "residents only in the model, as the policy; observed: residents' PT use in "
                 "a household survey, with the bus lanes and frequencies of the same year"),
             same_quantity=True),
        Case("tallinn_fare_free_2013_counts", "tallinn", {"type": "pt_fare", "factor": 0.0},
             "pt_trips", parameters={"pt.fare": tallinn_fare}, note=(
                 "as tallinn_fare_free_2013; the observed +1.2 % is the part the evaluation "
                 "credits to the fare alone (supply changes held)")),
        Case("vienna_365_2012", "vienna", {"type": "pt_fare", "factor": round(365 / 449, 3)},
             "pt_trips", note="the average fare x 365/449 (the annual pass's cut)"),
        Case("vienna_365_2012_modeshare", "vienna",
             {"type": "pt_fare", "factor": round(365 / 449, 3)}, "pt_share",
             note="as vienna_365_2012; observed: the PT share 37 % -> 39.4 %",
             same_quantity=True),
        Case("berlin_9euro_2022", "berlin", {"type": "pt_fare", "fare_eur": round(9 / 44, 4)},
             "pt_trips", parameters={"pt.fare": round(BVG_FARE_REVENUE_2019_EUR
                                                       / BVG_TRIPS_2019, 4)}, note=(
                 "9 EUR a month over 44 trips = 0.20 EUR per trip, from the average fare "
                 "actually paid: BVG's fare revenue over its trips in 2019, the last year "
                 "before COVID (0.68 EUR; BVG alone, the S-Bahn not included, visitors "
                 "included); observed over three months of a nationwide ticket, with a "
                 "fuel-tax cut")),
        Case("amsterdam_parking_2019", "amsterdam", amsterdam_after, "car_visits_centre",
             before=[amsterdam_before], note=(
                 "the city's central tariff today (its data sheet, after the 2019 rise) in the "
                 "centre zone, against it / 1.65 before; observed: paid parking events by "
                 "visitors, the model: car trips to the centre zone by people living outside "
                 "it (both ways of a visit)")),
        Case("amsterdam_parking_2019_vkm", "amsterdam", amsterdam_after, "car_km_territorial",
             before=[amsterdam_before], note=(
                 "as amsterdam_parking_2019 (the city raised tariffs in all its paid areas, "
                 "the model in the centre zone only); observed: car-km within the city")),
        Case("madrid_central_2018", "madrid",
             {"type": "low_emission_zone", "rule": "ban", "compliance": 0.9,
              "affected_share": 0.7, "residents_discount": 1.0,
              "area": _centre_disc("madrid", 4.72)},
             "car_km_in_zone", note=(
                 "a 4.72 km2 disc at the centre; combustion cars of non-residents without an "
                 "eco label barred, the zone's residents free to drive in (as the city's "
                 "rules had it): 70 % of combustion-car trips affected and 90 % compliance "
                 "(assumptions; fines from March 2019); cars going to a car park, also let "
                 "in, are not")),
        Case("london_ulez_2019", "london",
             {**ulez, "affected_share": 0.39, "residents_discount": 1.0, "area": CENTRE},
             "car_km_in_centre",
             in_force=[{**london, "eur_per_trip": round(11.5 * 1.16, 2)}], note=(
                 "GBP 12.50 a day = 14.5 EUR per visit (at about 1.16 EUR per GBP, 2019: an "
                 "assumption) for the 39 % of vehicles not compliant (the charge is TfL's "
                 "published one, not read in the evaluation), in the zone of the congestion "
                 "charge, in force before and after at GBP 11.50 a day = 13.3 EUR per entry "
                 "(from 16 June 2014: Parkers, 2014), its residents paying a tenth; the ULEZ "
                 "spares the zone's residents (TfL: a 100 % discount for those registered for "
                 "the congestion charge's residents' discount, until 24 October 2021; not "
                 "every resident registered)")),
        Case("london_ulez_2021", "london",
             {**ulez, "affected_share": 0.13, "area": _centre_disc("london", 380.0)},
             "car_km_in_zone", note=(
                 "inner London as a 380 km2 disc at the centre; 13 % not compliant, its "
                 "residents paying in full, as from 25 October 2021 (TfL); the "
                 "congestion charge and the central ULEZ, in force before and after, are not "
                 "in its runs (the outcome reads the new zone, which only the run with it "
                 "reports)")),
        Case("brussels_30_2021", "brussels",
             {"type": "speed_limit", "limit_kmh": 30, "street_share": 0.85}, "car_speed",
             before=[{"type": "speed_limit", "limit_kmh": 30, "street_share": 0.6}], note=(
                 "30 km/h on 85 % of the region's streets against about 60 % before; observed: "
                 "mean speeds at enforcement points by road type (-7 to -19 %; -15.7 % on "
                 "roads taken from 50 to 30), the model: the car-km-weighted speed over all "
                 "cells, so a smaller change is expected")),
        Case("paris_plan_velo_2015", "paris",
             {"type": "cycle_network", "share": 0.6, "area": CENTRE}, "bike_trips", note=(
                 "cycle facilities x 1.43 read as protected-infrastructure share 0.6 in the "
                 "centre zone (an assumption: the model's layer is a density default); "
                 "observed at counters in 2019 against 2018, with transport strikes")),
    ]
    return {c.case: c for c in out}


def notes_markdown(translated: Mapping[str, Case]) -> str:
    """Return how each case is put into the model, one Markdown item per case (for the docs)."""
    return "".join(f"- `{name}`: {case.note}.\n" for name, case in translated.items())


def backcast_markdown(table: pd.DataFrame) -> str:
    """Return the backcast table as Markdown rows (for ``docs/backcast.md``)."""
    lines = ["| case | city | outcome (model) | same quantity | observed | band | predicted "
             "| inside |",
             "|---|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.case} | {r.city} | {r.outcome} ({r.model_outcome}) | "
                     f"{'yes' if r.same_quantity else 'no'} | "
                     f"{r.observed_change:+.1%} | {r.band_low:+.1%} to {r.band_high:+.1%} | "
                     f"{r.predicted_change:+.1%} | {'yes' if r.inside else 'NO'} |")
    inside = int(table["inside"].sum())
    same = table[table["same_quantity"]]
    lines.append("")
    lines.append(f"{inside} of {len(table)} cases inside their bands; "
                 f"{int(same['inside'].sum())} of the {len(same)} that measured the model's own "
                 "quantity.")
    return "\n".join(lines) + "\n"
