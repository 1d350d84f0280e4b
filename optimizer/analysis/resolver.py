"""Analysis built on the model: frontier sweeps, sensitivity, robustness and scenario diffs.

Every analysis builds the model once and then changes only what the question changes (a pool's
right-hand side, or objective coefficients), re-solving one HiGHS object from its last basis.
That is what makes a 50-point sweep or 500 robustness draws take a second or two instead of a
minute; `benchmarks/bench_analysis.py` measures it.

Long runs take `progress` (called with the fraction done) and `stop` (polled; True stops the
run); a stopped run returns what it computed, marked `partial`.
"""

from __future__ import annotations

import io
import json
import math
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from .bundle import settings_dict, to_tables
from .model import POOL, Model, build_model
from .schema import (
    ATTAINABLE,
    CAPACITY,
    CLIENT_ID,
    CLIENTS,
    COMMITTED_UNITS,
    DECAY,
    FEASIBLE,
    INFEASIBLE,
    METHOD_ID,
    METHODS,
    NAME,
    OPTIMAL,
    OVERRIDES,
    RELATIONSHIP,
    RESOURCE_ID,
    RESOURCES,
    SHADOW_PRICE,
    SHARE,
    UNIT,
    UNITS,
    USED,
    VALUE,
    VALUE_HIGH,
    VALUE_LOW,
    VALUES,
    WEIGHT,
    WEIGHTED_VALUE,
    Problem,
    Result,
    Settings,
    use_col,
)
from .solve import Raw, highs_model, highs_result, run_model, solve

ProgressFn = Callable[[float], None]
StopFn = Callable[[], bool]

# A cell counts as funded above this many units (the solver's own tolerance is ~1e-9).
FUNDED_TOL = 1e-6
# Two shadow prices are "the same" within this relative tolerance.
PRICE_RTOL = 1e-6
METHODS_AVAILABLE: tuple[str, ...] = ("warm", "model")
# Re-solves the exact breakpoint search of one sweep may use (about 4 per breakpoint).
MAX_BREAKPOINT_SOLVES = 20_000


class AnalysisError(ValueError):
    """A request the analysis cannot answer as asked (unknown pool, bad range, ...)."""


class NoPlanError(AnalysisError):
    """The baseline problem has no plan, so there is nothing to analyse around."""

    def __init__(self, result: Result):
        self.result = result
        lines = [f"the baseline has no plan ({result.status_text})", *result.explanation]
        super().__init__("\n".join(lines))


def _num(x: Any) -> float | None:
    """A JSON-safe number (NaN and infinities become null)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _tick(progress: ProgressFn | None, done: int, total: int) -> None:
    if progress is not None and total > 0:
        progress(min(1.0, done / total))


def _stopped(stop: StopFn | None) -> bool:
    return bool(stop is not None and stop())


def _value_problem(problem: Problem) -> Problem:
    """What-if questions are about value: a min-cost problem is analysed in max-value mode."""
    if problem.settings.objective == "max_value":
        return problem
    return problem.with_settings(objective="max_value")


# ---- re-solving one built model -------------------------------------------------------------
class Resolver:
    """One built model, re-solved after changes to row upper bounds or objective coefficients.

    method "warm" keeps a single HiGHS object and re-runs it from its last basis (HiGHS only);
    "model" hands a modified copy of the Model to `run_model` each time (any solver). Both
    give the same answers; "warm" is several times faster (see benchmarks/bench_analysis.py).
    """

    def __init__(self, model: Model, settings: Settings, method: str = "warm"):
        if method not in METHODS_AVAILABLE:
            raise AnalysisError(f"unknown re-solve method '{method}' (use "
                                f"{' or '.join(METHODS_AVAILABLE)})")
        self.model = model
        self.settings = settings
        self.method = method if settings.solver == "highs" else "model"
        self._row_hi = np.array(model.row_hi, dtype=float, copy=True)
        self._c = np.array(model.c, dtype=float, copy=True)
        self._h = None
        if self.method == "warm":
            self._h = highs_model(model)
            if model.integer:
                self._h.setOptionValue("mip_rel_gap", float(settings.mip_gap))

    @property
    def c(self) -> np.ndarray:
        return self._c

    def set_row_hi(self, row: int, value: float) -> None:
        """Change one row's upper bound (a pool's capacity)."""
        self._row_hi[row] = value
        if self._h is not None:
            lo = self.model.row_lo[row]
            self._h.changeRowBounds(int(row), float(lo) if math.isfinite(lo) else -math.inf,
                                    float(value))

    def set_costs(self, c: np.ndarray, cols: np.ndarray | None = None) -> None:
        """Change objective coefficients: all of them, or those of `cols`."""
        c = np.asarray(c, dtype=float)
        if cols is None:
            self._c[:] = c
            cols = np.arange(len(self._c), dtype=np.int32)
        else:
            cols = np.asarray(cols, dtype=np.int32)
            self._c[cols] = c
        if self._h is not None and len(cols):
            self._h.changeColsCost(len(cols), cols, np.ascontiguousarray(c))

    def solve(self) -> Raw:
        """Solve with the current changes."""
        if self._h is None:
            return run_model(replace(self.model, row_hi=self._row_hi.copy(),
                                     c=self._c.copy()), self.settings)
        return self._run_warm()

    def _run_warm(self) -> Raw:
        h = self._h
        # HiGHS counts its time limit over every run of one object, so each run gets its own.
        h.setOptionValue("time_limit", float(h.getRunTime()) + float(self.settings.time_limit_s))
        h.run()
        raw = highs_result(h, self.model.integer)
        # The objective of the current costs, as this object's own record of them.
        return raw if raw.x is None else replace(raw, objective=float(self._c @ raw.x))


def pool_row(model: Model, pool: str) -> int:
    """The model row of a pool's capacity."""
    rows = model.rows
    hit = np.flatnonzero((rows["kind"].to_numpy() == POOL) &
                         (rows[RESOURCE_ID].to_numpy() == pool))
    if not len(hit):
        raise AnalysisError(f"'{pool}' is not a pool (pools: {', '.join(model.pools)})")
    return int(hit[0])


def _cell_units(model: Model, x: np.ndarray) -> np.ndarray:
    return np.bincount(model.col_cell, weights=x, minlength=len(model.cells.value))


def _cell_label(model: Model, k: int) -> tuple[str, str]:
    return (str(model.clients[model.cells.client[k]]), str(model.methods[model.cells.method[k]]))


