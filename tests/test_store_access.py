"""A scenario file without write access can still be read; writing to it says why it cannot.

chmod does not stop root, and CI runs as root: the reads and writes then run in a forked
process that has given up root (uid and gid of `nobody`), so the file's and folder's modes
apply to it as to any user.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing as mp
import os
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pytest

from optimizer.analysis import summarize
from optimizer.bundle import load_bundle
from optimizer.cli import main
from optimizer.schema import Problem
from optimizer.solve import solve
from optimizer.store import SCHEMA_VERSION, ScenarioStore, StoreError

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
NOBODY = 65534


@pytest.fixture(scope="module")
def solved() -> tuple[Problem, dict]:
    p = load_bundle(SAMPLE)
    return p, summarize(p, solve(p))


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder another user can reach (pytest's own tmp folders are private to their user)."""
    path = Path(tempfile.mkdtemp(prefix="store-access-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for p in [path, *path.iterdir()]:
            p.chmod(stat.S_IRWXU)
        shutil.rmtree(path)


def _run_as_other_user(job: Callable[[], Any], out: Connection) -> None:
    try:
        if os.geteuid() == 0:  # chmod does not stop root: become nobody for good
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        out.send(("ok", job()))
    except BaseException as exc:  # reported to the test, which fails on it
        out.send(("raised", f"{type(exc).__name__}: {exc}"))


def as_other_user(job: Callable[[], Any]) -> Any:
    """Run `job` in a forked process without root's powers; its result, or AssertionError."""
    ctx = mp.get_context("fork")
    here, there = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_run_as_other_user, args=(job, there))
    proc.start()
    there.close()
    kind, value = here.recv()
    proc.join()
    assert kind == "ok", value
    return value


def _store_codes(store: ScenarioStore, solved: tuple[Problem, dict]) -> dict[str, str]:
    """What each write does on `store`: the StoreError code, or 'written'."""
    problem, summary = solved
    actions: dict[str, Callable[[], Any]] = {
        "save": lambda: store.save("c", problem, summary=summary),
        "overwrite": lambda: store.save("a", problem, summary=summary, overwrite=True),
        "rename": lambda: store.rename("a", "z"),
        "duplicate": lambda: store.duplicate("a", "y"),
        "delete": lambda: store.delete("b"),
        "notes": lambda: store.set_notes("a", notes="new"),
    }
    codes = {}
    for name, act in actions.items():
        try:
            act()
            codes[name] = "written"
        except StoreError as exc:
            codes[name] = exc.code
            codes[name + "_en"] = exc.text("en")
            codes[name + "_ru"] = exc.text("ru")
    return codes


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _saved(folder: Path, solved: tuple[Problem, dict]) -> Path:
    path = folder / "scenarios.sqlite3"
    store = ScenarioStore(path)
    problem, summary = solved
    store.save("a", problem, summary=summary, notes="first")
    store.save("b", problem.with_capacity("budget", 300000), summary=summary)
    return path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("folder_writable", [False, True])
def test_a_read_only_file_is_read_and_never_written(folder: Path, solved, folder_writable):
    path = _saved(folder, solved)
    path.chmod(0o444)
    folder.chmod(0o777 if folder_writable else 0o555)
    before = _snapshot(folder)

    def job() -> dict[str, Any]:
        store = ScenarioStore(path)
        problem, _ = store.load("a")
        got: dict[str, Any] = {
            "uid": os.geteuid(),
            "names": sorted(store.names()),
            "exists": store.exists("b"),
            "saved_notes": store.get("a").info.notes,
            "clients": len(problem.clients),
            "cli_list": _cli("scenario", "list", "--db", str(path)),
            "cli_show": _cli("scenario", "show", "a", "--db", str(path)),
            "cli_compare": _cli("scenario", "compare", "a", "b", "--db", str(path)),
            "cli_save": _cli("scenario", "save", str(SAMPLE), "--name", "x", "--db", str(path)),
            "cli_delete_ru": _cli("scenario", "delete", "a", "--db", str(path), "--lang", "ru"),
        }
        got.update(_store_codes(store, solved))
        return got

    got = as_other_user(job)
    assert got["uid"] != 0
    assert got["names"] == ["a", "b"] and got["exists"] is True
    assert got["saved_notes"] == "first" and got["clients"] > 0
    for cmd in ("cli_list", "cli_show", "cli_compare"):
        code, out, err = got[cmd]
        assert code == 0, (cmd, err)
        assert out.strip() and "readonly" not in err
    listed = got["cli_list"][1].splitlines()
    assert [line.split()[0] for line in listed[1:]] == ["b", "a"]  # newest first
    for act in ("save", "overwrite", "rename", "duplicate", "delete", "notes"):
        assert got[act] == "read_only", (act, got)
        assert str(path) in got[act + "_en"] and "read-only" in got[act + "_en"]
        assert "только для чтения" in got[act + "_ru"]
    code, _, err = got["cli_save"]
    assert code == 2 and "read-only" in err and "Traceback" not in err
    code, _, err = got["cli_delete_ru"]
    assert code == 2 and "только для чтения" in err
    if not folder_writable:  # nothing at all beside the file, and the file as it was
        assert _snapshot(folder) == before
    else:  # SQLite may add its shared-memory index beside a WAL file; the data is unchanged
        after = _snapshot(folder)
        assert after["scenarios.sqlite3"] == before["scenarios.sqlite3"]
    assert sorted(ScenarioStore(path).names()) == ["a", "b"]


def test_a_new_file_in_a_read_only_folder(folder: Path, solved):
    folder.chmod(0o555)
    path = folder / "new.sqlite3"

    def job() -> dict[str, Any]:
        store = ScenarioStore(path)
        got: dict[str, Any] = {"names": store.names(), "exists": store.exists("a")}
        try:
            store.save("a", solved[0], summary=solved[1])
            got["save"] = "written"
        except StoreError as exc:
            got["save"] = exc.code
        return got

    assert as_other_user(job) == {"names": [], "exists": False, "save": "read_only"}
    assert list(folder.iterdir()) == []


def test_reads_open_the_file_read_only(tmp_path: Path, solved, monkeypatch):
    """Every read goes through a `mode=ro` URI, whoever runs it."""
    path = _saved(tmp_path, solved)
    opened: list[tuple[str, bool]] = []
    real = sqlite3.connect

    def spy(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        opened.append((str(database), bool(kwargs.get("uri"))))
        return real(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", spy)
    store = ScenarioStore(path)
    store.list()
    store.get("a")
    store.exists("a")
    store.load("b")
    assert store.schema_version() == SCHEMA_VERSION and store.integrity() == "ok"
    assert opened and all(uri and db.endswith("?mode=ro") for db, uri in opened), opened
    opened.clear()
    store.save("c", solved[0], summary=solved[1])
    assert opened and not any(uri for _, uri in opened)  # writes open the file itself


def test_reading_a_file_without_the_schema_creates_nothing(tmp_path: Path):
    """An empty file (a placeholder, or a database another process is about to set up) is
    read as empty, and left as it was: reads do not create the schema or set WAL mode."""
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    store = ScenarioStore(empty)
    assert store.list() == [] and not store.exists("a")
    with pytest.raises(StoreError, match="no scenario named 'a'"):
        store.get("a")
    assert empty.read_bytes() == b""
    assert sorted(os.listdir(tmp_path)) == ["empty.sqlite3"]
