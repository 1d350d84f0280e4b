"""Edits to the text tables, as pure functions: an editor's delta applied to a table, the value
grid written back to the values table, and id renames and deletions carried to every table
that refers to the id. No streamlit here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from optimizer.schema import (
    BASE_COLUMNS,
    CLIENT_ID,
    CLIENTS,
    METHOD_ID,
    METHODS,
    NAME,
    OVERRIDES,
    RELATIONSHIP,
    REQUIRED_TABLES,
    RESOURCE_ID,
    RESOURCES,
    VALUE,
    VALUE_HIGH,
    VALUE_LOW,
    VALUES,
    Issue,
    client_cap_col,
)

from .cells import cell_text, number_or_none

Tables = dict[str, pd.DataFrame]
ROW_COL = "_row"  # the read-only line-number column shown beside each table
METHOD_PREFIX = "m:"  # grid columns are "m:<method_id>" (ids cannot hold ':')
NAME_COL = "_client"  # the grid's read-only client name column

ID_OF: dict[str, str] = {RESOURCES: RESOURCE_ID, METHODS: METHOD_ID, CLIENTS: CLIENT_ID}
# Tables holding a column that refers to another table's id.
REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    CLIENT_ID: ((VALUES, CLIENT_ID), (OVERRIDES, CLIENT_ID), (RELATIONSHIP, CLIENT_ID)),
    METHOD_ID: ((VALUES, METHOD_ID), (OVERRIDES, METHOD_ID)),
    RESOURCE_ID: ((OVERRIDES, RESOURCE_ID),),
}


def ids(frame: pd.DataFrame | None, column: str) -> list[str]:
    """The distinct non-blank ids of a column, in table order."""
    if frame is None or column not in frame.columns:
        return []
    seen: dict[str, None] = {}
    for v in frame[column].map(cell_text):
        if v:
            seen.setdefault(v, None)
    return list(seen)


def apply_delta(frame: pd.DataFrame, delta: dict[str, Any] | None) -> pd.DataFrame:
    """A data editor's delta (edited, added and deleted rows, by position in the table as it
    was shown) applied to a text table. Cells become text; unknown columns are ignored."""
    out = frame.reset_index(drop=True).copy()
    if not delta:
        return out
    cols = list(out.columns)
    for pos, changes in (delta.get("edited_rows") or {}).items():
        pos = int(pos)
        if 0 <= pos < len(out):
            for col, v in changes.items():
                if col in cols:
                    out.iat[pos, cols.index(col)] = cell_text(v)
    drop = sorted({int(p) for p in (delta.get("deleted_rows") or []) if 0 <= int(p) < len(out)})
    if drop:
        out = out.drop(index=out.index[drop]).reset_index(drop=True)
    # A new row is kept even while blank: the user fills it cell by cell.
    added = [{c: cell_text(r.get(c)) for c in cols} for r in (delta.get("added_rows") or [])]
    if added:
        out = pd.concat([out, pd.DataFrame(added, columns=cols, dtype=object)], ignore_index=True)
    return out.astype(object)


def complete_columns(tables: Tables) -> Tables:
    """Add the optional columns a user may want to fill (blank = default): a per-unit column in
    methods and a cap column in clients for every pool, and the optional base columns."""
    out = dict(tables)
    pools = ids(out.get(RESOURCES), RESOURCE_ID)
    for name, extra in (
        (METHODS, pools),
        (CLIENTS, [client_cap_col(p) for p in pools]),
        (VALUES, []),
        (RESOURCES, []),
    ):
        f = out.get(name)
        if f is None:
            continue
        want = [*BASE_COLUMNS[name], *extra]
        missing = [c for c in want if c not in f.columns]
        if missing:
            f = f.copy()
            for c in missing:
                f[c] = ""
            out[name] = f.astype(object)
    return out


def _rename_refs(tables: Tables, column: str, renames: dict[str, str]) -> Tables:
    out = dict(tables)
    for table, col in REFERENCES[column]:
        f = out.get(table)
        if f is None or col not in f.columns:
            continue
        new = f[col].map(lambda v: renames.get(cell_text(v), cell_text(v)))
        if not new.equals(f[col].map(cell_text)):
            f = f.copy()
            f[col] = new
            out[table] = f
    return out


def _drop_refs(tables: Tables, column: str, gone: set[str]) -> Tables:
    out = dict(tables)
    for table, col in REFERENCES[column]:
        f = out.get(table)
        if f is None or col not in f.columns:
            continue
        keep = ~f[col].map(cell_text).isin(gone)
        if not keep.all():
            out[table] = f[keep].reset_index(drop=True)
    return out


def _rename_pool_columns(tables: Tables, renames: dict[str, str], gone: set[str]) -> Tables:
    """A pool's id is also a column of methods and the name of a cap column of clients."""
    out = dict(tables)
    for table, to_col in ((METHODS, lambda p: p), (CLIENTS, client_cap_col)):
        f = out.get(table)
        if f is None:
            continue
        mapping = {to_col(a): to_col(b) for a, b in renames.items() if to_col(a) in f.columns}
        dropping = [to_col(p) for p in gone if to_col(p) in f.columns]
        if mapping or dropping:
            out[table] = f.rename(columns=mapping).drop(columns=dropping)
    return out