def _same_price(a: float, b: float) -> bool:
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
            raise AnalysisError(f"the sweep of '{pool}' needs a '{name}' capacity of at least 0, "
                                f"not {v}")
    if not isinstance(steps, (int, np.integer)) or steps < 2:
        raise AnalysisError(f"a sweep needs at least 2 steps, not {steps}")
    if stop <= start:
        raise AnalysisError(f"the sweep of '{pool}' must go from a smaller to a larger "
                            f"capacity (from {start} to {stop})")


# ---- frontier: one pool ---------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Sweep:
    """The value frontier of one pool.

    points: one row per capacity: capacity, objective (NaN without a plan), status,
            shadow_price (value of one more unit, continuous mode), marginal (value gained per
            unit over the step from the previous point), funded_cells.
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
    notes: tuple[str, ...] = ()
    truncated: bool = False  # the breakpoint search ran out of re-solves

    def to_json(self) -> dict[str, Any]:
        """The sweep as the JSON object of the command line."""
        pts = [{"capacity": _num(r.capacity), "objective": _num(r.objective),
                "status": r.status, "shadow_price": _num(r.shadow_price),
                "marginal": _num(r.marginal), "funded_cells": int(r.funded_cells)}
               for r in self.points.itertuples()]
        bps = [{"capacity": _num(r.capacity), "objective": _num(r.objective),
                "price_before": _num(r.price_before), "price_after": _num(r.price_after),
                "exact": bool(r.exact),
                "more": [list(c) for c in r.more], "less": [list(c) for c in r.less]}
               for r in self.breakpoints.itertuples()]
        return {"pool": self.pool, "unit": self.unit,
                "baseline_capacity": _num(self.baseline_capacity),
                "integer_units": self.integer, "partial": self.partial,
                "breakpoints_complete": not self.truncated,
                "feasible_from": _num(self.feasible_from), "points": pts,
                "breakpoints": bps, "notes": list(self.notes)}


_BP_COLUMNS = ["capacity", "objective", "price_before", "price_after", "more", "less", "exact"]


def _kinks(probe: Callable[[float], tuple[float, float] | None], xa: float, fa: float,
           sa: float, xb: float, fb: float, sb: float, out: list[float] | None = None,
           depth: int = 0) -> list[float]:
    """Every x in [xa, xb] where the slope of a concave piecewise-linear f changes, given f
    and a slope at both ends; probe(x) -> (f(x), a slope at x), or None without a plan.

    Eisner-Severance: the two supporting lines at the ends meet at x*; if f reaches that
    meeting point it is the only kink, else split there and recurse (2k + 1 probes for k
    kinks). Kinks are appended to `out` as they are found, so an interrupted search keeps
    them.
    """
    out = [] if out is None else out
    if sa - sb <= PRICE_RTOL * max(1.0, abs(sa), abs(sb)) or xb - xa <= 1e-9 * max(1.0, xb):
        return out
    x = (fb - fa + sa * xa - sb * xb) / (sa - sb)
    x = min(max(x, xa), xb)
    line = fa + sa * (x - xa)
    got = probe(x)
    if got is None:
        out.append(x)
        return out
    f, s = got
    if f >= line - 1e-7 * max(1.0, abs(line)) or depth > 60:
        out.append(x)
        return out
    _kinks(probe, xa, fa, sa, x, f, s, out, depth + 1)
    _kinks(probe, x, f, s, xb, fb, sb, out, depth + 1)
    return out


class _OutOfSolves(Exception):
    """The breakpoint search used up its re-solves."""


class _Frontier:
    """Evaluates the value frontier of one pool row with one Resolver."""

    def __init__(self, resolver: Resolver, row: int, max_solves: int | None = None):
        self.r = resolver
        self.row = row
        self.model = resolver.model
        self.max_solves = max_solves
        self.solves = 0

    def at(self, cap: float) -> Raw:
        self.solves += 1
        if self.max_solves is not None and self.solves > self.max_solves:
            raise _OutOfSolves
        self.r.set_row_hi(self.row, cap)
        return self.r.solve()

    def point(self, cap: float) -> tuple[float, float] | None:
        raw = self.at(cap)
        if raw.status not in (OPTIMAL, FEASIBLE) or raw.row_dual is None:
            return None
        return float(raw.objective), float(raw.row_dual[self.row])

    def units(self, cap: float) -> np.ndarray | None:
        raw = self.at(cap)
        return _cell_units(self.model, raw.x) if raw.x is not None else None

    def breakpoints(self, xa: float, fa: float, sa: float, xb: float, fb: float, sb: float,
                    out: list[float] | None = None) -> list[float]:
        """Every capacity in [xa, xb] where the slope of the concave value curve changes,
        appended to `out` as found."""
        return _kinks(self.point, xa, fa, sa, xb, fb, sb, out)

    def piece_end(self, x0: float, f0: float, s0: float, x_far: float) -> float:
        """How far (towards x_far) the slope s0 at x0 holds: the end of the linear piece."""
        x2 = x_far
        for _ in range(200):
            got = self.point(x2)
            if got is None:
                return x2
            f2, s2 = got
            if _same_price(s2, s0):
                return x2
            x_star = (f2 - f0 + s0 * x0 - s2 * x2) / (s0 - s2)
            lo_, hi_ = min(x0, x2), max(x0, x2)
            x_star = min(max(x_star, lo_), hi_)
            got = self.point(x_star)
            if got is None:
                return x_star
            f_star, s_star = got
            line = f0 + s0 * (x_star - x0)
            if f_star >= line - 1e-7 * max(1.0, abs(line)):
                return x_star
            x2 = x_star
        return x2


def _growth(front: _Frontier, x: float, delta: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Units gained per unit of capacity just before and just after x."""
    u0, u1, u2 = front.units(x - delta), front.units(x), front.units(x + delta)
    if u0 is None or u1 is None or u2 is None:
        return None
    return (u1 - u0) / delta, (u2 - u1) / delta


