"""Exports: numbers in every workbook equal the result's, no formula ever, OWASP-safe CSV,
per-client isolation down to the bytes, self-contained HTML, atomic writes, the CLI."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pandas as pd
import pytest

from optimizer import bundle, export
from optimizer.bundle import load_bundle, parse_tables, read_tables
from optimizer.export import ExportMeta, ExportPathError, result_to_json
from optimizer.schema import (
    CAPACITY,
    CLIENT_ID,
    CLIENTS,
    NAME,
    NEEDED_VALUE,
    RELATIONSHIP,
    SEGMENT,
    SHADOW_PRICE,
    UNITS,
    USED,
    VALUE,
    VALUES,
    WEIGHTED_VALUE,
    Problem,
    Result,
    use_col,
)
from optimizer.solve import solve

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
TINY = ROOT / "tests" / "fixtures" / "tiny"
INFEASIBLE = ROOT / "tests" / "fixtures" / "infeasible"
META = ExportMeta(scenario="Base plan", created=datetime(2026, 5, 4, 9, 30), notes="Q3 review")
HOSTILE = ["=1+1", "{=1+1}", '=1+2";=1+2', "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", "\nLF"]


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-9, abs=1e-9)


@pytest.fixture(scope="module")
def sample() -> tuple[Problem, Result]:
    problem = load_bundle(SAMPLE)
    result = solve(problem)
    assert result.has_plan
    return problem, result


def tiny_with(
    names: dict[str, str] | None = None,
    segments: dict[str, str] | None = None,
    relationship: pd.DataFrame | None = None,
    **settings: Any,
) -> Problem:
    """The tiny fixture with some client names/segments replaced and an optional checklist."""
    tables, raw, issues = read_tables(TINY)
    cli = tables[CLIENTS].copy()
    for cid, name in (names or {}).items():
        cli.loc[cli[CLIENT_ID] == cid, NAME] = name
    for cid, seg in (segments or {}).items():
        cli.loc[cli[CLIENT_ID] == cid, SEGMENT] = seg
    tables[CLIENTS] = cli
    if relationship is not None:
        tables[RELATIONSHIP] = relationship
    raw = {**raw, **settings}
    return parse_tables(tables, raw, issues)


def sheet_rows(ws: Any) -> list[list[Any]]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def body(ws: Any) -> list[list[Any]]:
    """Data rows under the header, without the totals row."""
    rows = sheet_rows(ws)[1:]
    return [r for r in rows if r[0] != "Total"]


def total_row(ws: Any) -> list[Any]:
    return next(r for r in sheet_rows(ws) if r[0] == "Total")


def all_cells(wb: Any) -> list[Any]:
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def xlsx_parts(data: bytes) -> dict[str, bytes]:
    """Every part of an .xlsx package, decompressed."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(data: bytes) -> _Text:
    p = _Text()
    p.feed(data.decode("utf-8"))
    p.close()
    return p


