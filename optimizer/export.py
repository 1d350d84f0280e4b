"""Exports for planning meetings: Excel workbook, tidy CSV, HTML report, per-client plans, LP.

Every function here returns bytes (so the dashboard can offer them for download) and the
`write_*` functions put those bytes on disk through `atomic_write_bytes`, so a failed export
never leaves a half-written file behind.

Safety rules shared by every format:
- a text cell that begins with `=`, `+`, `-`, `@`, tab, CR or LF gets a leading apostrophe
  (OWASP's advice against CSV/formula injection); CSV text fields are always quoted;
- xlsx text is always written as a string and numbers as numbers: no cell is ever a formula;
- per-client plans carry one client's data only; free text in them (reasons, notes, the
  scenario name) has any mention of another client replaced by a neutral phrase.

Charts: this module never imports plotly. The HTML report draws plotly charts from plain
figure dictionaries (`{"data": [...], "layout": {...}}`) with the plotly.js bundle read as a
file from the installed plotly package and inlined, so the report works offline. The default
figures come from `report_figures`; the dashboard may pass its own figures as dictionaries
(`fig.to_plotly_json()`), so the report shows the same charts as the screen.
"""

from __future__ import annotations

import html
import importlib.util
import io
import json
import math
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .bundle import atomic_write_bytes, settings_dict, to_tables
from .relationship import METHOD_NAME, unconfirmed_commitments
from .schema import (
    ATTAINABLE,
    BLOCKED_BY,
    CAPACITY,
    CHECKLIST_ITEMS,
    CLIENT_ID,
    COMMITTED_UNITS,
    LAST_REVIEW,
    MAX_UNITS,
    METHOD_ID,
    NAME,
    NEEDED_VALUE,
    NEXT_UNIT,
    OPEN_PROBLEMS,
    REASON,
    SEGMENT,
    SETTINGS,
    SHADOW_PRICE,
    SHARE,
    SLACK,
    UNIT,
    UNITS,
    USED,
    VALUE,
    VALUE_PER_MONEY,
    WEIGHT,
    WEIGHTED_VALUE,
    Problem,
    Result,
    Settings,
    use_col,
)

FORMATS: tuple[str, ...] = ("xlsx", "csv", "html", "client-plans", "lp")
PLAN_FORMATS: tuple[str, ...] = ("xlsx", "csv", "html", "client-plans")
EXTENSIONS: dict[str, str] = {".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".html": "html",
                              ".htm": "html", ".lp": "lp"}
MIME: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv", "html": "text/html", "json": "application/json", "lp": "text/plain",
    "zip": "application/zip"}
TITLE = "Risk-reduction plan"
ANOTHER_CLIENT = "[another client]"
# Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_EPS = 1e-9


class NoPlanError(ValueError):
    """The result has no plan (infeasible or failed solve), so a plan export cannot be made."""

    def __init__(self, result: Result):
        self.result = result
        lines = [f"No plan to export: the solve ended '{result.status_text}'."]
        lines += list(result.explanation)
        super().__init__("\n".join(lines))


class ExportPathError(ValueError):
    """A file name whose extension names no export format (e.g. `plan.pdf`)."""


@dataclass(frozen=True)
class ExportMeta:
    """What an export says about itself: scenario name, time, notes.

    `notes` are the scenario's notes (full report and workbook only); `client_notes` maps a
    client id to that client's notes, which travel with the client's own plan.
    """

    scenario: str = ""
    created: datetime | None = None
    notes: str = ""
    client_notes: Mapping[str, str] = field(default_factory=dict)

    @property
    def when(self) -> datetime:
        return (self.created or datetime.now()).replace(microsecond=0)


# ---- small helpers ----------------------------------------------------------------------------
def neutralise(text: str) -> str:
    """Text safe for a spreadsheet cell: a leading apostrophe if it could start a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _finite(v: Any) -> float | None:
    """A finite float, or None for blanks, NaN and infinities."""
    if v is None or not _is_num(v):
        return None
    x = float(v)
    return x if math.isfinite(x) else None


def _text(v: Any) -> str:
    """Any cell value as display text ('' for blanks)."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return ""
    if isinstance(v, (pd.Timestamp, datetime)):
        return v.strftime("%Y-%m-%d")
    return str(v)


def _safe_suffix(unit: str) -> str:
    """A unit usable inside an Excel number format (quotes and backslashes removed)."""
    return re.sub(r'["\\]', "", str(unit)).strip()[:12]


def _pool_label(problem: Problem, pool: str) -> str:
    res = problem.resources
    unit = _text(res.at[pool, UNIT])
    return f"{res.at[pool, NAME]} ({unit})" if unit else str(res.at[pool, NAME])


def _currency(problem: Problem) -> str:
    return problem.settings.currency


def _objective_label(result: Result) -> str:
    if result.settings.objective == "min_cost":
        return f"Money spent (objective, {result.settings.currency})"
    return "Total weighted value (objective)"


def _mode_text(result: Result) -> str:
    s = result.settings
    mode = ("least cost for a value target of "
            f"{s.target_value_share:.0%} of the best attainable" if s.objective == "min_cost"
            else "most value within the pools")
    return f"{mode}; {'whole units' if s.integer_units else 'fractions of units allowed'}"


def _require_plan(result: Result) -> None:
    if not result.has_plan:
        raise NoPlanError(result)


# ---- tables shared by the formats ------------------------------------------------------------
def allocation_long(problem: Problem, result: Result) -> pd.DataFrame:
    """The allocation in tidy long form, one row per offered client x method cell.

    Columns: client_id, client_name, segment, method_id, method_name, units, max_units,
    committed_units, value, weighted_value, use_<pool> for each pool, value_per_money.
    """
    _require_plan(result)
    a = result.allocation
    cids = a.index.get_level_values(CLIENT_ID)
    mids = a.index.get_level_values(METHOD_ID)
    out = pd.DataFrame({
        CLIENT_ID: cids.astype(str),
        "client_name": problem.clients[NAME].reindex(cids).to_numpy(),
        SEGMENT: problem.clients[SEGMENT].reindex(cids).to_numpy(),
        METHOD_ID: mids.astype(str),
        "method_name": problem.methods[NAME].reindex(mids).to_numpy(),
    })
    cols = [UNITS, MAX_UNITS, COMMITTED_UNITS, VALUE, WEIGHTED_VALUE,
            *[use_col(p) for p in problem.pools], VALUE_PER_MONEY]
    for c in cols:
        out[c] = a[c].to_numpy()
    return out


def csv_columns(problem: Problem) -> list[str]:
    """The CSV export's columns, in order."""
    return [CLIENT_ID, "client_name", SEGMENT, METHOD_ID, "method_name", UNITS, MAX_UNITS,
            COMMITTED_UNITS, VALUE, WEIGHTED_VALUE, *[use_col(p) for p in problem.pools],
            VALUE_PER_MONEY]


