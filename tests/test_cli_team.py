"""The `workspace` and `team` commands and `--db` in place of a bundle, on both engines."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from optimizer.bundle import load_bundle
from optimizer.cli import main
from optimizer.solve import solve
from optimizer.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_workspace_commands(db_target: str, tmp_path: Path) -> None:
    db = ("--db", db_target)
    code, out, err = cli("workspace", "import", str(SAMPLE), *db, "--who", "dir@x.com")
    assert code == 0, err
    assert "24 clients" in out and "(0 changed)" in out
    code, out, err = cli(
        "workspace", "set", "resources", "budget", "capacity", "400000", "--seen", "480000",
        *db, "--who", "anna@x.com",
    )  # fmt: skip
    assert code == 0 and "'480000' -> '400000'" in out, err
    # A stale edit of the same cell: refused, with the current value and who set it.
    code, out, err = cli(
        "workspace", "set", "resources", "budget", "capacity", "300000", "--seen", "480000",
        *db, "--who", "boris@x.com", "--lang", "ru",
    )  # fmt: skip
    assert code == 2 and "anna@x.com" in err and "«400000»" in err and "не сохранено" in err
    assert "Traceback" not in err
    # validate, solve, export, checklist and scenario save read the working plan of --db.
    code, out, err = cli("validate", *db)
    assert code == 0 and "OK: 24 clients" in out, err
    code, out, err = cli("solve", *db, "--json")
    assert code == 0, err
    cut = solve(load_bundle(SAMPLE).with_capacity("budget", 400_000))
    assert json.loads(out)["objective"] == pytest.approx(cut.objective, rel=1e-9)
    code, _, err = cli("export", *db, "--format", "xlsx", "--out", str(tmp_path / "plan.xlsx"))
    assert code == 0 and (tmp_path / "plan.xlsx").stat().st_size > 0, err
    code, out, err = cli("checklist", *db, "--json")
    assert code == 0 and json.loads(out), err
    code, out, err = cli("scenario", "save", "--name", "monday", *db)
    assert code == 0 and "Saved 'monday'" in out, err
    code, _, err = cli(
        "workspace", "set", "clients", "hartwell", "weight", "2", "--seen", "1.6", *db,
        "--who", "anna@x.com",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = cli("workspace", "changes", "--since", "monday", *db, "--json")
    assert code == 0, err
    since = json.loads(out)
    assert [(c["who"], c["table"], c["key"], c["column"], c["old"], c["new"]) for c in since] == [
        ("anna@x.com", "clients", "hartwell", "weight", "1.6", "2")
    ]
    code, out, _ = cli("workspace", "changes", *db)
    assert "imported" in out and out.count("anna@x.com") == 2
    code, out, err = cli("workspace", "export", "--out", str(tmp_path / "bundle"), *db)
    assert code == 0, err
    assert load_bundle(tmp_path / "bundle").clients.at["hartwell", "weight"] == 2
    assert (
        Workspace(db_target).problem().fingerprint()
        == load_bundle(tmp_path / "bundle").fingerprint()
    )


def test_team_commands(db_target: str) -> None:
    db = ("--db", db_target)
    assert cli("workspace", "import", str(SAMPLE), *db)[0] == 0
    code, out, err = cli(
        "team", "add", "Anna@X.com", "--role", "planner", "--clients", "hartwell,brennmoor", *db
    )
    assert code == 0 and "Added anna@x.com as planner (clients: brennmoor, hartwell)" in out, err
    assert cli("team", "add", "dir@x.com", "--role", "director", *db)[0] == 0
    code, out, _ = cli(
        "team", "add", "anna@x.com", "--role", "planner", "--clients", "hartwell", *db
    )
    assert "is now planner (clients: hartwell)" in out
    code, _, err = cli("team", "add", "p@x.com", "--role", "planner", "--clients", "nobody", *db)
    assert code == 2 and "nobody" in err
    code, _, err = cli("team", "add", "p@x.com", "--role", "boss", *db)
    assert code == 2 and "boss" in err
    code, out, _ = cli("team", "list", "--json", *db)
    assert [(m["email"], m["role"], m["clients"]) for m in json.loads(out)] == [
        ("anna@x.com", "planner", ["hartwell"]),
        ("dir@x.com", "director", []),
    ]
    assert cli("team", "remove", "dir@x.com", *db)[0] == 0
    code, _, err = cli("team", "remove", "dir@x.com", *db, "--lang", "ru")
    assert code == 2 and "нет в команде" in err


def test_db_in_place_of_a_bundle_is_checked(tmp_path: Path) -> None:
    code, _, err = cli("solve")
    assert code == 2 and "--db" in err
    code, _, err = cli("solve", str(SAMPLE), "--db", str(tmp_path / "x.sqlite3"))
    assert code == 2 and "not both" in err
    code, _, err = cli("solve", "--db", str(tmp_path / "empty.sqlite3"))
    assert code == 2 and "no working plan yet" in err and "Traceback" not in err
    code, _, err = cli("solve", "--db", f"postgresql://u:pw@/x?host={tmp_path}")
    assert code == 2 and "cannot be reached" in err and ":pw@" not in err
    code, _, err = cli("workspace", "changes", "--db", "mysql://db/x")
    assert code == 2 and "PostgreSQL" in err
