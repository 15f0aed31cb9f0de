"""Load a scenario file: schema first (every problem at once), then meaning against the city."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from .._version import __version__
from ..city import City, load_city
from ..exceptions import CityDataError, ScenarioError
from ..io.input_errors import format_validation_error
from ..io.yaml_guard import yaml_guard_problems
from ..io.yamlio import YamlDocument, dump_yaml, read_yaml
from .checks import line_order, semantic_checks
from .levers import YearLevers, year_levers
from .models import MEASURE_TYPES, Scenario

#: Keys merged rather than replaced when a scenario extends a parent.
_MERGED = ("measures", "parameters")


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with its city.

    Attributes
    ----------
    scenario : Scenario
        The resolved scenario (parent merged in; ``extends`` kept for the record; defaults
        that depend on the city filled in, e.g. a PT line's catchment).
    path : pathlib.Path
        The scenario file.
    city : City
        The city it runs on.
    masks : list of ndarray of bool
        For each measure, the cells it applies to (for a new PT line: the cells it serves).
    content_hash : str
        SHA-256 of the resolved scenario, the city data and the package version.
    """

    scenario: Scenario
    path: Path
    city: City
    masks: list[np.ndarray]
    content_hash: str

    def resolved_yaml(self) -> str:
        """Return the fully resolved scenario as YAML text."""
        data = self.scenario.model_dump(mode="json", exclude_none=True)
        buf = io.StringIO()
        buf.write(f"# resolved from {self.path.name}"
                  + (f" (extends {self.scenario.extends})" if self.scenario.extends else "") + "\n")
        buf.write(f"# content hash {self.content_hash}\n")
        dump_yaml(data, buf)
        return buf.getvalue()

    def year_levers(self, year: int, baseline_bev_sales: float,
                    baseline_bus_bev_sales: float | None = None,
                    reference_grid_gco2e: float | None = None) -> YearLevers:
        """Return the lever values of ``year`` (see :func:`.levers.year_levers`)."""
        return year_levers(self.scenario.measures, self.masks, year, self.city.n_cells,
                           baseline_bev_sales, baseline_bus_bev_sales=baseline_bus_bev_sales,
                           reference_grid_gco2e=reference_grid_gco2e)


def one_line(problem: str) -> str:
    """Fold a multi-line message into one line (one problem per line on the terminal)."""
    return "; ".join(part.strip() for part in problem.splitlines() if part.strip())


def _with_place(path: Path, problem: str) -> str:
    """Give a reader's message the ``file:line: path:`` form (syntax errors have no key path)."""
    head = str(path)
    rest = problem.removeprefix(head).removeprefix(":")
    number, sep, message = rest.partition(":")
    if sep and number.strip().isdigit():
        return f"{head}:{number.strip()}: (yaml syntax):{message}"
    return f"{head}:1: (file): {rest.strip()}"


def _read_mapping(path: Path) -> YamlDocument:
    guard = yaml_guard_problems(path) if path.is_file() else []
    if guard:
        raise ScenarioError(guard)
    try:
        doc = read_yaml(path, error=ScenarioError, guard=False)  # guarded just above
    except ScenarioError as exc:
        raise ScenarioError([_with_place(path, p) for p in exc.problems]) from None
    except RecursionError:
        raise ScenarioError(f"{path}:1: (top level): the YAML nests too deeply; "
                            "flatten it") from None
    if not isinstance(doc.data, dict):
        raise ScenarioError(f"{path}:1: (top level): a scenario is a mapping of keys "
                            "(name, city, years, measures, ...), not a "
                            f"{type(doc.data).__name__}")
    return doc


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    merged = {k: v for k, v in parent.items() if k != "extends"}
    for key, value in child.items():
        if key == "measures":
            merged[key] = list(parent.get("measures") or []) + list(value or [])
        elif key == "parameters":
            merged[key] = {**(parent.get("parameters") or {}), **(value or {})}
        else:
            merged[key] = value
    return merged


def _locate(loc: list[Any], child: YamlDocument, parent: YamlDocument | None,
            n_parent_measures: int) -> tuple[YamlDocument, list[Any]]:
    """Find which file an error location belongs to, and its location in that file."""
    if parent is None or not loc:
        return child, loc
    head = loc[0]
    if head == "measures" and len(loc) > 1 and isinstance(loc[1], int):
        if loc[1] < n_parent_measures:
            return parent, loc
        return child, ["measures", loc[1] - n_parent_measures, *loc[2:]]
    if head in child.data or head not in parent.data:
        return child, loc
    return parent, loc


