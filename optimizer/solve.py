"""Choose and run the solver, map its status to words, and turn its answer into a Result.

Values are never read from a solver before its status says there is a solution.
"""

from __future__ import annotations

import math
import os
import shutil
import string
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from . import limits
from .messages import Message, Translator, status_message
from .messages.describe import conflict_notes
from .model import (
    CELL_MAX,
    CLIENT_CAP,
    COMMITMENT,
    FLOOR,
    METHOD_CAP,
    POOL,
    TARGET,
    Model,
    attainable_per_client,
    build_model,
    pulp_constraints,
    to_pulp,
)
from .schema import (
    ATTAINABLE,
    BLOCKED_BY,
    CAPACITY,
    CLIENT_ID,
    COMMITTED_UNITS,
    DECAY,
    ERROR,
    FEASIBLE,
    INFEASIBLE,
    IS_FUNDED,
    LIMITS,
    MAX_UNITS,
    METHOD_ID,
    MIN_VALUE_SHARE,
    NAME,
    NEEDED_BOUND,
    NEEDED_ESTIMATE,
    NEEDED_EXACT,
    NEEDED_KIND,
    NEEDED_VALUE,
    NEXT_UNIT,
    OPTIMAL,
    PRICE_STEP,
    REASON,
    REDUCED_COST,
    RESOURCE_ID,
    SEGMENT,
    SHADOW_PRICE,
    SHARE,
    SLACK,
    STEP_PRICE,
    UNIT,
    UNITS,
    USED,
    VALUE,
    VALUE_PER_MONEY,
    WEIGHT,
    WEIGHTED_VALUE,
    WHY,
    Conflict,
    Problem,
    Result,
    Settings,
    use_col,
)
from .sifting import SIFT_FROM_COLUMNS, sift
from .tolerances import (
    BINDING,
    FEASIBILITY,
    FUNDED,
    GAP_FLOOR,
    GAP_NOISE,
    NEEDED_RTOL,
    PIVOT_RTOL,
    ROUNDED_ROW,
    ROUNDING,
    SIFT_REDUCED_COST,
    TARGET_SLACK,
    TINY,
    ZERO_PRICE,
    funded,
)

# HiGHS options measured on this model (benchmarks/bench_engine.py): presolve spends seconds on
# the few dense pool rows and removes almost nothing (2,500 clients: 2.4 s with presolve,
# 0.28 s without, same optimum), and whole-units solves are also faster without it.
# `mip_abs_gap` 0: the requested relative gap (Settings.mip_gap), not HiGHS's absolute one
# (1e-6 by default), decides when a whole-units search may stop.
HIGHS_OPTIONS: dict[str, object] = {"presolve": "off", "mip_abs_gap": 0.0}
# The solvers' absolute tolerances (HiGHS prunes nodes within 1e-6 of the incumbent's value and
# calls reduced costs under 1e-7 zero; CBC alike) are small only next to an objective of ordinary
# size. With weights x1e-9 they decided the plan ("optimal" 0.7% from the best plan against a
# requested 0.01%); x1e-12, a plan worth 3% of the best was called optimal with gap 0. So when
# the largest objective coefficient lies outside [2**lo, 2**hi) the solver sees the objective
# multiplied by a power of two (exact in floating point) that brings it to [2**OBJECTIVE_TO,
# 2**(OBJECTIVE_TO + 1)), the size of value points; values, bounds and prices are reported
# unscaled. Objectives of ordinary size are handed over as they are.
OBJECTIVE_BAND = (0, 20)
OBJECTIVE_TO = 7
# Above this many columns a continuous solve uses the interior-point method with crossover (a
# basic, vertex solution as from simplex): dual simplex pays for the dense pool rows at every
# iteration (10,000 clients: 4.7 s simplex, 0.45 s IPM; 250 clients: 5 ms vs 7 ms). From
# sifting.SIFT_FROM_COLUMNS the whole model is sifted first (0.13 s at 10,000 clients), and
# this applies to the LPs over its working set and to a model sifting hands back.
IPM_FROM_COLUMNS = 10_000


@dataclass(frozen=True)
class Raw:
    """A solver's answer in model order; arrays are None unless a solution exists."""

    status: str  # optimal | feasible | infeasible | error
    x: np.ndarray | None = None
    row_dual: np.ndarray | None = None  # d objective / d row bound, signed
    objective: float | None = None
    gap: float | None = None
    bound: float | None = None
    message: str = ""


# ---- solvers --------------------------------------------------------------------------------
def cbc_path() -> str | None:
    """The CBC binary: from the `cbcbox` package, else one on PATH."""
    try:
        import cbcbox

        path = cbcbox.cbc_bin_path()
        if path and os.path.exists(path):
            return str(path)
    except ImportError:
        pass
    return shutil.which("cbc")


_BANNER_SHOWN = False


def _new_highs():  # -> highspy.Highs
    """A silent Highs object. HiGHS prints a banner to fd 1 on the first construction in a
    process, which would corrupt `--json` output, so that one construction writes to null."""
    global _BANNER_SHOWN
    import highspy

    if _BANNER_SHOWN:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 1)
            h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(null)
        _BANNER_SHOWN = True
    h.setOptionValue("output_flag", False)
    return h


def objective_scale(c: np.ndarray) -> int:
    """The power of two the solver's objective is multiplied by (see OBJECTIVE_BAND)."""
    big = float(np.max(np.abs(c))) if len(c) else 0.0
    if not (big > 0 and math.isfinite(big)):
        return 0
    top = math.frexp(big)[1] - 1  # big lies in [2**top, 2**(top + 1))
    low, high = OBJECTIVE_BAND
    return 0 if low <= top < high else OBJECTIVE_TO - top


def highs_model(model: Model, relax: bool = False):  # -> highspy.Highs
    import highspy

    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = model.n_cols
    lp.num_row_ = len(model.row_lo)
    lp.col_cost_ = model.c
    lp.col_lower_ = model.col_lo
    lp.col_upper_ = model.col_hi
    lp.row_lower_ = np.where(np.isfinite(model.row_lo), model.row_lo, -inf)
    lp.row_upper_ = np.where(np.isfinite(model.row_hi), model.row_hi, inf)
    csc = model.A.tocsc()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr
    lp.a_matrix_.index_ = csc.indices
    lp.a_matrix_.value_ = csc.data
    lp.sense_ = highspy.ObjSense.kMaximize if model.sense == "max" else highspy.ObjSense.kMinimize
    if model.integer and not relax:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * model.n_cols
    h = _new_highs()
    for key, value in HIGHS_OPTIONS.items():
        h.setOptionValue(key, value)
    # HiGHS applies the scale inside and reports objective, bound and duals in the model's units.
    h.setOptionValue("user_objective_scale", objective_scale(model.c))
    h.passModel(lp)
    return h


def set_continuous_solver(h: Any, n_cols: int) -> None:
    """Interior point with crossover for a continuous model of IPM_FROM_COLUMNS columns or
    more, HiGHS's dual simplex below."""
    if n_cols >= IPM_FROM_COLUMNS:
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "on")


def _run_highs(
    model: Model, settings: Settings, relax: bool = False, start: np.ndarray | None = None
) -> Raw:
    mip = model.integer and not relax
    if not mip and model.n_cols >= SIFT_FROM_COLUMNS:
        raw = _run_sifted(model, settings)
        if raw is not None:
            return raw
    h = highs_model(model, relax)
    h.setOptionValue("time_limit", float(settings.time_limit_s))
    if mip:
        h.setOptionValue("mip_rel_gap", float(settings.mip_gap))
        if start is not None:
            h.setSolution(
                model.n_cols, np.arange(model.n_cols, dtype=np.int32), start.astype(np.float64)
            )
    else:
        set_continuous_solver(h, model.n_cols)
    h.run()
    raw = highs_result(h, mip)
    stopped_early = raw.gap is not None and raw.gap > settings.mip_gap + GAP_NOISE
    if mip and raw.status == OPTIMAL and stopped_early:  # by a tolerance, not by the gap
        raw = replace(raw, status=FEASIBLE)
    return raw


def _run_sifted(model: Model, settings: Settings) -> Raw | None:
    """A large continuous solve by sifting (optimizer/sifting.py), None to solve it directly."""

    def read(h: Any) -> tuple[str, Any, Any]:
        raw = highs_result(h, False)
        return raw.status, raw.x, raw.row_dual

    def run(sub: Model, seconds: float) -> tuple[str, Any, Any]:
        h = highs_model(sub, relax=True)
        h.setOptionValue("time_limit", float(seconds))
        set_continuous_solver(h, sub.n_cols)
        h.run()
        return read(h)

    # HiGHS's dual tolerance applies to the objective it sees (scaled by OBJECTIVE_BAND).
    tolerance = SIFT_REDUCED_COST * 2.0 ** -objective_scale(model.c)
    got = sift(
        model,
        run,
        lambda sub: highs_model(sub, relax=True),
        read,
        float(settings.time_limit_s),
        tolerance,
    )
    if got is None:
        return None
    return Raw(
        OPTIMAL if got.status == "optimal" else FEASIBLE,
        x=got.x,
        row_dual=got.row_dual,
        objective=float(model.c @ got.x),
    )


