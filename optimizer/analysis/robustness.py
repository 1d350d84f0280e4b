"""How sure the plan is: values drawn within their ranges (widened for clients we know little
about), each draw re-solved by changing only the objective, and the nominal plan's regret."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from ..messages import Message
from ..model import Model, build_model
from ..schema import (
    CLIENT_ID,
    DECAY,
    ERROR,
    FEASIBLE,
    OPTIMAL,
    VALUE,
    VALUE_HIGH,
    VALUE_LOW,
    WEIGHT,
    Problem,
    Settings,
)
from ..solve import Raw, highs_model, highs_result, run_model
from ..tolerances import FUNDED, PRICING_RTOL, funded
from .common import MAX_DRAWS, ProgressFn, StopFn, num, stopped, tick, value_problem
from .errors import AnalysisError, echo
from .resolver import METHODS_AVAILABLE, Resolver, cell_units, either, no_plan


def widened_ranges(problem: Problem, widen: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Each cell's value range, with the ranges of some clients widened.

    `widen` maps client_id -> factor >= 1: the distance from `value` to `value_low` and to
    `value_high` is multiplied by the factor (the low end never below 0). Use it for clients
    whose selection criteria or decision roles are not known, so the plan's robustness
    reflects how little is known about them. Cells without a range stay fixed.
    Returns a frame indexed like problem.values: value, value_low, value_high, factor, ranged.
    """
    widen = dict(widen or {})
    bad = [
        Message("analysis_widen_not_client", {"client": c})
        for c in widen
        if c not in problem.clients.index
    ]
    bad += [
        Message("analysis_widen_factor", {"client": c, "factor": echo(f)})
        for c, f in widen.items()
        if not (isinstance(f, (int, float)) and math.isfinite(f) and f >= 1)
    ]
    if bad:
        raise AnalysisError("analysis_widen", problems=bad)
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
    return pd.DataFrame(
        {VALUE: v, VALUE_LOW: low, VALUE_HIGH: high, "factor": factor, "ranged": high > low},
        index=vals.index,
    )


DRAW_CHUNK = 256


def iter_draws(
    ranges: pd.DataFrame, draws: int, seed: int, chunk: int = DRAW_CHUNK
) -> Iterator[np.ndarray]:
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
        return dict.fromkeys(("mean", "p5", "p50", "p95", "min", "max", "std"))
    return {
        "mean": float(a.mean()),
        "p5": float(np.percentile(a, 5)),
        "p50": float(np.percentile(a, 50)),
        "p95": float(np.percentile(a, 95)),
        "min": float(a.min()),
        "max": float(a.max()),
        "std": float(a.std()),
    }


# Pricing rounds a draw may take before it is reported as failed (each puts columns back).
MAX_PRICING_ROUNDS = 20


