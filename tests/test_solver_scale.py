"""The requested relative gap decides, whatever the size of the values.

The solvers' tolerances are absolute (HiGHS: 1e-6 on the objective, 1e-7 on reduced costs), so
with weights x1e-9 a whole-units plan used to be called optimal 0.7% from the best one against
a requested 0.01%, and with x1e-12 a plan worth 3% of the best was called optimal with gap 0.
"""

from __future__ import annotations

import importlib
from dataclasses import replace

import numpy as np
import pytest

from benchmarks.instances import make_problem as synthetic
from checker import check
from optimizer.model import build_model
from optimizer.schema import FEASIBLE, OPTIMAL, WEIGHT, Problem, Result
from optimizer.solve import objective_scale, run_model, solve

GAP = 1e-4
# the module (optimizer.solve, the name, is the function)
solve_mod = importlib.import_module("optimizer.solve")


def weighted(problem: Problem, factor: float) -> Problem:
    clients = problem.clients.copy()
    clients[WEIGHT] = clients[WEIGHT] * factor
    return replace(problem, clients=clients)


def true_gap(result: Result) -> float:
    assert result.bound is not None and result.objective is not None
    return abs(result.bound - result.objective) / abs(result.objective)


@pytest.fixture(scope="module")
def reference() -> dict[tuple[int, bool], Result]:
    """Plans at the ordinary scale, to compare the scaled ones with."""
    out: dict[tuple[int, bool], Result] = {}
    for seed in (0, 2):
        for integer in (True, False):
            p = synthetic(40, seed=seed, integer=integer)
            out[seed, integer] = solve(p, p.settings.with_(mip_gap=GAP))
    return out


@pytest.mark.parametrize("factor", [1e-12, 1e-9, 1e9, 1e12])
@pytest.mark.parametrize("seed", [0, 2])
def test_whole_units_gap_is_the_requested_one_at_any_scale(reference, factor, seed):
    p = weighted(synthetic(40, seed=seed, integer=True), factor)
    r = solve(p, p.settings.with_(mip_gap=GAP))
    check(p, r)
    assert r.status == OPTIMAL
    assert r.gap is not None and r.bound is not None
    assert r.gap <= GAP + 1e-9
    # the gap said is the gap between the plan and the bound said
    assert r.gap == pytest.approx(true_gap(r), rel=1e-6, abs=1e-12)
    # and the plan is as good as the one found at the ordinary scale: both lie within the gap
    # of the best plan
    ref = reference[seed, True]
    assert r.objective / factor >= ref.objective * (1 - GAP) * (1 - 1e-9)
    assert ref.objective >= r.objective / factor * (1 - GAP) * (1 - 1e-9)


@pytest.mark.parametrize("factor", [1e-12, 1e-9, 1e9, 1e12])
@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_continuous_plan_is_the_same_at_any_scale(reference, factor, solver):
    p = weighted(synthetic(40, seed=0, integer=False), factor)
    r = solve(p, p.settings.with_(solver=solver))
    check(p, r)
    assert r.status == OPTIMAL
    assert r.objective / factor == pytest.approx(reference[0, False].objective, rel=1e-9)


@pytest.mark.parametrize("factor", [1e-9, 1e9])
def test_cbc_whole_units_at_any_scale(reference, factor):
    p = weighted(synthetic(40, seed=0, integer=True), factor)
    r = solve(p, p.settings.with_(mip_gap=GAP, solver="cbc"))
    check(p, r)
    ref = reference[0, True]
    assert r.objective / factor >= ref.objective * (1 - GAP) * (1 - 1e-9)


def test_objective_scale_leaves_ordinary_values_alone():
    assert objective_scale(np.array([0.0, 1.0, 240.0, -3.0])) == 0
    assert objective_scale(np.array([2.0**20 - 1])) == 0
    assert objective_scale(np.zeros(3)) == 0
    assert objective_scale(np.zeros(0)) == 0
    for big in (1e-12, 1e-9, 0.5, 2.0**20, 1e9, 1e12):
        k = objective_scale(np.array([big, -big / 3]))
        assert k != 0
        assert 2.0**7 <= big * 2.0**k < 2.0**8


def test_solver_stopped_by_a_tolerance_is_not_called_optimal(monkeypatch):
    """A stop outside the requested gap (here a huge absolute gap) is "feasible", not
    "optimal", and the gap said is the real one."""
    p = synthetic(40, seed=0, integer=True)
    model = build_model(p, "max_value")
    opts = dict(solve_mod.HIGHS_OPTIONS, mip_abs_gap=1e30)
    monkeypatch.setattr(solve_mod, "HIGHS_OPTIONS", opts)
    raw = run_model(model, p.settings.with_(mip_gap=GAP))
    assert raw.status == FEASIBLE
    assert raw.gap is not None and raw.gap > GAP
    assert raw.bound is not None and raw.objective is not None
    assert raw.gap == pytest.approx(abs(raw.bound - raw.objective) / abs(raw.objective), rel=1e-9)
