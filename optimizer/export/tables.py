"""The frames and rows the exports share: the tidy allocation (the CSV's rows), the grids, the
headline figures, the header of every file and the cells not (fully) funded."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..messages import DEFAULT_LANG, Translator, unit_text
from ..schema import (
    ATTAINABLE,
    CLIENT_ID,
    COMMITTED_UNITS,
    MAX_UNITS,
    METHOD_ID,
    NAME,
    NEEDED_VALUE,
    NEXT_UNIT,
    SEGMENT,
    UNIT,
    UNITS,
    VALUE,
    VALUE_PER_MONEY,
    WEIGHTED_VALUE,
    Problem,
    Result,
    use_col,
)
from ..tolerances import VALUE_NOISE, funded
from .common import (
    ExportMeta,
    blocked_texts,
    cell_text,
    currency,
    num,
    pool_unit,
    reason_texts,
    require_plan,
    status_text,
)

Row = tuple[str, Any, str]  # (label, value, kind): kind picks the number format


def allocation_long(problem: Problem, result: Result) -> pd.DataFrame:
    """The allocation in tidy long form, one row per offered client x method cell.

    Columns: client_id, client_name, segment, method_id, method_name, units, max_units,
    committed_units, value, weighted_value, use_<pool> for each pool, value_per_money.
    """
    require_plan(result)
    a = result.allocation
    cids = a.index.get_level_values(CLIENT_ID)
    mids = a.index.get_level_values(METHOD_ID)
    out = pd.DataFrame(
        {
            CLIENT_ID: cids.astype(str),
            "client_name": problem.clients[NAME].reindex(cids).to_numpy(),
            SEGMENT: problem.clients[SEGMENT].reindex(cids).to_numpy(),
            METHOD_ID: mids.astype(str),
            "method_name": problem.methods[NAME].reindex(mids).to_numpy(),
        }
    )
    for c in csv_columns(problem)[5:]:
        out[c] = a[c].to_numpy()
    return out


def csv_columns(problem: Problem) -> list[str]:
    """The CSV export's columns, in order (stable identifiers, the same in every language)."""
    return [
        CLIENT_ID,
        "client_name",
        SEGMENT,
        METHOD_ID,
        "method_name",
        UNITS,
        MAX_UNITS,
        COMMITTED_UNITS,
        VALUE,
        WEIGHTED_VALUE,
        *[use_col(p) for p in problem.pools],
        VALUE_PER_MONEY,
    ]


def pool_label(problem: Problem, pool: str, lang: str = DEFAULT_LANG) -> str:
    """A pool's name with its unit: "Budget (EUR)" (hours «ч» in Russian)."""
    res = problem.resources
    unit = unit_text(cell_text(res.at[pool, UNIT]), lang)
    return f"{res.at[pool, NAME]} ({unit})" if unit else str(res.at[pool, NAME])


def pool_units(problem: Problem, pools: list[str], lang: str = DEFAULT_LANG) -> list[str]:
    """The unit each pool's figures are shown with (the currency for the money pool)."""
    return [pool_unit(problem, p, lang) for p in pools]


def objective_label(result: Result, t: Translator) -> str:
    if result.settings.objective == "min_cost":
        return t("export_kpi_objective_cost", currency=result.settings.currency)
    return t("export_kpi_objective_value")


def mode_text(result: Result, t: Translator) -> str:
    """What the plan optimises, in words."""
    s = result.settings
    mode = (
        t("export_mode_min_cost", share=num(s.target_value_share, ".0%", t.lang))
        if s.objective == "min_cost"
        else t("export_mode_max_value")
    )
    units = t("export_mode_whole" if s.integer_units else "export_mode_fractions")
    return t("export_mode", mode=mode, units=units)


def objective_text(result: Result, t: Translator) -> str:
    """Which objective made the plan, with its parameters (optimizer/robust.py)."""
    ob = result.plan_objective
    if ob is None or ob.nominal:
        return t("export_objective_nominal")
    widen = t("export_objective_checklist") if ob.checklist else ""
    if ob.widen:
        widen += t("export_objective_widened", clients=[c for c, _ in ob.widen])
    if ob.kind == "robust":
        scope = t("export_objective_per_client") if ob.per_client else ""
        return t("export_objective_robust", protect=ob.protect, scope=scope, widen=widen)
    if ob.kind == "cvar":
        return t("export_objective_cvar", alpha=ob.alpha, draws=ob.draws, seed=ob.seed, widen=widen)
    return t("export_objective_expected", draws=ob.draws, seed=ob.seed, widen=widen)


