"""What-if tab: the plan against a baseline, the value frontier of a pool (and of two), how
far the plan's answers hold, and how robust it is to uncertain values.

Frontier, grid, sensitivity and robustness run in a background thread of this session, so the
page stays live: a progress bar follows the run and a Stop button ends it early, keeping what
was computed (marked partial).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from optimizer import analysis as an
from optimizer.analysis.common import MAX_DRAWS, MAX_GRID_POINTS, MAX_SWEEP_STEPS
from optimizer.messages import Message
from optimizer.relationship import widening_factors
from optimizer.schema import (
    CAPACITY,
    NAME,
    SHADOW_PRICE,
    UNIT,
    USED,
    VALUE,
    Problem,
    Result,
)

from . import analysis_charts as charts
from . import state
from .robust_view import render_robust_panel
from .state import Context
from .text import Translator, md_text, unit_text
from .widgets import render_diff, styled

JOBS_KEY = "whatif_jobs"  # kind -> Job (running or finished, not yet shown)
RESULTS_KEY = "whatif_results"  # kind -> (key, result)
BASELINE_KEY = state.BASELINE_KEY  # (Problem, Result, label) pinned as the baseline
PCT_PREFIX = "whatif_pct::"  # + pool id: the tab's capacity change in percent
POLL_S = 0.4
NO_PLAN = "\u0000no plan"  # a run's error when the baseline has no plan

# What a visitor may ask, within the engine's bounds (optimizer.analysis.common): every step,
# grid point and draw is a re-solve on a server the sessions share. A sweep of 500 steps is
# finer than the chart; a grid of 40 x 40 = 1,600 points; 100,000 draws pin every share shown
# to within 0.3 percentage points (a run can be stopped from the page and keeps what it has).
SWEEP_STEPS = min(500, MAX_SWEEP_STEPS)
# The search for change points on the page: at most this long (the visitor may choose less or
# more up to BREAK_SECONDS_MAX); the stretches it does not finish are hatched and listed.
BREAK_SECONDS = 10
BREAK_SECONDS_MAX = 300
GRID_STEPS = min(40, math.isqrt(MAX_GRID_POINTS))
DRAWS = min(100_000, MAX_DRAWS)


# ---- background runs ------------------------------------------------------------------------
@dataclass
class Job:
    """One analysis running in a thread; the thread touches only this object."""

    kind: str
    key: tuple
    started: float = field(default_factory=time.monotonic)
    progress: float = 0.0
    result: Any = None
    error: Message | str | None = None  # what went wrong, said in the page's language later
    stop: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)

    def set_progress(self, fraction: float) -> None:
        self.progress = float(fraction)


def start_job(kind: str, key: tuple, fn: Callable[..., Any]) -> Job:
    """Run fn(progress=..., stop_flag=...) in a thread; stops a run of the same kind first."""
    jobs: dict[str, Job] = st.session_state.setdefault(JOBS_KEY, {})
    old = jobs.get(kind)
    if old is not None:
        old.stop.set()
    job = Job(kind, key)

    def run() -> None:
        try:
            job.result = fn(progress=job.set_progress, stop_flag=job.stop.is_set)
        except an.NoPlanError:
            job.error = NO_PLAN
        except an.AnalysisError as exc:
            job.error = exc.msg
        except Exception as exc:  # shown in the tab; the page keeps working
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            job.done.set()

    jobs[kind] = job
    threading.Thread(target=run, name=f"whatif-{kind}", daemon=True).start()
    return job


def _collect(kind: str) -> None:
    """Move a finished run's answer to the results."""
    jobs: dict[str, Job] = st.session_state.get(JOBS_KEY, {})
    job = jobs.get(kind)
    if job is not None and job.done.is_set():
        st.session_state.setdefault(RESULTS_KEY, {})[kind] = (job.key, job.result, job.error)
        del jobs[kind]


def wait_for(kind: str, timeout: float = 60.0) -> None:
    """Block until a run of `kind` ends (for scripted use and tests)."""
    job = st.session_state.get(JOBS_KEY, {}).get(kind)
    if job is not None:
        job.done.wait(timeout)


def _running(kind: str) -> Job | None:
    job = st.session_state.get(JOBS_KEY, {}).get(kind)
    return job if job is not None and not job.done.is_set() else None


