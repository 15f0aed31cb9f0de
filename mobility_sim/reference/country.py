"""Parameters a city's country sets: car lifetime and running costs, each with its source.

``country_parameters(iso3)`` is the ``country`` layer of
:func:`mobility_sim.model.parameters.resolve_parameters` (above the packaged defaults, below the
city's own figures and its calibration):

``fleet.car.mean_lifetime_years``
    The mean car lifespan of the country's group in Held et al. (2021): 18.1 years Western,
    28.4 years Eastern Europe (``car_lifetime_by_country_group.csv``; the grouping in
    ``country_reference.csv`` is the project's assumption).
``car.cost_per_km_ice``
    ``car.fuel_l_per_km`` x the mean of the country's petrol and diesel pump prices (the
    Commission's Weekly Oil Bulletin of 8 January 2024; the UK: RAC, January 2024, converted at
    the ECB's 2024 average rate; ``country_economics.csv``). The mean of the two fuels is an
    assumption (the fleets' fuel split differs by country).
``car.cost_per_km_ev``
    The battery-electric car's electricity use (``emission_factors.csv``) x the household
    electricity price (Eurostat, second half of 2024, 2,500-5,000 kWh, all taxes; the UK:
    Ofgem's price cap, Oct-Dec 2024). Assumption: charged at home at the household tariff.
``utility.cost.commute``, ``utility.cost.other``
    The values of time follow national income, as appraisal guidance transfers them: the
    defaults' marginal utility of money x (the country's actual individual consumption per head
    in PPS / the EU27's) ^ -``vot.income_elasticity`` (Eurostat ``prc_ppp_ind``, 2024; the
    defaults' values of time stand for the EU average: an assumption). A richer country's
    travellers weigh a euro less against a minute.

A value not found for the country is left at the packaged default (an assumption, said so in
:func:`country_parameters`' sources).
"""

from __future__ import annotations

from functools import cache

from ..data import eur_exchange_rate, read_table
from ..data import parameters as default_parameters
from ..exceptions import FleetParameterError
from ..fleet.tables import factor
from .case import country_row


@cache
def _economics():
    return read_table("country_economics.csv")


def _value(country: str, quantity: str) -> tuple[float, str, str] | None:
    """(value, unit, source) of one quantity of ``country_economics.csv`` (None: not found)."""
    table = _economics()
    rows = table[(table["iso3"] == country) & (table["quantity"] == quantity)
                 & table["value"].notna()]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return float(row["value"]), str(row["unit"]), str(row["source"])


def _in_eur(value: float, unit: str) -> tuple[float, str] | None:
    """Return a price in EUR (at the ECB's 2024 average rate where needed), and how."""
    currency = unit.split("/")[0]
    if currency == "EUR":
        return value, ""
    rate = eur_exchange_rate(currency)
    if rate is None:
        return None
    return (value / rate.per_eur,
            f"; converted at {rate.per_eur:g} {currency} per EUR (ECB 2024 average)")


def _lifetime(country: str) -> tuple[float, str] | None:
    try:
        group = str(country_row(country)["car_lifetime_group"])
    except FleetParameterError:  # a country without a row keeps the defaults
        return None
    table = read_table("car_lifetime_by_country_group.csv")
    rows = table[(table["country_group"] == group) & (table["metric"] == "mean_lifespan_years")
                 & table["value"].notna()]
    if rows.empty:
        return None
    return float(rows.iloc[0]["value"]), (f"Held et al. 2021, {group.replace('_', ' ')} mean "
                                          f"car lifespan; group: country_reference.csv")


def _fuel_cost(country: str) -> tuple[float, str] | None:
    found = [_value(country, q) for q in ("petrol_price", "diesel_price")]
    if any(f is None for f in found):
        return None
    prices = [_in_eur(f[0], f[1]) for f in found if f is not None]
    if any(p is None for p in prices):
        return None
    mean = sum(p[0] for p in prices if p is not None) / 2.0
    litres = default_parameters()["car.fuel_l_per_km"]
    note = prices[0][1] if prices[0] is not None else ""
    return litres * mean, (f"{litres:g} l/km x {mean:.3f} EUR/l (mean of petrol and diesel, "
                           f"assumption){note}; {found[0][2] if found[0] else ''}")


def _electricity_cost(country: str) -> tuple[float, str] | None:
    found = _value(country, "household_electricity_price")
    if found is None:
        return None
    price = _in_eur(found[0], found[1])
    if price is None:
        return None
    kwh = factor("car", "bev", "kwh")
    return kwh * price[0], (f"{kwh:g} kWh/km x {price[0]:.4f} EUR/kWh household price "
                            f"(assumption: charged at home){price[1]}; {found[2]}")


def _income_factor(country: str) -> tuple[float, str] | None:
    """(multiplier of the money coefficients, how): income relative to the EU27's."""
    found = _value(country, "aic_per_capita_pps_index")
    eu = _value("EU27", "aic_per_capita_pps_index")
    if found is None or eu is None or found[0] <= 0:
        return None
    elasticity = default_parameters()["vot.income_elasticity"]
    ratio = found[0] / eu[0]
    return ratio ** -elasticity, (
        f"x ({found[0]:.1f} / {eu[0]:.0f}) ^ -{elasticity:g}: actual individual consumption per "
        f"head in PPS against the EU27's ({found[2]}), income elasticity of the value of time "
        "vot.income_elasticity (parameters.csv)")


@cache
def income_growth(country: str) -> tuple[float, str]:
    """Real income growth per head and year, and its source.

    The country's projected GDP per head over its longest published period
    (``income_growth.csv``); else ``vot.income_growth_default``, the median of the countries
    that have one (an assumption for the others).
    """
    table = read_table("income_growth.csv")
    rows = table[(table["iso3"] == country) & (table["quantity"] == "gdp_per_capita_growth")
                 & table["status"].isin(["published", "derived"]) & table["value"].notna()]
    rows = rows[rows["period_end"] > rows["period_start"]]  # period averages only
    if not rows.empty:
        row = rows.assign(span=rows["period_end"] - rows["period_start"]).sort_values(
            "span").iloc[-1]
        return float(row["value"]), (f"{country} real GDP per head "
                                     f"{int(row['period_start'])}-{int(row['period_end'])}: "
                                     f"{row['value']:.1%} a year ({row['source']})")
    default = default_parameters()["vot.income_growth_default"]
    return default, (f"vot.income_growth_default ({default:.2%} a year; no published "
                     f"projection for {country}: an assumption)")


@cache
def country_parameters(country: str) -> dict[str, tuple[float, str]]:
    """Parameter values the country sets, each with its source: ``{key: (value, source)}``."""
    out: dict[str, tuple[float, str]] = {}
    for key, found in (("fleet.car.mean_lifetime_years", _lifetime(country)),
                       ("car.cost_per_km_ice", _fuel_cost(country)),
                       ("car.cost_per_km_ev", _electricity_cost(country))):
        if found is not None:
            out[key] = (round(found[0], 6), found[1])
    income = _income_factor(country)
    if income is not None:
        defaults = default_parameters()
        for purpose in ("commute", "other"):
            key = f"utility.cost.{purpose}"
            out[key] = (round(defaults[key] * income[0], 6),
                        f"the default {defaults[key]:g} {income[1]}")
    return out
