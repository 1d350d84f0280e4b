"""Read, validate and write input bundles (a folder of CSV files or one .xlsx workbook).

Reading keeps every cell as text; `parse_tables` turns text into numbers once and reports every
problem it meets, each located by table, row, column and value.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterable
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import limits
from .messages import Message
from .schema import (
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
    TABLES,
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


def _mb(size: int) -> float:
    """A byte count in MB (MiB), as the messages quote limits."""
    return round(size / limits.MIB, 3)


def _decode(raw: bytes, table: str, issues: list[Issue], file: str = "") -> str | None:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 or UTF-32 with a BOM, else cp1251
    as saved by a Russian Excel."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                issues.append(Issue(table, "file_encoding", {"file": file}))
                return None
    head = raw[:4096]
    if b"\x00" in head:
        # UTF-16 without its BOM has a NUL in every other byte of Latin text.
        odd, even = head[1::2], head[0::2]
        if head and (odd.count(0) > len(odd) * 0.4 or even.count(0) > len(even) * 0.4):
            issues.append(Issue(table, "file_utf16_no_bom", {"file": file}))
        else:
            issues.append(Issue(table, "file_binary", {"file": file}))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1251")
    except UnicodeDecodeError:
        issues.append(Issue(table, "file_encoding", {"file": file}))
        return None
    issues.append(Issue(table, "file_cp1251", {"file": file}, severity="warning"))
    return text


def _open_quote_line(text: str, start: int, delim: str) -> int | None:
    """The line (1-based, counted from `start`) of a quote that opens a field and is never
    closed in `text`, the rest of the file from the record that starts on line `start`."""
    line, in_quotes, opened, at_start, i = start, False, start, True, 0
    while i < len(text):
        ch = text[i]
        if in_quotes:
            if ch == '"':
                if text.startswith('""', i):
                    i += 1
                else:
                    in_quotes = False
            elif ch == "\n":
                line += 1
        elif ch == '"' and at_start:
            in_quotes, opened = True, line
        elif ch == "\n":
            line += 1
        at_start = ch in (delim, "\n") and not in_quotes
        i += 1
    return opened if in_quotes else None


def _plain_records(text: str, delim: str) -> tuple[list[tuple[int, list[str]]], int] | None:
    """The non-blank records of a file without quotes, each with its line, as `csv.reader`
    reads them (one record a line, split at the delimiter), and the longest line's length.
    None for a file `csv.reader` must read: quotes, a line longer than its field limit, more
    lines than MAX_ROWS."""
    # Past the row cap (counting blank lines too) csv.reader streams, stopping at the cap.
    if '"' in text or text.count("\n") >= limits.MAX_ROWS:
        return None
    rows = text.split("\n")
    if rows and rows[-1] == "":  # the newline that ends the last line starts no record
        rows.pop()
    longest = max(map(len, rows), default=0)
    if longest > csv.field_size_limit():
        return None
    # A record is blank when every cell is spaces: the line without delimiters is. One search
    # of the whole text tells whether there is any (\s is what str.strip() strips).
    blank = re.compile(rf"^(?:[^\S\n]|{re.escape(delim)})*$", re.MULTILINE)
    if blank.search("\n".join(rows)) is None:
        return [(n, r.split(delim)) for n, r in enumerate(rows, start=1)], longest
    kept = [(n, r) for n, r in enumerate(rows, start=1) if r.replace(delim, "").strip()]
    return [(n, r.split(delim)) for n, r in kept], longest


def _plain_columns(text: str, delim: str) -> pd.DataFrame | None:
    """The table of a file the plain path reads (see `_plain_records`) when nothing in it
    needs a second look: no blank line, no byte order mark, every line with the header's
    number of cells, none of them longer than a cell may be. Split column by column (70,000
    rows: one split of the text instead of a list per row). None otherwise."""
    if '"' in text or "\ufeff" in text or text.count("\n") >= limits.MAX_ROWS:
        return None
    rows = text.split("\n")
    if rows and rows[-1] == "":
        rows.pop()
    if len(rows) < 2:
        return None
    longest = max(map(len, rows))
    if longest > min(csv.field_size_limit(), limits.MAX_CELL_CHARS):
        return None
    width = rows[0].count(delim) + 1
    if width > limits.MAX_COLUMNS:
        return None
    cells = np.fromiter(map(str.count, rows, repeat(delim)), dtype=np.int64, count=len(rows))
    if np.any(cells != width - 1):
        return None
    blank = re.compile(rf"^(?:[^\S\n]|{re.escape(delim)})*$", re.MULTILINE)
    if blank.search("\n".join(rows)) is not None:
        return None
    flat = delim.join(rows[1:]).split(delim)
    frame = pd.DataFrame({i: flat[i::width] for i in range(width)}, dtype=object)
    frame.columns = [h.strip() for h in rows[0].split(delim)]
    frame.attrs["lines"] = Lines(range(2, len(rows) + 1))
    if delim == ";":
        frame.attrs["decimal_comma"] = True
    return frame


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
    columns = _plain_columns(text, delim)
    if columns is not None:
        return columns
    numbered: list[tuple[int, list[str]]] = []
    start = 1  # the line the current record starts on
    plain = _plain_records(text, delim)
    longest = len(text)  # no cell is longer than the file, nor than a line in a plain file
    if plain is not None:
        numbered, longest = plain
    reader = csv.reader(io.StringIO(text if plain is None else "", newline=""), delimiter=delim)
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
    boms = [n for n, r in numbered if any("\ufeff" in c for c in r)] if "\ufeff" in text else []
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
    for n, r in numbered[1:]:
        if len(r) > width and any(c.strip() for c in r[width:]):
            issues.append(Issue(table, "row_too_wide", {"cells": len(r), "width": width}, row=n))
    # Rows of the header's width (nearly all) are kept as they are, the others padded or cut.
    body = [r if len(r) == width else (r + [""] * width)[:width] for _, r in numbered[1:]]
    lines = [n for n, _ in numbered[1:]]
    if longest > limits.MAX_CELL_CHARS:  # else no cell can be that long
        for n, r in zip(lines, body):
            long = [c for c, v in zip(header, r) if len(v) > limits.MAX_CELL_CHARS]
            if long:
                issues.append(
                    Issue(
                        table,
                        "cell_too_long",
                        {"limit": limits.MAX_CELL_CHARS},
                        row=n,
                        column=long[0],
                    )
                )
                return None
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame.attrs["lines"] = Lines(lines)
    if delim == ";":
        frame.attrs["decimal_comma"] = True
    return frame


def _read_csv_bytes(
    raw: bytes, table: str, issues: list[Issue], file: str = ""
) -> pd.DataFrame | None:
    file = file or f"{table}.csv"
    if len(raw) > limits.MAX_FILE_BYTES:
        issues.append(
            Issue(table, "file_too_large", {"file": file, "mb": _mb(limits.MAX_FILE_BYTES)})
        )
        return None
    try:
        text = _decode(raw, table, issues, file)
        return None if text is None else _csv_text_to_frame(text, table, issues, file)
    except MemoryError:
        issues.append(Issue(table, "file_no_memory", {"file": file}))
        return None


def _read_file_capped(path: Path, limit: int, table: str, issues: list[Issue]) -> bytes | None:
    """A file's bytes, read in chunks, or None (with an issue) past `limit` bytes."""
    chunks, size = [], 0
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(limits.READ_CHUNK):
                size += len(chunk)
                if size > limit:
                    issues.append(
                        Issue(table, "file_too_large", {"file": path.name, "mb": _mb(limit)})
                    )
                    return None
                chunks.append(chunk)
    except OSError as exc:
        issues.append(Issue(table, "file_unreadable", {"file": path.name, "error": str(exc)}))
        return None
    return b"".join(chunks)


