"""The relationship checklist: each rule on a hand-made case, its validation, how it widens the
robustness analysis, where it travels (client exports, scenarios) and where it does not (other
clients' exports), and the dashboard tab."""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from optimizer import relationship as rel
from optimizer.analysis import draw_values, robustness, widened_ranges
from optimizer.bundle import parse_tables, read_tables
from optimizer.cli import main as cli_main
from optimizer.export import client_file_stem, client_plan_files
from optimizer.schema import (
    BASE_COLUMNS,
    CHECKLIST_ITEMS,
    LAST_REVIEW,
    OPEN_PROBLEMS,
    RELATIONSHIP,
    VALUE,
    VALUE_HIGH,
    VALUE_LOW,
    BundleError,
    Issue,
    Problem,
    Result,
)
from optimizer.solve import solve
from optimizer.store import ScenarioStore
from ui import state
from ui.edits import ROW_COL
from ui.relationship_tab import AS_OF_KEY, DRAWS_KEY, STALE_DAYS_KEY, with_rows_for
from ui.text import Translator

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "fixtures" / "tiny"
SAMPLE = ROOT / "sample_data"
TODAY = date(2026, 11, 28)
EN, RU = Translator("en"), Translator("ru")
COLS = ["client_id", *CHECKLIST_ITEMS, OPEN_PROBLEMS, LAST_REVIEW]


def tiny_tables(
    rows: list[list[str]] | None = None, columns: list[str] | None = None
) -> dict[str, pd.DataFrame]:
    """The tiny bundle with commitments on three clients and a relationship table.

    acme: criteria not known, written confirmation no, 91 days since review (as of TODAY);
    kedr: every item yes, reviewed exactly 90 days before TODAY; zeta: no row at all.
    acme's demo range reaches far down, so widening it hits the 0 floor.
    """
    tables, _, issues = read_tables(TINY)
    assert not issues
    vals = tables["values"].copy()
    key = vals["client_id"] + "/" + vals["method_id"]
    vals.loc[key == "kedr/demo", "committed_units"] = "1"
    vals.loc[key == "zeta/demo", "committed_units"] = "1"
    vals.loc[key == "acme/demo", "value_low"] = "10"
    tables["values"] = vals
    if rows is None:
        rows = [
            ["acme", "yes", "no", "yes", "unknown", "no", "late delivery in March", "2026-08-29"],
            ["kedr", "yes", "yes", "yes", "yes", "yes", "", "2026-08-30"],
        ]
    tables[RELATIONSHIP] = pd.DataFrame(rows, columns=columns or COLS, dtype=object)
    return tables


def tiny(rows: list[list[str]] | None = None, columns: list[str] | None = None) -> Problem:
    return parse_tables(tiny_tables(rows, columns))


def issues_of(tables: dict[str, pd.DataFrame]) -> list[Issue]:
    try:
        problem = parse_tables(tables)
    except BundleError as exc:
        return [i for i in exc.issues if i.table == RELATIONSHIP]
    return [i for i in problem.warnings if i.table == RELATIONSHIP]


@pytest.fixture(scope="module")
def sample() -> Problem:
    from optimizer.bundle import load_bundle

    return load_bundle(SAMPLE)


@pytest.fixture(scope="module")
def sample_solved(sample: Problem) -> Result:
    return solve(sample)


# ---- the sample bundle -----------------------------------------------------------------------
def test_sample_checklist_is_valid_and_complete(sample: Problem) -> None:
    assert sample.relationship is not None
    assert set(sample.relationship.index) == set(sample.clients.index)
    assert not [w for w in sample.warnings if w.table == RELATIONSHIP]
    flagged = rel.unconfirmed_commitments(sample)
    committed = sample.values[sample.values["committed_units"] > 0]
    # Commitments of clients confirmed in writing stay unflagged; the others are flagged.
    for c, m in committed.index:
        confirmed = sample.relationship.at[c, "written_confirmation"] == "yes"
        assert ((c, m) in flagged.index) != confirmed
    assert {"kedr_stanko", "tovary_dom"} <= set(flagged.index.get_level_values(0))


