"""The Plan tab: KPIs, charts, the allocation, pools with shadow prices, what is not funded,
and, when no plan exists, why."""

from __future__ import annotations

import math
import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from optimizer.messages import explanation_lines, status_line
from optimizer.model import CELL_MAX, CLIENT_CAP, COMMITMENT, FLOOR, METHOD_CAP, POOL, TARGET
from optimizer.quoting import quote_amount, quoted
from optimizer.schema import (
    ATTAINABLE,
    CAPACITY,
    COMMITTED_UNITS,
    INFEASIBLE,
    IS_FUNDED,
    LIMITS,
    MAX_UNITS,
    NAME,
    NEEDED_KIND,
    NEEDED_VALUE,
    PRICE_STEP,
    REASON,
    SHADOW_PRICE,
    SLACK,
    STEP_PRICE,
    UNIT,
    UNITS,
    USED,
    VALUE,
    VALUE_PER_MONEY,
    WEIGHTED_VALUE,
    WHY,
    Conflict,
    Problem,
    Result,
    client_cap_col,
    use_col,
)
from optimizer.solve import render_many
from optimizer.tolerances import BINDING, ZERO_PRICE

from . import charts, state
from .lists import MORE_N, SCROLL_PX, client_chooser
from .state import Context
from .text import Translator, unit_text
from .widgets import needed_caption, render_plan_warnings, show_table, shown_plan

CHOOSER_KEY = "plan_clients"  # the chooser's widgets: plan_clients_count, _segments, _search
TABLE_PX = 560  # the allocation and not-funded tables: about twenty rows, scrolling inside
DELTA_BASE_KEY = "plan_delta_base"  # what the KPI deltas are against: baseline | previous
PREV_KEY = "_kpi_history"  # (fingerprint shown, its KPIs, the KPIs of the plan before it)


# ---- pure summaries --------------------------------------------------------------------------
@dataclass(frozen=True)
class Kpis:
    """The headline numbers of a plan."""

    value: float  # total perceived value (unweighted)
    weighted: float  # weighted value: what max_value maximises
    attainable: float
    share: float  # value / attainable
    money: float | None
    pools: dict[str, tuple[float, float]]  # pool -> (used, capacity)


def plan_kpis(result: Result) -> Kpis:
    """KPIs read from a result with a plan."""
    cl = result.clients
    value, attain = float(cl[VALUE].sum()), float(cl[ATTAINABLE].sum())
    return Kpis(
        value=value,
        weighted=float(cl[WEIGHTED_VALUE].sum()),
        attainable=attain,
        share=value / attain if attain > 0 else math.nan,
        money=result.money_spent,
        pools={p: (float(r[USED]), float(r[CAPACITY])) for p, r in result.pools.iterrows()},
    )


def price_scale(row: pd.Series, quotes: Mapping[str, float] | None = None) -> float:
    """The amount of a pool its shadow price is quoted for: the session's amount for the pool
    (kept while the capacity moves, so prices at two budgets compare), else the one its
    capacity suggests (optimizer.quoting)."""
    got = (quotes or {}).get(str(row.name))
    return float(got) if got else quote_amount(float(row[CAPACITY]))


def shadow_sentence(
    row: pd.Series,
    t: Translator,
    min_cost: bool,
    currency: str,
    quotes: Mapping[str, float] | None = None,
) -> str:
    """One pool's shadow price in words, per the pool's quoted amount."""
    price, slack, name = row[SHADOW_PRICE], float(row[SLACK]), row[NAME]
    unit = unit_text(row[UNIT], t.lang)
    if price is None or not math.isfinite(float(price)):
        return t("price_unknown", pool=name)
    price = float(price)
    if abs(price) < ZERO_PRICE:
        if slack > BINDING:
            return t("price_slack", pool=name, slack=t.num(slack), unit=unit)
        return t("price_zero_full", pool=name)
    scale = price_scale(row, quotes)
    amount = t.num(scale, 0)
    worth = quoted(price, scale)
    if min_cost:
        return t(
            "price_saves",
            pool=name,
            amount=amount,
            unit=unit,
            saving=t.num(abs(worth), 2 if abs(worth) < 10 else 1),
            currency=currency,
        )
    return t(
        "price_worth",
        pool=name,
        amount=amount,
        unit=unit,
        worth=t.num(worth, 2 if abs(worth) < 10 else 1),
    )


def status_label(result: Result, t: Translator) -> str:
    return status_line(result, t)


