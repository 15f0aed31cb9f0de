"""The JSON Schema of scenario files, generated from the pydantic models.

``scenarios/scenario.schema.json`` is written by ``mobility-sim schema`` and checked by a test that
fails with a diff when it is stale. Editors with the YAML language server use it through the
first line of every scenario file.
"""

from __future__ import annotations

import json

from .models import Scenario

#: First line of every scenario file in ``scenarios/<city>/``.
SCHEMA_LINE = "# yaml-language-server: $schema=../scenario.schema.json"


def schema_text() -> str:
    """Return the JSON Schema of a scenario file as formatted JSON text."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mobility_sim scenario"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
