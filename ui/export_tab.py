"""The Export tab: download the plan as a workbook, CSV, HTML report, per-client plans or the
LP model. Files are built only when their button is clicked (deferred download data), so the
tab costs nothing on a rerun. The workbook, the report and the client plans are in the page's
language."""

from __future__ import annotations

import concurrent.futures
import io
import threading
import time
import zipfile
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import streamlit as st

from optimizer import export
from optimizer.messages import DEFAULT_LANG, LANGUAGES, Translator, status_line
from optimizer.schema import NAME, VALUE, Problem, Result

from .state import (
    QUOTES_KEY,  # pool -> the amount its price is quoted for
    SOURCE_KEY,  # where the inputs came from: "scenario <name>", "sample"...
)

NOTES_KEY = "export_notes"  # scenario notes typed in the tab
SCENARIO_KEY = "export_scenario"
SUGGESTED_KEY = "_export_scenario_suggested"  # the scenario name last put in SCENARIO_KEY
CLIENT_KEY = "export_client"
CLIENT_NOTES_KEY = "export_client_notes"  # dict client_id -> notes
REPORT_WIDTH = 680  # px: charts in the HTML report fit the printable width of A4
REPORT_CLIENTS = 50  # clients the report's charts draw at most (the top ones by value)
# Above this many clients the workbook, the report and the client plans take seconds to write
# (2,000 clients: about 3 s, 1 s and 55 s), so they are prepared first, with progress shown.
PREPARE_ABOVE = 200
BUILT_KEY = "_export_built"  # button key -> (what it was built from, the file's bytes)
RUNNING_KEY = "_export_running"  # button keys of builds under way (left set when stopped)
POLL_S = 0.25  # how often the page updates a build's progress
_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="export")

# English text of this tab; the catalogue's entries (same keys) win when present.
TEXT: dict[str, str] = {
    "export_title": "Export the plan",
    "export_intro": "Files for the planning meeting. Each is built when you click its button.",
    "export_no_inputs": "The inputs have errors, so there is nothing to export yet. Fix them "
    "in the Inputs tab.",
    "export_no_plan": "There is no plan ({status}). You can still download the workbook or "
    "the report, which explain why, and the model as an LP file.",
    "export_scenario": "Scenario name (printed on every file)",
    "export_notes": "Scenario notes (workbook and report only, never in a client's plan)",
    "export_xlsx": "Excel workbook",
    "export_xlsx_help": "Summary, client x method grids, per-client and per-method sheets, "
    "methods not funded with the reason, and the inputs as solved.",
    "export_csv": "CSV (one row per client and method)",
    "export_csv_help": "The allocation in tidy long form, for other tools.",
    "export_html": "HTML report (printable on A4, works offline)",
    "export_html_help": "The summary and the dashboard's charts in one self-contained file.",
    "export_json": "JSON (as the command line's solve --json)",
    "export_lp": "Model as an LP file (for an analyst's audit)",
    "export_clients_title": "Plans for one client's account team",
    "export_clients_intro": "Each client's files hold that client's data only: no other "
    "client's name, id, segment or figures, and no totals across "
    "clients.",
    "export_all_clients": "All client plans (.zip: one .html and one .xlsx per client)",
    "export_pick_client": "Client",
    "export_client_notes": "Notes for this client's plan",
    "export_client_xlsx": "This client's plan (.xlsx)",
    "export_client_html": "This client's plan (.html)",
    "export_prepare": "Prepare: {what}",
    "export_prepare_help": "A large plan takes a while to write: the page shows the progress, "
    "and you can stop it.",
    "export_building": "Writing {what}… {seconds} s",
    "export_stop": "Stop writing",
    "export_stopped": "Stopped: {what} was not written.",
    "export_ready": "Ready: {what} ({size})",
    "export_download": "Download: {what}",
    "report_top_clients": "top {n} of {total} clients by value",
}


def tr(ctx: Any, key: str, **kw: Any) -> str:
    """The catalogue's text for `key` if it has one, else this tab's English text."""
    t = getattr(ctx, "t", None)
    if callable(t):
        try:
            text = t(key, **kw)
        except (KeyError, IndexError, ValueError):
            text = None
        if isinstance(text, str) and text and text != key:
            return text
    return TEXT[key].format(**kw) if kw else TEXT[key]


