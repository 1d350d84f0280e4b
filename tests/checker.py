"""An independent feasibility checker, brute force, and builders for tiny test problems.

The checker recomputes everything from the Problem's own tables (never from optimizer.model),
so a mistake in the model builder cannot hide behind the same mistake in the check.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from optimizer.bundle import parse_tables
from optimizer.schema import (
    ATTAINABLE,
    BASE_COLUMNS,
    CAPACITY,
    CLIENT_ID,
    CLIENTS,
    COMMITTED_UNITS,
    DECAY,
    MAX_UNITS,
    METHOD_ID,
    METHODS,
    MIN_VALUE_SHARE,
    OVERRIDES,
    PER_UNIT,
    RESOURCE_ID,
    RESOURCES,
    SHARE,
    SLACK,
    UNITS,
    USED,
    VALUE,
    VALUES,
    WEIGHT,
    WEIGHTED_VALUE,
    Problem,
    Result,
    Settings,
    client_cap_col,
    use_col,
)
from optimizer.solve import solve

REL_TOL = 1e-6


# ---- building tiny problems from plain rows -------------------------------------------------
def _cell(v: Any) -> str:
    """A table cell as the text a CSV file would hold (None = blank)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def text_frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """Rows of plain values as a frame of text, with the columns in the given order first."""
    extra = [k for r in rows for k in r if k not in columns]
    cols = list(dict.fromkeys([*columns, *extra]))
    return pd.DataFrame([[_cell(r.get(c)) for c in cols] for r in rows], columns=cols, dtype=object)


def make_tables(
    pools: Mapping[str, float | str] | Sequence[Mapping[str, Any]],
    methods: Sequence[Mapping[str, Any]],
    clients: Sequence[Mapping[str, Any]],
    values: Sequence[Mapping[str, Any]],
    overrides: Sequence[Mapping[str, Any]] = (),
) -> dict[str, pd.DataFrame]:
    """Bundle tables of text, as read from files, from short lists of rows.

    `pools` maps pool id to capacity (`budget` gets unit EUR, others hours) or lists full rows.
    Unspecified method columns default to name = id, max_units 1, decay 1, no capacity; client
    columns to name = id, weight 1, no floor; pool use to 0.
    """
    if isinstance(pools, Mapping):
        res_rows = [
            {
                RESOURCE_ID: p,
                "name": p.replace("_", " ").capitalize(),
                "unit": "EUR" if p == "budget" else "h",
                CAPACITY: cap,
            }
            for p, cap in pools.items()
        ]
    else:
        res_rows = [dict(r) for r in pools]
    pool_ids = [str(r[RESOURCE_ID]) for r in res_rows]
    met_rows = [
        {"name": m[METHOD_ID], "unit": "unit", MAX_UNITS: 1, DECAY: 1, **m} for m in methods
    ]
    cli_rows = [{"name": c[CLIENT_ID], WEIGHT: 1, **c} for c in clients]
    tables = {
        RESOURCES: text_frame(res_rows, BASE_COLUMNS[RESOURCES]),
        METHODS: text_frame(met_rows, [*BASE_COLUMNS[METHODS], *pool_ids]),
        CLIENTS: text_frame(cli_rows, BASE_COLUMNS[CLIENTS]),
        VALUES: text_frame(list(values), BASE_COLUMNS[VALUES]),
    }
    if overrides:
        tables[OVERRIDES] = text_frame(list(overrides), BASE_COLUMNS[OVERRIDES])
    return tables


def make_problem(
    pools: Mapping[str, float | str] | Sequence[Mapping[str, Any]],
    methods: Sequence[Mapping[str, Any]],
    clients: Sequence[Mapping[str, Any]],
    values: Sequence[Mapping[str, Any]],
    overrides: Sequence[Mapping[str, Any]] = (),
    **settings: Any,
) -> Problem:
    """A validated Problem from short lists of rows (see `make_tables`); settings by keyword."""
    tables = make_tables(pools, methods, clients, values, overrides)
    return parse_tables(tables, Settings().with_(**settings))