def sweep(problem: Problem, pool: str, start: float, stop: float, steps: int, *,
          breakpoints: bool = True, progress: ProgressFn | None = None,
          stop_flag: StopFn | None = None, method: str = "warm",
          max_solves: int = MAX_BREAKPOINT_SOLVES) -> Sweep:
    """Sweep one pool's capacity from `start` to `stop` in `steps` points.

    The model is built once; each point changes only the pool row's bound and re-solves. In
    continuous mode the capacities where the plan changes course are found exactly (where the
    shadow price changes); in whole-units mode they are bracketed between grid points.
    """
    t0 = time.perf_counter()
    if pool not in problem.resources.index:
        raise AnalysisError(f"'{pool}' is not a pool (pools: {', '.join(problem.pools)})")
    _validate_range(pool, float(start), float(stop), steps)
    notes: list[str] = []
    if problem.settings.objective != "max_value":
        notes.append("The frontier shows the most value at each capacity (max_value mode).")
    vp = _value_problem(problem)
    model = build_model(vp, "max_value")
    row = pool_row(model, pool)
    resolver = Resolver(model, vp.settings, method)
    front = _Frontier(resolver, row)
    caps = np.linspace(float(start), float(stop), int(steps))
    n = len(caps)
    objective = np.full(n, np.nan)
    price = np.full(n, np.nan)
    status: list[str] = []
    units = np.full((n, len(model.cells.value)), np.nan)
    # Breakpoint search costs extra solves; the progress bar gives it the last fifth.
    span = n / 0.8 if breakpoints else n
    done = 0
    for i, cap in enumerate(caps):
        raw = front.at(cap)
        status.append(raw.status)
        if raw.x is not None and raw.status in (OPTIMAL, FEASIBLE):
            objective[i] = raw.objective
            units[i] = _cell_units(model, raw.x)
            if raw.row_dual is not None:
                price[i] = raw.row_dual[row]
        done = i + 1
        _tick(progress, done, int(span))
        if _stopped(stop_flag):
            break
    partial = done < n
    caps, objective, price, units = caps[:done], objective[:done], price[:done], units[:done]
    status = status[:done]
    price = np.where(np.abs(price) < 1e-12, 0.0, price)
    marginal = np.full(done, np.nan)
    if done > 1:
        marginal[1:] = np.diff(objective) / np.diff(caps)
    funded = np.nansum(units > FUNDED_TOL, axis=1).astype(int)
    points = pd.DataFrame({"capacity": caps, "objective": objective, "status": status,
                           SHADOW_PRICE: price, "marginal": marginal, "funded_cells": funded})
    unit_frame = pd.DataFrame(units, columns=model.cells.index)
    unit_frame.index = pd.Index(caps, name="capacity")

    feasible_from = None
    if any(s == INFEASIBLE for s in status):
        feasible_from = min_feasible_capacity(model, vp.settings, row)
    bps: list[dict[str, Any]] = []
    truncated = False
    if breakpoints and done > 1 and not partial:
        if model.integer:
            bps = _integer_breakpoints(model, caps, objective, units, price)
        else:
            front.max_solves, front.solves = max_solves, 0
            bps, truncated = _lp_breakpoints(front, model, caps, objective, price, stop_flag)
            if _stopped(stop_flag):
                partial = True
            if truncated:
                notes.append(f"The search for capacities where the plan changes stopped after "
                             f"{max_solves} re-solves: the list of {len(bps)} is incomplete.")
    _tick(progress, 1, 1)
    bp_frame = pd.DataFrame(bps, columns=_BP_COLUMNS)
    if model.integer:
        notes.append("Whole units: the value moves in steps, so shadow prices are not defined; "
                     "'marginal' is the value gained per unit over each step.")
    return Sweep(pool=pool, unit=str(problem.resources.at[pool, UNIT]),
                 baseline_capacity=float(problem.resources.at[pool, CAPACITY]), points=points,
                 units=unit_frame, breakpoints=bp_frame, feasible_from=feasible_from,
                 integer=bool(model.integer), partial=partial,
                 seconds=time.perf_counter() - t0, method=resolver.method, notes=tuple(notes),
                 truncated=truncated)


def _lp_breakpoints(front: _Frontier, model: Model, caps: np.ndarray, objective: np.ndarray,
                    price: np.ndarray, stop_flag: StopFn | None
                    ) -> tuple[list[dict[str, Any]], bool]:
    """The exact breakpoints between grid points whose prices differ, each with the cells
    that gain or lose from it; and whether the search ran out of re-solves."""
    found: list[float] = []
    truncated = False
    ok = np.isfinite(objective) & np.isfinite(price)
    try:
        for i in range(len(caps) - 1):
            if _stopped(stop_flag):
                break
            if ok[i] and ok[i + 1] and not _same_price(price[i], price[i + 1]):
                front.breakpoints(caps[i], objective[i], price[i], caps[i + 1],
                                  objective[i + 1], price[i + 1], found)
    except _OutOfSolves:
        truncated = True
    found = sorted(found)
    unique: list[float] = []
    for x in found:
        if not unique or x - unique[-1] > 1e-7 * max(1.0, abs(x)):
            unique.append(x)
    out = []
    lo_cap, hi_cap = caps[0], caps[-1]
    for j, x in enumerate(unique):
        if _stopped(stop_flag):
            break
        # Look just either side of x, well inside the neighbouring pieces.
        left = unique[j - 1] if j else lo_cap
        right = unique[j + 1] if j + 1 < len(unique) else hi_cap
        delta = 0.25 * min(x - left if x > left else math.inf,
                           right - x if right > x else math.inf)
        if not math.isfinite(delta) or delta <= 0:
            delta = 1e-6 * max(1.0, x)
        try:
            grow = _growth(front, x, delta)
            at = front.point(x)
            before = front.point(x - delta)
            after = front.point(x + delta)
        except _OutOfSolves:
            truncated = True
            grow = at = before = after = None
        more: list[tuple[str, str]] = []
        less: list[tuple[str, str]] = []
        if grow is not None:
            g0, g1 = grow
            tol = 1e-7 * max(1.0, float(np.max(np.abs(np.concatenate([g0, g1])))))
            more = [_cell_label(model, k) for k in np.flatnonzero(g1 > g0 + tol)]
            less = [_cell_label(model, k) for k in np.flatnonzero(g1 < g0 - tol)]
        out.append({"capacity": x, "objective": at[0] if at else np.nan,
                    "price_before": before[1] if before else np.nan,
                    "price_after": after[1] if after else np.nan,
                    "more": more, "less": less, "exact": True})
    return out, truncated


def _integer_breakpoints(model: Model, caps: np.ndarray, objective: np.ndarray,
                         units: np.ndarray, price: np.ndarray) -> list[dict[str, Any]]:
    out = []
    for i in range(len(caps) - 1):
        a, b = units[i], units[i + 1]
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            continue
        diff = b - a
        if np.max(np.abs(diff)) < 0.5:
            continue
        out.append({"capacity": caps[i + 1], "objective": objective[i + 1],
                    "price_before": np.nan, "price_after": np.nan,
                    "more": [_cell_label(model, k) for k in np.flatnonzero(diff > 0.5)],
                    "less": [_cell_label(model, k) for k in np.flatnonzero(diff < -0.5)],
                    "exact": False})
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
        return pd.DataFrame({self.x_pool: xx.ravel(), self.y_pool: yy.ravel(),
                             "objective": self.objective.ravel(),
                             "status": self.status.ravel(),
                             f"{SHADOW_PRICE}_{self.x_pool}": self.x_price.ravel(),
                             f"{SHADOW_PRICE}_{self.y_pool}": self.y_price.ravel()})

    def to_json(self) -> dict[str, Any]:
        return {"x_pool": self.x_pool, "y_pool": self.y_pool,
                "x": [_num(v) for v in self.x], "y": [_num(v) for v in self.y],
                "objective": [[_num(v) for v in row] for row in self.objective],
                "status": [list(row) for row in self.status], "partial": self.partial}