def kpis(problem: Problem, result: Result, t: Translator) -> list[Row]:
    """The headline figures; kind picks the number format."""
    a = result.allocation
    cl = result.clients
    reached = cl[VALUE] > VALUE_NOISE
    attainable = cl[ATTAINABLE].sum()
    rows: list[Row] = [
        (
            objective_label(result, t),
            result.objective,
            "money" if result.settings.objective == "min_cost" else "value",
        ),
        (t("export_kpi_total_value"), float(a[VALUE].sum()), "value"),
        (t("export_kpi_money", currency=currency(problem)), result.money_spent, "money"),
        (t("export_kpi_funded_cells"), int(funded(a[UNITS].to_numpy()).sum()), "int"),
        (t("export_kpi_offered_cells"), len(a), "int"),
        (t("export_kpi_reached"), int(reached.sum()), "int"),
        (t("export_kpi_clients"), len(cl), "int"),
        (
            t("export_kpi_share"),
            float(a[VALUE].sum() / attainable) if attainable > 0 else None,
            "share",
        ),
    ]
    if result.settings.objective == "min_cost":  # else the objective is this figure
        rows.insert(2, (t("export_kpi_weighted_value"), float(a[WEIGHTED_VALUE].sum()), "value"))
    if result.lp_objective is not None:
        rows.append((t("export_kpi_bound"), result.lp_objective, "value"))
    if result.target_value is not None:
        rows.append((t("export_kpi_target"), result.target_value, "value"))
    ob = result.plan_objective
    if result.protected_value is not None:
        rows.append((t("export_kpi_protected"), result.protected_value, "value"))
    if result.cvar_value is not None and ob is not None:
        rows.append((t("export_kpi_cvar", alpha=ob.alpha), result.cvar_value, "value"))
    if result.expected_value is not None:
        rows.append((t("export_kpi_expected"), result.expected_value, "value"))
    return rows


def header_rows(result: Result, meta: ExportMeta, t: Translator) -> list[Row]:
    """What every whole-plan file says about itself: scenario, time, status, solver..."""
    s = result.settings
    gap = (
        result.gap
        if result.gap is not None
        else t("export_gap_na")
        if not s.integer_units
        else t("export_unknown")
    )
    return [
        (t("report_scenario"), meta.scenario or t("export_unnamed"), "text"),
        (t("export_exported"), meta.when, "text"),
        (t("export_fingerprint"), result.fingerprint, "text"),
        (t("export_status"), status_text(result, t), "text"),
        (t("export_solver"), result.solver, "text"),
        (t("export_solve_time"), round(result.seconds, 3), "seconds"),
        (t("export_gap"), gap, "gap"),
        (t("export_plan_for"), mode_text(result, t), "text"),
        (t("export_objective"), objective_text(result, t), "text"),
        (t("export_currency"), s.currency, "text"),
    ]


def grid(problem: Problem, result: Result, column: str) -> pd.DataFrame:
    """Clients x methods of one allocation column; NaN where the method is not offered."""
    g = result.allocation[column].unstack(METHOD_ID)
    return g.reindex(index=problem.clients.index, columns=problem.methods.index)


def grid_rows(problem: Problem, g: pd.DataFrame) -> list[list[Any]]:
    """One row per client: id, name, segment, the grid's values, the row's total."""
    # Rows contiguous, so that each row's total is summed as that row alone would be.
    values = np.ascontiguousarray(g.to_numpy(dtype=float))
    totals = np.nansum(values, axis=1)
    cl = problem.clients
    return [
        [c, cl.at[c, NAME], cl.at[c, SEGMENT], *values[i].tolist(), float(totals[i])]
        for i, c in enumerate(g.index)
    ]


def unfunded_rows(problem: Problem, result: Result, t: Translator) -> list[list[Any]]:
    """Cells below their max units: ids, names, units, values needed, what blocks, why."""
    u = result.unfunded
    cids = u.index.get_level_values(CLIENT_ID)
    mids = u.index.get_level_values(METHOD_ID)
    return [
        [c, cn, m, mn, *rest]
        for c, cn, m, mn, *rest in zip(
            cids,
            problem.clients[NAME].reindex(cids),
            mids,
            problem.methods[NAME].reindex(mids),
            *(u[k].tolist() for k in (UNITS, MAX_UNITS, NEXT_UNIT, VALUE, NEEDED_VALUE)),
            blocked_texts(u, t),
            reason_texts(u, t),
        )
    ]
