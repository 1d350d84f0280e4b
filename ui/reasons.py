"""The engine's explanations in the page's language.

The engine writes its reasons (why a cell is not funded, why inputs conflict, what is wrong
with a table) in English. Here they are rebuilt from the structured fields (needed value,
blocking limits, conflict kind and ids) through the text catalogue, so Russian gets the same
content. No streamlit here.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from optimizer.model import build_cells
from optimizer.schema import (
    BLOCKED_BY,
    CAPACITY,
    MIN_VALUE_SHARE,
    NAME,
    NEEDED_VALUE,
    REASON,
    UNIT,
    VALUE,
    Conflict,
    Issue,
    Problem,
    Result,
)

from .text import Translator

TOL = 1e-6


# ---- not funded -----------------------------------------------------------------------------
_CAP_RE = re.compile(r"^(?P<client>.+)'s cap on (?P<pool>.+)$")
_METHOD_CAP_RE = re.compile(r"^the capacity of (?P<method>.+)$")


def limit_label(label: str, t: Translator) -> str:
    """One limit named by the engine (a pool name, "X's cap on Y", "the capacity of M")."""
    label = label.strip()
    if m := _CAP_RE.match(label):
        return t("limit_client_cap", client=m["client"], pool=m["pool"])
    if m := _METHOD_CAP_RE.match(label):
        return t("limit_method_cap", method=m["method"])
    return t("limit_pool", pool=label)


def limits_text(blocked_by: Any, t: Translator) -> str:
    """The engine's "A; B" list of binding limits, in the page's language."""
    text = "" if blocked_by is None or (isinstance(blocked_by, float) and math.isnan(blocked_by)) \
        else str(blocked_by)
    parts = [p for p in text.split("; ") if p.strip()]
    return t("list_sep").join(limit_label(p, t) for p in parts)


def unfunded_reason(row: pd.Series, t: Translator, min_cost: bool) -> str:
    """Why one cell is not (fully) funded. English keeps the engine's own sentence."""
    if t.lang == "en" and isinstance(row.get(REASON), str) and row[REASON]:
        return str(row[REASON])
    value = float(row[VALUE])
    needed = float(row[NEEDED_VALUE]) if pd.notna(row[NEEDED_VALUE]) else math.nan
    limits = limits_text(row.get(BLOCKED_BY), t)
    tail = t("reason_limited_by", limits=limits) if limits else ""
    if value <= 0:
        return t("reason_no_value")
    if math.isnan(needed):
        return t("reason_integer") + tail
    if needed - value > TOL:
        return t("reason_needs_value", needed=t.num(needed, 1), value=t.num(value, 1)) + tail
    if limits:
        return t("reason_margin_more", limits=limits)
    return t("reason_not_needed") if min_cost else t("reason_alternatives")


# ---- infeasible ------------------------------------------------------------------------------
def _forced_use(problem: Problem) -> tuple[pd.Series, pd.DataFrame, pd.Series]:
    """What the written commitments alone use: per pool, per client and pool, per method."""
    cells = build_cells(problem)
    use = cells.use * cells.committed[:, None]
    pools = problem.resources.index
    per_pool = pd.Series(use.sum(axis=0) if len(use) else np.zeros(len(pools)), index=pools)
    per_client = pd.DataFrame(0.0, index=problem.clients.index, columns=pools)
    per_method = pd.Series(0.0, index=problem.methods.index)
    if len(use):
        for k in range(len(pools)):
            per_client.iloc[:, k] = np.bincount(cells.client, weights=use[:, k],
                                                minlength=len(problem.clients))
        per_method[:] = np.bincount(cells.method, weights=cells.committed.astype(float),
                                    minlength=len(problem.methods))
    return per_pool, per_client, per_method


def conflict_texts(problem: Problem, result: Result, t: Translator) -> list[tuple[str, str]]:
    """(requirement, what to change) for each conflicting requirement of an infeasible plan."""
    res, met, cli = problem.resources, problem.methods, problem.clients
    per_pool, per_client, per_method = _forced_use(problem)
    out: list[tuple[str, str]] = []
    for c in result.conflicts:
        out.append((_conflict_text(c, problem, result, t, per_pool, per_client, per_method),
                    _conflict_fix(c, res, met, cli, t, per_pool, per_client, per_method)))
    return out


def _conflict_text(c: Conflict, problem: Problem, result: Result, t: Translator,
                   per_pool: pd.Series, per_client: pd.DataFrame, per_method: pd.Series) -> str:
    if t.lang == "en" and c.text:
        return c.text
    res, met, cli = problem.resources, problem.methods, problem.clients
    if c.kind == "pool" and c.resource_id in res.index:
        p = c.resource_id
        need = per_pool.get(p, 0.0)
        extra = t("conflict_need", need=t.num(need)) if need > TOL else ""
        return t("conflict_pool", pool=res.at[p, NAME], cap=t.num(res.at[p, CAPACITY]),
                 unit=res.at[p, UNIT]) + extra
    if c.kind == "client_cap" and c.client_id in cli.index and c.resource_id in res.index:
        p, k = c.resource_id, c.client_id
        cap = cli.at[k, f"max_{p}"]
        need = per_client.at[k, p]
        extra = t("conflict_need", need=t.num(need)) if need > TOL else ""
        return t("conflict_client_cap", client=cli.at[k, NAME], cap=t.num(cap),
                 unit=res.at[p, UNIT], pool=res.at[p, NAME]) + extra
    if c.kind == "method_cap" and c.method_id in met.index:
        m = c.method_id
        need = per_method.get(m, 0.0)
        extra = t("conflict_need", need=t.num(need)) if need > TOL else ""
        return t("conflict_method_cap", method=met.at[m, NAME], cap=t.num(met.at[m, CAPACITY]),
                 unit=met.at[m, UNIT] or t("units")) + extra
    if c.kind == "floor" and c.client_id in cli.index:
        return t("conflict_floor", client=cli.at[c.client_id, NAME],
                 share=t.pct(cli.at[c.client_id, MIN_VALUE_SHARE], 0))
    if c.kind == "target":
        return t("conflict_target", target=t.num(result.target_value or 0.0))
    if c.kind == "commitment" and c.client_id in cli.index and c.method_id in met.index:
        n = problem.values.at[(c.client_id, c.method_id), "committed_units"] \
            if (c.client_id, c.method_id) in problem.values.index else 0
        return t("conflict_commitment", n=t.num(float(n), 0), unit=met.at[c.method_id, UNIT],
                 method=met.at[c.method_id, NAME], client=cli.at[c.client_id, NAME])
    if c.kind == "cell_max" and c.client_id in cli.index:
        return t("conflict_cell_max", client=cli.at[c.client_id, NAME])
    return c.text