def grid(problem: Problem, x_pool: str, x_range: tuple[float, float], y_pool: str,
         y_range: tuple[float, float], steps: int | tuple[int, int] = 11, *,
         progress: ProgressFn | None = None, stop_flag: StopFn | None = None,
         method: str = "warm") -> Grid:
    """Value over a grid of two pools; one built model, rows walked back and forth so each
    re-solve starts next to the last one."""
    t0 = time.perf_counter()
    if x_pool == y_pool:
        raise AnalysisError("a grid needs two different pools")
    nx, ny = (steps, steps) if isinstance(steps, (int, np.integer)) else steps
    for p, (a, b), k in ((x_pool, x_range, nx), (y_pool, y_range, ny)):
        if p not in problem.resources.index:
            raise AnalysisError(f"'{p}' is not a pool (pools: {', '.join(problem.pools)})")
        _validate_range(p, float(a), float(b), k)
    vp = _value_problem(problem)
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
            _tick(progress, done, total)
            if _stopped(stop_flag):
                partial = True
                break
        if partial:
            break
    return Grid(x_pool=x_pool, y_pool=y_pool, x=xs, y=ys, objective=obj,
                status=status.astype(str), x_price=px, y_price=py, partial=partial,
                seconds=time.perf_counter() - t0)


# ---- sensitivity ----------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Sensitivity:
    """How far the plan's answers hold.

    pools: index resource_id: name, unit, capacity, used, shadow_price, holds_from, holds_to
           (the capacities between which one more unit is worth exactly shadow_price),
           feasible_from (the least capacity that still allows a plan).
    cells: index (client_id, method_id), funded cells only: units, committed_units, value
           (first unit, as given), changes_below (first-unit value under which the cell gets
           fewer units), leaves_below (value under which it leaves the plan; 0 = never while it
           is worth anything; NaN = never, its units are committed), drop (value -
           leaves_below), drop_share (drop / value).
    """

    pools: pd.DataFrame
    cells: pd.DataFrame
    objective: float
    continuous: bool  # True when computed on the continuous model of a whole-units problem
    partial: bool = False
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        pools = [{"resource_id": p, "capacity": _num(r[CAPACITY]), "used": _num(r[USED]),
                  "shadow_price": _num(r[SHADOW_PRICE]), "holds_from": _num(r["holds_from"]),
                  "holds_to": _num(r["holds_to"]), "feasible_from": _num(r["feasible_from"])}
                 for p, r in self.pools.iterrows()]
        cells = [{"client_id": c, "method_id": m, "units": _num(r[UNITS]),
                  "value": _num(r[VALUE]), "changes_below": _num(r["changes_below"]),
                  "leaves_below": _num(r["leaves_below"]), "drop": _num(r["drop"]),
                  "drop_share": _num(r["drop_share"])}
                 for (c, m), r in self.cells.iterrows()]
        return {"objective": _num(self.objective), "continuous": self.continuous,
                "partial": self.partial, "pools": pools, "cells": cells}


def _col_blocks(model: Model) -> np.ndarray:
    """First column of each cell (columns of one cell are contiguous)."""
    return np.cumsum(model.cells.units) - model.cells.units


def _cell_thresholds(r: Resolver, cols: np.ndarray, c_cell: np.ndarray, g1: float,
                     v1: float, u_now: float, committed: float) -> tuple[float, float]:
    """Scale factors t of one cell's value under which it gets fewer units (t_change) and
    under which it keeps no more than its committed units (t_leave).

    The best value g(t) is convex and piecewise linear in t, with slope the cell's own
    (weighted) value; its kinks are where the cell's units change, found exactly by
    `_kinks` on -g. The cell's units are read in the middle of each piece between kinks.
    """
    def solve_at(t: float) -> Raw:
        r.set_costs(c_cell * t, cols)
        return r.solve()

    def probe(t: float) -> tuple[float, float] | None:
        raw = solve_at(t)
        if raw.x is None:
            return None
        return -float(raw.objective), -float(c_cell @ raw.x[cols])

    at0 = probe(0.0)
    if at0 is None:
        return math.nan, math.nan
    kinks = sorted(_kinks(probe, 0.0, at0[0], at0[1], 1.0, -g1, -v1))
    bounds = [0.0]
    for t in kinks:
        if t - bounds[-1] > 1e-9 and t < 1.0 - 1e-9:
            bounds.append(t)
    bounds.append(1.0)
    units = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        raw = solve_at(0.5 * (a + b))
        units.append(float(raw.x[cols].sum()) if raw.x is not None else math.nan)
    n = len(units)
    j = n - 1
    while j >= 0 and units[j] >= u_now - FUNDED_TOL:
        j -= 1
    t_change = bounds[j + 1]
    j = 0
    while j < n and units[j] <= committed + FUNDED_TOL:
        j += 1
    t_leave = bounds[j] if j < n else 1.0
    return t_change, t_leave