# ---- xlsx -------------------------------------------------------------------------------------
def test_workbook_numbers_equal_the_result(sample: tuple[Problem, Result]) -> None:
    problem, result = sample
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
    alloc = result.allocation
    method_names = list(problem.methods[NAME])
    for sheet, col in (("Grid - units", UNITS), ("Grid - value", VALUE)):
        ws = wb[sheet]
        header = sheet_rows(ws)[0]
        assert header[3:-1] == method_names and header[-1] == "Total"
        rows = body(ws)
        assert [r[0] for r in rows] == list(problem.clients.index)
        for r in rows:
            for m, v in zip(problem.methods.index, r[3:-1]):
                if (r[0], m) in alloc.index:
                    assert v == approx(alloc.at[(r[0], m), col])
                else:
                    assert v is None  # not offered: blank, not zero
            assert r[-1] == approx(alloc.xs(r[0], level=CLIENT_ID)[col].sum())
        assert total_row(ws)[-1] == approx(alloc[col].sum())

    rows = body(wb["Allocation"])
    assert len(rows) == len(alloc)
    for r in rows:
        a = alloc.loc[(r[0], r[3])]
        assert r[5] == approx(a[UNITS]) and r[8] == approx(a[VALUE])
        assert r[9] == approx(a[WEIGHTED_VALUE])
        for k, p in enumerate(problem.pools):
            assert r[10 + k] == approx(a[use_col(p)])

    for r in body(wb["By client"]):
        c = result.clients.loc[r[0]]
        assert (r[1], r[4], r[5]) == (c[NAME], approx(c[VALUE]), approx(c[WEIGHTED_VALUE]))
    assert total_row(wb["By client"])[4] == approx(result.clients[VALUE].sum())
    for r in body(wb["By method"]):
        assert r[3] == approx(result.methods.at[r[0], UNITS])
        assert r[4] == approx(result.methods.at[r[0], VALUE])

    unfunded = body(wb["Not funded"])
    assert len(unfunded) == len(result.unfunded)
    for r in unfunded:
        expect = result.unfunded.at[(r[0], r[2]), NEEDED_VALUE]
        assert r[8] == approx(expect) if expect == expect else r[8] is None
        assert r[10] == result.unfunded.at[(r[0], r[2]), "reason"]

    summary = {r[0]: r for r in sheet_rows(wb["Summary"]) if r[0]}
    assert summary["Input fingerprint"][1] == result.fingerprint
    assert summary["Status"][1] == result.status_text
    assert summary["Scenario"][1] == "Base plan"
    assert summary["Exported"][1] == datetime(2026, 5, 4, 9, 30)
    assert summary["Weighted value (points, objective)"][1] == approx(result.objective)
    assert summary[f"Money spent ({problem.settings.currency})"][1] == approx(result.money_spent)
    for _, pool in result.pools.iterrows():
        row = summary[pool[NAME]]
        assert row[2:5] == [
            approx(pool[CAPACITY]),
            approx(pool[USED]),
            approx(pool[CAPACITY] - pool[USED]),
        ]
        assert row[6] == approx(pool[SHADOW_PRICE])
    # Money carries the currency in its number format; headers are frozen.
    budget_col = sheet_rows(wb["By client"])[0].index("Budget (EUR)") + 1
    assert '" EUR"' in wb["By client"].cell(2, budget_col).number_format
    assert wb["Allocation"].freeze_panes == "C2"


def test_workbook_summary_in_whole_unit_and_least_cost_modes() -> None:
    whole = load_bundle(TINY).with_settings(integer_units=True)
    r = solve(whole)
    assert r.lp_objective is not None
    wb = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(whole, r)))
    summary = {row[0]: row[1] for row in sheet_rows(wb["Summary"]) if row[0]}
    assert summary["Continuous bound (fractions of units allowed)"] == approx(r.lp_objective)
    assert "whole units" in summary["Plan for"]
    assert all(float(row[5]).is_integer() for row in body(wb["Allocation"]))

    cheap = load_bundle(TINY).with_settings(objective="min_cost", target_value_share=0.6)
    r = solve(cheap)
    wb = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(cheap, r)))
    summary = {row[0]: row[1] for row in sheet_rows(wb["Summary"]) if row[0]}
    assert summary["Money spent (objective, EUR)"] == approx(r.objective)
    assert summary["Value target the plan had to reach"] == approx(r.target_value)
    assert summary["Weighted value (points)"] == approx(r.allocation[WEIGHTED_VALUE].sum())
    assert summary["Weighted value (points)"] >= r.target_value * (1 - 1e-6)


def test_workbook_inputs_reload_as_the_same_bundle(
    sample: tuple[Problem, Result], tmp_path: Path
) -> None:
    problem, result = sample
    path = tmp_path / "plan.xlsx"
    export.write_export(problem, result, "xlsx", path, META)
    again = load_bundle(path)
    assert again.fingerprint() == problem.fingerprint()
    assert again.relationship is not None


