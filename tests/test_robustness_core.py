"""Robustness draws re-solve only the columns a draw can move; every answer is still the
optimum of the whole LP (checked against full re-solves of the same draws)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

from optimizer import analysis as an

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.instances import make_problem  # noqa: E402

robustness_mod = importlib.import_module("optimizer.analysis.robustness")


@pytest.mark.parametrize("widen", [1.0, 3.0])
def test_draws_on_the_core_are_optima_of_the_whole_lp(monkeypatch, widen: float) -> None:
    problem = make_problem(300, seed=5)
    released: list[int] = []
    release = robustness_mod._Core._release

    def counting(self, cols, c):  # how often pricing had to put columns back
        released.append(len(cols))
        return release(self, cols, c)

    monkeypatch.setattr(robustness_mod._Core, "_release", counting)
    factors = dict.fromkeys(problem.clients.index[::3], widen)
    core = an.robustness(problem, 80, 7, widen=factors)
    full = an.robustness(problem, 80, 7, widen=factors, method="model")
    assert core.statuses == full.statuses == {"optimal": 80}
    np.testing.assert_allclose(core.objective, full.objective, rtol=1e-9)
    np.testing.assert_allclose(core.nominal_value, full.nominal_value, rtol=1e-12)
    np.testing.assert_allclose(core.cells["funded_share"], full.cells["funded_share"])
    np.testing.assert_allclose(core.cells["mean_units"], full.cells["mean_units"], atol=1e-6)
    if widen > 1:
        # Wide ranges move the prices: some columns left out had to come back.
        assert sum(released) > 0


def _core_parts(problem):
    """The model, its nominal answer, each column's multiplier of its cell's first-unit
    value, and the column cost ranges, as `robustness` builds them."""
    from optimizer.model import build_model
    from optimizer.schema import DECAY, VALUE_HIGH, VALUE_LOW, WEIGHT

    model = build_model(problem, "max_value")
    nominal = an.Resolver(model, problem.settings).solve()
    ranges = an.widened_ranges(problem)
    weight = problem.clients[WEIGHT].to_numpy(dtype=float)[model.cells.client][model.col_cell]
    decay = problem.methods[DECAY].to_numpy(dtype=float)[model.cells.method][model.col_cell]
    mult = weight * decay ** (model.col_k - 1)
    low = ranges[VALUE_LOW].to_numpy()[model.col_cell] * mult
    high = ranges[VALUE_HIGH].to_numpy()[model.col_cell] * mult
    return model, nominal, ranges, mult, low, high


def test_the_core_leaves_out_most_columns_at_scale() -> None:
    problem = make_problem(1000, seed=2)
    model, nominal, _, _, low, high = _core_parts(problem)
    core = robustness_mod._Core(model, problem.settings, nominal, low, high)
    assert len(core.cols) < 0.5 * model.n_cols
    # The nominal objective is the nominal optimum.
    again = core.solve(model.c)
    assert again.objective == pytest.approx(nominal.objective, rel=1e-9)


def test_columns_put_back_by_pricing_keep_the_plan_optimal() -> None:
    """A core that leaves out every column it can (as if no value could move) has pricing put
    many back, committed units (a lower bound of 1) among them; every draw's plan is still the
    whole LP's optimum, feasible in the whole model."""
    from dataclasses import replace

    from optimizer.solve import run_model

    problem = make_problem(300, seed=5)
    model, nominal, ranges, mult, _, _ = _core_parts(problem)
    core = robustness_mod._Core(model, problem.settings, nominal, model.c, model.c)
    left_out = core.fixed.copy()
    values = an.draw_values(ranges, 30, 11)
    for v in values:
        c = v[model.col_cell] * mult
        got = core.solve(c)
        full = run_model(replace(model, c=c), problem.settings)
        assert got.status == full.status == "optimal"
        assert got.objective == pytest.approx(full.objective, rel=1e-9)
        assert float(c @ got.x) == pytest.approx(full.objective, rel=1e-9)
        use, capped = model.A @ got.x, np.isfinite(model.row_hi)
        slack = 1e-9 * np.maximum(1.0, np.abs(model.row_hi[capped]))
        assert np.all(use[capped] <= model.row_hi[capped] + slack)
        assert np.all(got.x >= model.col_lo - 1e-9)
        assert np.all(got.x <= model.col_hi + 1e-9)
    back = left_out & ~core.fixed
    assert back.sum() > 100
    # The case that matters: a committed unit left out at its floor, then put back.
    assert (model.col_lo[back] > 0).any()


def test_an_unknown_method_is_refused_before_any_solve() -> None:
    problem = make_problem(50, seed=1)
    with pytest.raises(an.AnalysisError) as err:
        an.robustness(problem, 5, 1, method="fastest")
    assert err.value.code == "analysis_unknown_method"
    assert "fastest" in str(err.value)


def test_draws_run_with_one_blas_thread(monkeypatch) -> None:
    """numpy's BLAS runs single-threaded while the draws are solved, and as before after."""
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads() -> list[int]:
        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    seen: list[list[int]] = []
    solve = robustness_mod._Core.solve

    def watching(self, c):
        seen.append(blas_threads())
        return solve(self, c)

    monkeypatch.setattr(robustness_mod._Core, "solve", watching)
    with threadpool_limits(limits=2, user_api="blas"):  # a caller's setting, whatever the machine
        before = blas_threads()
        an.robustness(make_problem(50, seed=1), 3, 1)
        after = blas_threads()
    assert before and set(before) == {2}
    assert len(seen) == 3
    assert all(set(threads) == {1} for threads in seen)
    assert after == before
