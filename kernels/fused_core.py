"""Compiled cores of the fused demand kernel: arrays and scalars in, arrays out.

Private to :mod:`.fused`, whose wrapper validates the inputs, folds the model into the per-mode
arrays below and documents the algorithm. Every function works on one purpose and a list of
segments, origin by origin, and never holds a cell-pair x mode array: each worker keeps at most
``BLOCK`` origin rows of ``M x N`` values.

Arrays (``T`` is the compute dtype, float32 or float64; ``S`` evaluated segments):

``px, py`` (N,) T
    Cell centres, centred and scaled so that ``hypot`` gives network km.
``a, sl`` (M, N) T
    Origin part of each mode's utility, and its slope per network km (for car and PT, whose
    time uses the harmonic mean of the cell speeds, the slope includes the origin's speed).
``b`` (C, M, N) T
    Destination part of the utility, including ``log`` of the destination availability (and,
    when ``gravity`` is set, of the size term and balancing factor), one row per class of
    origin, ``b[origin_class[i]]``: ``b[0]`` for origins inside the cordon (charged for
    destinations outside it), ``b[1]`` for origins outside (charged for destinations inside
    it); ``b[2]``, ``b[3]`` the same for external zones (external destinations at ``-inf``);
    ``b[4]``, ``b[5]`` for residents a low-emission zone spares (``zone_residents``).
``origin_class`` (N,) int64
    Each origin's row of ``b``.
``kvj`` (M, N) T
    Destination part of the time slope: of modes with per-cell speeds (``kv[m] / speed_j``),
    and of cycling lightened by the destination's protected infrastructure (half of it; the
    origin's half is in ``sl``); zero for the other modes.
``cb`` (C, M, N), ``ck`` (M,) T, ``damp`` (2,) float64
    Money costs in utility, apart: of the destination (per class of origin, as ``b``) and per
    network km, both multiplied per cell pair by the cost damping
    ``(max(d_ij, dz) * damp[1]) ** damp[0]`` (1 when ``damp[0]`` is 0).
``f`` (S, M, N) T
    Origin weight of each mode per segment: availability times ``exp(asc)``, divided by its
    largest over the segments (whose log is in ``a``).
``lam``, ``delta`` float
    Logsum coefficient of destination choice, and its own distance term (utility per network
    km; 0 when ``lam`` is 1, where the wrapper puts it in ``sl``, as it leaves the mode shares
    of each cell pair unchanged).
``gravity`` bool
    True when the logsum coefficient is 1 and the mode choice is a multinomial logit: the size
    term (and balancing factor) are folded into ``b`` and every segment shares one set of
    per-mode sums.
``nest`` (M,) int64, ``scale`` (K,) float64, ``alias`` (S, K) int64
    Nest of each alternative and scale of each nest (a nested logit; the utilities in ``a``,
    ``sl``, ``b``, ``kvj`` and the constants in ``f`` are already divided by their nest's
    scale), and for each segment and nest the lowest segment with the same origin weights on
    the nest's alternatives (whose inclusive value it shares). With every scale 1 the cores
    take the multinomial logit's plain sums.

Every core is serial and releases the GIL: :func:`.threads.run_chunks` runs one pass as chunks
of origin rows on a pool of threads, each chunk with its own accumulator (the first argument
pair is the chunk's row range, the last argument its accumulator). Nothing here is compiled
with ``parallel=True``: numba re-optimises every core linked into a parallel function, which
doubled the cold compile time.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .fastexp import fast_exp, fast_log

#: LLVM fast-math flags of the cores: reassociation lets sums vectorise; no finite-math
#: assumptions (``-inf`` utilities are meaningful: unavailable modes).
FASTMATH = {"reassoc", "contract", "nsz", "arcp"}
#: Destinations per tile: tile sums are taken in the compute dtype, then added in float64.
TILE = 512
#: A typed zero for the cores' column offsets: a literal ``0`` at a call site would make numba
#: compile a second specialisation of the callee (``Literal[int](0)`` besides ``int64``).
ZERO = np.int64(0)
#: Origins per block in the flows pass: trips by destination are added to the worker's
#: float64 accumulator once per block.
BLOCK = 8
_OPTS = {"cache": True, "nogil": True, "error_model": "numpy", "fastmath": FASTMATH}


# Inner loops below always run over ``range(len)`` of 1-D views taken outside the loop: an
# index like ``j - offset`` (numba's integer arithmetic carries no no-wrap flag) stops LLVM
# from vectorising, measured 10x slower.


@njit(**_OPTS)
def _tile_exps(i, j0, j1, px, py, dz, a, sl, bsel, kvj, cbsel, ck, damp, e, d, gd, col, g, h,
               coef, carw, cp):
    """Exponentiated utilities from origin ``i`` to destinations ``j0 .. j1``.

    Writes distances ``d[col + j - j0]`` and ``e[m, col + j - j0] = exp(V_ijm)`` (weights
    folded into ``bsel``), with ``V_ijm = a + b_j + d_ij (sl + kvj_j) + g_ij (cb_j + d_ij ck)``
    and the cost damping ``g_ij = (max(d_ij, dz) * damp[1]) ** damp[0]`` (1 when ``damp[0]``
    is 0; ``gd`` (TILE,) is its scratch), and adds ``sum_j e`` to ``g[m]`` and ``sum_j e d``
    to ``h[m]`` (tile sums in the compute dtype, added in float64). When ``coef`` (M,) is not
    empty, ``e`` is an accumulator instead: ``e[m, col + j - j0] += coef[m] exp(V_ijm)`` (one
    loop, no store and reload of the exponentials); and when ``cp`` is not empty, the car
    passenger-km of the origin are added to it too: ``cp[j - j0] += carw[m] exp(V_ijm) d_ij``
    for the modes with ``carw[m] != 0``.
    """
    width = j1 - j0
    xi, yi = px[i], py[i]
    tx, ty, dt = px[j0:j1], py[j0:j1], d[col:col + width]
    for j in range(width):
        dx = tx[j] - xi
        dy = ty[j] - yi
        dt[j] = np.sqrt(dx * dx + dy * dy)
    if j0 <= i < j1:
        dt[i - j0] = dz
    zero = px.dtype.type(0.0)
    gt = gd[:width]
    if damp[0] != 0.0:
        t_damp, t_inv, t_floor = px.dtype.type(damp[0]), px.dtype.type(damp[1]), px.dtype.type(dz)
        for j in range(width):
            x = dt[j] if dt[j] > t_floor else t_floor
            gt[j] = fast_exp(t_damp * fast_log(x * t_inv))
    else:
        gt[:] = 1
    for m in range(e.shape[0]):
        am, sm, km_cost = a[m, i], sl[m, i], ck[m]
        bm, km, em = bsel[m, j0:j1], kvj[m, j0:j1], e[m, col:col + width]
        cbm = cbsel[m, j0:j1]
        gs, hs = zero, zero
        if coef.size and cp.size and carw[m] != 0:
            cm, cw, cpt = coef[m], carw[m], cp[:width]
            for j in range(width):
                v = fast_exp(am + bm[j] + dt[j] * (sm + km[j]) + gt[j] * (cbm[j] + dt[j] * km_cost))
                em[j] += cm * v
                gs += v
                hs += v * dt[j]
                cpt[j] += cw * v * dt[j]
        elif coef.size:
            cm = coef[m]
            for j in range(width):
                v = fast_exp(am + bm[j] + dt[j] * (sm + km[j]) + gt[j] * (cbm[j] + dt[j] * km_cost))
                em[j] += cm * v
                gs += v
                hs += v * dt[j]
        else:
            for j in range(width):
                v = fast_exp(am + bm[j] + dt[j] * (sm + km[j]) + gt[j] * (cbm[j] + dt[j] * km_cost))
                em[j] = v
                gs += v
                hs += v * dt[j]
        g[m] += gs
        h[m] += hs


@njit(**_OPTS)
def _weighted_modes(f_s, i, e, col, out):
    """``out[j] = sum_m f_s[m, i] e[m, col + j]`` for ``j < len(out)``.

    Alternatives with no weight at the origin (another income group's car, no car in a no-car
    segment) are skipped: adding their exact zeros would change nothing.
    """
    width = out.size
    started = False
    for m in range(e.shape[0]):
        fm = f_s[m, i]
        if fm == 0:
            continue
        em = e[m, col:col + width]
        if started:
            for j in range(width):
                out[j] += fm * em[j]
        else:
            for j in range(width):
                out[j] = fm * em[j]
            started = True
    if not started:
        out[:] = 0


@njit(**_OPTS)
def _is_nested(scale):
    """Whether any nest's scale is below 1 (else the mode choice is a multinomial logit)."""
    for k in range(scale.size):
        if scale[k] != 1.0:
            return True
    return False


