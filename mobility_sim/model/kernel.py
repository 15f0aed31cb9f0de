"""The choice of demand kernel: the NumPy specification or the fused numba kernel.

Importing this module imports no kernel implementation; :func:`kernel_for` does, on first use.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from ..kernels.spec import DemandInputs, DemandOutputs, DemandParams

#: Names of the demand implementations a run can ask for.
Engine = Literal["auto", "reference", "numba"]
#: A demand implementation: inputs, parameters, warm-start balancing factors -> outputs.
KernelFn = Callable[[DemandInputs, DemandParams, "np.ndarray | None"], DemandOutputs]
#: Trips by mode and destination from groups of origins: inputs, parameters, the year's
#: balancing factors, the groups -> array (G, M, N).
DestinationFn = Callable[[DemandInputs, DemandParams, np.ndarray, Sequence[np.ndarray]],
                         np.ndarray]


def kernel_for(engine: Engine) -> KernelFn:
    """Return the demand implementation for ``engine``.

    ``reference`` is the NumPy specification; ``numba`` the fused kernel; ``auto`` picks the
    fused kernel when it is available.
    """
    if engine in ("numba", "auto"):
        try:
            from ..kernels.fused import demand_fused
        except ImportError:
            if engine == "numba":
                raise
        else:
            return demand_fused
    from ..kernels.reference import demand_reference

    return demand_reference


def destinations_for(kernel: KernelFn) -> DestinationFn:
    """Return the trips-by-destination function of the implementation ``kernel`` belongs to.

    The NumPy specification's (:func:`mobility_sim.kernels.reference.trips_by_destination`)
    for the reference kernel, else the fused one's.
    """
    from ..kernels import reference

    if kernel is reference.demand_reference:
        return reference.trips_by_destination
    from ..kernels.fused import trips_by_destination_fused

    return trips_by_destination_fused


def fused_kernel_cached() -> bool:
    """Return True when numba's cache already holds compiled fused-kernel code."""
    from .. import kernels

    roots = [Path(kernels.__file__).parent / "__pycache__"]
    if os.environ.get("NUMBA_CACHE_DIR"):
        roots.append(Path(os.environ["NUMBA_CACHE_DIR"]))
    return any(any(root.rglob("fused_core*.nbi")) for root in roots if root.is_dir())
