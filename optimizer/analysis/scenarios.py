"""Scenarios: what a saved scenario keeps of its inputs and result (`bundle_text`,
`summarize`), and how two of them differ (`diff_summaries`, `diff_inputs`, `compare`)."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..bundle import settings_dict, to_tables
from ..quoting import quote_amounts
from ..schema import (
    ATTAINABLE,
    CAPACITY,
    CLIENT_ID,
    METHOD_ID,
    NAME,
    RESOURCE_ID,
    SHADOW_PRICE,
    SHARE,
    TABLE_KEYS,
    UNIT,
    UNITS,
    USED,
    VALUE,
    WEIGHTED_VALUE,
    Problem,
    Result,
    Settings,
    use_col,
)
from ..tolerances import FUNDED, SAME_INPUT_RTOL, TINY, VALUE_NOISE, funded
from .common import num

KEY_COLUMNS = TABLE_KEYS  # the rows a diff pairs up


def bundle_text(problem: Problem) -> dict[str, str]:
    """The problem's bundle tables as CSV text (what a scenario stores as its inputs)."""
    return {t: f.to_csv(index=False) for t, f in to_tables(problem).items()}


def summarize(problem: Problem, result: Result) -> dict[str, Any]:
    """A JSON-able summary of a result: KPIs, pools, clients and cells (what a scenario keeps
    of its result, and what comparisons read)."""
    out: dict[str, Any] = {
        "status": result.status,
        "status_text": result.status_text,
        "objective": num(result.objective),
        "solver": result.solver,
        "fingerprint": result.fingerprint,
        "gap": num(result.gap),
        "money_pool": problem.money_pool,
        "currency": problem.settings.currency,
        "settings": {k: getattr(result.settings, k) for k in Settings.__dataclass_fields__},
        "explanation": list(result.explanation),
        "kpis": {},
        "pools": [],
        "clients": [],
        "cells": [],
    }
    if not result.has_plan:
        return out
    alloc = result.allocation
    kpis = {
        "objective": num(result.objective),
        "total_value": num(alloc[VALUE].sum()),
        "money_spent": num(result.money_spent),
        "funded_cells": int(funded(alloc[UNITS].to_numpy()).sum()),
        "clients_reached": int((result.clients[VALUE] > VALUE_NOISE).sum()),
        "lowest_share": num(result.clients[SHARE].min()),
        "mean_share": num(result.clients[SHARE].mean()),
    }
    for p, row in result.pools.iterrows():
        kpis[f"used_{p}"] = num(row[USED])
    out["kpis"] = kpis
    out["pools"] = [
        {
            "resource_id": p,
            "name": str(r[NAME]),
            "unit": str(r[UNIT]),
            "capacity": num(r[CAPACITY]),
            "used": num(r[USED]),
            "shadow_price": num(r[SHADOW_PRICE]),
        }
        for p, r in result.pools.iterrows()
    ]
    out["clients"] = [
        {
            "client_id": c,
            "name": str(r[NAME]),
            "value": num(r[VALUE]),
            "weighted_value": num(r[WEIGHTED_VALUE]),
            "attainable": num(r[ATTAINABLE]),
            "share": num(r[SHARE]),
            "use": {p: num(r[use_col(p)]) for p in problem.pools},
        }
        for c, r in result.clients.iterrows()
    ]
    out["cells"] = [
        {
            "client_id": c,
            "method_id": m,
            "units": num(r[UNITS]),
            "value": num(r[VALUE]),
            "weighted_value": num(r[WEIGHTED_VALUE]),
        }
        for (c, m), r in alloc.iterrows()
    ]
    return out


@dataclass(frozen=True, eq=False)
class ScenarioDiff:
    """B against A. kpis: index metric: a, b, delta, delta_share. pools: index resource_id.
    clients: index client_id: name, value_a, value_b, delta_value, share_a, share_b.
    cells: index (client_id, method_id): units_a, units_b, delta_units, value_a, value_b,
    delta_value, change (new | dropped | more | fewer | same). inputs: one row per changed
    input: table, key, column, a, b, change (changed | added | removed)."""

    kpis: pd.DataFrame
    pools: pd.DataFrame
    clients: pd.DataFrame
    cells: pd.DataFrame
    inputs: pd.DataFrame
    status_a: str
    status_b: str
    names: tuple[str, str] = ("A", "B")

    @property
    def changed_cells(self) -> pd.DataFrame:
        return self.cells[self.cells["change"] != "same"]

    def to_json(self) -> dict[str, Any]:
        def rows(frame: pd.DataFrame, keys: Sequence[str]) -> list[dict[str, Any]]:
            out = []
            for idx, r in frame.iterrows():
                idx = idx if isinstance(idx, tuple) else (idx,)
                d: dict[str, Any] = dict(zip(keys, idx))
                for k, v in r.items():
                    d[str(k)] = v if isinstance(v, str) or v is None else num(v)
                out.append(d)
            return out

        return {
            "a": self.names[0],
            "b": self.names[1],
            "status_a": self.status_a,
            "status_b": self.status_b,
            "kpis": rows(self.kpis, ["metric"]),
            "pools": rows(self.pools, ["resource_id"]),
            "clients": rows(
                self.clients[self.clients["delta_value"].abs() > VALUE_NOISE], ["client_id"]
            ),
            "cells": rows(self.changed_cells, ["client_id", "method_id"]),
            "inputs": self.inputs.to_dict(orient="records"),
        }