def conflict_fix(c: Conflict, problem: Problem, t: Translator) -> str:
    """What to change on this page so that one conflicting requirement gives way."""
    res, met, cli = problem.resources, problem.methods, problem.clients
    if c.kind == POOL:
        pool, unit = res.at[c.resource_id, NAME], res.at[c.resource_id, UNIT]
        if c.amount is not None and c.forced > c.amount + BINDING:
            return t("fix_pool_to", pool=pool, need=c.forced, unit=unit)
        return t("fix_pool", pool=pool)
    if c.kind == CLIENT_CAP:
        return t(
            "fix_client_cap",
            column=client_cap_col(str(c.resource_id)),
            client=cli.at[c.client_id, NAME],
        )
    if c.kind == METHOD_CAP:
        return t("fix_method_cap", method=met.at[c.method_id, NAME])
    if c.kind == FLOOR:
        return t("fix_floor", client=cli.at[c.client_id, NAME])
    if c.kind == TARGET:
        return t("fix_target")
    if c.kind == COMMITMENT:
        return t(
            "fix_commitment", client=cli.at[c.client_id, NAME], method=met.at[c.method_id, NAME]
        )
    if c.kind == CELL_MAX:
        return t("fix_cell_max", client=cli.at[c.client_id, NAME])
    return ""


# ---- tables ----------------------------------------------------------------------------------
def allocation_table(problem: Problem, result: Result, t: Translator) -> pd.DataFrame:
    """The allocation with names and labelled columns, one row per offered cell."""
    a = result.allocation
    cid, mid = a.index.get_level_values(0), a.index.get_level_values(1)
    out = pd.DataFrame(
        {
            t("col_client"): result.clients[NAME].reindex(cid).to_numpy(),
            t("col_method"): result.methods[NAME].reindex(mid).to_numpy(),
            t("col_units"): a[UNITS].to_numpy(),
            t("col_max_units"): a[MAX_UNITS].to_numpy(),
            t("col_committed"): a[COMMITTED_UNITS].to_numpy(),
            t("col_value"): a[VALUE].to_numpy(),
            t("col_weighted"): a[WEIGHTED_VALUE].to_numpy(),
        }
    )
    for p, r in result.pools.iterrows():
        out[f"{r[NAME]} ({r[UNIT]})"] = a[use_col(p)].to_numpy()
    out[t("col_value_per_money", currency=_money_unit(problem, result))] = (
        a[VALUE_PER_MONEY] * 1000
    ).to_numpy()
    return out


def _money_unit(problem: Problem, result: Result) -> str:
    p = problem.money_pool
    return str(result.pools.at[p, UNIT]) if p in result.pools.index else ""


# Keyed by the result object itself (held weakly, checked on a hit, since an id may be reused
# once its object is gone): two results of the same inputs solved with different needed
# modes or objectives have the same fingerprint but different unfunded frames. Sessions share
# results through the solve cache, so they share these frames too.
_UNFUNDED: OrderedDict[tuple[int, str, str], tuple[weakref.ref[Result], pd.DataFrame]] = (
    OrderedDict()
)
_UNFUNDED_SIZE = 16
_UNFUNDED_ROWS = 300_000  # rows kept in all (50,000 clients: one plan's, about 40 MB)
_UNFUNDED_LOCK = threading.Lock()


def unfunded_table(result: Result, t: Translator) -> pd.DataFrame:
    """Not (fully) funded cells with the reason, in the page's language. Built once per result
    and language, shared by every session and rerun (thousands of reasons take a good part
    of a second to put into words); never modify the frame returned."""
    key = (id(result), t.lang, type(t).__name__)
    with _UNFUNDED_LOCK:
        hit = _UNFUNDED.get(key)
        if hit is not None and hit[0]() is result:
            _UNFUNDED.move_to_end(key)
            return hit[1]
    frame = _unfunded_frame(result, t)
    with _UNFUNDED_LOCK:
        _UNFUNDED[key] = (weakref.ref(result), frame)
        _UNFUNDED.move_to_end(key)
        # A frame whose result no session or cache holds any more is never asked for again.
        for k in [k for k, (ref, _) in _UNFUNDED.items() if ref() is None]:
            del _UNFUNDED[k]
        while len(_UNFUNDED) > 1 and (
            len(_UNFUNDED) > _UNFUNDED_SIZE
            or sum(len(f) for _, f in _UNFUNDED.values()) > _UNFUNDED_ROWS
        ):
            _UNFUNDED.popitem(last=False)
    return frame


