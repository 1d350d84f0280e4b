"""The value frontier: how the best value moves with one pool's capacity (`sweep`, with the
capacities where the plan changes course) or with two pools' at once (`grid`).

In continuous mode the value curve is concave and piecewise linear in a capacity; its kinks are
found exactly by the Eisner-Severance search (`kinks`), which sensitivity reuses.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla

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
from ..solve import Raw, pool_step, run_model
from ..tolerances import (
    DUAL_NOISE,
    KINK_RTOL,
    PIVOT_RTOL,
    PRICE_RTOL,
    PROBE_STEP,
    SEARCH_RTOL,
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
    cells, inv = np.unique(np.concatenate([before.cells, after.cells]), return_inverse=True)
    diff = np.bincount(
        inv, weights=np.concatenate([-before.growth, after.growth]), minlength=len(cells)
    )
    big = np.concatenate([np.abs(before.growth), np.abs(after.growth), [0.0]]).max()
    tol = KINK_RTOL * max(1.0, float(big))
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


class _Inverse:
    """B^-1 of a basis: a sparse LU of the basis it started from and one eta column per
    pivot since (the product form), so a pivot costs two solves instead of a factorisation."""

    def __init__(self, basis: sp.csc_matrix):
        self.lu = spla.splu(basis)
        self.etas: list[tuple[int, np.ndarray]] = []

    def ftran(self, b: np.ndarray) -> np.ndarray:
        """x with B x = b."""
        x = self.lu.solve(b)
        for r, w in self.etas:
            xr = x[r] / w[r]
            x -= w * xr
            x[r] = xr
        return x

    def btran(self, b: np.ndarray) -> np.ndarray:
        """x with B^T x = b."""
        u = np.array(b, dtype=float)
        for r, w in reversed(self.etas):
            u[r] = (u[r] - (w @ u - w[r] * u[r])) / w[r]
        # scipy's stubs omit SuperLU.solve's `trans` argument (documented: "N", "T", "H").
        return self.lu.solve(u, trans="T")  # type: ignore[call-overload]

    def pivot(self, r: int, w: np.ndarray) -> None:
        """Column r of the basis replaced by the column whose ftran is w."""
        self.etas.append((r, w))


# Pivots between two fresh factorisations of the basis (each refreshes values and prices).
REFACTOR_EVERY = 12


class Walk:
    """Follows the optimal basis of the value LP as one pool's bound grows (the parametric
    dual simplex on a right-hand side), from the basis HiGHS leaves at a grid point.

    On each basis the value grows linearly at the pool's price and the units of the basic
    columns along B^-1 e_pool, so a ratio test gives where the basis stops being feasible
    (the next possible change point) and one dual simplex pivot the next basis. A pivot costs
    a few solves with the basis (rows x rows: a few hundred at 2,000 clients) and one product
    with the constraint matrix, a fraction of a millisecond where a warm HiGHS re-solve costs
    5-30 ms. Each walk is checked against the solver's value at the interval's end; a walk
    that disagrees is not used (the interval is searched by re-solves instead).
    The variables are z = (x, r) with A x - r = 0, so K = [A, -I].
    """

    def __init__(self, model: Model, row: int):
        n, m = model.n_cols, len(model.row_lo)
        self.model, self.n, self.m, self.row = model, n, m, row
        self.pool = n + row
        self.K = sp.hstack([model.A.tocsc(), -sp.identity(m, format="csc")], format="csc")
        self.KT = self.K.T.tocsr()
        self.lo = np.concatenate([model.col_lo, model.row_lo]).astype(float)
        self.hi = np.concatenate([model.col_hi, model.row_hi]).astype(float)
        self.value = np.concatenate([np.asarray(model.c, dtype=float), np.zeros(m)])
        self.cost = -self.value if model.sense == "max" else self.value  # minimised
        self.movable = self.hi > self.lo  # fixed variables never enter
        self.d_tol = PIVOT_RTOL * max(1.0, float(np.max(np.abs(self.cost), initial=0.0)))
        # |K_j . rho| <= max|K| * sum|rho|: the scale of a pivot row, without a pass over it.
        self.k_max = float(np.max(np.abs(self.K.data), initial=1.0))

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

    def _column(self, j: int) -> np.ndarray:
        a = np.zeros(self.m)
        s, e = self.K.indptr[j], self.K.indptr[j + 1]
        a[self.K.indices[s:e]] = self.K.data[s:e]
        return a

    def _piece(self, basic: np.ndarray, dz: np.ndarray, price: float) -> _Piece:
        # A cell may appear twice (two of its unit columns basic): `_changes` adds them up.
        cols = (basic < self.n) & (dz != 0)
        return _Piece(float(price), self.model.col_cell[basic[cols]], dz[cols])

    def walk(
        self, st: _Start, b0: float, b1: float, f0: float, f1: float, budget: Budget
    ) -> _WalkOut:
        """Every change point in (b0, b1), from the basis at b0 (value f0) to b1 (value f1)."""
        m, n_all, pool, K, KT = self.m, self.n + self.m, self.pool, self.K, self.KT
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
        # Reduced costs times this are >= 0 when optimal; 0 marks what may not enter (basic or
        # fixed), so one product with a pivot row finds the candidates.
        sgn = np.where(upper, -1.0, 1.0) * (~is_basic & self.movable)
        e_pool = np.zeros(m)
        e_pool[self.row] = 1.0
        pos, f = b0, f0
        kinks_: list[dict[str, Any]] = []
        first: _Piece | None = None
        prev: _Piece | None = None
        idle, since = 0, REFACTOR_EVERY  # pivots without a move; pivots since a factorisation
        inv: _Inverse | None = None
        zb = y = d = np.zeros(0)
        while True:
            if not budget.spend():
                return _WalkOut(kinks_, first, prev, pos)
            if since >= REFACTOR_EVERY:
                try:
                    inv = _Inverse(K[:, basic].tocsc())
                except RuntimeError:  # a singular basis: not one to walk from
                    return fail
                zb = inv.ftran(-(K @ zn))
                y = inv.btran(self.cost[basic])
                d = self.cost - KT @ y
                since = 0
            assert inv is not None
            if since == 0:  # fresh factors: the direction from scratch (else from the pivot)
                binding = upper[pool] and not is_basic[pool]
                dz = inv.ftran(e_pool) if binding else np.zeros(m)
            price = float(self.value[basic] @ dz)
            big = float(np.max(np.abs(dz), initial=0.0))
            tol = PIVOT_RTOL * max(big, TINY)
            with np.errstate(invalid="ignore", divide="ignore"):
                room = (np.where(dz > 0, hi[basic], lo[basic]) - zb) / dz
            room[np.abs(dz) <= tol] = math.inf
            room = np.maximum(room, 0.0)  # finite bounds and values: no NaN here
            r = int(np.argmin(room))
            end = min(pos + float(room[r]), b1)
            if end > pos + SEARCH_RTOL * max(1.0, abs(pos)):
                piece = self._piece(basic, dz, price)
                if prev is not None and not same_price(prev.price, piece.price):
                    more, less = _changes(prev, piece)
                    kinks_.append(
                        {
                            "capacity": pos,
                            "objective": f,
                            "price_before": prev.price,
                            "price_after": piece.price,
                            "more_k": more,
                            "less_k": less,
                            "exact": True,
                        }
                    )
                first = piece if first is None else first
                prev = piece
                f += price * (end - pos)
                zb += (end - pos) * dz
                pos, idle = end, 0
                hi[pool] = pos
                if upper[pool]:
                    zn[pool] = pos
            else:
                idle += 1
                if idle > 5 * m + 50:  # cycling on a degenerate vertex
                    return fail
            if pos >= b1:
                break
            # The basic variable r reaches its bound at pos: one dual simplex pivot.
            leave, to_upper = int(basic[r]), bool(dz[r] > 0)
            e_r = np.zeros(m)
            e_r[r] = 1.0
            rho = inv.btran(e_r)
            alpha = KT @ rho
            a_tol = PIVOT_RTOL * max(1.0, self.k_max * float(np.abs(rho).sum()))
            sa = sgn * alpha
            cand = np.flatnonzero((sa > a_tol) if to_upper else (sa < -a_tol))
            if not len(cand):
                return fail
            abs_a = np.abs(alpha[cand])
            dd = np.maximum(sgn[cand] * d[cand], 0.0)
            # Harris' two passes: among the nearly tied ratios, the largest pivot element.
            bound = float(np.min((dd + self.d_tol) / abs_a))
            near = dd / abs_a <= bound
            k = int(np.argmax(np.where(near, abs_a, -1.0)))
            q = int(cand[k])
            theta = float(d[q] / alpha[q])
            w = inv.ftran(self._column(q))
            if abs(w[r]) <= a_tol:  # the pivot is too small to trust: refactor and retry
                if since == 0:
                    return fail
                since = REFACTOR_EVERY
                continue
            y += theta * rho
            d -= theta * alpha
            d[q], d[leave] = 0.0, -theta
            zb[r] = zn[q]
            basic[r] = q
            is_basic[q], is_basic[leave] = True, False
            upper[leave] = to_upper
            sgn[q] = 0.0
            sgn[leave] = (-1.0 if to_upper else 1.0) if self.movable[leave] else 0.0
            zn[leave] = hi[leave] if to_upper else lo[leave]
            zn[q] = 0.0
            inv.pivot(r, w)
            since += 1
            # The new basis's direction B'^-1 e_pool = E^-1 (B^-1 e_pool), E the eta of w.
            if is_basic[pool] or not upper[pool]:
                dz = np.zeros(m)  # the pool stopped binding: more of it changes nothing
            else:
                dz_r = dz[r] / w[r]
                dz = dz - w * dz_r
                dz[r] = dz_r
        if abs(f - f1) > WALK_RTOL * max(1.0, abs(f1)):
            return fail
        return _WalkOut(kinks_, first, prev, b1)


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
    # The walk starts from the basis HiGHS leaves at each grid point (continuous, warm only).
    walker = (
        Walk(model, row)
        if breakpoints and not model.integer and resolver.method == "warm"
        else None
    )
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
    for i, cap in enumerate(caps):
        raw = front.at(cap)
        status.append(raw.status)
        if raw.x is not None and raw.status in (OPTIMAL, FEASIBLE):
            objective[i] = raw.objective
            units[i] = cell_units(model, raw.x)
            if raw.row_dual is not None:
                price[i] = raw.row_dual[row]
            if walker is not None:
                starts.append(walker.start(resolver.basic_variables(), raw.x, float(cap)))
            if math.isfinite(step) and raw.objective is not None:
                more = front.at(cap + step)
                if more.objective is not None and more.status in (OPTIMAL, FEASIBLE):
                    step_price[i] = (max(more.objective, raw.objective) - raw.objective) / step
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
        search_seconds=budget.elapsed if breakpoints and not model.integer else 0.0,
        budget_solves=max_solves,
        budget_seconds=max_seconds,
    )


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
) -> tuple[list[dict[str, Any]], list[tuple[float, float]]]:
    """The exact change points between grid points whose prices differ, each with the cells
    that gain or lose from it; and the intervals (from, to) the search did not finish.

    Each interval is walked basis by basis from its left grid point (`Walk`); an interval the
    walk cannot follow is searched by re-solves (Eisner-Severance, `kinks`). A change point
    exactly at a grid point is where the last piece of one interval and the first of the next
    have different prices."""
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
    for n_done, i in enumerate(_search_order(caps, todo, baseline)):
        if progress is not None:
            progress(max(n_done / len(todo), budget.fraction))
        a, b = float(caps[i]), float(caps[i + 1])
        if budget.out or stopped(budget.stop_flag):
            unresolved.append((a, b))
            continue
        st = starts[i] if walker is not None and i < len(starts) else None
        got = (
            walker.walk(st, a, b, objective[i], objective[i + 1], budget) if walker and st else None
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
            front.breakpoints(a, objective[i], price[i], b, objective[i + 1], price[i + 1], found)
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
    for k in listed:
        if "more_k" in k:
            k["more"] = [(str(c), str(m)) for c, m in zip(client[k["more_k"]], method[k["more_k"]])]
            k["less"] = [(str(c), str(m)) for c, m in zip(client[k["less_k"]], method[k["less_k"]])]
            del k["more_k"], k["less_k"]
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
