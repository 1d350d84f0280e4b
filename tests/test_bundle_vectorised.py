"""The column-wise validator says exactly what the row-by-row one said, on random messy tables.

`bundle_rowwise.py` is the reader and validator as they were before validation was vectorised:
for every generated bundle both must raise the same issues (same codes, parameters, rows,
columns, values, ids and order) or build the same Problem.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bundle_rowwise as reference
from optimizer import bundle, limits
from optimizer.schema import CHECKLIST_ITEMS, BundleError, Issue, Problem

EXAMPLES = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "150")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Cells a user's file may hold: plain numbers, numbers with separators or spaces, ambiguous
# thousands, words, NaN and infinities, huge numbers, blanks with spaces, fractions.
NUMBERS = [
    "",
    " ",
    "0",
    "1",
    "2",
    "3",
    " 2 ",
    "-1",
    "+2",
    "0.5",
    ".5",
    "5.",
    "1,5",
    "1,600",
    "1.600",
    "1.600,5",
    "1 000",
    "\u00a03",
    "1e3",
    "2E0",
    "1e400",
    "-1e300",
    "abc",
    "nan",
    "NaN",
    "inf",
    "-Infinity",
    "1_0",
    "2.0000001",
    "7",
    "1.2.3",
    "0x10",
]
CLIENTS = ["c1", "c2", "c3", "c1 ", "", "bad id", "c9"]
METHODS = ["m1", "m2", "m3", "", "m 2", "zz"]
POOLS = ["budget", "hours", "", "budget", "x y"]
ANSWERS = ["yes", "no", "unknown", "", "YES", "maybe", " No "]
DATES = ["", "2026-01-15", "2026-13-40", "2026-09-14T10:00:00+05:00", "yesterday", "2025-2-3"]


def _frame(rows: list[dict[str, str]], columns: list[str], decimal_comma: bool) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns, dtype=object).fillna("")
    frame.attrs["lines"] = list(range(2, len(rows) + 2))
    if decimal_comma:
        frame.attrs["decimal_comma"] = True
    return frame


@st.composite
def tables(draw: Any) -> dict[str, pd.DataFrame]:
    # Half the bundles clean enough to build a Problem, whose frames are compared too.
    messy = draw(st.booleans())
    n_met, n_cli = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    num = st.sampled_from(NUMBERS if messy else ["1", "1.0", " 1 ", "1,0"])
    clients = st.sampled_from(CLIENTS if messy else CLIENTS[:n_cli])
    methods = st.sampled_from(METHODS if messy else METHODS[:n_met])
    some_pools = st.sampled_from(POOLS if messy else POOLS[:2])
    answers = st.sampled_from(ANSWERS if messy else ANSWERS[:4])
    dates = st.sampled_from(DATES if messy else DATES[:2])
    dc = draw(st.booleans())
    pools = draw(st.lists(some_pools, min_size=1, max_size=3, unique=not messy))
    res = [{"resource_id": p, "name": p.upper(), "capacity": draw(num)} for p in pools]
    met = [
        {
            "method_id": draw(methods) if messy else METHODS[k],
            "max_units": draw(num),
            "decay": draw(num),
            "capacity": draw(num),
            **{p: draw(num) for p in pools if p},
        }
        for k in range(n_met)
    ]
    caps = [f"max_{p}" for p in pools if p]
    cli = [
        {
            "client_id": draw(clients) if messy else CLIENTS[k],
            "name": draw(st.sampled_from(["", "Acme", "=1+1"])),
            "weight": draw(num),
            "min_value_share": draw(num),
            **{c: draw(num) for c in caps if draw(st.booleans())},
        }
        for k in range(n_cli)
    ]
    val = [
        {
            "client_id": draw(clients),
            "method_id": draw(methods),
            "value": draw(num),
            "value_low": draw(num),
            "value_high": draw(num),
            "committed_units": draw(num),
            "max_units": draw(num),
        }
        for _ in range(draw(st.integers(0, 12)))
    ]
    ovr = [
        {
            "client_id": draw(clients),
            "method_id": draw(methods),
            "resource_id": draw(some_pools),
            "per_unit": draw(num),
        }
        for _ in range(draw(st.integers(0, 5)))
    ]
    # Every checklist item but the last, which is left out (a warning) when `messy`.
    items = list(CHECKLIST_ITEMS[:-1] if messy else CHECKLIST_ITEMS)
    rel = [
        {
            "client_id": draw(clients),
            **{i: draw(answers) for i in items},
            "open_problems": draw(st.sampled_from(["", "late delivery"])),
            "last_review": draw(dates),
        }
        for _ in range(draw(st.integers(0, 4)))
    ]
    out = {
        "resources": _frame(res, ["resource_id", "name", "unit", "capacity"], dc),
        "methods": _frame(
            met, ["method_id", "name", "unit", "max_units", "decay", "capacity", *pools], dc
        ),
        "clients": _frame(
            cli, ["client_id", "name", "segment", "weight", "min_value_share", *caps], dc
        ),
        "values": _frame(
            val,
            [
                "client_id",
                "method_id",
                "value",
                "value_low",
                "value_high",
                "committed_units",
                "max_units",
            ],
            dc,
        ),
        "overrides": _frame(ovr, ["client_id", "method_id", "resource_id", "per_unit"], dc),
    }
    if rel or draw(st.booleans()):
        out["relationship"] = _frame(rel, ["client_id", *items, "open_problems", "last_review"], dc)
    return out


def _outcome(parse: Any, t: dict[str, pd.DataFrame]) -> tuple[list[Issue], Problem | None]:
    try:
        problem = parse({k: f.copy() for k, f in t.items()})
    except BundleError as exc:
        return list(exc.issues), None
    return list(problem.warnings), problem


def _typed(issue: Issue) -> tuple[Any, ...]:
    """An issue with the types of its row and parameters: no numpy scalar may leak out."""
    return (issue, type(issue.row), sorted((k, type(v).__name__) for k, v in issue.params.items()))


@EXAMPLES
@given(tables())
def test_the_vectorised_validator_says_what_the_row_by_row_one_said(
    t: dict[str, pd.DataFrame],
) -> None:
    got, problem = _outcome(bundle.parse_tables, t)
    want, expected = _outcome(reference.parse_tables, t)
    assert [_typed(i) for i in got] == [_typed(i) for i in want]
    assert (problem is None) == (expected is None)
    if problem is not None and expected is not None:
        for name in ("resources", "methods", "clients", "values"):
            pd.testing.assert_frame_equal(getattr(problem, name), getattr(expected, name))
        pd.testing.assert_frame_equal(
            problem.overrides.reset_index(drop=True),
            expected.overrides.reset_index(drop=True),
            check_dtype=False,
        )
        if expected.relationship is None:
            assert problem.relationship is None
        else:
            pd.testing.assert_frame_equal(problem.relationship, expected.relationship)


@pytest.mark.parametrize("decimal_comma", [False, True])
def test_every_messy_number_reads_as_parse_number_reads_it(decimal_comma: bool) -> None:
    # One column holding every kind of cell: the fast path and parse_number must agree.
    frame = _frame([{"x": v} for v in NUMBERS], ["x"], decimal_comma)
    keys = bundle.Keys(("row", pd.Series([str(i) for i in range(len(NUMBERS))])))
    ck = bundle._Checker()
    got = ck.number(frame, "t", "x", keys, required=False).to_numpy()
    parsed = [bundle.parse_number(v, decimal_comma) for v in NUMBERS]
    want = np.array([np.nan if x is None else x for x in parsed])
    want[~np.isfinite(want) | (np.abs(want) > limits.MAX_MAGNITUDE)] = np.nan
    np.testing.assert_array_equal(got, want)
    assert {i.code for i in ck.issues} >= {"not_number", "not_usable_number", "number_ambiguous"}


def test_a_table_that_is_all_issues_is_reported_row_by_row_in_order() -> None:
    # 2,000 bad rows: every one reported, in file order, with its own line.
    rows = [{"client_id": f"c{i}", "weight": "abc" if i % 2 else "-1"} for i in range(2000)]
    frame = _frame(rows, ["client_id", "name", "segment", "weight"], False)
    frame.attrs["lines"] = list(range(3, 2 * 2000 + 3, 2))  # blank lines between rows
    with pytest.raises(BundleError) as exc:
        bundle.parse_tables({"clients": frame})
    weight = [i for i in exc.value.issues if i.column == "weight"]
    assert [i.row for i in weight] == list(range(3, 2 * 2000 + 3, 2))
    assert [i.code for i in weight[:2]] == ["greater_than", "not_number"]


def assert_read_as_csv_reader(text: str) -> None:
    """The file's table, lines and issues as the csv.reader path reads them."""
    got_issues: list[Issue] = []
    want_issues: list[Issue] = []
    got = bundle._csv_text_to_frame(text, "clients", got_issues)
    want = reference._csv_text_to_frame(text, "clients", want_issues)
    assert got_issues == want_issues
    assert (got is None) == (want is None)
    if got is not None and want is not None:
        pd.testing.assert_frame_equal(got, want)
        assert list(got.attrs["lines"]) == list(want.attrs["lines"])
        assert got.attrs.get("decimal_comma") == want.attrs.get("decimal_comma")


