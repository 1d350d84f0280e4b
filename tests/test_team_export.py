"""`python -m optimizer export --db URL --since DATE|SCENARIO` writes the workbook the Team tab
downloads: the plan of the shared inputs with a Changes sheet of every change since the date
or the saved scenario. On both database engines."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import openpyxl
import pytest

from optimizer.bundle import load_bundle
from optimizer.cli import main
from optimizer.workspace import Workspace

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue() + err.getvalue()


def change_rows(path: Path) -> list[list[object]]:
    """The Changes sheet's rows below its header row."""
    ws = openpyxl.load_workbook(path, read_only=True)["Changes"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[:2] == ["When (UTC)", "Who"])
    return [r for r in rows[start + 1 :] if any(v is not None for v in r)]


def test_export_since_a_scenario_or_a_date(db_target: str, tmp_path: Path) -> None:
    ws = Workspace(db_target)
    ws.import_problem(load_bundle(SAMPLE), who="dir@x.com", label="sample_data")
    code, text = run("scenario", "save", "--name", "monday", "--db", db_target)
    assert code == 0, text
    seen = ws.cell("resources", "budget", "capacity").value
    ws.set_cell("resources", "budget", "capacity", seen, "400000", who="anna@x.com")

    out = tmp_path / "since-monday.xlsx"
    code, text = run("export", "--db", db_target, "--format", "xlsx", "--out", str(out),
                     "--since", "monday")  # fmt: skip
    assert code == 0, text
    assert change_rows(out) == [
        [ws.changes()[-1].at[:19].replace("T", " "), "anna@x.com", "resources", "budget",
         "capacity", seen, "400000"]
    ]  # fmt: skip
    wb = openpyxl.load_workbook(out, read_only=True)
    assert "Summary" in wb.sheetnames and "Allocation" in wb.sheetnames  # the plan is there too

    out = tmp_path / "since-date.xlsx"
    code, text = run("export", "--db", db_target, "--format", "xlsx", "--out", str(out),
                     "--since", "2000-01-01")  # fmt: skip
    assert code == 0, text
    assert [r[1] for r in change_rows(out)] == ["dir@x.com", "anna@x.com"]  # import, then edit


@pytest.mark.parametrize(
    "extra",
    [
        ("--format", "html", "--since", "2000-01-01"),  # not a workbook
        ("--format", "xlsx", "--since", "no-such-scenario"),
    ],
)
def test_export_since_refused(db_target: str, tmp_path: Path, extra: tuple[str, ...]) -> None:
    ws = Workspace(db_target)
    ws.import_problem(load_bundle(SAMPLE), who="dir@x.com", label="sample_data")
    out = tmp_path / f"plan.{extra[1]}"
    code, text = run("export", "--db", db_target, "--out", str(out), *extra)
    assert code == 2
    assert "--since" in text or "no-such-scenario" in text
    assert not out.exists()


def test_export_since_needs_the_database(tmp_path: Path) -> None:
    out = tmp_path / "plan.xlsx"
    code, text = run("export", str(SAMPLE), "--format", "xlsx", "--out", str(out),
                     "--since", "2000-01-01")  # fmt: skip
    assert code == 2 and "--db" in text
    assert not out.exists()
