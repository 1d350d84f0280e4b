"""The dashboard's pure parts: the text catalogue and number formats, the engine's reasons in
Russian, and edits to the text tables (editor deltas, renames, the value grid, uploads)."""

from __future__ import annotations

import numbers
import re
import string
from pathlib import Path

import pandas as pd
import pytest

from optimizer import parse_tables, read_tables, solve
from optimizer.bundle import read_uploaded
from optimizer.messages import CATALOG, Message
from optimizer.quoting import quote_amount
from optimizer.schema import (
    CHECKLIST_ITEMS,
    CLIENTS,
    METHODS,
    OVERRIDES,
    RELATIONSHIP,
    RESOURCES,
    VALUES,
    BundleError,
    Issue,
    Problem,
    Result,
)
from ui import edits
from ui.cells import as_text, typed_tables
from ui.plan_tab import conflict_fix, plan_kpis, price_scale, shadow_sentence
from ui.text import NBSP, PAGE_TEXTS, TEXT, Translator, fmt_num, fmt_pct

ROOT = Path(__file__).resolve().parent.parent
EN, RU = Translator("en"), Translator("ru")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def sample_tables() -> dict[str, pd.DataFrame]:
    tables, _, _ = read_tables(ROOT / "sample_data")
    return edits.complete_columns({t: as_text(f) for t, f in tables.items()})


# ---- the catalogue ---------------------------------------------------------------------------
def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_entry_has_both_languages_with_the_same_placeholders() -> None:
    for key, (en, ru) in TEXT.items():
        assert en.strip() and ru.strip(), key
        assert _fields(en) == _fields(ru), key


def test_every_key_the_ui_uses_is_in_the_catalogue() -> None:
    used: set[str] = set()
    # Every tab, the ones composed from their own modules included.
    for path in sorted((ROOT / "ui").glob("*.py")):
        used |= set(re.findall(r'\bt\("([A-Za-z0-9_:]+)"', path.read_text(encoding="utf-8")))
    # Keys built at run time (a literal prefix such as "rel_item_" + item) are listed below.
    used = {k for k in used if not k.endswith("_")}
    # Keys built at run time: every objective, detail field, table, tab and checklist item.
    used |= {f"objective_{o}" for o in ("max_value", "min_cost")}
    used |= {
        f"field_{f}{s}"
        for f in ("value_low", "value_high", "committed_units", "max_units")
        for s in ("", "_help")
    }
    used |= {
        f"table_{t}{s}"
        for t in ("resources", "methods", "clients", "overrides")
        for s in ("", "_caption")
    }
    used |= {
        f"tab_{t}"
        for t in ("plan", "inputs", "client", "whatif", "scenarios", "relationship", "export")
    }
    used |= {f"rel_item_{item}" for item in CHECKLIST_ITEMS}
    missing = sorted(k for k in used if k not in PAGE_TEXTS)
    assert not missing, missing


def test_page_and_engine_catalogues_share_no_key() -> None:
    assert not set(TEXT) & set(CATALOG)


def test_russian_labels_differ_and_are_russian() -> None:
    for key in (
        "kpi_value",
        "kpi_share",
        "tab_plan",
        "tab_inputs",
        "sidebar_pools",
        "mode",
        "objective",
        "reset",
        "infeasible_title",
    ):
        assert EN(key) != RU(key)
        assert CYRILLIC.search(RU(key)), key


def test_number_formats_follow_the_language() -> None:
    assert fmt_num(1234567.891, "en", 1) == "1,234,567.9"
    assert fmt_num(1234567.891, "ru", 1) == f"1{NBSP}234{NBSP}567,9"
    assert fmt_num(-0.0001, "en", 2) == "0.00"
    assert fmt_pct(0.746, "en") == "74.6%"
    assert fmt_pct(0.746, "ru") == f"74,6{NBSP}%"
    assert fmt_num(float("nan")) == "–"
    assert RU("x_of_y", x=1500.0, y=2000) == f"1{NBSP}500 из 2{NBSP}000"
    assert EN("unknown_key_for_test") == "unknown_key_for_test"


