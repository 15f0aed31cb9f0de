"""Every YAML input is held to cheap limits before it is parsed, with the real limit named.

Faults: about 1 KB of nested brackets (Python's recursion limit inside the parser), deep block
nesting, a YAML list of hundreds of thousands of values (minutes of parsing), a label with a
terminal escape sequence. Each is an exit-2 error with file:line, never a traceback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mobility_sim.exceptions import ScenarioError
from mobility_sim.io.yaml_guard import MAX_DEPTH, MAX_NODES, yaml_guard_problems
from mobility_sim.io.yamlio import read_yaml

ROOT = Path(__file__).resolve().parents[1]


def guard(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return yaml_guard_problems(path)


def test_deep_flow_nesting_is_refused_before_parsing(tmp_path):
    lines = guard(tmp_path, "name: x\nmeasures: " + "[" * 1000 + "]" * 1000 + "\n")
    assert len(lines) == 1 and ":2: (top level): the YAML nests" in lines[0], lines
    assert f"than the {MAX_DEPTH}" in lines[0]


def test_deep_block_nesting_is_refused(tmp_path):
    text = "".join(f"{'  ' * i}k{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * 70 + "v: 1\n"
    lines = guard(tmp_path, text)
    assert len(lines) == 1 and "nests" in lines[0], lines


def test_a_huge_list_is_refused_fast_and_not_blamed_on_aliases(tmp_path):
    text = "name: x\nvalues: [" + ", ".join(["1"] * (MAX_NODES + 10)) + "]\n"
    lines = guard(tmp_path, text)
    assert len(lines) == 1 and f"holds more than {MAX_NODES:,} values" in lines[0], lines
    assert "alias" not in lines[0]


def test_a_terminal_escape_in_a_label_is_refused_with_its_line(tmp_path):
    text = 'name: x\nmeasures:\n  - type: telework\n    label: "\\e[2J\\e[31mpwned"\n'
    lines = guard(tmp_path, text)
    assert len(lines) == 1 and ":4: measures.0.label: a control character (code 27)" in lines[0]


def test_every_shipped_yaml_file_passes_the_guard():
    files = [*ROOT.glob("scenarios/**/*.yaml"), *ROOT.glob("cities/*/*.yaml")]
    assert len(files) > 100
    for path in files:
        assert yaml_guard_problems(path) == [], path


def test_the_reader_raises_the_callers_error(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("a: " + "{" * 500 + "}" * 500 + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="nests"):
        read_yaml(path, error=ScenarioError)


def test_validate_gives_exit_2_and_no_traceback_for_deep_nesting(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("name: x\ncity: york\nmeasures: " + "[" * 1000 + "]" * 1000 + "\n",
                    encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "mobility_sim", "validate", str(path)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "deep.yaml:3:" in proc.stderr, proc.stderr