# ---- readiness -------------------------------------------------------------------------------
def test_readiness_counts_yes_answers_and_unknowns_earn_nothing() -> None:
    p = tiny()
    r = rel.readiness(p)
    assert r.at["acme", rel.YES_COUNT] == 2 and r.at["acme", rel.UNKNOWN_COUNT] == 1
    assert r.at["acme", rel.READINESS] == pytest.approx(2 / 5)
    assert r.at["kedr", rel.READINESS] == pytest.approx(1.0)
    assert math.isnan(r.at["zeta", rel.READINESS])  # no row: not assessed, not zero
    half = rel.readiness(p, unknown_credit=0.5)
    assert half.at["acme", rel.READINESS] == pytest.approx((2 + 0.5) / 5)
    with pytest.raises(rel.RelationshipError):
        rel.readiness(p, unknown_credit=2)


def test_a_blank_answer_counts_as_unknown() -> None:
    p = tiny([["acme", "", "YES", " no ", "", "yes", "", ""]])
    a = rel.answers(p)
    assert a.loc["acme", list(CHECKLIST_ITEMS)].tolist() == [
        "unknown",
        "yes",
        "no",
        "unknown",
        "yes",
    ]
    assert rel.readiness(p).at["acme", rel.READINESS] == pytest.approx(2 / 5)


def test_without_a_table_nothing_is_assessed_flagged_or_widened() -> None:
    tables = tiny_tables()
    del tables[RELATIONSHIP]
    p = parse_tables(tables)
    assert rel.answers(p).empty and rel.readiness(p).empty
    assert rel.stale_reviews(p, TODAY).empty
    assert rel.unconfirmed_commitments(p).empty  # acme/trial is committed, but not assessed
    assert rel.widening_factors(p) == {}
    cl = rel.checklist(p, TODAY)
    assert cl.assessed is False and cl.to_json()["clients"] == []


# ---- stale reviews ---------------------------------------------------------------------------
def test_stale_list_with_a_fixed_today() -> None:
    p = tiny()
    stale = rel.stale_reviews(p, TODAY, days=90)
    # acme: 91 days, kedr: exactly 90 (not older), zeta: no row.
    assert list(stale.index) == ["zeta", "acme"]
    assert stale.at["acme", rel.DAYS_SINCE] == 91
    assert stale.at["acme", rel.STALE_REASON] == rel.STALE_OLD
    assert stale.at["zeta", rel.STALE_REASON] == rel.STALE_NOT_ASSESSED
    assert list(rel.stale_reviews(p, TODAY, days=91).index) == ["zeta"]
    assert list(rel.stale_reviews(p, "2026-11-27", days=88).index) == ["zeta", "acme", "kedr"]
    for bad in (-1, 1.5, "90"):
        with pytest.raises(rel.RelationshipError):
            rel.stale_reviews(p, TODAY, days=bad)  # type: ignore[arg-type]
    with pytest.raises(rel.RelationshipError):
        rel.stale_reviews(p, "2026-02-30")


def test_a_missing_date_is_stale_and_listed_first_and_a_future_one_is_not() -> None:
    p = tiny(
        [
            ["acme", "yes", "yes", "yes", "yes", "yes", "", ""],
            ["kedr", "yes", "yes", "yes", "yes", "yes", "", "2027-01-15"],
            ["zeta", "yes", "yes", "yes", "yes", "yes", "", "2025-01-01"],
        ]
    )
    stale = rel.stale_reviews(p, TODAY, 90)
    assert list(stale.index) == ["acme", "zeta"]
    assert stale.at["acme", rel.STALE_REASON] == rel.STALE_MISSING
    ages = rel.review_age(p, TODAY, 90)
    assert ages.at["kedr", rel.DAYS_SINCE] < 0 and not ages.at["kedr", rel.STALE]


