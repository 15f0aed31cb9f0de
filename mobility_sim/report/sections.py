"""HTML blocks shared by the dashboards: header, KPI cards, banners, notes on the numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..fleet.freight import FREIGHT_VEHICLES
from ..results import ACCOUNTING_NOTE, Results
from .kpi import KpiCard, city_name, fmt_number, fmt_tonnes, layer_statuses, read_targets
from .page import esc, table


def extra_table(results: Results, name: str,
                extra: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame | None:
    """Return a table only some runs have (fleet, ...), from ``extra`` or ``results``.

    Returns None when the table is absent or empty, so the caller shows a "not available" panel.
    """
    table_ = (extra or {}).get(name)
    if table_ is None:
        table_ = getattr(results, name, None)
    if isinstance(table_, pd.DataFrame) and not table_.empty:
        return table_
    return None


def kpi_cards_html(cards: Sequence[KpiCard]) -> str:
    """Return the row of headline cards."""
    parts = []
    for c in cards:
        parts.append(f'<div class="ms-kpi {esc(c.tone)}"><div class="label">{esc(c.label)}</div>'
                     f'<div class="value">{esc(c.value)}</div>'
                     f'<div class="detail">{esc(c.detail)}</div></div>')
    return '<div class="ms-kpis">' + "".join(parts) + "</div>"


def synthetic_banner(results_list: Sequence[Results]) -> str:
    """Return a warning banner when any run is on a synthetic (generated) city; '' otherwise."""
    names = [city_name(r) for r in results_list if r.meta.get("synthetic")]
    if not names:
        return ""
    which = ", ".join(dict.fromkeys(names))
    return (f'<div class="ms-banner" role="note"><b>Synthetic city:</b> {esc(which)} '
            "is generated for testing and demonstration. It is not a real place; its results "
            "say nothing about any real city.</div>")


def calibration_banner(results_list: Sequence[Results]) -> str:
    """Return a banner naming the runs whose city was not calibrated; '' when all were.

    A run's ``meta["calibration"]`` says whether its city's constants were fitted to a published
    modal split (status ``current``). Runs saved before the field existed are not flagged. On a
    page of several runs the banner also says that such cities do not compare on equal terms.
    """
    flagged = [r for r in results_list if not r.meta.get("synthetic")
               and isinstance(r.meta.get("calibration"), Mapping)
               and r.meta["calibration"].get("status") != "current"]
    if not flagged:
        return ""
    names = ", ".join(dict.fromkeys(city_name(r) for r in flagged))
    notes = "; ".join(dict.fromkeys(str(r.meta["calibration"].get("note", "")) for r in flagged))
    several = len(results_list) > 1
    compare = (" Cities calibrated and uncalibrated do not compare on equal terms: differences "
               "between them come partly from the default constants." if several and
               len(flagged) < len(results_list) else "")
    notes = notes[:1].upper() + notes[1:]
    return (f'<div class="ms-banner" role="note"><b>Not calibrated:</b> {esc(names)}. '
            f"{esc(notes)}. Its modal split, and the effect of measures on it, rest on default "
            "or transferred constants until it is calibrated ('mobility-sim calibrate CITY' "
            "with a published split)."
            f"{esc(compare)}</div>")


def header_html(title: str, subtitle: str, facts: Sequence[tuple[str, str]],
                badges: Sequence[tuple[str, str]] = ()) -> str:
    """Page header: title, subtitle, a line of labelled facts and badges (all escaped)."""
    badge_html = " ".join(f'<span class="ms-badge {esc(cls)}">{esc(text)}</span>'
                          for text, cls in badges)
    facts_html = "".join(f"<li>{esc(k)}: <b>{esc(v)}</b></li>" for k, v in facts if v)
    sub = f'<p class="ms-subtitle">{esc(subtitle)}</p>' if subtitle else ""
    return (f"<h1>{esc(title)} {badge_html}</h1>{sub}"
            f'<ul class="ms-facts">{facts_html}</ul>')


def run_facts(results: Results) -> list[tuple[str, str]]:
    """Identification of a run for the header: city, years, grid, version, hash, date."""
    meta = results.meta
    years = results.summary["year"]
    n_cells = len(results.grid)
    size = meta.get("cell_size_m")
    grid_text = f"{n_cells:,} cells" + (f" of {float(size):,.0f} m" if size else "")
    if meta.get("crs"):
        grid_text += f" ({meta['crs']})"
    city = city_name(results) + (f" ({meta['country']})" if meta.get("country") else "")
    status = layer_statuses(meta)
    not_real = [f"{name} (proxy)" for name, s in status.items() if s == "proxy"]
    defaults = [name for name, s in status.items() if s == "default"]
    if defaults:
        not_real.append(f"{len(defaults)} model default{'s' if len(defaults) > 1 else ''}")
    return [
        ("City", city),
        ("Years", f"{int(years.min())}–{int(years.max())}" if len(years) else ""),
        ("Grid", grid_text),
        ("Model version", str(meta.get("version") or "")),
        ("Scenario hash", str(meta.get("scenario_hash") or "")[:12]),
        ("Run created", str(meta.get("created") or "")),
        ("Layers not observed", ", ".join(not_real)),
        ("Data quality", quality_text(meta)),
    ]


def quality_text(meta: Mapping[str, Any]) -> str:
    """Return the run's data quality and calibration status in words ('' if not recorded)."""
    quality = meta.get("data_quality") if isinstance(meta.get("data_quality"), Mapping) else {}
    calibration = meta.get("calibration") if isinstance(meta.get("calibration"), Mapping) else {}
    parts = [str(quality["text"])] if quality.get("text") else []
    if calibration.get("status"):
        parts.append(f"calibration: {calibration['status']}")
    return "; ".join(parts)


