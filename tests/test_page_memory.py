"""What the page keeps in memory: text tables with each distinct cell once, one shared copy of
the start bundle's tables, caches bounded in table rows."""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer.bundle import read_tables
from optimizer.schema import CLIENTS, RESOURCES
from ui import cache
from ui.cells import as_text, cell_text

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def cell_by_cell(frame: pd.DataFrame) -> pd.DataFrame:
    """The text table as its definition says it: `cell_text` of every cell."""
    out = pd.DataFrame(
        [[cell_text(v) for v in row] for row in frame.itertuples(index=False)],
        columns=[str(c).strip() for c in frame.columns],
        dtype=object,
    )
    return out if len(frame.columns) else pd.DataFrame(index=pd.RangeIndex(len(frame)))


@pytest.mark.parametrize(
    "frame",
    [
        # True == 1 == 1.0: a column holding booleans is not read by distinct cells.
        pd.DataFrame({"a": [1, 1.0, True, None, math.nan, " x ", "x"]}),
        pd.DataFrame({"b": [1.5, 2, None, 3.0, 1e17, 10**17, -0.0]}),
        pd.DataFrame({" c ": ["", " ", None, "y", "y ", "z", "1"]}),
        pd.DataFrame({"d": [True, False, 1, 0, None, math.nan, 2]}),
        pd.DataFrame({"f": np.array([1.0, np.nan, 2.5, 1.0])}, index=[5, 6, 7, 8]),
        pd.DataFrame({"i": np.array([3, 3, 12], dtype=np.int64)}),
        pd.DataFrame([[1, "a"], [2, "b"]], columns=["x", "x"]),  # a header may repeat
        pd.DataFrame(columns=["a", "b"]),
        pd.DataFrame(index=[0, 1]),
    ],
)
def test_a_text_table_reads_as_its_cells_one_by_one(frame: pd.DataFrame) -> None:
    got = as_text(frame)
    want = cell_by_cell(frame)
    assert list(got.columns) == list(want.columns)
    assert got.index.equals(pd.RangeIndex(len(frame)))
    assert all(dtype == np.dtype(object) for dtype in got.dtypes)
    assert got.to_numpy().tolist() == want.to_numpy().tolist()


def test_equal_cells_share_one_string() -> None:
    frame = pd.DataFrame({"client_id": [f"c{i % 50}" for i in range(5000)], "v": [1.5] * 5000})
    got = as_text(frame)
    assert len({id(v) for v in got["client_id"]}) == 50
    assert len({id(v) for v in got["v"]}) == 1 and got.at[0, "v"] == "1.5"


def test_sessions_share_the_start_bundles_tables_and_own_their_dicts(tmp_path: Path) -> None:
    bundle = shutil.copytree(SAMPLE, tmp_path / "bundle")
    first, raw, _ = cache.start_inputs(bundle)
    second, raw2, _ = cache.start_inputs(bundle)
    assert first is not second and raw is not raw2 and raw == raw2
    assert all(first[name] is second[name] for name in first)  # one copy of each table
    tables, _, _ = read_tables(bundle)
    for name, frame in tables.items():
        if frame is not None:
            assert first[name].equals(as_text(frame))
    # A session replacing a table leaves the other's alone.
    first[CLIENTS] = first[CLIENTS].iloc[:1]
    assert len(second[CLIENTS]) == len(tables[CLIENTS])


def test_a_start_bundle_changed_on_disk_is_read_again(tmp_path: Path) -> None:
    bundle = shutil.copytree(SAMPLE, tmp_path / "bundle")
    before, _, _ = cache.start_inputs(bundle)
    path = bundle / "resources.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("budget", "money", 1), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after, _, _ = cache.start_inputs(bundle)
    assert after[RESOURCES] is not before[RESOURCES]
    assert "money" in set(after[RESOURCES]["resource_id"])
    assert "money" not in set(before[RESOURCES]["resource_id"])


def rows(n: int) -> pd.DataFrame:
    return pd.DataFrame({"x": range(n)})


def test_a_cache_bounded_in_rows_keeps_the_newest_within_its_rows() -> None:
    lru = cache._LRU(100, max_rows=1000)
    lru.put("a", rows(400))
    lru.put("b", (rows(300), rows(200)))  # a tuple of frames: their rows summed
    assert lru.get("a") is not None and lru.get("b") is not None
    lru.put("c", rows(200))  # 1,100 rows: the least recently used goes
    assert lru.get("a") is None and lru.get("b") is not None and lru.get("c") is not None
    lru.put("d", rows(5000))  # bigger than the bound: kept alone
    assert list(lru.data) == ["d"]
    assert cache.held_rows(("text", 3, rows(7))) == 7
