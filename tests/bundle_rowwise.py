"""The row-by-row reader and validator the engine had before it was vectorised, kept as the
reference `test_bundle_vectorised.py` compares the engine with (not used by the product). Only
the CSV splitter and `parse_tables` are kept; the readers, writers and the number parser are
the engine's own.

Reading keeps every cell as text; `parse_tables` turns text into numbers once and reports every
problem it meets, each located by table, row, column and value.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from optimizer import limits

# Shared with the engine unchanged: the one number parser and the CSV quote scan.
from optimizer.bundle import _open_quote_line, ambiguous_number, parse_number
from optimizer.messages import Message
from optimizer.schema import (
    BASE_COLUMNS,
    CAPACITY,
    CHECKLIST_ITEMS,
    CLIENT_ID,
    CLIENTS,
    COMMITTED_UNITS,
    DECAY,
    LAST_REVIEW,
    MAX_UNITS,
    METHOD_ID,
    METHODS,
    MIN_VALUE_SHARE,
    NAME,
    OPEN_PROBLEMS,
    OPTIONAL_COLUMNS,
    OVERRIDES,
    PER_UNIT,
    RELATIONSHIP,
    REQUIRED_TABLES,
    RESOURCE_ID,
    RESOURCES,
    SEGMENT,
    SETTINGS,
    SETTINGS_FIELDS,
    UNIT,
    VALUE,
    VALUE_HIGH,
    VALUE_LOW,
    VALUES,
    WEIGHT,
    BundleError,
    Issue,
    Problem,
    Settings,
    client_cap_col,
)

Tables = dict[str, pd.DataFrame]
Ids = tuple[tuple[str, str], ...]  # a row's ids: (("client", "acme"), ("method", "trial"))
ID_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")
_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")  # "1,5": a decimal comma, not thousands
CHECK_ANSWERS = ("yes", "no", "unknown")


# ---- reading text ---------------------------------------------------------------------------
# Every reader below keeps to the caps of `optimizer.limits`, checked while it streams, and
# turns every reading error into an Issue naming the file.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_THOUSANDS = re.compile(r"[-+]?\d+(,\d{3})+(\.\d*)?")  # "1,600": thousands or a decimal comma?
_THOUSANDS_POINT = re.compile(r"[-+]?\d+(\.\d{3})+(,\d*)?")  # "1.600" where commas are decimal


def _csv_text_to_frame(
    text: str, table: str, issues: list[Issue], file: str = ""
) -> pd.DataFrame | None:
    file = file or f"{table}.csv"
    if not text.strip():
        issues.append(Issue(table, "file_empty", {"file": file}))
        return None
    # Universal newlines: CR-only files (Excel for Mac) and CRLF read as LF.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first = text.split("\n", 1)[0]
    # A Russian or German Excel writes ';' as the separator; "Unicode text" uses tabs.
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    delim = max(counts, key=lambda d: (counts[d], d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    numbered: list[tuple[int, list[str]]] = []
    start = 1  # the line the current record starts on
    try:
        for r in reader:
            # Keep each record's line in the file, so messages point at the right row even
            # when blank lines are skipped.
            if any(c.strip() for c in r):
                if len(numbered) > limits.MAX_ROWS:
                    issues.append(
                        Issue(table, "too_many_rows", {"file": file, "limit": limits.MAX_ROWS})
                    )
                    return None
                numbered.append((start, r))
            start = reader.line_num + 1
    except csv.Error as exc:
        issues.append(Issue(table, "file_not_csv", {"error": str(exc), "file": file}, row=start))
        return None
    # A quote that opens a field and never closes swallows the rest of the file into one cell.
    if numbered and any("\n" in c for c in numbered[-1][1]):
        last = numbered[-1][0]
        rest = "\n".join(text.split("\n")[last - 1 :])
        line = _open_quote_line(rest, last, delim)
        if line is not None:
            issues.append(Issue(table, "quote_unclosed", {"file": file}, row=line))
            return None
    boms = [n for n, r in numbered if any("\ufeff" in c for c in r)]
    if boms:
        numbered = [(n, [c.replace("\ufeff", "") for c in r]) for n, r in numbered]
        issues.append(
            Issue(
                table,
                "bom_in_line",
                {"file": file, "count": len(boms)},
                row=boms[0],
                severity="warning",
            )
        )
    header = [h.strip() for h in numbered[0][1]]
    if len(header) > limits.MAX_COLUMNS:
        issues.append(Issue(table, "too_many_columns", {"file": file, "limit": limits.MAX_COLUMNS}))
        return None
    width = len(header)
    body, lines = [], []
    for n, r in numbered[1:]:
        if len(r) > width and any(c.strip() for c in r[width:]):
            issues.append(Issue(table, "row_too_wide", {"cells": len(r), "width": width}, row=n))
        body.append((r + [""] * width)[:width])
        lines.append(n)
    for n, r in zip(lines, body):
        long = [c for c, v in zip(header, r) if len(v) > limits.MAX_CELL_CHARS]
        if long:
            issues.append(
                Issue(
                    table, "cell_too_long", {"limit": limits.MAX_CELL_CHARS}, row=n, column=long[0]
                )
            )
            return None
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame.attrs["lines"] = lines
    if delim == ";":
        frame.attrs["decimal_comma"] = True
    return frame


def _lines(frame: pd.DataFrame) -> list[int]:
    """The row number (as in the file, header = 1) of each data row of a table."""
    lines = frame.attrs.get("lines")
    if isinstance(lines, list) and len(lines) == len(frame):
        return lines
    return list(range(2, len(frame) + 2))


class _Checker:
    """Collects issues while converting text cells to typed values."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(
        self,
        table: str,
        code: str,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        ids: Ids = (),
        severity: str = "error",
        **params: Any,
    ) -> None:
        shown = None if value is None else str(value)
        self.issues.append(Issue(table, code, params, row, column, shown, ids, severity))

    def number(
        self,
        frame: pd.DataFrame,
        table: str,
        column: str,
        keys: list[Ids],
        *,
        required: bool,
        minimum: float | None = None,
        strict_min: bool = False,
        maximum: float | None = None,
        integer: bool = False,
        what: Message | None = None,
        units: bool = False,
    ) -> pd.Series:
        """Parse one column to floats (NaN = blank), reporting every bad cell. Every number is
        bounded by MAX_MAGNITUDE; a number of units (`units`) by MAX_UNITS_PER_CELL."""
        out = np.full(len(frame), np.nan)
        if column not in frame.columns:
            return pd.Series(out, index=frame.index)
        decimal_comma = frame.attrs.get("decimal_comma", False)
        lines = _lines(frame)
        for i, raw in enumerate(frame[column].tolist()):
            text = "" if raw is None else str(raw).strip()
            row, key = lines[i], keys[i]
            if text == "":
                if required:
                    self.add(table, "cell_required", row, column, "", key, what=what or column)
                continue
            x = parse_number(text, decimal_comma)
            if x is None:
                if ambiguous_number(text, decimal_comma):
                    self.add(table, "number_ambiguous", row, column, text, key)
                else:
                    self.add(table, "not_number", row, column, text, key)
                continue
            if math.isnan(x) or math.isinf(x):
                self.add(table, "not_usable_number", row, column, text, key)
                continue
            if abs(x) > limits.MAX_MAGNITUDE:
                self.add(
                    table, "number_too_large", row, column, text, key, limit=limits.MAX_MAGNITUDE
                )
                continue
            if units and x > limits.MAX_UNITS_PER_CELL:
                self.add(
                    table, "units_too_many", row, column, text, key, limit=limits.MAX_UNITS_PER_CELL
                )
                continue
            if minimum is not None and (x <= minimum if strict_min else x < minimum):
                self.add(
                    table,
                    "greater_than" if strict_min else "at_least",
                    row,
                    column,
                    text,
                    key,
                    x=minimum,
                )
                continue
            if maximum is not None and x > maximum:
                self.add(table, "at_most", row, column, text, key, x=maximum)
                continue
            if integer and not float(x).is_integer():
                self.add(table, "whole_number", row, column, text, key)
                continue
            out[i] = x
        return pd.Series(out, index=frame.index)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    return frame[column].map(
        lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()
    )