def _delta_frame(a: pd.Series, b: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame({"a": a, "b": b})
    frame["delta"] = frame["b"] - frame["a"]
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["delta_share"] = np.where(
            frame["a"].abs() > TINY, frame["delta"] / frame["a"].abs(), np.nan
        )
    return frame


def diff_summaries(
    a: Mapping[str, Any], b: Mapping[str, Any], quotes: Mapping[str, float] | None = None
) -> ScenarioDiff:
    """Result differences between two summaries (see `summarize`); no input differences.

    Each pool's shadow price, A and B, is a KPI row `price_<pool>`: the value of one quoted
    amount more of the pool (optimizer.quoting), the same amount on both sides: `quotes`
    where given, else the amount A's capacity suggests. `pools` keeps the amount
    (`quoted_per`) and the unit."""
    ka = pd.Series(a.get("kpis", {}), dtype=float)
    kb = pd.Series(b.get("kpis", {}), dtype=float)

    def frame(s: Mapping[str, Any], key: str, keys: list[str]) -> pd.DataFrame:
        rows = s.get(key, [])
        if not rows:
            return pd.DataFrame(columns=keys).set_index(keys)
        return pd.DataFrame(rows).set_index(keys)

    pa, pb = frame(a, "pools", [RESOURCE_ID]), frame(b, "pools", [RESOURCE_ID])
    pools = pd.DataFrame(index=pa.index.union(pb.index, sort=False))
    for col in (CAPACITY, USED, SHADOW_PRICE):
        pools[f"{col}_a"] = pa[col].reindex(pools.index) if col in pa else np.nan
        pools[f"{col}_b"] = pb[col].reindex(pools.index) if col in pb else np.nan
    pools["delta_used"] = pools[f"{USED}_b"] - pools[f"{USED}_a"]
    units = pb[UNIT].reindex(pools.index) if UNIT in pb else pd.Series(index=pools.index)
    if UNIT in pa:
        units = units.combine_first(pa[UNIT].reindex(pools.index))
    pools[UNIT] = units.fillna("").astype(str)
    caps = pools[f"{CAPACITY}_a"].combine_first(pools[f"{CAPACITY}_b"]).astype(float)
    pools["quoted_per"] = pd.Series(
        quote_amounts(pd.DataFrame({CAPACITY: caps}), quotes), dtype=float
    ).reindex(pools.index)

    def prices(side: str) -> pd.Series:
        price = pools[f"{SHADOW_PRICE}_{side}"].astype(float) * pools["quoted_per"]
        return price.rename(index=lambda p: f"price_{p}")

    ka, kb = pd.concat([ka, prices("a")]), pd.concat([kb, prices("b")])
    order = list(dict.fromkeys([*ka.index, *kb.index]))
    kpis = _delta_frame(ka.reindex(order), kb.reindex(order))
    kpis.index.name = "metric"

    ca, cb = frame(a, "clients", [CLIENT_ID]), frame(b, "clients", [CLIENT_ID])
    clients = pd.DataFrame(index=ca.index.union(cb.index, sort=False))
    names = (cb[NAME] if NAME in cb else pd.Series(dtype=str)).combine_first(
        ca[NAME] if NAME in ca else pd.Series(dtype=str)
    )
    clients[NAME] = names.reindex(clients.index)
    for col in (VALUE, SHARE):
        clients[f"{col}_a"] = ca[col].reindex(clients.index) if col in ca else np.nan
        clients[f"{col}_b"] = cb[col].reindex(clients.index) if col in cb else np.nan
    clients = clients.astype(
        {f"{VALUE}_a": float, f"{VALUE}_b": float, f"{SHARE}_a": float, f"{SHARE}_b": float}
    )
    clients["delta_value"] = clients[f"{VALUE}_b"].fillna(0) - clients[f"{VALUE}_a"].fillna(0)

    la, lb = frame(a, "cells", [CLIENT_ID, METHOD_ID]), frame(b, "cells", [CLIENT_ID, METHOD_ID])
    idx = la.index.union(lb.index, sort=False)
    cells = pd.DataFrame(index=idx)
    for col in (UNITS, VALUE):
        cells[f"{col}_a"] = la[col].reindex(idx) if col in la else np.nan
        cells[f"{col}_b"] = lb[col].reindex(idx) if col in lb else np.nan
    cells = cells.astype(float).fillna(0.0)
    cells["delta_units"] = cells[f"{UNITS}_b"] - cells[f"{UNITS}_a"]
    cells["delta_value"] = cells[f"{VALUE}_b"] - cells[f"{VALUE}_a"]
    ua, ub = funded(cells[f"{UNITS}_a"].to_numpy()), funded(cells[f"{UNITS}_b"].to_numpy())
    d = cells["delta_units"]
    # A change of units counts when it is more than a funded cell's least units.
    cells["change"] = np.select(
        [~ua & ub, ua & ~ub, d > FUNDED, d < -FUNDED], ["new", "dropped", "more", "fewer"], "same"
    )
    cells.index.names = [CLIENT_ID, METHOD_ID]
    return ScenarioDiff(
        kpis=kpis,
        pools=pools,
        clients=clients,
        cells=cells,
        inputs=_empty_inputs(),
        status_a=str(a.get("status", "")),
        status_b=str(b.get("status", "")),
    )


def _empty_inputs() -> pd.DataFrame:
    return pd.DataFrame(columns=["table", "key", "column", "a", "b", "change"])


def _as_text(table: str | pd.DataFrame) -> pd.DataFrame:
    if isinstance(table, str):
        return pd.read_csv(io.StringIO(table), dtype=str, keep_default_na=False)
    return pd.read_csv(io.StringIO(table.to_csv(index=False)), dtype=str, keep_default_na=False)


def _same_cell(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return math.isclose(float(a), float(b), rel_tol=SAME_INPUT_RTOL, abs_tol=0.0)
    except ValueError:
        return False


def diff_inputs(
    tables_a: Mapping[str, str | pd.DataFrame],
    tables_b: Mapping[str, str | pd.DataFrame],
    settings_a: Mapping[str, Any] | None = None,
    settings_b: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Which input cells differ between two bundles (tables as CSV text or frames).

    Rows are matched by their ids (values by client and method, ...). One output row per
    changed cell, added or removed row, and changed setting.
    """
    out: list[dict[str, Any]] = []
    for t in list(dict.fromkeys([*tables_a, *tables_b])):
        fa = _as_text(tables_a[t]) if t in tables_a else None
        fb = _as_text(tables_b[t]) if t in tables_b else None
        if fa is None or fb is None:
            out.append(
                {
                    "table": t,
                    "key": "",
                    "column": "",
                    "a": "" if fa is None else f"{len(fa)} rows",
                    "b": "" if fb is None else f"{len(fb)} rows",
                    "change": "added" if fa is None else "removed",
                }
            )
            continue
        keys = [k for k in KEY_COLUMNS.get(t, ()) if k in fa.columns and k in fb.columns]
        if not keys:
            keys = []
        key_a = fa[keys].agg("/".join, axis=1) if keys else fa.index.astype(str).to_series()
        key_b = fb[keys].agg("/".join, axis=1) if keys else fb.index.astype(str).to_series()
        fa = fa.set_axis(key_a.to_numpy())
        fb = fb.set_axis(key_b.to_numpy())
        fa = fa[~fa.index.duplicated()]
        fb = fb[~fb.index.duplicated()]
        cols = [c for c in dict.fromkeys([*fa.columns, *fb.columns]) if c not in keys]
        for k in fa.index.difference(fb.index, sort=False):
            out.append(
                {"table": t, "key": k, "column": "", "a": "row", "b": "", "change": "removed"}
            )
        for k in fb.index.difference(fa.index, sort=False):
            out.append({"table": t, "key": k, "column": "", "a": "", "b": "row", "change": "added"})
        common = fa.index.intersection(fb.index, sort=False)
        for col in cols:
            va = fa[col].reindex(common).fillna("") if col in fa else pd.Series("", common)
            vb = fb[col].reindex(common).fillna("") if col in fb else pd.Series("", common)
            differ = va.to_numpy() != vb.to_numpy()
            for k in common[differ]:
                a_, b_ = str(va[k]), str(vb[k])
                if not _same_cell(a_, b_):
                    out.append(
                        {"table": t, "key": k, "column": col, "a": a_, "b": b_, "change": "changed"}
                    )
    sa, sb = dict(settings_a or {}), dict(settings_b or {})
    for k in dict.fromkeys([*sa, *sb]):
        if json.dumps(sa.get(k)) != json.dumps(sb.get(k)):
            out.append(
                {
                    "table": "settings",
                    "key": k,
                    "column": "value",
                    "a": "" if k not in sa else str(sa[k]),
                    "b": "" if k not in sb else str(sb[k]),
                    "change": "changed",
                }
            )
    return pd.DataFrame(out, columns=["table", "key", "column", "a", "b", "change"])


def compare(
    problem_a: Problem,
    result_a: Result,
    problem_b: Problem,
    result_b: Result,
    names: tuple[str, str] = ("A", "B"),
    quotes: Mapping[str, float] | None = None,
) -> ScenarioDiff:
    """B against A: KPI deltas (pool prices per `quotes`, see `diff_summaries`), per-client and
    per-cell differences, changed inputs."""
    d = diff_summaries(summarize(problem_a, result_a), summarize(problem_b, result_b), quotes)
    inputs = diff_inputs(
        bundle_text(problem_a),
        bundle_text(problem_b),
        settings_dict(problem_a.settings),
        settings_dict(problem_b.settings),
    )
    return replace(d, inputs=inputs, names=names)