def _kpis(problem: Problem, result: Result) -> list[tuple[str, Any, str]]:
    """(label, value, kind) rows of the headline figures; kind picks the number format."""
    a = result.allocation
    funded = a[UNITS] > 1e-6
    reached = result.clients[VALUE] > 1e-9
    rows: list[tuple[str, Any, str]] = [
        (_objective_label(result), result.objective,
         "money" if result.settings.objective == "min_cost" else "value"),
        ("Total perceived value (unweighted)", float(a[VALUE].sum()), "value"),
        (f"Money spent ({_currency(problem)})", result.money_spent, "money"),
        ("Funded client x method cells", int(funded.sum()), "int"),
        ("Offered client x method cells", int(len(a)), "int"),
        ("Clients reached", int(reached.sum()), "int"),
        ("Clients", int(len(result.clients)), "int"),
        ("Share of attainable value delivered",
         float(a[VALUE].sum() / result.clients[ATTAINABLE].sum())
         if result.clients[ATTAINABLE].sum() > 0 else None, "share"),
    ]
    if result.settings.objective == "min_cost":  # else the objective is this figure
        rows.insert(2, ("Total weighted value", float(a[WEIGHTED_VALUE].sum()), "value"))
    if result.lp_objective is not None:
        rows.append(("Continuous bound (fractions of units allowed)", result.lp_objective,
                     "value"))
    if result.target_value is not None:
        rows.append(("Value target the plan had to reach", result.target_value, "value"))
    return rows


Row = tuple[str, Any, str]  # (label, value, kind): kind picks the number format


def _header_rows(problem: Problem, result: Result, meta: ExportMeta) -> list[Row]:
    s = result.settings
    return [
        ("Scenario", meta.scenario or "(unnamed)", "text"),
        ("Exported", meta.when, "text"),
        ("Input fingerprint", result.fingerprint, "text"),
        ("Status", result.status_text, "text"),
        ("Solver", result.solver, "text"),
        ("Solve time (s)", round(result.seconds, 3), "seconds"),
        ("Gap", result.gap if result.gap is not None else
         "n/a" if not s.integer_units else "unknown", "gap"),
        ("Plan for", _mode_text(result), "text"),
        ("Currency", s.currency, "text"),
    ]


# ---- xlsx -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Col:
    """A column to write: its header and number format (None = text)."""

    header: str
    fmt: str | None = None
    width: float | None = None


