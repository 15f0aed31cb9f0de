"""Read the council tables beside a run (written by ``mobility-sim run --council``).

:func:`mobility_sim.analysis.council.save_council` writes them into ``RUN/council/``; this
module reads them for the dashboard, like :mod:`.attribution_tables` reads an attribution.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from ..exceptions import MobilitySimError

#: The council folder's tables and their files.
FILES: dict[str, str] = {
    "contributions": "contributions.parquet", "totals": "totals.parquet",
    "band": "band.parquet", "runs": "band_runs.parquet", "measures": "appraisal.csv",
    "money": "money_by_year.csv", "lines": "cost_lines.csv"}


def read_council(folder: Path) -> dict[str, Any]:
    """Read the council tables of ``folder`` (``info`` and one DataFrame per table).

    Raises
    ------
    MobilitySimError
        When a file is missing or unreadable, naming it and the command that writes it.
    """
    folder = Path(folder)
    how = "write them with 'mobility-sim run SCENARIO --council'"
    out: dict[str, Any] = {}
    try:
        out["info"] = json.loads((folder / "council.json").read_text(encoding="utf-8"))
        for name, file in FILES.items():
            path = folder / file
            out[name] = pd.read_parquet(path) if file.endswith(".parquet") else pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise MobilitySimError(f"{folder}: council tables missing or unreadable ({exc}); "
                               f"{how}") from None
    return out
