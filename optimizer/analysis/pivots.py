"""The change-point walk's pivots, compiled (numba): `frontier.Walk` sets up a walk from a
grid point's basis, refactorises the dense inverse of the basis and grants the steps; `pivots`
makes up to `limit` steps of the parametric dual simplex from there and reports the change
points it passes, with the cells that change course at each.

One step: the direction B^-1 e_pool of the basic values, the primal ratio test (how far the
pool's bound can grow on this basis: the next possible change point), the move, then one dual
simplex pivot: the pivot row over the model's distinct columns (groups), Harris' two-pass
ratio test over each group's best candidate, the rank-one update of B^-1. Compiled, a step
costs 15-30 us at 2,000 clients where the same steps as numpy calls cost 100-150 us (some
eighty calls on arrays of a few hundred or a few thousand numbers, each mostly call
overhead). The code is cached on disk (`cache=True`), so only a machine's first process
compiles it; it is imported only when a sweep searches for change points.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# What a call of `pivots` ended with.
BATCH_DONE = 0  # its `limit` of steps made: call again (after a refactorisation if one is due)
REACHED = 1  # the interval's end reached, or the pool stopped binding (nothing changes after)
FAILED = 2  # no column can enter, or the walk cycles on a degenerate vertex
SMALL_PIVOT = 3  # the pivot element is too small to trust: refactorise and retry


@njit(cache=True)
def _next(state: np.ndarray, a: int, b: int, mark: int) -> int:
    """The first position in [a, b) marked `mark` (-1: none)."""
    for p in range(a, b):
        if state[p] == mark:
            return p
    return -1


@njit(cache=True)
def _last(state: np.ndarray, a: int, b: int, mark: int) -> int:
    """The last position in [a, b) marked `mark` (-1: none)."""
    for p in range(b - 1, a - 1, -1):
        if state[p] == mark:
            return p
    return -1


@njit(cache=True)
def _kink(
    cells_a: np.ndarray,
    growth_a: np.ndarray,
    cells_b: np.ndarray,
    growth_b: np.ndarray,
    acc: np.ndarray,
    seen: np.ndarray,
    kink_rtol: float,
    out: np.ndarray,
    used: int,
    off: np.ndarray,
) -> int:
    """The cells that grow faster on piece b than on piece a, then those that grow slower,
    each ascending, written to out[used:]; off = [start, start of the slower, end]. A cell's
    growths are added up in their order (a cell may appear twice: two of its unit columns
    basic), a's taken away first."""
    big = 0.0
    for i in range(cells_a.shape[0]):
        acc[cells_a[i]] -= growth_a[i]
        big = max(big, abs(growth_a[i]))
    for i in range(cells_b.shape[0]):
        acc[cells_b[i]] += growth_b[i]
        big = max(big, abs(growth_b[i]))
    tol = kink_rtol * max(1.0, big)
    both = np.concatenate((cells_a, cells_b))
    more = np.empty(both.shape[0], dtype=np.int64)
    less = np.empty(both.shape[0], dtype=np.int64)
    n_more = n_less = 0
    for c in both:
        if seen[c]:
            continue
        seen[c] = True
        if acc[c] > tol:
            more[n_more] = c
            n_more += 1
        elif acc[c] < -tol:
            less[n_less] = c
            n_less += 1
    for c in both:
        acc[c], seen[c] = 0.0, False
    off[0] = used
    out[used : used + n_more] = np.sort(more[:n_more])
    off[1] = used + n_more
    out[used + n_more : used + n_more + n_less] = np.sort(less[:n_less])
    off[2] = used + n_more + n_less
    return off[2]


