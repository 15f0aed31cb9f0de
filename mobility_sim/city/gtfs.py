"""Public transport stops and headways per cell from a GTFS feed.

Method (parameters in ``mobility_sim/data/city_build_parameters.csv``):

1. Service day: among the weekdays (Monday to Friday) of the feed's calendar (``calendar.txt``
   and ``calendar_dates.txt``; at most the first 366 days), the one with the most active trips.
2. Departures in the window ``gtfs.window_start_h`` to ``gtfs.window_end_h`` on that day are
   counted per stop, route and direction; ``frequencies.txt`` trips count
   ``overlap / headway_secs`` departures at each of their stops.
3. A stop's best headway = window length / the largest departure count of any of its routes
   (one direction). Stops without departures in the window are ignored.
4. ``pt_stop_distance_m``: walk distance to the nearest served stop (:func:`.layers.stop_distance`);
   ``pt_headway_min``: the best headway among served stops within ``gtfs.catchment_m`` of the
   cell centre, or else the nearest served stop's.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..exceptions import CityDataError
from .jobs import build_parameter
from .layers import LayerResult, stop_distance
from .model import DataSource, Layer

_REQUIRED: dict[str, tuple[str, ...]] = {
    "stops.txt": ("stop_id", "stop_lat", "stop_lon"),
    "trips.txt": ("trip_id", "route_id", "service_id"),
    "stop_times.txt": ("trip_id", "stop_id"),
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class _Feed:
    """Read the text tables of a GTFS zip or folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if path.is_dir():
            self.names = {p.name for p in path.iterdir()}
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                self.names = {Path(n).name for n in zf.namelist()}
                self.members = {Path(n).name: n for n in zf.namelist()}
        elif path.exists():
            raise CityDataError(f"{path}: not a zip file or folder; give a GTFS feed (.zip)")
        else:
            raise CityDataError(f"{path}: GTFS feed not found")

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> pd.DataFrame:
        try:
            if self.path.is_dir():
                raw = (self.path / name).read_bytes()
            else:
                with zipfile.ZipFile(self.path) as zf:
                    raw = zf.read(self.members[name])
            frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False,
                                encoding="utf-8-sig")
        except Exception as exc:  # any reader failure becomes a clear message
            raise CityDataError(f"{self.path}: {name}: cannot read as CSV ({exc})") from None
        frame.columns = [c.strip() for c in frame.columns]
        return frame


def _seconds(values: pd.Series) -> np.ndarray:
    """Parse GTFS ``H:MM:SS`` times (hours may exceed 24) to seconds; NaN where empty."""
    parts = values.str.strip().str.split(":", expand=True)
    if parts.shape[1] != 3:
        return np.full(len(values), np.nan)
    nums = parts.apply(pd.to_numeric, errors="coerce").to_numpy(float)
    return nums[:, 0] * 3600 + nums[:, 1] * 60 + nums[:, 2]


def _service_day(feed: _Feed, trips: pd.DataFrame) -> tuple[dt.date, set[str]]:
    """Pick the weekday with the most active trips; return it and its active service ids."""
    problems: list[str] = []
    adds: dict[dt.date, set[str]] = {}
    removes: dict[dt.date, set[str]] = {}
    rules: list[tuple[str, dt.date, dt.date, tuple[bool, ...]]] = []
    if feed.has("calendar.txt"):
        cal = feed.read("calendar.txt")
        need = {"service_id", "start_date", "end_date", *_WEEKDAYS}
        if missing := sorted(need - set(cal.columns)):
            problems.append(f"{feed.path}: calendar.txt lacks columns {missing}")
        else:
            for row in cal.itertuples(index=False):
                try:
                    start = dt.datetime.strptime(row.start_date.strip(), "%Y%m%d").date()
                    end = dt.datetime.strptime(row.end_date.strip(), "%Y%m%d").date()
                except ValueError:
                    problems.append(f"{feed.path}: calendar.txt: service {row.service_id}: "
                                    "dates must be YYYYMMDD")
                    continue
                flags = tuple(getattr(row, d).strip() == "1" for d in _WEEKDAYS)
                rules.append((row.service_id, start, end, flags))
    if feed.has("calendar_dates.txt"):
        cd = feed.read("calendar_dates.txt")
        if missing := sorted({"service_id", "date", "exception_type"} - set(cd.columns)):
            problems.append(f"{feed.path}: calendar_dates.txt lacks columns {missing}")
        else:
            for row in cd.itertuples(index=False):
                try:
                    day = dt.datetime.strptime(row.date.strip(), "%Y%m%d").date()
                except ValueError:
                    problems.append(f"{feed.path}: calendar_dates.txt: date {row.date!r} must "
                                    "be YYYYMMDD")
                    continue
                target = adds if row.exception_type.strip() == "1" else removes
                target.setdefault(day, set()).add(row.service_id)
    if not (feed.has("calendar.txt") or feed.has("calendar_dates.txt")):
        problems.append(f"{feed.path}: neither calendar.txt nor calendar_dates.txt; a GTFS feed "
                        "needs one to say when trips run")
    if problems:
        raise CityDataError(problems)
    days = [d for r in rules for d in (r[1], r[2])] + list(adds)
    if not days:
        raise CityDataError(f"{feed.path}: the calendar defines no service days")
    first = min(days)
    last = min(max(days), first + dt.timedelta(days=365))
    trips_per_service = trips.groupby("service_id").size().to_dict()
    best: tuple[int, dt.date, set[str]] | None = None
    day = first
    while day <= last:
        if day.weekday() < 5:
            active = {sid for sid, start, end, flags in rules
                      if start <= day <= end and flags[day.weekday()]}
            active = (active | adds.get(day, set())) - removes.get(day, set())
            n_trips = sum(trips_per_service.get(s, 0) for s in active)
            if best is None or n_trips > best[0]:
                best = (n_trips, day, active)
        day += dt.timedelta(days=1)
    if best is None or best[0] == 0:
        raise CityDataError(f"{feed.path}: no trip runs on any weekday of the calendar; the "
                            "builder counts weekday departures")
    return best[1], best[2]


