"""The scenario library: for each shipped city, a baseline, each measure alone, and a SUMP package.

Files are generated from one set of illustrative measure settings (:data:`EXAMPLES`), so every
city gets the same measures: a taskforce can run one package across cities and compare. The
settings are **illustrative, not any city's adopted plan**; only the PT line geometry and the
number of subsidised e-bikes depend on the city (a line through its centre along the main axis
of its population; one e-bike per 50 residents). Regenerate with::

    python -m mobility_sim.scenario.library [--out scenarios] [--cities cities] [slug ...]
"""

from __future__ import annotations

import argparse
import json
import re
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..city import City, load_city
from ..io.yamlio import write_text_atomic
from .schema import SCHEMA_LINE

#: First simulated year and last year of the library scenarios.
FIRST_YEAR, LAST_YEAR = 2025, 2050
#: Half-length of the generated PT line, metres (a 10 km line through the centre).
LINE_HALF_LENGTH_M = 5000.0
#: Subsidised e-bikes per resident in the e-bike example (illustrative: one per 50 residents).
EBIKES_PER_RESIDENT = 0.02

#: Illustrative setting of each measure: file stem -> the measure as written in YAML.
EXAMPLES: dict[str, dict[str, Any]] = {
    "ev_sales_share": {
        "type": "ev_sales_share", "label": "EV sales to 100 % by 2035", "start": 2026,
        "end": 2035, "profile": "linear", "share": 1.0},
    "ev_purchase_subsidy": {
        "type": "ev_purchase_subsidy", "label": "EV purchase bonus 3,000 EUR to 2030",
        "start": 2026, "profile": "step", "eur_per_car": 3000, "until": 2030},
    "bus_electrification": {
        "type": "ev_sales_share", "label": "Electric city buses only from 2030",
        "vehicle": "bus", "start": 2026, "end": 2030, "profile": "linear", "share": 1.0},
    "pt_frequency": {
        "type": "pt_frequency", "label": "Central PT frequency +50 %", "start": 2027,
        "profile": "step", "headway_factor": 0.67, "area": {"zone": "centre"}},
    "pt_line": {
        "type": "pt_line", "label": "New tram line (10 km)", "start": 2030, "profile": "step",
        "line": {"main_axis_m": 2 * LINE_HALF_LENGTH_M}, "stop_spacing_m": 500,
        "headway_min": 7.5,
        "speed_kmh": 22, "vehicle": "tram"},
    "pt_fare": {
        "type": "pt_fare", "label": "Half-price PT fares", "start": 2027, "profile": "step",
        "factor": 0.5},
    "cycle_network": {
        "type": "cycle_network", "label": "Protected cycle lanes on 60 % of streets",
        "start": 2026, "end": 2035, "profile": "linear", "share": 0.6},
    "ebike_subsidy": {
        "type": "ebike_subsidy", "label": "E-bike purchase subsidy", "start": 2026, "end": 2030,
        "profile": "linear", "ebikes": 10000},
    "bike_sharing": {
        "type": "bike_sharing", "label": "Central bike sharing (half e-bikes)", "start": 2027,
        "profile": "step", "coverage": 0.5, "electric_share": 0.5, "area": {"zone": "centre"}},
    "parking_price": {
        "type": "parking_price", "label": "Central parking 5 EUR/h", "start": 2027,
        "profile": "step", "eur_per_hour": 5.0, "area": {"zone": "centre"}},
    "cordon_charge": {
        "type": "cordon_charge", "label": "Central congestion charge", "start": 2028,
        "profile": "step", "eur_per_trip": 5.0, "ev_eur_per_trip": 2.5,
        "area": {"zone": "centre"}},
    "low_emission_zone": {
        "type": "low_emission_zone", "label": "Central zero-emission zone", "start": 2030,
        "profile": "step", "rule": "ban", "compliance": 0.9, "area": {"zone": "centre"}},
    "speed_limit": {
        "type": "speed_limit", "label": "30 km/h on residential streets", "start": 2027,
        "profile": "step", "limit_kmh": 30, "street_share": 0.7},
    "road_space": {
        "type": "road_space", "label": "Bus lanes on half the central streets", "start": 2027,
        "profile": "step", "use": "bus_lane", "street_share": 0.5, "area": {"zone": "centre"}},
    "telework": {
        "type": "telework", "label": "Telework one day in ten", "start": 2026, "end": 2030,
        "profile": "linear", "share": 0.1},
    "densification": {
        "type": "densification", "label": "Growth near PT stops", "start": 2026, "end": 2050,
        "profile": "linear", "share": 0.1, "distance_m": 400},
    "car_sharing": {
        "type": "car_sharing", "label": "Central car sharing", "start": 2026, "end": 2030,
        "profile": "linear", "coverage": 0.3, "car_shedding": 0.02, "electric_share": 1.0,
        "area": {"zone": "centre"}},
    "car_occupancy": {
        "type": "car_occupancy", "label": "Car occupancy 1.8", "start": 2026, "end": 2035,
        "profile": "linear", "persons_per_car": 1.8},
    "grid_decarbonisation": {
        "type": "grid_decarbonisation", "label": "Grid -80 % by 2040", "start": 2026,
        "end": 2040, "profile": "linear", "reduction": 0.8},
    "fuel_price": {
        "type": "fuel_price", "label": "Fuel tax +0.30 EUR/l", "start": 2027, "profile": "step",
        "change_eur_per_litre": 0.3},
    "carbon_price": {
        "type": "carbon_price", "label": "Carbon price on road fuels", "start": 2027,
        "end": 2035, "profile": "linear", "eur_per_tco2": 100.0},
    "electric_vans": {
        "type": "electric_vans", "label": "Electric vans 80 % of sales by 2030", "start": 2026,
        "end": 2030, "profile": "linear", "share": 0.8},
    "cargo_bikes": {
        "type": "cargo_bikes", "label": "Cargo-bike deliveries in the centre", "start": 2026,
        "end": 2030, "profile": "linear", "van_km_share": 0.15, "area": {"zone": "centre"}},
    "consolidation_centre": {
        "type": "consolidation_centre", "label": "Central consolidation centre",
        "start": 2027, "profile": "step", "served_share": 0.3, "area": {"zone": "centre"}},
    "delivery_window": {
        "type": "delivery_window", "label": "No deliveries in the centre's peak hours",
        "start": 2027, "profile": "step", "moved_share": 0.5, "window": "peak",
        "area": {"zone": "centre"}},
}


