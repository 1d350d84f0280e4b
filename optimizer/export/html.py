"""The HTML report: one self-contained file, printable on A4, with the charts drawn by the
inlined plotly.js, in the reader's language.

Pages come from the Jinja2 templates in templates/ with autoescaping on: every value is
escaped on output (`html.escape`, quotes included); only the CSS, the plotly.js bundle and the
charts' JSON (whose `<`, `>` and `&` are escaped for a <script>) are passed as markup.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from ..messages import DEFAULT_LANG, Translator
from ..quoting import quote_amounts, quoted
from ..schema import (
    ATTAINABLE,
    CAPACITY,
    COMMITTED_UNITS,
    NAME,
    PRICE_STEP,
    SEGMENT,
    SHADOW_PRICE,
    SHARE,
    SLACK,
    STEP_PRICE,
    UNIT,
    UNITS,
    USED,
    VALUE,
    WEIGHT,
    Problem,
    Result,
    use_col,
)
from ..tolerances import funded
from .common import (
    ExportMeta,
    cell_text,
    currency,
    explanation,
    finite,
    is_num,
    num,
    pool_unit,
    status_text,
    when_text,
    words,
)
from .figures import plotly_js, report_figures, report_ready
from .tables import Row, header_rows, kpis, pool_units, unfunded_rows

TEMPLATES = Path(__file__).parent / "templates"


def _finalize(value: Any) -> Any:
    """Every value a template shows: markup as it is, anything else as escaped text."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(cell_text(value), quote=True))


@cache
def environment() -> Environment:
    """The templates' environment (autoescaping on; whitespace between tags trimmed)."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def _css() -> Markup:
    return Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))


def render(template: str, t: Translator, title: str, **context: Any) -> bytes:
    """A page from one template, in t's language."""
    page = (
        environment()
        .get_template(template)
        .render(t=t, lang=t.lang, title=title, css=_css(), **context)
    )
    return page.encode("utf-8")


# ---- numbers and tables ----------------------------------------------------------------------
def num_text(v: Any, kind: str, unit: str = "", lang: str = DEFAULT_LANG) -> str:
    """A number as a table shows it, by kind; '' for blanks."""
    x = finite(v)
    if x is None:
        return ""
    if kind == "share":
        return num(x, ".1%", lang)
    if kind == "int":
        return num(x, ",.0f", lang)
    if kind == "price":
        return num(x, ",.4g", lang)
    if kind == "ratio":
        return num(x, ".6f", lang)
    if kind == "seconds":
        return num(x, ".3f", lang)
    if kind == "units":
        return num(x, ",.2f", lang)
    if kind == "money":
        return (
            f"{num(x, ',.0f', lang)} {unit}" if abs(x) >= 100 else f"{num(x, ',.2f', lang)} {unit}"
        ).strip()
    return num(x, ",.1f", lang) + (f" {unit}" if unit else "")


def table(
    headers: Sequence[tuple[str, str]],
    rows: Iterable[Sequence[Any]],
    totals: Sequence[Any] | None = None,
    units: Sequence[str] | None = None,
    row_units: Sequence[Sequence[str]] | None = None,
    lang: str = DEFAULT_LANG,
) -> dict[str, Any]:
    """A table for the `table` macro. headers: (label, kind) with kind 'text' or a number kind
    of `num_text`; `units` per column, or `row_units` per row and column (pools each have
    their own unit)."""
    units = units or [""] * len(headers)

    def cells(row: Sequence[Any], row_unit: Sequence[str] = units) -> list[dict[str, Any]]:
        out = []
        for (_, kind), u, v in zip(headers, row_unit, row):
            if kind == "text" or not (is_num(v) or v is None):
                out.append({"n": False, "text": cell_text(v, lang)})
            else:
                out.append({"n": True, "text": num_text(v, kind, u, lang)})
        return out

    rows = list(rows)
    per_row = row_units or [units] * len(rows)
    return {
        "head": [{"n": k != "text", "text": h} for h, k in headers],
        "rows": [cells(r, u) for r, u in zip(rows, per_row)],
        "foot": cells(totals) if totals is not None else None,
    }


