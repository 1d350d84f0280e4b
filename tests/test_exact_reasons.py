"""Every reason the planner gives is exactly true (issue 11).

Needed values are checked by editing the value in the bundle and re-solving (through the
independent checker); conflicting sets by solving the model with only the named requirements
kept, every other one relaxed, with SciPy's HiGHS-independent interface (`scipy.optimize.milp`).
"""

from __future__ import annotations

import copy
import importlib
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from checker import make_problem, solve_checked
from optimizer.analysis.frontier import sweep
from optimizer.model import (
    CELL_MAX,
    CLIENT_CAP,
    COMMITMENT,
    FLOOR,
    METHOD_CAP,
    POOL,
    TARGET,
    build_model,
)
from optimizer.schema import (
    NEEDED_BOUND,
    NEEDED_ESTIMATE,
    NEEDED_EXACT,
    NEEDED_KIND,
    NEEDED_VALUE,
    PRICE_STEP,
    SHADOW_PRICE,
    STEP_PRICE,
    UNITS,
    VALUE,
    Conflict,
    Problem,
)
from optimizer.solve import solve
from test_properties import DETERMINISTIC, Spec, build, generic, money, specs

STEP = 1e-3  # the issue's +-0.1%
solve_module = importlib.import_module("optimizer.solve")


# ---- helpers --------------------------------------------------------------------------------
def units_with_value(problem: Problem, cell: tuple[str, str], value: float) -> float | None:
    """Units of `cell` in the plan when the user edits its first-unit value to `value`."""
    values = problem.values.copy()
    values.loc[cell, VALUE] = value
    r = solve_checked(replace(problem, values=values))
    return float(r.allocation.at[cell, UNITS]) if r.has_plan else None


def assert_threshold(problem: Problem, cell: tuple[str, str], needed: float, full: int) -> None:
    above = units_with_value(problem, cell, needed * (1 + STEP))
    below = units_with_value(problem, cell, needed * (1 - STEP))
    assert above is not None and above > full + 1e-6, (cell, needed, above)
    assert below is None or below <= full + 1e-6, (cell, needed, below)


def feasible_with(problem: Problem, conflicts: tuple[Conflict, ...], integer: bool) -> bool:
    """Whether the model with only `conflicts` kept (every other requirement relaxed) has a
    plan; whole units when `integer`."""
    model = build_model(problem, "max_value")
    names = list(model.rows["name"])
    keep_rows = np.zeros(len(names), bool)
    cells = list(model.cells.index)
    col_lo = np.zeros(model.n_cols)
    col_hi = np.full(model.n_cols, np.inf)
    for c in conflicts:
        if c.kind in (POOL, CLIENT_CAP, METHOD_CAP, FLOOR, TARGET):
            keep_rows[names.index(c.constraint)] = True
        elif c.kind == COMMITMENT:
            sel = model.col_cell == cells.index((c.client_id, c.method_id))
            col_lo[sel] = model.col_lo[sel]
        elif c.kind == CELL_MAX:
            assert c.method_ids, c
            for m in c.method_ids:
                sel = model.col_cell == cells.index((c.client_id, m))
                col_hi[sel] = model.col_hi[sel]
        else:
            raise AssertionError(c.kind)
    lo = np.where(keep_rows, model.row_lo, -np.inf)
    hi = np.where(keep_rows, model.row_hi, np.inf)
    cons = [LinearConstraint(model.A, lo, hi)] if keep_rows.any() else []
    res = milp(
        np.zeros(model.n_cols),
        constraints=cons,
        bounds=Bounds(col_lo, col_hi),
        integrality=np.ones(model.n_cols) if integer else None,
        options={"time_limit": 30},
    )
    assert res.status in (0, 2), res.message  # 0: a plan found, 2: proven infeasible
    return bool(res.status == 0)


def assert_irreducible(problem: Problem, conflicts: tuple[Conflict, ...], integer: bool) -> None:
    assert conflicts
    assert not feasible_with(problem, conflicts, integer), "the named set alone has a plan"
    for k in range(len(conflicts)):
        rest = conflicts[:k] + conflicts[k + 1 :]
        assert feasible_with(problem, rest, integer), f"not needed: {conflicts[k].text}"


