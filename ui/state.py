"""Session state of the dashboard: the editable input tables, the run settings, and the
`Context` every tab receives.

The current inputs live in `st.session_state["tables"]` as text tables (every cell a string, as
read from a bundle; see `ui.cells`). Edits land there, valid or not, so an invalid edit is never
dropped; each run validates them and solves the result through the content-keyed caches of
`ui.cache`.
"""

from __future__ import annotations

import ctypes
import functools
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from optimizer.bundle import read_settings, read_tables
from optimizer.quoting import quote_amount
from optimizer.schema import (
    CAPACITY,
    RESOURCE_ID,
    RESOURCES,
    SETTINGS_FIELDS,
    UNIT,
    Issue,
    Problem,
    Result,
    Settings,
)

from .auth import read_only
from .cache import cached_result, cached_solve, start_inputs, validate
from .cells import as_text, cell_text, number_or_none
from .text import DEFAULT_LANG, LANGUAGES, Translator

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"

# ---- session_state keys (the contract for tabs and tests; see docs/dashboard.md) -------------
TABLES_KEY = "tables"  # dict[str, DataFrame]: the current inputs as text, edits included
BUNDLE_SETTINGS_KEY = "bundle_settings"  # Settings read with the inputs (before the sidebar)
READ_ISSUES_KEY = "read_issues"  # issues met while reading the inputs (encoding, settings...)
SOURCE_KEY = "inputs_source"  # where the inputs came from, for the page to say
ORIGINS_KEY = "inputs_origins"  # table -> where that table came from ("sample", file names...)
SAMPLE_SOURCE = "sample"  # the origin of the sample's tables
LANG_KEY = "lang"  # 'en' | 'ru' (the sidebar's language widget)
OPEN_TAB_KEY = "open_tab"  # id of the open tab ('plan', 'inputs', 'client', 'whatif', ...)
PENDING_KEY = "_pending_inputs"  # inputs to load at the start of the next run
LAST_VALID_KEY = "_last_valid"  # (Problem, Result) of the last inputs that validated
VERSIONS_KEY = "_editor_versions"  # table -> int; a new version remounts that table's editor
BASELINE_KEY = "whatif_baseline"  # (Problem, Result, label) pinned in the What-if tab
# Sidebar widgets holding run settings.
INTEGER_KEY = "set_integer_units"
OBJECTIVE_KEY = "set_objective"
TARGET_KEY = "set_target_share"
CURRENCY_KEY = "set_currency"
CURRENCY_SEEN_KEY = "_currency_seen"  # the currency the money pool's unit was last set to
# Pool id -> the amount its price is quoted for ("one more 1,000 EUR would add ..."): chosen
# once per pool from its capacity (optimizer.quoting) or set in the sidebar, then kept for the
# session, so a price read at two budgets is quoted for the same amount.
QUOTES_KEY = "_price_quotes"

SETTING_WIDGETS: dict[str, str] = {
    INTEGER_KEY: "integer_units",
    OBJECTIVE_KEY: "objective",
    TARGET_KEY: "target_value_share",
    CURRENCY_KEY: "currency",
}


def cap_key(pool: str) -> str:
    """Session key of the sidebar's capacity input for one pool."""
    return f"cap::{pool}"


def quote_key(pool: str) -> str:
    """Session key of the sidebar's "prices quoted per" input for one pool."""
    return f"quote::{pool}"


# ---- the context passed to every tab ---------------------------------------------------------
@dataclass(frozen=True)
class LastValid:
    """The plan to show: of the current inputs, or of the last valid ones when `stale`."""

    problem: Problem
    result: Result
    stale: bool  # True when the current inputs have errors and this plan is older


