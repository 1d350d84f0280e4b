"""Team mode of the page: sign-in (Streamlit's OpenID Connect), the signed-in member, and the
shared working plan as that member may see it.

Team mode is on when sign-in is configured (an `[auth]` section in the secrets file) and
`RISK_PLANNER_DB` names the team's database; otherwise the page is the single-user page.

What a session holds is only what its member may see: the tables come from
`optimizer.team.member_inputs`, a planner's plan from `member_result` over the solve of the
whole shared inputs. The whole inputs are read and solved on the server, in caches keyed by
their content (the whole tables' hash, the problem's fingerprint), and never put into a
session. A planner's own tables have a different content key from the whole plan's, so a
cache hit can only return frames computed from exactly the content that was asked for.

Edits: each run compares the session's tables with the ones last loaded from the working plan
(`optimizer.workspace.cell_edits`) and sends each changed cell as an edit carrying the value
its editor saw (`optimizer.team.edit_as`). A refused edit (someone changed the cell since) is
kept with the typed value, the current value and who set it, for the user to retry.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import streamlit as st

from optimizer.bundle import settings_dict
from optimizer.errors import CodedError
from optimizer.messages import Message
from optimizer.schema import ERROR, SETTINGS, Problem, Result, Settings
from optimizer.storage import Database, StoreError
from optimizer.team import PLANNER, Member, Team, edit_as, may, member_inputs
from optimizer.team import member_result as _member_result
from optimizer.workspace import SETTING_COLUMN, CellEdit, EditConflict, Workspace, cell_edits

from . import state
from .auth import MEMBER_KEY, team_db
from .cache import _LRU, cached_solve, validate
from .cells import as_text
from .text import Translator

SEEN_KEY = "_team_seen"  # the member's tables as last loaded from the working plan
SEEN_SETTINGS_KEY = "_team_seen_settings"  # setting -> its cell's JSON text, as last loaded
PIN_KEY = "_team_pin"  # id of the latest change when they were loaded
CONFLICTS_KEY = "_team_conflicts"  # refused edits: list of Refused
NOTICE_KEY = "_team_notice"  # what the last edits did: (key, params) for the page to say
RELOAD_KEY = "_team_reload"  # set by a button: load the latest shared inputs on the next run
DB_ERROR_KEY = "_team_db_error"  # the database's error of this run's start, to say on the page
SOURCE = "team"  # the inputs' source while they come from the working plan
# Refusals of one edit (the others, such as a server gone away, stop the whole sending).
_REFUSALS = frozenset({"team_denied", "ws_no_cell", "ws_key_column"})

# The whole shared inputs by (database, change id): read once per change for every session.
_SHARED = _LRU(16)


@dataclass(frozen=True)
class Refused:
    """An edit the working plan refused: the cell, what the editor saw and typed, and, for a
    conflict, the current value and who set it when; `code` names the reason."""

    table: str
    key: str
    column: str
    seen: str
    value: str
    code: str
    current: str = ""
    set_by: str = ""
    set_at: str = ""
    msg: Message | None = None  # what the working plan said, in the catalogue's words


def member() -> Member | None:
    """The signed-in member of this session (None on the single-user page)."""
    got = st.session_state.get(MEMBER_KEY)
    return got if isinstance(got, Member) else None


# ---- sign-in ----------------------------------------------------------------------------------
def gate(t: Translator) -> Member:
    """The signed-in member (team mode), else a sign-in page (or a "not a member" page) and
    nothing more of this run."""
    if not st.user.is_logged_in:
        st.title(t("page_title"))
        st.info(t("team_sign_in_intro"))
        st.button(t("team_sign_in"), on_click=st.login, type="primary")
        st.stop()
    email = str(st.user.get("email") or "")
    try:
        found = Team(Database(team_db())).find(email) if email else None
    except CodedError as exc:
        previous = member()
        if previous is not None and previous.email == email.strip().lower():
            # The database went away in the middle of a session: the page works on with what
            # it holds (edits stay in the session and are sent once it is back).
            return previous
        st.title(t("page_title"))
        st.error(t.md("team_db_error", error=exc.text(t.lang)))
        st.stop()
    if found is None:
        st.session_state.pop(MEMBER_KEY, None)
        st.title(t("page_title"))
        st.warning(t.md("team_not_member", email=email or "?"))
        st.button(t("team_sign_out"), on_click=st.logout)
        st.stop()
    previous = member()
    if previous is not None and previous != found:
        _forget_inputs()  # a changed role or client list: load what the member sees now
    st.session_state[MEMBER_KEY] = found
    return found


def _forget_inputs() -> None:
    """Drop every input the session holds, so the next load is the member's part afresh."""
    ss = st.session_state
    for key in (SEEN_KEY, PIN_KEY, state.TABLES_KEY, state.LAST_VALID_KEY, state.BASELINE_KEY):
        ss.pop(key, None)