# ---- 1. needed values: hand-made cases --------------------------------------------------------
def floor_raise_case() -> Problem:
    """Client L (floor 50%) has trial (value 12, fully funded) and audit (value 8, 20 EUR a
    unit); H's two demo units (100 each) and L's trial are funded, H's call takes the budget
    left over at 0.8 value a EUR. At the prices, audit would need 20 x 0.8 = 16; but from a
    value of 12 on, L's floor (half of 12 + v) exceeds the 12 the trial gives, and only audit
    can give L more: the true threshold is 12."""
    return make_problem(
        {"budget": 35},
        [
            {"method_id": "demo", "budget": 10, "max_units": 2, "decay": 1},
            {"method_id": "trial", "budget": 10, "max_units": 1},
            {"method_id": "audit", "budget": 20, "max_units": 1},
            {"method_id": "call", "budget": 10, "max_units": 1},
        ],
        [{"client_id": "H"}, {"client_id": "L", "min_value_share": 0.5}],
        [
            {"client_id": "H", "method_id": "demo", "value": 100},
            {"client_id": "H", "method_id": "call", "value": 8},
            {"client_id": "L", "method_id": "trial", "value": 12},
            {"client_id": "L", "method_id": "audit", "value": 8},
        ],
    )


def test_a_floor_that_follows_the_value_lowers_the_threshold() -> None:
    p = floor_raise_case()
    r = solve_checked(p)
    row = r.unfunded.loc[("L", "audit")]
    assert row[NEEDED_KIND] == NEEDED_EXACT
    assert row[NEEDED_VALUE] == pytest.approx(12, rel=2e-4)
    assert "would need a first-unit value of 12.0 (now 8.0)" in row["reason"]
    assert_threshold(p, ("L", "audit"), 12.0, 0)
    # prices alone say 16, and cannot call it a bound: the floor moves with the value
    b = solve(p, needed="bound").unfunded.loc[("L", "audit")]
    assert b[NEEDED_VALUE] == pytest.approx(16)
    assert b[NEEDED_KIND] == NEEDED_ESTIMATE
    assert "an estimate from the prices" in b["reason"]


def degenerate_case() -> Problem:
    """A's trial (value 50) fills both the budget (10 EUR) and the trial's capacity (1 unit)
    exactly: the plan is degenerate. B's demo (10 EUR, no trial) enters the plan only above 50,
    whatever price the degenerate basis gives the budget."""
    return make_problem(
        {"budget": 10},
        [
            {"method_id": "trial", "budget": 10, "max_units": 2, "decay": 1, "capacity": 1},
            {"method_id": "demo", "budget": 10, "max_units": 1},
        ],
        [{"client_id": "A"}, {"client_id": "B"}],
        [
            {"client_id": "A", "method_id": "trial", "value": 50},
            {"client_id": "B", "method_id": "demo", "value": 30},
        ],
    )


def test_a_degenerate_plan_gets_the_true_threshold() -> None:
    p = degenerate_case()
    r = solve_checked(p)
    row = r.unfunded.loc[("B", "demo")]
    assert row[NEEDED_KIND] == NEEDED_EXACT
    assert row[NEEDED_VALUE] == pytest.approx(50, rel=2e-4)
    assert_threshold(p, ("B", "demo"), 50.0, 0)
    # the prices' number is never above the threshold when it is called a bound
    b = solve(p, needed="bound").unfunded.loc[("B", "demo")]
    assert b[NEEDED_KIND] == NEEDED_BOUND and b[NEEDED_VALUE] <= 50 + 1e-9


def test_whole_units_needed_values_are_labelled_estimates() -> None:
    r = solve_checked(floor_raise_case().with_settings(integer_units=True, mip_gap=0.0))
    assert set(r.unfunded[NEEDED_KIND]) == {NEEDED_ESTIMATE}
    for text in r.unfunded["reason"]:
        assert "would need a first-unit value of " not in text or "estimate" in text


