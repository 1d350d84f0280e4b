"""The value frontier: how the best value moves with one pool's capacity (`sweep`, with the
capacities where the plan changes course) or with two pools' at once (`grid`).

In continuous mode the value curve is concave and piecewise linear in a capacity; its kinks are
found exactly by the Eisner-Severance search (`kinks`), which sensitivity reuses.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from threadpoolctl import threadpool_limits

from ..limits import MAX_WALK_ROWS
from ..messages import Message
from ..model import Model, build_model
from ..schema import (
    CAPACITY,
    FEASIBLE,
    INFEASIBLE,
    OPTIMAL,
    SHADOW_PRICE,
    STEP_PRICE,
    UNIT,
    Problem,
    Settings,
)
from ..sifting import SIFT_FROM_COLUMNS
from ..solve import Raw, objective_scale, pool_step, run_model
from ..tolerances import (
    DUAL_NOISE,
    FEASIBILITY,
    KINK_RTOL,
    PIVOT_RTOL,
    PRICE_RTOL,
    PROBE_STEP,
    SEARCH_RTOL,
    SIFT_REDUCED_COST,
    TINY,
    WALK_RTOL,
    funded,
    zero_small,
)
from .common import (
    MAX_GRID_POINTS,
    MAX_SWEEP_STEPS,
    MAX_SWEEP_VALUES,
    ProgressFn,
    StopFn,
    num,
    stopped,
    tick,
    value_problem,
)
from .errors import AnalysisError, echo
from .resolver import Resolver, cell_label, cell_units, check_pool, pool_row

# Re-solves the exact breakpoint search of one sweep may use (about 4 per breakpoint).
MAX_BREAKPOINT_SOLVES = 20_000


def same_price(a: float, b: float) -> bool:
    """Two shadow prices that are the same within PRICE_RTOL."""
    return abs(a - b) <= PRICE_RTOL * max(1.0, abs(a), abs(b))


def min_feasible_capacity(model: Model, settings: Settings, row: int) -> float | None:
    """The least capacity of a pool row at which the other requirements can all be met
    (commitments, floors): one LP minimising the pool's use. None when nothing is feasible."""
    a = np.asarray(model.A[row].todense()).ravel()
    hi = model.row_hi.copy()
    hi[row] = math.inf
    probe = replace(model, c=a, sense="min", row_hi=hi, integer=False)
    raw = run_model(probe, settings)
    if raw.status not in (OPTIMAL, FEASIBLE):
        return None
    return max(0.0, float(a @ raw.x))


def _validate_range(pool: str, start: float, stop: float, steps: int) -> None:
    for name, v in (("from", start), ("to", stop)):
        if not (isinstance(v, (int, float)) and math.isfinite(v)) or v < 0:
            raise AnalysisError("analysis_sweep_bound", pool=pool, end=name, value=echo(v))
    if not isinstance(steps, (int, np.integer)) or steps < 2:
        raise AnalysisError("analysis_sweep_steps", steps=echo(steps))
    if steps > MAX_SWEEP_STEPS:
        raise AnalysisError("analysis_sweep_steps_max", steps=echo(steps), value=MAX_SWEEP_STEPS)
    if stop <= start:
        raise AnalysisError("analysis_sweep_order", pool=pool, start=echo(start), stop=echo(stop))


# ---- frontier: one pool ---------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Sweep:
    """The value frontier of one pool.

    points: one row per capacity: capacity, objective (NaN without a plan), status,
            shadow_price (value of one more unit, continuous mode), marginal (value gained per
            unit over the step from the previous point), step_price (whole units: value gained
            per unit of the pool by one more step of it, one unit of the cheapest method using
            it, by a re-solve), funded_cells.
    units:  units of every cell at every point (rows = points, columns = (client_id, method_id)).
    breakpoints: capacities where the plan changes course: capacity, objective, price_before,
            price_after, more (cells that get more of each extra unit from here on, or more
            units), less (cells that stop growing or get fewer units), exact (True when found
            exactly by parametric search, False when only bracketed by two grid points).
    """

    pool: str
    unit: str
    baseline_capacity: float
    points: pd.DataFrame
    units: pd.DataFrame
    breakpoints: pd.DataFrame
    feasible_from: float | None
    integer: bool
    partial: bool = False
    seconds: float = 0.0
    method: str = "warm"
    note_msgs: tuple[Message, ...] = ()  # what to know when reading it, as messages
    truncated: bool = False  # the breakpoint search did not finish (see `unresolved`)
    # Intervals (from, to) of capacity the search for change points did not finish (its budget
    # ran out, or it was stopped): there may be change points in them that are not listed.
    unresolved: tuple[tuple[float, float], ...] = ()
    search_solves: int = 0  # re-solves (and pivots) the search used
    search_seconds: float = 0.0
    budget_solves: int | None = None
    budget_seconds: float | None = None
    # Positions of the grid points taken from the change-point walk (a basis confirmed
    # optimal there, `Walk.confirm`) instead of a re-solve; the others were re-solved.
    confirmed: tuple[int, ...] = ()
    # How the change points were searched: "walk" (the optimal basis walked, re-solves only
    # where it could not be), "re-solves" (the notes say why), "" (not searched for exactly).
    search_method: str = ""

    @property
    def notes(self) -> tuple[str, ...]:
        """The notes in English."""
        return tuple(m.text() for m in self.note_msgs)

    def to_json(self) -> dict[str, Any]:
        """The sweep as the JSON object of the command line."""
        pts = [
            {
                "capacity": num(r.capacity),
                "objective": num(r.objective),
                "status": r.status,
                "shadow_price": num(r.shadow_price),
                "marginal": num(r.marginal),
                "step_price": num(getattr(r, STEP_PRICE)),
                "funded_cells": int(r.funded_cells),
            }
            for r in self.points.itertuples()
        ]
        bps = [
            {
                "capacity": num(r.capacity),
                "objective": num(r.objective),
                "price_before": num(r.price_before),
                "price_after": num(r.price_after),
                "exact": bool(r.exact),
                "more": [list(c) for c in r.more],
                "less": [list(c) for c in r.less],
            }
            for r in self.breakpoints.itertuples()
        ]
        return {
            "pool": self.pool,
            "unit": self.unit,
            "baseline_capacity": num(self.baseline_capacity),
            "integer_units": self.integer,
            "partial": self.partial,
            "breakpoints_complete": not self.truncated,
            "unresolved_intervals": [[num(a), num(b)] for a, b in self.unresolved],
            "breakpoint_search": {
                "method": self.search_method or None,
                "solves": self.search_solves,
                "budget_solves": self.budget_solves,
                "budget_seconds": num(self.budget_seconds),
            },
            "feasible_from": num(self.feasible_from),
            "points": pts,
            "breakpoints": bps,
            "notes": list(self.notes),
        }


_BP_COLUMNS = ["capacity", "objective", "price_before", "price_after", "more", "less", "exact"]