# ---- unconfirmed commitments -----------------------------------------------------------------
def test_commitments_without_written_confirmation_are_flagged() -> None:
    p = tiny()
    u = rel.unconfirmed_commitments(p)
    # acme/trial: confirmation no; zeta/demo: zeta has no row; kedr/demo: confirmed (not listed).
    assert sorted(u.index) == [("acme", "trial"), ("zeta", "demo")]
    assert u.at[("acme", "trial"), "written_confirmation"] == "no"
    assert u.at[("zeta", "demo"), "written_confirmation"] == rel.NOT_ASSESSED
    assert u.at[("acme", "trial"), "committed_units"] == 1
    assert u.at[("acme", "trial"), rel.METHOD_NAME] == "Free trial"
    unknown = tiny(
        [
            ["acme", "yes", "yes", "yes", "yes", "unknown", "", ""],
            ["kedr", "yes", "yes", "yes", "yes", "yes", "", ""],
            ["zeta", "yes", "yes", "yes", "yes", "yes", "", ""],
        ]
    )
    assert list(rel.unconfirmed_commitments(unknown).index) == [("acme", "trial")]
    cl = rel.checklist(p, TODAY)
    assert cl.clients.at["acme", rel.UNCONFIRMED_UNITS] == 1
    assert cl.clients.at["kedr", rel.UNCONFIRMED_UNITS] == 0


# ---- widening of value ranges ----------------------------------------------------------------
def test_widening_only_for_unknown_criteria_or_roles() -> None:
    p = tiny(
        [
            ["acme", "no", "yes", "yes", "no", "no", "", ""],  # criteria, roles known
            ["kedr", "yes", "unknown", "yes", "yes", "yes", "", ""],
            ["zeta", "yes", "yes", "no", "yes", "yes", "", ""],
        ]
    )
    assert rel.widening_factors(p) == {"kedr": rel.WIDEN_FACTOR, "zeta": rel.WIDEN_FACTOR}
    assert rel.widening_factors(p, 2.0) == {"kedr": 2.0, "zeta": 2.0}
    with pytest.raises(rel.RelationshipError):
        rel.widening_factors(p, 0.5)
    # acme has no row here... in tiny(): criteria "no" and zeta without a row are widened.
    assert rel.widening_factors(tiny()) == {"acme": 1.5, "zeta": 1.5}


def test_widened_ranges_follow_the_documented_formula() -> None:
    p = tiny()
    widen = rel.widening_factors(p)
    out = widened_ranges(p, widen)
    base = p.values
    f = rel.WIDEN_FACTOR
    for (c, m), r in base.iterrows():
        v, lo, hi = r[VALUE], r[VALUE_LOW], r[VALUE_HIGH]
        got = out.loc[(c, m)]
        if c in widen and not (math.isnan(lo) or math.isnan(hi)):
            assert got[VALUE_LOW] == pytest.approx(max(0.0, v - f * (v - lo)))
            assert got[VALUE_HIGH] == pytest.approx(v + f * (hi - v))
        elif math.isnan(lo) and math.isnan(hi):
            # No range: no widening, whoever the client is.
            assert got[VALUE_LOW] == v and got[VALUE_HIGH] == v and not got["ranged"]
        else:
            assert (got[VALUE_LOW], got[VALUE_HIGH]) == (lo, hi)
    assert out.loc[("acme", "demo"), VALUE_LOW] == 0.0  # 40 - 1.5 x 30 < 0: clamped
    assert out.loc[("acme", "trial"), VALUE_LOW] == pytest.approx(60)
    assert out.loc[("zeta", "trial"), VALUE_HIGH] == pytest.approx(100)


def test_draws_of_widened_cells_spread_exactly_by_the_factor() -> None:
    p = tiny()
    widen = rel.widening_factors(p)
    plain, wide = widened_ranges(p, {}), widened_ranges(p, widen)
    a, b = draw_values(plain, 400, 7), draw_values(wide, 400, 7)
    v = plain[VALUE].to_numpy()
    clients = plain.index.get_level_values(0)
    for j, (c, _m) in enumerate(plain.index):
        if not plain["ranged"].iat[j]:
            assert np.all(a[:, j] == v[j]) and np.all(b[:, j] == v[j])
        elif c not in widen:
            np.testing.assert_array_equal(a[:, j], b[:, j])
        elif wide[VALUE_LOW].iat[j] > 0:
            # Same seed, same uniforms: each draw's distance from the value grows 1.5x.
            np.testing.assert_allclose(
                b[:, j] - v[j], rel.WIDEN_FACTOR * (a[:, j] - v[j]), rtol=1e-9, atol=1e-9
            )
        else:
            assert b[:, j].std() > a[:, j].std() and b[:, j].min() >= 0
    assert {"acme", "zeta"} <= set(clients)


