"""Lists that stay readable with thousands of clients: the client chooser the Plan tab's
charts share (top N by value, or all, filtered by segment and searched by name), and long
lists of sentences collapsed behind their count.

The choice itself (`choose_clients`) is a pure function of the clients table, so it is
tested without a page; `client_chooser` draws its controls and returns what it chose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from optimizer.schema import NAME, SEGMENT, VALUE

from .text import Translator

TOP_N = 25  # clients a chart draws unless the user asks for more
MORE_N = 100
MOST_N = 1000  # the largest choice when a plan has more than ALL_MAX clients
ALL_MAX = 2000  # "all" is offered up to this many clients
ALL = 0  # the "every client" choice of the count selector
FIRST_LINES = 5  # sentences of a collapsed list shown before its expander
SCROLL_PX = 900  # a chart of every client scrolls inside a box this tall


@dataclass(frozen=True)
class ClientChoice:
    """The clients to draw, highest planned value first."""

    ids: tuple[str, ...]  # the ids to draw, in order
    matched: int  # clients passing the segment filter and the search
    total: int  # clients in the plan
    limit: int  # the count chosen (ALL: every matching client)

    @property
    def everyone(self) -> bool:
        """True when every client of the plan is drawn."""
        return len(self.ids) == self.total


def choose_clients(
    clients: pd.DataFrame,
    limit: int = TOP_N,
    segments: Sequence[str] = (),
    query: str = "",
) -> ClientChoice:
    """The first `limit` clients by planned value (ALL: every one) among those in `segments`
    (none: every segment) whose name or id contains `query` (any case). Ties keep the
    input order, as the charts do."""
    keep = np.ones(len(clients), dtype=bool)
    if segments and SEGMENT in clients.columns:
        keep &= clients[SEGMENT].astype(str).isin(list(segments)).to_numpy()
    q = query.strip().casefold()
    if q:
        names = clients[NAME].astype(str).str.casefold()
        ids = pd.Series(clients.index.astype(str), index=clients.index).str.casefold()
        keep &= (names.str.contains(q, regex=False) | ids.str.contains(q, regex=False)).to_numpy()
    kept = clients[keep]
    order = kept[VALUE].sort_values(ascending=False, kind="stable").index
    chosen = order if limit == ALL else order[:limit]
    return ClientChoice(
        ids=tuple(str(c) for c in chosen), matched=int(keep.sum()), total=len(clients), limit=limit
    )


def segments_of(clients: pd.DataFrame) -> list[str]:
    """The segments present, sorted (blank ones left out)."""
    if SEGMENT not in clients.columns:
        return []
    seg = clients[SEGMENT].dropna().astype(str)
    return sorted(seg[seg.str.strip() != ""].unique())


def count_choices(n: int) -> list[int]:
    """The counts offered for a plan of `n` clients (ALL: every one), the default first."""
    if n <= TOP_N:
        return [ALL]
    if n <= MORE_N:
        return [TOP_N, ALL]
    # Every client of a very large plan is more than a browser draws in reasonable time
    # (2,000 clients: 11 s): there the largest choice is MOST_N, narrowed by the filters.
    return [TOP_N, MORE_N, ALL if n <= ALL_MAX else MOST_N]


def client_chooser(clients: pd.DataFrame, t: Translator, key: str) -> ClientChoice:
    """The count, segment and search controls in one row, and the clients they choose.
    Widget keys start with `key`, so each tab keeps its own choice."""
    counts = count_choices(len(clients))
    ss = st.session_state
    if ss.get(f"{key}_count") not in counts:
        ss[f"{key}_count"] = counts[0]
    left, mid, right = st.columns([1, 1, 1])
    limit = left.selectbox(
        t("clients_shown"),
        counts,
        key=f"{key}_count",
        format_func=lambda n: (
            t("clients_all", n=len(clients)) if n == ALL else t("clients_top", n=n)
        ),
    )
    options = segments_of(clients)
    chosen_segments = mid.multiselect(
        t("clients_segment"),
        options,
        key=f"{key}_segments",
        placeholder=t("clients_segment_any"),
        disabled=not options,
    )
    query = right.text_input(
        t("clients_search"), key=f"{key}_search", help=t("clients_search_help")
    )
    choice = choose_clients(clients, int(limit), chosen_segments, query)
    if choice.matched == 0:
        st.info(t("clients_none"))
    elif not choice.everyone:
        st.caption(
            t(
                "clients_count",
                shown=t.num(len(choice.ids), 0),
                matched=t.num(choice.matched, 0),
                total=t.num(choice.total, 0),
            )
        )
    return choice


def collapsed_lines(
    lines: Sequence[str],
    title: str,
    t: Translator,
    kind: str = "warning",
    key: str = "",
    first: int = FIRST_LINES,
    icon: str | None = None,
) -> None:
    """A titled list of markdown sentences: all of them when few, else the first `first` in
    the box and every one behind an expander whose label gives the count."""
    if not lines:
        return
    box = {"warning": st.warning, "info": st.info, "error": st.error}[kind]
    head = "\n".join(f"- {line}" for line in lines[:first])
    box(title + "\n\n" + head, icon=icon)
    rest = len(lines) - first
    if rest > 0:
        # Inside a bounded box: a thousand sentences scroll instead of growing the page.
        with (
            st.expander(t("list_all", n=t.num(len(lines), 0)), expanded=False),
            st.container(height=min(400, 28 * len(lines) + 20), border=False, key=key or None),
        ):
            st.markdown("\n".join(f"- {line}" for line in lines))
