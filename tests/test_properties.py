"""Invariants of the plan on small random problems (hypothesis, deterministic).

Problems are generated as plain rows (a "spec") so that a test can change the inputs the way a
user would (a new method, a budget in kEUR) and rebuild them through the normal validation.
"""

from __future__ import annotations

import copy
import math
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker import make_problem, solve_checked, units_of
from optimizer.schema import Problem, Result

POOLS = ("budget", "exec_hours", "manager_hours")
Spec = dict[str, Any]

# Derandomized, so every run tries the same examples; PROPERTY_EXAMPLES=500 searches deeper.
DETERMINISTIC = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "30")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def money(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False).map(
        lambda x: round(x, 3)
    )


@st.composite
def specs(draw: st.DrawFn, floors: bool = True) -> Spec:
    """A small problem with every constraint family possible; commitments always fit."""
    pools = list(POOLS[: draw(st.integers(1, 3))])
    n_methods, n_clients = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    methods = []
    for j in range(n_methods):
        m: dict[str, Any] = {
            "method_id": f"m{j}",
            "max_units": draw(st.integers(1, 3)),
            "decay": draw(st.sampled_from([1.0, 0.9, 0.7, 0.5])),
        }
        for p in pools:
            m[p] = draw(money(0.0, 20.0))
        methods.append(m)
    clients = []
    for i in range(n_clients):
        c: dict[str, Any] = {"client_id": f"c{i}", "weight": draw(money(0.5, 3.0))}
        if floors and draw(st.booleans()):
            c["min_value_share"] = draw(money(0.05, 0.4))
        clients.append(c)
    values = []
    for c in clients:
        for m in methods:
            if draw(st.integers(0, 5)) == 0:
                continue  # not offered
            v: dict[str, Any] = {
                "client_id": c["client_id"],
                "method_id": m["method_id"],
                "value": draw(money(1.0, 100.0)),
            }
            if m["max_units"] > 1 and draw(st.integers(0, 4)) == 0:
                v["max_units"] = draw(st.integers(1, m["max_units"] - 1))
            if draw(st.integers(0, 4)) == 0:
                v["committed_units"] = 1
            values.append(v)
    overrides = []
    if values and draw(st.booleans()):
        v = draw(st.sampled_from(values))
        overrides.append(
            {
                "client_id": v["client_id"],
                "method_id": v["method_id"],
                "resource_id": "budget",
                "per_unit": draw(money(0.0, 40.0)),
            }
        )
    spec: Spec = {
        "pools": {},
        "methods": methods,
        "clients": clients,
        "values": values,
        "overrides": overrides,
    }
    # Capacities: what the commitments need plus a random amount, so they always fit.
    need = committed_use(spec)
    for p in pools:
        spec["pools"][p] = round(need["pool", p] + draw(money(0.0, 60.0)), 3)
    for c in clients:
        if draw(st.integers(0, 3)) == 0:
            c["max_budget"] = round(need["client", c["client_id"]] + draw(money(0.0, 30.0)), 3)
    for m in methods:
        if draw(st.integers(0, 3)) == 0:
            m["capacity"] = int(need["method", m["method_id"]]) + draw(st.integers(0, 4))
    return spec


def cell_use(spec: Spec, client: str, method: str, pool: str) -> float:
    for o in spec["overrides"]:
        if (o["client_id"], o["method_id"], o["resource_id"]) == (client, method, pool):
            return float(o["per_unit"])
    m = next(m for m in spec["methods"] if m["method_id"] == method)
    return float(m.get(pool, 0.0))


def committed_use(spec: Spec) -> dict[tuple[str, str], float]:
    """What the commitments alone use of each pool, client budget and method."""
    need: dict[tuple[str, str], float] = {}
    for p in POOLS:
        need["pool", p] = 0.0
    for c in spec["clients"]:
        need["client", c["client_id"]] = 0.0
    for m in spec["methods"]:
        need["method", m["method_id"]] = 0.0
    for v in spec["values"]:
        n = v.get("committed_units", 0)
        for p in POOLS:
            need["pool", p] += n * cell_use(spec, v["client_id"], v["method_id"], p)
        need["client", v["client_id"]] += n * cell_use(
            spec, v["client_id"], v["method_id"], "budget"
        )
        need["method", v["method_id"]] += n
    return need


def build(spec: Spec, **settings_: Any) -> Problem:
    return make_problem(
        spec["pools"],
        spec["methods"],
        spec["clients"],
        spec["values"],
        spec["overrides"],
        **settings_,
    )


def mode(integer: bool) -> dict[str, Any]:
    # mip_gap 0: an "optimal" whole-unit plan is really the best one
    return {"integer_units": True, "mip_gap": 0.0} if integer else {"integer_units": False}


def tol(x: float) -> float:
    return 1e-6 * max(1.0, abs(x))