class _Book:
    """An xlsxwriter workbook with cached formats and a safe cell writer."""

    def __init__(self, properties: Mapping[str, Any]):
        import xlsxwriter  # imported here: only the xlsx export needs it

        self.buf = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buf, {
            "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False, "nan_inf_to_errors": False})
        self.wb.set_properties(dict(properties))
        self._formats: dict[tuple[Any, ...], Any] = {}

    def fmt(self, num: str | None = None, *, bold: bool = False, header: bool = False,
            total: bool = False, title: bool = False, wrap: bool = False) -> Any:
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
        if isinstance(v, (pd.Timestamp, datetime)) and not pd.isna(v):
            d = v.to_pydatetime() if isinstance(v, pd.Timestamp) else v
            ws.write_datetime(r, c, d.replace(tzinfo=None), self.fmt("yyyy-mm-dd hh:mm",
                                                                      **style))
            return 16
        x = _finite(v)
        if x is not None:
            ws.write_number(r, c, x, self.fmt(num, **style))
            return len(f"{x:,.2f}") + (len(num) - 10 if num and '"' in num else 0) + 1
        if isinstance(v, bool):
            v = "yes" if v else "no"
        text = _text(v) if not _is_num(v) else ""
        if text:
            ws.write_string(r, c, neutralise(text), self.fmt(None, **style))
        else:
            ws.write_blank(r, c, None, self.fmt(num, **style))
        return min(len(text), 80)

    def table(self, ws: Any, r0: int, cols: Sequence[Col], rows: Iterable[Sequence[Any]],
              totals: Sequence[Any] | None = None, freeze: int | None = 0,
              widths: list[float] | None = None) -> int:
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


def _number_formats(problem: Problem) -> dict[str, str]:
    cur = _safe_suffix(_currency(problem))
    return {"money": f'#,##0.00" {cur}"' if cur else "#,##0.00", "value": "#,##0.0",
            "units": "#,##0.00", "int": "0", "share": "0.0%", "weight": "0.00",
            "price": "#,##0.0000", "ratio": "0.000000", "seconds": "0.000", "gap": "0.00%"}


def _pool_format(problem: Problem, pool: str, nf: Mapping[str, str]) -> str:
    if pool == problem.money_pool:
        return nf["money"]
    unit = _safe_suffix(_text(problem.resources.at[pool, UNIT]))
    return f'#,##0.0" {unit}"' if unit else "#,##0.0"


def _neutral_properties(meta: ExportMeta, title: str = TITLE) -> dict[str, Any]:
    """Document properties set explicitly so nothing personal or unrelated leaks into them."""
    return {"title": title, "subject": "", "author": "", "manager": "", "company": "",
            "category": "", "keywords": "", "comments": "", "status": "",
            "created": meta.when}


def _write_summary(book: _Book, problem: Problem, result: Result, meta: ExportMeta,
                   nf: Mapping[str, str]) -> None:
    ws = book.sheet("Summary")
    ws.write_string(0, 0, TITLE, book.fmt(title=True))
    r = 2
    w = [24.0, 30.0] + [14.0] * 5
    for label, v, kind in _header_rows(problem, result, meta):
        ws.write_string(r, 0, label, book.fmt(bold=True))
        w[1] = max(w[1], book.put(ws, r, 1, v, nf.get(kind)))
        r += 1
    if meta.notes:
        ws.write_string(r, 0, "Notes", book.fmt(bold=True))
        ws.write_string(r, 1, neutralise(meta.notes), book.fmt(wrap=True))
        r += 1
    if result.explanation:
        r += 1
        ws.write_string(r, 0, "Why there is no plan" if not result.has_plan else "Notes",
                        book.fmt(bold=True))
        r += 1
        for line in result.explanation:
            # The explanation's own bullets become real bullets rather than escaped dashes.
            ws.write_string(r, 0, neutralise(re.sub(r"^\s*-\s", "\u2022 ", line)))
            r += 1
    if result.has_plan:
        r += 1
        ws.write_string(r, 0, "Key figures", book.fmt(bold=True))
        r += 1
        for label, v, kind in _kpis(problem, result):
            ws.write_string(r, 0, label)
            book.put(ws, r, 1, v, nf[kind])
            r += 1
        r += 1
        ws.write_string(r, 0, "Pools", book.fmt(bold=True))
        r += 1
        cols = [Col("Pool"), Col("Unit"), Col("Capacity"), Col("Used"), Col("Slack"),
                Col("Use", nf["share"]), Col("Shadow price (value of one more unit)",
                                             nf["price"])]
        book.table(ws, r, cols, [], freeze=None, widths=w)
        r += 1
        for p, row in result.pools.iterrows():
            pf = _pool_format(problem, str(p), nf)
            cap = _finite(row[CAPACITY])
            use = row[USED] / cap if cap else None
            for j, (v, f) in enumerate(zip(
                    (row[NAME], row[UNIT], row[CAPACITY], row[USED], row[SLACK], use,
                     row[SHADOW_PRICE]), (None, None, pf, pf, pf, nf["share"], nf["price"]))):
                w[j] = max(w[j], book.put(ws, r, j, v, f))
            r += 1
    for j, width in enumerate(w):
        ws.set_column(j, j, min(width + 2, 60))
    ws.freeze_panes(1, 0)


def _grid(problem: Problem, result: Result, column: str) -> pd.DataFrame:
    """Clients x methods of one allocation column; NaN where the method is not offered."""
    g = result.allocation[column].unstack(METHOD_ID)
    return g.reindex(index=problem.clients.index, columns=problem.methods.index)


def _write_grid(book: _Book, name: str, problem: Problem, result: Result, column: str,
                fmt: str) -> None:
    ws = book.sheet(name)
    g = _grid(problem, result, column)
    cols = [Col("Client id"), Col("Client"), Col("Segment"),
            *[Col(str(problem.methods.at[m, NAME]), fmt) for m in g.columns], Col("Total", fmt)]
    rows = [[c, problem.clients.at[c, NAME], problem.clients.at[c, SEGMENT],
             *g.loc[c].tolist(), float(np.nansum(g.loc[c].to_numpy()))] for c in g.index]
    totals = ["Total", "", "", *[float(np.nansum(g[m].to_numpy())) for m in g.columns],
              float(np.nansum(g.to_numpy()))]
    book.table(ws, 0, cols, rows, totals, freeze=2)


def _write_allocation(book: _Book, problem: Problem, result: Result,
                      nf: Mapping[str, str]) -> None:
    ws = book.sheet("Allocation")
    long = allocation_long(problem, result)
    pools = problem.pools
    cols = [Col("Client id"), Col("Client"), Col("Segment"), Col("Method id"), Col("Method"),
            Col("Units", nf["units"]), Col("Max units", nf["int"]),
            Col("Committed units", nf["int"]), Col("Value", nf["value"]),
            Col("Weighted value", nf["value"]),
            *[Col(_pool_label(problem, p), _pool_format(problem, p, nf)) for p in pools],
            Col(f"Value per {_currency(problem)}", nf["ratio"])]
    totals = ["Total", "", "", "", "", long[UNITS].sum(), None, long[COMMITTED_UNITS].sum(),
              long[VALUE].sum(), long[WEIGHTED_VALUE].sum(),
              *[long[use_col(p)].sum() for p in pools], None]
    book.table(ws, 0, cols, long.itertuples(index=False, name=None), totals, freeze=2)


def _write_by_client(book: _Book, problem: Problem, result: Result,
                     nf: Mapping[str, str]) -> None:
    ws = book.sheet("By client")
    cl = result.clients
    pools = problem.pools
    cols = [Col("Client id"), Col("Client"), Col("Segment"), Col("Weight", nf["weight"]),
            Col("Value", nf["value"]), Col("Weighted value", nf["value"]),
            Col("Attainable value", nf["value"]), Col("Share of attainable", nf["share"]),
            *[Col(_pool_label(problem, p), _pool_format(problem, p, nf)) for p in pools]]
    rows = [[c, r[NAME], r[SEGMENT], r[WEIGHT], r[VALUE], r[WEIGHTED_VALUE], r[ATTAINABLE],
             r[SHARE], *[r[use_col(p)] for p in pools]] for c, r in cl.iterrows()]
    att = float(cl[ATTAINABLE].sum())
    totals = ["Total", "", "", None, cl[VALUE].sum(), cl[WEIGHTED_VALUE].sum(), att,
              float(cl[VALUE].sum()) / att if att > 0 else None,
              *[cl[use_col(p)].sum() for p in pools]]
    book.table(ws, 0, cols, rows, totals, freeze=2)


def _write_by_method(book: _Book, problem: Problem, result: Result,
                     nf: Mapping[str, str]) -> None:
    ws = book.sheet("By method")
    me = result.methods
    pools = problem.pools
    cols = [Col("Method id"), Col("Method"), Col("Unit"), Col("Units", nf["units"]),
            Col("Value", nf["value"]), Col("Weighted value", nf["value"]),
            *[Col(_pool_label(problem, p), _pool_format(problem, p, nf)) for p in pools]]
    rows = [[m, r[NAME], r[UNIT], r[UNITS], r[VALUE], r[WEIGHTED_VALUE],
             *[r[use_col(p)] for p in pools]] for m, r in me.iterrows()]
    totals = ["Total", "", "", me[UNITS].sum(), me[VALUE].sum(), me[WEIGHTED_VALUE].sum(),
              *[me[use_col(p)].sum() for p in pools]]
    book.table(ws, 0, cols, rows, totals, freeze=2)


def _unfunded_rows(problem: Problem, result: Result) -> list[list[Any]]:
    """Cells below their max units: ids, names, units, values needed, what blocks, why."""
    u = result.unfunded
    cids = u.index.get_level_values(CLIENT_ID)
    mids = u.index.get_level_values(METHOD_ID)
    return [[c, cn, m, mn, *rest] for c, cn, m, mn, *rest in zip(
        cids, problem.clients[NAME].reindex(cids), mids, problem.methods[NAME].reindex(mids),
        *(u[k].tolist() for k in (UNITS, MAX_UNITS, NEXT_UNIT, VALUE, NEEDED_VALUE,
                                  BLOCKED_BY, REASON)))]


def _unfunded_cols(nf: Mapping[str, str]) -> list[Col]:
    return [Col("Client id"), Col("Client"), Col("Method id"), Col("Method"),
            Col("Units funded", nf["units"]), Col("Max units", nf["int"]),
            Col("Next unit", nf["int"]), Col("First-unit value", nf["value"]),
            Col("First-unit value needed", nf["value"]), Col("Blocked by"),
            Col("Reason", width=70)]


def _write_inputs(book: _Book, problem: Problem) -> None:
    """The inputs as they were solved, one sheet per bundle table (reloadable as a bundle)."""
    for t, frame in to_tables(problem).items():
        ws = book.sheet(t)
        book.table(ws, 0, [Col(str(c)) for c in frame.columns],
                   frame.itertuples(index=False, name=None), freeze=1)
    ws = book.sheet(SETTINGS)
    items = settings_dict(problem.settings)
    book.table(ws, 0, [Col("key"), Col("value")],
               [[k, str(v).lower() if isinstance(v, bool) else v] for k, v in items.items()],
               freeze=1)


def xlsx_bytes(problem: Problem, result: Result, meta: ExportMeta | None = None) -> bytes:
    """The planning workbook: Summary, grids, allocation, by client and method, not funded,
    and the inputs as solved. Without a plan: the Summary (with the reasons) and the inputs."""
    meta = meta or ExportMeta()
    nf = _number_formats(problem)
    book = _Book(_neutral_properties(meta))
    _write_summary(book, problem, result, meta, nf)
    if result.has_plan:
        _write_grid(book, "Grid - units", problem, result, UNITS, nf["units"])
        _write_grid(book, "Grid - value", problem, result, VALUE, nf["value"])
        _write_allocation(book, problem, result, nf)
        _write_by_client(book, problem, result, nf)
        _write_by_method(book, problem, result, nf)
        ws = book.sheet("Not funded")
        book.table(ws, 0, _unfunded_cols(nf), _unfunded_rows(problem, result), freeze=2)
    _write_inputs(book, problem)
    return book.close()


# ---- csv --------------------------------------------------------------------------------------
def _csv_field(v: Any) -> str:
    """One CSV field: numbers bare, text neutralised and always quoted, blanks empty."""
    x = _finite(v)
    if x is not None:
        return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)
    text = _text(v) if not _is_num(v) else ""
    if text == "":
        return ""
    return '"' + neutralise(text).replace('"', '""') + '"'


