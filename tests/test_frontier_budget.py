"""The search for change points: exact where it finishes, bounded by a budget in re-solves and
seconds, and every interval it did not finish marked (engine, JSON and command line)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from checker import make_problem
from optimizer import analysis as an
from optimizer.bundle import load_bundle
from optimizer.schema import Problem
from optimizer.solve import solve

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
KINKS = (50.0, 90.0, 120.0, 140.0)  # the knapsack's change points, by hand
PRICES = (2.0, 1.5, 1.0, 0.5, 0.0)  # its value per EUR on each piece


@pytest.fixture(scope="module")
def sample() -> Problem:
    return load_bundle(SAMPLE)


def knapsack() -> Problem:
    """One client, a budget of 100 EUR; value per EUR: a 2.0 (50 EUR), b 1.5 (40), c 1.0
    (30), d 0.5 (20): change points at 50, 90, 120 and 140 EUR."""
    return make_problem(
        {"budget": 100},
        [
            {"method_id": "a", "budget": 50},
            {"method_id": "b", "budget": 40},
            {"method_id": "c", "budget": 30},
            {"method_id": "d", "budget": 20},
        ],
        [{"client_id": "x"}],
        [
            {"client_id": "x", "method_id": "a", "value": 100},
            {"client_id": "x", "method_id": "b", "value": 60},
            {"client_id": "x", "method_id": "c", "value": 30},
            {"client_id": "x", "method_id": "d", "value": 10},
        ],
    )


def covered(x: float, spans: tuple[tuple[float, float], ...]) -> bool:
    return any(a - 1e-9 <= x <= b + 1e-9 for a, b in spans)


def test_the_finished_search_finds_the_known_change_points_exactly() -> None:
    sw = an.sweep(knapsack(), "budget", 0, 200, 7)
    bps = sw.breakpoints
    np.testing.assert_allclose(bps["capacity"], KINKS, rtol=1e-9)
    np.testing.assert_allclose(bps["price_before"], PRICES[:-1], atol=1e-9)
    np.testing.assert_allclose(bps["price_after"], PRICES[1:], atol=1e-9)
    np.testing.assert_allclose(bps["objective"], (100, 160, 190, 200), rtol=1e-9)
    assert sw.unresolved == () and not sw.truncated
    assert sw.to_json()["breakpoints_complete"] is True
    assert sw.to_json()["unresolved_intervals"] == []


def test_a_change_point_on_a_grid_point_is_found() -> None:
    # 0, 50, 100, 150, 200: the first change point is the second grid point itself.
    sw = an.sweep(knapsack(), "budget", 0, 200, 5)
    np.testing.assert_allclose(sw.breakpoints["capacity"], KINKS, rtol=1e-9)
    first = sw.breakpoints.iloc[0]
    assert first["price_before"] == pytest.approx(2.0) and first["price_after"] == pytest.approx(
        1.5
    )
    assert first["less"] == [("x", "a")] and first["more"] == [("x", "b")]


def test_a_budget_of_nothing_marks_every_interval_that_changes() -> None:
    sw = an.sweep(knapsack(), "budget", 0, 200, 7, max_solves=0)
    assert len(sw.breakpoints) == 0 and sw.truncated
    # 0-33 and 167-200 are single pieces (same price at both ends); 33-167 holds all four.
    assert len(sw.unresolved) == 1
    np.testing.assert_allclose(sw.unresolved[0], (200 / 6, 1000 / 6), rtol=1e-9)
    assert all(covered(k, sw.unresolved) for k in KINKS)
    data = sw.to_json()
    assert data["breakpoints_complete"] is False
    np.testing.assert_allclose(data["unresolved_intervals"], [[200 / 6, 1000 / 6]], rtol=1e-9)
    assert any("incomplete" in n and "marked as unresolved" in n for n in sw.notes)


def test_a_budget_of_one_keeps_what_it_walked_and_marks_the_rest() -> None:
    sw = an.sweep(knapsack(), "budget", 0, 200, 7, max_solves=1)
    assert sw.search_solves == 1 and sw.truncated
    # One pivot walks from 66.7 (next to today's 100 EUR) to 90; the change at 90 needs the
    # next basis, so 90 itself is not resolved.
    assert len(sw.breakpoints) == 0
    spans = sw.unresolved
    assert not covered(80.0, spans)  # walked: known to be one piece
    assert all(covered(k, spans) for k in KINKS)


def test_a_seconds_budget_of_zero_marks_the_intervals_too(sample: Problem) -> None:
    sw = an.sweep(sample, "budget", 300_000, 600_000, 4, max_seconds=0.0)
    assert sw.truncated and len(sw.breakpoints) == 0 and sw.unresolved
    np.testing.assert_allclose(sw.unresolved[0][0], 300_000)


@pytest.mark.parametrize("budget", [0, 1, 5, 20, 60])
def test_any_budget_lists_exact_points_and_marks_where_the_others_may_be(
    sample: Problem, budget: int
) -> None:
    full = an.sweep(sample, "exec_hours", 400, 800, 5)
    short = an.sweep(sample, "exec_hours", 400, 800, 5, max_solves=budget)
    assert full.unresolved == () and short.search_solves <= budget
    exact = full.breakpoints["capacity"].to_numpy()
    got = short.breakpoints["capacity"].to_numpy()
    # Every point listed is one of the exact ones, with the same prices ...
    for x, before, after in zip(
        got, short.breakpoints["price_before"], short.breakpoints["price_after"]
    ):
        k = int(np.argmin(np.abs(exact - x)))
        assert exact[k] == pytest.approx(x, rel=1e-9)
        assert full.breakpoints["price_before"].iloc[k] == pytest.approx(before, rel=1e-9)
        assert full.breakpoints["price_after"].iloc[k] == pytest.approx(after, rel=1e-9)
    # ... and every exact point not listed lies in an interval marked unresolved.
    missing = [x for x in exact if not np.isclose(got, x, rtol=1e-9).any()]
    assert all(covered(x, short.unresolved) for x in missing)
    if missing:
        assert short.truncated


def test_the_walk_agrees_with_the_search_by_re_solves(sample: Problem) -> None:
    walked = an.sweep(sample, "budget", 200_000, 700_000, 11)
    probed = an.sweep(sample, "budget", 200_000, 700_000, 11, method="model")
    a, b = walked.breakpoints, probed.breakpoints
    assert len(a) == len(b) > 100
    np.testing.assert_allclose(a["capacity"], b["capacity"], rtol=1e-9)
    np.testing.assert_allclose(a["price_before"], b["price_before"], rtol=1e-7)
    np.testing.assert_allclose(a["price_after"], b["price_after"], rtol=1e-7)
    np.testing.assert_allclose(a["objective"], b["objective"], rtol=1e-9)


def test_each_change_point_is_where_full_solves_change_price(sample: Problem) -> None:
    sw = an.sweep(sample, "exec_hours", 400, 800, 5)
    bps = sw.breakpoints
    caps = bps["capacity"].to_numpy()
    for k in np.linspace(0, len(bps) - 1, 8).astype(int):
        x = caps[k]
        gap = min(np.diff(caps)[max(k - 1, 0)], np.diff(caps)[min(k, len(caps) - 2)])
        h = 0.25 * gap
        left = solve(sample.with_capacity("exec_hours", x - h)).pools.at[
            "exec_hours", "shadow_price"
        ]
        right = solve(sample.with_capacity("exec_hours", x + h)).pools.at[
            "exec_hours", "shadow_price"
        ]
        assert left == pytest.approx(bps["price_before"].iloc[k], rel=1e-6)
        assert right == pytest.approx(bps["price_after"].iloc[k], rel=1e-6)


def test_stopping_during_the_search_keeps_the_points_and_marks_the_rest(sample: Problem) -> None:
    calls = {"n": 0}

    def stop() -> bool:  # polled once per grid point, then before each batch of the search's
        calls["n"] += 1  # steps (at most REFACTOR_EVERY pivots, some milliseconds)
        return calls["n"] > 5 + 3

    sw = an.sweep(sample, "exec_hours", 400, 800, 5, stop_flag=stop)
    assert sw.partial and len(sw.points) == 5 and sw.unresolved
    full = an.sweep(sample, "exec_hours", 400, 800, 5)
    assert len(sw.breakpoints) < len(full.breakpoints)


# ---- command line ---------------------------------------------------------------------------
def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def test_cli_points_counts_points_and_steps_still_works_with_a_word() -> None:
    base = ("sweep", str(SAMPLE), "--pool", "budget", "--from", "100000", "--to", "500000")
    new = run_cli(*base, "--points", "5", "--json")
    assert new.returncode == 0, new.stderr
    assert len(json.loads(new.stdout)["points"]) == 5
    assert "--steps" not in new.stderr
    old = run_cli(*base, "--steps", "5", "--json")
    assert old.returncode == 0, old.stderr
    assert json.loads(old.stdout)["points"] == json.loads(new.stdout)["points"]
    assert "--steps is now --points" in old.stderr
    both = run_cli(*base, "--points", "5", "--steps", "6")
    assert both.returncode == 2 and "disagree" in both.stderr and "Traceback" not in both.stderr
    assert "--points N" in run_cli("sweep", "--help").stdout


def test_cli_breakpoint_budget_marks_the_unresolved_stretches() -> None:
    base = ("sweep", str(SAMPLE), "--pool", "budget", "--points", "5")
    p = run_cli(*base, "--breakpoint-budget", "20", "--json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["breakpoints_complete"] is False and data["unresolved_intervals"]
    assert data["breakpoint_search"]["solves"] <= 20
    assert data["breakpoint_search"]["budget_solves"] == 20
    text = run_cli(*base, "--breakpoint-budget", "20")
    assert text.returncode == 0
    assert "Not searched to the end" in text.stdout
    ru = run_cli(*base, "--breakpoint-budget", "20", "--lang", "ru")
    assert "Не проверено до конца" in ru.stdout
    full = json.loads(run_cli(*base, "--json").stdout)
    assert full["breakpoints_complete"] is True and full["unresolved_intervals"] == []
    assert len(full["breakpoints"]) > len(data["breakpoints"])
    timed = json.loads(run_cli(*base, "--breakpoint-seconds", "0", "--json").stdout)
    assert timed["breakpoints"] == [] and timed["unresolved_intervals"]


def test_cli_rejects_a_negative_budget() -> None:
    for option in ("--breakpoint-budget", "--breakpoint-seconds"):
        p = run_cli("sweep", str(SAMPLE), "--pool", "budget", option, "-1")
        assert p.returncode == 2 and option in p.stderr and "Traceback" not in p.stderr


def test_an_interval_the_walk_cannot_follow_is_searched_by_re_solves(
    sample: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    frontier = importlib.import_module("optimizer.analysis.frontier")
    walked = an.sweep(sample, "budget", 200_000, 700_000, 11)

    def refuse(self, st, b0, b1, f0, f1, budget):  # as a walk that disagrees with the solver
        return frontier._WalkOut([], None, None, b0, ok=False)

    monkeypatch.setattr(frontier.Walk, "walk", refuse)
    probed = an.sweep(sample, "budget", 200_000, 700_000, 11)
    assert probed.unresolved == () and len(probed.breakpoints) == len(walked.breakpoints)
    np.testing.assert_allclose(
        probed.breakpoints["capacity"], walked.breakpoints["capacity"], rtol=1e-9
    )
    np.testing.assert_allclose(
        probed.breakpoints["price_after"], walked.breakpoints["price_after"], rtol=1e-7
    )
    assert probed.search_solves > walked.search_solves  # re-solves, not pivots
