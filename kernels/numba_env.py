"""numba's environment for the kernels: a writable cache folder, and how idle threads wait.

Cache folder.
numba caches a ``cache=True`` function next to its source (``kernels/__pycache__``). A package
installed into a read-only location (a system site-packages, a container image) cannot be
written to; numba then tries the user-wide cache and, when that fails too, raises when the kernel
module is imported. :func:`ensure_cache_dir` runs before any kernel is defined: it keeps
numba's choice when the package folder is writable and otherwise points ``NUMBA_CACHE_DIR`` at
a user cache folder (``$XDG_CACHE_HOME/mobility_sim/numba``, ``~/.cache/mobility_sim/numba``) or,
as a last resort, at a folder in the system temporary directory.

Thread waiting. numba's OpenMP threading layer (the one pip wheels use on Linux) keeps idle
threads spinning after each parallel loop. On a machine where other processes compete for the
cores (a laptop, a CI runner, a 2-core VM), the spinning threads take the cores from the
working ones: measured here, one Furness sweep took 100 ms instead of 8 ms. :func:`prepare`
sets ``OMP_WAIT_POLICY=PASSIVE`` unless the user has set it; it must happen before numba
starts its threads (the first parallel call), which importing the kernels guarantees.

Vector width. On CPUs with AVX-512, LLVM's tuning for recent Intel cores keeps loops at 256-bit
vectors (its ``prefer-256-bit`` tuning flag) unless told otherwise. The kernels are arithmetic
on contiguous float32 rows, which the 512-bit units run faster: measured on the 2-core CI VM
(Intel, AVX-512), the vectorised exp went from 4.2 to 6.0 G/s per core and the fused kernel's
flows pass from 67 to 53 ms on 5,000 cells. :func:`prepare` therefore sets
``NUMBA_CPU_FEATURES`` to the host's features plus ``-prefer-256-bit`` when the CPU has
``avx512f`` (:func:`wide_vector_features`), before numba is imported. It leaves a user's own
``NUMBA_CPU_NAME`` or ``NUMBA_CPU_FEATURES`` alone, and ``MOBILITY_SIM_WIDE_VECTORS=0`` turns it
off. The setting is process-wide (numba has no per-function target features); numba's cache
keys compiled code by CPU features, so both widths can sit in one cache folder.

Nothing here imports numba or compiles anything; it checks folders and sets environment
variables (reading the host's CPU features through llvmlite, which compiles nothing).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

#: Folder whose writability decides whether numba can cache next to the sources.
PACKAGE_DIR = Path(__file__).resolve().parent


def is_writable_dir(path: Path) -> bool:
    """Return whether ``path`` exists or can be created and a file can be written in it.

    Parameters
    ----------
    path : Path
        Folder to check (created when missing).

    Returns
    -------
    bool
        True when a temporary file could be created and removed in ``path``.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError:
        return False
    return True


def fallback_candidates(env: Mapping[str, str]) -> list[Path]:
    """Return the user cache folders to try, best first.

    Parameters
    ----------
    env : mapping
        Environment variables (``os.environ``).

    Returns
    -------
    list of Path
        ``$XDG_CACHE_HOME/mobility_sim/numba``, ``~/.cache/mobility_sim/numba`` and a folder
        in the system temporary directory, named by user id.
    """
    out: list[Path] = []
    if env.get("XDG_CACHE_HOME"):
        out.append(Path(env["XDG_CACHE_HOME"]) / "mobility_sim" / "numba")
    home = env.get("HOME")
    if home:
        out.append(Path(home) / ".cache" / "mobility_sim" / "numba")
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    out.append(Path(tempfile.gettempdir()) / f"mobility_sim-numba-{uid}")
    return out