def test_no_formula_cells_even_for_hostile_names(tmp_path: Path) -> None:
    names = {"acme": HOSTILE[0], "kedr": HOSTILE[1], "zeta": HOSTILE[2]}
    problem = tiny_with(names, segments={"acme": '=HYPERLINK("http://x")', "zeta": "@SUM"})
    result = solve(problem)
    books = [export.xlsx_bytes(problem, result, ExportMeta(scenario="=evil()", notes="-1"))]
    books += [
        b for n, b in export.client_plan_files(problem, result, META).items() if n.endswith(".xlsx")
    ]
    for data in books:
        wb = openpyxl.load_workbook(io.BytesIO(data))
        cells = all_cells(wb)
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        texts = {c.value for c in cells if c.data_type == "s"}
        assert not [t for t in texts if t.startswith(export._FORMULA_START)]
        for part, raw in xlsx_parts(data).items():
            assert b"<f>" not in raw and b"<f " not in raw, part
    wb = openpyxl.load_workbook(io.BytesIO(books[0]))
    texts = {c.value for c in all_cells(wb) if isinstance(c.value, str)}
    assert {"'=1+1", "{=1+1}", "'=1+2\";=1+2", "'=evil()"} <= texts
    assert '\'=HYPERLINK("http://x")' in texts
    assert not [c.coordinate for c in all_cells(wb) if c.hyperlink]


def test_neutralise_follows_owasp() -> None:
    for text in HOSTILE:
        out = export.neutralise(text)
        assert out == (text if text.startswith("{") else "'" + text)
    assert export.neutralise("Acme") == "Acme" and export.neutralise("") == ""


# ---- csv --------------------------------------------------------------------------------------
def test_csv_owasp_vector_and_numbers() -> None:
    problem = tiny_with({"acme": '=1+2";=1+2', "kedr": "-Кедр, «ООО»"})
    result = solve(problem)
    data = export.csv_bytes(problem, result)
    text = data.decode("utf-8-sig")
    assert '"\'=1+2"";=1+2"' in text
    assert '"\'-Кедр, «ООО»"' in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == export.csv_columns(problem)
    assert len(rows) - 1 == len(result.allocation)
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(frame.columns) == export.csv_columns(problem)
    frame = frame.set_index([CLIENT_ID, "method_id"])
    for (c, m), a in result.allocation.iterrows():
        for col in (UNITS, VALUE, WEIGHTED_VALUE, *[use_col(p) for p in problem.pools]):
            assert frame.at[(c, m), col] == approx(a[col])
    assert set(frame["client_name"]) == {"'=1+2\";=1+2", "'-Кедр, «ООО»", "Zeta AG"}


def test_csv_columns_are_documented(sample: tuple[Problem, Result]) -> None:
    problem, _ = sample
    doc = (ROOT / "docs" / "export.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip().strip("`") for line in doc.splitlines() if line.startswith("| `")
    }
    for col in export.csv_columns(problem):
        assert col in rows or (col.startswith("use_") and "use_<pool>" in rows), col


def test_csv_needs_a_plan() -> None:
    problem = load_bundle(INFEASIBLE)
    result = solve(problem)
    assert not result.has_plan
    with pytest.raises(export.NoPlanError, match="infeasible"):
        export.csv_bytes(problem, result)
    with pytest.raises(export.NoPlanError):
        export.client_plan_files(problem, result)


# ---- names in any language, long names, empty optional fields ---------------------------------
def test_cyrillic_long_and_empty_fields_round_trip(tmp_path: Path) -> None:
    long_name = "Очень длинное название клиента " * 10
    problem = tiny_with(
        {"acme": "ООО «Ромашка» — Кедровый", "zeta": long_name.strip()},
        segments={"acme": "", "kedr": "Розница"},
    )
    result = solve(problem)
    paths = {}
    for fmt, ext in (("xlsx", ".xlsx"), ("csv", ".csv"), ("html", ".html")):
        paths[fmt] = tmp_path / f"plan{ext}"
        export.write_export(problem, result, fmt, paths[fmt], META)
    export.write_export(problem, result, "client-plans", tmp_path / "clients", META)
    wb = openpyxl.load_workbook(paths["xlsx"])
    names = [r[1] for r in body(wb["By client"])]
    assert names == ["ООО «Ромашка» — Кедровый", "ООО «Кедр»", long_name.strip()]
    seg = {r[0]: r[2] for r in body(wb["By client"])}
    assert seg["acme"] is None and seg["kedr"] == "Розница"
    assert all(wb["By client"].column_dimensions[c].width <= 62 for c in "ABC")
    frame = pd.read_csv(paths["csv"], encoding="utf-8-sig", keep_default_na=False)
    assert set(frame["client_name"]) == set(names)
    assert set(frame[SEGMENT]) == {"", "Розница", "Energy"}
    text = "".join(parse_html(paths["html"].read_bytes()).text)
    assert all(n in text for n in names)
    plan = openpyxl.load_workbook(tmp_path / "clients" / "plan_acme.xlsx")
    assert plan["Plan"]["B3"].value == "ООО «Ромашка» — Кедровый"
    assert "ООО «Ромашка» — Кедровый" in "".join(
        parse_html((tmp_path / "clients" / "plan_acme.html").read_bytes()).text
    )


