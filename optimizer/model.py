"""Build the allocation model of DESIGN section 2 from a Problem, vectorised.

The model is held as arrays (objective, a sparse constraint matrix, bounds) with a name and a
meaning for every row and column, so that solvers get it without a per-term Python loop and
reports can speak in the user's ids. `to_pulp` gives the same model as a PuLP problem, for CBC
and for the LP file an analyst can audit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .schema import (
    CAPACITY,
    CLIENT_ID,
    COMMITTED_UNITS,
    DECAY,
    MAX_UNITS,
    METHOD_ID,
    MIN_VALUE_SHARE,
    PER_UNIT,
    RESOURCE_ID,
    VALUE,
    WEIGHT,
    Problem,
    client_cap_col,
)

if TYPE_CHECKING:  # PuLP is imported by `to_pulp` only: HiGHS runs without it
    import pulp

INF = float("inf")

# Row kinds: the words reports use for each family of constraints.
POOL = "pool"
CLIENT_CAP = "client_cap"
METHOD_CAP = "method_cap"
FLOOR = "floor"
TARGET = "target"
# Conflict kinds that are bounds of the cells, not rows.
COMMITMENT = "commitment"
CELL_MAX = "cell_max"


@dataclass(frozen=True, eq=False)
class Cells:
    """The offered client x method cells, in model order."""

    client: np.ndarray  # client position per cell
    method: np.ndarray  # method position per cell
    value: np.ndarray  # value of the first unit
    units: np.ndarray  # U, the cell's max units
    committed: np.ndarray
    use: np.ndarray  # (cells, pools) use per unit, overrides applied
    index: pd.MultiIndex  # (client_id, method_id)


@dataclass(frozen=True, eq=False)
class Model:
    """A linear model: optimise c @ y subject to row_lo <= A @ y <= row_hi and col_lo <= y <=
    col_hi."""

    sense: str  # "max" | "min"
    c: np.ndarray
    A: sp.csr_matrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    integer: bool
    rows: pd.DataFrame  # name, kind, resource_id, client_id, method_id
    col_cell: np.ndarray  # cell position of each column
    col_k: np.ndarray  # unit number (1-based) of each column
    unit_value: np.ndarray  # unweighted value of each column (value * decay^(k-1))
    weighted: np.ndarray  # weight * unit_value: the max_value objective
    cells: Cells
    clients: pd.Index
    methods: pd.Index
    pools: pd.Index

    @property
    def n_cols(self) -> int:
        return len(self.c)

    def col_names(self) -> list[str]:
        cid = self.clients[self.cells.client[self.col_cell]]
        mid = self.methods[self.cells.method[self.col_cell]]
        return [f"y[{c},{m},{k}]" for c, m, k in zip(cid, mid, self.col_k)]

    def with_bounds(self, col_lo: np.ndarray, col_hi: np.ndarray) -> Model:
        return replace(self, col_lo=col_lo, col_hi=col_hi)


def build_cells(problem: Problem) -> Cells:
    """Arrays describing each offered cell; overrides replace the method's default use."""
    vals = problem.values
    clients, methods, pools = problem.clients.index, problem.methods.index, problem.resources.index
    ci = clients.get_indexer(vals.index.get_level_values(CLIENT_ID))
    mi = methods.get_indexer(vals.index.get_level_values(METHOD_ID))
    use = (
        problem.methods[list(pools)].to_numpy(dtype=float)[mi]
        if len(pools)
        else np.zeros((len(vals), 0))
    )
    use = np.array(use, dtype=float, copy=True)
    ov = problem.overrides
    if len(ov):
        cell_pos = vals.index.get_indexer(pd.MultiIndex.from_arrays([ov[CLIENT_ID], ov[METHOD_ID]]))
        ok = cell_pos >= 0
        use[cell_pos[ok], pools.get_indexer(ov[RESOURCE_ID][ok])] = ov[PER_UNIT][ok].to_numpy()
    return Cells(
        client=ci,
        method=mi,
        value=vals[VALUE].to_numpy(dtype=float),
        units=vals[MAX_UNITS].to_numpy(dtype=float).astype(int),
        committed=vals[COMMITTED_UNITS].to_numpy(dtype=float).astype(int),
        use=use,
        index=vals.index,
    )