def test_sample_needed_values_are_exact(sample_problem: Problem) -> None:
    r = solve(sample_problem)
    u = r.unfunded
    assert len(u) and set(u[NEEDED_KIND]) == {NEEDED_EXACT}
    # English text of cells whose reduced cost was already the threshold is unchanged
    old = solve(sample_problem, needed="bound").unfunded
    same = np.isclose(u[NEEDED_VALUE], old[NEEDED_VALUE], rtol=1e-9)
    assert same.sum() >= len(u) // 2
    # (the prices-only texts add what their number is: a bound or an estimate)
    plain = (
        old["reason"]
        .str.replace("of at least ", "of ", regex=False)
        .str.replace("of about ", "of ", regex=False)
        .str.replace(" (a bound from the prices)", "", regex=False)
        .str.replace(" (an estimate from the prices, not a threshold)", "", regex=False)
    )
    assert (u["reason"][same] == plain[same]).all()
    # the degenerate trial capacity: 12 prices were below the threshold
    for key in [("brennmoor", "trial"), ("greenbay_foods", "trial")]:
        row = u.loc[key]
        assert row[NEEDED_VALUE] > old.at[key, NEEDED_VALUE] + 0.5
        assert_threshold(sample_problem, key, float(row[NEEDED_VALUE]), int(row[UNITS]))


# ---- 1. needed values: properties -----------------------------------------------------------
@DETERMINISTIC
@given(spec=specs())
def test_every_exact_needed_value_is_the_threshold(spec: Spec) -> None:
    problem = build(generic(spec))
    r = solve_checked(problem)
    assume(r.has_plan and len(r.unfunded))
    for key, row in r.unfunded.iterrows():
        needed = float(row[NEEDED_VALUE])
        if row[NEEDED_KIND] != NEEDED_EXACT or not (math.isfinite(needed) and needed > 0):
            continue
        assert_threshold(problem, key, needed, math.floor(row[UNITS] + 1e-6))


@DETERMINISTIC
@given(spec=specs())
def test_a_bound_is_never_above_the_threshold(spec: Spec) -> None:
    problem = build(generic(spec))
    exact = solve_checked(problem).unfunded
    bound = solve(problem, needed="bound").unfunded
    for key, row in bound.iterrows():
        if row[NEEDED_KIND] == NEEDED_BOUND and exact.at[key, NEEDED_KIND] == NEEDED_EXACT:
            assert row[NEEDED_VALUE] <= exact.at[key, NEEDED_VALUE] * (1 + 2e-4) + 1e-9


# ---- 2. conflicting requirements: hand-made cases ---------------------------------------------
def cap_against_floor(n_clients: int = 25) -> Problem:
    """Every client has a floor and a budget cap; only `c00`'s cap is below its floor, and a
    free call (no budget) could meet it but for its unit cap. The smallest set: c00's floor,
    its budget cap and the call's unit cap; no other client's caps."""
    clients: list[dict[str, Any]] = [
        {"client_id": f"c{i:02d}", "min_value_share": 0.8, "max_budget": 100}
        for i in range(n_clients)
    ]
    clients[0]["max_budget"] = 5
    values = [{"client_id": c["client_id"], "method_id": "trial", "value": 10} for c in clients]
    values.append({"client_id": "c00", "method_id": "call", "value": 1})
    return make_problem(
        {"budget": 10_000},
        [
            {"method_id": "trial", "budget": 10, "max_units": 1},
            {"method_id": "call", "budget": 0, "max_units": 1},
        ],
        clients,
        values,
    )


@pytest.mark.parametrize("integer", [False, True])
def test_unit_caps_are_named_only_when_needed(integer: bool) -> None:
    p = cap_against_floor().with_settings(integer_units=integer, mip_gap=0.0)
    r = solve(p)
    assert r.status == "infeasible"
    got = sorted((c.kind, c.client_id, c.method_ids) for c in r.conflicts)
    assert got == [
        (CELL_MAX, "c00", ("call",)),
        (CLIENT_CAP, "c00", ()),
        (FLOOR, "c00", ()),
    ]
    assert_irreducible(p, r.conflicts, integer)


