"""Where the centre of a gridded city is, and a documented jobs proxy for cities without jobs data.

Both are labelled for what they are: the centre is the densest disc of residents (not a
surveyed central business district) and the jobs layer is a proxy (``status: proxy`` in
``city.yaml``) built from residents and centrality, scaled to a total that is either a cited
employment figure or the assumption ``jobs.per_resident`` of
``mobility_sim/data/city_build_parameters.csv``.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..data import read_table


@cache
def _build_parameter_table() -> dict[str, float]:
    table = read_table("city_build_parameters.csv")
    return dict(zip(table["key"], table["value"].astype(float), strict=True))


def build_parameter(key: str) -> float:
    """Return one value of ``mobility_sim/data/city_build_parameters.csv``.

    Raises
    ------
    KeyError
        If the key is not in the table.
    """
    return _build_parameter_table()[key]


def densest_disc_centre(
    col: np.ndarray, row: np.ndarray, population: np.ndarray, radius_cells: float
) -> int:
    """Return the index of the cell whose surrounding disc holds the most residents.

    Parameters
    ----------
    col, row : ndarray of int
        Lattice indices of the cells.
    population : ndarray
        Residents per cell.
    radius_cells : float
        Disc radius in cells (centre-to-centre distance ``<=`` radius counts).

    Returns
    -------
    int
        Position in the input arrays; ties go to the first cell.
    """
    c0, r0 = int(col.min()), int(row.min())
    dense = np.zeros((int(row.max()) - r0 + 1, int(col.max()) - c0 + 1))
    dense[row - r0, col - c0] = population
    reach = int(np.floor(radius_cells))
    padded = np.pad(dense, reach)
    disc = np.zeros_like(dense)
    h, w = dense.shape
    for dr in range(-reach, reach + 1):
        for dc in range(-reach, reach + 1):
            if dr * dr + dc * dc <= radius_cells * radius_cells:
                disc += padded[reach + dr: reach + dr + h, reach + dc: reach + dc + w]
    at_cells = disc[row - r0, col - c0]
    return int(np.argmax(at_cells))


def jobs_proxy(
    x: np.ndarray,
    y: np.ndarray,
    population: np.ndarray,
    centre: tuple[float, float],
    total: float,
    cell_size: float,
    density_weight: float | None = None,
    length_factor: float | None = None,
) -> np.ndarray:
    """Distribute ``total`` jobs over cells by residents and centrality (a proxy, not data).

    ``w_i = a * p_i c_i / sum(p c) + (1 - a) * c_i / sum(c)`` with ``c_i = exp(-d_i / L)``,
    ``d_i`` the distance from the cell centre to ``centre``, ``a`` = ``jobs.density_weight``
    and ``L`` = ``jobs.centrality_length_factor`` x the radius of a disc whose area is the
    grid's populated area. Jobs are ``total * w_i`` (they sum to ``total``).

    Parameters
    ----------
    x, y : ndarray
        Cell centres, metres.
    population : ndarray
        Residents per cell.
    centre : tuple of float
        The city centre, metres.
    total : float
        Jobs to distribute.
    cell_size : float
        Cell side, metres.
    density_weight, length_factor : float, optional
        Override the table values.

    Returns
    -------
    ndarray
        Jobs per cell.
    """
    a = build_parameter("jobs.density_weight") if density_weight is None else density_weight
    f = build_parameter("jobs.centrality_length_factor") if length_factor is None \
        else length_factor
    radius = np.sqrt(len(x) * cell_size * cell_size / np.pi)
    length = max(f * radius, cell_size)
    c = np.exp(-np.hypot(x - centre[0], y - centre[1]) / length)
    pc = population * c
    weight = (1.0 - a) * c / c.sum()
    if pc.sum() > 0:
        weight = weight + a * pc / pc.sum()
    else:
        weight = c / c.sum()
    return total * weight / weight.sum()
