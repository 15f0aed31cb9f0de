"""``mobility-sim schema``: write (or check) the generated scenario artefacts.

The JSON Schema (``scenarios/scenario.schema.json``) and the measure reference
(``docs/measures.md``) are generated from the pydantic models; this command rewrites both, or
with ``--check`` exits with code 2 and a diff when a checked-in file is stale.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated

import typer

from .reference_doc import reference_text
from .schema import schema_text

#: Default locations, relative to the working directory (the repository root).
SCHEMA_PATH = Path("scenarios") / "scenario.schema.json"
DOCS_PATH = Path("docs") / "measures.md"


def stale_diff(path: Path, expected: str) -> str:
    """Return a unified diff from the file at ``path`` to ``expected`` ("" when in sync)."""
    current = path.read_text(encoding="utf-8") if path.is_file() else ""
    if current == expected:
        return ""
    return "".join(difflib.unified_diff(current.splitlines(keepends=True),
                                        expected.splitlines(keepends=True),
                                        fromfile=f"{path} (checked in)",
                                        tofile=f"{path} (generated)"))


def schema_command(
    check: Annotated[bool, typer.Option(
        "--check", help="Only compare; exit 2 with a diff if a file is stale.")] = False,
    schema: Annotated[Path, typer.Option(help="JSON Schema file to write.")] = SCHEMA_PATH,
    docs: Annotated[Path, typer.Option(help="Measure reference page to write.")] = DOCS_PATH,
) -> None:
    """Write the scenario JSON Schema and the measure reference page (generated from the models)."""
    from ..io.yamlio import write_text_atomic

    outputs = {schema: schema_text(), docs: reference_text()}
    if check:
        diffs = [d for path, text in outputs.items() if (d := stale_diff(path, text))]
        for diff in diffs:
            typer.echo(diff, err=True)
        if diffs:
            typer.echo("error: generated files are stale; run 'mobility-sim schema'", err=True)
            raise typer.Exit(code=2)
        typer.echo("ok: schema and measure reference are up to date")
        return
    for path, text in outputs.items():
        write_text_atomic(path, text)
        typer.echo(f"wrote {path}")