def _sheet_to_frame(ws: Any, table: str, label: str, issues: list[Issue]) -> pd.DataFrame | None:
    """A sheet's rows (streamed, read-only mode) as text, within the row, column and cell caps."""
    sheet = f"{label}: {table}"
    numbered: list[tuple[int, list[Any]]] = []
    for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = ["" if v is None else v for v in row]
        if not any(str(c).strip() for c in cells):
            continue
        if len(numbered) > limits.MAX_ROWS:
            issues.append(Issue(table, "too_many_rows", {"file": sheet, "limit": limits.MAX_ROWS}))
            return None
        if len(cells) > limits.MAX_COLUMNS and any(
            str(c).strip() for c in cells[limits.MAX_COLUMNS :]
        ):
            issues.append(
                Issue(table, "too_many_columns", {"file": sheet, "limit": limits.MAX_COLUMNS})
            )
            return None
        long = [
            i for i, c in enumerate(cells) if isinstance(c, str) and len(c) > limits.MAX_CELL_CHARS
        ]
        if long:
            issues.append(Issue(table, "cell_too_long", {"limit": limits.MAX_CELL_CHARS}, row=n))
            return None
        numbered.append((n, cells[: limits.MAX_COLUMNS]))
    if not numbered:
        return pd.DataFrame()
    header = [str(h).strip().replace("\ufeff", "") for h in numbered[0][1]]
    keep = [i for i, h in enumerate(header) if h]
    body = [[_cell_text(r[i]) if i < len(r) else "" for i in keep] for _, r in numbered[1:]]
    frame = pd.DataFrame(body, columns=[header[i] for i in keep], dtype=object)
    frame.attrs["lines"] = Lines(n for n, _ in numbered[1:])
    return frame


class Lines(list[int]):
    """The file's row number of each data row, kept in a table's `attrs`. Never changed once
    read, so a deep copy is the list itself: pandas deep-copies `attrs` into every frame
    derived from a table, which for a list of 70,000 rows cost a second per bundle."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Lines:
        return self


def _lines(frame: pd.DataFrame) -> np.ndarray:
    """The row number (as in the file, header = 1) of each data row of a table."""
    lines = frame.attrs.get("lines")
    if isinstance(lines, (list, np.ndarray)) and len(lines) == len(frame):
        return np.asarray(lines, dtype=np.int64)
    return np.arange(2, len(frame) + 2, dtype=np.int64)


def _cell_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    if hasattr(v, "isoformat"):
        return v.isoformat()[:10]
    return str(v)


def _settings_from_pairs(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    return {str(k).strip(): v for k, v in pairs if str(k).strip()}


def read_tables(source: str | Path) -> tuple[Tables, dict[str, Any], list[Issue]]:
    """Read a bundle's tables as text. Returns (tables, raw settings, issues)."""
    path = Path(source)
    issues: list[Issue] = []
    tables: Tables = {}
    settings: dict[str, Any] = {}
    if not path.exists():
        issues.append(Issue("bundle", "path_missing", {"path": str(path)}))
        return tables, settings, issues
    if path.is_dir():
        for t in TABLES:
            f = path / f"{t}.csv"
            if not f.exists():
                if t in REQUIRED_TABLES:
                    issues.append(
                        Issue(t, "csv_file_missing", {"file": f"{t}.csv", "folder": str(path)})
                    )
                continue
            raw = _read_file_capped(f, limits.MAX_FILE_BYTES, t, issues)
            frame = None if raw is None else _read_csv_bytes(raw, t, issues, f.name)
            if frame is not None:
                tables[t] = frame
        sj = path / "settings.json"
        if sj.exists():
            raw = _read_file_capped(sj, limits.MAX_SETTINGS_BYTES, SETTINGS, issues)
            settings = {} if raw is None else _read_settings_json(raw, issues)
        return tables, settings, issues
    if path.suffix.lower() in (".xlsx", ".xlsm", ".zip"):
        raw = _read_file_capped(path, limits.MAX_ARCHIVE_BYTES, "bundle", issues)
        if raw is None:
            return tables, settings, issues
        if path.suffix.lower() == ".zip":
            return read_uploaded([(path.name, raw)])
        return read_xlsx_bytes(raw, path.name)
    issues.append(Issue("bundle", "not_a_bundle", {"path": str(path)}))
    return tables, settings, issues