# ---- html -------------------------------------------------------------------------------------
def test_html_report_parses_contains_every_client_and_is_self_contained(
    sample: tuple[Problem, Result],
) -> None:
    problem, result = sample
    data = export.html_report(problem, result, META)
    page = parse_html(data)
    text = "".join(page.text)
    for name in problem.clients[NAME]:
        assert name in text
    for pool in problem.resources[NAME]:
        assert pool in text
    assert result.fingerprint in text and "Base plan" in text and "Q3 review" in text
    # Offline: nothing is fetched; plotly.js is inlined and every chart is drawn from it.
    assert not [a for tag, a in page.tags if a.get("src") or (tag == "link" and a.get("href"))]
    assert data.count(b"Plotly.newPlot(") == len(export.report_figures(problem, result)) >= 3
    assert b"plotly.js v" in data
    assert b"@page { size: A4" in data


def test_html_report_with_given_figures_and_hostile_text() -> None:
    problem = tiny_with({"acme": "</script><script>alert(1)</script>", "kedr": "a & <b>"})
    result = solve(problem)
    fig = {"data": [{"type": "bar", "x": ["</script>"], "y": [1]}], "layout": {"width": 600}}
    data = export.html_report(problem, result, META, figures=[fig])
    assert data.count(b"Plotly.newPlot(") == 1
    assert b"<script>alert(1)" not in data
    text = "".join(parse_html(data).text)
    assert "</script><script>alert(1)</script>" in text and "a & <b>" in text


def test_reports_explain_a_missing_plan() -> None:
    problem = load_bundle(INFEASIBLE)
    result = solve(problem)
    text = "".join(parse_html(export.html_report(problem, result)).text)
    assert "No plan" in text and result.explanation[0] in text
    assert "Plotly.newPlot" not in text
    wb = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(problem, result)))
    assert "Grid - units" not in wb.sheetnames and "values" in wb.sheetnames
    cells = [r[0] for r in sheet_rows(wb["Summary"]) if r[0]]
    assert "Why there is no plan" in cells
    assert any("Budget is limited" in c for c in cells)


