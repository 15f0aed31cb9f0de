"""Guards run on every YAML input (scenarios, city.yaml, calibrations, distributions) first.

The YAML reader (:func:`mobility_sim.yamlio.read_yaml`) never constructs Python objects, but two
kinds of text still deserve a clear refusal rather than a hang or a puzzling type error:

* alias bombs ("billion laughs") and recursive aliases, which expand into enormous or endless
  data when the anchors are resolved;
* explicit tags such as ``!!python/object/apply:...``, which some YAML loaders would execute:
  here they are reported as not allowed.
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: Largest file accepted, bytes (a scenario with long WKT geometries stays far below).
MAX_BYTES = 5_000_000
#: Most YAML nodes a file may expand to once aliases are resolved.
MAX_NODES = 200_000
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
        root = YAML(typ="rt").compose(path.read_text(encoding="utf-8"))
    except (YAMLError, OSError, UnicodeDecodeError):
        return []
    if root is None:
        return []
    problems: list[str] = []
    sizes: dict[int, int] = {}

    def visit(node: Node, where: str, active: set[int]) -> int:
        key = id(node)
        if key in active:
            problems.append(f"{path}:{node.start_mark.line + 1}: {where or '(top level)'}: a "
                            "recursive alias (an anchor used inside itself); write the value out")
            raise _Stop
        if key in sizes:
            return sizes[key]
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
            problems.append(f"{path}:{node.start_mark.line + 1}: {where or '(top level)'}: "
                            f"the anchors and aliases expand to more than {MAX_NODES:,} values; "
                            "write the values out instead of nesting aliases")
            raise _Stop
        return total

    try:
        visit(root, "", set())
    except (_Stop, RecursionError):
        if not problems:
            problems.append(f"{path}:1: (top level): the YAML nests too deeply; flatten it")
    return problems


class _Stop(Exception):
    """Ends the walk at the first fatal problem."""