def _read_settings_json(
    raw: bytes, issues: list[Issue], file: str = "settings.json"
) -> dict[str, Any]:
    if len(raw) > limits.MAX_SETTINGS_BYTES:
        issues.append(
            Issue(SETTINGS, "file_too_large", {"file": file, "mb": _mb(limits.MAX_SETTINGS_BYTES)})
        )
        return {}
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        issues.append(Issue(SETTINGS, "settings_not_json", {"error": str(exc)}))
        return {}
    except RecursionError:
        issues.append(Issue(SETTINGS, "settings_too_deep", {"file": file}))
        return {}
    if not isinstance(data, dict):
        issues.append(Issue(SETTINGS, "settings_not_object"))
        return {}
    return data


def _archive_entries(
    raw: bytes, label: str, issues: list[Issue], workbook: bool = False
) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]] | None:
    """The archive and its file entries, within the size and entry-count caps; None (with an
    issue) for a damaged or oversized archive."""
    if len(raw) > limits.MAX_ARCHIVE_BYTES:
        issues.append(
            Issue("bundle", "file_too_large", {"file": label, "mb": _mb(limits.MAX_ARCHIVE_BYTES)})
        )
        return None
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        if workbook:
            issues.append(
                Issue("bundle", "xlsx_unreadable", {"label": label, "error": "BadZipFile"})
            )
        else:
            issues.append(Issue("bundle", "zip_invalid", {"name": label}))
        return None
    if len(infos) > limits.MAX_ARCHIVE_ENTRIES:
        issues.append(
            Issue("bundle", "archive_entries", {"file": label, "limit": limits.MAX_ARCHIVE_ENTRIES})
        )
        return None
    return zf, infos


