"""Exports in the reader's language: the workbook, the HTML report and the client plans in
Russian (sheet names, headers, labels, captions, charts), the user's own names as typed, English
exactly as before, CSV and JSON the same in every language, and a complete catalogue section."""

from __future__ import annotations

import html
import io
import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from optimizer import export
from optimizer.bundle import load_bundle
from optimizer.export import ExportMeta
from optimizer.messages import Translator
from optimizer.messages.export import TEXTS
from optimizer.schema import NAME, Problem, Result
from optimizer.solve import solve

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
TINY = ROOT / "tests" / "fixtures" / "tiny"
INFEASIBLE = ROOT / "tests" / "fixtures" / "infeasible"
META = ExportMeta(scenario="Base plan", created=datetime(2026, 5, 4, 9, 30), notes="Q3 review")
RU = Translator("ru")
EN = Translator("en")
PLAN_SHEETS = [
    "export_sheet_summary",
    "export_sheet_grid_units",
    "export_sheet_grid_value",
    "export_sheet_allocation",
    "export_sheet_by_client",
    "export_sheet_by_method",
    "export_sheet_not_funded",
]
INPUT_SHEETS = [
    "resources",
    "methods",
    "clients",
    "values",
    "overrides",
    "relationship",
    "settings",
]


@pytest.fixture(scope="module")
def sample() -> tuple[Problem, Result]:
    problem = load_bundle(SAMPLE)
    return problem, solve(problem)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def rows(ws: Any) -> list[list[Any]]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def headings(data: bytes) -> list[str]:
    page = data.decode("utf-8")
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", page)]


# ---- the workbook -----------------------------------------------------------------------------
def test_cli_workbook_in_russian(sample: tuple[Problem, Result], tmp_path: Path) -> None:
    problem, result = sample
    out = tmp_path / "plan.xlsx"
    p = run_cli("export", str(SAMPLE), "--format", "xlsx", "--lang", "ru", "--out", str(out))
    assert p.returncode == 0, p.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [RU(c) for c in PLAN_SHEETS] + INPUT_SHEETS
    summary = {r[0]: r[1] for r in rows(wb[RU("export_sheet_summary")]) if r[0]}
    assert summary[RU("export_fingerprint")] == result.fingerprint
    assert summary[RU("export_status")] == RU("status_optimal")
    assert summary[RU("export_kpi_objective_value")] == pytest.approx(result.objective)
    alloc = rows(wb[RU("export_sheet_allocation")])
    assert alloc[0][:10] == [
        RU(c)
        for c in (
            "export_col_client_id",
            "export_col_client",
            "export_col_segment",
            "export_col_method_id",
            "export_col_method",
            "export_col_units",
            "export_col_max_units",
            "export_col_committed_units",
            "export_col_value",
            "export_col_weighted_value",
        )
    ]
    assert alloc[-1][0] == RU("export_total")
    # The sample's own English names stay as typed, in headers and in cells.
    grid = rows(wb[RU("export_sheet_grid_units")])
    assert grid[0][3:-1] == list(problem.methods[NAME])
    assert grid[0][-1] == RU("export_total")
    assert [r[1] for r in grid[1:-1]] == list(problem.clients[NAME])
    assert "Budget (EUR)" in alloc[0]
    # Reasons are Russian; the input sheets keep the bundle's names, so the workbook reloads.
    unfunded = rows(wb[RU("export_sheet_not_funded")])
    assert unfunded[0][-1] == RU("export_col_reason")
    assert all(re.search("[а-я]", r[-1]) for r in unfunded[1:])
    assert load_bundle(out).fingerprint() == problem.fingerprint()
    # Dates in the language's order.
    cell = next(
        c
        for row in wb[RU("export_sheet_summary")].iter_rows()
        for c in row
        if isinstance(c.value, datetime)
    )
    assert cell.number_format == "dd.mm.yyyy hh:mm"


def test_workbook_without_a_plan_in_russian() -> None:
    problem = load_bundle(INFEASIBLE)
    result = solve(problem)
    wb = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(problem, result, lang="ru")))
    assert wb.sheetnames == [RU("export_sheet_summary")] + [
        s for s in INPUT_SHEETS if s in wb.sheetnames
    ]
    cells = [r[0] for r in rows(wb[RU("export_sheet_summary")]) if r[0]]
    assert RU("export_why_no_plan") in cells
    assert RU("infeasible_header") in cells