def _check_columns(ck: _Checker, t: str, frame: pd.DataFrame, extra: Iterable[str] = ()) -> bool:
    extra = list(extra)
    cols = [str(c).strip() for c in frame.columns]
    frame.columns = cols
    needed = [c for c in (*BASE_COLUMNS[t], *extra) if c not in OPTIONAL_COLUMNS[t]]
    missing = [c for c in needed if c not in cols]
    for c in missing:
        ck.add(t, "column_missing", column=c, found=list(cols))
    unknown = [c for c in cols if c and c not in BASE_COLUMNS[t] and c not in extra]
    for c in unknown:
        like = difflib.get_close_matches(c, missing, n=1, cutoff=0.6)
        if like:  # a misspelt required column: the table is not read, so say it here
            ck.add(t, "column_unknown", column=c, severity="warning", suggestion=like[0])
    dupes = sorted({c for c in cols if cols.count(c) > 1})
    for c in dupes:
        ck.add(t, "column_twice", column=c)
    return not missing and not dupes


def _unknown_columns(
    ck: _Checker, t: str, frame: pd.DataFrame, known: Iterable[str], skip: Iterable[str] = ()
) -> list[str]:
    """Warn about every column the table does not use, suggesting the closest known one (a
    misspelt optional column would otherwise be dropped without a word). Returns the unknown
    columns without a close match, for the caller to word."""
    known, skip = list(known), set(skip)
    rest = []
    for c in [c for c in frame.columns if c and c not in known and c not in skip]:
        like = difflib.get_close_matches(c, known, n=1, cutoff=0.6)
        if like:
            ck.add(t, "column_unknown", column=c, severity="warning", suggestion=like[0])
        else:
            rest.append(c)
    return rest