# ---- plan summaries --------------------------------------------------------------------------
def test_kpis_are_the_results_totals(sample_result: Result) -> None:
    k = plan_kpis(sample_result)
    assert k.value == pytest.approx(sample_result.clients["value"].sum())
    assert k.weighted == pytest.approx(sample_result.objective)
    assert k.share == pytest.approx(k.value / sample_result.clients["attainable"].sum())
    for p, (used, cap) in k.pools.items():
        assert used == pytest.approx(sample_result.pools.at[p, "used"])
        assert cap == pytest.approx(sample_result.pools.at[p, "capacity"])


def test_shadow_prices_in_words(sample_result: Result) -> None:
    pools = sample_result.pools
    for _p, row in pools.iterrows():
        text = shadow_sentence(row, EN, False, "EUR")
        assert str(row["name"]) in text
        price = row["shadow_price"]
        if price > 0:
            scale = price_scale(row)  # per a fixed amount of the pool, from its capacity
            assert scale == quote_amount(row["capacity"])
            assert fmt_num(price * scale, "en", 2 if price * scale < 10 else 1) in text
        elif row["slack"] > 1e-6:
            assert "unused" in text
    ru = shadow_sentence(pools.iloc[0], RU, False, "EUR")
    assert CYRILLIC.search(ru)


# ---- reasons in Russian ----------------------------------------------------------------------
def test_russian_unfunded_reasons_are_built_from_fields(sample_result: Result) -> None:
    unf = sample_result.unfunded
    assert len(unf)
    for _, row in unf.iterrows():
        en = EN.render(row["why"])
        ru = RU.render(row["why"])
        assert en == row["reason"]
        assert CYRILLIC.search(ru)
        for word in ("would need", "limited by", "the capacity of", "'s cap on"):
            assert word not in ru
        if pd.notna(row["needed_value"]) and row["needed_value"] - row["value"] > 1e-6:
            assert fmt_num(row["needed_value"], "ru", 1) in ru


def test_limit_labels_translate_each_kind() -> None:
    text = RU.join(
        [
            Message("limit_pool", {"pool": "Budget"}),
            Message("limit_client_cap", {"client": "Acme", "pool": "Budget"}),
            Message("limit_method_cap", {"method": "Trial"}),
        ]
    )
    assert text == "Budget; лимит клиента Acme на «Budget»; лимит метода «Trial»"


def test_infeasible_conflicts_in_both_languages(sample_problem: Problem) -> None:
    problem = sample_problem.with_capacity("budget", 1)
    result = solve(problem)
    assert result.status == "infeasible" and result.conflicts
    en = [(EN.render(c.msg), conflict_fix(c, problem, EN)) for c in result.conflicts]
    ru = [(RU.render(c.msg), conflict_fix(c, problem, RU)) for c in result.conflicts]
    assert [r for r, _ in en] == [c.text for c in result.conflicts]
    assert len(ru) == len(en)
    for req, fix in ru:
        assert CYRILLIC.search(req) and CYRILLIC.search(fix)
    pool = [i for i, c in enumerate(result.conflicts) if c.kind == "pool"]
    assert pool, "the budget is among the conflicting requirements"
    # What the commitments need, computed for Russian, is the engine's number.
    need = re.search(r"need ([\d,]+)", result.conflicts[pool[0]].text)[1]
    assert fmt_num(float(need.replace(",", "")), "ru", 0) in ru[pool[0]][0]
    assert "sidebar" in en[pool[0]][1]