def test_optimizer_export_never_imports_plotly_or_streamlit(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from optimizer import export, load_bundle, solve\n"
        "p = load_bundle(sys.argv[1]); r = solve(p)\n"
        "data = export.html_report(p, r)\n"
        "assert b'Plotly.newPlot' in data\n"
        "export.write_export(p, r, 'client-plans', sys.argv[2])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('plotly', 'streamlit', 'ui')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(TINY), str(tmp_path / "c")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# ---- per-client plans -------------------------------------------------------------------------
def isolated_problem() -> tuple[Problem, dict[str, list[str]], dict[str, list[bytes]]]:
    """Four clients, each with unique markers in id, name, segment, notes and figures."""
    tables, raw, issues = read_tables(TINY)
    ids = ["mkaaa1", "mkbbb2", "mkccc3", "mkddd4"]
    tables[CLIENTS] = pd.DataFrame(
        {
            CLIENT_ID: ids,
            NAME: [f"Client NAME{i}X" for i in range(4)],
            SEGMENT: [f"SEG{i}Q" for i in range(4)],
            "weight": ["1", "1.5", "2", "1"],
            "min_value_share": ["", "", "", ""],
            "max_budget": ["", "", "", ""],
        },
        dtype=object,
    )
    rows = []
    for i, c in enumerate(ids):
        for j, m in enumerate(("demo", "trial", "referral")):
            # Unique first-unit values: a figure of one client that no other file may show.
            rows.append(
                [
                    c,
                    m,
                    f"{61 + 7 * i + j}.{4321 + 10 * i + j}",
                    "",
                    "",
                    "1" if (i, j) == (1, 0) else "",
                    "",
                ]
            )
    tables[VALUES] = pd.DataFrame(rows, columns=tables[VALUES].columns, dtype=object)
    tables["overrides"] = tables["overrides"].iloc[:0]
    tables[RELATIONSHIP] = pd.DataFrame(
        {
            CLIENT_ID: ids,
            "plan_agreed": ["yes", "no", "", "unknown"],
            "open_problems": [f"NOTE{i}Z late delivery" for i in range(3)]
            + ["NOTE3Z waiting, as Client NAME0X was, for mkbbb2's answer"],
            "last_review": ["2026-01-0" + str(i + 1) for i in range(4)],
        },
        dtype=object,
    )
    problem = parse_tables(tables, {**raw, "currency": "EUR"}, issues)
    markers = {
        c: [c, f"NAME{i}X", f"SEG{i}Q", f"NOTE{i}Z", f"CNOTE{i}W"] for i, c in enumerate(ids)
    }
    figures = {
        c: [f"{61 + 7 * i + j}.{4321 + 10 * i + j}".encode() for j in range(3)]
        for i, c in enumerate(ids)
    }
    return problem, markers, figures


def test_client_plans_hold_one_client_only(tmp_path: Path) -> None:
    problem, markers, figures = isolated_problem()
    result = solve(problem)
    meta = ExportMeta(
        scenario="Plan for mkccc3 and others",
        notes="SCENARIO-NOTE",
        client_notes={c: f"CNOTE{i}W" for i, c in enumerate(markers)},
    )
    written = export.write_client_plans(problem, result, tmp_path, meta)
    # Totals across clients would reveal the others' plans: none may appear, in any spelling.
    spellings = {
        f"{x:{f}}"
        for x in (
            result.objective,
            result.money_spent,
            result.allocation[VALUE].sum(),
            result.allocation[UNITS].sum(),
        )
        for f in ("", ",.1f", ",.2f", ",.0f")
    }
    cross_client_totals = [t.encode() for t in spellings if len(t) >= 5]  # short ones collide
    assert sorted(p.name for p in written) == sorted(
        f"plan_{c}.{ext}" for c in markers for ext in ("html", "xlsx")
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)
    for path in written:
        own = path.stem.removeprefix("plan_")
        others = [m for c, ms in markers.items() if c != own for m in ms]
        other_figures = [f for c, fs in figures.items() if c != own for f in fs]
        raw = path.read_bytes()
        blobs = {"file": raw}
        if path.suffix == ".xlsx":
            blobs.update(xlsx_parts(raw))
            wb = openpyxl.load_workbook(path)
            assert wb.sheetnames == ["Plan", "Notes"]
            assert all(ws.sheet_state == "visible" for ws in wb.worksheets)
            props = wb.properties
            assert (props.creator or "") == "" and (props.lastModifiedBy or "") == ""
            assert props.title == export.TITLE
        for part, blob in blobs.items():
            for total in cross_client_totals:
                assert total not in blob, (path.name, part, total)
            for m in others:
                assert m.encode() not in blob, (path.name, part, m)
            if path.suffix == ".xlsx" and part != "file":
                for f in other_figures:
                    assert f not in blob, (path.name, part, f)
        for m in markers[own]:
            assert m.encode() in raw or any(m.encode() in b for b in blobs.values()), m
        assert b"SCENARIO-NOTE" not in raw
    # Mentions of other clients in free text are replaced, not copied.
    text = "".join(parse_html((tmp_path / "plan_mkddd4.html").read_bytes()).text)
    assert export.ANOTHER_CLIENT in text and "waiting, as" in text
    text = "".join(parse_html((tmp_path / "plan_mkaaa1.html").read_bytes()).text)
    assert f"Plan for {export.ANOTHER_CLIENT} and others" in text


def test_client_plan_numbers_and_zip(tmp_path: Path) -> None:
    problem, _, _ = isolated_problem()
    result = solve(problem)
    cid = "mkbbb2"
    wb = openpyxl.load_workbook(io.BytesIO(export.client_plan_xlsx(problem, result, cid)))
    rows = sheet_rows(wb["Plan"])
    head = {r[0]: r[1] for r in rows[:14] if r[0]}
    assert head["Client id"] == cid and head["Segment"] == "SEG1Q"
    assert head["Value of this plan"] == approx(result.clients.at[cid, VALUE])
    start = next(i for i, r in enumerate(rows) if r[0] == "Method")
    plan = rows[start + 1 : start + 1 + 3]
    a = result.allocation.xs(cid, level=CLIENT_ID)
    for r, (m, cell) in zip(plan, a.iterrows()):
        assert r[0] == problem.methods.at[m, NAME]
        assert r[3] == approx(cell[UNITS]) and r[6] == approx(cell[VALUE])
    assert plan[0][5] == 1  # the committed unit
    assert rows[start + 4][0] == "Total" and rows[start + 4][6] == approx(a[VALUE].sum())
    zdata = export.client_plans_zip(problem, result, clients=[cid, "mkaaa1"])
    with zipfile.ZipFile(io.BytesIO(zdata)) as zf:
        assert sorted(zf.namelist()) == [
            "plan_mkaaa1.html",
            "plan_mkaaa1.xlsx",
            "plan_mkbbb2.html",
            "plan_mkbbb2.xlsx",
        ]
    with pytest.raises(KeyError, match="nope"):
        export.client_plan_files(problem, result, clients=["nope"])


# ---- lp, json, write_by_extension -------------------------------------------------------------
def test_lp_is_the_model(sample: tuple[Problem, Result]) -> None:
    problem, result = sample
    text = export.lp_bytes(problem, result).decode()
    assert text.startswith("\\* risk_reduction_plan *\\") and "Maximize" in text
    for pool in problem.pools:
        assert f"pool_{pool}_:" in text  # PuLP's spelling of the row pool[<pool>]
    money = problem.with_settings(objective="min_cost", target_value_share=0.5)
    r2 = solve(money)
    text = export.lp_bytes(money, r2).decode()
    assert "Minimize" in text and "target:" in text
    assert export.lp_bytes(money).decode() == text  # without a result the target is solved for


def test_write_by_extension(sample: tuple[Problem, Result], tmp_path: Path) -> None:
    problem, result = sample
    for ext in (".xlsx", ".csv", ".json", ".html", ".lp"):
        path = export.write_by_extension(problem, result, tmp_path / f"out{ext}")
        assert path.stat().st_size > 0
    got = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert got == json.loads(json.dumps(result_to_json(problem, result)))
    assert openpyxl.load_workbook(tmp_path / "out.xlsx").sheetnames[0] == "Summary"
    with pytest.raises(ExportPathError, match="unknown file type"):
        export.write_by_extension(problem, result, tmp_path / "out.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"out{e}" for e in (".xlsx", ".csv", ".json", ".html", ".lp")
    )


# ---- atomic writes ----------------------------------------------------------------------------
def test_failed_write_leaves_no_partial_file(
    sample: tuple[Problem, Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem, result = sample
    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"previous export")

    def refuse_rename(src: str, dst: str) -> None:
        assert Path(src).read_bytes()  # the temporary file was fully written first
        raise OSError("disk full")

    monkeypatch.setattr(bundle.os, "replace", refuse_rename)
    with pytest.raises(OSError, match="disk full"):
        export.write_export(problem, result, "xlsx", target, META)
    with pytest.raises(OSError):
        export.write_export(problem, result, "csv", tmp_path / "new.csv")
    monkeypatch.undo()
    assert target.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("writer failed")

    monkeypatch.setattr(export._PlanBook, "xlsx", broken)
    with pytest.raises(RuntimeError):
        export.write_client_plans(problem, result, tmp_path / "clients")
    assert not (tmp_path / "clients").exists()  # nothing written when one client fails


# ---- command line -----------------------------------------------------------------------------
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


def test_cli_export_formats_and_exit_codes(tmp_path: Path) -> None:
    out = run_cli(
        "export",
        str(TINY),
        "--format",
        "xlsx",
        "--out",
        str(tmp_path / "p.xlsx"),
        "--scenario",
        "Q3",
        "--set",
        "budget=8000",
    )
    assert out.returncode == 0, out.stderr
    summary = {
        r[0]: r[1]
        for r in openpyxl.load_workbook(tmp_path / "p.xlsx")["Summary"].iter_rows(values_only=True)
        if r[0]
    }
    assert summary["Scenario"] == "Q3"
    capped = load_bundle(TINY).with_capacity("budget", 8000)
    assert summary["Input fingerprint"] == capped.fingerprint()

    # No plan: exit 1; csv writes nothing, lp is still written (exit 0).
    out = run_cli("export", str(INFEASIBLE), "--format", "csv", "--out", str(tmp_path / "x.csv"))
    assert out.returncode == 1 and "Budget is limited" in out.stderr
    assert "Traceback" not in out.stderr and not (tmp_path / "x.csv").exists()
    out = run_cli("export", str(INFEASIBLE), "--format", "lp", "--out", str(tmp_path / "m.lp"))
    assert out.returncode == 0 and (tmp_path / "m.lp").read_text().count("pool_budget_:") == 1

    # Bad arguments: exit 2, the problem said, no traceback.
    out = run_cli("export", str(TINY), "--format", "csv", "--out", str(tmp_path / "a.xlsx"))
    assert out.returncode == 2 and "extension says xlsx" in out.stderr
    assert "Traceback" not in out.stderr


def test_cli_export_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from optimizer.cli import main

    assert (
        main(
            [
                "export",
                str(TINY),
                "--format",
                "client-plans",
                "--out",
                str(tmp_path / "cp"),
                "--client",
                "kedr",
            ]
        )
        == 0
    )
    assert sorted(p.name for p in (tmp_path / "cp").iterdir()) == [
        "plan_kedr.html",
        "plan_kedr.xlsx",
    ]
    assert (
        main(["export", str(INFEASIBLE), "--format", "xlsx", "--out", str(tmp_path / "why.xlsx")])
        == 1
    )  # written: it explains why there is no plan
    assert "Summary" in openpyxl.load_workbook(tmp_path / "why.xlsx").sheetnames
    capsys.readouterr()
    for args, words in (
        (["--format", "client-plans", "--out", str(tmp_path / "cp"), "--client", "nope"], "nope"),
        (
            ["--format", "csv", "--out", str(tmp_path / "a.csv"), "--client", "acme"],
            "only for --format client-plans",
        ),
        (["--format", "csv", "--out", str(tmp_path / "cp")], "is a folder"),
        (["--format", "client-plans", "--out", str(tmp_path / "why.xlsx")], "needs a folder"),
        (["--format", "pdf", "--out", str(tmp_path / "a.pdf")], "invalid choice"),
        (["--format", "csv"], "required"),
    ):
        assert main(["export", str(TINY), *args]) == 2, args
        assert words in capsys.readouterr().err
    assert (
        main(
            [
                "export",
                str(tmp_path / "missing"),
                "--format",
                "csv",
                "--out",
                str(tmp_path / "a.csv"),
            ]
        )
        == 2
    )
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "a.csv").exists()


def test_cli_solve_out_picks_format_by_extension(tmp_path: Path) -> None:
    outs = [tmp_path / f"s{e}" for e in (".xlsx", ".csv", ".json", ".html")]
    args = [a for p in outs for a in ("--out", str(p))]
    out = run_cli("solve", str(TINY), *args)
    assert out.returncode == 0, out.stderr
    assert json.loads(outs[2].read_text(encoding="utf-8"))["status"] == "optimal"
    assert outs[1].read_bytes().startswith("\ufeffclient_id,".encode())
    assert openpyxl.load_workbook(outs[0]).sheetnames[0] == "Summary"
    assert b"Plotly.newPlot" in outs[3].read_bytes()
    bad = [tmp_path / "n.csv", tmp_path / "n.json"]
    out = run_cli("solve", str(INFEASIBLE), "--out", str(bad[0]), "--out", str(bad[1]))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert not bad[0].exists() and "not written" in out.stderr
    assert json.loads(bad[1].read_text(encoding="utf-8"))["status"] == "infeasible"


# ---- the Export tab ---------------------------------------------------------------------------
def _tab_script(bundle_dir: str, with_problem: bool) -> None:
    from types import SimpleNamespace

    from optimizer import load_bundle, solve
    from ui.export_tab import render_export

    problem = load_bundle(bundle_dir) if with_problem else None
    result = solve(problem) if problem is not None else None
    render_export(
        SimpleNamespace(problem=problem, result=result, lang="en", t=lambda key, **kw: key)
    )


@pytest.mark.parametrize(
    "bundle_dir, with_problem, n_buttons",
    [(str(TINY), True, 8), (str(INFEASIBLE), True, 4), (str(TINY), False, 0)],
)
def test_export_tab_offers_every_format(
    bundle_dir: str, with_problem: bool, n_buttons: int
) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_tab_script, args=(bundle_dir, with_problem), default_timeout=60)
    at.run()
    assert not at.exception
    buttons = at.get("download_button")
    assert len(buttons) == n_buttons
    if not with_problem:
        assert "errors" in at.warning[0].value
    elif n_buttons == 4:
        assert "no plan" in at.warning[0].value.lower()
    else:
        assert at.selectbox(key="export_client").options == [
            "Acme Ltd (acme)",
            "ООО «Кедр» (kedr)",
            "Zeta AG (zeta)",
        ]


