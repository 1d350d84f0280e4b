"""The Relationship tab: the key-account checklist of DOMAIN.md (Table 6.4) for every client,
editable, with readiness, the reviews that are due, commitments not confirmed in writing, and
how the checklist widens the robustness analysis.

The checklist's blocks other tabs show (beside a client's plan, the Plan tab's warnings) are in
`ui.widgets`. The rules live in `optimizer.relationship`; this module only draws them.
"""

from __future__ import annotations

import hashlib
import math
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from optimizer import relationship as rel
from optimizer.analysis import AnalysisError, NoPlanError, robustness
from optimizer.messages.describe import id_key
from optimizer.schema import (
    BASE_COLUMNS,
    CHECKLIST_ITEMS,
    CLIENT_ID,
    CLIENTS,
    LAST_REVIEW,
    NAME,
    OPEN_PROBLEMS,
    RELATIONSHIP,
    Issue,
    Problem,
)

from . import edits, state
from .lists import collapsed_lines
from .state import Context
from .text import Translator
from .widgets import answer_text, date_text, render_issues, unconfirmed_lines

STALE_DAYS_KEY = "rel_stale_days"  # the number input: a review older than this is due
AS_OF_KEY = "rel_as_of"  # the date input reviews are aged against (default today)
DRAWS_KEY = "rel_draws"  # draws of the robustness comparison
ROBUST_KEY = "_rel_robustness"  # (cache key, rows) of the last robustness comparison
ROBUST_SEED = 0
DEFAULT_DRAWS = 100
WIDEN_NAMES = 20  # widened clients named before the rest are counted


# ---- the text table behind the editor ------------------------------------------------------
def complete_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The relationship text table with every checklist column present (blank = unknown), so
    the editor offers each item even when the uploaded file left some out."""
    missing = [c for c in BASE_COLUMNS[RELATIONSHIP] if c not in frame.columns]
    if not missing:
        return frame
    out = frame.copy()
    for c in missing:
        out[c] = ""
    return out.astype(object)


def missing_clients(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Client ids of the clients table without a row in the relationship table."""
    have = set(edits.ids(tables.get(RELATIONSHIP), CLIENT_ID))
    return [c for c in edits.ids(tables.get(CLIENTS), CLIENT_ID) if c not in have]


def with_rows_for(
    tables: dict[str, pd.DataFrame], client_ids: list[str]
) -> dict[str, pd.DataFrame]:
    """The tables with a row (every answer unknown) added to the checklist for each client id;
    a checklist is started when the inputs have none."""
    out = dict(tables)
    blank = rel.blank_table(client_ids)
    current = tables.get(RELATIONSHIP)
    if current is None:
        out[RELATIONSHIP] = blank
    else:
        cur = complete_table(current)
        out[RELATIONSHIP] = pd.concat(
            [cur, blank.reindex(columns=cur.columns, fill_value="")], ignore_index=True
        ).astype(object)
    return out


def _content_tag(frame: pd.DataFrame) -> str:
    """A short hash of the table: the editor remounts whenever the table changes, whichever
    tab changed it (a client renamed in the Inputs tab renames its checklist row too)."""
    return hashlib.sha256(frame.to_csv(index=False).encode("utf-8")).hexdigest()[:10]


def _editor_key(frame: pd.DataFrame) -> str:
    return f"editor::{RELATIONSHIP}::{state.editor_version(RELATIONSHIP)}::{_content_tag(frame)}"


# ---- callbacks -----------------------------------------------------------------------------
def _on_edit(key: str) -> None:
    tables = dict(state.current_tables())
    tables[RELATIONSHIP] = complete_table(tables[RELATIONSHIP])
    tables = edits.edit_table(tables, RELATIONSHIP, st.session_state.get(key))
    st.session_state[state.TABLES_KEY] = tables
    state.bump_editor(RELATIONSHIP)


def _on_add(client_ids: list[str]) -> None:
    st.session_state[state.TABLES_KEY] = with_rows_for(state.current_tables(), client_ids)
    state.bump_editor(RELATIONSHIP)


# ---- formatting ----------------------------------------------------------------------------
def _names(problem: Problem, ids: Any) -> list[str]:
    return [str(problem.clients.at[c, NAME]) if c in problem.clients.index else str(c) for c in ids]