def kinks(
    probe: Callable[[float], tuple[float, float] | None],
    xa: float,
    fa: float,
    sa: float,
    xb: float,
    fb: float,
    sb: float,
    out: list[float] | None = None,
    depth: int = 0,
) -> list[float]:
    """Every x in [xa, xb] where the slope of a concave piecewise-linear f changes, given f
    and a slope at both ends; probe(x) -> (f(x), a slope at x), or None without a plan.

    Eisner-Severance: the two supporting lines at the ends meet at x*; if f reaches that
    meeting point it is the only kink, else split there and recurse (2k + 1 probes for k
    kinks). Kinks are appended to `out` as they are found, so an interrupted search keeps
    them.
    """
    out = [] if out is None else out
    if sa - sb <= PRICE_RTOL * max(1.0, abs(sa), abs(sb)) or xb - xa <= SEARCH_RTOL * max(1.0, xb):
        return out
    x = (fb - fa + sa * xa - sb * xb) / (sa - sb)
    x = min(max(x, xa), xb)
    line = fa + sa * (x - xa)
    got = probe(x)
    if got is None:
        out.append(x)
        return out
    f, s = got
    if f >= line - KINK_RTOL * max(1.0, abs(line)) or depth > 60:
        out.append(x)
        return out
    kinks(probe, xa, fa, sa, x, f, s, out, depth + 1)
    kinks(probe, x, f, s, xb, fb, sb, out, depth + 1)
    return out


class _OutOfSolves(Exception):
    """The breakpoint search used up its re-solves."""


class Frontier:
    """Evaluates the value frontier of one pool row with one Resolver."""

    def __init__(self, resolver: Resolver, row: int, max_solves: int | None = None):
        self.r = resolver
        self.row = row
        self.model = resolver.model
        self.max_solves = max_solves
        self.solves = 0
        self.allow: Callable[[], bool] | None = None  # a search's budget: False stops it

    def at(self, cap: float) -> Raw:
        self.solves += 1
        if self.max_solves is not None and self.solves > self.max_solves:
            raise _OutOfSolves
        if self.allow is not None and not self.allow():
            raise _OutOfSolves
        self.r.set_row_hi(self.row, cap)
        return self.r.solve()

    def point(self, cap: float) -> tuple[float, float] | None:
        raw = self.at(cap)
        if raw.status not in (OPTIMAL, FEASIBLE) or raw.row_dual is None or raw.objective is None:
            return None
        return float(raw.objective), float(raw.row_dual[self.row])

    def units(self, cap: float) -> np.ndarray | None:
        raw = self.at(cap)
        return cell_units(self.model, raw.x) if raw.x is not None else None

    def breakpoints(
        self,
        xa: float,
        fa: float,
        sa: float,
        xb: float,
        fb: float,
        sb: float,
        out: list[float] | None = None,
    ) -> list[float]:
        """Every capacity in [xa, xb] where the slope of the concave value curve changes,
        appended to `out` as found."""
        return kinks(self.point, xa, fa, sa, xb, fb, sb, out)

    def piece_end(self, x0: float, f0: float, s0: float, x_far: float) -> float:
        """How far (towards x_far) the slope s0 at x0 holds: the end of the linear piece."""
        x2 = x_far
        for _ in range(200):
            got = self.point(x2)
            if got is None:
                return x2
            f2, s2 = got
            if same_price(s2, s0):
                return x2
            x_star = (f2 - f0 + s0 * x0 - s2 * x2) / (s0 - s2)
            lo_, hi_ = min(x0, x2), max(x0, x2)
            x_star = min(max(x_star, lo_), hi_)
            got = self.point(x_star)
            if got is None:
                return x_star
            f_star = got[0]
            line = f0 + s0 * (x_star - x0)
            if f_star >= line - KINK_RTOL * max(1.0, abs(line)):
                return x_star
            x2 = x_star
        return x2


# ---- the change-point walk: the parametric simplex on one pool's bound ------------------------
class Budget:
    """What the change-point search may spend: re-solves and seconds (None: no bound), and
    whether the caller asked it to stop. `spend()` is False once either runs out."""

    def __init__(
        self,
        solves: int | None = None,
        seconds: float | None = None,
        stop_flag: StopFn | None = None,
    ):
        self.solves, self.seconds, self.stop_flag = solves, seconds, stop_flag
        self.used = 0
        self.t0 = time.perf_counter()
        self.out = False  # ran out of its budget (not stopped by the caller)

    def spend(self, k: int = 1) -> bool:
        if self.out or stopped(self.stop_flag):
            return False
        over_solves = self.solves is not None and self.used + k > self.solves
        over_time = self.seconds is not None and time.perf_counter() - self.t0 > self.seconds
        if over_solves or over_time:
            self.out = True
            return False
        self.used += k
        return True

    def grant(self, k: int) -> int:
        """Up to k steps at once, as k calls of `spend` would allow (0: none)."""
        if not self.spend(0):
            return 0
        if self.solves is not None:
            k = min(k, self.solves - self.used)
            if k <= 0:
                self.out = True
                return 0
        self.used += k
        return k

    def refund(self, k: int) -> None:
        """Give back steps granted and not taken."""
        self.used -= k

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    @property
    def fraction(self) -> float:
        """The share of the budget spent (the larger of re-solves and seconds)."""
        parts = [0.0]
        if self.solves:
            parts.append(self.used / self.solves)
        if self.seconds:
            parts.append(self.elapsed / self.seconds)
        return min(1.0, max(parts))


@dataclass(frozen=True)
class _Start:
    """A grid point's optimal basis, kept compactly for a walk from it."""

    basic: np.ndarray  # positions in z = (columns, rows)
    upper: np.ndarray  # packed bits over z: nonbasic at its upper bound


@dataclass(frozen=True)
class _Piece:
    """A linear piece of the value curve: its price and how each cell's units grow on it."""

    price: float
    cells: np.ndarray  # cell positions whose units move
    growth: np.ndarray  # their units per unit of the pool


def _changes(before: _Piece, after: _Piece) -> tuple[np.ndarray, np.ndarray]:
    """Cells that grow faster after a change point than before, and those that grow slower."""
    cells = np.concatenate([before.cells, after.cells])
    weights = np.concatenate([-before.growth, after.growth])
    # Each cell's growths added up in their order (one sort of a few hundred, once per change
    # point), the cells ascending.
    at = np.argsort(cells, kind="stable")
    cells = cells[at]
    if not len(cells):
        return cells, cells
    starts = np.flatnonzero(np.concatenate([[True], cells[1:] != cells[:-1]]))
    diff = np.add.reduceat(weights[at], starts)
    cells = cells[starts]
    big = max(float(np.abs(weights).max()), 0.0)
    tol = KINK_RTOL * max(1.0, big)
    return cells[diff > tol], cells[diff < -tol]


@dataclass
class _WalkOut:
    """What a walk over one interval found: its kinks, its first and last pieces, and how far
    it got (`reached` < the interval's end when its budget ran out)."""

    kinks: list[dict[str, Any]]
    first: _Piece | None
    last: _Piece | None
    reached: float
    ok: bool = True
    steps: int = 0  # steps of the walk (what it cost its budget)
    end: _Start | None = None  # the basis it reached the interval's end with


