"""The model builder: columns, named rows and coefficients against the bundle's own numbers."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pulp
import pytest

from checker import attainable, cell_data, make_problem, solve_checked
from optimizer.bundle import load_bundle
from optimizer.model import attainable_per_client, build_model, pulp_constraints, to_pulp
from optimizer.solve import cbc_path, run_model

TINY = Path(__file__).resolve().parent / "fixtures" / "tiny"
SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def row_of(model, name: str) -> int:
    hits = np.flatnonzero(model.rows["name"].to_numpy() == name)
    assert len(hits) == 1, name
    return int(hits[0])


def test_one_column_per_unit_with_decayed_values() -> None:
    p = load_bundle(TINY)
    m = build_model(p)
    assert m.n_cols == int(p.values["max_units"].sum())
    names = m.col_names()
    assert names[:2] == ["y[acme,demo,1]", "y[acme,demo,2]"]
    # acme/demo: value 40, decay 0.5, weight 1.5
    assert m.unit_value[:2] == pytest.approx([40, 20])
    assert m.weighted[:2] == pytest.approx([60, 30])
    assert m.c == pytest.approx(m.weighted)
    assert m.sense == "max" and not m.integer
    # zeta/trial is capped at one unit in its own row of the values table
    assert sum(n.startswith("y[zeta,trial,") for n in names) == 1


def test_every_constraint_family_is_named() -> None:
    m = build_model(load_bundle(TINY))
    assert list(m.rows["name"]) == [
        "pool[budget]",
        "pool[exec_hours]",
        "cap[zeta,budget]",
        "capacity[trial]",
        "floor[kedr]",
    ]
    assert list(m.rows["kind"]) == ["pool", "pool", "client_cap", "method_cap", "floor"]


def test_row_coefficients_follow_the_tables() -> None:
    p = load_bundle(TINY)
    m = build_model(p)
    A = m.A.toarray()
    cells = cell_data(p).frame
    per_col = cells.iloc[m.col_cell]
    for pool in p.pools:
        i = row_of(m, f"pool[{pool}]")
        assert A[i] == pytest.approx(per_col[f"use_{pool}"].to_numpy())
        assert m.row_hi[i] == p.resources.at[pool, "capacity"]
        assert m.row_lo[i] == -np.inf
    # the override: zeta's reference visit costs 1500 instead of 500
    j = m.col_names().index("y[zeta,referral,1]")
    assert A[row_of(m, "pool[budget]"), j] == 1500
    i = row_of(m, "cap[zeta,budget]")
    zeta = per_col.index.get_level_values("client_id") == "zeta"
    assert A[i] == pytest.approx(np.where(zeta, per_col["use_budget"], 0.0))
    assert m.row_hi[i] == 3000
    i = row_of(m, "capacity[trial]")
    trial = per_col.index.get_level_values("method_id") == "trial"
    assert A[i] == pytest.approx(trial.astype(float))
    assert m.row_hi[i] == 3
    i = row_of(m, "floor[kedr]")
    kedr = per_col.index.get_level_values("client_id") == "kedr"
    assert A[i] == pytest.approx(np.where(kedr, m.unit_value, 0.0))
    assert m.row_lo[i] == pytest.approx(0.2 * attainable(p)["kedr"])
    assert m.row_hi[i] == np.inf


def test_commitments_fix_the_first_units() -> None:
    m = build_model(load_bundle(TINY))
    names = m.col_names()
    fixed = [names[j] for j in np.flatnonzero(m.col_lo > 0)]
    assert fixed == ["y[acme,trial,1]"]
    assert np.all(m.col_hi == 1) and np.all(m.col_lo >= 0)


def test_min_cost_model() -> None:
    p = load_bundle(TINY)
    m = build_model(p, "min_cost", 123.0)
    assert m.sense == "min"
    assert m.c == pytest.approx(cell_data(p).frame.iloc[m.col_cell]["use_budget"].to_numpy())
    i = row_of(m, "target")
    assert m.row_lo[i] == 123.0 and m.row_hi[i] == np.inf
    assert m.A.toarray()[i] == pytest.approx(m.weighted)
    with pytest.raises(ValueError):
        build_model(p, "min_cost")


def test_money_pool_follows_the_currency() -> None:
    p = make_problem(
        [
            {"resource_id": "hours", "name": "Hours", "unit": "h", "capacity": 5},
            {"resource_id": "cash", "name": "Cash", "unit": "EUR", "capacity": 9},
        ],
        [{"method_id": "m", "hours": 1, "cash": 3}],
        [{"client_id": "a"}],
        [{"client_id": "a", "method_id": "m", "value": 1}],
    )
    assert p.money_pool == "cash"
    m = build_model(p, "min_cost", 0.5)
    assert m.c == pytest.approx([3.0])


def test_integer_flag_follows_the_settings() -> None:
    p = load_bundle(TINY)
    assert build_model(p.with_settings(integer_units=True)).integer
    assert not build_model(p).integer


def test_attainable_matches_plain_sums() -> None:
    for source in (TINY, SAMPLE):
        p = load_bundle(source)
        assert attainable_per_client(p).to_numpy() == pytest.approx(attainable(p).to_numpy())


def test_optional_families_are_left_out_when_unused() -> None:
    p = make_problem(
        {"budget": 10},
        [{"method_id": "m", "budget": 1}],
        [{"client_id": "a"}],
        [{"client_id": "a", "method_id": "m", "value": 1}],
    )
    m = build_model(p)
    assert list(m.rows["name"]) == ["pool[budget]"]


def test_pulp_model_has_the_same_rows_and_optimum() -> None:
    p = load_bundle(TINY)
    m = build_model(p)
    prob, ys = to_pulp(m)
    assert len(ys) == m.n_cols
    # PuLP writes brackets as underscores; the rows keep their order and names otherwise
    assert [c.name for c in pulp_constraints(prob)] == [
        n.replace("[", "_").replace("]", "_") for n in m.rows["name"]
    ]
    assert cbc_path() is not None
    prob.solve(pulp.COIN_CMD(path=cbc_path(), msg=False))
    assert pulp.LpStatus[prob.status] == "Optimal"
    raw = run_model(m, p.settings)
    assert pulp.value(prob.objective) == pytest.approx(raw.objective, rel=1e-7)
    assert solve_checked(p).objective == pytest.approx(raw.objective, rel=1e-7)


def test_no_offered_cells() -> None:
    p = make_problem({"budget": 10}, [{"method_id": "m", "budget": 1}], [{"client_id": "a"}], [])
    m = build_model(p)
    assert m.n_cols == 0
    r = solve_checked(p)
    assert r.status == "optimal" and r.objective == 0
    r = solve_checked(p, integer_units=True)
    assert r.status == "optimal" and r.objective == 0


def test_pulp_path_is_ready_for_pulp_4() -> None:
    """PuLP 3.3 warns about every call that PuLP 4 removes; the CBC path makes none."""
    p = load_bundle(TINY)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        to_pulp(build_model(p.with_settings(integer_units=True)))
        r = solve_checked(p, solver="cbc")
    assert r.status == "optimal"