def _kind_words(kinds: pd.Series, t: Translator) -> np.ndarray:
    """Each cell's kind of needed value in words: the few distinct kinds are put into words
    once, not once a row."""
    codes, distinct = pd.factorize(kinds.to_numpy(dtype=object))
    words = [t(f"needed_kind_{k}") if isinstance(k, str) else "" for k in distinct]
    return np.array([*words, ""], dtype=object)[codes]  # a missing kind: code -1, ""


def _unfunded_frame(result: Result, t: Translator) -> pd.DataFrame:
    u = result.unfunded
    cid, mid = u.index.get_level_values(0), u.index.get_level_values(1)
    # Cells blocked by the same limits share them: each shared part is put into words once.
    memo: dict[int, str] = {}
    limits = u[LIMITS] if LIMITS in u.columns else pd.Series([()] * len(u), index=u.index)
    blocked: dict[int, str] = {}
    for lims in limits:
        if id(lims) not in blocked:
            blocked[id(lims)] = t.join(lims, memo=memo)
    english = t.lang == "en" and type(t) is Translator  # plain text, not markdown
    # A few distinct "x of y" in thousands of rows: each put into words once.
    pairs = pd.MultiIndex.from_arrays([u[UNITS].astype(float), u[MAX_UNITS].astype(float)])
    distinct = pairs.unique()
    funded = pd.Series(
        [
            t("x_of_y", x=t.num(a, 2 if not a.is_integer() else 0), y=t.num(b, 0))
            for a, b in distinct
        ],
        index=distinct,
        dtype=object,
    )
    return pd.DataFrame(
        {
            t("col_client"): result.clients[NAME].reindex(cid).to_numpy(),
            t("col_method"): result.methods[NAME].reindex(mid).to_numpy(),
            t("col_funded"): funded.reindex(pairs).to_numpy(),
            t("col_value"): u[VALUE].to_numpy(),
            t("col_needed"): u[NEEDED_VALUE].to_numpy(),
            t("col_needed_kind"): _kind_words(u[NEEDED_KIND], t)
            if NEEDED_KIND in u.columns
            else [""] * len(u),
            t("col_blocked_by"): [blocked[id(lims)] for lims in limits],
            # The engine's own column holds the English words already.
            t("col_reason"): u[REASON].to_numpy()
            if english and REASON in u.columns
            else render_many(t, list(u[WHY]), memo),
        }
    )


def pools_table(
    result: Result, t: Translator, quotes: Mapping[str, float] | None = None, currency: str = ""
) -> pd.DataFrame:
    """The pools with each one's price per the amount it is quoted for (the session's
    `quotes`, else the capacity's choice), as the sentences above the table say it: the
    value of that amount more, or in min_cost the money it would save."""
    r = result.pools
    units = [unit_text(u, t.lang) for u in r[UNIT]]
    per = pd.Series([price_scale(row, quotes) for _, row in r.iterrows()], dtype=float)
    price = r[SHADOW_PRICE].astype(float).to_numpy() * per.to_numpy()
    min_cost = result.settings.objective == "min_cost"
    frame = pd.DataFrame(
        {
            t("col_pool"): r[NAME].to_numpy(),
            t("col_unit"): units,
            t("col_capacity"): r[CAPACITY].to_numpy(),
            t("col_used"): r[USED].to_numpy(),
            t("col_slack"): r[SLACK].to_numpy(),
            t("col_quoted_per"): [f"{t.num(a, 0)} {u}" for a, u in zip(per, units)],
            # min_cost: d cost / d capacity, so more of a binding pool saves -price.
            (t("col_quoted_saving", currency=currency) if min_cost else t("col_quoted_price")): (
                -price + 0.0 if min_cost else price
            ),
        }
    )
    # Whole units: beside the LP price with the units fixed, one more step re-solved.
    if result.settings.integer_units and STEP_PRICE in r.columns:
        frame[t("col_price_step")] = r[PRICE_STEP].to_numpy()
        frame[t("col_step_price")] = r[STEP_PRICE].to_numpy()
    return frame


# ---- rendering -------------------------------------------------------------------------------
def _kpi_deltas(result: Result, kpis: Kpis) -> Kpis | None:
    """The KPIs of the plan shown before this one (None on the first plan)."""
    ss = st.session_state
    shown = ss.get(PREV_KEY)
    if shown is None:
        ss[PREV_KEY] = (result.fingerprint, kpis, None)
        return None
    fp, current, previous = shown
    if fp != result.fingerprint:
        ss[PREV_KEY] = (result.fingerprint, kpis, current)
        return current
    return previous