def test_a_conflict_that_exists_only_in_whole_units() -> None:
    """Half a trial (5 EUR) meets acme's floor of 5; a whole one costs 10 against a cap of 5.
    The pool has nothing to do with it."""
    p = make_problem(
        {"budget": 100},
        [{"method_id": "trial", "budget": 10, "max_units": 1}],
        [
            {"client_id": "acme", "min_value_share": 0.5, "max_budget": 5},
            {"client_id": "zeta"},
        ],
        [
            {"client_id": "acme", "method_id": "trial", "value": 10},
            {"client_id": "zeta", "method_id": "trial", "value": 20},
        ],
    )
    assert solve_checked(p).has_plan
    r = solve(p.with_settings(integer_units=True, mip_gap=0.0))
    assert r.status == "infeasible"
    assert sorted((c.kind, c.client_id) for c in r.conflicts) == [
        (CLIENT_CAP, "acme"),
        (FLOOR, "acme"),
    ]
    assert_irreducible(p, r.conflicts, True)


def many_commitments(n: int = 105, budget: float = 315.0) -> Problem:
    """`n` clients each promised one 10 EUR demo against a budget of 315: 32 commitments
    already need 320."""
    clients = [{"client_id": f"c{i:03d}"} for i in range(n)]
    values = [
        {"client_id": c["client_id"], "method_id": "demo", "value": 5, "committed_units": 1}
        for c in clients
    ]
    return make_problem(
        {"budget": budget}, [{"method_id": "demo", "budget": 10, "max_units": 1}], clients, values
    )


def test_a_large_set_is_reduced_to_the_smallest() -> None:
    p = many_commitments()
    r = solve(p)
    assert r.status == "infeasible"
    kinds = [c.kind for c in r.conflicts]
    assert kinds.count(POOL) == 1 and kinds.count(COMMITMENT) == 32 and len(kinds) == 33
    # the preferred set: the first 32 commitments in the bundle's order
    assert sorted(c.client_id for c in r.conflicts if c.kind == COMMITMENT) == [
        f"c{i:03d}" for i in range(32)
    ]
    assert not any("not proven smallest" in line for line in r.explanation)
    assert_irreducible(p, r.conflicts, False)


def test_a_stopped_reduction_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solve_module, "CONFLICT_TIME_BUDGET_S", 0.0)
    p = many_commitments(40, 100.0)
    r = solve(p)
    assert r.status == "infeasible" and r.conflicts
    assert any("a conflicting set, not proven smallest" in line for line in r.explanation)
    assert not feasible_with(p, r.conflicts, False)


def test_the_sample_with_no_budget_names_the_pool_and_one_commitment(
    sample_problem: Problem,
) -> None:
    p = sample_problem.with_capacity("budget", 1.0)
    r = solve(p)
    assert sorted(c.kind for c in r.conflicts) == [COMMITMENT, POOL]
    assert_irreducible(p, r.conflicts, False)


# ---- 2. conflicting requirements: properties ------------------------------------------------
@st.composite
def tight_specs(draw: st.DrawFn) -> Spec:
    """A generated problem with some capacities, caps and floors squeezed, often infeasible."""
    spec = copy.deepcopy(draw(specs()))
    for p in spec["pools"]:
        if draw(st.booleans()):
            spec["pools"][p] = round(spec["pools"][p] * draw(money(0.0, 0.9)), 3)
    for c in spec["clients"]:
        if draw(st.booleans()):
            c["min_value_share"] = draw(money(0.3, 0.95))
        if "max_budget" in c and draw(st.booleans()):
            c["max_budget"] = round(c["max_budget"] * draw(money(0.0, 0.9)), 3)
    for m in spec["methods"]:
        if "capacity" in m and draw(st.booleans()):
            m["capacity"] = max(0, m["capacity"] - draw(st.integers(0, 3)))
    return spec


@DETERMINISTIC
@given(spec=tight_specs(), integer=st.booleans())
def test_every_explanation_is_an_irreducible_conflicting_set(spec: Spec, integer: bool) -> None:
    problem = build(spec, integer_units=integer, mip_gap=0.0)
    r = solve(problem)
    assume(r.status == "infeasible")
    assert not any("not proven smallest" in line for line in r.explanation)
    assert_irreducible(problem, r.conflicts, integer)


