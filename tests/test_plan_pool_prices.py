"""The Plan tab's pool table quotes each pool's price per the session's amount of the pool, as
the sentences above it do, in the page's language; in min_cost it says the money saved."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import SAMPLE
from optimizer import load_bundle, solve
from optimizer.quoting import quote_amount
from optimizer.schema import CAPACITY, SHADOW_PRICE, Result
from ui.plan_tab import pools_table, shadow_sentence
from ui.text import Translator


@pytest.fixture(scope="module")
def solved() -> tuple[Result, Result]:
    problem = load_bundle(SAMPLE)
    cheap = problem.with_settings(objective="min_cost", target_value_share=0.8)
    return solve(problem), solve(cheap)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_pool_table_quotes_prices_per_the_capacity_amount(solved, lang: str) -> None:
    result, _ = solved
    t = Translator(lang)
    table = pools_table(result, t).set_index(t("col_pool"))
    assert t("col_shadow") not in table.columns  # no raw per-unit price beside the sentences
    pools = result.pools.set_index("name")
    for name, row in pools.iterrows():
        per = quote_amount(float(row[CAPACITY]))
        got = table.at[name, t("col_quoted_price")]
        assert got == pytest.approx(float(row[SHADOW_PRICE]) * per)
        unit = "ч" if lang == "ru" and row["unit"] == "h" else row["unit"]
        assert table.at[name, t("col_quoted_per")] == f"{t.num(per, 0)} {unit}"
    # The sample's budget reads per 1,000 EUR: 7.14 points, not 0.0071 per euro.
    assert table.at["Budget", t("col_quoted_per")] == f"{t.num(1000, 0)} EUR"
    assert table.at["Budget", t("col_quoted_price")] == pytest.approx(7.1438, abs=1e-3)


def test_pool_table_keeps_the_sessions_amount_and_matches_the_sentence(solved) -> None:
    result, _ = solved
    t = Translator("en")
    quotes = {"budget": 100.0, "exec_hours": 10.0}  # set by the user for the session
    table = pools_table(result, t, quotes).set_index(t("col_pool"))
    budget = result.pools.loc["budget"]
    assert table.at["Budget", t("col_quoted_per")] == "100 EUR"
    assert table.at["Budget", t("col_quoted_price")] == pytest.approx(budget[SHADOW_PRICE] * 100)
    assert table.at["Executive hours", t("col_quoted_per")] == "10 h"
    hours = result.pools.loc["exec_hours"]
    worth = float(hours[SHADOW_PRICE]) * 10
    sentence = shadow_sentence(hours, t, False, "EUR", quotes)
    assert f"one more 10 h would add {t.num(worth, 1 if worth >= 10 else 2)}" in sentence
    assert t.num(table.at["Executive hours", t("col_quoted_price")], 1) in sentence


def test_min_cost_table_says_the_money_saved(solved) -> None:
    _, cheap = solved
    t = Translator("ru")
    table = pools_table(cheap, t, None, "EUR").set_index(t("col_pool"))
    col = t("col_quoted_saving", currency="EUR")
    assert col in table.columns and t("col_quoted_price") not in table.columns
    hours = cheap.pools.loc["exec_hours"]
    saving = table.at["Executive hours", col]
    assert saving > 0  # executive hours bind: one more hour saves money
    assert saving == pytest.approx(-float(hours[SHADOW_PRICE]) * quote_amount(600.0))
    assert isinstance(table[col], pd.Series) and table[col].dtype.kind == "f"  # sortable