def edit_table(tables: Tables, table: str, delta: dict[str, Any] | None) -> Tables:
    """Apply one editor's delta to `table` and carry id renames and deletions to the tables
    that refer to the ids (values, overrides, relationship; pool columns of methods and
    clients), so renaming a client does not orphan its values."""
    before = tables[table].reset_index(drop=True)
    after = apply_delta(before, delta)
    out = dict(tables)
    out[table] = after
    id_col = ID_OF.get(table)
    if id_col is None or id_col not in before.columns:
        return complete_columns(out)
    renames: dict[str, str] = {}
    for pos, changes in ((delta or {}).get("edited_rows") or {}).items():
        pos = int(pos)
        if id_col in changes and 0 <= pos < len(before):
            old, new = cell_text(before.at[pos, id_col]), cell_text(changes[id_col])
            # Only a clean one-to-one rename is carried; a clash is left to validation.
            if old and new and old != new and new not in ids(before, id_col):
                renames[old] = new
    deleted = {
        cell_text(before.at[int(p), id_col])
        for p in ((delta or {}).get("deleted_rows") or [])
        if 0 <= int(p) < len(before)
    }
    gone = {d for d in deleted if d and d not in ids(after, id_col)}
    if renames:
        out = _rename_refs(out, id_col, renames)
    if gone:
        out = _drop_refs(out, id_col, gone)
    if table == RESOURCES and (renames or gone):
        out = _rename_pool_columns(out, renames, gone)
    return complete_columns(out)


# ---- the client x method grid ----------------------------------------------------------------
PAIR_SEP = "\u001f"  # between the ids of a pair key (not NUL: NumPy drops trailing NULs)


def _pair_keys(vals: pd.DataFrame) -> np.ndarray:
    """Each values row's (client, method) pair as one text key."""
    c = vals[CLIENT_ID].map(cell_text).to_numpy(dtype=object)
    return c + PAIR_SEP + vals[METHOD_ID].map(cell_text).to_numpy(dtype=object)


def _last_rows(keys: np.ndarray) -> tuple[pd.Index, np.ndarray]:
    """The distinct keys and, for each, the position of its last row (a pair given twice is
    shown and edited at its last row, as the grid has always done)."""
    last = ~pd.Index(keys).duplicated(keep="last")
    return pd.Index(keys[last]), np.flatnonzero(last)


def value_grid(tables: Tables, field: str = VALUE) -> pd.DataFrame:
    """One row per client, one column per method ("m:<id>"), holding `field` of the values
    table as text (blank: no row, or a blank cell). Clients and methods in table order."""
    clients = tables.get(CLIENTS)
    client_ids = ids(clients, CLIENT_ID)
    method_ids = ids(tables.get(METHODS), METHOD_ID)
    cells = np.full((len(client_ids), len(method_ids)), "", dtype=object)
    vals = tables.get(VALUES)
    if vals is not None and {CLIENT_ID, METHOD_ID, field} <= set(vals.columns) and len(vals):
        rows = pd.Index(client_ids).get_indexer(vals[CLIENT_ID].map(cell_text))
        cols = pd.Index(method_ids).get_indexer(vals[METHOD_ID].map(cell_text))
        text = vals[field].map(cell_text).to_numpy(dtype=object)
        ok = (rows >= 0) & (cols >= 0)
        # Assigned in table order, so a pair given twice shows its last row.
        cells[rows[ok], cols[ok]] = text[ok]
    grid = pd.DataFrame(
        cells,
        index=pd.Index(client_ids, name=CLIENT_ID),
        columns=[METHOD_PREFIX + m for m in method_ids],
        dtype=object,
    )
    names = pd.Series(client_ids, index=client_ids, dtype=object)
    if clients is not None and NAME in clients.columns:
        named = clients[NAME].map(cell_text)
        named = pd.Series(named.to_numpy(), index=clients[CLIENT_ID].map(cell_text).to_numpy())
        named = named[~named.index.duplicated(keep="first")]  # a client's first row names it
        named = named.reindex(client_ids)
        names = named.where(named.notna() & (named != ""), names)
    grid.insert(0, NAME_COL, names.to_numpy(dtype=object))
    return grid.astype(object)