def _check_ids(ck: _Checker, t: str, ids: pd.Series, column: str, lines: list[int]) -> None:
    seen: dict[str, int] = {}
    for i, v in enumerate(ids.tolist()):
        row = lines[i]
        if v == "":
            ck.add(t, "id_blank", row, column, "")
        elif not ID_RE.match(v):
            ck.add(t, "id_chars", row, column, v)
        elif v in seen:
            ck.add(t, "id_duplicate", row, column, v, row_first=seen[v])
        else:
            seen[v] = row


def _settings(raw: dict[str, Any], base: Settings | None, ck: _Checker) -> Settings:
    s = base or Settings()
    changes: dict[str, Any] = {}
    for k, v in raw.items():
        if k not in SETTINGS_FIELDS:
            ck.add(
                SETTINGS,
                "setting_unknown",
                column=k,
                value=v,
                severity="warning",
                known=list(SETTINGS_FIELDS),
            )
            continue
        # Only the type is decided here; the range is the Settings' own check.
        try:
            if k == "integer_units":
                b = str(v).strip().lower()
                if b not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError
                typed: Any = b in ("true", "1", "yes")
            elif k in ("target_value_share", "time_limit_s", "mip_gap"):
                typed = float(v)
            elif k == "solver":
                typed = str(v).lower()
            elif k == "objective":
                typed = str(v)
            else:
                typed = str(v).strip() or s.currency
            s.with_(**{k: typed})
        except (TypeError, ValueError):  # SettingsError is a ValueError
            ck.add(SETTINGS, "setting_invalid", column=k, value=v)
            continue
        changes[k] = typed
    return s.with_(**changes)


