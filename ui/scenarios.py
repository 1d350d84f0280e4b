"""Scenarios tab: save the current inputs and plan under a name, list, load, rename,
duplicate, delete, and compare two scenarios (or one with the current plan) side by side.

The scenarios live in an SQLite file shown at the top of the tab. If that file cannot be used
(damaged, or not a scenario database) the tab says so and the rest of the dashboard works on.
"""

from __future__ import annotations

import io
import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from optimizer import analysis as an
from optimizer.bundle import settings_dict
from optimizer.schema import METHOD_ID, METHODS, NAME, Problem, Result
from optimizer.storage import DB_ENV, target_from
from optimizer.store import ScenarioStore, StoreError, db_path_from, default_db_path
from optimizer.team import may

from . import analysis_charts as charts
from . import state
from .auth import MEMBER_KEY
from .state import Context
from .text import Translator, md_text
from .widgets import render_diff

DB_KEY = "scenario_db"  # the box where another scenario file is typed (a widget)
# The typed file, kept for the whole session: Streamlit forgets a widget's value while its tab
# is closed, and a save after a tab switch must still go to the file the user chose.
DB_CHOSEN_KEY = "_scenario_db_chosen"
NAME_KEY = "scenario_name"
NOTES_KEY = "scenario_notes"
OVERWRITE_KEY = "scenario_overwrite"
PICK_KEY = "scenario_pick"
CMP_A_KEY = "scenario_cmp_a"
CMP_B_KEY = "scenario_cmp_b"
FLASH_KEY = "_scenario_flash"  # (kind, message) shown once after an action
CURRENT = "\u0000current"  # the compare list's entry for the plan on screen
# Shared with the Export tab, so notes travel with exports and saved scenarios alike.
EXPORT_NOTES_KEY = "export_notes"
EXPORT_CLIENT_NOTES_KEY = "export_client_notes"


# Where a page visitor may keep scenario files (the server's configuration, not the page's):
# $RISK_PLANNER_SCENARIO_DIR, else the folder of the default database. With
# $RISK_PLANNER_SCENARIO_BOX=off the page offers no other file than the default one.
SCENARIO_DIR_ENV = "RISK_PLANNER_SCENARIO_DIR"
SCENARIO_BOX_ENV = "RISK_PLANNER_SCENARIO_BOX"
_OFF = ("off", "0", "false", "no", "none")


def scenario_dir() -> Path:
    """The folder scenario files typed on the page must lie in (symlinks resolved)."""
    env = os.environ.get(SCENARIO_DIR_ENV, "").strip()
    folder = Path(env).expanduser() if env else default_db_path().parent
    return folder.resolve()


def box_enabled() -> bool:
    """Whether the page offers the "use another scenario file" box."""
    return os.environ.get(SCENARIO_BOX_ENV, "").strip().lower() not in _OFF


def allowed_db_path(typed: str) -> Path | None:
    """The file a visitor typed, if it lies inside `scenario_dir()` once `..` and symlinks are
    resolved (a relative name is taken inside the folder); None for anything else."""
    folder = scenario_dir()
    try:
        path = db_path_from(typed.strip())
        path = (path if path.is_absolute() else folder / path).resolve()
    except (StoreError, OSError, RuntimeError, ValueError):
        return None
    if path == folder or not path.is_relative_to(folder):
        return None
    return path


def _typed_db() -> str:
    if not box_enabled():
        return ""
    ss = st.session_state
    return str(ss.get(DB_CHOSEN_KEY, ss.get(DB_KEY)) or "").strip()


def _on_db_typed() -> None:
    st.session_state[DB_CHOSEN_KEY] = str(st.session_state.get(DB_KEY) or "").strip()


def db_path() -> str:
    """The scenario file in use: the one typed in the box if it is allowed, else the default
    (the command line's --db is not limited: its user owns the shell)."""
    typed = _typed_db()
    allowed = allowed_db_path(typed) if typed else None
    server = os.environ.get(DB_ENV, "").strip()  # a PostgreSQL URL: the team's database
    if allowed is None and "://" in server and not server.startswith("sqlite:"):
        return server
    return str(allowed or default_db_path())


def db_label() -> str:
    """What the page calls the database in use (a server's URL without its password)."""
    try:
        return target_from(db_path()).label
    except StoreError as exc:  # a kind of URL the planner does not take: named as refused
        return exc.path


def _flash(kind: str, message: str) -> None:
    st.session_state[FLASH_KEY] = (kind, message)


def _show_flash() -> None:
    got = st.session_state.pop(FLASH_KEY, None)
    if got:
        kind, message = got
        (st.success if kind == "ok" else st.error)(message)


