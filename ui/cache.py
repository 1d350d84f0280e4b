"""Content-keyed caches shared by every session: identical inputs are parsed and solved once.

Keys are built from content (the text tables' hash, the problem's fingerprint), never from a
session, so two people looking at the same inputs share one solve. Cached results are shared:
never modify their frames in place.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import replace
from typing import Any

import pandas as pd

from optimizer.bundle import parse_number, parse_tables
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

from .cells import cell_text


class _LRU:
    """A small thread-safe LRU cache: sessions share solves of identical inputs."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.data: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self.lock:
            if key not in self.data:
                return None
            self.data.move_to_end(key)
            return self.data[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)


_SOLVES = _LRU(256)
_PARSES = _LRU(64)
_STRUCTURES = _LRU(16)  # valid parses by everything but the pools' capacities


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


def tables_hash(tables: dict[str, pd.DataFrame]) -> str:
    """A hash of the text tables' content (names, columns and cells)."""
    h = hashlib.sha256()
    for name in sorted(tables):
        h.update(name.encode("utf-8"))
        h.update(tables[name].to_csv(index=False).encode("utf-8"))
    return h.hexdigest()


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


def _structure_hash(tables: dict[str, pd.DataFrame]) -> str:
    """The tables' hash with the pools' capacities left out."""
    res = tables.get(RESOURCES)
    if res is None or CAPACITY not in res.columns:
        return tables_hash(tables)
    return tables_hash({**tables, RESOURCES: res.drop(columns=[CAPACITY])})


def validate(
    tables: dict[str, pd.DataFrame], settings: Settings, read_issues: tuple[Issue, ...] = ()
) -> tuple[Problem | None, tuple[Issue, ...]]:
    """Parse the text tables: (Problem, warnings) when valid, else (None, every issue).

    A change of pool capacities alone (the sidebar's inputs) skips the full parse: the last
    valid parse of otherwise identical tables gets the new capacities."""
    tail = (repr(settings), tuple(map(str, read_issues)))
    key = (tables_hash(tables), *tail)
    hit = _PARSES.get(key)
    if hit is not None:
        return hit
    caps = _capacities(tables)
    skey = (_structure_hash(tables), *tail)
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