def quality_table(runs: Sequence[Results], labels: Sequence[str]) -> str:
    """Table of each city's inputs by status, score, data sheet and calibration."""
    rows = []
    for label, r in zip(labels, runs, strict=True):
        q = r.meta.get("data_quality") if isinstance(r.meta.get("data_quality"), Mapping) else {}
        cal = r.meta.get("calibration") if isinstance(r.meta.get("calibration"), Mapping) else {}
        sheet = (f"{q.get('sheet_sourced')}/{q.get('sheet_fields')}"
                 if q.get("sheet_fields") else "none")
        rows.append([label, q.get("real", "n/a"), q.get("proxy", "n/a"), q.get("default", "n/a"),
                     "n/a" if q.get("score") is None else f"{float(q['score']):.2f}", sheet,
                     str(cal.get("status") or "not recorded")])
    return table(["City", "Real inputs", "Proxy", "Default", "Score", "Data sheet fields",
                  "Calibration"], rows, numeric={1, 2, 3, 4})


def layers_table(layers: Mapping[str, Any]) -> str:
    """Table of grid layers with a status badge each; proxies are spelled out."""
    if not layers:
        return "<p>The run does not record where its grid layers come from.</p>"
    rows = []
    for name, info in layers.items():
        info = info if isinstance(info, Mapping) else {}
        status = str(info.get("status") or "unknown")
        cls = status if status in ("real", "proxy", "default") else "default"
        rows.append(f"<tr><td>{esc(name)}</td>"
                    f'<td><span class="ms-badge {cls}">{esc(status)}</span></td>'
                    f"<td>{esc(info.get('method') or '')}</td></tr>")
    return ('<table class="ms-table"><thead><tr><th>Layer</th><th>Status</th><th>How it was '
            "made</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def proxy_note(layers: Mapping[str, Any]) -> str:
    """Return a sentence naming the layers that are proxies (e.g. jobs), or ''."""
    proxies = [n for n, i in layers.items()
               if isinstance(i, Mapping) and i.get("status") == "proxy"]
    if not proxies:
        return ""
    return (f"Proxy layers: {', '.join(proxies)}. These are not observed data but derived by the "
            "method in the table; results that depend on them (destinations, commute lengths) "
            "carry that uncertainty.")


def measures_table(measures: Sequence[Any]) -> str:
    """Table of the scenario's measures (type, label, start, end)."""
    rows = [[m.get("label") or m.get("type") or "", m.get("type") or "", m.get("start") or "",
             m.get("end") or ""] for m in measures if isinstance(m, Mapping)]
    if not rows:
        return "<p>No measures: this scenario is a baseline (trends only).</p>"
    return table(["Measure", "Type", "Starts", "Fully in force"], rows, numeric={2, 3})


def notes_html(results: Results) -> str:
    """'About these numbers': accounting, area, synthetic flag, layers, sources, provenance."""
    meta = results.meta
    layers = meta.get("layers") if isinstance(meta.get("layers"), Mapping) else {}
    items = [("What is counted", str(meta.get("accounting") or ACCOUNTING_NOTE))]
    if meta.get("pt_accounting"):
        items.append(("Public transport counted by", str(meta["pt_accounting"])))
    if meta.get("grid_note"):
        items.append(("Electricity", str(meta["grid_note"])))
    if meta.get("area_note"):
        items.append(("Area", str(meta["area_note"])))
    if meta.get("synthetic"):
        items.append(("Synthetic city", "This city is generated, not real."))
    note = proxy_note(layers)
    if note:
        items.append(("Proxies", note))
    growth = meta.get("population_growth")
    if isinstance(growth, Mapping):
        items.append(("Population", f"grows {100 * float(growth['rate_per_year']):+.2f} % a "
                                    f"year to {growth['until_year']}, then held "
                                    f"({growth['source']})"))
    elif "population_growth" in meta:
        items.append(("Population", "the 2020 grid held constant: no published projection "
                                    "in the city's data sheet (assumption)"))
    for label, key in (("Set by the country", "country_parameters"),
                       ("Set by the city's published figures", "city_parameters")):
        given = meta.get(key) if isinstance(meta.get(key), Mapping) else {}
        if given:
            items.append((label, "; ".join(f"{k} = {float(v['value']):g} ({v['source']})"
                                           for k, v in given.items() if isinstance(v, Mapping))))
    parts = [f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items]
    parts.append(f"<dt>Grid layers</dt><dd>{layers_table(layers)}</dd>")
    sources = [s for s in (meta.get("sources") or []) if s]
    if sources:
        parts.append("<dt>Sources</dt><dd><ul>"
                     + "".join(f"<li>{esc(s)}</li>" for s in sources) + "</ul></dd>")
    else:
        parts.append("<dt>Sources</dt><dd>The run does not list its data sources.</dd>")
    prov = [f"mobility_sim {meta.get('version', '?')}"]
    if meta.get("scenario_hash"):
        prov.append(f"scenario hash {meta['scenario_hash']}")
    if meta.get("created"):
        prov.append(f"created {meta['created']}")
    parts.append(f"<dt>Provenance</dt><dd>{esc('; '.join(prov))}. The fully resolved scenario "
                 "is saved beside the results as <code>scenario.resolved.yaml</code>.</dd>")
    return '<dl class="ms-notes">' + "".join(parts) + "</dl>"


def who_did_what(results: Results, year: int | None = None) -> dict[str, float] | None:
    """Split the change in well-to-wheel CO2e between policies already decided and the city.

    ``reference_change``: the reference case's change from the first year to ``year`` (EU and
    national policies, fleet turnover, trends); ``city_measures``: the scenario minus the
    reference case in ``year`` (what the city's measures add). None without a reference table.
    """
    ref, summ = results.reference, results.summary
    if not isinstance(ref, pd.DataFrame) or ref.empty or "co2_wtw_t" not in ref:
        return None
    first = int(summ["year"].min())
    year = int(summ["year"].max()) if year is None else year
    r = ref.set_index("year")["co2_wtw_t"]
    s = summ.set_index("year")["co2_wtw_t"]
    if year not in r.index or year not in s.index or first not in r.index:
        return None
    return {"first_year": first, "year": year, "first_t": float(r[first]),
            "reference_t": float(r[year]), "scenario_t": float(s[year]),
            "reference_change_t": float(r[year] - r[first]),
            "city_measures_t": float(s[year] - r[year])}


def reference_html(results: Results) -> str:
    """Return 'Reference case and targets': what decided policy does, what the city's adds.

    Lists the reference case's elements (on or off, how each was made), the starting fleets,
    the split of the change into policies already decided and the city's measures, and each
    target with its base year and where the base-year emissions come from.
    """
    meta = results.meta
    ref = meta.get("reference_case") if isinstance(meta.get("reference_case"), Mapping) else None
    if ref is None:
        return ("<p>This run was made before the reference case existed: its baseline froze "
                "technology (the 2023 EU sales mix and grid intensity held).</p>")
    parts = ["<p>The <b>reference case</b> is what happens without the city's measures: the EU "
             "and national policies already decided, applied to the country's own fleet. The "
             "city's measures act on top of it; nothing in it is credited to the city. See "
             "docs/reference_case.md.</p>"]
    rows = [[e.get("label", e.get("name")), "on" if e.get("on") else "switched off",
             e.get("how", "")] for e in ref.get("elements", []) if isinstance(e, Mapping)]
    parts.append(table(["Element (policy already decided)", "In this run", "How"], rows))
    start = ref.get("starting_fleet") if isinstance(ref.get("starting_fleet"), Mapping) else {}
    if start:
        parts.append("<p><b>Starting point:</b> " + esc("; ".join(str(v) for v in start.values()
                                                                  if v)) + ".</p>")
    split = who_did_what(results)
    if split is not None:
        has_measures = bool(meta.get("measures"))
        parts.append(table(
            ["", f"Well-to-wheel CO₂e, {split['first_year']} → {split['year']}"],
            [["Reference case (EU and national policy, fleet turnover)",
              f"{fmt_tonnes(split['first_t'])} → {fmt_tonnes(split['reference_t'])} "
              f"({fmt_tonnes(split['reference_change_t'])})"],
             ["City's measures (scenario minus reference case)",
              fmt_tonnes(split["city_measures_t"]) if has_measures else "no measures"]]))
    targets = read_targets(meta, None)
    raw = {str(t.get("name")): t for t in (meta.get("targets") or []) if isinstance(t, Mapping)}
    if targets:
        rows = []
        for t in targets:
            info = raw.get(t.label, {})
            level0 = t.level_at_base(results.summary)
            rows.append([t.label, t.base_year, fmt_tonnes(level0),
                         fmt_tonnes(None if level0 is None else level0 * (1 - t.reduction)),
                         info.get("base_method", t.base_method), info.get("base_note", "")])
        parts.append(table(["Target", "Base year", "Base-year CO₂e (model scope)",
                            "Target level", "Base year from", "How"], rows, numeric={1}))
    return "".join(parts)


def areas_html(results: Results) -> str:
    """'Municipality and modelled area': results for the city the climate plan covers."""
    meta = results.meta
    muni = meta.get("municipality") if isinstance(meta.get("municipality"), Mapping) else None
    areas = results.areas
    if muni is None or not isinstance(areas, pd.DataFrame) or areas.empty:
        return ("<p>No municipal boundary for this city: results cover the modelled area (the "
                "grid) only. A Climate City Contract or SECAP is for a municipality; see "
                "source_data/municipal_boundaries/README.md.</p>")
    first, final = int(areas["year"].min()), int(areas["year"].max())
    rows = []
    for name in ("municipality", "rest of the grid", "modelled area"):
        part = areas[areas["area"] == name].set_index("year")
        if part.empty:
            continue
        rows.append([name, fmt_number(float(part.loc[first, "population"])),
                     fmt_tonnes(float(part.loc[first, "co2_wtw_t"])),
                     fmt_tonnes(float(part.loc[final, "co2_wtw_t"]))])
    parts = [f"<p>The municipality: <b>{esc(muni.get('name'))}</b> ({esc(muni.get('unit'))}, "
             f"{float(muni.get('area_km2', 0)):,.1f} km²). Cells count with their share of area "
             "inside its boundary; CO₂e by home cell of the residents' trips.</p>",
             table(["Area", "Residents in the grid", f"CO₂e WTW {first}", f"CO₂e WTW {final}"],
                   rows, numeric={1, 2, 3})]
    missing = muni.get("residents_not_in_grid")
    published = muni.get("published_population")
    if isinstance(published, Mapping) and missing is not None:
        parts.append(f"<p>Published population of the municipality: "
                     f"{fmt_number(float(published['value']))} ({esc(published.get('year'))}, "
                     f"{esc(published.get('source'))}); not in the grid (the urban centre leaves "
                     f"them out): {fmt_number(float(missing))} residents.</p>")
    parts.append(f"<p>Boundary: {esc(muni.get('source'))}; licence {esc(muni.get('licence'))}. "
                 f"{esc(muni.get('attribution') or '')}</p>")
    return "".join(parts)


def accounts_html(results: Results) -> str:
    """'Territorial and residents' accounts': both totals, component by component."""
    accounts = results.accounts
    if not isinstance(accounts, pd.DataFrame) or accounts.empty:
        return "<p>This run has no accounts table (saved by an older version).</p>"
    first, final = int(accounts["year"].min()), int(accounts["year"].max())
    rows = []
    for accounting in ("territorial", "residents"):
        part = accounts[accounts["accounting"] == accounting]
        for component in dict.fromkeys(part["component"]):
            one = part[part["component"] == component].set_index("year")
            rows.append([accounting, component,
                         fmt_number(float(one.loc[first, "vkm"]) / 1e6),
                         fmt_tonnes(float(one.loc[first, "co2_wtw_t"])),
                         fmt_tonnes(float(one.loc[final, "co2_wtw_t"]))])
        total = part.groupby("year")["co2_wtw_t"].sum()
        rows.append([accounting, "total", "", fmt_tonnes(float(total.loc[first])),
                     fmt_tonnes(float(total.loc[final]))])
    ext = results.meta.get("external_zones") if isinstance(results.meta, Mapping) else None
    parts = [
        "<p><b>Territorial</b>: all traffic on the grid's roads, as city inventories (Climate "
        "City Contract, SECAP) count it: residents' and non-residents' car trips (their parts "
        "inside the grid), through traffic, public transport service, vans and lorries. "
        "<b>Residents'</b>: every trip of the grid's residents, whole, wherever it goes. The "
        "headline CO₂e, the maps and the mode tables are the residents' passenger trips.</p>",
        table(["Accounting", "Component", f"Vehicle-km {first} (million)",
               f"CO₂e WTW {first}", f"CO₂e WTW {final}"], rows, numeric={2, 3, 4})]
    if isinstance(ext, Mapping):
        parts.append(
            f"<p>Trips across the grid's edge go through {len(ext.get('zones', []))} external "
            f"zones about {float(ext.get('beyond_km', 0)):.0f} km beyond it, standing for "
            f"{fmt_number(float(ext.get('outside_population', 0)))} residents of the functional "
            f"urban area outside the grid; {float(ext.get('entering_share', 0)):.0%} of their "
            f"commute trips enter it, and {float(ext.get('out_commute_share', 0)):.0%} of the "
            "grid residents' commute trips leave it. Through traffic and freight follow stated "
            "rules (docs/architecture.md, 'External zones, freight and the two "
            "accountings').</p>")
    return "".join(parts)


def zones_html(results: Results) -> str:
    """'Zones': cars entering each named zone, vehicle-km and CO2e inside, with the reference."""
    zones = results.zones
    if not isinstance(zones, pd.DataFrame) or zones.empty:
        return "<p>No named zone: the city has no zones in its city.yaml and the scenario no " \
               "cordon or low-emission zone.</p>"
    final = int(zones["year"].max())
    cars = zones[zones["vehicle"].isin(["car_ice", "car_ev"]) & (zones["year"] == final)]
    freight = zones[zones["vehicle"].isin(FREIGHT_VEHICLES) & (zones["year"] == final)
                    & (zones["case"] == "scenario")]
    freight_in = freight.groupby("zone")["vehicles_entering"].sum()
    rows = []
    for (zone, kind), part in cars.groupby(["zone", "kind"], sort=False):
        by_case = part.groupby("case")[["vehicles_entering", "vkm_inside", "co2_wtw_t"]].sum()
        scen = by_case.loc["scenario"] if "scenario" in by_case.index else None
        ref = by_case.loc["reference"] if "reference" in by_case.index else None
        change = ("" if scen is None or ref is None or ref["vehicles_entering"] <= 0 else
                  f"{scen['vehicles_entering'] / ref['vehicles_entering'] - 1:+.0%}")
        rows.append([zone, kind,
                     fmt_number(float(scen["vehicles_entering"]) / 365.0) if scen is not None
                     else "", change,
                     fmt_number(float(freight_in.get(zone, np.nan)) / 365.0)
                     if zone in freight_in.index else "",
                     fmt_tonnes(float(scen["co2_wtw_t"])) if scen is not None else ""])
    return (f"<p>Cars entering each zone on an average day of {final} (half the car trips "
            "across its boundary, since a round trip across it enters once: the trips of "
            "people living outside it, residents of the city and non-residents, and of its "
            "own residents, divided by occupancy) and the cars' CO₂e "
            "inside it, with the change against the reference case (the same zones without "
            "the scenario's measures). Vans and lorries entering: their vehicle-km inside the "
            "zone at the cars' entries per vehicle-km inside (the freight model has vehicle-km, "
            "not trips: an approximation that overstates vans on delivery rounds).</p>"
            + table(["Zone", "Kind", f"Cars entering per day {final}", "Against reference",
                     f"Vans and lorries entering per day {final}",
                     f"Cars' CO₂e inside {final}"], rows, numeric={2, 3, 4, 5}))