# ---- the HTML report ------------------------------------------------------------------------
def test_cli_report_in_russian(sample: tuple[Problem, Result], tmp_path: Path) -> None:
    problem, _ = sample
    out = tmp_path / "report.html"
    p = run_cli("export", str(SAMPLE), "--format", "html", "--lang", "ru", "--out", str(out))
    assert p.returncode == 0, p.stderr
    data = out.read_bytes()
    assert b'<html lang="ru">' in data
    assert headings(data) == [
        RU(c)
        for c in (
            "report_title",
            "export_key_figures",
            "export_pools",
            "export_sheet_by_client",
            "export_sheet_by_method",
            "export_charts",
            "export_sheet_allocation",
            "export_sheet_not_funded",
        )
    ]
    text = data.decode("utf-8")
    for name in problem.clients[NAME]:
        assert html.escape(name) in text
    # Chart titles and axes in Russian, numbers with the Russian signs.
    for code in (
        "export_fig_value_title",
        "export_fig_pools_title",
        "export_fig_units_title",
        "export_fig_value_axis",
    ):
        assert json.dumps(RU(code), ensure_ascii=False) in text
    assert '"separators": ", "' in text
    assert "480\xa0000 EUR" in text


def test_report_without_a_plan_in_russian() -> None:
    problem = load_bundle(INFEASIBLE)
    result = solve(problem)
    data = export.html_report(problem, result, lang="ru")
    assert headings(data) == [RU("report_title"), RU("export_no_plan_title")]
    assert RU("export_no_plan_text", status=RU("status_infeasible")) in data.decode("utf-8")


# ---- per-client plans -------------------------------------------------------------------------
def test_cli_client_plans_in_russian(sample: tuple[Problem, Result], tmp_path: Path) -> None:
    problem, _ = sample
    out = tmp_path / "plans"
    p = run_cli(
        "export",
        str(SAMPLE),
        "--format",
        "client-plans",
        "--lang",
        "ru",
        "--out",
        str(out),
        "--client",
        "hartwell",
        "--client",
        "kedr_stanko",
    )
    assert p.returncode == 0, p.stderr
    assert sorted(f.name for f in out.iterdir()) == [
        "plan_hartwell.html",
        "plan_hartwell.xlsx",
        "plan_kedr_stanko.html",
        "plan_kedr_stanko.xlsx",
    ]
    wb = openpyxl.load_workbook(out / "plan_hartwell.xlsx")
    assert wb.sheetnames == [RU("export_plan_sheet"), RU("export_plan_notes_sheet")]
    assert wb.properties.title == RU("report_title")
    head = {r[0]: r[1] for r in rows(wb[RU("export_plan_sheet")])[:14] if r[0]}
    assert head[RU("export_col_client")] == problem.clients.at["hartwell", NAME]
    assert head[RU("export_col_client_id")] == "hartwell"
    assert head[RU("export_plan_status")] == RU("status_optimal")
    notes = {r[0]: r[1] for r in rows(wb[RU("export_plan_notes_sheet")])[1:]}
    assert notes[RU("export_check_plan_agreed")] in (
        RU("export_yes"),
        RU("export_no"),
        RU("export_unknown"),
        "",
    )
    page = (out / "plan_kedr_stanko.html").read_bytes()
    assert b'<html lang="ru">' in page
    assert headings(page)[0] == RU(
        "export_plan_title", title=RU("report_title"), name=problem.clients.at["kedr_stanko", NAME]
    )
    assert RU("export_plan_sheet") in headings(page)
    assert RU("export_plan_unconfirmed").encode() in page


def test_client_plans_replace_other_clients_in_the_readers_language() -> None:
    problem = load_bundle(TINY)
    result = solve(problem)
    meta = ExportMeta(scenario="Plan for kedr and others", created=META.created)
    page = export.client_plan_html(problem, result, "acme", meta, lang="ru").decode("utf-8")
    assert f"Plan for {RU('export_another_client')} and others" in page
    assert "kedr" not in page


