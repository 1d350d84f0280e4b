"""Charts and tables of the What-if and Scenarios tabs: pure functions from analysis results to
plotly Figures or display frames. No streamlit here, so each is tested through its data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from optimizer.analysis import Grid, Robustness, ScenarioDiff, Sweep
from optimizer.schema import NAME, SHADOW_PRICE, UNIT
from optimizer.tolerances import funded

from .charts import plot_text
from .text import Translator

ROW_PX = 26
BEST_COLOR, PLAN_COLOR = "#4C78A8", "#F58518"


def figure_layout(
    fig: go.Figure, t: Translator, height: int, legend_y: float = -0.15, **kw: object
) -> go.Figure:
    """The analysis charts' common layout: height, margins, the language's number signs and
    a horizontal legend `legend_y` below the plot (as a share of its height)."""
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=50, b=10),
        separators=t.separators,
        legend=dict(orientation="h", y=legend_y, yanchor="top"),
        **kw,
    )
    return fig


def _cells_text(
    cells: list[tuple[str, str]], names: Mapping[str, str] | None = None, limit: int = 6
) -> str:
    shown = [
        f"{plot_text(names.get(c, c) if names else c)} · {plot_text(m)}" for c, m in cells[:limit]
    ]
    if len(cells) > limit:
        shown.append(f"+{len(cells) - limit}")
    return "<br>".join(shown) or "–"


# Change points drawn as markers on the curve up to this many; past it the strip alone says
# where they are (hundreds of markers would hide the curve).
MARK_LIMIT = 40
TOP_K = 3  # change points named in a strip bar's hover: the largest price drops
STRIP_BINS = (20, 80)  # bars in the strip: one per grid step, within these bounds
UNRESOLVED_COLOR = "#9E9E9E"


def breakpoint_strip(sw: Sweep, bins: int | None = None) -> pd.DataFrame:
    """Change points counted per bar of the frontier's strip: start, stop, count and the
    positions (in sw.breakpoints) of the TOP_K largest price drops in each bar."""
    pts = sw.points["capacity"].to_numpy(dtype=float)
    lo, hi = (float(pts[0]), float(pts[-1])) if len(pts) else (0.0, 1.0)
    lo, hi = (lo, hi) if hi > lo else (lo, lo + 1.0)
    n = bins or int(np.clip(len(pts) - 1, *STRIP_BINS))
    edges = np.linspace(lo, hi, n + 1)
    bps = sw.breakpoints
    caps = bps["capacity"].to_numpy(dtype=float)
    where = np.clip(np.searchsorted(edges, caps, side="right") - 1, 0, n - 1)
    drop = np.nan_to_num(
        bps["price_before"].to_numpy(dtype=float) - bps["price_after"].to_numpy(dtype=float)
    )
    order = np.lexsort((-drop, where))  # by bar, the largest drop first
    first = np.searchsorted(where[order], np.arange(n))
    count = np.bincount(where, minlength=n)
    return pd.DataFrame(
        {
            "start": edges[:-1],
            "stop": edges[1:],
            "count": count,
            "top": [order[f : f + min(c, TOP_K)].tolist() for f, c in zip(first, count)],
        }
    )


def _break_text(
    sw: Sweep, k: int, t: Translator, unit: str, names: Mapping[str, str] | None, quote: float = 1.0
) -> str:
    r = sw.breakpoints.iloc[k]
    return t(
        "wi_break_item",
        capacity=t.num(r["capacity"], 0),
        unit=unit,
        before=t.num(r["price_before"] * quote, 4),
        after=t.num(r["price_after"] * quote, 4),
        more=_cells_text(list(r["more"]), names, 2).replace("<br>", ", "),
        less=_cells_text(list(r["less"]), names, 2).replace("<br>", ", "),
    )


def frontier_figure(
    sw: Sweep,
    t: Translator,
    pool_name: str = "",
    client_names: Mapping[str, str] | None = None,
    quote: float = 1.0,
) -> go.Figure:
    """Value against the pool's capacity with the marginal value per unit on a second axis and
    the current capacity; below it, a strip counting the capacities where the plan changes
    course (hover: how many, and the largest price drops) and hatching the stretches the
    search did not finish. Up to MARK_LIMIT change points are also marked on the curve."""
    pts = sw.points
    label, unit = plot_text(pool_name or sw.pool), plot_text(sw.unit)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.8, 0.2],
        vertical_spacing=0.04,
        specs=[[{"secondary_y": True}], [{}]],
    )
    fig.add_trace(
        go.Scatter(
            x=pts["capacity"],
            y=pts["objective"],
            mode="lines+markers",
            name=t("wi_value_axis"),
            hovertemplate=label
            + ": %{x:,.0f} "
            + unit
            + "<br>"
            + t("wi_value_axis")
            + ": %{y:,.1f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    marginal = pts[SHADOW_PRICE] if pts[SHADOW_PRICE].notna().any() else pts["marginal"]
    # The price per the pool's quoted amount (optimizer.quoting), as every tab quotes it.
    marginal = marginal * quote
    axis = t("wi_marginal_axis", unit=unit, amount=t.num(quote, 0))
    fig.add_trace(
        go.Scatter(
            x=pts["capacity"],
            y=marginal,
            mode="lines",
            line=dict(shape="hv", dash="dot"),
            name=axis,
            hovertemplate="%{x:,.0f} " + unit + "<br>" + axis + ": %{y:,.4g}<extra></extra>",
        ),
        row=1,
        col=1,
        secondary_y=True,
    )
    bps = sw.breakpoints
    exact = bps[bps["exact"]] if len(bps) else bps
    if 0 < len(exact) <= MARK_LIMIT:
        text = [
            t(
                "wi_break_hover",
                more=_cells_text(list(r.more), client_names),
                less=_cells_text(list(r.less), client_names),
            )
            for r in exact.itertuples()
        ]
        fig.add_trace(
            go.Scatter(
                x=exact["capacity"],
                y=exact["objective"],
                mode="markers",
                name=t("wi_breaks"),
                marker=dict(symbol="circle", size=6, color=PLAN_COLOR),
                text=text,
                hovertemplate="%{x:,.1f} " + unit + "<br>%{text}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    strip = breakpoint_strip(sw)
    hover = [
        t(
            "wi_break_bin_hover",
            start=t.num(a, 0),
            stop=t.num(b, 0),
            unit=unit,
            n=int(c),
            top="".join("<br>" + _break_text(sw, k, t, unit, client_names, quote) for k in top),
        )
        for a, b, c, top in strip.itertuples(index=False)
    ]
    fig.add_trace(
        go.Bar(
            x=(strip["start"] + strip["stop"]) / 2,
            y=strip["count"],
            width=strip["stop"] - strip["start"],
            name=t("wi_break_strip"),
            marker_color=PLAN_COLOR,
            hovertext=hover,
            hoverinfo="text",
        ),
        row=2,
        col=1,
    )
    if sw.unresolved:
        top = max(1, int(strip["count"].max()) if len(strip) else 1)
        spans = np.asarray(sw.unresolved, dtype=float)
        fig.add_trace(
            go.Bar(
                x=spans.mean(axis=1),
                y=[top] * len(spans),
                width=spans[:, 1] - spans[:, 0],
                name=t("wi_unresolved"),
                marker=dict(color="rgba(0,0,0,0)", line=dict(color=UNRESOLVED_COLOR, width=1)),
                marker_pattern=dict(shape="/", fgcolor=UNRESOLVED_COLOR),
                hovertext=[
                    t("wi_unresolved_hover", start=t.num(a, 0), stop=t.num(b, 0), unit=unit)
                    for a, b in spans
                ],
                hoverinfo="text",
            ),
            row=2,
            col=1,
        )
    for row, note in ((1, {"annotation_text": t("wi_now"), "annotation_position": "top"}), (2, {})):
        fig.add_vline(
            x=sw.baseline_capacity, line_dash="dash", line_color="grey", row=row, col=1, **note
        )
    fig.update_xaxes(title=f"{label} ({unit})", row=2, col=1)
    fig.update_yaxes(title=t("wi_value_axis"), rangemode="tozero", row=1, col=1)
    fig.update_yaxes(
        title=axis,
        rangemode="tozero",
        showgrid=False,
        row=1,
        col=1,
        secondary_y=True,
    )
    fig.update_yaxes(title=t("wi_break_strip"), rangemode="tozero", row=2, col=1)
    fig = figure_layout(
        fig, t, height=520, title=t("wi_frontier_title", pool=label), barmode="overlay"
    )
    fig.update_layout(margin=dict(l=70, r=80), bargap=0)  # room for both axis titles
    return fig


def grid_heatmap(
    g: Grid,
    t: Translator,
    x_label: str = "",
    y_label: str = "",
    now: tuple[float, float] | None = None,
) -> go.Figure:
    """Value over two pools' capacities; blank where there is no plan."""
    x_label, y_label = plot_text(x_label or g.x_pool), plot_text(y_label or g.y_pool)
    fig = go.Figure(
        go.Heatmap(
            z=g.objective,
            x=g.x,
            y=g.y,
            colorscale="Viridis",
            colorbar=dict(title=dict(text=t("wi_value_axis"))),
            hovertemplate=x_label
            + ": %{x:,.0f}<br>"
            + y_label
            + ": %{y:,.0f}<br>"
            + t("wi_value_axis")
            + ": %{z:,.1f}<extra></extra>",
        )
    )
    if now is not None:
        fig.add_trace(
            go.Scatter(
                x=[now[0]],
                y=[now[1]],
                mode="markers",
                name=t("wi_now"),
                marker=dict(symbol="x", size=12, color="white", line=dict(width=1, color="black")),
            )
        )
    fig.update_xaxes(title=x_label)
    fig.update_yaxes(title=y_label)
    return figure_layout(fig, t, height=460, title=t("wi_grid_title"))


