"""Readable NumPy reference of the demand and emissions model (DESIGN.md steps 1-5 and 7).

This module is the specification: every faster implementation is tested against it. It favours
clarity over speed, works on blocks of origin rows so that memory stays bounded, and stores at
most one N x N array per segment (only for doubly constrained purposes).

The model, for segment ``s``, purpose ``p``, origin ``i``, destination ``j`` and mode ``m``:

1. Skims from geometry. Network distance ``d_ij = circuity * |x_i - x_j|`` in km; inside a cell
   ``d_ii = circuity * intrazonal_factor * cell_size``. In-vehicle minutes ``60 d_ij / speed_m``
   for walk, bike and e-bike; cars and PT use the harmonic mean of the origin and destination
   cell speeds (``car_speed``, ``pt_speed``), i.e. ``30 d_ij (1/v_i + 1/v_j)`` minutes.
2. Utility::

       V_ijm = asc[s,p,m] + time_coef[m] * ivt_ijm * (1 - infra_coef[m] * infra_ij)
               + ovt_coef * (origin_time[m,i] + dest_time[m,j])
               + cost_coef[s,p] * g(d_ij) * (cost_per_km[m] * d_ij + fare[m] + dest_cost[p,m,j]
                                   + cordon_charge[m] * r_i * [exactly one of i, j in cordon])

   with ``infra_ij = (bike_infra_i + bike_infra_j) / 2`` (protected cycle infrastructure
   lightens a cycling minute), the cost damping
   ``g(d) = (max(d, d_ii) / cost_damping_ref_km) ** cost_damping`` (1 without damping;
   :func:`.spec.cost_damping_factor`) and ``r_i`` the share of the charge the cordon's
   residents pay (``cordon_resident_factor``) where the origin ``i`` is
   inside the cordon, else 1. From an origin among ``zone_residents`` (residents a
   low-emission zone spares), ``resident_dest_cost`` and, in step 3, ``resident_dest_avail``
   take the place of ``dest_cost`` and ``dest_avail``.

3. Mode choice (nested logit with availability weights; mode ``m`` in nest ``k(m)`` of scale
   ``lambda_k``, :func:`.spec.nest_structure`)::

       w_ijm = origin_avail[s,m,i] * dest_avail[m,j] * exp(V_ijm / lambda_k(m))
       I_ijk = sum over m in k of w_ijm,   W_ij = sum_k I_ijk ** lambda_k
       P(m | i, j) = w_ijm I_ijk(m) ** (lambda_k(m) - 1) / W_ij,   logsum L_ij = ln W_ij

   With every scale 1 (one nest, the default of ``DemandParams``) this is the multinomial logit
   ``P = w_ijm / sum_m w_ijm``.

   The car powertrains enter as two alternatives weighted by the origin availability (the model
   gives each owner class its own segment, ``mobility_sim/model/car_owners.py``; a segment with
   both weighs them by their shares), so that with equal utilities they add up to one car
   alternative. Any number ``S`` of segments (the rows of ``segment_share``). Every mode is
   unavailable (``w = 0``) between two external zones (``external``), and within one.
4. Destination choice: ``A_ij = size[p,j] * exp(dest_scale[p] * L_ij + delta[p] d_ij)``
   (``delta = dest_distance_coef``, the destination choice's own distance term; 0 without) and
   ``P(j | i) = B_j A_ij / sum_k B_k A_ik``. ``B = 1`` for origin-constrained purposes; for doubly
   constrained purposes ``B`` is balanced (Furness) until the trips arriving in every cell match
   ``D_j = size[p,j] / sum(size[p]) * sum_i O_i`` within ``tolerance``.
5. Trips produced ``O_si = population_i * segment_share[s,i] * trip_rate[p]`` (times
   ``trip_factor[p,i]``, or ``trip_factor[s,p,i]`` by segment, when given); trips
   ``T_ijm = O_si P(j|i) P(m|i,j)``; passenger-km ``T_ijm d_ij``; vehicle-km
   ``pkm * vkm_per_pkm[m]``. With traffic districts ``k(i)`` (``inputs.district``), the car
   passenger-km between districts ``sum over car m, s, p of T_ijm d_ij`` for ``k(i) = a``,
   ``k(j) = b`` (the road-traffic model's demand).
7. Emissions: ``pkm * ef_ttw[m]`` and ``pkm * ef_wtw[m]`` (kg CO2e per passenger-km, built from
   the fleet mix, occupancy and the grid intensity by the caller).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .balancing import balance_factors, destination_targets, starting_factors
from .spec import (
    CAR_MODES,
    MODES,
    PURPOSES,
    DemandInputs,
    DemandOutputs,
    DemandParams,
    check_inputs,
    check_origin_groups,
    cost_damping_factor,
    nest_structure,
)

#: Origin rows processed together; bounds memory at about ``BLOCK * N * M * 8`` bytes.
BLOCK = 256


def distance_block(
    inputs: DemandInputs, params: DemandParams, rows: slice | np.ndarray
) -> np.ndarray:
    """Network distance in km from the origins ``rows`` to every cell, shape (B, N)."""
    dx = inputs.x[rows, None] - inputs.x[None, :]
    dy = inputs.y[rows, None] - inputs.y[None, :]
    straight_km = np.sqrt(dx * dx + dy * dy) / 1000.0
    origins = np.arange(inputs.n_cells)[rows]
    straight_km[np.arange(origins.size), origins] = (
        params.intrazonal_factor * inputs.cell_size / 1000.0
    )
    return params.circuity * straight_km


def mode_weights(
    inputs: DemandInputs, params: DemandParams, s: int, p: int, rows: slice | np.ndarray,
    dist: np.ndarray, modes: tuple[int, ...] | None = None,
) -> np.ndarray:
    """Availability-weighted exponentiated utilities ``w_ijm``, shape (M, B, N).

    Each utility is divided by its nest's scale (step 3); the availability weight multiplies.
    ``modes``: only these modes' weights are computed, the others are 0 (default: all).
    """
    n_modes = len(MODES)
    nest, scale = nest_structure(params)
    b = dist.shape[0]
    crossing = ((inputs.cordon[None, :] != inputs.cordon[rows, None])
                * np.where(inputs.cordon[rows], params.cordon_resident_factor, 1.0)[:, None])
    external = inputs.external_mask()
    open_pair = ~(external[rows, None] & external[None, :])
    spared = (None if inputs.zone_residents is None
              else np.asarray(inputs.zone_residents, dtype=bool)[rows])
    infra = 0.5 * (inputs.bike_infra[rows, None] + inputs.bike_infra[None, :])
    car_minutes_per_km = 30.0 * (1.0 / inputs.car_speed[rows, None]
                                 + 1.0 / inputs.car_speed[None, :])
    pt_minutes_per_km = 30.0 * (1.0 / inputs.pt_speed[rows, None]
                                + 1.0 / inputs.pt_speed[None, :])
    damping = cost_damping_factor(params, dist, inputs.cell_size)
    weights = np.zeros((n_modes, b, dist.shape[1]))
    for m, mode in enumerate(MODES):
        if modes is not None and m not in modes:
            continue
        if mode.startswith("car"):
            ivt = dist * car_minutes_per_km
        elif mode == "pt":
            ivt = dist * pt_minutes_per_km
        else:
            ivt = dist * (60.0 / params.speed[m])
        cost = (
            params.cost_per_km[m] * dist
            + params.fare[m]
            + _met(inputs.dest_cost[p, m], inputs.resident_dest_cost, (p, m), spared)
            + params.cordon_charge[m] * crossing
        )
        utility = (
            params.asc[s, p, m]
            + params.time_coef[m] * ivt * (1.0 - params.infra_coef[m] * infra)
            + params.ovt_coef * (inputs.origin_time[m, rows][:, None]
                                 + inputs.dest_time[m][None, :])
            + params.cost_coef[s, p] * damping * cost
        )
        avail = (inputs.origin_avail[s, m, rows][:, None]
                 * _met(inputs.dest_avail[m], inputs.resident_dest_avail, (m,), spared)
                 * open_pair)
        weights[m] = avail * np.exp(utility / scale[nest[m]])
    return weights


def _met(values: np.ndarray, resident: np.ndarray | None, index: tuple[int, ...],
         spared: np.ndarray | None) -> np.ndarray:
    """Return a destination array as the origins of a block meet it, shape (1, N) or (B, N).

    ``values`` (N,) for everyone; the origins ``spared`` (B,) meet ``resident[index]``.
    """
    if spared is None or resident is None:
        return values[None, :]
    return np.where(spared[:, None], np.asarray(resident)[index][None, :], values[None, :])


def nest_sums(w: np.ndarray, params: DemandParams) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(W, r)`` from the mode weights ``w`` (M, B, N) of :func:`mode_weights`.

    ``W`` (B, N) is the sum over nests of ``I_k ** lambda_k`` (step 3), whose log is the logsum;
    ``r`` (M, B, N) is each mode's ``I_k(m) ** (lambda_k(m) - 1)`` (0 where its nest has no
    available mode), so that the mode's share is ``w r / W``.
    """
    nest, scale = nest_structure(params)
    total = np.zeros(w.shape[1:])
    ratio = np.ones_like(w)
    for k, lam in enumerate(scale):
        members = np.flatnonzero(nest == k)
        if members.size == 0:
            continue
        inclusive = w[members].sum(axis=0)
        if lam == 1.0:
            total += inclusive
            continue
        positive = inclusive > 0
        powered = np.zeros_like(inclusive)
        np.power(inclusive, lam, out=powered, where=positive)
        total += powered
        factor = np.zeros_like(inclusive)
        np.power(inclusive, lam - 1.0, out=factor, where=positive)
        ratio[members] = factor[None]
    return total, ratio