def parse_scenario(path: str | Path) -> tuple[Scenario, YamlDocument, YamlDocument | None]:
    """Read and schema-validate a scenario file and its parent.

    Returns
    -------
    scenario : Scenario
        The merged, validated scenario.
    doc, parent_doc : YamlDocument
        The parsed files, for line numbers in later messages.

    Raises
    ------
    ScenarioError
        Listing every schema problem as ``file:line: dotted.path: message``.
    """
    path = Path(path)
    doc = _read_mapping(path)
    parent_doc: YamlDocument | None = None
    data = doc.data
    if isinstance(data.get("extends"), str):
        parent_path = (path.parent / data["extends"]).resolve()
        if not parent_path.is_file():
            raise ScenarioError(f"{path}:{doc.line_of(['extends'])}: extends: parent file "
                                f"{data['extends']!r} not found (looked for {parent_path})")
        parent_doc = _read_mapping(parent_path)
        if parent_doc.data.get("extends"):
            raise ScenarioError(
                f"{path}:{doc.line_of(['extends'])}: extends: {data['extends']!r} itself extends "
                f"{parent_doc.data['extends']!r}; chains are not allowed: extend a file that "
                "extends nothing, or copy the measures you need")
        data = _merge(parent_doc.data, data)
        data["extends"] = doc.data["extends"]
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        n_parent = len(parent_doc.data.get("measures") or []) if parent_doc else 0
        lines: list[str] = []
        for err in exc.errors():
            target_doc, loc = _locate(list(err["loc"]), doc, parent_doc, n_parent)
            single = ValidationError.from_exception_data(exc.title, [_with_loc(err, loc)])
            lines += format_validation_error(single, target_doc, target_doc.path, root=Scenario,
                                             union_tags=MEASURE_TYPES)
        raise ScenarioError(sorted(lines, key=line_order)) from None
    return scenario, doc, parent_doc


def _with_loc(err: Any, loc: list[Any]) -> Any:
    new = {k: v for k, v in err.items() if k in ("type", "input", "ctx")}
    new["loc"] = tuple(loc)
    if "ctx" in new and "error" in new["ctx"]:  # value errors: keep the message
        new["ctx"] = {"error": str(new["ctx"]["error"]).removeprefix("Value error, ")}
    return new


def content_hash(scenario: Scenario, city: City) -> str:
    """Return a SHA-256 of the resolved scenario, the city grid and the package version."""
    h = hashlib.sha256()
    h.update(json.dumps(scenario.model_dump(mode="json"), sort_keys=True).encode())
    h.update(city.meta.model_dump_json().encode())
    cols = [c for c in city.grid.columns if c != "geometry"]
    h.update(city.grid[cols].to_csv(index=False).encode())
    h.update(__version__.encode())
    return h.hexdigest()


def load_scenario(path: str | Path, city: City | None = None) -> LoadedScenario:
    """Load, validate and resolve a scenario file.

    Parameters
    ----------
    path : path-like
        The scenario YAML file.
    city : City, optional
        Use this city instead of the one the file names (e.g. a synthetic city in tests).

    Returns
    -------
    LoadedScenario
        The scenario, its city, the cells of each measure and the content hash.

    Raises
    ------
    ScenarioError
        Every problem of the file, each as ``file:line: dotted.path: message``.
    CityDataError
        If the city cannot be found or is invalid.
    """
    path = Path(path)
    scenario, doc, parent = parse_scenario(path)
    if city is None:
        try:
            city = load_city(scenario.city, base=path.parent)
        except CityDataError as exc:
            raise CityDataError([f"{path}:{doc.line_of(['city'])}: city: {one_line(p)}"
                                 for p in exc.problems]) from None
    n_parent = len(parent.data.get("measures") or []) if parent else 0

    def where(loc: list[Any]) -> str:
        target_doc, local = _locate(loc, doc, parent, n_parent)
        return f"{target_doc.path}:{target_doc.line_of(local)}: {'.'.join(str(p) for p in loc)}"

    checked = semantic_checks(scenario, city, path.parent, where)
    if checked.problems:
        raise ScenarioError([one_line(p) for p in checked.problems])
    return LoadedScenario(scenario=checked.scenario, path=path, city=city, masks=checked.masks,
                          content_hash=content_hash(checked.scenario, city))