def page_lang(ctx: Any) -> str:
    """The page's language, which the downloaded files follow."""
    lang = getattr(ctx, "lang", None) or getattr(getattr(ctx, "t", None), "lang", None)
    return lang if lang in LANGUAGES else DEFAULT_LANG


def _status(ctx: Any, result: Result) -> str:
    """The result's status in the page's language."""
    t = getattr(ctx, "t", None)
    return status_line(result, t) if isinstance(t, Translator) else result.status_text


def dashboard_figures(result: Result, ctx: Any) -> list[dict[str, Any]] | None:
    """The dashboard's plan charts as figure dictionaries for the report (None: use the
    report's own charts)."""
    try:
        from . import charts
        from .text import Translator
    except ImportError:
        return None
    t = (
        ctx.t
        if isinstance(getattr(ctx, "t", None), Translator)
        else Translator(getattr(ctx, "lang", "en"))
    )
    # A printed page holds a few dozen clients: a large plan's charts show its top clients by
    # value, and say so in their titles (the workbook has every client).
    ids: list[str] | None = None
    if len(result.clients) > REPORT_CLIENTS:
        ids = list(result.clients[VALUE].sort_values(ascending=False, kind="stable").index)
        ids = ids[:REPORT_CLIENTS]
    figures = []
    for build in (charts.value_by_client, charts.pool_use_by_client, charts.units_heatmap):
        fig = build(result, t, ids)
        if ids is not None:
            note = tr(ctx, "report_top_clients", n=REPORT_CLIENTS, total=len(result.clients))
            fig.update_layout(title_text=f"{fig.layout.title.text} ({note})")
        # As on the page: the page's colours and margins that fit the labels (charts.off_page).
        figures.append(charts.off_page(fig, REPORT_WIDTH))
    return figures


def _meta(problem: Problem) -> export.ExportMeta:
    ss = st.session_state
    notes: Mapping[str, str] = ss.get(CLIENT_NOTES_KEY, {})
    return export.ExportMeta(
        scenario=str(ss.get(SCENARIO_KEY, "")).strip(),
        created=datetime.now(),
        notes=str(ss.get(NOTES_KEY, "")).strip(),
        client_notes={c: n for c, n in notes.items() if c in problem.clients.index and n.strip()},
        quotes=dict(ss.get(QUOTES_KEY, {})),  # prices per the amounts the page quotes
    )


def _stamp(meta: export.ExportMeta) -> str:
    """A file-name part from the scenario name: ASCII letters, digits, '-' and '_' only."""
    slug = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in meta.scenario
    )[:40].strip("_")
    return f"{slug}_" if slug else ""


def _button(
    label: str,
    data: Callable[[], bytes],
    file_name: str,
    fmt: str,
    key: str,
    help_: str | None = None,
) -> None:
    st.download_button(
        label,
        data=data,
        file_name=file_name,
        mime=export.MIME[fmt],
        key=key,
        help=help_,
        on_click="ignore",
        icon=":material/download:",
        width="stretch",
    )


# ---- long builds, prepared with progress ---------------------------------------------------
Work = Callable[[threading.Event, list[float]], bytes]  # (stop, progress box) -> the file


