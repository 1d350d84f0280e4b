"""Charts of a plan: pure functions from a Result (and the Problem where the inputs are needed)
to a plotly Figure. No streamlit here, so each chart is tested through its data."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from optimizer.schema import (
    CAPACITY,
    CLIENT_ID,
    DECAY,
    MAX_UNITS,
    METHOD_ID,
    NAME,
    UNIT,
    UNITS,
    VALUE,
    Problem,
    Result,
    use_col,
)
from optimizer.tolerances import fully_funded
from optimizer.tolerances import funded as is_funded

from .text import Translator

ROW_PX = 26  # height per client row, so every client's name stays readable
# Beyond this many cells the heatmap's numbers are left to the hover: thousands of text labels
# cost the browser seconds on every redraw and cannot be read at that density anyway.
HEATMAP_TEXT_CELLS = 2500
LEGEND_RIGHT: dict[str, Any] = dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top")
FUNDED, PARTLY, OPEN = "circle", "circle-open-dot", "circle-open"
# The page's chart colours: Streamlit's light theme. Its plotly theme (the default template
# once streamlit is imported) holds stand-ins (#000001...) that the page swaps for these when
# it draws a chart, so a figure drawn anywhere else needs them put in.
PAGE_COLORWAY = (
    "#0068c9",
    "#83c9ff",
    "#ff2b2b",
    "#ffabab",
    "#29b09d",
    "#7defa1",
    "#ff8700",
    "#ffd16a",
    "#6d3fc0",
    "#d5dae5",
)

# What plotly reads as markup in any text it draws (labels, ticks, legends, titles, hover):
# tags, entities, and '%{' in a hover template.
_PLOTLY_MARKUP = re.compile(r"[<>]|&(?=#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)|%(?=\{)")
_PLOTLY_ENTITY = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "%": "&#37;"}


def plot_text(text: object) -> str:
    """User text (a client, method, pool or scenario name, a unit) for a plotly label: every
    character plotly would read as markup becomes an entity, so the chart draws it as typed,
    never as a link, a tag or a hover-template field. Every chart of the page uses it."""
    return _PLOTLY_MARKUP.sub(lambda m: _PLOTLY_ENTITY[m.group()], str(text))


def _figure(traces: list[Any], t: Translator, height: int, title: str, **layout: Any) -> go.Figure:
    """One figure built in a single step (each later update re-validates the whole layout,
    which costs more than the traces)."""
    base: dict[str, Any] = dict(
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        separators=t.separators,
        title=dict(text=title),
        # Beside the plot, top right: below it, the legend sat on the x-axis title.
        legend=LEGEND_RIGHT,
    )
    base.update(layout)
    return go.Figure(data=traces, layout=base)


def off_page_template() -> go.layout.Template:
    """A real template in the page's colours, for a figure drawn outside the page."""
    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.colorway = PAGE_COLORWAY
    return template


def off_page(fig: go.Figure, width: int) -> dict[str, Any]:
    """`fig` as a figure dictionary to draw outside the page (the HTML report), looking as on
    the page: a real template in the page's colours instead of Streamlit's stand-ins, every
    axis's margin grown to fit its labels (the page's theme does that), `width` px wide."""
    out = go.Figure(fig)
    out.layout.template = off_page_template()
    out.update_layout(width=width, autosize=False)
    out.update_xaxes(automargin=True)
    out.update_yaxes(automargin=True)
    return out.to_plotly_json()


def client_order(result: Result) -> list[str]:
    """Client ids, the highest planned value first (ties keep the input order)."""
    value = result.clients[VALUE]
    return list(value.sort_values(ascending=False, kind="stable").index)


def _rows(result: Result, ids: Sequence[str] | None, by_value: bool) -> pd.Index:
    """The clients a chart draws: `ids` in their order, else every client (highest value
    first when `by_value`, else in input order)."""
    if ids is not None:
        return pd.Index(list(ids))
    return pd.Index(client_order(result)) if by_value else result.clients.index


