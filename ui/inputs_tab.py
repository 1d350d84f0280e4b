"""The Inputs tab: validation status, upload and download of the bundle, reset to the sample,
and editors for every table (the value matrix as a client x method grid)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from optimizer import limits
from optimizer.bundle import read_uploaded, settings_dict, tables_to_xlsx_bytes, tables_to_zip_bytes
from optimizer.messages.describe import id_key, issue_line
from optimizer.schema import (
    CLIENTS,
    COMMITTED_UNITS,
    MAX_UNITS,
    METHODS,
    NAME,
    OVERRIDES,
    RESOURCES,
    VALUE,
    VALUE_HIGH,
    VALUE_LOW,
    VALUES,
    Issue,
)

from . import edits, state
from .cells import cell_text, typed_tables
from .state import Context
from .text import Translator, auto_decimals, md_text
from .widgets import render_issues

EDITED_TABLES: tuple[str, ...] = (RESOURCES, METHODS, CLIENTS, OVERRIDES)
DETAIL_FIELDS: tuple[str, ...] = (VALUE_LOW, VALUE_HIGH, COMMITTED_UNITS, MAX_UNITS)
DETAIL_KEY = "values_detail_field"  # the field shown in the second grid
CONFIRM_RESET_KEY = "_confirm_reset"
UPLOAD_VERSION_KEY = "_upload_version"
UPLOAD_MESSAGE_KEY = "_upload_message"
RANGE_MOVES_KEY = "_range_moves"  # the estimates the last value edit moved, to say so once
UPLOAD_LINES = 5  # problems of a refused upload quoted in its message
GRID_NAME_WIDTH = 220  # px of the grid's client column: long names readable, methods in view
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _editor_key(name: str) -> str:
    return f"editor::{name}::{state.editor_version(name)}"


# ---- callbacks: an edit lands in the tables, then the editor remounts on the new tables -----
def _commit(tables: dict[str, pd.DataFrame], touched: tuple[str, ...]) -> None:
    st.session_state[state.TABLES_KEY] = tables
    for name in touched:
        state.bump_editor(name)


def _on_table_edit(name: str, key: str) -> None:
    tables = edits.edit_table(state.current_tables(), name, st.session_state.get(key))
    _commit(tables, (*EDITED_TABLES, VALUES, "values_grid", "values_detail"))


def _with_ranges(before: dict[str, pd.DataFrame], tables: dict[str, pd.DataFrame]) -> None:
    """An edited value takes its low/high estimates along (see `edits.carry_ranges`)."""
    if VALUES in before and VALUES in tables:
        vals, moves = edits.carry_ranges(before[VALUES], tables[VALUES])
        tables[VALUES] = vals
        st.session_state[RANGE_MOVES_KEY] = moves


def _on_grid_edit(field: str, key: str) -> None:
    before = state.current_tables()
    tables = dict(edits.edit_grid(before, field, st.session_state.get(key)))
    if field == VALUE:
        _with_ranges(before, tables)
    _commit(tables, (VALUES, "values_grid", "values_detail"))


def _on_values_edit(key: str) -> None:
    before = state.current_tables()
    tables = dict(edits.edit_table(before, VALUES, st.session_state.get(key)))
    _with_ranges(before, tables)
    _commit(tables, (VALUES, "values_grid", "values_detail"))


def render_range_moves(ctx: Context) -> None:
    """Say once which estimates moved with an edited value, and to what."""
    moves: list[edits.RangeMove] = st.session_state.pop(RANGE_MOVES_KEY, None) or []
    if not moves:
        return
    t = ctx.t
    clients = ctx.tables.get(CLIENTS)
    methods = ctx.tables.get(METHODS)
    names: dict[str, str] = {}
    if clients is not None and NAME in clients.columns:
        names.update(zip(clients["client_id"].map(cell_text), clients[NAME].map(cell_text)))
    mnames: dict[str, str] = {}
    if methods is not None and NAME in methods.columns:
        mnames.update(zip(methods["method_id"].map(cell_text), methods[NAME].map(cell_text)))
    lines = [
        t.md(
            "range_moved_line",
            client=names.get(m.client_id) or m.client_id,
            method=mnames.get(m.method_id) or m.method_id,
            value=t.num(m.value, auto_decimals(m.value)),
            low="–" if m.low is None else t.num(m.low, auto_decimals(m.low)),
            high="–" if m.high is None else t.num(m.high, auto_decimals(m.high)),
        )
        for m in moves[:UPLOAD_LINES]
    ]
    more = len(moves) - len(lines)
    st.info(
        "\n".join(
            [t("range_moved", n=len(moves)), "", *(f"- {line}" for line in lines)]
            + ([t("range_moved_more", n=more)] if more > 0 else [])
        ),
        icon=":material/swap_vert:",
    )


def _ask_reset() -> None:
    st.session_state[CONFIRM_RESET_KEY] = True


def _cancel_reset() -> None:
    st.session_state.pop(CONFIRM_RESET_KEY, None)


def _do_reset() -> None:
    st.session_state.pop(CONFIRM_RESET_KEY, None)
    tables, raw, issues = state.sample_inputs()
    state.queue_inputs(tables, raw, issues, state.SAMPLE_SOURCE)


# ---- sections --------------------------------------------------------------------------------
def issues_frame(issues: tuple[Issue, ...] | list[Issue], t: Translator) -> pd.DataFrame:
    """Issues as a table: where (table, row, column), the value, and what is wrong."""
    pools = _pool_names(st.session_state.get(state.TABLES_KEY, {}))
    return pd.DataFrame(
        {
            t("col_table"): [table_name(i.table, t) for i in issues],
            t("col_row"): [("" if i.row is None else str(i.row)) for i in issues],
            t("col_key"): [id_key(i.ids, t) for i in issues],
            t("col_column"): [
                column_label(i.table, i.column, t, pools) if i.column else "" for i in issues
            ],
            t("col_bad_value"): [("" if i.value is None else i.value) for i in issues],
            t("col_problem"): [t.render(i.msg) for i in issues],
        }
    )


def render_validation(ctx: Context) -> None:
    t = ctx.t
    errors = ctx.errors
    warnings = [i for i in ctx.issues if i.severity != "error"]
    if errors:
        st.error(t("validation_errors", n=len(errors)))
        render_issues(list(errors), t, "table_issues", issues_frame)
    elif ctx.problem is not None:
        p = ctx.problem
        st.success(
            t(
                "inputs_valid",
                clients=len(p.clients),
                methods=len(p.methods),
                cells=len(p.values),
                pools=len(p.pools),
            )
        )
    if warnings:
        with st.expander(t("validation_warnings", n=len(warnings))):
            render_issues(warnings, t, "table_warnings", issues_frame)


def _read_upload(files: list[Any], t: Translator) -> None:
    """Uploaded tables replace the tables of the same name; the others are kept."""
    ss = st.session_state
    names = ", ".join(f.name for f in files)
    # Empty the uploader before reading: whatever the files hold, the next run starts clean.
    ss[UPLOAD_VERSION_KEY] = ss.get(UPLOAD_VERSION_KEY, 0) + 1
    try:
        with st.spinner(t.md("upload_reading", files=names)):
            uploaded, raw, issues = read_uploaded([(f.name, f.getvalue()) for f in files])
    except Exception as exc:  # a reader's bug must not leave a traceback on the page
        ss[UPLOAD_MESSAGE_KEY] = (
            "error",
            t.md("upload_failed", files=names, error=type(exc).__name__),
            [],
        )
        st.rerun()
    if not uploaded and not raw:
        ss[UPLOAD_MESSAGE_KEY] = ("error", t.md("upload_nothing", files=names), issues)
        st.rerun()
    complete = edits.is_complete_upload([f.name for f in files], uploaded)
    tables, issues, kept = edits.merge_upload(state.current_tables(), uploaded, issues, complete)
    # A file that could not be read (damaged, too large, ambiguous) refuses the whole upload:
    # the current tables, the user's edits and the last valid plan stay as they are.
    failed = [i for i in issues if i.severity == "error" and i.table not in uploaded]
    if failed:
        # The first problems in the message itself; all of them in the table below it.
        lines = [f"- {md_text(issue_line(i, t))}" for i in failed[:UPLOAD_LINES]]
        text = "\n".join([t.md("upload_refused", files=names), "", *lines])
        ss[UPLOAD_MESSAGE_KEY] = ("error", text, failed)
        st.rerun()
    names_of = lambda ns: ", ".join(table_name(n, t) for n in sorted(ns)) or "–"  # noqa: E731
    done = (
        t.md("upload_done_all", files=names, tables=names_of(uploaded))
        if complete
        else t.md("upload_done", files=names, tables=names_of(uploaded), kept=names_of(kept))
    )
    ss[UPLOAD_MESSAGE_KEY] = ("success", done, [])
    before = state.table_origins()
    origins = {**{n: before.get(n, "") for n in kept}, **dict.fromkeys(uploaded, names)}
    # A whole bundle brings its own settings (the defaults without a settings.json), so the
    # page plans what the command line would plan on the same files.
    settings = (raw or {}) if complete else (raw if raw else state.current_settings())
    state.load_inputs(tables, settings, issues, names, origins)


def table_name(name: str, t: Translator) -> str:
    """A table as a sentence names it: its name in the page's language («Методы»)."""
    key = f"tname_{name}"
    return t(key) if t.has(key) else name