@njit(**_OPTS)
def _nested_modes(f, s, i, e, col, out, nest, scale, alias, ip, mult):
    """Nested logit's ``out[j] = W_j = sum_k I_kj ** scale[k]`` of segment ``s``, ``j < len(out)``.

    ``I_kj = sum over m in nest k of f[s, m, i] e[m, col + j]`` (the inclusive value's
    exponential). ``ip[s, k, j]`` receives ``I_kj ** scale[k]`` and ``mult[s, k, j]``
    ``I_kj ** (scale[k] - 1)`` (1 for a nest of scale 1, 0 where ``I_kj`` is 0), the factor of
    each mode's share (:func:`.reference.nest_sums`). A nest whose origin weights are a lower
    segment's (``alias[s, k] < s``: the same constants and availabilities on its modes, as the
    walking and cycling nest of every segment of one car class) reuses that segment's values,
    computed for the same origin and tile just before: read ``mult[alias[s, k], k]``. One log
    and one exp per destination and computed nest of scale below 1.
    """
    width = out.size
    dt = out.dtype.type
    out[:] = 0
    f_s = f[s]
    for k in range(scale.size):
        src = alias[s, k]
        pk = ip[src, k, :width]
        if src == s:
            mk = mult[s, k, :width]
            mk[:] = 0
            for m in range(e.shape[0]):
                fm = f_s[m, i]
                if fm == 0 or nest[m] != k:
                    continue
                em = e[m, col:col + width]
                for j in range(width):
                    mk[j] += fm * em[j]
            if scale[k] == 1.0:
                for j in range(width):
                    pk[j] = mk[j]
                    mk[j] = 1.0
            else:
                t_lam = dt(scale[k] - 1.0)
                for j in range(width):
                    ik = mk[j]
                    r = fast_exp(t_lam * fast_log(ik))
                    if ik <= 0:
                        r = dt(0.0)
                    pk[j] = r * ik
                    mk[j] = r
        for j in range(width):
            out[j] += pk[j]