def test_validation_messages_translate(sample_problem: Problem) -> None:
    tables = sample_tables()
    vals = tables[VALUES].copy()
    vals.loc[0, "value"] = "abc"
    vals.loc[1, "client_id"] = "nobody"
    tables[VALUES] = vals
    with pytest.raises(BundleError) as err:
        parse_tables(tables, sample_problem.settings)
    issues = err.value.issues
    ru = [RU.render(i.msg) for i in issues]
    assert "не число" in ru
    assert "такого клиента нет в таблице «Клиенты»" in ru
    assert [EN.render(i.msg) for i in issues] == [i.message for i in issues]


# ---- edits -----------------------------------------------------------------------------------
def test_apply_delta_edits_adds_and_deletes_by_position() -> None:
    frame = as_text(pd.DataFrame({"a": ["1", "2", "3"], "b": ["x", "y", "z"]}))
    out = edits.apply_delta(
        frame,
        {
            "edited_rows": {1: {"a": 20.0, "nope": 1}},
            "added_rows": [{"a": 4, "_row": None}],
            "deleted_rows": [0],
        },
    )
    assert out.to_dict("list") == {"a": ["20", "3", "4"], "b": ["y", "z", ""]}
    assert frame.at[1, "a"] == "2", "the input table is not modified"


def test_renaming_a_client_carries_to_its_values_and_notes() -> None:
    tables = sample_tables()
    pos = tables[CLIENTS].index[tables[CLIENTS]["client_id"] == "hartwell"][0]
    n_values = (tables[VALUES]["client_id"] == "hartwell").sum()
    out = edits.edit_table(tables, CLIENTS, {"edited_rows": {int(pos): {"client_id": "hw"}}})
    assert (out[VALUES]["client_id"] == "hw").sum() == n_values
    assert not (out[VALUES]["client_id"] == "hartwell").any()
    assert (out[RELATIONSHIP]["client_id"] == "hw").sum() == 1
    parse_tables(out)  # still a valid bundle


def test_deleting_a_client_removes_its_rows_elsewhere() -> None:
    tables = sample_tables()
    pos = tables[CLIENTS].index[tables[CLIENTS]["client_id"] == "tidewell"][0]
    out = edits.edit_table(tables, CLIENTS, {"deleted_rows": [int(pos)]})
    for name in (VALUES, OVERRIDES, RELATIONSHIP):
        assert not (out[name]["client_id"] == "tidewell").any()
    problem = parse_tables(out)
    assert "tidewell" not in problem.clients.index


def test_renaming_and_adding_pools_keeps_their_columns() -> None:
    tables = sample_tables()
    out = edits.edit_table(tables, RESOURCES, {"edited_rows": {0: {"resource_id": "money"}}})
    assert "money" in out[METHODS].columns and "budget" not in out[METHODS].columns
    assert "max_money" in out[CLIENTS].columns
    assert (out[OVERRIDES]["resource_id"] == "money").all()
    assert parse_tables(out).pools[0] == "money"
    out = edits.edit_table(
        out,
        RESOURCES,
        {
            "added_rows": [
                {"resource_id": "travel_days", "name": "Travel days", "unit": "d", "capacity": "40"}
            ]
        },
    )
    assert "travel_days" in out[METHODS].columns and "max_travel_days" in out[CLIENTS].columns
    assert "travel_days" in parse_tables(out).pools


