"""Generate ``docs/measures.md``, the measure reference, from the scenario schema.

Everything on the page comes from the models (class and field docstrings, units, ranges,
defaults, area rules), the parameter table (values and sources of the defaults a measure uses)
and the library's illustrative settings (examples). A test fails when the checked-in page is
stale; regenerate it with ``mobility-sim schema``.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ..data import parameter_table
from .base import Area, Cost, LineGeometry, MeasureBase
from .library import EXAMPLES, _measure_yaml
from .models import MEASURE_TYPES, ReferenceElements, Scenario, Target, Years

_AREA_TEXT = {
    "optional": "optional (whole city when omitted)",
    "required": "required",
    "none": "none",
}


def _is_measure_union(annotation: Any) -> bool:
    """Whether ``annotation`` is the union of the measure types (the scenario's ``measures``)."""
    args = typing.get_args(annotation)
    return bool(args) and all(isinstance(a, type) and issubclass(a, MeasureBase) for a in args)


def _type_text(annotation: Any) -> str:
    """Return a field's type in words and Markdown links (never Python's own type text)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_text(args[0])
    if origin is typing.Literal:
        return " / ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        if _is_measure_union(annotation):
            return f"a measure (one of the [{len(args)} types](#catalogue) above)"
        return " or ".join(_type_text(a) for a in args if a is not type(None))
    if origin is dict:
        return f"mapping {_type_text(args[0])} -> {_type_text(args[1])}"
    if origin is list:
        inner = args[0]
        if typing.get_origin(inner) is typing.Annotated:
            inner = typing.get_args(inner)[0]
        if _is_measure_union(inner):
            return (f"list of measures (one of the [{len(typing.get_args(inner))} types]"
                    "(#catalogue) above)")
        return f"list of {_type_text(inner)}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    known = {float: "number", int: "integer", str: "text", bool: "true / false"}
    if annotation in known:
        return known[annotation]
    # Anything else: its bare name, never a module path (``typing.``, ``mobility_sim.``)
    return str(getattr(annotation, "__name__", "value")).lower()


def _range_text(field: FieldInfo) -> str:
    parts = []
    for item in field.metadata:
        if isinstance(item, Ge):
            parts.append(f">= {item.ge:g}")
        elif isinstance(item, Gt):
            parts.append(f"> {item.gt:g}")
        elif isinstance(item, Le):
            parts.append(f"<= {item.le:g}")
        elif isinstance(item, Lt):
            parts.append(f"< {item.lt:g}")
    return ", ".join(parts)


def _value_text(value: Any) -> str:
    """Return a default value as a scenario file writes it (YAML words, not Python's repr)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, BaseModel):
        return _value_text(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value_text(v) for v in value) + "]"
    return str(value)


def _default_text(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    default = field.get_default(call_default_factory=True)
    if default is None:
        return "none"
    if default is PydanticUndefined:
        return ""
    if isinstance(default, str) and not default:
        return "empty"
    if isinstance(default, BaseModel):
        values = default.model_dump(mode="json")
        if values and all(v is True for v in values.values()):
            return "all `true`"
    return f"`{_value_text(default)}`"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def fields_table(model: type[BaseModel], skip: tuple[str, ...] = ()) -> list[str]:
    """Return the Markdown table of the fields of ``model`` (except ``skip``)."""
    rows = ["| key | type | unit | default | range | meaning |",
            "|---|---|---|---|---|---|"]
    for name, field in model.model_fields.items():
        if name in skip:
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        rows.append(f"| `{name}` | {_cell(_type_text(field.annotation))} | "
                    f"{_cell(extra.get('unit', ''))} | {_cell(_default_text(field))} | "
                    f"{_range_text(field)} | {_cell(field.description or '')} |")
    return rows


def _doc_parts(cls: type) -> tuple[str, str]:
    """Return (summary, model paragraph) of a class docstring."""
    text = (cls.__doc__ or "").strip()
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    summary = paragraphs[0] if paragraphs else ""
    rest = " ".join(paragraphs[1:]).removeprefix("Model:").removeprefix("Model,").strip()
    return summary, rest


def _parameters_table(keys: tuple[str, ...]) -> list[str]:
    table = parameter_table().set_index("key")
    rows = ["| parameter | value | unit | source |", "|---|---|---|---|"]
    for key in keys:
        row = table.loc[key]
        rows.append(f"| `{key}` | {float(row['value']):g} | {row['unit']} | "
                    f"{_cell(row['source'])} |")
    return rows


def _example(stem: str) -> list[str]:
    return ["```yaml", "measures:", _measure_yaml(EXAMPLES[stem]).rstrip("\n"), "```"]


def _measure_section(type_name: str, cls: type[MeasureBase]) -> list[str]:
    summary, model = _doc_parts(cls)
    area = _AREA_TEXT[cls.AREA_RULE] + (f" ({cls.AREA_REASON})" if cls.AREA_REASON else "")
    model = model[:1].upper() + model[1:]
    lines = [f"### `{type_name}`", "", summary, "",
             f"**What it changes in the model.** {model}", "", f"**Area:** {area}.", "",
             "Fields (besides the [common fields](#common-fields)):", "",
             *fields_table(cls, skip=(*MeasureBase.model_fields, "type")), ""]
    if cls.PARAMETERS:
        lines += ["Defaults it uses (`mobility_sim/data/parameters.csv`):", "",
                  *_parameters_table(cls.PARAMETERS), ""]
    stems = [s for s, m in EXAMPLES.items() if m["type"] == type_name]
    for stem in stems:
        lines += [f"Example (`scenarios/<city>/{stem}.yaml`, illustrative):", "", *_example(stem),
                  ""]
    return lines


def reference_text() -> str:
    """Return the Markdown text of ``docs/measures.md``."""
    lines = [
        "# Measure reference",
        "",
        "<!-- Generated by `mobility-sim schema` from the scenario models "
        "(mobility_sim/scenario/reference_doc.py). Do not edit by hand: a test fails when this "
        "page is stale. -->",
        "",
        "A scenario lists **measures**: each is written in its physical units, in the area where "
        "it applies, with a time profile. The model turns it into changed *inputs* (speeds, "
        "waits, prices, availabilities, trip rates, where people live) and works out the "
        "behavioural response; no measure sets an outcome such as a mode share.",
        "",
        "A measure's **intensity** is 0 before `start`, 1 from `end` on (`end` defaults to "
        "`start`), and in between follows its `profile`: `step` (1 from `start`), `linear`, or "
        "`s-curve` (smoothstep `3t^2 - 2t^3`). The lever moves from its baseline towards the "
        "measure's target value by the intensity, so a measure at intensity 0 changes nothing. "
        "Measures stay in force after `end`. Two measures of the same kind may not act on the "
        "same cells (the loader reports the overlap); in disjoint areas they may. Unlabelled "
        "measures of a repeated type are labelled `<type> 1`, `<type> 2`, ... in the results.",
        "",
        "## Catalogue",
        "",
        "| type | what | area |",
        "|---|---|---|",
    ]
    for name, cls in MEASURE_TYPES.items():
        lines.append(f"| [`{name}`](#{name}) | {_cell(_doc_parts(cls)[0])} | "
                     f"{_AREA_TEXT[cls.AREA_RULE]} |")
    lines += ["", "## Common fields", "",
              "Every measure has `type` (one of the catalogue) and these fields:", "",
              *fields_table(MeasureBase), "", "## Measures", ""]
    for name, cls in MEASURE_TYPES.items():
        lines += _measure_section(name, cls)
    lines += ["## Scenario file", "", _doc_parts(Scenario)[0], "", *fields_table(Scenario), ""]
    for model in (Years, Target, ReferenceElements, Area, LineGeometry, Cost):
        summary, rest = _doc_parts(model)
        lines += [f"### {model.__name__}", "", " ".join(x for x in (summary, rest) if x), "",
                  *fields_table(model), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
