"""Packaged reference tables: every default number with its source.

Tables
------
``parameters.csv``
    Behavioural, geometric and numerical defaults of the model (``key, value, unit, description,
    source``). A source is either a citation or starts with the word ``assumption``.
``emission_factors.csv``
    CO2e factors per vehicle-km or passenger-km, tank-to-wheel and well-to-tank, and electricity
    use of electric cars.
``fleet_defaults.csv``
    EU car and bus fleets and new-vehicle sales by powertrain.
``grid_intensity.csv``
    National electricity grid carbon intensity (gCO2e/kWh).
``fleet_parameters.csv``, ``health_parameters.csv``
    Fleet turnover, public transport supply, emission accounting and WHO HEAT defaults; same
    columns as ``parameters.csv`` and merged into :func:`parameters` (so a scenario's
    ``parameters:`` can override them).
``euro_standards.csv``, ``fuels.csv``
    NOx and exhaust PM2.5 per Euro class and vintage; CO2 per litre (kg) of fuel.
``elasticities.csv``
    Published elasticities (one row per source) that ``validate-model`` compares the model
    with; ``derivation`` says how a figure was converted, where it was.
``diversion_factors.csv``
    Published shares of where the new riders of a PT improvement came from (car, walking,
    cycling, other PT, new trips), each with what it is a share of; ``validate-model`` shows
    them beside the model's diversion ratios.
``transferred_coefficients.csv``
    Time and cost coefficients of estimated mode-choice models of other regions (``set, key,
    value, source``), which ``validate-model --coefficients`` applies instead of the defaults.
``validation_figures.csv``
    Independent published figures per city (trip lengths, transport CO2, vehicle-km) with
    their definition and how it differs from what the model counts; never used in calibration.
``functional_urban_areas.csv``, ``city_commuting.csv``
    FUA and city populations (Eurostat) and commuting counts (national statistics) that size
    the external zones (``city/surroundings.py``).
``freight_traffic.csv``, ``freight_evidence.csv``
    Van, lorry and car traffic by country (and London's and Paris's shares), freight emission
    factors, sales, ages and the evidence on freight measures (``fleet/freight.py``).
``city_transport_inventories.csv``
    Cities' published transport GHG inventories with their scope (targets' base years,
    ``mobility-sim reconcile``).
``income_growth.csv``, ``country_economics.csv``
    Income growth projections, income levels, fuel and electricity prices by country (the
    country layer of the parameters).
``backcast_cases.csv``
    Published ex-post evaluations of measures the shipped cities took (``mobility-sim
    backcast``).
``road_traffic_evidence.csv``
    Volume-delay parameters, urban lane capacities, cities' TomTom congestion levels and
    evaluations of 30 km/h limits (``model/traffic.py``, ``docs/traffic.md``).
``copert_hot_ef.csv``, ``copert_cold_start.csv``
    COPERT hot exhaust energy, NOx and PM speed curves (EMEP/EEA guidebook 2019) and the
    guidebook's cold-start method (``fleet/speed_factors.py``; notes in
    ``docs/data_notes_copert.md``).

Every row carries its source (or ``not_found`` and where it was searched).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

__all__ = [
    "ExchangeRate",
    "emission_factors",
    "eur_exchange_rate",
    "fleet_defaults",
    "grid_intensity",
    "parameter_table",
    "parameters",
    "read_table",
]


def read_table(name: str) -> pd.DataFrame:
    """Read one packaged CSV table by file name (a fresh copy each call).

    Parameters
    ----------
    name : str
        File name inside ``mobility_sim/data``, e.g. ``"parameters.csv"``.

    Returns
    -------
    pandas.DataFrame
        The table.
    """
    with resources.files(__name__).joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


#: Parameter tables merged into one key space (keys must be unique across them).
PARAMETER_FILES: tuple[str, ...] = ("parameters.csv", "fleet_parameters.csv",
                                    "health_parameters.csv")


@cache
def _parameter_table() -> pd.DataFrame:
    return pd.concat([read_table(name) for name in PARAMETER_FILES], ignore_index=True)


def parameter_table() -> pd.DataFrame:
    """Return the default parameter table (key, value, unit, description, source)."""
    return _parameter_table().copy()


def parameters() -> dict[str, float]:
    """Return the default parameters as a ``{key: value}`` dictionary."""
    table = _parameter_table()
    return dict(zip(table["key"], table["value"].astype(float), strict=True))


@cache
def _emission_factors() -> pd.DataFrame:
    return read_table("emission_factors.csv")


def emission_factors() -> pd.DataFrame:
    """Return the emission-factor table (mode, powertrain, quantity, value, unit, source)."""
    return _emission_factors().copy()


def fleet_defaults() -> pd.DataFrame:
    """Return default fleet and sales shares by powertrain (kind, powertrain, share, source)."""
    return read_table("fleet_defaults.csv")


@cache
def _grid_intensity() -> pd.DataFrame:
    return read_table("grid_intensity.csv")


def grid_intensity(iso3: str) -> float:
    """Return a country's grid carbon intensity in gCO2e/kWh.

    Parameters
    ----------
    iso3 : str
        ISO 3166-1 alpha-3 country code, e.g. ``"FIN"``.

    Returns
    -------
    float
        Grid intensity of the latest year in the table.

    Raises
    ------
    KeyError
        If the country is not in the table; the message lists the countries that are.
    """
    table = _grid_intensity()
    rows = table[table["iso3"] == iso3.upper()]
    if rows.empty:
        known = ", ".join(sorted(table["iso3"]))
        raise KeyError(
            f"no grid carbon intensity for country {iso3!r}; known: {known}. "
            "Set grid_intensity_country in the city's city.yaml to a listed country."
        )
    return float(rows.sort_values("year")["gco2e_per_kwh"].iloc[-1])


@dataclass(frozen=True)
class ExchangeRate:
    """Units of a currency per EUR, as packaged in ``country_economics.csv``."""

    per_eur: float
    unit: str
    year: int
    source: str


@cache
def eur_exchange_rate(currency: str) -> ExchangeRate | None:
    """Return the ECB's euro reference rate of ``currency`` (e.g. ``"NOK"``), None if absent.

    The annual average of the daily rates of ``country_economics.csv``; one home for every
    conversion to EUR (a city's parking tariff, a country's energy prices).
    """
    table = read_table("country_economics.csv")
    rows = table[(table["quantity"] == "eur_exchange_rate") & table["value"].notna()
                 & table["unit"].astype(str).str.startswith(currency + " ")]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return ExchangeRate(float(row["value"]), str(row["unit"]), int(row["year"]),
                        str(row["source"]))