@njit(**_OPTS)
def _power(w, lam, size, out):
    """``out[j] = size[j] * w[j] ** lam`` (``0 ** 0 = 1`` as NumPy) over ``len(out)``.

    With ``lam`` 1 (a nested mode choice under a logsum coefficient of 1) no log or exp.
    """
    if lam == 1.0:
        for j in range(out.size):
            out[j] = size[j] * w[j]
        return
    zero_pow = w.dtype.type(1.0) if lam == 0 else w.dtype.type(0.0)
    t_lam = w.dtype.type(lam)
    for j in range(out.size):
        v = fast_exp(t_lam * fast_log(w[j]))
        if w[j] <= 0:
            v = zero_pow
        out[j] = size[j] * v


@njit(**_OPTS)
def _decayed_size(size, delta, dist, out):
    """``out[j] = size[j] * exp(delta * dist[j])`` over ``len(size)``; returns the filled view.

    The destination choice's own distance term, taken into the size term once per origin and
    tile (it does not depend on the segment); one exp per cell pair, only when ``delta`` is
    not 0.
    """
    width = size.size
    sz = out[:width]
    t_delta = size.dtype.type(delta)
    for j in range(width):
        sz[j] = size[j] * fast_exp(t_delta * dist[j])
    return sz


@njit(**_OPTS)
def _sum(v):
    """``sum(v)`` in float64, adding tile sums taken in ``v``'s dtype."""
    total = 0.0
    for start in range(0, v.size, TILE):
        tile = v[start:start + TILE]
        acc = v.dtype.type(0.0)
        for j in range(tile.size):
            acc += tile[j]
        total += acc
    return total


