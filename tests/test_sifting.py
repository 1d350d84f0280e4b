"""Sifting (optimizer/sifting.py) gives an optimum of the whole LP, proven over every column.

Each case solves the same model twice, by sifting and directly by HiGHS, and checks the
sifted answer on its own terms: every row and bound holds, every column's reduced cost at the
sifted prices has the sign its bound needs (so the prices prove the plan optimal), and the
value equals the direct solve's. Sifting runs from 30,000 columns; the threshold is lowered
here so that small models, quick to solve, take the sifted path too.
"""

from __future__ import annotations

import importlib
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp

from benchmarks.instances import make_problem as synthetic
from checker import check
from optimizer import sifting
from optimizer.model import FLOOR, Model, build_model
from optimizer.schema import MIN_VALUE_SHARE, OPTIMAL, Problem, Settings
from optimizer.tolerances import FEASIBILITY

solve_mod = importlib.import_module("optimizer.solve")
SETTINGS = Settings()


def direct(model: Model) -> solve_mod.Raw:
    h = solve_mod.highs_model(model, relax=True)
    h.run()
    return solve_mod.highs_result(h, False)


def sifted(model: Model, settings: Settings = SETTINGS) -> solve_mod.Raw | None:
    return solve_mod._run_sifted(model, settings)


def assert_proven(model: Model, raw: solve_mod.Raw) -> None:
    """Primal feasible, and the prices make every column's bound the right one."""
    assert raw.status == OPTIMAL and raw.x is not None and raw.row_dual is not None
    x, y = raw.x, raw.row_dual
    assert np.all(x >= model.col_lo - FEASIBILITY) and np.all(x <= model.col_hi + FEASIBILITY)
    act = model.A @ x
    assert np.all(act >= model.row_lo - FEASIBILITY) and np.all(act <= model.row_hi + FEASIBILITY)
    sense = 1.0 if model.sense == "max" else -1.0
    reduced = sense * (model.c - model.A.T @ y)
    tol = 1e-6 * max(1.0, float(np.abs(model.c).max()))
    assert np.all(reduced[x < model.col_hi - FEASIBILITY] <= tol), "a column below its top gains"
    assert np.all(reduced[x > model.col_lo + FEASIBILITY] >= -tol), "a column above its floor"


def with_floors(problem: Problem, share: float, every: int) -> Problem:
    clients = problem.clients.copy()
    clients.loc[clients.index[::every], MIN_VALUE_SHARE] = share
    return replace(problem, clients=clients)


@pytest.fixture(autouse=True)
def low_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solve_mod, "SIFT_FROM_COLUMNS", 1)
    monkeypatch.setattr(sifting, "SAMPLE_MIN_CLIENTS", 20)


@pytest.mark.parametrize(
    ("clients", "seed", "budget_share"),
    [(400, 0, 0.55), (600, 1, 0.25), (500, 2, 0.9), (800, 3, 0.1)],
)
def test_sifted_max_value_plan_is_the_direct_optimum(
    clients: int, seed: int, budget_share: float
) -> None:
    model = build_model(synthetic(clients, seed=seed, budget_share=budget_share), "max_value")
    raw = sifted(model)
    assert raw is not None
    assert_proven(model, raw)
    ref = direct(model)
    assert raw.objective == pytest.approx(ref.objective, rel=1e-9)


def test_floors_and_caps_on_many_clients() -> None:
    # Floors on every third client: their columns' prices are not guessed by the sample.
    problem = with_floors(synthetic(600, seed=4, budget_share=0.6), 0.3, 3)
    model = build_model(problem, "max_value")
    assert (model.rows["kind"] == FLOOR).sum() >= 200
    raw = sifted(model)
    assert raw is not None
    assert_proven(model, raw)
    assert raw.objective == pytest.approx(direct(model).objective, rel=1e-9)


def test_min_cost_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = synthetic(500, seed=5)
    best = direct(build_model(problem, "max_value"))
    assert best.objective is not None
    model = build_model(problem, "min_cost", 0.8 * best.objective)
    assert model.sense == "min"
    raw = sifted(model)
    assert raw is not None
    assert_proven(model, raw)
    assert raw.objective == pytest.approx(direct(model).objective, rel=1e-9)


