"""What an edit of the value grid costs on the Inputs tab, ranges moved with the value.

    python benchmarks/bench_range_edit.py [--clients 100 2500] [--methods 10] [--repeat 7]

For each size, a values table of clients x methods cells (every cell with a low-high range, as
text, as the page keeps it) gets one value raised above its high estimate through the value
grid, timed four ways (median of `repeat`):
  row loops          the grid edit as it was written before: the whole grid rebuilt and every
                     values row looked up in Python loops (kept here as the baseline)
  edit_grid          the grid's delta written into the values table (ui.edits.edit_grid)
  carry_ranges       the ranges of the edited cell moved (ui.edits.carry_ranges)
  edit + carry       both: what one edit costs now
Ratios are to the row loops in the same run. Target: an edit with its ranges moved costs no
more than the grid edit alone did (ratio of edit + carry at most 1).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ui import edits  # noqa: E402  (after the project root is on the path)


def tables(clients: int, methods: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(0)
    cids = [f"c{i:05d}" for i in range(clients)]
    mids = [f"m{j:02d}" for j in range(methods)]
    v = rng.integers(10, 100, clients * methods).astype(float)
    values = pd.DataFrame(
        {
            "client_id": np.repeat(cids, methods),
            "method_id": np.tile(mids, clients),
            "value": [str(int(x)) for x in v],
            "value_low": [str(int(x * 0.8)) for x in v],
            "value_high": [str(int(x * 1.2)) for x in v],
            "committed_units": "",
            "max_units": "",
        },
        dtype=object,
    )
    return {
        "clients": pd.DataFrame({"client_id": cids, "name": cids}, dtype=object),
        "methods": pd.DataFrame({"method_id": mids, "name": mids}, dtype=object),
        "values": values,
    }


def edit_grid_rowwise(tables: dict[str, pd.DataFrame], field: str, delta: dict) -> object:
    """The grid edit as it was: value_grid and the row lookup as Python loops over the rows."""
    cell = edits.cell_text
    client_ids = edits.ids(tables.get("clients"), "client_id")
    method_ids = edits.ids(tables.get("methods"), "method_id")
    grid = pd.DataFrame(
        "", index=client_ids, columns=[edits.METHOD_PREFIX + m for m in method_ids], dtype=object
    )
    vals = tables["values"]
    for c, m, v in zip(vals["client_id"].map(cell), vals["method_id"].map(cell), vals[field]):
        if c in grid.index and edits.METHOD_PREFIX + m in grid.columns:
            grid.at[c, edits.METHOD_PREFIX + m] = cell(v)
    vals = vals.copy()
    pos_of = {
        (c, m): i
        for i, (c, m) in enumerate(zip(vals["client_id"].map(cell), vals["method_id"].map(cell)))
    }
    for pos, changes in delta["edited_rows"].items():
        cid = grid.index[int(pos)]
        for col, v in changes.items():
            mid = str(col)[len(edits.METHOD_PREFIX) :]
            if (cid, mid) in pos_of:
                vals.iat[pos_of[(cid, mid)], list(vals.columns).index(field)] = cell(v)
    return vals


def median_s(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure(clients: int, methods: int, repeat: int) -> list[tuple[str, float]]:
    """(case, median seconds) for one size."""
    t = tables(clients, methods)
    delta = {"edited_rows": {0: {"m:m00": "500"}}}  # far above the high estimate
    after = edits.edit_grid(t, "value", delta)
    _, moves = edits.carry_ranges(t["values"], after["values"])
    assert len(moves) == 1, moves

    def edit_and_carry() -> object:
        return edits.carry_ranges(t["values"], edits.edit_grid(t, "value", delta)["values"])

    return [
        ("row loops", median_s(lambda: edit_grid_rowwise(t, "value", delta), repeat)),
        ("edit_grid", median_s(lambda: edits.edit_grid(t, "value", delta), repeat)),
        (
            "carry_ranges",
            median_s(lambda: edits.carry_ranges(t["values"], after["values"]), repeat),
        ),
        ("edit + carry", median_s(edit_and_carry, repeat)),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, nargs="+", default=[100, 2500])
    ap.add_argument("--methods", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    print(f"{'clients':>8} {'cells':>8} {'case':<14} {'median s':>9} {'ratio':>6}")
    for n in args.clients:
        rows = measure(n, args.methods, args.repeat)
        base = rows[0][1]
        for case, s in rows:
            print(f"{n:>8,} {n * args.methods:>8,} {case:<14} {s:>9.4f} {s / base:>6.2f}")


if __name__ == "__main__":
    main()
