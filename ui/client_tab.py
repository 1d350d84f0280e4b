"""The Client view: one client's plan, its value curves, and what it would take to fund the
rest."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from optimizer.schema import (
    ATTAINABLE,
    CAPACITY,
    CLIENT_ID,
    COMMITTED_UNITS,
    MAX_UNITS,
    NAME,
    SEGMENT,
    SHARE,
    UNIT,
    UNITS,
    VALUE,
    WEIGHT,
    WHY,
    use_col,
)

from . import charts
from .state import Context
from .text import md_text
from .widgets import needed_caption, render_client_checklist, show_table, shown_plan

PICK_KEY = "client_pick"  # the chosen client id, kept while the tab is closed
WIDGET_KEY = "client_pick_widget"


def _on_pick() -> None:
    st.session_state[PICK_KEY] = st.session_state[WIDGET_KEY]


def render_client(ctx: Context) -> None:
    """The Client view tab."""
    t = ctx.t
    shown = shown_plan(ctx)
    if shown is None:
        return
    problem, result = shown
    ids = list(problem.clients.index)
    if not ids:
        st.info(t("client_none"))
        return
    ss = st.session_state
    if ss.get(PICK_KEY) not in ids:
        ss[PICK_KEY] = ids[0]
    if ss.get(WIDGET_KEY) not in ids:
        ss[WIDGET_KEY] = ss[PICK_KEY]
    # One label per client built at once: the box asks for each of thousands on every run.
    names = problem.clients[NAME].astype(str)
    labels = dict(zip(ids, (names + " (" + names.index.astype(str) + ")").tolist()))
    cid = st.selectbox(
        t("client_pick"),
        ids,
        key=WIDGET_KEY,
        on_change=_on_pick,
        format_func=labels.__getitem__,
    )
    ss[PICK_KEY] = cid
    if not result.has_plan:
        st.info(t("client_no_plan"))
        return
    row = result.clients.loc[cid]
    cols = st.columns(4)
    cols[0].metric(t("kpi_value"), t.num(float(row[VALUE]), 1), help=t("client_value_help"))
    cols[1].metric(
        t("kpi_share"),
        t.pct(float(row[SHARE]), 1) if pd.notna(row[SHARE]) else "–",
        help=t("client_share_help", attainable=t.num(float(row[ATTAINABLE]), 1)),
    )
    cols[2].metric(t("client_weight"), t.num(float(row[WEIGHT]), 2), help=t("client_weight_help"))
    cols[3].metric(t("client_segment"), md_text(row[SEGMENT]) or "–")
    pcols = st.columns(max(len(result.pools), 1))
    for col, (p, pr) in zip(pcols, result.pools.iterrows()):
        used = float(row[use_col(p)])
        cap = float(pr[CAPACITY])
        col.metric(
            t.md("client_pool_use", pool=pr[NAME], unit=pr[UNIT]),
            t.num(used),
            help=t("client_pool_use_help"),
        )
        col.caption(t("client_pool_share", share=t.pct(used / cap, 1) if cap > 0 else "–"))

    st.subheader(t("client_plan_title"))
    alloc = result.allocation
    mine = alloc[alloc.index.get_level_values(CLIENT_ID) == cid]
    mids = mine.index.get_level_values(1)
    table = pd.DataFrame(
        {
            t("col_method"): result.methods[NAME].reindex(mids).to_numpy(),
            t("col_units"): mine[UNITS].to_numpy(),
            t("col_max_units"): mine[MAX_UNITS].to_numpy(),
            t("col_committed"): mine[COMMITTED_UNITS].to_numpy(),
            t("col_value"): mine[VALUE].to_numpy(),
        }
    )
    decimals = {t("col_units"): 2, t("col_max_units"): 0, t("col_committed"): 0, t("col_value"): 1}
    for p, pr in result.pools.iterrows():
        table[f"{pr[NAME]} ({pr[UNIT]})"] = mine[use_col(p)].to_numpy()
        decimals[f"{pr[NAME]} ({pr[UNIT]})"] = 1
    show_table(table, t, decimals, key="client_table")
    offered = set(mids)
    missing = [m for m in problem.methods.index if m not in offered]
    if missing:
        st.caption(
            t.md(
                "client_not_offered",
                methods=[str(problem.methods.at[m, NAME]) for m in missing],
            )
        )
    render_client_checklist(ctx, problem, cid)

    st.plotly_chart(charts.value_curves(problem, result, cid, t), key="chart_curves")
    st.caption(t("curve_caption"))

    st.subheader(t("client_rest_title"))
    unf = result.unfunded
    mine_u = unf[unf.index.get_level_values(CLIENT_ID) == cid]
    if mine_u.empty:
        st.success(t("client_all_funded"))
        return
    lines = []
    for (_, m), r in mine_u.iterrows():
        funded = t(
            "x_of_y",
            x=t.num(float(r[UNITS]), None if float(r[UNITS]).is_integer() else 2),
            y=t.num(float(r[MAX_UNITS]), 0),
        )
        lines.append(
            f"- **{md_text(problem.methods.at[m, NAME])}** ({funded} {t('units_funded')}): "
            f"{t.md.render(r[WHY])}"
        )
    st.markdown("\n".join(lines))
    caption = needed_caption(result)  # what the needed values are
    if caption:
        st.caption(t(caption))
