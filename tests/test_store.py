"""Scenario store: round trips, names, schema version, concurrent saves from 8 processes,
saves killed mid-transaction, damaged files, and the `scenario` command line."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from optimizer.analysis import summarize
from optimizer.bundle import load_bundle
from optimizer.schema import Problem, Result
from optimizer.solve import solve
from optimizer.store import (
    SCHEMA_VERSION,
    SQLITE_HEADER,
    ScenarioStore,
    StoreError,
    db_path_from,
    default_db_path,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


@pytest.fixture(autouse=True)
def _spawn_without_main() -> Iterator[None]:
    """Spawned workers import their target by module, never by re-running `__main__`: in a
    test process `__main__` may be a script another test left behind (Streamlit's AppTest)."""
    main = sys.modules["__main__"]
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


@pytest.fixture(scope="module")
def solved() -> tuple[Problem, Result]:
    p = load_bundle(SAMPLE)
    return p, solve(p)


@pytest.fixture()
def store(tmp_path: Path) -> ScenarioStore:
    return ScenarioStore(tmp_path / "scenarios.sqlite3")


# ---- round trips and names ------------------------------------------------------------------
def test_save_and_load_round_trip(store: ScenarioStore, solved) -> None:
    p, r = solved
    info = store.save(
        "Q3 plan",
        p,
        r,
        notes="agreed with sales",
        client_notes={"hartwell": "trial unit late", "brennmoor": ""},
    )
    assert info.name == "Q3 plan" and info.status == "optimal"
    assert datetime.fromisoformat(info.saved_at).utcoffset().total_seconds() == 0
    loaded, sc = store.load("Q3 plan")
    assert loaded.fingerprint() == p.fingerprint() == sc.info.fingerprint
    assert loaded.relationship is not None  # the checklist travels with the inputs
    assert sc.info.notes == "agreed with sales"
    assert sc.client_notes == {"hartwell": "trial unit late"}  # blank notes are not kept
    assert sc.summary == json.loads(json.dumps(summarize(p, r)))
    # The reloaded inputs solve to the same plan.
    assert solve(loaded).objective == pytest.approx(r.objective, rel=1e-9)


def test_list_rename_duplicate_delete(store: ScenarioStore, solved) -> None:
    p, r = solved
    store.save("a", p, r)
    cut = p.with_capacity("budget", 300_000)
    store.save("b", cut, solve(cut), notes="budget cut")
    assert store.names() == ["b", "a"]  # newest first
    with pytest.raises(StoreError, match="already exists"):
        store.save("a", p, r)
    store.save("a", cut, solve(cut), overwrite=True)
    assert store.get("a").info.fingerprint == cut.fingerprint()
    store.rename("b", "b2")
    with pytest.raises(StoreError, match="already exists"):
        store.rename("a", "b2")
    with pytest.raises(StoreError, match="no scenario named 'zzz'"):
        store.rename("zzz", "y")
    info = store.duplicate("b2", "b3")
    assert store.get("b3").summary == store.get("b2").summary
    assert store.get("b3").info.notes == "budget cut" and info.name == "b3"
    store.delete("b2")
    assert sorted(store.names()) == ["a", "b3"]
    with pytest.raises(StoreError):
        store.delete("b2")
    with pytest.raises(StoreError, match="needs a name"):
        store.save("   ", p, r)
    store.set_notes("a", notes="new", client_notes={"hartwell": "x"})
    assert store.get("a").info.notes == "new" and store.get("a").client_notes == {"hartwell": "x"}


def test_a_scenario_without_a_plan_is_kept_with_its_explanation(
    store: ScenarioStore, solved
) -> None:
    p, _ = solved
    bad = p.with_capacity("budget", 0)
    r = solve(bad)
    assert not r.has_plan
    store.save("impossible", bad, r)
    sc = store.get("impossible")
    assert sc.info.status == "infeasible" and sc.info.objective is None
    assert sc.summary["explanation"]


def test_file_is_sqlite_with_wal_and_schema_version(store: ScenarioStore, solved) -> None:
    store.save("a", *solved)
    assert store.path.read_bytes()[:16] == SQLITE_HEADER
    assert store.schema_version() == SCHEMA_VERSION
    assert store.integrity() == "ok"
    con = sqlite3.connect(store.path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        meta = dict(con.execute("SELECT key, value FROM meta"))
        assert meta["schema_version"] == str(SCHEMA_VERSION)
    finally:
        con.close()


def test_a_newer_schema_is_refused(tmp_path: Path, solved) -> None:
    path = tmp_path / "newer.sqlite3"
    ScenarioStore(path).save("a", *solved)
    con = sqlite3.connect(path)  # a revision of the migrations this release does not have
    with con:
        con.execute("UPDATE alembic_version SET version_num = ?", (f"{SCHEMA_VERSION + 1:04d}",))
    con.close()
    with pytest.raises(StoreError, match="newer version"):
        ScenarioStore(path).list()


def test_another_programs_database_is_left_alone(tmp_path: Path, solved) -> None:
    path = tmp_path / "other.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="something else"):
        ScenarioStore(path).save("a", *solved)
    assert path.read_bytes() == before


def test_a_corrupted_file_gets_a_clear_error_and_is_not_touched(tmp_path: Path, solved) -> None:
    path = tmp_path / "scenarios.sqlite3"
    path.write_bytes(random.Random(0).randbytes(64 * 1024))
    before = path.read_bytes()
    st = ScenarioStore(path)
    for action in (
        st.list,
        lambda: st.save("a", *solved),
        lambda: st.get("a"),
        lambda: st.delete("a"),
    ):
        with pytest.raises(StoreError, match="not a scenario database"):
            action()
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["scenarios.sqlite3"]  # no journal beside it


def test_a_damaged_database_gets_a_clear_error(tmp_path: Path, solved) -> None:
    path = tmp_path / "scenarios.sqlite3"
    st = ScenarioStore(path)
    for i in range(3):
        st.save(f"s{i}", *solved)
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    raw = bytearray(path.read_bytes())
    raw[100:] = random.Random(1).randbytes(len(raw) - 100)  # keep only the 100-byte header
    path.write_bytes(bytes(raw))
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"cannot be used|not a scenario database"):
        ScenarioStore(path).list()
    assert path.read_bytes() == before


def test_db_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("RISK_PLANNER_DB", raising=False)
    assert default_db_path().name == "scenarios.sqlite3"
    assert default_db_path().parent.name == "risk-planner"
    assert db_path_from("sqlite:////tmp/x.db") == Path("/tmp/x.db")
    assert db_path_from("/tmp/y.sqlite3") == Path("/tmp/y.sqlite3")
    with pytest.raises(StoreError, match="only SQLite"):
        db_path_from("postgresql://host/db")
    monkeypatch.setenv("RISK_PLANNER_DB", str(tmp_path / "team.sqlite3"))
    assert default_db_path() == tmp_path / "team.sqlite3"


def test_reading_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    st = ScenarioStore(tmp_path / "sub" / "none.sqlite3")
    assert st.list() == [] and not st.exists("a")
    with pytest.raises(StoreError, match="no scenario named 'a'"):
        st.get("a")
    with pytest.raises(StoreError, match="no scenario named 'a'"):
        st.delete("a")
    assert not (tmp_path / "sub").exists()


# ---- several processes at once --------------------------------------------------------------
def _save_worker(path: str, name: str, problem: Problem, summary: dict, barrier) -> None:
    barrier.wait(timeout=60)
    ScenarioStore(path).save(name, problem, summary=summary, notes=name)


def test_eight_processes_saving_at_once_all_land(tmp_path: Path, solved) -> None:
    p, r = solved
    path = str(tmp_path / "shared.sqlite3")
    summary = summarize(p, r)
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(8)
    procs = [
        ctx.Process(target=_save_worker, args=(path, f"plan {i}", p, summary, barrier))
        for i in range(8)
    ]
    for pr in procs:
        pr.start()
    for pr in procs:
        pr.join(timeout=180)
    assert [pr.exitcode for pr in procs] == [0] * 8
    st = ScenarioStore(path)
    assert sorted(st.names()) == sorted(f"plan {i}" for i in range(8))
    assert st.integrity() == "ok"
    for i in range(8):
        assert st.get(f"plan {i}").summary == json.loads(json.dumps(summary))


# ---- a save killed mid-way ------------------------------------------------------------------
BIG_NOTES = 40 * 1024 * 1024  # far more than SQLite's page cache: pages reach the WAL file


class _StallingStore(ScenarioStore):
    """Writes the row, says so, then hangs inside the open transaction."""

    def __init__(self, path: str, ready) -> None:
        super().__init__(path)
        self.ready = ready

    def _insert(self, conn, record) -> None:
        super()._insert(conn, record)
        self.ready.set()
        time.sleep(600)


def _stalling_worker(path: str, problem: Problem, summary: dict, ready) -> None:
    _StallingStore(path, ready).save("big", problem, summary=summary, notes="x" * BIG_NOTES)


def test_a_save_killed_inside_its_transaction_leaves_nothing(tmp_path: Path, solved) -> None:
    p, r = solved
    path = tmp_path / "scenarios.sqlite3"
    ScenarioStore(path).save("before", p, r)
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    child = ctx.Process(target=_stalling_worker, args=(str(path), p, summarize(p, r), ready))
    child.start()
    assert ready.wait(timeout=120), "the save never reached its transaction"
    wal = Path(f"{path}-wal")
    assert wal.exists() and wal.stat().st_size > 1024 * 1024  # uncommitted pages on disk
    os.kill(child.pid, signal.SIGKILL)
    child.join(timeout=30)
    assert child.exitcode == -signal.SIGKILL
    st = ScenarioStore(path)
    assert st.integrity() == "ok"
    assert st.names() == ["before"]
    st.save("after", p, r)  # the store still works
    assert sorted(st.names()) == ["after", "before"]


def _looping_worker(path: str, problem: Problem, summary: dict, committed: Connection) -> None:
    """Save `loop 0`, `loop 1`, ... until killed; after each save returns (its transaction
    committed), send its number and the time."""
    st = ScenarioStore(path)
    for i in range(10_000):
        st.save(f"loop {i}", problem, summary=summary, notes=f"{i}:" + "y" * 2_000_000)
        committed.send((i, time.monotonic()))


def _reports(conn: Connection, timeout_s: float) -> list[tuple[int, float]]:
    """The reports waiting in `conn`, after waiting up to `timeout_s` for the first."""
    out: list[tuple[int, float]] = []
    wait = timeout_s
    while conn.poll(wait):
        try:
            out.append(conn.recv())
        except EOFError:  # the worker is gone and everything it sent has been read
            break
        wait = 0
    return out


def test_saves_killed_at_random_moments_are_whole_or_absent(tmp_path: Path, solved) -> None:
    p, r = solved
    path = tmp_path / "scenarios.sqlite3"
    summary = summarize(p, r)
    whole_summary = json.loads(json.dumps(summary))
    ctx = mp.get_context("spawn")
    rng = random.Random(7)
    for _ in range(3):
        # Kill after a random number of committed saves, at a random moment of the next one.
        target = rng.randint(2, 6)
        recv_end, send_end = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_looping_worker, args=(str(path), p, summary, send_end))
        child.start()
        send_end.close()  # the worker holds the only writing end: EOF once it is gone
        reports: list[tuple[int, float]] = []
        deadline = time.monotonic() + 120
        while len(reports) < target and time.monotonic() < deadline:
            reports += _reports(recv_end, deadline - time.monotonic())
        assert len(reports) >= target, f"only {len(reports)} saves committed in 120 s"
        times = [t for _, t in reports]
        one_save = (times[-1] - times[0]) / (len(times) - 1)
        time.sleep(rng.uniform(0, one_save))  # where in the next save the kill falls
        os.kill(child.pid, signal.SIGKILL)
        child.join(timeout=30)
        assert child.exitcode == -signal.SIGKILL  # killed while still saving
        reports += _reports(recv_end, 0)  # sent between the last read and the kill
        recv_end.close()
        committed = {i for i, _ in reports}
        assert committed == set(range(len(committed)))

        st = ScenarioStore(path)
        assert st.integrity() == "ok"
        landed = {int(name.split()[1]) for name in st.names()}
        # Every save that returned is there; the one cut short is there whole or not at all.
        assert committed <= landed <= committed | {len(committed)}
        for i in sorted(landed):
            sc = st.get(f"loop {i}")
            assert sc.info.notes == f"{i}:" + "y" * 2_000_000
            assert sc.info.fingerprint == p.fingerprint()
            assert sc.summary == whole_summary
        assert st.get(f"loop {max(landed)}").problem().fingerprint() == p.fingerprint()
        # Each round overwrites the same names from 0, so clear them for the next round.
        for name in st.names():
            st.delete(name)


