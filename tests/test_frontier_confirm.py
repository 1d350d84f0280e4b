"""Grid points of a sweep taken from the change-point walk: each one the walk reaches with a
basis that `Walk.confirm` shows optimal is the answer full re-solves give; a point the check
cannot confirm, or the walk does not reach, is re-solved; past MAX_WALK_ROWS rows the walk is
not used and the sweep says why."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from benchmarks.instances import make_problem as synthetic
from optimizer import analysis as an
from optimizer.bundle import load_bundle
from optimizer.schema import CAPACITY, SHADOW_PRICE, Problem
from optimizer.tolerances import FUNDED

frontier = importlib.import_module("optimizer.analysis.frontier")
SAMPLE = load_bundle("sample_data")


def cases() -> list[tuple[str, Problem, str]]:
    return [
        ("sample budget", SAMPLE, "budget"),
        ("sample hours", SAMPLE, "exec_hours"),
        ("300 clients", synthetic(300, seed=3), "budget"),
        ("700 clients (sifted first point)", synthetic(700, seed=5), "exec_hours"),
        ("1,200 clients", synthetic(1200, seed=2), "budget"),
        # Unit columns of equal value in one cell, one basic, the other not: a tie that moves
        # units within the cell only, so the point is still taken from the walk.
        ("2,000 clients (ties within cells)", synthetic(2000, seed=13), "budget"),
    ]


def span(problem: Problem, pool: str) -> tuple[float, float]:
    cap = float(problem.resources.at[pool, CAPACITY])
    return 0.5 * cap, 1.5 * cap


def assert_same_points(sw: an.Sweep, ref: an.Sweep, at: list[int] | tuple[int, ...]) -> None:
    """The points `at` of two sweeps: the same status, value, price, plan and funded cells."""
    a, b = sw.points.iloc[list(at)], ref.points.iloc[list(at)]
    assert (a["status"].to_numpy() == b["status"].to_numpy()).all()
    np.testing.assert_allclose(a["objective"], b["objective"], rtol=1e-9)
    np.testing.assert_allclose(a[SHADOW_PRICE], b[SHADOW_PRICE], rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(
        sw.units.to_numpy()[list(at)], ref.units.to_numpy()[list(at)], atol=FUNDED
    )
    np.testing.assert_array_equal(a["funded_cells"], b["funded_cells"])


@pytest.mark.parametrize("name, problem, pool", cases(), ids=[c[0] for c in cases()])
def test_confirmed_points_are_what_full_re_solves_give(
    name: str, problem: Problem, pool: str
) -> None:
    lo, hi = span(problem, pool)
    sw = an.sweep(problem, pool, lo, hi, 15)
    # Every point on its own, from scratch (a copy of the model solved afresh each time).
    full = an.sweep(problem, pool, lo, hi, 15, breakpoints=False, method="model")
    # Most points come from the walk (the rest are ties, where another plan is as good).
    assert len(sw.confirmed) >= 8, sw.confirmed
    if "sifted" in name:  # the first point from the plan's own solve, its basis completed
        assert 0 in sw.confirmed
    assert_same_points(sw, full, sw.confirmed)
    # The points the check did not confirm are re-solves: the same value and price anyway.
    np.testing.assert_allclose(sw.points["objective"], full.points["objective"], rtol=1e-9)
    np.testing.assert_allclose(
        sw.points[SHADOW_PRICE], full.points[SHADOW_PRICE], rtol=1e-7, atol=1e-12
    )
    # And the change points are those of the sweep that re-solves every point.
    again = an.sweep(problem, pool, lo, hi, 15, max_solves=None)
    np.testing.assert_allclose(sw.breakpoints["capacity"], again.breakpoints["capacity"])


def test_the_check_rejects_a_basis_where_it_is_not_optimal() -> None:
    problem = synthetic(300, seed=3)
    lo, hi = span(problem, "budget")
    model = frontier.build_model(frontier.value_problem(problem), "max_value")
    walk = frontier.Walk(model, frontier.pool_row(model, "budget"))
    r = frontier.Resolver(model, problem.settings)
    r.set_row_hi(walk.row, lo)
    raw = r.solve()
    st = walk.start(r.basic_variables(), raw.x, lo)
    got = walk.confirm(st, lo)
    assert got is not None
    np.testing.assert_allclose(float(model.c @ got[0]), raw.objective, rtol=1e-12)
    assert got[1] == pytest.approx(raw.row_dual[walk.row], rel=1e-9)
    # Twice the budget: that basis would spend more than the pool has, or leave value unused.
    assert walk.confirm(st, hi) is None


def test_a_point_the_check_cannot_confirm_is_re_solved(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = synthetic(300, seed=3)
    lo, hi = span(problem, "budget")
    ref = an.sweep(problem, "budget", lo, hi, 9, breakpoints=False)
    confirm = frontier.Walk.confirm
    caps = np.linspace(lo, hi, 9)
    refused = {3, 6}
    asked: list[int] = []

    def check(self, st, cap):  # points 3 and 6 checked at a tenth of the least capacity
        k = int(np.argmin(np.abs(caps - cap)))
        asked.append(k)
        return confirm(self, st, 0.1 * lo if k in refused else cap)

    monkeypatch.setattr(frontier.Walk, "confirm", check)
    sw = an.sweep(problem, "budget", lo, hi, 9)
    assert refused <= set(asked)  # the walk got there and the check was asked ...
    assert not refused & set(sw.confirmed)  # ... said no, and the points were re-solved
    assert len(sw.confirmed) >= 5
    assert_same_points(sw, ref, range(9))
    full = an.sweep(problem, "budget", lo, hi, 9)
    np.testing.assert_allclose(sw.breakpoints["capacity"], full.breakpoints["capacity"])


def test_points_past_where_the_walk_got_are_re_solved() -> None:
    problem = synthetic(300, seed=3)
    lo, hi = span(problem, "budget")
    ref = an.sweep(problem, "budget", lo, hi, 9, breakpoints=False)
    sw = an.sweep(problem, "budget", lo, hi, 9, max_solves=500)
    # 500 pivots take the walk over the first intervals only (all of them take some 1,400):
    # the rest are re-solves.
    assert 0 < len(sw.confirmed) < 8 and sw.confirmed == tuple(range(1, len(sw.confirmed) + 1))
    assert_same_points(sw, ref, range(9))
    assert sw.truncated and sw.search_solves <= 500


def test_past_the_row_limit_the_search_is_by_re_solves_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lo, hi = 300_000.0, 600_000.0
    walked = an.sweep(SAMPLE, "budget", lo, hi, 5)
    monkeypatch.setattr(frontier, "MAX_WALK_ROWS", 5)  # the sample's model has 7 rows
    probed = an.sweep(SAMPLE, "budget", lo, hi, 5)
    assert probed.confirmed == () and walked.confirmed
    assert any("re-solves, not by walking" in n and "more than the 5" in n for n in probed.notes)
    assert not any("walking" in n for n in walked.notes)
    assert probed.to_json()["breakpoint_search"]["method"] == "re-solves"
    assert walked.to_json()["breakpoint_search"]["method"] == "walk"
    assert probed.unresolved == () and probed.search_solves > walked.search_solves
    np.testing.assert_allclose(
        probed.breakpoints["capacity"], walked.breakpoints["capacity"], rtol=1e-9
    )
    assert_same_points(probed, walked, walked.confirmed)
