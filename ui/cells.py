"""Cells of the text tables: the dashboard keeps its inputs as text, every cell a string as a
bundle file would hold it, and reads numbers out of them the way the engine does."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from optimizer.bundle import parse_number


def cell_text(v: Any) -> str:
    """One cell as the text a bundle file would hold (blank for missing, 12 not 12.0)."""
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, bool):
        return str(v).lower()
    return str(v).strip() if isinstance(v, str) else str(v)


# Columns whose equal cells have equal texts (1 and 1.0 both read "1"), so a column's distinct
# cells are put into text once each. A column holding booleans is not: True == 1.
_BY_DISTINCT = frozenset({"string", "empty", "floating", "integer", "mixed-integer-float"})


def column_text(values: np.ndarray) -> np.ndarray:
    """One column's cells as text (`cell_text`), as an object array. Each distinct cell is
    put into words once and every cell equal to it holds that one string: 50,000 clients'
    tables take 23 MB instead of 141 MB, in a tenth of the time."""
    if pd.api.types.infer_dtype(values, skipna=True) not in _BY_DISTINCT:
        return np.array([cell_text(v) for v in values] or [], dtype=object)
    codes, uniques = pd.factorize(values)  # missing cells: code -1, the "" at the end
    texts = np.array([*map(cell_text, np.asarray(uniques, dtype=object)), ""], dtype=object)
    return texts[codes]


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table with every cell as text and a fresh 0..n-1 index."""
    values = frame.to_numpy(dtype=object)
    out = pd.DataFrame(
        {i: column_text(values[:, i]) for i in range(values.shape[1])},
        index=pd.RangeIndex(len(frame)),
        dtype=object,
    )
    out.columns = [str(c).strip() for c in frame.columns]
    return out


def number_or_none(text: Any) -> float | None:
    """A cell's number if it reads as one (as the engine reads it), else None."""
    x = parse_number(cell_text(text))
    return x if x is not None and math.isfinite(x) else None


def typed_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Text tables with numeric-looking cells as numbers, so a downloaded workbook has numbers
    where Excel expects them; other cells (ids, names, bad entries) stay text."""

    def conv(v: Any) -> Any:
        text = cell_text(v)
        x = number_or_none(v)
        if x is None or text == "":
            return text
        n = int(x) if x.is_integer() and "." not in text else x
        # Only a number that reads back as the same text ('007', '1e3' and '1,5' stay text).
        return n if cell_text(n) == text else text

    return {t: (f.map(conv) if len(f.columns) else f) for t, f in tables.items()}