@njit(cache=True, nogil=True)  # (a sweep in a background thread leaves the page its GIL)
def pivots(
    k_ptr: np.ndarray,
    k_idx: np.ndarray,
    k_val: np.ndarray,
    g_rows: np.ndarray,
    g_dense: np.ndarray,
    g_idx: np.ndarray,
    g_val: np.ndarray,
    group: np.ndarray,
    order: np.ndarray,
    order_cost: np.ndarray,
    at: np.ndarray,
    run_lo: np.ndarray,
    run_hi: np.ndarray,
    cost: np.ndarray,
    value: np.ndarray,
    lo: np.ndarray,
    col_cell: np.ndarray,
    n_cols: int,
    row: int,
    pool: int,
    d_tol: float,
    k_max: float,
    pivot_rtol: float,
    search_rtol: float,
    tiny: float,
    b1: float,
    limit: int,
    basic: np.ndarray,
    is_basic: np.ndarray,
    upper: np.ndarray,
    hi: np.ndarray,
    zn: np.ndarray,
    zb: np.ndarray,
    gd: np.ndarray,
    binv: np.ndarray,
    value_b: np.ndarray,
    lo_b: np.ndarray,
    hi_b: np.ndarray,
    state: np.ndarray,
    lo_at: np.ndarray,
    hi_at: np.ndarray,
    lo_cost: np.ndarray,
    hi_cost: np.ndarray,
    scal: np.ndarray,
    pieces: np.ndarray,
    piece_len: np.ndarray,
    piece_cells: np.ndarray,
    piece_growth: np.ndarray,
    acc: np.ndarray,
    seen: np.ndarray,
    price_rtol: float,
    kink_rtol: float,
    k_at: np.ndarray,
    k_off: np.ndarray,
    k_cells: np.ndarray,
) -> tuple[int, int, int, int]:
    """Up to `limit` steps of the walk, changing its state in place; scal = [position, value,
    steps without a move, pieces so far]. The first piece and the last (the one before the
    next change point) are kept in row 0 and 1 of `pieces` (price), `piece_len`,
    `piece_cells` and `piece_growth` (cells whose units move, units per unit of the pool).

    Returns (how it ended, steps made, pivots made, change points found); change point k is
    at capacity k_at[k, 0] with value k_at[k, 1], prices k_at[k, 2] before and k_at[k, 3]
    after, the cells that grow faster after it k_cells[k_off[k, 0] : k_off[k, 1]] and those
    that grow slower k_cells[k_off[k, 1] : k_off[k, 2]] (each ascending). `acc` (one zero a
    cell) and `seen` (one False a cell) are scratch, left as found."""
    m = basic.shape[0]
    n_g, width = g_idx.shape
    pos, f, idle = scal[0], scal[1], int(scal[2])
    dz = np.empty(m)
    rho = np.empty(m)
    w = np.empty(m)
    row_r = np.empty(m)
    nz = np.empty(m, dtype=np.int64)
    alpha = np.empty(n_g)
    reduced = np.empty(n_g)
    ratio = np.empty(n_g)
    close = np.empty(n_g, dtype=np.int64)
    n_pieces = int(scal[3])
    n_kink = 0
    n_pivot = 0
    k_used = 0
    cells = np.empty(m, dtype=np.int64)
    growth = np.empty(m)
    status = BATCH_DONE
    steps = 0
    while steps < limit:
        steps += 1
        # The direction of the basic values as the pool's bound grows, and how far it can.
        r = -1
        step = math.inf
        price = 0.0
        if upper[pool] and not is_basic[pool]:
            big = 0.0
            for i in range(m):
                dz[i] = binv[i, row]
                price += value_b[i] * dz[i]
                big = max(big, abs(dz[i]))
            tol = pivot_rtol * max(big, tiny)
            for i in range(m):
                if abs(dz[i]) > tol:
                    t = ((hi_b[i] if dz[i] > 0 else lo_b[i]) - zb[i]) / dz[i]
                    t = max(t, 0.0)
                    if t < step:
                        step, r = t, i
        else:  # the pool does not bind: more of it changes nothing
            dz[:] = 0.0
        end = min(pos + step, b1)
        if end > pos + search_rtol * max(1.0, abs(pos)):
            n = 0
            for i in range(m):
                if basic[i] < n_cols and dz[i] != 0.0:
                    cells[n] = col_cell[basic[i]]
                    growth[n] = dz[i]
                    n += 1
            last = pieces[1]
            if n_pieces and abs(last - price) > price_rtol * max(1.0, abs(last), abs(price)):
                k_used = _kink(
                    piece_cells[1, : piece_len[1]],
                    piece_growth[1, : piece_len[1]],
                    cells[:n],
                    growth[:n],
                    acc,
                    seen,
                    kink_rtol,
                    k_cells,
                    k_used,
                    k_off[n_kink],
                )
                k_at[n_kink, 0], k_at[n_kink, 1] = pos, f
                k_at[n_kink, 2], k_at[n_kink, 3] = last, price
                n_kink += 1
            for row_ in range(0 if n_pieces == 0 else 1, 2):  # the first piece, and the last
                pieces[row_] = price
                piece_len[row_] = n
                piece_cells[row_, :n] = cells[:n]
                piece_growth[row_, :n] = growth[:n]
            n_pieces += 1
            f += price * (end - pos)
            for i in range(m):
                zb[i] += (end - pos) * dz[i]
            pos, idle = end, 0
            hi[pool] = pos
            if upper[pool]:
                zn[pool] = pos
        else:
            idle += 1
            if idle > 5 * m + 50:  # cycling on a degenerate vertex
                status = FAILED
                break
        if pos >= b1 or r < 0:
            status = REACHED
            break
        # The basic variable r reaches its bound at pos: one dual simplex pivot.
        leave, to_upper = basic[r], dz[r] > 0
        total = 0.0
        for j in range(m):
            rho[j] = binv[r, j]  # row r of B^-1: B^T rho = e_r
            total += abs(rho[j])
        a_tol = pivot_rtol * max(1.0, k_max * total)
        # A group's columns at their lower bound may enter when s > 0, those at their upper
        # bound when s < 0; the reduced cost that must stay >= 0 is then cost - gd for the
        # cheapest at the lower bound, gd - cost for the dearest at the upper.
        best, k_best = math.inf, -1
        alpha[:] = 0.0
        for k in range(g_rows.shape[0]):  # the rows most groups use (the pools): dense
            x = rho[g_rows[k]]
            for g in range(n_g):
                alpha[g] += g_dense[k, g] * x
        for g in range(n_g):
            a = alpha[g]
            for t in range(width):  # the group's other entries, padded with zeros
                a += g_val[g, t] * rho[g_idx[g, t]]
            alpha[g] = a
            s = a if to_upper else -a
            red = lo_cost[g] - gd[g] if s > 0 else gd[g] - hi_cost[g]
            red = max(red, 0.0)
            reduced[g] = red
            size = abs(a)
            ratio[g] = red / size if size > a_tol else math.inf
            if ratio[g] < best:
                best, k_best = ratio[g], g
        if k_best < 0 or not math.isfinite(best):
            status = FAILED
            break
        # Harris' two passes: among the nearly tied ratios, the largest pivot element. Every
        # group within the tolerance of the least ratio is within it of group k_best's.
        cut = (reduced[k_best] + d_tol) / abs(alpha[k_best])
        bound = math.inf
        n_close = 0
        for g in range(n_g):
            if ratio[g] <= cut:  # (most often a handful of groups)
                close[n_close] = g
                n_close += 1
                bound = min(bound, (reduced[g] + d_tol) / abs(alpha[g]))
        top = -1.0
        for g in close[:n_close]:
            if ratio[g] <= bound and abs(alpha[g]) > top:
                top = abs(alpha[g])
        # The entering column: in each group tied for it, the first column by position whose
        # reduced cost is within bound * |alpha| of the group's (as a ratio test over every
        # column would choose).
        q, gq = -1, -1
        for g in close[:n_close]:
            if not (ratio[g] <= bound and abs(alpha[g]) == top):
                continue
            lo_, hi_ = run_lo[g], run_hi[g]
            slack = bound * abs(alpha[g])
            s = alpha[g] if to_upper else -alpha[g]
            if s > 0:  # at the lower bound, cost - gd <= slack
                a_ = lo_at[g]
                b_ = a_ + 1
                while b_ < hi_ and order_cost[b_] <= gd[g] + slack:
                    b_ += 1
                mark = 1
            else:  # at the upper bound, gd - cost <= slack
                b_ = hi_at[g] + 1
                a_ = b_ - 1
                while a_ - 1 >= lo_ and order_cost[a_ - 1] >= gd[g] - slack:
                    a_ -= 1
                mark = 2
            for p in range(a_, b_):
                if state[p] == mark and (q < 0 or order[p] < q):
                    q, gq = order[p], g
        if q < 0:
            status = FAILED
            break
        theta = (cost[q] - gd[gq]) / alpha[gq]
        for i in range(m):
            w[i] = 0.0
        for t in range(k_ptr[q], k_ptr[q + 1]):  # B^-1 K_q
            c, v = k_idx[t], k_val[t]
            for i in range(m):
                w[i] += binv[i, c] * v
        if abs(w[r]) <= a_tol:
            status = SMALL_PIVOT
            break
        for g in range(n_g):
            gd[g] += theta * alpha[g]  # the duals y move by theta rho
        zb[r] = zn[q]
        basic[r] = q
        value_b[r], lo_b[r], hi_b[r] = value[q], lo[q], hi[q]
        is_basic[q], is_basic[leave] = True, False
        upper[leave] = to_upper
        zn[leave] = hi[leave] if to_upper else lo[leave]
        zn[q] = 0.0
        # B'^-1 = E B^-1, E the eta of w: row r divided by w_r, the others less w_i times it.
        wr = w[r]
        for j in range(m):
            row_r[j] = binv[r, j] / wr
        w[r] = wr - 1.0
        n_nz = 0  # the rows w touches (often a third of them): the others stay as they are
        for i in range(m):
            if w[i] != 0.0:
                nz[n_nz] = i
                n_nz += 1
        for j in range(m):
            for i in nz[:n_nz]:
                binv[i, j] -= w[i] * row_r[j]
        n_pivot += 1
        # The groups' candidates: the leaving column is one again, the entering one is not.
        p = at[leave]
        if p >= 0:  # (a fixed column never enters)
            g = group[leave]
            if to_upper:
                state[p] = 2
                if p > hi_at[g]:
                    hi_at[g], hi_cost[g] = p, order_cost[p]
            else:
                state[p] = 1
                if lo_at[g] < 0 or p < lo_at[g]:
                    lo_at[g], lo_cost[g] = p, order_cost[p]
        p, g = at[q], group[q]
        state[p] = 0
        if p == lo_at[g]:
            nxt = _next(state, p + 1, run_hi[g], 1)
            lo_at[g] = nxt
            lo_cost[g] = order_cost[nxt] if nxt >= 0 else math.inf
        if p == hi_at[g]:
            nxt = _last(state, run_lo[g], p, 2)
            hi_at[g] = nxt
            hi_cost[g] = order_cost[nxt] if nxt >= 0 else -math.inf
    scal[0], scal[1], scal[2], scal[3] = pos, f, idle, n_pieces
    return status, steps, n_pivot, n_kink
