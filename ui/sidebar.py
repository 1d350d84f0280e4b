"""The sidebar: pool capacities, whole-units mode, objective and target, currency, language."""

from __future__ import annotations

import math

import streamlit as st

from optimizer.schema import OBJECTIVES, Settings

from . import state
from .auth import shared_read_only
from .text import LANGUAGES, Translator, md_text, unit_text


def _step(capacity: float | None) -> float:
    """A step that moves the number by about a tenth of its size (1000s for a budget)."""
    if not capacity or capacity <= 0:
        return 1.0
    return float(max(1.0, 10 ** (math.floor(math.log10(capacity)) - 1)))


def _on_capacity(pool: str) -> None:
    state.set_capacity(pool, st.session_state.get(state.cap_key(pool)))


def _on_currency() -> None:
    ss = st.session_state
    new = str(ss.get(state.CURRENCY_KEY, "")).strip()
    if new:
        state.set_money_unit(ss.get(state.CURRENCY_SEEN_KEY, new), new)
        ss[state.CURRENCY_SEEN_KEY] = new


def _on_quote(pool: str) -> None:
    state.set_quote(pool, st.session_state.get(state.quote_key(pool)))


def _quotes(pools: list[tuple[int, str, str, str, float | None]], t: Translator) -> None:
    """The amount each pool's price is quoted for, kept for the session (changeable here)."""
    ss = st.session_state
    quotes = state.price_quotes(pools)
    with st.expander(t("sidebar_quotes")):
        st.caption(t("sidebar_quotes_help"))
        for _, pid, name, unit, _ in pools:
            if pid not in quotes:
                continue
            key = state.quote_key(pid)
            if ss.get(key) != quotes[pid]:
                ss[key] = quotes[pid]
            unit = unit_text(unit, t.lang)
            label = f"{md_text(name)} ({md_text(unit)})" if unit else md_text(name)
            st.number_input(
                label,
                min_value=1.0,
                step=1.0,
                format="%.0f",
                key=key,
                on_change=_on_quote,
                args=(pid,),
            )


def _sync_capacities(pools: list[tuple[int, str, str, str, float | None]]) -> None:
    """Show the resources table's capacities: a table edit moves the sidebar number too."""
    ss = st.session_state
    for _, pid, _, _, cap in pools:
        key = state.cap_key(pid)
        shown = cap if cap is not None and cap >= 0 else None  # the box cannot hold a bad one
        if key not in ss or ss[key] != shown:
            ss[key] = shown


def render_sidebar() -> tuple[Settings, str]:
    """Draw the sidebar and return the run settings and the language code."""
    ss = st.session_state
    lang = ss.get(state.LANG_KEY, "en")
    t = Translator(lang)
    pools = state.pool_rows(state.current_tables())
    _sync_capacities(pools)
    state.relabel_on_language((state.INTEGER_KEY, state.OBJECTIVE_KEY), lang, "sidebar")
    # A team's plan settings and pools are shared: a director changes them for everyone.
    locked = shared_read_only()
    with st.sidebar:
        st.selectbox(
            t("language"),
            options=list(LANGUAGES),
            format_func=LANGUAGES.__getitem__,
            key=state.LANG_KEY,
        )
        st.header(t("sidebar_pools"))
        if locked:
            st.caption(t("team_settings_read_only"))
        if not pools:
            st.warning(t("sidebar_no_pools"))
        for _, pid, name, unit, cap in pools:
            unit = unit_text(unit, lang)
            label = f"{md_text(name)} ({md_text(unit)})" if unit else md_text(name)
            st.number_input(
                label,
                min_value=0.0,
                step=_step(cap),
                format="%.0f" if cap is None or float(cap).is_integer() else "%.2f",
                key=state.cap_key(pid),
                on_change=_on_capacity,
                args=(pid,),
                help=t.md("sidebar_pool_help", name=name),
                disabled=locked,
            )
            if cap is None or cap < 0:
                st.caption(t("sidebar_pool_invalid"))
        if pools:
            _quotes(pools, t)
        st.header(t("sidebar_run"))
        st.radio(
            t("mode"),
            options=[False, True],
            key=state.INTEGER_KEY,
            format_func=lambda v: t("mode_integer") if v else t("mode_continuous"),
            help=t("mode_help"),
            disabled=locked,
        )
        st.radio(
            t("objective"),
            options=list(OBJECTIVES),
            key=state.OBJECTIVE_KEY,
            format_func=lambda v: t(f"objective_{v}"),
            help=t("objective_help"),
            disabled=locked,
        )
        st.slider(
            t("target_share"),
            min_value=0,
            max_value=100,
            step=1,
            key=state.TARGET_KEY,
            format="%d%%",
            help=t("target_share_help"),
            disabled=locked or ss.get(state.OBJECTIVE_KEY) != "min_cost",
        )
        st.text_input(
            t("currency"),
            key=state.CURRENCY_KEY,
            max_chars=8,
            on_change=_on_currency,
            help=t("currency_help"),
            disabled=locked,
        )
    return state.current_settings(), t.lang
