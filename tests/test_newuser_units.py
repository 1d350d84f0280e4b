"""Pure parts of what a new user tripped over: an edited value takes its range along, complete
uploads replace the bundle, price quoting amounts, the Russian catalogue's wording."""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd
import pytest

from conftest import SAMPLE
from optimizer.bundle import read_tables
from optimizer.schema import Settings
from ui import edits
from ui.cache import validate
from ui.cells import as_text


def sample_tables() -> dict[str, pd.DataFrame]:
    tables, _, _ = read_tables(SAMPLE)
    return {t: as_text(f) for t, f in tables.items()}


def grid_edit(tables: dict[str, pd.DataFrame], client: str, method: str, text: str):
    grid = edits.value_grid(tables, "value")
    pos = list(grid.index).index(client)
    return edits.edit_grid(tables, "value", {"edited_rows": {pos: {f"m:{method}": text}}})


def row(tables: dict[str, pd.DataFrame], client: str, method: str) -> dict[str, str]:
    v = tables["values"]
    hit = v[(v["client_id"] == client) & (v["method_id"] == method)]
    return hit.iloc[0].to_dict()


def test_raising_a_value_above_its_high_estimate_moves_the_range_and_validates() -> None:
    before = sample_tables()
    assert row(before, "hartwell", "demo")[edits.VALUE_HIGH] == "48"
    after = grid_edit(before, "hartwell", "demo", "78")  # 39 -> 78, above the high 48
    vals, moves = edits.carry_ranges(before["values"], after["values"])
    got = row({"values": vals}, "hartwell", "demo")
    # The range 24..48 around 39 is scaled with the value: 48..96 around 78.
    assert (got["value"], got["value_low"], got["value_high"]) == ("78", "48", "96")
    assert [(m.client_id, m.method_id, m.low, m.high) for m in moves] == [
        ("hartwell", "demo", 48.0, 96.0)
    ]
    # The inputs still validate: the plan is not blocked.
    problem, issues = validate({**after, "values": vals}, Settings(), ())
    assert problem is not None, [str(i) for i in issues if i.severity == "error"]
    # Without the carry the same edit stops the plan (the old behaviour).
    problem, issues = validate(after, Settings(), ())
    assert problem is None and any(i.code == "high_below" for i in issues)


def test_a_value_lowered_below_a_range_that_did_not_hold_it_moves_only_the_crossed_bound() -> None:
    before = pd.DataFrame(
        {
            "client_id": ["a", "b"],
            "method_id": ["m", "m"],
            "value": ["10", "0"],
            "value_low": ["12", ""],
            "value_high": ["20", "5"],
        },
        dtype=object,
    )
    after = before.copy()
    after.loc[0, "value"] = "8"  # the old range did not hold 10: only the low moves
    after.loc[1, "value"] = "9"  # old value 0: no ratio, the high moves onto the value
    vals, moves = edits.carry_ranges(before, after)
    assert vals["value_low"].tolist() == ["8", ""]
    assert vals["value_high"].tolist() == ["20", "9"]
    assert len(moves) == 2


def test_an_edit_of_the_estimates_themselves_is_left_as_typed() -> None:
    before = sample_tables()["values"]
    after = before.copy()
    after.loc[0, "value"] = "100"
    after.loc[0, "value_high"] = "50"  # the user set both: validation has the last word
    vals, moves = edits.carry_ranges(before, after)
    assert moves == [] and vals.loc[0, "value_high"] == "50"


def own_bundle() -> dict[str, pd.DataFrame]:
    """A bundle of the user's own: the sample's four required tables with other client ids."""
    tables = sample_tables()
    out = {n: tables[n].copy() for n in ("resources", "methods", "clients", "values")}
    for n in ("clients", "values"):
        out[n]["client_id"] = "own_" + out[n]["client_id"]
    return out


