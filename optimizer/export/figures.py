"""The report's charts as plain plotly figure dictionaries (`{"data": [...], "layout": {...}}`).

The engine never imports plotly: a chart is data, drawn in the HTML report by the plotly.js
file of the installed plotly package (read from disk, not imported).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..messages import DEFAULT_LANG, plotly_separators, unit_text
from ..schema import ATTAINABLE, CAPACITY, NAME, UNIT, UNITS, USED, VALUE, Problem, Result, use_col
from ..tolerances import BINDING
from .common import cell_text, num, words
from .tables import grid

BLUE, GREY, ORANGE = "#2E6FAC", "#C9D3DF", "#E07B39"
CHART_WIDTH = 680  # px: fits the printable width of A4 portrait
# A chart library's stand-in colours (Streamlit's plotly theme sends #000001... and swaps them
# for its theme's colours only when it draws the chart itself); never a colour to print.
_PLACEHOLDER = re.compile(r'"#0000[0-4][0-9]"')
# Plotly's own colours, for a figure whose template held only stand-ins.
COLORWAY = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
_AXIS = re.compile(r"^[xy]axis\d*$")

# What plotly reads as markup in any text it draws (labels, ticks, legends, titles, hover):
# tags, entities, and '%{' in a hover template.
_PLOTLY_MARKUP = re.compile(r"[<>]|&(?=#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)|%(?=\{)")
_PLOTLY_ENTITY = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "%": "&#37;"}


def plotly_text(text: object) -> str:
    """User text (a client, method or pool name, a unit) for a plotly label: every character
    plotly would read as markup becomes an entity, so it is drawn as typed and never as a
    link, tag or template field."""
    return _PLOTLY_MARKUP.sub(lambda m: _PLOTLY_ENTITY[m.group()], str(text))


def _layout(title: str, height: int, lang: str, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0, "font": {"size": 15}},
        "width": CHART_WIDTH,
        "height": height,
        "margin": {"l": 10, "r": 20, "t": 50, "b": 40},
        "font": {"family": "Segoe UI, Helvetica, Arial, sans-serif", "size": 11},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "legend": {"orientation": "h", "y": -0.08},
    }
    if lang != DEFAULT_LANG:  # plotly's default signs are English ones
        layout["separators"] = plotly_separators(lang)
    layout.update(extra)
    return layout


def report_figures(
    problem: Problem, result: Result, lang: str = DEFAULT_LANG
) -> list[dict[str, Any]]:
    """The report's charts as plotly figure dictionaries (no plotly import needed), with
    titles, legends and axes in `lang`."""
    if not result.has_plan:
        return []
    t = words(lang)
    figs: list[dict[str, Any]] = []
    cl = result.clients.sort_values(VALUE, ascending=False)
    names = [plotly_text(n) for n in cl[NAME]]
    gap = np.maximum(cl[ATTAINABLE].to_numpy() - cl[VALUE].to_numpy(), 0.0)
    figs.append(
        {
            "data": [
                {
                    "type": "bar",
                    "orientation": "h",
                    "y": names,
                    "x": cl[VALUE].round(4).tolist(),
                    "name": t("export_fig_value_delivered"),
                    "marker": {"color": BLUE},
                },
                {
                    "type": "bar",
                    "orientation": "h",
                    "y": names,
                    "x": np.round(gap, 4).tolist(),
                    "name": t("export_fig_value_missed"),
                    "marker": {"color": GREY},
                },
            ],
            "layout": _layout(
                t("export_fig_value_title"),
                120 + 22 * len(names),
                lang,
                barmode="stack",
                yaxis={"autorange": "reversed", "automargin": True},
                xaxis={"title": {"text": t("export_fig_value_axis")}},
            ),
        }
    )
    po = result.pools
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(
            po[CAPACITY].to_numpy() > 0, po[USED].to_numpy() / po[CAPACITY].to_numpy(), 0.0
        )
    labels = [
        t(
            "export_fig_pools_label",
            used=num(u, ",.1f", lang),
            capacity=num(c, ",.1f", lang),
            unit=plotly_text(unit_text(un, lang)),
        )
        for u, c, un in zip(po[USED], po[CAPACITY], po[UNIT])
    ]
    figs.append(
        {
            "data": [
                {
                    "type": "bar",
                    "orientation": "h",
                    "y": [plotly_text(n) for n in po[NAME]],
                    "x": np.round(share * 100, 2).tolist(),
                    "text": labels,
                    "textposition": "auto",
                    # A pool used up to its capacity (within the binding tolerance) stands out.
                    "marker": {"color": [ORANGE if s > 1 - BINDING else BLUE for s in share]},
                    "name": t("export_fig_pools_used"),
                }
            ],
            "layout": _layout(
                t("export_fig_pools_title"),
                140 + 40 * len(po),
                lang,
                showlegend=False,
                xaxis={"range": [0, 105], "ticksuffix": "%"},
                yaxis={"autorange": "reversed", "automargin": True},
            ),
        }
    )
    g = grid(problem, result, UNITS)
    z = [
        [None if not math.isfinite(v) else round(float(v), 3) for v in row]
        for row in g.to_numpy(dtype=float)
    ]
    figs.append(
        {
            "data": [
                {
                    "type": "heatmap",
                    "z": z,
                    "x": [plotly_text(n) for n in problem.methods[NAME]],
                    "y": [plotly_text(n) for n in problem.clients[NAME]],
                    "colorscale": "Blues",
                    "hoverongaps": False,
                    "colorbar": {"title": {"text": t("export_fig_units_axis")}},
                }
            ],
            "layout": _layout(
                t("export_fig_units_title"),
                180 + 22 * len(g),
                lang,
                yaxis={"autorange": "reversed", "automargin": True},
                xaxis={"automargin": True, "tickangle": -30},
            ),
        }
    )
    me = result.methods
    money = use_col(problem.money_pool)
    pool_name = plotly_text(problem.resources.at[problem.money_pool, NAME])
    figs.append(
        {
            "data": [
                {
                    "type": "bar",
                    "x": [plotly_text(n) for n in me[NAME]],
                    "y": me[money].round(2).tolist(),
                    "name": str(pool_name),
                    "marker": {"color": BLUE},
                }
            ],
            "layout": _layout(
                t("export_fig_money_title", pool=str(pool_name)),
                360,
                lang,
                showlegend=False,
                xaxis={"automargin": True, "tickangle": -30},
                yaxis={
                    "title": {
                        "text": plotly_text(
                            cell_text(problem.resources.at[problem.money_pool, UNIT])
                        )
                    }
                },
            ),
        }
    )
    return figs


def report_ready(fig: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a figure dictionary as the report draws it: a template holding stand-in
    colours is replaced by plotly's own colours, and every axis grows its margin to fit its
    labels (unless the figure says otherwise)."""
    out = copy.deepcopy(dict(fig))
    layout: dict[str, Any] = dict(out.get("layout") or {})
    template = layout.get("template")
    if template is not None and _PLACEHOLDER.search(json.dumps(template, default=str)):
        layout["template"] = {"layout": {"colorway": list(COLORWAY)}}
    for key in dict.fromkeys(["xaxis", "yaxis", *filter(_AXIS.match, layout)]):
        axis = dict(layout.get(key) or {})
        axis.setdefault("automargin", True)
        layout[key] = axis
    out["layout"] = layout
    return out


def plotly_js() -> str | None:
    """The plotly.js bundle of the installed plotly package, read as a file (not imported)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        f = Path(base) / "package_data" / "plotly.min.js"
        if f.exists():
            return f.read_text(encoding="utf-8")
    return None