def choose_cache_dir(
    package_dir: Path, env: Mapping[str, str], candidates: Sequence[Path] | None = None
) -> Path | None:
    """Decide where numba should cache, without changing anything.

    Parameters
    ----------
    package_dir : Path
        Folder of the kernel sources; numba caches in its ``__pycache__``.
    env : mapping
        Environment variables.
    candidates : sequence of Path, optional
        Fallback folders (default :func:`fallback_candidates`).

    Returns
    -------
    Path or None
        None when numba's own choice works (``NUMBA_CACHE_DIR`` already set, or the package's
        ``__pycache__`` is writable); otherwise the first writable fallback folder.

    Raises
    ------
    OSError
        When no candidate folder is writable.
    """
    if env.get("NUMBA_CACHE_DIR"):
        return None
    if is_writable_dir(package_dir / "__pycache__"):
        return None
    for folder in fallback_candidates(env) if candidates is None else candidates:
        if is_writable_dir(folder):
            return folder
    raise OSError(
        "no writable folder for numba's kernel cache; set NUMBA_CACHE_DIR to a writable folder"
    )


def prepare() -> Path | None:
    """Set the thread wait policy and the cache folder (see the module docstring).

    Returns
    -------
    Path or None
        The fallback cache folder chosen, or None when numba's default is used.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    ensure_vector_width()
    return ensure_cache_dir()


#: Environment variable that turns the 512-bit vector choice off when set to ``0``.
WIDE_VECTORS_ENV = "MOBILITY_SIM_WIDE_VECTORS"


def wide_vector_features(host_features: str, env: Mapping[str, str]) -> str | None:
    """Return the ``NUMBA_CPU_FEATURES`` that lets LLVM use 512-bit vectors, or None.

    Parameters
    ----------
    host_features : str
        The host's LLVM feature string (``+avx2,+avx512f,-sse4a,...``).
    env : mapping
        Environment variables (``os.environ``).

    Returns
    -------
    str or None
        ``host_features`` with ``-prefer-256-bit`` appended when the host has ``avx512f``; None
        (keep numba's default) otherwise, when the user set ``NUMBA_CPU_NAME`` or
        ``NUMBA_CPU_FEATURES``, or when ``MOBILITY_SIM_WIDE_VECTORS`` is ``0``.
    """
    if env.get("NUMBA_CPU_NAME") or env.get("NUMBA_CPU_FEATURES"):
        return None
    if env.get(WIDE_VECTORS_ENV, "1").strip() == "0":
        return None
    flags = [flag for flag in host_features.split(",") if flag]
    if "+avx512f" not in flags:
        return None
    kept = [flag for flag in flags if flag.lstrip("+-") != "prefer-256-bit"]
    return ",".join([*kept, "-prefer-256-bit"])


def ensure_vector_width() -> str | None:
    """Set ``NUMBA_CPU_FEATURES`` from :func:`wide_vector_features` (see the module docstring).

    When numba is already imported, ``numba.core.config.CPU_FEATURES`` is set too; it takes
    effect if nothing has been compiled yet in this process.

    Returns
    -------
    str or None
        The feature string set, or None when numba's default is kept.
    """
    try:
        from llvmlite import binding

        host = binding.get_host_cpu_features().flatten()
    except (ImportError, RuntimeError):  # no feature query on this platform: keep the default
        return None
    features = wide_vector_features(host, os.environ)
    if features is None:
        return None
    os.environ["NUMBA_CPU_FEATURES"] = features
    config = sys.modules.get("numba.core.config")
    if config is not None:
        config.CPU_FEATURES = features
    return features


def ensure_cache_dir() -> Path | None:
    """Point numba at a writable cache folder when the package folder is read-only.

    Must run before the ``cache=True`` kernels are defined (numba picks the folder when a
    function is decorated). Sets ``NUMBA_CACHE_DIR`` and, when numba is already imported,
    ``numba.config.CACHE_DIR``.

    Returns
    -------
    Path or None
        The fallback folder chosen, or None when numba's default is used.
    """
    folder = choose_cache_dir(PACKAGE_DIR, os.environ)
    if folder is None:
        return None
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    config = sys.modules.get("numba.core.config")
    if config is not None:
        config.CACHE_DIR = str(folder)
    return folder