# ---- 3. prices in whole-units mode ----------------------------------------------------------
def test_whole_unit_price_of_one_more_step() -> None:
    """Whole units: one trial (10 EUR) and the call (4 EUR) fill 14 of 15 EUR. The LP with those
    units fixed prices the budget at 10 (a tenth of a second trial); one more step of 4 EUR (a
    call, the cheapest method) buys nothing, so it is worth 0; a step of 10 buys the trial."""
    p = make_problem(
        {"budget": 15},
        [
            {"method_id": "trial", "budget": 10, "max_units": 2, "decay": 1},
            {"method_id": "call", "budget": 4, "max_units": 1},
        ],
        [{"client_id": "a"}],
        [
            {"client_id": "a", "method_id": "trial", "value": 100},
            {"client_id": "a", "method_id": "call", "value": 8},
        ],
        integer_units=True,
        mip_gap=0.0,
    )
    r = solve_checked(p)
    assert r.objective == pytest.approx(108)
    pool = r.pools.loc["budget"]
    assert pool[SHADOW_PRICE] == pytest.approx(10)
    assert pool[PRICE_STEP] == pytest.approx(4)
    assert pool[STEP_PRICE] == pytest.approx(0)
    # the frontier's marginal value in whole units, by the same re-solves: at 20 EUR two
    # trials (200) fill the budget and 4 EUR more add the call (8 per 4 EUR); at 25 every
    # unit is in
    sw = sweep(p, "budget", 15, 25, 3, breakpoints=False)
    assert list(sw.points[STEP_PRICE]) == pytest.approx([0.0, 8 / 4, 0.0])
    # continuous mode has exact duals: no step price
    assert np.isnan(solve(p.with_settings(integer_units=False)).pools.at["budget", STEP_PRICE])


# ---- the page and the exports say what each number is -------------------------------------
def test_the_plan_tab_says_what_each_number_is(sample_problem: Problem) -> None:
    from ui.plan_tab import pools_table, unfunded_table
    from ui.text import Translator
    from ui.widgets import needed_caption

    en, ru = Translator("en"), Translator("ru")
    r = solve(sample_problem)
    table = unfunded_table(r, en)
    assert set(table[en("col_needed_kind")]) == {en("needed_kind_exact")}
    assert needed_caption(r) == "needed_caption_exact"
    # a plan too large to re-solve every cell: bounds and estimates, said so
    b = solve(sample_problem, needed="bound")
    kinds = set(unfunded_table(b, ru)[ru("col_needed_kind")])
    assert kinds == {ru("needed_kind_bound"), ru("needed_kind_estimate")}
    assert needed_caption(b) == "needed_caption_bound"
    whole = solve(sample_problem.with_settings(integer_units=True))
    assert needed_caption(whole) == "needed_caption_estimate"
    pools = pools_table(whole, en)
    assert list(pools[en("col_step_price")]) == pytest.approx(list(whole.pools[STEP_PRICE]))
    assert en("col_step_price") not in pools_table(r, en).columns


def test_exports_label_estimates(sample_problem: Problem) -> None:
    from optimizer.export.json import result_to_json

    whole = solve(sample_problem.with_settings(integer_units=True))
    out = result_to_json(sample_problem, whole)
    assert {u["needed_kind"] for u in out["unfunded"]} == {NEEDED_ESTIMATE}
    needs = [u["reason"] for u in out["unfunded"] if "first-unit value" in u["reason"]]
    assert needs and all("an estimate from the prices, not a threshold" in t for t in needs)
    assert all("step_price" in p for p in out["pools"])


def test_the_report_and_workbook_show_whole_unit_step_prices(
    sample_problem: Problem, tmp_path: Path
) -> None:
    import openpyxl

    from optimizer.export.html import html_report
    from optimizer.export.xlsx import xlsx_bytes

    p = sample_problem.with_settings(integer_units=True)
    whole = solve(p)
    assert "Value of one more step (per unit, re-solved)" in html_report(p, whole).decode()
    out = tmp_path / "plan.xlsx"
    out.write_bytes(xlsx_bytes(p, whole))
    cells = [
        c
        for row in openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True)
        for c in row
    ]
    assert "Value of one more step (per unit, re-solved)" in cells
    assert (
        "Value of one more step (per unit, re-solved)"
        not in html_report(sample_problem, solve(sample_problem)).decode()
    )