def _progress_view(kind: str, t: Translator) -> None:
    """Progress bar and Stop button, refreshed while the run lasts."""

    def body() -> None:
        job = st.session_state.get(JOBS_KEY, {}).get(kind)
        if job is None:
            return
        if job.done.is_set():
            st.rerun()  # redraw the whole tab with the answer
        st.progress(
            min(max(job.progress, 0.0), 1.0), text=t("wi_running", pct=t.pct(job.progress, 0))
        )
        st.button(
            t("wi_stop"), key=f"whatif_stop::{kind}", on_click=job.stop.set, help=t("wi_stop_help")
        )

    st.fragment(body, run_every=POLL_S)()


def _section(kind: str, key: tuple, t: Translator, show: Callable[[Any], None]) -> None:
    """The answer of the last run of `kind`, the progress of a running one, or nothing."""
    if _running(kind) is not None:
        _progress_view(kind, t)
        return
    _collect(kind)
    got = st.session_state.get(RESULTS_KEY, {}).get(kind)
    if got is None:
        return
    run_key, result, error = got
    if error:
        st.warning(
            t("wi_needs_plan")
            if error == NO_PLAN
            else t.md.render(error)
            if isinstance(error, Message)
            else md_text(error)
        )
        return
    if run_key[0] != key[0]:
        st.caption(t("wi_old_inputs"))
    if getattr(result, "partial", False):
        st.warning(t("wi_partial"))
    show(result)


# ---- helpers --------------------------------------------------------------------------------
def _names(problem: Problem) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    return (
        problem.clients[NAME].astype(str).to_dict(),
        problem.methods[NAME].astype(str).to_dict(),
        problem.resources[NAME].astype(str).to_dict(),
    )


def _pool_label(problem: Problem, pool: str) -> str:
    r = problem.resources.loc[pool]
    return f"{r[NAME]} ({unit_text(r[UNIT], st.session_state.get(state.LANG_KEY, 'en'))})"


def variant(problem: Problem, changes: dict[str, float]) -> Problem:
    """The problem with each pool's capacity changed by a percentage."""
    out = problem
    for pool, pct in changes.items():
        if pct and pool in problem.resources.index:
            cap = float(problem.resources.at[pool, CAPACITY])
            out = out.with_capacity(pool, max(0.0, cap * (1 + pct / 100.0)))
    return out


def _pin(problem: Problem, result: Result, label: str) -> None:
    st.session_state[BASELINE_KEY] = (problem, result, label)


def _unpin() -> None:
    st.session_state.pop(BASELINE_KEY, None)


def _apply(problem: Problem, changes: dict[str, float]) -> None:
    """Write the tab's capacities into the inputs and reset the percentages."""
    changed = variant(problem, changes)
    for pool in changes:
        if changes[pool]:
            state.set_capacity(pool, float(changed.resources.at[pool, CAPACITY]))
        st.session_state[PCT_PREFIX + pool] = 0


def _reset_pcts(pools: list[str]) -> None:
    for p in pools:
        st.session_state[PCT_PREFIX + p] = 0


# ---- what-if against the baseline -----------------------------------------------------------
def render_delta(ctx: Context, problem: Problem, result: Result) -> None:
    t = ctx.t
    st.subheader(t("wi_delta_title"))
    st.caption(t("wi_delta_intro"))
    pools = problem.pools
    cols = st.columns(len(pools) or 1)
    changes: dict[str, float] = {}
    for col, p in zip(cols, pools):
        st.session_state.setdefault(PCT_PREFIX + p, 0)
        changes[p] = float(
            col.slider(
                t.md("wi_pct", pool=_pool_label(problem, p)),
                min_value=-90,
                max_value=200,
                step=5,
                key=PCT_PREFIX + p,
                format="%d%%",
            )
        )
    pinned = st.session_state.get(BASELINE_KEY)
    b1, b2, b3, b4 = st.columns(4)
    b1.button(
        t("wi_pin"),
        on_click=_pin,
        args=(problem, result, t("wi_pinned_label")),
        help=t("wi_pin_help"),
    )
    if pinned is not None:
        b2.button(t("wi_unpin"), on_click=_unpin)
    if any(changes.values()):
        b3.button(t("wi_apply"), on_click=_apply, args=(problem, changes), help=t("wi_apply_help"))
        b4.button(t("wi_reset"), on_click=_reset_pcts, args=(pools,))
    if pinned is not None:
        base_p, base_r, _ = pinned
        base_label = t("wi_baseline_pinned")
    else:
        base_p, base_r, base_label = problem, result, t("wi_baseline_current")
    new_p = variant(problem, changes)
    if pinned is None and new_p is problem:
        st.info(t("wi_delta_hint"))
        return
    new_r = ctx.solve(new_p) if new_p is not problem else result
    d = an.compare(
        base_p, base_r, new_p, new_r, names=(base_label, t("wi_whatif_label")), quotes=ctx.quotes
    )
    names = [_names(p) for p in (base_p, new_p)]
    client_names, method_names, pool_names = ({**a, **b} for a, b in zip(*names))
    render_diff(d, t, client_names, method_names, pool_names, key="whatif")