@dataclass(frozen=True)
class Context:
    """What a tab needs, built once per run. Tabs read it; they change inputs only through
    `load_inputs` (or by editing `st.session_state[TABLES_KEY]` in a callback)."""

    problem: Problem | None  # the current inputs, validated; None while they have errors
    result: Result | None  # the solve of `problem` under `settings`; None when problem is None
    tables: dict[str, pd.DataFrame]  # the current editable text tables (do not mutate)
    settings: Settings  # run settings (bundle settings with the sidebar's choices applied)
    lang: str  # 'en' | 'ru'
    t: Translator  # t(key, **kw) -> text in the current language; t.num / t.pct format numbers
    last_valid: LastValid | None  # the plan to show; None before any input validated
    issues: tuple[Issue, ...] = ()  # validation errors and warnings of the current tables
    solve: Callable[[Problem], Result] = field(default=lambda p: cached_solve(p))
    quotes: Mapping[str, float] = field(default_factory=dict)  # pool -> amount prices are per
    read_only: bool = False  # a team's viewer: every editor is shown disabled

    def quote(self, pool: str, capacity: float | None = None) -> float:
        """The amount the pool's price is quoted for in this session."""
        got = self.quotes.get(pool)
        return float(got) if got else quote_amount(capacity)

    @property
    def stale(self) -> bool:
        """True when the inputs have errors and the plan on screen is the last valid one."""
        return self.last_valid is not None and self.last_valid.stale

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "error")


# ---- session lifecycle -----------------------------------------------------------------------
def sample_inputs() -> tuple[dict[str, pd.DataFrame], dict[str, Any], list[Issue]]:
    """The sample bundle's tables (text), raw settings and read issues."""
    return read_tables(SAMPLE_DIR)


START_BUNDLE_ENV = "RISK_PLANNER_BUNDLE"  # the bundle a new session opens, when no argument


def start_bundle(
    argv: Sequence[str], script: str, environ: Mapping[str, str] | None = None
) -> Path:
    """The bundle a new session opens: the first argument after the script
    (`streamlit run dashboard.py -- PATH`, `make run BUNDLE=PATH`), else $RISK_PLANNER_BUNDLE,
    else the sample. A folder of CSV files, an .xlsx or a .zip; one that cannot be read opens
    with its problems listed on the Inputs tab. `argv` is sys.argv: its arguments count only
    when argv[0] is `script` (Streamlit sets it so); under a test runner they are the runner's."""
    env = os.environ if environ is None else environ
    args = argv[1:] if argv and Path(argv[0]).name == Path(script).name else []
    chosen = next((a for a in args if a.strip()), "") or env.get(START_BUNDLE_ENV, "").strip()
    return Path(chosen).expanduser() if chosen else SAMPLE_DIR


def queue_inputs(
    tables: dict[str, pd.DataFrame],
    raw_settings: dict[str, Any] | Settings | None,
    read_issues: list[Issue] | tuple[Issue, ...] = (),
    source: str = "",
    origins: Mapping[str, str] | None = None,
) -> None:
    """Replace the inputs (and the run settings they carry) at the start of the next run.
    Call it from a widget callback; from a tab's body call `load_inputs`.
    `raw_settings` may be a Settings or a settings.json-style dict (None keeps the defaults).
    `origins` says where each table came from (default: every table from `source`)."""
    st.session_state[PENDING_KEY] = (
        tables,
        raw_settings,
        tuple(read_issues),
        source,
        dict(origins) if origins is not None else None,
    )


def load_inputs(
    tables: dict[str, pd.DataFrame],
    raw_settings: dict[str, Any] | Settings | None,
    read_issues: list[Issue] | tuple[Issue, ...] = (),
    source: str = "",
    origins: Mapping[str, str] | None = None,
) -> None:
    """`queue_inputs`, then rerun the app now (for use in a tab's body, not in a callback)."""
    queue_inputs(tables, raw_settings, read_issues, source, origins)
    st.rerun()


def table_origins() -> dict[str, str]:
    """Where each current table came from (a table added on the page has none)."""
    ss = st.session_state
    got = ss.get(ORIGINS_KEY)
    if got is None:
        source = str(ss.get(SOURCE_KEY, ""))
        return dict.fromkeys(ss.get(TABLES_KEY, {}), source)
    return dict(got)


def _apply_inputs(
    tables: dict[str, pd.DataFrame],
    raw_settings: dict[str, Any] | Settings | None,
    read_issues: tuple[Issue, ...],
    source: str,
    origins: dict[str, str] | None = None,
    as_read: bool = True,
) -> None:
    """Make these the session's inputs; `as_read=False`: the tables are text tables already
    (the shared start bundle's), kept as they are instead of copied."""
    ss = st.session_state
    issues = list(read_issues)
    if isinstance(raw_settings, Settings):
        settings = raw_settings
    else:
        settings, more = read_settings(raw_settings or {})
        issues += more
    ss[TABLES_KEY] = (
        {t: as_text(f) for t, f in tables.items() if f is not None} if as_read else dict(tables)
    )
    ss[BUNDLE_SETTINGS_KEY] = settings
    ss[READ_ISSUES_KEY] = tuple(issues)
    ss[SOURCE_KEY] = source
    given = origins or {}
    ss[ORIGINS_KEY] = {name: given.get(name, source) for name in ss[TABLES_KEY]}
    for key, name in SETTING_WIDGETS.items():
        ss[key] = widget_value(key, getattr(settings, name))
    ss[CURRENCY_SEEN_KEY] = settings.currency
    bump_all_editors()