def highs_result(h, mip: bool) -> Raw:  # h: highspy.Highs after run()
    """Map a HiGHS run to a Raw answer; values are read only when the status says so."""
    import highspy

    st = h.getModelStatus()
    info = h.getInfo()
    S = highspy.HighsModelStatus
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if st == S.kOptimal:
        status = OPTIMAL
    elif st in (S.kInfeasible, S.kUnboundedOrInfeasible):
        return Raw(INFEASIBLE)
    elif st in (S.kTimeLimit, S.kIterationLimit, S.kInterrupt, S.kSolutionLimit) and has_solution:
        status = FEASIBLE
    else:
        msg = h.modelStatusToString(st)
        if st in (S.kTimeLimit, S.kIterationLimit, S.kInterrupt):
            msg = f"stopped ({msg}) before any plan was found"
        return Raw(ERROR, message=msg)
    if not has_solution:
        return Raw(ERROR, message=f"solver reported {h.modelStatusToString(st)} without a plan")
    sol = h.getSolution()
    x = np.asarray(sol.col_value, dtype=float)
    obj = float(info.objective_function_value)
    gap = bound = None
    if mip:
        gap = float(info.mip_gap) if math.isfinite(info.mip_gap) else None
        bound = float(info.mip_dual_bound)
    duals = np.asarray(sol.row_dual, dtype=float) if not mip and sol.dual_valid else None
    return Raw(status, x=x, row_dual=duals, objective=obj, gap=gap, bound=bound)


def _run_cbc(model: Model, settings: Settings, relax: bool = False) -> Raw:
    import pulp

    path = cbc_path()
    if path is None:
        return Raw(ERROR, message="CBC is not installed (pip install cbcbox)")
    integer = model.integer and not relax
    scale = 2.0 ** objective_scale(model.c)  # CBC's tolerances are absolute too
    prob, ys = to_pulp(replace(model, integer=integer, c=model.c * scale))
    solver = pulp.COIN_CMD(
        path=path,
        msg=False,
        timeLimit=float(settings.time_limit_s),
        gapRel=float(settings.mip_gap) if integer else None,
    )
    with tempfile.TemporaryDirectory() as tmp:
        solver.tmpDir = tmp
        try:
            prob.solve(solver)
        except pulp.PulpSolverError as exc:
            return Raw(ERROR, message=str(exc))
    st = prob.status
    sol_status = prob.sol_status
    # This CBC build proves some infeasibilities while tightening bounds and then writes no
    # solution, which PuLP reads as "Undefined".
    if st in (pulp.LpStatusInfeasible, pulp.LpStatusUndefined):
        return Raw(INFEASIBLE)
    if sol_status == pulp.LpSolutionOptimal or (st == pulp.LpStatusOptimal and not integer):
        status = OPTIMAL
    elif sol_status == pulp.LpSolutionIntegerFeasible:
        status = FEASIBLE
    else:
        return Raw(ERROR, message=f"CBC: {pulp.LpStatus.get(st, st)}")
    x = np.array([v.varValue or 0.0 for v in ys], dtype=float)
    obj = float(model.c @ x)
    duals = None
    if not integer:
        # PuLP's pi for CBC is d objective / d rhs, as HiGHS reports it.
        # Constraints were added in row order; PuLP may have rewritten their names.
        duals = (
            np.array(
                [c.pi if c.pi is not None else 0.0 for c in pulp_constraints(prob)], dtype=float
            )
            / scale
        )
    # CBC through PuLP does not report the gap it reached, so none is claimed.
    return Raw(status, x=x, row_dual=duals, objective=obj)


SOLVER_NAMES = {"highs": "HiGHS", "cbc": "CBC"}


def run_model(
    model: Model, settings: Settings, relax: bool = False, start: np.ndarray | None = None
) -> Raw:
    """The one place that chooses and runs the solver (default HiGHS, see docs/model.md).

    `start`: a feasible whole-units plan HiGHS may start from (CBC ignores it)."""
    if model.n_cols == 0:
        ok = np.all(model.row_lo <= FEASIBILITY) and np.all(model.row_hi >= -FEASIBILITY)
        return Raw(
            OPTIMAL if ok else INFEASIBLE,
            x=np.zeros(0),
            row_dual=np.zeros(len(model.row_lo)),
            objective=0.0,
            gap=0.0 if model.integer else None,
        )
    if settings.solver == "cbc":
        return _run_cbc(model, settings, relax)
    return _run_highs(model, settings, relax, start)


def _round_and_fill(model: Model, x_lp: np.ndarray) -> np.ndarray | None:
    """A whole-units plan from an LP optimum, or None when this simple repair cannot make one.

    Round down; round up fractional units where a lower limit (a floor, the target) needs
    them; give up the least valuable units of other cells where a capacity is then exceeded;
    finally add the fractional units that still fit, best first."""
    x = np.maximum(np.floor(x_lp + ROUNDING), model.col_lo)
    A = model.A.tocsc()
    R = model.A.tocsr()
    frac = (x < 0.5) & (x_lp > ROUNDING)
    activity = R @ x
    for i in np.flatnonzero(activity < model.row_lo - ROUNDED_ROW):
        cols, vals = R.indices[R.indptr[i] : R.indptr[i + 1]], R.data[R.indptr[i] : R.indptr[i + 1]]
        pick = frac[cols] & (x[cols] < 0.5) & (vals > 0)
        cols, vals = cols[pick], vals[pick]
        order = np.argsort(-vals, kind="stable")
        need = model.row_lo[i] - activity[i]
        take = int(np.searchsorted(np.cumsum(vals[order]), need - ROUNDING)) + 1
        if take > len(order):
            return None
        x[cols[order[:take]]] = 1.0
        activity = R @ x
    # Units that a lower limit relies on are kept; others may be given up for capacity.
    lower_rows = np.flatnonzero(np.isfinite(model.row_lo))
    protected = np.zeros(model.n_cols, bool)
    if len(lower_rows):
        protected[np.unique(R[lower_rows].indices)] = True
    for i in np.flatnonzero(activity > model.row_hi + ROUNDED_ROW):
        excess = activity[i] - model.row_hi[i]
        if excess <= ROUNDED_ROW:
            continue  # an earlier removal already made room here
        cols, vals = R.indices[R.indptr[i] : R.indptr[i + 1]], R.data[R.indptr[i] : R.indptr[i + 1]]
        pick = (x[cols] > 0.5) & (model.col_lo[cols] < 0.5) & ~protected[cols] & (vals > 0)
        cols, vals = cols[pick], vals[pick]
        order = np.argsort(model.c[cols] / vals, kind="stable")
        drop = int(np.searchsorted(np.cumsum(vals[order]), excess - ROUNDING)) + 1
        if drop > len(order):
            return None
        x[cols[order[:drop]]] = 0.0
        activity = R @ x
    if np.any(activity < model.row_lo - ROUNDED_ROW) or np.any(
        activity > model.row_hi + ROUNDED_ROW
    ):
        return None
    slack = model.row_hi - activity
    sign = 1.0 if model.sense == "max" else -1.0
    candidates = np.flatnonzero((x < 0.5) & (x_lp > ROUNDING))
    for j in candidates[np.argsort(-sign * model.c[candidates], kind="stable")]:
        if sign * model.c[j] <= 0:
            break
        rows, vals = A.indices[A.indptr[j] : A.indptr[j + 1]], A.data[A.indptr[j] : A.indptr[j + 1]]
        if np.all(vals <= slack[rows] + ROUNDING):
            x[j] = 1.0
            slack[rows] -= vals
    return x


def _fixed_prices(model: Model, x: np.ndarray, settings: Settings) -> np.ndarray | None:
    """Row prices of the LP in which the chosen whole units are fixed and the other units may
    be taken fractionally. The fixed units are moved into the row bounds, so the LP holds only
    the free columns."""
    free = x < 0.5
    used = model.A[:, ~free] @ x[~free]
    sub = replace(
        model,
        c=model.c[free],
        A=model.A[:, free],
        row_lo=model.row_lo - used,
        row_hi=model.row_hi - used,
        col_lo=model.col_lo[free],
        col_hi=model.col_hi[free],
        integer=False,
        col_cell=model.col_cell[free],
        col_k=model.col_k[free],
        unit_value=model.unit_value[free],
        weighted=model.weighted[free],
    )
    priced = run_model(sub, settings)
    return priced.row_dual if priced.status == OPTIMAL else None