def origin_text(origin: str, t: Translator) -> str:
    if origin == state.SAMPLE_SOURCE:
        return t("origin_sample")
    return origin or t("origin_page")


def _drop_sample() -> None:
    """Keep only the tables that did not come from the sample."""
    ss = st.session_state
    origins = state.table_origins()
    tables = edits.drop_tables(state.current_tables(), origins, state.SAMPLE_SOURCE)
    kept = {n: o for n, o in origins.items() if n in tables}
    sources = sorted(set(kept.values()))
    state.queue_inputs(
        tables,
        state.current_settings(),
        (),
        ", ".join(sources),
        kept,
    )
    ss[UPLOAD_MESSAGE_KEY] = None


def render_origins(ctx: Context) -> None:
    """Which tables came from where, and a way to drop the rest of the sample."""
    t = ctx.t
    origins = state.table_origins()
    by_origin: dict[str, list[str]] = {}
    for name in ctx.tables:
        by_origin.setdefault(origins.get(name, ""), []).append(name)
    if len(by_origin) <= 1:
        source = next(iter(by_origin), "")
        st.caption(
            t("source_sample")
            if source == state.SAMPLE_SOURCE
            else t.md("source_files", files=source)
        )
        return
    lines = [
        t.md(
            "origin_line",
            tables=", ".join(table_name(n, t) for n in names),
            origin=origin_text(where, t),
        )
        for where, names in sorted(by_origin.items(), key=lambda kv: kv[0] == state.SAMPLE_SOURCE)
    ]
    st.markdown("\n".join([t("origins_title"), "", *(f"- {line}" for line in lines)]))
    if state.SAMPLE_SOURCE in by_origin:
        st.button(
            t("drop_sample"),
            on_click=_drop_sample,
            key="drop_sample",
            disabled=ctx.read_only,
            help=t.md(
                "drop_sample_help",
                tables=", ".join(table_name(n, t) for n in by_origin[state.SAMPLE_SOURCE]),
            ),
        )


