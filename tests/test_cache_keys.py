"""The page's content keys: equal tables share a key, and two different inputs never do."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from optimizer.bundle import read_tables
from optimizer.schema import CAPACITY, RESOURCES
from ui.cache import tables_hash, validate

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def table(**cols: list) -> dict[str, pd.DataFrame]:
    return {"values": pd.DataFrame(cols, dtype=object)}


def test_equal_content_in_other_frames_shares_the_key() -> None:
    a = table(client_id=["acme", "zeta"], value=["10", "20"])
    b = {"values": a["values"].copy(deep=True).reset_index(drop=True)}
    assert tables_hash(a) == tables_hash(b)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (["ab", "c"], ["a", "bc"]),  # the same letters, cut elsewhere
        ([1, "x"], ["1", "x"]),  # a number and its text
        ([None, "x"], ["None", "x"]),
        ([math.nan, "x"], ["nan", "x"]),
        ([math.nan, "x"], ["float:nan", "str:'x'"]),  # a mixed column's spelling as text
        (["a", "b"], ["b", "a"]),
        (["a"], ["a", ""]),
        (["é"], ["e\u0301"]),
    ],
)
def test_different_cells_never_share_a_key(left: list, right: list) -> None:
    assert tables_hash(table(value=left)) != tables_hash(table(value=right))


def test_names_columns_and_shapes_are_part_of_the_key() -> None:
    base = table(a=["1"], b=["2"])
    assert tables_hash(base) != tables_hash(table(b=["1"], a=["2"]))
    assert tables_hash(base) != tables_hash({"clients": base["values"]})
    assert tables_hash(base) != tables_hash({**base, "clients": pd.DataFrame()})
    assert tables_hash(table(a=[])) != tables_hash(table(b=[]))


def test_a_capacity_change_reuses_the_parse_and_is_still_a_new_problem() -> None:
    from optimizer.schema import Settings
    from ui.cells import as_text

    tables, _, _ = read_tables(SAMPLE)
    sample_tables = {t: as_text(f) for t, f in tables.items() if f is not None}
    settings = Settings()
    first, _ = validate(sample_tables, settings)
    res = sample_tables[RESOURCES].copy()
    res[CAPACITY] = res[CAPACITY].astype(str)
    res.loc[res.index[0], CAPACITY] = "12345"
    second, _ = validate({**sample_tables, RESOURCES: res}, settings)
    assert first is not None and second is not None
    assert float(second.resources[CAPACITY].iloc[0]) == 12345
    assert first.fingerprint() != second.fingerprint()
    again, _ = validate({**sample_tables, RESOURCES: res.copy()}, settings)
    assert again is second  # the same content: the cached parse