# Pivots between two fresh factorisations of the basis (each refreshes values and prices).
REFACTOR_EVERY = 500


def _column_groups(K: sp.csc_matrix, movable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Movable columns with the same entries in K, numbered: (group of every column, -1 for
    a fixed one; the first column of each group).

    Columns with equal entries have the same pivot-row element and differ in their reduced
    cost only by their cost, so a ratio test over the groups (with each group's best column
    by cost) is the ratio test over all columns. A model has few distinct columns (a method's
    unit columns share their pool use): 1,925 groups for 23,746 columns at 2,000 clients."""
    K = K.tocsc(copy=True)
    K.sort_indices()
    n = K.shape[1]
    count = np.diff(K.indptr)
    width = int(count.max(initial=0))
    col = np.repeat(np.arange(n), count)
    at = np.arange(K.nnz) - K.indptr[col]
    key = np.full((n, 2 * width + 1), -1.0)
    key[:, 0] = count
    key[col, 1 + at] = K.indices
    key[col, 1 + width + at] = K.data
    cols = np.flatnonzero(movable)
    key = key[cols]
    # Sorted by two fixed projections of the entries (equal columns sort next to each other;
    # two different columns that tie on both stay apart in the exact comparison after, at
    # worst as two groups of the same column, which the ratio test allows), then numbered
    # where a column differs from the one before.
    mix = np.random.default_rng(0).uniform(0.5, 1.5, size=(key.shape[1], 2))
    h = key @ mix
    by = np.lexsort((h[:, 1], h[:, 0]))
    new = np.ones(len(by), dtype=bool)
    new[1:] = np.any(key[by[1:]] != key[by[:-1]], axis=1)
    group = np.full(n, -1, dtype=np.int64)
    group[cols[by]] = np.cumsum(new) - 1
    return group, cols[by[new]]


class Walk:
    """Follows the optimal basis of the value LP as one pool's bound grows (the parametric
    dual simplex on a right-hand side), from the basis HiGHS leaves at a grid point.

    On each basis the value grows linearly at the pool's price and the units of the basic
    columns along B^-1 e_pool, so a ratio test gives where the basis stops being feasible
    (the next possible change point) and one dual simplex pivot the next basis. The basis
    has as many rows as the model (a few hundred at 2,000 clients), so B^-1 is kept dense,
    updated in place by each pivot (a rank-one update) and refactorised every
    REFACTOR_EVERY pivots; the pivot row and the dual ratio test run over the distinct
    columns of the model (`_column_groups`), each group's candidate being its best column by
    cost, found from the group's columns sorted once. The steps themselves are compiled
    (`pivots.pivots`): a pivot costs 15-30 us at 2,000 clients where a warm HiGHS re-solve
    costs 5-30 ms. Each walk is checked against the solver's value at the interval's end; a walk
    that disagrees is not used (the interval is searched by re-solves instead).
    The variables are z = (x, r) with A x - r = 0, so K = [A, -I].
    """

    def __init__(self, model: Model, row: int):
        n, m = model.n_cols, len(model.row_lo)
        self.model, self.n, self.m, self.row = model, n, m, row
        self.pool = n + row
        self.K = sp.hstack([model.A.tocsc(), -sp.identity(m, format="csc")], format="csc")
        self.lo = np.concatenate([model.col_lo, model.row_lo]).astype(float)
        self.hi = np.concatenate([model.col_hi, model.row_hi]).astype(float)
        self.value = np.concatenate([np.asarray(model.c, dtype=float), np.zeros(m)])
        self.cost = -self.value if model.sense == "max" else self.value  # minimised
        self.movable = self.hi > self.lo  # fixed variables never enter
        self.d_tol = PIVOT_RTOL * max(1.0, float(np.max(np.abs(self.cost), initial=0.0)))
        # HiGHS's dual feasibility tolerance applies to the objective it sees (scaled by
        # OBJECTIVE_BAND): the same in the model's units, for `confirm`.
        self.dual_tol = SIFT_REDUCED_COST * 2.0 ** -objective_scale(model.c)
        # |K_j . rho| <= max|K| * sum|rho|: the scale of a pivot row, without a pass over it.
        self.k_max = float(np.max(np.abs(self.K.data), initial=1.0))
        self.group, first = _column_groups(self.K, self.movable)
        self.KgT = self.K[:, first].T.tocsr()  # one row per group: its columns' entries
        # The same for the kernel's pivot row: the rows most groups use (the pools) as dense
        # rows over the groups, the rest padded to one row of `width` a group (zeros after its
        # entries, in order). The pools come first in the model, so each group's entries are
        # still added up in their order.
        used = np.bincount(self.KgT.indices, minlength=m)
        self.g_rows = np.flatnonzero(used > len(first) // 4)
        kg = self.KgT.tocoo()
        dense = np.isin(kg.col, self.g_rows)
        self.g_dense = np.zeros((len(self.g_rows), len(first)))
        self.g_dense[np.searchsorted(self.g_rows, kg.col[dense]), kg.row[dense]] = kg.data[dense]
        rest = sp.csr_matrix(
            (kg.data[~dense], (kg.row[~dense], kg.col[~dense])), shape=self.KgT.shape
        )
        rest.sort_indices()
        count = np.diff(rest.indptr)
        width = max(1, int(count.max(initial=0)))
        rows = np.repeat(np.arange(len(first)), count)
        slot = np.arange(rest.nnz) - rest.indptr[rows]
        self.g_idx = np.zeros((len(first), width), dtype=np.int64)
        self.g_val = np.zeros((len(first), width))
        self.g_idx[rows, slot] = rest.indices
        self.g_val[rows, slot] = rest.data
        # The movable columns by group, then cost (then position): a group's cheapest column
        # is the first of its run, its dearest the last.
        cols = np.flatnonzero(self.group >= 0)
        self.order = cols[np.lexsort((cols, self.cost[cols], self.group[cols]))]
        runs = np.searchsorted(self.group[self.order], np.arange(len(first) + 1))
        self.run_lo, self.run_hi = runs[:-1], runs[1:]
        self.order_cost = self.cost[self.order]
        self.at = np.full(n + m, -1, dtype=np.int64)  # each column's position in `order`
        self.at[self.order] = np.arange(len(self.order))
        self.col_cell = np.asarray(model.col_cell, dtype=np.int64)
        n_cells = len(model.cells.value)  # scratch of the kernel's change points, kept clean
        self.acc, self.seen = np.zeros(n_cells), np.zeros(n_cells, dtype=bool)

    def start(self, basic: np.ndarray | None, x: np.ndarray, cap: float) -> _Start | None:
        """The compact start of a walk from a grid point's basis and solution."""
        if basic is None or len(basic) != self.m:
            return None
        z = np.concatenate([x, self.model.A @ x])
        hi = self.hi.copy()
        hi[self.pool] = cap
        with np.errstate(invalid="ignore"):
            upper = np.isfinite(hi) & (np.abs(z - hi) <= np.abs(z - self.lo))
        upper[basic] = False
        return _Start(np.asarray(basic, dtype=np.int64), np.packbits(upper))

    def walk(
        self, st: _Start, b0: float, b1: float, f0: float, f1: float | None, budget: Budget
    ) -> _WalkOut:
        """Every change point in (b0, b1), from the basis at b0 (value f0) to b1 (value f1,
        the solver's; None: not known, the basis reached is confirmed by `confirm` instead)."""
        from . import pivots as kernel  # compiled on first use (numba), cached on disk

        used0 = budget.used

        m, n_all, pool, K, KgT = self.m, self.n + self.m, self.pool, self.K, self.KgT
        order, order_cost, run_lo = self.order, self.order_cost, self.run_lo
        fail = _WalkOut([], None, None, b0, ok=False)
        basic = st.basic.copy()
        upper = np.unpackbits(st.upper, count=n_all).astype(bool)
        is_basic = np.zeros(n_all, dtype=bool)
        is_basic[basic] = True
        lo, hi = self.lo, self.hi.copy()
        hi[pool] = b0
        zn = np.where(upper, hi, lo)
        zn[is_basic] = 0.0
        if not np.all(np.isfinite(zn)):
            return fail
        # Each group's candidates to enter: its cheapest column at its lower bound and its
        # dearest at its upper bound, as positions in `order` (none: -1); `state` marks every
        # position: 1 at its lower bound, 2 at its upper, 0 basic.
        free = ~is_basic[order]
        state = np.where(free, np.where(upper[order], 2, 1), 0).astype(np.int8)
        every = np.arange(len(order))
        if len(order):
            lo_at = np.minimum.reduceat(np.where(state == 1, every, len(order)), run_lo)
            hi_at = np.maximum.reduceat(np.where(state == 2, every, -1), run_lo)
        else:
            lo_at = hi_at = np.zeros(0, dtype=np.int64)
        lo_at[lo_at >= len(order)] = -1
        lo_cost = np.where(lo_at >= 0, order_cost[lo_at], math.inf)
        hi_cost = np.where(hi_at >= 0, order_cost[hi_at], -math.inf)
        # The first and the last piece so far, and the change points one call of the kernel
        # reports (at most one a step, each naming at most every basic cell twice).
        cap = REFACTOR_EVERY + 1
        pieces, piece_len = np.zeros(2), np.zeros(2, dtype=np.int64)
        piece_cells, piece_growth = np.zeros((2, m), dtype=np.int64), np.zeros((2, m))
        k_at, k_off = np.zeros((cap, 4)), np.zeros((cap, 3), dtype=np.int64)
        k_cells = np.zeros(cap * 2 * m, dtype=np.int64)
        scal = np.array([b0, f0, 0.0, 0.0])  # position, value, steps without a move, pieces
        kinks_: list[dict[str, Any]] = []

        def piece(k: int) -> _Piece | None:
            if not scal[3]:
                return None
            n = int(piece_len[k])
            return _Piece(float(pieces[k]), piece_cells[k, :n].copy(), piece_growth[k, :n].copy())

        since = REFACTOR_EVERY  # pivots since a factorisation
        binv = zb = gd = value_b = lo_b = hi_b = np.zeros(0)
        while True:
            granted = budget.grant(REFACTOR_EVERY - since if since < REFACTOR_EVERY else cap - 1)
            if not granted:
                return _WalkOut(
                    kinks_, piece(0), piece(1), float(scal[0]), steps=budget.used - used0
                )
            if since >= REFACTOR_EVERY:
                try:
                    lu = spla.splu(K[:, basic].tocsc())
                except RuntimeError:  # a singular basis: not one to walk from
                    return fail
                binv = np.asfortranarray(lu.solve(np.eye(m)))
                zb = binv @ -(K @ zn)
                gd = KgT @ (binv.T @ self.cost[basic])  # y . K_j of each group's columns
                value_b, lo_b, hi_b = self.value[basic], lo[basic], hi[basic]
                since = 0
            status, steps, n_pivot, n_kink = kernel.pivots(
                K.indptr,
                K.indices,
                K.data,
                self.g_rows,
                self.g_dense,
                self.g_idx,
                self.g_val,
                self.group,
                order,
                order_cost,
                self.at,
                run_lo,
                self.run_hi,
                self.cost,
                self.value,
                lo,
                self.col_cell,
                self.n,
                self.row,
                pool,
                self.d_tol,
                self.k_max,
                PIVOT_RTOL,
                SEARCH_RTOL,
                TINY,
                float(b1),
                granted,
                basic,
                is_basic,
                upper,
                hi,
                zn,
                zb,
                gd,
                binv,
                value_b,
                lo_b,
                hi_b,
                state,
                lo_at,
                hi_at,
                lo_cost,
                hi_cost,
                scal,
                pieces,
                piece_len,
                piece_cells,
                piece_growth,
                self.acc,
                self.seen,
                PRICE_RTOL,
                KINK_RTOL,
                k_at,
                k_off,
                k_cells,
            )
            budget.refund(granted - steps)
            since += n_pivot
            if n_kink:  # the cells of this call's change points, copied once
                block = k_cells[: k_off[n_kink - 1, 2]].copy()
                for (x, fx, before, after), (a, b, c) in zip(
                    k_at[:n_kink].tolist(), k_off[:n_kink].tolist()
                ):
                    kinks_.append(
                        {
                            "capacity": x,
                            "objective": fx,
                            "price_before": before,
                            "price_after": after,
                            "more_k": block[a:b],
                            "less_k": block[b:c],
                            "exact": True,
                        }
                    )
            if status == kernel.REACHED:
                break
            if status == kernel.FAILED:
                return fail
            if status == kernel.SMALL_PIVOT:  # refactorise and retry, unless just done
                if n_pivot == 0 and since == 0:
                    return fail
                since = REFACTOR_EVERY
        if f1 is not None and abs(scal[1] - f1) > WALK_RTOL * max(1.0, abs(f1)):
            return fail
        end = _Start(basic.copy(), np.packbits(upper & ~is_basic))
        return _WalkOut(kinks_, piece(0), piece(1), b1, steps=budget.used - used0, end=end)

    def basis_of(self, x: np.ndarray, row_dual: np.ndarray | None, cap: float) -> _Start | None:
        """A basis for a basic optimal solution that came without one (a sifted solve's): the
        variables strictly inside their bounds, and where that is fewer than the rows (a
        degenerate vertex) the slacks of the rows at a bound with the least prices. None
        when there is no such basis; whether it is optimal is `confirm`'s to say."""
        m, pool = self.m, self.pool
        z = np.concatenate([x, self.model.A @ x])
        hi = self.hi.copy()
        hi[pool] = cap
        with np.errstate(invalid="ignore"):  # (infinite bounds)
            tol = FEASIBILITY * np.maximum(1.0, np.abs(z))
            inside = (z > self.lo + tol) & (z < hi - tol)
            upper = np.isfinite(hi) & (np.abs(z - hi) <= np.abs(z - self.lo)) & ~inside
        basic = np.flatnonzero(inside)
        if len(basic) > m or (len(basic) < m and row_dual is None):
            return None
        if len(basic) < m:
            rows = np.flatnonzero(~inside[self.n :])
            assert row_dual is not None  # (checked above)
            rows = rows[np.argsort(np.abs(row_dual[rows]), kind="stable")][: m - len(basic)]
            basic = np.sort(np.concatenate([basic, self.n + rows]))
            upper[basic] = False
        if len(basic) != m:
            return None
        return _Start(basic.astype(np.int64), np.packbits(upper))

    def _moves_units(self, lu: Any, basic: np.ndarray, cols: np.ndarray) -> bool:
        """Whether moving any of the nonbasic columns `cols` (reduced cost zero: the value
        stays) would change some cell's units: a tie that changes the plan. Most ties do not:
        a cell's unit columns of the same value, one of them basic, trade units within the
        cell."""
        if not len(cols):
            return False
        n = self.n
        w = lu.solve(self.K[:, cols].toarray())  # z_B moves by -w per unit of each column
        own, at = np.flatnonzero(cols < n), np.flatnonzero(basic < n)
        # Over the cells these columns touch only (at most a few hundred).
        cells, where = np.unique(
            np.concatenate([self.col_cell[cols[own]], self.col_cell[basic[at]]]),
            return_inverse=True,
        )
        change = np.zeros((len(cells), len(cols)))
        change[where[: len(own)], own] = 1.0
        np.add.at(change, where[len(own) :], -w[at])
        return bool(np.any(np.abs(change) > KINK_RTOL * np.maximum(1.0, np.abs(w).max(axis=0))))

    def confirm(self, st: _Start, cap: float) -> tuple[np.ndarray, float, bool] | None:
        """The plan x and the pool's price of basis `st` at capacity `cap` when that basis is
        optimal there, and whether it ties (a nonbasic column with a reduced cost of zero
        within the tolerance whose move would change some cell's units: another plan is as
        good); None when it is not confirmed.

        Computed afresh from a sparse LU of the basis (not from the walk's updated B^-1), and
        checked as HiGHS checks its own answer: the basic values within their bounds and
        every nonbasic column's reduced cost at the basis's prices of the sign its bound
        needs, within the solver's tolerances. A confirmed basis is an optimal one, so its
        plan, value and price are the ones a re-solve gives (where the optimum is unique).
        """
        n_all, pool = self.n + self.m, self.pool
        basic = st.basic
        is_basic = np.zeros(n_all, dtype=bool)
        is_basic[basic] = True
        upper = np.unpackbits(st.upper, count=n_all).astype(bool) & ~is_basic
        hi = self.hi.copy()
        hi[pool] = cap
        z = np.where(upper, hi, self.lo)
        z[basic] = 0.0
        if not np.all(np.isfinite(z)):
            return None
        try:
            lu = spla.splu(self.K[:, basic].tocsc())
        except RuntimeError:  # a singular basis
            return None
        zb = lu.solve(-(self.K @ z))
        z[basic] = zb
        lo_b, hi_b = self.lo[basic], hi[basic]
        with np.errstate(invalid="ignore"):  # (infinite bounds: an infinite slack)
            if np.any(zb < lo_b - FEASIBILITY * np.maximum(1.0, np.abs(lo_b))) or np.any(
                zb > hi_b + FEASIBILITY * np.maximum(1.0, np.abs(hi_b))
            ):
                return None
        rows = z[self.n :]
        if np.any(np.abs(self.K @ z) > FEASIBILITY * np.maximum(1.0, np.abs(rows))):
            return None  # an ill-conditioned basis: its solve is not to be trusted
        # B^T y = c_B (the stubs do not know SuperLU.solve's `trans`).
        y = lu.solve(self.cost[basic], "T")  # type: ignore[call-overload]
        d = self.cost - self.K.T @ y
        free = self.movable & ~is_basic
        if np.any(free & ~upper & (d < -self.dual_tol)) or np.any(
            free & upper & (d > self.dual_tol)
        ):
            return None
        tie = self._moves_units(lu, basic, np.flatnonzero(free & (np.abs(d) <= self.dual_tol)))
        # The slack of the pool's row has reduced cost y_row: the cost's rate in its bound.
        rate = float(y[self.row])
        return z[: self.n], -rate if self.model.sense == "max" else rate, tie