def robustness_histogram(rb: Robustness, t: Translator) -> go.Figure:
    """The best value of each draw and what the nominal plan is worth in it."""
    fig = go.Figure()
    fig.add_trace(
        go.Histogram(
            x=rb.objective, name=t("wi_rb_best"), opacity=0.6, nbinsx=30, marker_color=BEST_COLOR
        )
    )
    fig.add_trace(
        go.Histogram(
            x=rb.nominal_value,
            name=t("wi_rb_nominal"),
            opacity=0.6,
            nbinsx=30,
            marker_color=PLAN_COLOR,
        )
    )
    fig.add_vline(
        x=rb.nominal_objective,
        line_dash="dash",
        line_color="grey",
        annotation_text=t("wi_rb_as_planned"),
        annotation_position="top",
    )
    fig.update_xaxes(title=t("wi_value_axis"))
    fig.update_yaxes(title=t("wi_rb_draws_axis"))
    return figure_layout(fig, t, height=360, barmode="overlay", title=t("wi_rb_title"))


def funded_share_frame(
    rb: Robustness, client_names: Mapping[str, str], method_names: Mapping[str, str]
) -> pd.DataFrame:
    """Cells funded in some draws but not all, least often funded first."""
    cells = rb.cells
    unsure = cells[(cells["funded_share"] > 0) & (cells["funded_share"] < 1)]
    unsure = unsure.sort_values(["funded_share"], kind="stable")
    idx = unsure.index
    return pd.DataFrame(
        {
            "client": [client_names.get(c, c) for c in idx.get_level_values(0)],
            "method": [method_names.get(m, m) for m in idx.get_level_values(1)],
            "funded_share": unsure["funded_share"].to_numpy(),
            "nominal_units": unsure["nominal_units"].to_numpy(),
            "mean_units": unsure["mean_units"].to_numpy(),
            "value_low": unsure["value_low"].to_numpy(),
            "value": unsure["value"].to_numpy(),
            "value_high": unsure["value_high"].to_numpy(),
        }
    )