def store_message(exc: StoreError, t: Translator) -> str:
    """A store error in the page's language, with what to do on this page where it helps
    (pass `t.md` for a Markdown element: the file name and scenario name are escaped)."""
    text = t.render(exc.msg)
    if exc.code == "exists":
        return text + t("sc_err_exists_hint")
    return text if text.endswith(".") else text + "."  # a sentence on the page


def tables_from_text(tables: dict[str, str]) -> dict[str, pd.DataFrame]:
    """A scenario's CSV texts as the dashboard's text tables."""
    return {
        name: pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        for name, text in tables.items()
    }


def method_names(tables: dict[str, str]) -> dict[str, str]:
    frame = (
        tables_from_text({METHODS: tables[METHODS]})[METHODS]
        if METHODS in tables
        else pd.DataFrame()
    )
    if METHOD_ID not in frame.columns:
        return {}
    names = frame[NAME] if NAME in frame.columns else frame[METHOD_ID]
    return dict(zip(frame[METHOD_ID], names.where(names != "", frame[METHOD_ID])))


# ---- actions (widget callbacks) -------------------------------------------------------------
def _save(problem: Problem, result: Result, t: Translator, client_notes: dict[str, str]) -> None:
    ss = st.session_state
    name = str(ss.get(NAME_KEY, "")).strip()
    try:
        ScenarioStore(db_path()).save(
            name,
            problem,
            result,
            notes=str(ss.get(NOTES_KEY, "")),
            client_notes=client_notes,
            overwrite=bool(ss.get(OVERWRITE_KEY, False)),
        )
    except StoreError as exc:
        _flash("error", t("sc_error", error=store_message(exc, t.md)))
        return
    ss[PICK_KEY] = name
    ss.pop(NAME_KEY, None)  # a fresh default name for the next save
    for key in (CMP_A_KEY, CMP_B_KEY):  # the comparison starts again from its defaults
        ss.pop(key, None)
    _flash("ok", t.md("sc_saved", name=name, path=db_label()))


def _load(name: str, t: Translator) -> None:
    try:
        sc = ScenarioStore(db_path()).get(name)
    except StoreError as exc:
        _flash("error", t("sc_error", error=store_message(exc, t.md)))
        return
    state.queue_inputs(tables_from_text(sc.tables), sc.settings, source=f"scenario {name}")
    ss = st.session_state
    ss[EXPORT_NOTES_KEY] = sc.info.notes
    ss[EXPORT_CLIENT_NOTES_KEY] = dict(sc.client_notes)
    for k in [k for k in ss if str(k).startswith(EXPORT_CLIENT_NOTES_KEY + "::")]:
        del ss[k]  # the Export tab's note boxes re-read the loaded notes
    ss[NOTES_KEY] = sc.info.notes
    _flash("ok", t.md("sc_loaded", name=name))


def _rename(old: str, t: Translator) -> None:
    new = str(st.session_state.get("scenario_new_name", "")).strip()
    try:
        ScenarioStore(db_path()).rename(old, new)
    except StoreError as exc:
        _flash("error", t("sc_error", error=store_message(exc, t.md)))
        return
    st.session_state[PICK_KEY] = new
    _flash("ok", t.md("sc_renamed", old=old, new=new))


def _duplicate(source: str, t: Translator) -> None:
    new = str(st.session_state.get("scenario_copy_name", "")).strip()
    try:
        ScenarioStore(db_path()).duplicate(source, new)
    except StoreError as exc:
        _flash("error", t("sc_error", error=store_message(exc, t.md)))
        return
    st.session_state[PICK_KEY] = new
    _flash("ok", t.md("sc_duplicated", old=source, new=new))


def _delete(name: str, t: Translator) -> None:
    if not st.session_state.get("scenario_confirm_delete"):
        _flash("error", t("sc_confirm_first"))
        return
    try:
        ScenarioStore(db_path()).delete(name)
    except StoreError as exc:
        _flash("error", t("sc_error", error=store_message(exc, t.md)))
        return
    st.session_state.pop(PICK_KEY, None)
    st.session_state["scenario_confirm_delete"] = False
    _flash("ok", t.md("sc_deleted", name=name))