def test_a_complete_upload_replaces_the_whole_bundle() -> None:
    current = sample_tables()
    mine = own_bundle()
    files = [f"{n}.csv" for n in mine]
    assert edits.is_complete_upload(files, mine)
    tables, _, kept = edits.merge_upload(current, mine, [], complete=True)
    assert kept == [] and set(tables) == set(mine)  # the sample's checklist is gone
    problem, issues = validate(tables, Settings(), ())
    assert problem is not None, [str(i) for i in issues if i.severity == "error"][:3]
    # Merged instead (the old behaviour), the sample's checklist names unknown clients.
    merged, _, kept = edits.merge_upload(current, mine, [], complete=False)
    assert "relationship" in kept
    problem, issues = validate(merged, Settings(), ())
    assert problem is None
    assert sum(i.table == "relationship" for i in issues if i.severity == "error") == 24


def test_a_workbook_or_archive_is_complete_and_a_single_table_merges() -> None:
    assert edits.is_complete_upload(["mine.xlsx"], {"values": pd.DataFrame()})
    assert edits.is_complete_upload(["mine.zip"], {})
    one = {"values": sample_tables()["values"]}
    assert not edits.is_complete_upload(["values.csv"], one)
    tables, _, kept = edits.merge_upload(sample_tables(), one, [], complete=False)
    assert set(kept) == {"resources", "methods", "clients", "overrides", "relationship"}
    origins = {**dict.fromkeys(kept, "sample"), "values": "values.csv"}
    assert set(edits.drop_tables(tables, origins, "sample")) == {"values"}


# ---- prices per one fixed amount ----------------------------------------------------------
def test_the_quoted_amount_follows_the_capacity_once() -> None:
    from optimizer.quoting import quote_amount, quote_amounts

    assert [quote_amount(c) for c in (480_000, 384_000, 600, 1_600, 5, None)] == [
        1000.0,
        1000.0,
        1.0,
        10.0,
        1.0,
        1.0,
    ]
    res = pd.DataFrame({"capacity": [384_000.0, 600.0]}, index=["budget", "exec_hours"])
    assert quote_amounts(res, {"budget": 5_000}) == {"budget": 5000.0, "exec_hours": 1.0}


def test_money_prices_at_two_budgets_are_quoted_for_the_same_amount(sample_problem) -> None:
    from optimizer import analysis as an
    from optimizer import solve
    from ui.plan_tab import shadow_sentence
    from ui.text import Translator

    low = sample_problem.with_capacity("budget", 384_000)
    high, r_high = sample_problem, solve(sample_problem)
    r_low = solve(low)
    quotes = {"budget": 1000.0}
    en = Translator("en")
    words_high = shadow_sentence(r_high.pools.loc["budget"], en, False, "EUR", quotes)
    words_low = shadow_sentence(r_low.pools.loc["budget"], en, False, "EUR", quotes)
    p_high = r_high.pools.at["budget", "shadow_price"] * 1000
    p_low = r_low.pools.at["budget", "shadow_price"] * 1000
    assert p_low > p_high  # money is dearer when there is less of it, and reads so
    assert f"one more 1,000 EUR would add {en.num(p_high, 2)}" in words_high
    assert f"one more 1,000 EUR would add {en.num(p_low, 1 if p_low >= 10 else 2)}" in words_low
    # A comparison shows each pool's price before and after, per the same amount.
    d = an.compare(high, r_high, low, r_low, quotes=quotes)
    row = d.kpis.loc["price_budget"]
    assert (row["a"], row["b"]) == pytest.approx((p_high, p_low))
    assert d.pools.at["budget", "quoted_per"] == 1000.0


def test_the_comparison_does_not_default_to_the_saved_plan_against_itself() -> None:
    from ui.scenarios import CURRENT, compare_defaults

    assert compare_defaults([CURRENT, "newest", "older"]) == ("older", "newest")
    assert compare_defaults([CURRENT, "only"]) == ("only", CURRENT)
    assert compare_defaults(["newest", "older"]) == ("older", "newest")


def test_share_changes_are_in_percentage_points(sample_problem) -> None:
    from optimizer import analysis as an
    from optimizer import solve
    from ui import analysis_charts
    from ui.text import Translator
    from ui.widgets import kpi_text

    low = sample_problem.with_capacity("budget", 384_000)
    d = an.compare(sample_problem, solve(sample_problem), low, solve(low), names=("A", "B"))
    t = Translator("en")
    names = {"budget": "Budget"}
    shown = kpi_text(analysis_charts.kpi_table(d, t, names), t, d.names).set_index(t("cmp_metric"))
    change = shown.loc[t("cmp_kpi_mean_share"), t("cmp_change")]
    assert change.endswith(" p.p.") and "%" not in change, change
    assert "Budget: value of 1,000 EUR more (points)" in shown.index


