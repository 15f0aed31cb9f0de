"""Scenarios: YAML -> validated pydantic models -> yearly lever values.

* :mod:`.models` is the schema (strict: unknown keys are rejected; field docstrings are the
  reference).
* :mod:`.load` reads a file (with its one optional parent), reports every problem at once as
  ``file:line: dotted.path: message``, then checks meaning against the city.
* :mod:`.levers` turns measures into the value of each lever in each year.
"""

from .load import LoadedScenario, load_scenario
from .models import MEASURE_TYPES, Scenario

__all__ = ["MEASURE_TYPES", "LoadedScenario", "Scenario", "load_scenario"]
