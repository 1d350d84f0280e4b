"""The exact needed values' search: tangent steps find the same thresholds as bisection alone,
with fewer re-solves."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest

from benchmarks.instances import make_problem
from optimizer.bundle import load_bundle
from optimizer.schema import NEEDED_KIND, NEEDED_VALUE, Problem
from optimizer.tolerances import NEEDED_RTOL

solve_mod = importlib.import_module("optimizer.solve")
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def searched(problem: Problem, monkeypatch: pytest.MonkeyPatch, steps: int) -> tuple:
    monkeypatch.setattr(solve_mod, "TANGENT_STEPS", steps)
    calls = [0]
    real = solve_mod._ValueProbe.solve_at

    def counted(self, cell, v):  # type: ignore[no-untyped-def]
        calls[0] += 1
        return real(self, cell, v)

    monkeypatch.setattr(solve_mod._ValueProbe, "solve_at", counted)
    result = solve_mod.solve(problem, needed="exact")
    return result.unfunded, calls[0]


@pytest.mark.parametrize("which", ["sample", "synthetic"])
def test_tangent_steps_agree_with_bisection(which: str, monkeypatch: pytest.MonkeyPatch) -> None:
    problem = load_bundle(SAMPLE) if which == "sample" else make_problem(60, seed=3)
    tangent, fewer = searched(problem, monkeypatch, solve_mod.TANGENT_STEPS)
    bisected, more = searched(problem, monkeypatch, 0)
    assert (tangent[NEEDED_KIND] == "exact").all() and (bisected[NEEDED_KIND] == "exact").all()
    a = tangent[NEEDED_VALUE].to_numpy()
    b = bisected[NEEDED_VALUE].to_numpy()
    finite = np.isfinite(a) & np.isfinite(b)
    assert np.array_equal(np.isfinite(a), np.isfinite(b))
    # Both are within NEEDED_RTOL of the threshold, so within twice that of each other.
    assert np.all(np.abs(a[finite] - b[finite]) <= 2 * NEEDED_RTOL * np.abs(b[finite]) + 1e-12)
    assert fewer < more
