"""Plans that hold up when the values are wrong (docs/model.md, "Plans that hold up").

Three objectives besides the nominal one, each an exact linear counterpart of the model built
on its arrays (the plan's columns and rows first, unchanged, so every constraint family stays):

- `robust`: budgeted uncertainty (Bertsimas and Sim, "The Price of Robustness", 2004). The plan
  maximises its total weighted value when any Gamma cells with a range fall to their low value
  (Gamma overall, or per client). One variable per budget (z) and one per cell with a range
  (p), one row per such cell: d_cell . y - z_b - p_cell <= 0, objective c . y - Gamma z - sum p.
- `cvar`: the mean of the worst alpha share of S seeded draws (Rockafellar and Uryasev):
  t - 1/(alpha S) sum u_s with u_s >= t - V_s(y). The draws are those of the robustness
  analysis (`analysis.robustness.draw_values`, the same seed gives the same draws, widened by
  the relationship checklist). V_s is written through one variable per ranged cell (its
  weighted units W) and one for the nominal total N, so a draw's row holds ranged cells + 3
  entries, not every unit column.
- `expected`: the draws' mean as the cells' values (the nominal model with another objective).

Floors keep the nominal values, as in the robustness analysis: they are commitments made on
the values as assessed. Prices and reasons of a protected plan are those of the counterpart:
the counterpart's row prices turn into one effective value per cell (the value the protection
counts it at), and the reasons are computed on that.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .analysis.robustness import Robustness, draw_values, robustness, widened_ranges
from .errors import CodedError
from .messages import Message
from .model import Model, attainable_per_client, build_model
from .relationship import robustness_widening
from .schema import (
    ATTAINABLE,
    CLIENT_ID,
    DECAY,
    ERROR,
    FEASIBLE,
    INFEASIBLE,
    METHOD_ID,
    OPTIMAL,
    RESOURCE_ID,
    SHARE,
    USED,
    VALUE,
    VALUE_LOW,
    VALUE_PER_MONEY,
    WEIGHT,
    WEIGHTED_VALUE,
    Objective,
    Problem,
    Result,
    use_col,
)
from .solve import (
    GAP_NOISE,
    SOLVER_NAMES,
    Raw,
    _empty_frames,
    _frames,
    _round_and_fill,
    _status_text,
    constraint_report,
    highs_model,
    highs_result,
    run_model,
    set_continuous_solver,
    solve,
)
from .tolerances import COUNT_SLACK, FUNDED, GAP_FLOOR, ROBUST_GAP, ROBUST_TIE, funded

# Row kinds of the counterparts' own rows.
PROTECTION = "protection"
CELL_TOTAL = "cell_total"
NOMINAL_TOTAL = "nominal_total"
SCENARIO = "scenario"


class RobustError(CodedError, ValueError):
    """A plan objective that cannot be used as asked (the message says why)."""


# ---- the counterparts -----------------------------------------------------------------------
def objective_widening(problem: Problem, objective: Objective) -> dict[str, float]:
    """The clients whose ranges are widened: the checklist's (unless switched off), then the
    objective's own factors, as the robustness analysis takes them."""
    return robustness_widening(problem, enabled=objective.checklist, extra=dict(objective.widen))


def unit_multiplier(problem: Problem, model: Model) -> np.ndarray:
    """weight * decay^(k-1) of every column: its value is this times its cell's first-unit value."""
    weight = problem.clients[WEIGHT].to_numpy(dtype=float)[model.cells.client][model.col_cell]
    decay = problem.methods[DECAY].to_numpy(dtype=float)[model.cells.method][model.col_cell]
    return weight * decay ** (model.col_k - 1)


@dataclass(frozen=True, eq=False)
class Counterpart:
    """The plan model extended by an objective's own columns and rows (after the plan's), and
    how to value any plan of the original columns under that objective."""

    kind: str
    model: Model  # c, A, bounds, rows are the counterpart's; the rest is the plan model's
    plan: Model
    mult: np.ndarray  # unit_multiplier of each plan column
    ranged: np.ndarray  # positions of the cells with a range
    # robust
    deviation: np.ndarray | None = None  # value - value_low of each ranged cell
    budget: np.ndarray | None = None  # budget position of each ranged cell
    gamma: np.ndarray | None = None  # Gamma of each budget, at most its cells
    # cvar / expected
    draws: np.ndarray | None = None  # (S, cells) first-unit values
    alpha: float = 1.0

    @property
    def n_plan(self) -> int:
        return self.plan.n_cols

    @property
    def n_rows(self) -> int:
        return len(self.plan.row_lo)

    def cell_weight(self, x: np.ndarray) -> np.ndarray:
        """Per cell: sum of weight * decay^(k-1) over its units in plan `x` (W_cell)."""
        return np.bincount(
            self.plan.col_cell, weights=self.mult * x, minlength=len(self.plan.cells.value)
        )

    def value(self, x: np.ndarray) -> float:
        """What plan `x` (plan columns) is worth under this objective."""
        if self.kind == "robust":
            return protected_value(self, x)
        if self.kind == "cvar":
            return cvar(self.scenario_values(x), self.alpha)
        return float(self.scenario_values(x).mean())

    def scenario_values(self, x: np.ndarray) -> np.ndarray:
        """The plan's total weighted value under each draw."""
        assert self.draws is not None
        return self.draws @ self.cell_weight(x)

    def complete(self, x: np.ndarray) -> np.ndarray:
        """The counterpart's columns for plan `x`: its own variables at their best for `x`."""
        if self.kind == "robust":
            z, p = _robust_extras(self, x)
            return np.concatenate([x, z, p])
        if self.kind == "cvar":
            w = self.cell_weight(x)[self.ranged]
            v = self.scenario_values(x)
            t = _var(v, self.alpha)
            return np.concatenate([x, w, [float(self.plan.c @ x), t], np.maximum(0.0, t - v)])
        return x

    def effective_costs(self, row_dual: np.ndarray) -> np.ndarray:
        """Each plan column's cost in the Lagrangian of the counterpart's own rows at their
        prices: the plan is optimal for the plan model with these costs, and the plan rows'
        prices are its prices there (LP duality)."""
        m, n = self.n_rows, self.n_plan
        own = self.model.A[m:, :n]
        return self.model.c[:n] - own.T @ row_dual[m:]


def _stack(plan: Model, extra_c: np.ndarray, ext: sp.csr_matrix, rows: pd.DataFrame) -> Model:
    """The plan model with extra columns (costs `extra_c`, bounds set by the caller) and rows
    `ext` (over all columns) appended."""
    m = len(plan.row_lo)
    k = len(extra_c)
    top = sp.hstack([plan.A, sp.csr_matrix((m, k))], format="csr")
    return replace(
        plan,
        c=np.concatenate([plan.c, extra_c]),
        A=sp.vstack([top, ext], format="csr"),
        rows=pd.concat([plan.rows, rows], ignore_index=True),
        integer=False,
    )


def _row_frame(
    names: list[str], kind: str, clients: Any = None, methods: Any = None
) -> pd.DataFrame:
    return pd.DataFrame(
        {"name": names, "kind": kind, RESOURCE_ID: None, CLIENT_ID: clients, METHOD_ID: methods}
    )


