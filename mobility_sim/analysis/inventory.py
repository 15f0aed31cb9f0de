"""The base year against the cities' published transport inventories (``mobility-sim reconcile``).

For every shipped city with a published absolute inventory figure of road transport (or
transport) in its ``city.yaml`` (``mobility_sim/data/city_transport_inventories.csv``), the
model's base year (2025, no measure, the city's calibration) is run and its **territorial**
tank-to-wheel CO2e (all traffic on the grid's roads: residents', non-residents', through
traffic, public transport, vans and lorries) is set against the inventory, both per resident:
the grid (a GHS urban centre) and the municipality differ in area, so totals are not
comparable, per-resident figures nearly are (the grid's residents against the municipality's
published population).

Each comparison carries the inventory's scope and a judgement of comparability
(:data:`SCOPES`): ``same`` (territorial road traffic counted from vehicle-km, all roads),
``partly`` (a stated part is left out or added: motorways, aviation, work machinery) or
``different`` (fuel sold, a larger region). The model is never tuned to these figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..city import City, load_city
from ..city.data_sheet import load_data_sheet
from ..data import read_table
from ..paths import repo_root

#: The base year of the comparison (the shipped scenarios' first year).
MODEL_YEAR = 2025


@dataclass(frozen=True)
class Scope:
    """How a city's inventory figure compares with the model's territorial scope."""

    comparable: str
    note: str


#: Comparability of each city's chosen inventory figure, and why (from its definition).
SCOPES: dict[str, Scope] = {
    "london": Scope("partly", "UK local-authority statistics, road transport within the scope "
                    "of influence of local authorities: CO2 from modelled vehicle-km on A and "
                    "minor roads; motorways are left out (the model counts all traffic on the "
                    "grid's roads)"),
    "birmingham": Scope("partly", "as London: UK local-authority road transport CO2 without "
                        "motorways"),
    "york": Scope("partly", "as London: UK local-authority road transport CO2 without "
                  "motorways"),
    "madrid": Scope("same", "municipal inventory, road transport CO2e (2013); whether urban "
                    "motorways (M-30, M-40) count is not stated"),
    "oslo": Scope("same", "Miljødirektoratet municipal inventory, road traffic (2018), "
                  "derived from a rounded share (47 % of 1.3 Mt)"),
    "berlin": Scope("different", "state energy and CO2 balance: road transport from fuel sold "
                    "in Berlin, derived from a rounded share (26 % of 13.9 Mt, 2023)"),
    "hamburg": Scope("different", "state CO2 balance from fuel sold in Hamburg, transport "
                     "without aviation (derived), 2018: includes rail and inland shipping"),
    "barcelona": Scope("partly", "city energy and emissions balance, transport (27 % of 3.41 Mt, "
                       "2017; port and airport apart): includes rail and other modes"),
    "gothenburg": Scope("partly", "municipal inventory, transport within the municipality "
                        "(2017): includes shipping and work machinery where counted"),
    "aarhus": Scope("different", "transport including air traffic (derived, 2019)"),
    "stockholm": Scope("partly", "city inventory, transport per inhabitant (2017): road "
                       "traffic about 80 %, plus work machinery, aviation at Bromma up to 915 m "
                       "and shipping within the boundary"),
    "vienna": Scope("different", "Bundesländer inventory per inhabitant from fuel sold in "
                    "Vienna (2022): includes fuel bought in Vienna and burnt elsewhere"),
}


#: Pandemic years: skipped when the city has a figure of an earlier year.
PANDEMIC = (2020, 2021)


def _usable_sector(sector: str) -> bool:
    low = sector.lower()
    if "other modes" in low or ("aviation" in low and "excl" not in low):
        return False
    return "road" in low or "transport" in low or "traffic" in low


def _inventory_figure(city: City) -> tuple[float, int, str, str, str] | None:
    """Return the city's chosen absolute figure ``(t, year, sector, scope, source)``, or None.

    Road transport before transport; the latest year, pandemic years only when there is no
    other; figures of a region (not the city) are left out.
    """
    figures = [f for f in city.meta.inventory if _usable_sector(f.sector)
               and "region" not in f.scope.lower()]
    road = [f for f in figures if "road" in f.sector.lower() or "traffic" in f.sector.lower()]
    without_other = [f for f in figures if "excl" in f.sector.lower()]
    chosen = road or without_other or figures
    normal = [f for f in chosen if f.year not in PANDEMIC]
    chosen = normal or chosen
    if not chosen:
        return None
    f = max(chosen, key=lambda x: x.year)
    return f.value_t, f.year, f.sector, f.scope, f.source


def _per_resident_figure(slug: str) -> tuple[float, int, str, str, str] | None:
    """Return a published transport figure per inhabitant ``(t, year, sector, scope, source)``."""
    table = read_table("city_transport_inventories.csv")
    rows = table[(table["city"] == slug) & (table["unit"] == "t CO2e per capita")
                 & (table["sector"] == "transport") & table["value"].notna()
                 & table["status"].isin(["published", "derived"])]
    rows = rows[~rows["year"].isin(PANDEMIC)] if (~rows["year"].isin(PANDEMIC)).any() else rows
    if rows.empty:
        return None
    r = rows.sort_values("year").iloc[-1]
    return float(r["value"]), int(r["year"]), str(r["sector"]), str(r["scope"]), str(r["source"])


def base_year_territorial(city_path: Path) -> tuple[float, float, dict[str, float]]:
    """Run the city's base year with no measure.

    Returns
    -------
    territorial_t, residents : float
        Territorial tank-to-wheel CO2e, tonnes, and the grid's residents.
    shares : dict of str to float
        Each territorial component's share of it.
    """
    from ..simulate import simulate_document

    results = simulate_document({"name": "base year", "city": str(city_path.resolve()),
                                 "years": {"start": MODEL_YEAR, "end": MODEL_YEAR}},
                                with_reference=False)
    row = results.summary.iloc[0]
    total = float(row["territorial_co2_ttw_t"])
    acc = results.accounts[results.accounts["accounting"] == "territorial"]
    shares = {str(r.component): float(r.co2_ttw_t) / total for r in acc.itertuples()}
    return total, float(row["population"]), shares


def reconcile(slugs: list[str] | None = None) -> pd.DataFrame:
    """Compare the base year with each city's published inventory (see the module docstring).

    Parameters
    ----------
    slugs : list of str, optional
        Shipped cities (default: every one with an absolute inventory figure).

    Returns
    -------
    DataFrame
        ``city, inventory_year, inventory_t, sector, scope, population, inventory_t_per_resident,
        model_t, model_residents, model_t_per_resident, ratio, comparable, note, source`` and
        the model's territorial shares ``residents_share, nonresidents_share, through_share,
        freight_share, pt_share``.
    """
    root = repo_root() / "cities"
    names = slugs or sorted(p.name for p in root.iterdir() if (p / "city.yaml").is_file())
    rows = []
    for slug in names:
        city = load_city(root / slug)
        figure = _inventory_figure(city)
        sheet = load_data_sheet(root / slug)
        published = sheet.latest("population") if sheet is not None else None
        population = (float(published.value) if published is not None
                      and isinstance(published.value, int | float) else None)
        if figure is not None and population is not None:
            value, year, sector, scope, source = figure
            per_inventory = value / population
        else:
            figure = _per_resident_figure(slug)
            if figure is None:
                continue
            per_inventory, year, sector, scope, source = figure
            value = per_inventory * population if population else float("nan")
        model_t, residents, shares = base_year_territorial(root / slug)
        per_model = model_t / residents
        judged = SCOPES.get(slug, Scope("partly", "not yet judged: read the definition"))
        rows.append({
            "city": slug, "inventory_year": year, "inventory_t": value, "sector": sector,
            "scope": scope, "population": population,
            "inventory_t_per_resident": per_inventory, "model_t": model_t,
            "model_residents": residents, "model_t_per_resident": per_model,
            "ratio": per_model / per_inventory, "comparable": judged.comparable,
            "note": judged.note, "source": source,
            "residents_share": shares.get("residents' car trips (inside)", 0.0),
            "nonresidents_share": shares.get("non-residents' car trips (inside)", 0.0),
            "through_share": shares.get("through traffic", 0.0),
            "freight_share": sum(shares.get(k, 0.0) for k in ("vans", "rigid lorries",
                                                              "articulated lorries")),
            "pt_share": shares.get("public transport", 0.0)})
    return pd.DataFrame(rows)


def reconciliation_markdown(table: pd.DataFrame) -> str:
    """Return the reconciliation table as Markdown rows (for ``docs/reconciliation.md``)."""
    lines = ["| city | inventory (year) | t per resident | model 2025, t per resident | "
             "model / inventory | model: residents / non-residents / through / freight / PT "
             "| scopes | the inventory's scope |",
             "|---|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        parts = " / ".join(f"{v:.0%}" for v in (r.residents_share, r.nonresidents_share,
                                                 r.through_share, r.freight_share, r.pt_share))
        lines.append(
            f"| {r.city} | {r.inventory_t / 1e3:,.0f} kt {r.sector} ({r.inventory_year}) | "
            f"{r.inventory_t_per_resident:.2f} | {r.model_t_per_resident:.2f} | "
            f"{r.ratio:.2f} | {parts} | {r.comparable} | {r.note} |")
    return "\n".join(lines) + "\n"