# ---- command line ---------------------------------------------------------------------------
def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full.pop("RISK_PLANNER_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *args],
        capture_output=True,
        text=True,
        env=full,
        cwd=ROOT,
        timeout=300,
    )


def test_cli_scenarios(tmp_path: Path) -> None:
    db = str(tmp_path / "s.sqlite3")
    p = run_cli(
        "scenario",
        "save",
        str(SAMPLE),
        "--name",
        "base",
        "--notes",
        "as planned",
        "--client-note",
        "hartwell=call back",
        "--db",
        db,
    )
    assert p.returncode == 0, p.stderr
    p = run_cli(
        "scenario", "save", str(SAMPLE), "--name", "cut", "--set", "budget=350000", "--db", db
    )
    assert p.returncode == 0, p.stderr
    p = run_cli("scenario", "list", "--db", db, "--json")
    listed = json.loads(p.stdout)
    assert [s["name"] for s in listed] == ["cut", "base"]
    assert all("saved_at" in s for s in listed)
    p = run_cli("scenario", "show", "base", "--db", db, "--json")
    shown = json.loads(p.stdout)
    assert shown["notes"] == "as planned" and shown["client_notes"] == {"hartwell": "call back"}
    p = run_cli("scenario", "compare", "base", "cut", "--db", db, "--json")
    assert p.returncode == 0, p.stderr
    diff = json.loads(p.stdout)
    kpi = {k["metric"]: k for k in diff["kpis"]}
    assert kpi["money_spent"]["b"] == pytest.approx(350_000)
    assert kpi["objective"]["delta"] < 0
    assert diff["inputs"] == [
        {
            "table": "resources",
            "key": "budget",
            "column": "capacity",
            "a": "480000",
            "b": "350000",
            "change": "changed",
        }
    ]
    assert diff["cells"] and all(c["change"] != "same" for c in diff["cells"])
    p = run_cli("scenario", "compare", "base", "cut", "--db", db)
    assert "input(s) changed" in p.stdout and "budget" in p.stdout
    assert run_cli("scenario", "rename", "cut", "cut 2", "--db", db).returncode == 0
    assert run_cli("scenario", "duplicate", "base", "base copy", "--db", db).returncode == 0
    assert run_cli("scenario", "delete", "base", "--db", db).returncode == 0
    out = tmp_path / "bundle"
    p = run_cli("scenario", "load", "cut 2", "--out", str(out), "--db", db)
    assert p.returncode == 0, p.stderr
    assert load_bundle(out).resources.at["budget", "capacity"] == 350_000
    names = [
        s["name"] for s in json.loads(run_cli("scenario", "list", "--db", db, "--json").stdout)
    ]
    assert sorted(names) == ["base copy", "cut 2"]
    p = run_cli("scenario", "show", "nope", "--db", db)
    assert p.returncode == 2 and "no scenario named 'nope'" in p.stderr
    p = run_cli("scenario", "save", str(SAMPLE), "--name", "cut 2", "--db", db)
    assert p.returncode == 2 and "already exists" in p.stderr