def _conflict_fix(c: Conflict, res: pd.DataFrame, met: pd.DataFrame, cli: pd.DataFrame,
                  t: Translator, per_pool: pd.Series, per_client: pd.DataFrame,
                  per_method: pd.Series) -> str:
    if c.kind == "pool" and c.resource_id in res.index:
        need = per_pool.get(c.resource_id, 0.0)
        if need > float(res.at[c.resource_id, CAPACITY]) + TOL:
            return t("fix_pool_to", pool=res.at[c.resource_id, NAME], need=t.num(need),
                     unit=res.at[c.resource_id, UNIT])
        return t("fix_pool", pool=res.at[c.resource_id, NAME])
    if c.kind == "client_cap" and c.client_id in cli.index:
        return t("fix_client_cap", column=f"max_{c.resource_id}", client=cli.at[c.client_id, NAME])
    if c.kind == "method_cap" and c.method_id in met.index:
        return t("fix_method_cap", method=met.at[c.method_id, NAME])
    if c.kind == "floor" and c.client_id in cli.index:
        return t("fix_floor", client=cli.at[c.client_id, NAME])
    if c.kind == "target":
        return t("fix_target")
    if c.kind == "commitment" and c.client_id in cli.index and c.method_id in met.index:
        return t("fix_commitment", client=cli.at[c.client_id, NAME],
                 method=met.at[c.method_id, NAME])
    if c.kind == "cell_max" and c.client_id in cli.index:
        return t("fix_cell_max", client=cli.at[c.client_id, NAME])
    return ""


# ---- validation messages ---------------------------------------------------------------------
# Engine messages -> catalogue keys; named groups fill the translation.
_ISSUE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), k) for p, k in (
        (r"^is not a number$", "issue_not_number"),
        (r"^is not a usable number$", "issue_not_number"),
        (r"^.* is required but the cell is blank$", "issue_required"),
        (r"^must be at least (?P<x>\S+)$", "issue_at_least"),
        (r"^must be greater than (?P<x>\S+)$", "issue_greater"),
        (r"^must be at most (?P<x>\S+)$", "issue_at_most"),
        (r"^must be a whole number$", "issue_whole"),
        (r"^the id is blank$", "issue_id_blank"),
        (r"^ids may use only .*$", "issue_id_chars"),
        (r"^duplicate id \(first used on row (?P<row>\d+)\)$", "issue_duplicate"),
        (r"^this client id is not in the clients table$", "issue_unknown_client"),
        (r"^this method id is not in the methods table$", "issue_unknown_method"),
        (r"^this id is not in the (?P<table>\w+) table$", "issue_unknown_id"),
        (r"^this client and method pair is already on row (?P<row>\d+)$", "issue_pair_again"),
        (r"^the low estimate is above the value \((?P<v>[^)]+)\)$", "issue_low_above"),
        (r"^the high estimate is below the value \((?P<v>[^)]+)\)$", "issue_high_below"),
        (r"^more units are committed than the cell allows \(max_units (?P<n>[^)]+)\)$",
         "issue_committed_over"),
        (r"^units are committed but the value is blank.*$", "issue_committed_blank"),
        (r"^the column '(?P<c>[^']+)' is missing.*$", "issue_column_missing"),
        (r"^the column appears more than once$", "issue_column_twice"),
        (r"^the table has no rows.*$", "issue_no_rows"),
        (r"^the table is missing$", "issue_table_missing"),
        (r"^this column is not a pool in the resources table.*$", "issue_not_a_pool"),
        (r"^'(?P<c>[^']+)' names no pool of the resources table.*$", "issue_cap_no_pool"),
        (r"^must be yes, no or unknown$", "issue_yes_no"),
        (r"^is not a date.*$", "issue_not_date"),
        (r"^this column is not part of the checklist.*$", "issue_rel_column"),
        (r"^the column is missing, so every client's answer counts as unknown$",
         "issue_rel_missing"),
        (r"^is not a valid value for this setting$", "issue_bad_setting"),
    ))


def issue_message(issue: Issue, t: Translator) -> str:
    """An issue's message in the page's language (the engine's English when unmatched)."""
    if t.lang == "en":
        return issue.message
    for pattern, key in _ISSUE_PATTERNS:
        if m := pattern.match(issue.message):
            return t(key, **m.groupdict())
    return issue.message