# ---- frontier -------------------------------------------------------------------------------
def render_frontier(ctx: Context, problem: Problem) -> None:
    t = ctx.t
    st.subheader(t("wi_frontier_heading"))
    st.caption(t("wi_frontier_intro"))
    pools = problem.pools
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
    pool = c1.selectbox(
        t("wi_pool"), pools, format_func=lambda p: _pool_label(problem, p), key="whatif_sweep_pool"
    )
    cap = float(problem.resources.at[pool, CAPACITY])
    lo = c2.number_input(
        t("wi_from"), min_value=0.0, value=round(0.5 * cap, 6), key=f"whatif_from::{pool}"
    )
    hi = c3.number_input(
        t("wi_to"), min_value=0.0, value=round(1.5 * cap, 6) or 1.0, key=f"whatif_to::{pool}"
    )
    steps = int(
        c4.number_input(
            t("wi_steps"), min_value=2, max_value=SWEEP_STEPS, value=41, key="whatif_steps"
        )
    )
    d1, d2 = st.columns([2, 1])
    find = d1.checkbox(
        t("wi_find_breaks"), value=True, key="whatif_find_breaks", help=t("wi_find_breaks_help")
    )
    seconds = float(
        d2.number_input(
            t("wi_break_seconds"),
            min_value=0,
            max_value=BREAK_SECONDS_MAX,
            value=BREAK_SECONDS,
            step=5,
            key="whatif_break_seconds",
            disabled=not find,
            help=t("wi_break_seconds_help"),
        )
    )
    key = (problem.fingerprint(), pool, lo, hi, steps, find, seconds)
    if st.button(t("wi_run_frontier"), key="whatif_run_sweep", type="primary"):
        if hi <= lo:
            st.error(t("wi_bad_range"))
        else:
            start_job(
                "sweep",
                key,
                lambda **kw: an.sweep(
                    problem, pool, lo, hi, steps, breakpoints=find, max_seconds=seconds, **kw
                ),
            )
    names = _names(problem)[0]

    def show(sw: an.Sweep) -> None:
        label = str(problem.resources.at[sw.pool, NAME]) if sw.pool in problem.pools else sw.pool
        # Prices per the pool's quoted amount, the same on every tab (optimizer.quoting).
        quote = ctx.quote(sw.pool, cap)
        per = {"amount": t.num(quote, 0), "unit": sw.unit}
        st.plotly_chart(
            charts.frontier_figure(sw, t, label, names, quote=quote),
            width="stretch",
            key="whatif_frontier_chart",
        )
        if sw.integer:
            st.caption(t("wi_integer_note"))
        # The sweep's other notes (the mode it maximised, how change points were searched);
        # whole units and an unfinished search have the page's own words above and below.
        for note in sw.note_msgs:
            if note.code not in ("analysis_note_whole_units", "analysis_note_truncated"):
                st.caption(t.md.render(note))
        if sw.unresolved:
            span = float(sw.points["capacity"].iloc[-1] - sw.points["capacity"].iloc[0])
            share = sum(b - a for a, b in sw.unresolved) / span if span else 1.0
            st.warning(
                t(
                    "wi_truncated",
                    seconds=t.num(sw.search_seconds, 1),
                    solves=sw.search_solves,
                    n=len(sw.breakpoints),
                    k=len(sw.unresolved),
                    share=t.pct(share, 0),
                )
            )
            with st.expander(t("wi_unresolved_title", n=len(sw.unresolved))):
                spans = pd.DataFrame(
                    sw.unresolved, columns=[t("wi_unresolved_from"), t("wi_unresolved_to")]
                )
                st.dataframe(
                    styled(spans, t, dict.fromkeys(spans.columns, 1)),
                    hide_index=True,
                    width="stretch",
                    height=min(400, 38 + 35 * len(spans)),
                )
        if sw.feasible_from is not None:
            st.info(
                t.md("wi_feasible_from", amount=t.num(sw.feasible_from), unit=sw.unit, pool=label)
            )
        bps = sw.breakpoints
        if len(bps):
            with st.expander(t("wi_breaks_title", n=len(bps))):
                frame = pd.DataFrame(
                    {
                        t("wi_capacity"): bps["capacity"],
                        t("wi_value_axis"): bps["objective"],
                        t("wi_price_before", **per): bps["price_before"] * quote,
                        t("wi_price_after", **per): bps["price_after"] * quote,
                        t("wi_more"): [
                            ", ".join(f"{names.get(c, c)} · {m}" for c, m in x) for x in bps["more"]
                        ],
                        t("wi_less"): [
                            ", ".join(f"{names.get(c, c)} · {m}" for c, m in x) for x in bps["less"]
                        ],
                    }
                )
                st.dataframe(
                    styled(
                        frame,
                        t,
                        {
                            t("wi_capacity"): 1,
                            t("wi_value_axis"): 1,
                            t("wi_price_before", **per): 4,
                            t("wi_price_after", **per): 4,
                        },
                    ),
                    hide_index=True,
                    width="stretch",
                )

    _section("sweep", key, t, show)

    with st.expander(t("wi_grid_heading")):
        others = [p for p in pools if p != pool]
        if not others:
            st.caption(t("wi_grid_one_pool"))
            return
        g1, g2 = st.columns([2, 1])
        other = g1.selectbox(
            t("wi_pool_2"),
            others,
            format_func=lambda p: _pool_label(problem, p),
            key="whatif_grid_y",
        )
        n = int(
            g2.number_input(
                t("wi_grid_steps"),
                min_value=2,
                max_value=GRID_STEPS,
                value=11,
                key="whatif_grid_steps",
            )
        )
        ocap = float(problem.resources.at[other, CAPACITY])
        gkey = (problem.fingerprint(), pool, lo, hi, other, n)
        if st.button(t("wi_run_grid"), key="whatif_run_grid"):
            if hi <= lo:
                st.error(t("wi_bad_range"))
            else:
                start_job(
                    "grid",
                    gkey,
                    lambda **kw: an.grid(
                        problem, pool, (lo, hi), other, (0.5 * ocap, 1.5 * ocap or 1.0), n, **kw
                    ),
                )

        def show_grid(g: an.Grid) -> None:
            now = (
                (
                    float(problem.resources.at[g.x_pool, CAPACITY]),
                    float(problem.resources.at[g.y_pool, CAPACITY]),
                )
                if g.x_pool in problem.pools and g.y_pool in problem.pools
                else None
            )
            st.plotly_chart(
                charts.grid_heatmap(
                    g, t, _pool_label(problem, g.x_pool), _pool_label(problem, g.y_pool), now
                ),
                width="stretch",
                key="whatif_grid_chart",
            )

        _section("grid", gkey, t, show_grid)