def _read_entry(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limit: int, issues: list[Issue]
) -> bytes | None:
    """One archive entry, decompressed in chunks and counted, or None with an issue naming it.
    The sizes the archive declares are not trusted: the bytes are counted as they come."""
    name = f"{label}: {info.filename}"
    chunks, size = [], 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(limits.READ_CHUNK):
                size += len(chunk)
                if size > limit:
                    issues.append(
                        Issue("bundle", "entry_too_large", {"file": name, "mb": _mb(limit)})
                    )
                    return None
                chunks.append(chunk)
    except NotImplementedError:  # before RuntimeError, its base class
        issues.append(Issue("bundle", "entry_compression", {"file": name}))
        return None
    except RuntimeError:  # an encrypted entry: zipfile wants a password
        issues.append(Issue("bundle", "entry_encrypted", {"file": name}))
        return None
    except (zlib.error, zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        issues.append(Issue("bundle", "entry_damaged", {"file": name, "error": str(exc)}))
        return None
    except MemoryError:
        issues.append(Issue("bundle", "file_no_memory", {"file": name}))
        return None
    return b"".join(chunks)


def _check_workbook_parts(raw: bytes, label: str, issues: list[Issue]) -> bool:
    """Decompress every part of an .xlsx once, counting bytes, before openpyxl reads it: a
    bomb, a damaged or encrypted part is refused here, naming the part."""
    found = _archive_entries(raw, label, issues, workbook=True)
    if found is None:
        return False
    zf, infos = found
    total = 0
    with zf:
        for info in infos:
            # openpyxl holds the shared strings in memory: the text of a table file at most.
            shared = info.filename.lower().endswith("sharedstrings.xml")
            limit = limits.MAX_FILE_BYTES if shared else limits.MAX_XML_BYTES
            data = _read_entry(zf, info, label, limit, issues)
            if data is None:
                return False
            if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                # No part of a workbook a spreadsheet program saves declares a document type
                # or entities: entity bombs and external entities are refused here, by name.
                part = f"{label}: {info.filename}"
                issues.append(Issue("bundle", "xlsx_entities", {"label": part, "error": "DTD"}))
                return False
            total += len(data)
            if _over_total(total, label, issues):
                return False
    return True


def _over_total(total: int, file: str, issues: list[Issue]) -> bool:
    """Whether the parts read from an archive so far pass the unpacked-size cap (then said,
    naming the file)."""
    if total <= limits.MAX_TOTAL_BYTES:
        return False
    issues.append(
        Issue("bundle", "archive_too_large", {"file": file, "mb": _mb(limits.MAX_TOTAL_BYTES)})
    )
    return True


def _xml_refusal(exc: BaseException) -> tuple[str, str]:
    """(code, error name) of an exception openpyxl raised: 'xlsx_entities' for a part that
    declares entities or a DTD (defusedxml's refusals, expat's bomb guard), found anywhere
    in the chain of causes (openpyxl wraps them in a ValueError), else 'xlsx_unreadable'."""
    chain: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and e not in chain and len(chain) < 20:
        chain.append(e)
        e = e.__cause__ or e.__context__
    for e in chain:
        if type(e).__name__ in (
            "EntitiesForbidden",
            "DTDForbidden",
            "ExternalReferenceForbidden",
            "NotSupportedError",
        ) or "amplification" in str(e):
            return "xlsx_entities", type(e).__name__
    return "xlsx_unreadable", type(chain[-1]).__name__


def read_xlsx_bytes(
    raw: bytes, label: str = "workbook"
) -> tuple[Tables, dict[str, Any], list[Issue]]:
    """Read a workbook with one sheet per table (and an optional `settings` sheet key, value)."""
    import openpyxl

    issues: list[Issue] = []
    tables: Tables = {}
    settings: dict[str, Any] = {}
    if not _check_workbook_parts(raw, label, issues):
        return tables, settings, issues
    part = label
    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except MemoryError:
        issues.append(Issue("bundle", "file_no_memory", {"file": label}))
        return tables, settings, issues
    except Exception as exc:  # openpyxl raises many types for a damaged file
        code, error = _xml_refusal(exc)
        issues.append(Issue("bundle", code, {"label": label, "error": error}))
        return tables, settings, issues
    try:
        names = {n.strip().lower(): n for n in wb.sheetnames}
        for t in TABLES:
            if t not in names:
                if t in REQUIRED_TABLES:
                    issues.append(Issue(t, "sheet_missing", {"sheet": t, "label": label}))
                continue
            part = f"{label}: {names[t]}"
            frame = _sheet_to_frame(wb[names[t]], t, label, issues)
            if frame is None:
                continue
            if frame.empty and len(frame.columns) == 0:
                issues.append(Issue(t, "sheet_empty"))
                continue
            tables[t] = frame
        if SETTINGS in names:
            part = f"{label}: {names[SETTINGS]}"
            frame = _sheet_to_frame(wb[names[SETTINGS]], SETTINGS, label, issues)
            if frame is not None and len(frame.columns) >= 2:
                settings = _settings_from_pairs(zip(frame.iloc[:, 0], frame.iloc[:, 1]))
    except MemoryError:
        issues.append(Issue("bundle", "file_no_memory", {"file": part}))
    except Exception as exc:  # the sheets' XML is parsed while the rows stream
        code, error = _xml_refusal(exc)
        issues.append(Issue("bundle", code, {"label": part, "error": error}))
    finally:
        wb.close()
    return tables, settings, issues


def _wanted(name: str) -> str | None:
    """The bundle file an entry or upload stands for ('values.csv', 'settings.json'), or None."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if base == "settings.json" or base in {f"{t}.csv" for t in TABLES}:
        return base
    return None


def read_uploaded(files: list[tuple[str, bytes]]) -> tuple[Tables, dict[str, Any], list[Issue]]:
    """Read uploaded files: one .xlsx, one .zip of CSVs, or several CSV files (+ settings.json).
    Only the entries a bundle uses are decompressed; two files for one table are refused."""
    issues: list[Issue] = []
    found: dict[str, list[tuple[str, bytes]]] = {}  # 'values.csv' -> [(file shown, bytes)]
    for name, raw in files:
        low = name.lower()
        if low.endswith((".xlsx", ".xlsm")):
            return read_xlsx_bytes(raw, name)
        if low.endswith(".zip"):
            archive = _archive_entries(raw, name, issues)
            if archive is None:
                continue
            zf, infos = archive
            with zf:
                picked = [(i, w) for i in infos if (w := _wanted(i.filename))]
                seen: dict[str, list[str]] = {}
                for info, w in picked:
                    seen.setdefault(w, []).append(f"{name}: {info.filename}")
                total = 0
                for info, w in picked:
                    if len(seen[w]) > 1:
                        continue  # refused below, naming every entry
                    limit = (
                        limits.MAX_SETTINGS_BYTES if w == "settings.json" else limits.MAX_FILE_BYTES
                    )
                    data = _read_entry(zf, info, name, limit, issues)
                    if data is None:
                        continue
                    total += len(data)
                    if _over_total(total, name, issues):
                        break
                    found.setdefault(w, []).append((f"{name}: {info.filename}", data))
                for w, shown in seen.items():
                    if len(shown) > 1:
                        found.setdefault(w, []).extend((s, b"") for s in shown)
        elif (w := _wanted(name)) is not None:
            found.setdefault(w, []).append((name, raw))
        else:
            issues.append(Issue("bundle", "upload_unknown", {"file": name}, severity="warning"))
    tables: Tables = {}
    settings: dict[str, Any] = {}
    # An archive that could not be opened at all: its files are not "missing" one by one.
    unreadable = any(i.table == "bundle" and i.severity == "error" for i in issues)
    for w, hits in found.items():
        if len(hits) > 1:
            table = SETTINGS if w == "settings.json" else w[: -len(".csv")]
            issues.append(Issue(table, "file_twice", {"file": w, "files": [s for s, _ in hits]}))
    for t in TABLES:
        hits = found.get(f"{t}.csv", [])
        if len(hits) != 1:
            if not hits and t in REQUIRED_TABLES and not unreadable:
                issues.append(Issue(t, "upload_missing", {"file": f"{t}.csv"}))
            continue
        frame = _read_csv_bytes(hits[0][1], t, issues, hits[0][0])
        if frame is not None:
            tables[t] = frame
    sj = found.get("settings.json", [])
    if len(sj) == 1:
        settings = _read_settings_json(sj[0][1], issues, sj[0][0])
    return tables, settings, issues


# ---- parsing and validation -----------------------------------------------------------------
def parse_number(text: str, decimal_comma: bool = False) -> float | None:
    """A cell's text as a number, the one way the engine and the page read numbers: spaces
    and no-break spaces (thousands) are dropped and a decimal comma ("1,5") reads as a point
    (every comma, when the file uses ';' and decimal commas). None when it is not a number;
    NaN and infinities come back as they are, for the caller to refuse. A comma followed by
    exactly three digits ("1,600") may be a thousands separator or a decimal comma, so it is
    not read at all (nor "1.600" in a file of decimal commas): see `ambiguous_number`."""
    clean = text.strip().replace("\u00a0", "").replace(" ", "")
    if ambiguous_number(clean, decimal_comma):
        return None
    if decimal_comma or _DECIMAL_COMMA.fullmatch(clean):
        clean = clean.replace(",", ".")
    try:
        return float(clean)
    except ValueError:
        return None


def ambiguous_number(text: str, decimal_comma: bool = False) -> bool:
    """True for a number whose separators could be read two ways: "1,600" (1.6 with a
    decimal comma, 1600 with a thousands comma), "1,480,000"; "1.600" where commas are
    decimal. `parse_number` refuses these rather than guess."""
    clean = text.strip().replace("\u00a0", "").replace(" ", "")
    pattern = _THOUSANDS_POINT if decimal_comma else _THOUSANDS
    return pattern.fullmatch(clean) is not None


class Keys:
    """The ids of each row of a table (`keys[i]` is row i's `Ids`), built only for the rows
    an issue names."""

    def __init__(self, *columns: tuple[str, pd.Series]) -> None:
        self.columns = [(kind, ids.to_numpy(dtype=object)) for kind, ids in columns]

    def __getitem__(self, i: int) -> Ids:
        return tuple((kind, str(ids[i])) for kind, ids in self.columns)


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
        keys: Keys,
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
        bounded by MAX_MAGNITUDE; a number of units (`units`) by MAX_UNITS_PER_CELL.

        Column-wise: plain numbers are converted at once, only the other cells go through
        `parse_number`, and the checks are masks; issues are then added in row order."""
        out = np.full(len(frame), np.nan)
        if column not in frame.columns:
            return pd.Series(out, index=frame.index)
        decimal_comma = bool(frame.attrs.get("decimal_comma", False))
        text = _cell_texts(frame[column])
        x = _parse_numbers(text, decimal_comma)
        blank = text == ""
        code = np.full(len(frame), "", dtype=object)
        # Cells that are not plain numbers ("1 000", "1,5", "abc", "nan"): one by one.
        for i in np.flatnonzero(np.isnan(x) & ~blank).tolist():
            cell = str(text[i])
            parsed = parse_number(cell, decimal_comma)
            if parsed is None:
                ambiguous = ambiguous_number(cell, decimal_comma)
                code[i] = "number_ambiguous" if ambiguous else "not_number"
            else:
                x[i] = parsed
        if required:
            code[blank] = "cell_required"
        with np.errstate(invalid="ignore"):
            finite = np.isfinite(x)
            # NaN and infinities as written come back from `parse_number` as they are.
            code[(code == "") & ~blank & ~finite] = "not_usable_number"
            checks: list[tuple[np.ndarray, str]] = [
                (np.abs(x) > limits.MAX_MAGNITUDE, "number_too_large")
            ]
            if units:
                checks.append((x > limits.MAX_UNITS_PER_CELL, "units_too_many"))
            if minimum is not None:
                low = x <= minimum if strict_min else x < minimum
                checks.append((low, "greater_than" if strict_min else "at_least"))
            if maximum is not None:
                checks.append((x > maximum, "at_most"))
            if integer:
                checks.append((np.floor(x) != x, "whole_number"))
        todo = finite & (code == "")
        for mask, name in checks:  # the first failed check names the cell, as it always did
            hit = todo & mask
            code[hit] = name
            todo &= ~hit
        out[todo] = x[todo]
        bad = np.flatnonzero(code != "")
        if len(bad):
            lines = _lines(frame)
            for i in bad.tolist():
                c, row, key, t = code[i], int(lines[i]), keys[i], str(text[i])
                if c == "cell_required":
                    self.add(table, c, row, column, "", key, what=what or column)
                elif c == "number_too_large":
                    self.add(table, c, row, column, t, key, limit=limits.MAX_MAGNITUDE)
                elif c == "units_too_many":
                    self.add(table, c, row, column, t, key, limit=limits.MAX_UNITS_PER_CELL)
                elif c in ("greater_than", "at_least"):
                    self.add(table, c, row, column, t, key, x=minimum)
                elif c == "at_most":
                    self.add(table, c, row, column, t, key, x=maximum)
                else:
                    self.add(table, c, row, column, t, key)
        return pd.Series(out, index=frame.index)


# A number as Python's float() reads it with nothing to clean or to doubt: most cells.
_PLAIN_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
# The same with one decimal comma or point, in a file of decimal commas.
_PLAIN_NUMBER_DC = re.compile(r"[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?")


def _cell_texts(column: pd.Series) -> np.ndarray:
    """A column's cells as stripped text (object array): None is blank, anything else is
    `str()` of it, as `parse_number` would be given it."""
    arr = column.to_numpy(dtype=object)
    if lib_infer(arr) != "string":  # typed or missing cells (the page's tables): rare
        arr = np.array(["" if v is None else str(v) for v in arr], dtype=object)
    return _stripped(arr)


def _stripped(arr: np.ndarray) -> np.ndarray:
    """Every str of an object array stripped, in one C-level pass (pandas' .str methods call a
    Python function per cell)."""
    out = np.empty(len(arr), dtype=object)
    out[:] = list(map(str.strip, arr))
    return out


def _matches(pattern: re.Pattern[str], arr: np.ndarray, full: bool = True) -> np.ndarray:
    """Which strs of an object array the pattern matches (whole, or at the start)."""
    test = pattern.fullmatch if full else pattern.match
    return np.fromiter(map(bool, map(test, arr)), dtype=bool, count=len(arr))


def lib_infer(arr: np.ndarray) -> str:
    """pandas' inferred kind of an object array ("string" when every cell is a str)."""
    return str(pd.api.types.infer_dtype(arr, skipna=False))


def _parse_numbers(text: np.ndarray, decimal_comma: bool) -> np.ndarray:
    """`parse_number` of every stripped cell for the plain ones (NaN elsewhere): one regex
    test and one conversion over the whole column."""
    x = np.full(len(text), np.nan)
    if not len(text):
        return x
    if decimal_comma:
        plain = _matches(_PLAIN_NUMBER_DC, text)
        # "1.600" where commas are decimal: ambiguous, left to `parse_number`.
        plain = plain & ~_matches(_THOUSANDS_POINT, text)
        if plain.any():
            points = pd.Series(text[plain], dtype=object).str.replace(",", ".", regex=False)
            x[plain] = points.to_numpy(dtype=object).astype(float)
    else:
        fast = _all_plain(text)
        if fast is not None:
            return fast
        plain = _matches(_PLAIN_NUMBER, text)
        if plain.any():
            x[plain] = text[plain].astype(float)
    return x


def _all_plain(text: np.ndarray) -> np.ndarray | None:
    """`_parse_numbers` of a column whose every non-blank cell Python's float() reads, in one
    conversion (no regex per cell); None when some cell is not such a number. float() reads
    exactly the plain numbers and, besides them, "nan", "inf", "infinity" and digits with
    underscores: those few cells are tested against the pattern itself."""
    filled = text != ""
    cells = text[filled]
    try:
        numbers = cells.astype(float)
    except ValueError:
        return None
    odd = ~np.isfinite(numbers)
    if "_" in "".join(cells):
        odd |= np.char.find(cells.astype(str), "_") >= 0
    if odd.any():
        numbers[odd] = np.where(_matches(_PLAIN_NUMBER, cells[odd]), numbers[odd], np.nan)
    x = np.full(len(text), np.nan)
    x[filled] = numbers
    return x


def _text(frame: pd.DataFrame, column: str, infer: bool = True) -> pd.Series:
    """A column as stripped text; None and NaN are blank. `infer`: of the dtype pandas infers
    for text, as the frames built from it always had (else object: ids only compared)."""
    if column not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    arr = frame[column].to_numpy(dtype=object)
    if lib_infer(arr) != "string":
        arr = np.array(
            ["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in arr],
            dtype=object,
        )
    stripped = _stripped(arr)
    # Built without a dtype, so that pandas infers the same one as for the cells as read.
    return pd.Series(stripped, index=frame.index, dtype=None if infer else object)


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


def _first_rows(
    keys: pd.Series | pd.MultiIndex, lines: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each row: whether its key was met on an earlier row, and the line of the key's
    first row."""
    codes = pd.factorize(keys)[0] if isinstance(keys, pd.Series) else keys.factorize()[0]
    again = pd.Series(codes).duplicated().to_numpy()
    first = np.zeros(codes.max() + 1 if len(codes) else 0, dtype=np.int64)
    first[codes[~again]] = lines[~again]
    return again, first[codes]


def _check_ids(ck: _Checker, t: str, ids: pd.Series, column: str, lines: np.ndarray) -> None:
    v = ids.to_numpy(dtype=object)
    blank = v == ""
    chars = ~blank & ~_matches(ID_RE, v, full=False)
    ok = ~blank & ~chars
    again = np.zeros(len(v), dtype=bool)
    first = np.zeros(len(v), dtype=np.int64)
    if ok.any():  # only well-formed ids count as seen
        again[ok], first[ok] = _first_rows(ids[ok], lines[ok])
    for i in np.flatnonzero(blank | chars | again).tolist():
        row = int(lines[i])
        if blank[i]:
            ck.add(t, "id_blank", row, column, "")
        elif chars[i]:
            ck.add(t, "id_chars", row, column, v[i])
        else:
            ck.add(t, "id_duplicate", row, column, v[i], row_first=int(first[i]))


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


def read_settings(
    raw: dict[str, Any], base: Settings | None = None
) -> tuple[Settings, list[Issue]]:
    """Raw settings (settings.json or a settings sheet) checked field by field; bad fields keep
    the base value and are reported."""
    ck = _Checker()
    return _settings(raw, base, ck), ck.issues


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
        keys = Keys(("pool", ids))
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
        keys = Keys(("method", ids))
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
        keys = Keys(("client", ids))
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
        cids, mids = _text(val, CLIENT_ID, infer=False), _text(val, METHOD_ID, infer=False)
        keys = Keys(("client", cids), ("method", mids))
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
        val_lines = _lines(val)
        c_arr, m_arr = cids.to_numpy(dtype=object), mids.to_numpy(dtype=object)
        no_client = ~cids.isin(clients.index).to_numpy()
        no_method = ~mids.isin(methods.index).to_numpy()
        pairs = pd.MultiIndex.from_arrays([c_arr, m_arr])
        again, first = _first_rows(pairs, val_lines)
        ok = ~(no_client | no_method | again)
        vv, lov, hiv, comv, mxv = (a.to_numpy() for a in (v, lo, hi, com, mx))
        default_max = methods[MAX_UNITS].reindex(mids).to_numpy(dtype=float)
        cell_max = np.where(np.isnan(mxv), default_max, mxv)
        with np.errstate(invalid="ignore"):  # NaN compares False: a blank is never out of order
            low_above = ok & (lov > vv)
            high_below = ok & (hiv < vv)
            committed_over = ok & (comv > cell_max)
        committed_blank = ok & np.isnan(vv) & (comv > 0)
        keep_mask = ok & ~np.isnan(vv)  # blank value: the method is not offered to this client
        flagged = ~ok | low_above | high_below | committed_over | committed_blank
        for i in np.flatnonzero(flagged).tolist():  # the bad rows only, each in row order
            row, c, m, key = int(val_lines[i]), c_arr[i], m_arr[i], keys[i]
            if no_client[i]:
                ck.add(VALUES, "unknown_client", row, CLIENT_ID, c, key)
            if no_method[i]:
                ck.add(VALUES, "unknown_method", row, METHOD_ID, m, key)
            if again[i]:
                ck.add(VALUES, "pair_again", row, METHOD_ID, m, key, row_first=int(first[i]))
            if low_above[i]:
                ck.add(
                    VALUES, "low_above", row, VALUE_LOW, f"{lov[i]:g}", key, cell_value=float(vv[i])
                )
            if high_below[i]:
                ck.add(
                    VALUES,
                    "high_below",
                    row,
                    VALUE_HIGH,
                    f"{hiv[i]:g}",
                    key,
                    cell_value=float(vv[i]),
                )
            if committed_over[i]:
                ck.add(
                    VALUES,
                    "committed_over",
                    row,
                    COMMITTED_UNITS,
                    f"{comv[i]:g}",
                    key,
                    max=float(cell_max[i]),
                )
            if committed_blank[i]:
                ck.add(VALUES, "committed_blank", row, VALUE, "", key)
        keep = np.flatnonzero(keep_mask)
        idx = pd.MultiIndex.from_arrays(
            [c_arr[keep].tolist(), m_arr[keep].tolist()], names=[CLIENT_ID, METHOD_ID]
        )
        mx_res = cell_max[keep]
        total_units = float(np.nansum(mx_res)) if len(mx_res) else 0.0
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
        cids, mids, rids = (_text(ovr, c, infer=False) for c in (CLIENT_ID, METHOD_ID, RESOURCE_ID))
        keys = Keys(("client", cids), ("method", mids), ("pool", rids))
        pu = ck.number(ovr, OVERRIDES, PER_UNIT, keys, required=True, minimum=0)
        for c in _unknown_columns(ck, OVERRIDES, ovr, BASE_COLUMNS[OVERRIDES]):
            ck.add(
                OVERRIDES,
                "column_ignored",
                column=c,
                severity="warning",
                known=list(BASE_COLUMNS[OVERRIDES]),
            )
        ovr_lines = _lines(ovr)
        arrays = [a.to_numpy(dtype=object) for a in (cids, mids, rids)]
        unknown = [
            ~ids.isin(known).to_numpy()
            for ids, known in (
                (cids, clients.index),
                (mids, methods.index),
                (rids, resources.index),
            )
        ]
        again, first = _first_rows(pd.MultiIndex.from_arrays(arrays), ovr_lines)
        puv = pu.to_numpy()
        ok = ~np.isnan(puv) & ~unknown[0] & ~unknown[1] & ~unknown[2] & ~again
        offered = pd.MultiIndex.from_arrays(arrays[:2]).isin(values.index)
        flagged = unknown[0] | unknown[1] | unknown[2] | again | (ok & ~offered)
        columns = ((CLIENT_ID, "clients"), (METHOD_ID, "methods"), (RESOURCE_ID, "resources"))
        for i in np.flatnonzero(flagged).tolist():  # the bad rows only, each in row order
            row, key = int(ovr_lines[i]), keys[i]
            for (col, what), ids, bad in zip(columns, arrays, unknown):
                if bad[i]:
                    ck.add(OVERRIDES, "unknown_id", row, col, ids[i], key, other=what)
            if again[i]:
                ck.add(
                    OVERRIDES,
                    "override_again",
                    row,
                    RESOURCE_ID,
                    arrays[2][i],
                    key,
                    row_first=int(first[i]),
                )
            if ok[i] and not offered[i]:
                ck.add(
                    OVERRIDES,
                    "override_not_offered",
                    row,
                    METHOD_ID,
                    arrays[1][i],
                    key,
                    severity="warning",
                )
        rows = {
            CLIENT_ID: arrays[0][ok],
            METHOD_ID: arrays[1][ok],
            RESOURCE_ID: arrays[2][ok],
            PER_UNIT: puv[ok].astype(float),
        }
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


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _review_dates(texts: pd.Series) -> np.ndarray:
    """`_review_date` of every cell (an object array of Timestamps and NaT, so that the
    frame's dtype is inferred as for the dates one by one): plain days (2026-09-14) at once,
    the rest one by one."""
    out = np.full(len(texts), pd.NaT, dtype=object)
    day = texts.str.fullmatch(_ISO_DAY).to_numpy(dtype=bool)
    if day.any():
        days = pd.to_datetime(texts[day], errors="coerce", format="%Y-%m-%d")
        out[day] = days.astype(object).to_numpy()
    for i in np.flatnonzero(~day & (texts != "").to_numpy()).tolist():
        out[i] = _review_date(str(texts.iat[i]))
    return out


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
    cid = ids.to_numpy(dtype=object)
    no_client = (cid != "") & ~ids.isin(clients.index).to_numpy()
    out: dict[str, Any] = {}
    wrong: dict[str, np.ndarray] = {}  # per item: the answers that are not yes, no, unknown
    given: dict[str, np.ndarray] = {}
    for item in CHECKLIST_ITEMS:
        a = _text(rel, item).str.lower().replace("", "unknown").to_numpy(dtype=object)
        given[item] = a
        wrong[item] = ~pd.Series(a, dtype=object).isin(CHECK_ANSWERS).to_numpy()
        out[item] = np.where(wrong[item], "unknown", a)
    out[OPEN_PROBLEMS] = _text(rel, OPEN_PROBLEMS).to_numpy(dtype=object)
    dates = _text(rel, LAST_REVIEW)
    d = dates.to_numpy(dtype=object)
    parsed = _review_dates(dates)
    not_date = (d != "") & pd.isna(parsed)
    with_time = (d != "") & ~not_date & (dates.str.len().to_numpy() > 10)
    flagged = no_client | not_date | with_time
    for w in wrong.values():
        flagged |= w
    for i in np.flatnonzero(flagged).tolist():  # the bad rows only, each in row order
        row, key = int(rel_lines[i]), (("client", str(cid[i])),)
        if no_client[i]:
            ck.add(RELATIONSHIP, "unknown_client", row, CLIENT_ID, cid[i], key)
        for item in CHECKLIST_ITEMS:
            if wrong[item][i]:
                ck.add(RELATIONSHIP, "yes_no", row, item, given[item][i], key)
        if not_date[i]:
            ck.add(RELATIONSHIP, "not_date", row, LAST_REVIEW, d[i], key)
        elif with_time[i]:
            # A time or a UTC offset: the review was on the calendar date written.
            ck.add(
                RELATIONSHIP,
                "date_time_dropped",
                row,
                LAST_REVIEW,
                d[i],
                key,
                severity="warning",
                date=parsed[i].strftime("%Y-%m-%d"),
            )
    out[LAST_REVIEW] = parsed
    # As lists, so that pandas infers each column's dtype as it always did.
    frame = pd.DataFrame(
        {k: list(v) for k, v in out.items()}, index=pd.Index(ids.tolist(), name=CLIENT_ID)
    )
    return frame[~frame.index.duplicated()]


def load_bundle(source: str | Path, settings: Settings | None = None) -> Problem:
    """Read and validate a bundle; raise BundleError listing every problem found."""
    tables, raw_settings, issues = read_tables(source)
    ck = _Checker()
    s = _settings(raw_settings, settings, ck)
    return parse_tables(tables, s, [*issues, *ck.issues])


# ---- writing --------------------------------------------------------------------------------
def _fmt(x: Any) -> Any:
    if isinstance(x, float):
        if math.isnan(x):
            return ""
        return int(x) if x.is_integer() else x
    return x


def to_tables(problem: Problem) -> Tables:
    """The problem as bundle tables (the user's column names, blanks for missing values)."""
    res = problem.resources.reset_index()
    met = problem.methods.reset_index()
    caps = [client_cap_col(p) for p in problem.pools]
    cli = problem.clients.reset_index()
    cli = cli[
        [
            CLIENT_ID,
            NAME,
            SEGMENT,
            WEIGHT,
            MIN_VALUE_SHARE,
            *[c for c in caps if problem.clients[c].notna().any()],
        ]
    ]
    val = problem.values.reset_index()
    # Per-cell max_units is written only where it differs from the method default.
    default = problem.methods[MAX_UNITS].reindex(val[METHOD_ID]).to_numpy()
    val[MAX_UNITS] = np.where(val[MAX_UNITS].to_numpy() == default, np.nan, val[MAX_UNITS])
    out: Tables = {
        RESOURCES: res,
        METHODS: met,
        CLIENTS: cli,
        VALUES: val,
        OVERRIDES: problem.overrides.copy(),
    }
    if problem.relationship is not None:
        rel = problem.relationship.reset_index()
        rel[LAST_REVIEW] = rel[LAST_REVIEW].map(
            lambda d: "" if pd.isna(d) else d.strftime("%Y-%m-%d")
        )
        out[RELATIONSHIP] = rel
    return {t: f.map(_fmt) for t, f in out.items()}


def settings_dict(s: Settings) -> dict[str, Any]:
    return {k: getattr(s, k) for k in SETTINGS_FIELDS}


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write a file through a temporary file renamed into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp creates the file private (0600); give it the usual mode for new files.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_cell(ws: Any, r: int, c: int, v: Any) -> None:
    """One cell of an inputs workbook: a finite number as a number, a blank as nothing, and
    everything else as a string, never a formula or a link (text starting with '=', '+', '-'
    or '@' stays the text that was typed)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return
    number = isinstance(v, (int, float, np.integer, np.floating))
    if number and not isinstance(v, (bool, np.bool_)) and math.isfinite(float(v)):
        ws.write_number(r, c, float(v) if isinstance(v, (float, np.floating)) else int(v))
        return
    text = str(v)
    if text:
        ws.write_string(r, c, text)


def tables_to_xlsx_bytes(tables: Tables, settings: dict[str, Any]) -> bytes:
    """A workbook with one sheet per table plus a `settings` sheet. Every text cell is written
    as a string (no formula, link or number is made from text), so reading the workbook back
    gives the text that was typed."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheets = [
        *tables.items(),
        (
            SETTINGS,
            pd.DataFrame({"key": list(settings), "value": [str(v) for v in settings.values()]}),
        ),
    ]
    for t, frame in sheets:
        ws = wb.add_worksheet(t)
        for c, h in enumerate(frame.columns):
            _write_cell(ws, 0, c, str(h))
        for r, row in enumerate(frame.itertuples(index=False, name=None), start=1):
            for c, v in enumerate(row):
                _write_cell(ws, r, c, v)
    wb.close()
    return buf.getvalue()


def tables_to_zip_bytes(tables: Tables, settings: dict[str, Any]) -> bytes:
    """A .zip of CSV files plus settings.json."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for t, frame in tables.items():
            zf.writestr(f"{t}.csv", frame.to_csv(index=False))
        zf.writestr("settings.json", json.dumps(settings, indent=2, ensure_ascii=False))
    return buf.getvalue()


def write_bundle(problem: Problem, dest: str | Path) -> Path:
    """Write a problem as a bundle: `dest` ending in .xlsx gives a workbook, else a CSV folder."""
    dest = Path(dest)
    tables, settings = to_tables(problem), settings_dict(problem.settings)
    if dest.suffix.lower() == ".xlsx":
        atomic_write_bytes(dest, tables_to_xlsx_bytes(tables, settings))
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    for t, frame in tables.items():
        atomic_write_bytes(dest / f"{t}.csv", frame.to_csv(index=False).encode("utf-8"))
    atomic_write_bytes(
        dest / "settings.json", json.dumps(settings, indent=2, ensure_ascii=False).encode("utf-8")
    )
    return dest