def _delta(
    t: Translator, now: float, before: float | None, decimals: int = 0, pct: bool = False
) -> str | None:
    if before is None or not math.isfinite(now) or not math.isfinite(before):
        return None
    d = now - before
    if abs(d) < (5e-4 if pct else 0.05):  # smaller than the last digit the KPI shows
        return None
    # A change of a share is a difference of percentages: percentage points.
    text = t("pp", x=t.num(abs(d) * 100, 1)) if pct else t.num(abs(d), decimals)
    return ("+" if d > 0 else "-") + text


def _delta_base(ctx: Context, result: Result, k: Kpis) -> tuple[Kpis | None, str]:
    """The KPIs the deltas are against, and how to say so: the previous inputs, or the
    What-if tab's pinned baseline when there is one and the user chose it."""
    prev = _kpi_deltas(result, k)
    pinned = st.session_state.get(state.BASELINE_KEY)
    if pinned is None or not pinned[1].has_plan:
        return prev, "vs_previous"
    t = ctx.t
    state.relabel_on_language((DELTA_BASE_KEY,), t.lang, "plan_delta")
    choice = st.segmented_control(
        t("delta_against"),
        ["baseline", "previous"],
        format_func=lambda v: t(f"vs_{v}"),
        default="baseline",
        key=DELTA_BASE_KEY,
    )
    if choice == "previous":
        return prev, "vs_previous"
    return plan_kpis(pinned[1]), "vs_baseline"


def render_kpis(ctx: Context, problem: Problem, result: Result) -> None:
    t = ctx.t
    k = plan_kpis(result)
    prev, against = _delta_base(ctx, result, k)

    def metric(
        col: Any, label: str, value: str, help_: str, delta: str | None = None, **kw: Any
    ) -> None:
        # The "vs the previous inputs" note only beside an actual change.
        col.metric(
            label,
            value,
            help=help_,
            delta=delta,
            delta_description=t(against) if delta else None,
            **kw,
        )

    cols = st.columns(4)
    metric(
        cols[0],
        t("kpi_value"),
        t.num(k.value, 0),
        t("kpi_value_help"),
        _delta(t, k.value, prev.value if prev else None),
    )
    metric(
        cols[1],
        t("kpi_share"),
        t.pct(k.share, 1),
        t("kpi_share_help"),
        _delta(t, k.share, prev.share if prev else None, pct=True),
    )
    metric(
        cols[2],
        t("kpi_weighted"),
        t.num(k.weighted, 0),
        t("kpi_weighted_help"),
        _delta(t, k.weighted, prev.weighted if prev else None),
    )
    metric(cols[3], t("kpi_status"), status_label(result, t), t("kpi_status_help"))
    cols[3].caption(t("status_detail", solver=result.solver, seconds=t.num(result.seconds, 2)))
    pcols = st.columns(max(len(k.pools), 1) + (1 if result.settings.integer_units else 0))
    for col, (p, (used, cap)) in zip(pcols, k.pools.items()):
        r = result.pools.loc[p]
        metric(
            col,
            t.md("kpi_pool", pool=r[NAME], unit=unit_text(r[UNIT], t.lang)),
            t(
                "x_of_y",
                x=t.num(used, 0 if used >= 100 else 1),
                y=t.num(cap, 0 if cap >= 100 else 1),
            ),
            t.md("kpi_pool_help", pool=r[NAME]),
            _delta(t, used, prev.pools.get(p, (None,))[0] if prev else None),
            delta_color="off",
        )
        col.progress(
            min(max(used / cap, 0.0), 1.0) if cap > 0 else 0.0,
            text=t.pct(used / cap, 0) if cap > 0 else "",
        )
    if result.settings.integer_units:
        col = pcols[-1]
        col.metric(
            t("kpi_gap"),
            "–" if result.gap is None else t.pct(result.gap, 2),
            help=t("kpi_gap_help"),
        )
        if (
            result.lp_objective is not None
            and result.objective is not None
            and result.settings.objective == "max_value"
        ):
            cost = result.lp_objective - result.objective
            col.caption(t("gap_detail", lp=t.num(result.lp_objective, 0), cost=t.num(cost, 1)))
    if result.settings.objective == "min_cost":
        st.info(
            t.md(
                "min_cost_summary",
                money=t.num(result.money_spent or 0.0, 0),
                currency=_money_unit(problem, result),
                target=t.num(result.target_value or 0.0, 0),
                share=t.pct(result.settings.target_value_share, 0),
                reached=t.num(k.weighted, 0),
            )
        )


