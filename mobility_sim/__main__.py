"""``python -m mobility_sim ...`` and the ``mobility-sim`` command.

The entry point catches an interrupt (Ctrl-C) or a termination signal from the very start,
before the command-line modules are imported, so that neither ends in a traceback: the command
stops with one line and exit code 130 (interrupt) or 143 (SIGTERM). Work in progress is not
half-written: results are written to a temporary place and renamed only when complete.
"""

from __future__ import annotations

import signal
import sys
from typing import NoReturn


def _terminated(signum: int, frame: object) -> NoReturn:
    raise SystemExit(128 + signum)


def main() -> None:
    """Run the command line (:func:`mobility_sim.cli.main`), ending cleanly on a signal."""
    signal.signal(signal.SIGTERM, _terminated)  # unwinds like Ctrl-C: workers are stopped
    try:
        from .cli import main as cli_main

        cli_main()
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
