"""Build the jobs of a sweep: scenarios x cities x parameter samples."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..city import City, load_city
from ..exceptions import AnalysisError, MobilitySimError
from ..scenario import LoadedScenario, load_scenario
from .distributions import ParameterSpace
from .jobs import Job, base_tags


def load_bases(scenarios: Sequence[str | Path], cities: Sequence[str | Path | City] = ()
               ) -> list[LoadedScenario]:
    """Load every scenario on every city (or on its own city when ``cities`` is empty).

    Each city is loaded once. Every problem of every file is collected and raised together.

    Raises
    ------
    MobilitySimError
        Every problem found, one line each.
    """
    loaded_cities: list[City] = []
    problems: list[str] = []
    for ref in cities:
        if isinstance(ref, City):
            loaded_cities.append(ref)
            continue
        try:
            loaded_cities.append(load_city(ref))
        except MobilitySimError as exc:
            problems += [f"--city {ref}: {p}" for p in exc.problems]
    bases: list[LoadedScenario] = []
    for path in scenarios:
        for city in loaded_cities or [None]:
            try:
                bases.append(load_scenario(path, city=city))
            except MobilitySimError as exc:
                problems += exc.problems
    if problems:
        raise AnalysisError(problems)
    return bases


def sample_values(space: ParameterSpace, n: int, seed: int) -> np.ndarray:
    """Return ``n`` Latin-hypercube samples of ``space``, shape (n, inputs)."""
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(space.names), rng=np.random.default_rng(seed)).random(n)
    return space.from_unit(unit)


def plan_sweep(bases: Sequence[LoadedScenario], space: ParameterSpace | None = None,
               samples: int = 0, seed: int = 0) -> list[Job]:
    """Return the jobs of a sweep: each base with each sample of ``space``.

    The same samples are used for every base (common random numbers: differences between
    scenarios and cities are not blurred by different draws). Without samples, one job per
    base with the scenario's own values (``sample`` -1).

    Raises
    ------
    DistributionError
        If a measure named in the distributions is not in one of the scenarios.
    """
    values = sample_values(space, samples, seed) if space is not None and samples > 0 else None
    jobs: list[Job] = []
    problems: list[str] = []
    for base in bases:
        tags = base_tags(base)
        if values is None or space is None:
            jobs.append(Job(base=base, tags={**tags, "sample": -1}))
            continue
        try:
            jobs += space.jobs(base, values, tags)
        except MobilitySimError as exc:
            problems += exc.problems
    if problems:
        raise AnalysisError(problems)
    return jobs