# ---- English as before, CSV and JSON the same in every language --------------------------------
def test_english_is_the_default_and_unchanged(sample: tuple[Problem, Result]) -> None:
    problem, result = sample
    assert export.xlsx_bytes(problem, result, META) == export.xlsx_bytes(
        problem, result, META, lang="en"
    )
    assert export.html_report(problem, result, META) == export.html_report(
        problem, result, META, lang="en"
    )
    files = export.client_plan_files(problem, result, META, clients=["hartwell"])
    assert files == export.client_plan_files(problem, result, META, clients=["hartwell"], lang="en")
    data = export.html_report(problem, result, META)
    assert b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' in data
    assert headings(data) == [
        "Risk-reduction plan",
        "Notes",
        "Key figures",
        "Pools",
        "By client",
        "By method",
        "Charts",
        "Allocation",
        "Not funded",
    ]
    wb = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(problem, result, META)))
    assert wb.sheetnames[:7] == [
        "Summary",
        "Grid - units",
        "Grid - value",
        "Allocation",
        "By client",
        "By method",
        "Not funded",
    ]


def test_csv_and_json_are_the_same_in_every_language(
    sample: tuple[Problem, Result], tmp_path: Path
) -> None:
    problem, result = sample
    for fmt in ("csv", "json", "lp"):
        assert export.export_bytes(problem, result, fmt, META, lang="ru") == export.export_bytes(
            problem, result, fmt, META
        ), fmt
    en = export.write_by_extension(problem, result, tmp_path / "en.csv")
    ru = export.write_by_extension(problem, result, tmp_path / "ru.csv", lang="ru")
    assert en.read_bytes() == ru.read_bytes()
    assert en.read_bytes().startswith("\ufeffclient_id,client_name,".encode())
    doc = (ROOT / "docs" / "export.md").read_text(encoding="utf-8")
    assert "same in every language" in doc


def test_export_bytes_and_write_export_follow_the_language(
    sample: tuple[Problem, Result], tmp_path: Path
) -> None:
    problem, result = sample
    data = export.export_bytes(problem, result, "html", META, lang="ru")
    assert b'<html lang="ru">' in data
    path = export.write_by_extension(problem, result, tmp_path / "plan.xlsx", META, lang="ru")
    assert openpyxl.load_workbook(path).sheetnames[0] == RU("export_sheet_summary")
    with pytest.raises(ValueError, match="unknown language"):
        export.xlsx_bytes(problem, result, META, lang="de")


def test_no_plan_error_in_both_languages() -> None:
    problem = load_bundle(INFEASIBLE)
    result = solve(problem)
    with pytest.raises(export.NoPlanError) as info:
        export.csv_bytes(problem, result)
    assert str(info.value).startswith("No plan to export: the solve ended 'infeasible'.")
    assert info.value.text("ru").startswith(RU("report_no_plan", status=RU("status_infeasible")))


# ---- the dashboard's downloads follow the page -------------------------------------------------
def _tab_script(bundle_dir: str, lang: str) -> None:
    # The script runs without this module's `from __future__ import annotations`: its
    # annotations are evaluated, so they need the name.
    from typing import Any  # noqa: F401

    import streamlit as st

    from optimizer import load_bundle, solve
    from ui import export_tab
    from ui.text import Translator

    def keep(
        label: str, data: Any, file_name: str, fmt: str, key: str, help_: str | None = None
    ) -> None:
        st.session_state.setdefault("files", {})[key] = data()

    problem = load_bundle(bundle_dir)
    ctx = type(
        "Ctx",
        (),
        {"problem": problem, "result": solve(problem), "lang": lang, "t": Translator(lang)},
    )()
    # Each button's file is built at once and kept (the tab is one module for every test).
    button, export_tab._button = export_tab._button, keep
    try:
        export_tab.render_export(ctx)
    finally:
        export_tab._button = button