def _prepared(
    ctx: Any,
    label: str,
    work: Work,
    file_name: str,
    fmt: str,
    key: str,
    content: tuple[Any, ...],
    help_: str | None = None,
) -> None:
    """A file that takes a while to build (a large plan's workbook, report or client plans):
    a "Prepare" button builds it on a worker thread while the page shows its progress and a
    Stop button; then the download button offers it. Any click (Stop, another tab, a new
    budget) ends the wait at once, and a stopped build of client plans stops at its next
    client. `content` names what the file is built from: the prepared file is offered only
    while it is the same."""
    ss = st.session_state
    built = ss.get(BUILT_KEY, {})
    if built.get(key, (None,))[0] == content:
        data = built[key][1]
        st.caption(tr(ctx, "export_ready", what=label, size=_size(len(data))))
        _button(tr(ctx, "export_download", what=label), lambda: data, file_name, fmt, key, help_)
        return
    running = ss.setdefault(RUNNING_KEY, set())
    if key in running:  # the last run ended while this file was being built
        running.discard(key)
        st.info(tr(ctx, "export_stopped", what=label))
    if not st.button(
        tr(ctx, "export_prepare", what=label),
        key=f"prepare_{key}",
        help=help_ or tr(ctx, "export_prepare_help"),
        icon=":material/build:",
        width="stretch",
    ):
        return
    running.add(key)
    stop, progress = threading.Event(), [0.0]
    started = time.monotonic()
    with st.status(tr(ctx, "export_building", what=label, seconds=0), expanded=True) as status:
        # A click on any widget reruns the page, which ends this run at its next update.
        st.button(tr(ctx, "export_stop"), key=f"stop_{key}", icon=":material/stop:")
        bar = st.progress(0.0)
        job = _POOL.submit(work, stop, progress)
        try:
            while True:
                try:
                    data = job.result(timeout=POLL_S)
                    break
                except concurrent.futures.TimeoutError:
                    seconds = t_num(ctx, time.monotonic() - started)
                    text = tr(ctx, "export_building", what=label, seconds=seconds)
                    status.update(label=text, expanded=True)
                    bar.progress(min(max(progress[0], 0.0), 1.0), text=text)
        finally:
            stop.set()  # on a rerun too: the worker stops at its next step
        running.discard(key)
        status.update(label=tr(ctx, "export_ready", what=label, size=_size(len(data))))
        status.update(state="complete", expanded=False)
    ss[BUILT_KEY] = {**built, key: (content, data)}
    st.rerun()  # draw the download button in the place of the Prepare button


def t_num(ctx: Any, x: float) -> str:
    t = getattr(ctx, "t", None)
    num = getattr(t, "num", None)
    return num(x, 0) if callable(num) else f"{x:.0f}"


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.0f} kB"


def _all_plans_zip(problem: Problem, result: Result, meta: export.ExportMeta, lang: str) -> Work:
    """Every client's plan files in one .zip, written client by client so the page can show
    how far it got and a stop takes effect at the next client."""

    def work(stop: threading.Event, progress: list[float]) -> bytes:
        book = export.PlanBook(problem, result, meta, lang)
        ids = list(problem.clients.index)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for i, c in enumerate(ids):
                if stop.is_set():
                    return b""
                plan, stem = book.plan(c), export.client_file_stem(str(c))
                zf.writestr(f"{stem}.html", book.html(plan))
                zf.writestr(f"{stem}.xlsx", book.xlsx(plan))
                progress[0] = (i + 1) / len(ids)
        return buf.getvalue()

    return work


def _whole(build: Callable[[], bytes]) -> Work:
    """A build in one call: the page shows the seconds it has taken (no fraction to show)."""

    def work(stop: threading.Event, progress: list[float]) -> bytes:
        return build()

    return work


def _long(
    ctx: Any,
    problem: Problem,
    label: str,
    build: Callable[[], bytes],
    file_name: str,
    fmt: str,
    key: str,
    content: tuple[Any, ...],
    help_: str | None = None,
    work: Work | None = None,
) -> None:
    """A file that is quick on a small plan (built in the download click, as the others) and
    slow on a large one (prepared first, with progress)."""
    if len(problem.clients) <= PREPARE_ABOVE:
        _button(label, build, file_name, fmt, key, help_)
    else:
        _prepared(ctx, label, work or _whole(build), file_name, fmt, key, content, help_)


def _suggest_scenario_name() -> None:
    """Name the export after the scenario just loaded, unless the user typed a name."""
    ss = st.session_state
    source = str(ss.get(SOURCE_KEY, ""))
    suggested = source.removeprefix("scenario ").strip() if source.startswith("scenario ") else ""
    before = ss.get(SUGGESTED_KEY)
    if suggested != before:
        if str(ss.get(SCENARIO_KEY, "")) in ("", before or ""):
            ss[SCENARIO_KEY] = suggested
        ss[SUGGESTED_KEY] = suggested


def _save_client_note(client_id: str) -> None:
    notes = dict(st.session_state.get(CLIENT_NOTES_KEY, {}))
    notes[client_id] = st.session_state.get(f"{CLIENT_NOTES_KEY}::{client_id}", "")
    st.session_state[CLIENT_NOTES_KEY] = notes


