"""The result as the JSON object of `solve --json` (DESIGN section 5, plus a few keys).

Keys are stable identifiers and the texts in it (status, explanation, reasons) are English in
every language: JSON is for programs.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..schema import (
    ATTAINABLE,
    BLOCKED_BY,
    CAPACITY,
    NEEDED_KIND,
    NEEDED_VALUE,
    PRICE_STEP,
    REASON,
    SHADOW_PRICE,
    SHARE,
    STEP_PRICE,
    UNITS,
    USED,
    VALUE,
    Problem,
    Result,
    Settings,
    use_col,
)


def _num(x: Any) -> float | None:
    """A JSON-safe number (NaN and infinities become null)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def result_to_json(problem: Problem, result: Result) -> dict[str, Any]:
    """The solve result as the JSON object of DESIGN section 5 (plus a few extra keys)."""
    pools = problem.pools
    status = "feasible" if result.status == "feasible" else result.status
    out: dict[str, Any] = {
        "status": status,
        "status_text": result.status_text,
        "objective": _num(result.objective),
        "gap": _num(result.gap),
        "solver": result.solver,
        "seconds": round(result.seconds, 4),
        "fingerprint": result.fingerprint,
        "settings": {k: getattr(result.settings, k) for k in Settings.__dataclass_fields__},
        "bound": _num(result.bound),
        "lp_objective": _num(result.lp_objective),
        "money_spent": _num(result.money_spent),
        "target_value": _num(result.target_value),
        # What the plan maximised (optimizer/robust.py) and what it is worth under it.
        "plan_objective": result.plan_objective.params()
        if result.plan_objective is not None
        else {"kind": "nominal"},
        "protected_value": _num(result.protected_value),
        "cvar_value": _num(result.cvar_value),
        "expected_value": _num(result.expected_value),
        "allocation": [],
        "pools": [],
        "clients": [],
        "unfunded": [],
        "explanation": list(result.explanation),
    }
    if not result.has_plan:
        return out
    for (c, m), row in result.allocation.iterrows():
        out["allocation"].append(
            {
                "client_id": c,
                "method_id": m,
                "units": _num(row[UNITS]),
                "value": _num(row[VALUE]),
                "use": {p: _num(row[use_col(p)]) for p in pools},
            }
        )
    for p, row in result.pools.iterrows():
        out["pools"].append(
            {
                "resource_id": p,
                "capacity": _num(row[CAPACITY]),
                "used": _num(row[USED]),
                "shadow_price": _num(row[SHADOW_PRICE]),
                "price_step": _num(row.get(PRICE_STEP)),
                "step_price": _num(row.get(STEP_PRICE)),
            }
        )
    for c, row in result.clients.iterrows():
        out["clients"].append(
            {
                "client_id": c,
                "value": _num(row[VALUE]),
                "attainable": _num(row[ATTAINABLE]),
                "share": _num(row[SHARE]),
            }
        )
    for (c, m), row in result.unfunded.iterrows():
        out["unfunded"].append(
            {
                "client_id": c,
                "method_id": m,
                "units": _num(row[UNITS]),
                "needed_value": _num(row[NEEDED_VALUE]),
                "needed_kind": row.get(NEEDED_KIND),
                "blocked_by": row[BLOCKED_BY],
                "reason": row[REASON],
            }
        )
    return out


def json_bytes(problem: Problem, result: Result) -> bytes:
    """The same object as `solve --json`."""
    return (
        json.dumps(result_to_json(problem, result), ensure_ascii=False, indent=1) + "\n"
    ).encode("utf-8")