def funded_share_figure(
    rb: Robustness, t: Translator, client_names: Mapping[str, str], method_names: Mapping[str, str]
) -> go.Figure:
    """How often each uncertain cell is funded."""
    f = funded_share_frame(rb, client_names, method_names)
    labels = [f"{plot_text(c)} · {plot_text(m)}" for c, m in zip(f["client"], f["method"])]
    in_plan = funded(f["nominal_units"].to_numpy())
    fig = go.Figure()
    for mask, name, color in (
        (in_plan, t("wi_rb_in_plan"), PLAN_COLOR),
        (~in_plan, t("wi_rb_not_in_plan"), BEST_COLOR),
    ):
        fig.add_trace(
            go.Bar(
                x=f["funded_share"][mask],
                y=[lb for lb, k in zip(labels, mask) if k],
                orientation="h",
                name=name,
                marker_color=color,
                hovertemplate="%{y}: %{x:.0%}<extra></extra>",
            )
        )
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels)
    fig.update_xaxes(title=t("wi_rb_share_axis"), tickformat=".0%", range=[0, 1])
    return figure_layout(fig, t, height=120 + ROW_PX * max(len(f), 1), title=t("wi_rb_cells_title"))


# ---- comparisons ----------------------------------------------------------------------------
COUNT_KPIS = ("funded_cells", "clients_reached")
KPI_ORDER = (
    "objective",
    "total_value",
    "money_spent",
    "funded_cells",
    "clients_reached",
    "lowest_share",
    "mean_share",
)


