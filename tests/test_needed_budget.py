"""The exact search of needed values within its budget: what it confirms is exact, what it
does not reach keeps its bound or estimate, and the shortcut through the optimum's basis says
what a re-solve says."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from benchmarks.instances import make_problem
from optimizer import limits
from optimizer.model import build_model
from optimizer.schema import NEEDED_EXACT, NEEDED_KIND, NEEDED_VALUE, UNITS, Problem
from optimizer.solve import solve
from optimizer.tolerances import FUNDED, NEEDED_RTOL

solve_module = importlib.import_module("optimizer.solve")


def kinds(problem: Problem) -> dict[str, int]:
    return {str(k): int(n) for k, n in solve(problem).unfunded[NEEDED_KIND].value_counts().items()}


@pytest.mark.parametrize("resolves", [0, 1, 5, 40])
def test_an_exhausted_budget_leaves_the_rest_as_bounds(
    sample_problem: Problem, monkeypatch: pytest.MonkeyPatch, resolves: int
) -> None:
    full = solve(sample_problem).unfunded
    prices = solve(sample_problem, needed="bound").unfunded
    assert set(full[NEEDED_KIND]) == {NEEDED_EXACT}
    monkeypatch.setattr(limits, "NEEDED_AUTO_RESOLVES", resolves)
    cut = solve(sample_problem).unfunded
    exact = cut[NEEDED_KIND] == NEEDED_EXACT
    assert (~exact).sum() > 0  # the budget stopped the search before the end
    # what it confirmed is what the whole search finds; the rest is the prices' number, with
    # the prices' label (a bound or an estimate, never "exact")
    assert np.allclose(cut.loc[exact, NEEDED_VALUE], full.loc[exact, NEEDED_VALUE])
    assert (cut.loc[~exact, NEEDED_KIND] == prices.loc[~exact, NEEDED_KIND]).all()
    assert np.allclose(cut.loc[~exact, NEEDED_VALUE], prices.loc[~exact, NEEDED_VALUE])
    assert (cut.loc[~exact, "reason"] == prices.loc[~exact, "reason"]).all()
    if resolves == 0:
        assert not exact.any()


def test_a_spent_time_budget_confirms_nothing(
    sample_problem: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "NEEDED_AUTO_SECONDS", 0.0)
    got = solve(sample_problem).unfunded
    prices = solve(sample_problem, needed="bound").unfunded
    assert list(got[NEEDED_KIND]) == list(prices[NEEDED_KIND])
    assert list(got["reason"]) == list(prices["reason"])


def test_the_budget_reaches_every_cell_of_a_small_plan_in_one_solve_or_two() -> None:
    """200 clients: most needed values are proven from the optimum's basis, not re-solved."""
    counts = kinds(make_problem(200))
    assert counts == {NEEDED_EXACT: sum(counts.values())}


@pytest.mark.parametrize("n_clients", [0, 60, 200])
def test_the_basis_shortcut_agrees_with_a_re_solve(sample_problem: Problem, n_clients: int) -> None:
    """Every cell the shortcut proves takes its next unit just above the prices' value does
    so in a re-solve at that value; and some cells are proven that way."""
    problem = make_problem(n_clients) if n_clients else sample_problem
    r = solve(problem, needed="bound")
    model = build_model(problem, "max_value")
    probe = solve_module._ValueProbe(
        problem, model, problem.settings, solve_module.NeededBudget(None, 60.0)
    )
    assert probe.start()
    index = {key: n for n, key in enumerate(model.cells.index)}
    proven = []
    for key, row in r.unfunded.iterrows():  # every proof first: a re-solve moves the basis
        cell, c = index[key], float(row[NEEDED_VALUE])
        base = int(np.floor(row[UNITS] + FUNDED))
        if row[NEEDED_KIND] == "bound" and c > 0 and probe.enters(cell, base, c):
            proven.append((key, cell, base, c))
    assert len(proven) >= len(r.unfunded) // 3
    for key, cell, base, c in proven:
        units = probe.units(cell, c * (1 + NEEDED_RTOL))
        assert units is not None and units > base + FUNDED, (key, c, units)
    # after a re-solve the shortcut proves nothing (the basis it read is gone)
    assert not any(probe.enters(cell, base, c) for _, cell, base, c in proven)