def csv_bytes(problem: Problem, result: Result) -> bytes:
    """The allocation in tidy long form as UTF-8 CSV (with a byte-order mark for Excel)."""
    long = allocation_long(problem, result)
    cols = csv_columns(problem)
    lines = [",".join(cols)]
    lines += [",".join(_csv_field(v) for v in row)
              for row in long[cols].itertuples(index=False, name=None)]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


# ---- json -------------------------------------------------------------------------------------
def _num(x: Any) -> float | None:
    """A JSON-safe number (NaN and infinities become null)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def result_to_json(problem: Problem, result: Result) -> dict[str, Any]:
    """The solve result as the JSON object of DESIGN section 5 (plus a few extra keys)."""
    pools = problem.pools
    status = "feasible" if result.status == "feasible" else result.status
    out: dict[str, Any] = {
        "status": status, "status_text": result.status_text,
        "objective": _num(result.objective), "gap": _num(result.gap), "solver": result.solver,
        "seconds": round(result.seconds, 4), "fingerprint": result.fingerprint,
        "settings": {k: getattr(result.settings, k) for k in Settings.__dataclass_fields__},
        "bound": _num(result.bound), "lp_objective": _num(result.lp_objective),
        "money_spent": _num(result.money_spent), "target_value": _num(result.target_value),
        "allocation": [], "pools": [], "clients": [], "unfunded": [],
        "explanation": list(result.explanation),
    }
    if not result.has_plan:
        return out
    for (c, m), row in result.allocation.iterrows():
        out["allocation"].append({"client_id": c, "method_id": m, "units": _num(row[UNITS]),
                                  "value": _num(row[VALUE]),
                                  "use": {p: _num(row[use_col(p)]) for p in pools}})
    for p, row in result.pools.iterrows():
        out["pools"].append({"resource_id": p, "capacity": _num(row[CAPACITY]),
                             "used": _num(row[USED]), "shadow_price": _num(row[SHADOW_PRICE])})
    for c, row in result.clients.iterrows():
        out["clients"].append({"client_id": c, "value": _num(row[VALUE]),
                               "attainable": _num(row[ATTAINABLE]), "share": _num(row[SHARE])})
    for (c, m), row in result.unfunded.iterrows():
        out["unfunded"].append({"client_id": c, "method_id": m, "units": _num(row[UNITS]),
                                "needed_value": _num(row["needed_value"]),
                                "blocked_by": row["blocked_by"], "reason": row["reason"]})
    return out


def json_bytes(problem: Problem, result: Result) -> bytes:
    """The same object as `solve --json`."""
    return (json.dumps(result_to_json(problem, result), ensure_ascii=False, indent=1) + "\n") \
        .encode("utf-8")


# ---- charts as plain plotly figure dictionaries ----------------------------------------------
_BLUE, _GREY, _ORANGE = "#2E6FAC", "#C9D3DF", "#E07B39"
_CHART_WIDTH = 680  # px: fits the printable width of A4 portrait


def _layout(title: str, height: int, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0, "font": {"size": 15}}, "width": _CHART_WIDTH,
        "height": height, "margin": {"l": 10, "r": 20, "t": 50, "b": 40},
        "font": {"family": "Segoe UI, Helvetica, Arial, sans-serif", "size": 11},
        "paper_bgcolor": "white", "plot_bgcolor": "white",
        "legend": {"orientation": "h", "y": -0.08}}
    layout.update(extra)
    return layout


def report_figures(problem: Problem, result: Result) -> list[dict[str, Any]]:
    """The report's charts as plotly figure dictionaries (no plotly import needed)."""
    if not result.has_plan:
        return []
    figs: list[dict[str, Any]] = []
    cl = result.clients.sort_values(VALUE, ascending=False)
    names = [str(n) for n in cl[NAME]]
    gap = np.maximum(cl[ATTAINABLE].to_numpy() - cl[VALUE].to_numpy(), 0.0)
    figs.append({"data": [
        {"type": "bar", "orientation": "h", "y": names, "x": cl[VALUE].round(4).tolist(),
         "name": "Value delivered", "marker": {"color": _BLUE}},
        {"type": "bar", "orientation": "h", "y": names, "x": np.round(gap, 4).tolist(),
         "name": "Attainable, not delivered", "marker": {"color": _GREY}}],
        "layout": _layout("Perceived value by client", 120 + 22 * len(names), barmode="stack",
                          yaxis={"autorange": "reversed", "automargin": True},
                          xaxis={"title": {"text": "perceived value"}})})
    po = result.pools
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(po[CAPACITY].to_numpy() > 0,
                         po[USED].to_numpy() / po[CAPACITY].to_numpy(), 0.0)
    labels = [f"{u:,.1f} of {c:,.1f} {un}" for u, c, un in
              zip(po[USED], po[CAPACITY], po[UNIT])]
    figs.append({"data": [
        {"type": "bar", "orientation": "h", "y": [str(n) for n in po[NAME]],
         "x": np.round(share * 100, 2).tolist(), "text": labels, "textposition": "auto",
         "marker": {"color": [_ORANGE if s > 1 - 1e-6 else _BLUE for s in share]},
         "name": "Used"}],
        "layout": _layout("Use of each pool (% of capacity)", 140 + 40 * len(po),
                          showlegend=False, xaxis={"range": [0, 105], "ticksuffix": "%"},
                          yaxis={"autorange": "reversed", "automargin": True})})
    g = _grid(problem, result, UNITS)
    z = [[None if not math.isfinite(v) else round(float(v), 3) for v in row]
         for row in g.to_numpy(dtype=float)]
    figs.append({"data": [
        {"type": "heatmap", "z": z, "x": [str(n) for n in problem.methods[NAME]],
         "y": [str(n) for n in problem.clients[NAME]], "colorscale": "Blues",
         "hoverongaps": False, "colorbar": {"title": {"text": "units"}}}],
        "layout": _layout("Units by client and method (blank: not offered)",
                          180 + 22 * len(g), yaxis={"autorange": "reversed",
                                                    "automargin": True},
                          xaxis={"automargin": True, "tickangle": -30})})
    me = result.methods
    money = use_col(problem.money_pool)
    figs.append({"data": [
        {"type": "bar", "x": [str(n) for n in me[NAME]], "y": me[money].round(2).tolist(),
         "name": str(problem.resources.at[problem.money_pool, NAME]),
         "marker": {"color": _BLUE}}],
        "layout": _layout(f"{problem.resources.at[problem.money_pool, NAME]} by method",
                          360, showlegend=False, xaxis={"automargin": True, "tickangle": -30},
                          yaxis={"title": {"text": _text(problem.resources.at[
                              problem.money_pool, UNIT])}})})
    return figs


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