def _growth(front: Frontier, x: float, delta: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Units gained per unit of capacity just before and just after x."""
    u0, u1, u2 = front.units(x - delta), front.units(x), front.units(x + delta)
    if u0 is None or u1 is None or u2 is None:
        return None
    return (u1 - u0) / delta, (u2 - u1) / delta


def sweep(
    problem: Problem,
    pool: str,
    start: float,
    stop: float,
    steps: int,
    *,
    breakpoints: bool = True,
    progress: ProgressFn | None = None,
    stop_flag: StopFn | None = None,
    method: str = "warm",
    max_solves: int | None = MAX_BREAKPOINT_SOLVES,
    max_seconds: float | None = None,
) -> Sweep:
    """Sweep one pool's capacity from `start` to `stop` in `steps` points (grid points, both
    ends included).

    The model is built once; each point changes only the pool row's bound and re-solves. In
    continuous mode the capacities where the plan changes course are found exactly (where the
    shadow price changes), within a budget of `max_solves` re-solves (a pivot of the walk
    counts as one) and `max_seconds` seconds (None: no bound), nearest the current capacity
    first; the intervals the search did not finish are in `Sweep.unresolved`. In whole-units
    mode they are bracketed between grid points.
    """
    t0 = time.perf_counter()
    check_pool(problem, pool)
    _validate_range(pool, float(start), float(stop), steps)
    notes: list[Message] = []
    if problem.settings.objective != "max_value":
        notes.append(Message("analysis_note_max_value"))
    vp = value_problem(problem)
    model = build_model(vp, "max_value")
    row = pool_row(model, pool)
    n_cells = len(model.cells.value)
    if int(steps) * n_cells > MAX_SWEEP_VALUES:
        raise AnalysisError(
            "analysis_sweep_size",
            steps=echo(steps),
            value=max(2, MAX_SWEEP_VALUES // max(n_cells, 1)),
        )
    resolver = Resolver(model, vp.settings, method)
    front = Frontier(resolver, row)
    # The walk (continuous, warm only) goes from grid point to grid point: each point it
    # reaches with a basis `Walk.confirm` shows optimal is taken from it, the others are
    # re-solved, and the search for change points starts from each point's basis. Its dense
    # B^-1 grows with the rows squared: past MAX_WALK_ROWS the search is by re-solves.
    walkable = breakpoints and not model.integer and resolver.method == "warm"
    n_rows = len(model.row_lo)
    walker = Walk(model, row) if walkable and n_rows <= MAX_WALK_ROWS else None
    if walkable and walker is None:
        notes.append(Message("analysis_note_walk_rows", {"rows": n_rows, "limit": MAX_WALK_ROWS}))
    # The walk between grid points has the search's budget of its own (no stop flag: that is
    # polled at every point); a point it does not reach in time is re-solved.
    grid_budget = Budget(max_solves, max_seconds)
    pre: dict[int, _WalkOut] = {}  # interval i walked from point i to a confirmed basis
    walk_seconds, confirmed = 0.0, []
    starts: list[_Start | None] = []
    caps = np.linspace(float(start), float(stop), int(steps))
    n = len(caps)
    objective = np.full(n, np.nan)
    price = np.full(n, np.nan)
    status: list[str] = []
    units = np.full((n, len(model.cells.value)), np.nan)
    # Whole units: what one more step of the pool (one unit of the cheapest method using it) is
    # really worth at each point, by a re-solve with the step added (docs/model.md).
    step = pool_step(model, row) if model.integer else math.nan
    step_price = np.full(n, np.nan)
    # Breakpoint search costs extra solves; the progress bar gives it the last fifth.
    span = n / 0.8 if breakpoints else n
    done = 0
    # One BLAS thread for the walk's small dense solves (see _lp_breakpoints); HiGHS uses none.
    with threadpool_limits(limits=1, user_api="blas") if walker is not None else nullcontext():
        for i, cap in enumerate(caps):
            # The point from the walk where it can be confirmed: (plan, price, basis) or None.
            took: tuple[np.ndarray, float, _Start | None] | None = None
            if walker is not None and i == 0 and model.n_cols >= SIFT_FROM_COLUMNS:
                # The first point by the solve the plan itself uses (sifting: a fraction of a
                # cold HiGHS solve of the whole model), its basis completed and confirmed.
                took = _first_point(walker, model, vp.settings, float(cap))
            elif walker is not None and i and starts[i - 1] is not None:
                st = starts[i - 1]
                assert st is not None  # (mypy: checked just above)
                t_walk = time.perf_counter()
                w, got = _walk_to(walker, st, caps[i - 1], cap, objective[i - 1], grid_budget)
                walk_seconds += time.perf_counter() - t_walk
                if got is not None:
                    pre[i - 1] = w  # its change points hold whatever the point's answer
                    if got[2]:
                        # A tie: a re-solve's plan depends on where it starts. From the basis
                        # the walk started from, as a re-solve after the previous point would.
                        prev = np.unpackbits(st.upper, count=walker.n + walker.m).astype(bool)
                        resolver.set_basis(st.basic, prev)
                    else:
                        took = got[0], got[1], w.end
            if took is not None:
                x, price[i], basis = took
                confirmed.append(i)
                status.append(OPTIMAL)
                objective[i] = float(resolver.c @ x)
                units[i] = cell_units(model, x)
                starts.append(basis)
            else:
                raw = front.at(cap)
                status.append(raw.status)
                if raw.x is not None and raw.status in (OPTIMAL, FEASIBLE):
                    objective[i] = raw.objective
                    units[i] = cell_units(model, raw.x)
                    if raw.row_dual is not None:
                        price[i] = raw.row_dual[row]
                    if walker is not None:
                        basic = resolver.basic_variables()
                        starts.append(walker.start(basic, raw.x, float(cap)))
                    if math.isfinite(step) and raw.objective is not None:
                        more = front.at(cap + step)
                        if more.objective is not None and more.status in (OPTIMAL, FEASIBLE):
                            gain = max(more.objective, raw.objective) - raw.objective
                            step_price[i] = gain / step
                elif walker is not None:
                    starts.append(None)
            done = i + 1
            tick(progress, done, int(span))
            if stopped(stop_flag):
                break
    partial = done < n
    caps, objective, price, units = caps[:done], objective[:done], price[:done], units[:done]
    step_price = zero_small(step_price[:done], DUAL_NOISE)
    status = status[:done]
    price = zero_small(price, DUAL_NOISE)
    marginal = np.full(done, np.nan)
    if done > 1:
        marginal[1:] = np.diff(objective) / np.diff(caps)
    funded_cells = np.nansum(funded(units), axis=1).astype(int)
    points = pd.DataFrame(
        {
            "capacity": caps,
            "objective": objective,
            "status": status,
            SHADOW_PRICE: price,
            "marginal": marginal,
            STEP_PRICE: step_price,
            "funded_cells": funded_cells,
        }
    )
    unit_frame = pd.DataFrame(units, columns=model.cells.index)
    unit_frame.index = pd.Index(caps, name="capacity")

    feasible_from = None
    if any(s == INFEASIBLE for s in status):
        feasible_from = min_feasible_capacity(model, vp.settings, row)
    bps: list[dict[str, Any]] = []
    truncated = False
    unresolved: list[tuple[float, float]] = []
    budget = Budget(max_solves, max_seconds, stop_flag)
    if breakpoints and done > 1 and not partial:
        if model.integer:
            bps = _integer_breakpoints(model, caps, objective, units, price)
        else:
            baseline = float(problem.resources.at[pool, CAPACITY])
            bps, unresolved = _lp_breakpoints(
                front,
                walker,
                starts,
                caps,
                objective,
                price,
                units,
                baseline,
                budget,
                None if progress is None else lambda f: progress(0.8 + 0.2 * min(f, 1.0)),
                pre,
            )
            if stopped(stop_flag):
                partial = True
            truncated = bool(unresolved)
            if truncated:
                span = float(caps[-1] - caps[0])
                notes.append(
                    Message(
                        "analysis_note_truncated",
                        {
                            "solves": budget.used,
                            "seconds": budget.elapsed,
                            "found": len(bps),
                            "count": len(unresolved),
                            "share": sum(b - a for a, b in unresolved) / span if span else 1.0,
                        },
                    )
                )
    tick(progress, 1, 1)
    bp_frame = pd.DataFrame(bps, columns=_BP_COLUMNS)
    if model.integer:
        notes.append(Message("analysis_note_whole_units"))
    return Sweep(
        pool=pool,
        unit=str(problem.resources.at[pool, UNIT]),
        baseline_capacity=float(problem.resources.at[pool, CAPACITY]),
        points=points,
        units=unit_frame,
        breakpoints=bp_frame,
        feasible_from=feasible_from,
        integer=bool(model.integer),
        partial=partial,
        seconds=time.perf_counter() - t0,
        method=resolver.method,
        note_msgs=tuple(notes),
        truncated=truncated,
        unresolved=tuple(unresolved),
        search_solves=budget.used,
        search_seconds=budget.elapsed + walk_seconds if breakpoints and not model.integer else 0.0,
        confirmed=tuple(confirmed),
        search_method=(
            "walk"
            if walker is not None
            else "re-solves"
            if breakpoints and not model.integer
            else ""
        ),
        budget_solves=max_solves,
        budget_seconds=max_seconds,
    )


def _walk_to(
    walker: Walk, st: _Start, a: float, b: float, fa: float, budget: Budget
) -> tuple[_WalkOut, tuple[np.ndarray, float, bool] | None]:
    """The walk from grid point a (basis `st`, value fa) to grid point b, and the plan, the
    price and the tie of the basis it reached b with when that basis is confirmed optimal
    there (`Walk.confirm`), else None."""
    w = walker.walk(st, a, b, fa, None, budget)
    if not w.ok or w.end is None or w.reached < b:
        return w, None
    return w, walker.confirm(w.end, b)


def _first_point(
    walker: Walk, model: Model, settings: Settings, cap: float
) -> tuple[np.ndarray, float, _Start | None] | None:
    """The plan, the price and the basis at the first grid point from one solve as `solve`
    makes it, when its basis is confirmed optimal and does not tie; None otherwise (the
    point is then re-solved as any other)."""
    hi = model.row_hi.copy()
    hi[walker.row] = cap
    raw = run_model(replace(model, row_hi=hi), settings)
    if raw.status != OPTIMAL or raw.x is None:
        return None
    st = walker.basis_of(raw.x, raw.row_dual, cap)
    got = None if st is None else walker.confirm(st, cap)
    if st is None or got is None or got[2]:
        return None
    return got[0], got[1], st


def _charge(budget: Budget, steps: int) -> bool:
    """Whether the budget covers an interval's walk of `steps` steps (charged if so)."""
    if not budget.spend(0):
        return False
    granted = budget.grant(steps) if steps else 0
    if granted == steps:
        return True
    budget.refund(granted)
    return False


