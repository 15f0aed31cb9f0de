"""Exports: an IAMC-format table (pyam compatible) and a Climate-City-Contract action table.

IAMC format
-----------
Long table with the columns ``model, scenario, region, variable, unit, year, value`` (the
format of the Integrated Assessment Modeling Consortium, read by ``pyam.IamDataFrame``).
Variables (``|`` separates levels; every parent equals the sum of its children):

* ``Emissions|CO2e|Urban Passenger Transport|Tank-to-Wheel`` and ``...|Well-to-Wheel``, with
  children per mode, t CO2e/yr;
* ``Energy Service|Transportation|Passenger|Urban`` with children per mode, bn pkm/yr;
* ``Transport|Trips|Urban`` with children per mode, million trips/yr;
* ``Transport|Vehicle Distance|Urban|Car`` (demand-driven car vehicle-km), million vkm/yr;
* ``Population`` (residents of the grid), million;
* ``Stock Share|Car|Battery-Electric`` (fleet share), %;
* when the run has them: ``Emissions|NOx|Urban Passenger Transport`` (t NOx/yr),
  ``Emissions|PM2.5|Urban Passenger Transport`` with ``Exhaust`` and ``Non-Exhaust``
  (t PM2.5/yr), ``Final Energy|Transportation|Urban Passenger|Electricity`` (GWh/yr).

Modes: ``Walking``, ``Cycling`` (``Conventional``, ``Electric``), ``Public Transport``,
``Car`` (``Combustion``, ``Battery-Electric``). ``region`` is the city name; ``model`` is
``mobility_sim <version>``.

Action table
------------
One row per measure, in the shape of a Climate City Contract action plan: what, where, when,
what it costs (net present cost to the public budget, docs/costs.md), what it cuts. The CO2
effect is the measure's Shapley contribution (:mod:`.attribution`), so the rows add up to the
package's effect.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .._version import __version__
from ..economics import Appraisal
from ..exceptions import AnalysisError
from ..results import Results
from ..scenario import LoadedScenario
from .attribution import Attribution
from .store import job_table

IAMC_COLUMNS: tuple[str, ...] = ("model", "scenario", "region", "variable", "unit", "year",
                                 "value")

#: Model mode -> IAMC mode path.
MODE_PATHS: dict[str, str] = {
    "walk": "Walking", "bike": "Cycling|Conventional", "ebike": "Cycling|Electric",
    "pt": "Public Transport", "car_ice": "Car|Combustion", "car_ev": "Car|Battery-Electric",
}

_EMISSIONS = "Emissions|CO2e|Urban Passenger Transport"
_PKM = "Energy Service|Transportation|Passenger|Urban"
_TRIPS = "Transport|Trips|Urban"

#: (variable prefix, table column prefix, unit, divisor) of the per-mode families.
_FAMILIES: tuple[tuple[str, str, str, float], ...] = (
    (f"{_EMISSIONS}|Tank-to-Wheel", "co2_ttw_t", "t CO2e/yr", 1.0),
    (f"{_EMISSIONS}|Well-to-Wheel", "co2_wtw_t", "t CO2e/yr", 1.0),
    (_PKM, "pkm", "bn pkm/yr", 1e9),
    (_TRIPS, "trips", "million trips/yr", 1e6),
)


def iamc_table(table: pd.DataFrame, *, scenario: str, region: str,
               model: str | None = None) -> pd.DataFrame:
    """Return the IAMC long table of one run's per-year table.

    Parameters
    ----------
    table : pandas.DataFrame
        A job table (:func:`mobility_sim.analysis.store.job_table`): summary columns and
        ``<quantity>.<mode>`` columns, one row per year.
    scenario : str
        IAMC scenario name.
    region : str
        IAMC region (the city).
    model : str, optional
        IAMC model name (default ``mobility_sim <version>``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`IAMC_COLUMNS`; ``year`` int, ``value`` float; sorted by variable, year.
    """
    model = model or f"mobility_sim {__version__}"
    missing = [f"{col}.{m}" for _, col, _, _ in _FAMILIES for m in MODE_PATHS
               if f"{col}.{m}" not in table.columns]
    if missing:
        raise AnalysisError(f"cannot export IAMC: columns missing ({', '.join(missing[:4])}...);"
                            " give a job table (mobility_sim.analysis.store.job_table)")
    years = table["year"].astype(int).to_numpy()
    series: list[tuple[str, str, np.ndarray]] = []
    for prefix, col, unit, div in _FAMILIES:
        per_mode = {m: table[f"{col}.{m}"].to_numpy(float) / div for m in MODE_PATHS}
        series.append((prefix, unit, sum(per_mode.values())))
        series.append((f"{prefix}|Cycling", unit, per_mode["bike"] + per_mode["ebike"]))
        series.append((f"{prefix}|Car", unit, per_mode["car_ice"] + per_mode["car_ev"]))
        series += [(f"{prefix}|{path}", unit, values) for m, path in MODE_PATHS.items()
                   for values in [per_mode[m]]]
    series.append(("Transport|Vehicle Distance|Urban|Car", "million vkm/yr",
                   table["car_vkm"].to_numpy(float) / 1e6))
    series.append(("Population", "million", table["population"].to_numpy(float) / 1e6))
    optional = (("fleet_bev_share", "Stock Share|Car|Battery-Electric", "%", 0.01),
                ("nox_t", "Emissions|NOx|Urban Passenger Transport", "t NOx/yr", 1.0),
                ("electricity_mwh", "Final Energy|Transportation|Urban Passenger|Electricity",
                 "GWh/yr", 1e3))
    series += [(var, unit, table[col].to_numpy(float) / div)
               for col, var, unit, div in optional if col in table.columns]
    if {"pm25_exhaust_t", "pm25_non_exhaust_t"} <= set(table.columns):
        pm = "Emissions|PM2.5|Urban Passenger Transport"
        exhaust = table["pm25_exhaust_t"].to_numpy(float)
        non_exhaust = table["pm25_non_exhaust_t"].to_numpy(float)
        series += [(pm, "t PM2.5/yr", exhaust + non_exhaust),
                   (f"{pm}|Exhaust", "t PM2.5/yr", exhaust),
                   (f"{pm}|Non-Exhaust", "t PM2.5/yr", non_exhaust)]
    frames = [pd.DataFrame({"model": model, "scenario": scenario, "region": region,
                            "variable": var, "unit": unit, "year": years, "value": values})
              for var, unit, values in series]
    out = pd.concat(frames, ignore_index=True)
    out["year"] = out["year"].astype("int64")
    out["value"] = out["value"].astype("float64")
    return out.sort_values(["variable", "year"], ignore_index=True)[list(IAMC_COLUMNS)]


def iamc_from_results(results: Results, scenario: str | None = None,
                      model: str | None = None) -> pd.DataFrame:
    """Return the IAMC table of a run (:class:`~mobility_sim.results.Results`)."""
    meta = results.meta
    return iamc_table(job_table(results), scenario=scenario or meta.get("scenario_name", "?"),
                      region=meta.get("city_name", "?"), model=model)


def iamc_from_sweep(table: pd.DataFrame, *, scenario_columns: Iterable[str] = ("scenario",),
                    region_column: str = "city", model: str | None = None) -> pd.DataFrame:
    """Return the IAMC table of a sweep table: one IAMC scenario per job.

    The IAMC scenario name joins ``scenario_columns`` (e.g. ``helsinki-sump|sample=3``).
    """
    cols = list(scenario_columns)
    needed = [*cols, region_column, "job"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise AnalysisError(f"sweep table has no column(s) {', '.join(missing)}; columns: "
                            f"{', '.join(table.columns[:12])}...")
    frames = []
    for _, part in table.groupby("job", sort=False):
        first = part.iloc[0]
        name = "|".join(str(first[c]) if i == 0 else f"{c}={first[c]}"
                        for i, c in enumerate(cols))
        frames.append(iamc_table(part, scenario=name, region=str(first[region_column]),
                                 model=model))
    out = pd.concat(frames, ignore_index=True)
    if out.duplicated(["model", "scenario", "region", "variable", "year"]).any():
        raise AnalysisError("two jobs map to the same IAMC scenario; add the column that tells "
                            "them apart to scenario_columns (e.g. sample)")
    return out


def sumi_export(results: Results) -> pd.DataFrame:
    """Return the run's SUMP indicators in the shape a city hands in.

    One row per indicator and case, one column per simulated year: columns ``city, scenario,
    indicator, name, unit, case, scope, how``, then the years. Raises :class:`AnalysisError`
    when the run has no ``sumi`` table (saved before it existed).
    """
    sumi = results.sumi
    if not isinstance(sumi, pd.DataFrame) or sumi.empty:
        raise AnalysisError("this run folder has no SUMP indicators (saved before they "
                            "existed); run the scenario again")
    wide = sumi.pivot_table(index=["indicator", "name", "unit", "case", "scope", "how"],
                            columns="year", values="value", sort=False).reset_index()
    wide.columns = [str(c) for c in wide.columns]
    wide.insert(0, "scenario", results.meta.get("scenario_name", ""))
    wide.insert(0, "city", results.meta.get("city_name", ""))
    return wide


def action_table(attribution: Attribution, loaded: LoadedScenario, appraisal: Appraisal,
                 year: int | None = None, metric: str | None = None) -> pd.DataFrame:
    """Return the Climate-City-Contract-style action table of a package.

    Parameters
    ----------
    attribution : Attribution
        Shapley attribution of the package (:func:`~mobility_sim.analysis.attribution.attribute`).
    loaded : LoadedScenario
        The package.
    appraisal : mobility_sim.economics.Appraisal
        Its appraisal (:func:`mobility_sim.economics.appraise_run` with the attribution's
        contributions and ``output`` the metric's column): costs and EUR per tonne.
    year : int, optional
        Year of the CO2 effect column (default: the target year, else the last year).
    metric : {"co2_wtw", "co2_ttw", ...}, optional
        CO2 metric (default: the target's, else well-to-wheel).

    Returns
    -------
    pandas.DataFrame
        ``measure, type, area, start, full_effect_year, profile, cost_basis, capex_eur,
        opex_eur, revenue_eur, cost_eur, co2_effect_t, co2_effect_share, co2_abated_t,
        eur_per_t_abated, cobenefits_eur``: ``co2_effect_t`` is the Shapley contribution in
        ``year`` (negative: a cut); ``co2_abated_t`` the cut summed over the simulated calendar
        years (positive: a cut; years between simulated ones interpolated); ``cost_eur`` the
        net present cost to the public budget (capex, opex and revenue its parts, present
        values; docs/costs.md), empty when the measure is not costed; ``eur_per_t_abated`` the
        net present cost over the discounted tonnes. ``measure, cost_eur, co2_abated_t`` match
        the dashboard's cost table.
    """
    scenario = loaded.scenario
    target = scenario.target
    years = scenario.years.as_list()
    year = year if year is not None else (target.year if target else years[-1])
    metric = metric or (target.metric if target else "co2_wtw")
    output = f"{metric}_t"
    contrib = attribution.contributions[attribution.contributions["output"] == output]
    if contrib.empty:
        raise AnalysisError(f"the attribution has no output {output!r}; attribute it first")
    if appraisal.output != output:
        raise AnalysisError(f"the appraisal abates {appraisal.output!r}, not {output!r}; "
                            "appraise with output=" + repr(output))
    money = appraisal.measures.set_index("measure")
    total_effect = float(attribution.totals.query("year == @year and output == @output")
                         ["effect"].iloc[0])
    rows = []
    for i, (name, measure) in enumerate(zip(attribution.measures, scenario.measures,
                                            strict=True)):
        own = contrib[contrib["position"] == i].sort_values("year")
        effect = float(own.loc[own["year"] == year, "contribution"].iloc[0])
        abated = -_calendar_sum(own["year"].to_numpy(int), own["contribution"].to_numpy(float))
        m = money.loc[name]
        costed = bool(m["costed"])
        area = measure.area
        rows.append({
            "measure": name, "type": getattr(measure, "type", type(measure).__name__),
            "area": "whole city" if area is None else (area.zone or ("WKT polygon" if area.wkt
                                                                      else area.geojson)),
            "start": measure.start, "full_effect_year": measure.full_year,
            "profile": measure.profile, "cost_basis": m["cost_basis"],
            "capex_eur": m["capex_eur"] if costed else np.nan,
            "opex_eur": m["opex_eur"] if costed else np.nan,
            "revenue_eur": m["revenue_eur"] if costed else np.nan,
            "cost_eur": m["npc_eur"] if costed else np.nan,
            "co2_effect_t": effect,
            "co2_effect_share": effect / total_effect if total_effect else np.nan,
            "co2_abated_t": abated,
            "eur_per_t_abated": m["eur_per_t"],
            "cobenefits_eur": m["cobenefits_eur"],
        })
    table = pd.DataFrame(rows)
    table.attrs.update({"year": year, "metric": metric,
                        "discount_rate": appraisal.discount_rate,
                        "method": attribution.method, "price_year": appraisal.price_year})
    return table


def _calendar_sum(years: np.ndarray, values: np.ndarray) -> float:
    """Sum over every calendar year from the first to the last, interpolating between steps."""
    calendar = np.arange(years[0], years[-1] + 1)
    return float(np.interp(calendar, years, values).sum())