# ---- sensitivity ----------------------------------------------------------------------------
def render_sensitivity(ctx: Context, problem: Problem) -> None:
    t = ctx.t
    st.subheader(t("wi_sens_heading"))
    st.caption(t("wi_sens_intro"))
    key = (problem.fingerprint(),)
    if st.button(t("wi_run_sens"), key="whatif_run_sens"):
        start_job("sensitivity", key, lambda **kw: an.sensitivity(problem, **kw))
    clients, methods, _ = _names(problem)

    def show(se: an.Sensitivity) -> None:
        if se.continuous:
            st.caption(t("wi_sens_continuous"))
        p = se.pools
        amounts = pd.Series(
            {q: ctx.quote(str(q), float(c)) for q, c in p[CAPACITY].items()}, dtype=float
        )
        pools = pd.DataFrame(
            {
                t("col_pool"): p[NAME],
                t("col_unit"): p[UNIT],
                t("col_capacity"): p[CAPACITY],
                t("col_used"): p[USED],
                t("col_quoted_per"): amounts.reindex(p.index),
                t("col_quoted_price"): p[SHADOW_PRICE].astype(float) * amounts.reindex(p.index),
                t("wi_holds_from"): p["holds_from"],
                t("wi_holds_to"): p["holds_to"],
                t("wi_feasible_min"): p["feasible_from"],
            }
        )
        st.dataframe(
            styled(
                pools,
                t,
                {
                    t("col_capacity"): 1,
                    t("col_used"): 1,
                    t("col_quoted_per"): 0,
                    t("col_quoted_price"): 4,
                    t("wi_holds_from"): 1,
                    t("wi_holds_to"): 1,
                    t("wi_feasible_min"): 1,
                },
            ),
            hide_index=True,
            width="stretch",
        )
        c = se.cells
        idx = c.index
        cells = pd.DataFrame(
            {
                t("col_client"): [clients.get(x, x) for x in idx.get_level_values(0)],
                t("col_method"): [methods.get(x, x) for x in idx.get_level_values(1)],
                t("col_units"): c["units"].to_numpy(),
                t("col_value"): c[VALUE].to_numpy(),
                t("wi_changes_below"): c["changes_below"].to_numpy(),
                t("wi_leaves_below"): c["leaves_below"].to_numpy(),
                t("wi_drop_share"): c["drop_share"].to_numpy(),
            }
        )
        cells = cells.sort_values(t("wi_drop_share"), kind="stable")
        st.markdown(f"**{t('wi_cells_title')}**")
        st.caption(t("wi_cells_caption"))
        st.dataframe(
            styled(
                cells,
                t,
                {
                    t("col_units"): 2,
                    t("col_value"): 1,
                    t("wi_changes_below"): 1,
                    t("wi_leaves_below"): 1,
                },
                {t("wi_drop_share"): 0},
            ),
            hide_index=True,
            width="stretch",
        )

    _section("sensitivity", key, t, show)