@njit(**_OPTS)
def _sweep_row(row, factors, origin, acc):
    """One origin of a Furness sweep: returns ``sum_j factors_j row_j``; adds flows to ``acc``."""
    den = 0.0
    for j in range(row.size):
        den += factors[j] * row[j]
    if den > 0 and origin != 0:
        r = origin / den
        for j in range(row.size):
            acc[j] += r * row[j]
    return den


@njit(**_OPTS)
def _sweep_rows(stored_s, start, stop, factors, origins_s, denom_s, acc):
    """Furness sweep over origins ``start .. stop`` of one segment, four rows at a time.

    Four rows share each load of ``factors`` and each load and store of ``acc`` (float64):
    measured 18 GB/s of stored array per core against 11.5 GB/s one row at a time. The loop is
    software-pipelined: the denominators of rows ``i .. i+3`` (read from memory) are taken in
    the same pass as the arrivals of rows ``i-4 .. i-1`` (still in cache, their coefficients now
    known), so memory is read all the time instead of in alternate phases. Median of 6 sweeps
    over 20,000 cells on 2 threads of the Intel CI VM: 20.4 GB/s before, 22.7 GB/s pipelined
    with 256-bit vectors; 19.9 and 20.4 GB/s with 512-bit vectors (:mod:`.numba_env`). Each
    arrival is added to ``acc`` in the same order as without the pipeline.
    """
    n = factors.size
    i = start
    p0 = p1 = p2 = p3 = stored_s[min(start, stored_s.shape[0] - 1)]  # the previous four rows
    q0 = q1 = q2 = q3 = 0.0  # and their coefficients (0 until there are previous rows)
    while i + 4 <= stop:
        r0, r1, r2, r3 = stored_s[i], stored_s[i + 1], stored_s[i + 2], stored_s[i + 3]
        d0, d1, d2, d3 = 0.0, 0.0, 0.0, 0.0
        for j in range(n):  # adds exact zeros for the first four rows (q = 0)
            b = factors[j]
            d0 += b * r0[j]
            d1 += b * r1[j]
            d2 += b * r2[j]
            d3 += b * r3[j]
            acc[j] += (q0 * p0[j] + q1 * p1[j]) + (q2 * p2[j] + q3 * p3[j])
        denom_s[i], denom_s[i + 1], denom_s[i + 2], denom_s[i + 3] = d0, d1, d2, d3
        q0 = origins_s[i] / d0 if d0 > 0 else 0.0
        q1 = origins_s[i + 1] / d1 if d1 > 0 else 0.0
        q2 = origins_s[i + 2] / d2 if d2 > 0 else 0.0
        q3 = origins_s[i + 3] / d3 if d3 > 0 else 0.0
        p0, p1, p2, p3 = r0, r1, r2, r3
        i += 4
    if q0 != 0 or q1 != 0 or q2 != 0 or q3 != 0:
        for j in range(n):
            acc[j] += (q0 * p0[j] + q1 * p1[j]) + (q2 * p2[j] + q3 * p3[j])
    for k in range(i, stop):
        denom_s[k] = _sweep_row(stored_s[k], factors, origins_s[k], acc)