# ---- sections -------------------------------------------------------------------------------
def render_save(ctx: Context) -> None:
    t = ctx.t
    st.subheader(t("sc_save_title"))
    if ctx.problem is None or ctx.result is None:
        st.info(t("sc_save_needs_inputs"))
        return
    ss = st.session_state
    if not ss.get(NAME_KEY):
        ss[NAME_KEY] = t("sc_default_name", when=datetime.now().strftime("%Y-%m-%d %H:%M"))
    c1, c2 = st.columns([1, 2])
    c1.text_input(t("sc_name"), key=NAME_KEY, max_chars=200)
    c1.checkbox(t("sc_overwrite"), key=OVERWRITE_KEY)
    if NOTES_KEY not in ss:
        ss[NOTES_KEY] = str(ss.get(EXPORT_NOTES_KEY, ""))
    c2.text_area(t("sc_notes"), key=NOTES_KEY, height=100, help=t("sc_notes_help"))
    shared: dict[str, str] = dict(ss.get(EXPORT_CLIENT_NOTES_KEY, {}))
    clients = ctx.problem.clients[NAME].astype(str)
    with st.expander(t("sc_client_notes", n=sum(1 for v in shared.values() if v.strip()))):
        frame = pd.DataFrame(
            {
                "client_id": clients.index,
                t("col_client"): clients.to_numpy(),
                t("sc_note"): [shared.get(c, "") for c in clients.index],
            }
        )
        edited = st.data_editor(
            frame,
            hide_index=True,
            width="stretch",
            disabled=["client_id", t("col_client")],
            column_config={"client_id": None},
            key="scenario_client_notes_editor",
        )
        notes = {
            str(c): str(n)
            for c, n in zip(edited["client_id"], edited[t("sc_note")])
            if isinstance(n, str) and n.strip()
        }
        if notes != {c: n for c, n in shared.items() if n.strip()}:
            ss[EXPORT_CLIENT_NOTES_KEY] = {**dict.fromkeys(shared, ""), **notes}
    st.button(
        t("sc_save"),
        type="primary",
        on_click=_save,
        args=(ctx.problem, ctx.result, t, notes),
        key="scenario_save",
    )
    st.caption(t.md("sc_saves_to", path=db_label()))


def _kpi_lines(summary: dict[str, Any], t: Translator) -> list[str]:
    k = summary.get("kpis", {}) or {}
    if not k:
        return [t.md("sc_no_plan", status=summary.get("status_text", summary.get("status", "")))]
    return [
        t.md(
            "sc_kpis",
            value=t.num(k.get("total_value"), 0),
            weighted=t.num(k.get("objective"), 0),
            money=t.num(k.get("money_spent"), 0),
            currency=summary.get("currency", ""),
            cells=k.get("funded_cells", 0),
        )
    ]


def render_list(ctx: Context, store: ScenarioStore, infos: list) -> None:
    t = ctx.t
    st.subheader(t("sc_list_title", n=len(infos)))
    if not infos:
        st.caption(t("sc_none"))
        return
    frame = pd.DataFrame(
        {
            t("sc_name"): [i.name for i in infos],
            t("sc_saved_at"): [i.saved_at[:19].replace("T", " ") + " UTC" for i in infos],
            t("sc_status"): [i.status for i in infos],
            t("kpi_weighted"): [i.objective for i in infos],
            t("sc_notes"): [i.notes for i in infos],
        }
    )
    st.dataframe(
        frame.style.format({t("kpi_weighted"): lambda v: "" if pd.isna(v) else t.num(v, 0)}),
        hide_index=True,
        width="stretch",
    )
    names = [i.name for i in infos]
    ss = st.session_state
    if ss.get(PICK_KEY) not in names:
        ss[PICK_KEY] = names[0]
    pick = st.selectbox(t("sc_pick"), names, key=PICK_KEY)
    try:
        sc = store.get(pick)
    except StoreError as exc:
        st.error(t("sc_error", error=store_message(exc, t.md)))
        return
    st.caption(
        t(
            "sc_detail",
            saved=sc.info.saved_at[:19].replace("T", " "),
            fingerprint=sc.info.fingerprint,
        )
    )
    for line in _kpi_lines(sc.summary, t):
        st.markdown(line)
    if sc.info.notes:
        st.markdown(f"> {md_text(sc.info.notes)}")
    if sc.client_notes:
        st.dataframe(
            pd.DataFrame(
                {
                    t("col_client"): list(sc.client_notes),
                    t("sc_note"): list(sc.client_notes.values()),
                }
            ),
            hide_index=True,
        )
    who = st.session_state.get(MEMBER_KEY)  # team mode: only a director changes scenarios
    if who is not None and not may(who, "save_scenario"):
        return
    a1, a2, a3, a4 = st.columns(4)
    a1.button(
        t("sc_load"), on_click=_load, args=(pick, t), key="scenario_load", help=t("sc_load_help")
    )
    a2.text_input(t("sc_new_name"), key="scenario_new_name", placeholder=pick)
    a2.button(t("sc_rename"), on_click=_rename, args=(pick, t), key="scenario_rename")
    a3.text_input(
        t("sc_copy_name"), key="scenario_copy_name", placeholder=t("sc_copy_default", name=pick)
    )
    a3.button(t("sc_duplicate"), on_click=_duplicate, args=(pick, t), key="scenario_duplicate")
    a4.checkbox(t.md("sc_confirm_delete", name=pick), key="scenario_confirm_delete")
    a4.button(t("sc_delete"), on_click=_delete, args=(pick, t), key="scenario_delete")