def render_account(t: Translator, who: Member) -> None:
    """Who is signed in, with their role, and the sign-out button (in the sidebar)."""
    with st.sidebar:
        st.caption(t.md("team_signed_in", email=who.email, role=t(f"team_role_{who.role}")))
        st.button(t("team_sign_out"), on_click=st.logout, key="team_sign_out")


# ---- the shared inputs ------------------------------------------------------------------------
def workspace() -> Workspace:
    return Workspace(Database(team_db()))


def shared_inputs(pin: int | None = None) -> tuple[dict[str, pd.DataFrame], dict[str, Any], int]:
    """The whole shared inputs (text tables, settings) and the change id they are at: those of
    change `pin` while this server still holds them, else the current ones. Server side only:
    never put them into a session."""
    db = team_db()
    if pin is not None:
        hit = _SHARED.get((db, pin))
        if hit is not None:
            return hit[0], hit[1], pin
    ws = workspace()
    latest = ws.last_change()
    tables, settings = ws.tables()
    _SHARED.put((db, latest), (tables, settings))
    return tables, settings, latest


def load(who: Member) -> None:
    """Load the member's part of the shared inputs into the session (applied by
    `state.init_state` in this run)."""
    tables, settings, pin = shared_inputs()
    mine, my_settings = member_inputs(tables, settings, who)
    state.queue_inputs(mine, my_settings, (), source=SOURCE)
    ss = st.session_state
    ss[SEEN_KEY] = {t: as_text(f) for t, f in mine.items()}
    ss[SEEN_SETTINGS_KEY] = {k: json.dumps(v) for k, v in my_settings.items()}
    ss[PIN_KEY] = pin


def prepare(t: Translator, who: Member) -> None:
    """Start of a team run: send the session's edits, load the shared inputs when needed.
    A database that cannot be reached is said once, and the session keeps its edits."""
    ss = st.session_state
    try:
        if SEEN_KEY in ss and state.TABLES_KEY in ss:
            sent = send_edits(who)
            if sent:
                ss[RELOAD_KEY] = True
        if SEEN_KEY not in ss or ss.pop(RELOAD_KEY, False):
            load(who)
    except CodedError as exc:
        if state.TABLES_KEY not in ss:
            st.error(t.md("team_db_error", error=exc.text(t.lang)))
            st.stop()
        ss[DB_ERROR_KEY] = exc.msg  # said above the tabs, in their one place (render_status)