def _json_default(o: Any) -> Any:
    if hasattr(o, "tolist"):
        return o.tolist()
    if isinstance(o, (datetime, pd.Timestamp)):
        return o.isoformat()
    return str(o)


def _script_json(obj: Any) -> str:
    """JSON safe to place inside a <script> element."""
    text = json.dumps(obj, ensure_ascii=False, default=_json_default)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# ---- html -------------------------------------------------------------------------------------
_CSS = """
@page { size: A4 portrait; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", Helvetica, Arial, sans-serif; font-size: 10.5pt; color: #1d2733;
       max-width: 190mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 18pt; margin: 0 0 4pt; } h2 { font-size: 13pt; margin: 16pt 0 6pt;
     border-bottom: 1px solid #c9d3df; padding-bottom: 2pt; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 10pt; font-size: 9.5pt; }
th, td { padding: 2pt 5pt; border-bottom: 1px solid #e3e8ee; text-align: left;
         vertical-align: top; overflow-wrap: break-word; }
th { background: #dce6f1; font-weight: 600; }
td.n, th.n { text-align: right; } td.n { white-space: nowrap; }
tr.total td { font-weight: 600; border-top: 1.5px solid #1d2733; background: #f2f2f2; }
table.meta th { width: 34%; background: none; }
.kpis { display: flex; flex-wrap: wrap; gap: 6pt; margin: 6pt 0; }
.kpi { border: 1px solid #c9d3df; border-radius: 4px; padding: 4pt 8pt; min-width: 40mm; }
.kpi b { display: block; font-size: 13pt; } .kpi span { font-size: 8.5pt; color: #556; }
.warn { border-left: 4px solid #e07b39; padding: 4pt 8pt; background: #fdf3ec; }
.chart { page-break-inside: avoid; break-inside: avoid; margin: 8pt 0; }
.bar { background: #2e6fac; height: 8pt; display: inline-block; vertical-align: middle; }
.small { font-size: 8.5pt; color: #556; }
thead { display: table-header-group; } tr { page-break-inside: avoid; break-inside: avoid; }
@media print { body { padding: 0; font-size: 9pt; } h2 { page-break-after: avoid; }
  .pagebreak { page-break-before: always; } }
"""


def _e(v: Any) -> str:
    return html.escape(_text(v), quote=True)


def _num_text(v: Any, kind: str, unit: str = "") -> str:
    x = _finite(v)
    if x is None:
        return ""
    if kind == "share":
        return f"{x:.1%}"
    if kind == "int":
        return f"{x:,.0f}"
    if kind == "price":
        return f"{x:,.4g}"
    if kind == "ratio":
        return f"{x:.6f}"
    if kind == "seconds":
        return f"{x:.3f}"
    if kind == "units":
        return f"{x:,.2f}"
    if kind == "money":
        return (f"{x:,.0f} {unit}" if abs(x) >= 100 else f"{x:,.2f} {unit}").strip()
    return f"{x:,.1f}" + (f" {unit}" if unit else "")


def _html_table(headers: Sequence[tuple[str, str]], rows: Iterable[Sequence[Any]],
                totals: Sequence[Any] | None = None, units: Sequence[str] | None = None,
                row_units: Sequence[Sequence[str]] | None = None) -> str:
    """headers: (label, kind) with kind 'text' or a number kind for _num_text; `units` per
    column, or `row_units` per row and column (pools each have their own unit)."""
    units = units or [""] * len(headers)

    def cells(row: Sequence[Any], row_unit: Sequence[str] = units) -> str:
        out = []
        for (_, kind), u, v in zip(headers, row_unit, row):
            if kind == "text" or not (_is_num(v) or v is None):
                out.append(f"<td>{_e(v)}</td>")
            else:
                out.append(f'<td class="n">{_e(_num_text(v, kind, u))}</td>')
        return "".join(out)

    head = "".join(f'<th class="{"" if k == "text" else "n"}">{_e(h)}</th>' for h, k in headers)
    rows = list(rows)
    per_row = row_units or [units] * len(rows)
    body = "".join(f"<tr>{cells(r, u)}</tr>" for r, u in zip(rows, per_row))
    foot = f'<tr class="total">{cells(totals)}</tr>' if totals is not None else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}{foot}</tbody></table>"


def _html_page(title: str, body: str, head_extra: str = "") -> bytes:
    doc = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
           f'<meta name="viewport" content="width=device-width, initial-scale=1">'
           f"<title>{_e(title)}</title><style>{_CSS}</style>{head_extra}</head>"
           f"<body>{body}</body></html>\n")
    return doc.encode("utf-8")


def _meta_table(rows: Sequence[Row]) -> str:
    out = []
    for label, v, kind in rows:
        if isinstance(v, datetime):
            v = v.strftime("%Y-%m-%d %H:%M")
        elif kind == "gap" and _finite(v) is not None:
            v = f"{v:.2%}"
        elif kind != "text" and _is_num(v):
            v = _num_text(v, kind)
        out.append(f"<tr><th>{_e(label)}</th><td>{_e(v)}</td></tr>")
    return f'<table class="meta">{"".join(out)}</table>'


def _pool_units(problem: Problem, pools: Sequence[str]) -> list[str]:
    return [_currency(problem) if p == problem.money_pool else
            _text(problem.resources.at[p, UNIT]) for p in pools]