@njit(**_OPTS)
def build_rows(start, stop, px, py, dz, a, sl, b, kvj, origin_class, cb, ck, damp, f, gravity,
               lam, delta, size, nest, scale, alias, stored, logsum, factors, origins, denom,
               acc):
    """Store the attractiveness of origins ``start .. stop``; make the first Furness sweep.

    ``stored`` (S, N, N) in the compute dtype receives ``A``; ``logsum`` (S, N) float64
    ``log(sum_j A[s, i, j])``. While each row is in cache, the first Furness sweep with
    ``factors`` is made (see :func:`balance_rows`): ``denom`` receives the denominators and
    ``acc`` (N,), zeroed by the caller, the unweighted arrivals from these origins.

    Origins go in blocks of ``BLOCK``, destinations in tiles: each tile of destination data
    (utility parts, coordinates) is read once per block rather than once per origin.
    """
    n_seg, n_modes, n = f.shape[0], f.shape[1], px.size
    tile = min(TILE, n)
    d = np.empty(tile, px.dtype)
    gd = np.empty(tile, px.dtype)
    e = np.empty((n_modes, tile), px.dtype)
    w = np.empty(tile, px.dtype)
    decayed = np.empty(tile, px.dtype)
    ip = np.empty((n_seg, scale.size, tile), px.dtype)
    mult = np.empty((n_seg, scale.size, tile), px.dtype)
    nested = _is_nested(scale)
    g = np.zeros((BLOCK, n_modes))
    h = np.zeros((BLOCK, n_modes))
    no_coef = np.empty(0, px.dtype)
    for block in range(start, stop, BLOCK):
        count = min(BLOCK, stop - block)
        g[:] = 0.0
        for j0 in range(0, n, tile):
            j1 = min(j0 + tile, n)
            for k in range(count):
                i = block + k
                bsel, cbsel = b[origin_class[i]], cb[origin_class[i]]
                _tile_exps(i, j0, j1, px, py, dz, a, sl, bsel, kvj, cbsel, ck, damp, e, d, gd,
                           ZERO, g[k], h[k], no_coef, no_coef, no_coef)
                sz = size[j0:j1]
                if delta != 0.0:
                    sz = _decayed_size(sz, delta, d, decayed)
                for s in range(n_seg):
                    if gravity:
                        _weighted_modes(f[s], i, e, ZERO, stored[s, i, j0:j1])
                    else:
                        if nested:
                            _nested_modes(f, s, i, e, ZERO, w[:j1 - j0], nest, scale, alias, ip,
                                          mult)
                        else:
                            _weighted_modes(f[s], i, e, ZERO, w[:j1 - j0])
                        _power(w, lam, sz, stored[s, i, j0:j1])
        for k in range(count):
            i = block + k
            for s in range(n_seg):
                if gravity:
                    total = 0.0
                    for m in range(n_modes):
                        total += f[s, m, i] * g[k, m]
                else:
                    total = _sum(stored[s, i])
                logsum[s, i] = np.log(total) if total > 0 else -np.inf
        for s in range(n_seg):  # first Furness sweep while the block's rows are in cache
            _sweep_rows(stored[s], block, block + count, factors, origins[s], denom[s], acc)


@njit(**_OPTS)
def balance_rows(start, stop, stored, factors, origins, denom, acc):
    """One Furness sweep over origins ``start .. stop``: their arrivals per destination.

    Parameters are ``stored`` (S, N, N), ``factors`` (N,) float64, ``origins`` (S, N) float64
    trips produced; ``denom`` (S, N) float64 receives ``sum_j factors_j A[s, i, j]`` at these
    origins; ``acc`` (N,) float64, zeroed by the caller, receives
    ``sum_s sum_i origins[s, i] A[s, i, j] / denom[s, i]``: the arrivals are the sum of the
    chunks' ``acc`` times ``factors``. All sums are in float64 whatever the dtype of ``stored``.
    """
    for s in range(stored.shape[0]):
        _sweep_rows(stored[s], start, stop, factors, origins[s], denom[s], acc)


@njit(**_OPTS)
def _power_ratio(w, lam, size, weight, at, rs):
    """``at = size * w ** lam`` and ``rs = weight * at / w`` over ``len(at)``; returns ``sum(at)``.

    One log and one exp per element and no division, since ``at / w = size * w ** (lam - 1)``.
    Where ``w <= 0`` (no mode available): ``rs = 0`` and ``at = size * 0 ** lam`` (``0 ** 0 = 1``
    as NumPy). With ``lam`` 1: ``at = size * w``, ``rs = weight * size``, no log or exp.
    """
    zero_pow = w.dtype.type(1.0) if lam == 0 else w.dtype.type(0.0)
    t_lam = w.dtype.type(lam - 1.0)
    zero = w.dtype.type(0.0)
    total = zero
    if lam == 1.0:
        for j in range(at.size):
            a_j = size[j] * w[j]
            r_j = weight[j] * size[j]
            if w[j] <= 0:
                r_j = zero
            at[j] = a_j
            rs[j] = r_j
            total += a_j
        return total
    for j in range(at.size):
        st = size[j] * fast_exp(t_lam * fast_log(w[j]))
        a_j = w[j] * st
        r_j = weight[j] * st
        if w[j] <= 0:
            a_j = size[j] * zero_pow
            r_j = zero
        at[j] = a_j
        rs[j] = r_j
        total += a_j
    return total