def edit_grid(tables: Tables, field: str, delta: dict[str, Any] | None) -> Tables:
    """Write a grid delta into the values table: an existing row gets the new cell, a new
    client x method pair gets a row (blank value = not offered)."""
    client_ids = ids(tables.get(CLIENTS), CLIENT_ID)  # the grid's rows, in its order
    vals = tables.get(VALUES)
    vals = (
        vals.copy()
        if vals is not None
        else pd.DataFrame(columns=list(BASE_COLUMNS[VALUES]), dtype=object)
    )
    if field not in vals.columns:
        vals[field] = ""
    # The delta's cells (a few), as (client, method, text); then found among the rows at once.
    edited: list[tuple[str, str, str]] = []
    for pos, changes in ((delta or {}).get("edited_rows") or {}).items():
        pos = int(pos)
        if not 0 <= pos < len(client_ids):
            continue
        for col, v in changes.items():
            if str(col).startswith(METHOD_PREFIX):
                edited.append((client_ids[pos], str(col)[len(METHOD_PREFIX) :], cell_text(v)))
    if not edited:
        return {**tables, VALUES: vals.astype(object)}
    keys, rows = _last_rows(_pair_keys(vals) if len(vals) else np.array([], dtype=object))
    found = keys.get_indexer([f"{c}{PAIR_SEP}{m}" for c, m, _ in edited])
    col = list(vals.columns).index(field)
    new_rows = []
    for (cid, mid, text), at in zip(edited, found):
        if at >= 0:
            vals.iat[int(rows[at]), col] = text
        elif text:
            row = dict.fromkeys(vals.columns, "")
            row.update({CLIENT_ID: cid, METHOD_ID: mid, field: text})
            new_rows.append(row)
    if new_rows:
        vals = pd.concat(
            [vals, pd.DataFrame(new_rows, columns=vals.columns, dtype=object)], ignore_index=True
        )
    out = dict(tables)
    out[VALUES] = vals.astype(object)
    return out


@dataclass(frozen=True)
class RangeMove:
    """A value edited on the page whose low/high estimates moved with it."""

    client_id: str
    method_id: str
    value: float
    low: float | None
    high: float | None


def _numbers(col: pd.Series) -> pd.Series:
    return col.map(lambda v: number_or_none(v)).astype(float)


def _range_text(x: float) -> str:
    return cell_text(round(float(x), 6))


