"""One built model, re-solved after small changes: the engine of every analysis.

Every analysis builds the model once and then changes only what the question changes (a pool's
right-hand side, or objective coefficients), re-solving one HiGHS object from its last basis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..messages import Message, status_message
from ..model import POOL, Model
from ..schema import ERROR, INFEASIBLE, RESOURCE_ID, Problem, Settings
from ..solve import Raw, explain_infeasible, highs_model, highs_result, run_model
from .errors import AnalysisError, NoPlanError

METHODS_AVAILABLE: tuple[str, ...] = ("warm", "model")


def either(items: Sequence[str]) -> Message:
    """'a or b' (and 'a, b or c'), as a message."""
    return Message("analysis_or", {"first": list(items[:-1]), "last": items[-1]})


class Resolver:
    """One built model, re-solved after changes to row upper bounds or objective coefficients.

    method "warm" keeps a single HiGHS object and re-runs it from its last basis (HiGHS only);
    "model" hands a modified copy of the Model to `run_model` each time (any solver). Both
    give the same answers; "warm" is several times faster (see benchmarks/bench_analysis.py).
    """

    def __init__(self, model: Model, settings: Settings, method: str = "warm"):
        if method not in METHODS_AVAILABLE:
            raise AnalysisError(
                "analysis_unknown_method", method=method, methods=either(METHODS_AVAILABLE)
            )
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
            self._h.changeRowBounds(
                int(row), float(lo) if math.isfinite(lo) else -math.inf, float(value)
            )

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

    def basic_variables(self) -> np.ndarray | None:
        """The last solve's basis: positions in (columns, rows), a row i as n_cols + i; None
        without a HiGHS object (the "model" method) or a basis."""
        if self._h is None or self.model.integer:
            return None
        import highspy

        status, basic = self._h.getBasicVariables()
        if status != highspy.HighsStatus.kOk or len(basic) != len(self.model.row_lo):
            return None
        hv = np.asarray(basic, dtype=np.int64)
        # HiGHS numbers a basic row i as -(1 + i).
        return np.where(hv >= 0, hv, self.model.n_cols - 1 - hv)

    def set_basis(self, basic: np.ndarray, upper: np.ndarray) -> bool:
        """Start the next solve from a basis: `basic` as `basic_variables` gives it, `upper`
        True over (columns, rows) where a nonbasic one is at its upper bound. False (and
        nothing changed) without a HiGHS object or when HiGHS refuses the basis."""
        if self._h is None or self.model.integer:
            return False
        import highspy

        code = np.where(upper, 2, 0)
        code[basic] = 1
        kinds = highspy.HighsBasisStatus
        table = np.array([kinds.kLower, kinds.kBasic, kinds.kUpper], dtype=object)
        basis = highspy.HighsBasis()
        n = self.model.n_cols
        basis.col_status = table[code[:n]].tolist()
        basis.row_status = table[code[n:]].tolist()
        basis.valid = True
        return bool(self._h.setBasis(basis) == highspy.HighsStatus.kOk)

    def solve(self) -> Raw:
        """Solve with the current changes."""
        if self._h is None:
            return run_model(
                replace(self.model, row_hi=self._row_hi.copy(), c=self._c.copy()), self.settings
            )
        return self._run_warm()

    def _run_warm(self) -> Raw:
        h = self._h
        assert h is not None  # only the "warm" method runs here
        # HiGHS counts its time limit over every run of one object, so each run gets its own.
        h.setOptionValue("time_limit", float(h.getRunTime()) + float(self.settings.time_limit_s))
        h.run()
        raw = highs_result(h, self.model.integer)
        # The objective of the current costs, as this object's own record of them.
        return raw if raw.x is None else replace(raw, objective=float(self._c @ raw.x))


def pool_row(model: Model, pool: str) -> int:
    """The model row of a pool's capacity."""
    rows = model.rows
    hit = np.flatnonzero((rows["kind"].to_numpy() == POOL) & (rows[RESOURCE_ID].to_numpy() == pool))
    if not len(hit):
        raise AnalysisError("analysis_not_a_pool", pool=pool, pools=list(model.pools))
    return int(hit[0])


def check_pool(problem: Problem, pool: str) -> None:
    """AnalysisError unless `pool` is one of the problem's pools."""
    if pool not in problem.resources.index:
        raise AnalysisError("analysis_not_a_pool", pool=pool, pools=list(problem.pools))


def cell_units(model: Model, x: np.ndarray) -> np.ndarray:
    """Units of every cell in a solution."""
    return np.bincount(model.col_cell, weights=x, minlength=len(model.cells.value))


def cell_label(model: Model, k: int | np.integer) -> tuple[str, str]:
    """(client_id, method_id) of cell k."""
    return (str(model.clients[model.cells.client[k]]), str(model.methods[model.cells.method[k]]))


def no_plan(problem: Problem, model: Model, raw: Raw) -> NoPlanError:
    """Why the baseline of an analysis has no plan, from its own failed solve.

    `model` is the model `solve` builds for `problem` (max-value mode), so the explanation is
    the one `solve(problem)` gives, without solving the problem a second time."""
    if raw.status == INFEASIBLE:
        _, notes = explain_infeasible(problem, model, problem.settings)
        return NoPlanError(status_message(INFEASIBLE, None, False), notes)
    if raw.status == ERROR:
        return NoPlanError(
            status_message(ERROR, None, False), (Message("solver_failed", {"error": raw.message}),)
        )
    # A plan without prices (a solver that reports none): nothing to explain beyond the status.
    return NoPlanError(status_message(raw.status, raw.gap, bool(model.integer)))
