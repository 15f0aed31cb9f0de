"""A city's data sheet: published figures about the city, each with its source and definition.

``cities/<slug>/data_sheet.yaml`` (format: ``cities/DATA_SHEETS.md``) holds what official
statistics and surveys publish about the administrative city: modal splits with their
definitions, trip rates, car ownership, employment, the public transport system by technology,
fares, parking tariffs, the centre, population projections and the transport inventory. Each
field is either sourced (value, unit, year, definition, scope, source) or marked ``not_found``
with what was searched, never guessed. This module reads and checks a sheet (``file:line``
errors), says how complete it is, and writes the blank sheet of a new city.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..exceptions import CityDataError
from ..io.input_errors import format_validation_error
from ..io.yamlio import read_yaml

#: File name of the sheet in a city folder.
DATA_SHEET_FILE = "data_sheet.yaml"
#: The fields of a sheet, in order (see ``cities/DATA_SHEETS.md``).
FIELDS: tuple[str, ...] = (
    "population", "population_projection", "area_km2", "employment_jobs", "centre",
    "modal_splits", "trip_rate", "mean_trip_length", "cars_per_1000",
    "car_free_households_share", "pt_network", "bus_fleet_zero_emission_share",
    "fare_single", "fare_monthly_pass", "fare_revenue_per_trip",
    "parking_centre_per_hour", "transport_ghg_inventory",
)
#: What each field means, for the blank sheet of a new city.
FIELD_HELP: dict[str, str] = {
    "population": "residents of the municipality (register or census; year)",
    "population_projection": "official projection (year = target year; published = year made)",
    "area_km2": "area of the municipality, km2",
    "employment_jobs": "jobs located in the municipality (workplace basis)",
    "centre": "city hall or CBD: value {lat, lon, name}, WGS84",
    "modal_splits": "travel survey splits (trips or passenger-km; whose trips; purposes; area)",
    "trip_rate": "trips per person per day (who is counted, ages)",
    "mean_trip_length": "mean trip length, km",
    "cars_per_1000": "registered passenger cars per 1,000 inhabitants",
    "car_free_households_share": "share of households without a car, 0-1",
    "pt_network": "public transport by technology (route-km, vehicle-km, places-km, ...)",
    "bus_fleet_zero_emission_share": "battery, trolley or fuel-cell buses / all buses, 0-1",
    "fare_single": "adult single ticket, city zone (currency code first in unit)",
    "fare_monthly_pass": "adult monthly pass",
    "fare_revenue_per_trip": "fare revenue / boardings",
    "parking_centre_per_hour": "on-street parking tariff in the centre, per hour",
    "transport_ghg_inventory": "transport GHG of the city's inventory, t CO2e (scope)",
}
SPLIT_UNITS = ("trips", "passenger_km", "commute_trips", "main_mode_persons")
PT_MODES = ("metro", "tram", "bus", "trolleybus", "suburban_rail", "rail", "light_rail", "ferry",
            "all")
PT_METRICS = ("route_km", "line_km", "vehicle_km", "place_km", "electrified_share", "fleet",
              "stations", "passenger_km")

Share = Annotated[float, Field(ge=0, le=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Centre(_Strict):
    """A point: the city hall or the central business district."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    name: str = Field(min_length=1)


class _Sourced(_Strict):
    """What every published figure carries: its year, definition, scope and source."""

    year: int = Field(ge=1950, le=2100)
    definition: str = Field(min_length=1)
    scope: str = Field(min_length=1)
    source: str = Field(min_length=1)
    url: str | None = None
    note: str | None = None

    @property
    def derived(self) -> bool:
        """True for a figure worked out from published ones (``DERIVED``)."""
        return "DERIVED" in f"{self.definition} {self.note or ''}"

    @property
    def outdated(self) -> bool:
        """True for a figure known to have changed since (``OUTDATED`` or ``OLD``)."""
        text = f"{self.definition} {self.note or ''}"
        return "OUTDATED" in text or "OLD" in text.split()


class Entry(_Sourced):
    """One published figure with its unit, source, year, definition and scope."""

    value: float | list[float] | Centre
    unit: str = Field(min_length=1)
    published: int | None = None
    base_value: float | None = Field(default=None, gt=0)
    """A projection's own starting figure, same scope and definition as ``value``."""
    base_year: int | None = Field(default=None, ge=1950, le=2100)
    """The year of ``base_value``."""
    mode: Literal[PT_MODES] | None = None  # type: ignore[valid-type]
    metric: Literal[PT_METRICS] | None = None  # type: ignore[valid-type]


class Split(_Sourced):
    """A published modal split with its definition (shares are never compared out of context)."""

    unit: Literal[SPLIT_UNITS]  # type: ignore[valid-type]
    population: Literal["residents", "all", "workers", "commuters"]
    purposes: str = Field(min_length=1)
    walk: Share | None = None
    bike: Share | None = None
    pt: Share | None = None
    car: Share | None = None
    other: Share | None = None

    @property
    def shares(self) -> dict[str, float | None]:
        """The five shares (None where not published)."""
        return {m: getattr(self, m) for m in ("walk", "bike", "pt", "car", "other")}


