"""The allocation as tidy CSV: one row per offered client x method cell.

Column names are stable identifiers (`client_id`, `units`, `use_<pool>`...), the same in every
language, so that automation does not depend on the reader's language.
"""

from __future__ import annotations

from typing import Any

from ..schema import Problem, Result
from .common import cell_text, finite, is_num, neutralise
from .tables import allocation_long, csv_columns


def _csv_field(v: Any) -> str:
    """One CSV field: numbers bare, text neutralised and always quoted, blanks empty."""
    x = finite(v)
    if x is not None:
        return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)
    text = cell_text(v) if not is_num(v) else ""
    if text == "":
        return ""
    return '"' + neutralise(text).replace('"', '""') + '"'


def csv_bytes(problem: Problem, result: Result) -> bytes:
    """The allocation in tidy long form as UTF-8 CSV (with a byte-order mark for Excel)."""
    long = allocation_long(problem, result)
    cols = csv_columns(problem)
    lines = [",".join(cols)]
    lines += [
        ",".join(_csv_field(v) for v in row)
        for row in long[cols].itertuples(index=False, name=None)
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