def meta_rows(rows: Sequence[Row], lang: str = DEFAULT_LANG) -> list[tuple[str, str]]:
    """A file's header rows as label: text."""
    out = []
    for label, v, kind in rows:
        if isinstance(v, datetime):
            v = when_text(v, lang)
        elif kind == "gap" and finite(v) is not None:
            v = num(v, ".2%", lang)
        elif kind != "text" and is_num(v):
            v = num_text(v, kind, lang=lang)
        out.append((label, cell_text(v, lang)))
    return out


def script_json(obj: Any) -> Markup:
    """JSON safe to place inside a <script> element."""
    text = json.dumps(obj, ensure_ascii=False, default=_json_default)
    return Markup(
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _json_default(o: Any) -> Any:
    if hasattr(o, "tolist"):
        return o.tolist()
    if isinstance(o, (datetime, pd.Timestamp)):
        return o.isoformat()
    return str(o)


def page_title(t: Translator, name: str) -> str:
    """ "Risk-reduction plan - <name>" (the title alone without a name)."""
    return t("export_page_title", title=t("report_title"), name=name).strip(" -")


# ---- the report ------------------------------------------------------------------------------
def _pool_headers(problem: Problem) -> list[tuple[str, str]]:
    return [
        (str(problem.resources.at[p, NAME]), "money" if p == problem.money_pool else "value")
        for p in problem.pools
    ]


def html_report(
    problem: Problem,
    result: Result,
    meta: ExportMeta | None = None,
    figures: Sequence[Mapping[str, Any]] | None = None,
    lang: str = DEFAULT_LANG,
) -> bytes:
    """One self-contained HTML file, printable on A4: the Summary, the tables and the charts.

    `figures`: plotly figure dictionaries to draw (default `report_figures` in `lang`)."""
    meta = meta or ExportMeta()
    t = words(lang)
    cur = currency(problem)
    context: dict[str, Any] = {
        "meta_rows": meta_rows(header_rows(result, meta, t), lang),
        "notes": meta.notes,
        "has_plan": result.has_plan,
        "status": status_text(result, t),
        "explanation": explanation(result, t),
    }
    title = page_title(t, meta.scenario)
    if not result.has_plan:
        return render("report.html", t, title, **context)
    kinds = {"money": cur}
    context["kpis"] = [
        (num_text(v, k, kinds.get(k, ""), lang) if is_num(v) else v, label)
        for label, v, k in kpis(problem, result, t)
    ]
    po = result.pools
    units = [pool_unit(problem, str(p), lang) for p in po.index]
    pool_rows = [
        [
            r[NAME],
            r[CAPACITY],
            r[USED],
            r[SLACK],
            r[USED] / r[CAPACITY] if r[CAPACITY] else None,
            r[SHADOW_PRICE],
        ]
        for _, r in po.iterrows()
    ]
    pool_cols = [
        (t("export_col_pool"), "text"),
        (t("export_col_capacity"), "value"),
        (t("export_col_used"), "value"),
        (t("export_col_slack"), "value"),
        (t("export_col_use"), "share"),
        (t("export_col_shadow_price"), "price"),
    ]
    pool_units_row = [["", u, u, u, "", ""] for u in units]
    # Whole units: one more step of each pool, re-solved, beside the LP price.
    if result.settings.integer_units and STEP_PRICE in po.columns:
        pool_cols += [(t("export_col_price_step"), "value"), (t("export_col_step_price"), "price")]
        for row, (_, r) in zip(pool_rows, po.iterrows()):
            row += [r[PRICE_STEP], r[STEP_PRICE]]
        pool_units_row = [[*u, u[1], ""] for u in pool_units_row]
    # The price as the page quotes it: the value of one fixed amount more of the pool.
    amounts = quote_amounts(po, meta.quotes)
    pool_cols += [(t("export_col_quoted_per"), "value"), (t("export_col_quoted_price"), "price")]
    for row, p in zip(pool_rows, po.index):
        row += [amounts[str(p)], quoted(po.at[p, SHADOW_PRICE], amounts[str(p)])]
    pool_units_row = [[*u, u[1], ""] for u in pool_units_row]
    context["pools"] = table(pool_cols, pool_rows, row_units=pool_units_row, lang=lang)

    pools = problem.pools
    pu = pool_units(problem, pools, lang)
    cl = result.clients
    att = float(cl[ATTAINABLE].sum())
    total = t("export_total")
    context["by_client"] = table(
        [
            (t("export_col_client"), "text"),
            (t("export_col_segment"), "text"),
            (t("export_col_weight"), "units"),
            (t("export_col_value"), "value"),
            (t("export_col_share"), "share"),
            *_pool_headers(problem),
        ],
        [
            [r[NAME], r[SEGMENT], r[WEIGHT], r[VALUE], r[SHARE], *[r[use_col(p)] for p in pools]]
            for _, r in cl.iterrows()
        ],
        [
            total,
            "",
            None,
            cl[VALUE].sum(),
            cl[VALUE].sum() / att if att > 0 else None,
            *[cl[use_col(p)].sum() for p in pools],
        ],
        units=["", "", "", "", "", *pu],
        lang=lang,
    )
    me = result.methods
    context["by_method"] = table(
        [
            (t("export_col_method"), "text"),
            (t("export_col_unit"), "text"),
            (t("export_col_units"), "units"),
            (t("export_col_value"), "value"),
            *_pool_headers(problem),
        ],
        [
            [r[NAME], r[UNIT], r[UNITS], r[VALUE], *[r[use_col(p)] for p in pools]]
            for _, r in me.iterrows()
        ],
        [total, "", me[UNITS].sum(), me[VALUE].sum(), *[me[use_col(p)].sum() for p in pools]],
        units=["", "", "", "", *pu],
        lang=lang,
    )

    figs = [
        report_ready(f)
        for f in (report_figures(problem, result, lang) if figures is None else figures)
    ]
    js = plotly_js() if figs else None
    context["charts"] = (
        [
            {
                "data": script_json(fig.get("data", [])),
                "layout": script_json(dict(fig.get("layout", {}))),
            }
            for fig in figs
        ]
        if figs
        else None
    )
    context["plotly_js"] = Markup(js) if js else None

    money = problem.money_pool
    alloc = result.allocation
    keep = funded(alloc[UNITS].to_numpy())
    context["allocation"] = table(
        [
            (t("export_col_client"), "text"),
            (t("export_col_method"), "text"),
            (t("export_col_units"), "units"),
            (t("export_col_committed"), "int"),
            (t("export_col_value"), "value"),
            (f"{problem.resources.at[money, NAME]}", "money"),
        ],
        [
            [
                problem.clients.at[c, NAME],
                problem.methods.at[m, NAME],
                r[UNITS],
                r[COMMITTED_UNITS],
                r[VALUE],
                r[use_col(money)],
            ]
            for ((c, m), r), k in zip(alloc.iterrows(), keep)
            if k
        ],
        units=["", "", "", "", "", cur],
        lang=lang,
    )
    context["not_funded"] = table(
        [
            (t("export_col_client"), "text"),
            (t("export_col_method"), "text"),
            (t("export_col_units_funded"), "units"),
            (t("export_col_max_units"), "int"),
            (t("export_col_reason"), "text"),
        ],
        [[r[1], r[3], r[4], r[5], r[10]] for r in unfunded_rows(problem, result, t)],
        lang=lang,
    )
    context["fingerprint"] = result.fingerprint
    context["when"] = when_text(meta.when, lang)
    return render("report.html", t, title, **context)