def carry_ranges(before: pd.DataFrame, after: pd.DataFrame) -> tuple[pd.DataFrame, list[RangeMove]]:
    """Move each edited value's low/high estimates with it, so an edit on the page never leaves
    the value outside its own range (which would stop the plan).

    A row counts as edited when its value text changed and its estimates did not (an edit of
    the estimates themselves is the user's to keep). Where the old range held the old positive
    value, the range is scaled by new / old (the same relative spread around the new value);
    otherwise only the bound the new value crossed moves onto it. Rows are matched by
    (client_id, method_id); new rows are left as typed."""
    cols = {CLIENT_ID, METHOD_ID, VALUE}
    if not cols <= set(before.columns) or not cols <= set(after.columns):
        return after, []
    if VALUE_LOW not in after.columns and VALUE_HIGH not in after.columns:
        return after, []
    out = after.reset_index(drop=True).copy()

    def text(f: pd.DataFrame, c: str) -> np.ndarray:
        # As text: the tables hold text already (ui.cells.as_text), converted in one C pass.
        if c not in f.columns:
            return np.full(len(f), "", dtype=str)
        return f[c].to_numpy(dtype=object).astype(str)

    def key(f: pd.DataFrame) -> np.ndarray:
        return np.char.add(np.char.add(text(f, CLIENT_ID), PAIR_SEP), text(f, METHOD_ID))

    old = before.reset_index(drop=True)
    old_keys = pd.Index(key(old))
    first = np.flatnonzero(~old_keys.duplicated())  # a pair given twice: its first row
    pos = pd.Index(old_keys[first]).get_indexer(key(out))
    known = pos >= 0
    if not known.any():
        return out, []
    prev = old.iloc[first[np.where(known, pos, 0)]].reset_index(drop=True)
    changed = known & (text(prev, VALUE) != text(out, VALUE))
    for c in (VALUE_LOW, VALUE_HIGH):
        if c in out.columns and c in prev.columns:
            changed &= text(prev, c) == text(out, c)
    rows = np.flatnonzero(changed)  # the cells of this edit: only they are read as numbers
    if not len(rows):
        return out, []
    p, o = prev.iloc[rows], out.iloc[rows]
    nan = np.full(len(rows), np.nan)
    v_old = _numbers(p[VALUE]).to_numpy()
    v_new = _numbers(o[VALUE]).to_numpy()
    lo = _numbers(o[VALUE_LOW]).to_numpy() if VALUE_LOW in o.columns else nan
    hi = _numbers(o[VALUE_HIGH]).to_numpy() if VALUE_HIGH in o.columns else nan
    ok = ~np.isnan(v_new) & ~(np.isnan(lo) & np.isnan(hi))
    held = (v_old > 0) & (np.isnan(lo) | (lo <= v_old)) & (np.isnan(hi) | (hi >= v_old))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(held, v_new / np.where(v_old > 0, v_old, 1.0), np.nan)
    new_lo = np.where(held, lo * ratio, np.where(lo > v_new, v_new, lo))
    new_hi = np.where(held, hi * ratio, np.where(hi < v_new, v_new, hi))
    moved = ok & ((new_lo != lo) | (new_hi != hi)) & ~(np.isnan(new_lo) & np.isnan(new_hi))
    moves: list[RangeMove] = []
    for j in np.flatnonzero(moved):  # the few cells of one edit, not the table
        i = int(rows[j])
        if VALUE_LOW in out.columns and not np.isnan(new_lo[j]):
            out.iat[i, out.columns.get_loc(VALUE_LOW)] = _range_text(new_lo[j])
        if VALUE_HIGH in out.columns and not np.isnan(new_hi[j]):
            out.iat[i, out.columns.get_loc(VALUE_HIGH)] = _range_text(new_hi[j])
        moves.append(
            RangeMove(
                cell_text(out.at[i, CLIENT_ID]),
                cell_text(out.at[i, METHOD_ID]),
                float(v_new[j]),
                None if np.isnan(new_lo[j]) else float(new_lo[j]),
                None if np.isnan(new_hi[j]) else float(new_hi[j]),
            )
        )
    return out.astype(object), moves


def is_complete_upload(file_names: list[str], uploaded: Tables) -> bool:
    """Whether an upload is a bundle of its own: a workbook or an archive (each holds a whole
    bundle), or CSV files with every required table. Such an upload replaces every table; a
    single table merges into the current ones."""
    whole = any(n.lower().endswith((".xlsx", ".xlsm", ".zip")) for n in file_names)
    return whole or set(REQUIRED_TABLES) <= set(uploaded)


def merge_upload(
    current: Tables, uploaded: Tables, issues: list[Issue], complete: bool = False
) -> tuple[Tables, list[Issue], list[str]]:
    """Uploaded tables replace the current tables of the same name; the others are kept, unless
    the upload is `complete` (see `is_complete_upload`): then it is the whole bundle, and a
    table it lacks (the sample's checklist, say) is dropped rather than kept.
    Returns (tables, issues without the "table missing" ones for kept tables, kept names)."""
    kept = [] if complete else [n for n in current if n not in uploaded]
    issues = [
        i
        for i in issues
        if not (i.table in kept and i.row is None and i.column is None and i.severity == "error")
    ]
    merged = {**{n: current[n] for n in kept}, **uploaded}
    return complete_columns(merged), issues, kept


def drop_tables(tables: Tables, origins: dict[str, str], origin: str) -> Tables:
    """The tables without those that came from `origin` (the rest of the sample, say)."""
    return {n: f for n, f in tables.items() if origins.get(n) != origin}


def with_row_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as shown: a read-only first column with the line number a validation
    message quotes (the header is line 1, so the first row is line 2)."""
    out = frame.reset_index(drop=True).copy()
    out.insert(0, ROW_COL, list(range(2, len(out) + 2)))
    return out