def test_value_grid_round_trip() -> None:
    tables = sample_tables()
    grid = edits.value_grid(tables)
    vals = tables[VALUES]
    first = vals.iloc[0]
    assert grid.at[first["client_id"], edits.METHOD_PREFIX + first["method_id"]] == first["value"]
    assert len(grid) == len(tables[CLIENTS])
    # Change an existing cell, and offer a method that had no row.
    pos = list(grid.index).index(first["client_id"])
    blank = next(
        (i, c)
        for i, row in enumerate(grid.itertuples(index=False))
        for c, v in zip(grid.columns[1:], row[1:])
        if v == ""
    )
    # A new value inside the cell's low-high range, so the bundle stays valid.
    new = str(int((float(first["value_low"]) + float(first["value_high"])) // 2))
    assert new != first["value"]
    delta = {
        "edited_rows": {
            pos: {edits.METHOD_PREFIX + first["method_id"]: new},
            blank[0]: {blank[1]: "12"},
        }
    }
    out = edits.edit_grid(tables, "value", delta)
    again = edits.value_grid(out)
    assert again.at[first["client_id"], edits.METHOD_PREFIX + first["method_id"]] == new
    assert again.iat[blank[0], list(grid.columns).index(blank[1])] == "12"
    assert len(out[VALUES]) == len(vals) + 1
    problem = parse_tables(out)
    assert problem.values.at[(first["client_id"], first["method_id"]), "value"] == float(new)
    # The same grid on another field writes that field.
    out2 = edits.edit_grid(
        out,
        "committed_units",
        {"edited_rows": {pos: {edits.METHOD_PREFIX + first["method_id"]: "1"}}},
    )
    assert (
        parse_tables(out2).values.at[(first["client_id"], first["method_id"]), "committed_units"]
        == 1
    )


def test_upload_of_one_table_keeps_the_others() -> None:
    tables = sample_tables()
    raw = (
        (ROOT / "sample_data" / "values.csv")
        .read_bytes()
        .replace(b"hartwell,demo,39", b"hartwell,demo,41")
    )
    uploaded, _settings, issues = read_uploaded([("values.csv", raw)])
    assert any(i.severity == "error" for i in issues), "the other tables are reported missing"
    merged, left, kept = edits.merge_upload(tables, uploaded, issues)
    assert not [i for i in left if i.severity == "error"]
    assert set(kept) == set(tables) - {VALUES}
    assert parse_tables(merged).values.at[("hartwell", "demo"), "value"] == 41


def test_download_has_numbers_where_numbers_are() -> None:
    typed = typed_tables(sample_tables())
    res = typed[RESOURCES]
    assert res.at[0, "capacity"] == 480000
    assert isinstance(res.at[0, "capacity"], numbers.Integral)
    assert res.at[0, "resource_id"] == "budget"
    assert isinstance(typed[METHODS].at[0, "decay"], float)
    # Read back through the engine: the same problem.
    from optimizer.bundle import read_xlsx_bytes, settings_dict, tables_to_xlsx_bytes
    from optimizer.schema import Settings

    data = tables_to_xlsx_bytes(typed, settings_dict(Settings()))
    back, _, issues = read_xlsx_bytes(data)
    assert not [i for i in issues if i.severity == "error"]
    a, b = parse_tables(back), parse_tables(sample_tables())
    assert a.fingerprint() == b.fingerprint()


def test_issue_rows_match_the_editor_row_numbers() -> None:
    tables = sample_tables()
    vals = tables[VALUES].copy()
    vals.loc[5, "value"] = "-3"
    tables[VALUES] = vals
    with pytest.raises(BundleError) as err:
        parse_tables(tables)
    issue: Issue = next(i for i in err.value.issues if i.column == "value")
    shown = edits.with_row_numbers(vals)
    assert shown.loc[shown[edits.ROW_COL] == issue.row, "value"].item() == "-3"


def test_a_capacity_change_skips_the_parse_and_matches_it() -> None:
    from ui import cache

    tables = sample_tables()
    settings = parse_tables(tables).settings
    first, _ = cache.validate(tables, settings)
    res = tables[RESOURCES].copy()
    res.loc[0, "capacity"] = "123456,5"
    changed = {**tables, RESOURCES: res}
    fast, _ = cache.validate(changed, settings)
    full = parse_tables(changed, settings)
    assert fast is not None and fast.resources.at["budget", "capacity"] == 123456.5
    assert fast.fingerprint() == full.fingerprint()
    # A capacity that is not a number goes through the full parse and is reported.
    res.loc[0, "capacity"] = "lots"
    bad, issues = cache.validate({**tables, RESOURCES: res}, settings)
    assert bad is None and [i for i in issues if i.column == "capacity" and i.value == "lots"]
    assert first is not None