def test_plan_kpi_deltas_are_against_the_pinned_baseline_in_points(sample_problem) -> None:
    from streamlit.testing.v1 import AppTest

    from conftest import DASHBOARD
    from optimizer import solve
    from ui.plan_tab import plan_kpis

    low = sample_problem.with_capacity("budget", 384_000)
    base = solve(low)
    at = AppTest.from_file(str(DASHBOARD), default_timeout=60).run()
    assert not at.metric[0].delta  # nothing to compare with yet
    at.session_state["whatif_baseline"] = (low, base, "pinned")
    at.run()
    now, then = plan_kpis(solve(sample_problem)), plan_kpis(base)
    assert at.metric[0].proto.delta_description == "vs the pinned baseline"
    assert at.metric[0].delta == f"+{now.value - then.value:,.0f}"
    assert at.metric[1].delta == f"+{(now.share - then.share) * 100:.1f} p.p."
    # The other choice: the previous inputs (none yet, so no delta).
    at.button_group(key="plan_delta_base").set_value("previous").run()
    assert not at.metric[0].delta


# ---- Russian: labels, table names, one term per concept ------------------------------------
RAW_IDS = re.compile(
    r"(?<![\w.\-])(resources|methods|clients|values|overrides|relationship|resource_id|"
    r"method_id|client_id|max_units|min_value_share|capacity|value_low|value_high|"
    r"committed_units|per_unit|yes|no|unknown)(?![\w.\-])"
)
# One Russian term per concept: the words to use, and the ones that must not appear.
GLOSSARY: dict[str, tuple[str, re.Pattern[str]]] = {
    "points": ("баллы", re.compile(r"(?<![тТ])очк|очков", re.I)),
    "draws": ("выборки", re.compile(r"розыгрыш", re.I)),
    "seed": ("начальное число (seed)", re.compile(r"\bзерн", re.I)),
    "capacity": ("лимит / объём", re.compile(r"ёмкост|емкост", re.I)),
    "hours": ("ч", re.compile(r"(?<![\w{])h(?![\w}])")),
    "id": ("код", re.compile(r"идентификатор|\bId\b")),
    "total perceived value": ("общая воспринимаемая ценность", re.compile(r"суммарн", re.I)),
    "decay": ("убывание", re.compile(r"затухан", re.I)),
    "review": ("пересмотр", re.compile(r"обзор", re.I)),
}
# The one text that must name the file's own words: the answers a checklist file holds.
FILE_WORDS = {"yes_no"}


def russian_texts() -> list[tuple[str, str]]:
    from optimizer.messages import CATALOG
    from ui.text import TEXT

    return [(k, ru) for cat in (TEXT, CATALOG) for k, (_, ru) in cat.items()]


def test_russian_texts_name_no_table_or_column_by_its_id() -> None:
    bad = [
        (k, RAW_IDS.findall(re.sub(r"\{[^}]*\}", "", ru)))
        for k, ru in russian_texts()
        if k not in FILE_WORDS and RAW_IDS.search(re.sub(r"\{[^}]*\}", "", ru))
    ]
    assert bad == []


@pytest.mark.parametrize("concept", sorted(GLOSSARY))
def test_the_russian_catalogue_uses_one_term_per_concept(concept: str) -> None:
    _, forbidden = GLOSSARY[concept]
    bad = [(k, ru) for k, ru in russian_texts() if forbidden.search(re.sub(r"\{[^}]*\}", "", ru))]
    assert bad == []


def test_a_table_named_in_a_russian_sentence_is_translated() -> None:
    from optimizer.messages import Message, Translator

    msg = Message("unknown_id", {"other": "methods"})
    assert Translator("ru").render(msg) == "такого кода нет в таблице «Методы»"
    assert Translator("en").render(msg) == "this id is not in the methods table"


