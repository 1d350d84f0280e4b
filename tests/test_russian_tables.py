"""Tables in Russian: numbers stay numbers (a click sorts them) and read the Russian way
(12 345,6 with a no-break space, 74,6 %), their texts made a column at a time, the same as
t.num and t.pct write each number; tables above pandas' Styler cell limit are shown too."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from ui import state
from ui.text import Translator
from ui.widgets import number_texts

VALUES = [
    0.0,
    -0.04,  # rounds to 0: no "-0"
    0.05,
    1.25,
    -12345.678,
    1234567.891,
    999.95,
    math.nan,
    math.inf,
    -math.inf,
    None,
]


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("decimals", [0, 1, 2, 4])
def test_column_texts_are_what_t_num_writes(lang: str, decimals: int) -> None:
    t = Translator(lang)
    rng = np.random.default_rng(decimals)
    values = [*VALUES, *(rng.normal(0, 1e5, 200).tolist())]
    want = ["" if pd.isna(v) else t.num(float(v), decimals) for v in values]
    assert number_texts(pd.Series(values, dtype=object), t, decimals) == want
    shares = [*VALUES, *(rng.random(50).tolist())]
    want = ["" if pd.isna(v) else t.pct(float(v), decimals) for v in shares]
    assert number_texts(pd.Series(shares, dtype=object), t, decimals, share=True) == want


def test_russian_texts_look_russian() -> None:
    t = Translator("ru")
    assert number_texts([-12345.678, 0.746], t, 1) == ["-12\xa0345,7", "0,7"]
    assert number_texts([0.746], t, 1, share=True) == ["74,6\xa0%"]


def _display(el) -> pd.DataFrame:
    """The texts the browser shows for a table sent as a Styler."""
    raw = el.proto.arrow_data.styler.display_values
    return pa.ipc.open_stream(raw).read_all().to_pandas()


def test_plan_tables_in_russian_are_numbers_with_russian_texts() -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state[state.LANG_KEY] = "ru"
    at.run()
    assert not at.exception
    tables = list(at.dataframe)  # the Plan tab: pools, allocation, not funded
    assert len(tables) >= 3
    for el in tables:
        data, shown = el.value, _display(el)
        numeric = [c for c in data.columns if data[c].dtype.kind in "fi"]
        assert numeric, list(data.columns)  # numbers are sent as numbers: a click sorts them
        for c in numeric:
            texts = shown[c].tolist()
            assert all(s == "" or "." not in s for s in texts), c
            # Each text reads back as its number at the shown precision.
            back = pd.to_numeric(
                pd.Series(texts).str.replace("\xa0", "").str.replace(",", "."), errors="coerce"
            ).to_numpy()
            ok = data[c].isna().to_numpy() | np.isclose(back, data[c], atol=0.51, rtol=0)
            assert ok.all(), c
    alloc = _display(tables[1])
    budget = next(c for c in alloc.columns if "EUR" in c)
    assert alloc[budget].str.contains("\xa0").any()  # thousands grouped by a no-break space
    assert alloc[budget].str.contains(",").all()  # one decimal, after a comma


def test_a_russian_table_over_the_styler_limit_is_shown() -> None:
    def page() -> None:
        import numpy as np
        import pandas as pd

        from ui.text import Translator
        from ui.widgets import show_table

        rows = 30_000  # 300,000 cells: over pandas' 262,144 a Styler renders
        frame = pd.DataFrame(np.arange(rows * 10, dtype=float).reshape(rows, 10) + 0.25)
        frame.columns = [f"c{i}" for i in range(10)]
        show_table(frame, Translator("ru"), dict.fromkeys(frame.columns, 2), key="big")

    at = AppTest.from_function(page, default_timeout=120)
    at.run()
    assert not at.exception
    shown = _display(at.dataframe[0])
    assert shown["c0"].iloc[-1] == "299\xa0990,25"