def _side(
    choice: str, ctx: Context, store: ScenarioStore
) -> tuple[str, dict[str, Any], dict[str, str], dict[str, Any]]:
    """(label, summary, tables as CSV text, settings) of one side of a comparison."""
    if choice == CURRENT:
        assert ctx.problem is not None and ctx.result is not None
        return (
            ctx.t("sc_current"),
            an.summarize(ctx.problem, ctx.result),
            an.bundle_text(ctx.problem),
            settings_dict(ctx.problem.settings),
        )
    sc = store.get(choice)
    return sc.name, sc.summary, sc.tables, sc.settings


def compare_defaults(options: list[str]) -> tuple[str, str]:
    """The comparison first shown: the two newest saved scenarios (older as A), which are the
    ones a user saves to compare; with a single saved scenario, it against the current plan.
    `options` is [CURRENT?, newest, ..., oldest]. Never the newest against the current plan
    while two saved ones exist: just after a save those two are the same plan."""
    saved = [o for o in options if o != CURRENT]
    if len(saved) >= 2:
        return saved[1], saved[0]
    return saved[0], CURRENT if CURRENT in options else saved[0]


def render_compare(ctx: Context, store: ScenarioStore, infos: list) -> None:
    t = ctx.t
    st.subheader(t("sc_compare_title"))
    options = [i.name for i in infos]
    if ctx.problem is not None and ctx.result is not None:
        options = [CURRENT, *options]
    if len(options) < 2:
        st.caption(t("sc_compare_needs_two"))
        return
    label = lambda o: t("sc_current") if o == CURRENT else o  # noqa: E731
    first, second = compare_defaults(options)
    c1, c2 = st.columns(2)
    a = c1.selectbox(
        t("sc_compare_a"),
        options,
        index=options.index(first),
        format_func=label,
        key=CMP_A_KEY,
    )
    b = c2.selectbox(
        t("sc_compare_b"),
        options,
        index=options.index(second),
        format_func=label,
        key=CMP_B_KEY,
    )
    if a == b:
        st.caption(t("sc_compare_same"))
        return
    try:
        la, sa, ta, xa = _side(a, ctx, store)
        lb, sb, tb, xb = _side(b, ctx, store)
    except StoreError as exc:
        st.error(t("sc_error", error=store_message(exc, t.md)))
        return
    if la == lb:
        lb = f"{lb} (2)"
    d = an.diff_summaries(sa, sb, ctx.quotes)
    d = replace(d, inputs=an.diff_inputs(ta, tb, xa, xb), names=(la, lb))
    clients = {
        **charts.names_from(sa, "clients", "client_id"),
        **charts.names_from(sb, "clients", "client_id"),
    }
    pools = {
        **charts.names_from(sa, "pools", "resource_id"),
        **charts.names_from(sb, "pools", "resource_id"),
    }
    methods = {**method_names(ta), **method_names(tb)}
    render_diff(d, t, clients, methods, pools, key="scenario_cmp")


def render_scenarios(ctx: Context) -> None:
    """The Scenarios tab."""
    t = ctx.t
    st.caption(t("sc_intro"))
    _show_flash()
    path = db_path()
    st.caption(t.md("sc_where", path=db_label()))
    if box_enabled():
        typed = _typed_db()
        st.session_state[DB_KEY] = typed  # the box shows the session's choice again
        with st.expander(t("sc_db_change"), expanded=bool(typed)):
            st.text_input(
                t("sc_db_path"),
                key=DB_KEY,
                on_change=_on_db_typed,
                placeholder=str(default_db_path()),
                help=t.md("sc_db_help_folder", folder=str(scenario_dir())),
            )
            st.caption(t.md("sc_dir_caption", folder=str(scenario_dir())))
        if typed and allowed_db_path(typed) is None:
            st.error(t.md("sc_dir_refused", folder=str(scenario_dir()), path=typed))
    store = ScenarioStore(path)
    try:
        infos = store.list()
    except StoreError as exc:
        st.error(t("sc_store_error", error=store_message(exc, t.md)))
        st.info(t("sc_store_off"))
        return
    who = st.session_state.get(MEMBER_KEY)  # team mode: the signed-in member
    if who is None or may(who, "save_scenario"):
        render_save(ctx)
    st.divider()
    render_list(ctx, store, infos)
    st.divider()
    render_compare(ctx, store, infos)