@njit(**_OPTS)
def _origin_flows(i, px, py, dz, a, sl, b, kvj, origin_class, cb, ck, damp, f, gravity, lam, delta,
                  size, nest, scale, alias, weight, origins, denom, trips, pkm, logsum, e, d, gd,
                  ratio, w, att, decayed, ip, mult, block_tt, is_car, cpo):
    """Row ``i``: trips and pkm by mode; its trips by destination added to ``block_tt``.

    When ``cpo`` (N,) is not empty, the row's car passenger-km by destination (the modes with
    ``is_car[m]``) are added to it.

    The row's exponentials ``e`` (M, N) are taken once. When the logsum coefficient is 1
    (``gravity``), every per-segment quantity is a per-mode row sum. Otherwise a first pass,
    tile by tile and segment by segment within a tile (so that a nest shared with a lower
    segment is computed once, :func:`_nested_modes`), gives each segment's destination weights
    ``ratio[s, k]`` (S, K, N), one row per nest, and its denominator, hence the origin's
    coefficient; then one pass over the row, tile by tile, takes the per-mode sums
    and adds the trips by destination for every segment and mode, so that a tile's weights,
    exponentials and accumulators stay in the first-level cache (the trips by destination
    receive their terms in the same order as segment by segment). Modes with no weight at the
    origin (no car in a no-car segment, another income group's car, an origin with no trips)
    are skipped.
    """
    n_seg, n_modes, n = f.shape[0], f.shape[1], px.size
    zero = e.dtype.type(0.0)
    nested = _is_nested(scale)
    g = np.zeros(n_modes)
    h = np.zeros(n_modes)
    bsel, cbsel = b[origin_class[i]], cb[origin_class[i]]
    for j0 in range(0, n, TILE):
        j1 = min(j0 + TILE, n)
        _tile_exps(i, j0, j1, px, py, dz, a, sl, bsel, kvj, cbsel, ck, damp, e, d, gd, j0, g, h,
                   e[0, :0], e[0, :0], e[0, :0])
    track = cpo.size > 0
    coefs = np.zeros(n_seg)
    totals = np.zeros(n_seg)
    if gravity:
        for s in range(n_seg):
            for m in range(n_modes):
                totals[s] += f[s, m, i] * g[m]
    else:
        for j0 in range(0, n, TILE):
            j1 = min(j0 + TILE, n)
            width = j1 - j0
            sz = size[j0:j1]
            if delta != 0.0:
                sz = _decayed_size(sz, delta, d[j0:j1], decayed)
            for s in range(n_seg):
                wt = w[:width]
                if nested:
                    _nested_modes(f, s, i, e, j0, wt, nest, scale, alias, ip, mult)
                else:
                    _weighted_modes(f[s], i, e, j0, wt)
                totals[s] += _power_ratio(wt, lam, sz, weight[j0:j1], att[:width],
                                          ratio[s, 0, j0:j1])
                if nested:  # each nest's destination weights: the share's factor I ** (scale - 1)
                    for k in range(scale.size - 1, -1, -1):
                        rk, r0 = ratio[s, k, j0:j1], ratio[s, 0, j0:j1]
                        mk = mult[alias[s, k], k, :width]
                        for j in range(width):
                            rk[j] = r0[j] * mk[j]
    for s in range(n_seg):
        total = totals[s]
        if denom.shape[1] == n:  # known (doubly constrained): from the last sweep
            total = denom[s, i]
        else:
            logsum[s, i] = np.log(total) if total > 0 else -np.inf
        coefs[s] = origins[s, i] / total if total > 0 else 0.0
        for m in range(n_modes):
            trips[s, i, m] = 0.0
            pkm[s, i, m] = 0.0
    if gravity:
        through = np.zeros(n_modes)  # trips per unit of exponential, all segments
        for s in range(n_seg):
            for m in range(n_modes):
                weight_sm = coefs[s] * f[s, m, i]
                if weight_sm != 0:
                    trips[s, i, m] = weight_sm * g[m]
                    pkm[s, i, m] = weight_sm * h[m]
                    through[m] += weight_sm
        for m in range(n_modes):
            if through[m] != 0:
                c = e.dtype.type(through[m])
                em, acc = e[m], block_tt[m]
                for j in range(n):
                    acc[j] += c * em[j]
                if track and is_car[m]:
                    for j in range(n):
                        cpo[j] += c * em[j] * d[j]
        return
    gs = np.zeros((n_seg, n_modes))
    hs = np.zeros((n_seg, n_modes))
    for j0 in range(0, n, TILE):
        j1 = min(j0 + TILE, n)
        width = j1 - j0
        dt = d[j0:j1]
        for s in range(n_seg):
            for m in range(n_modes):
                weight_sm = coefs[s] * f[s, m, i]
                if weight_sm == 0:
                    continue
                rs = ratio[s, nest[m], j0:j1]
                c = e.dtype.type(weight_sm)
                em, acc = e[m, j0:j1], block_tt[m, j0:j1]
                tg, th = zero, zero
                if track and is_car[m]:
                    cpa = cpo[j0:j1]
                    for j in range(width):
                        v = rs[j] * em[j]
                        tg += v
                        th += v * dt[j]
                        acc[j] += c * v
                        cpa[j] += c * v * dt[j]
                else:
                    for j in range(width):
                        v = rs[j] * em[j]
                        tg += v
                        th += v * dt[j]
                        acc[j] += c * v
                gs[s, m] += tg
                hs[s, m] += th
    for s in range(n_seg):
        for m in range(n_modes):
            weight_sm = coefs[s] * f[s, m, i]
            if weight_sm != 0:
                trips[s, i, m] = weight_sm * gs[s, m]
                pkm[s, i, m] = weight_sm * hs[s, m]