def settings_edits(who: Member) -> list[CellEdit]:
    """The sidebar's plan settings (whole units, goal, value target, currency) the director
    changed since the shared settings were last loaded, as edits of the settings table's
    cells: a director's only (the others' sidebar shows them read-only). A setting counts as
    changed only when its widget no longer shows the loaded value (a target of 0.855 shown as
    86 % is not sent back as 0.86) and its value differs (`0.9` and `0.90` are the same)."""
    ss = st.session_state
    seen: dict[str, str] = ss.get(SEEN_SETTINGS_KEY) or {}
    if not seen or not may(who, "edit_shared"):
        return []
    now = settings_dict(state.current_settings())
    out: list[CellEdit] = []
    for key, name in state.SETTING_WIDGETS.items():
        if name not in seen or name not in now or key not in ss:
            continue
        try:
            old = json.loads(seen[name]) if seen[name] else None
            shown = state.widget_value(key, old)
        except (ValueError, TypeError):
            old = shown = None
        if ss[key] != shown and old != now[name]:
            out.append(CellEdit(SETTINGS, name, SETTING_COLUMN, seen[name], json.dumps(now[name])))
    return out


def send_edits(who: Member) -> int:
    """Send every cell the session changed since the last load (the tables' cells and the
    sidebar's plan settings), each with the value its editor saw; remember the refused ones.
    The number of edits sent (landed or refused)."""
    ss = st.session_state
    edits, reshaped = cell_edits(ss[SEEN_KEY], ss[state.TABLES_KEY])
    edits = [*edits, *settings_edits(who)]
    if not edits and not reshaped:
        return 0
    ws = workspace()
    refused: list[Refused] = [r for r in ss.get(CONFLICTS_KEY, []) if isinstance(r, Refused)]
    saved = 0
    for e in edits:
        try:
            edit_as(ws, who, e.table, e.key, e.column, e.seen, e.value)
            saved += 1
            refused = [
                r for r in refused if (r.table, r.key, r.column) != (e.table, e.key, e.column)
            ]
        except EditConflict as exc:
            if exc.current == e.value:  # already there (sent before a connection broke)
                saved += 1
                continue
            refused.append(
                Refused(
                    e.table,
                    e.key,
                    e.column,
                    e.seen,
                    e.value,
                    exc.code,
                    exc.current,
                    exc.set_by,
                    exc.set_at,
                    exc.msg,
                )
            )
        except StoreError as exc:
            if exc.code not in _REFUSALS:
                raise  # the database went away: keep the edits in the session, say so
            refused.append(
                Refused(e.table, e.key, e.column, e.seen, e.value, exc.code, msg=exc.msg)
            )
    ss[CONFLICTS_KEY] = refused
    ss[NOTICE_KEY] = (saved, len(edits) - saved, tuple(reshaped))
    return len(edits) + len(reshaped)


def retry(index: int, box: str) -> None:
    """Send a refused edit again, the value in the text box `box`, over the value that is
    there now (a button's callback)."""
    ss = st.session_state
    value = str(ss.get(box, ""))
    refused = list(ss.get(CONFLICTS_KEY, []))
    who = member()
    if who is None or not 0 <= index < len(refused):
        return
    r = refused[index]
    try:
        edit_as(workspace(), who, r.table, r.key, r.column, r.current, value)
        refused.pop(index)
        ss[NOTICE_KEY] = (1, 0, ())
    except EditConflict as exc:
        refused[index] = replace(
            r,
            value=value,
            current=exc.current,
            set_by=exc.set_by,
            set_at=exc.set_at,
            seen=r.current,
            msg=exc.msg,
        )
    except CodedError as exc:
        refused[index] = replace(r, value=value, code=exc.code, msg=exc.msg)
    ss[CONFLICTS_KEY] = refused
    ss[RELOAD_KEY] = True


def discard(index: int) -> None:
    refused = list(st.session_state.get(CONFLICTS_KEY, []))
    if 0 <= index < len(refused):
        refused.pop(index)
    st.session_state[CONFLICTS_KEY] = refused


def request_reload() -> None:
    st.session_state[RELOAD_KEY] = True