def html_report(problem: Problem, result: Result, meta: ExportMeta | None = None,
                figures: Sequence[Mapping[str, Any]] | None = None) -> bytes:
    """One self-contained HTML file, printable on A4: the Summary, the tables and the charts.

    `figures`: plotly figure dictionaries to draw (default `report_figures`)."""
    meta = meta or ExportMeta()
    cur = _currency(problem)
    parts = [f"<h1>{_e(TITLE)}</h1>",
             _meta_table(_header_rows(problem, result, meta))]
    if meta.notes:
        parts.append(f"<h2>Notes</h2><p>{_e(meta.notes)}</p>")
    if not result.has_plan:
        lines = "".join(f"<li>{_e(x)}</li>" for x in result.explanation)
        parts.append(f'<h2>No plan</h2><div class="warn"><p>The request cannot be met as it '
                     f'stands ({_e(result.status_text)}).</p><ul>{lines}</ul></div>')
        return _html_page(f"{TITLE} - {meta.scenario}".strip(" -"), "".join(parts))
    kinds = {"money": cur}
    kpis = "".join(
        f'<div class="kpi"><b>{_e(_num_text(v, k, kinds.get(k, "")) if _is_num(v) else v)}'
        f"</b><span>{_e(label)}</span></div>" for label, v, k in _kpis(problem, result))
    parts.append(f'<h2>Key figures</h2><div class="kpis">{kpis}</div>')
    if result.explanation:
        parts.append("".join(f"<p>{_e(x)}</p>" for x in result.explanation))
    po = result.pools
    units = [cur if p == problem.money_pool else _text(po.at[p, UNIT]) for p in po.index]
    pool_rows = [[r[NAME], r[CAPACITY], r[USED], r[SLACK],
                  r[USED] / r[CAPACITY] if r[CAPACITY] else None, r[SHADOW_PRICE]]
                 for _, r in po.iterrows()]
    parts.append("<h2>Pools</h2>" + _html_table(
        [("Pool", "text"), ("Capacity", "value"), ("Used", "value"), ("Slack", "value"),
         ("Use", "share"), ("Shadow price (value of one more unit)", "price")],
        pool_rows, row_units=[["", u, u, u, "", ""] for u in units]))

    pools = problem.pools
    pu = _pool_units(problem, pools)
    cl = result.clients
    att = float(cl[ATTAINABLE].sum())
    parts.append("<h2>By client</h2>" + _html_table(
        [("Client", "text"), ("Segment", "text"), ("Weight", "units"), ("Value", "value"),
         ("Share of attainable", "share"),
         *[(str(problem.resources.at[p, NAME]), "money" if p == problem.money_pool else
            "value") for p in pools]],
        [[r[NAME], r[SEGMENT], r[WEIGHT], r[VALUE], r[SHARE], *[r[use_col(p)] for p in pools]]
         for _, r in cl.iterrows()],
        ["Total", "", None, cl[VALUE].sum(), cl[VALUE].sum() / att if att > 0 else None,
         *[cl[use_col(p)].sum() for p in pools]],
        units=["", "", "", "", "", *pu]))
    me = result.methods
    parts.append("<h2>By method</h2>" + _html_table(
        [("Method", "text"), ("Unit", "text"), ("Units", "units"), ("Value", "value"),
         *[(str(problem.resources.at[p, NAME]), "money" if p == problem.money_pool else
            "value") for p in pools]],
        [[r[NAME], r[UNIT], r[UNITS], r[VALUE], *[r[use_col(p)] for p in pools]]
         for _, r in me.iterrows()],
        ["Total", "", me[UNITS].sum(), me[VALUE].sum(), *[me[use_col(p)].sum() for p in pools]],
        units=["", "", "", "", *pu]))

    figs = report_figures(problem, result) if figures is None else list(figures)
    js = plotly_js() if figs else None
    head_extra = ""
    if figs and js:
        head_extra = f'<script type="text/javascript">{js}</script>'
        charts = []
        for i, fig in enumerate(figs):
            data = fig.get("data", [])
            layout = dict(fig.get("layout", {}))
            charts.append(
                f'<div class="chart" id="chart-{i}"></div><script type="text/javascript">'
                f'Plotly.newPlot("chart-{i}", {_script_json(data)}, {_script_json(layout)}, '
                f'{{"displayModeBar": false, "responsive": false}});</script>')
        parts.append('<h2 class="pagebreak">Charts</h2>' + "".join(charts))
    elif figs:
        parts.append('<h2>Charts</h2><p class="small">Charts are not available: the plotly '
                     "package is not installed.</p>")

    parts.append('<h2 class="pagebreak">Allocation</h2>' + _html_table(
        [("Client", "text"), ("Method", "text"), ("Units", "units"), ("Committed", "int"),
         ("Value", "value"), (f"{problem.resources.at[problem.money_pool, NAME]}", "money")],
        [[problem.clients.at[c, NAME], problem.methods.at[m, NAME], r[UNITS],
          r[COMMITTED_UNITS], r[VALUE], r[use_col(problem.money_pool)]]
         for (c, m), r in result.allocation.iterrows() if r[UNITS] > 1e-6],
        units=["", "", "", "", "", cur]))
    parts.append("<h2>Not funded</h2>" + _html_table(
        [("Client", "text"), ("Method", "text"), ("Units funded", "units"),
         ("Max units", "int"), ("Reason", "text")],
        [[r[1], r[3], r[4], r[5], r[10]] for r in _unfunded_rows(problem, result)]))
    parts.append(f'<p class="small">Input fingerprint {_e(result.fingerprint)}. '
                 f"Exported {meta.when:%Y-%m-%d %H:%M}.</p>")
    return _html_page(f"{TITLE} - {meta.scenario}".strip(" -"), "".join(parts), head_extra)


# ---- per-client plans -------------------------------------------------------------------------
# Words as the mention finder sees them: letters and digits, joined by inner '.' or '-' (as in
# ids), or one other visible character. A trailing full stop is not part of a word.
_TOKEN = re.compile(r"\w+(?:[.-]\w+)*|[^\w\s]")


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


class _Mentions:
    """Finds clients' ids and names in free text (whole words, any case) so that one client's
    plan can replace every mention of another client. Built once per batch of plans: the
    scan is linear in the text, whatever the number of clients."""

    def __init__(self, problem: Problem):
        self.owners: dict[tuple[str, ...], set[str]] = {}
        for c, name in problem.clients[NAME].items():
            for phrase in (str(c), _text(name)):
                toks = tuple(_tokens(phrase))
                if toks and len(phrase.strip()) >= 2:
                    self.owners.setdefault(toks, set()).add(str(c))
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for toks in self.owners:
            self.by_first.setdefault(toks[0], []).append(toks)
        for cands in self.by_first.values():
            cands.sort(key=len, reverse=True)  # the longest phrase wins ("Acme Steel" > "Acme")

    def redact(self, text: Any, own: str) -> str:
        """`text` with each mention of a client other than `own` replaced."""
        text = _text(text)
        found = list(_TOKEN.finditer(text))
        low = [m.group().lower() for m in found]
        out, pos, i = [], 0, 0
        while i < len(found):
            n = 0
            for toks in self.by_first.get(low[i], ()):
                if tuple(low[i:i + len(toks)]) == toks:
                    n = len(toks)
                    if own not in self.owners[toks]:
                        out += [text[pos:found[i].start()], ANOTHER_CLIENT]
                        pos = found[i + n - 1].end()
                    break
            i += max(n, 1)
        out.append(text[pos:])
        return "".join(out)


_CHECKLIST_LABELS = {"plan_agreed": "Interaction plan agreed with the client",
                     "criteria_known": "Main selection criteria known",
                     "roles_mapped": "Roles in the decision-making unit mapped",
                     "procedure_known": "Decision-making procedure known",
                     "written_confirmation": "Agreements confirmed in writing"}