def attainable_per_client(problem: Problem, cells: Cells | None = None) -> pd.Series:
    """Value each client would get with every offered method at its cap (unweighted)."""
    cells = cells or build_cells(problem)
    decay = problem.methods[DECAY].to_numpy(dtype=float)[cells.method]
    # geometric sum: v * (1 - d^U) / (1 - d), or v * U when d == 1
    with np.errstate(divide="ignore", invalid="ignore"):
        total = np.where(
            decay < 1,
            cells.value * (1 - decay**cells.units) / (1 - decay),
            cells.value * cells.units,
        )
    out = np.bincount(cells.client, weights=total, minlength=len(problem.clients))
    return pd.Series(out, index=problem.clients.index)


def build_model(
    problem: Problem, objective: str | None = None, target_value: float | None = None
) -> Model:
    """The model for `problem`; `min_cost` needs `target_value` (weighted value to reach)."""
    objective = objective or problem.settings.objective
    cells = build_cells(problem)
    clients, methods, pools = problem.clients.index, problem.methods.index, problem.resources.index
    n_cells = len(cells.value)

    # Columns: one per (cell, unit k); the k-th unit is worth decay^(k-1) of the first.
    col_cell = np.repeat(np.arange(n_cells), cells.units)
    starts = np.repeat(np.cumsum(cells.units) - cells.units, cells.units)
    col_k = np.arange(len(col_cell)) - starts + 1
    decay = problem.methods[DECAY].to_numpy(dtype=float)[cells.method][col_cell]
    unit_value = cells.value[col_cell] * decay ** (col_k - 1)
    weight = problem.clients[WEIGHT].to_numpy(dtype=float)[cells.client][col_cell]
    weighted = weight * unit_value
    col_client = cells.client[col_cell]
    col_method = cells.method[col_cell]
    n = len(col_cell)
    cols = np.arange(n)

    blocks_r: list[np.ndarray] = []
    blocks_c: list[np.ndarray] = []
    blocks_v: list[np.ndarray] = []
    lo: list[np.ndarray] = []
    hi: list[np.ndarray] = []
    meta: list[pd.DataFrame] = []
    n_rows = 0

    def add(
        rows: np.ndarray,
        cols_: np.ndarray,
        vals: np.ndarray,
        row_lo: np.ndarray,
        row_hi: np.ndarray,
        frame: pd.DataFrame,
    ) -> None:
        nonlocal n_rows
        keep = vals != 0
        blocks_r.append(rows[keep] + n_rows)
        blocks_c.append(cols_[keep])
        blocks_v.append(vals[keep])
        lo.append(np.asarray(row_lo, dtype=float))
        hi.append(np.asarray(row_hi, dtype=float))
        meta.append(frame)
        n_rows += len(frame)

    col_use = cells.use[col_cell]  # (n, pools)

    # pool[r]: total use of each pool within its capacity
    if len(pools):
        r_idx = np.repeat(np.arange(len(pools)), n)
        add(
            r_idx,
            np.tile(cols, len(pools)),
            col_use.T.ravel(),
            np.full(len(pools), -INF),
            problem.resources[CAPACITY].to_numpy(dtype=float),
            pd.DataFrame(
                {
                    "name": [f"pool[{p}]" for p in pools],
                    "kind": POOL,
                    RESOURCE_ID: list(pools),
                    CLIENT_ID: None,
                    METHOD_ID: None,
                }
            ),
        )

    # cap[client,pool]: per-client caps
    for pi, p in enumerate(pools):
        caps = problem.clients[client_cap_col(p)].to_numpy(dtype=float)
        capped = np.flatnonzero(~np.isnan(caps))
        if not len(capped):
            continue
        pos = np.full(len(clients), -1)
        pos[capped] = np.arange(len(capped))
        sel = pos[col_client] >= 0
        add(
            pos[col_client][sel],
            cols[sel],
            col_use[sel, pi],
            np.full(len(capped), -INF),
            caps[capped],
            pd.DataFrame(
                {
                    "name": [f"cap[{clients[c]},{p}]" for c in capped],
                    "kind": CLIENT_CAP,
                    RESOURCE_ID: p,
                    CLIENT_ID: list(clients[capped]),
                    METHOD_ID: None,
                }
            ),
        )

    # capacity[method]: units of a method over all clients
    mcap = problem.methods[CAPACITY].to_numpy(dtype=float)
    capped = np.flatnonzero(~np.isnan(mcap))
    if len(capped):
        pos = np.full(len(methods), -1)
        pos[capped] = np.arange(len(capped))
        sel = pos[col_method] >= 0
        add(
            pos[col_method][sel],
            cols[sel],
            np.ones(int(sel.sum())),
            np.full(len(capped), -INF),
            mcap[capped],
            pd.DataFrame(
                {
                    "name": [f"capacity[{methods[m]}]" for m in capped],
                    "kind": METHOD_CAP,
                    RESOURCE_ID: None,
                    CLIENT_ID: None,
                    METHOD_ID: list(methods[capped]),
                }
            ),
        )

    # floor[client]: delivered value at least a share of what the client could get
    share = problem.clients[MIN_VALUE_SHARE].to_numpy(dtype=float)
    floored = np.flatnonzero(share > 0)
    if len(floored):
        attain = attainable_per_client(problem, cells).to_numpy()
        pos = np.full(len(clients), -1)
        pos[floored] = np.arange(len(floored))
        sel = pos[col_client] >= 0
        add(
            pos[col_client][sel],
            cols[sel],
            unit_value[sel],
            share[floored] * attain[floored],
            np.full(len(floored), INF),
            pd.DataFrame(
                {
                    "name": [f"floor[{clients[c]}]" for c in floored],
                    "kind": FLOOR,
                    RESOURCE_ID: None,
                    CLIENT_ID: list(clients[floored]),
                    METHOD_ID: None,
                }
            ),
        )

    if objective == "min_cost":
        if target_value is None:
            raise ValueError("min_cost needs the value the plan must reach")
        add(
            np.zeros(n, dtype=int),
            cols,
            weighted,
            np.array([target_value]),
            np.array([INF]),
            pd.DataFrame(
                {
                    "name": ["target"],
                    "kind": TARGET,
                    RESOURCE_ID: None,
                    CLIENT_ID: None,
                    METHOD_ID: None,
                }
            ),
        )
        c = col_use[:, pools.get_loc(problem.money_pool)].copy() if len(pools) else np.zeros(n)
        sense = "min"
    else:
        c, sense = weighted, "max"

    if n_rows:
        A = sp.csr_matrix(
            (np.concatenate(blocks_v), (np.concatenate(blocks_r), np.concatenate(blocks_c))),
            shape=(n_rows, n),
        )
        rows = pd.concat(meta, ignore_index=True)
        row_lo, row_hi = np.concatenate(lo), np.concatenate(hi)
    else:
        A = sp.csr_matrix((0, n))
        rows = pd.DataFrame(columns=["name", "kind", RESOURCE_ID, CLIENT_ID, METHOD_ID])
        row_lo = row_hi = np.zeros(0)
    # Committed units: the first `committed` units of a cell are fixed at 1.
    col_lo = (col_k <= cells.committed[col_cell]).astype(float)
    return Model(
        sense=sense,
        c=np.asarray(c, dtype=float),
        A=A,
        row_lo=row_lo,
        row_hi=row_hi,
        col_lo=col_lo,
        col_hi=np.ones(n),
        integer=problem.settings.integer_units,
        rows=rows,
        col_cell=col_cell,
        col_k=col_k,
        unit_value=unit_value,
        weighted=weighted,
        cells=cells,
        clients=clients,
        methods=methods,
        pools=pools,
    )