def test_dashboard_downloads_follow_the_page_language() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_tab_script, args=(str(TINY), "ru"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    files = at.session_state["files"]
    wb = openpyxl.load_workbook(io.BytesIO(files["dl_xlsx"]))
    assert wb.sheetnames[0] == RU("export_sheet_summary")
    assert b'<html lang="ru">' in files["dl_html"]
    assert b'<html lang="ru">' in files["dl_client_html"]
    plan = openpyxl.load_workbook(io.BytesIO(files["dl_client_xlsx"]))
    assert plan.sheetnames == [RU("export_plan_sheet"), RU("export_plan_notes_sheet")]
    assert files["dl_csv"].startswith("\ufeffclient_id,".encode())


# ---- the catalogue section ----------------------------------------------------------------------
def _codes_used() -> set[str]:
    """Every export_* and report_* code the export package and its templates name."""
    found: set[str] = set()
    for path in (ROOT / "optimizer" / "export").rglob("*"):
        if path.suffix in (".py", ".html"):
            found |= set(
                re.findall(r"[\"']((?:export|report)_[a-z_]+)[\"']", path.read_text("utf-8"))
            )
    found |= {
        f"export_check_{item}"
        for item in (
            "plan_agreed",
            "criteria_known",
            "roles_mapped",
            "procedure_known",
            "written_confirmation",
        )
    }
    return found - set(export.__all__)


PARAMS: dict[str, Any] = {
    "title": "Risk-reduction plan",
    "name": "Q3",
    "status": "infeasible",
    "path": "plan.pdf",
    "ext": ".pdf",
    "types": [".csv", ".xlsx"],
    "format": "pdf",
    "formats": ["xlsx", "csv"],
    "client": "acme",
    "clients": ["acme", "kedr"],
    "mode": "most value",
    "units": "1",
    "share": "90%",
    "currency": "EUR",
    "used": "1,200.0",
    "capacity": "2,000.0",
    "unit": "h",
    "pool": "Budget",
    "fingerprint": "5efe57317b84dae2",
    "when": "2026-05-04 09:30",
    "method": "Free trial",
    # the objective that made the plan (optimizer/robust.py)
    "protect": 3,
    "scope": "",
    "widen": "",
    "alpha": 0.1,
    "draws": 200,
    "seed": 1,
}


def test_the_export_catalogue_is_complete() -> None:
    used = _codes_used()
    assert used - set(TEXTS) == set(), "codes used but not in the catalogue"
    assert set(TEXTS) - used == set(), "codes in the catalogue that nothing uses"
    same = {
        "export_page_title",
        "export_mode",
        "export_plan_title",
        "export_plan_unconfirmed_item",
    }  # only parameters and punctuation
    for code, (en, ru) in TEXTS.items():
        assert en.strip() and ru.strip(), code
        assert (en == ru) == (code in same), code
        for t in (EN, RU):
            text = t(code, **PARAMS)
            assert (
                "{" not in text
                and "}" not in text
                and "export_" not in text
                and "report_" not in text
            ), (code, text)
    # Sheet names Excel accepts: at most 31 characters, none of []:*?/\ .
    for code in [*PLAN_SHEETS, "export_plan_sheet", "export_plan_notes_sheet"]:
        for t in (EN, RU):
            assert len(t(code)) <= 31 and not re.search(r"[\[\]:*?/\\]", t(code)), code
    assert (
        EN("report_title") == export.TITLE and EN("export_another_client") == export.ANOTHER_CLIENT
    )


def test_blocked_by_names_the_limits_in_both_languages(sample: tuple[Problem, Result]) -> None:
    from optimizer.export.common import blocked_texts
    from optimizer.schema import BLOCKED_BY, LIMITS

    problem, result = sample
    for r in (result, solve(problem.with_settings(objective="min_cost"))):
        u = r.unfunded
        assert [EN.join(limits) for limits in u[LIMITS]] == list(u[BLOCKED_BY])
        ru = blocked_texts(u, RU)
        assert [bool(x) for x in ru] == [bool(x) for x in u[BLOCKED_BY]]
        capped = [(r_, e) for r_, e in zip(ru, u[BLOCKED_BY]) if "'s cap on" in e]
        assert all("лимит клиента" in r_ for r_, _ in capped)


def test_pool_units_read_the_russian_way_in_the_exports(sample: tuple[Problem, Result]) -> None:
    """Hours are «ч» in the Russian workbook's headers and number formats and in the report's
    pool table, as on the page; the input sheets keep the unit as the bundle has it."""
    problem, result = sample
    hours = [p for p in problem.pools if str(problem.resources.at[p, "unit"]) == "h"]
    assert hours, "the sample has pools counted in hours"
    names = [str(problem.resources.at[p, NAME]) for p in hours]
    wb = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(problem, result, lang="ru")))
    ws = wb["Распределение"]
    header = [c.value for c in ws[1]]
    for name in names:
        assert f"{name} (ч)" in header and f"{name} (h)" not in header
    col = header.index(f"{names[0]} (ч)") + 1
    assert ws.cell(row=2, column=col).number_format.endswith(' ч"')
    res = list(wb["resources"].values)
    unit = res[0].index("unit")
    assert {r[0]: r[unit] for r in res[1:]}[hours[0]] == "h"
    en = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(problem, result, lang="en")))
    assert f"{names[0]} (h)" in [c.value for c in en.worksheets[3][1]]
    report = html.unescape(export.html_report(problem, result, lang="ru").decode())
    assert re.search(r"\d ч<", report)
