"""Turn pydantic validation errors into ``file:line: dotted.path: message`` lines.

Each line names the place in the file, says what is wrong, and, for a misspelt key or value,
suggests the nearest valid one ("did you mean ...?").
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .yamlio import YamlDocument

#: pydantic error types of a value that should have been a number.
_NUMBER_TYPES = frozenset({"int_type", "float_type", "int_parsing", "float_parsing"})


def did_you_mean(word: str, options: Sequence[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest option, or ``""``."""
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _model_of(annotation: Any) -> Any:
    """Strip Optional, Annotated and list from a type; return a model class or a union."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (list, tuple, set):
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
            else:
                return args
        else:
            return annotation


def _model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """Return the model class of the mapping at ``loc`` under ``root`` (None if not a model)."""
    current: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        if isinstance(current, list):  # a union: the next loc element is the tag
            current = next((m for m in current if isinstance(m, type) and issubclass(m, BaseModel)
                            and part in _tags(m)), None)
            if current is not None:
                continue
            return None
        if isinstance(current, type) and issubclass(current, BaseModel):
            if part not in current.model_fields:
                return None
            current = _model_of(current.model_fields[part].annotation)
        else:
            return None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def allowed_keys(root: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """Return the field names allowed at ``loc`` (the location of a mapping) under ``root``."""
    model = _model_at(root, loc)
    return list(model.model_fields) if model is not None else []


def field_hint(root: type[BaseModel] | None, loc: Sequence[str | int]) -> str:
    """Return ``" (<first sentence of the field's docstring>)"`` for the field at ``loc``."""
    if root is None or not loc:
        return ""
    model = _model_at(root, loc[:-1])
    field = model.model_fields.get(str(loc[-1])) if model is not None else None
    if field is None or not field.description:
        return ""
    text = " ".join(field.description.split()).replace("``", "'")
    first = text.split(". ")[0].rstrip(".")
    unit = (field.json_schema_extra or {}).get("unit") if isinstance(
        field.json_schema_extra, dict) else None
    return f" ({first}{f', in {unit}' if unit else ''})"


def _tags(model: type[BaseModel]) -> list[str]:
    field = model.model_fields.get("type")
    if field is None:
        return []
    return [str(a) for a in typing.get_args(field.annotation)]


def _quoted(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text)


def format_validation_error(
    exc: ValidationError, doc: YamlDocument, file: Path | str, root: type[BaseModel] | None = None,
    union_tags: Collection[str] = (),
) -> list[str]:
    """Return one ``file:line: path: message`` line per error in ``exc``.

    Parameters
    ----------
    exc : pydantic.ValidationError
        The error raised when validating ``doc.data``.
    doc : YamlDocument
        The parsed file (for line numbers and the offending values).
    file : path-like
        The file name to print.
    root : type, optional
        The model that was validated (for "did you mean" on misspelt keys).
    union_tags : collection of str
        The tags of the model's tagged unions (e.g. the measure types of a scenario), which
        pydantic puts into an error's location although they are no key of the file.
    """
    lines: list[str] = []
    for err in exc.errors():
        loc = list(err["loc"])
        # pydantic inserts the union tag into the location; keep only the parts in the file
        shown = [p for p in loc if not (isinstance(p, str) and p in union_tags)]
        path = ".".join(str(p) for p in shown) or "(top level)"
        line = doc.line_of(loc)
        kind = err["type"]
        ctx = err.get("ctx", {}) or {}
        if kind == "extra_forbidden":
            key = str(loc[-1])
            options = allowed_keys(root, loc[:-1]) if root is not None else []
            msg = f"unknown key {key!r}{did_you_mean(key, options)}"
            if options:
                msg += f"; allowed: {', '.join(options)}"
        elif kind == "union_tag_invalid":
            tag = str(ctx.get("tag", ""))
            expected = _quoted(str(ctx.get("expected_tags", "")))
            msg = f"unknown measure type {tag!r}{did_you_mean(tag, expected)}; " \
                  f"known types: {', '.join(expected)}"
            path = ".".join(str(p) for p in [*shown, "type"])
        elif kind == "union_tag_not_found":
            msg = "every measure needs a 'type' (e.g. 'type: pt_frequency')"
        elif kind in ("literal_error", "enum"):
            expected = _quoted(str(ctx.get("expected", "")))
            given = err.get("input")
            msg = f"{given!r} is not allowed{did_you_mean(str(given), expected)}; " \
                  f"use one of: {', '.join(expected)}"
        elif kind == "missing":
            msg = f"missing required key {str(loc[-1])!r}{field_hint(root, loc)}"
        elif kind in _NUMBER_TYPES and isinstance(err.get("input"), str):
            msg = f"{err['msg']} (got {err['input']!r}; write numbers without quotes)"
        else:
            message = err["msg"].removeprefix("Value error, ")
            msg = f"{message} (got {err.get('input')!r})" if not isinstance(
                err.get("input"), dict | list) else message
        lines.append(f"{file}:{line}: {path}: {msg}")
    return lines