@EXAMPLES
@given(
    st.sampled_from(["h,k;x\n", "h;k;x\n", "h\tk\n", "h\n", "\n\nh,k\n", "h,k"]),
    st.text(
        alphabet=st.sampled_from(
            [",", ";", "\t", "\n", "\r", '"', " ", "a", "1", "\ufeff", "é", "\x1c", "\xa0", "\x0b"]
        ),
        max_size=60,
    ),
)
def test_a_file_without_quotes_is_read_as_the_csv_reader_reads_it(head: str, text: str) -> None:
    # Files without quotes take a faster path than csv.reader: rows, lines and issues agree.
    assert_read_as_csv_reader(head + text)


_NUMBER_LIKE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(
        [
            "",
            "nan",
            "NaN",
            "inf",
            "-Infinity",
            "1_000",
            "1e999",
            "١٢",
            "+.5",
            "5.",
            ".",
            "-",
            "e5",
            "1e",
            "0x10",
            "1 0",
            "1,5",
            "12%",
            "€5",
            "1_0e5",
            "-0",
            "0.0001",
            "3e-400",
        ]
    ),
    st.text(alphabet="0123456789.eE+-_ ,", max_size=6),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_NUMBER_LIKE, min_size=1, max_size=12))
def test_one_conversion_reads_the_same_numbers_as_the_pattern(cells: list[str]) -> None:
    """The whole-column conversion of plain numbers gives what the per-cell pattern gives."""
    text = np.array([c.strip() for c in cells], dtype=object)
    plain = bundle._matches(bundle._PLAIN_NUMBER, text)
    expected = np.full(len(text), np.nan)
    expected[plain] = text[plain].astype(float)
    got = bundle._parse_numbers(text, decimal_comma=False)
    assert np.array_equal(got, expected, equal_nan=True)
    assert np.array_equal(np.signbit(got), np.signbit(expected))


@EXAMPLES
@given(
    st.sampled_from([",", ";", "\t"]),
    st.integers(1, 5),
    st.lists(st.text(alphabet=" a1é.\xa0x-", max_size=4), min_size=1, max_size=40),
    st.booleans(),
)
def test_a_regular_file_is_read_column_by_column_as_the_csv_reader_reads_it(
    delim: str, width: int, cells: list[str], final_newline: bool
) -> None:
    # Every line with the header's cells: the table is split column by column.
    header = delim.join(f"h{i}" if i else " id " for i in range(width))
    body = [
        delim.join(cells[(r * width + i) % len(cells)] for i in range(width))
        for r in range(len(cells))
    ]
    text = "\n".join([header, *body]) + ("\n" if final_newline else "")
    assert_read_as_csv_reader(text)