def test_cli_corrupted_db_and_default_location(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    before = bad.read_bytes()
    p = run_cli("scenario", "list", "--db", str(bad))
    assert p.returncode == 2 and "not a scenario database" in p.stderr
    assert "Traceback" not in p.stderr
    assert bad.read_bytes() == before
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)}
    p = run_cli("scenario", "list", env=env)
    assert p.returncode == 0, p.stderr
    assert str(tmp_path / "data" / "risk-planner" / "scenarios.sqlite3") in p.stdout


# ---- the Scenarios tab in AppTest -----------------------------------------------------------
def _scenarios_app(db: Path, monkeypatch: pytest.MonkeyPatch):
    from streamlit.testing.v1 import AppTest

    from ui import state

    monkeypatch.setenv("RISK_PLANNER_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.session_state[state.OPEN_TAB_KEY] = "scenarios"
    return at.run()


def _texts(at) -> str:
    return "\n".join(
        str(e.value)
        for kind in ("error", "warning", "info", "success", "markdown", "caption")
        for e in getattr(at, kind)
    )


def test_scenarios_tab_saves_compares_and_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, solved
) -> None:
    from ui import state

    p, _ = solved
    db = tmp_path / "team.sqlite3"
    at = _scenarios_app(db, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert str(db) in _texts(at)  # the page says where the scenarios are kept
    assert not db.exists()  # nothing is written before the first save
    at.text_input(key="scenario_name").set_value("Q3 as planned").run()
    at.text_area(key="scenario_notes").set_value("agreed on Monday").run()
    at.button(key="scenario_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Saved 'Q3 as planned'" in _texts(at)
    saved = ScenarioStore(db).get("Q3 as planned")
    assert saved.info.notes == "agreed on Monday"
    assert saved.info.fingerprint == p.fingerprint()
    # Cut the budget in the sidebar: the current plan against the saved one.
    at.number_input(key=state.cap_key("budget")).set_value(360_000).run()
    at.selectbox(key="scenario_cmp_a").set_value("Q3 as planned").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Inputs that differ: 1" in _texts(at)
    cut = solve(p.with_capacity("budget", 360_000))
    shown = {m.label: m.value for m in at.metric}
    from ui.text import fmt_num

    assert shown["Money spent"] == fmt_num(cut.money_spent, "en", 0)
    assert at.get("plotly_chart")  # the chart of the change per client
    # Loading the saved scenario brings its budget back.
    at.button(key="scenario_load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    res = at.session_state[state.TABLES_KEY]["resources"]
    assert float(res.loc[res["resource_id"] == "budget", "capacity"].item()) == 480_000
    assert "Loaded 'Q3 as planned'" in _texts(at)
    # Duplicate, rename, delete.
    at.text_input(key="scenario_copy_name").set_value("copy").run()
    at.button(key="scenario_duplicate").click().run()
    at.text_input(key="scenario_new_name").set_value("copy 2").run()
    at.button(key="scenario_rename").click().run()
    assert sorted(ScenarioStore(db).names()) == ["Q3 as planned", "copy 2"]
    at.button(key="scenario_delete").click().run()
    assert "Tick the box" in _texts(at)
    at.checkbox(key="scenario_confirm_delete").check().run()
    at.button(key="scenario_delete").click().run()
    assert ScenarioStore(db).names() == ["Q3 as planned"]
    assert not at.exception, [e.value for e in at.exception]


def test_a_damaged_scenario_file_leaves_the_dashboard_working(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import state

    db = tmp_path / "scenarios.sqlite3"
    db.write_bytes(random.Random(3).randbytes(8192))
    before = db.read_bytes()
    at = _scenarios_app(db, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert any("cannot be used" in str(e.value) for e in at.error)
    assert "Everything else works" in _texts(at)
    at.session_state[state.OPEN_TAB_KEY] = "plan"
    at.run()
    assert not at.exception and len(at.metric) > 0
    assert db.read_bytes() == before


def test_store_errors_carry_a_code_the_page_translates(tmp_path: Path, solved) -> None:
    from ui.scenarios import store_message
    from ui.text import Translator

    st = ScenarioStore(tmp_path / "s.sqlite3")
    st.save("a", *solved)
    with pytest.raises(StoreError) as taken:
        st.save("a", *solved)
    with pytest.raises(StoreError) as missing:
        st.get("b")
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"\x00" * 4096)
    with pytest.raises(StoreError) as not_db:
        ScenarioStore(bad).list()
    assert (taken.value.code, missing.value.code, not_db.value.code) == (
        "exists",
        "missing",
        "not_db",
    )
    ru = Translator("ru")
    assert (
        store_message(taken.value, ru) == "сценарий «a» уже есть (отметьте «Заменить», "
        "чтобы перезаписать)."
    )
    assert str(bad) in store_message(not_db.value, ru)
    assert store_message(missing.value, Translator("en")) == "there is no scenario named 'b'."
