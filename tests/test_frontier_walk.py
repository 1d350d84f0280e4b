"""The change-point walk's parts: the model's distinct columns it pivots over, the budget it
is granted in batches, and its answers at scale against the search by re-solves."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.instances import make_problem as synthetic
from optimizer import analysis as an
from optimizer.analysis.frontier import Budget, Walk, _column_groups
from optimizer.model import build_model
from optimizer.schema import CAPACITY
from optimizer.solve import solve


@pytest.fixture(scope="module")
def walk() -> Walk:
    model = build_model(synthetic(300, seed=3), "max_value")
    return Walk(model, an.pool_row(model, "budget"))


def test_the_groups_are_exactly_the_columns_with_equal_entries(walk: Walk) -> None:
    group, first = _column_groups(walk.K, walk.movable)
    dense = walk.K.toarray()
    movable = np.flatnonzero(walk.movable)
    assert (group[~walk.movable] == -1).all() and (group[movable] >= 0).all()
    assert (group[first] == np.arange(len(first))).all()
    # Every column is its group's first column, entry for entry ...
    np.testing.assert_array_equal(dense[:, movable], dense[:, first[group[movable]]])
    # ... and no two groups have the same column.
    assert len(np.unique(dense[:, first].T, axis=0)) == len(first)
    assert len(first) < len(movable) / 5  # few distinct columns: what makes a pivot cheap


def test_the_candidates_of_a_group_are_sorted_by_cost(walk: Walk) -> None:
    for g in range(len(walk.run_lo)):
        run = walk.order[walk.run_lo[g] : walk.run_hi[g]]
        assert (walk.group[run] == g).all()
        assert (np.diff(walk.cost[run]) >= 0).all()
    assert (walk.at[walk.order] == np.arange(len(walk.order))).all()


def test_a_budget_grants_steps_in_batches_as_single_spends_would() -> None:
    b = Budget(solves=5)
    assert b.grant(3) == 3 and b.grant(3) == 2 and b.used == 5
    b.refund(1)
    assert b.used == 4 and b.grant(10) == 1
    assert b.grant(1) == 0 and b.out and not b.spend()
    assert Budget(seconds=0.0).grant(5) == 0
    assert Budget(stop_flag=lambda: True).grant(5) == 0
    assert Budget().grant(7) == 7


def test_at_scale_each_change_point_is_where_full_solves_change_price() -> None:
    problem = synthetic(300, seed=3)
    cap = float(problem.resources.at["exec_hours", CAPACITY])
    sw = an.sweep(problem, "exec_hours", 0.95 * cap, 1.05 * cap, 4)
    bps = sw.breakpoints
    assert sw.unresolved == () and len(bps) > 100
    assert sw.search_solves < 2 * len(bps)  # pivots of the walk, not re-solves
    caps = bps["capacity"].to_numpy()
    gaps = np.diff(caps)
    for k in np.linspace(1, len(bps) - 2, 8).astype(int):
        x, h = caps[k], 0.25 * min(gaps[k - 1], gaps[k])

        def at(c: float) -> tuple[float, float]:
            res = solve(problem.with_capacity("exec_hours", c))
            return res.objective, res.pools.at["exec_hours", "shadow_price"]

        (f, _), (_, left), (_, right) = at(x), at(x - h), at(x + h)
        assert f == pytest.approx(bps["objective"].iloc[k], rel=1e-9)
        assert left == pytest.approx(bps["price_before"].iloc[k], rel=1e-6)
        assert right == pytest.approx(bps["price_after"].iloc[k], rel=1e-6)
        assert bps["more"].iloc[k] or bps["less"].iloc[k]  # some cell changes course there