# ---- the problem recomputed from its tables -------------------------------------------------
@dataclass(frozen=True)
class CellData:
    """Every offered cell with what the checker needs, computed straight from the tables."""

    frame: pd.DataFrame  # index (client_id, method_id): value, units_max, committed, decay,
    #                      weight, use_<pool> (overrides applied)
    pools: list[str]


def cell_data(problem: Problem) -> CellData:
    """Per-cell value, bounds, decay, weight and use of each pool, overrides applied."""
    vals = problem.values
    cids = vals.index.get_level_values(CLIENT_ID)
    mids = vals.index.get_level_values(METHOD_ID)
    frame = pd.DataFrame(
        {
            "value": vals[VALUE].astype(float).to_numpy(),
            "units_max": vals[MAX_UNITS].astype(float).to_numpy(),
            "committed": vals[COMMITTED_UNITS].astype(float).to_numpy(),
            "decay": problem.methods[DECAY].astype(float).reindex(mids).to_numpy(),
            "weight": problem.clients[WEIGHT].astype(float).reindex(cids).to_numpy(),
        },
        index=vals.index,
    )
    pools = list(problem.resources.index)
    for p in pools:
        frame[use_col(p)] = problem.methods[p].astype(float).reindex(mids).to_numpy()
    ov = problem.overrides
    if len(ov):
        pos = vals.index.get_indexer(pd.MultiIndex.from_arrays([ov[CLIENT_ID], ov[METHOD_ID]]))
        for cell, pool, per_unit in zip(pos, ov[RESOURCE_ID], ov[PER_UNIT]):
            if cell >= 0:
                frame.iloc[cell, frame.columns.get_loc(use_col(pool))] = float(per_unit)
    return CellData(frame=frame, pools=pools)


def filled_value(value: np.ndarray, decay: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Value of `units` filled in order: whole units at value * decay^k, then a fraction of the
    next one. Summed term by term (not by the closed form the model uses)."""
    value, decay = np.asarray(value, float), np.asarray(decay, float)
    units = np.asarray(units, float)
    whole = np.floor(units + 1e-9)
    frac = np.clip(units - whole, 0.0, None)
    total = np.zeros(len(units))
    for k in range(int(whole.max(initial=0))):
        total += np.where(k < whole, value * decay**k, 0.0)
    return total + frac * value * decay**whole


def attainable(problem: Problem, cells: CellData | None = None) -> pd.Series:
    """Per client: value with every offered method at its cap (unweighted), by plain sums."""
    cd = (cells or cell_data(problem)).frame
    per_cell = filled_value(cd["value"], cd["decay"], cd["units_max"])
    codes = problem.clients.index.get_indexer(cd.index.get_level_values(CLIENT_ID))
    return pd.Series(
        np.bincount(codes, weights=per_cell, minlength=len(problem.clients)),
        index=problem.clients.index,
    )


def _far(a: np.ndarray, b: np.ndarray, scale: np.ndarray | float = 1.0) -> np.ndarray:
    """Where two reported/computed numbers differ by more than the tolerance."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    size = np.maximum.reduce(
        [np.ones_like(a), np.abs(a), np.abs(b), np.broadcast_to(np.abs(scale), a.shape)]
    )
    return ~(np.abs(a - b) <= REL_TOL * size)


