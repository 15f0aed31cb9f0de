"""The sweep store: one Parquet file per finished job, named by the job's content hash.

Layout of a store folder::

    store.json                     format marker (written once)
    jobs/<k[:2]>/<key>.parquet     one finished job: its per-year table (see ``job_table``)
    jobs/<k[:2]>/<key>.json        its record: key, SHA-256 of the Parquet file, rows, and the
                                   run settings it was computed with (engine, numba threads,
                                   mobility_sim version); written after the table
    failed/<key>.json              one failed job: its tags and the error, until it succeeds

Every file is written to a temporary name and renamed
(:func:`mobility_sim.io.yamlio.atomic_path`),
so a job file exists only once it is complete: an interrupted sweep leaves finished jobs whole
and nothing half-written, and a rerun skips every key whose table matches its record. The store
verifies what it reuses: a table that was edited, truncated or copied from another job, or a
record that is missing or unreadable, is reported, removed and computed again, never reused. A
job computed with other run settings (results differ in the last digits with the thread count)
is computed again too. Only the process that drives a sweep writes to the store (workers return
tables to it), so the store needs no shared file system on a cluster.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..exceptions import SweepStoreError
from ..indicators import SPENDING_ITEMS, welfare_per_trip, whole_grid
from ..io.yamlio import atomic_path, file_sha256, write_text_atomic
from ..results import Results

#: Marker written in ``store.json``.
STORE_FORMAT = "mobility_sim sweep store"
STORE_VERSION = 2

#: Per-mode quantities copied from the ``modes`` table into the job table.
MODE_QUANTITIES: tuple[str, ...] = ("trips", "pkm", "vkm", "co2_ttw_t", "co2_wtw_t")


def fixed_residents(welfare: pd.DataFrame, population: pd.Series) -> pd.DataFrame:
    """Return each year's welfare by segment on the first year's trips, grown with residents.

    ``welfare``: one run's rows (``year, cell_id, segment, trips, welfare_eur``);
    ``population``: the run's residents by year. A cell's segment counts its welfare per trip
    times its trips of the first year x the year's residents over the first year's.
    """
    first = int(welfare["year"].min())
    weight = welfare[welfare["year"] == first].set_index(["cell_id", "segment"])["trips"]
    keyed = welfare.set_index(["cell_id", "segment"])
    per_trip = welfare_per_trip(keyed["welfare_eur"], keyed["trips"])
    grown = keyed["year"].map(population / float(population.loc[first]))
    fixed = per_trip * weight.reindex(keyed.index).fillna(0.0).to_numpy() * grown
    return (keyed.assign(fixed=fixed).reset_index()
            .pivot_table(index="year", columns="segment", values="fixed", aggfunc="sum"))


def job_table(results: Results) -> pd.DataFrame:
    """Return the per-year table stored for one job.

    Columns: every column of ``results.summary`` and, for each model mode ``m`` and quantity
    ``q`` of :data:`MODE_QUANTITIES`, a column ``q.m`` (e.g. ``pkm.walk``, ``co2_wtw_t.car_ice``);
    and, when the run has its ``welfare`` table, ``welfare_eur.<segment>`` (the residents'
    welfare per trip, the logsum in EUR, times the first year's trips grown with the
    residents: differences between jobs of one package are consumer surpluses on the same
    residents, as :func:`mobility_sim.indicators.surplus_rows` counts them); when it has its
    ``spending`` table, ``spending_eur.<segment>`` (the money they pay for their trips, EUR a
    year).
    """
    table = results.summary.copy()
    wide = results.modes.pivot(index="year", columns="mode", values=list(MODE_QUANTITIES))
    wide.columns = [f"{q}.{m}" for q, m in wide.columns]
    table = table.merge(wide.reset_index(), on="year", how="left")
    welfare = results.welfare
    if isinstance(welfare, pd.DataFrame) and "case" in welfare.columns:
        welfare = welfare[welfare["case"] == "scenario"]
    if isinstance(welfare, pd.DataFrame) and not welfare.empty:
        per = fixed_residents(welfare, results.summary.set_index("year")["population"])
        per.columns = [f"welfare_eur.{c}" for c in per.columns]
        table = table.merge(per.reset_index(), on="year", how="left")
    spending = results.spending
    if isinstance(spending, pd.DataFrame) and not spending.empty:
        if "case" in spending.columns:
            spending = spending[spending["case"] == "scenario"]
        spending = whole_grid(spending)
        money = spending[[f"{item}_eur" for item in SPENDING_ITEMS]].sum(axis=1)
        per = spending.assign(eur=money).pivot_table(index="year", columns="segment",
                                                     values="eur", aggfunc="sum")
        per.columns = [f"spending_eur.{c}" for c in per.columns]
        table = table.merge(per.reset_index(), on="year", how="left")
    return table


class ResultStore:
    """A folder of finished (and failed) jobs of sweeps.

    Parameters
    ----------
    folder : path-like
        The store folder; created when missing. An existing folder must be empty or a store.

    Raises
    ------
    SweepStoreError
        If the folder is a file, holds other files, or cannot be written.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        #: What the last :meth:`finished` found wrong with stored jobs, one line each.
        self.problems: list[str] = []
        marker = self.folder / "store.json"
        if self.folder.exists() and not self.folder.is_dir():
            raise SweepStoreError(f"{self.folder}: exists and is not a folder; choose another "
                                  "--store folder")
        if marker.is_file():
            try:
                info = json.loads(marker.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise SweepStoreError(f"{marker}: unreadable store marker ({exc}); delete the "
                                      "folder or choose another --store") from None
            if info.get("format") != STORE_FORMAT or info.get("version") != STORE_VERSION:
                raise SweepStoreError(f"{marker}: not a version-{STORE_VERSION} sweep store "
                                      f"({info}); choose another --store folder")
            return
        if self.folder.is_dir() and any(self.folder.iterdir()):
            raise SweepStoreError(f"{self.folder}: folder is not empty and is not a sweep store "
                                  "(no store.json); choose an empty or new --store folder")
        try:
            write_text_atomic(marker, json.dumps({"format": STORE_FORMAT,
                                                  "version": STORE_VERSION}) + "\n")
        except OSError as exc:
            raise SweepStoreError(f"{self.folder}: cannot create the store "
                                  f"({exc.strerror or exc}); choose a folder you can write "
                                  "to") from None

    def path_of(self, key: str) -> Path:
        """Return the file of a finished job."""
        return self.folder / "jobs" / key[:2] / f"{key}.parquet"

    def record_path(self, key: str) -> Path:
        """Return the record (checksum and run settings) of a finished job."""
        return self.folder / "jobs" / key[:2] / f"{key}.json"

    def check(self, key: str, run: Mapping[str, Any] | None = None) -> str | None:
        """Return why job ``key``'s stored table cannot be reused, or None when it can.

        Parameters
        ----------
        key : str
            The job key.
        run : mapping, optional
            The run settings the table must have been computed with (see
            :func:`mobility_sim.analysis.sweep.run_settings`); not checked when None.
        """
        table, record = self.path_of(key), self.record_path(key)
        if not table.is_file():
            return "no table"
        try:
            info = json.loads(record.read_text(encoding="utf-8"))
            digest = info["sha256"]
            stored_key = info["key"]
        except (OSError, ValueError, KeyError, TypeError):
            return "damaged: its record (checksum) is missing or unreadable"
        if stored_key != key:
            return f"damaged: the file belongs to job {str(stored_key)[:12]}"
        if file_sha256(table) != digest:
            return "damaged: the table does not match its checksum (edited or truncated)"
        if run is not None:
            other = {k: info.get(k) for k in run if info.get(k) != run[k]}
            if other:
                return f"computed with other run settings {other}"
        return None

    def failure_path(self, key: str) -> Path:
        """Return the failure record of a job."""
        return self.folder / "failed" / f"{key}.json"

    def has(self, key: str) -> bool:
        """Return whether the job ``key`` finished and its table matches its record."""
        return self.check(key) is None

    def finished(self, run: Mapping[str, Any] | None = None) -> set[str]:
        """Return the keys of every finished job whose stored table can be reused.

        Every table is checked against its record (:meth:`check`). A damaged one is removed,
        so that the sweep computes it again, and reported in :attr:`problems`; one computed with
        other run settings than ``run`` is left in place (the sweep overwrites it).
        """
        self.problems = []
        jobs = self.folder / "jobs"
        if not jobs.is_dir():
            return set()
        keys = {p.stem for p in jobs.glob("*/*.parquet")}
        good = set()
        for key in sorted(keys):
            why = self.check(key, run)
            if why is None:
                good.add(key)
                continue
            self.problems.append(f"{self.path_of(key)}: {why}; computed again")
            if why.startswith("damaged"):
                self.path_of(key).unlink(missing_ok=True)
                self.record_path(key).unlink(missing_ok=True)
        return good

    def write(self, key: str, table: pd.DataFrame, run: Mapping[str, Any] | None = None) -> None:
        """Store a finished job atomically, then its record; clear its failure record.

        Parameters
        ----------
        key : str
            The job key.
        table : pandas.DataFrame
            The job's table.
        run : mapping, optional
            The run settings it was computed with, kept in its record.

        Raises
        ------
        SweepStoreError
            If the file cannot be written.
        """
        try:
            with atomic_path(self.path_of(key)) as tmp:
                table.to_parquet(tmp, index=False)
            record = {"key": key, "sha256": file_sha256(self.path_of(key)), "rows": len(table),
                      **dict(run or {})}
            write_text_atomic(self.record_path(key), json.dumps(record, indent=1) + "\n")
            self.failure_path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise SweepStoreError(f"{self.path_of(key)}: cannot write ({exc.strerror or exc}); "
                                  "check free space and permissions of the --store "
                                  "folder") from None

    def write_failure(self, key: str, tags: dict[str, Any], message: str) -> None:
        """Record that job ``key`` failed, with its tags and the error message."""
        record = {"key": key, "tags": tags, "error": message}
        write_text_atomic(self.failure_path(key), json.dumps(record, indent=2, default=str))

    def failures(self) -> list[dict[str, Any]]:
        """Return the failure records (key, tags, error) of jobs that have not succeeded."""
        folder = self.folder / "failed"
        if not folder.is_dir():
            return []
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]

    def read(self, keys: Iterable[str] | None = None) -> pd.DataFrame:
        """Return the tables of finished jobs stacked (all jobs, or ``keys`` in order).

        Raises
        ------
        SweepStoreError
            If one of ``keys`` has not finished.
        """
        if keys is None:
            keys = sorted(self.finished())
        frames = []
        missing = []
        damaged = []
        for key in keys:
            path = self.path_of(key)
            why = self.check(key)
            if why == "no table":
                missing.append(key)
                continue
            if why is not None:
                damaged.append(f"{path}: {why}")
                continue
            try:
                frames.append(pd.read_parquet(path))
            except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
                damaged.append(f"{path}: unreadable ({exc})")
        if damaged:
            raise SweepStoreError([f"{line}; rerun the sweep to compute it again"
                                   for line in damaged])
        if missing:
            raise SweepStoreError(f"{self.folder}: {len(missing)} job(s) have not finished "
                                  f"(first: {missing[0]}); rerun the sweep to complete them")
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