def render_files(ctx: Context) -> None:
    """Upload a bundle, download the current inputs, reset to the sample."""
    t, ss = ctx.t, st.session_state
    up, down = st.columns([3, 2])
    with up:
        files = st.file_uploader(
            t("upload"),
            type=["csv", "xlsx", "xlsm", "zip", "json"],
            accept_multiple_files=True,
            help=t("upload_help"),
            key=f"upload::{ss.get(UPLOAD_VERSION_KEY, 0)}",
            disabled=ctx.read_only,
        )
        st.caption(
            t(
                "upload_limits",
                mb=limits.MAX_ARCHIVE_BYTES // limits.MIB,
                rows=limits.MAX_ROWS,
            )
        )
        if files:
            _read_upload(list(files), t)
        msg = ss.get(UPLOAD_MESSAGE_KEY)
        if msg:
            kind, text, issues = msg
            (st.success if kind == "success" else st.error)(text)
            if issues:
                render_issues(list(issues), t, "table_upload", issues_frame)
    with down:
        render_origins(ctx)
        tables = edits.complete_columns(ctx.tables)
        settings = settings_dict(ctx.settings)
        st.download_button(
            t("download_xlsx"),
            key="download_xlsx",
            data=lambda: tables_to_xlsx_bytes(typed_tables(tables), settings),
            file_name="risk_plan_inputs.xlsx",
            mime=XLSX_MIME,
            on_click="ignore",
            help=t("download_help"),
        )
        st.download_button(
            t("download_zip"),
            key="download_zip",
            data=lambda: tables_to_zip_bytes(tables, settings),
            file_name="risk_plan_inputs.zip",
            mime="application/zip",
            on_click="ignore",
            help=t("download_help"),
        )
        if ss.get(CONFIRM_RESET_KEY):
            st.warning(t("reset_confirm"))
            yes, no = st.columns(2)
            yes.button(t("reset_yes"), on_click=_do_reset, type="primary", key="reset_yes")
            no.button(t("reset_no"), on_click=_cancel_reset, key="reset_no")
        else:
            st.button(
                t("reset"),
                on_click=_ask_reset,
                key="reset",
                help=t("reset_help"),
                disabled=ctx.read_only,
            )


def column_label(table: str, column: str, t: Translator, pools: dict[str, str]) -> str:
    """A column of an editable table as the page labels it: in Russian a label, never the
    file's raw id (a pool's columns are named by the pool); in English the file's header."""
    for key in (f"colname::{table}::{column}", f"colname::{column}"):
        if t.has(key):
            return t(key)
    if table == METHODS and column in pools:
        return t("colname::pool", pool=pools[column]) if t.lang != "en" else column
    if table == CLIENTS and column.startswith("max_") and column[4:] in pools:
        return t("colname::max_pool", pool=pools[column[4:]]) if t.lang != "en" else column
    return column