def parse_tables(
    tables: Tables,
    settings: dict[str, Any] | Settings | None = None,
    read_issues: Iterable[Issue] = (),
) -> Problem:
    """Validate text tables and build a Problem; raise BundleError listing every problem."""
    ck = _Checker()
    ck.issues.extend(read_issues)
    tables = {t: f.copy() for t, f in tables.items() if f is not None}
    for t in REQUIRED_TABLES:
        if t not in tables and not any(i.table in (t, "bundle") for i in ck.issues):
            ck.add(t, "table_missing")
    s = settings if isinstance(settings, Settings) else _settings(settings or {}, None, ck)

    # resources
    res = tables.get(RESOURCES)
    pools: list[str] = []
    resources = pd.DataFrame(columns=[NAME, UNIT, CAPACITY])
    if res is not None and _check_columns(ck, RESOURCES, res):
        ids = _text(res, RESOURCE_ID)
        _check_ids(ck, RESOURCES, ids, RESOURCE_ID, _lines(res))
        keys: list[Ids] = [(("pool", v),) for v in ids]
        cap = ck.number(res, RESOURCES, CAPACITY, keys, required=True, minimum=0)
        for c in _unknown_columns(ck, RESOURCES, res, BASE_COLUMNS[RESOURCES]):
            ck.add(
                RESOURCES,
                "column_ignored",
                column=c,
                severity="warning",
                known=list(BASE_COLUMNS[RESOURCES]),
            )
        if len(res) == 0:
            ck.add(RESOURCES, "no_pools")
        resources = pd.DataFrame(
            {
                NAME: _text(res, NAME).where(_text(res, NAME) != "", ids),
                UNIT: _text(res, UNIT),
                CAPACITY: cap.values,
            }
        )
        resources.index = pd.Index(ids.tolist(), name=RESOURCE_ID)
        resources = resources[~resources.index.duplicated()]
        pools = [p for p in resources.index if p and ID_RE.match(p)]

    # methods
    met = tables.get(METHODS)
    methods = pd.DataFrame(columns=[NAME, UNIT, MAX_UNITS, DECAY, CAPACITY, *pools])
    if met is not None and _check_columns(ck, METHODS, met, pools):
        ids = _text(met, METHOD_ID)
        _check_ids(ck, METHODS, ids, METHOD_ID, _lines(met))
        keys = [(("method", v),) for v in ids]
        data: dict[str, Any] = {
            NAME: _text(met, NAME).where(_text(met, NAME) != "", ids),
            UNIT: _text(met, UNIT),
        }
        data[MAX_UNITS] = ck.number(
            met,
            METHODS,
            MAX_UNITS,
            keys,
            required=True,
            minimum=1,
            integer=True,
            what=Message("what_default_units"),
            units=True,
        )
        data[DECAY] = ck.number(
            met,
            METHODS,
            DECAY,
            keys,
            required=True,
            minimum=0,
            strict_min=True,
            maximum=1,
            what=Message("what_decay"),
        )
        data[CAPACITY] = ck.number(met, METHODS, CAPACITY, keys, required=False, minimum=0)
        for p in pools:
            data[p] = ck.number(met, METHODS, p, keys, required=False, minimum=0).fillna(0.0)
        methods = pd.DataFrame(
            {k: (v.values if isinstance(v, pd.Series) else v) for k, v in data.items()}
        )
        methods.index = pd.Index(ids.tolist(), name=METHOD_ID)
        methods = methods[~methods.index.duplicated()]
        if len(met) == 0:
            ck.add(METHODS, "no_methods")
        for p in _unknown_columns(ck, METHODS, met, [*BASE_COLUMNS[METHODS], *pools]):
            ck.add(METHODS, "not_a_pool_column", column=p, severity="warning")

    # clients
    cli = tables.get(CLIENTS)
    cap_cols = [client_cap_col(p) for p in pools]
    clients = pd.DataFrame(columns=[NAME, SEGMENT, WEIGHT, MIN_VALUE_SHARE, *cap_cols])
    if cli is not None and _check_columns(ck, CLIENTS, cli):
        ids = _text(cli, CLIENT_ID)
        _check_ids(ck, CLIENTS, ids, CLIENT_ID, _lines(cli))
        keys = [(("client", v),) for v in ids]
        cdata: dict[str, Any] = {
            NAME: _text(cli, NAME).where(_text(cli, NAME) != "", ids),
            SEGMENT: _text(cli, SEGMENT),
        }
        cdata[WEIGHT] = ck.number(
            cli,
            CLIENTS,
            WEIGHT,
            keys,
            required=True,
            minimum=0,
            strict_min=True,
            what=Message("what_weight"),
        )
        cdata[MIN_VALUE_SHARE] = ck.number(
            cli, CLIENTS, MIN_VALUE_SHARE, keys, required=False, minimum=0, maximum=1
        ).fillna(0.0)
        for c in cap_cols:
            cdata[c] = ck.number(cli, CLIENTS, c, keys, required=False, minimum=0)
        for c in [c for c in cli.columns if c.startswith("max_") and c not in cap_cols]:
            ck.add(CLIENTS, "cap_no_pool", column=c, pools=list(pools))
        for c in _unknown_columns(
            ck,
            CLIENTS,
            cli,
            [*BASE_COLUMNS[CLIENTS], *cap_cols],
            [c for c in cli.columns if c.startswith("max_")],
        ):
            ck.add(
                CLIENTS,
                "column_ignored",
                column=c,
                severity="warning",
                known=[*BASE_COLUMNS[CLIENTS], *cap_cols],
            )
        clients = pd.DataFrame(
            {k: (v.values if isinstance(v, pd.Series) else v) for k, v in cdata.items()}
        )
        clients.index = pd.Index(ids.tolist(), name=CLIENT_ID)
        clients = clients[~clients.index.duplicated()]

    # values
    val = tables.get(VALUES)
    values = pd.DataFrame(
        columns=[VALUE, VALUE_LOW, VALUE_HIGH, COMMITTED_UNITS, MAX_UNITS],
        index=pd.MultiIndex.from_arrays([[], []], names=[CLIENT_ID, METHOD_ID]),
    )
    if val is not None and _check_columns(ck, VALUES, val):
        cids, mids = _text(val, CLIENT_ID), _text(val, METHOD_ID)
        keys = [(("client", c), ("method", m)) for c, m in zip(cids, mids)]
        v = ck.number(val, VALUES, VALUE, keys, required=False, minimum=0)
        lo = ck.number(val, VALUES, VALUE_LOW, keys, required=False, minimum=0)
        hi = ck.number(val, VALUES, VALUE_HIGH, keys, required=False, minimum=0)
        com = ck.number(
            val, VALUES, COMMITTED_UNITS, keys, required=False, minimum=0, integer=True
        ).fillna(0.0)
        mx = ck.number(
            val, VALUES, MAX_UNITS, keys, required=False, minimum=1, integer=True, units=True
        )
        for c in _unknown_columns(ck, VALUES, val, BASE_COLUMNS[VALUES]):
            ck.add(
                VALUES,
                "column_ignored",
                column=c,
                severity="warning",
                known=list(BASE_COLUMNS[VALUES]),
            )
        seen: dict[tuple[str, str], int] = {}
        keep: list[int] = []
        val_lines = _lines(val)
        for i in range(len(val)):
            row, c, m, key = val_lines[i], cids.iat[i], mids.iat[i], keys[i]
            ok = True
            if c not in clients.index:
                ck.add(VALUES, "unknown_client", row, CLIENT_ID, c, key)
                ok = False
            if m not in methods.index:
                ck.add(VALUES, "unknown_method", row, METHOD_ID, m, key)
                ok = False
            if (c, m) in seen:
                ck.add(VALUES, "pair_again", row, METHOD_ID, m, key, row_first=seen[(c, m)])
                ok = False
            seen.setdefault((c, m), row)
            if not ok:
                continue
            cell_max = mx.iat[i] if not math.isnan(mx.iat[i]) else methods.at[m, MAX_UNITS]
            if not math.isnan(lo.iat[i]) and not math.isnan(v.iat[i]) and lo.iat[i] > v.iat[i]:
                ck.add(
                    VALUES,
                    "low_above",
                    row,
                    VALUE_LOW,
                    f"{lo.iat[i]:g}",
                    key,
                    cell_value=float(v.iat[i]),
                )
            if not math.isnan(hi.iat[i]) and not math.isnan(v.iat[i]) and hi.iat[i] < v.iat[i]:
                ck.add(
                    VALUES,
                    "high_below",
                    row,
                    VALUE_HIGH,
                    f"{hi.iat[i]:g}",
                    key,
                    cell_value=float(v.iat[i]),
                )
            if not math.isnan(cell_max) and com.iat[i] > cell_max:
                ck.add(
                    VALUES,
                    "committed_over",
                    row,
                    COMMITTED_UNITS,
                    f"{com.iat[i]:g}",
                    key,
                    max=float(cell_max),
                )
            if math.isnan(v.iat[i]):
                if com.iat[i] > 0:
                    ck.add(VALUES, "committed_blank", row, VALUE, "", key)
                continue  # blank value: the method is not offered to this client
            keep.append(i)
        idx = pd.MultiIndex.from_arrays(
            [cids.iloc[keep].tolist(), mids.iloc[keep].tolist()], names=[CLIENT_ID, METHOD_ID]
        )
        mx_res = [
            mx.iat[i] if not math.isnan(mx.iat[i]) else methods.at[mids.iat[i], MAX_UNITS]
            for i in keep
        ]
        total_units = float(np.nansum(mx_res)) if mx_res else 0.0
        if total_units > limits.MAX_MODEL_UNITS:
            # Checked before any array is built: every unit is one column of the model.
            ck.add(
                VALUES,
                "model_too_large",
                column=MAX_UNITS,
                units=total_units,
                cells=len(keep),
                limit=limits.MAX_MODEL_UNITS,
            )
        values = pd.DataFrame(
            {
                VALUE: v.iloc[keep].values,
                VALUE_LOW: lo.iloc[keep].values,
                VALUE_HIGH: hi.iloc[keep].values,
                COMMITTED_UNITS: com.iloc[keep].values,
                MAX_UNITS: np.array(mx_res, dtype=float),
            },
            index=idx,
        )

    # overrides
    ovr = tables.get(OVERRIDES)
    overrides = pd.DataFrame(columns=[CLIENT_ID, METHOD_ID, RESOURCE_ID, PER_UNIT])
    if ovr is not None and _check_columns(ck, OVERRIDES, ovr):
        cids, mids, rids = _text(ovr, CLIENT_ID), _text(ovr, METHOD_ID), _text(ovr, RESOURCE_ID)
        keys = [(("client", c), ("method", m), ("pool", r)) for c, m, r in zip(cids, mids, rids)]
        pu = ck.number(ovr, OVERRIDES, PER_UNIT, keys, required=True, minimum=0)
        for c in _unknown_columns(ck, OVERRIDES, ovr, BASE_COLUMNS[OVERRIDES]):
            ck.add(
                OVERRIDES,
                "column_ignored",
                column=c,
                severity="warning",
                known=list(BASE_COLUMNS[OVERRIDES]),
            )
        rows = []
        seen3: dict[tuple[str, str, str], int] = {}
        ovr_lines = _lines(ovr)
        for i in range(len(ovr)):
            row, c, m, r, key = ovr_lines[i], cids.iat[i], mids.iat[i], rids.iat[i], keys[i]
            ok = not math.isnan(pu.iat[i])
            for col, val_, known, what in (
                (CLIENT_ID, c, clients.index, "clients"),
                (METHOD_ID, m, methods.index, "methods"),
                (RESOURCE_ID, r, resources.index, "resources"),
            ):
                if val_ not in known:
                    ck.add(OVERRIDES, "unknown_id", row, col, val_, key, other=what)
                    ok = False
            if (c, m, r) in seen3:
                ck.add(
                    OVERRIDES,
                    "override_again",
                    row,
                    RESOURCE_ID,
                    r,
                    key,
                    row_first=seen3[(c, m, r)],
                )
                ok = False
            seen3.setdefault((c, m, r), row)
            if ok and (c, m) not in values.index:
                ck.add(
                    OVERRIDES, "override_not_offered", row, METHOD_ID, m, key, severity="warning"
                )
            if ok:
                rows.append((c, m, r, float(pu.iat[i])))
        overrides = pd.DataFrame(rows, columns=[CLIENT_ID, METHOD_ID, RESOURCE_ID, PER_UNIT])

    relationship = _parse_relationship(tables.get(RELATIONSHIP), clients, ck)

    errors = [i for i in ck.issues if i.severity == "error"]
    if errors:
        raise BundleError(ck.issues)
    return Problem(
        resources=resources,
        methods=methods,
        clients=clients,
        values=values,
        overrides=overrides,
        settings=s,
        relationship=relationship,
        warnings=tuple(i for i in ck.issues if i.severity == "warning"),
    )