def test_tab_text_prefers_the_catalogue() -> None:
    from ui.export_tab import TEXT, tr

    ctx = SimpleNamespace(t=lambda key, **kw: {"export_xlsx": "Книга Excel"}.get(key, key))
    assert tr(ctx, "export_xlsx") == "Книга Excel"
    assert tr(ctx, "export_csv") == TEXT["export_csv"]
    assert tr(SimpleNamespace(), "export_no_plan", status="infeasible").startswith(
        "There is no plan (infeasible)"
    )


def test_report_draws_the_dashboard_charts(sample: tuple[Problem, Result]) -> None:
    from ui.export_tab import REPORT_WIDTH, dashboard_figures
    from ui.text import Translator

    problem, result = sample
    for ctx in (
        SimpleNamespace(t=Translator("ru"), lang="ru"),
        SimpleNamespace(t=lambda key, **kw: key, lang="en"),
    ):
        figs = dashboard_figures(result, ctx)
        assert figs is not None and len(figs) == 3
        assert all(f["layout"]["width"] == REPORT_WIDTH for f in figs)
        data = export.html_report(problem, result, META, figs)
        assert data.count(b"Plotly.newPlot(") == 3
        heatmap = next(t for f in figs for t in f["data"] if t["type"] == "heatmap")
        assert list(heatmap["y"]) == list(problem.clients[NAME])


def test_export_is_named_after_a_loaded_scenario() -> None:
    from streamlit.testing.v1 import AppTest

    def script() -> None:
        from types import SimpleNamespace

        import streamlit as st

        from optimizer import load_bundle, solve
        from ui.export_tab import render_export

        st.session_state.setdefault("inputs_source", "scenario Q3 push")
        problem = load_bundle(st.session_state.get("bundle_dir"))
        render_export(
            SimpleNamespace(
                problem=problem, result=solve(problem), lang="en", t=lambda key, **kw: key
            )
        )

    at = AppTest.from_function(script, default_timeout=60)
    at.session_state["bundle_dir"] = str(TINY)
    at.run()
    assert at.text_input(key="export_scenario").value == "Q3 push"
    at.session_state["inputs_source"] = "scenario Q4"
    at.run()
    assert at.text_input(key="export_scenario").value == "Q4"
    at.text_input(key="export_scenario").input("My name").run()
    at.session_state["inputs_source"] = "scenario Q5"
    at.run()
    assert at.text_input(key="export_scenario").value == "My name"  # typed names stay