def blocks(n: int, block: int = BLOCK) -> list[slice]:
    """Slices of ``block`` origin rows covering ``n`` cells (the last one may be shorter)."""
    return [slice(start, min(start + block, n)) for start in range(0, n, block)]


def destination_flows(origins: np.ndarray, attract: np.ndarray,
                      factors: np.ndarray) -> np.ndarray:
    """Trips from a block of origins to every cell, all modes together, shape (B, N).

    ``origins`` (B,) trips produced, ``attract`` (B, N) from :func:`attractiveness`,
    ``factors`` (N,) destination balancing factors (ones when origin-constrained only): each
    origin's trips are shared out in proportion to ``attract * factors`` (none where that row
    sums to 0).
    """
    weighted = attract * factors[None, :]
    denom = weighted.sum(axis=1, keepdims=True)
    p_dest = np.divide(weighted, denom, out=np.zeros_like(weighted), where=denom > 0)
    return origins[:, None] * p_dest


def mode_shares(w: np.ndarray, params: DemandParams) -> np.ndarray:
    """Mode shares (M, B, N) from the mode weights of :func:`mode_weights` (0 where none)."""
    total, ratio = nest_sums(w, params)
    return np.divide(w * ratio, total[None], out=np.zeros_like(w), where=total[None] > 0)


