"""The engine's message catalogue: every code in both languages, every code the engine uses is
in it, numbers formatted per language, and whole messages from real bundles and solves."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path
from typing import Any

import pytest

from optimizer import load_bundle, parse_tables, read_tables, solve
from optimizer.messages import (
    CATALOG,
    Message,
    Translator,
    explanation_lines,
    fmt_exact,
    fmt_num,
    fmt_pct,
    issue_line,
    status_line,
)
from optimizer.schema import VALUES, WHY, BundleError
from optimizer.store import ScenarioStore, StoreError

ROOT = Path(__file__).resolve().parent.parent
EN, RU = Translator("en"), Translator("ru")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
LATIN_WORD = re.compile(r"\b[a-z]{4,}\b")

# Realistic values for every parameter name the catalogue uses (numbers where templates format
# numbers, Cyrillic and accented names where the user's text goes).
SAMPLE: dict[str, Any] = {
    "cap": 12500.0,
    "caps": [
        Message("cell_max_item", {"n": 3, "method": "Пробная версия"}),
        Message("cell_max_item", {"n": 1, "method": "Démo"}),
    ],
    "cells": 9,
    "width": 7,
    "client": "ТД «Кедр»",
    "column": "value_high",
    "columns": ["client_id", "plan_agreed"],
    "conflict": Message("conflict_target", {"target": 1234.5}),
    "error": "disk I/O error",
    "file": "values.csv",
    "folder": "/data/bundle",
    "found": ["client_id", "method_id"],
    "gap": 0.0132,
    "id": "kedr_stanko",
    "key": "x",
    "known": ["currency", "objective"],
    "label": "plan.xlsx",
    "length": 250,
    "max": 3.0,
    "message": "out of memory",
    "method": "Free trial",
    "n": 2,
    "name": "Budget −20 %",
    "need": Message("conflict_need", {"need": 17200.0}),
    "needed": 45.16,
    "other": "methods",
    "path": "/tmp/scenarios.sqlite3",
    "pool": "Бюджет",
    "pools": ["budget", "exec_hours"],
    "row": 12,
    "row_first": 4,
    "seconds": 30.0,
    "share": 0.25,
    "sheet": "values",
    "supported": 1,
    "target": 9876.5,
    "unit": "EUR",
    "value": 12.5,
    "cell_value": 12.5,
    "version": 2,
    "what": Message("what_weight"),
    "x": 0.5,
    "limits": (
        Message("limit_pool", {"pool": "Бюджет"}),
        Message("limit_client_cap", {"client": "Acme", "pool": "Exec hours"}),
    ),
    "limited": Message("reason_limited_by", {"limits": (Message("limit_target"),)}),
}


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def _params(template: str) -> dict[str, Any]:
    return {f: SAMPLE.get(f, 7.25) for f in _fields(template)}


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_every_code_renders_in_both_languages(code: str) -> None:
    en_t, ru_t = CATALOG[code]
    assert _fields(en_t) == _fields(ru_t), code
    params = _params(en_t)
    en, ru = EN(code, **params), RU(code, **params)
    assert en != code and ru != code
    assert "{" not in en.replace("{x}", "") and "{" not in ru, (code, en, ru)
    # Russian is Russian wherever the English says something in words of its own.
    words = LATIN_WORD.findall(re.sub(r"\{[^}]*\}", "", en_t))
    if words:
        assert CYRILLIC.search(ru), (code, ru)


def test_numbers_follow_the_language() -> None:
    assert fmt_num(12345.678, "en", 1) == "12,345.7"
    assert fmt_num(12345.678, "ru", 1) == "12\u00a0345,7"
    assert fmt_pct(0.953, "en") == "95.3%" and fmt_pct(0.953, "ru") == "95,3\u00a0%"
    assert fmt_exact(0.125, "ru") == "0,125" and fmt_exact(1e6, "en") == "1e+06"
    assert fmt_num(-0.0001, "en", 2) == "0.00"
    assert (
        RU("reason_needs_value", needed=1234.56, value=3.0, limited="")
        == "вошло бы в план при ценности первой единицы 1\u00a0234,6 (сейчас 3,0)"
    )
    assert EN("id_duplicate", row_first=12345) == "duplicate id (first used on row 12345)"
    assert (
        EN("column_missing", column="a", found=[])
        == "the column 'a' is missing (columns found: none)"
    )


def _code_literals() -> set[str]:
    """Every string literal passed as the message code in the engine's source."""
    codes: set[str] = set()
    for path in (ROOT / "optimizer").rglob("*.py"):
        if "messages" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            # Message(code, ...), Issue(table, code, ...), ck.add(table, code, ...),
            # StoreError(code, ...) (whose text code is store_<code>)
            pos = {"Message": 0, "Issue": 1, "add": 1, "StoreError": 0}.get(name)
            if pos is None or len(node.args) <= pos:
                continue
            arg = node.args[pos]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                codes.add(f"store_{arg.value}" if name == "StoreError" else arg.value)
            for kw in node.keywords:
                if kw.arg == "text_code" and isinstance(kw.value, ast.Constant):
                    codes.add(kw.value.value)
    return codes