def robust_counterpart(
    problem: Problem,
    plan: Model,
    ranges: pd.DataFrame,
    protect: float,
    per_client: bool,
    lp: bool = True,
) -> Counterpart:
    """Bertsimas-Sim: protect against any `protect` cells falling to their low value.
    `lp` False: without the counterpart LP itself (model = the plan's), for the price search
    and for valuing plans."""
    n = plan.n_cols
    mult = unit_multiplier(problem, plan)
    dev_all = (ranges[VALUE] - ranges[VALUE_LOW]).to_numpy(dtype=float)
    ranged = np.flatnonzero(dev_all > 0)
    dev = dev_all[ranged]
    n_r = len(ranged)
    row_of = np.full(len(dev_all), -1)
    row_of[ranged] = np.arange(n_r)
    cols = np.flatnonzero(row_of[plan.col_cell] >= 0)
    owner = plan.cells.client[ranged] if per_client else np.zeros(n_r, dtype=int)
    budgets, budget = np.unique(owner, return_inverse=True)
    n_b = len(budgets)
    gamma = np.minimum(float(protect), np.bincount(budget, minlength=n_b).astype(float))
    if not lp:
        return Counterpart(
            "robust", plan, plan, mult, ranged, deviation=dev, budget=budget, gamma=gamma
        )
    ext = sp.csr_matrix(
        (
            np.concatenate([mult[cols] * dev[row_of[plan.col_cell[cols]]], -np.ones(2 * n_r)]),
            (
                np.concatenate([row_of[plan.col_cell[cols]], np.arange(n_r), np.arange(n_r)]),
                np.concatenate([cols, n + budget, n + n_b + np.arange(n_r)]),
            ),
        ),
        shape=(n_r, n + n_b + n_r),
    )
    cid = plan.clients[plan.cells.client[ranged]]
    mid = plan.methods[plan.cells.method[ranged]]
    rows = _row_frame(
        [f"protect[{c},{m}]" for c, m in zip(cid, mid)], PROTECTION, list(cid), list(mid)
    )
    model = _stack(plan, np.concatenate([-gamma, -np.ones(n_r)]), ext, rows)
    model = replace(
        model,
        row_lo=np.concatenate([plan.row_lo, np.full(n_r, -np.inf)]),
        row_hi=np.concatenate([plan.row_hi, np.zeros(n_r)]),
        col_lo=np.concatenate([plan.col_lo, np.zeros(n_b + n_r)]),
        col_hi=np.concatenate([plan.col_hi, np.full(n_b + n_r, np.inf)]),
    )
    return Counterpart(
        "robust", model, plan, mult, ranged, deviation=dev, budget=budget, gamma=gamma
    )


def cvar_counterpart(
    problem: Problem,
    plan: Model,
    draws: np.ndarray,
    alpha: float,
    ranges: pd.DataFrame,
    lp: bool = True,
) -> Counterpart:
    """Rockafellar-Uryasev: the mean of the worst `alpha` share of the draws' totals. `lp`
    False: without the counterpart LP itself (for the cutting planes and valuing plans)."""
    n = plan.n_cols
    mult = unit_multiplier(problem, plan)
    ranged = np.flatnonzero(ranges["ranged"].to_numpy(dtype=bool))
    if not lp:
        return Counterpart("cvar", plan, plan, mult, ranged, draws=draws, alpha=float(alpha))
    n_r, n_s = len(ranged), len(draws)
    row_of = np.full(len(ranges), -1)
    row_of[ranged] = np.arange(n_r)
    cols = np.flatnonzero(row_of[plan.col_cell] >= 0)
    # Columns after the plan's: W (ranged cells), N, t, u (draws).
    w0, n0, t0, u0 = n, n + n_r, n + n_r + 1, n + n_r + 2
    # W_r - sum mult y = 0; N - c . y = 0; u_s - t + N + delta_s . W >= 0
    delta = draws[:, ranged] - ranges[VALUE].to_numpy(dtype=float)[ranged]
    nz_c = np.flatnonzero(plan.c)
    s_rows = np.repeat(np.arange(n_s), n_r)
    r = np.concatenate(
        [
            row_of[plan.col_cell[cols]],
            np.arange(n_r),
            np.full(len(nz_c), n_r),
            [n_r],
            n_r + 1 + np.concatenate([s_rows, np.arange(n_s), np.arange(n_s), np.arange(n_s)]),
        ]
    )
    c_ = np.concatenate(
        [
            cols,
            w0 + np.arange(n_r),
            nz_c,
            [n0],
            np.concatenate(
                [w0 + np.tile(np.arange(n_r), n_s), u0 + np.arange(n_s), np.full(n_s, t0)]
            ),
            np.full(n_s, n0),
        ]
    )
    v = np.concatenate(
        [
            -mult[cols],
            np.ones(n_r),
            -plan.c[nz_c],
            [1.0],
            delta.ravel(),
            np.ones(n_s),
            -np.ones(n_s),
            np.ones(n_s),
        ]
    )
    n_extra = n_r + 2 + n_s
    ext = sp.csr_matrix((v, (r, c_)), shape=(n_r + 1 + n_s, n + n_extra))
    ext.sum_duplicates()
    cid = plan.clients[plan.cells.client[ranged]]
    mid = plan.methods[plan.cells.method[ranged]]
    rows = pd.concat(
        [
            _row_frame(
                [f"weighted_units[{c},{m}]" for c, m in zip(cid, mid)],
                CELL_TOTAL,
                list(cid),
                list(mid),
            ),
            _row_frame(["nominal_total"], NOMINAL_TOTAL),
            _row_frame([f"draw[{s + 1}]" for s in range(n_s)], SCENARIO),
        ],
        ignore_index=True,
    )
    extra_c = np.concatenate([np.zeros(n_r + 1), [1.0], np.full(n_s, -1.0 / (alpha * n_s))])
    model = _stack(plan, extra_c, ext, rows)
    model = replace(model, c=np.concatenate([np.zeros(n), extra_c]))  # the value is in t and u
    inf = np.inf
    model = replace(
        model,
        row_lo=np.concatenate([plan.row_lo, np.zeros(n_r + 1 + n_s)]),
        row_hi=np.concatenate([plan.row_hi, np.zeros(n_r + 1), np.full(n_s, inf)]),
        col_lo=np.concatenate([plan.col_lo, np.zeros(n_r), [-inf, -inf], np.zeros(n_s)]),
        col_hi=np.concatenate([plan.col_hi, np.full(n_extra, inf)]),
    )
    return Counterpart("cvar", model, plan, mult, ranged, draws=draws, alpha=float(alpha))


def expected_counterpart(problem: Problem, plan: Model, draws: np.ndarray) -> Counterpart:
    """The nominal model valued at the draws' mean (no extra columns or rows)."""
    mult = unit_multiplier(problem, plan)
    mean = draws.mean(axis=0) if len(draws) else plan.cells.value
    model = replace(plan, c=mult * mean[plan.col_cell], integer=False)
    return Counterpart("expected", model, plan, mult, np.zeros(0, dtype=int), draws=draws)