def init_state(start: Path = SAMPLE_DIR) -> None:
    """First run: load the start bundle (the sample unless the page was started on another);
    every run: apply inputs queued by `load_inputs`."""
    ss = st.session_state
    if LANG_KEY not in ss:
        ss[LANG_KEY] = DEFAULT_LANG
    if OPEN_TAB_KEY not in ss:
        ss[OPEN_TAB_KEY] = "plan"
    if VERSIONS_KEY not in ss:
        ss[VERSIONS_KEY] = {}
    pending = ss.pop(PENDING_KEY, None)
    if pending is not None:
        _apply_inputs(*pending)
    elif TABLES_KEY not in ss:
        tables, raw, issues = start_inputs(start)
        source = SAMPLE_SOURCE if start == SAMPLE_DIR else start.name
        _apply_inputs(tables, raw, issues, source, as_read=False)
    base = ss.get(BUNDLE_SETTINGS_KEY, Settings())
    for key, name in SETTING_WIDGETS.items():
        if key not in ss:  # a test may set the tables alone
            ss[key] = widget_value(key, getattr(base, name))
    if CURRENCY_SEEN_KEY not in ss:
        ss[CURRENCY_SEEN_KEY] = base.currency


def widget_value(key: str, value: Any) -> Any:
    """A setting as its widget holds it (the target share as a whole percent)."""
    return round(float(value) * 100) if key == TARGET_KEY else value


def relabel_on_language(keys: tuple[str, ...], lang: str, tag: str) -> None:
    """Re-send the values of widgets whose option labels are translated, once after a change
    of language: the browser knows an option by its label, so without this it would show
    nothing selected and later fall back to the first option."""
    ss = st.session_state
    seen = f"_lang_shown::{tag}"
    if ss.get(seen) != lang:
        for key in keys:
            if key in ss:
                ss[key] = ss[key]
        ss[seen] = lang


def editor_version(table: str) -> int:
    return int(st.session_state.get(VERSIONS_KEY, {}).get(table, 0))


def bump_editor(table: str) -> None:
    """Remount one table's editor: its pending edits are already in the tables."""
    versions = dict(st.session_state.get(VERSIONS_KEY, {}))
    versions[table] = versions.get(table, 0) + 1
    st.session_state[VERSIONS_KEY] = versions


def bump_all_editors() -> None:
    versions = dict(st.session_state.get(VERSIONS_KEY, {}))
    for t in (
        set(versions) | set(st.session_state.get(TABLES_KEY, {})) | {"values_grid", "values_detail"}
    ):
        versions[t] = versions.get(t, 0) + 1
    st.session_state[VERSIONS_KEY] = versions


def current_tables() -> dict[str, pd.DataFrame]:
    return st.session_state[TABLES_KEY]


def set_table(name: str, frame: pd.DataFrame) -> None:
    """Replace one table (copy-on-write: cached validations keep the old frames intact)."""
    tables = dict(st.session_state[TABLES_KEY])
    tables[name] = frame
    st.session_state[TABLES_KEY] = tables


def current_settings() -> Settings:
    """The bundle's settings with the sidebar's choices applied."""
    ss = st.session_state
    stored = ss.get(BUNDLE_SETTINGS_KEY, Settings())
    # Rebuilt field by field: after a code reload the stored object's class is a stale copy.
    base = Settings(**{f: getattr(stored, f) for f in SETTINGS_FIELDS if hasattr(stored, f)})
    changes = {name: ss[key] for key, name in SETTING_WIDGETS.items() if key in ss}
    if "target_value_share" in changes:
        changes["target_value_share"] = float(changes["target_value_share"]) / 100
    if "currency" in changes:
        changes["currency"] = str(changes["currency"]).strip() or base.currency
    return base.with_(**changes)