def test_every_code_the_engine_uses_is_in_the_catalogue() -> None:
    used = _code_literals()
    assert len(used) > 60  # the scan finds the engine's codes
    missing = sorted(c for c in used if c not in CATALOG and not c.startswith("store_io"))
    assert not missing, missing


def test_validation_issues_in_both_languages() -> None:
    tables, settings, _ = read_tables(ROOT / "sample_data")
    vals = tables[VALUES].copy()
    vals.loc[0, "value"] = "abc"
    vals.loc[1, "value_low"] = "999"
    tables[VALUES] = vals
    with pytest.raises(BundleError) as err:
        parse_tables(tables, settings)
    issues = err.value.issues
    first = issues[0]
    assert str(first) == issue_line(first, EN)
    assert str(first).startswith("values, row 2 (client ")
    assert "column 'value': is not a number [value: 'abc']" in str(first)
    ru = issue_line(first, RU)
    assert ru.startswith("values, строка 2 (клиент ") and "не число" in ru
    low = next(i for i in issues if i.code == "low_above")
    assert low.params["cell_value"] == pytest.approx(float(vals.loc[1, "value"]))
    assert "нижняя оценка выше ценности" in low.text("ru")


def test_reasons_and_statuses_in_both_languages() -> None:
    result = solve(load_bundle(ROOT / "sample_data"))
    assert status_line(result, EN) == result.status_text == "optimal"
    assert status_line(result, RU) == "оптимально"
    unf = result.unfunded
    assert len(unf) and all(isinstance(w, Message) for w in unf[WHY])
    assert [EN.render(w) for w in unf[WHY]] == list(unf["reason"])
    assert all(CYRILLIC.search(RU.render(w)) for w in unf[WHY])


def test_conflicts_say_the_same_in_both_languages() -> None:
    problem = load_bundle(ROOT / "sample_data").with_capacity("budget", 1)
    result = solve(problem)
    assert result.status == "infeasible"
    assert list(result.explanation) == explanation_lines(result, EN)
    ru = explanation_lines(result, RU)
    assert len(ru) == len(result.explanation) and all(CYRILLIC.search(line) for line in ru)
    pool = next(c for c in result.conflicts if c.kind == "pool")
    assert pool.forced == pytest.approx(17200) and pool.amount == pytest.approx(1)
    assert fmt_num(pool.forced, "ru", 0) in RU.render(pool.msg)


def test_store_errors_in_both_languages(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"\x00" * 4096)
    with pytest.raises(StoreError) as err:
        ScenarioStore(bad).list()
    assert err.value.code == "not_db" and str(err.value) == err.value.msg.text("en")
    assert str(bad) in err.value.msg.text("ru") and CYRILLIC.search(err.value.msg.text("ru"))


def test_engine_errors_share_one_shape_and_survive_pickling() -> None:
    import pickle

    from optimizer.analysis import AnalysisError, NoPlanError
    from optimizer.errors import CodedError
    from optimizer.relationship import RelationshipError, stale_reviews
    from optimizer.schema import Settings, SettingsError

    problem = load_bundle(ROOT / "sample_data")
    with pytest.raises(RelationshipError) as rel:
        stale_reviews(problem, "31.12.2026")
    with pytest.raises(SettingsError) as bad:
        Settings(mip_gap=-1.0)
    errors = [
        rel.value,
        bad.value,
        StoreError("busy", path="/x.sqlite3", seconds=30.0),
        AnalysisError("analysis_not_a_pool", pool="travel", pools=["budget"]),
        NoPlanError(Message("status_infeasible"), [Message("infeasible_footer")]),
    ]
    for err in errors:
        assert isinstance(err, CodedError)
        again = pickle.loads(pickle.dumps(err))
        assert type(again) is type(err) and str(again) == str(err)
        assert again.text("ru") == err.text("ru") and CYRILLIC.search(err.text("ru"))
        assert err.text("en") == str(err) and "{" not in str(err)
    assert str(errors[0]) == "'31.12.2026' is not a date (use YYYY-MM-DD)"
    assert errors[2].code == "busy" and errors[2].path == "/x.sqlite3"
    assert errors[4].text("ru").count("\n") == 1  # the notes follow the message
