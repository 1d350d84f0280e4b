"""Long lists of input problems: the first ISSUES_PER_KIND of each kind, and a count of the rest
(10,000 unknown ids are one mistake, not 10,000 lines), on the command line and on the page."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from optimizer.messages import Translator
from optimizer.messages.describe import ISSUES_PER_KIND, issue_lines, summarize_issues
from optimizer.schema import Issue
from ui import state
from ui.text import Translator as PageTranslator

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
N = ISSUES_PER_KIND
EN, RU = PageTranslator("en"), PageTranslator("ru")


def unknown(i: int) -> Issue:
    return Issue(
        "values",
        "unknown_client",
        row=i + 2,
        column="client_id",
        value=f"ghost{i}",
        ids=(("client", f"ghost{i}"),),
    )


def test_summarize_keeps_the_first_of_each_kind_in_order():
    issues = []
    for i in range(10_000):
        issues.append(unknown(i))
        if i % 1000 == 0:  # another kind, interleaved: all 10 shown
            issues.append(Issue("clients", "not_a_number", row=i + 2, column="weight", value="x"))
    issues += [Issue("values", "not_a_number", row=5, column="value", value="y")] * (N + 1)
    shown, hidden = summarize_issues(issues)
    assert len(shown) == N + 10 + N
    assert [i for i in shown if i.code == "unknown_client"] == [unknown(i) for i in range(N)]
    assert shown == [i for i in issues if i in shown][: len(shown)]  # the order kept
    assert [(h.table, h.code, h.count) for h in hidden] == [
        ("values", "unknown_client", 10_000 - N),
        ("values", "not_a_number", 1),
    ]
    assert hidden[0].example == unknown(N - 1)
    assert summarize_issues(issues[:5]) == (issues[:5], [])
    assert len(summarize_issues(issues, per_kind=3)[0]) == 3 + 3 + 3


def test_lines_count_the_rest_after_the_last_shown_one():
    issues = [unknown(i) for i in range(10_000)]
    cases = (
        (Translator("en"), "9,980 more", "values"),
        (Translator("ru"), "9\u00a0980", "«Ценности»"),
    )
    for t, more, table in cases:
        lines = issue_lines(issues, t)
        assert len(lines) == N + 1
        assert lines[:N] == [i.text(t.lang) for i in issues[:N]]
        assert more in lines[-1] and table in lines[-1]
        assert t.render(unknown(0).msg) in lines[-1]  # says what the rest are


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def ghosts(tmp_path_factory) -> Path:
    """The sample with 10,000 value rows of clients that do not exist, and 30 bad weights."""
    b = tmp_path_factory.mktemp("ghosts") / "B"
    shutil.copytree(SAMPLE, b)
    values = pd.read_csv(b / "values.csv", dtype=str, keep_default_na=False)
    extra = pd.concat([values.iloc[[0]]] * 10_000, ignore_index=True)
    extra["client_id"] = [f"ghost{i}" for i in range(10_000)]
    pd.concat([values, extra]).to_csv(b / "values.csv", index=False)
    return b


@pytest.mark.parametrize("command", ["validate", "solve"])
def test_the_command_line_prints_a_bounded_list(ghosts: Path, command: str):
    p = run(command, str(ghosts))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    lines = p.stderr.splitlines()
    assert len(lines) <= 1 + N + 1, lines[:5]
    assert "10,000 problem" in lines[0]
    assert lines[-1].strip().startswith("… and 9,980 more")
    ru = run(command, str(ghosts), "--lang", "ru").stderr.splitlines()
    assert len(ru) == len(lines) and "9\u00a0980" in ru[-1]


def test_the_inputs_tab_shows_a_bounded_table_and_offers_the_whole_list(app):
    tables = dict(app.session_state[state.TABLES_KEY])
    vals = tables["values"]
    extra = pd.concat([vals.iloc[[0]]] * 300, ignore_index=True)
    extra["client_id"] = [f"ghost{i}" for i in range(300)]
    tables["values"] = pd.concat([vals, extra], ignore_index=True)
    app.session_state[state.TABLES_KEY] = tables
    app.session_state[state.OPEN_TAB_KEY] = "inputs"
    app.run()
    assert not app.exception
    assert EN("validation_errors", n=300) in [e.value for e in app.error]
    table = next(d.value for d in app.dataframe if EN("col_problem") in d.value.columns)
    assert len(table) == N
    assert list(table[EN("col_bad_value")]) == [f"ghost{i}" for i in range(N)]
    captions = "\n".join(c.value for c in app.caption)
    assert "280 more" in captions
    labels = [b.proto.label for b in app.get("download_button")]
    assert EN("issues_download_all", n=300) in labels
    # and in Russian
    app.session_state[state.LANG_KEY] = "ru"
    app.run()
    assert not app.exception
    assert "ещё 280" in "\n".join(c.value for c in app.caption)


def test_the_relationship_tab_bounds_its_list_too(app):
    tables = dict(app.session_state[state.TABLES_KEY])
    rel = tables["relationship"]
    extra = pd.concat([rel.iloc[[0]]] * 60, ignore_index=True)
    extra["client_id"] = [f"ghost{i}" for i in range(60)]
    tables["relationship"] = pd.concat([rel, extra], ignore_index=True)
    app.session_state[state.TABLES_KEY] = tables
    app.session_state[state.OPEN_TAB_KEY] = "relationship"
    app.run()
    assert not app.exception
    shown = [d.value for d in app.dataframe if EN("col_problem") in d.value.columns]
    assert shown and all(len(d) <= N for d in shown)
    assert "40 more" in "\n".join(c.value for c in app.caption)


def test_the_whole_list_downloads_as_csv_with_formulas_quoted():
    from ui.inputs_tab import issues_frame
    from ui.widgets import issues_csv

    issues = [unknown(i) for i in range(50)] + [
        Issue("values", "not_a_number", row=3, column="value", value="=HYPERLINK(1)")
    ]
    text = issues_csv(issues, RU, issues_frame).decode("utf-8-sig")
    rows = text.splitlines()
    assert len(rows) == 1 + 51
    assert "'=HYPERLINK(1)" in rows[-1] and "ghost49" in rows[-2]
    assert RU("col_problem") in rows[0]