def _pool_names(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    return {pid: name for _, pid, name, _, _ in state.pool_rows(tables)}


def _column_config(name: str, frame: pd.DataFrame, t: Translator) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        edits.ROW_COL: st.column_config.NumberColumn(
            t("col_row"), disabled=True, help=t("col_row_help"), width="small"
        )
    }
    pools = _pool_names(state.current_tables())
    for c in frame.columns:
        label = column_label(name, c, t, pools)
        key = f"help::{name}::{c}"
        if t.has(key):
            text = t(key)
        elif c.startswith("max_") and name == CLIENTS:
            text = t.md("help::clients::max_pool", pool=c[4:])
        elif name == METHODS:
            text = t.md("help::methods::pool", pool=c)
        else:
            text = ""
        if label != c:  # the file's own header, for whoever edits the files
            text = (
                f"{text}  \n{t.md('colname_file', column=c)}"
                if text
                else t.md("colname_file", column=c)
            )
        cfg[c] = st.column_config.TextColumn(label, help=text or None)
    return cfg


def _table_editor(name: str, ctx: Context) -> None:
    frame = ctx.tables.get(name)
    if frame is None:
        st.info(ctx.t.md("table_absent", table=table_name(name, ctx.t)))
        return
    key = _editor_key(name)
    st.data_editor(
        edits.with_row_numbers(frame),
        key=key,
        num_rows="dynamic",
        hide_index=True,
        column_config=_column_config(name, frame, ctx.t),
        disabled=ctx.read_only,
        on_change=_on_table_edit,
        args=(name, key),
    )


def _grid(ctx: Context, field: str, view: str) -> None:
    t = ctx.t
    grid = edits.value_grid(ctx.tables, field)
    methods = ctx.tables.get(METHODS)
    names: dict[str, str] = {}
    if methods is not None and NAME in methods.columns:
        for mid, nm in zip(edits.ids(methods, "method_id"), methods[NAME].map(cell_text)):
            names[mid] = nm or mid
    cfg: dict[str, Any] = {
        edits.NAME_COL: st.column_config.TextColumn(
            t("col_client"), disabled=True, pinned=True, width=GRID_NAME_WIDTH
        )
    }
    for c in grid.columns[1:]:
        mid = c[len(edits.METHOD_PREFIX) :]
        cfg[c] = st.column_config.TextColumn(
            names.get(mid, mid), help=t.md("grid_cell_help", method=mid)
        )
    key = f"editor::{view}::{state.editor_version(view)}"
    st.data_editor(
        grid.reset_index(drop=True),
        key=key,
        num_rows="fixed",
        hide_index=True,
        column_config=cfg,
        disabled=ctx.read_only,
        on_change=_on_grid_edit,
        args=(field, key),
    )


def render_editors(ctx: Context) -> None:
    t, ss = ctx.t, st.session_state
    if ctx.read_only:
        st.info(t("team_read_only"))
    st.subheader(t("values_title"))
    st.caption(t("values_caption"))
    render_range_moves(ctx)
    _grid(ctx, VALUE, "values_grid")
    if ss.get(DETAIL_KEY) not in DETAIL_FIELDS:
        ss[DETAIL_KEY] = ss.get("_" + DETAIL_KEY, VALUE_LOW)
    state.relabel_on_language((DETAIL_KEY,), t.lang, "inputs")
    field = st.segmented_control(
        t("detail_field"),
        DETAIL_FIELDS,
        key=DETAIL_KEY,
        format_func=lambda f: t(f"field_{f}"),
        required=True,
        help=t("detail_field_help"),
    )
    field = field if field in DETAIL_FIELDS else VALUE_LOW
    ss["_" + DETAIL_KEY] = field
    st.caption(t(f"field_{field}_help"))
    _grid(ctx, field, "values_detail")
    with st.expander(t("values_long")):
        key = _editor_key(VALUES)
        frame = ctx.tables.get(VALUES)
        if frame is not None:
            st.data_editor(
                edits.with_row_numbers(frame),
                key=key,
                num_rows="dynamic",
                hide_index=True,
                column_config=_column_config(VALUES, frame, t),
                disabled=ctx.read_only,
                on_change=_on_values_edit,
                args=(key,),
            )
    for name in (RESOURCES, METHODS, CLIENTS, OVERRIDES):
        st.subheader(t(f"table_{name}"))
        st.caption(t(f"table_{name}_caption"))
        _table_editor(name, ctx)


def render_inputs(ctx: Context) -> None:
    """The Inputs tab."""
    render_validation(ctx)
    render_files(ctx)
    st.divider()
    render_editors(ctx)