# ---- robustness -----------------------------------------------------------------------------
def render_robustness(ctx: Context, problem: Problem) -> None:
    t = ctx.t
    st.subheader(t("wi_rb_heading"))
    st.caption(t("wi_rb_intro"))
    ranged = int(an.widened_ranges(problem)["ranged"].sum())
    if not ranged:
        st.info(t("wi_rb_no_ranges"))
    c1, c2, c3 = st.columns([1, 1, 2])
    draws = int(
        c1.number_input(
            t("wi_rb_draws"),
            min_value=1,
            max_value=DRAWS,
            value=300,
            step=100,
            key="whatif_draws",
        )
    )
    seed = int(c2.number_input(t("wi_rb_seed"), min_value=0, value=0, key="whatif_seed"))
    widen: dict[str, float] = {}
    if problem.relationship is not None:
        factors = widening_factors(problem)
        use = c3.checkbox(
            t("wi_rb_widen", n=len(factors)),
            value=bool(factors),
            key="whatif_widen",
            help=t("wi_rb_widen_help"),
        )
        widen = factors if use else {}
    key = (problem.fingerprint(), draws, seed, tuple(sorted(widen.items())))
    if st.button(t("wi_run_rb"), key="whatif_run_rb", type="primary"):
        start_job(
            "robustness", key, lambda **kw: an.robustness(problem, draws, seed, widen=widen, **kw)
        )
    clients, methods, _ = _names(problem)

    def show(rb: an.Robustness) -> None:
        s = rb.summary()
        o, g = s["objective"], s["regret"]
        m = st.columns(4)
        m[0].metric(t("wi_rb_mean"), t.num(o["mean"], 0), help=t("wi_rb_mean_help"))
        m[1].metric(
            t("wi_rb_band"),
            f"{t.num(o['p5'], 0)} – {t.num(o['p95'], 0)}",
            help=t("wi_rb_band_help"),
        )
        m[2].metric(t("wi_rb_regret"), t.pct(g["relative_mean"], 2), help=t("wi_rb_regret_help"))
        m[3].metric(
            t("wi_rb_regret_worst"), t.pct(g["relative_max"], 2), help=t("wi_rb_regret_worst_help")
        )
        st.caption(
            t(
                "wi_rb_summary",
                draws=rb.draws,
                seed=rb.seed,
                p95=t.num(g["p95"], 1),
                max=t.num(g["max"], 1),
                widened=len([f for f in rb.widen.values() if f > 1]),
            )
        )
        st.plotly_chart(charts.robustness_histogram(rb, t), width="stretch", key="whatif_rb_hist")
        f = charts.funded_share_frame(rb, clients, methods)
        if len(f):
            st.plotly_chart(
                charts.funded_share_figure(rb, t, clients, methods),
                width="stretch",
                key="whatif_rb_cells",
            )
        else:
            st.success(t("wi_rb_all_stable"))

    _section("robustness", key, t, show)


# ---- the tab --------------------------------------------------------------------------------
def render_whatif(ctx: Context) -> None:
    """The What-if tab."""
    t = ctx.t
    problem, result = ctx.problem, ctx.result
    if problem is None or result is None:
        st.info(t("wi_no_inputs"))
        return
    if problem.settings.objective != "max_value":
        st.caption(t("wi_min_cost_note"))
    render_delta(ctx, problem, result)
    st.divider()
    render_frontier(ctx, problem)
    st.divider()
    render_sensitivity(ctx, problem)
    st.divider()
    render_robustness(ctx, problem)
    st.divider()
    render_robust_panel(ctx, problem, result)