# ---- properties -----------------------------------------------------------------------------
@DETERMINISTIC
@given(spec=specs(), which=st.integers(0, 2), extra=money(0.5, 50.0), integer=st.booleans())
def test_more_of_a_pool_never_lowers_the_objective(
    spec: Spec, which: int, extra: float, integer: bool
) -> None:
    problem = build(spec, **mode(integer))
    base = solve_checked(problem)
    assume(base.has_plan)
    pool = problem.pools[which % len(problem.pools)]
    more = solve_checked(
        problem.with_capacity(pool, float(problem.resources.at[pool, "capacity"]) + extra)
    )
    assert more.has_plan
    assert more.objective >= base.objective - tol(base.objective)


@DETERMINISTIC
@given(spec=specs(), data=st.data(), integer=st.booleans())
def test_adding_a_method_never_lowers_the_objective(
    spec: Spec, data: st.DataObject, integer: bool
) -> None:
    base = solve_checked(build(spec, **mode(integer)))
    assume(base.has_plan)
    bigger = copy.deepcopy(spec)
    new: dict[str, Any] = {
        "method_id": "new",
        "max_units": data.draw(st.integers(1, 3)),
        "decay": data.draw(st.sampled_from([1.0, 0.8])),
    }
    for p in bigger["pools"]:
        new[p] = data.draw(money(0.0, 20.0))
    bigger["methods"].append(new)
    # A floor is a share of everything a client could get, so a method offered to a client
    # with a floor raises the floor too: offer it only to clients without one.
    for c in bigger["clients"]:
        if not c.get("min_value_share") and data.draw(st.booleans()):
            bigger["values"].append(
                {
                    "client_id": c["client_id"],
                    "method_id": "new",
                    "value": data.draw(money(1.0, 100.0)),
                }
            )
    more = solve_checked(build(bigger, **mode(integer)))
    assert more.has_plan
    assert more.objective >= base.objective - tol(base.objective)


def in_thousands(spec: Spec) -> Spec:
    """The same inputs with money in kEUR instead of EUR."""
    out = copy.deepcopy(spec)
    out["pools"]["budget"] = out["pools"]["budget"] / 1000
    for m in out["methods"]:
        m["budget"] = m["budget"] / 1000
    for c in out["clients"]:
        if "max_budget" in c:
            c["max_budget"] = c["max_budget"] / 1000
    for o in out["overrides"]:
        if o["resource_id"] == "budget":
            o["per_unit"] = o["per_unit"] / 1000
    return out


def generic(spec: Spec) -> Spec:
    """Values nudged apart by distinct irrational amounts, so the best plan is unique and the
    comparison of two plans is not a comparison of two equally good ones."""
    out = copy.deepcopy(spec)
    for i, v in enumerate(out["values"]):
        v["value"] = v["value"] + 1e-3 * math.sqrt(2 + i) * (1 + 0.1 * i)
    return out


@DETERMINISTIC
@given(spec=specs(), integer=st.booleans())
def test_money_in_thousands_leaves_the_plan_unchanged(spec: Spec, integer: bool) -> None:
    spec = generic(spec)
    eur = solve_checked(build(spec, **mode(integer)))
    keur = solve_checked(build(in_thousands(spec), **mode(integer)))
    assert eur.status == keur.status
    assume(eur.has_plan)
    assert keur.objective == pytest.approx(eur.objective, rel=1e-6, abs=1e-6)
    a, b = units_of(eur), units_of(keur)
    assert a.keys() == b.keys()
    for key in a:
        assert b[key] == pytest.approx(a[key], abs=1e-5), key
    assert keur.money_spent == pytest.approx(eur.money_spent / 1000, rel=1e-6, abs=1e-8)


@DETERMINISTIC
@given(spec=specs(), integer=st.booleans())
def test_committed_units_are_always_in_the_plan(spec: Spec, integer: bool) -> None:
    result = solve_checked(build(spec, **mode(integer)))
    assume(result.has_plan)
    units = units_of(result)
    for v in spec["values"]:
        if v.get("committed_units"):
            assert units[v["client_id"], v["method_id"]] >= v["committed_units"] - 1e-9


def _max_value_with_budget(spec: Spec, integer: bool, budget: float) -> Result:
    limited = copy.deepcopy(spec)
    limited["pools"]["budget"] = budget
    return solve_checked(build(limited, **mode(integer)))


@DETERMINISTIC
@given(spec=specs(), share=money(0.1, 1.0), integer=st.booleans())
def test_min_cost_reaches_its_target_no_dearer_than_max_value(
    spec: Spec, share: float, integer: bool
) -> None:
    best = solve_checked(build(spec, **mode(integer)))
    assume(best.has_plan)
    cheap = solve_checked(
        build(spec, objective="min_cost", target_value_share=share, **mode(integer))
    )
    assert cheap.has_plan
    target = share * best.objective
    assert cheap.target_value == pytest.approx(target, rel=1e-9, abs=1e-9)
    reached = float(cheap.clients["weighted_value"].sum())
    assert reached >= target - tol(target)
    # the max_value plan reaches the target too, so it cannot be cheaper
    assert cheap.money_spent <= best.money_spent + tol(best.money_spent)
    # and with only the money min_cost spent, max_value reaches at least the target
    spent = cheap.money_spent * (1 + 1e-9) + 1e-9
    again = _max_value_with_budget(spec, integer, max(spent, 0.0))
    assert again.has_plan
    assert again.objective >= target - tol(target)
