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
    PRICE_RTOL,
    PROBE_STEP,
    SEARCH_RTOL,
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
    truncated: bool = False  # the breakpoint search ran out of re-solves

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

    def at(self, cap: float) -> Raw:
        self.solves += 1
        if self.max_solves is not None and self.solves > self.max_solves:
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
    max_solves: int = MAX_BREAKPOINT_SOLVES,
) -> Sweep:
    """Sweep one pool's capacity from `start` to `stop` in `steps` points.

    The model is built once; each point changes only the pool row's bound and re-solves. In
    continuous mode the capacities where the plan changes course are found exactly (where the
    shadow price changes); in whole-units mode they are bracketed between grid points.
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
            if math.isfinite(step) and raw.objective is not None:
                more = front.at(cap + step)
                if more.objective is not None and more.status in (OPTIMAL, FEASIBLE):
                    step_price[i] = (max(more.objective, raw.objective) - raw.objective) / step
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
    if breakpoints and done > 1 and not partial:
        if model.integer:
            bps = _integer_breakpoints(model, caps, objective, units, price)
        else:
            front.max_solves, front.solves = max_solves, 0
            bps, truncated = _lp_breakpoints(front, model, caps, objective, price, stop_flag)
            if stopped(stop_flag):
                partial = True
            if truncated:
                notes.append(
                    Message(
                        "analysis_note_truncated", {"solves": int(max_solves), "found": len(bps)}
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
    )


def _lp_breakpoints(
    front: Frontier,
    model: Model,
    caps: np.ndarray,
    objective: np.ndarray,
    price: np.ndarray,
    stop_flag: StopFn | None,
) -> tuple[list[dict[str, Any]], bool]:
    """The exact breakpoints between grid points whose prices differ, each with the cells
    that gain or lose from it; and whether the search ran out of re-solves."""
    found: list[float] = []
    truncated = False
    ok = np.isfinite(objective) & np.isfinite(price)
    try:
        for i in range(len(caps) - 1):
            if stopped(stop_flag):
                break
            if ok[i] and ok[i + 1] and not same_price(price[i], price[i + 1]):
                front.breakpoints(
                    caps[i],
                    objective[i],
                    price[i],
                    caps[i + 1],
                    objective[i + 1],
                    price[i + 1],
                    found,
                )
    except _OutOfSolves:
        truncated = True
    found = sorted(found)
    unique: list[float] = []
    for x in found:
        if not unique or x - unique[-1] > KINK_RTOL * max(1.0, abs(x)):
            unique.append(x)
    out = []
    lo_cap, hi_cap = caps[0], caps[-1]
    for j, x in enumerate(unique):
        if stopped(stop_flag):
            break
        # Look just either side of x, well inside the neighbouring pieces.
        left = unique[j - 1] if j else lo_cap
        right = unique[j + 1] if j + 1 < len(unique) else hi_cap
        delta = 0.25 * min(x - left if x > left else math.inf, right - x if right > x else math.inf)
        if not math.isfinite(delta) or delta <= 0:
            delta = PROBE_STEP * max(1.0, x)
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
    return out, truncated


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
