"""The Team tab (team mode only): what changed in the shared inputs since a saved scenario or a
date, with who made each change and how the plan changed; for a director, the members.

A planner sees only the changes of their clients' rows (and of the rows about no client), and
the plan's change for their clients; the tab never reads another client's rows into the session.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from optimizer.bundle import read_settings
from optimizer.errors import CodedError
from optimizer.export.xlsx import xlsx_bytes
from optimizer.schema import CLIENT_ID, CLIENTS, Problem
from optimizer.store import ScenarioStore
from optimizer.team import PLANNER, ROLES, Member, Team, may, member_changes, member_result
from optimizer.workspace import Change

from . import team
from .cache import cached_solve, validate
from .state import Context
from .text import Translator, md_text

SINCE_KIND_KEY = "team_since_kind"
SINCE_SCENARIO_KEY = "team_since_scenario"
SINCE_DATE_KEY = "team_since_date"


def render_team(ctx: Context) -> None:
    who = team.member()
    if who is None:
        return
    render_changes(ctx, who)
    if may(who, "manage_members"):
        st.divider()
        render_members(ctx, who)


def _whole_tables(who: Member) -> dict[str, pd.DataFrame] | None:
    """For a planner, the whole shared tables (on the server only): the other clients' ids and
    names, to blank wherever a change or a note names them."""
    if who.role != PLANNER:
        return None
    tables, _settings, _pin = team.shared_inputs(st.session_state.get(team.PIN_KEY))
    return tables


# ---- what changed -----------------------------------------------------------------------------
def changes_frame(changes: list[Change], t: Translator) -> pd.DataFrame:
    """The change list as the page shows it (newest first)."""
    frame = pd.DataFrame(
        {
            t("team_col_at"): [c.at[:19].replace("T", " ") for c in changes],
            t("team_col_who"): [c.who for c in changes],
            t("team_col_table"): [c.table or t("team_import") for c in changes],
            t("team_col_row"): [c.key for c in changes],
            t("team_col_column"): [c.column for c in changes],
            t("team_col_old"): [c.old if c.old is not None else "" for c in changes],
            t("team_col_new"): [c.new if c.new is not None else "" for c in changes],
        }
    )
    return frame.iloc[::-1].reset_index(drop=True)


def render_changes(ctx: Context, who: Member) -> None:
    t = ctx.t
    st.subheader(t("team_changes_title"))
    ws = team.workspace()
    try:
        names = [s.name for s in ScenarioStore(ws.db).list()]
    except CodedError:
        names = []
    kinds = ["scenario", "date"] if names else ["date"]
    c1, c2 = st.columns([1, 2])
    kind = c1.radio(
        t("team_since"), kinds, format_func=lambda k: t(f"team_since_{k}"), key=SINCE_KIND_KEY
    )
    since: str | dt.date
    if kind == "scenario":
        since = str(c2.selectbox(t("team_since_scenario"), names, key=SINCE_SCENARIO_KEY))
    else:
        since = c2.date_input(
            t("team_since_date"), value=dt.date.today() - dt.timedelta(days=7), key=SINCE_DATE_KEY
        )
    try:
        changes = ws.changes(since)
    except CodedError as exc:
        st.error(t.md("team_db_error", error=exc.text(t.lang)))
        return
    shown = member_changes(changes, who, _whole_tables(who))
    if not shown:
        st.info(t("team_no_changes"))
    else:
        st.caption(
            t("team_changes_count", n=len(shown), who=", ".join(sorted({c.who for c in shown})))
        )
        st.dataframe(changes_frame(shown, t), hide_index=True, width="stretch")
    if ctx.problem is not None and ctx.result is not None:
        st.download_button(
            t("team_download_changes"),
            data=xlsx_bytes(ctx.problem, ctx.result, lang=t.lang, changes=shown, since=str(since)),
            file_name=f"plan-changes-since-{since}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="team_download_changes",
        )
    if kind == "scenario":
        render_plan_change(ctx, who, str(since))
    elif isinstance(since, dt.date):
        render_plan_change(ctx, who, since)


def _inputs_at(day: dt.date) -> Problem | None:
    """The whole shared inputs as they were at the start of `day` (the change log's later
    changes undone), validated; None when they had errors. Server side only."""
    tables, raw = team.workspace().tables_at(day)
    settings, _ = read_settings(raw)
    problem, _issues = validate(tables, settings)
    return problem


def render_plan_change(ctx: Context, who: Member, since: str | dt.date) -> None:
    """The plan's change since a saved scenario (its saved inputs) or a date (the shared
    inputs as they were then): the total and each client's weighted value."""
    t = ctx.t
    if ctx.result is None or not ctx.result.has_plan:
        return
    try:
        if isinstance(since, dt.date):
            problem = _inputs_at(since)
            if problem is None:
                st.caption(t.md("team_plan_then_invalid", date=since.isoformat()))
                return
        else:
            problem, _ = ScenarioStore(team.workspace().db).load(since)
    except CodedError as exc:
        if exc.code == "ws_empty_at":  # no plan yet at that date: nothing to compare with
            st.caption(md_text(exc.text(t.lang)))
        else:
            st.error(t.md("team_db_error", error=exc.text(t.lang)))
        return
    before = member_result(cached_solve(problem), who, _whole_tables(who))
    if not before.has_plan:
        return
    after = ctx.result
    if isinstance(since, dt.date):
        st.markdown(t.md("team_plan_change_since_date", date=since.isoformat()))
    else:
        st.markdown(t.md("team_plan_change_title", name=since))
    st.metric(
        t("team_plan_total"),
        t.num(after.objective or 0.0, 1),
        delta=t.num((after.objective or 0.0) - (before.objective or 0.0), 1),
    )
    old = before.clients["weighted_value"].rename("old")
    new = after.clients["weighted_value"].rename("new")
    both = pd.concat([old, new], axis=1).fillna(0.0)
    both["delta"] = both["new"] - both["old"]
    moved = both[both["delta"].abs() > 0].sort_values("delta")
    if moved.empty:
        st.caption(t("team_plan_same"))
        return
    names = ctx.tables[CLIENTS].set_index(CLIENT_ID)["name"] if CLIENTS in ctx.tables else None
    st.dataframe(
        pd.DataFrame(
            {
                t("team_col_client"): [
                    str(names.get(c, c)) if names is not None else c for c in moved.index
                ],
                t("team_col_before"): moved["old"].round(1).to_numpy(),
                t("team_col_after"): moved["new"].round(1).to_numpy(),
                t("team_col_delta"): moved["delta"].round(1).to_numpy(),
            }
        ),
        hide_index=True,
        width="stretch",
    )