def render_no_plan(ctx: Context, problem: Problem, result: Result) -> None:
    t = ctx.t
    if result.status == INFEASIBLE:
        st.error(t("infeasible_title"))
        md = t.md  # the requirements and fixes name pools, clients and methods
        pairs = [(md.render(c.msg), conflict_fix(c, problem, md)) for c in result.conflicts]
        if pairs:
            st.markdown(t("infeasible_intro"))
            st.markdown(
                "\n".join(
                    f"- **{req}**" + (f"  \n  {t('what_to_change')}: {fix}" if fix else "")
                    for req, fix in pairs
                )
            )
            st.markdown(t("infeasible_outro"))
        else:
            st.markdown("\n".join(explanation_lines(result, t.md)))
    else:
        st.error(t("error_title"))
        st.code(result.message or "\n".join(explanation_lines(result, t)) or status_line(result, t))
        st.markdown(t("error_hint"))


def render_charts(result: Result, t: Translator) -> None:
    """The heatmap and the two bar charts for the clients the chooser picks (the top 25 by
    value unless the user asks for more); every client of a large plan scrolls in a box."""
    choice = client_chooser(result.clients, t, CHOOSER_KEY)
    if not choice.ids:
        return
    ids = list(choice.ids)
    # A chart of hundreds of clients scrolls inside a box, so the page keeps its height.
    tall = len(ids) > MORE_N
    box = st.container(height=SCROLL_PX, border=False) if tall else st.container()
    with box:
        st.plotly_chart(charts.units_heatmap(result, t, ids), key="chart_heatmap")
    box = st.container(height=SCROLL_PX, border=False) if tall else st.container()
    with box:
        # One above the other at the page's width: side by side, each legend (beside its
        # chart, so it never sits on the x-axis title) left the bars a sliver of half a page.
        st.plotly_chart(charts.value_by_client(result, t, ids), key="chart_value")
        st.plotly_chart(charts.pool_use_by_client(result, t, ids), key="chart_pools")


def render_plan(ctx: Context) -> None:
    """The Plan tab."""
    t = ctx.t
    shown = shown_plan(ctx)
    if shown is None:
        return
    problem, result = shown
    if not result.has_plan:
        render_no_plan(ctx, problem, result)
        return
    render_kpis(ctx, problem, result)
    render_plan_warnings(ctx, problem, result)
    render_charts(result, t)

    st.subheader(t("pools_title"))
    min_cost = result.settings.objective == "min_cost"
    for _, row in result.pools.iterrows():
        st.markdown("- " + shadow_sentence(row, t.md, min_cost, ctx.settings.currency, ctx.quotes))
    st.caption(t("pools_caption_int") if result.settings.integer_units else t("pools_caption"))
    show_table(
        pools_table(result, t, ctx.quotes, ctx.settings.currency),
        t,
        {
            t("col_capacity"): 1,
            t("col_used"): 1,
            t("col_slack"): 1,
            t("col_quoted_price"): 2,
            t("col_quoted_saving", currency=ctx.settings.currency): 2,
            t("col_price_step"): 1,
            t("col_step_price"): 4,
        },
        key="table_pools",
    )

    st.subheader(t("allocation_title"))
    st.caption(t("allocation_caption"))
    alloc = allocation_table(problem, result, t)
    funded_only = st.toggle(t("funded_only"), value=True, key="alloc_funded_only")
    if funded_only:
        alloc = alloc[result.allocation[IS_FUNDED].to_numpy()]
    dec = dict.fromkeys(alloc.columns[2:], 1)
    dec[t("col_max_units")] = 0
    dec[t("col_committed")] = 0
    dec[t("col_units")] = 2
    dec[alloc.columns[-1]] = 2
    with st.container(key="plan_allocation"):
        show_table(alloc, t, dec, key="table_allocation", height=TABLE_PX)

    st.subheader(t("unfunded_title"))
    st.caption(t("unfunded_caption"))
    caption = needed_caption(result)  # what the needed values are
    if caption:
        st.caption(t(caption))
    unf = unfunded_table(result, t)
    if unf.empty:
        st.success(t("unfunded_none"))
    else:
        show_table(
            unf,
            t,
            {t("col_value"): 1, t("col_needed"): 1},
            key="table_unfunded",
            # The blocking limit has its own column, before the long reason, so it shows
            # whatever the width; the whole reason shows on hover.
            column_config={
                t("col_blocked_by"): st.column_config.TextColumn(width="large"),
                t("col_reason"): st.column_config.TextColumn(width="large"),
            },
            height=TABLE_PX,
        )