def _editor_configs(lang: str, tab: str) -> list[dict[str, Any]]:
    from streamlit.testing.v1 import AppTest

    from conftest import DASHBOARD

    at = AppTest.from_file(str(DASHBOARD), default_timeout=60)
    at.session_state["lang"] = lang
    at.session_state["open_tab"] = tab
    at.run()
    found: list[Any] = []

    def walk(node: Any) -> None:
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for c in children.values():
                walk(c)
        if getattr(node, "type", "") == "dataframe":
            found.append(node)

    walk(at._tree)
    return [json.loads(n.proto.columns) for n in found if n.proto.columns]


def test_russian_editable_tables_show_labels_not_ids() -> None:
    configs = _editor_configs("ru", "inputs")
    labels = [str(c.get("label")) for cfg in configs for c in cfg.values() if c.get("label")]
    assert "Код ресурса" in labels and "Мин. доля ценности" in labels
    raw = [x for x in labels if RAW_IDS.fullmatch(x) or re.fullmatch(r"max_\w+|[a-z]+_[a-z_]+", x)]
    assert raw == []


def test_checklist_answers_are_chosen_in_the_page_language_and_stored_as_words() -> None:
    configs = _editor_configs("ru", "relationship")
    boxes = [
        c["type_config"]["options"]
        for cfg in configs
        for c in cfg.values()
        if c.get("type_config", {}).get("type") == "selectbox"
    ]
    assert len(boxes) == 5
    assert boxes[0] == [
        {"value": "yes", "label": "да"},
        {"value": "no", "label": "нет"},
        {"value": "unknown", "label": "неизвестно"},
    ]


def test_hours_read_ch_on_the_russian_page(sample_result) -> None:
    from ui.plan_tab import shadow_sentence
    from ui.text import Translator, unit_text

    assert (unit_text("h", "ru"), unit_text("h", "en"), unit_text("EUR", "ru")) == ("ч", "h", "EUR")
    row = sample_result.pools.loc["exec_hours"]
    words = shadow_sentence(row, Translator("ru"), False, "EUR", {"exec_hours": 1.0})
    assert "ещё 1 ч добавили бы" in words and " h " not in words, words


def test_exports_quote_prices_per_the_sessions_amount(sample_problem, sample_result) -> None:
    import io

    import openpyxl

    from optimizer import export

    quotes = {"budget": 5000.0}
    data = export.result_to_json(sample_problem, sample_result, quotes)
    pools = {p["resource_id"]: p for p in data["pools"]}
    price = sample_result.pools.at["budget", "shadow_price"]
    assert pools["budget"]["quoted_per"] == 5000.0
    assert pools["budget"]["quoted_price"] == pytest.approx(price * 5000)
    assert pools["manager_hours"]["quoted_per"] == 10.0  # from its capacity, 1,600 h
    meta = export.ExportMeta(quotes=quotes)
    book = openpyxl.load_workbook(
        io.BytesIO(export.xlsx_bytes(sample_problem, sample_result, meta))
    )
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    head = next(r for r in rows if r and "Price quoted per" in r)
    budget = next(r for r in rows[rows.index(head) :] if r and r[0] == "Budget")
    i = head.index("Price quoted per")
    assert budget[i] == 5000 and budget[i + 1] == pytest.approx(price * 5000)
    html = export.html_report(sample_problem, sample_result, meta, figures=[]).decode()
    assert "Price quoted per" in html and "Value of the quoted amount more" in html


def test_the_frontier_price_axis_is_per_the_quoted_amount(sample_problem) -> None:
    from optimizer import analysis as an
    from ui.analysis_charts import frontier_figure
    from ui.text import Translator

    sw = an.sweep(sample_problem, "budget", 300_000, 500_000, 3)
    t = Translator("en")
    fig = frontier_figure(sw, t, "Budget", quote=1000.0)
    price = next(tr for tr in fig.data if tr.name == "Points per 1,000 EUR more")
    per_unit = frontier_figure(sw, t, "Budget", quote=1.0)
    unit_price = next(tr for tr in per_unit.data if tr.name == "Points per 1 EUR more")
    assert list(price.y) == pytest.approx([y * 1000 for y in unit_price.y])
    assert fig.layout.yaxis2.title.text == "Points per 1,000 EUR more"