def pool_step(model: Model, row: int) -> float:
    """The step of a pool for a whole-units price: enough for one unit of the cheapest method
    (cell) that uses it, i.e. the smallest positive use per unit in its row (NaN if none)."""
    s, e = model.A.indptr[row], model.A.indptr[row + 1]
    vals = model.A.data[s:e]
    vals = vals[vals > FEASIBILITY]
    return float(vals.min()) if len(vals) else math.nan


def _step_prices(model: Model, x: np.ndarray, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Whole units: for each pool, its step (`pool_step`) and what one more step is worth,
    per unit of the pool, by re-solving the whole-units model with the step added (the plan
    `x` still fits, so the re-solve is never worse than it). Both plans are within the
    requested gap, so the price is too."""
    rows = np.flatnonzero(model.rows["kind"].to_numpy() == POOL)
    steps = np.full(len(rows), np.nan)
    prices = np.full(len(rows), np.nan)
    base = float(model.c @ x)
    better = max if model.sense == "max" else min
    for k, row in enumerate(rows.tolist()):
        step = pool_step(model, row)
        if not math.isfinite(step):
            continue
        hi = np.array(model.row_hi, dtype=float, copy=True)
        hi[row] += step
        raw, _ = _solve_whole_units(replace(model, row_hi=hi), settings)
        steps[k] = step
        if raw.x is not None and raw.status in (OPTIMAL, FEASIBLE):
            gain = better(float(model.c @ np.round(raw.x)), base) - base
            prices[k] = 0.0 if abs(gain) < ZERO_PRICE else gain / step
    return steps, prices


def _solve_whole_units(model: Model, settings: Settings) -> tuple[Raw, Raw]:
    """Whole units: the LP relaxation first. Its rounding is the answer when it is proven within
    the requested gap by the LP bound (typical for many clients: only a few units per binding
    constraint are fractional); otherwise it is the branch-and-cut's starting plan."""
    relaxed = run_model(model, settings, relax=True)
    if relaxed.status == INFEASIBLE:
        return Raw(INFEASIBLE), relaxed
    start = None
    if relaxed.status == OPTIMAL and relaxed.x is not None and relaxed.objective is not None:
        start = _round_and_fill(model, relaxed.x)
        if start is not None:
            obj = float(model.c @ start)
            gap = abs(relaxed.objective - obj) / max(abs(obj), GAP_FLOOR)
            if gap <= settings.mip_gap:
                return Raw(
                    OPTIMAL, x=start, objective=obj, gap=gap, bound=relaxed.objective
                ), relaxed
    return run_model(model, settings, start=start), relaxed


# ---- infeasibility --------------------------------------------------------------------------
# A conflicting set is reduced for at most this many seconds; past it, the set found so far is
# reported as "a conflicting set, not proven smallest".
CONFLICT_TIME_BUDGET_S = 20.0
# HiGHS's infeasible subset, the fallback of a stopped reduction, is asked for only up to this
# many columns (at 2,500 clients, 29,552 columns, it took 166 s).
IIS_UP_TO_COLUMNS = 5_000
# Requirement groups, most meaningful first: where several irreducible sets exist, the
# preferred-first search keeps the earlier kinds (a pool and commitments before unit caps).
GROUP_ORDER: tuple[str, ...] = (POOL, COMMITMENT, TARGET, FLOOR, METHOD_CAP, CLIENT_CAP, CELL_MAX)


class _Stop(Exception):
    """The conflict search ran out of time (or a whole-units test could not decide)."""


class _Requirements:
    """The requirements of a model as groups (each row; each cell's commitment; each cell's unit
    cap), tested for feasibility with only a chosen set of them kept and every other one
    relaxed. In whole-units mode the test is whole-unit feasibility (the columns stay integer).

    Each test solves a model of the kept rows and the columns they touch only: a column in no
    kept row can always take a value within its bounds (commitments fit unit caps), so it
    decides nothing. A warm-started whole model with bounds switched off was tried and was
    slower: at 2,500 clients with every floor at 95%, re-solves after switching most of the
    model off took HiGHS up to 26 s each (the search: 21 s or more, against 3.6 s)."""

    def __init__(self, model: Model, settings: Settings, deadline: float):
        self.model = model
        self.settings = settings
        self.deadline = deadline
        self.integer = bool(model.integer)
        kinds = model.rows["kind"].to_numpy()
        groups: list[tuple[str, int]] = [(str(kinds[i]), i) for i in range(len(model.row_lo))]
        committed = np.unique(model.col_cell[model.col_lo > 0])
        groups += [(COMMITMENT, int(c)) for c in committed]
        groups += [(CELL_MAX, int(c)) for c in range(len(model.cells.value))]
        rank = {k: n for n, k in enumerate(GROUP_ORDER)}
        # Stable within a kind: rows and cells in model order.
        self.groups = sorted(groups, key=lambda g: rank[g[0]])
        self.index = {g: n for n, g in enumerate(self.groups)}
        self.commit_group = np.full(len(model.cells.value), -1)
        self.cap_group = np.full(len(model.cells.value), -1)
        for n, (kind, i) in enumerate(self.groups):
            if kind == COMMITMENT:
                self.commit_group[i] = n
            elif kind == CELL_MAX:
                self.cap_group[i] = n
        self.runs = 0

    def _test_model(self, keep: set[int]) -> Model:
        """The kept rows, the columns they touch, and those columns' kept bounds."""
        m = self.model
        rows = sorted(
            i for g in keep for k, i in [self.groups[g]] if k not in (COMMITMENT, CELL_MAX)
        )
        sub = m.A[rows]
        cols = np.unique(sub.indices)
        on = np.zeros(len(self.groups) + 1, bool)  # the last entry: "no such group"
        on[list(keep)] = True
        cells = m.col_cell[cols]
        commit = on[self.commit_group[cells]]
        capped = on[self.cap_group[cells]]
        return replace(
            m,
            c=np.zeros(len(cols)),
            A=sub[:, cols].tocsr(),
            row_lo=m.row_lo[rows],
            row_hi=m.row_hi[rows],
            col_lo=np.where(commit, m.col_lo[cols], 0.0),
            col_hi=np.where(capped, m.col_hi[cols], np.inf),
        )

    def feasible(self, keep: set[int]) -> bool:
        left = self.deadline - time.perf_counter()
        if left <= 0:
            raise _Stop
        test = self._test_model(keep)
        self.runs += 1
        if test.n_cols == 0:
            return bool(np.all(test.row_lo <= FEASIBILITY) and np.all(test.row_hi >= -FEASIBILITY))
        h = highs_model(test, relax=not self.integer)
        h.setOptionValue("time_limit", left)
        h.run()
        raw = highs_result(h, self.integer)
        if raw.status in (OPTIMAL, FEASIBLE):
            return True
        if raw.status == INFEASIBLE:
            return False
        raise _Stop  # a time limit without an answer: undecided

    def quickxplain(self, candidates: list[int]) -> list[int]:
        """An irreducible infeasible subset of `candidates` (in preference order), preferring
        the earlier ones: QuickXplain's divide and conquer (Junker 2004), about
        k log(n / k) feasibility tests for k members among n candidates."""

        def qx(base: list[int], changed: bool, cands: list[int]) -> list[int]:
            if changed and not self.feasible(set(base)):
                return []
            if len(cands) == 1:
                return cands
            half = len(cands) // 2
            c1, c2 = cands[:half], cands[half:]
            d2 = qx(base + c1, bool(c1), c2)
            d1 = qx(base + d2, bool(d2), c1)
            return d1 + d2

        return sorted(qx([], False, sorted(candidates)))

    def as_rows_cols(self, chosen: list[int]) -> tuple[list[int], list[int], list[int]]:
        """Rows, committed columns and capped cells of a set of groups."""
        rows = sorted(
            i for g in chosen for k, i in [self.groups[g]] if k not in (COMMITMENT, CELL_MAX)
        )
        commit = sorted(i for g in chosen for k, i in [self.groups[g]] if k == COMMITMENT)
        caps = sorted(i for g in chosen for k, i in [self.groups[g]] if k == CELL_MAX)
        cols = [
            int(j)
            for j in np.flatnonzero(np.isin(self.model.col_cell, commit) & (self.model.col_lo > 0))
        ]
        return rows, cols, caps


def _highs_iis(model: Model) -> tuple[list[int], list[int], list[int]] | None:
    """An infeasible subset of the LP from HiGHS, if it offers one: its rows, the cells whose
    commitment (a lower bound above 0) is in it and the cells whose unit cap (an upper bound) is
    in it. Not always irreducible; the answer of a reduction stopped by its time budget."""
    import highspy

    try:
        h = highs_model(replace(model, c=np.zeros(model.n_cols)), relax=True)
        h.setOptionValue("iis_strategy", 2)
        h.run()
        _, iis = h.getIis()
        rows = [int(i) for i in iis.row_index_]
        cols = [int(j) for j in iis.col_index_]
        bounds = [int(b) for b in iis.col_bound_]
    except Exception:  # an older highspy without IIS support
        return None
    if not rows:
        return None
    B = highspy.IisBoundStatus
    lower = {int(B.kIisBoundStatusLower), int(B.kIisBoundStatusBoxed)}
    upper = {int(B.kIisBoundStatusUpper), int(B.kIisBoundStatusBoxed)}
    commits = sorted(
        {int(model.col_cell[j]) for j, b in zip(cols, bounds) if b in lower and model.col_lo[j] > 0}
    )
    caps = sorted({int(model.col_cell[j]) for j, b in zip(cols, bounds) if b in upper})
    return rows, commits, caps


def _relaxation_iis(
    model: Model, settings: Settings, budget_s: float | None = None
) -> tuple[list[int], list[int], list[int], bool] | None:
    """An irreducible conflicting set: rows, committed columns, capped cells, and whether it is
    proven irreducible (False when the time budget stopped the reduction). None when no
    conflicting set could be found in time.

    QuickXplain over every requirement, in preference order (GROUP_ORDER): at 2,500 clients
    with the budget at 1 EUR it names the budget and one commitment after 16 tests (0.2 s),
    where HiGHS's own infeasible subset took 166 s. If the budget stops it, HiGHS's subset of
    the LP (which conflicts, but is not reduced) is the answer on models small enough for it."""
    budget = CONFLICT_TIME_BUDGET_S if budget_s is None else budget_s
    req = _Requirements(model, settings, time.perf_counter() + budget)
    try:
        candidates = list(range(len(req.groups)))
        if req.integer:
            # Whole units: when the LP alone conflicts, its (cheap) irreducible set conflicts in
            # whole units too, and the whole-units reduction then runs over its few members.
            req.integer = False
            if not req.feasible(set(candidates)):
                candidates = req.quickxplain(candidates)
            req.integer = True
        chosen = req.quickxplain(candidates)
        return (*req.as_rows_cols(chosen), True)
    except _Stop:
        req.integer = bool(model.integer)
    found = _highs_iis(model) if model.n_cols <= IIS_UP_TO_COLUMNS else None
    if found is None:
        return None
    rows, commits, caps = found
    kinds = model.rows["kind"].to_numpy()
    claimed = {req.index[(str(kinds[i]), i)] for i in rows}
    claimed |= {req.index[(COMMITMENT, c)] for c in commits}
    claimed |= {req.index[(CELL_MAX, c)] for c in caps}
    return (*req.as_rows_cols(sorted(claimed)), False)


def explain_conflicts(
    problem: Problem,
    model: Model,
    rows: list[int],
    cols: list[int],
    caps: list[int] | None = None,
) -> tuple[Conflict, ...]:
    """Each requirement of a conflicting set as a Conflict: a message code with the user's
    names and amounts, the ids, the bound and what the commitments alone need of it.

    `cols`: columns whose bound is in the set (a lower bound above 0 is a commitment, others
    unit caps); `caps`, when given, names the cells whose unit caps are in the set instead."""
    res, met, cli = problem.resources, problem.methods, problem.clients
    out: list[Conflict] = []
    forced = model.A @ model.col_lo  # what the commitments alone use of each row

    def need(i: int) -> Message | str:
        return Message("conflict_need", {"need": float(forced[i])}) if forced[i] > BINDING else ""

    def unit_of_method(m: str, word: str) -> str | Message:
        return str(met.at[m, UNIT]) or Message(word)

    for i in rows:
        r = model.rows.iloc[i]
        name, kind = r["name"], r["kind"]
        if kind == POOL:
            p = r[RESOURCE_ID]
            msg = Message(
                "conflict_pool",
                {
                    "pool": res.at[p, NAME],
                    "cap": float(model.row_hi[i]),
                    "unit": res.at[p, UNIT],
                    "need": need(i),
                },
            )
            out.append(
                Conflict(
                    POOL,
                    msg,
                    resource_id=p,
                    constraint=name,
                    amount=float(model.row_hi[i]),
                    forced=float(forced[i]),
                )
            )
        elif kind == CLIENT_CAP:
            p, c = r[RESOURCE_ID], r[CLIENT_ID]
            msg = Message(
                "conflict_client_cap",
                {
                    "client": cli.at[c, NAME],
                    "cap": float(model.row_hi[i]),
                    "unit": res.at[p, UNIT],
                    "pool": res.at[p, NAME],
                    "need": need(i),
                },
            )
            out.append(
                Conflict(
                    CLIENT_CAP,
                    msg,
                    resource_id=p,
                    client_id=c,
                    constraint=name,
                    amount=float(model.row_hi[i]),
                    forced=float(forced[i]),
                )
            )
        elif kind == METHOD_CAP:
            m = r[METHOD_ID]
            msg = Message(
                "conflict_method_cap",
                {
                    "method": met.at[m, NAME],
                    "cap": float(model.row_hi[i]),
                    "unit": unit_of_method(m, "word_units"),
                    "need": need(i),
                },
            )
            out.append(
                Conflict(
                    METHOD_CAP,
                    msg,
                    method_id=m,
                    constraint=name,
                    amount=float(model.row_hi[i]),
                    forced=float(forced[i]),
                )
            )
        elif kind == FLOOR:
            c = r[CLIENT_ID]
            msg = Message(
                "conflict_floor",
                {
                    "client": cli.at[c, NAME],
                    "share": float(cli.at[c, MIN_VALUE_SHARE]),
                    "value": float(model.row_lo[i]),
                },
            )
            out.append(
                Conflict(FLOOR, msg, client_id=c, constraint=name, amount=float(model.row_lo[i]))
            )
        elif kind == TARGET:
            msg = Message("conflict_target", {"target": float(model.row_lo[i])})
            out.append(Conflict(TARGET, msg, constraint=name, amount=float(model.row_lo[i])))
    committed_cells = sorted({int(model.col_cell[j]) for j in cols if model.col_lo[j] > 0})
    capped_cells = (
        sorted({int(model.col_cell[j]) for j in cols if model.col_lo[j] <= 0})
        if caps is None
        else sorted(caps)
    )
    for cell in committed_cells:
        c = model.clients[model.cells.client[cell]]
        m = model.methods[model.cells.method[cell]]
        n = int(model.cells.committed[cell])
        msg = Message(
            "conflict_commitment",
            {
                "n": n,
                "unit": unit_of_method(m, "word_unit"),
                "method": met.at[m, NAME],
                "client": cli.at[c, NAME],
            },
        )
        out.append(
            Conflict(
                COMMITMENT,
                msg,
                client_id=c,
                method_id=m,
                constraint=f"committed[{c},{m}]",
                amount=float(n),
            )
        )
    by_client: dict[str, list[Message]] = {}
    methods_of: dict[str, list[str]] = {}
    for cell in capped_cells:
        c = model.clients[model.cells.client[cell]]
        m = model.methods[model.cells.method[cell]]
        by_client.setdefault(c, []).append(
            Message("cell_max_item", {"n": int(model.cells.units[cell]), "method": met.at[m, NAME]})
        )
        methods_of.setdefault(c, []).append(str(m))
    for c, items in by_client.items():
        msg = Message("conflict_cell_max", {"client": cli.at[c, NAME], "caps": items})
        out.append(
            Conflict(
                CELL_MAX,
                msg,
                client_id=c,
                constraint=f"max_units[{c}]",
                method_ids=tuple(methods_of[c]),
            )
        )
    return tuple(out)


def explain_infeasible(
    problem: Problem, model: Model, settings: Settings
) -> tuple[tuple[Conflict, ...], tuple[Message, ...]]:
    """The conflicting requirements of an infeasible model, as Conflicts and the lines saying
    them: an irreducible set (see `_relaxation_iis`), or, when the time budget stopped the
    reduction, a conflicting set said to be not proven smallest."""
    found = _relaxation_iis(model, settings)
    if found is None:
        return (), (Message("infeasible_too_large"),)
    rows, cols, caps, proven = found
    conflicts = explain_conflicts(problem, model, rows, cols, caps)
    notes = conflict_notes(conflicts)
    if not proven:
        notes = (*notes, Message("infeasible_not_smallest"))
    return conflicts, notes


# ---- result extraction ----------------------------------------------------------------------
def _empty_frames(problem: Problem) -> dict[str, pd.DataFrame]:
    cell_idx = pd.MultiIndex.from_arrays([[], []], names=[CLIENT_ID, METHOD_ID])
    return {
        "allocation": pd.DataFrame(index=cell_idx),
        "clients": pd.DataFrame(index=pd.Index([], name=CLIENT_ID)),
        "methods": pd.DataFrame(index=pd.Index([], name=METHOD_ID)),
        "pools": pd.DataFrame(index=pd.Index([], name=RESOURCE_ID)),
        "unfunded": pd.DataFrame(index=cell_idx),
    }


def _status_text(status: str, gap: float | None, integer: bool) -> str:
    return status_message(status, gap, integer).text()


def _frames(
    problem: Problem,
    model: Model,
    x: np.ndarray,
    duals: np.ndarray | None,
    lp_model: Model,
    needed: str | NeededBudget = "bound",
) -> dict[str, pd.DataFrame]:
    cells = model.cells
    pools = list(model.pools)
    n_cells = len(cells.value)
    units = np.bincount(model.col_cell, weights=x, minlength=n_cells)
    value = np.bincount(model.col_cell, weights=x * model.unit_value, minlength=n_cells)
    wvalue = np.bincount(model.col_cell, weights=x * model.weighted, minlength=n_cells)
    use = cells.use * units[:, None]
    money_use = use[:, pools.index(problem.money_pool)] if pools else np.zeros(n_cells)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_money = np.where(money_use > FUNDED, value / money_use, np.nan)
    # Sums per cell, then per client and per method by bincount (no pandas groupby).
    sums = np.column_stack([units, value, wvalue, use])
    sum_cols = [UNITS, VALUE, WEIGHTED_VALUE, *[use_col(p) for p in pools]]
    alloc = pd.DataFrame(
        {
            UNITS: units,
            MAX_UNITS: cells.units,
            COMMITTED_UNITS: cells.committed,
            VALUE: value,
            WEIGHTED_VALUE: wvalue,
            **{use_col(p): use[:, k] for k, p in enumerate(pools)},
            VALUE_PER_MONEY: per_money,
            IS_FUNDED: funded(units),
        },
        index=cells.index,
    )

    def group(codes: np.ndarray, size: int) -> np.ndarray:
        return (
            np.column_stack(
                [
                    np.bincount(codes, weights=sums[:, i], minlength=size)
                    for i in range(sums.shape[1])
                ]
            )
            if size
            else np.zeros((0, sums.shape[1]))
        )

    cli = problem.clients
    by_client = group(cells.client, len(cli))
    attain = attainable_per_client(problem, cells).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(attain > 0, by_client[:, 1] / attain, np.nan)
    clients = pd.DataFrame(
        {
            NAME: cli[NAME],
            SEGMENT: cli[SEGMENT],
            WEIGHT: cli[WEIGHT],
            VALUE: by_client[:, 1],
            WEIGHTED_VALUE: by_client[:, 2],
            ATTAINABLE: attain,
            SHARE: share,
            **{use_col(p): by_client[:, 3 + k] for k, p in enumerate(pools)},
        },
        index=cli.index,
    )
    met = problem.methods
    by_method = group(cells.method, len(met))
    methods = pd.DataFrame(
        {NAME: met[NAME], UNIT: met[UNIT], **{c: by_method[:, i] for i, c in enumerate(sum_cols)}},
        index=met.index,
    )

    res = problem.resources
    used = use.sum(axis=0)
    pool_rows = np.flatnonzero(lp_model.rows["kind"].to_numpy() == POOL)
    shadow = np.full(len(pools), np.nan)
    if duals is not None and len(pool_rows):
        shadow = np.where(np.abs(duals[pool_rows]) < ZERO_PRICE, 0.0, duals[pool_rows])
    pool_frame = pd.DataFrame(
        {
            NAME: res[NAME],
            UNIT: res[UNIT],
            CAPACITY: res[CAPACITY],
            USED: used,
            SLACK: res[CAPACITY].to_numpy() - used,
            SHADOW_PRICE: shadow,
            PRICE_STEP: np.nan,
            STEP_PRICE: np.nan,
        },
        index=res.index,
    )
    return {
        "allocation": alloc,
        "clients": clients,
        "methods": methods,
        "pools": pool_frame,
        "unfunded": _unfunded(problem, model, x, units, duals, lp_model, needed),
    }


def _unfunded(
    problem: Problem,
    model: Model,
    x: np.ndarray,
    units: np.ndarray,
    duals: np.ndarray | None,
    lp_model: Model,
    needed: str | NeededBudget = "bound",
) -> pd.DataFrame:
    """For each cell below its max units: the value it would need, what that number is
    (NEEDED_KIND: exact, bound or estimate, see docs/model.md), and what blocks it.

    `needed`: a NeededBudget confirms needed values by re-solves within it (continuous
    max-value plans only); "bound" keeps the reduced-cost value, a lower bound where
    `_bound_holds`."""
    budget = needed if isinstance(needed, NeededBudget) else None
    cells = model.cells
    open_cells = np.flatnonzero(units < cells.units - FUNDED)
    cols_out = [
        UNITS,
        MAX_UNITS,
        NEXT_UNIT,
        VALUE,
        NEEDED_VALUE,
        NEEDED_KIND,
        REDUCED_COST,
        BLOCKED_BY,
        REASON,
        WHY,
        LIMITS,
    ]
    if not len(open_cells):
        return pd.DataFrame(columns=cols_out, index=cells.index[:0])
    full = np.floor(units + FUNDED).astype(int)
    # The column of the next (first not fully funded) unit of each open cell.
    starts = np.cumsum(cells.units) - cells.units
    next_col = starts[open_cells] + full[open_cells]
    A = lp_model.A.tocsc()
    activity = lp_model.A @ x
    binding = (np.isfinite(lp_model.row_hi) & (activity >= lp_model.row_hi - BINDING)) & np.isin(
        lp_model.rows["kind"].to_numpy(), [POOL, CLIENT_CAP, METHOD_CAP]
    )
    needed_extra = np.full(len(open_cells), np.nan)
    if duals is not None:
        y = duals
        priced = A[:, next_col].T @ y  # y^T A_j per column
        if lp_model.sense == "max":
            gap = priced - lp_model.c[next_col]
            scale = lp_model.weighted[next_col] / np.maximum(cells.value[open_cells], TINY)
        else:
            target = np.flatnonzero(lp_model.rows["kind"].to_numpy() == TARGET)
            price = y[target[0]] if len(target) else 0.0
            gap = lp_model.c[next_col] - priced
            scale = price * lp_model.weighted[next_col] / np.maximum(cells.value[open_cells], TINY)
        with np.errstate(divide="ignore", invalid="ignore"):
            needed_extra = np.where(scale > 0, np.maximum(gap, 0.0) / scale, np.nan)
        needed_extra = np.where(np.abs(needed_extra) < ZERO_PRICE, 0.0, needed_extra)
    value = cells.value[open_cells]
    with np.errstate(divide="ignore", invalid="ignore"):
        reduced = -needed_extra * lp_model.weighted[next_col] / np.maximum(value, TINY)
    # What the number is: the prices of a whole-units plan (the LP with its units fixed) and of
    # a min-cost plan give estimates; a continuous max-value plan's give a lower bound where
    # _bound_holds, and the exact threshold once confirmed by re-solves.
    estimate = value + needed_extra
    kind = np.full(len(open_cells), NEEDED_ESTIMATE, dtype=object)
    exact_model = duals is not None and not model.integer and lp_model.sense == "max"
    if exact_model:
        assert duals is not None
        bound = (units[open_cells] <= full[open_cells] + FUNDED) & (value > 0)
        bound &= _bound_holds(problem, model, x, duals, open_cells, estimate)
        kind[bound] = NEEDED_BOUND
        if budget is not None:
            found, done = _needed_values(
                problem, model, x, open_cells, full[open_cells], estimate, bound, budget
            )
            estimate = np.where(done, found, estimate)
            kind = np.where(done, NEEDED_EXACT, kind)
    needed_extra = estimate - value
    # The binding capacity rows that each next unit uses (one sparse slice, no per-cell matrix
    # indexing), as the limits named in the reason.
    sub = A[:, next_col][np.flatnonzero(binding), :].tocsc()
    sub.eliminate_zeros()
    labels = _row_limits(problem, lp_model)
    bind_limits = [labels[i] for i in np.flatnonzero(binding)]
    # Cells blocked by the same limits share one tuple of them (and one "limited by" part), so
    # each distinct set is put into words once, however many cells it blocks.
    # Each cell's binding rows as one row of a padded array: the distinct sets by np.unique.
    counts = np.diff(sub.indptr)
    padded = np.full((len(open_cells), max(int(counts.max(initial=0)), 1)), -1, dtype=np.int64)
    padded[
        np.repeat(np.arange(len(open_cells)), counts),
        np.arange(sub.nnz) - np.repeat(sub.indptr[:-1], counts),
    ] = sub.indices
    base = len(bind_limits) + 1
    if padded.shape[1] * math.log2(base) < 62:  # each row as one number: a 1-D unique
        number = (padded + 1) @ (base ** np.arange(padded.shape[1], dtype=np.int64))
        _, first, set_of = np.unique(number, return_index=True, return_inverse=True)
        distinct = padded[first]
    else:
        distinct, set_of = np.unique(padded, axis=0, return_inverse=True)
    set_of = set_of.ravel()  # which distinct set blocks each cell
    sets = [tuple(bind_limits[k] for k in key if k >= 0) for key in distinct.tolist()]
    limits = [sets[i] for i in set_of.tolist()]
    limited_by = {id(lims): Message("reason_limited_by", {"limits": lims}) for lims in sets}
    margin = "reason_not_needed" if lp_model.sense == "min" else "reason_alternatives"

    needs = {
        NEEDED_EXACT: "reason_needs_value",
        NEEDED_BOUND: "reason_needs_at_least",
        NEEDED_ESTIMATE: "reason_needs_estimate",
    }

    def reason(v: float, extra: float, lims: tuple[Message, ...], how: str) -> Message:
        limited: Message | str = limited_by[id(lims)] if lims else ""
        if v <= 0:
            return Message("reason_no_value")
        if extra != extra:  # NaN: no prices (whole-units plan without an LP to price it)
            return Message("reason_integer", {"limited": limited})
        if extra == math.inf:
            return Message("reason_never", {"limited": limited})
        if extra > BINDING:
            return Message(needs[how], {"needed": v + extra, "value": v, "limited": limited})
        return Message("reason_margin_more", {"limits": lims}) if lims else Message(margin)

    why = [
        reason(v, e, lims, how)
        for v, e, lims, how in zip(value.tolist(), needed_extra.tolist(), limits, kind.tolist())
    ]
    t = Translator()
    memo: dict[int, str] = {}  # each shared part is rendered once
    blocked = {id(lims): t.join(lims, memo=memo) for lims in sets}
    frame = pd.DataFrame(
        {
            UNITS: units[open_cells],
            MAX_UNITS: cells.units[open_cells],
            NEXT_UNIT: full[open_cells] + 1,
            VALUE: value,
            NEEDED_VALUE: value + needed_extra,
            NEEDED_KIND: kind,
            REDUCED_COST: reduced,
            BLOCKED_BY: [blocked[id(lims)] for lims in limits],
            # Reasons of one code blocked by one set share their words but for the numbers.
            REASON: render_many(
                t,
                why,
                memo,
                pd.factorize(np.array([w.code for w in why], dtype=object))[0] * len(sets) + set_of,
            ),
            WHY: why,
            LIMITS: limits,
        },
        index=cells.index[open_cells],
    )
    return frame[cols_out]


def render_many(
    t: Translator, messages: list[Message], memo: dict[int, str], groups: np.ndarray | None = None
) -> list[str]:
    """`[t.render(m, memo) for m in messages]`, made a template at a time: the messages of one
    code whose other parameters are the same objects (the reasons of cells blocked by the same
    limits) share the template's text, and each of their numbers is put into words once per
    distinct value (thousands of reasons took most of a second one by one). Each piece is put
    into words by the translator's own field formatting, so the texts are the same.

    `groups`: a label per message, equal only where the code and every non-number parameter
    are the same objects (the caller often knows them); found here when None."""
    n = len(messages)
    if groups is None:
        keys = [
            (m.code, *((k, None if _is_number(v) else id(v)) for k, v in m.params.items()))
            for m in messages
        ]
        groups = pd.factorize(pd.Series(keys, dtype=object))[0]
    labels = np.asarray(groups)
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    out = np.empty(n, dtype=object)
    for rows in np.split(order, bounds) if n else []:
        first = messages[int(rows[0])]
        entry = t.texts.get(first.code)
        if entry is None or not first.params or len(rows) == 1:
            out[rows] = [t.render(messages[i], memo) for i in rows.tolist()]
            continue
        template = entry[1] if t.lang == "ru" else entry[0]
        text = np.full(len(rows), "", dtype=object)
        for literal, name, spec, _ in string.Formatter().parse(template):
            text = text + literal
            if name is None:
                continue
            value = first.params[name]
            if not _is_number(value):
                text = text + t._field(value, spec or "", memo)
                continue
            # Each distinct number once (floats as floats, any other kind as it is).
            numbers = [messages[i].params[name] for i in rows.tolist()]
            if all(type(x) is float for x in numbers):
                # by their bits: -0.0 and 0.0 are two numbers to a format spec such as "g"
                codes, uniques = pd.factorize(np.asarray(numbers, dtype=float).view(np.int64))
                distinct = uniques.view(np.float64).tolist()
                words = np.array(t.number_fields(distinct, spec or ""), dtype=object)
            else:
                codes, distinct = np.arange(len(numbers)), numbers
                words = np.array([t._field(v, spec or "", memo) for v in distinct], dtype=object)
            text = text + words[codes]
        out[rows] = text
    return out.tolist()


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


# ---- needed values --------------------------------------------------------------------------
# "auto" computes exact needed values when the continuous max-value model has at most
# limits.NEEDED_EXACT_UP_TO_COLUMNS columns, within a budget of re-solves and seconds
# (optimizer/limits.py); each cell costs one to twenty warm re-solves, and a re-solve grows with
# the model (benchmarks/bench_reasons.py).
NEEDED_MODES: tuple[str, ...] = ("auto", "exact", "bound")


@dataclass(frozen=True)
class NeededBudget:
    """How far the exact search of needed values may go: re-solves (None: no cap) and seconds."""

    resolves: int | None
    seconds: float


class _OutOfBudget(Exception):
    """The exact search spent its budget: the cell being searched keeps its bound."""


class _ValueProbe:
    """The continuous max-value model on one warm-started HiGHS object, re-solved with one
    cell's first-unit value changed as the user would change it: the cell's objective, its
    coefficients in its client's floor row and the floor itself (a share of the attainable
    value, which the cell's value is part of) all follow the value."""

    def __init__(
        self, problem: Problem, model: Model, settings: Settings, budget: NeededBudget
    ) -> None:
        self.model = model
        self.settings = settings
        self.budget = budget
        self.t0 = time.perf_counter()
        self.h = highs_model(model, relax=True)
        # The same scaling of the objective as the plan's own solve (see OBJECTIVE_BAND).
        self.h.setOptionValue("user_objective_scale", objective_scale(model.c))
        cells = model.cells
        decay = problem.methods[DECAY].to_numpy(dtype=float)[cells.method]
        self.decay_pow = decay[model.col_cell] ** (model.col_k - 1)
        self.weight = problem.clients[WEIGHT].to_numpy(dtype=float)[cells.client]
        self.starts = np.cumsum(cells.units) - cells.units
        kinds = model.rows["kind"].to_numpy()
        self.floor_row = np.full(len(model.clients), -1)
        floors = np.flatnonzero(kinds == FLOOR)
        self.floor_row[model.clients.get_indexer(model.rows[CLIENT_ID].to_numpy()[floors])] = floors
        self.share = problem.clients[MIN_VALUE_SHARE].to_numpy(dtype=float)
        self.cell = -1
        self.runs = 0

    def _set(self, cell: int, v: float) -> None:
        m = self.model
        cols = np.arange(self.starts[cell], self.starts[cell] + m.cells.units[cell], dtype=np.int32)
        g = self.decay_pow[cols]
        self.h.changeColsCost(len(cols), cols, np.ascontiguousarray(self.weight[cell] * v * g))
        row = int(self.floor_row[m.cells.client[cell]])
        if row >= 0:
            for j, gj in zip(cols.tolist(), g.tolist()):
                self.h.changeCoeff(row, j, v * gj)
            shift = self.share[m.cells.client[cell]] * (v - m.cells.value[cell]) * float(g.sum())
            self.h.changeRowBounds(row, float(m.row_lo[row] + shift), math.inf)

    def start(self) -> bool:
        """Solve at the bundle's values once and keep that optimum's basis for `enters`."""
        import highspy

        self._check_budget()
        h = self.h
        h.run()
        self.runs += 1
        self.base: dict[str, np.ndarray] | None = None
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return False
        sol, basis = h.getSolution(), h.getBasis()
        if not (sol.dual_valid and basis.valid):
            return False
        basic = highspy.HighsBasisStatus.kBasic
        self.base = {
            "x": np.asarray(sol.col_value, dtype=float),
            "act": np.asarray(sol.row_value, dtype=float),
            "d": np.asarray(sol.col_dual, dtype=float),
            "col_basic": np.array([s == basic for s in basis.col_status], dtype=bool),
            "row_basic": np.array([s == basic for s in basis.row_status], dtype=bool),
            "basic": np.asarray(h.getBasicVariables()[1], dtype=np.int64),
        }
        self.A = self.model.A.tocsc()
        return True

    def enters(self, cell: int, base: int, c: float) -> bool:
        """True when, with the cell's first-unit value just above `c`, the optimum is proven
        without a re-solve to take more than `base` units: in the optimum at the bundle's
        values the cell's next unit is nonbasic and its reduced cost is zero at `c` (so the
        value above `c` prices it in), none of the cell's columns is basic (the prices stay),
        the client has no floor (nothing else moves with the value), and the simplex edge of
        that unit leaves the optimum's vertex with a step over FUNDED (not degenerate). Then
        a point of the edge is worth more than every plan with at most `base` units of the
        cell, so every optimum takes more. False: not proven (a re-solve decides)."""
        b = getattr(self, "base", None)
        m = self.model
        # HiGHS holds the optimum's basis only until the next re-solve.
        if b is None or self.runs != 1 or self.floor_row[m.cells.client[cell]] >= 0:
            return False
        s, k = int(self.starts[cell]), int(m.cells.units[cell])
        cols = np.arange(s, s + k)
        j = s + base
        x = b["x"]
        g = self.decay_pow[cols]
        # The funded units are the `base` most valuable ones (no plan with at most `base`
        # units of the cell gets more of its value), and the next unit holds none.
        top = float(np.sort(g)[::-1][:base].sum())
        if b["col_basic"][cols].any() or x[j] > FUNDED or float(g @ x[cols]) < top * (1 - TINY):
            return False
        wg = float(self.weight[cell] * g[base])
        if not wg > 0:
            return False
        v_star = float(m.cells.value[cell]) - float(b["d"][j]) / wg  # reduced cost zero here
        if not abs(v_star - c) <= NEEDED_RTOL * 1e-2 * max(abs(c), TINY):
            return False
        import highspy

        status, alpha = self.h.getReducedColumn(j)[:2]
        if status != highspy.HighsStatus.kOk:
            return False
        alpha = np.asarray(alpha, dtype=float)
        basic = b["basic"]
        struct = basic >= 0
        step = np.zeros(m.n_cols)
        step[basic[struct]] = -alpha[struct]
        step[j] = 1.0
        change = self.A @ step
        big = max(float(np.abs(step).max()), float(np.abs(change).max()), 1.0)
        tol = PIVOT_RTOL * big
        # Rows at their bound (logical not basic) must not move along the edge.
        if np.abs(change[~b["row_basic"]]).max(initial=0.0) > tol:
            return False
        # The ratio test: how far the edge goes before a column or a row meets its bound
        # (an infinite bound gives an infinite ratio).
        up, down = step > tol, step < -tol
        act = b["act"]
        up_r, down_r = change > tol, change < -tol
        ratios = np.concatenate(
            [
                (m.col_hi[up] - x[up]) / step[up],
                (x[down] - m.col_lo[down]) / -step[down],
                (m.row_hi[up_r] - act[up_r]) / change[up_r],
                (act[down_r] - m.row_lo[down_r]) / -change[down_r],
            ]
        )
        return bool(max(float(ratios.min()), 0.0) > FUNDED)  # step[j] = 1 is always there

    def _check_budget(self) -> None:
        b = self.budget
        if (b.resolves is not None and self.runs >= b.resolves) or (
            time.perf_counter() - self.t0 > b.seconds
        ):
            raise _OutOfBudget

    def units(self, cell: int, v: float) -> float | None:
        """Units of `cell` in the optimum with its first-unit value at `v` (None: no plan).
        Raises _OutOfBudget before a re-solve the budget does not cover."""
        got = self.solve_at(cell, v)
        return None if got is None else got[0]

    def solve_at(self, cell: int, v: float) -> tuple[float, float, float] | None:
        """(units of `cell`, the optimum's value, its slope in `v`: the weighted value of the
        cell's units per unit of first-unit value) with the cell's first-unit value at `v`;
        None: no plan. Raises _OutOfBudget before a re-solve the budget does not cover."""
        self._check_budget()
        if self.cell >= 0 and self.cell != cell:
            self._set(self.cell, float(self.model.cells.value[self.cell]))  # restore
        self.cell = cell
        self._set(cell, v)
        h = self.h
        h.setOptionValue("time_limit", float(h.getRunTime()) + float(self.settings.time_limit_s))
        h.run()
        self.runs += 1
        raw = highs_result(h, False)
        if raw.status != OPTIMAL or raw.x is None or raw.objective is None:
            return None
        s = int(self.starts[cell])
        x = raw.x[s : s + int(self.model.cells.units[cell])]
        slope = float(self.weight[cell]) * float(self.decay_pow[s : s + len(x)] @ x)
        return float(x.sum()), float(raw.objective), slope


def _bound_holds(
    problem: Problem,
    model: Model,
    x: np.ndarray,
    duals: np.ndarray,
    open_cells: np.ndarray,
    needed: np.ndarray,
) -> np.ndarray:
    """True where the reduced-cost value `needed` of an unfunded next unit is a lower bound of
    its threshold: the client has no floor, or its floor has no price and the plan still meets
    it with the cell's value at `needed` (then the plan and its prices stay optimal for every
    value up to `needed`, and complementary slackness keeps the next unit out)."""
    rows = model.rows
    floor_row = np.full(len(model.clients), -1)
    floors = np.flatnonzero(rows["kind"].to_numpy() == FLOOR)
    floor_row[model.clients.get_indexer(rows[CLIENT_ID].to_numpy()[floors])] = floors
    row = floor_row[model.cells.client[open_cells]]
    ok = row < 0
    has = ~ok
    if not has.any():
        return ok
    r = row[has]
    cells_h = open_cells[has]
    v0 = model.cells.value[cells_h]
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = needed[has] / v0 - 1
    n_cells = len(model.cells.value)
    own = np.bincount(model.col_cell, weights=model.unit_value * x, minlength=n_cells)[cells_h]
    total = np.bincount(model.col_cell, weights=model.unit_value, minlength=n_cells)[cells_h]
    share = problem.clients[MIN_VALUE_SHARE].to_numpy(dtype=float)[model.cells.client[cells_h]]
    delivered = (model.A @ x)[r] + rel * own
    floor_at_v = model.row_lo[r] + share * rel * total
    ok[has] = (np.abs(duals[r]) <= ZERO_PRICE) & (delivered >= floor_at_v - BINDING)
    return ok


def _needed_values(
    problem: Problem,
    model: Model,
    x: np.ndarray,
    open_cells: np.ndarray,
    full: np.ndarray,
    estimate: np.ndarray,
    bound: np.ndarray,
    budget: NeededBudget,
) -> tuple[np.ndarray, np.ndarray]:
    """The needed value of each open cell and whether it is exact (True) or not searched.

    Exact: the smallest first-unit value at which the optimum takes some of the cell's next
    unit (units above `full`), within NEEDED_RTOL. The reduced-cost value `estimate` is tried
    first and kept when a re-solve NEEDED_RTOL above it funds the next unit and one below does
    not; where `bound` holds (`_bound_holds`: no value below `estimate` funds it) the one below
    needs no re-solve. Otherwise a bracket is grown from it and bisected, every probe a warm
    re-solve. The cells proven by prices alone to be bounds come first (one re-solve each when
    the prices' value is the threshold); when the budget runs out the cell being searched and
    every later one are left as they were (not exact)."""
    needed = np.array(estimate, dtype=float, copy=True)
    exact = np.zeros(len(open_cells), dtype=bool)
    if not len(open_cells):
        return needed, exact
    probe = _ValueProbe(problem, model, problem.settings, budget)
    order = np.argsort(~np.asarray(bound, dtype=bool), kind="stable")  # bounds first
    try:
        # First every cell proven from the optimum's basis (no re-solve), then the others.
        if probe.start():
            for n in np.flatnonzero(bound & (needed > 0) & np.isfinite(needed)).tolist():
                if time.perf_counter() - probe.t0 > budget.seconds:
                    raise _OutOfBudget
                exact[n] = probe.enters(int(open_cells[n]), int(full[n]), float(needed[n]))
        for n in order.tolist():
            cell = int(open_cells[n])
            v0 = float(model.cells.value[cell])
            if exact[n] or not v0 > 0 or not math.isfinite(needed[n]):
                continue
            found = _threshold(probe, cell, int(full[n]), float(needed[n]), v0, bool(bound[n]))
            needed[n], exact[n] = found, True
    except _OutOfBudget:
        pass
    finally:
        if probe.cell >= 0:
            probe._set(probe.cell, float(model.cells.value[probe.cell]))
    return needed, exact


# Tangent steps of the threshold search before it bisects what is left of its bracket.
TANGENT_STEPS = 6


def _threshold(
    probe: _ValueProbe, cell: int, base: int, estimate: float, v0: float, bound: bool
) -> float:
    """The first-unit value from which the optimum takes more than `base` units of `cell`
    (inf: none tried does, 0: every one does), searched from the prices' value `estimate`;
    `bound`: no value below `estimate` does (proven from the prices)."""
    eps = NEEDED_RTOL
    seen: dict[float, tuple[float, float]] = {}  # v -> (the optimum's value, its slope)

    def takes(v: float) -> bool:
        got = probe.solve_at(cell, v)
        if got is None:
            return False
        seen[v] = got[1:]
        return got[0] > base + FUNDED

    c = max(estimate, 0.0)
    hi_ok = takes(c * (1 + eps)) if c > 0 else True
    if hi_ok and (bound or not (c > 0 and takes(c * (1 - eps)))):
        return c  # the reduced cost was the threshold
    # Grow a bracket [a, b]: a does not take the next unit, b does.
    if not hi_ok:
        a, b = c * (1 + eps), max(c, v0) * 2
        for _ in range(12):  # up to about 10^7 times the value
            if takes(b):
                break
            a, b = b, b * 4
        else:
            return math.inf  # no value tried funds it
    else:
        a, b = c * 0.5, c * (1 - eps)
        for _ in range(12):
            if not takes(a):
                break
            a, b = a / 4, a
        else:
            return 0.0
    # Without a floor only the cell's objective moves with its value, so the optimum's value
    # is convex and piecewise linear in it, its slope the cell's weighted units: where the
    # tangents at a and b meet is the one change of slope between them, if there is one. Two
    # re-solves either side of that point then close the bracket (bisection needs about 13).
    if probe.floor_row[probe.model.cells.client[cell]] < 0:
        for _ in range(TANGENT_STEPS):
            if b - a <= eps * b or a not in seen or b not in seen:
                break
            (za, sa), (zb, sb) = seen[a], seen[b]
            if not sb > sa * (1 + eps) + TINY:
                break
            meet = (za - zb - sa * a + sb * b) / (sb - sa)
            lo, hi = meet * (1 - 0.5 * eps), meet * (1 + 0.5 * eps)
            if not a < lo < hi < b:
                break
            if not takes(hi):
                a = hi
            elif takes(lo):
                b = lo
            else:
                a, b = lo, hi
    while b - a > eps * b:
        mid = 0.5 * (a + b)
        if takes(mid):
            b = mid
        else:
            a = mid
    return 0.5 * (a + b)


def _row_limits(problem: Problem, model: Model) -> list[Message]:
    """Each row as the limit it sets, in the user's names."""
    # dict(zip(...)) of the columns' lists: Series.to_dict walks an Arrow column item by item
    # (10,000 clients: 12 ms against 1 ms).
    pool, method, client = (
        dict(zip(t.index.tolist(), t[NAME].tolist()))
        for t in (problem.resources, problem.methods, problem.clients)
    )
    rows = model.rows
    out: list[Message] = []
    for kind, r, c, m in zip(rows["kind"], rows[RESOURCE_ID], rows[CLIENT_ID], rows[METHOD_ID]):
        if kind == POOL:
            out.append(Message("limit_pool", {"pool": pool[r]}))
        elif kind == CLIENT_CAP:
            out.append(Message("limit_client_cap", {"client": client[c], "pool": pool[r]}))
        elif kind == METHOD_CAP:
            out.append(Message("limit_method_cap", {"method": method[m]}))
        elif kind == FLOOR:
            out.append(Message("limit_floor", {"client": client[c]}))
        else:
            out.append(Message("limit_target"))
    return out


def constraint_report(model: Model, x: np.ndarray, duals: np.ndarray | None) -> pd.DataFrame:
    """Each named constraint with its activity, bounds and dual (shadow price)."""
    frame = model.rows.copy()
    frame["activity"] = model.A @ x
    frame["lower"] = model.row_lo
    frame["upper"] = model.row_hi
    frame[SHADOW_PRICE] = duals if duals is not None else np.nan
    return frame.set_index("name")


# ---- the entry point ------------------------------------------------------------------------
def solve(problem: Problem, settings: Settings | None = None, needed: str = "auto") -> Result:
    """Solve the problem under its settings (or `settings`) and return a Result.

    `needed`: how the unfunded cells' needed values are computed: "exact" (confirmed by
    re-solves), "bound" (from the prices only: a lower bound, or an estimate where no bound
    holds), or "auto": exact up to limits.NEEDED_EXACT_UP_TO_COLUMNS columns within a budget of
    re-solves and seconds (optimizer/limits.py), bound above. Cells the search does not reach
    keep their bound or estimate, and NEEDED_KIND says which each number is."""
    t0 = time.perf_counter()
    if needed not in NEEDED_MODES:
        raise ValueError(f"needed must be one of {', '.join(NEEDED_MODES)}, not {needed!r}")
    if settings is not None:
        problem = replace(problem, settings=settings)
    s = problem.settings
    solver_name = SOLVER_NAMES.get(s.solver, s.solver)
    fp = problem.fingerprint()

    def no_plan(
        status: str,
        conflicts: tuple[Conflict, ...] = (),
        notes: tuple[Message, ...] = (),
        message: str = "",
        target: float | None = None,
    ) -> Result:
        return Result(
            status=status,
            status_text=_status_text(status, None, False),
            objective=None,
            solver=solver_name,
            seconds=time.perf_counter() - t0,
            gap=None,
            settings=s,
            fingerprint=fp,
            conflicts=tuple(conflicts),
            explanation=tuple(m.text() for m in notes),
            notes=tuple(notes),
            message=message,
            target_value=target,
            **_empty_frames(problem),
        )

    target = None
    if s.objective == "min_cost":
        best = solve(replace(problem, settings=s.with_(objective="max_value")), needed="bound")
        if not best.has_plan or best.objective is None:
            return replace(best, settings=s, seconds=time.perf_counter() - t0)
        target = s.target_value_share * float(best.objective)
        # A hair under the target keeps the rounding of the reference solve from biting.
        model = build_model(problem, "min_cost", target * (1 - TARGET_SLACK))
    else:
        model = build_model(problem, "max_value")

    relaxed = None
    if model.integer:
        raw, relaxed = _solve_whole_units(model, s)
    else:
        raw = run_model(model, s)
    if raw.status == INFEASIBLE:
        conflicts, notes = explain_infeasible(problem, model, s)
        return no_plan(INFEASIBLE, conflicts, notes, target=target)
    if raw.status == ERROR:
        return no_plan(
            ERROR,
            notes=(Message("solver_failed", {"error": raw.message}),),
            message=raw.message,
            target=target,
        )

    if raw.x is None:  # a plan status always comes with a plan; say so if it ever did not
        return no_plan(
            ERROR,
            notes=(Message("solver_failed", {"error": "no solution"}),),
            message="no solution",
            target=target,
        )
    x = np.clip(raw.x, model.col_lo, model.col_hi)
    lp_obj = None
    duals = raw.row_dual
    price_model = model
    if model.integer:
        x = np.round(x)
    # Units of a cell use the same resources but are worth less and less, so a plan that skips
    # an earlier unit (a time-limited MIP may) is no better than taking the units in order:
    # reorder them so a cell's value always matches its units.
    x = x[np.lexsort((-x, model.col_cell))]
    if model.integer:
        lp_obj = relaxed.objective if relaxed is not None and relaxed.status == OPTIMAL else None
        # Prices for whole units: keep the chosen units, let the rest be taken fractionally.
        price_model = model.with_bounds(np.maximum(model.col_lo, x), model.col_hi)
        duals = _fixed_prices(model, x, s)
    search: str | NeededBudget = "bound"
    if needed == "exact":
        search = NeededBudget(None, limits.NEEDED_EXACT_SECONDS)
    elif needed == "auto" and model.n_cols <= limits.NEEDED_EXACT_UP_TO_COLUMNS:
        search = NeededBudget(limits.NEEDED_AUTO_RESOLVES, limits.NEEDED_AUTO_SECONDS)
    frames = _frames(problem, model, x, duals, price_model, search)
    objective = float(model.c @ x)
    gap = raw.gap
    if model.integer and gap is None and raw.bound is not None:
        gap = abs(raw.bound - objective) / max(abs(objective), GAP_FLOOR)
    status, bound = raw.status, raw.bound
    if model.integer and status == FEASIBLE and lp_obj is not None:
        # The LP relaxation bounds every whole-units plan too: when the solver stopped before
        # its own bound was as good (or, like CBC here, reports none), the gap comes from it.
        lp_gap = max(0.0, lp_obj - objective if model.sense == "max" else objective - lp_obj)
        lp_gap /= max(abs(objective), GAP_FLOOR)
        if gap is None or lp_gap < gap:
            gap, bound = lp_gap, lp_obj
        if gap <= s.mip_gap:
            status = OPTIMAL  # proven within the requested gap
    if model.integer and status == OPTIMAL:
        # What one more step of each pool is worth, by re-solving: only for a plan proven
        # within the gap (the difference of two unproven plans says little).
        steps, step_prices = _step_prices(model, x, s)
        frames["pools"][PRICE_STEP] = steps
        frames["pools"][STEP_PRICE] = step_prices
    return Result(
        status=status,
        status_text=_status_text(status, gap, model.integer),
        objective=objective,
        solver=solver_name,
        seconds=time.perf_counter() - t0,
        gap=gap,
        settings=s,
        fingerprint=fp,
        bound=bound if model.integer else None,
        lp_objective=lp_obj,
        money_spent=float(frames["pools"].at[problem.money_pool, USED])
        if len(problem.pools)
        else None,
        target_value=target,
        constraints=constraint_report(price_model, x, duals),
        **frames,
    )