def _client_notes(problem: Problem, client_id: str, meta: ExportMeta) -> list[tuple[str, str]]:
    """This client's relationship checklist, open problems and notes, as (label, text)."""
    out: list[tuple[str, str]] = []
    rel = problem.relationship
    if rel is not None and client_id in rel.index:
        r = rel.loc[client_id]
        for item in CHECKLIST_ITEMS:
            out.append((_CHECKLIST_LABELS.get(item, item), _text(r[item])))
        out.append(("Open problems", _text(r[OPEN_PROBLEMS]) or "none recorded"))
        out.append(("Last review", _text(r[LAST_REVIEW])))
    # The checklist flags committed units whose agreement is not confirmed in writing.
    flagged = unconfirmed_commitments(problem)
    mine = flagged[flagged.index.get_level_values(CLIENT_ID) == client_id]
    if len(mine):
        out.append(("Committed units not confirmed in writing", "; ".join(
            f"{r[METHOD_NAME]}: {float(r[COMMITTED_UNITS]):g}" for _, r in mine.iterrows())))
    note = _text(meta.client_notes.get(client_id, "")) if meta.client_notes else ""
    if note:
        out.append(("Notes", note))
    return out


@dataclass(frozen=True)
class _ClientPlan:
    """One client's plan, every text already cleared of other clients."""

    client_id: str
    name: str
    header: list[Row]
    cols: list[tuple[str, str]]
    units: list[str]
    rows: list[list[Any]]
    totals: list[Any]
    unfunded: list[list[Any]]
    notes: list[tuple[str, str]]


class _PlanBook:
    """What every client's plan draws on, indexed once so a batch of plans stays linear."""

    def __init__(self, problem: Problem, result: Result, meta: ExportMeta):
        _require_plan(result)
        self.problem, self.result, self.meta = problem, result, meta
        self.mentions = _Mentions(problem)
        self.money = problem.money_pool
        self.pools = problem.pools
        cids = result.allocation.index.get_level_values(CLIENT_ID)
        self.cells = {c: idx for c, idx in pd.Series(np.arange(len(cids))).groupby(
            cids.to_numpy()).groups.items()}
        u = result.unfunded
        ucids = u.index.get_level_values(CLIENT_ID).to_numpy()
        self.unfunded = {c: list(rows) for c, rows in pd.Series(np.arange(len(u))).groupby(
            ucids).groups.items()} if len(u) else {}
        self.pool_kinds = ["money" if p == self.money else "value" for p in self.pools]
        self.pool_units = [_currency(problem) if p == self.money else
                           _text(problem.resources.at[p, UNIT]) for p in self.pools]

    def plan(self, client_id: str) -> _ClientPlan:
        problem, result, meta = self.problem, self.result, self.meta
        if client_id not in problem.clients.index:
            raise KeyError(f"'{client_id}' is not a client of this plan")

        def red(v: Any) -> str:
            return self.mentions.redact(v, client_id)

        c = problem.clients.loc[client_id]
        a = result.allocation.iloc[list(self.cells.get(client_id, []))]
        mids = a.index.get_level_values(METHOD_ID)
        first = problem.values[VALUE].reindex(a.index).to_numpy()
        pools = self.pools
        cols = [("Method", "text"), ("Unit", "text"), ("First-unit value", "value"),
                ("Units", "units"), ("Max units", "int"), ("Committed units", "int"),
                ("Value", "value"),
                *[(str(problem.resources.at[p, NAME]), k) for p, k in zip(pools,
                                                                          self.pool_kinds)]]
        use = a[[use_col(p) for p in pools]].to_numpy()
        rows = [[red(problem.methods.at[m, NAME]), red(problem.methods.at[m, UNIT]), v, *vals,
                 *u] for m, v, vals, u in zip(
                     mids, first, a[[UNITS, MAX_UNITS, COMMITTED_UNITS, VALUE]].to_numpy(), use)]
        totals = ["Total", "", None, a[UNITS].sum(), None, a[COMMITTED_UNITS].sum(),
                  a[VALUE].sum(), *use.sum(axis=0)]
        cl = result.clients.loc[client_id]
        header: list[Row] = [
            ("Client", _text(c[NAME]), "text"), ("Client id", client_id, "text"),
            ("Segment", _text(c[SEGMENT]), "text"),
            ("Scenario", red(meta.scenario) if meta.scenario else "(unnamed)", "text"),
            ("Exported", meta.when, "text"), ("Input fingerprint", result.fingerprint, "text"),
            ("Plan status", result.status_text, "text"),
            ("Value of this plan", cl[VALUE], "value"),
            ("Share of the value attainable for this client", cl[SHARE], "share"),
            ("Units already committed in writing", float(a[COMMITTED_UNITS].sum()), "int")]
        u = result.unfunded.iloc[self.unfunded.get(client_id, [])]
        unfunded = [[red(problem.methods.at[m, NAME]), r[UNITS], r[MAX_UNITS], r[VALUE],
                     r[NEEDED_VALUE], red(r[REASON])]
                    for m, r in zip(u.index.get_level_values(METHOD_ID),
                                    u.to_dict("records"))]
        notes = [(label, red(text)) for label, text in _client_notes(problem, client_id, meta)]
        return _ClientPlan(client_id=client_id, name=_text(c[NAME]), header=header, cols=cols,
                           units=["", "", "", "", "", "", "", *self.pool_units], rows=rows,
                           totals=totals, unfunded=unfunded, notes=notes)

    def xlsx(self, plan: _ClientPlan) -> bytes:
        problem, nf = self.problem, _number_formats(self.problem)
        kind_fmt = {"text": None, "value": nf["value"], "units": nf["units"], "int": nf["int"],
                    "money": nf["money"]}
        book = _Book(_neutral_properties(self.meta))
        ws = book.sheet("Plan")
        ws.write_string(0, 0, TITLE, book.fmt(title=True))
        r = 2
        for label, v, kind in plan.header:
            ws.write_string(r, 0, label, book.fmt(bold=True))
            book.put(ws, r, 1, v, nf.get(kind))
            r += 1
        r += 1
        cols = [Col(h, kind_fmt[k]) for h, k in plan.cols[:7]]
        cols += [Col(h, _pool_format(problem, p, nf)) for (h, _), p in zip(plan.cols[7:],
                                                                            self.pools)]
        widths = [34.0, 14.0] + [14.0] * (len(cols) - 2)
        r = book.table(ws, r, cols, plan.rows, plan.totals, freeze=None, widths=widths)
        if plan.unfunded:
            r += 1
            ws.write_string(r, 0, "Not funded, or not fully", book.fmt(bold=True))
            book.table(ws, r + 1, [Col(h, kind_fmt[k]) for h, k in _UNFUNDED_CLIENT_COLS],
                       plan.unfunded, freeze=None, widths=widths)
        for j, wd in enumerate(widths):
            ws.set_column(j, j, min(wd + 2, 60))
        ws.freeze_panes(1, 0)
        ns = book.sheet("Notes")
        book.table(ns, 0, [Col("Item", width=42), Col("Answer or note", width=70)],
                   plan.notes or [("Notes", "none recorded")], freeze=0)
        return book.close()

    @staticmethod
    def html(plan: _ClientPlan) -> bytes:
        top = max([_finite(r[6]) or 0.0 for r in plan.rows] + [1e-12])
        bars = "".join(
            f"<tr><td>{_e(r[0])}</td><td class=\"n\">{_e(_num_text(r[6], 'value'))}</td>"
            f'<td><span class="bar" style="width:{100 * (_finite(r[6]) or 0) / top:.1f}mm;'
            f'max-width:100mm"></span></td></tr>' for r in plan.rows
            if (_finite(r[6]) or 0) > 0)
        # The unit joins the method's cell so that the table fits the width of A4.
        cols = [("Method (unit)", "text"), *plan.cols[2:]]
        rows = [[f"{r[0]} ({r[1]})" if r[1] else r[0], *r[2:]] for r in plan.rows]
        parts = [f"<h1>{_e(TITLE)}: {_e(plan.name)}</h1>", _meta_table(plan.header),
                 "<h2>Plan</h2>", _html_table(cols, rows, [plan.totals[0], *plan.totals[2:]],
                                              plan.units[1:])]
        if bars:
            parts.append(f"<h2>Value by method</h2><table>{bars}</table>")
        if plan.unfunded:
            parts.append("<h2>Not funded, or not fully</h2>" +
                         _html_table(_UNFUNDED_CLIENT_COLS, plan.unfunded))
        if plan.notes:
            parts.append("<h2>Relationship and notes</h2>" +
                         _html_table([("Item", "text"), ("Answer or note", "text")],
                                     plan.notes))
        return _html_page(f"{TITLE} - {plan.name}", "".join(parts))