# ---- members (a director's) -------------------------------------------------------------------
def render_members(ctx: Context, who: Member) -> None:
    t = ctx.t
    st.subheader(t("team_members_title"))
    db_team = Team(team.workspace().db)
    try:
        people = db_team.list()
    except CodedError as exc:
        st.error(t.md("team_db_error", error=exc.text(t.lang)))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("team_col_email"): [m.email for m in people],
                t("team_col_role"): [t(f"team_role_{m.role}") for m in people],
                t("team_col_clients"): [", ".join(m.clients) for m in people],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    clients = ctx.tables.get(CLIENTS)
    ids = [] if clients is None else clients[CLIENT_ID].astype(str).tolist()
    with st.form("team_member_form"):
        email = st.text_input(t("team_col_email"), key="team_add_email")
        role = st.selectbox(
            t("team_col_role"),
            ROLES,
            format_func=lambda r: t(f"team_role_{r}"),
            key="team_add_role",
        )
        chosen = st.multiselect(t("team_col_clients"), ids, key="team_add_clients")
        if st.form_submit_button(t("team_member_save")):
            try:
                m, new = db_team.add(email, role, chosen, by=who.email)
                st.success(
                    t.md("team_member_saved" if not new else "team_member_added", email=m.email)
                )
            except CodedError as exc:
                st.error(t.md("team_db_error", error=exc.text(t.lang)))
    others = [m.email for m in people if m.email != who.email]
    if others:
        c1, c2 = st.columns([3, 1])
        gone = c1.selectbox(t("team_member_remove_who"), others, key="team_remove_email")
        if c2.button(t("team_member_remove"), key="team_remove"):
            try:
                db_team.remove(str(gone))
                st.success(t.md("team_member_removed", email=str(gone)))
            except CodedError as exc:
                st.error(t.md("team_db_error", error=exc.text(t.lang)))
