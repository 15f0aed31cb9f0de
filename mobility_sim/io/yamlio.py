"""YAML reading with line numbers, and atomic file writing.

YAML is read with ruamel.yaml's round-trip loader, which builds only plain mappings, sequences
and scalars (it never constructs Python objects from tags), and keeps the line of every key so
that errors can point at ``file:line``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ..exceptions import MobilitySimError
from .yaml_guard import yaml_guard_problems


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: plain Python data plus the annotated tree for line lookups."""

    path: Path
    data: Any
    tree: Any

    def line_of(self, loc: Sequence[str | int]) -> int:
        """Return the 1-based line of the deepest element of ``loc`` present in the file.

        Elements of ``loc`` that are not in the file (pydantic's union tags, a missing key) are
        skipped, so a missing field points at its parent.
        """
        node, line = self.tree, 1
        for part in loc:
            if isinstance(node, CommentedMap) and part in node:
                line = node.lc.key(part)[0] + 1
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                line = node.lc.item(part)[0] + 1
                node = node[part]
        return line


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def read_yaml(path: str | os.PathLike[str], error: type[MobilitySimError],
              guard: bool = True) -> YamlDocument:
    """Read a YAML file safely, keeping line numbers.

    Parameters
    ----------
    path : path-like
        The file.
    error : type
        The :class:`~mobility_sim.exceptions.MobilitySimError` subclass to raise.
    guard : bool
        Refuse oversized files, alias bombs, recursive aliases and explicit tags first
        (:mod:`.yaml_guard`); callers that already ran the guard pass False.

    Raises
    ------
    MobilitySimError
        ``error`` with ``file:line: message`` if the file is missing, not valid YAML, or
        refused by the guard.
    """
    path = Path(path)
    if guard and path.is_file():
        problems = yaml_guard_problems(path)
        if problems:
            raise error(problems)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read ({exc})") from None
    yaml = YAML(typ="rt")
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise error(f"{path}:{line}: invalid YAML: {exc.problem or exc.context}") from None
    except YAMLError as exc:
        raise error(f"{path}: invalid YAML: {exc}") from None
    if tree is None:
        tree = CommentedMap()
    return YamlDocument(path=path, data=_plain(tree), tree=tree)


def dump_yaml(data: Any, stream: IO[str]) -> None:
    """Write plain data as block-style YAML."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[attr-defined]
    yaml.dump(data, stream)


def current_umask() -> int:
    """Return the process's umask (reading it means setting it; it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 of a file's bytes (hex), read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success.

    A failure inside the block removes the temporary file and leaves ``target`` untouched, so
    results are never half-written. The file gets the permissions of any file the user creates
    (``0666`` less the umask), not the owner-only ``0600`` of a temporary file, so that a team
    can share the results.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~current_umask())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text_atomic(target: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``target`` atomically (temporary file, then rename)."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