@njit(**_OPTS)
def flow_rows(start, stop, px, py, dz, a, sl, b, kvj, origin_class, cb, ck, damp, f, gravity, lam,
              delta, size, nest, scale, alias, weight, origins, denom, trips, pkm, logsum,
              district, is_car, tt):
    """Trips and passenger-km by origin and mode for origins ``start .. stop``.

    ``weight`` (N,) T multiplies the attractiveness (balancing factors, or ones); unused when
    ``gravity`` (then it is folded into ``b``). ``denom`` (S, N) float64: the destination-choice
    denominators when known (doubly constrained, from the last balancing sweep); when it has no
    columns they are the row sums computed here, and ``logsum`` (S, N) receives their log.
    Outputs: ``trips``, ``pkm`` (S, N, M) float64 at these origins; ``tt`` (M + K, N) float64,
    zeroed by the caller, receives their trips by destination and mode (rows ``0 .. M-1``) and,
    with ``K`` traffic districts (``district`` (N,) int64, empty without), the car
    passenger-km by origin district (row ``M + district[i]``) and destination (the modes with
    ``is_car[m]``). When the denominators are known and ``gravity`` is set,
    :func:`known_gravity_rows` does the same work faster.

    Each origin is one call of :func:`_origin_flows`; trips by destination are summed in the
    compute dtype over ``BLOCK`` origins, then added to ``tt`` in float64.
    """
    n_modes, n = f.shape[1], px.size
    dt = px.dtype
    e = np.empty((n_modes, n), dt)
    d = np.empty(n, dt)
    gd = np.empty(TILE, dt)
    ratio = np.empty((f.shape[0], scale.size, n), dt)
    w = np.empty(TILE, dt)
    att = np.empty(TILE, dt)
    decayed = np.empty(TILE, dt)
    ip = np.empty((f.shape[0], scale.size, TILE), dt)
    mult = np.empty((f.shape[0], scale.size, TILE), dt)
    block_tt = np.empty((n_modes, n), dt)
    track = tt.shape[0] > n_modes
    block_cp = np.empty((BLOCK if track else 0, n), dt)
    for block in range(start, stop, BLOCK):
        block_tt[:] = 0
        if track:
            block_cp[:] = 0
        for i in range(block, min(block + BLOCK, stop)):
            cpo = block_cp[i - block] if track else d[:0]
            _origin_flows(i, px, py, dz, a, sl, b, kvj, origin_class, cb, ck, damp, f, gravity,
                          lam, delta, size, nest, scale, alias, weight, origins, denom, trips,
                          pkm, logsum, e, d, gd, ratio, w, att, decayed, ip, mult, block_tt,
                          is_car, cpo)
        for m in range(n_modes):
            ttm, acc = tt[m], block_tt[m]
            for j in range(n):
                ttm[j] += acc[j]
        if track:
            for i in range(block, min(block + BLOCK, stop)):
                row, acc = tt[n_modes + district[i]], block_cp[i - block]
                for j in range(n):
                    row[j] += acc[j]