def to_pulp(
    model: Model, name: str = "risk_reduction_plan"
) -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
    """The same model as a PuLP problem, each constraint under its row name."""
    import pulp

    prob = pulp.LpProblem(name, pulp.LpMaximize if model.sense == "max" else pulp.LpMinimize)
    cat = pulp.LpInteger if model.integer else pulp.LpContinuous
    names = model.col_names()
    # PuLP 4 attaches variables to their problem; PuLP 3.3 offers the same call.
    add = getattr(prob, "add_variable", None) or (
        lambda nm, lo, hi, cat: pulp.LpVariable(nm, lowBound=lo, upBound=hi, cat=cat)
    )
    ys = [
        add(nm, float(lo), float(hi), cat=cat)
        for nm, lo, hi in zip(names, model.col_lo, model.col_hi)
    ]
    prob.setObjective(
        pulp.LpAffineExpression([(ys[j], float(model.c[j])) for j in np.flatnonzero(model.c)])
    )
    A = model.A
    for i, rname in enumerate(model.rows["name"]):
        lo_i, hi_i = model.row_lo[i], model.row_hi[i]
        s, e = A.indptr[i], A.indptr[i + 1]
        expr = pulp.LpAffineExpression(
            [(ys[j], float(v)) for j, v in zip(A.indices[s:e], A.data[s:e])]
        )
        if np.isfinite(hi_i):
            prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintLE, rname, float(hi_i)))
        elif np.isfinite(lo_i):
            prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintGE, rname, float(lo_i)))
    return prob, ys


def pulp_constraints(prob: pulp.LpProblem) -> list[pulp.LpConstraint]:
    """The problem's constraints in the order they were added (PuLP 3.3 and 4)."""
    cons = prob.constraints
    return list(cons()) if callable(cons) else list(prob._constraints.values())