def readiness_table(cl: rel.Checklist, t: Translator) -> pd.DataFrame:
    """One row per client: readiness (percent), yes answers, open problems, last review, days
    since, range widening and unconfirmed units, labelled in the page's language."""
    c = cl.clients
    return pd.DataFrame(
        {
            t("col_client"): c[NAME].to_numpy(),
            t("rel_col_readiness"): (c[rel.READINESS] * 100).to_numpy(dtype=float),
            t("rel_col_yes"): [
                t("x_of_y", x=int(y), y=len(CHECKLIST_ITEMS))
                if a
                else answer_text(rel.NOT_ASSESSED, t)
                for y, a in zip(c[rel.YES_COUNT], c[rel.ASSESSED])
            ],
            t("rel_col_open"): c[OPEN_PROBLEMS].to_numpy(),
            t("rel_col_last_review"): [date_text(v) for v in c[LAST_REVIEW]],
            t("rel_col_days"): c[rel.DAYS_SINCE].to_numpy(dtype=float),
            t("rel_col_widen"): [
                t("rel_widen_x", f=t.num(float(f), 1)) if f > 1 else "–" for f in c[rel.WIDEN]
            ],
            t("rel_col_unconfirmed"): c[rel.UNCONFIRMED_UNITS].to_numpy(dtype=float),
        }
    )


def stale_table(cl: rel.Checklist, t: Translator) -> pd.DataFrame:
    s = cl.stale
    reason = {
        rel.STALE_OLD: "rel_reason_older",
        rel.STALE_MISSING: "rel_reason_no_date",
        rel.STALE_NOT_ASSESSED: "rel_reason_not_assessed",
    }
    return pd.DataFrame(
        {
            t("col_client"): s[NAME].to_numpy(),
            t("rel_col_last_review"): [date_text(v) for v in s[LAST_REVIEW]],
            t("rel_col_days"): s[rel.DAYS_SINCE].to_numpy(dtype=float),
            t("rel_col_reason"): [
                t(reason.get(r, "rel_reason_older"), days=cl.stale_days)
                for r in s[rel.STALE_REASON]
            ],
        }
    )


# ---- the tab -------------------------------------------------------------------------------
def _problem_shown(ctx: Context) -> Problem | None:
    if ctx.problem is not None:
        return ctx.problem
    return ctx.last_valid.problem if ctx.last_valid is not None else None


def _render_editor(ctx: Context) -> None:
    t = ctx.t
    frame = complete_table(ctx.tables[RELATIONSHIP])
    cfg: dict[str, Any] = {
        edits.ROW_COL: st.column_config.NumberColumn(
            t("col_row"), disabled=True, help=t("col_row_help"), width="small"
        ),
        CLIENT_ID: st.column_config.TextColumn(t("colname::client_id"), help=t("rel_help_client")),
    }
    for item in CHECKLIST_ITEMS:
        # Stored as yes/no/unknown (the file's words); shown in the page's language.
        cfg[item] = st.column_config.SelectboxColumn(
            t("rel_item_" + item),
            options=list(rel.ANSWERS),
            format_func=lambda a: answer_text(str(a), t),
            help=t("rel_help_answer"),
        )
    cfg[OPEN_PROBLEMS] = st.column_config.TextColumn(
        t("rel_col_open"), width="large", help=t("rel_help_open")
    )
    cfg[LAST_REVIEW] = st.column_config.TextColumn(
        t("rel_col_last_review"), help=t("rel_help_review")
    )
    key = _editor_key(frame)
    st.data_editor(
        edits.with_row_numbers(frame),
        key=key,
        num_rows="dynamic",
        hide_index=True,
        column_config=cfg,
        disabled=ctx.read_only,
        on_change=_on_edit,
        args=(key,),
    )


def _column_text(column: str | None, t: Translator) -> str:
    """A checklist column as the editor labels it."""
    if not column:
        return ""
    for key in (f"rel_item_{column}", f"colname::{column}"):
        if t.has(key):
            return t(key)
    return {OPEN_PROBLEMS: t("rel_col_open"), LAST_REVIEW: t("rel_col_last_review")}.get(
        column, column
    )


def _issues_frame(issues: list[Issue], t: Translator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col_row"): ["" if i.row is None else str(i.row) for i in issues],
            t("col_key"): [id_key(i.ids, t) for i in issues],
            t("col_column"): [_column_text(i.column, t) for i in issues],
            t("col_bad_value"): ["" if i.value is None else i.value for i in issues],
            t("col_problem"): [t.render(i.msg) for i in issues],
        }
    )


