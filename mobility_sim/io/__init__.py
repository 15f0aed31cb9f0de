"""Files in and out: YAML read safely, input errors told as ``file:line``, atomic writes.

- :mod:`.yamlio`: reading YAML (no object construction, line numbers kept) and atomic writes;
- :mod:`.yaml_guard`: the checks every YAML input passes first (size, depth, aliases, tags,
  control characters);
- :mod:`.input_errors`: pydantic validation errors as ``file:line: path: message`` lines.
"""