def _search_order(caps: np.ndarray, todo: list[int], baseline: float) -> list[int]:
    """Intervals nearest the current capacity first: a search cut short by its budget has
    the neighbourhood of today's plan exact."""

    def distance(i: int) -> float:
        a, b = caps[i], caps[i + 1]
        return 0.0 if a <= baseline <= b else min(abs(a - baseline), abs(b - baseline))

    return sorted(todo, key=lambda i: (distance(i), i))


def _lp_breakpoints(
    front: Frontier,
    walker: Walk | None,
    starts: list[_Start | None],
    caps: np.ndarray,
    objective: np.ndarray,
    price: np.ndarray,
    units: np.ndarray,
    baseline: float,
    budget: Budget,
    progress: ProgressFn | None = None,
    pre: dict[int, _WalkOut] | None = None,
) -> tuple[list[dict[str, Any]], list[tuple[float, float]]]:
    """The exact change points between grid points whose prices differ, each with the cells
    that gain or lose from it; and the intervals (from, to) the search did not finish.

    Each interval is walked basis by basis from its left grid point (`Walk`); an interval the
    walk cannot follow is searched by re-solves (Eisner-Severance, `kinks`). A change point
    exactly at a grid point is where the last piece of one interval and the first of the next
    have different prices. An interval already walked (`pre`, from the grid's walk) is taken
    as it is when the budget covers its steps, and walked again within what is left if not,
    so a budget bounds the search as it would without it."""
    model = front.model
    ok = np.isfinite(objective) & np.isfinite(price)
    n = len(caps)
    todo = [
        i for i in range(n - 1) if ok[i] and ok[i + 1] and not same_price(price[i], price[i + 1])
    ]
    walked: dict[int, _WalkOut] = {}
    unresolved: list[tuple[float, float]] = []
    kinks_: list[dict[str, Any]] = []
    probed: list[float] = []
    front.allow = budget.spend
    # A pivot's rank-one update of B^-1 is far too small for BLAS threads: a threaded one costs
    # a millisecond on two busy cores instead of a few microseconds.
    with threadpool_limits(limits=1, user_api="blas"):
        for n_done, i in enumerate(_search_order(caps, todo, baseline)):
            if progress is not None:
                progress(max(n_done / len(todo), budget.fraction))
            a, b = float(caps[i]), float(caps[i + 1])
            if budget.out or stopped(budget.stop_flag):
                unresolved.append((a, b))
                continue
            w = None if pre is None else pre.get(i)
            if w is not None and _charge(budget, w.steps):
                kinks_ += w.kinks
                walked[i] = w
                continue
            st = starts[i] if walker is not None and i < len(starts) else None
            got = (
                walker.walk(st, a, b, objective[i], objective[i + 1], budget)
                if walker and st
                else None
            )
            if got is not None and got.ok:
                kinks_ += got.kinks
                walked[i] = got
                if got.reached < b:
                    unresolved.append((got.reached, b))
                continue
            # Searched by re-solves: every kink found is exact; a search cut short leaves the
            # whole interval marked.
            found: list[float] = []
            try:
                front.breakpoints(
                    a, objective[i], price[i], b, objective[i + 1], price[i + 1], found
                )
            except _OutOfSolves:
                unresolved.append((a, b))
            probed += found
    kinks_ += _grid_kinks(walked, set(todo), caps, objective, price, units)
    kinks_ += _describe(front, sorted(probed), caps, budget)
    front.allow = None
    kinks_.sort(key=lambda k: k["capacity"])
    listed: list[dict[str, Any]] = []
    for k in kinks_:
        x = k["capacity"]
        if listed and x - listed[-1]["capacity"] <= KINK_RTOL * max(1.0, abs(x)):
            continue
        listed.append(k)
    # (client_id, method_id) of every cell, once, for the cells the walk names by position.
    client = np.asarray(model.clients, dtype=object)[model.cells.client]
    method = np.asarray(model.methods, dtype=object)[model.cells.method]
    labels = [(str(c), str(m)) for c, m in zip(client.tolist(), method.tolist())]
    for k in listed:
        if "more_k" in k:
            k["more"] = [labels[i] for i in k.pop("more_k").tolist()]
            k["less"] = [labels[i] for i in k.pop("less_k").tolist()]
    return listed, _merge(unresolved)


