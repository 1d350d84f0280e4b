"""Synthetic problems of any size with every constraint family present, for benchmarks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.schema import (
    CAPACITY,
    CLIENT_ID,
    COMMITTED_UNITS,
    DECAY,
    MAX_UNITS,
    METHOD_ID,
    MIN_VALUE_SHARE,
    NAME,
    PER_UNIT,
    RESOURCE_ID,
    SEGMENT,
    UNIT,
    VALUE,
    VALUE_HIGH,
    VALUE_LOW,
    WEIGHT,
    Problem,
    Settings,
    client_cap_col,
)

METHODS = [
    "demo",
    "trial",
    "product_guarantee",
    "delivery_guarantee",
    "maintenance",
    "follow_up",
    "referral",
]
POOLS = ["budget", "exec_hours", "manager_hours"]


def make_problem(
    n_clients: int, seed: int = 0, integer: bool = False, budget_share: float = 0.55
) -> Problem:
    """n_clients x 7 methods, up to 3 units a cell, 3 pools, per-client caps, a method
    capacity, value floors, commitments, overrides and per-cell unit caps."""
    rng = np.random.default_rng(seed)
    m = len(METHODS)
    use = np.column_stack([rng.uniform(800, 6000, m), rng.uniform(1, 8, m), rng.uniform(4, 14, m)])
    max_units = rng.integers(1, 4, m).astype(float)
    max_units[0] = 3
    decay = np.round(rng.uniform(0.6, 1.0, m), 2)
    methods = pd.DataFrame(
        {NAME: METHODS, UNIT: "unit", MAX_UNITS: max_units, DECAY: decay, CAPACITY: np.nan},
        index=pd.Index(METHODS, name=METHOD_ID),
    )
    methods.loc["trial", CAPACITY] = max(1.0, round(0.8 * n_clients))
    for k, p in enumerate(POOLS):
        methods[p] = use[:, k]
    ids = [f"c{i:05d}" for i in range(n_clients)]
    clients = pd.DataFrame(
        {
            NAME: [f"Client {i}" for i in range(n_clients)],
            SEGMENT: rng.choice(["A", "B", "C", "D"], n_clients),
            WEIGHT: np.round(rng.uniform(0.8, 2.0, n_clients), 2),
            MIN_VALUE_SHARE: 0.0,
        },
        index=pd.Index(ids, name=CLIENT_ID),
    )
    for p in POOLS:
        clients[client_cap_col(p)] = np.nan
    capped = rng.random(n_clients) < 0.05
    clients.loc[capped, client_cap_col("budget")] = 15000.0
    floored = rng.random(n_clients) < 0.05
    clients.loc[floored & ~capped, MIN_VALUE_SHARE] = 0.2

    cells = pd.MultiIndex.from_product([ids, METHODS], names=[CLIENT_ID, METHOD_ID])
    offered = rng.random(len(cells)) < 0.9
    cells = cells[offered]
    v = np.round(rng.uniform(5, 120, len(cells)), 1)
    mi = pd.Index(METHODS).get_indexer(cells.get_level_values(METHOD_ID))
    cell_max = max_units[mi].copy()
    override_max = rng.random(len(cells)) < 0.02
    cell_max[override_max] = np.clip(cell_max[override_max] + 1, 1, 3)
    committed = (
        (rng.random(len(cells)) < 0.01)
        & ~np.isin(cells.get_level_values(CLIENT_ID), np.array(ids)[capped])
    ).astype(float)
    values = pd.DataFrame(
        {
            VALUE: v,
            VALUE_LOW: np.round(v * 0.8, 1),
            VALUE_HIGH: np.round(v * 1.25, 1),
            COMMITTED_UNITS: committed,
            MAX_UNITS: cell_max,
        },
        index=cells,
    )
    n_ov = max(1, len(cells) // 200)
    pick = rng.choice(len(cells), n_ov, replace=False)
    overrides = pd.DataFrame(
        {
            CLIENT_ID: cells.get_level_values(0)[pick],
            METHOD_ID: cells.get_level_values(1)[pick],
            RESOURCE_ID: "budget",
            PER_UNIT: np.round(use[mi[pick], 0] * 1.8, 0),
        }
    )
    full_use = (use[mi] * cell_max[:, None]).sum(axis=0)
    resources = pd.DataFrame(
        {
            NAME: ["Budget", "Executive hours", "Manager hours"],
            UNIT: ["EUR", "h", "h"],
            CAPACITY: np.round(full_use * np.array([budget_share, 0.5, 0.7])),
        },
        index=pd.Index(POOLS, name=RESOURCE_ID),
    )
    return Problem(
        resources=resources,
        methods=methods,
        clients=clients,
        values=values,
        overrides=overrides,
        settings=Settings(integer_units=integer),
    )