def units_matrix(result: Result, ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Units per client (rows: `ids`, else every client in input order) x method (columns);
    NaN where not offered."""
    units = (
        result.allocation[UNITS].unstack(METHOD_ID) if len(result.allocation) else pd.DataFrame()
    )
    return units.reindex(index=_rows(result, ids, False), columns=result.methods.index)


def wrap(label: str, width: int = 14) -> str:
    """Break a long label into lines of about `width` characters (plotly's <br>)."""
    words, lines, line = str(label).split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "<br>".join(lines)


def units_heatmap(result: Result, t: Translator, ids: Sequence[str] | None = None) -> go.Figure:
    """Client x method heatmap of planned units (blank cells: the method is not offered), for
    the clients `ids` in their order (default: every client in input order)."""
    z = units_matrix(result, ids)
    values = z.to_numpy(dtype=float)
    text = [
        [("" if np.isnan(v) else t.num(v, 1 if not float(v).is_integer() else 0)) for v in row]
        for row in values
    ]
    heat = go.Heatmap(
        z=values,
        x=[wrap(plot_text(n)) for n in result.methods[NAME]],
        y=[plot_text(n) for n in result.clients[NAME].reindex(z.index)],
        text=text,
        texttemplate="%{text}" if values.size <= HEATMAP_TEXT_CELLS else None,
        colorscale="Blues",
        zmin=0,
        colorbar=dict(title=dict(text=t("units"))),
        xgap=2,
        ygap=2,
        hovertemplate="%{y}<br>%{x}<br>" + t("units") + ": %{text}<extra></extra>",
    )
    # The method names sit on top, under the title, so the top margin makes room for both.
    return _figure(
        [heat],
        t,
        height=170 + ROW_PX * len(z),
        title=t("chart_heatmap"),
        margin=dict(l=10, r=10, t=110, b=10),
        yaxis=dict(autorange="reversed"),
        xaxis=dict(side="top", tickangle=0),
    )


def value_by_client(result: Result, t: Translator, ids: Sequence[str] | None = None) -> go.Figure:
    """Perceived value per client, stacked by method, for the clients `ids` in their order
    (default: every client, highest total first)."""
    order = list(_rows(result, ids, True))
    value = (
        result.allocation[VALUE]
        .unstack(METHOD_ID)
        .reindex(index=order, columns=result.methods.index)
    )
    value = value.fillna(0.0)
    names = [plot_text(n) for n in result.clients[NAME].reindex(order)]
    traces = [
        go.Bar(
            y=names,
            x=value[m].to_numpy(dtype=float),
            name=plot_text(result.methods.at[m, NAME]),
            orientation="h",
            hovertemplate="%{y}<br>"
            + plot_text(result.methods.at[m, NAME])
            + ": %{x:,.1f}<extra></extra>",
        )
        for m in result.methods.index
    ]
    return _figure(
        traces,
        t,
        height=140 + ROW_PX * len(order),
        title=t("chart_value_by_client"),
        barmode="stack",
        yaxis=dict(autorange="reversed"),
        xaxis=dict(title=dict(text=t("value"))),
    )


def pool_use_by_client(
    result: Result, t: Translator, ids: Sequence[str] | None = None
) -> go.Figure:
    """Each client's use of each pool, as a share of the pool's capacity (units differ), for
    the clients `ids` in their order (default: every client, highest value first)."""
    order = list(_rows(result, ids, True))
    names = [plot_text(n) for n in result.clients[NAME].reindex(order)]
    traces = []
    for p, row in result.pools.iterrows():
        used = result.clients[use_col(p)].reindex(order).to_numpy(dtype=float)
        cap = float(row[CAPACITY])
        share = used / cap if cap > 0 else np.zeros_like(used)
        traces.append(
            go.Bar(
                y=names,
                x=share,
                customdata=used,
                name=f"{plot_text(row[NAME])} ({plot_text(row[UNIT])})",
                orientation="h",
                hovertemplate="%{y}<br>"
                + plot_text(row[NAME])
                + ": %{customdata:,.1f} "
                + plot_text(row[UNIT])
                + " (%{x:.1%})<extra></extra>",
            )
        )
    return _figure(
        traces,
        t,
        height=140 + ROW_PX * len(order),
        title=t("chart_pool_use"),
        barmode="group",
        yaxis=dict(autorange="reversed"),
        xaxis=dict(title=dict(text=t("share_of_pool")), tickformat=".0%"),
    )


def unit_curve(problem: Problem, result: Result, client_id: str) -> pd.DataFrame:
    """One row per unit of each method offered to the client: value of that unit
    (value x decay^(k-1)) and how much of it the plan funds (0..1)."""
    rows = []
    if client_id not in problem.values.index.get_level_values(CLIENT_ID):
        return pd.DataFrame(columns=[METHOD_ID, "k", VALUE, "funded"])
    cells = problem.values.xs(client_id, level=CLIENT_ID)
    units = result.allocation[UNITS] if result.has_plan else pd.Series(dtype=float)
    for m, cell in cells.iterrows():
        decay = float(problem.methods.at[m, DECAY])
        n = int(cell[MAX_UNITS])
        got = float(units.get((client_id, m), 0.0))
        for k in range(1, n + 1):
            rows.append(
                (
                    m,
                    k,
                    float(cell[VALUE]) * decay ** (k - 1),
                    float(np.clip(got - (k - 1), 0.0, 1.0)),
                )
            )
    return pd.DataFrame(rows, columns=[METHOD_ID, "k", VALUE, "funded"])


def value_curves(problem: Problem, result: Result, client_id: str, t: Translator) -> go.Figure:
    """Each method's value per unit for one client; filled markers are funded units, open ones
    are not, a dotted one is partly funded."""
    curve = unit_curve(problem, result, client_id)
    traces = []
    for m, part in curve.groupby(METHOD_ID, sort=False):
        funded = part["funded"].to_numpy()
        symbols = np.where(
            fully_funded(funded, 1.0), FUNDED, np.where(is_funded(funded), PARTLY, OPEN)
        )
        traces.append(
            go.Scatter(
                x=part["k"].to_numpy(),
                y=part[VALUE].to_numpy(),
                customdata=funded * 100,
                mode="lines+markers",
                name=plot_text(problem.methods.at[m, NAME]),
                marker=dict(symbol=list(symbols), size=12, line=dict(width=2)),
                hovertemplate=t("curve_hover")
                + "<extra>"
                + plot_text(problem.methods.at[m, NAME])
                + "</extra>",
            )
        )
    return _figure(
        traces,
        t,
        height=420,
        title=t("chart_curves"),
        xaxis=dict(title=dict(text=t("unit_number")), dtick=1),
        yaxis=dict(title=dict(text=t("value_of_unit")), rangemode="tozero"),
    )