def _review_date(text: str) -> Any:
    """A review date as a naive calendar date (midnight), or NaT. A time or a UTC offset
    (2026-09-14T10:00:00+05:00) is dropped: the date is the one written, not converted."""
    parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
    if pd.isna(parsed):
        return pd.NaT
    if parsed.tzinfo is not None:
        parsed = parsed.tz_localize(None)
    return parsed.normalize()


def _parse_relationship(
    rel: pd.DataFrame | None, clients: pd.DataFrame, ck: _Checker
) -> pd.DataFrame | None:
    if rel is None or not _check_columns(ck, RELATIONSHIP, rel):
        return None
    # A misspelt or left-out column would silently turn every answer into "unknown".
    known = list(BASE_COLUMNS[RELATIONSHIP])
    for c in [c for c in rel.columns if c not in BASE_COLUMNS[RELATIONSHIP]]:
        ck.add(RELATIONSHIP, "rel_column_ignored", column=c, severity="warning", columns=known)
    for c in [c for c in CHECKLIST_ITEMS if c not in rel.columns]:
        ck.add(RELATIONSHIP, "rel_column_missing", column=c, severity="warning")
    ids = _text(rel, CLIENT_ID)
    rel_lines = _lines(rel)
    _check_ids(ck, RELATIONSHIP, ids, CLIENT_ID, rel_lines)
    out: dict[str, list[Any]] = {c: [] for c in (*CHECKLIST_ITEMS, OPEN_PROBLEMS, LAST_REVIEW)}
    for i, cid in enumerate(ids.tolist()):
        row, key = rel_lines[i], (("client", cid),)
        if cid and cid not in clients.index:
            ck.add(RELATIONSHIP, "unknown_client", row, CLIENT_ID, cid, key)
        for item in CHECKLIST_ITEMS:
            a = _text(rel, item).iat[i].lower() or "unknown"
            if a not in CHECK_ANSWERS:
                ck.add(RELATIONSHIP, "yes_no", row, item, a, key)
                a = "unknown"
            out[item].append(a)
        out[OPEN_PROBLEMS].append(_text(rel, OPEN_PROBLEMS).iat[i])
        d = _text(rel, LAST_REVIEW).iat[i]
        parsed = pd.NaT
        if d:
            parsed = _review_date(d)
            if pd.isna(parsed):
                ck.add(RELATIONSHIP, "not_date", row, LAST_REVIEW, d, key)
            elif len(d) > 10:
                # A time or a UTC offset: the review was on the calendar date written.
                ck.add(
                    RELATIONSHIP,
                    "date_time_dropped",
                    row,
                    LAST_REVIEW,
                    d,
                    key,
                    severity="warning",
                    date=parsed.strftime("%Y-%m-%d"),
                )
        out[LAST_REVIEW].append(parsed)
    frame = pd.DataFrame(out, index=pd.Index(ids.tolist(), name=CLIENT_ID))
    return frame[~frame.index.duplicated()]
