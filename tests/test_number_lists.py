"""Numbers written a list at a time read exactly as written one by one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.messages import Translator
from optimizer.messages.formats import fmt_num, fmt_nums

EDGES = [
    0.0,
    -0.0,
    0.05,
    -0.05,
    -0.005,
    0.005,
    -0.0049,
    99.95,
    100.0,
    -100.0,
    0.995,
    1.0,
    -1.0,
    2.5,
    -2.5,
    1e21,
    -1e-300,
    123456789.125,
    float("nan"),
    float("inf"),
    float("-inf"),
]
FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(EDGES))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(FLOATS, max_size=20),
    st.sampled_from(["en", "ru"]),
    st.sampled_from([None, 0, 1, 2, 3]),
)
def test_a_list_reads_as_its_numbers_one_by_one(
    xs: list[float], lang: str, decimals: int | None
) -> None:
    assert fmt_nums(xs, lang, decimals) == [fmt_num(x, lang, decimals) for x in xs]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(FLOATS, max_size=20),
    st.sampled_from(["en", "ru"]),
    st.sampled_from(["", ",", ".1f", ",.2f", ".0f", "g", ".0%", "d"]),
)
def test_number_fields_are_the_translators_own_fields(
    xs: list[float], lang: str, spec: str
) -> None:
    t = Translator(lang)
    assert t.number_fields(xs, spec) == [t._field(x, spec, None) for x in xs]