def _over(a: np.ndarray, b: np.ndarray, scale: np.ndarray | float = 1.0) -> np.ndarray:
    """Where a > b beyond the tolerance."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a > b + REL_TOL * np.maximum(np.maximum(1.0, np.abs(b)), np.abs(scale))


# ---- the checker ----------------------------------------------------------------------------
def violations(problem: Problem, result: Result) -> list[str]:
    """Every way the result's plan breaks the problem or misreports itself (empty = sound)."""
    out: list[str] = []
    if not result.has_plan:
        for name in ("allocation", "clients", "methods", "pools", "unfunded"):
            if len(getattr(result, name)):
                out.append(f"status {result.status} but the {name} frame has rows")
        if result.objective is not None:
            out.append(f"status {result.status} but an objective {result.objective} is shown")
        return out

    cd = cell_data(problem)
    cells = cd.frame
    if set(result.allocation.index) != set(cells.index):
        return ["the allocation rows are not exactly the offered cells"]
    alloc = result.allocation.reindex(cells.index)
    keys = [f"{c}/{m}" for c, m in cells.index]

    def report(mask: np.ndarray, what: str, *columns: np.ndarray) -> None:
        for i in np.flatnonzero(mask):
            out.append(f"cell {keys[i]}: {what} " + " / ".join(f"{c[i]:.10g}" for c in columns))

    units = alloc[UNITS].to_numpy(dtype=float)
    umax, committed = cells["units_max"].to_numpy(), cells["committed"].to_numpy()
    report((units < -REL_TOL) | (units > umax + REL_TOL), "units outside [0, max]", units, umax)
    report(units < committed - REL_TOL, "units below the committed", units, committed)
    if result.settings.integer_units:
        report(np.abs(units - np.round(units)) > REL_TOL, "units not whole in integer mode", units)
    report(
        _far(alloc[MAX_UNITS].to_numpy(dtype=float), umax),
        "max_units reported / table",
        alloc[MAX_UNITS].to_numpy(dtype=float),
        umax,
    )

    # value consistent with units (filled in order)
    value = filled_value(cells["value"], cells["decay"], units)
    reported = alloc[VALUE].to_numpy(dtype=float)
    report(_far(reported, value), "value reported / from its units", reported, value)
    wvalue = value * cells["weight"].to_numpy()
    reported = alloc[WEIGHTED_VALUE].to_numpy(dtype=float)
    report(_far(reported, wvalue), "weighted value reported / computed", reported, wvalue)

    # pools
    res = problem.resources
    cid = problem.clients.index.get_indexer(cells.index.get_level_values(CLIENT_ID))
    mid = problem.methods.index.get_indexer(cells.index.get_level_values(METHOD_ID))
    n_clients = len(problem.clients)
    use = {p: units * cells[use_col(p)].to_numpy() for p in cd.pools}
    for p in cd.pools:
        used, cap = float(use[p].sum()), float(res.at[p, CAPACITY])
        if _over(used, cap, float(np.abs(use[p]).sum())):
            out.append(f"pool {p}: uses {used} of {cap}")
        if _far(float(result.pools.at[p, USED]), used):
            out.append(f"pool {p}: reports {result.pools.at[p, USED]} used, {used} computed")
        if _far(float(result.pools.at[p, SLACK]), cap - used, cap):
            out.append(f"pool {p}: slack {result.pools.at[p, SLACK]}, {cap - used} computed")
        reported = alloc[use_col(p)].to_numpy(dtype=float)
        report(_far(reported, use[p]), f"use of {p} reported / computed", reported, use[p])
        # per-client caps on this pool
        caps = problem.clients[client_cap_col(p)].to_numpy(dtype=float)
        by_client = np.bincount(cid, weights=use[p], minlength=n_clients)
        for c in np.flatnonzero(~np.isnan(caps) & _over(by_client, np.nan_to_num(caps))):
            out.append(
                f"client {problem.clients.index[c]}: uses {by_client[c]} of {p}, "
                f"capped at {caps[c]}"
            )

    # floors and client summaries
    delivered = np.bincount(cid, weights=value, minlength=n_clients)
    att = attainable(problem, cd).to_numpy()
    floor = problem.clients[MIN_VALUE_SHARE].to_numpy(dtype=float) * att
    rc = result.clients.reindex(problem.clients.index)
    for label, bad, a, b in (
        ("value below its floor", _over(floor, delivered, floor), delivered, floor),
        (
            "value reported / computed",
            _far(rc[VALUE].to_numpy(float), delivered),
            rc[VALUE].to_numpy(float),
            delivered,
        ),
        (
            "attainable reported / computed",
            _far(rc[ATTAINABLE].to_numpy(float), att),
            rc[ATTAINABLE].to_numpy(float),
            att,
        ),
    ):
        for c in np.flatnonzero(bad):
            out.append(f"client {problem.clients.index[c]}: {label} {a[c]:.10g} / {b[c]:.10g}")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(att > 0, delivered / att, np.nan)
    bad = (att > 0) & _far(rc[SHARE].to_numpy(float), share)
    for c in np.flatnonzero(bad):
        out.append(
            f"client {problem.clients.index[c]}: share {rc[SHARE].iat[c]} reported, "
            f"{share[c]} computed"
        )

    # per-method capacity and summaries
    by_method = np.bincount(mid, weights=units, minlength=len(problem.methods))
    mcap = problem.methods[CAPACITY].to_numpy(dtype=float)
    for m in np.flatnonzero(~np.isnan(mcap) & _over(by_method, np.nan_to_num(mcap))):
        out.append(
            f"method {problem.methods.index[m]}: {by_method[m]} units over all "
            f"clients, capacity {mcap[m]}"
        )
    rm = result.methods.reindex(problem.methods.index)[UNITS].to_numpy(float)
    for m in np.flatnonzero(_far(rm, by_method)):
        out.append(
            f"method {problem.methods.index[m]}: {rm[m]} units reported, {by_method[m]} computed"
        )

    # objective
    total_weighted = float(wvalue.sum())
    spent = float(use[problem.money_pool].sum()) if cd.pools else 0.0
    if result.settings.objective == "max_value":
        if _far(float(result.objective), total_weighted):
            out.append(
                f"objective {result.objective} reported, sum weight x value is {total_weighted}"
            )
    else:
        if _far(float(result.objective), spent):
            out.append(f"min_cost objective {result.objective}, money spent is {spent}")
        target = result.target_value
        if target is None or _over(float(target), total_weighted, float(target)):
            out.append(f"min_cost plan reaches {total_weighted}, target {target}")
    if result.money_spent is not None and _far(float(result.money_spent), spent):
        out.append(f"money spent {result.money_spent} reported, {spent} computed")
    if (
        result.status == "optimal"
        and result.settings.integer_units
        and result.gap is not None
        and result.gap > result.settings.mip_gap + 1e-9
    ):
        out.append(
            f"reported optimal with gap {result.gap} above mip_gap {result.settings.mip_gap}"
        )
    return out