# ---- the plan a member sees -------------------------------------------------------------------
def plan_solver(who: Member, settings: Settings) -> Callable[[Problem], Result] | None:
    """For a planner, the function giving the plan they see: the solve of the whole shared
    inputs (at the change the session loaded) cut to their clients; None for the roles that
    see everything (their session's own tables are the whole plan)."""
    if who.role != PLANNER:
        return None

    def no_plan(own: Problem, why: Message) -> Result:
        """No plan, saying why, and nothing about rows the planner cannot see."""
        mine = _member_result(cached_solve(own), who)
        return replace(
            mine,
            status=ERROR,
            status_text="",
            objective=None,
            notes=(why,),
            explanation=(),
            conflicts=(),
        )

    def solve_for(own: Problem) -> Result:
        try:
            tables, _settings, _pin = shared_inputs(st.session_state.get(PIN_KEY))
        except CodedError as exc:  # the database went away: said, no plan shown as one
            return no_plan(own, exc.msg)
        problem, _ = validate(tables, settings)
        if problem is None:  # errors in rows the planner cannot see
            return no_plan(own, Message("team_shared_invalid", {}))
        return _member_result(cached_solve(problem), who, tables)

    return solve_for


# ---- what the page says about the shared inputs -----------------------------------------------
def render_status(t: Translator, who: Member) -> None:
    """Above the tabs: what the last edits did, the refused ones with their typed values to
    retry, and whether the shared inputs changed since this page loaded them. All in one
    container, there on every run, so the tabs below keep their place on the page (a tab bar
    that moves is redrawn, and the open tab with it)."""
    with st.container():
        _render_status(t, who)


def _render_status(t: Translator, who: Member) -> None:
    ss = st.session_state
    failed = ss.pop(DB_ERROR_KEY, None)
    if failed is not None:
        st.error(t.md("team_db_error", error=failed))
    notice = ss.pop(NOTICE_KEY, None)
    if notice:
        saved, _refused, reshaped = notice
        if saved:
            st.success(t("team_saved", n=saved))
        for table in reshaped:
            st.warning(t.md("team_rows_fixed", table=table))
    for i, r in enumerate(list(ss.get(CONFLICTS_KEY, []))):
        _render_refused(t, i, r)
    _render_stale(t, who)


def _render_refused(t: Translator, index: int, r: Refused) -> None:
    if r.code == "ws_conflict":
        st.error(
            t.md(
                "team_conflict",
                table=r.table,
                key=r.key,
                column=r.column,
                set_by=r.set_by,
                current=r.current,
                seen=r.seen,
                value=r.value,
                set_at=r.set_at[:19],
            )
        )
        cols = st.columns([3, 2, 2])
        # Keyed by the cell and the refusal, so the box keeps what was typed until it is sent.
        box = f"team_retry_value::{r.table}::{r.key}::{r.column}::{r.set_at}"
        cols[0].text_input(t("team_your_value"), value=r.value, key=box)
        cols[1].button(t("team_retry"), key=f"team_retry::{box}", on_click=retry, args=(index, box))
        cols[2].button(
            t("team_discard"), key=f"team_discard::{index}", on_click=discard, args=(index,)
        )
    else:
        st.error(
            t.md(
                "team_refused",
                table=r.table,
                key=r.key,
                column=r.column,
                value=r.value,
                reason=r.msg if r.msg is not None else r.code,
            )
        )
        st.button(t("team_discard"), key=f"team_discard::{index}", on_click=discard, args=(index,))


def _render_stale(t: Translator, who: Member) -> None:
    from optimizer.team import member_changes

    ss = st.session_state
    pin = int(ss.get(PIN_KEY, 0))
    try:
        ws = workspace()
        if ws.last_change() <= pin:
            return
        newer = member_changes(ws.changes_after(pin), who)
    except CodedError as exc:
        st.warning(t.md("team_db_error", error=exc.text(t.lang)))
        return
    names = sorted({c.who for c in newer})
    if newer:
        st.info(t.md("team_stale", n=len(newer), who=", ".join(names)))
    else:
        st.info(t("team_stale_shared"))
    st.button(t("team_reload"), on_click=request_reload, key="team_reload")
