"""Appraisal of a package: each measure's money, what it abates and what its co-benefits are worth.

What a finance department and an EU reviewer expect (``docs/costs.md``):

* **net present cost** (NPC): the measure's money (:mod:`.cashflow`) discounted to the first
  simulated year at the social discount rate (default: the European Commission's, from
  ``appraisal_parameters.csv``), net of revenues and of the residual value of assets that
  outlive the horizon;
* **annualised cost**: the constant yearly amount with the same present value over the
  horizon;
* **abatement**: the measure's Shapley contribution (:mod:`mobility_sim.analysis.attribution`)
  to the territorial well-to-wheel CO2e (the scope of a city inventory: all traffic on the
  city's roads, freight included), scenario against the reference case, every calendar year;
* **EUR per tonne**: NPC over the *discounted* tonnes abated (the levelised cost of abatement:
  the annualised cost over the annualised abatement), so that it does not change with the
  chosen end year more than the measure's own timing does;
* **co-benefits**: the measure's Shapley contributions to NOx and PM2.5 valued at the damage
  costs per tonne of :meth:`.Prices.damage_cost` (the EU Handbook on the External Costs of
  Transport for the city's country and area type where found, else the country's own
  appraisal value, else a wider average stated as a lower bound), and to the value of deaths
  avoided by walking and cycling (WHO HEAT, already in the run); the net cost subtracts them;
* **marginal abatement cost curve**: measures ordered by EUR per tonne, each as wide as its
  abatement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .cashflow import CostLines, YearlyMoney, annuity_factor, discount_factors, yearly_money
from .prices import PRICE_YEAR, Prices

#: Output abated, in order of preference: the inventory's scope, then the residents'.
ABATED_OUTPUTS: tuple[str, ...] = ("territorial_co2_wtw_t", "co2_wtw_t")


@dataclass
class Appraisal:
    """Costs, abatement and co-benefits of a package's measures.

    Attributes
    ----------
    measures : pandas.DataFrame
        One row per measure: ``measure, type, cost_basis, npc_eur, annualised_eur,
        capex_eur, opex_eur, revenue_eur, abated_t, abated_discounted_t, eur_per_t,
        cobenefits_eur, net_npc_eur, net_eur_per_t, costed, note`` (``costed`` False: no cost
        line could be set, EUR per tonne is then empty, not zero) (money in EUR of
        :data:`PRICE_YEAR`, present values at ``discount_rate``; ``abated_t`` undiscounted).
    money : pandas.DataFrame
        ``measure, year, capex_eur, opex_eur, revenue_eur, residual_eur, net_eur`` per calendar
        year, undiscounted.
    lines : pandas.DataFrame
        ``measure, line, kind, how``: each cost line and how it was found.
    discount_rate : float
    output : str
        The abated output.
    price_year : int
    attributed : bool
        Whether abatement per measure is known (a Shapley attribution was given).
    package : dict
        The package's totals: ``npc_eur``, ``abated_t``, ``eur_per_t``.
    area_type : str
        Area type of the damage costs (``metropolitan``: 500,000 residents or more).
    cobenefits : str
        Which co-benefits are valued, and at what.
    """

    measures: pd.DataFrame
    money: pd.DataFrame
    lines: pd.DataFrame
    discount_rate: float
    output: str
    price_year: int = PRICE_YEAR
    attributed: bool = False
    package: dict[str, float] = field(default_factory=dict)
    area_type: str = "urban"
    cobenefits: str = ""

    def macc(self) -> pd.DataFrame:
        """Return the marginal abatement cost curve of these measures (:func:`macc_table`)."""
        return macc_table(self.measures)


def macc_table(measures: pd.DataFrame) -> pd.DataFrame:
    """Return the marginal abatement cost curve: measures that abate, cheapest per tonne first.

    ``measure, eur_per_t, abated_t, start_t, end_t`` (``start_t`` and ``end_t``: where the
    measure's bar starts and ends on the cumulative abatement axis).
    """
    part = measures[(measures["abated_t"] > 0) & measures["eur_per_t"].notna()]
    part = part.sort_values("eur_per_t")[["measure", "eur_per_t", "abated_t"]].copy()
    part["end_t"] = part["abated_t"].cumsum()
    part["start_t"] = part["end_t"] - part["abated_t"]
    return part.reset_index(drop=True)


def basis_of(lines: CostLines) -> str:
    """Return how a measure's cost was set, in words (lines left out named)."""
    note = lines.note
    if not lines.items or note.startswith("the scenario's own"):
        return note or "no cost"
    rules = "published unit costs (docs/costs.md)"
    return f"{rules}; {note.replace('not costed:', 'left out:')}" if note else rules


def cobenefit_value(change: pd.DataFrame, prices: Prices, country: str, area_type: str,
                    rate: float) -> float:
    """Return the present value of the co-benefits of a change, EUR of the price year.

    Parameters
    ----------
    change : pandas.DataFrame
        Indexed by simulated year; columns ``health_value_eur`` (the value of deaths avoided
        by walking and cycling, WHO HEAT; a rise is a benefit), ``nox_t`` and ``pm25_t`` (a
        fall is a benefit, valued at the damage cost of :meth:`.Prices.damage_cost` when one
        was found). Missing columns count as no change. Years between simulated ones are
        interpolated; discounted to the first year at ``rate``.
    """
    years = np.asarray(change.index, dtype=float)
    calendar = np.arange(int(years.min()), int(years.max()) + 1)

    def series(column: str) -> np.ndarray:
        if column not in change.columns:
            return np.zeros(calendar.size)
        return _calendar(years, change[column].to_numpy(float), calendar)

    value = series("health_value_eur") * prices.inflate(1.0, prices.health_price_year)
    for pollutant, column in (("nox", "nox_t"), ("pm25", "pm25_t")):
        damage = prices.damage_cost(pollutant, country, area_type)
        if damage is not None:
            value = value - series(column) * damage.value
    return float(np.sum(value * discount_factors(calendar, rate)))


def cobenefit_note(prices: Prices, country: str, area_type: str) -> str:
    """Return which co-benefits are valued, and at what, for the page."""
    parts = ["deaths avoided by walking and cycling at WHO HEAT's value of a statistical life"]
    for pollutant, label in (("nox", "NOx"), ("pm25", "PM2.5")):
        damage = prices.damage_cost(pollutant, country, area_type)
        parts.append(f"{label} at {damage.text}" if damage is not None else
                     f"{label} not valued (no damage cost found for {country}, {area_type} "
                     "areas)")
    return "; ".join(parts)


def abated_output(columns: Any) -> str:
    """Return the abated output among ``columns`` (territorial when the run has it)."""
    for name in ABATED_OUTPUTS:
        if name in set(columns):
            return name
    raise ValueError(f"no CO2 output among {sorted(columns)[:8]}")


def _calendar(years: np.ndarray, values: np.ndarray, calendar: np.ndarray) -> np.ndarray:
    return np.interp(calendar, years, values)


def appraise(measures: list[Any], names: list[str], lines: list[CostLines],
             intensity: Any, years: list[int], *, discount_rate: float,
             prices: Prices, country: str, area_type: str,
             contributions: pd.DataFrame | None = None,
             cost_basis: list[str] | None = None, output: str | None = None) -> Appraisal:
    """Appraise each measure of a package.

    Parameters
    ----------
    measures : list
        The package's measures (their ``type``).
    names : list of str
        Their distinct names (labels).
    lines : list of CostLines
        Their cost lines (:func:`.rules.cost_lines`).
    intensity : callable
        ``intensity(measure, year)``.
    years : list of int
        Simulated years.
    discount_rate : float
        Social discount rate (real, per year).
    prices : Prices
        Price base, damage costs and the value of a statistical life's price year.
    country : str
        ISO3 of the city's country (damage costs).
    area_type : {"metropolitan", "urban"}
        Area type of the damage costs.
    contributions : pandas.DataFrame, optional
        Shapley contributions ``year, output, measure, contribution``; without them the
        abatement per measure is unknown (NaN) and only costs are appraised.
    cost_basis : list of str, optional
        How each measure's cost was set (the rule, or the scenario's own figures).
    output : str, optional
        The abated output (default: territorial well-to-wheel CO2e when attributed, see
        :func:`abated_output`).
    """
    rows, money_rows, line_rows = [], [], []
    if contributions is None or contributions.empty:
        output = None
    elif output is None:
        output = abated_output(contributions["output"].unique())
    calendar = np.arange(min(years), max(years) + 1)
    disc = discount_factors(calendar, discount_rate)
    for i, (m, name, cl) in enumerate(zip(measures, names, lines, strict=True)):
        money: YearlyMoney = yearly_money(cl, lambda y, m=m: intensity(m, y), years)
        for item in cl.items:
            line_rows.append({"measure": name, "line": item.name,
                              "kind": type(item).__name__.lower(), "how": item.source})
        money_rows.append(pd.DataFrame({
            "measure": name, "year": money.years, "capex_eur": money.capex,
            "opex_eur": money.opex, "revenue_eur": money.revenue,
            "residual_eur": money.residual, "net_eur": money.net}))
        npc = float(np.sum(money.net * disc))
        abated = abated_disc = cobenefit = np.nan
        if output is not None:
            own = contributions[contributions["measure"] == name]

            def series(out: str, own: pd.DataFrame = own) -> np.ndarray:
                part = own[own["output"] == out].sort_values("year")
                if part.empty:
                    return np.zeros(calendar.size)
                return _calendar(part["year"].to_numpy(float),
                                 part["contribution"].to_numpy(float), calendar)

            cut = -series(output)
            abated, abated_disc = float(cut.sum()), float(np.sum(cut * disc))
            change = own.pivot_table(index="year", columns="output", values="contribution")
            cobenefit = cobenefit_value(change, prices, country, area_type, discount_rate)
        costed = bool(cl.items)  # a measure without cost lines is not costed, not free
        per_t_ok = output is not None and costed and abated_disc > 0
        eur_per_t = npc / abated_disc if per_t_ok else np.nan
        net = npc - cobenefit if output is not None and costed else np.nan
        rows.append({
            "measure": name, "type": getattr(m, "type", ""),
            "cost_basis": (cost_basis[i] if cost_basis else "") or basis_of(cl),
            "npc_eur": npc,
            "annualised_eur": npc / annuity_factor(discount_rate, calendar.size),
            "capex_eur": float(np.sum((money.capex - money.residual) * disc)),
            "opex_eur": float(np.sum(money.opex * disc)),
            "revenue_eur": float(np.sum(money.revenue * disc)),
            "abated_t": abated, "abated_discounted_t": abated_disc, "eur_per_t": eur_per_t,
            "cobenefits_eur": cobenefit, "net_npc_eur": net,
            "net_eur_per_t": net / abated_disc if per_t_ok else np.nan,
            "costed": costed, "note": cl.note,
        })
    table = pd.DataFrame(rows)
    package: dict[str, float] = {"npc_eur": float(table["npc_eur"].sum())}
    if output is not None:
        package["abated_t"] = float(table["abated_t"].sum())
        total_disc = float(table["abated_discounted_t"].sum())
        package["eur_per_t"] = package["npc_eur"] / total_disc if total_disc > 0 else np.nan
    return Appraisal(measures=table, money=pd.concat(money_rows, ignore_index=True),
                     lines=pd.DataFrame(line_rows, columns=["measure", "line", "kind", "how"]),
                     discount_rate=discount_rate, output=output or "", price_year=PRICE_YEAR,
                     attributed=output is not None, package=package, area_type=area_type,
                     cobenefits=cobenefit_note(prices, country, area_type))
