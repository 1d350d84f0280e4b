"""Charts are pure functions of a result: each test reads a figure's data back and compares it
with the result's own numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer.schema import (
    CAPACITY,
    DECAY,
    MAX_UNITS,
    NAME,
    UNITS,
    VALUE,
    Problem,
    Result,
    use_col,
)
from ui import charts
from ui.text import Translator

EN, RU = Translator("en"), Translator("ru")


def _unwrap(label: str) -> str:
    return label.replace("<br>", " ")


def test_heatmap_cells_are_the_planned_units(sample_result: Result) -> None:
    fig = charts.units_heatmap(sample_result, EN)
    trace = fig.data[0]
    z = np.array(trace.z, dtype=float)
    clients, methods = list(sample_result.clients[NAME]), list(sample_result.methods[NAME])
    assert list(trace.y) == clients
    assert [_unwrap(x) for x in trace.x] == methods
    alloc = sample_result.allocation
    for (c, m), units in alloc[UNITS].items():
        i = sample_result.clients.index.get_loc(c)
        j = sample_result.methods.index.get_loc(m)
        assert z[i, j] == pytest.approx(units)
    # Every cell without a value row is blank (not offered), and only those.
    offered = np.zeros(z.shape, bool)
    for c, m in alloc.index:
        offered[sample_result.clients.index.get_loc(c), sample_result.methods.index.get_loc(m)] = 1
    assert np.array_equal(np.isnan(z), ~offered)
    assert (~offered).any(), "the sample leaves some methods not offered"


def test_value_bars_stack_to_each_clients_value(sample_result: Result) -> None:
    fig = charts.value_by_client(sample_result, EN)
    assert fig.layout.barmode == "stack"
    assert len(fig.data) == len(sample_result.methods)
    by_name = sample_result.clients.reset_index().set_index(NAME)
    totals = pd.Series(0.0, index=list(fig.data[0].y))
    for trace, m in zip(fig.data, sample_result.methods.index):
        assert trace.name == sample_result.methods.at[m, NAME]
        for name, x in zip(trace.y, trace.x):
            cid = by_name.at[name, "client_id"]
            expected = sample_result.allocation[VALUE].get((cid, m), 0.0)
            assert x == pytest.approx(expected)
            totals[name] += x
    for name, total in totals.items():
        assert total == pytest.approx(by_name.at[name, VALUE])
    # Highest value first.
    assert list(totals.values) == sorted(totals.values, reverse=True)


def test_pool_bars_are_use_over_capacity(sample_result: Result) -> None:
    fig = charts.pool_use_by_client(sample_result, EN)
    assert len(fig.data) == len(sample_result.pools)
    by_name = sample_result.clients.reset_index().set_index(NAME)
    for trace, (p, pool) in zip(fig.data, sample_result.pools.iterrows()):
        for name, share, used in zip(trace.y, trace.x, trace.customdata):
            expected = by_name.at[name, use_col(p)]
            assert used == pytest.approx(expected)
            assert share == pytest.approx(expected / pool[CAPACITY])
    # The shares of one pool add up to the pool's use over its capacity.
    for trace, (p, pool) in zip(fig.data, sample_result.pools.iterrows()):
        assert sum(trace.x) == pytest.approx(sample_result.pools.at[p, "used"] / pool[CAPACITY])


def test_value_curves_decay_and_mark_funded_units(
    sample_problem: Problem, sample_result: Result
) -> None:
    alloc = sample_result.allocation
    # A client with a partly funded cell shows all three marker kinds somewhere.
    partly = alloc[(alloc[UNITS] % 1 > 1e-6)]
    assert len(partly), "the continuous sample plan has a fractional cell"
    cid = partly.index[0][0]
    fig = charts.value_curves(sample_problem, sample_result, cid, EN)
    cells = sample_problem.values.xs(cid, level="client_id")
    assert len(fig.data) == len(cells)
    for trace, (m, cell) in zip(fig.data, cells.iterrows()):
        decay = sample_problem.methods.at[m, DECAY]
        n = int(cell[MAX_UNITS])
        assert list(trace.x) == list(range(1, n + 1))
        assert np.allclose(trace.y, [cell[VALUE] * decay**k for k in range(n)])
        units = alloc.at[(cid, m), UNITS]
        for k, symbol in zip(trace.x, trace.marker.symbol):
            part = min(max(units - (k - 1), 0.0), 1.0)
            want = (
                charts.FUNDED if part >= 1 - 1e-6 else charts.PARTLY if part > 1e-6 else charts.OPEN
            )
            assert symbol == want


def test_language_sets_number_separators_and_titles(sample_result: Result) -> None:
    en = charts.value_by_client(sample_result, EN)
    ru = charts.value_by_client(sample_result, RU)
    assert en.layout.separators == ".,"
    assert ru.layout.separators == ", "
    assert en.layout.title.text == EN("chart_value_by_client")
    assert ru.layout.title.text == RU("chart_value_by_client")
    assert ru.layout.title.text != en.layout.title.text


def test_wrap_keeps_words_and_order() -> None:
    label = "Free or reduced-price trial"
    assert _unwrap(charts.wrap(label, 10)) == label
    assert all(len(part) <= 16 for part in charts.wrap(label, 10).split("<br>"))