def _merge(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Sorted intervals, touching ones joined."""
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def _grid_kinks(
    walked: dict[int, _WalkOut],
    todo: set[int],
    caps: np.ndarray,
    objective: np.ndarray,
    price: np.ndarray,
    units: np.ndarray,
) -> list[dict[str, Any]]:
    """Change points exactly at grid points, from the pieces either side of each."""

    def linear(i: int) -> _Piece:  # an interval on one piece: its grid points say it all
        g = (units[i + 1] - units[i]) / (caps[i + 1] - caps[i])
        keep = np.flatnonzero(np.abs(g) > 0)
        return _Piece(float(price[i]), keep, g[keep])

    def side(i: int, last: bool) -> _Piece | None:
        if i < 0 or i >= len(caps) - 1 or not np.isfinite(objective[i : i + 2]).all():
            return None
        if i not in todo:
            return linear(i)
        w = walked.get(i)
        if w is None or w.reached < caps[i + 1]:
            return None
        return w.last if last else w.first

    out = []
    for j in range(1, len(caps) - 1):
        if j - 1 not in todo and j not in todo:
            continue  # the same price on both sides
        before, after = side(j - 1, True), side(j, False)
        if before is None or after is None or same_price(before.price, after.price):
            continue
        more, less = _changes(before, after)
        out.append(
            {
                "capacity": float(caps[j]),
                "objective": float(objective[j]),
                "price_before": before.price,
                "price_after": after.price,
                "more_k": more,
                "less_k": less,
                "exact": True,
            }
        )
    return out


def _describe(
    front: Frontier, found: list[float], caps: np.ndarray, budget: Budget
) -> list[dict[str, Any]]:
    """The kinks found by re-solves, with prices and cells from re-solves either side (as
    far as the budget goes; past it, the capacity alone)."""
    model = front.model
    unique: list[float] = []
    for x in found:
        if not unique or x - unique[-1] > KINK_RTOL * max(1.0, abs(x)):
            unique.append(x)
    out = []
    lo_cap, hi_cap = caps[0], caps[-1]
    for j, x in enumerate(unique):
        # Look just either side of x, well inside the neighbouring pieces.
        left = unique[j - 1] if j else lo_cap
        right = unique[j + 1] if j + 1 < len(unique) else hi_cap
        delta = 0.25 * min(x - left if x > left else math.inf, right - x if right > x else math.inf)
        if not math.isfinite(delta) or delta <= 0:
            delta = PROBE_STEP * max(1.0, x)
        grow = at = before = after = None
        try:
            grow = _growth(front, x, delta)
            at = front.point(x)
            before = front.point(x - delta)
            after = front.point(x + delta)
        except _OutOfSolves:
            pass
        more: list[tuple[str, str]] = []
        less: list[tuple[str, str]] = []
        if grow is not None:
            g0, g1 = grow
            tol = KINK_RTOL * max(1.0, float(np.max(np.abs(np.concatenate([g0, g1])))))
            more = [cell_label(model, k) for k in np.flatnonzero(g1 > g0 + tol)]
            less = [cell_label(model, k) for k in np.flatnonzero(g1 < g0 - tol)]
        out.append(
            {
                "capacity": x,
                "objective": at[0] if at else np.nan,
                "price_before": before[1] if before else np.nan,
                "price_after": after[1] if after else np.nan,
                "more": more,
                "less": less,
                "exact": True,
            }
        )
    return out


def _integer_breakpoints(
    model: Model, caps: np.ndarray, objective: np.ndarray, units: np.ndarray, price: np.ndarray
) -> list[dict[str, Any]]:
    out = []
    for i in range(len(caps) - 1):
        a, b = units[i], units[i + 1]
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            continue
        diff = b - a
        if np.max(np.abs(diff)) < 0.5:
            continue
        out.append(
            {
                "capacity": caps[i + 1],
                "objective": objective[i + 1],
                "price_before": np.nan,
                "price_after": np.nan,
                "more": [cell_label(model, k) for k in np.flatnonzero(diff > 0.5)],
                "less": [cell_label(model, k) for k in np.flatnonzero(diff < -0.5)],
                "exact": False,
            }
        )
    return out


# ---- frontier: two pools --------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Grid:
    """Value over a grid of two pools' capacities (rows = y pool, columns = x pool)."""

    x_pool: str
    y_pool: str
    x: np.ndarray
    y: np.ndarray
    objective: np.ndarray  # (len(y), len(x)); NaN where there is no plan (or not computed)
    status: np.ndarray  # same shape, str ("" = not computed)
    x_price: np.ndarray
    y_price: np.ndarray
    partial: bool = False
    seconds: float = 0.0

    def frame(self) -> pd.DataFrame:
        """One row per grid point: x, y, objective, status, both shadow prices."""
        xx, yy = np.meshgrid(self.x, self.y)
        return pd.DataFrame(
            {
                self.x_pool: xx.ravel(),
                self.y_pool: yy.ravel(),
                "objective": self.objective.ravel(),
                "status": self.status.ravel(),
                f"{SHADOW_PRICE}_{self.x_pool}": self.x_price.ravel(),
                f"{SHADOW_PRICE}_{self.y_pool}": self.y_price.ravel(),
            }
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "x_pool": self.x_pool,
            "y_pool": self.y_pool,
            "x": [num(v) for v in self.x],
            "y": [num(v) for v in self.y],
            "objective": [[num(v) for v in row] for row in self.objective],
            "status": [list(row) for row in self.status],
            "partial": self.partial,
        }


def grid(
    problem: Problem,
    x_pool: str,
    x_range: tuple[float, float],
    y_pool: str,
    y_range: tuple[float, float],
    steps: int | tuple[int, int] = 11,
    *,
    progress: ProgressFn | None = None,
    stop_flag: StopFn | None = None,
    method: str = "warm",
) -> Grid:
    """Value over a grid of two pools; one built model, rows walked back and forth so each
    re-solve starts next to the last one."""
    t0 = time.perf_counter()
    if x_pool == y_pool:
        raise AnalysisError("analysis_grid_same_pool")
    nx, ny = (steps, steps) if isinstance(steps, (int, np.integer)) else steps
    for p, (a, b), k in ((x_pool, x_range, nx), (y_pool, y_range, ny)):
        check_pool(problem, p)
        _validate_range(p, float(a), float(b), k)
    if int(nx) * int(ny) > MAX_GRID_POINTS:
        raise AnalysisError(
            "analysis_grid_points", steps=f"{int(nx)} × {int(ny)}", value=MAX_GRID_POINTS
        )
    vp = value_problem(problem)
    model = build_model(vp, "max_value")
    rx, ry = pool_row(model, x_pool), pool_row(model, y_pool)
    r = Resolver(model, vp.settings, method)
    xs = np.linspace(float(x_range[0]), float(x_range[1]), int(nx))
    ys = np.linspace(float(y_range[0]), float(y_range[1]), int(ny))
    obj = np.full((len(ys), len(xs)), np.nan)
    status = np.full((len(ys), len(xs)), "", dtype=object)
    px = np.full_like(obj, np.nan)
    py = np.full_like(obj, np.nan)
    total, done, partial = obj.size, 0, False
    for j, yv in enumerate(ys):
        r.set_row_hi(ry, yv)
        order = range(len(xs)) if j % 2 == 0 else range(len(xs) - 1, -1, -1)
        for i in order:
            r.set_row_hi(rx, xs[i])
            raw = r.solve()
            status[j, i] = raw.status
            if raw.x is not None and raw.status in (OPTIMAL, FEASIBLE):
                obj[j, i] = raw.objective
                if raw.row_dual is not None:
                    px[j, i], py[j, i] = raw.row_dual[rx], raw.row_dual[ry]
            done += 1
            tick(progress, done, total)
            if stopped(stop_flag):
                partial = True
                break
        if partial:
            break
    return Grid(
        x_pool=x_pool,
        y_pool=y_pool,
        x=xs,
        y=ys,
        objective=obj,
        status=status.astype(str),
        x_price=px,
        y_price=py,
        partial=partial,
        seconds=time.perf_counter() - t0,
    )
