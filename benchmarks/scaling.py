"""Time growth with city size: runs ``mobility-sim bench`` at several sizes, fits the exponent.

Usage::

    .venv/bin/python benchmarks/scaling.py                       # 2,500 / 5,000 / 10,000 cells
    .venv/bin/python benchmarks/scaling.py --cells 1000 2000 --years 2 --segments 2

Each size runs in its own process (so peak memory is per size) and prints its JSON line; the
last line is ``{"scaling_exponent": b, ...}`` from a least-squares fit of
``log(seconds_per_year) = a + b log(cells)`` (2 means time grows like the number of cell pairs).
The reference is not timed here (``--no-reference``): the fit is about the fused kernel.
Measured on the 2-core CI VM with the default 26 years: 1.98 to 2.05 over runs (time per year
0.026 / 0.104 / 0.407 s); the smallest city's stored array (25 MB) fits in the L3 cache and it
needs fewer balancing sweeps, which is what pushes the exponent up to 2.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import numpy as np


def main() -> None:
    """Parse arguments, run the sizes, print the JSON lines and the fitted exponent."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, nargs="+", default=[2500, 5000, 10000])
    # The model's horizon (2025-2050). With few years the first one weighs more: it balances
    # from a cold start and, in a fresh process, pays for the memory of the stored array being
    # touched for the first time (about 0.4 s at 10,000 cells on the CI VM, nothing at 2,500).
    parser.add_argument("--years", type=int, default=26)
    parser.add_argument("--segments", type=int, default=1)
    parser.add_argument("--purposes", type=int, default=1)
    parser.add_argument("--dtype", default="float32")
    args = parser.parse_args()
    seconds = []
    for cells in args.cells:
        done = subprocess.run(
            [sys.executable, "-m", "mobility_sim", "bench", "--cells", str(cells), "--years",
             str(args.years), "--segments", str(args.segments), "--purposes",
             str(args.purposes), "--dtype", args.dtype, "--no-reference"],
            capture_output=True, text=True, check=True)
        record = json.loads(done.stdout.strip().splitlines()[-1])
        print(json.dumps(record), flush=True)
        seconds.append(record["seconds_per_year"])
    slope = float(np.polyfit(np.log(args.cells), np.log(seconds), 1)[0])
    print(json.dumps({"scaling_exponent": slope, "cells": args.cells,
                      "seconds_per_year": seconds}))


if __name__ == "__main__":
    main()
