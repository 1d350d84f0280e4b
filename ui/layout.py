"""The tabs of the page and how they are composed.

Optional tabs live in modules written separately (what-if, scenarios, relationship, export).
Each is shown when its module exists and imported when its tab is first drawn; a tab whose
module fails shows the failure in its own tab, so the rest of the page keeps working.
"""

from __future__ import annotations

import importlib
import importlib.util
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from . import state
from .client_tab import render_client
from .inputs_tab import render_inputs
from .plan_tab import render_plan
from .state import Context
from .text import Translator

TABS_KEY = "main_tabs"  # the tabs widget (holds the open tab's label)

Render = Callable[[Context], None]


@dataclass(frozen=True)
class Tab:
    """One tab: a stable id, its catalogue key, and the function that draws it."""

    id: str
    label_key: str
    render: Render


# (id, module, function) of the tabs written as separate modules, in page order.
OPTIONAL_TABS: tuple[tuple[str, str, str], ...] = (
    ("whatif", "ui.whatif", "render_whatif"),
    ("scenarios", "ui.scenarios", "render_scenarios"),
    ("relationship", "ui.relationship_tab", "render_relationship"),
    ("export", "ui.export_tab", "render_export"),
    ("team", "ui.team_tab", "render_team"),
)


def _failed(message: str) -> Render:
    def render(ctx: Context) -> None:
        st.error(ctx.t.md("tab_failed", error=message.splitlines()[-1] if message else ""))
        st.code(message)

    return render


def _optional(module: str, function: str) -> Render | None:
    """The tab's render function; None while its module does not exist yet. The module is
    imported when its tab is first drawn, so opening the page waits for the Plan tab's
    modules only (the Scenarios tab's database layer alone takes most of a second)."""
    try:
        if importlib.util.find_spec(module) is None:
            return None
    except (ImportError, ValueError):
        return None

    def render(ctx: Context) -> None:
        _loaded(module, function)(ctx)

    return render


def _loaded(module: str, function: str) -> Render:
    """The imported tab function, or one that shows why it could not be imported."""
    try:
        mod = importlib.import_module(module)
    except Exception:  # a broken tab must not take the page down
        return _failed(traceback.format_exc())
    fn = getattr(mod, function, None)
    return fn if callable(fn) else _failed(f"{module} has no function {function}(ctx)")


def tabs(hidden: frozenset[str] = frozenset()) -> list[Tab]:
    """Every tab to show, in page order, less the `hidden` ones."""
    out = [
        Tab("plan", "tab_plan", render_plan),
        Tab("inputs", "tab_inputs", render_inputs),
        Tab("client", "tab_client", render_client),
    ]
    for tab_id, module, function in OPTIONAL_TABS:
        if tab_id in hidden:
            continue
        fn = _optional(module, function)
        if fn is not None:
            out.append(Tab(tab_id, f"tab_{tab_id}", fn))
    return out


def _on_tab_change(labels: dict[str, str]) -> None:
    label = st.session_state.get(TABS_KEY)
    for tab_id, text in labels.items():
        if text == label:
            st.session_state[state.OPEN_TAB_KEY] = tab_id


def _guarded(tab: Tab, ctx: Context) -> None:
    try:
        tab.render(ctx)
    except Exception as exc:
        # Streamlit's own control flow (rerun, stop) must pass through.
        if type(exc).__module__.startswith("streamlit"):
            raise
        if tab.id in ("plan", "inputs", "client"):
            raise
        st.exception(exc)


def render_tabs(ctx: Context, hidden: frozenset[str] = frozenset()) -> None:
    """Draw the tabs, less the `hidden` ones; only the open one runs (its label survives a
    change of language)."""
    all_tabs = tabs(hidden)
    labels = {tab.id: ctx.t(tab.label_key) for tab in all_tabs}
    ss = st.session_state
    if ss.get(state.OPEN_TAB_KEY) not in labels:
        ss[state.OPEN_TAB_KEY] = all_tabs[0].id
    ss[TABS_KEY] = labels[ss[state.OPEN_TAB_KEY]]
    containers = st.tabs(
        list(labels.values()), key=TABS_KEY, on_change=_on_tab_change, args=(labels,)
    )
    for tab, container in zip(all_tabs, containers):
        if container.open:
            with container:
                _guarded(tab, ctx)


def page_header(t: Translator) -> None:
    st.title(t("page_title"))
    st.caption(t("page_intro"))