def stop_headways(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, dt.date]:
    """Return served stops with their best headway in the window, and the service day used.

    Parameters
    ----------
    path : path-like
        GTFS zip or folder.

    Returns
    -------
    stops : DataFrame
        Columns ``stop_id``, ``lon``, ``lat``, ``departures`` (of the best route), ``headway_min``.
    day : datetime.date
        The service day.

    Raises
    ------
    CityDataError
        Listing missing files, missing columns and bad values.
    """
    feed = _Feed(Path(path))
    problems = [f"{feed.path}: missing {name}; a GTFS feed needs it" for name in _REQUIRED
                if not feed.has(name)]
    if problems:
        raise CityDataError(problems)
    tables = {name: feed.read(name) for name in _REQUIRED}
    for name, cols in _REQUIRED.items():
        if missing := [c for c in cols if c not in tables[name].columns]:
            problems.append(f"{feed.path}: {name} lacks columns {missing}")
    st = tables["stop_times.txt"]
    if "departure_time" not in st.columns and "arrival_time" not in st.columns:
        problems.append(f"{feed.path}: stop_times.txt has neither departure_time nor "
                        "arrival_time")
    if problems:
        raise CityDataError(problems)
    trips, stops = tables["trips.txt"], tables["stops.txt"]
    day, active = _service_day(feed, trips)
    start_s = build_parameter("gtfs.window_start_h") * 3600
    end_s = build_parameter("gtfs.window_end_h") * 3600
    window_min = (end_s - start_s) / 60
    if "direction_id" not in trips.columns:
        trips["direction_id"] = ""
    trips = trips[trips["service_id"].isin(active)][["trip_id", "route_id", "direction_id"]]
    times = st["departure_time"] if "departure_time" in st.columns else st["arrival_time"]
    if "arrival_time" in st.columns:
        times = times.where(times.str.strip() != "", st["arrival_time"])
    st = pd.DataFrame({"trip_id": st["trip_id"], "stop_id": st["stop_id"],
                       "t": _seconds(times)}).merge(trips, on="trip_id")
    counts = np.zeros(len(st))
    freq_trips: set[str] = set()
    if feed.has("frequencies.txt"):
        fq = feed.read("frequencies.txt")
        if {"trip_id", "start_time", "end_time", "headway_secs"} <= set(fq.columns):
            fs, fe = _seconds(fq["start_time"]), _seconds(fq["end_time"])
            hw = pd.to_numeric(fq["headway_secs"], errors="coerce").to_numpy(float)
            overlap = np.clip(np.minimum(fe, end_s) - np.maximum(fs, start_s), 0, None)
            per_trip = pd.Series(np.where(hw > 0, overlap / hw, 0.0)).groupby(
                fq["trip_id"].to_numpy()).sum()
            freq_trips = set(per_trip.index)
            is_freq = st["trip_id"].isin(freq_trips).to_numpy()
            counts[is_freq] = st.loc[is_freq, "trip_id"].map(per_trip).to_numpy(float)
    in_window = (~st["trip_id"].isin(freq_trips)).to_numpy() & (st["t"] >= start_s).to_numpy() \
        & (st["t"] < end_s).to_numpy()
    counts[in_window] = 1.0
    st["n"] = counts
    per_route = st.groupby(["stop_id", "route_id", "direction_id"])["n"].sum()
    best = per_route.groupby(level="stop_id").max()
    best = best[best > 0]
    if best.empty:
        raise CityDataError(
            f"{feed.path}: no departures between {start_s / 3600:g}:00 and {end_s / 3600:g}:00 "
            f"on {day.isoformat()} (the busiest weekday); check the feed's times")
    stops = stops[["stop_id", "stop_lat", "stop_lon"]].copy()
    stops["lat"] = pd.to_numeric(stops["stop_lat"], errors="coerce")
    stops["lon"] = pd.to_numeric(stops["stop_lon"], errors="coerce")
    served = stops.merge(best.rename("departures"), left_on="stop_id", right_index=True)
    bad = served["lat"].isna() | served["lon"].isna() | ~served["lat"].between(-90, 90) \
        | ~served["lon"].between(-180, 180)
    if bad.any():
        raise CityDataError(f"{feed.path}: stops.txt: {int(bad.sum())} served stops without "
                            f"valid coordinates (e.g. {served.loc[bad, 'stop_id'].iloc[0]}); fix "
                            "stop_lat/stop_lon")
    served["headway_min"] = window_min / served["departures"]
    return served[["stop_id", "lon", "lat", "departures", "headway_min"]].reset_index(
        drop=True), day