def sensitivity(problem: Problem, *, progress: ProgressFn | None = None,
                stop_flag: StopFn | None = None, method: str = "warm") -> Sensitivity:
    """Shadow prices with the capacity range over which each holds, and for each funded cell
    how far its value can fall before the plan changes and before the cell leaves it.

    Computed on the continuous model (whole-units problems are analysed on their continuous
    version: prices are not defined for whole units).
    """
    t0 = time.perf_counter()
    vp = _value_problem(problem)
    model = build_model(vp, "max_value")
    continuous = bool(model.integer)
    model = replace(model, integer=False)
    r = Resolver(model, vp.settings, method)
    base = r.solve()
    if base.status not in (OPTIMAL, FEASIBLE) or base.row_dual is None:
        raise NoPlanError(solve(vp))
    x0 = base.x
    units0 = _cell_units(model, x0)
    pools = list(model.pools)
    funded_cells = np.flatnonzero(units0 > FUNDED_TOL)
    total = len(pools) + len(funded_cells)
    done = 0
    partial = False

    pool_rows = []
    front_r = Resolver(model, vp.settings, method)
    for p in pools:
        row = pool_row(model, p)
        front = _Frontier(front_r, row)
        cap = float(model.row_hi[row])
        a = np.asarray(model.A[row].todense()).ravel()
        used = float(a @ x0)
        s0 = float(base.row_dual[row])
        s0 = 0.0 if abs(s0) < 1e-12 else s0
        f0 = float(base.objective)
        top = float(a @ model.col_hi)  # the pool can never be used beyond this
        floor_cap = min_feasible_capacity(model, vp.settings, row)
        lo_end = floor_cap if floor_cap is not None else 0.0
        if s0 == 0.0:
            hi = math.inf
            # A free pool stays free down to its use; below, look for where it starts to bind.
            lo = front.piece_end(cap, f0, s0, lo_end) if used > lo_end else lo_end
        else:
            hi = front.piece_end(cap, f0, s0, top) if top > cap else cap
            if hi >= top - 1e-9 * max(1.0, top):
                hi = top
            lo = front.piece_end(cap, f0, s0, lo_end) if cap > lo_end else cap
        front_r.set_row_hi(row, cap)
        pool_rows.append({RESOURCE_ID: p, NAME: problem.resources.at[p, NAME],
                          UNIT: problem.resources.at[p, UNIT], CAPACITY: cap, USED: used,
                          SHADOW_PRICE: s0, "holds_from": lo, "holds_to": hi,
                          "feasible_from": floor_cap})
        done += 1
        _tick(progress, done, total)
        if _stopped(stop_flag):
            partial = True
            break
    pool_frame = pd.DataFrame(pool_rows, columns=[RESOURCE_ID, NAME, UNIT, CAPACITY, USED,
                                                  SHADOW_PRICE, "holds_from", "holds_to",
                                                  "feasible_from"]).set_index(RESOURCE_ID)

    starts = _col_blocks(model)
    committed = model.cells.committed.astype(float)
    cell_rows = []
    for k in funded_cells if not partial else []:
        cols = np.arange(starts[k], starts[k] + model.cells.units[k])
        c_cell = model.c[cols]
        u_now = units0[k]
        value = float(model.cells.value[k])

        if u_now <= committed[k] + FUNDED_TOL:
            changes = leaves = math.nan  # only its committed units: it cannot leave
        else:
            t_change, t_leave = _cell_thresholds(r, cols, c_cell, float(base.objective),
                                                 float(c_cell @ x0[cols]), u_now, committed[k])
            changes, leaves = value * t_change, value * t_leave
        r.set_costs(c_cell, cols)
        cid, mid_ = _cell_label(model, k)
        drop = value - leaves if math.isfinite(leaves) else math.nan
        cell_rows.append({CLIENT_ID: cid, METHOD_ID: mid_, UNITS: u_now,
                          COMMITTED_UNITS: committed[k], VALUE: value,
                          "changes_below": changes, "leaves_below": leaves, "drop": drop,
                          "drop_share": drop / value if value > 0 and math.isfinite(drop)
                          else math.nan})
        done += 1
        _tick(progress, done, total)
        if _stopped(stop_flag):
            partial = True
            break
    cells = pd.DataFrame(cell_rows, columns=[CLIENT_ID, METHOD_ID, UNITS, COMMITTED_UNITS,
                                             VALUE, "changes_below", "leaves_below", "drop",
                                             "drop_share"]).set_index([CLIENT_ID, METHOD_ID])
    return Sensitivity(pools=pool_frame, cells=cells, objective=float(base.objective),
                       continuous=continuous, partial=partial,
                       seconds=time.perf_counter() - t0)


