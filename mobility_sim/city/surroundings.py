"""The functional urban area around a shipped city, from published figures (``surroundings``).

Two packaged tables feed it: ``functional_urban_areas.csv`` (Eurostat FUA populations) and
``city_commuting.csv`` (in- and out-commuters, employed residents, jobs; national statistics).
:func:`city_surroundings` turns them into the :class:`~.model.Surroundings` of ``city.yaml``,
which the model's external zones read (``mobility_sim/model/external.py``):

- ``outside_population`` = the latest FUA population minus the grid's residents;
- ``entering_share`` = in-commuters / (the FUA's residents outside the municipality x the
  municipality's employed residents per resident): the share of the commuting zone's workers
  who work in the city, applied to all of the outside residents' trips;
- ``out_commute_share`` = out-commuters / employed residents, times ``sqrt(municipal residents /
  grid residents)`` when the grid and the municipality differ (flows across a boundary scale
  with its length, i.e. with the square root of the area inside: an assumption).

Employed residents, when not published, are jobs - in-commuters + out-commuters (derived).
Figures of different years are combined (each year is stated). Counts that include students
are not used. Every value missing keeps the model's default, an assumption the run states.
"""

from __future__ import annotations

import math

import pandas as pd

from ..data import read_table
from .model import Surroundings

FUA_TABLE = "functional_urban_areas.csv"
COMMUTING_TABLE = "city_commuting.csv"
#: Cities whose published commuting counts are for a unit larger than the municipality, whose
#: population the tables do not have: their counts are not used (the defaults apply).
LARGER_UNIT: dict[str, str] = {
    "barcelona": "the counts are for the comarca del Barcelonès (five municipalities)",
    "dublin": "the counts are for 'Dublin city and suburbs', not Dublin City",
}


def _figures(table: pd.DataFrame, city: str, quantity: str) -> pd.DataFrame:
    """Return the city's usable figures of ``quantity`` (published or derived, with a value)."""
    return table[(table["city"] == city) & (table["quantity"] == quantity)
                 & table["status"].isin(["published", "derived"]) & table["value"].notna()]


def _latest(table: pd.DataFrame, city: str, quantity: str) -> pd.Series | None:
    rows = _figures(table, city, quantity)
    return None if rows.empty else rows.sort_values("year").iloc[-1]


def _near(table: pd.DataFrame, city: str, quantity: str, year: float) -> pd.Series | None:
    """Return the figure of ``quantity`` closest to ``year`` (latest on a tie)."""
    rows = _figures(table, city, quantity)
    if rows.empty:
        return None
    rows = rows.assign(gap=(rows["year"] - year).abs()).sort_values(["gap", "year"],
                                                                    ascending=[True, False])
    return rows.iloc[0]


def _cite(row: pd.Series) -> str:
    return f"{row['quantity']} {row['value']:,.0f} ({int(row['year'])}; {row['source']})"


def city_surroundings(slug: str, grid_population: float,
                      municipal_population: tuple[float, str] | None) -> Surroundings | None:
    """Return the published surroundings of shipped city ``slug`` (None when nothing is published).

    Parameters
    ----------
    slug : str
        The city.
    grid_population : float
        Residents of the city's grid.
    municipal_population : (float, str), optional
        The municipality's published population and its source (the data sheet's).
    """
    fua = read_table(FUA_TABLE)
    commuting = read_table(COMMUTING_TABLE)
    notes: list[str] = []
    outside = None
    fua_row = _latest(fua, slug, "fua_population")
    if fua_row is not None:
        outside = max(float(fua_row["value"]) - grid_population, 0.0)
        notes.append(f"outside_population: FUA population {fua_row['value']:,.0f} "
                     f"({int(fua_row['year'])}; {fua_row['source']}) minus the grid's "
                     f"{grid_population:,.0f} residents (GHS-POP 2020)")
    entering = out_share = None
    inc = _latest(commuting, slug, "in_commuters")
    out = _latest(commuting, slug, "out_commuters")
    if slug in LARGER_UNIT:
        inc = out = None
        notes.append(f"commuting counts not used: {LARGER_UNIT[slug]}")
    anchor = inc if inc is not None else out
    employed = None
    if anchor is not None:
        employed = _near(commuting, slug, "employed_residents", anchor["year"])
        employed_value = float(employed["value"]) if employed is not None else None
        employed_note = _cite(employed) if employed is not None else ""
        if employed is None and inc is not None and out is not None:
            jobs = _near(commuting, slug, "jobs_in_city", inc["year"])
            if jobs is not None:
                employed_value = float(jobs["value"]) - float(inc["value"]) + float(out["value"])
                employed_note = (f"employed residents derived as jobs - in + out: {_cite(jobs)}")
        if employed_value is not None and employed_value > 0:
            if (inc is not None and fua_row is not None and municipal_population is not None
                    and municipal_population[0] > 0):
                muni, muni_source = municipal_population
                rate = employed_value / muni
                workers_outside = (float(fua_row["value"]) - muni) * rate
                if workers_outside > 0:
                    entering = min(float(inc["value"]) / workers_outside, 1.0)
                    notes.append(
                        f"entering_share: {_cite(inc)} / ((FUA population - municipal "
                        f"population {muni:,.0f} ({muni_source})) x employed residents per "
                        f"resident {rate:.3f} ({employed_note}))")
            if out is not None:
                share = float(out["value"]) / employed_value
                scale = 1.0
                if municipal_population is not None and grid_population > 0:
                    scale = math.sqrt(municipal_population[0] / grid_population)
                out_share = min(share * min(scale, 1.5), 1.0)
                notes.append(f"out_commute_share: {_cite(out)} / employed residents "
                             f"({employed_note}) = {share:.3f}, x sqrt(municipal / grid "
                             f"residents) = {scale:.2f} (flows across a boundary scale with its "
                             "length: an assumption)")
    if outside is None and entering is None and out_share is None:
        return None
    return Surroundings(
        outside_population=round(outside) if outside is not None else None,
        entering_share=round(entering, 4) if entering is not None else None,
        out_commute_share=round(out_share, 4) if out_share is not None else None,
        source="; ".join(notes) or "none")