def kpi_table(
    d: ScenarioDiff, t: Translator, pool_names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The KPIs of A and B side by side, with the change, under readable labels; `kind` says
    how to show each row (share, count or amount)."""
    k = d.kpis
    rows = []
    for metric in [
        *[m for m in KPI_ORDER if m in k.index],
        *[m for m in k.index if m not in KPI_ORDER],
    ]:
        if metric.startswith("used_"):
            pool = metric[len("used_") :]
            label = t("cmp_kpi_used", pool=(pool_names or {}).get(pool, pool))
        elif metric.startswith("price_") and metric[len("price_") :] in d.pools.index:
            # Each pool's price, A and B, per the one amount both are quoted for.
            pool = metric[len("price_") :]
            label = t(
                "cmp_kpi_price",
                pool=(pool_names or {}).get(pool, pool),
                amount=t.num(float(d.pools.at[pool, "quoted_per"]), 0),
                unit=str(d.pools.at[pool, UNIT]) if UNIT in d.pools.columns else "",
            )
        else:
            label = t(f"cmp_kpi_{metric}")
        r = k.loc[metric]
        kind = (
            "share"
            if metric.endswith("_share")
            else "count"
            if metric in COUNT_KPIS
            else "price"
            if metric.startswith("price_")
            else "amount"
        )
        rows.append(
            {
                "metric": label,
                "a": r["a"],
                "b": r["b"],
                "delta": r["delta"],
                "delta_share": r["delta_share"],
                "kind": kind,
            }
        )
    return pd.DataFrame(rows, columns=["metric", "a", "b", "delta", "delta_share", "kind"])


def client_change_figure(d: ScenarioDiff, t: Translator) -> go.Figure:
    """Each client's value in A and in B, the largest change first."""
    c = d.clients.copy()
    c["abs"] = c["delta_value"].abs()
    c = c.sort_values("abs", ascending=False, kind="stable")
    names = [plot_text(n if isinstance(n, str) and n else i) for i, n in zip(c.index, c[NAME])]
    a_name, b_name = (plot_text(n) for n in d.names)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=names,
            x=c["value_a"].fillna(0),
            name=a_name,
            orientation="h",
            hovertemplate="%{y}: %{x:,.1f}<extra>" + a_name + "</extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            y=names,
            x=c["value_b"].fillna(0),
            name=b_name,
            orientation="h",
            hovertemplate="%{y}: %{x:,.1f}<extra>" + b_name + "</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=names,
            x=c["delta_value"],
            mode="markers",
            name=t("cmp_change"),
            marker=dict(symbol="diamond", size=9, color="black"),
            hovertemplate="%{y}: %{x:+,.1f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=t("value"))
    return figure_layout(
        fig, t, height=140 + ROW_PX * len(names), barmode="group", title=t("cmp_chart_title")
    )


def cell_change_frame(
    d: ScenarioDiff, client_names: Mapping[str, str], method_names: Mapping[str, str]
) -> pd.DataFrame:
    """Changed cells with readable names, the largest change in value first."""
    c = d.changed_cells.copy()
    c = c.reindex(c["delta_value"].abs().sort_values(ascending=False, kind="stable").index)
    idx = c.index
    return pd.DataFrame(
        {
            "client": [client_names.get(x, x) for x in idx.get_level_values(0)],
            "method": [method_names.get(x, x) for x in idx.get_level_values(1)],
            "units_a": c["units_a"].to_numpy(),
            "units_b": c["units_b"].to_numpy(),
            "delta_units": c["delta_units"].to_numpy(),
            "value_a": c["value_a"].to_numpy(),
            "value_b": c["value_b"].to_numpy(),
            "delta_value": c["delta_value"].to_numpy(),
            "change": c["change"].to_numpy(),
        }
    )


def names_from(summary: Mapping[str, object], key: str, id_col: str) -> dict[str, str]:
    """id -> name from a scenario summary's clients or pools."""
    out: dict[str, str] = {}
    for row in cast("Iterable[object]", summary.get(key, []) or []):
        if isinstance(row, dict) and row.get(id_col):
            out[str(row[id_col])] = str(row.get("name") or row[id_col])
    return out


__all__ = [
    "breakpoint_strip",
    "cell_change_frame",
    "client_change_figure",
    "frontier_figure",
    "funded_share_figure",
    "funded_share_frame",
    "grid_heatmap",
    "kpi_table",
    "names_from",
    "robustness_histogram",
]
