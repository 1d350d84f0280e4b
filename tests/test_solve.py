"""Solving: tiny cases solved by hand, brute force, shadow prices, infeasibility, time limits.

Every solve goes through `solve_checked`, which runs the independent feasibility checker.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from checker import (
    brute_force,
    make_problem,
    random_problem,
    solve_checked,
    units_of,
    violations,
)
from optimizer.bundle import load_bundle
from optimizer.schema import (
    CAPACITY,
    NEEDED_VALUE,
    SHADOW_PRICE,
    USED,
    VALUE,
    Problem,
)

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
SOLVERS = ["highs", "cbc"]


def approx(x: float) -> object:
    return pytest.approx(x, rel=1e-6, abs=1e-6)


def assert_units(result, expected: dict[tuple[str, str], float]) -> None:
    got = units_of(result)
    assert set(got) == set(expected)
    for key, units in expected.items():
        assert got[key] == approx(units), key


# ---- tiny cases -----------------------------------------------------------------------------
def knapsack(**settings) -> Problem:
    """One client, one budget of 100; value per EUR: a 2.0, b 1.5, c 1.0, d 0.5."""
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
        **settings,
    )


@pytest.mark.parametrize("solver", SOLVERS)
def test_knapsack_funds_best_value_per_money_first(solver: str) -> None:
    r = solve_checked(knapsack(solver=solver))
    assert r.status == "optimal"
    # a and b whole (90 EUR), the last 10 EUR buy a third of c.
    assert_units(r, {("x", "a"): 1, ("x", "b"): 1, ("x", "c"): 1 / 3, ("x", "d"): 0})
    assert r.objective == approx(170)
    assert r.money_spent == approx(100)
    # one more EUR buys 1/30 of c, worth 30: a shadow price of 1.0
    assert r.pools.at["budget", SHADOW_PRICE] == approx(1.0)
    # d (0.5 per EUR) would need a value of 20 to be worth its 20 EUR at that price
    assert r.unfunded.at[("x", "d"), NEEDED_VALUE] == approx(20)


@pytest.mark.parametrize("solver", SOLVERS)
def test_knapsack_whole_units(solver: str) -> None:
    r = solve_checked(knapsack(solver=solver, integer_units=True, mip_gap=0.0))
    assert r.status == "optimal"
    # a + b = 90 EUR for 160; any plan with c is worth less
    assert_units(r, {("x", "a"): 1, ("x", "b"): 1, ("x", "c"): 0, ("x", "d"): 0})
    assert r.objective == approx(160)
    assert r.lp_objective == approx(170)  # the continuous bound is reported beside it


def decay_case(budget: float, **settings) -> Problem:
    """m: 80, 40, 20 per unit (decay 0.5); n: 50 once; every unit costs 10."""
    return make_problem(
        {"budget": budget},
        [
            {"method_id": "m", "max_units": 3, "decay": 0.5, "budget": 10},
            {"method_id": "n", "budget": 10},
        ],
        [{"client_id": "x"}],
        [
            {"client_id": "x", "method_id": "m", "value": 80},
            {"client_id": "x", "method_id": "n", "value": 50},
        ],
        **settings,
    )


@pytest.mark.parametrize("solver", SOLVERS)
def test_decay_fills_units_in_order(solver: str) -> None:
    r = solve_checked(decay_case(30, solver=solver))
    assert_units(r, {("x", "m"): 2, ("x", "n"): 1})  # 80 + 50 + 40
    assert r.objective == approx(170)
    r = solve_checked(decay_case(25, solver=solver))
    # the last 5 EUR buy half of the second unit of m (worth 40)
    assert_units(r, {("x", "m"): 1.5, ("x", "n"): 1})
    assert r.allocation.at[("x", "m"), VALUE] == approx(100)
    assert r.objective == approx(150)


@pytest.mark.parametrize("solver", SOLVERS)
def test_client_cap_on_a_pool(solver: str) -> None:
    p = make_problem(
        {"budget": 60},
        [{"method_id": "m", "max_units": 4, "budget": 10}],
        [{"client_id": "x", "max_budget": 20}, {"client_id": "y"}],
        [
            {"client_id": "x", "method_id": "m", "value": 10},
            {"client_id": "y", "method_id": "m", "value": 6},
        ],
        solver=solver,
    )
    r = solve_checked(p)
    # x is worth more per unit but may only spend 20 EUR
    assert_units(r, {("x", "m"): 2, ("y", "m"): 4})
    assert r.objective == approx(44)
    assert r.clients.at["x", "use_budget"] == approx(20)


@pytest.mark.parametrize("solver", SOLVERS)
def test_method_capacity_over_all_clients(solver: str) -> None:
    p = make_problem(
        {"budget": 100},
        [{"method_id": "m", "max_units": 2, "capacity": 3, "budget": 1}],
        [{"client_id": "a"}, {"client_id": "b"}, {"client_id": "c"}],
        [
            {"client_id": "a", "method_id": "m", "value": 5},
            {"client_id": "b", "method_id": "m", "value": 4},
            {"client_id": "c", "method_id": "m", "value": 3},
        ],
        solver=solver,
    )
    r = solve_checked(p)
    assert_units(r, {("a", "m"): 2, ("b", "m"): 1, ("c", "m"): 0})
    assert r.objective == approx(14)
    assert r.methods.at["m", "units"] == approx(3)


def floor_case(**settings) -> Problem:
    """One unit of budget for two clients; the low-value one is owed half its value."""
    return make_problem(
        {"budget": 10},
        [{"method_id": "m", "budget": 10}],
        [{"client_id": "hi"}, {"client_id": "lo", "min_value_share": 0.5}],
        [
            {"client_id": "hi", "method_id": "m", "value": 100},
            {"client_id": "lo", "method_id": "m", "value": 10},
        ],
        **settings,
    )


@pytest.mark.parametrize("solver", SOLVERS)
def test_floor_forces_a_lower_value_client(solver: str) -> None:
    r = solve_checked(floor_case(solver=solver))
    assert_units(r, {("hi", "m"): 0.5, ("lo", "m"): 0.5})
    assert r.objective == approx(55)
    assert r.clients.at["lo", "share"] == approx(0.5)
    # in whole units the floor takes the only unit
    r = solve_checked(floor_case(solver=solver, integer_units=True, mip_gap=0.0))
    assert_units(r, {("hi", "m"): 0, ("lo", "m"): 1})
    assert r.objective == approx(10)


@pytest.mark.parametrize("solver", SOLVERS)
def test_commitments_are_kept_even_when_worth_little(solver: str) -> None:
    p = make_problem(
        {"budget": 30},
        [{"method_id": "m", "max_units": 3, "budget": 10}],
        [{"client_id": "a"}, {"client_id": "b"}],
        [
            {"client_id": "a", "method_id": "m", "value": 10},
            {"client_id": "b", "method_id": "m", "value": 1, "committed_units": 2},
        ],
        solver=solver,
    )
    r = solve_checked(p)
    assert_units(r, {("a", "m"): 1, ("b", "m"): 2})
    assert r.objective == approx(12)
    assert r.allocation.at[("b", "m"), "committed_units"] == 2


def override_case(budget: float, **settings) -> Problem:
    """Both clients take m at 10 EUR, except 'far', whose unit costs 40 EUR and 3 hours."""
    return make_problem(
        {"budget": budget, "manager_hours": 100},
        [{"method_id": "m", "budget": 10, "manager_hours": 1}],
        [{"client_id": "near"}, {"client_id": "far"}],
        [
            {"client_id": "near", "method_id": "m", "value": 30},
            {"client_id": "far", "method_id": "m", "value": 100},
        ],
        [
            {"client_id": "far", "method_id": "m", "resource_id": "budget", "per_unit": 40},
            {"client_id": "far", "method_id": "m", "resource_id": "manager_hours", "per_unit": 3},
        ],
        **settings,
    )


@pytest.mark.parametrize("solver", SOLVERS)
def test_overrides_replace_the_method_default(solver: str) -> None:
    r = solve_checked(override_case(30, solver=solver))
    # near: 3 per EUR, far: 2.5 per EUR at its own price
    assert_units(r, {("near", "m"): 1, ("far", "m"): 0.5})
    assert r.objective == approx(80)
    assert r.allocation.at[("far", "m"), "use_budget"] == approx(20)
    assert r.pools.at["manager_hours", USED] == approx(1 + 1.5)
    r = solve_checked(override_case(50, solver=solver))
    assert_units(r, {("near", "m"): 1, ("far", "m"): 1})
    assert r.objective == approx(130)


@pytest.mark.parametrize("solver", SOLVERS)
def test_per_cell_max_units(solver: str) -> None:
    p = make_problem(
        {"budget": 100},
        [{"method_id": "m", "max_units": 3, "budget": 10}],
        [{"client_id": "a"}, {"client_id": "b"}],
        [
            {"client_id": "a", "method_id": "m", "value": 10, "max_units": 1},
            {"client_id": "b", "method_id": "m", "value": 5},
        ],
        solver=solver,
    )
    r = solve_checked(p)
    assert_units(r, {("a", "m"): 1, ("b", "m"): 3})
    assert r.objective == approx(25)
    assert r.allocation.at[("a", "m"), "max_units"] == 1


def min_cost_case(**settings) -> Problem:
    return knapsack(objective="min_cost", **settings)


@pytest.mark.parametrize("solver", SOLVERS)
def test_min_cost_reaches_the_target_cheaply(solver: str) -> None:
    # max value is 170; half of it (85) costs 42.5 EUR of a, the best value per EUR
    r = solve_checked(min_cost_case(solver=solver, target_value_share=0.5))
    assert r.target_value == approx(85)
    assert_units(r, {("x", "a"): 0.85, ("x", "b"): 0, ("x", "c"): 0, ("x", "d"): 0})
    assert r.objective == approx(42.5)
    assert r.money_spent == approx(42.5)
    # 90% (153): all of a, then 53 of b's 60 at 40 EUR per unit
    r = solve_checked(min_cost_case(solver=solver, target_value_share=0.9))
    assert r.target_value == approx(153)
    assert r.objective == approx(50 + 40 * 53 / 60)


@pytest.mark.parametrize("solver", SOLVERS)
def test_min_cost_in_whole_units(solver: str) -> None:
    # best whole-unit value is 160; 80 is reached by a alone at 50 EUR
    r = solve_checked(
        min_cost_case(solver=solver, target_value_share=0.5, integer_units=True, mip_gap=0.0)
    )
    assert r.target_value == approx(80)
    assert_units(r, {("x", "a"): 1, ("x", "b"): 0, ("x", "c"): 0, ("x", "d"): 0})
    assert r.objective == approx(50)


@pytest.mark.parametrize("solver", SOLVERS)
def test_weights_decide_between_clients(solver: str) -> None:
    p = make_problem(
        {"budget": 10},
        [{"method_id": "m", "budget": 10}],
        [{"client_id": "a", "weight": 1}, {"client_id": "b", "weight": 3}],
        [
            {"client_id": "a", "method_id": "m", "value": 25},
            {"client_id": "b", "method_id": "m", "value": 10},
        ],
        solver=solver,
    )
    r = solve_checked(p)
    assert_units(r, {("a", "m"): 0, ("b", "m"): 1})  # 3 x 10 beats 1 x 25
    assert r.objective == approx(30)
    assert r.clients.at["b", VALUE] == approx(10)
    assert r.clients.at["b", "weighted_value"] == approx(30)


@pytest.mark.parametrize("solver", SOLVERS)
def test_two_pools_both_bind(solver: str) -> None:
    # a: 10 EUR + 1 h for 10; b: 1 EUR + 5 h for 6; 20 EUR and 10 h are both spent
    p = make_problem(
        {"budget": 20, "exec_hours": 10},
        [
            {"method_id": "a", "max_units": 5, "budget": 10, "exec_hours": 1},
            {"method_id": "b", "max_units": 5, "budget": 1, "exec_hours": 5},
        ],
        [{"client_id": "x"}],
        [
            {"client_id": "x", "method_id": "a", "value": 10},
            {"client_id": "x", "method_id": "b", "value": 6},
        ],
        solver=solver,
    )
    r = solve_checked(p)
    # 10a + b = 20 and a + 5b = 10  ->  a = 90/49, b = 80/49
    assert_units(r, {("x", "a"): 90 / 49, ("x", "b"): 80 / 49})
    assert r.objective == approx(10 * 90 / 49 + 6 * 80 / 49)
    # prices solve 10 u + v = 10 and u + 5 v = 6  ->  u = 44/49, v = 50/49
    assert r.pools.at["budget", SHADOW_PRICE] == approx(44 / 49)
    assert r.pools.at["exec_hours", SHADOW_PRICE] == approx(50 / 49)


def test_solvers_agree_on_the_sample_bundle() -> None:
    problem = load_bundle(SAMPLE)
    for integer in (False, True):
        got = {
            s: solve_checked(problem, solver=s, integer_units=integer, mip_gap=0.0) for s in SOLVERS
        }
        assert got["highs"].status == got["cbc"].status == "optimal"
        assert got["highs"].objective == pytest.approx(got["cbc"].objective, rel=1e-6)
        if not integer:
            for pool in problem.pools:
                assert got["highs"].pools.at[pool, SHADOW_PRICE] == pytest.approx(
                    got["cbc"].pools.at[pool, SHADOW_PRICE], rel=1e-5, abs=1e-9
                )


def test_sample_bundle_binds_budget_and_hours() -> None:
    r = solve_checked(load_bundle(SAMPLE))
    assert r.status == "optimal"
    binding = r.pools[r.pools["slack"] <= 1e-6 * r.pools[CAPACITY]].index
    assert "budget" in binding
    assert {"exec_hours", "manager_hours"} & set(binding)


# ---- brute force ----------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(12))
def test_integer_mode_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    problem = random_problem(
        rng,
        n_clients=int(rng.integers(2, 4)),
        n_methods=int(rng.integers(2, 4)),
        max_units=2,
        integer_units=True,
        mip_gap=0.0,
    )
    best = brute_force(problem)
    r = solve_checked(problem)
    if best is None:
        assert r.status == "infeasible"
        return
    assert r.status == "optimal"
    assert r.objective == pytest.approx(best[0], rel=1e-7, abs=1e-7)


@pytest.mark.parametrize("seed", range(4))
def test_integer_min_cost_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    problem = random_problem(
        rng,
        n_clients=2,
        n_methods=3,
        max_units=2,
        integer_units=True,
        mip_gap=0.0,
        objective="min_cost",
        target_value_share=0.6,
    )
    r = solve_checked(problem)
    best_value = brute_force(problem)
    if best_value is None:
        assert r.status == "infeasible"
        return
    assert r.target_value == pytest.approx(0.6 * best_value[0], rel=1e-7)
    cheapest = brute_force(problem, "min_cost", r.target_value)
    assert cheapest is not None
    assert r.objective == pytest.approx(cheapest[0], rel=1e-7, abs=1e-7)


# ---- shadow prices against finite differences -----------------------------------------------
def _objective_at(problem: Problem, pool: str, capacity: float) -> float:
    r = solve_checked(problem.with_capacity(pool, capacity))
    assert r.has_plan
    return float(r.objective)


@pytest.mark.parametrize("seed", range(8))
def test_shadow_prices_match_finite_differences(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    problem = random_problem(rng, n_clients=4, n_methods=3, max_units=3)
    base = solve_checked(problem)
    if not base.has_plan:
        problem = random_problem(rng, n_clients=4, n_methods=3, max_units=3, families=False)
        base = solve_checked(problem)
    assert base.status == "optimal"
    for pool in problem.pools:
        cap = float(problem.resources.at[pool, CAPACITY])
        delta = 1e-3 * max(cap, 1.0)
        up = (_objective_at(problem, pool, cap + delta) - base.objective) / delta
        down = (base.objective - _objective_at(problem, pool, cap - delta)) / delta
        price = float(base.pools.at[pool, SHADOW_PRICE])
        # the value is concave in a capacity: its price lies between the one-sided slopes,
        # and equals both away from a breakpoint
        assert up - 1e-6 <= price <= down + 1e-6, (pool, up, price, down)
        if down - up < 1e-6:
            assert price == pytest.approx(up, rel=1e-5, abs=1e-7)


def test_sample_shadow_prices_match_finite_differences() -> None:
    problem = load_bundle(SAMPLE)
    base = solve_checked(problem)
    for pool, delta in (("budget", 50.0), ("exec_hours", 0.1), ("manager_hours", 1.0)):
        cap = float(problem.resources.at[pool, CAPACITY])
        up = (_objective_at(problem, pool, cap + delta) - base.objective) / delta
        down = (base.objective - _objective_at(problem, pool, cap - delta)) / delta
        price = float(base.pools.at[pool, SHADOW_PRICE])
        assert up - 1e-6 <= price <= down + 1e-6, (pool, up, price, down)
        assert price == pytest.approx(up, rel=0.05, abs=1e-9)


# ---- infeasible requests --------------------------------------------------------------------
@pytest.mark.parametrize("solver", SOLVERS)
def test_commitments_exceeding_a_pool_are_explained(solver: str) -> None:
    p = make_problem(
        [{"resource_id": "budget", "name": "Marketing budget", "unit": "EUR", "capacity": 15}],
        [
            {
                "method_id": "demo",
                "name": "Free demonstration",
                "unit": "demo day",
                "max_units": 3,
                "budget": 10,
            }
        ],
        [{"client_id": "acme", "name": "Acme Ltd"}, {"client_id": "zeta", "name": "Zeta AG"}],
        [
            {"client_id": "acme", "method_id": "demo", "value": 10, "committed_units": 2},
            {"client_id": "zeta", "method_id": "demo", "value": 50},
        ],
        solver=solver,
    )
    r = solve_checked(p)
    assert r.status == "infeasible"
    assert not r.has_plan and r.objective is None and r.allocation.empty
    text = "\n".join(r.explanation)
    for name in ("Marketing budget", "Acme Ltd", "Free demonstration"):
        assert name in text
    assert "Zeta AG" not in text  # not part of the conflict
    kinds = {c.kind for c in r.conflicts}
    assert kinds == {"pool", "commitment"}


@pytest.mark.parametrize("solver", SOLVERS)
def test_floor_against_a_client_cap_is_explained(solver: str) -> None:
    p = make_problem(
        [
            {"resource_id": "budget", "name": "Marketing budget", "unit": "EUR", "capacity": 100},
            {"resource_id": "exec_hours", "name": "Executive hours", "unit": "h", "capacity": 100},
        ],
        [{"method_id": "trial", "name": "Free trial", "budget": 10, "exec_hours": 1}],
        [
            {"client_id": "acme", "name": "Acme Ltd", "min_value_share": 0.8, "max_budget": 5},
            {"client_id": "zeta", "name": "Zeta AG"},
        ],
        [
            {"client_id": "acme", "method_id": "trial", "value": 10},
            {"client_id": "zeta", "method_id": "trial", "value": 20},
        ],
        solver=solver,
    )
    r = solve_checked(p)
    assert r.status == "infeasible"
    assert not r.has_plan and r.objective is None
    text = "\n".join(r.explanation)
    assert "Acme Ltd" in text and "Marketing budget" in text
    assert "Executive hours" not in text and "Zeta AG" not in text
    kinds = {c.kind for c in r.conflicts}
    assert {"floor", "client_cap"} <= kinds
    assert all(c.client_id in (None, "acme") for c in r.conflicts)


def test_conflict_set_is_irreducible() -> None:
    """Budget 1 EUR against four written commitments: any one of them already conflicts, so
    the smallest set is the budget and a single commitment; the text still gives the total
    all commitments need."""
    r = solve_checked(load_bundle(SAMPLE).with_capacity("budget", 1.0))
    assert r.status == "infeasible"
    assert sorted(c.kind for c in r.conflicts) == ["commitment", "pool"]
    pool = next(c for c in r.conflicts if c.kind == "pool")
    assert pool.resource_id == "budget" and "17,200" in pool.text


def test_infeasible_min_cost_has_no_plan() -> None:
    p = replace(
        load_bundle(SAMPLE).with_capacity("budget", 1.0),
        settings=load_bundle(SAMPLE).settings.with_(objective="min_cost"),
    )
    r = solve_checked(p)
    assert r.status == "infeasible" and not r.has_plan
    assert r.explanation


# ---- time limit -----------------------------------------------------------------------------
def hard_mip(n_clients: int = 300, seed: int = 7) -> Problem:
    """Many clients with random values and costs: a knapsack-like MIP that takes a while."""
    rng = np.random.default_rng(seed)
    methods = [
        {
            "method_id": f"m{j}",
            "max_units": 3,
            "decay": 0.8,
            "budget": round(float(rng.uniform(300, 3000)), 2),
            "exec_hours": round(float(rng.uniform(1, 9)), 2),
            "manager_hours": round(float(rng.uniform(2, 14)), 2),
        }
        for j in range(7)
    ]
    methods[1]["capacity"] = n_clients // 3
    clients = [
        {"client_id": f"c{i}", "weight": round(float(rng.uniform(0.5, 2)), 3)}
        for i in range(n_clients)
    ]
    values = [
        {"client_id": f"c{i}", "method_id": f"m{j}", "value": round(float(rng.uniform(5, 120)), 3)}
        for i in range(n_clients)
        for j in range(7)
        if rng.random() < 0.85
    ]
    pools = {
        "budget": 1500.0 * n_clients,
        "exec_hours": 4.0 * n_clients,
        "manager_hours": 10.0 * n_clients,
    }
    return make_problem(
        pools, methods, clients, values, integer_units=True, mip_gap=0.0, time_limit_s=0.01
    )


@pytest.mark.parametrize("solver, seconds", [("highs", 0.01), ("highs", 0.3), ("cbc", 0.3)])
def test_time_limit_never_claims_optimal(solver: str, seconds: float) -> None:
    problem = hard_mip().with_settings(time_limit_s=seconds, solver=solver)
    r = solve_checked(problem)
    assert r.status in ("feasible", "error", "optimal")
    if r.status == "optimal":
        # only acceptable when the gap was really closed to the requested one
        assert r.gap is not None and r.gap <= problem.settings.mip_gap + 1e-9
    elif r.status == "feasible":
        assert "not proven optimal" in r.status_text
        # stopped early, the plan still says how far from the best it may be
        assert r.gap is not None and r.gap > problem.settings.mip_gap
        assert f"gap {r.gap:.2%}" in r.status_text
        assert r.bound is not None and r.bound >= r.objective
        if r.lp_objective is not None:
            # the continuous optimum is a true bound too, so the gap is never above its own
            assert r.gap <= (r.lp_objective - r.objective) / r.objective + 1e-9
    else:
        assert not r.has_plan and r.explanation


def test_units_skipped_by_the_solver_are_reported_in_order(monkeypatch) -> None:
    """A time-limited MIP may return a later unit without an earlier one; the plan must still
    report the value its units are worth, taken in order."""
    solve_mod = importlib.import_module("optimizer.solve")  # the package re-exports solve()

    real = solve_mod.run_model

    def skipping(model, settings, relax=False, **kw):
        raw = real(model, settings, relax, **kw)
        if relax or not model.integer or raw.x is None:
            return raw
        # move the first unit of m to its second unit slot: same cost, less value
        x = raw.x.copy()
        first = int(np.flatnonzero(model.col_k == 1)[0])
        assert x[first] == pytest.approx(1) and x[first + 1] == pytest.approx(0)
        x[first], x[first + 1] = 0.0, 1.0
        return replace(
            raw, status="feasible", x=x, objective=float(model.c @ x), gap=None, bound=None
        )

    monkeypatch.setattr(solve_mod, "run_model", skipping)
    # 25 EUR: the continuous optimum (150) takes half a unit, so whole units need a search
    r = solve_checked(decay_case(25, integer_units=True, mip_gap=0.0))
    assert_units(r, {("x", "m"): 1, ("x", "n"): 1})
    assert r.allocation.at[("x", "m"), VALUE] == approx(80)
    assert r.objective == approx(130)
    assert r.status == "feasible"
    assert r.gap == approx((150 - 130) / 130)


# ---- the checker itself ---------------------------------------------------------------------
def test_checker_catches_a_broken_plan() -> None:
    """The checker is only worth running if it fails on a wrong answer."""
    problem = override_case(30)
    good = solve_checked(problem)

    def broken(**frames) -> list[str]:
        return violations(problem, replace(good, **frames))

    alloc = good.allocation.copy()
    alloc.loc[("far", "m"), "units"] = 1.0  # 40 EUR on top of near's 10: over the budget
    found = "\n".join(broken(allocation=alloc))
    assert "pool budget: uses 50" in found
    assert "value reported / from its units" in found  # the value column still says 50
    alloc = good.allocation.copy()
    alloc.loc[("near", "m"), "value"] = 31.0
    assert any("value reported" in v for v in broken(allocation=alloc))
    assert any("objective" in v for v in violations(problem, replace(good, objective=81.0)))
    pools = good.pools.copy()
    pools.loc["budget", "used"] = 29.0
    assert any("reports 29" in v for v in broken(pools=pools))

    # a commitment left out, and a floor missed
    committed = make_problem(
        {"budget": 30},
        [{"method_id": "m", "max_units": 3, "budget": 10}],
        [{"client_id": "a"}, {"client_id": "b", "min_value_share": 0.3}],
        [
            {"client_id": "a", "method_id": "m", "value": 10},
            {"client_id": "b", "method_id": "m", "value": 1, "committed_units": 2},
        ],
    )
    good = solve_checked(committed)
    alloc = good.allocation.copy()
    alloc.loc[("b", "m"), ["units", "value", "weighted_value", "use_budget"]] = [1.0, 1, 1, 10]
    found = "\n".join(violations(committed, replace(good, allocation=alloc)))
    assert "units below the committed" in found
    assert "client b: value below its floor" not in found  # 1 >= 0.3 x 3
    alloc.loc[("b", "m"), ["units", "value", "weighted_value", "use_budget"]] = [0.0, 0, 0, 0]
    found = "\n".join(violations(committed, replace(good, allocation=alloc)))
    assert "client b: value below its floor" in found

    # a whole-units plan with a fraction in it
    whole = solve_checked(knapsack(integer_units=True, mip_gap=0.0))
    alloc = whole.allocation.copy()
    alloc.loc[("x", "d"), ["units", "value", "weighted_value", "use_budget"]] = [0.5, 5, 5, 10]
    assert any(
        "not whole" in v
        for v in violations(
            knapsack(integer_units=True, mip_gap=0.0), replace(whole, allocation=alloc)
        )
    )