def gtfs_layers(
    path: str | os.PathLike[str], grid: gpd.GeoDataFrame, cell_size: float
) -> LayerResult:
    """Compute ``pt_stop_distance_m`` and ``pt_headway_min`` per cell from a GTFS feed.

    Parameters
    ----------
    path : path-like
        GTFS zip or folder.
    grid : GeoDataFrame
        The city grid in EPSG:3035.
    cell_size : float
        Cell side, metres.

    Returns
    -------
    LayerResult
        Both layers, real for every cell (the feed is the network: no stop nearby is data).

    Raises
    ------
    CityDataError
        If the feed is missing, malformed, or has no stop near the grid.
    """
    path = Path(path)
    served, day = stop_headways(path)
    pts = gpd.GeoSeries(gpd.points_from_xy(served["lon"], served["lat"]), crs="EPSG:4326")
    stops = pts.to_crs("EPSG:3035").to_numpy()
    centres = shapely.points(grid["x"].to_numpy(float), grid["y"].to_numpy(float))
    tree = shapely.STRtree(stops)
    catchment = build_parameter("gtfs.catchment_m")
    nearest_idx, nearest_d = tree.query_nearest(centres, return_distance=True,
                                                all_matches=False)
    if np.min(nearest_d) > 10 * cell_size:
        raise CityDataError(f"{path}: the nearest GTFS stop is {np.min(nearest_d) / 1000:.0f} km "
                            "from the grid; give the feed of this city")
    headway = np.empty(len(grid))
    headway[nearest_idx[0]] = served["headway_min"].to_numpy()[nearest_idx[1]]
    cell_i, stop_i = tree.query(centres, predicate="dwithin", distance=catchment)
    if len(cell_i):
        within = pd.Series(served["headway_min"].to_numpy()[stop_i]).groupby(cell_i).min()
        headway[within.index.to_numpy()] = within.to_numpy()
    window = (f"{build_parameter('gtfs.window_start_h'):g}:00-"
              f"{build_parameter('gtfs.window_end_h'):g}:00 on {day.isoformat()}")
    result = LayerResult(sources=[DataSource(
        name=f"GTFS feed {path.name}", licence="not stated in the feed: see the publisher's terms",
        citation=f"GTFS feed {path.name}, service day {day.isoformat()}")])
    result.columns["pt_stop_distance_m"] = stop_distance(grid, cell_size, stops)
    result.layers["pt_stop_distance_m"] = Layer(status="real", method=(
        f"mean walk distance (x access.circuity) to the nearest of {len(stops)} GTFS stops with "
        f"departures {window}"))
    result.columns["pt_headway_min"] = headway
    result.layers["pt_headway_min"] = Layer(status="real", method=(
        f"GTFS: {window} / departures of the busiest route and direction, best stop within "
        f"{catchment:g} m of the cell centre (else the nearest stop)"))
    result.covered = {k: np.ones(len(grid), dtype=bool) for k in result.columns}
    return result
