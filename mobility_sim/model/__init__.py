"""Model setup: a city, its parameters and a year's levers -> the kernel's inputs.

The one place that builds kernel inputs; a scenario run, calibration, validation, the bench,
the tests and the notebooks all take them from here (``docs/architecture.md``).

Modules
-------
model.parameters
    :func:`~.parameters.resolve_parameters`: defaults < the city's calibration < overrides,
    a read-only :class:`~.parameters.Parameters` (``.typed``: the values by group).
model.asc
    Calibrated constants per segment, purpose and mode, and how they enter the parameters.
model.modes
    Survey mode groups (walk, bike, pt, car) of the model modes.
model.inputs
    Static cell layers; a year's PT network; a year's ``DemandInputs`` and ``DemandParams``.
model.years
    The year loop: levers, PT networks and fleets of a run, each year's inputs, kernel runs.
model.base_year
    The base year (no measure) of a city, run repeatedly by calibration and validation.
model.kernel
    The choice of kernel (NumPy reference or fused numba).

Importing this package imports no kernel implementation and compiles nothing.
"""