# ---- robustness -----------------------------------------------------------------------------
def widened_ranges(problem: Problem, widen: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Each cell's value range, with the ranges of some clients widened.

    `widen` maps client_id -> factor >= 1: the distance from `value` to `value_low` and to
    `value_high` is multiplied by the factor (the low end never below 0). Use it for clients
    whose selection criteria or decision roles are not known, so the plan's robustness
    reflects how little is known about them. Cells without a range stay fixed.
    Returns a frame indexed like problem.values: value, value_low, value_high, factor, ranged.
    """
    widen = dict(widen or {})
    bad = [f"{c}: not a client" for c in widen if c not in problem.clients.index]
    bad += [f"{c}: the factor must be a number of at least 1, not {f}" for c, f in widen.items()
            if not (isinstance(f, (int, float)) and math.isfinite(f) and f >= 1)]
    if bad:
        raise AnalysisError("range widening: " + "; ".join(bad))
    vals = problem.values
    v = vals[VALUE].to_numpy(dtype=float)
    low = vals[VALUE_LOW].to_numpy(dtype=float)
    high = vals[VALUE_HIGH].to_numpy(dtype=float)
    # One missing end of a range means the value itself is that end.
    low = np.where(np.isnan(low), v, np.minimum(low, v))
    high = np.where(np.isnan(high), v, np.maximum(high, v))
    clients = vals.index.get_level_values(CLIENT_ID)
    factor = np.asarray([float(widen.get(c, 1.0)) for c in clients], dtype=float)
    low = np.maximum(0.0, v - factor * (v - low))
    high = v + factor * (high - v)
    return pd.DataFrame({VALUE: v, VALUE_LOW: low, VALUE_HIGH: high, "factor": factor,
                         "ranged": high > low}, index=vals.index)


DRAW_CHUNK = 256


def iter_draws(ranges: pd.DataFrame, draws: int, seed: int,
               chunk: int = DRAW_CHUNK) -> Iterator[np.ndarray]:
    """Blocks of (up to `chunk`, cells) first-unit values: triangular(low, value, high) for
    ranged cells, the value itself for the rest. Drawn block by block so that a long run
    needs little memory; the blocks are the rows of `draw_values(ranges, draws, seed)`."""
    rng = np.random.default_rng(seed)
    v = ranges[VALUE].to_numpy(dtype=float)
    ranged = ranges["ranged"].to_numpy(dtype=bool)
    low = ranges[VALUE_LOW].to_numpy(dtype=float)[ranged]
    high = ranges[VALUE_HIGH].to_numpy(dtype=float)[ranged]
    for first in range(0, int(draws), chunk):
        n = min(chunk, int(draws) - first)
        out = np.tile(v, (n, 1))
        if ranged.any():
            out[:, ranged] = rng.triangular(low, v[ranged], high, size=(n, int(ranged.sum())))
        yield out


def draw_values(ranges: pd.DataFrame, draws: int, seed: int) -> np.ndarray:
    """(draws, cells) first-unit values, as `robustness` samples them for `seed`."""
    blocks = list(iter_draws(ranges, draws, seed))
    return np.vstack(blocks) if blocks else np.zeros((0, len(ranges)))


def _stats(a: np.ndarray) -> dict[str, float | None]:
    a = a[np.isfinite(a)]
    if not len(a):
        return {k: None for k in ("mean", "p5", "p50", "p95", "min", "max", "std")}
    return {"mean": float(a.mean()), "p5": float(np.percentile(a, 5)),
            "p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)),
            "min": float(a.min()), "max": float(a.max()), "std": float(a.std())}


@dataclass(frozen=True, eq=False)
class Robustness:
    """How the plan fares when values vary within their ranges.

    objective: each draw's best attainable (weighted) value; nominal_value: what the nominal
    plan is worth under each draw; regret = objective - nominal_value (>= 0); relative_regret
    = regret / objective. cells: index (client_id, method_id): value, value_low, value_high (as
    sampled, after widening), factor, ranged, nominal_units, funded_share (share of draws in
    which the cell is funded), mean_units.
    """

    draws: int  # completed
    requested: int
    seed: int
    nominal_objective: float
    objective: np.ndarray
    nominal_value: np.ndarray
    regret: np.ndarray
    relative_regret: np.ndarray
    cells: pd.DataFrame
    widen: dict[str, float]
    statuses: dict[str, int]
    integer: bool
    partial: bool = False
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """Distribution of total value and regret."""
        reg = _stats(self.regret)
        rel = _stats(self.relative_regret)
        return {"objective": _stats(self.objective),
                "nominal_plan_value": _stats(self.nominal_value),
                "regret": {"mean": reg["mean"], "p95": reg["p95"], "max": reg["max"],
                           "relative_mean": rel["mean"], "relative_p95": rel["p95"],
                           "relative_max": rel["max"]}}

    def to_json(self) -> dict[str, Any]:
        """Deterministic for a given seed (no timings)."""
        s = self.summary()
        clean = lambda d: {k: _num(v) for k, v in d.items()}  # noqa: E731
        cells = [{"client_id": c, "method_id": m, "funded_share": _num(r["funded_share"]),
                  "nominal_units": _num(r["nominal_units"]), "mean_units": _num(r["mean_units"]),
                  "value": _num(r[VALUE]), "value_low": _num(r[VALUE_LOW]),
                  "value_high": _num(r[VALUE_HIGH]), "ranged": bool(r["ranged"])}
                 for (c, m), r in self.cells.iterrows()]
        return {"draws": self.draws, "requested": self.requested, "seed": self.seed,
                "partial": self.partial, "integer_units": self.integer,
                "widen": dict(self.widen), "nominal_objective": _num(self.nominal_objective),
                "objective": clean(s["objective"]),
                "nominal_plan_value": clean(s["nominal_plan_value"]),
                "regret": clean(s["regret"]), "statuses": dict(self.statuses), "cells": cells}


def robustness(problem: Problem, draws: int, seed: int, *,
               widen: Mapping[str, float] | None = None, progress: ProgressFn | None = None,
               stop_flag: StopFn | None = None, method: str = "warm") -> Robustness:
    """Sample values within their ranges `draws` times (numpy Generator seeded with `seed`),
    re-solve each draw by changing only the objective, and compare with the nominal plan.

    Floors keep the nominal values (they are commitments made on the values as assessed);
    only what each method is worth to the client varies.
    """
    t0 = time.perf_counter()
    if not isinstance(draws, (int, np.integer)) or draws < 1:
        raise AnalysisError(f"robustness needs at least 1 draw, not {draws}")
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise AnalysisError(f"the seed must be a whole number of at least 0, not {seed}")
    ranges = widened_ranges(problem, widen)
    vp = _value_problem(problem)
    model = build_model(vp, "max_value")
    r = Resolver(model, vp.settings, method)
    nominal = r.solve()
    if nominal.status not in (OPTIMAL, FEASIBLE) or nominal.x is None:
        raise NoPlanError(solve(vp))
    x_nom = np.clip(nominal.x, model.col_lo, model.col_hi)
    if model.integer:
        x_nom = np.round(x_nom)
    n_cells = len(model.cells.value)
    # c = weight * decay^(k-1) * value: the multiplier of each column's first-unit value.
    weight = vp.clients[WEIGHT].to_numpy(dtype=float)[model.cells.client][model.col_cell]
    decay = vp.methods[DECAY].to_numpy(dtype=float)[model.cells.method][model.col_cell]
    mult = weight * decay ** (model.col_k - 1)
    # The nominal plan's worth under a draw: sum over cells of value * (its weighted units).
    per_cell = np.bincount(model.col_cell, weights=mult * x_nom, minlength=n_cells)
    opt = np.full(int(draws), np.nan)
    nominal_value = np.full(int(draws), np.nan)
    funded = np.zeros(n_cells)
    unit_sum = np.zeros(n_cells)
    statuses: dict[str, int] = {}
    done = 0
    stopped = False
    for block in iter_draws(ranges, int(draws), int(seed)):
        nominal_value[done:done + len(block)] = block @ per_cell
        for values in block:
            c = values[model.col_cell] * mult
            r.set_costs(c)
            raw = r.solve()
            statuses[raw.status] = statuses.get(raw.status, 0) + 1
            if raw.x is not None and raw.status in (OPTIMAL, FEASIBLE):
                x = np.clip(raw.x, model.col_lo, model.col_hi)
                if model.integer:
                    x = np.round(x)
                opt[done] = float(c @ x)
                u = _cell_units(model, x)
                funded += u > FUNDED_TOL
                unit_sum += u
            done += 1
            _tick(progress, done, int(draws))
            if _stopped(stop_flag):
                stopped = True
                break
        if stopped:
            break
    opt, nominal_value = opt[:done], nominal_value[:done]
    solved = int(np.isfinite(opt).sum())
    regret = opt - nominal_value
    # The solver's tolerance can leave a draw's optimum a hair under the nominal plan.
    regret = np.where(np.isfinite(regret), np.maximum(regret, 0.0), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(opt > 0, regret / opt, np.nan)
    cells = ranges.copy()
    cells["nominal_units"] = _cell_units(model, x_nom)
    cells["funded_share"] = funded / solved if solved else np.nan
    cells["mean_units"] = unit_sum / solved if solved else np.nan
    return Robustness(draws=done, requested=int(draws), seed=int(seed),
                      nominal_objective=float(model.c @ x_nom), objective=opt,
                      nominal_value=nominal_value, regret=regret, relative_regret=rel,
                      cells=cells, widen={k: float(v) for k, v in (widen or {}).items()},
                      statuses=statuses, integer=bool(model.integer), partial=done < draws,
                      seconds=time.perf_counter() - t0)


# ---- scenario summaries and diffs -----------------------------------------------------------
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    RESOURCES: (RESOURCE_ID,),
    METHODS: (METHOD_ID,),
    CLIENTS: (CLIENT_ID,),
    VALUES: (CLIENT_ID, METHOD_ID),
    OVERRIDES: (CLIENT_ID, METHOD_ID, RESOURCE_ID),
    RELATIONSHIP: (CLIENT_ID,),
}


def bundle_text(problem: Problem) -> dict[str, str]:
    """The problem's bundle tables as CSV text (what a scenario stores as its inputs)."""
    return {t: f.to_csv(index=False) for t, f in to_tables(problem).items()}


def summarize(problem: Problem, result: Result) -> dict[str, Any]:
    """A JSON-able summary of a result: KPIs, pools, clients and cells (what a scenario keeps
    of its result, and what comparisons read)."""
    out: dict[str, Any] = {
        "status": result.status, "status_text": result.status_text,
        "objective": _num(result.objective), "solver": result.solver,
        "fingerprint": result.fingerprint, "gap": _num(result.gap),
        "money_pool": problem.money_pool, "currency": problem.settings.currency,
        "settings": {k: getattr(result.settings, k) for k in Settings.__dataclass_fields__},
        "explanation": list(result.explanation), "kpis": {}, "pools": [], "clients": [],
        "cells": [],
    }
    if not result.has_plan:
        return out
    alloc = result.allocation
    funded = alloc[UNITS] > FUNDED_TOL
    kpis = {"objective": _num(result.objective), "total_value": _num(alloc[VALUE].sum()),
            "money_spent": _num(result.money_spent), "funded_cells": int(funded.sum()),
            "clients_reached": int((result.clients[VALUE] > 1e-9).sum()),
            "lowest_share": _num(result.clients[SHARE].min()),
            "mean_share": _num(result.clients[SHARE].mean())}
    for p, row in result.pools.iterrows():
        kpis[f"used_{p}"] = _num(row[USED])
    out["kpis"] = kpis
    out["pools"] = [{"resource_id": p, "name": str(r[NAME]), "unit": str(r[UNIT]),
                     "capacity": _num(r[CAPACITY]), "used": _num(r[USED]),
                     "shadow_price": _num(r[SHADOW_PRICE])}
                    for p, r in result.pools.iterrows()]
    out["clients"] = [{"client_id": c, "name": str(r[NAME]), "value": _num(r[VALUE]),
                       "weighted_value": _num(r[WEIGHTED_VALUE]),
                       "attainable": _num(r[ATTAINABLE]), "share": _num(r[SHARE]),
                       "use": {p: _num(r[use_col(p)]) for p in problem.pools}}
                      for c, r in result.clients.iterrows()]
    out["cells"] = [{"client_id": c, "method_id": m, "units": _num(r[UNITS]),
                     "value": _num(r[VALUE]), "weighted_value": _num(r[WEIGHTED_VALUE])}
                    for (c, m), r in alloc.iterrows()]
    return out


@dataclass(frozen=True, eq=False)
class ScenarioDiff:
    """B against A. kpis: index metric: a, b, delta, delta_share. pools: index resource_id.
    clients: index client_id: name, value_a, value_b, delta_value, share_a, share_b.
    cells: index (client_id, method_id): units_a, units_b, delta_units, value_a, value_b,
    delta_value, change (new | dropped | more | fewer | same). inputs: one row per changed
    input: table, key, column, a, b, change (changed | added | removed)."""

    kpis: pd.DataFrame
    pools: pd.DataFrame
    clients: pd.DataFrame
    cells: pd.DataFrame
    inputs: pd.DataFrame
    status_a: str
    status_b: str
    names: tuple[str, str] = ("A", "B")

    @property
    def changed_cells(self) -> pd.DataFrame:
        return self.cells[self.cells["change"] != "same"]

    def to_json(self) -> dict[str, Any]:
        def rows(frame: pd.DataFrame, keys: Sequence[str]) -> list[dict[str, Any]]:
            out = []
            for idx, r in frame.iterrows():
                idx = idx if isinstance(idx, tuple) else (idx,)
                d: dict[str, Any] = dict(zip(keys, idx))
                for k, v in r.items():
                    d[str(k)] = v if isinstance(v, str) or v is None else _num(v)
                out.append(d)
            return out

        return {"a": self.names[0], "b": self.names[1], "status_a": self.status_a,
                "status_b": self.status_b, "kpis": rows(self.kpis, ["metric"]),
                "pools": rows(self.pools, ["resource_id"]),
                "clients": rows(self.clients[self.clients["delta_value"].abs() > 1e-9],
                                ["client_id"]),
                "cells": rows(self.changed_cells, ["client_id", "method_id"]),
                "inputs": self.inputs.to_dict(orient="records")}


def _delta_frame(a: pd.Series, b: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame({"a": a, "b": b})
    frame["delta"] = frame["b"] - frame["a"]
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["delta_share"] = np.where(frame["a"].abs() > 1e-12,
                                        frame["delta"] / frame["a"].abs(), np.nan)
    return frame


def diff_summaries(a: Mapping[str, Any], b: Mapping[str, Any]) -> ScenarioDiff:
    """Result differences between two summaries (see `summarize`); no input differences."""
    ka = pd.Series(a.get("kpis", {}), dtype=float)
    kb = pd.Series(b.get("kpis", {}), dtype=float)
    order = list(dict.fromkeys([*ka.index, *kb.index]))
    kpis = _delta_frame(ka.reindex(order), kb.reindex(order))
    kpis.index.name = "metric"

    def frame(s: Mapping[str, Any], key: str, keys: list[str]) -> pd.DataFrame:
        rows = s.get(key, [])
        if not rows:
            return pd.DataFrame(columns=keys).set_index(keys)
        return pd.DataFrame(rows).set_index(keys)

    pa, pb = frame(a, "pools", [RESOURCE_ID]), frame(b, "pools", [RESOURCE_ID])
    pools = pd.DataFrame(index=pa.index.union(pb.index, sort=False))
    for col in (CAPACITY, USED, SHADOW_PRICE):
        pools[f"{col}_a"] = pa[col].reindex(pools.index) if col in pa else np.nan
        pools[f"{col}_b"] = pb[col].reindex(pools.index) if col in pb else np.nan
    pools["delta_used"] = pools[f"{USED}_b"] - pools[f"{USED}_a"]

    ca, cb = frame(a, "clients", [CLIENT_ID]), frame(b, "clients", [CLIENT_ID])
    clients = pd.DataFrame(index=ca.index.union(cb.index, sort=False))
    names = (cb[NAME] if NAME in cb else pd.Series(dtype=str)).combine_first(
        ca[NAME] if NAME in ca else pd.Series(dtype=str))
    clients[NAME] = names.reindex(clients.index)
    for col in (VALUE, SHARE):
        clients[f"{col}_a"] = (ca[col].reindex(clients.index) if col in ca else np.nan)
        clients[f"{col}_b"] = (cb[col].reindex(clients.index) if col in cb else np.nan)
    clients = clients.astype({f"{VALUE}_a": float, f"{VALUE}_b": float,
                              f"{SHARE}_a": float, f"{SHARE}_b": float})
    clients["delta_value"] = clients[f"{VALUE}_b"].fillna(0) - clients[f"{VALUE}_a"].fillna(0)

    la, lb = frame(a, "cells", [CLIENT_ID, METHOD_ID]), frame(b, "cells", [CLIENT_ID, METHOD_ID])
    idx = la.index.union(lb.index, sort=False)
    cells = pd.DataFrame(index=idx)
    for col in (UNITS, VALUE):
        cells[f"{col}_a"] = (la[col].reindex(idx) if col in la else np.nan)
        cells[f"{col}_b"] = (lb[col].reindex(idx) if col in lb else np.nan)
    cells = cells.astype(float).fillna(0.0)
    cells["delta_units"] = cells[f"{UNITS}_b"] - cells[f"{UNITS}_a"]
    cells["delta_value"] = cells[f"{VALUE}_b"] - cells[f"{VALUE}_a"]
    ua, ub = cells[f"{UNITS}_a"] > FUNDED_TOL, cells[f"{UNITS}_b"] > FUNDED_TOL
    d = cells["delta_units"]
    tol = 1e-6
    cells["change"] = np.select([~ua & ub, ua & ~ub, d > tol, d < -tol],
                                ["new", "dropped", "more", "fewer"], "same")
    cells.index.names = [CLIENT_ID, METHOD_ID]
    return ScenarioDiff(kpis=kpis, pools=pools, clients=clients, cells=cells,
                        inputs=_empty_inputs(), status_a=str(a.get("status", "")),
                        status_b=str(b.get("status", "")))


def _empty_inputs() -> pd.DataFrame:
    return pd.DataFrame(columns=["table", "key", "column", "a", "b", "change"])


def _as_text(table: str | pd.DataFrame) -> pd.DataFrame:
    if isinstance(table, str):
        return pd.read_csv(io.StringIO(table), dtype=str, keep_default_na=False)
    return pd.read_csv(io.StringIO(table.to_csv(index=False)), dtype=str,
                       keep_default_na=False)


def _same_cell(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=0.0)
    except ValueError:
        return False


def diff_inputs(tables_a: Mapping[str, str | pd.DataFrame],
                tables_b: Mapping[str, str | pd.DataFrame],
                settings_a: Mapping[str, Any] | None = None,
                settings_b: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Which input cells differ between two bundles (tables as CSV text or frames).

    Rows are matched by their ids (values by client and method, ...). One output row per
    changed cell, added or removed row, and changed setting.
    """
    out: list[dict[str, Any]] = []
    for t in list(dict.fromkeys([*tables_a, *tables_b])):
        fa = _as_text(tables_a[t]) if t in tables_a else None
        fb = _as_text(tables_b[t]) if t in tables_b else None
        if fa is None or fb is None:
            out.append({"table": t, "key": "", "column": "",
                        "a": "" if fa is None else f"{len(fa)} rows",
                        "b": "" if fb is None else f"{len(fb)} rows",
                        "change": "added" if fa is None else "removed"})
            continue
        keys = [k for k in KEY_COLUMNS.get(t, ()) if k in fa.columns and k in fb.columns]
        if not keys:
            keys = []
        key_a = fa[keys].agg("/".join, axis=1) if keys else fa.index.astype(str).to_series()
        key_b = fb[keys].agg("/".join, axis=1) if keys else fb.index.astype(str).to_series()
        fa = fa.set_axis(key_a.to_numpy())
        fb = fb.set_axis(key_b.to_numpy())
        fa = fa[~fa.index.duplicated()]
        fb = fb[~fb.index.duplicated()]
        cols = [c for c in dict.fromkeys([*fa.columns, *fb.columns]) if c not in keys]
        for k in fa.index.difference(fb.index, sort=False):
            out.append({"table": t, "key": k, "column": "", "a": "row", "b": "",
                        "change": "removed"})
        for k in fb.index.difference(fa.index, sort=False):
            out.append({"table": t, "key": k, "column": "", "a": "", "b": "row",
                        "change": "added"})
        common = fa.index.intersection(fb.index, sort=False)
        for col in cols:
            va = fa[col].reindex(common).fillna("") if col in fa else pd.Series("", common)
            vb = fb[col].reindex(common).fillna("") if col in fb else pd.Series("", common)
            differ = va.to_numpy() != vb.to_numpy()
            for k in common[differ]:
                a_, b_ = str(va[k]), str(vb[k])
                if not _same_cell(a_, b_):
                    out.append({"table": t, "key": k, "column": col, "a": a_, "b": b_,
                                "change": "changed"})
    sa, sb = dict(settings_a or {}), dict(settings_b or {})
    for k in dict.fromkeys([*sa, *sb]):
        if json.dumps(sa.get(k)) != json.dumps(sb.get(k)):
            out.append({"table": "settings", "key": k, "column": "value",
                        "a": "" if k not in sa else str(sa[k]),
                        "b": "" if k not in sb else str(sb[k]), "change": "changed"})
    return pd.DataFrame(out, columns=["table", "key", "column", "a", "b", "change"])


def compare(problem_a: Problem, result_a: Result, problem_b: Problem, result_b: Result,
            names: tuple[str, str] = ("A", "B")) -> ScenarioDiff:
    """B against A: KPI deltas, per-client and per-cell differences, changed inputs."""
    d = diff_summaries(summarize(problem_a, result_a), summarize(problem_b, result_b))
    inputs = diff_inputs(bundle_text(problem_a), bundle_text(problem_b),
                         settings_dict(problem_a.settings), settings_dict(problem_b.settings))
    return replace(d, inputs=inputs, names=names)


__all__ = [
    "AnalysisError", "NoPlanError", "Resolver", "Sweep", "Grid", "Sensitivity", "Robustness",
    "ScenarioDiff", "sweep", "grid", "sensitivity", "robustness", "widened_ranges",
    "draw_values", "iter_draws", "summarize", "diff_summaries", "diff_inputs", "compare",
    "bundle_text", "min_feasible_capacity", "pool_row", "KEY_COLUMNS",
]
