"""Is the fused kernel slower than at a previous commit? Both timed in one process, interleaved.

CI runs this after the tests (``make test``): the kernel package of ``--base`` (default the
previous commit) is copied out of git into a temporary folder as a package of its own, both
kernels are compiled, and then they alternate on the same inputs (a synthetic city of
``--cells`` cells, one warm-started year), ``--repeats`` times each. The median time of the
current kernel over the base's is the ratio printed; above ``--threshold`` (1.10: 10 % slower)
the line starts with ``REGRESSION``. Alternating in one process makes the ratio robust to a
shared, noisy machine (absolute times are not compared across runs). When the base's kernel
cannot run the current inputs (its interface changed), or git or the base commit is missing,
the script says so and exits 0: the check flags, it never breaks the build.

    python benchmarks/regression.py --base HEAD~1 --cells 1500 --repeats 7
"""

from __future__ import annotations

import argparse
import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def base_kernels(base: str, folder: Path) -> str:
    """Copy ``kernels/`` of commit ``base`` into ``folder/base_kernels``; return its name."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", base,
                              "kernels"], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "kernels").rename(folder / "base_kernels")
    sys.path.insert(0, str(folder))
    return "base_kernels"


def main(argv: list[str] | None = None) -> int:
    """Print the current kernel's time over the base commit's; flag a regression."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD~1")
    parser.add_argument("--cells", type=int, default=1500)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=1.10)
    args = parser.parse_args(argv)
    from mobility_sim.kernels.fused import demand_fused

    from mobility_sim.bench import synthetic_inputs

    with tempfile.TemporaryDirectory() as tmp:
        try:
            name = base_kernels(args.base, Path(tmp))
            base = importlib.import_module(f"{name}.fused").demand_fused
        except (subprocess.CalledProcessError, FileNotFoundError, ImportError) as exc:
            print(f"kernel regression check: skipped (no kernel at {args.base}: {exc})")
            return 0
        first = synthetic_inputs(args.cells, 0, 2, 2)
        inputs, params = synthetic_inputs(args.cells, 1, 2, 2)
        try:
            start_now = demand_fused(*first).balancing
            start_base = base(*first).balancing
        except Exception as exc:  # the base kernel's interface differs from today's inputs
            print(f"kernel regression check: skipped ({args.base}'s kernel cannot run today's "
                  f"inputs: {type(exc).__name__}: {exc})")
            return 0
        now_t, base_t = [], []
        for _ in range(args.repeats):
            t = time.perf_counter()
            demand_fused(inputs, params, start_now)
            now_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            base(inputs, params, start_base)
            base_t.append(time.perf_counter() - t)
    ratio = statistics.median(now_t) / statistics.median(base_t)
    flag = "REGRESSION: " if ratio > args.threshold else ""
    print(f"{flag}kernel regression check: {args.cells} cells, one year, median of "
          f"{args.repeats}: this commit {statistics.median(now_t):.3f} s, {args.base} "
          f"{statistics.median(base_t):.3f} s, ratio {ratio:.3f} (flagged above "
          f"{args.threshold:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