def check(problem: Problem, result: Result) -> None:
    """Fail with every violation listed if the result is not a sound answer to the problem."""
    found = violations(problem, result)
    assert not found, "plan check failed:\n" + "\n".join(found)


def solve_checked(problem: Problem, settings: Settings | None = None, **changes: Any) -> Result:
    """Solve (settings changed by keyword) and run the independent check on the answer."""
    if settings is not None:
        problem = replace(problem, settings=settings)
    if changes:
        problem = problem.with_settings(**changes)
    result = solve(problem)
    check(problem, result)
    return result


def units_of(result: Result) -> dict[tuple[str, str], float]:
    """The plan as {(client_id, method_id): units}."""
    return {k: float(v) for k, v in result.allocation[UNITS].items()}


# ---- brute force over whole units -----------------------------------------------------------
def brute_force(
    problem: Problem, objective: str = "max_value", target: float | None = None
) -> tuple[float, np.ndarray] | None:
    """The best whole-unit plan by enumerating every combination of units per cell.

    Returns (objective, units per cell in `problem.values` order) or None when nothing is
    feasible. max_value maximises sum weight x value; min_cost minimises money spent among
    plans whose weighted value reaches `target`.
    """
    cells = cell_data(problem).frame
    ranges = [range(int(r.committed), int(r.units_max) + 1) for r in cells.itertuples()]
    grid = np.array(list(itertools.product(*ranges)), dtype=float)  # (plans, cells)
    if grid.size == 0:
        grid = np.zeros((1, len(cells)))
    v, d = cells["value"].to_numpy(), cells["decay"].to_numpy()
    # value of n whole units: v * (1 + d + ... + d^(n-1))
    top = int(cells["units_max"].to_numpy().max(initial=0))
    powers = np.stack([d**k for k in range(top + 1)])
    cum = np.vstack([np.zeros(len(cells)), np.cumsum(powers, axis=0)])  # cum[n] = sum_{k<n}
    n = grid.astype(int)
    value = v * cum[n, np.arange(len(cells))]
    weighted = value @ cells["weight"].to_numpy()
    ok = np.ones(len(grid), dtype=bool)
    cid = np.asarray(cells.index.get_level_values(CLIENT_ID))
    mid = np.asarray(cells.index.get_level_values(METHOD_ID))
    for p in problem.pools:
        use = grid * cells[use_col(p)].to_numpy()
        ok &= use.sum(axis=1) <= float(problem.resources.at[p, CAPACITY]) + 1e-9
        for c in problem.clients.index:
            cap = problem.clients.at[c, client_cap_col(p)]
            if not pd.isna(cap):
                ok &= use[:, cid == c].sum(axis=1) <= float(cap) + 1e-9
    for m in problem.methods.index:
        cap = problem.methods.at[m, CAPACITY]
        if not pd.isna(cap):
            ok &= grid[:, mid == m].sum(axis=1) <= float(cap) + 1e-9
    att = attainable(problem)
    for c in problem.clients.index:
        floor = float(problem.clients.at[c, MIN_VALUE_SHARE]) * float(att[c])
        if floor > 0:
            ok &= value[:, cid == c].sum(axis=1) >= floor - 1e-9
    if objective == "min_cost":
        assert target is not None
        ok &= weighted >= target - 1e-9
        score = -(grid * cells[use_col(problem.money_pool)].to_numpy()).sum(axis=1)
    else:
        score = weighted
    if not ok.any():
        return None
    best = int(np.argmax(np.where(ok, score, -np.inf)))
    return (float(weighted[best]) if objective == "max_value" else float(-score[best]), grid[best])


