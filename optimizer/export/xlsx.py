"""The planning workbook (xlsxwriter): Summary, grids, allocation, by client and by method, the
cells not funded, and the inputs as solved, so that the workbook loads again as a bundle.

Every text is written as a string and every number as a number: no cell is ever a formula or a
link, whatever the names. The input sheets keep the bundle's table and column names in every
language (they are identifiers, and the workbook must load as a bundle).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from ..bundle import settings_dict, to_tables
from ..messages import DEFAULT_LANG, Translator
from ..quoting import quote_amounts, quoted
from ..schema import (
    ATTAINABLE,
    CAPACITY,
    COMMITTED_UNITS,
    NAME,
    PRICE_STEP,
    SEGMENT,
    SETTINGS,
    SHADOW_PRICE,
    SHARE,
    SLACK,
    STEP_PRICE,
    UNIT,
    UNITS,
    USED,
    VALUE,
    WEIGHT,
    WEIGHTED_VALUE,
    Problem,
    Result,
    use_col,
)
from .common import (
    TITLE,
    ExportMeta,
    cell_text,
    currency,
    explanation,
    finite,
    is_num,
    neutralise,
    pool_unit,
    safe_suffix,
    words,
)
from .tables import allocation_long, grid, grid_rows, header_rows, kpis, pool_label, unfunded_rows

# Excel's date-time format per language (numbers' separators follow Excel's own locale).
DATETIME_FORMATS = {"en": "yyyy-mm-dd hh:mm", "ru": "dd.mm.yyyy hh:mm"}


@dataclass(frozen=True)
class Col:
    """A column to write: its header and number format (None = text)."""

    header: str
    fmt: str | None = None
    width: float | None = None


class Book:
    """An xlsxwriter workbook with cached formats and a safe cell writer."""

    def __init__(self, properties: Mapping[str, Any], t: Translator | None = None):
        import xlsxwriter  # imported here: only the xlsx export needs it

        self.t = t or Translator()
        self.buf = io.BytesIO()
        self.wb = xlsxwriter.Workbook(
            self.buf,
            {
                # Each row is written out when the next begins (every writer goes row by row),
                # not kept as a dict of cells for a final pass: bounded memory, less time.
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": False,
            },
        )
        self.wb.set_properties(dict(properties))
        self._formats: dict[tuple[Any, ...], Any] = {}
        self._datetime = DATETIME_FORMATS.get(self.t.lang, DATETIME_FORMATS[DEFAULT_LANG])

    def fmt(
        self,
        num: str | None = None,
        *,
        bold: bool = False,
        header: bool = False,
        total: bool = False,
        title: bool = False,
        wrap: bool = False,
    ) -> Any:
        key = (num, bold, header, total, title, wrap)
        if key not in self._formats:
            props: dict[str, Any] = {"valign": "top"}
            if num:
                props["num_format"] = num
            if bold or header or total or title:
                props["bold"] = True
            if header:
                props.update(bg_color="#DCE6F1", bottom=1, text_wrap=True)
            if total:
                props.update(top=1, bg_color="#F2F2F2")
            if title:
                props.update(font_size=14)
            if wrap:
                props["text_wrap"] = True
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def sheet(self, name: str) -> Any:
        ws = self.wb.add_worksheet(name)
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        return ws

    def put(self, ws: Any, r: int, c: int, v: Any, num: str | None = None, **style: bool) -> int:
        """Write one value by its type; returns the width it needs."""
        if isinstance(v, float) and math.isfinite(v):  # most cells: the checks below, in short
            ws.write_number(r, c, float(v), self.fmt(num, **style))
            return len(f"{v:,.2f}") + (len(num) - 10 if num and '"' in num else 0) + 1
        if isinstance(v, (pd.Timestamp, datetime)) and not pd.isna(v):
            d = v.to_pydatetime() if isinstance(v, pd.Timestamp) else v
            ws.write_datetime(r, c, d.replace(tzinfo=None), self.fmt(self._datetime, **style))
            return 16
        x = finite(v)
        if x is not None:
            ws.write_number(r, c, x, self.fmt(num, **style))
            return len(f"{x:,.2f}") + (len(num) - 10 if num and '"' in num else 0) + 1
        if isinstance(v, bool):
            v = self.t("export_yes" if v else "export_no")
        text = cell_text(v, self.t.lang) if not is_num(v) else ""
        if text:
            ws.write_string(r, c, neutralise(text), self.fmt(None, **style))
        else:
            ws.write_blank(r, c, None, self.fmt(num, **style))
        return min(len(text), 80)

    def table(
        self,
        ws: Any,
        r0: int,
        cols: Sequence[Col],
        rows: Iterable[Sequence[Any]],
        totals: Sequence[Any] | None = None,
        freeze: int | None = 0,
        widths: list[float] | None = None,
    ) -> int:
        """Write a header row, the rows and an optional totals row; returns the next free row.

        `freeze`: freeze the header row and this many leading columns (None: no freeze).
        """
        w = widths if widths is not None else [0.0] * len(cols)
        for j, col in enumerate(cols):
            ws.write_string(r0, j, neutralise(col.header), self.fmt(header=True))
            w[j] = max(w[j], min(len(col.header), 24))
        r = r0 + 1
        for row in rows:
            for j, (col, v) in enumerate(zip(cols, row)):
                w[j] = max(w[j], self.put(ws, r, j, v, col.fmt))
            r += 1
        if totals is not None:
            for j, (col, v) in enumerate(zip(cols, totals)):
                w[j] = max(w[j], self.put(ws, r, j, v, col.fmt, total=True))
            r += 1
        if widths is None:
            for j, col in enumerate(cols):
                ws.set_column(j, j, col.width or max(8.0, min(w[j] + 2, 60.0)))
        if freeze is not None:
            ws.freeze_panes(r0 + 1, freeze)
        return r

    def close(self) -> bytes:
        self.wb.close()
        return self.buf.getvalue()


def number_formats(problem: Problem) -> dict[str, str]:
    """Excel number formats by kind; money carries the currency."""
    cur = safe_suffix(currency(problem))
    return {
        "money": f'#,##0.00" {cur}"' if cur else "#,##0.00",
        "value": "#,##0.0",
        "units": "#,##0.00",
        "int": "0",
        "share": "0.0%",
        "weight": "0.00",
        "price": "#,##0.0000",
        "ratio": "0.000000",
        "seconds": "0.000",
        "gap": "0.00%",
    }


def pool_format(
    problem: Problem, pool: str, nf: Mapping[str, str], lang: str = DEFAULT_LANG
) -> str:
    """A pool's number format: money, or the pool's own unit in the language."""
    if pool == problem.money_pool:
        return nf["money"]
    unit = safe_suffix(pool_unit(problem, pool, lang))
    return f'#,##0.0" {unit}"' if unit else "#,##0.0"


def neutral_properties(meta: ExportMeta, title: str = TITLE) -> dict[str, Any]:
    """Document properties set explicitly so nothing personal or unrelated leaks into them."""
    return {
        "title": title,
        "subject": "",
        "author": "",
        "manager": "",
        "company": "",
        "category": "",
        "keywords": "",
        "comments": "",
        "status": "",
        "created": meta.when,
    }


def _write_summary(
    book: Book, problem: Problem, result: Result, meta: ExportMeta, nf: Mapping[str, str]
) -> None:
    t = book.t
    ws = book.sheet(t("export_sheet_summary"))
    ws.write_string(0, 0, t("report_title"), book.fmt(title=True))
    r = 2
    w = [24.0, 30.0] + [14.0] * 9
    for label, v, kind in header_rows(result, meta, t):
        ws.write_string(r, 0, label, book.fmt(bold=True))
        w[1] = max(w[1], book.put(ws, r, 1, v, nf.get(kind)))
        r += 1
    if meta.notes:
        ws.write_string(r, 0, t("report_notes"), book.fmt(bold=True))
        ws.write_string(r, 1, neutralise(meta.notes), book.fmt(wrap=True))
        r += 1
    lines = explanation(result, t)
    if lines:
        r += 1
        ws.write_string(
            r,
            0,
            t("export_why_no_plan" if not result.has_plan else "report_notes"),
            book.fmt(bold=True),
        )
        r += 1
        for line in lines:
            # The explanation's own bullets become real bullets rather than escaped dashes.
            ws.write_string(r, 0, neutralise(re.sub(r"^\s*-\s", "\u2022 ", line)))
            r += 1
    if result.has_plan:
        r += 1
        ws.write_string(r, 0, t("export_key_figures"), book.fmt(bold=True))
        r += 1
        for label, v, kind in kpis(problem, result, t):
            ws.write_string(r, 0, label)
            book.put(ws, r, 1, v, nf[kind])
            r += 1
        r += 1
        ws.write_string(r, 0, t("export_pools"), book.fmt(bold=True))
        r += 1
        cols = [
            Col(t("export_col_pool")),
            Col(t("export_col_unit")),
            Col(t("export_col_capacity")),
            Col(t("export_col_used")),
            Col(t("export_col_slack")),
            Col(t("export_col_use"), nf["share"]),
            Col(t("export_col_shadow_price"), nf["price"]),
        ]
        # Whole units: one more step of each pool, re-solved, beside the LP price.
        steps = result.settings.integer_units and STEP_PRICE in result.pools.columns
        if steps:
            cols += [
                Col(t("export_col_price_step")),
                Col(t("export_col_step_price"), nf["price"]),
            ]
        # The price as the page quotes it: the value of one fixed amount more of the pool.
        amounts = quote_amounts(result.pools, meta.quotes)
        cols += [Col(t("export_col_quoted_per")), Col(t("export_col_quoted_price"), nf["price"])]
        book.table(ws, r, cols, [], freeze=None, widths=w)
        r += 1
        for p, row in result.pools.iterrows():
            pf = pool_format(problem, str(p), nf, t.lang)
            cap = finite(row[CAPACITY])
            use = row[USED] / cap if cap else None
            for j, (v, f) in enumerate(
                zip(
                    (
                        row[NAME],
                        row[UNIT],
                        row[CAPACITY],
                        row[USED],
                        row[SLACK],
                        use,
                        row[SHADOW_PRICE],
                        *((row[PRICE_STEP], row[STEP_PRICE]) if steps else ()),
                        amounts[str(p)],
                        quoted(row[SHADOW_PRICE], amounts[str(p)]),
                    ),
                    (
                        None,
                        None,
                        pf,
                        pf,
                        pf,
                        nf["share"],
                        nf["price"],
                        *((pf, nf["price"]) if steps else ()),
                        pf,
                        nf["price"],
                    ),
                )
            ):
                w[j] = max(w[j], book.put(ws, r, j, v, f))
            r += 1
    for j, width in enumerate(w):
        ws.set_column(j, j, min(width + 2, 60))
    ws.freeze_panes(1, 0)


def _id_cols(t: Translator) -> list[Col]:
    return [
        Col(t("export_col_client_id")),
        Col(t("export_col_client")),
        Col(t("export_col_segment")),
    ]


def _write_grid(
    book: Book, name: str, problem: Problem, result: Result, column: str, fmt: str
) -> None:
    t = book.t
    ws = book.sheet(name)
    g = grid(problem, result, column)
    cols = [
        *_id_cols(t),
        *[Col(str(problem.methods.at[m, NAME]), fmt) for m in g.columns],
        Col(t("export_total"), fmt),
    ]
    totals = [
        t("export_total"),
        "",
        "",
        *[float(np.nansum(g[m].to_numpy())) for m in g.columns],
        float(np.nansum(g.to_numpy())),
    ]
    book.table(ws, 0, cols, grid_rows(problem, g), totals, freeze=2)


def _pool_cols(problem: Problem, nf: Mapping[str, str], lang: str) -> list[Col]:
    return [
        Col(pool_label(problem, p, lang), pool_format(problem, p, nf, lang)) for p in problem.pools
    ]


def _write_allocation(book: Book, problem: Problem, result: Result, nf: Mapping[str, str]) -> None:
    t = book.t
    ws = book.sheet(t("export_sheet_allocation"))
    long = allocation_long(problem, result)
    pools = problem.pools
    cols = [
        *_id_cols(t),
        Col(t("export_col_method_id")),
        Col(t("export_col_method")),
        Col(t("export_col_units"), nf["units"]),
        Col(t("export_col_max_units"), nf["int"]),
        Col(t("export_col_committed_units"), nf["int"]),
        Col(t("export_col_value"), nf["value"]),
        Col(t("export_col_weighted_value"), nf["value"]),
        *_pool_cols(problem, nf, book.t.lang),
        Col(t("export_col_value_per_money", currency=currency(problem)), nf["ratio"]),
    ]
    totals = [
        t("export_total"),
        "",
        "",
        "",
        "",
        long[UNITS].sum(),
        None,
        long[COMMITTED_UNITS].sum(),
        long[VALUE].sum(),
        long[WEIGHTED_VALUE].sum(),
        *[long[use_col(p)].sum() for p in pools],
        None,
    ]
    book.table(ws, 0, cols, long.itertuples(index=False, name=None), totals, freeze=2)


def _write_by_client(book: Book, problem: Problem, result: Result, nf: Mapping[str, str]) -> None:
    t = book.t
    ws = book.sheet(t("export_sheet_by_client"))
    cl = result.clients
    pools = problem.pools
    cols = [
        *_id_cols(t),
        Col(t("export_col_weight"), nf["weight"]),
        Col(t("export_col_value"), nf["value"]),
        Col(t("export_col_weighted_value"), nf["value"]),
        Col(t("export_col_attainable"), nf["value"]),
        Col(t("export_col_share"), nf["share"]),
        *_pool_cols(problem, nf, book.t.lang),
    ]
    rows = [
        [
            c,
            r[NAME],
            r[SEGMENT],
            r[WEIGHT],
            r[VALUE],
            r[WEIGHTED_VALUE],
            r[ATTAINABLE],
            r[SHARE],
            *[r[use_col(p)] for p in pools],
        ]
        for c, r in cl.iterrows()
    ]
    att = float(cl[ATTAINABLE].sum())
    totals = [
        t("export_total"),
        "",
        "",
        None,
        cl[VALUE].sum(),
        cl[WEIGHTED_VALUE].sum(),
        att,
        float(cl[VALUE].sum()) / att if att > 0 else None,
        *[cl[use_col(p)].sum() for p in pools],
    ]
    book.table(ws, 0, cols, rows, totals, freeze=2)


def _write_by_method(book: Book, problem: Problem, result: Result, nf: Mapping[str, str]) -> None:
    t = book.t
    ws = book.sheet(t("export_sheet_by_method"))
    me = result.methods
    pools = problem.pools
    cols = [
        Col(t("export_col_method_id")),
        Col(t("export_col_method")),
        Col(t("export_col_unit")),
        Col(t("export_col_units"), nf["units"]),
        Col(t("export_col_value"), nf["value"]),
        Col(t("export_col_weighted_value"), nf["value"]),
        *_pool_cols(problem, nf, book.t.lang),
    ]
    rows = [
        [
            m,
            r[NAME],
            r[UNIT],
            r[UNITS],
            r[VALUE],
            r[WEIGHTED_VALUE],
            *[r[use_col(p)] for p in pools],
        ]
        for m, r in me.iterrows()
    ]
    totals = [
        t("export_total"),
        "",
        "",
        me[UNITS].sum(),
        me[VALUE].sum(),
        me[WEIGHTED_VALUE].sum(),
        *[me[use_col(p)].sum() for p in pools],
    ]
    book.table(ws, 0, cols, rows, totals, freeze=2)


def unfunded_cols(nf: Mapping[str, str], t: Translator) -> list[Col]:
    """The columns of the Not funded sheet."""
    return [
        Col(t("export_col_client_id")),
        Col(t("export_col_client")),
        Col(t("export_col_method_id")),
        Col(t("export_col_method")),
        Col(t("export_col_units_funded"), nf["units"]),
        Col(t("export_col_max_units"), nf["int"]),
        Col(t("export_col_next_unit"), nf["int"]),
        Col(t("export_col_first_value"), nf["value"]),
        Col(t("export_col_value_needed"), nf["value"]),
        Col(t("export_col_blocked_by")),
        Col(t("export_col_reason"), width=70),
    ]


def _write_inputs(book: Book, problem: Problem) -> None:
    """The inputs as they were solved, one sheet per bundle table (reloadable as a bundle)."""
    for name, frame in to_tables(problem).items():
        ws = book.sheet(name)
        book.table(
            ws,
            0,
            [Col(str(c)) for c in frame.columns],
            frame.itertuples(index=False, name=None),
            freeze=1,
        )
    ws = book.sheet(SETTINGS)
    items = settings_dict(problem.settings)
    book.table(
        ws,
        0,
        [Col("key"), Col("value")],
        [[k, str(v).lower() if isinstance(v, bool) else v] for k, v in items.items()],
        freeze=1,
    )


def _write_changes(book: Book, changes: Sequence[Any], since: str) -> None:
    """The Changes sheet: every change to the shared inputs (optimizer.workspace.Change:
    when, who, table, row, column, old and new value), oldest first."""
    t = book.t
    ws = book.sheet(t("export_sheet_changes"))
    ws.write_string(0, 0, neutralise(t("export_changes_since", name=since)), book.fmt(bold=True))
    cols = [
        Col(t("export_col_changed_at")),
        Col(t("export_col_changed_by")),
        Col(t("export_col_table")),
        Col(t("export_col_row")),
        Col(t("export_col_column")),
        Col(t("export_col_old")),
        Col(t("export_col_new")),
    ]
    rows = (
        (c.at[:19].replace("T", " "), c.who, c.table, c.key, c.column, c.old or "", c.new or "")
        for c in changes
    )
    book.table(ws, 2, cols, rows, freeze=0)


def xlsx_bytes(
    problem: Problem,
    result: Result,
    meta: ExportMeta | None = None,
    lang: str = DEFAULT_LANG,
    changes: Sequence[Any] | None = None,
    since: str = "",
) -> bytes:
    """The planning workbook: Summary, grids, allocation, by client and method, not funded,
    and the inputs as solved. Without a plan: the Summary (with the reasons) and the inputs.
    `lang`: the language of its sheet names, headers and labels. With `changes` (the shared
    inputs' changes since `since`, optimizer.workspace.Change), a Changes sheet too."""
    meta = meta or ExportMeta()
    t = words(lang)
    nf = number_formats(problem)
    book = Book(neutral_properties(meta, t("report_title")), t)
    _write_summary(book, problem, result, meta, nf)
    if result.has_plan:
        _write_grid(book, t("export_sheet_grid_units"), problem, result, UNITS, nf["units"])
        _write_grid(book, t("export_sheet_grid_value"), problem, result, VALUE, nf["value"])
        _write_allocation(book, problem, result, nf)
        _write_by_client(book, problem, result, nf)
        _write_by_method(book, problem, result, nf)
        ws = book.sheet(t("export_sheet_not_funded"))
        book.table(ws, 0, unfunded_cols(nf, t), unfunded_rows(problem, result, t), freeze=2)
    if changes is not None:
        _write_changes(book, changes, since)
    _write_inputs(book, problem)
    return book.close()