class _Core:
    """The draws' LP on the columns a draw can move, with every provable column decided.

    At the nominal plan's prices, a column at 0 whose reduced cost stays negative even at
    the top of its value range stays at 0 in a draw, and one at its cap whose reduced cost
    stays positive at the bottom of its range stays at its cap, as long as the prices do not
    move much. Those are taken out (the capped ones' use moved into the rows' bounds), and
    HiGHS re-solves the rest, at 2,500 clients about a fifth of the columns. Each draw's
    answer is then priced against every column taken out; a column whose reduced cost has
    the wrong sign goes back into the model and the draw is re-solved, so every answer is
    the optimum of the whole LP (the reduced costs say so), not of a restriction.

    Every draw starts from the nominal plan's basis, not from the last draw's: a draw lies
    nearer the values as assessed than to another draw (2,500 clients: 42 dual simplex
    iterations a draw instead of 50, and a sixth less time with the refactorisation).
    """

    def __init__(
        self, model: Model, settings: Settings, nominal: Raw, low: np.ndarray, high: np.ndarray
    ):
        self.model, self.settings = model, settings
        self.At = model.A.T.tocsr()  # columns as rows: reduced costs of every column
        self.csc = model.A.tocsc()
        x = nominal.x if nominal.x is not None else np.zeros(model.n_cols)
        y = nominal.row_dual if nominal.row_dual is not None else np.zeros(len(model.row_lo))
        d = model.c - self.At @ y
        lo, hi = model.col_lo, model.col_hi
        at_lo = x <= lo + FUNDED
        at_hi = x >= hi - FUNDED
        self.zero = at_lo & (d + (high - model.c) < 0)  # stays at its lower bound
        self.full = at_hi & ~self.zero & (d + (low - model.c) > 0)  # stays at its cap
        self.fixed = self.zero | self.full
        self.added = 0  # columns put back by pricing
        self._build()
        self.start = None  # the nominal plan's basis, that every draw starts from
        self._set_costs(model.c)
        if highs_result(self._run(), False).x is not None:
            self.start = self.h.getBasis()

    def _build(self) -> None:
        m = self.model
        keep = np.flatnonzero(~self.fixed)
        self.cols = keep
        fixed_x = np.where(self.full, m.col_hi, np.where(self.zero, m.col_lo, 0.0))
        used = m.A @ fixed_x
        self.h = highs_model(
            replace(
                m,
                c=m.c[keep],
                A=m.A[:, keep].tocsr(),
                col_lo=m.col_lo[keep],
                col_hi=m.col_hi[keep],
                row_lo=m.row_lo - used,
                row_hi=m.row_hi - used,
                integer=False,
            )
        )
        self.fixed_x = fixed_x

    def _release(self, cols: np.ndarray, c: np.ndarray) -> None:
        """Put columns back into the model at costs c[cols], keeping the solver's basis: their
        use leaves the rows' bounds and they enter nonbasic at their lower bound."""
        m, h = self.model, self.h
        # The solver carries the whole value of a column it holds, its lower bound included
        # (a committed unit's 1): none of it may stay in the rows' bounds as well.
        moved = m.A[:, cols] @ self.fixed_x[cols]
        rows = np.flatnonzero(moved)
        self.fixed_x[cols] = 0.0
        if len(rows):
            used = m.A[rows] @ self.fixed_x
            h.changeRowsBounds(
                len(rows), rows.astype(np.int32), m.row_lo[rows] - used, m.row_hi[rows] - used
            )
        sub = self.csc[:, cols]
        h.addCols(
            len(cols),
            np.ascontiguousarray(c[cols], dtype=float),
            m.col_lo[cols].astype(float),
            m.col_hi[cols].astype(float),
            int(sub.nnz),
            sub.indptr[:-1].astype(np.int32),
            sub.indices.astype(np.int32),
            sub.data.astype(float),
        )
        if self.start is not None:  # they start nonbasic at their lower bound too
            import highspy

            self.start.col_status = list(self.start.col_status) + [
                highspy.HighsBasisStatus.kLower
            ] * len(cols)
        self.fixed[cols] = False
        self.zero[cols] = False
        self.full[cols] = False
        self.cols = np.concatenate([self.cols, cols])
        self.added += len(cols)

    def _set_costs(self, c: np.ndarray) -> None:
        """The solver's costs from c (columns of the full model)."""
        n = len(self.cols)
        self.h.changeColsCost(n, np.arange(n, dtype=np.int32), c[self.cols])

    def _run(self):  # -> the Highs object after its run
        """Run the solver from where it stands."""
        h = self.h
        # HiGHS counts its time limit over every run of one object, so each run gets its own.
        h.setOptionValue("time_limit", float(h.getRunTime()) + float(self.settings.time_limit_s))
        h.run()
        return h

    def solve(self, c: np.ndarray) -> Raw:
        """The whole LP's optimum for objective c (columns of the full model)."""
        h = self.h
        tol = PRICING_RTOL * max(1.0, float(np.max(np.abs(c), initial=0.0)))
        if self.start is not None:
            h.setBasis(self.start)
        self._set_costs(c)  # columns put back below come with their costs
        for _ in range(MAX_PRICING_ROUNDS):
            raw = highs_result(self._run(), False)
            if raw.x is None or raw.row_dual is None:
                return raw
            d = c - self.At @ raw.row_dual
            wrong = np.flatnonzero((self.zero & (d > tol)) | (self.full & (d < -tol)))
            if not len(wrong):
                x = self.fixed_x.copy()
                x[self.cols] = raw.x
                return replace(raw, x=x, objective=float(c @ x))
            self._release(wrong, c)
        return Raw(ERROR, message="pricing did not settle")


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
        return {
            "objective": _stats(self.objective),
            "nominal_plan_value": _stats(self.nominal_value),
            "regret": {
                "mean": reg["mean"],
                "p95": reg["p95"],
                "max": reg["max"],
                "relative_mean": rel["mean"],
                "relative_p95": rel["p95"],
                "relative_max": rel["max"],
            },
        }

    def to_json(self) -> dict[str, Any]:
        """Deterministic for a given seed (no timings)."""
        s = self.summary()
        clean = lambda d: {k: num(v) for k, v in d.items()}  # noqa: E731
        cells = [
            {
                "client_id": c,
                "method_id": m,
                "funded_share": num(r["funded_share"]),
                "nominal_units": num(r["nominal_units"]),
                "mean_units": num(r["mean_units"]),
                "value": num(r[VALUE]),
                "value_low": num(r[VALUE_LOW]),
                "value_high": num(r[VALUE_HIGH]),
                "ranged": bool(r["ranged"]),
            }
            for (c, m), r in self.cells.iterrows()
        ]
        return {
            "draws": self.draws,
            "requested": self.requested,
            "seed": self.seed,
            "partial": self.partial,
            "integer_units": self.integer,
            "widen": dict(self.widen),
            "nominal_objective": num(self.nominal_objective),
            "objective": clean(s["objective"]),
            "nominal_plan_value": clean(s["nominal_plan_value"]),
            "regret": clean(s["regret"]),
            "statuses": dict(self.statuses),
            "cells": cells,
        }