class NotFound(_Strict):
    """A field that was searched and not found; a hint is never a sourced value."""

    status: Literal["not_found"]
    searched: str = Field(min_length=5)
    hint: str | None = None
    hint_value: Any = None


class DataSheet(_Strict):
    """The contents of ``data_sheet.yaml``."""

    format_version: Literal[1]
    city: str
    name: str
    researched: str | None = None
    fields: dict[str, NotFound | Entry | list[Entry] | list[Split]]

    @field_validator("fields")
    @classmethod
    def _every_field_once(cls, value: dict[str, Any]) -> dict[str, Any]:
        missing = [f for f in FIELDS if f not in value]
        unknown = [f for f in value if f not in FIELDS]
        if missing or unknown:
            raise ValueError(f"the sheet must have exactly the fields of cities/DATA_SHEETS.md "
                             f"(missing: {', '.join(missing) or 'none'}; unknown: "
                             f"{', '.join(unknown) or 'none'})")
        for name in ("modal_splits",):
            item = value[name]
            if isinstance(item, list) and not all(isinstance(e, Split) for e in item):
                raise ValueError("modal_splits entries need year, unit, population, purposes, "
                                 "scope, definition, source and the shares")
        for name, item in value.items():
            if name != "modal_splits" and isinstance(item, list) and not all(
                    isinstance(e, Entry) for e in item):
                raise ValueError(f"{name}: entries need value, unit, year, definition, scope "
                                 "and source")
        return value

    def entries(self, field: str) -> list[Any]:
        """Return the sourced entries of ``field`` (empty when not found)."""
        item = self.fields[field]
        if isinstance(item, NotFound):
            return []
        return list(item) if isinstance(item, list) else [item]

    def latest(self, field: str) -> Entry | None:
        """Return the most recent sourced entry of ``field`` (None when not found)."""
        entries = [e for e in self.entries(field) if isinstance(e, Entry)]
        return max(entries, key=lambda e: e.year) if entries else None

    def coverage(self) -> list[tuple[str, str, str]]:
        """Return ``(field, status, detail)`` for every field.

        ``status`` is ``sourced``, ``derived`` (worked out from published figures),
        ``outdated`` (known to have changed since) or ``not found``; ``detail`` gives the
        year and scope of the most recent entry.
        """
        rows = []
        for name in FIELDS:
            entries = self.entries(name)
            if not entries:
                rows.append((name, "not found", ""))
                continue
            newest = max(entries, key=lambda e: e.year)
            status = ("derived" if newest.derived else
                      "outdated" if newest.outdated else "sourced")
            rows.append((name, status, f"{newest.year}, {newest.scope}"))
        return rows

    @property
    def n_sourced(self) -> int:
        """Number of fields with a sourced (or derived, or outdated) figure."""
        return sum(status != "not found" for _, status, _ in self.coverage())

    @property
    def sourced_share(self) -> float:
        """Share of the fields with a sourced (or derived) figure, 0-1."""
        return self.n_sourced / len(FIELDS)


def load_data_sheet(folder: str | Path) -> DataSheet | None:
    """Read and check a city folder's ``data_sheet.yaml``; None when the city has none.

    A sheet is parsed once per content on disk (path, modification time and size): every run
    reads it (data quality, the municipality's population), and a sweep runs many times. The
    sheet is frozen, so the one copy is shared.

    Raises
    ------
    CityDataError
        With ``file:line: place: message`` for every problem of the sheet.
    """
    path = Path(folder) / DATA_SHEET_FILE
    if not path.is_file():
        return None
    stat = path.stat()
    return _load_data_sheet(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _load_data_sheet(path: str, mtime_ns: int, size: int) -> DataSheet:
    doc = read_yaml(path, error=CityDataError)
    try:
        return DataSheet.model_validate(doc.data)
    except ValidationError as exc:
        raise CityDataError(format_validation_error(exc, doc, Path(path))) from None


def blank_data_sheet(slug: str, name: str) -> str:
    """Return the YAML text of an empty sheet for a new city: every field still to research."""
    lines = [f"# Data sheet: {name}. Format: cities/DATA_SHEETS.md (format_version 1).",
             "# A new city: every field is still to be researched. Replace each not_found entry",
             "# with value, unit, year, definition, scope, source and url from an official",
             "# statistic or survey; leave it not_found (saying what you searched) when there",
             "# is none. Never put a guess in value.",
             "format_version: 1", f"city: {slug}", f"name: {_quote(name)}", "fields:"]
    for field in FIELDS:
        lines += [f"  {field}:  # {FIELD_HELP[field]}", "    status: not_found",
                  "    searched: not yet researched"]
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"

