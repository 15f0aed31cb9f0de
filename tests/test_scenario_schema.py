"""Generated artefacts are in sync with the models; every scenario file points at the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mobility_sim.scenario.cli import DOCS_PATH, SCHEMA_PATH, stale_diff
from mobility_sim.scenario.models import MEASURE_TYPES, Scenario
from mobility_sim.scenario.reference_doc import reference_text
from mobility_sim.scenario.schema import SCHEMA_LINE, schema_text

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_FILES = sorted(p for p in (ROOT / "scenarios").glob("*/*.yaml")
                        if (ROOT / "cities" / p.parent.name / "city.yaml").is_file())


@pytest.mark.parametrize(("relative", "generate"), [(SCHEMA_PATH, schema_text),
                                                    (DOCS_PATH, reference_text)],
                         ids=["scenario.schema.json", "measures.md"])
def test_generated_file_is_in_sync(relative, generate):
    diff = stale_diff(ROOT / relative, generate())
    assert not diff, f"{relative} is stale; run 'mobility-sim schema'. Diff:\n{diff}"


def test_stale_diff_shows_the_change(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"a": 1}\n')
    assert stale_diff(path, '{"a": 1}\n') == ""
    diff = stale_diff(path, '{"a": 2}\n')
    assert '-{"a": 1}' in diff and '+{"a": 2}' in diff


def test_schema_describes_every_measure_with_units_and_rejects_unknown_keys():
    schema = json.loads(schema_text())
    assert schema["additionalProperties"] is False
    defs = schema["$defs"]
    tags = {d["properties"]["type"]["const"] for d in defs.values()
            if "type" in d.get("properties", {}) and "const" in d["properties"]["type"]}
    assert tags == set(MEASURE_TYPES)
    assert defs["ParkingPrice"]["properties"]["eur_per_hour"]["unit"] == "EUR/h"
    assert all(d.get("additionalProperties") is False for d in defs.values()
               if d.get("type") == "object")
    assert "discriminator" in json.dumps(Scenario.model_json_schema())


def test_reference_page_covers_every_measure_and_its_sources():
    text = reference_text()
    for name in MEASURE_TYPES:
        assert f"### `{name}`" in text
    assert "pt.line_catchment_m" in text and "assumption" in text
    assert "**What it changes in the model.**" in text


def test_every_scenario_file_starts_with_the_schema_line():
    assert SCENARIO_FILES
    for path in SCENARIO_FILES:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == SCHEMA_LINE, path
    assert (ROOT / "scenarios" / "scenario.schema.json").is_file()
