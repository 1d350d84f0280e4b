"""Plans that hold up when the values are wrong (optimizer/robust.py).

Tiny cases are solved by hand; on the sample bundle the protected, CVaR and expected-value
plans are checked against the nominal solve, against each other and by the independent checker.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from optimizer.bundle import load_bundle
from optimizer.model import build_model
from optimizer.robust import (
    RobustError,
    counterpart,
    cvar,
    cvar_cuts,
    gamma_curve,
    price_of_robustness,
    price_search,
    protected_value,
    solve_counterpart,
    solve_objective,
    unit_multiplier,
)
from optimizer.schema import (
    REASON,
    UNITS,
    VALUE,
    VALUE_LOW,
    Objective,
    Problem,
    SettingsError,
)
from optimizer.solve import run_model, solve
from tests.checker import check, make_problem

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="module")
def sample() -> Problem:
    return load_bundle(SAMPLE)


def units(result) -> dict[tuple[str, str], float]:
    return {k: round(float(v), 9) for k, v in result.allocation[UNITS].items()}


def two_methods(budget: float = 1, **settings) -> Problem:
    """One client, a budget of 1 EUR, two one-unit methods costing 1 EUR: `wide` is worth 10
    (as little as 2), `narrow` 8 (at least 7)."""
    return make_problem(
        {"budget": budget},
        [{"method_id": "wide", "budget": 1}, {"method_id": "narrow", "budget": 1}],
        [{"client_id": "acme"}],
        [
            {"client_id": "acme", "method_id": "wide", "value": 10, "value_low": 2},
            {"client_id": "acme", "method_id": "narrow", "value": 8, "value_low": 7},
        ],
        **settings,
    )


# ---- hand-solved ----------------------------------------------------------------------------
def test_one_surprise_moves_the_unit_from_the_wide_range_to_the_narrow_one() -> None:
    p = two_methods(integer_units=True)
    nominal = solve(p)
    assert units(nominal) == {("acme", "wide"): 1.0, ("acme", "narrow"): 0.0}
    assert nominal.objective == pytest.approx(10.0)
    robust = solve_objective(p, Objective("robust", protect=1))
    check(p, robust)
    assert units(robust) == {("acme", "wide"): 0.0, ("acme", "narrow"): 1.0}
    assert robust.objective == pytest.approx(8.0)  # nominal value given up: 2
    assert robust.protected_value == pytest.approx(7.0)  # the nominal plan's: 10 - 8 = 2
    assert robust.gap is not None and robust.gap <= p.settings.mip_gap


def test_fractional_units_mix_the_two_where_the_losses_balance() -> None:
    # max 10a + 8b - max(8a, 1b), a + b <= 1: the losses meet at 8a = 1 - a, a = 1/9.
    p = two_methods()
    robust = solve_objective(p, Objective("robust", protect=1))
    check(p, robust)
    u = units(robust)
    assert u[("acme", "wide")] == pytest.approx(1 / 9)
    assert u[("acme", "narrow")] == pytest.approx(8 / 9)
    assert robust.objective == pytest.approx(74 / 9)
    assert robust.protected_value == pytest.approx(22 / 3)
    # Half a surprise: 8 + 2a - max(8a, 1 - a) / 2, the same balance, 7.5 + 2.5 / 9.
    half = solve_objective(p, Objective("robust", protect=0.5))
    assert units(half)[("acme", "wide")] == pytest.approx(1 / 9)
    assert half.protected_value == pytest.approx(70 / 9)


def test_prices_and_reasons_come_from_the_counterpart() -> None:
    p = two_methods(budget=0.5)
    robust = solve_objective(p, Objective("robust", protect=2))
    # Gamma 2 covers both cells: the plan of the low values, `narrow` (7) over `wide` (2).
    assert units(robust) == {("acme", "wide"): 0.0, ("acme", "narrow"): 0.5}
    assert robust.protected_value == pytest.approx(3.5)
    # The budget is worth the protected value of the funded cell per EUR.
    assert robust.pools["shadow_price"]["budget"] == pytest.approx(7.0)
    why = robust.unfunded.loc[("acme", "wide")]
    assert why[VALUE] == pytest.approx(2.0)  # the wide cell counts at its low value
    assert why["needed_value"] == pytest.approx(7.0)
    assert "estimate" in why[REASON]
    assert any("protected model" in line for line in robust.explanation)


# ---- Gamma at its ends ----------------------------------------------------------------------
def test_gamma_zero_is_the_nominal_plan(sample: Problem) -> None:
    nominal = solve(sample)
    robust = solve_objective(sample, Objective("robust", protect=0))
    check(sample, robust)
    assert robust.objective == pytest.approx(nominal.objective, rel=1e-9)
    assert robust.protected_value == pytest.approx(nominal.objective, rel=1e-9)
    assert units(robust) == pytest.approx(units(nominal), abs=1e-6)


@pytest.mark.parametrize("per_client", [False, True])
def test_gamma_at_every_ranged_cell_is_the_plan_of_the_low_values(
    sample: Problem, per_client: bool
) -> None:
    obj = Objective("robust", protect=10_000, per_client=per_client)
    robust = solve_objective(sample, obj)
    check(sample, robust)
    # The same rows valued at every cell's (widened) low value.
    plan = build_model(sample, "max_value")
    _, ranges = counterpart(sample, obj, plan)
    low = ranges[VALUE_LOW].to_numpy()
    best_low = run_model(
        replace(plan, c=unit_multiplier(sample, plan) * low[plan.col_cell]), sample.settings
    )
    assert robust.protected_value == pytest.approx(best_low.objective, rel=1e-9)
    assert robust.protected_value < solve(sample).objective


def test_protected_value_is_the_worst_of_every_choice_of_surprises() -> None:
    # Three cells, Gamma 2: enumerate every pair of surprises, independent of the sort.
    p = make_problem(
        {"budget": 10},
        [{"method_id": m, "budget": 1, "max_units": 2, "decay": 0.8} for m in ("a", "b", "c")],
        [{"client_id": "x"}, {"client_id": "y", "weight": 2}],
        [
            {"client_id": "x", "method_id": "a", "value": 9, "value_low": 1},
            {"client_id": "x", "method_id": "b", "value": 6, "value_low": 5},
            {"client_id": "y", "method_id": "c", "value": 4, "value_low": 2},
        ],
    )
    plan = build_model(p, "max_value")
    cp, _ = counterpart(p, Objective("robust", protect=2), plan)
    x = np.array([1, 0.5, 1, 1, 1, 0.25])  # columns: (a,1) (a,2) (b,1) (b,2) (c,1) (c,2)
    w = np.array([1 + 0.8 * 0.5, 1 + 0.8, 2 * (1 + 0.8 * 0.25)])
    loss = np.array([8, 1, 2]) * w
    nominal = float(np.array([9, 6, 4]) @ w)
    worst = min(nominal - loss[list(s)].sum() for s in itertools.combinations(range(3), 2))
    assert protected_value(cp, x) == pytest.approx(worst)
    assert float(plan.c @ x) == pytest.approx(nominal)


def test_whole_units_robust_plan_is_the_best_within_the_gap() -> None:
    p = make_problem(
        {"budget": 5, "exec_hours": 3},
        [
            {"method_id": "demo", "budget": 1, "exec_hours": 1, "max_units": 2, "decay": 0.7},
            {"method_id": "trial", "budget": 2, "max_units": 2},
            {"method_id": "ref", "budget": 1, "exec_hours": 1},
        ],
        [{"client_id": "x"}, {"client_id": "y", "weight": 1.5}],
        [
            {"client_id": "x", "method_id": "demo", "value": 9, "value_low": 3},
            {"client_id": "x", "method_id": "trial", "value": 7, "value_low": 6},
            {"client_id": "y", "method_id": "demo", "value": 5, "value_low": 4},
            {"client_id": "y", "method_id": "ref", "value": 6, "value_low": 1},
            {"client_id": "y", "method_id": "trial", "value": 4},
        ],
        integer_units=True,
        mip_gap=0.0,
    )
    obj = Objective("robust", protect=2)
    robust = solve_objective(p, obj)
    check(p, robust)
    plan = build_model(p, "max_value")
    cp, _ = counterpart(p, obj, plan)
    # Every whole-units plan (units taken in order), feasible by the pool rows.
    best = -np.inf
    for u in itertools.product(*[range(int(k) + 1) for k in plan.cells.units]):
        x = np.clip(np.asarray(u, float)[plan.col_cell] - (plan.col_k - 1), 0, 1)
        if np.all(plan.A @ x <= plan.row_hi + 1e-9):
            best = max(best, protected_value(cp, x))
    assert robust.protected_value == pytest.approx(best, rel=1e-9)


# ---- CVaR and the expected value ------------------------------------------------------------
def test_cvar_at_alpha_one_is_the_expected_value_plan(sample: Problem) -> None:
    ev = solve_objective(sample, Objective("expected", draws=200, seed=3))
    cv = solve_objective(sample, Objective("cvar", alpha=1.0, draws=200, seed=3))
    check(sample, ev)
    check(sample, cv)
    assert cv.cvar_value == pytest.approx(ev.expected_value, rel=1e-7)
    assert cv.expected_value == pytest.approx(ev.expected_value, rel=1e-7)
    # The draws' mean differs from the nominal values where a range is not symmetric.
    assert ev.expected_value != pytest.approx(solve(sample).objective, rel=1e-4)


def test_cvar_plan_is_best_at_its_own_cvar(sample: Problem) -> None:
    obj = Objective("cvar", alpha=0.1, draws=200, seed=1)
    cv = solve_objective(sample, obj)
    check(sample, cv)
    plan = build_model(sample, "max_value")
    cp, _ = counterpart(sample, obj, plan)
    nominal = solve(sample)
    x_nom = np.clip(nominal.allocation[UNITS].to_numpy()[plan.col_cell] - (plan.col_k - 1), 0, 1)
    assert cv.cvar_value >= cvar(cp.scenario_values(x_nom), 0.1) - 1e-6
    assert cv.objective <= nominal.objective + 1e-6  # the nominal plan is best at nominal values


def test_cvar_of_values_counts_a_fractional_draw_in_part() -> None:
    v = np.array([5.0, 1.0, 3.0, 2.0])
    assert cvar(v, 0.25) == pytest.approx(1.0)
    assert cvar(v, 0.5) == pytest.approx(1.5)
    assert cvar(v, 0.375) == pytest.approx((1 + 0.5 * 2) / 1.5)
    assert cvar(v, 1.0) == pytest.approx(v.mean())


@pytest.mark.parametrize(
    "obj",
    [
        Objective("robust", protect=4),
        Objective("robust", protect=1, per_client=True),
        Objective("cvar", alpha=0.2, draws=100, seed=5),
        Objective("expected", draws=100, seed=5),
    ],
    ids=["robust", "robust-per-client", "cvar", "expected"],
)
def test_every_plan_passes_the_checker_in_both_modes(sample: Problem, obj: Objective) -> None:
    for integer in (False, True):
        p = sample.with_settings(integer_units=integer)
        r = solve_objective(p, obj)
        assert r.has_plan, r.status_text
        check(p, r)
        assert len(r.unfunded) and r.unfunded[REASON].str.len().min() > 0
        if integer:
            assert r.gap is not None and r.gap <= p.settings.mip_gap + 1e-12


def test_out_of_sample_cvar_plan_holds_up_better_in_the_worst_decile(sample: Problem) -> None:
    obj = Objective("cvar", alpha=0.1, draws=200, seed=1)
    pr = price_of_robustness(sample, obj, fresh_draws=400, fresh_seed=7)
    nom, rob = pr.nominal_plan.fresh_summary(0.1), pr.robust_plan.fresh_summary(0.1)
    # Recorded (seeded): the worst decile's mean on 400 fresh draws, seed 7.
    assert nom["worst_decile_mean"] == pytest.approx(10568.85, abs=0.01)
    assert rob["worst_decile_mean"] == pytest.approx(10582.77, abs=0.01)
    assert rob["regret_mean"] < nom["regret_mean"]
    assert rob["worst_decile_mean"] >= nom["worst_decile_mean"]
    assert pr.value_given_up >= 0 and pr.value_gained >= 0
    assert len(pr.moves) > 0
    assert np.all(pr.nominal_plan.regret >= 0) and np.all(pr.robust_plan.regret >= 0)


# ---- the Gamma curve ------------------------------------------------------------------------
def test_gamma_curve_runs_from_the_nominal_plan_down_to_the_low_values(sample: Problem) -> None:
    curve = gamma_curve(sample)
    f = curve.frame()
    assert f["gamma"].iloc[0] == 0 and f["gamma"].iloc[-1] == curve.ranged_cells
    assert f["protected_value"].iloc[0] == pytest.approx(solve(sample).objective, rel=1e-9)
    # More protection never raises the protected value, and never beats nominal.
    assert np.all(np.diff(f["protected_value"]) <= 1e-6)
    assert np.all(f["protected_value"] <= f["nominal_value"] + 1e-6)
    end = solve_objective(sample, Objective("robust", protect=curve.ranged_cells))
    assert f["protected_value"].iloc[-1] == pytest.approx(end.protected_value, rel=1e-7)
    assert curve.seconds < 5


# ---- what is refused ------------------------------------------------------------------------
def test_bad_objectives_are_refused_with_the_field_named() -> None:
    with pytest.raises(SettingsError) as e:
        Objective("robust", protect=-1)
    assert e.value.field == "protect"
    with pytest.raises(SettingsError) as e:
        Objective("cvar", alpha=0)
    assert e.value.field == "alpha"
    with pytest.raises(SettingsError) as e:
        Objective("cvar", draws=0)
    assert e.value.field == "draws"
    with pytest.raises(SettingsError):
        Objective("worst")


def test_min_cost_mode_has_no_value_to_protect(sample: Problem) -> None:
    with pytest.raises(RobustError) as e:
        solve_objective(sample.with_settings(objective="min_cost"), Objective("robust", protect=1))
    assert "max_value" in str(e.value)
    assert "max_value" in e.value.text("ru")


def test_an_infeasible_bundle_gives_its_conflicts_not_a_plan() -> None:
    p = make_problem(
        {"budget": 1},
        [{"method_id": "m", "budget": 5}],
        [{"client_id": "x"}],
        [{"client_id": "x", "method_id": "m", "value": 3, "value_low": 1, "committed_units": 1}],
    )
    r = solve_objective(p, Objective("robust", protect=1))
    assert not r.has_plan and r.objective is None and r.conflicts


# ---- the search for the budget's price (the fast way to the same LP optimum) -----------------
@pytest.mark.parametrize("gamma", [0.5, 3, 20, 1000])
@pytest.mark.parametrize("clients", [25, 120])
def test_price_search_finds_the_counterpart_lp_optimum(clients: int, gamma: float) -> None:
    from benchmarks.instances import make_problem as bench_problem

    p = bench_problem(clients, seed=3)
    obj = Objective("robust", protect=gamma)
    cp, _ = counterpart(p, obj)
    exact, _ = solve_counterpart(cp, p.settings)
    fast = price_search(cp, p.settings)
    if gamma <= 3:  # it certifies its plan on these instances (else the LP is solved)
        assert fast is not None
    if fast is not None:
        assert protected_value(cp, fast.x) == pytest.approx(exact.objective, rel=1e-9)
    r = solve_objective(p, obj)
    check(p, r)
    assert r.protected_value == pytest.approx(exact.objective, rel=1e-9)


@pytest.mark.parametrize("alpha", [0.05, 0.1, 1.0])
@pytest.mark.parametrize("clients", [25, 120])
def test_cvar_cuts_find_the_counterpart_lp_optimum(clients: int, alpha: float) -> None:
    from benchmarks.instances import make_problem as bench_problem

    p = bench_problem(clients, seed=3)
    obj = Objective("cvar", alpha=alpha, draws=150, seed=2)
    cp, _ = counterpart(p, obj)
    exact, _ = solve_counterpart(cp, p.settings)
    fast = cvar_cuts(cp, p.settings)
    assert fast is not None  # it converges on these instances
    assert cvar(cp.scenario_values(fast.x), alpha) == pytest.approx(exact.objective, rel=1e-9)
    r = solve_objective(p, obj)
    check(p, r)
    assert r.cvar_value == pytest.approx(exact.objective, rel=1e-9)
    whole = p.with_settings(integer_units=True)
    rw = solve_objective(whole, obj)
    check(whole, rw)
    assert rw.cvar_value >= exact.objective * (1 - whole.settings.mip_gap) - 1e-6


def test_whole_units_gamma_curve_gives_whole_plans_within_the_gap(sample: Problem) -> None:
    p = sample.with_settings(integer_units=True)
    curve = gamma_curve(p, points=6)
    assert set(curve.statuses) <= {"optimal", "feasible"}
    for g, value in zip(curve.gamma, curve.protected_value):
        r = solve_objective(p, Objective("robust", protect=float(g)))
        check(p, r)
        # Both are whole-units plans within the gap of the same counterpart.
        assert value == pytest.approx(r.protected_value, rel=2 * p.settings.mip_gap)