def _render_issues(ctx: Context) -> None:
    t = ctx.t
    mine = [i for i in ctx.issues if i.table == RELATIONSHIP]
    errors = [i for i in mine if i.severity == "error"]
    if errors:
        st.error(t("rel_errors", n=len(errors)))
    if mine:
        render_issues(mine, t, "rel_issues", _issues_frame)
    elif ctx.errors:
        st.warning(t("rel_other_errors", n=len(ctx.errors)))


def _render_readiness(cl: rel.Checklist, t: Translator) -> None:
    st.subheader(t("rel_readiness_title"))
    st.caption(t("rel_readiness_caption"))
    st.dataframe(
        readiness_table(cl, t),
        hide_index=True,
        key="rel_readiness",
        column_config={
            t("rel_col_readiness"): st.column_config.ProgressColumn(
                t("rel_col_readiness"), min_value=0, max_value=100, format="%.0f%%"
            ),
            t("rel_col_days"): st.column_config.NumberColumn(format="%d"),
            t("rel_col_unconfirmed"): st.column_config.NumberColumn(format="%g"),
            t("rel_col_open"): st.column_config.TextColumn(width="large"),
        },
    )


def _render_stale(problem: Problem, t: Translator) -> None:
    ss = st.session_state
    st.subheader(t("rel_stale_title"))
    if STALE_DAYS_KEY not in ss:
        ss[STALE_DAYS_KEY] = rel.DEFAULT_STALE_DAYS
    if AS_OF_KEY not in ss:
        ss[AS_OF_KEY] = date.today()
    left, right = st.columns(2)
    left.number_input(
        t("rel_stale_days"),
        min_value=0,
        max_value=3650,
        step=1,
        key=STALE_DAYS_KEY,
        help=t("rel_stale_days_help"),
    )
    right.date_input(t("rel_as_of"), key=AS_OF_KEY, help=t("rel_as_of_help"))
    cl = rel.checklist(problem, ss[AS_OF_KEY], int(ss[STALE_DAYS_KEY]))
    total = len(cl.clients)
    if cl.stale.empty:
        st.success(t("rel_stale_none", days=cl.stale_days))
    else:
        st.warning(t("rel_stale_summary", n=len(cl.stale), total=total, days=cl.stale_days))
        st.dataframe(
            stale_table(cl, t),
            hide_index=True,
            key="rel_stale",
            column_config={t("rel_col_days"): st.column_config.NumberColumn(format="%d")},
        )


def _render_unconfirmed(problem: Problem, t: Translator) -> None:
    st.subheader(t("rel_unconfirmed_title"))
    lines = unconfirmed_lines(problem, t.md)
    if lines:
        # Hundreds of commitments: the first few, the rest behind their count.
        collapsed_lines(lines, t("rel_plan_unconfirmed", n=len(lines)), t, key="rel_unconf_all")
        st.caption(t("rel_unconfirmed_caption"))
    else:
        st.success(t("rel_unconfirmed_none"))


def robustness_rows(
    problem: Problem, draws: int, seed: int = ROBUST_SEED, progress: Any = None
) -> list[dict[str, Any]]:
    """The spread of the best total value and the nominal plan's regret, with the checklist's
    widening and without it (same draws' seed), as two rows."""
    rows = []
    runs: tuple[tuple[str, dict[str, float]], ...] = (
        ("with", rel.widening_factors(problem)),
        ("without", {}),
    )
    for i, (label, widen) in enumerate(runs):

        def tick(f: float, i: int = i) -> None:
            if progress is not None:
                progress((i + f) / len(runs))

        rb = robustness(problem, draws, seed, widen=widen, progress=tick)
        s = rb.summary()
        o = s["objective"]
        rows.append(
            {
                "run": label,
                "widened": sum(1 for f in widen.values() if f > 1),
                "p5": o["p5"],
                "p50": o["p50"],
                "p95": o["p95"],
                "spread": (o["p95"] - o["p5"]) if o["p95"] is not None else None,
                "regret": s["regret"]["mean"],
                "relative_regret": s["regret"]["relative_mean"],
            }
        )
    return rows