_UNFUNDED_CLIENT_COLS = [("Method", "text"), ("Units funded", "units"), ("Max units", "int"),
                         ("First-unit value", "value"), ("First-unit value needed", "value"),
                         ("Why not (more) in the plan", "text")]


def client_plan_xlsx(problem: Problem, result: Result, client_id: str,
                     meta: ExportMeta | None = None) -> bytes:
    """One client's plan as a workbook holding that client's data only."""
    book = _PlanBook(problem, result, meta or ExportMeta())
    return book.xlsx(book.plan(client_id))


def client_plan_html(problem: Problem, result: Result, client_id: str,
                     meta: ExportMeta | None = None) -> bytes:
    """One client's plan as a printable HTML page holding that client's data only."""
    book = _PlanBook(problem, result, meta or ExportMeta())
    return book.html(book.plan(client_id))


def client_file_stem(client_id: str) -> str:
    """The file name (without extension) of a client's plan: built from its id only."""
    return f"plan_{client_id}"


def client_plan_files(problem: Problem, result: Result, meta: ExportMeta | None = None,
                      clients: Sequence[str] | None = None) -> dict[str, bytes]:
    """File name -> bytes: one .html and one .xlsx per client (all clients by default)."""
    _require_plan(result)
    meta = meta or ExportMeta()
    ids = list(problem.clients.index) if clients is None else list(clients)
    unknown = [c for c in ids if c not in problem.clients.index]
    if unknown:
        raise KeyError(f"not clients of this plan: {', '.join(unknown)}")
    book = _PlanBook(problem, result, meta)
    out: dict[str, bytes] = {}
    for c in ids:
        plan, stem = book.plan(c), client_file_stem(str(c))
        out[f"{stem}.html"] = book.html(plan)
        out[f"{stem}.xlsx"] = book.xlsx(plan)
    return out


def client_plans_zip(problem: Problem, result: Result, meta: ExportMeta | None = None,
                     clients: Sequence[str] | None = None) -> bytes:
    """Every client's plan files in one .zip (for download; each file stays client-only)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in client_plan_files(problem, result, meta, clients).items():
            zf.writestr(name, data)
    return buf.getvalue()


# ---- the model as an LP file -----------------------------------------------------------------
def lp_bytes(problem: Problem, result: Result | None = None) -> bytes:
    """The LP file PuLP writes for the model that was (or would be) solved.

    In min_cost mode the model carries the value target, taken from `result` when given;
    when there is no target (the best-value plan itself is infeasible) the max_value model is
    written, since that is the one the solver proved infeasible."""
    from .model import build_model, to_pulp

    objective, target = problem.settings.objective, None
    if objective == "min_cost":
        target = result.target_value if result is not None else None
        if target is None:
            from .solve import solve

            target = solve(problem).target_value
        if target is None:
            objective = "max_value"
        else:
            target = target * (1 - 1e-9)  # the same hair under the target as the solve
    model = build_model(problem, objective, target)
    prob, _ = to_pulp(model)
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "model.lp"
        prob.writeLP(str(f))
        return f.read_bytes()


# ---- writing files ----------------------------------------------------------------------------
def write_client_plans(problem: Problem, result: Result, out_dir: str | Path,
                       meta: ExportMeta | None = None,
                       clients: Sequence[str] | None = None) -> list[Path]:
    """Write each client's .html and .xlsx into `out_dir`; returns the paths written."""
    files = client_plan_files(problem, result, meta, clients)  # all built before any write
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(f"'{out_dir}' is a file; client plans need a folder")
    paths = []
    for name, data in files.items():
        atomic_write_bytes(out_dir / name, data)
        paths.append(out_dir / name)
    return paths


def export_bytes(problem: Problem, result: Result, fmt: str,
                 meta: ExportMeta | None = None) -> bytes:
    """One export as bytes: xlsx, csv, html, json, lp, or client-plans (a .zip)."""
    if fmt == "xlsx":
        return xlsx_bytes(problem, result, meta)
    if fmt == "csv":
        return csv_bytes(problem, result)
    if fmt == "html":
        return html_report(problem, result, meta)
    if fmt == "json":
        return json_bytes(problem, result)
    if fmt == "lp":
        return lp_bytes(problem, result)
    if fmt == "client-plans":
        return client_plans_zip(problem, result, meta)
    raise ValueError(f"unknown export format '{fmt}' (formats: {', '.join(FORMATS)}, json)")


def write_export(problem: Problem, result: Result, fmt: str, path: str | Path,
                 meta: ExportMeta | None = None,
                 clients: Sequence[str] | None = None) -> list[Path]:
    """Write one export to `path` (a folder for client-plans); returns the paths written.

    Plan formats need a plan: csv and client-plans raise NoPlanError without one, while xlsx
    and html write the explanation of why there is none."""
    path = Path(path)
    if fmt == "client-plans":
        return write_client_plans(problem, result, path, meta, clients)
    if path.is_dir():
        raise IsADirectoryError(f"'{path}' is a folder; give a file name")
    atomic_write_bytes(path, export_bytes(problem, result, fmt, meta))
    return [path]


def format_for_path(path: str | Path) -> str:
    """The export format a file name asks for, from its extension; ExportPathError when the
    extension names none."""
    ext = Path(path).suffix.lower()
    if ext not in EXTENSIONS:
        raise ExportPathError(f"'{path}': unknown file type '{ext or '(none)'}'; use one of "
                         f"{', '.join(sorted(EXTENSIONS))}")
    return EXTENSIONS[ext]


def write_by_extension(problem: Problem, result: Result, path: str | Path,
                       meta: ExportMeta | None = None) -> Path:
    """Write the result in the format its extension names (.xlsx, .csv, .json, .html, .lp)."""
    path = Path(path)
    fmt = format_for_path(path)
    if meta is None:
        meta = ExportMeta()
    write_export(problem, result, fmt, path, meta)
    return path