def robustness(
    problem: Problem,
    draws: int,
    seed: int,
    *,
    widen: Mapping[str, float] | None = None,
    progress: ProgressFn | None = None,
    stop_flag: StopFn | None = None,
    method: str = "warm",
) -> Robustness:
    """Sample values within their ranges `draws` times (numpy Generator seeded with `seed`),
    re-solve each draw by changing only the objective, and compare with the nominal plan.

    Floors keep the nominal values (they are commitments made on the values as assessed);
    only what each method is worth to the client varies.
    """
    t0 = time.perf_counter()
    if not isinstance(draws, (int, np.integer)) or draws < 1:
        raise AnalysisError("analysis_draws", draws=echo(draws))
    if draws > MAX_DRAWS:
        raise AnalysisError("analysis_draws_max", draws=echo(draws), value=MAX_DRAWS)
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise AnalysisError("analysis_seed", seed=echo(seed))
    # Each draw's few vector products are too small to gain from BLAS threads, and a threaded
    # call leaves OpenBLAS's workers spinning for the next one, on the cores the solver needs
    # (two cores at load 4, 2,500 clients, 500 draws: 14.8 s, against 5.5 s with one thread).
    # The limit is the process's while it lasts: other threads' BLAS calls run on one too.
    with threadpool_limits(limits=1, user_api="blas"):
        return _robustness(problem, int(draws), int(seed), widen, progress, stop_flag, method, t0)


def _robustness(
    problem: Problem,
    draws: int,
    seed: int,
    widen: Mapping[str, float] | None,
    progress: ProgressFn | None,
    stop_flag: StopFn | None,
    method: str,
    t0: float,
) -> Robustness:
    """`robustness` on checked arguments."""
    ranges = widened_ranges(problem, widen)
    if method not in METHODS_AVAILABLE:
        raise AnalysisError(
            "analysis_unknown_method", method=method, methods=either(METHODS_AVAILABLE)
        )
    vp = value_problem(problem)
    model = build_model(vp, "max_value")
    # Continuous mode with HiGHS: each draw re-solves only what it can move (see _Core), from
    # the nominal plan as `solve` finds it (2,500 clients: 0.03 s against 0.2 s for a warm
    # object's first solve, which only the other paths need).
    on_core = method == "warm" and vp.settings.solver == "highs" and not model.integer
    r = None if on_core else Resolver(model, vp.settings, method)
    nominal = run_model(model, vp.settings) if r is None else r.solve()
    if nominal.status not in (OPTIMAL, FEASIBLE) or nominal.x is None:
        raise no_plan(vp, model, nominal)
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
    core = None
    if r is None:
        low = ranges[VALUE_LOW].to_numpy(dtype=float)[model.col_cell] * mult
        high = ranges[VALUE_HIGH].to_numpy(dtype=float)[model.col_cell] * mult
        core = _Core(model, vp.settings, nominal, low, high)
    opt = np.full(int(draws), np.nan)
    nominal_value = np.full(int(draws), np.nan)
    times_funded = np.zeros(n_cells)
    unit_sum = np.zeros(n_cells)
    statuses: dict[str, int] = {}
    done = 0
    halted = False
    for block in iter_draws(ranges, int(draws), int(seed)):
        nominal_value[done : done + len(block)] = block @ per_cell
        for values in block:
            c = values[model.col_cell] * mult
            if core is not None:
                raw = core.solve(c)
            else:
                assert r is not None  # every other path re-solves through the Resolver
                r.set_costs(c)
                raw = r.solve()
            statuses[raw.status] = statuses.get(raw.status, 0) + 1
            if raw.x is not None and raw.status in (OPTIMAL, FEASIBLE):
                x = np.clip(raw.x, model.col_lo, model.col_hi)
                if model.integer:
                    x = np.round(x)
                opt[done] = float(c @ x)
                u = cell_units(model, x)
                times_funded += funded(u)
                unit_sum += u
            done += 1
            tick(progress, done, int(draws))
            if stopped(stop_flag):
                halted = True
                break
        if halted:
            break
    opt, nominal_value = opt[:done], nominal_value[:done]
    solved = int(np.isfinite(opt).sum())
    regret = opt - nominal_value
    # The solver's tolerance can leave a draw's optimum a hair under the nominal plan.
    regret = np.where(np.isfinite(regret), np.maximum(regret, 0.0), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(opt > 0, regret / opt, np.nan)
    cells = ranges.copy()
    cells["nominal_units"] = cell_units(model, x_nom)
    cells["funded_share"] = times_funded / solved if solved else np.nan
    cells["mean_units"] = unit_sum / solved if solved else np.nan
    return Robustness(
        draws=done,
        requested=int(draws),
        seed=int(seed),
        nominal_objective=float(model.c @ x_nom),
        objective=opt,
        nominal_value=nominal_value,
        regret=regret,
        relative_regret=rel,
        cells=cells,
        widen={k: float(v) for k, v in (widen or {}).items()},
        statuses=statuses,
        integer=bool(model.integer),
        partial=done < draws,
        seconds=time.perf_counter() - t0,
    )