# ---- random small problems ------------------------------------------------------------------
def random_problem(
    rng: np.random.Generator,
    n_clients: int = 3,
    n_methods: int = 3,
    max_units: int = 2,
    families: bool = True,
    **settings: Any,
) -> Problem:
    """A small random problem; with `families`, every constraint family appears."""
    pools = {"budget": float(rng.uniform(20, 60)), "exec_hours": float(rng.uniform(4, 12))}
    methods = []
    for j in range(n_methods):
        methods.append(
            {
                METHOD_ID: f"m{j}",
                MAX_UNITS: int(rng.integers(1, max_units + 1)),
                DECAY: float(rng.choice([1.0, 0.8, 0.5])),
                "budget": round(float(rng.uniform(5, 25)), 2),
                "exec_hours": round(float(rng.uniform(0.5, 4)), 2),
            }
        )
    if families:
        methods[0][CAPACITY] = int(rng.integers(1, n_clients + 1))
    clients = [
        {CLIENT_ID: f"c{i}", WEIGHT: round(float(rng.uniform(0.5, 2)), 2)} for i in range(n_clients)
    ]
    if families:
        clients[0][client_cap_col("budget")] = round(float(rng.uniform(10, 30)), 2)
        clients[-1][MIN_VALUE_SHARE] = round(float(rng.uniform(0.05, 0.3)), 2)
    values = []
    for i in range(n_clients):
        for j in range(n_methods):
            if rng.random() < 0.85:
                values.append(
                    {
                        CLIENT_ID: f"c{i}",
                        METHOD_ID: f"m{j}",
                        VALUE: round(float(rng.uniform(1, 100)), 2),
                    }
                )
    overrides = []
    if families and values:
        values[-1][COMMITTED_UNITS] = 1
        v0 = values[0]
        overrides.append(
            {
                CLIENT_ID: v0[CLIENT_ID],
                METHOD_ID: v0[METHOD_ID],
                RESOURCE_ID: "budget",
                PER_UNIT: round(float(rng.uniform(1, 30)), 2),
            }
        )
        if len(values) > 2 and methods[int(values[1][METHOD_ID][1:])][MAX_UNITS] > 1:
            values[1][MAX_UNITS] = 1  # a per-cell cap below the method's default
    return make_problem(pools, methods, clients, values, overrides, **settings)
