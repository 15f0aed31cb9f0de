"""The sweep store: one Parquet file per finished job, named by the job's content hash.

Layout of a store folder::

    store.json                     format marker (written once)
    jobs/<k[:2]>/<key>.parquet     one finished job: its per-year table (see ``job_table``)
    failed/<key>.json              one failed job: its tags and the error, until it succeeds

Every file is written to a temporary name and renamed (:func:`mobility_sim.yamlio.atomic_path`),
so a job file exists only once it is complete: an interrupted sweep leaves finished jobs whole
and nothing half-written, and a rerun skips every key that has a file. Only the process that
drives a sweep writes to the store (workers return tables to it), so the store needs no shared
file system on a cluster.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ..results import Results
from ..yamlio import atomic_path, write_text_atomic
from .errors import SweepStoreError

#: Marker written in ``store.json``.
STORE_FORMAT = "mobility_sim sweep store"
STORE_VERSION = 1

#: Per-mode quantities copied from the ``modes`` table into the job table.
MODE_QUANTITIES: tuple[str, ...] = ("trips", "pkm", "vkm", "co2_ttw_t", "co2_wtw_t")


def job_table(results: Results) -> pd.DataFrame:
    """Return the per-year table stored for one job.

    Columns: every column of ``results.summary`` and, for each model mode ``m`` and quantity
    ``q`` of :data:`MODE_QUANTITIES`, a column ``q.m`` (e.g. ``pkm.walk``, ``co2_wtw_t.car_ice``).
    """
    table = results.summary.copy()
    wide = results.modes.pivot(index="year", columns="mode", values=list(MODE_QUANTITIES))
    wide.columns = [f"{q}.{m}" for q, m in wide.columns]
    return table.merge(wide.reset_index(), on="year", how="left")


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

    def failure_path(self, key: str) -> Path:
        """Return the failure record of a job."""
        return self.folder / "failed" / f"{key}.json"

    def has(self, key: str) -> bool:
        """Return whether the job ``key`` finished."""
        return self.path_of(key).is_file()

    def finished(self) -> set[str]:
        """Return the keys of every finished job (one directory scan)."""
        jobs = self.folder / "jobs"
        if not jobs.is_dir():
            return set()
        return {p.stem for p in jobs.glob("*/*.parquet")}

    def write(self, key: str, table: pd.DataFrame) -> None:
        """Store a finished job atomically and clear its failure record, if any.

        Raises
        ------
        SweepStoreError
            If the file cannot be written.
        """
        try:
            with atomic_path(self.path_of(key)) as tmp:
                table.to_parquet(tmp, index=False)
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
        for key in keys:
            path = self.path_of(key)
            if not path.is_file():
                missing.append(key)
                continue
            frames.append(pd.read_parquet(path))
        if missing:
            raise SweepStoreError(f"{self.folder}: {len(missing)} job(s) have not finished "
                                  f"(first: {missing[0]}); rerun the sweep to complete them")
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
