"""Choose and run the solver, map its status to words, and turn its answer into a Result.

Values are never read from a solver before its status says there is a solution.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

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
    ERROR,
    FEASIBLE,
    INFEASIBLE,
    IS_FUNDED,
    LIMITS,
    MAX_UNITS,
    METHOD_ID,
    MIN_VALUE_SHARE,
    NAME,
    NEEDED_VALUE,
    NEXT_UNIT,
    OPTIMAL,
    REASON,
    REDUCED_COST,
    RESOURCE_ID,
    SEGMENT,
    SHADOW_PRICE,
    SHARE,
    SLACK,
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
from .tolerances import (
    BINDING,
    FEASIBILITY,
    FUNDED,
    GAP_FLOOR,
    ROUNDED_ROW,
    ROUNDING,
    TARGET_SLACK,
    TINY,
    ZERO_PRICE,
    funded,
)

# HiGHS options measured on this model (benchmarks/bench_engine.py): presolve spends seconds on
# the few dense pool rows and removes almost nothing (2,500 clients: 2.4 s with presolve,
# 0.28 s without, same optimum), and whole-units solves are also faster without it.
HIGHS_OPTIONS: dict[str, object] = {"presolve": "off"}
# Above this many columns a continuous solve uses the interior-point method with crossover (a
# basic, vertex solution as from simplex): dual simplex pays for the dense pool rows at every
# iteration (10,000 clients: 4.7 s simplex, 0.45 s IPM; 250 clients: 5 ms vs 7 ms).
IPM_FROM_COLUMNS = 10_000
# Above this many rows the group-relaxation search for a conflict set is too slow to offer.
MAX_ROWS_FOR_RELAXATION = 400
# A conflicting set from HiGHS with at most this many requirements is reduced to an irreducible
# one (one LP per requirement).
MAX_GROUPS_TO_REDUCE = 60


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
    h.passModel(lp)
    return h


def _run_highs(
    model: Model, settings: Settings, relax: bool = False, start: np.ndarray | None = None
) -> Raw:
    h = highs_model(model, relax)
    h.setOptionValue("time_limit", float(settings.time_limit_s))
    mip = model.integer and not relax
    if mip:
        h.setOptionValue("mip_rel_gap", float(settings.mip_gap))
        if start is not None:
            h.setSolution(
                model.n_cols, np.arange(model.n_cols, dtype=np.int32), start.astype(np.float64)
            )
    elif model.n_cols >= IPM_FROM_COLUMNS:
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "on")
    h.run()
    return highs_result(h, mip)


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
    prob, ys = to_pulp(replace(model, integer=integer))
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
        duals = np.array(
            [c.pi if c.pi is not None else 0.0 for c in pulp_constraints(prob)], dtype=float
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
def _feasible(model: Model, settings: Settings) -> bool:
    probe = replace(model, c=np.zeros(model.n_cols), integer=False)
    return run_model(probe, settings).status in (OPTIMAL, FEASIBLE)


def _highs_iis(model: Model) -> tuple[list[int], list[int]] | None:
    """Rows and columns of an irreducible infeasible subset from HiGHS, if it offers one.

    Only bounds a user set are kept: a commitment (lower bound above 0), and a unit cap (upper
    bound) when a floor or the target is in the set; y >= 0 is structural, not a requirement.
    """
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
    kinds = set(model.rows["kind"].iloc[rows])
    wants_caps = bool(kinds & {FLOOR, TARGET})
    keep = [
        j
        for j, b in zip(cols, bounds)
        if (b in lower and model.col_lo[j] > 0) or (b in upper and wants_caps)
    ]
    return rows, keep


def _relaxation_iis(
    model: Model, settings: Settings, rows: list[int] | None = None, cells: list[int] | None = None
) -> tuple[list[int], list[int]] | None:
    """Deletion filter over named requirements (each row, each cell's commitment): drop each
    one whose removal leaves the rest still infeasible. Starts from every requirement, or from
    the candidates given (None if those alone are not infeasible)."""
    if cells is None:
        cells = [int(c) for c in np.unique(model.col_cell[model.col_lo > 0])]
    groups: list[tuple[str, int]] = [
        ("row", i) for i in (range(len(model.row_lo)) if rows is None else rows)
    ]
    groups += [("cell", int(c)) for c in cells]
    active = set(range(len(groups)))

    def build(keep: set[int]) -> Model:
        rows_on = np.zeros(len(model.row_lo), bool)
        col_lo = np.zeros(model.n_cols)
        for g in keep:
            kind, i = groups[g]
            if kind == "row":
                rows_on[i] = True
            else:
                sel = model.col_cell == i
                col_lo[sel] = model.col_lo[sel]
        return replace(
            model,
            row_lo=np.where(rows_on, model.row_lo, -np.inf),
            row_hi=np.where(rows_on, model.row_hi, np.inf),
            col_lo=col_lo,
        )

    if rows is not None and _feasible(build(active), settings):
        return None
    for g in range(len(groups)):
        trial = active - {g}
        if not _feasible(build(trial), settings):
            active = trial  # still infeasible without g: g is not needed for the conflict
    kept_rows = [groups[g][1] for g in sorted(active) if groups[g][0] == "row"]
    kept_cells = [groups[g][1] for g in sorted(active) if groups[g][0] == "cell"]
    cols = [
        int(j) for j in np.flatnonzero(np.isin(model.col_cell, kept_cells) & (model.col_lo > 0))
    ]
    return kept_rows, cols


def explain_conflicts(
    problem: Problem, model: Model, rows: list[int], cols: list[int]
) -> tuple[Conflict, ...]:
    """Each requirement of a conflicting set as a Conflict: a message code with the user's
    names and amounts, the ids, the bound and what the commitments alone need of it."""
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
    capped_cells = sorted({int(model.col_cell[j]) for j in cols if model.col_lo[j] <= 0})
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
    for cell in capped_cells:
        c = model.clients[model.cells.client[cell]]
        m = model.methods[model.cells.method[cell]]
        by_client.setdefault(c, []).append(
            Message("cell_max_item", {"n": int(model.cells.units[cell]), "method": met.at[m, NAME]})
        )
    for c, caps in by_client.items():
        msg = Message("conflict_cell_max", {"client": cli.at[c, NAME], "caps": caps})
        out.append(Conflict(CELL_MAX, msg, client_id=c, constraint=f"max_units[{c}]"))
    return tuple(out)


def explain_infeasible(
    problem: Problem, model: Model, settings: Settings
) -> tuple[tuple[Conflict, ...], tuple[Message, ...]]:
    found = _highs_iis(model)
    if found is not None:
        # HiGHS's subset need not be irreducible (budget 1 EUR against four commitments lists
        # all four); the deletion filter over its few requirements makes it so.
        rows, cols = found
        cells = sorted({int(model.col_cell[j]) for j in cols if model.col_lo[j] > 0})
        if len(rows) + len(cells) <= MAX_GROUPS_TO_REDUCE:
            reduced = _relaxation_iis(model, settings, rows, cells)
            if reduced is not None:
                kinds = set(model.rows["kind"].iloc[reduced[0]])
                caps = [j for j in cols if model.col_lo[j] <= 0] if kinds & {FLOOR, TARGET} else []
                found = (reduced[0], reduced[1] + caps)
    elif len(model.row_lo) <= MAX_ROWS_FOR_RELAXATION:
        found = _relaxation_iis(model, settings)
    if found is None:
        return (), (Message("infeasible_too_large"),)
    conflicts = explain_conflicts(problem, model, *found)
    return conflicts, conflict_notes(conflicts)


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
    problem: Problem, model: Model, x: np.ndarray, duals: np.ndarray | None, lp_model: Model
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
        },
        index=res.index,
    )
    return {
        "allocation": alloc,
        "clients": clients,
        "methods": methods,
        "pools": pool_frame,
        "unfunded": _unfunded(problem, model, x, units, duals, lp_model),
    }


def _unfunded(
    problem: Problem,
    model: Model,
    x: np.ndarray,
    units: np.ndarray,
    duals: np.ndarray | None,
    lp_model: Model,
) -> pd.DataFrame:
    """For each cell below its max units: the value it would need, and what blocks it."""
    cells = model.cells
    open_cells = np.flatnonzero(units < cells.units - FUNDED)
    cols_out = [
        UNITS,
        MAX_UNITS,
        NEXT_UNIT,
        VALUE,
        NEEDED_VALUE,
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
    # The binding capacity rows that each next unit uses (one sparse slice, no per-cell matrix
    # indexing), as the limits named in the reason.
    sub = A[:, next_col][np.flatnonzero(binding), :].tocsc()
    sub.eliminate_zeros()
    labels = _row_limits(problem, lp_model)
    bind_limits = [labels[i] for i in np.flatnonzero(binding)]
    # Cells blocked by the same limits share one tuple of them (and one "limited by" part), so
    # each distinct set is put into words once, however many cells it blocks.
    sets: dict[tuple[int, ...], tuple[Message, ...]] = {}
    limits = []
    for n in range(len(open_cells)):
        key = tuple(sub.indices[sub.indptr[n] : sub.indptr[n + 1]].tolist())
        lims = sets.get(key)
        if lims is None:
            lims = sets[key] = tuple(bind_limits[k] for k in key)
        limits.append(lims)
    limited_by = {
        id(lims): Message("reason_limited_by", {"limits": lims}) for lims in sets.values()
    }
    margin = "reason_not_needed" if lp_model.sense == "min" else "reason_alternatives"

    def reason(v: float, extra: float, lims: tuple[Message, ...]) -> Message:
        limited: Message | str = limited_by[id(lims)] if lims else ""
        if v <= 0:
            return Message("reason_no_value")
        if extra != extra:  # NaN: no prices (whole-units plan without an LP to price it)
            return Message("reason_integer", {"limited": limited})
        if extra > BINDING:
            return Message(
                "reason_needs_value", {"needed": v + extra, "value": v, "limited": limited}
            )
        return Message("reason_margin_more", {"limits": lims}) if lims else Message(margin)

    why = [reason(v, e, lims) for v, e, lims in zip(value.tolist(), needed_extra.tolist(), limits)]
    t = Translator()
    memo: dict[int, str] = {}  # each shared part is rendered once
    blocked = {id(lims): t.join(lims, memo=memo) for lims in sets.values()}
    with np.errstate(divide="ignore", invalid="ignore"):
        reduced = -needed_extra * lp_model.weighted[next_col] / np.maximum(value, TINY)
    frame = pd.DataFrame(
        {
            UNITS: units[open_cells],
            MAX_UNITS: cells.units[open_cells],
            NEXT_UNIT: full[open_cells] + 1,
            VALUE: value,
            NEEDED_VALUE: value + needed_extra,
            REDUCED_COST: reduced,
            BLOCKED_BY: [blocked[id(lims)] for lims in limits],
            REASON: [t.render(w, memo) for w in why],
            WHY: why,
            LIMITS: limits,
        },
        index=cells.index[open_cells],
    )
    return frame[cols_out]


def _row_limits(problem: Problem, model: Model) -> list[Message]:
    """Each row as the limit it sets, in the user's names."""
    pool = problem.resources[NAME].to_dict()
    method = problem.methods[NAME].to_dict()
    client = problem.clients[NAME].to_dict()
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
def solve(problem: Problem, settings: Settings | None = None) -> Result:
    """Solve the problem under its settings (or `settings`) and return a Result."""
    t0 = time.perf_counter()
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
        best = solve(replace(problem, settings=s.with_(objective="max_value")))
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
    frames = _frames(problem, model, x, duals, price_model)
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
