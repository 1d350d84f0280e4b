"""Large continuous solves over a working set of columns (sifting), proven over all of them.

At 10,000 clients the model has about 120,000 unit columns and under a thousand rows, and at
the optimum all but a few hundred columns sit at a bound: every unit clearly worth its
resources is taken, every unit clearly not worth them is left. The interior-point method still
pays for every column. Sifting solves the same LP over the columns whose side is in doubt,
with every other column held at the bound its reduced cost points to, then checks every held
column against the prices of that solve and adds the ones that disagree, until none does.

The answer is exactly an optimum of the whole LP: a held column is nonbasic at a bound with a
reduced cost of the right sign, and the working set's optimal basis completes the basis, so
the plan, its value and its prices are those of an optimal basic solution of the whole model
(to HiGHS's own dual feasibility tolerance). Guessing the sides well only makes it faster.

The first guess of the prices comes from the same LP on an evenly spread sample of clients,
with each shared row's bounds scaled by the sample's share of that row's demand; rows of one
client (its caps and floor) get no guessed price, so a column of such a client is kept in the
working set where that row's price could move it across its bound.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from .model import CLIENT_CAP, FLOOR, Model
from .tolerances import FEASIBILITY

# Below this many columns the whole LP is solved directly: the sample is then most of the
# clients and the extra solves cost what they save (in-process, HiGHS alone; 500 clients,
# 5,938 columns: 10 ms against 16 ms; 1,000: 21 against 99 ms; 10,000: 0.13 against 0.45 s).
SIFT_FROM_COLUMNS = 5_000
# The sample of clients the first prices come from: a share of the clients, at least this many.
SAMPLE_SHARE = 0.05
SAMPLE_MIN_CLIENTS = 200
# A column whose guessed reduced cost is within this share of its own objective coefficient
# is in doubt and starts in the working set.
DOUBT_SHARE = 0.05
# Rounds of "add the columns that disagree"; beyond, the whole LP is solved directly.
MAX_ROUNDS = 12

# A solver run: (model, time limit in seconds) -> (status, x, row duals); status is one of
# "optimal", "feasible", "infeasible", "error"; x and duals None without a solution.
Run = Callable[[Model, float], tuple[str, Any, Any]]
# The working set's solver: a configured, silent highspy.Highs holding the given model.
MakeHighs = Callable[[Model], Any]
# What a Highs object's last run says: (status, x, row duals), as Run's.
ReadHighs = Callable[[Any], tuple[str, Any, Any]]


@dataclass(frozen=True)
class Sifted:
    """The whole LP's answer assembled from the working set's."""

    status: str  # "optimal" (proven over every column) or "feasible" (stopped by the time limit)
    x: np.ndarray
    row_dual: np.ndarray | None
    rounds: int
    working_columns: int


def _restricted(
    model: Model, cols: np.ndarray, shift: np.ndarray, rows: np.ndarray | None = None
) -> Model:
    """The model over `cols` (and `rows`), each row's bounds moved by the held columns' use."""
    A = model.A if rows is None else model.A[rows]
    lo, hi = model.row_lo - shift, model.row_hi - shift
    if rows is not None:
        lo, hi = lo[rows], hi[rows]
    return replace(
        model,
        c=model.c[cols],
        A=sp.csr_matrix(A[:, cols]),
        row_lo=lo,
        row_hi=hi,
        col_lo=model.col_lo[cols],
        col_hi=model.col_hi[cols],
        integer=False,
    )


def _nonzero(m: Any) -> sp.csc_matrix:
    """The sparsity pattern of a sparse matrix, as a CSC matrix of ones."""
    c = sp.csc_matrix(m)
    c.eliminate_zeros()
    return sp.csc_matrix((np.ones(c.nnz), c.indices, c.indptr), shape=c.shape)


def _client_rows(model: Model) -> np.ndarray:
    """Rows that belong to one client (its caps and its value floor)."""
    return np.isin(model.rows["kind"].to_numpy(), [CLIENT_CAP, FLOOR])


def _sample_prices(model: Model, local: np.ndarray, run: Run, seconds: float) -> np.ndarray | None:
    """Prices of the shared rows from the LP on a sample of clients (None if it has none)."""
    n_clients = len(model.clients)
    k = max(SAMPLE_MIN_CLIENTS, int(n_clients * SAMPLE_SHARE))
    if k >= n_clients:
        return None
    stride = n_clients / k
    chosen = np.zeros(n_clients, dtype=bool)
    chosen[np.floor(np.arange(k) * stride).astype(np.int64)] = True
    col_client = model.cells.client[model.col_cell]
    cols = np.flatnonzero(chosen[col_client])
    row_client = model.clients.get_indexer(model.rows["client_id"].to_numpy())
    rows = np.flatnonzero(~local | (local & (row_client >= 0) & chosen[np.maximum(row_client, 0)]))
    # A shared row's bounds scaled by the sample's share of what that row could be asked for.
    demand = model.A @ model.col_hi
    demand_sample = model.A[:, cols] @ model.col_hi[cols]
    share = np.divide(
        demand_sample, demand, out=np.full(len(demand), k / n_clients), where=demand > 0
    )
    scale = np.where(local, 1.0, share)
    # (An infinite bound stays infinite: a row the sample asks nothing of has a share of 0.)
    with np.errstate(invalid="ignore"):
        lo = np.where(np.isfinite(model.row_lo), model.row_lo * scale, model.row_lo)
        hi = np.where(np.isfinite(model.row_hi), model.row_hi * scale, model.row_hi)
    scaled = replace(model, row_lo=lo, row_hi=hi)
    status, _, duals = run(_restricted(scaled, cols, np.zeros(len(demand)), rows), seconds)
    if status != "optimal" or duals is None:
        return None
    y = np.zeros(len(model.row_lo))
    shared_rows = ~local[rows]
    y[rows[shared_rows]] = np.asarray(duals)[shared_rows]
    return y


def sift(
    model: Model,
    run: Run,
    make: MakeHighs,
    read: ReadHighs,
    seconds: float,
    tolerance: float,
) -> Sifted | None:
    """Solve the continuous `model` by sifting (see the module's docstring): the sample by
    `run`, the working set in one Highs object from `make` (interior point, then each round's
    added columns by a warm dual simplex from the basis it has), its answers by `read`.
    None where it cannot say more than a direct solve would (the caller then solves the whole
    LP): the sample has no prices, the working set has no plan, or the rounds run out.
    `tolerance`: the reduced cost, in the model's objective units, a held column may have on
    its wrong side (the solver's own dual feasibility tolerance)."""
    t0 = time.perf_counter()
    if len(model.col_cell) != model.n_cols:  # columns of its own besides the cells' units
        return None  # (a protected plan's counterpart): no client to sample them by
    sense = 1.0 if model.sense == "max" else -1.0
    local = _client_rows(model)
    y0 = _sample_prices(model, local, run, seconds)
    if y0 is None:
        return None
    A_csc = model.A.tocsc()
    gain = sense * (model.c - A_csc.T @ y0)  # > 0: worth its upper bound at these prices
    doubt = DOUBT_SHARE * np.abs(model.c)
    # A client's own rows have no guessed price: a cap (an upper row) can only lower a
    # column's gain, a floor (a lower row) only raise it, so the columns they could move
    # across zero are in doubt too.
    local_rows = np.flatnonzero(local)
    pattern = _nonzero(A_csc[local_rows])
    in_upper = pattern[np.isfinite(model.row_hi[local_rows])].getnnz(axis=0) > 0
    in_lower = pattern[np.isfinite(model.row_lo[local_rows])].getnnz(axis=0) > 0
    free = (np.abs(gain) <= doubt) | (in_upper & (gain > 0)) | (in_lower & (gain < 0))
    held = np.where(gain > 0, model.col_hi, model.col_lo)
    # A row the held columns alone push past a bound (a method's capacity when the guessed
    # prices take every unit of it) could not be met by the working set: the held columns
    # that push it that way join it.
    Ap, An = A_csc.maximum(0), A_csc.minimum(0)
    least = Ap @ np.where(free, model.col_lo, held) + An @ np.where(free, model.col_hi, held)
    most = Ap @ np.where(free, model.col_hi, held) + An @ np.where(free, model.col_lo, held)
    over = least > model.row_hi + FEASIBILITY
    under = most < model.row_lo - FEASIBILITY
    if over.any() or under.any():
        up = held > model.col_lo  # held where it adds what a positive coefficient uses
        down = held < model.col_hi
        pos, neg = _nonzero(Ap), _nonzero(An)
        push_over = (pos[over].getnnz(axis=0) > 0) & up | (neg[over].getnnz(axis=0) > 0) & down
        push_under = (pos[under].getnnz(axis=0) > 0) & down | (neg[under].getnnz(axis=0) > 0) & up
        free |= push_over | push_under
    order = np.flatnonzero(free)  # the working set, in the order the Highs object holds it
    shift = A_csc[:, ~free] @ held[~free]
    h = make(_restricted(model, order, shift))
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "on")
    for rounds in range(1, MAX_ROUNDS + 1):
        left = seconds - (time.perf_counter() - t0)
        if left <= 0:
            return None
        h.setOptionValue("time_limit", float(left))
        h.run()
        status, xw, duals = read(h)
        if status not in ("optimal", "feasible") or xw is None:
            return None
        x = held.copy()
        x[order] = xw
        if status != "optimal" or duals is None:
            return Sifted("feasible", x, None, rounds, len(order))
        y = np.asarray(duals, dtype=float)
        reduced = sense * (model.c - A_csc.T @ y)
        wrong = np.flatnonzero(
            ~free
            & (
                ((held <= model.col_lo) & (reduced > tolerance))
                | ((held >= model.col_hi) & (reduced < -tolerance))
            )
        )
        if not len(wrong):
            return Sifted("optimal", x, y, rounds, len(order))
        # The columns that disagree join the working set; the rows no longer carry their use.
        free[wrong] = True
        order = np.concatenate([order, wrong])
        cols = A_csc[:, wrong]
        shift = shift - cols @ held[wrong]
        h.addCols(
            len(wrong),
            model.c[wrong],
            model.col_lo[wrong],
            model.col_hi[wrong],
            cols.nnz,
            cols.indptr[:-1].astype(np.int32),
            cols.indices.astype(np.int32),
            cols.data.astype(np.float64),
        )
        touched = np.unique(cols.indices)
        h.changeRowsBounds(
            len(touched),
            touched.astype(np.int32),
            (model.row_lo - shift)[touched],
            (model.row_hi - shift)[touched],
        )
        h.setOptionValue("solver", "simplex")  # warm, from the basis it has
    return None