def _render_widening(ctx: Context, problem: Problem) -> None:
    t, ss = ctx.t, st.session_state
    st.subheader(t("rel_widen_title"))
    st.caption(t("rel_widen_caption", f=t.num(rel.WIDEN_FACTOR, 1)))
    widen = rel.widening_factors(problem)
    if widen:
        names = _names(problem, list(widen)[:WIDEN_NAMES])
        if len(widen) > WIDEN_NAMES:  # a thousand names would fill the page
            names.append(t("list_more", n=t.num(len(widen) - WIDEN_NAMES, 0)))
        st.markdown(t.md("rel_widen_clients", n=len(widen), names=names))
    else:
        st.markdown(t("rel_widen_none"))
    if ctx.problem is None or ctx.result is None or not ctx.result.has_plan:
        st.info(t("rel_robust_no_plan"))
        return
    if DRAWS_KEY not in ss:
        ss[DRAWS_KEY] = DEFAULT_DRAWS
    left, right = st.columns([1, 2])
    draws = int(
        left.number_input(t("rel_draws"), min_value=10, max_value=2000, step=10, key=DRAWS_KEY)
    )
    # The fingerprint leaves the checklist out (it does not change the plan), so the cache
    # key names the widening too.
    cache_key = (problem.fingerprint(), tuple(sorted(widen.items())), draws, ROBUST_SEED)
    if right.button(t("rel_run"), key="rel_run", help=t("rel_run_help")):
        bar = st.progress(0.0, text=t("rel_robust_running"))
        try:
            rows = robustness_rows(
                problem,
                draws,
                progress=lambda f: bar.progress(
                    min(max(f, 0.0), 1.0), text=t("rel_robust_running")
                ),
            )
        except (NoPlanError, AnalysisError) as exc:
            bar.empty()
            st.error(t.md.render(exc.msg))
            return
        bar.empty()
        ss[ROBUST_KEY] = (cache_key, rows)
    saved = ss.get(ROBUST_KEY)
    if saved is None or saved[0] != cache_key:
        return
    rows = saved[1]
    st.dataframe(
        pd.DataFrame(
            {
                t("rel_col_run"): [t(f"rel_robust_{r['run']}") for r in rows],
                t("rel_col_widened"): [r["widened"] for r in rows],
                t("rel_col_p5"): [r["p5"] for r in rows],
                t("rel_col_p50"): [r["p50"] for r in rows],
                t("rel_col_p95"): [r["p95"] for r in rows],
                t("rel_col_spread"): [r["spread"] for r in rows],
                t("rel_col_regret"): [r["regret"] for r in rows],
            }
        ).style.format(lambda v: t.num(v, 0) if isinstance(v, float) and math.isfinite(v) else v),
        hide_index=True,
        key="rel_robustness",
    )
    st.caption(t("rel_robust_caption", draws=draws, seed=ROBUST_SEED))


def render_relationship(ctx: Context) -> None:
    """The Relationship tab."""
    t = ctx.t
    st.subheader(t("rel_title"))
    st.caption(t("rel_intro"))
    if ctx.read_only:
        st.info(t("team_read_only"))
    if RELATIONSHIP not in ctx.tables:
        st.info(t("rel_none"))
        ids = edits.ids(ctx.tables.get(CLIENTS), CLIENT_ID)
        st.button(
            t("rel_start"),
            key="rel_start",
            on_click=_on_add,
            args=(ids,),
            disabled=not ids or ctx.read_only,
            type="primary",
        )
        return
    missing = missing_clients(ctx.tables)
    if missing:
        st.info(t.md("rel_missing_clients", n=len(missing), ids=", ".join(missing)))
        st.button(
            t("rel_add_missing", n=len(missing)),
            key="rel_add_missing",
            on_click=_on_add,
            args=(missing,),
            disabled=ctx.read_only,
        )
    _render_issues(ctx)
    _render_editor(ctx)
    problem = _problem_shown(ctx)
    if problem is None:
        return
    if ctx.problem is None:
        st.warning(t("rel_stale_figures"))
    if problem.relationship is None:
        return
    _render_stale(problem, t)
    ss = st.session_state
    cl = rel.checklist(problem, ss[AS_OF_KEY], int(ss[STALE_DAYS_KEY]))
    _render_readiness(cl, t)
    _render_unconfirmed(problem, t)
    _render_widening(ctx, problem)


__all__ = ["render_relationship"]
