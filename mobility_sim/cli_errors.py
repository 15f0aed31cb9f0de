"""How every command ends on bad input: one ``error:`` line per problem, exit code 2."""

from __future__ import annotations

from typing import NoReturn

import typer

from .exceptions import MobilitySimError


def fail(error: MobilitySimError) -> NoReturn:
    """Print every problem of ``error`` to stderr and exit with code 2 (no traceback)."""
    for line in error.problems:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(code=2)