def test_bad_first_guess_still_ends_at_the_optimum(monkeypatch: pytest.MonkeyPatch) -> None:
    # No column in doubt and the first prices from a tiny sample: most columns start on the
    # wrong side, and the rounds must move them until the prices agree.
    monkeypatch.setattr(sifting, "DOUBT_SHARE", 0.0)
    monkeypatch.setattr(sifting, "SAMPLE_MIN_CLIENTS", 3)
    monkeypatch.setattr(sifting, "SAMPLE_SHARE", 0.0)
    model = build_model(synthetic(300, seed=6), "max_value")
    seen: list[int] = []
    real = sifting.sift

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        got = real(*args, **kwargs)
        if got is not None:
            seen.append(got.rounds)
        return got

    monkeypatch.setattr(solve_mod, "sift", counting)
    raw = sifted(model)
    assert raw is not None and seen and seen[0] > 1
    assert_proven(model, raw)
    assert raw.objective == pytest.approx(direct(model).objective, rel=1e-9)


def test_infeasible_model_is_left_to_the_direct_solve() -> None:
    # Floors no plan can meet: sifting gives no answer and the solve says infeasible.
    problem = with_floors(synthetic(300, seed=7, budget_share=0.05), 0.95, 1)
    model = build_model(problem, "max_value")
    assert sifted(model) is None
    assert solve_mod.run_model(model, SETTINGS).status == "infeasible"


def test_whole_solve_through_sifting_passes_the_checker() -> None:
    problem = with_floors(synthetic(400, seed=8), 0.2, 5)
    result = solve_mod.solve(problem, needed="bound")
    assert result.status == OPTIMAL
    check(problem, result)
    plain = solve_mod.solve(problem, needed="bound", settings=problem.settings.with_(solver="cbc"))
    assert result.objective == pytest.approx(plain.objective, rel=1e-7)


def test_a_model_with_columns_besides_the_cells_is_solved_directly() -> None:
    # A protected plan's counterpart adds columns of its own: no client to sample them by.
    model = build_model(synthetic(300, seed=9), "max_value")
    extra = replace(
        model,
        c=np.append(model.c, 0.0),
        A=sp.hstack([model.A, sp.csr_matrix((model.A.shape[0], 1))]).tocsr(),
        col_lo=np.append(model.col_lo, 0.0),
        col_hi=np.append(model.col_hi, 1.0),
    )
    assert sifting.sift(extra, None, None, None, 10.0, 1e-7) is None  # type: ignore[arg-type]


def test_a_shared_row_the_sample_asks_nothing_of_keeps_its_open_side(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Only clients the sample skips are offered the capped method: that row's share is 0.
    monkeypatch.setattr(sifting, "SAMPLE_MIN_CLIENTS", 200)
    problem = synthetic(600, seed=10)
    values = problem.values
    trial = values.index.get_level_values("method_id") == "trial"
    # The sample takes every third client from the first (600 clients: 200 of them).
    offered = values.index.get_level_values("client_id").isin(problem.clients.index[1::3])
    problem = replace(problem, values=values[~trial | offered])
    model = build_model(problem, "max_value")
    local = sifting._client_rows(model)
    seen: list[tuple[np.ndarray, np.ndarray]] = []

    def run(sub: Model, seconds: float):  # type: ignore[no-untyped-def]
        seen.append((sub.row_lo, sub.row_hi))
        return "error", None, None

    sifting._sample_prices(model, local, run, 10.0)
    lo, hi = seen[0]
    assert not np.isnan(lo).any() and not np.isnan(hi).any()
    # The method's capacity, scaled to the sample's nothing, is 0 above and open below.
    assert np.any(hi == 0) and np.all(np.isneginf(lo[hi == 0]))
    raw = sifted(model)
    assert raw is not None
    assert_proven(model, raw)
    assert raw.objective == pytest.approx(direct(model).objective, rel=1e-9)
