"""Content-keyed caches shared by every session: identical inputs are parsed and solved once.

Keys are built from content (the text tables' hash, the problem's fingerprint), never from a
session, so two people looking at the same inputs share one solve. Cached results are shared:
never modify their frames in place. On a team's page (ui/team.py) a planner's tables hold only
their clients, so their keys differ from the whole plan's, and a planner's cut of a plan
carries a fingerprint of its own: a hit can only return what was computed from the same content.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer.bundle import parse_number, parse_tables, read_tables
from optimizer.schema import (
    CAPACITY,
    RESOURCE_ID,
    RESOURCES,
    BundleError,
    Issue,
    Problem,
    Result,
    Settings,
)
from optimizer.solve import solve

from .cells import as_text, cell_text


def held_rows(value: Any) -> int:
    """Rows of the tables a cached value holds (a Result's or Problem's frames, summed over a
    tuple of them): what its memory grows with, about 300 bytes a row for a solve."""
    if isinstance(value, pd.DataFrame):
        return len(value)
    if isinstance(value, tuple | list):
        return sum(held_rows(v) for v in value if not isinstance(v, Issue))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        frames = (getattr(value, f.name) for f in dataclasses.fields(value))
        return sum(len(f) for f in frames if isinstance(f, pd.DataFrame))
    return 0


class _LRU:
    """A small thread-safe LRU cache: sessions share solves of identical inputs. At most
    `size` entries and, with `max_rows`, at most that many rows of tables in all (`held_rows`;
    the newest entry is kept whatever its size), so a few budgets tried on 50,000 clients do
    not keep a gigabyte of plans."""

    def __init__(self, size: int, max_rows: int | None = None) -> None:
        self.size = size
        self.max_rows = max_rows
        self.data: OrderedDict[Hashable, Any] = OrderedDict()
        self.rows: dict[Hashable, int] = {}
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self.lock:
            if key not in self.data:
                return None
            self.data.move_to_end(key)
            return self.data[key]

    def put(self, key: Hashable, value: Any) -> None:
        rows = held_rows(value) if self.max_rows is not None else 0
        with self.lock:
            self.data[key] = value
            self.rows[key] = rows
            self.data.move_to_end(key)
            while len(self.data) > self.size or (
                self.max_rows is not None
                and len(self.data) > 1
                and sum(self.rows.values()) > self.max_rows
            ):
                old, _ = self.data.popitem(last=False)
                self.rows.pop(old, None)


# Row budgets: 2,000 clients' solve holds about 20,000 rows (4 MB), 50,000 clients' about
# 510,000 (95 MB): some thirty budgets of the one, the newest plan of the other.
_SOLVES = _LRU(256, max_rows=600_000)
# A parse after a capacity change shares the frames of the one it came from: counted in full
# here, so these evict early, and a re-parse of a capacity change alone is cheap.
_PARSES = _LRU(64, max_rows=600_000)
_STRUCTURES = _LRU(16, max_rows=600_000)  # valid parses by everything but the capacities
_START = _LRU(2)  # the text tables of the bundles sessions open on


StartInputs = tuple[dict[str, pd.DataFrame], dict[str, Any], tuple[Issue, ...]]


def _files_signature(path: Path) -> tuple[tuple[str, int, int], ...]:
    """(name, size, modification time) of the bundle's file, or of each file in its folder:
    a bundle changed on disk is read again."""
    try:
        entries = sorted(path.iterdir()) if path.is_dir() else [path]
        return tuple(
            (e.name, (st := e.stat()).st_size, st.st_mtime_ns) for e in entries if e.is_file()
        )
    except OSError:
        return ()


def start_inputs(path: Path) -> StartInputs:
    """The text tables, raw settings and read issues of the bundle a new session opens on,
    read once per content of its files and shared by every session. Sessions never change a
    table in place (an edit replaces the table in the session's own dict), so one copy of
    50,000 clients' tables serves them all; the raw settings are each session's own copy."""
    key = (str(path.expanduser().resolve()), _files_signature(path))
    hit: StartInputs | None = _START.get(key)
    if hit is None:
        tables, raw, issues = read_tables(path)
        text = {name: as_text(f) for name, f in tables.items() if f is not None}
        hit = (text, raw, tuple(issues))
        _START.put(key, hit)
    return dict(hit[0]), copy.deepcopy(hit[1]), hit[2]


def solve_key(problem: Problem) -> str:
    """The cache key of a solve: the problem's fingerprint covers inputs and settings."""
    return problem.fingerprint()


def cached_result(problem: Problem) -> Result | None:
    """The cached result for these inputs, or None if they were never solved."""
    return _SOLVES.get(solve_key(problem))


def cached_solve(problem: Problem) -> Result:
    """Solve through the content cache: identical inputs are solved once."""
    key = solve_key(problem)
    hit = _SOLVES.get(key)
    if hit is None:
        hit = solve(problem)
        _SOLVES.put(key, hit)
    return hit


def _column_digest(col: pd.Series) -> bytes:
    """A SHA-256 of one column's cells: each cell's length and then all of them as UTF-8, so
    the digest tells every two different columns apart (the lengths say where a cell ends).

    A column of text cells (what the editors hold) is taken as it is. A column of numbers is
    taken as its bytes; any other column as each cell's type and repr (`str` would make 1 and
    "1", or None and "None", the same)."""
    values = col.to_numpy()
    if values.dtype != object:
        return hashlib.sha256(b"data" + values.dtype.str.encode() + values.tobytes()).digest()
    cells = values.tolist()
    text = pd.api.types.infer_dtype(values, skipna=False) in ("string", "empty")
    if not text:
        cells = [f"{type(v).__name__}:{v!r}" for v in cells]
    h = hashlib.sha256(b"text" if text else b"repr")
    h.update(np.fromiter(map(len, cells), dtype=np.int64, count=len(cells)).tobytes())
    h.update("".join(cells).encode("utf-8", "surrogatepass"))
    return h.digest()


def _digests(tables: dict[str, pd.DataFrame]) -> dict[str, list[tuple[Hashable, bytes]]]:
    """Each table's columns as (label, digest of its cells), in order."""
    return {
        name: [
            (label, _column_digest(frame.iloc[:, i]))  # by position: a header may repeat
            for i, label in enumerate(frame.columns)
        ]
        for name, frame in tables.items()
    }


def _combine(
    digests: dict[str, list[tuple[Hashable, bytes]]],
    rows: dict[str, int],
    leave_out: tuple[str, str] | None = None,
) -> str:
    """One SHA-256 of the tables' names, row counts and column digests; `leave_out`: a
    (table, column) not counted (every column of that name)."""
    h = hashlib.sha256()
    for name in sorted(digests):
        cols = [(lab, d) for lab, d in digests[name] if (name, lab) != leave_out]
        h.update(f"{name!r}\0{rows[name]}\0{len(cols)}\0".encode())
        for lab, d in cols:
            h.update(f"{lab!r}\0".encode())
            h.update(d)
    return h.hexdigest()


def tables_hash(tables: dict[str, pd.DataFrame]) -> str:
    """A hash of the text tables' content (names, columns and cells).

    Column at a time, no CSV written (10,000 clients: 0.03 s, where to_csv took 0.08 s a call
    and validation needed two)."""
    return _combine(_digests(tables), {n: len(f) for n, f in tables.items()})


def _capacities(tables: dict[str, pd.DataFrame]) -> dict[str, float] | None:
    """Each pool's capacity if every one reads as the engine reads it (a number >= 0, a
    decimal comma allowed), else None."""
    res = tables.get(RESOURCES)
    if res is None or RESOURCE_ID not in res.columns or CAPACITY not in res.columns:
        return None
    out: dict[str, float] = {}
    for pid, text in zip(res[RESOURCE_ID].map(cell_text), res[CAPACITY].map(cell_text)):
        x = parse_number(text)
        if x is None or not pid or pid in out or not math.isfinite(x) or x < 0:
            return None
        out[pid] = x
    return out


def validate(
    tables: dict[str, pd.DataFrame], settings: Settings, read_issues: tuple[Issue, ...] = ()
) -> tuple[Problem | None, tuple[Issue, ...]]:
    """Parse the text tables: (Problem, warnings) when valid, else (None, every issue).

    A change of pool capacities alone (the sidebar's inputs) skips the full parse: the last
    valid parse of otherwise identical tables gets the new capacities."""
    tail = (repr(settings), tuple(map(str, read_issues)))
    digests = _digests(tables)
    rows = {n: len(f) for n, f in tables.items()}
    key = (_combine(digests, rows), *tail)
    hit = _PARSES.get(key)
    if hit is not None:
        return hit
    caps = _capacities(tables)
    # The same columns' digests with the pools' capacities left out.
    skey = (_combine(digests, rows, (RESOURCES, CAPACITY)), *tail)
    base = _STRUCTURES.get(skey) if caps is not None else None
    if base is not None and caps is not None and set(caps) == set(base.resources.index):
        res = base.resources.copy()
        res[CAPACITY] = [caps[p] for p in res.index]
        problem = replace(base, resources=res)
        out: tuple[Problem | None, tuple[Issue, ...]] = (problem, tuple(problem.warnings))
    else:
        try:
            problem = parse_tables(tables, settings, list(read_issues))
            out = (problem, tuple(problem.warnings))
            _STRUCTURES.put(skey, problem)
        except BundleError as exc:
            out = (None, tuple(exc.issues))
    _PARSES.put(key, out)
    return out
