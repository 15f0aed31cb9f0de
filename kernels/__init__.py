"""Array kernels of mobility_sim: arrays in, arrays out; no pandas, no I/O.

Installed as ``mobility_sim.kernels``. :mod:`.reference` is the readable NumPy specification of
the demand and emissions model (DESIGN.md steps 1-5 and 7); fast implementations must agree
with it to 1e-9 relative in float64.

Importing this package compiles nothing.
"""

from .spec import MODES, PURPOSES, SEGMENTS, DemandInputs, DemandOutputs, DemandParams

__all__ = ["MODES", "PURPOSES", "SEGMENTS", "DemandInputs", "DemandOutputs", "DemandParams"]
