"""An independent feasibility checker, brute force, and builders for tiny test problems.

The checker recomputes everything from the Problem's own tables (never from optimizer.model),
so a mistake in the model builder cannot hide behind the same mistake in the check.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

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
    return pd.DataFrame([[_cell(r.get(c)) for c in cols] for r in rows], columns=cols,
                        dtype=object)


def make_tables(pools: Mapping[str, float | str] | Sequence[Mapping[str, Any]],
                methods: Sequence[Mapping[str, Any]], clients: Sequence[Mapping[str, Any]],
                values: Sequence[Mapping[str, Any]],
                overrides: Sequence[Mapping[str, Any]] = ()) -> dict[str, pd.DataFrame]:
    """Bundle tables of text, as read from files, from short lists of rows.

    `pools` maps pool id to capacity (`budget` gets unit EUR, others hours) or lists full rows.
    Unspecified method columns default to name = id, max_units 1, decay 1, no capacity; client
    columns to name = id, weight 1, no floor; pool use to 0.
    """
    if isinstance(pools, Mapping):
        res_rows = [{RESOURCE_ID: p, "name": p.replace("_", " ").capitalize(),
                     "unit": "EUR" if p == "budget" else "h", CAPACITY: cap}
                    for p, cap in pools.items()]
    else:
        res_rows = [dict(r) for r in pools]
    pool_ids = [str(r[RESOURCE_ID]) for r in res_rows]
    met_rows = [{"name": m[METHOD_ID], "unit": "unit", MAX_UNITS: 1, DECAY: 1, **m}
                for m in methods]
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


def make_problem(pools: Mapping[str, float | str] | Sequence[Mapping[str, Any]],
                 methods: Sequence[Mapping[str, Any]], clients: Sequence[Mapping[str, Any]],
                 values: Sequence[Mapping[str, Any]],
                 overrides: Sequence[Mapping[str, Any]] = (), **settings: Any) -> Problem:
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
    frame = pd.DataFrame({
        "value": vals[VALUE].astype(float).to_numpy(),
        "units_max": vals[MAX_UNITS].astype(float).to_numpy(),
        "committed": vals[COMMITTED_UNITS].astype(float).to_numpy(),
        "decay": problem.methods[DECAY].astype(float).reindex(mids).to_numpy(),
        "weight": problem.clients[WEIGHT].astype(float).reindex(cids).to_numpy(),
    }, index=vals.index)
    pools = list(problem.resources.index)
    for p in pools:
        frame[use_col(p)] = problem.methods[p].astype(float).reindex(mids).to_numpy()
    for _, o in problem.overrides.iterrows():
        key = (o[CLIENT_ID], o[METHOD_ID])
        if key in frame.index:
            frame.loc[key, use_col(o[RESOURCE_ID])] = float(o[PER_UNIT])
    return CellData(frame=frame, pools=pools)


def value_of_units(value: float, decay: float, units: float) -> float:
    """Value of `units` filled in order: whole units at value * decay^k, then a fraction."""
    whole = int(math.floor(units + 1e-9))
    frac = max(units - whole, 0.0)
    total = sum(value * decay ** k for k in range(whole))
    return total + frac * value * decay ** whole


def attainable(problem: Problem) -> pd.Series:
    """Per client: value with every offered method at its cap (unweighted), by plain sums."""
    cd = cell_data(problem).frame
    per_cell = [value_of_units(r.value, r.decay, r.units_max) for r in cd.itertuples()]
    s = pd.Series(per_cell, index=cd.index, dtype=float).groupby(level=CLIENT_ID).sum()
    return s.reindex(problem.clients.index).fillna(0.0)


def _close(a: float, b: float, scale: float = 1.0) -> bool:
    return abs(a - b) <= REL_TOL * max(1.0, abs(a), abs(b), scale)


def _le(a: float, b: float, scale: float = 1.0) -> bool:
    return a <= b + REL_TOL * max(1.0, abs(b), scale)


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
    alloc = result.allocation
    if set(alloc.index) != set(cells.index):
        out.append("the allocation rows are not exactly the offered cells")
        return out
    alloc = alloc.reindex(cells.index)
    units = alloc[UNITS].astype(float).to_numpy()
    integer = result.settings.integer_units

    # bounds, commitments, whole units
    for (c, m), u, r in zip(cells.index, units, cells.itertuples()):
        if u < -REL_TOL or u > r.units_max + REL_TOL:
            out.append(f"cell {c}/{m}: {u} units outside [0, {r.units_max}]")
        if u < r.committed - REL_TOL:
            out.append(f"cell {c}/{m}: {u} units but {r.committed} committed")
        if integer and abs(u - round(u)) > REL_TOL:
            out.append(f"cell {c}/{m}: {u} is not a whole number of units in integer mode")
        if not _close(float(alloc.at[(c, m), MAX_UNITS]), r.units_max):
            out.append(f"cell {c}/{m}: max_units reported {alloc.at[(c, m), MAX_UNITS]}, "
                       f"table says {r.units_max}")

    # value consistent with units (filled in order)
    value = np.array([value_of_units(r.value, r.decay, u) for r, u in
                      zip(cells.itertuples(), units)])
    for (c, m), v_rep, v in zip(cells.index, alloc[VALUE].to_numpy(dtype=float), value):
        if not _close(v_rep, v):
            out.append(f"cell {c}/{m}: value {v_rep} reported, {v} from its units")
    wvalue = value * cells["weight"].to_numpy()
    for (c, m), w_rep, w in zip(cells.index, alloc[WEIGHTED_VALUE].to_numpy(dtype=float),
                                wvalue):
        if not _close(w_rep, w):
            out.append(f"cell {c}/{m}: weighted value {w_rep} reported, {w} computed")

    # pools
    res = problem.resources
    for p in cd.pools:
        use = units * cells[use_col(p)].to_numpy()
        used, cap = float(use.sum()), float(res.at[p, CAPACITY])
        if not _le(used, cap, float(np.abs(use).sum())):
            out.append(f"pool {p}: uses {used} of {cap}")
        if not _close(float(result.pools.at[p, USED]), used):
            out.append(f"pool {p}: reports {result.pools.at[p, USED]} used, {used} computed")
        if not _close(float(result.pools.at[p, SLACK]), cap - used, cap):
            out.append(f"pool {p}: slack {result.pools.at[p, SLACK]}, {cap - used} computed")
        for (c, m), a, b in zip(cells.index, alloc[use_col(p)].to_numpy(dtype=float), use):
            if not _close(a, b):
                out.append(f"cell {c}/{m}: use of {p} reported {a}, {b} computed")

    # per-client caps, floors, client summaries
    clients = problem.clients
    cid = cells.index.get_level_values(CLIENT_ID)
    att = attainable(problem)
    for c in clients.index:
        mine = np.asarray(cid == c)
        for p in cd.pools:
            cap = clients.at[c, client_cap_col(p)]
            if not pd.isna(cap):
                used = float((units[mine] * cells[use_col(p)].to_numpy()[mine]).sum())
                if not _le(used, float(cap)):
                    out.append(f"client {c}: uses {used} of {p}, capped at {cap}")
        delivered = float(value[mine].sum())
        floor = float(clients.at[c, MIN_VALUE_SHARE]) * float(att[c])
        if not _le(floor, delivered, floor):
            out.append(f"client {c}: value {delivered} below its floor {floor}")
        row = result.clients.loc[c]
        if not _close(float(row[VALUE]), delivered):
            out.append(f"client {c}: value {row[VALUE]} reported, {delivered} computed")
        if not _close(float(row[ATTAINABLE]), float(att[c])):
            out.append(f"client {c}: attainable {row[ATTAINABLE]} reported, {att[c]} computed")
        if att[c] > 0 and not _close(float(row[SHARE]), delivered / float(att[c])):
            out.append(f"client {c}: share {row[SHARE]} reported")

    # per-method capacity and summaries
    mid = cells.index.get_level_values(METHOD_ID)
    for m in problem.methods.index:
        total = float(units[np.asarray(mid == m)].sum())
        cap = problem.methods.at[m, CAPACITY]
        if not pd.isna(cap) and not _le(total, float(cap)):
            out.append(f"method {m}: {total} units over all clients, capacity {cap}")
        if not _close(float(result.methods.at[m, UNITS]), total):
            out.append(f"method {m}: {result.methods.at[m, UNITS]} units reported, {total} "
                       "computed")

    # objective
    total_weighted = float(wvalue.sum())
    money = problem.money_pool
    spent = float((units * cells[use_col(money)].to_numpy()).sum())
    if result.settings.objective == "max_value":
        if not _close(float(result.objective), total_weighted):
            out.append(f"objective {result.objective} reported, sum weight x value is "
                       f"{total_weighted}")
    else:
        if not _close(float(result.objective), spent):
            out.append(f"min_cost objective {result.objective}, money spent is {spent}")
        if result.target_value is None or not _le(float(result.target_value), total_weighted,
                                                  float(result.target_value)):
            out.append(f"min_cost plan reaches {total_weighted}, target {result.target_value}")
    if result.money_spent is not None and not _close(float(result.money_spent), spent):
        out.append(f"money spent {result.money_spent} reported, {spent} computed")
    if result.status == "optimal" and integer and result.gap is not None \
            and result.gap > result.settings.mip_gap + 1e-9:
        out.append(f"reported optimal with gap {result.gap} above mip_gap "
                   f"{result.settings.mip_gap}")
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
def brute_force(problem: Problem, objective: str = "max_value",
                target: float | None = None) -> tuple[float, np.ndarray] | None:
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
    powers = np.stack([d ** k for k in range(top + 1)])
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
    return (float(weighted[best]) if objective == "max_value" else float(-score[best]),
            grid[best])


# ---- random small problems ------------------------------------------------------------------
def random_problem(rng: np.random.Generator, n_clients: int = 3, n_methods: int = 3,
                   max_units: int = 2, families: bool = True, **settings: Any) -> Problem:
    """A small random problem; with `families`, every constraint family appears."""
    pools = {"budget": float(rng.uniform(20, 60)), "exec_hours": float(rng.uniform(4, 12))}
    methods = []
    for j in range(n_methods):
        methods.append({METHOD_ID: f"m{j}", MAX_UNITS: int(rng.integers(1, max_units + 1)),
                        DECAY: float(rng.choice([1.0, 0.8, 0.5])),
                        "budget": round(float(rng.uniform(5, 25)), 2),
                        "exec_hours": round(float(rng.uniform(0.5, 4)), 2)})
    if families:
        methods[0][CAPACITY] = int(rng.integers(1, n_clients + 1))
    clients = [{CLIENT_ID: f"c{i}", WEIGHT: round(float(rng.uniform(0.5, 2)), 2)}
               for i in range(n_clients)]
    if families:
        clients[0][client_cap_col("budget")] = round(float(rng.uniform(10, 30)), 2)
        clients[-1][MIN_VALUE_SHARE] = round(float(rng.uniform(0.05, 0.3)), 2)
    values = []
    for i in range(n_clients):
        for j in range(n_methods):
            if rng.random() < 0.85:
                values.append({CLIENT_ID: f"c{i}", METHOD_ID: f"m{j}",
                               VALUE: round(float(rng.uniform(1, 100)), 2)})
    overrides = []
    if families and values:
        values[-1][COMMITTED_UNITS] = 1
        v0 = values[0]
        overrides.append({CLIENT_ID: v0[CLIENT_ID], METHOD_ID: v0[METHOD_ID],
                          RESOURCE_ID: "budget", PER_UNIT: round(float(rng.uniform(1, 30)), 2)})
        if len(values) > 2 and methods[int(values[1][METHOD_ID][1:])][MAX_UNITS] > 1:
            values[1][MAX_UNITS] = 1  # a per-cell cap below the method's default
    return make_problem(pools, methods, clients, values, overrides, **settings)