@njit(**_OPTS)
def known_gravity_rows(start, stop, px, py, dz, a, sl, b, kvj, origin_class, cb, ck, damp, f,
                       origins, denom, trips, pkm, district, is_car, tt):
    """:func:`flow_rows` when the denominators are known and the logsum coefficient is 1.

    The coefficients of every origin are known before its row is evaluated, so the row is
    never stored: ``BLOCK`` origins are evaluated tile by tile and their trips by destination
    summed in a tile-sized accumulator before being added to ``tt``; with traffic districts,
    each origin's car passenger-km in a tile-sized row of its own, added to its district's row.
    """
    n_seg, n_modes, n = f.shape[0], f.shape[1], px.size
    dt = px.dtype
    tile = min(TILE, n)
    d = np.empty(tile, dt)
    gd = np.empty(tile, dt)
    acc = np.empty((n_modes, tile), dt)
    g = np.zeros((BLOCK, n_modes))
    h = np.zeros((BLOCK, n_modes))
    cm = np.zeros((BLOCK, n_modes), dt)
    coef = np.zeros((BLOCK, n_seg))
    track = tt.shape[0] > n_modes
    carw = np.zeros((BLOCK, n_modes), dt)
    cpb = np.zeros((BLOCK if track else 0, tile), dt)
    for block in range(start, stop, BLOCK):
        count = min(BLOCK, stop - block)
        g[:] = 0.0
        h[:] = 0.0
        for k in range(count):
            i = block + k
            for s in range(n_seg):
                coef[k, s] = origins[s, i] / denom[s, i] if denom[s, i] > 0 else 0.0
            for m in range(n_modes):
                c = 0.0
                for s in range(n_seg):
                    c += coef[k, s] * f[s, m, i]
                cm[k, m] = c
                carw[k, m] = c if is_car[m] else 0.0
        for j0 in range(0, n, tile):
            j1 = min(j0 + tile, n)
            width = j1 - j0
            acc[:, :width] = 0
            if track:
                cpb[:count, :width] = 0
            for k in range(count):
                i = block + k
                bsel, cbsel = b[origin_class[i]], cb[origin_class[i]]
                _tile_exps(i, j0, j1, px, py, dz, a, sl, bsel, kvj, cbsel, ck, damp, acc, d, gd,
                           ZERO, g[k], h[k], cm[k], carw[k], cpb[k] if track else d[:0])
            for m in range(n_modes):
                ttm, am = tt[m, j0:j1], acc[m, :width]
                for j in range(width):
                    ttm[j] += am[j]
            if track:
                for k in range(count):
                    row, ck = tt[n_modes + district[block + k], j0:j1], cpb[k, :width]
                    for j in range(width):
                        row[j] += ck[j]
        for k in range(count):
            i = block + k
            for s in range(n_seg):
                for m in range(n_modes):
                    weight_sm = coef[k, s] * f[s, m, i]
                    trips[s, i, m] = weight_sm * g[k, m]
                    pkm[s, i, m] = weight_sm * h[k, m]
