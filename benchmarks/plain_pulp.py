"""The model written the plain PuLP way, the baseline both engine benchmarks measure against:
dicts of variables, lpSum over generators, one constraint at a time (what a first version
of this tool, or a spreadsheet user moving to Python, would write).

Imports only PuLP, so a baseline process started for it loads nothing of the engine.
"""

from __future__ import annotations

from typing import Any


def build(
    res: Any, met: Any, cli: Any, val: Any, ovr: Any, integer: bool = False
) -> tuple[Any, dict[tuple[str, str, int], Any]]:
    """The problem and its unit variables y[client, method, k] from the bundle's frames:
    `res`, `met`, `cli` indexed by their ids; `val` with client_id, method_id, value, max_units
    and committed_units columns (blanks already filled); `ovr` the per-client use overrides."""
    import pulp

    cat = pulp.LpInteger if integer else pulp.LpContinuous
    prob = pulp.LpProblem("plain", pulp.LpMaximize)
    ov = {(r.client_id, r.method_id, r.resource_id): r.per_unit for r in ovr.itertuples()}
    y: dict[tuple[str, str, int], Any] = {}
    value: dict[tuple[str, str], float] = {}
    for r in val.itertuples():
        value[r.client_id, r.method_id] = r.value
        for k in range(1, int(r.max_units) + 1):
            y[r.client_id, r.method_id, k] = pulp.LpVariable(
                f"y_{r.client_id}_{r.method_id}_{k}", 1 if k <= r.committed_units else 0, 1, cat
            )

    def use(c: str, m: str, p: str) -> float:
        return ov.get((c, m, p), met.at[m, p])

    def unit_value(c: str, m: str, k: int) -> float:
        return value[c, m] * met.at[m, "decay"] ** (k - 1)

    prob += pulp.lpSum(cli.at[c, "weight"] * unit_value(c, m, k) * v for (c, m, k), v in y.items())
    for p in res.index:
        prob += pulp.lpSum(use(c, m, p) * v for (c, m, k), v in y.items()) <= res.at[p, "capacity"]
    by_client: dict[str, list[tuple[str, str, int]]] = {}
    for key in y:
        by_client.setdefault(key[0], []).append(key)
    for p in res.index:
        if f"max_{p}" not in cli:
            continue
        for c, cap in cli[f"max_{p}"].dropna().items():
            prob += (
                pulp.lpSum(use(c, m, p) * y[c, m, k] for (_, m, k) in by_client.get(c, [])) <= cap
            )
    for m, cap in met["capacity"].dropna().items():
        prob += pulp.lpSum(v for (c, mm, k), v in y.items() if mm == m) <= cap
    for c, share in cli["min_value_share"].items():
        if share > 0:
            keys = by_client.get(c, [])
            attain = sum(unit_value(c, m, k) for (_, m, k) in keys)
            prob += (
                pulp.lpSum(unit_value(c, m, k) * y[c, m, k] for (_, m, k) in keys) >= share * attain
            )
    return prob, y