#: Library measures that are national or EU policy: in the single-measure files (what if the
#: country went further than the reference case), not in the city's SUMP package.
NOT_CITY_MEASURES: frozenset[str] = frozenset({"grid_decarbonisation", "fuel_price",
                                               "carbon_price", "ev_purchase_subsidy"})
#: City measures in the single-measure files only, not (yet) in the SUMP package: delivery
#: windows change the hours of the freight's km, not the km, so their effect on a package's
#: CO2 is second order; the packages keep the measures whose figures the docs quote.
NOT_IN_PACKAGE: frozenset[str] = frozenset({"delivery_window"})


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    plain = re.fullmatch(r"[A-Za-z][A-Za-z0-9 _.%/()+-]*[A-Za-z0-9_).%]", text)
    reserved = text.lower() in ("true", "false", "yes", "no", "null", "on", "off")
    return text if plain and not reserved else json.dumps(text, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    return _scalar(value)


def _measure_yaml(measure: Mapping[str, Any]) -> str:
    lines = []
    for i, (key, value) in enumerate(measure.items()):
        lines.append(f"{'  - ' if i == 0 else '    '}{key}: {_value(value)}")
    return "\n".join(lines) + "\n"


def _header(name: str, description: str) -> str:
    body = textwrap.fill(" ".join(description.split()), width=92, initial_indent="  ",
                         subsequent_indent="  ")
    return f"{SCHEMA_LINE}\nname: {name}\ndescription: >-\n{body}\n"


def city_examples(city: City) -> dict[str, dict[str, Any]]:
    """Return :data:`EXAMPLES` with the city-dependent settings filled in for ``city``."""
    out = {stem: dict(m) for stem, m in EXAMPLES.items()}
    ebikes = int(round(city.population * EBIKES_PER_RESIDENT, -2))
    out["ebike_subsidy"]["ebikes"] = ebikes
    count = f"{ebikes:,}".replace(",", " ")
    out["ebike_subsidy"]["label"] = f"E-bike purchase subsidy ({count} e-bikes)"
    return out


def library_files(city: City) -> dict[str, str]:
    """Return the library of ``city``: file name -> YAML text."""
    slug, name = city.slug, city.name
    examples = city_examples(city)
    files: dict[str, str] = {}
    files["baseline.yaml"] = _header(f"{slug}-baseline", f"""
        {name} with no new measure of the city: the reference case of its country (the EU
        CO2 standards for new cars and buses turned into sales paths from the country's
        latest sales, the grid's projected carbon intensity, the ETS2 carbon price on road
        fuels, more efficient new vehicles; docs/reference_case.md) and today's public
        transport service. Targets: the EU's -55 % by 2030 against 1990 (the base year's
        emissions backcast with the country's road-transport inventory) and, for a Mission
        city, climate neutrality by 2030 with 20 % residual emissions offset (against the
        first simulated year here, for illustration: a Climate City Contract names its own
        base year).""") + (
        f"city: {slug}\nyears: {{start: {FIRST_YEAR}, end: {LAST_YEAR}, step: 1}}\n"
        'target: {name: "EU -55 % by 2030 vs 1990", year: 2030, reduction: 0.55, '
        "base_year: 1990}\n"
        "targets:\n"
        '  - {name: "EU Mission: climate neutrality 2030", kind: mission_climate_neutrality, '
        "year: 2030, residual_share: 0.2}\n")
    for stem, measure in examples.items():
        files[f"{stem}.yaml"] = _header(f"{slug}-{stem.replace('_', '-')}", f"""
            Baseline plus one measure alone: {measure['label']}. An illustrative setting to
            see this lever's effect in {name}, not a city decision.""") + (
            f"city: {slug}\nextends: baseline.yaml\nmeasures:\n" + _measure_yaml(measure))
    package = "".join(_measure_yaml(m) for stem, m in examples.items()
                      if stem not in NOT_CITY_MEASURES | NOT_IN_PACKAGE)
    files["sump_package.yaml"] = _header(f"{slug}-sump-package", f"""
        The library's city measures together on {name}, as a Sustainable Urban Mobility Plan
        package on top of the reference case: faster electrification of cars and buses, more
        and new public transport, cheaper fares, cycling, parking, a congestion charge and a
        zero-emission zone in the centre, 30 km/h, telework, growth near stops, car sharing.
        The grid, fuel taxes and carbon prices are national or EU policy, not the city's
        (their decided parts are in the reference case). Illustrative settings, not the
        city's adopted plan.""") + (
        f"city: {slug}\nextends: baseline.yaml\nmeasures:\n" + package)
    return files


def write_library(slugs: Sequence[str], out: Path, cities: Path | None = None) -> list[Path]:
    """Write the library of each city in ``slugs`` to ``out/<slug>/`` and return the files."""
    written = []
    for slug in slugs:
        city = load_city(cities / slug if cities is not None else slug)
        for name, text in library_files(city).items():
            path = out / city.slug / name
            write_text_atomic(path, text)
            written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: regenerate the scenario library."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slugs", nargs="*", help="cities (default: every folder of --cities)")
    parser.add_argument("--out", type=Path, default=Path("scenarios"))
    parser.add_argument("--cities", type=Path, default=Path("cities"))
    args = parser.parse_args(argv)
    slugs = args.slugs or sorted(p.name for p in args.cities.iterdir()
                                 if (p / "city.yaml").is_file())
    files = write_library(slugs, args.out, args.cities)
    print(f"wrote {len(files)} files for {len(slugs)} cities under {args.out}")


if __name__ == "__main__":
    main()
