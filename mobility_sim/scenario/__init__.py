"""Scenarios: YAML -> validated pydantic models -> yearly lever values.

* :mod:`.models` is the schema (strict: unknown keys are rejected; field docstrings are the
  reference); the measure catalogue is in the ``measures_*`` modules, built on :mod:`.base`.
* :mod:`.load` reads a file (with its one optional parent) after the guards of
  :mod:`..io.yaml_guard`, reports every problem at once as ``file:line: dotted.path: message``, then
  :mod:`.checks` checks meaning against the city and fills in city-dependent defaults.
* :mod:`.levers` turns measures into the value of each lever in each year;
  :mod:`mobility_sim.model.inputs` turns levers into the demand model's inputs.
* :mod:`.costs` lists what measures cost per year; :mod:`.schema`, :mod:`.reference_doc` and
  :mod:`.library` generate the JSON Schema, ``docs/measures.md`` and the scenario library.
"""

from .load import LoadedScenario, load_scenario
from .models import MEASURE_TYPES, Scenario

__all__ = ["MEASURE_TYPES", "LoadedScenario", "Scenario", "load_scenario"]