def counterpart(
    problem: Problem, objective: Objective, plan: Model | None = None, lp: bool = True
) -> tuple[Counterpart, pd.DataFrame]:
    """The counterpart of `objective` on the max-value model, and the (widened) ranges.
    `lp` False: what values a plan under the objective, without the counterpart LP."""
    plan = plan if plan is not None else build_model(problem, "max_value")
    ranges = widened_ranges(problem, objective_widening(problem, objective))
    if objective.kind == "robust":
        cp = robust_counterpart(
            problem, plan, ranges, objective.protect, objective.per_client, lp=lp
        )
        return cp, ranges
    draws = draw_values(ranges, objective.draws, objective.seed)
    if objective.kind == "cvar":
        return cvar_counterpart(problem, plan, draws, objective.alpha, ranges, lp=lp), ranges
    return expected_counterpart(problem, plan, draws), ranges


# ---- valuing a plan -------------------------------------------------------------------------
def _budget_ranks(cp: Counterpart, loss: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order of the ranged cells by budget, then by loss (largest first), and each one's rank
    within its budget (0 = largest)."""
    assert cp.budget is not None
    order = np.lexsort((-loss, cp.budget))
    b = cp.budget[order]
    first = np.searchsorted(b, b, side="left")
    return order, np.arange(len(order)) - first


def protected_value(cp: Counterpart, x: np.ndarray) -> float:
    """Nominal total minus the Gamma largest losses of each budget (a fractional Gamma takes
    that share of the next one): the plan's value when the worst surprises happen."""
    assert cp.deviation is not None and cp.gamma is not None and cp.budget is not None
    loss = cp.deviation * cp.cell_weight(x)[cp.ranged]
    order, rank = _budget_ranks(cp, loss)
    share = np.clip(cp.gamma[cp.budget[order]] - rank, 0.0, 1.0)
    return float(cp.plan.c @ x) - float(loss[order] @ share)


def _robust_extras(cp: Counterpart, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """z of each budget (its ceil(Gamma)-th largest loss) and p = max(0, loss - z)."""
    assert cp.deviation is not None and cp.gamma is not None and cp.budget is not None
    loss = cp.deviation * cp.cell_weight(x)[cp.ranged]
    order, rank = _budget_ranks(cp, loss)
    pick = np.maximum(np.ceil(cp.gamma - COUNT_SLACK), 1) - 1  # rank of the z loss in each budget
    z = np.zeros(len(cp.gamma))
    hit = rank == pick[cp.budget[order]]
    z[cp.budget[order][hit]] = loss[order][hit]
    return z, np.maximum(0.0, loss - z[cp.budget])


def _var(values: np.ndarray, alpha: float) -> float:
    """The ceil(alpha S)-th smallest value (the t of the CVaR LP at its best)."""
    k = max(math.ceil(alpha * len(values) - COUNT_SLACK), 1)
    return float(np.partition(values, k - 1)[k - 1])


def cvar(values: np.ndarray, alpha: float) -> float:
    """Mean of the worst `alpha` share of `values` (a fractional draw counts in part)."""
    v = np.sort(np.asarray(values, dtype=float))
    k = alpha * len(v)
    w = np.clip(k - np.arange(len(v)), 0.0, 1.0)
    return float(w @ v / k) if k > 0 else math.nan


# ---- solving --------------------------------------------------------------------------------
def _run_mip(cp: Counterpart, settings: Any, start: np.ndarray | None) -> Raw:
    """Whole units: the counterpart with the plan's columns integer, its own continuous."""
    import highspy

    h = highs_model(cp.model, relax=True)
    n = cp.n_plan
    h.changeColsIntegrality(
        n,
        np.arange(n, dtype=np.int32),
        np.full(n, highspy.HighsVarType.kInteger, dtype=object),
    )
    h.setOptionValue("time_limit", float(settings.time_limit_s))
    h.setOptionValue("mip_rel_gap", float(settings.mip_gap))
    if start is not None:
        h.setSolution(
            cp.model.n_cols, np.arange(cp.model.n_cols, dtype=np.int32), start.astype(np.float64)
        )
    h.run()
    raw = highs_result(h, True)
    if raw.status == OPTIMAL and raw.gap is not None and raw.gap > settings.mip_gap + GAP_NOISE:
        raw = replace(raw, status=FEASIBLE)  # stopped by a tolerance, not by the gap
    return raw


def solve_counterpart(cp: Counterpart, settings: Any) -> tuple[Raw, Raw | None]:
    """The counterpart's answer (plan columns first) and, whole units, its LP relaxation.
    Whole units: the rounded LP plan when the LP bound proves it within the gap, else the
    MIP started from it."""
    s = settings.with_(solver="highs")  # the counterparts are passed to HiGHS as arrays
    relaxed = run_model(cp.model, s)
    if not cp.plan.integer or relaxed.status != OPTIMAL or relaxed.x is None:
        return relaxed, None
    start = None
    if relaxed.row_dual is not None and relaxed.objective is not None:
        priced = replace(cp.plan, c=cp.effective_costs(relaxed.row_dual))
        x = _round_and_fill(priced, relaxed.x[: cp.n_plan])
        if x is not None:
            start = cp.complete(x)
            obj = cp.value(x)
            gap = abs(relaxed.objective - obj) / max(abs(obj), GAP_FLOOR)
            if gap <= s.mip_gap:
                return Raw(OPTIMAL, x=start, objective=obj, gap=gap, bound=relaxed.objective), (
                    relaxed
                )
    raw = _run_mip(cp, s, start)
    if raw.status == FEASIBLE and raw.objective is not None and relaxed.objective is not None:
        lp_gap = max(0.0, relaxed.objective - raw.objective) / max(abs(raw.objective), GAP_FLOOR)
        if raw.gap is None or lp_gap < raw.gap:
            raw = replace(raw, gap=lp_gap, bound=relaxed.objective)
        if lp_gap <= s.mip_gap:
            raw = replace(raw, status=OPTIMAL)
    return raw, relaxed


@dataclass(frozen=True, eq=False)
class _Priced:
    """A plan of the plan's columns with the prices that support it: `duals` of the plan's
    rows and `c_eff`, the costs for which the plan is optimal in the plan model at them."""

    x: np.ndarray
    duals: np.ndarray | None
    c_eff: np.ndarray | None
    iterations: int = 0


MAX_PRICE_STEPS = 12


def price_search(cp: Counterpart, settings: Any) -> _Priced | None:
    """The Gamma-robust plan of one overall budget, found by searching the budget's price z.

    For a fixed z the counterpart needs no rows of its own: a cell's value v * W - max(0,
    dev * W - z) is v per weighted unit up to the break W = z / dev and its low value beyond,
    so each unit column is split at the break into a part at v and a part at the low value
    (the same resources; the bounds follow z). H(z) = that LP's optimum - Gamma z is concave
    and its largest value is the counterpart's optimum. Each solve's reduced costs bound H by
    a line on each side of z (valid everywhere, as LP duality bounds the optimum of changed
    bounds); the next z is where the lowest of these lines peaks (Kelley's cutting planes in
    one dimension), every step a warm re-solve of the same LP with new bounds. The search
    stops when the best plan's protected value (the exact formula) is within ROBUST_GAP of
    that peak. None when it does not end within MAX_PRICE_STEPS steps or a solve fails: the
    caller then solves the counterpart LP itself."""
    assert cp.deviation is not None and cp.gamma is not None
    import highspy

    plan = cp.plan
    n = plan.n_cols
    gamma = float(cp.gamma[0])
    dev_cell = np.zeros(len(plan.cells.value))
    dev_cell[cp.ranged] = cp.deviation
    dev = dev_cell[plan.col_cell]
    mult = cp.mult
    # The weighted units of a cell before each of its columns (units are taken in order).
    start = (np.cumsum(plan.cells.units) - plan.cells.units)[plan.col_cell]
    cum = np.cumsum(mult) - mult
    before = cum - cum[start] if n else np.zeros(0)
    split = (dev > 0) & (mult > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(split, 1.0 / (dev * mult), 0.0)  # d a / d z inside the break's unit
    low_cost = plan.c - mult * dev  # weight * decay^(k-1) * value_low
    lo = plan.col_lo

    def below(z: float) -> np.ndarray:
        """The share of each column below its cell's break at price z."""
        a = np.ones(n)
        a[split] = np.clip(z * kappa[split] - before[split] / mult[split], 0.0, 1.0)
        return a

    def bounds(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.concatenate([np.minimum(lo, a), np.maximum(0.0, lo - a)]),
            np.concatenate([a, 1.0 - a]),
        )

    col_lo, col_hi = bounds(np.ones(n))
    twin = replace(
        plan,
        c=np.concatenate([plan.c, low_cost]),
        A=sp.hstack([plan.A, plan.A], format="csr"),
        col_lo=col_lo,
        col_hi=col_hi,
        integer=False,
    )
    h = highs_model(twin)
    h.setOptionValue("time_limit", float(settings.time_limit_s))
    h.setOptionValue("solver", "simplex")  # every solve starts from the last one's basis
    cols = np.arange(2 * n, dtype=np.int32)
    weight_cell = np.bincount(plan.col_cell, weights=mult, minlength=len(dev_cell))
    top = float(np.max(dev_cell * weight_cell)) if len(dev_cell) else 0.0
    m = len(plan.row_lo)
    tie = ROBUST_TIE * max(top, 1.0)
    # Every solve: (z, H, slope bound to the right, slope bound to the left).
    points: list[tuple[float, float, float, float]] = []
    best: _Priced | None = None
    best_value = -math.inf

    best_z = 0.0

    def solve_at(z: float) -> np.ndarray | None:
        nonlocal best, best_value, best_z
        a = below(z)
        c_lo, c_hi = bounds(a)
        h.changeColsBounds(2 * n, cols, c_lo, c_hi)
        h.run()
        raw = highs_result(h, False)
        if raw.status != OPTIMAL or raw.x is None or raw.objective is None:
            return None
        if raw.row_dual is None:
            return None
        rc = np.asarray(h.getSolution().col_dual, dtype=float)
        r1, r2 = rc[:n], rc[n:]
        # d(optimum)/d(a) of each column through the bound it sits at (reduced cost > 0: at
        # its upper bound; < 0: at its lower one, which moves with a only for committed units).
        g = np.maximum(r1, 0) + np.minimum(r1, 0) * lo - np.maximum(r2, 0) - np.minimum(r2, 0) * lo
        g = g * kappa
        s_right = float(g[(g > 0) & (a < 1)].sum()) - gamma
        s_left = float(g[(g < 0) & (a > 0)].sum()) - gamma
        value = raw.objective - gamma * z
        points.append((z, value, s_right, s_left))
        x = np.clip(raw.x[:n] + raw.x[n:], plan.col_lo, plan.col_hi)
        pv = protected_value(cp, x)
        if pv > best_value:
            priced = plan.A.T @ raw.row_dual
            hi_c = np.where(a > 0, plan.c, low_cost)
            lo_c = np.where(a < 1, low_cost, plan.c)
            c_eff = np.clip(priced, np.minimum(lo_c, hi_c), hi_c)
            best_value, best_z = pv, z
            best = _Priced(x, raw.row_dual[:m], c_eff, len(points))
        return x

    def peak() -> tuple[float, float]:
        """Where the lowest upper line is highest on [0, top], and its value. Upper lines: each
        solve's own two (its reduced costs) and, H being concave, the secant of every two
        neighbouring solves outside the stretch between them."""
        order = sorted(points)
        zs = np.array([p[0] for p in order])
        hs = np.array([p[1] for p in order])
        # (slope, intercept, valid from, valid to) of every upper line.
        lines = []
        for z_i, h_i, s_r, s_l in order:
            lines.append((s_r, h_i - s_r * z_i, z_i, math.inf))
            lines.append((s_l, h_i - s_l * z_i, -math.inf, z_i))
        for i in range(len(zs) - 1):
            if zs[i + 1] - zs[i] > tie:
                s = (hs[i + 1] - hs[i]) / (zs[i + 1] - zs[i])
                b = hs[i] - s * zs[i]
                lines.append((s, b, -math.inf, zs[i]))
                lines.append((s, b, zs[i + 1], math.inf))
        sl = np.array([ln[0] for ln in lines])
        ic = np.array([ln[1] for ln in lines])
        lo_v = np.array([ln[2] for ln in lines])
        hi_v = np.array([ln[3] for ln in lines])

        def envelope(z: np.ndarray) -> np.ndarray:
            val = sl[None, :] * z[:, None] + ic[None, :]
            ok = (z[:, None] >= lo_v[None, :] - tie) & (z[:, None] <= hi_v[None, :] + tie)
            return np.where(ok, val, math.inf).min(axis=1)

        # Candidates: the ends, the solves, and the crossings of every two lines.
        ds = sl[:, None] - sl[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            cross = (ic[None, :] - ic[:, None]) / ds
        cand = np.concatenate([[0.0, top], zs, cross[np.isfinite(cross)]])
        c = np.unique(np.clip(cand, 0.0, top))
        u = envelope(c)
        k = int(np.argmax(u))
        return float(c[k]), float(u[k])

    # The Lagrangian bound: for any share lam (0..1) of each cell's loss with sum(lam) <= Gamma,
    # the plan model valued at c - lam * loss per unit bounds the counterpart from above
    # (LP duality). The shares of the worst surprises of the best plan, ties sharing the rest,
    # make it tight at the top in the usual case: one warm re-solve certifies the plan.
    lag = highs_model(replace(plan, integer=False))
    lag.setOptionValue("time_limit", float(settings.time_limit_s))
    set_continuous_solver(lag, plan.n_cols)
    plan_cols = np.arange(n, dtype=np.int32)

    def shares_at_price(x: np.ndarray, z: float, duals: np.ndarray) -> np.ndarray | None:
        """Shares from the split LP's prices: 1 above the price, 0 below, and for the cells at
        it the share that keeps each of their units' reduced costs of the right sign, moved
        together within each cell's interval so that the shares add up to Gamma."""
        loss = cp.deviation * cp.cell_weight(x)[cp.ranged]
        lam = (loss > z + tie).astype(float)
        level = np.flatnonzero(np.abs(loss - z) <= tie)
        need = gamma - lam.sum()
        if not len(level):
            return lam if abs(need) <= COUNT_SLACK else None
        pos = np.full(len(dev_cell), -1)
        pos[cp.ranged[level]] = np.arange(len(level))
        on = (pos[plan.col_cell] >= 0) & split
        j = np.flatnonzero(on)
        # The share at which a unit's cost c - share * loss per unit meets its price.
        meet = (plan.c[j] - (plan.A[:, j].T @ duals)) / (mult[j] * dev[j])
        lo_s = np.zeros(len(level))
        hi_s = np.ones(len(level))
        taken = x[j] > 1 - FUNDED
        left = x[j] < FUNDED
        np.maximum.at(lo_s, pos[plan.col_cell[j]][~taken], meet[~taken])
        np.minimum.at(hi_s, pos[plan.col_cell[j]][~left], meet[~left])
        lo_s, hi_s = np.clip(lo_s, 0, 1), np.clip(hi_s, 0, 1)
        if np.any(lo_s > hi_s + COUNT_SLACK):
            return None
        hi_s = np.maximum(hi_s, lo_s)
        span = float((hi_s - lo_s).sum())
        if not lo_s.sum() - COUNT_SLACK <= need <= hi_s.sum() + COUNT_SLACK:
            return None
        theta = (need - lo_s.sum()) / span if span > 0 else 0.0
        lam[level] = lo_s + np.clip(theta, 0.0, 1.0) * (hi_s - lo_s)
        return lam

    def worst_shares(x: np.ndarray) -> np.ndarray:
        """Shares of the plan's own worst surprises (ties at the edge share the rest)."""
        loss = cp.deviation * cp.cell_weight(x)[cp.ranged]
        order = np.argsort(-loss, kind="stable")
        lam = np.zeros(len(loss))
        k = min(math.floor(gamma + COUNT_SLACK), len(loss))
        lam[order[:k]] = 1.0
        rest = min(gamma, len(loss)) - k
        if rest > COUNT_SLACK and k < len(loss):
            edge = loss[order[k]]
            tied = order[k:][np.abs(loss[order[k:]] - edge) <= tie]
            lam[tied] = rest / len(tied)
        return lam

    def lagrangian(lam: np.ndarray) -> float:
        lam_cell = np.zeros(len(dev_cell))
        lam_cell[cp.ranged] = lam
        costs = plan.c - (lam_cell * dev_cell)[plan.col_cell] * mult
        lag.changeColsCost(n, plan_cols, np.ascontiguousarray(costs))
        lag.run()
        lag.setOptionValue("solver", "simplex")
        raw = highs_result(lag, False)
        return raw.objective if raw.status == OPTIMAL and raw.objective is not None else math.inf

    # The nominal plan first, solved as `solve` does; the split LP then starts from its basis
    # (each part below the break as the nominal column, each part above at 0).
    lag.run()
    lag.setOptionValue("solver", "simplex")
    nominal = highs_result(lag, False)
    if nominal.status != OPTIMAL or nominal.x is None or nominal.objective is None:
        return None
    x_nom = np.clip(nominal.x, plan.col_lo, plan.col_hi)
    basis = lag.getBasis()
    start_basis = highspy.HighsBasis()
    start_basis.col_status = list(basis.col_status) + [highspy.HighsBasisStatus.kLower] * n
    start_basis.row_status = list(basis.row_status)
    start_basis.valid = True
    h.setBasis(start_basis)
    # Above every loss the split LP is the nominal one: H(top) and, as the split LP is never
    # worth more than the nominal one, slope -Gamma on both sides.
    points.append((top, nominal.objective - gamma * top, -gamma, -gamma))
    certified = -1  # the step whose best plan was last checked against the Lagrangian bound
    loss0 = np.sort(dev_cell[cp.ranged] * cp.cell_weight(x_nom)[cp.ranged])[::-1]
    k = max(math.ceil(gamma - COUNT_SLACK), 1)
    z = float(loss0[k - 1]) if k <= len(loss0) else 0.0  # the nominal plan's own price
    for _ in range(MAX_PRICE_STEPS):
        if solve_at(z) is None:
            return None
        assert best is not None
        if best.iterations != certified:
            certified = best.iterations
            assert best.duals is not None
            for lam in (shares_at_price(best.x, best_z, best.duals), worst_shares(best.x)):
                if lam is not None and lagrangian(lam) - best_value <= ROBUST_GAP * max(
                    abs(best_value), 1.0
                ):
                    return best
        z, upper = peak()
        if upper - best_value <= ROBUST_GAP * max(abs(best_value), 1.0):
            return best
        if any(abs(z - p[0]) <= ROBUST_TIE * max(top, 1.0) for p in points):
            return None  # the lines cannot narrow the search further
    return None


MAX_CUTS = 60


def cvar_cuts(cp: Counterpart, settings: Any) -> _Priced | None:
    """The CVaR plan by cutting planes (Kuenzi-Bay and Mayer): the CVaR of a plan is the
    smallest mean of its draws' totals over weights q with 0 <= q <= 1 / (alpha S) and
    sum 1, so the best CVaR is max theta over the plan's rows and theta <= sum_s q_s V_s(y)
    for the weights q of each plan met so far (each cut one row over the plan's columns, like a
    pool row). The plan model gains one column and one row a cut, re-solved warm; the search
    stops when the best plan's CVaR (exact) is within ROBUST_GAP of theta, an upper bound.
    None when it does not within MAX_CUTS cuts or a solve fails (the caller then solves the
    counterpart LP)."""
    assert cp.draws is not None
    plan = cp.plan
    n = plan.n_cols
    n_s = len(cp.draws)
    if n == 0 or n_s == 0:
        return None

    def weights(v: np.ndarray) -> np.ndarray:
        """The CVaR weights of totals v: 1 / (alpha S) on the worst, part of one at the edge."""
        k = cp.alpha * n_s
        order = np.argsort(v, kind="stable")
        q = np.zeros(n_s)
        q[order] = np.clip(k - np.arange(n_s), 0.0, 1.0) / k
        return q

    def cut(q: np.ndarray) -> np.ndarray:
        return cp.mult * (q @ cp.draws)[plan.col_cell]  # sum_s q_s V_s(y) per plan column

    h = highs_model(replace(plan, integer=False))
    h.setOptionValue("time_limit", float(settings.time_limit_s))
    set_continuous_solver(h, plan.n_cols)
    h.run()  # the nominal plan, as `solve` finds it
    h.setOptionValue("solver", "simplex")
    raw = highs_result(h, False)
    if raw.status != OPTIMAL or raw.x is None:
        return None
    x = np.clip(raw.x, plan.col_lo, plan.col_hi)
    # theta: one more column, the only one with a cost; the plan's columns cost nothing now.
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    h.addCol(1.0, -highspy_inf(), highspy_inf(), 0, np.zeros(0, np.int32), np.zeros(0))
    m = len(plan.row_lo)
    cuts: list[np.ndarray] = []
    best: _Priced | None = None
    best_value = -math.inf
    all_cols = np.arange(n + 1, dtype=np.int32)
    for k in range(MAX_CUTS):
        value = cvar(cp.scenario_values(x), cp.alpha)
        g = cut(weights(cp.scenario_values(x)))
        cuts.append(g)
        if value > best_value:
            best_value, best_x = value, x
        # theta - g . y <= 0
        h.addRow(-highspy_inf(), 0.0, n + 1, all_cols, np.concatenate([-g, [1.0]]))
        h.run()
        raw = highs_result(h, False)
        if raw.status != OPTIMAL or raw.x is None or raw.objective is None:
            return None
        x = np.clip(raw.x[:n], plan.col_lo, plan.col_hi)
        if raw.objective - best_value <= ROBUST_GAP * max(abs(best_value), 1.0):
            if raw.row_dual is None:
                return None
            mu = raw.row_dual[m:]  # the cuts' prices: the weight of each cut at the optimum
            c_eff = np.asarray(mu @ np.vstack(cuts), dtype=float)
            value = cvar(cp.scenario_values(x), cp.alpha)
            if value >= best_value:
                best_x = x
            best = _Priced(best_x, raw.row_dual[:m], c_eff, k + 1)
            return best
    return None


def highspy_inf() -> float:
    import highspy

    return float(highspy.kHighsInf)


def _fingerprint(problem: Problem, objective: Objective) -> str:
    """The input fingerprint with the objective's parameters in it (they change the plan)."""
    base = problem.fingerprint()
    if objective.nominal:
        return base
    return hashlib.sha256((base + repr(sorted(objective.params().items()))).encode()).hexdigest()[
        :16
    ]


def solve_objective(
    problem: Problem,
    objective: Objective,
    settings: Any = None,
    needed: str = "auto",
) -> Result:
    """The plan that maximises `objective`'s value, as a Result like `solve`'s: `objective` is
    the plan's nominal weighted value, `protected_value` / `cvar_value` / `expected_value`
    what it is worth under the chosen objective. Nominal: `solve` itself."""
    if settings is not None:
        problem = replace(problem, settings=settings)
    if objective.nominal:
        return replace(solve(problem, needed=needed), plan_objective=objective)
    s = problem.settings
    if s.objective != "max_value":
        raise RobustError("robust_needs_max_value", objective=objective.kind)
    t0 = time.perf_counter()
    plan = build_model(problem, "max_value")
    # The searches need only what values a plan; the counterpart LP is built when they fail.
    cp, _ = counterpart(problem, objective, plan, lp=False)
    fp = _fingerprint(problem, objective)
    fast = None
    if cp.kind == "robust" and not objective.per_client and len(cp.ranged):
        fast = price_search(cp, s)
    elif cp.kind == "cvar":
        fast = cvar_cuts(cp, s)
    if fast is not None and not plan.integer:
        return _result(problem, objective, cp, fast, OPTIMAL, None, fp, t0)
    if fast is not None:
        # Whole units: the certified LP optimum bounds every whole-units plan; its rounding is
        # the answer when that bound proves it within the requested gap (else the MIP below).
        assert fast.c_eff is not None
        x_int = _round_and_fill(replace(plan, c=fast.c_eff), fast.x)
        if x_int is not None:
            bound, got = cp.value(fast.x), cp.value(x_int)
            gap = max(0.0, bound - got) / max(abs(got), GAP_FLOOR)
            if gap <= s.mip_gap:
                answer = replace(fast, x=x_int[np.lexsort((-x_int, plan.col_cell))])
                return _result(problem, objective, cp, answer, OPTIMAL, gap, fp, t0)
    if cp.kind != "expected":
        cp, _ = counterpart(problem, objective, plan)
    raw, _relaxed = solve_counterpart(cp, s)
    if raw.status == INFEASIBLE:
        # The counterpart's own columns are free enough for any plan: only the plan's rows
        # conflict, as in the nominal model, so its conflicts are those of the nominal solve.
        nominal = solve(problem, needed="bound")
        return replace(nominal, plan_objective=objective, fingerprint=fp)
    if raw.status == ERROR or raw.x is None:
        msg = raw.message or "no solution"
        return Result(
            status=ERROR,
            status_text=_status_text(ERROR, None, False),
            objective=None,
            solver=SOLVER_NAMES["highs"],
            seconds=time.perf_counter() - t0,
            gap=None,
            settings=s,
            fingerprint=fp,
            explanation=(Message("solver_failed", {"error": msg}).text(),),
            notes=(Message("solver_failed", {"error": msg}),),
            message=msg,
            plan_objective=objective,
            **_empty_frames(problem),
        )
    n = cp.n_plan
    x = np.clip(raw.x[:n], plan.col_lo, plan.col_hi)
    if plan.integer:
        x = np.round(x)
    # Units of a cell taken in order (as `solve` does): an earlier unit is worth more and its
    # loss under any draw or surprise grows in proportion, never beyond its value.
    x = x[np.lexsort((-x, plan.col_cell))]
    price_plan = plan.with_bounds(np.maximum(plan.col_lo, x), plan.col_hi) if plan.integer else plan
    if plan.integer:
        # Prices of a whole-units plan: its units kept, the rest taken fractionally.
        fixed = replace(
            cp.model,
            col_lo=np.concatenate([price_plan.col_lo, cp.model.col_lo[n:]]),
            integer=False,
        )
        priced = run_model(fixed, s.with_(solver="highs"))
        row_dual = priced.row_dual if priced.status == OPTIMAL else None
    else:
        row_dual = raw.row_dual
    answer = _Priced(
        x,
        row_dual[: cp.n_rows] if row_dual is not None else None,
        cp.effective_costs(row_dual) if row_dual is not None else None,
    )
    return _result(problem, objective, cp, answer, raw.status, raw.gap, fp, t0)


def _result(
    problem: Problem,
    objective: Objective,
    cp: Counterpart,
    answer: _Priced,
    status: str,
    gap: float | None,
    fp: str,
    t0: float,
) -> Result:
    """The Result of a plan that holds up: amounts at nominal values, the objective's value."""
    s = problem.settings
    plan = cp.plan
    x = answer.x
    price_plan = plan.with_bounds(np.maximum(plan.col_lo, x), plan.col_hi) if plan.integer else plan
    frames, constraints = _plan_frames(problem, cp, x, answer.duals, answer.c_eff, price_plan)
    values = _plan_values(cp, x)
    return Result(
        status=status,
        status_text=_status_text(status, gap, plan.integer),
        objective=float(plan.c @ x),
        solver=SOLVER_NAMES["highs"],
        seconds=time.perf_counter() - t0,
        gap=gap,
        settings=s,
        fingerprint=fp,
        money_spent=float(frames["pools"].at[problem.money_pool, USED])
        if len(problem.pools)
        else None,
        explanation=(Message("robust_prices_note").text(),),
        notes=(Message("robust_prices_note"),),
        constraints=constraints,
        plan_objective=objective,
        protected_value=values["protected_value"],
        cvar_value=values["cvar_value"],
        expected_value=values["expected_value"],
        **frames,
    )


def _plan_values(cp: Counterpart, x: np.ndarray) -> dict[str, float | None]:
    out: dict[str, float | None] = {
        "protected_value": None,
        "cvar_value": None,
        "expected_value": None,
    }
    if cp.kind == "robust":
        out["protected_value"] = protected_value(cp, x)
    else:
        out["expected_value"] = float(cp.scenario_values(x).mean())
        if cp.kind == "cvar":
            out["cvar_value"] = cvar(cp.scenario_values(x), cp.alpha)
    return out


def _plan_frames(
    problem: Problem,
    cp: Counterpart,
    x: np.ndarray,
    duals: np.ndarray | None,
    c_eff: np.ndarray | None,
    price_plan: Model,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The result frames of plan `x`: amounts at nominal values; pool prices, needed values
    and reasons from the counterpart's prices (`duals` of the plan's rows, `c_eff` the costs
    they support), on each cell's effective value."""
    plan = cp.plan
    if duals is None or c_eff is None:
        eff = plan
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            per_col = np.where(cp.mult > 0, c_eff / cp.mult, 0.0)
        n_cells = len(plan.cells.value)
        count = np.bincount(plan.col_cell, minlength=n_cells)
        mean = np.bincount(plan.col_cell, weights=per_col, minlength=n_cells)
        v_eff = np.where(count > 0, mean / np.maximum(count, 1), plan.cells.value)
        # The effective model counts every cell at its effective value. It is flagged whole
        # units so the needed values are called estimates: they hold for the counterpart at
        # its prices, not as thresholds re-solved one cell at a time.
        weight = problem.clients[WEIGHT].to_numpy(dtype=float)[plan.cells.client][plan.col_cell]
        with np.errstate(divide="ignore", invalid="ignore"):
            unit_eff = np.where(weight > 0, c_eff / weight, 0.0)
        eff = replace(
            plan,
            c=c_eff,
            weighted=c_eff,
            unit_value=unit_eff,
            cells=replace(plan.cells, value=v_eff),
            integer=True,
        )
    eff_price = replace(eff, col_lo=price_plan.col_lo, col_hi=price_plan.col_hi)
    frames = _frames(problem, eff, x, duals, eff_price, "bound")
    if eff is not plan:
        _nominal_amounts(problem, plan, x, frames)
    return frames, constraint_report(price_plan, x, duals)


def _nominal_amounts(
    problem: Problem, plan: Model, x: np.ndarray, frames: dict[str, pd.DataFrame]
) -> None:
    """The frames' value columns at the nominal values (the frames were made on the effective
    model, whose values are the protection's, so that its reasons are computed once)."""
    n_cells = len(plan.cells.value)
    value = np.bincount(plan.col_cell, weights=x * plan.unit_value, minlength=n_cells)
    wvalue = np.bincount(plan.col_cell, weights=x * plan.weighted, minlength=n_cells)
    alloc = frames["allocation"]
    alloc[VALUE] = value
    alloc[WEIGHTED_VALUE] = wvalue
    if len(problem.pools):
        money = alloc[use_col(problem.money_pool)].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            alloc[VALUE_PER_MONEY] = np.where(money > FUNDED, value / money, np.nan)
    for key, codes, size in (
        ("clients", plan.cells.client, len(problem.clients)),
        ("methods", plan.cells.method, len(problem.methods)),
    ):
        f = frames[key]
        f[VALUE] = np.bincount(codes, weights=value, minlength=size)
        f[WEIGHTED_VALUE] = np.bincount(codes, weights=wvalue, minlength=size)
    cl = frames["clients"]
    cl[ATTAINABLE] = attainable_per_client(problem, plan.cells).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        cl[SHARE] = np.where(cl[ATTAINABLE] > 0, cl[VALUE] / cl[ATTAINABLE], np.nan)


# ---- the price of robustness ----------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class PlanWorth:
    """One plan valued every way: nominal, under the objective, and on fresh draws."""

    nominal_value: float
    objective_value: float  # protected value (robust), CVaR (cvar) or mean (expected)
    fresh_values: np.ndarray  # total weighted value under each fresh draw
    regret: np.ndarray  # best attainable under each fresh draw minus fresh_values (>= 0)

    def fresh_summary(self, alpha: float = 0.1) -> dict[str, float]:
        v, r = self.fresh_values, self.regret
        return {
            "mean": float(v.mean()),
            "p10": float(np.percentile(v, 10)),
            "worst_decile_mean": cvar(v, 0.1),
            "cvar": cvar(v, alpha),
            "min": float(v.min()),
            "regret_mean": float(np.nanmean(r)),
            "regret_p95": float(np.nanpercentile(r, 95)),
            "regret_max": float(np.nanmax(r)),
        }


@dataclass(frozen=True, eq=False)
class PriceOfRobustness:
    """A protected plan beside the nominal one: what it gives up at nominal values, what it
    gains under its objective, which cells move, and both plans on fresh draws (another seed)."""

    objective: Objective
    nominal: Result
    robust: Result
    nominal_plan: PlanWorth
    robust_plan: PlanWorth
    moves: pd.DataFrame  # index (client_id, method_id): nominal_units, robust_units, change
    fresh_draws: int
    fresh_seed: int
    seconds: float

    @property
    def value_given_up(self) -> float:
        return self.nominal_plan.nominal_value - self.robust_plan.nominal_value

    @property
    def value_gained(self) -> float:
        return self.robust_plan.objective_value - self.nominal_plan.objective_value

    def to_json(self) -> dict[str, Any]:
        a = self.objective.alpha

        def worth(w: PlanWorth) -> dict[str, Any]:
            return {
                "nominal_value": w.nominal_value,
                "objective_value": w.objective_value,
                "fresh": w.fresh_summary(a),
            }

        return {
            "objective": self.objective.params(),
            "nominal_plan": worth(self.nominal_plan),
            "robust_plan": worth(self.robust_plan),
            "value_given_up": self.value_given_up,
            "value_gained": self.value_gained,
            "fresh_draws": self.fresh_draws,
            "fresh_seed": self.fresh_seed,
            "moves": [
                {
                    "client_id": c,
                    "method_id": mt,
                    "nominal_units": float(r["nominal_units"]),
                    "robust_units": float(r["robust_units"]),
                }
                for (c, mt), r in self.moves.iterrows()
            ],
        }


def _plan_x(plan: Model, result: Result) -> np.ndarray:
    """A result's units as plan columns (units taken in order, a fractional one last)."""
    units = result.allocation["units"].reindex(plan.cells.index).to_numpy(dtype=float)
    return np.clip(units[plan.col_cell] - (plan.col_k - 1), 0.0, 1.0)


def price_of_robustness(
    problem: Problem,
    objective: Objective,
    fresh_draws: int = 200,
    fresh_seed: int | None = None,
    nominal: Result | None = None,
) -> PriceOfRobustness:
    """The plan of `objective` next to the nominal plan. The fresh draws use `fresh_seed`
    (default: the objective's seed + 1), never the draws the CVaR plan was chosen on, and each
    is re-solved by the robustness analysis for the regret of both plans."""
    t0 = time.perf_counter()
    if objective.nominal:
        raise RobustError("robust_compare_nominal")
    seed = objective.seed + 1 if fresh_seed is None else int(fresh_seed)
    nominal = nominal if nominal is not None else solve(problem, needed="bound")
    robust = solve_objective(problem, objective, needed="bound")
    if not (nominal.has_plan and robust.has_plan):
        raise RobustError("robust_no_plan")
    plan = build_model(problem, "max_value")
    cp, ranges = counterpart(problem, objective, plan, lp=False)
    widen = objective_widening(problem, objective)
    rb: Robustness = robustness(problem, int(fresh_draws), seed, widen=widen)
    fresh = draw_values(ranges, int(fresh_draws), seed)

    def worth(res: Result) -> PlanWorth:
        x = _plan_x(plan, res)
        vals = fresh @ cp.cell_weight(x)
        return PlanWorth(
            nominal_value=float(plan.c @ x),
            objective_value=cp.value(x),
            fresh_values=vals,
            regret=np.maximum(rb.objective - vals, 0.0),
        )

    u_nom = nominal.allocation["units"]
    u_rob = robust.allocation["units"].reindex(u_nom.index)
    moved = np.abs(u_rob - u_nom) > FUNDED
    moves = pd.DataFrame(
        {
            "nominal_units": u_nom[moved],
            "robust_units": u_rob[moved],
            "change": (u_rob - u_nom)[moved],
        }
    )
    return PriceOfRobustness(
        objective=objective,
        nominal=nominal,
        robust=robust,
        nominal_plan=worth(nominal),
        robust_plan=worth(robust),
        moves=moves,
        fresh_draws=int(fresh_draws),
        fresh_seed=seed,
        seconds=time.perf_counter() - t0,
    )


# ---- the Gamma curve ------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GammaCurve:
    """The robust plan at each Gamma: its value at nominal values, its protected value, and
    how many cells it funds differently from the plan at Gamma 0."""

    gamma: np.ndarray
    nominal_value: np.ndarray
    protected_value: np.ndarray
    cells_changed: np.ndarray
    ranged_cells: int
    per_client: bool
    statuses: dict[str, int]
    seconds: float

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "gamma": self.gamma,
                "nominal_value": self.nominal_value,
                "protected_value": self.protected_value,
                "cells_changed": self.cells_changed,
            }
        )


MAX_CURVE_POINTS = 101  # more points than a chart shows add nothing; Gamma steps get wider


def gamma_curve(
    problem: Problem,
    objective: Objective | None = None,
    points: int = MAX_CURVE_POINTS,
    progress: Callable[[float], None] | None = None,
) -> GammaCurve:
    """The robust plan for Gamma = 0, 1, ... up to the number of cells with ranges (per
    client: the most any client has), at most `points` values; one HiGHS object re-solved warm
    with only the budgets' costs changed."""
    t0 = time.perf_counter()
    objective = objective or Objective(kind="robust")
    if problem.settings.objective != "max_value":
        raise RobustError("robust_needs_max_value", objective="robust")
    plan = build_model(problem, "max_value")
    ranges = widened_ranges(problem, objective_widening(problem, objective))
    top = 0.0
    cp = robust_counterpart(problem, plan, ranges, 0.0, objective.per_client)
    assert cp.budget is not None
    sizes = np.bincount(cp.budget) if len(cp.budget) else np.zeros(1, dtype=int)
    top = float(sizes.max()) if len(sizes) else 0.0
    count = min(int(points), int(top) + 1)
    gammas = np.unique(np.round(np.linspace(0.0, top, max(count, 1))))
    # The LP, re-solved warm at each Gamma; whole units round its optimum where its bound
    # proves the rounding within the gap, else solve that point's MIP.
    h = highs_model(cp.model)
    h.setOptionValue("time_limit", float(problem.settings.time_limit_s))
    n = cp.n_plan
    n_b = len(sizes) if len(cp.budget) else 0
    z_cols = np.arange(n, n + n_b, dtype=np.int32)
    nom = np.full(len(gammas), np.nan)
    prot = np.full(len(gammas), np.nan)
    changed = np.zeros(len(gammas), dtype=int)
    statuses: dict[str, int] = {}
    base_units: np.ndarray | None = None
    for i, g in enumerate(gammas.tolist()):
        gam = np.minimum(g, sizes.astype(float))
        if n_b:
            h.changeColsCost(n_b, z_cols, np.ascontiguousarray(-gam))
        h.run()
        raw = highs_result(h, False)
        at = replace(cp, gamma=gam)
        if plan.integer and raw.status == OPTIMAL and raw.x is not None:
            raw = _whole_units_point(at, raw, problem.settings)
        statuses[raw.status] = statuses.get(raw.status, 0) + 1
        if raw.x is not None and raw.status in (OPTIMAL, FEASIBLE):
            x = np.clip(raw.x[:n], plan.col_lo, plan.col_hi)
            if plan.integer:
                x = np.round(x)
            nom[i] = float(plan.c @ x)
            prot[i] = protected_value(at, x)
            units = np.bincount(plan.col_cell, weights=x, minlength=len(plan.cells.value))
            if base_units is None:
                base_units = units
            changed[i] = int((np.abs(units - base_units) > FUNDED).sum())
        if progress is not None:
            progress((i + 1) / len(gammas))
    return GammaCurve(
        gamma=gammas,
        nominal_value=nom,
        protected_value=prot,
        cells_changed=changed,
        ranged_cells=len(cp.ranged),
        per_client=objective.per_client,
        statuses=statuses,
        seconds=time.perf_counter() - t0,
    )


def _whole_units_point(cp: Counterpart, relaxed: Raw, settings: Any) -> Raw:
    """A whole-units plan of the curve at one Gamma from its LP optimum `relaxed`."""
    assert relaxed.x is not None and relaxed.objective is not None
    if relaxed.row_dual is not None:
        priced = replace(cp.plan, c=cp.effective_costs(relaxed.row_dual))
        x = _round_and_fill(priced, relaxed.x[: cp.n_plan])
        if x is not None:
            got = cp.value(x)
            gap = max(0.0, relaxed.objective - got) / max(abs(got), GAP_FLOOR)
            if gap <= settings.mip_gap:
                return Raw(OPTIMAL, x=x, objective=got, gap=gap, bound=relaxed.objective)
            return _run_mip(cp, settings, cp.complete(x))
    return _run_mip(cp, settings, None)


def funded_cells(result: Result) -> int:
    """How many cells a plan funds."""
    return int(funded(result.allocation["units"].to_numpy(dtype=float)).sum())


def objective_from(params: Mapping[str, Any]) -> Objective:
    """An Objective from `Objective.params()`-shaped data (a saved or exported one)."""
    p = dict(params)
    widen = tuple(sorted((str(k), float(v)) for k, v in dict(p.pop("widen", {}) or {}).items()))
    checklist = bool(p.pop("checklist_widening", True))
    return Objective(**p, widen=widen, checklist=checklist)