def render_export(ctx: Any) -> None:
    """Download buttons for every export format, and per-client plans with a client picker."""
    st.subheader(tr(ctx, "export_title"))
    problem: Problem | None = getattr(ctx, "problem", None)
    result: Result | None = getattr(ctx, "result", None)
    if problem is None or result is None:
        st.warning(tr(ctx, "export_no_inputs"))
        return
    st.caption(tr(ctx, "export_intro"))
    _suggest_scenario_name()
    c1, c2 = st.columns([1, 2])
    c1.text_input(tr(ctx, "export_scenario"), key=SCENARIO_KEY)
    c2.text_area(tr(ctx, "export_notes"), key=NOTES_KEY, height=68)
    meta = _meta(problem)
    stamp = _stamp(meta)
    lang = page_lang(ctx)  # the files are in the page's language
    has_plan = result.has_plan
    if not has_plan:
        st.warning(tr(ctx, "export_no_plan", status=_status(ctx, result)))

    def report() -> bytes:  # runs on click, on a worker thread: no streamlit calls in here
        figures = dashboard_figures(result, ctx) if has_plan else None
        return export.html_report(problem, result, meta, figures, lang=lang)

    # What the files are built from (a prepared file is offered while it is the same).
    content = (
        result.fingerprint,
        meta.scenario,
        meta.notes,
        tuple(sorted(meta.client_notes.items())),
        lang,
    )
    cols = st.columns(3)
    with cols[0]:
        _long(
            ctx,
            problem,
            tr(ctx, "export_xlsx"),
            lambda: export.xlsx_bytes(problem, result, meta, lang=lang),
            f"{stamp}plan.xlsx",
            "xlsx",
            "dl_xlsx",
            content,
            tr(ctx, "export_xlsx_help"),
        )
        _long(
            ctx,
            problem,
            tr(ctx, "export_html"),
            report,
            f"{stamp}report.html",
            "html",
            "dl_html",
            content,
            tr(ctx, "export_html_help"),
        )
    with cols[1]:
        if has_plan:
            _button(
                tr(ctx, "export_csv"),
                lambda: export.csv_bytes(problem, result),
                f"{stamp}allocation.csv",
                "csv",
                "dl_csv",
                tr(ctx, "export_csv_help"),
            )
        _button(
            tr(ctx, "export_json"),
            lambda: export.json_bytes(problem, result, meta.quotes),
            f"{stamp}plan.json",
            "json",
            "dl_json",
        )
    with cols[2]:
        _button(
            tr(ctx, "export_lp"),
            lambda: export.lp_bytes(problem, result),
            f"{stamp}model.lp",
            "lp",
            "dl_lp",
        )
    if not has_plan:
        return

    st.markdown(f"#### {tr(ctx, 'export_clients_title')}")
    st.caption(tr(ctx, "export_clients_intro"))
    _long(
        ctx,
        problem,
        tr(ctx, "export_all_clients"),
        lambda: export.client_plans_zip(problem, result, meta, lang=lang),
        f"{stamp}client_plans.zip",
        "zip",
        "dl_clients_zip",
        content,
        work=_all_plans_zip(problem, result, meta, lang),
    )
    ids = list(problem.clients.index)
    names = problem.clients[NAME]
    if st.session_state.get(CLIENT_KEY) not in ids:
        st.session_state[CLIENT_KEY] = ids[0]
    client = st.selectbox(
        tr(ctx, "export_pick_client"),
        ids,
        key=CLIENT_KEY,
        format_func=lambda c: f"{names[c]} ({c})",
    )
    note_key = f"{CLIENT_NOTES_KEY}::{client}"
    if note_key not in st.session_state:
        st.session_state[note_key] = st.session_state.get(CLIENT_NOTES_KEY, {}).get(client, "")
    st.text_area(
        tr(ctx, "export_client_notes"),
        key=note_key,
        height=68,
        on_change=_save_client_note,
        args=(client,),
    )
    # Read again: this client's notes were just typed above.
    client_meta = _meta(problem)
    stem = export.client_file_stem(str(client))
    b1, b2 = st.columns(2)
    with b1:
        _button(
            tr(ctx, "export_client_xlsx"),
            lambda: export.client_plan_xlsx(problem, result, client, client_meta, lang=lang),
            f"{stem}.xlsx",
            "xlsx",
            "dl_client_xlsx",
        )
    with b2:
        _button(
            tr(ctx, "export_client_html"),
            lambda: export.client_plan_html(problem, result, client, client_meta, lang=lang),
            f"{stem}.html",
            "html",
            "dl_client_html",
        )