def attractiveness(
    inputs: DemandInputs, params: DemandParams, s: int, p: int, rows: slice | np.ndarray,
    dist: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(A, w)``: destination attractiveness (B, N) and mode weights (M, B, N)."""
    w = mode_weights(inputs, params, s, p, rows, dist)
    total = nest_sums(w, params)[0]
    decay = np.exp(params.distance_coef()[p] * dist)
    return inputs.size[p][None, :] * np.power(total, params.dest_scale[p]) * decay, w


def productions(inputs: DemandInputs, params: DemandParams, p: int) -> np.ndarray:
    """Trips produced per day by segment and origin cell for purpose ``p``, shape (S, N)."""
    return inputs.productions(params.trip_rate, p)


def balance(
    inputs: DemandInputs,
    params: DemandParams,
    p: int,
    factors: np.ndarray,
    block: int = BLOCK,
) -> tuple[np.ndarray, int]:
    """Furness-balance destination factors so that arrivals match ``D_j``.

    Parameters
    ----------
    inputs, params : DemandInputs, DemandParams
        The model inputs.
    p : int
        Purpose index.
    factors : ndarray, shape (N,)
        Starting factors (ones, or last year's for a warm start).
    block : int
        Origin rows per block.

    Returns
    -------
    factors : ndarray, shape (N,)
        Balanced factors.
    iterations : int
        Number of factor updates made.

    Notes
    -----
    Each iteration computes arrivals ``T_j = sum_s sum_i O_si B_j A_sij / sum_k B_k A_sik`` and,
    unless every ``|T_j - D_j| / D_j`` (over cells with ``D_j > 0``) is within the tolerance,
    updates the factors: the Furness step ``B_j *= D_j / T_j`` (cells with ``T_j = 0`` keep
    their factor), accelerated by Anderson mixing as :func:`.balancing.balance_factors`
    specifies (the fused kernel calls the same function, so both take the same steps). A cell
    with a target but a starting factor of 0 (no target last year) starts from 1
    (:func:`.balancing.starting_factors`): a zero factor would never grow.
    """
    n = inputs.n_cells
    origins = productions(inputs, params, p)
    size = inputs.size[p]
    target = destination_targets(size, origins)
    factors = starting_factors(factors, target)
    n_seg = inputs.segment_share.shape[0]
    stored = np.empty((n_seg, n, n))
    for s in range(n_seg):
        for rows in blocks(n, block):
            dist = distance_block(inputs, params, rows)
            stored[s, rows] = attractiveness(inputs, params, s, p, rows, dist)[0]

    def sweep(factors: np.ndarray) -> np.ndarray:
        arrivals = np.zeros(n)
        for s in range(n_seg):
            weighted = stored[s] * factors[None, :]
            denom = weighted.sum(axis=1)
            share = np.divide(origins[s], denom, out=np.zeros(n), where=denom > 0)
            arrivals += share @ weighted
        return arrivals

    return balance_factors(sweep, target, factors, params.tolerance, int(params.max_iterations))


def demand_reference(
    inputs: DemandInputs,
    params: DemandParams,
    balancing: np.ndarray | None = None,
    block: int = BLOCK,
) -> DemandOutputs:
    """Compute one scenario-year of trips, passenger-km, vehicle-km and CO2 (reference).

    Parameters
    ----------
    inputs : DemandInputs
        Per-cell inputs.
    params : DemandParams
        Model parameters.
    balancing : ndarray, shape (P, N), optional
        Warm-start destination factors (last year's ``DemandOutputs.balancing``).
    block : int
        Origin rows per block (memory bound; results do not depend on it).

    Returns
    -------
    DemandOutputs
        Daily results.
    """
    check_inputs(inputs, params)
    n, n_seg = inputs.n_cells, inputs.segment_share.shape[0]
    n_pur, n_modes = len(PURPOSES), len(MODES)
    trips = np.zeros((n_seg, n_pur, n, n_modes))
    pkm = np.zeros((n_seg, n_pur, n, n_modes))
    trips_to = np.zeros((n, n_modes))
    dest_logsum = np.full((n_seg, n_pur, n), -np.inf)
    factors = np.ones((n_pur, n))
    iterations = np.zeros(n_pur, dtype=np.int64)
    k = inputs.n_districts
    district = None if k == 0 else np.asarray(inputs.district, dtype=np.int64)
    od = np.zeros((k, k))
    for p in range(n_pur):
        if params.doubly_constrained[p]:
            start = np.ones(n) if balancing is None else np.asarray(balancing[p], dtype=np.float64)
            factors[p], iterations[p] = balance(inputs, params, p, start, block)
        origins = productions(inputs, params, p)
        for s in range(n_seg):
            for rows in blocks(n, block):
                dist = distance_block(inputs, params, rows)
                attract, w = attractiveness(inputs, params, s, p, rows, dist)
                with np.errstate(divide="ignore"):
                    dest_logsum[s, p, rows] = np.log(attract.sum(axis=1))
                flow = destination_flows(origins[s, rows], attract, factors[p])
                mode_flow = flow[None] * mode_shares(w, params)  # (M, B, N)
                trips[s, p, rows] = mode_flow.sum(axis=2).T
                pkm[s, p, rows] = (mode_flow * dist[None]).sum(axis=2).T
                trips_to += mode_flow.sum(axis=1).T
                if district is not None:
                    car_pkm = (mode_flow[list(CAR_MODES)] * dist[None]).sum(axis=0)  # (B, N)
                    to_district = np.zeros((car_pkm.shape[0], k))
                    np.add.at(to_district.T, district, car_pkm.T)
                    np.add.at(od, district[rows], to_district)
    pkm_cell = pkm.sum(axis=(0, 1))
    return DemandOutputs(
        trips=trips,
        pkm=pkm,
        trips_to=trips_to,
        vkm=pkm_cell * params.vkm_per_pkm[None, :],
        co2_ttw=pkm_cell * params.ef_ttw[None, :],
        co2_wtw=pkm_cell * params.ef_wtw[None, :],
        dest_logsum=dest_logsum,
        balancing=factors,
        iterations=iterations,
        district_car_pkm=None if district is None else od,
    )


def trips_by_destination(
    inputs: DemandInputs,
    params: DemandParams,
    balancing: np.ndarray,
    groups: Sequence[np.ndarray],
    block: int = BLOCK,
) -> np.ndarray:
    """Trips by mode and destination from each group of origins, all segments and purposes.

    The trips ``T_ijm`` of step 5, with the year's balancing factors (not balanced again),
    summed over the origins ``i`` of each group: what the kernel's trips by destination
    (``DemandOutputs.trips_to``) are for all origins. A zone's trips within it are its group's
    trips to the zone's cells (:mod:`mobility_sim.model.zone_flows`).

    Parameters
    ----------
    inputs, params : DemandInputs, DemandParams
        The year's inputs and parameters.
    balancing : ndarray, shape (P, N)
        The year's destination factors (``DemandOutputs.balancing``); the rows of
        origin-constrained purposes are not used.
    groups : sequence of array_like of int
        Origin cells of each group (a cell may be in several).
    block : int
        Origin rows per block (memory bound; results do not depend on it).

    Returns
    -------
    ndarray, shape (G, M, N)
        Daily trips by group, mode and destination.
    """
    check_inputs(inputs, params)
    rows_of = check_origin_groups(inputs, balancing, groups)
    n, n_seg = inputs.n_cells, inputs.segment_share.shape[0]
    out = np.zeros((len(rows_of), len(MODES), n))
    for p in range(len(PURPOSES)):
        factors = (np.asarray(balancing[p], dtype=np.float64) if params.doubly_constrained[p]
                   else np.ones(n))
        origins = productions(inputs, params, p)
        for g, group in enumerate(rows_of):
            for s in range(n_seg):
                for start in range(0, group.size, block):
                    rows = group[start:start + block]
                    dist = distance_block(inputs, params, rows)
                    attract, w = attractiveness(inputs, params, s, p, rows, dist)
                    flow = destination_flows(origins[s, rows], attract, factors)
                    out[g] += (flow[None] * mode_shares(w, params)).sum(axis=1)
    return out
