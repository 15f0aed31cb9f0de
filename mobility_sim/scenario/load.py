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

from .. import __version__
from ..city import City, load_city
from ..data import parameters as default_parameters
from ..exceptions import CityDataError, ScenarioError
from ..yamlio import YamlDocument, dump_yaml, read_yaml
from .areas import area_mask
from .errors import did_you_mean, format_validation_error
from .models import Scenario

#: Keys merged rather than replaced when a scenario extends a parent.
_MERGED = ("measures", "parameters")


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with its city.

    Attributes
    ----------
    scenario : Scenario
        The resolved scenario (parent merged in; ``extends`` kept for the record).
    path : pathlib.Path
        The scenario file.
    city : City
        The city it runs on.
    masks : list of ndarray of bool
        For each measure, the cells it applies to.
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


def _read_mapping(path: Path) -> YamlDocument:
    doc = read_yaml(path, error=ScenarioError)
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
            lines += format_validation_error(single, target_doc, target_doc.path, root=Scenario)
        raise ScenarioError(sorted(lines, key=_line_order)) from None
    return scenario, doc, parent_doc


def _line_order(line: str) -> tuple[str, int]:
    file, _, rest = line.partition(":")
    number = rest.partition(":")[0]
    return file, int(number) if number.isdigit() else 0


def _with_loc(err: Any, loc: list[Any]) -> Any:
    new = {k: v for k, v in err.items() if k in ("type", "input", "ctx")}
    new["loc"] = tuple(loc)
    if "ctx" in new and "error" in new["ctx"]:  # value errors: keep the message
        new["ctx"] = {"error": str(new["ctx"]["error"]).removeprefix("Value error, ")}
    return new


def semantic_problems(scenario: Scenario, doc: YamlDocument, parent: YamlDocument | None,
                      city: City) -> tuple[list[str], list[np.ndarray]]:
    """Check the meaning of a schema-valid scenario against its city.

    Checks: parameter keys exist; measures start inside the simulated years; areas exist and
    cover at least one cell of the grid; no two measures of the same kind overlap in years and
    area; the target and its base year fall inside the simulated years.

    Returns
    -------
    problems : list of str
        ``file:line: path: message`` lines.
    masks : list of ndarray of bool
        Cells each measure applies to (all cells when it has no area or its area is invalid).
    """
    problems: list[str] = []
    n_parent = len(parent.data.get("measures") or []) if parent else 0

    def where(loc: list[Any]) -> str:
        target_doc, local = _locate(loc, doc, parent, n_parent)
        shown = ".".join(str(p) for p in loc)
        return f"{target_doc.path}:{target_doc.line_of(local)}: {shown}"

    known = default_parameters()
    for key in scenario.parameters:
        if key not in known:
            problems.append(f"{where(['parameters', key])}: unknown parameter {key!r}"
                            f"{did_you_mean(key, list(known))}; see mobility_sim/data/parameters.csv")
    first, last = scenario.years.start, scenario.years.end
    masks: list[np.ndarray] = []
    for i, measure in enumerate(scenario.measures):
        if measure.start > last:
            problems.append(f"{where(['measures', i, 'start'])}: starts in {measure.start}, after "
                            f"the last simulated year {last}; move it or extend years.end")
        mask = np.ones(city.n_cells, dtype=bool)
        if measure.area is not None:
            try:
                mask = area_mask(measure.area, city, doc.path.parent)
            except ValueError as exc:
                problems.append(f"{where(['measures', i, 'area'])}: {exc}")
                mask = np.ones(city.n_cells, dtype=bool)
            else:
                if not mask.any():
                    problems.append(f"{where(['measures', i, 'area'])}: the area covers no cell "
                                    f"centre of {city.name}'s grid; check its coordinates and "
                                    f"CRS ({city.meta.crs})")
        masks.append(mask)
    for i, a in enumerate(scenario.measures):
        for j in range(i + 1, len(scenario.measures)):
            b = scenario.measures[j]
            if a.type != b.type:  # type: ignore[attr-defined]
                continue
            years_overlap = a.start <= max(b.full_year, last) and b.start <= max(a.full_year, last)
            if years_overlap and bool(np.any(masks[i] & masks[j])):
                problems.append(
                    f"{where(['measures', j])}: overlaps measures.{i} (same kind "
                    f"{a.type!r}, overlapping years and area); merge them into one measure or "  # type: ignore[attr-defined]
                    "give them disjoint areas")
    if scenario.target is not None:
        t = scenario.target
        if not first <= t.year <= last:
            problems.append(f"{where(['target', 'year'])}: target year {t.year} is outside the "
                            f"simulated years {first}-{last}")
        base = t.base_year if t.base_year is not None else first
        if base not in scenario.years.as_list():
            problems.append(f"{where(['target', 'base_year'])}: base year {base} is not a "
                            f"simulated year ({first}-{last}, step {scenario.years.step})")
    return problems, masks


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
            raise CityDataError([f"{path}:{doc.line_of(['city'])}: city: {p}"
                                 for p in exc.problems]) from None
    problems, masks = semantic_problems(scenario, doc, parent, city)
    if problems:
        raise ScenarioError(problems)
    return LoadedScenario(scenario=scenario, path=path, city=city, masks=masks,
                          content_hash=content_hash(scenario, city))