def test_robustness_with_the_checklist_spreads_wider(sample: Problem) -> None:
    widen = rel.widening_factors(sample)
    assert widen, "the sample has clients with unknown criteria or roles"
    with_, without = (robustness(sample, 60, 3, widen=widen), robustness(sample, 60, 3, widen={}))
    sw, so = with_.summary()["objective"], without.summary()["objective"]
    assert sw["p95"] - sw["p5"] > so["p95"] - so["p5"]
    assert with_.objective.std() > without.objective.std()
    cells = with_.cells
    widened = cells.index.get_level_values(0).isin(list(widen))
    assert (cells.loc[widened & cells["ranged"], "factor"] == rel.WIDEN_FACTOR).all()
    assert (cells.loc[~widened, "factor"] == 1.0).all()
    spread_w = cells[VALUE_HIGH] - cells[VALUE_LOW]
    spread_o = without.cells[VALUE_HIGH] - without.cells[VALUE_LOW]
    assert (spread_w[~widened] == spread_o[~widened]).all()
    assert (spread_w[widened & cells["ranged"]] > spread_o[widened & cells["ranged"]]).all()


def test_cli_robustness_widens_by_default_and_the_flag_turns_it_off(
    sample: Problem, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["robustness", str(SAMPLE), "--draws", "8", "--seed", "2", "--json"]
    assert cli_main(base) == 0
    on = json.loads(capsys.readouterr().out)
    assert on["widen"] == rel.widening_factors(sample)
    assert cli_main([*base, "--no-checklist-widening"]) == 0
    off = json.loads(capsys.readouterr().out)
    assert off["widen"] == {}
    assert on["objective"] != off["objective"]
    # An explicit --widen wins for its client; the checklist keeps the others.
    assert cli_main([*base, "--widen", "brennmoor=3"]) == 0
    both = json.loads(capsys.readouterr().out)
    assert both["widen"]["brennmoor"] == 3.0 and both["widen"]["quillon"] == rel.WIDEN_FACTOR


def test_cli_checklist_command(sample: Problem, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["checklist", str(SAMPLE), "--as-of", "2026-11-28", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    expected = rel.stale_reviews(sample, TODAY, 90)
    assert [s["client_id"] for s in data["stale"]] == list(expected.index)
    assert {(u["client_id"], u["method_id"]) for u in data["unconfirmed"]} == set(
        rel.unconfirmed_commitments(sample).index
    )
    assert data["widen"] == rel.widening_factors(sample)
    assert cli_main(["checklist", str(SAMPLE), "--stale-days", "400"]) == 0
    assert "Reviews older than 400 days or missing (0)" in capsys.readouterr().out
    assert cli_main(["checklist", str(SAMPLE), "--as-of", "28.11.2026"]) == 2
    err = capsys.readouterr().err
    assert "28.11.2026" in err and "Traceback" not in err


# ---- validation ------------------------------------------------------------------------------
def _one(issues: list[Issue], column: str) -> Issue:
    hits = [i for i in issues if i.column == column]
    assert len(hits) == 1, issues
    return hits[0]


def test_validation_names_table_row_column_and_value() -> None:
    rows = [
        ["acme", "maybe", "yes", "yes", "yes", "yes", "", "2026-02-30"],
        ["ghost", "yes", "yes", "yes", "yes", "yes", "", ""],
        ["kedr", "yes", "yes", "yes", "yes", "yes", "", "28.11.2026"],
        ["acme", "yes", "yes", "yes", "yes", "yes", "", ""],
        ["", "yes", "yes", "yes", "yes", "yes", "", ""],
    ]
    issues = issues_of(tiny_tables(rows))
    errors = [i for i in issues if i.severity == "error"]
    by = {(i.row, i.column): i for i in errors}
    assert (by[(2, "plan_agreed")].value, by[(2, "plan_agreed")].message) == (
        "maybe",
        "must be yes, no or unknown",
    )
    assert by[(2, "last_review")].value == "2026-02-30"
    assert by[(2, "last_review")].message.startswith("is not a date")
    assert (by[(3, "client_id")].value, by[(3, "client_id")].message) == (
        "ghost",
        "this client id is not in the clients table",
    )
    assert by[(4, "last_review")].value == "28.11.2026"
    assert by[(5, "client_id")].message == "duplicate id (first used on row 2)"
    assert by[(5, "client_id")].value == "acme"
    assert by[(6, "client_id")].message == "the id is blank"
    assert all(i.table == RELATIONSHIP for i in errors)
    assert len(errors) == 6
    text = str(by[(3, "client_id")])
    assert "relationship" in text and "row 3" in text and "client_id" in text and "ghost" in text


def test_a_missing_id_column_is_an_error_and_odd_columns_are_warned() -> None:
    issues = issues_of(tiny_tables([["yes", "yes"]], ["plan_agreed", "criteria_known"]))
    missing = _one(issues, "client_id")
    assert missing.severity == "error" and "missing" in missing.message
    cols = [
        "client_id",
        "plan_agreed",
        "criteria_know",
        "roles_mapped",
        "procedure_known",
        "written_confirmation",
        "open_problems",
        "last_review",
    ]
    warnings = issues_of(tiny_tables([["acme", "yes", "yes", "yes", "yes", "yes", "", ""]], cols))
    assert all(w.severity == "warning" for w in warnings)
    odd = _one(warnings, "criteria_know")
    assert "not part of the checklist" in odd.message
    gone = _one(warnings, "criteria_known")
    assert "counts as unknown" in gone.message
    # The warnings read in Russian too.
    assert RU.render(odd.msg) == RU("rel_column_ignored", columns=list(BASE_COLUMNS[RELATIONSHIP]))
    assert RU.render(gone.msg) == RU("rel_column_missing")


def test_checklist_columns_may_be_left_out() -> None:
    p = tiny([["acme"]], ["client_id"])
    assert rel.answers(p).loc["acme", list(CHECKLIST_ITEMS)].tolist() == ["unknown"] * 5


# ---- exports ---------------------------------------------------------------------------------
def _xlsx_parts(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return b"".join(zf.read(n) for n in zf.namelist())


def test_checklist_travels_with_its_clients_export_and_no_other(sample: Problem) -> None:
    # Give every client an open problem and a review date that nothing else contains.
    ids = list(sample.clients.index)
    relt = sample.relationship.copy()
    relt[OPEN_PROBLEMS] = [f"OPENPROBLEM{i:03d}X" for i in range(len(ids))]
    relt[LAST_REVIEW] = pd.to_datetime(
        [f"2019-{1 + i // 28:02d}-{1 + i % 28:02d}" for i in range(len(ids))]
    )
    from dataclasses import replace

    p = replace(sample, relationship=relt.reindex(ids))
    result = solve(p)
    files = client_plan_files(p, result)
    marks = {
        c: (relt.at[c, OPEN_PROBLEMS].encode(), f"{relt.at[c, LAST_REVIEW]:%Y-%m-%d}".encode())
        for c in ids
    }
    for c in ids:
        stem = client_file_stem(c)
        html = files[f"{stem}.html"]
        xlsx = files[f"{stem}.xlsx"]
        parts = _xlsx_parts(xlsx)
        for blob in (html, parts):
            assert marks[c][0] in blob and marks[c][1] in blob
            for other in ids:
                if other != c:
                    assert marks[other][0] not in blob, (c, other)
                    assert marks[other][1] not in blob, (c, other)
        # The workbook's notes hold this client's answers, item by item.
        ws = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True)["Notes"]
        notes = {str(r[0]): str(r[1]) for r in ws.iter_rows(min_row=2, values_only=True)}
        for item in CHECKLIST_ITEMS:
            assert notes[rel.ITEM_LABELS[item]] == relt.at[c, item]


# ---- scenarios -------------------------------------------------------------------------------
def test_scenario_round_trip_keeps_the_checklist(
    tmp_path: Path, sample: Problem, sample_solved: Result
) -> None:
    from dataclasses import replace

    relt = sample.relationship.copy()
    relt.loc["hartwell", "roles_mapped"] = "unknown"
    relt.loc["hartwell", OPEN_PROBLEMS] = "new buyer since October"
    edited = replace(sample, relationship=relt)
    store = ScenarioStore(tmp_path / "scenarios.sqlite3")
    store.save("q4", edited, sample_solved)
    loaded, _ = store.load("q4")
    pd.testing.assert_frame_equal(loaded.relationship, edited.relationship, check_dtype=False)
    assert rel.widening_factors(loaded) == rel.widening_factors(edited)
    assert "hartwell" in rel.widening_factors(loaded)
    pd.testing.assert_frame_equal(
        rel.stale_reviews(loaded, TODAY), rel.stale_reviews(edited, TODAY)
    )
    # A bundle without a checklist comes back without one (not assessed, not blank).
    store.save("none", replace(sample, relationship=None), sample_solved)
    assert store.load("none")[0].relationship is None


# ---- the dashboard ---------------------------------------------------------------------------
def _open_relationship(app) -> None:
    app.session_state[state.OPEN_TAB_KEY] = "relationship"
    app.session_state[AS_OF_KEY] = TODAY
    app.run()
    assert not app.exception, [e.value for e in app.exception]


def _frame_with(app, column: str) -> pd.DataFrame:
    hits = [d.value for d in app.dataframe if column in d.value.columns]
    assert hits, column
    return hits[0]


def test_dashboard_checklist_tab_readiness_and_stale_list(app, sample: Problem) -> None:
    _open_relationship(app)
    assert EN("tab_relationship") in [t.label for t in app.tabs]
    heads = [s.value for s in app.subheader]
    for key in ("rel_title", "rel_readiness_title", "rel_stale_title", "rel_unconfirmed_title"):
        assert EN(key) in heads
    # The editor holds the session's relationship table.
    editor = _frame_with(app, ROW_COL)
    assert editor["client_id"].tolist() == list(sample.relationship.index)
    stale = rel.stale_reviews(sample, TODAY, 90)
    shown = _frame_with(app, EN("rel_col_reason"))
    assert shown[EN("col_client")].tolist() == stale["name"].tolist()
    assert EN("rel_stale_summary", n=len(stale), total=len(sample.clients), days=90) in [
        w.value for w in app.warning
    ]
    ready = _frame_with(app, EN("rel_col_readiness"))
    expected = rel.readiness(sample)[rel.READINESS] * 100
    np.testing.assert_allclose(
        ready[EN("rel_col_readiness")].to_numpy(dtype=float), expected.to_numpy()
    )
    # A longer period shortens the list.
    app.number_input(key=STALE_DAYS_KEY).set_value(200).run()
    longer = rel.stale_reviews(sample, TODAY, 200)
    assert 0 < len(longer) < len(stale)
    assert (
        _frame_with(app, EN("rel_col_reason"))[EN("col_client")].tolist() == longer["name"].tolist()
    )


def test_dashboard_checklist_edits_are_validated_and_flow_into_the_flags(app) -> None:
    _open_relationship(app)
    assert any("Кедровый" in w.value for w in app.warning)  # unconfirmed commitment
    tables = dict(app.session_state[state.TABLES_KEY])
    relt = tables[RELATIONSHIP].copy()
    row = relt.index[relt["client_id"] == "kedr_stanko"][0]
    relt.loc[row, "written_confirmation"] = "yes"
    app.session_state[state.TABLES_KEY] = {**tables, RELATIONSHIP: relt}
    app.run()
    assert not any("Кедровый" in w.value for w in app.warning)
    # A bad answer is listed with its row, column and value, and kept as typed.
    relt.loc[row, "roles_mapped"] = "perhaps"
    app.session_state[state.TABLES_KEY] = {**tables, RELATIONSHIP: relt}
    app.run()
    assert not app.exception
    assert EN("rel_errors", n=1) in [e.value for e in app.error]
    issues = _frame_with(app, EN("col_problem"))
    assert issues.iloc[0][EN("col_row")] == str(row + 2)
    assert issues.iloc[0][EN("col_column")] == EN("rel_item_roles_mapped")  # as the editor says
    assert issues.iloc[0][EN("col_bad_value")] == "perhaps"
    assert app.session_state[state.TABLES_KEY][RELATIONSHIP].loc[row, "roles_mapped"] == "perhaps"


def test_dashboard_starts_a_checklist_when_the_inputs_have_none(app, sample: Problem) -> None:
    tables = dict(app.session_state[state.TABLES_KEY])
    del tables[RELATIONSHIP]
    app.session_state[state.TABLES_KEY] = tables
    _open_relationship(app)
    assert EN("rel_none") in [i.value for i in app.info]
    app.button(key="rel_start").click().run()
    assert not app.exception
    started = app.session_state[state.TABLES_KEY][RELATIONSHIP]
    assert started["client_id"].tolist() == list(sample.clients.index)
    assert (started["plan_agreed"] == "unknown").all()
    shown = _frame_with(app, EN("rel_col_reason"))
    assert len(shown) == len(sample.clients)  # nobody has a review date yet
    assert set(shown[EN("rel_col_reason")]) == {EN("rel_reason_no_date")}


def test_dashboard_client_view_and_plan_warnings(app, sample: Problem) -> None:
    flagged = rel.unconfirmed_commitments(sample)
    assert app.warning and any(
        EN("rel_plan_unconfirmed", n=len(flagged)) in w.value for w in app.warning
    )
    assert any("trial unit arrived two weeks late" in i.value for i in app.info)
    app.session_state[state.OPEN_TAB_KEY] = "client"
    app.run()
    app.selectbox(key="client_pick_widget").set_value("kedr_stanko").run()
    warnings = [w.value for w in app.warning]
    assert EN("rel_client_open", text="trial unit arrived two weeks late") in warnings
    assert any("Free or reduced-price trial" in w for w in warnings)
    app.selectbox(key="client_pick_widget").set_value("hartwell").run()
    assert not any("trial unit arrived" in w.value for w in app.warning)


def test_dashboard_robustness_uses_the_checklist(app, sample: Problem) -> None:
    app.session_state[DRAWS_KEY] = 20
    _open_relationship(app)
    app.button(key="rel_run").click().run()
    assert not app.exception
    table = _frame_with(app, EN("rel_col_spread"))
    assert table[EN("rel_col_widened")].tolist() == [len(rel.widening_factors(sample)), 0]
    spread = table[EN("rel_col_spread")].to_numpy(dtype=float)
    assert spread[0] > spread[1]


def test_with_rows_for_adds_unknown_rows() -> None:
    tables = tiny_tables()
    out = with_rows_for(tables, ["zeta"])
    relt = out[RELATIONSHIP]
    assert relt["client_id"].tolist() == ["acme", "kedr", "zeta"]
    assert relt.iloc[-1][list(CHECKLIST_ITEMS)].tolist() == ["unknown"] * 5
    assert parse_tables(out).relationship is not None


def test_a_clients_export_flags_its_unconfirmed_commitments(
    sample: Problem, sample_solved: Result
) -> None:
    files = client_plan_files(sample, sample_solved, clients=["kedr_stanko", "hartwell"])
    label = b"Committed units not confirmed in writing"
    kedr = files[f"{client_file_stem('kedr_stanko')}.html"]
    assert label in kedr and b"Free or reduced-price trial: 1" in kedr
    assert label in _xlsx_parts(files[f"{client_file_stem('kedr_stanko')}.xlsx"])
    assert label not in files[f"{client_file_stem('hartwell')}.html"]
    assert label not in _xlsx_parts(files[f"{client_file_stem('hartwell')}.xlsx"])


def test_dashboard_relationship_tab_in_russian(app, sample: Problem) -> None:
    app.selectbox(key=state.LANG_KEY).set_value("ru").run()
    _open_relationship(app)
    assert not app.error
    heads = [s.value for s in app.subheader]
    assert RU("rel_title") in heads and RU("rel_stale_title") in heads
    stale = rel.stale_reviews(sample, TODAY, 90)
    assert RU("rel_stale_summary", n=len(stale), total=len(sample.clients), days=90) in [
        w.value for w in app.warning
    ]
    reasons = set(_frame_with(app, RU("rel_col_reason"))[RU("rel_col_reason")])
    assert reasons == {RU("rel_reason_older", days=90)}


def test_answers_are_read_once_per_problem_and_handed_out_as_copies(sample: Problem) -> None:
    first = rel.answers(sample)
    first.loc[first.index[0], "open_problems"] = "changed by the caller"
    again = rel.answers(sample)
    assert again.loc[again.index[0], "open_problems"] != "changed by the caller"
    pd.testing.assert_frame_equal(again, rel._answers(sample))
    # Another Problem with the same tables but one answer changed reads its own answers.
    table = sample.relationship.copy()
    item = "written_confirmation"
    table[item] = "no"
    other = replace(sample, relationship=table)
    assert set(rel.answers(other).loc[table.index, item]) == {"no"}
    assert (
        rel.unconfirmed_commitments(other).shape[0] >= rel.unconfirmed_commitments(sample).shape[0]
    )
