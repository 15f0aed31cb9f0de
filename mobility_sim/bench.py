"""Benchmark command (placeholder until the numba kernel lands)."""

from __future__ import annotations

import typer


def bench_command() -> None:
    """Benchmark the demand kernel on a synthetic city (not available yet)."""
    typer.echo("bench: not available yet", err=True)
    raise typer.Exit(code=1)
