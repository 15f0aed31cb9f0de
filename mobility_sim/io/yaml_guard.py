"""Guards run on every YAML input (scenarios, city.yaml, calibrations, distributions) first.

The YAML reader (:func:`mobility_sim.yamlio.read_yaml`) never constructs Python objects, but two
kinds of text still deserve a clear refusal rather than a hang or a puzzling type error:

* alias bombs ("billion laughs") and recursive aliases, which expand into enormous or endless
  data when the anchors are resolved;
* explicit tags such as ``!!python/object/apply:...``, which some YAML loaders would execute:
  here they are reported as not allowed;
* text that is too large, holds too many values or nests too deeply for a configuration file:
  refused by a cheap scan of the text before it is parsed, with the limit it exceeds;
* control characters in text (e.g. a terminal escape sequence in a measure's label), which
  would reach terminals, logs and pages.
"""

from __future__ import annotations

import re
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: Largest file accepted, bytes (a scenario with long WKT geometries stays far below).
MAX_BYTES = 5_000_000
#: Most YAML nodes a file may expand to once aliases are resolved.
MAX_NODES = 200_000
#: Deepest nesting of lists and mappings (the project's files nest fewer than 8 levels).
MAX_DEPTH = 64
#: Control characters refused in text: C0 but tab, newline and carriage return; DEL; C1.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Tags of plain YAML values (everything else is refused).
PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in
                       ("str", "int", "float", "bool", "null", "map", "seq", "timestamp",
                        "merge"))


def yaml_guard_problems(path: Path) -> list[str]:
    """Return ``file:line: path: message`` problems of the YAML text of ``path`` (may be empty).

    Syntax errors and unreadable files are left to the reader, which reports them.
    """
    try:
        size = path.stat().st_size
    except OSError:
        return []
    if size > MAX_BYTES:
        return [f"{path}:1: (top level): the file is {size / 1e6:.1f} MB; a YAML input of "
                f"mobility_sim is at most {MAX_BYTES / 1e6:.0f} MB (put large geometries in a "
                "GeoJSON file)"]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    early = _scan_problems(path, text)
    if early:
        return early
    try:
        root = YAML(typ="rt").compose(text)
    except (YAMLError, RecursionError):
        return []  # syntax errors are the reader's to report; depth was scanned above
    if root is None:
        return []
    problems: list[str] = []
    sizes: dict[int, int] = {}
    shared: list[bool] = [False]  # whether an alias was met (the expansion is then theirs)

    def visit(node: Node, where: str, active: set[int]) -> int:
        key = id(node)
        if key in active:
            problems.append(f"{path}:{node.start_mark.line + 1}: {where or '(top level)'}: a "
                            "recursive alias (an anchor used inside itself); write the value out")
            raise _Stop
        if key in sizes:
            shared[0] = True
            return sizes[key]
        # ruamel marks the folds of a folded (>) scalar with BEL characters: not the user's text
        value = str(node.value).replace("\a", "") if getattr(node, "style", None) == ">" \
            else str(node.value)
        if isinstance(node, ScalarNode) and CONTROL.search(value):
            code = ord(CONTROL.search(value).group())
            problems.append(f"{path}:{node.start_mark.line + 1}: {where or '(top level)'}: "
                            f"a control character (code {code}) in the text; remove it (terminal "
                            "escape sequences and other invisible characters are not allowed)")
        if node.tag not in PLAIN_TAGS:
            problems.append(f"{path}:{node.start_mark.line + 1}: {where or '(top level)'}: YAML "
                            f"tag {node.tag.replace('tag:yaml.org,2002:', '!!')!r} is not allowed; "
                            "mobility_sim's YAML files hold plain values only (text, numbers, "
                            "lists, mappings)")
        active.add(key)
        total = 1
        if isinstance(node, MappingNode):
            for k, v in node.value:
                name = k.value if isinstance(k, ScalarNode) else "?"
                total += visit(k, where, active) + visit(v, f"{where}.{name}".lstrip("."), active)
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                total += visit(item, f"{where}.{i}".lstrip("."), active)
        active.discard(key)
        sizes[key] = total
        if total > MAX_NODES:
            cause = ("the anchors and aliases expand to" if shared[0] else "the file holds")
            fix = ("write the values out instead of nesting aliases" if shared[0] else
                   "a mobility_sim YAML input is a configuration, not a data table: put "
                   "large data in a CSV, Parquet or GeoJSON file")
            problems.append(f"{path}:{node.start_mark.line + 1}: {where or '(top level)'}: "
                            f"{cause} more than {MAX_NODES:,} values; {fix}")
            raise _Stop
        return total

    try:
        visit(root, "", set())
    except (_Stop, RecursionError):
        if not problems:
            problems.append(f"{path}:1: (top level): the YAML nests too deeply; flatten it")
    return problems


def _scan_problems(path: Path, text: str) -> list[str]:
    """Refuse, before parsing, text that holds too many values or nests too deeply.

    A linear scan: values are counted as list items, mapping keys and flow separators (an
    upper bound of the values the parser would build), depth as open flow brackets plus
    indentation steps. Quoted text is not looked into, so the counts are approximate; the limits
    are far above any configuration file.
    """
    depth = deepest = values = 0
    deepest_line = 1
    quote = ""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent_depth = (len(line) - len(stripped)) // 2
        if stripped.startswith("- ") or ": " in stripped or stripped.endswith(":"):
            values += 1
        for char in stripped:
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char in "[{":
                depth += 1
            elif char in "]}":
                depth = max(0, depth - 1)
            elif char == "," and depth:
                values += 1
            elif char == "#":
                break
            if depth + indent_depth > deepest:
                deepest, deepest_line = depth + indent_depth, number
        quote = ""  # a quote left open is the parser's to report
    if deepest > MAX_DEPTH:
        return [f"{path}:{deepest_line}: (top level): the YAML nests {deepest} levels deep, more "
                f"than the {MAX_DEPTH} a mobility_sim input may have; flatten it"]
    if values > MAX_NODES:
        return [f"{path}:1: (top level): the file holds more than {MAX_NODES:,} values; a "
                "mobility_sim YAML input is a configuration, not a data table: put large data "
                "in a CSV, Parquet or GeoJSON file"]
    return []


class _Stop(Exception):
    """Ends the walk at the first fatal problem."""