def pool_rows(tables: dict[str, pd.DataFrame]) -> list[tuple[int, str, str, str, float | None]]:
    """(row position, pool id, name, unit, capacity or None) for each pool row with an id."""
    res = tables.get(RESOURCES)
    if res is None or RESOURCE_ID not in res.columns:
        return []
    out = []
    for i, row in enumerate(res.to_dict("records")):
        pid = cell_text(row.get(RESOURCE_ID))
        if not pid:
            continue
        name = cell_text(row.get("name")) or pid
        out.append((i, pid, name, cell_text(row.get(UNIT)), number_or_none(row.get(CAPACITY))))
    return out


def set_capacity(pool: str, value: float | None) -> None:
    """Write a pool's capacity into the resources table (the single place it is kept)."""
    res = current_tables()[RESOURCES].copy()
    hit = res.index[res[RESOURCE_ID].map(cell_text) == pool]
    if not len(hit):
        return
    res.loc[hit[0], CAPACITY] = "" if value is None else cell_text(float(value))
    set_table(RESOURCES, res)
    bump_editor(RESOURCES)


def price_quotes(pools: list[tuple[int, str, str, str, float | None]]) -> dict[str, float]:
    """The session's quoted amount of each pool (see QUOTES_KEY): a pool seen for the first
    time gets the amount its current capacity suggests, and keeps it."""
    ss = st.session_state
    quotes = dict(ss.get(QUOTES_KEY, {}))
    for _, pid, _, _, cap in pools:
        if pid not in quotes and cap is not None:
            quotes[pid] = quote_amount(cap)
    if quotes != ss.get(QUOTES_KEY):
        ss[QUOTES_KEY] = quotes
    return quotes


def set_quote(pool: str, amount: float | None) -> None:
    """The user's own quoted amount for a pool (None or 0: back to the capacity's choice)."""
    quotes = dict(st.session_state.get(QUOTES_KEY, {}))
    quotes.pop(pool, None)
    if amount is not None and amount > 0:
        quotes[pool] = float(amount)
    st.session_state[QUOTES_KEY] = quotes


def set_money_unit(old: str, new: str) -> None:
    """Relabel the money pool when the currency changes, so it stays the money pool."""
    res = current_tables().get(RESOURCES)
    if res is None or UNIT not in res.columns or not new.strip():
        return
    units = res[UNIT].map(cell_text)
    hit = units.str.upper() == old.strip().upper()
    if not hit.any():
        return
    res = res.copy()
    res.loc[hit[hit].index[0], UNIT] = new.strip()
    set_table(RESOURCES, res)
    bump_editor(RESOURCES)


def build_context(
    settings: Settings, lang: str, plan: Callable[[Problem], Result] | None = None
) -> Context:
    """Validate the current tables, solve them (cached) and remember the last valid plan.
    `plan` gives the plan of the validated tables instead of their own solve (a planner of a
    team sees their clients' part of the whole shared plan's solve)."""
    ss = st.session_state
    t = Translator(lang if lang in LANGUAGES else DEFAULT_LANG)
    tables = current_tables()
    problem, issues = validate(tables, settings, tuple(ss.get(READ_ISSUES_KEY, ())))
    result = None
    if problem is not None:
        result = cached_result(problem) if plan is None else None
        if result is None and plan is not None:
            with st.spinner(t("solving")):
                result = plan(problem)
        elif result is None:
            with st.spinner(t("solving")):
                result = cached_solve(problem)
        # Deleted first: Streamlit keeps a key's value of the run before beside the new one
        # until the next run, and 50,000 clients' plan is 130 MB.
        ss.pop(LAST_VALID_KEY, None)
        ss[LAST_VALID_KEY] = (problem, result)
        last: LastValid | None = LastValid(problem, result, stale=False)
    else:
        prev = ss.get(LAST_VALID_KEY)
        last = LastValid(prev[0], prev[1], stale=True) if prev else None
    return Context(
        problem=problem,
        result=result,
        tables=tables,
        settings=settings,
        lang=t.lang,
        t=t,
        last_valid=last,
        issues=issues,
        quotes=price_quotes(pool_rows(tables)),
        read_only=read_only(),
    )


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None under a C library without it."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return None


def return_free_memory() -> None:
    """Give the memory a run has freed back to the system, at the end of the run. glibc's
    malloc keeps freed memory for the process otherwise: the server on 50,000 clients held
    400 MB more after two budget changes, none of it in use (a call takes about 10 ms)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
