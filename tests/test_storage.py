"""The storage on both engines (an SQLite file and a real PostgreSQL server started by
tests/pg.py): scenarios, the shared working plan, the team; 8 concurrent writers, writers
killed mid-transaction, same-cell conflicts, a database that goes away mid-session, the
migration of a scenario file from before migrations, and where the database is named."""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import signal
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from optimizer.analysis import diff_inputs, summarize
from optimizer.bundle import load_bundle
from optimizer.schema import CLIENT_ID, NAME, Problem
from optimizer.solve import solve
from optimizer.storage import Database, StoreError, dispose_engines, target_from
from optimizer.storage.tables import ws_cells, ws_changes
from optimizer.store import SCHEMA_VERSION, ScenarioStore
from optimizer.team import Member, Team, edit_as, member_changes, member_problem, member_tables
from optimizer.workspace import EditConflict, Workspace, problem_tables
from pg import PgCluster

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
LEGACY = ROOT / "tests" / "fixtures" / "scenarios_v1.sqlite3"  # written by the release before


@pytest.fixture(autouse=True)
def _spawn_without_main() -> Iterator[None]:
    """Spawned workers import their target by module, never by re-running `__main__`."""
    main = sys.modules["__main__"]
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


@pytest.fixture
def target(db_target: str) -> str:
    """The database of one test, on each engine (tests/pg.py)."""
    return db_target


@pytest.fixture(scope="module")
def sample() -> Problem:
    return load_bundle(SAMPLE)


@pytest.fixture(scope="module")
def summary(sample: Problem) -> dict[str, Any]:
    return summarize(sample, solve(sample))


# ---- scenarios and the working plan on both engines ---------------------------------------------
def test_scenarios_on_both_engines(target: str, sample: Problem, summary: dict) -> None:
    st = ScenarioStore(target)
    assert st.list() == [] and not st.exists("a")  # nothing created by reading
    st.save("a", sample, summary=summary, notes="first", client_notes={"hartwell": "x"})
    cut = sample.with_capacity("budget", 300_000)
    st.save("b", cut, summary=summary)
    assert st.names() == ["b", "a"]
    with pytest.raises(StoreError) as taken:
        st.save("a", sample, summary=summary)
    assert taken.value.code == "exists"
    st.save("a", cut, summary=summary, overwrite=True)
    assert st.get("a").info.fingerprint == cut.fingerprint()
    st.rename("b", "b2")
    assert st.duplicate("b2", "b3").name == "b3"
    st.set_notes("b3", notes="copy", client_notes={"brennmoor": "y"})
    assert st.get("b3").client_notes == {"brennmoor": "y"}
    st.delete("b2")
    assert sorted(st.names()) == ["a", "b3"]
    assert st.load("b3")[0].fingerprint() == cut.fingerprint()
    assert st.schema_version() == SCHEMA_VERSION and st.integrity() == "ok"


def test_the_working_plan_round_trips(target: str, sample: Problem, tmp_path: Path) -> None:
    ws = Workspace(target)
    assert ws.is_empty()
    with pytest.raises(StoreError) as empty:
        ws.problem()
    assert empty.value.code == "ws_empty"
    assert ws.import_bundle(SAMPLE, "director@x.com") == 0
    assert ws.problem().fingerprint() == sample.fingerprint()
    for out in (tmp_path / "folder", tmp_path / "plan.xlsx", tmp_path / "plan.zip"):
        ws.export(out)
        assert load_bundle(out).fingerprint() == sample.fingerprint()
    # Every table of the bundle, cell by cell: the database holds each CSV cell's text.
    tables = problem_tables(sample)
    with ws.db.read() as conn:
        assert conn is not None
        n = conn.execute(sa.select(sa.func.count()).select_from(ws_cells)).scalar()
    assert n == sum(f.size for f in tables.values())
    [imported] = ws.changes()
    assert (imported.kind, imported.who, imported.new) == (
        "import",
        "director@x.com",
        "sample_data",
    )


def test_same_cell_edits_one_wins_the_other_is_told(target: str) -> None:
    ws = Workspace(target)
    ws.import_bundle(SAMPLE, "director@x.com")
    a = ws.set_cell("values", "hartwell/demo", "value", "39", "45", who="anna@x.com")
    assert a is not None and (a.old, a.new, a.client_id) == ("39", "45", "hartwell")
    b = ws.set_cell("values", "brennmoor/demo", "max_units", "", "1", who="boris@x.com")
    assert b is not None  # a different cell: both land
    with pytest.raises(EditConflict) as stale:
        ws.set_cell("values", "hartwell/demo", "value", "39", "50", who="boris@x.com")
    err = stale.value
    assert (err.code, err.current, err.set_by, err.value) == (
        "ws_conflict",
        "45",
        "anna@x.com",
        "50",
    )
    assert "anna@x.com" in err.text("en") and "45" in err.text("ru")
    cell = ws.cell("values", "hartwell/demo", "value")
    assert (cell.value, cell.set_by) == ("45", "anna@x.com")
    p = ws.problem()
    assert p.values.at[("hartwell", "demo"), "value"] == 45
    sets = [(c.who, c.key, c.column, c.old, c.new) for c in ws.changes() if c.kind == "set"]
    assert sets == [
        ("anna@x.com", "hartwell/demo", "value", "39", "45"),
        ("boris@x.com", "brennmoor/demo", "max_units", "", "1"),
    ]
    with pytest.raises(StoreError) as no_cell:
        ws.set_cell("values", "nobody/demo", "value", "1", "2", who="x")
    assert no_cell.value.code == "ws_no_cell"
    with pytest.raises(StoreError) as key:
        ws.set_cell("clients", "hartwell", "client_id", "hartwell", "h2", who="x")
    assert key.value.code == "ws_key_column"
    # A re-import logs every cell it changed, with the client each row is about.
    assert ws.import_bundle(SAMPLE, "director@x.com") == 2
    last = [c for c in ws.changes() if c.kind == "set"][-2:]
    assert {(c.key, c.old, c.new, c.client_id) for c in last} == {
        ("hartwell/demo", "45", "39", "hartwell"),
        ("brennmoor/demo", "1", "", "brennmoor"),
    }


def test_changes_since_a_date_or_a_scenario(target: str, sample: Problem, summary) -> None:
    ws = Workspace(target)
    ws.import_bundle(SAMPLE, "director@x.com")
    ScenarioStore(ws.db).save("monday", sample, summary=summary)
    ws.set_cell("resources", "budget", "capacity", "480000", "450000", who="dana@x.com")
    since = ws.changes(since="monday")
    assert [(c.who, c.new) for c in since] == [("dana@x.com", "450000")]
    assert len(ws.changes(since="2000-01-01")) == 2
    assert ws.changes(since="2999-01-01") == []
    with pytest.raises(StoreError) as bad:
        ws.changes(since="no such scenario")
    assert bad.value.code == "ws_since"


# ---- 8 writers at once ------------------------------------------------------------------------
def _writer(target: str, i: int, own: str | None, problem: Problem, barrier: Any, out: Any) -> None:
    ws = Workspace(target)
    barrier.wait(timeout=120)
    got: dict[str, Any] = {"i": i}
    try:  # all eight edit the same cell, each having seen its first value
        ws.set_cell("resources", "budget", "capacity", "480000", str(400_000 + i), who=f"w{i}")
        got["same"] = "won"
    except EditConflict as exc:
        got["same"] = ("refused", exc.current, exc.set_by)
    if own is not None:  # and seven of them a cell of their own
        ws.set_cell("clients", own, "min_value_share", "0.0", f"0.{i + 1}", who=f"w{i}")
    ScenarioStore(ws.db).save(f"plan {i}", problem, summary={"status": "optimal"})
    out.put(got)


def test_eight_writers_at_once(target: str, sample: Problem) -> None:
    ws = Workspace(target)
    ws.import_bundle(SAMPLE, "director@x.com")
    own = [*list(load_bundle(SAMPLE).clients.index[:7]), None]
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(8), ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(target, i, own[i], sample, barrier, out))
        for i in range(8)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0] * 8
    winners = [r["i"] for r in results if r["same"] == "won"]
    assert len(winners) == 1
    win = winners[0]
    refused = [r["same"] for r in results if r["same"] != "won"]
    assert refused == [("refused", str(400_000 + win), f"w{win}")] * 7
    assert ws.cell("resources", "budget", "capacity").value == str(400_000 + win)
    assert sorted(ScenarioStore(target).names()) == sorted(f"plan {i}" for i in range(8))
    for i in range(7):
        cell = ws.cell("clients", str(own[i]), "min_value_share")
        assert (cell.value, cell.set_by) == (f"0.{i + 1}", f"w{i}")
    assert ws.problem().clients.at[str(own[0]), "min_value_share"] == pytest.approx(0.1)
    log = [c for c in ws.changes() if c.kind == "set"]
    assert len(log) == 8 and {c.who for c in log} == {f"w{i}" for i in range(7)} | {f"w{win}"}


# ---- a writer killed inside its transaction ---------------------------------------------------
def _killed_writer(target: str, ready: Any) -> None:
    ws = Workspace(target)
    with ws.db.write() as conn:
        conn.execute(ws_cells.update().values(value="999", set_by="killed"))
        conn.execute(
            ws_changes.insert(),
            [{"at": "x", "who": "killed", "kind": "set", "tbl": "t", "row_key": "k", "col": "c"}],
        )
        ready.set()
        time.sleep(600)


def test_a_writer_killed_mid_transaction_leaves_nothing(target: str, sample: Problem) -> None:
    ws = Workspace(target)
    ws.import_bundle(SAMPLE, "director@x.com")
    before = ws.changes()
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    child = ctx.Process(target=_killed_writer, args=(target, ready))
    child.start()
    assert ready.wait(timeout=120), "the writer never reached its transaction"
    os.kill(child.pid or 0, signal.SIGKILL)
    child.join(timeout=30)
    assert child.exitcode == -signal.SIGKILL
    assert ws.problem().fingerprint() == sample.fingerprint()
    assert ws.changes() == before
    # The killed writer's locks are gone: the next edit lands at once.
    start = time.monotonic()
    ws.set_cell("resources", "budget", "capacity", "480000", "470000", who="after")
    assert time.monotonic() - start < 10
    assert ws.db.integrity() == "ok"


# ---- a database that goes away ------------------------------------------------------------------
def test_a_server_that_goes_away_mid_session(pg_cluster: PgCluster, pg_url: str, sample) -> None:
    ws = Workspace(pg_url)
    ws.import_bundle(SAMPLE, "director@x.com")
    try:
        with pytest.raises(StoreError) as gone, ws.db.write() as conn:
            conn.execute(ws_cells.update().values(value="999"))
            pg_cluster.stop("immediate")  # the server dies before the commit
        assert gone.value.code == "unreachable"
        assert "cannot be reached" in gone.value.text("en")
        assert "недоступна" in gone.value.text("ru")
        with pytest.raises(StoreError) as down:  # every call while it is down says so
            ws.tables()
        assert down.value.code == "unreachable"
        with pytest.raises(StoreError) as down:
            ScenarioStore(pg_url).save("x", sample, summary={"status": "optimal"})
        assert down.value.code == "unreachable"
    finally:
        pg_cluster.start()
    # Back up: nothing of the cut-short transaction, and the same objects work again.
    assert ws.problem().fingerprint() == sample.fingerprint()
    ws.set_cell("resources", "budget", "capacity", "480000", "470000", who="after")
    assert ws.cell("resources", "budget", "capacity").value == "470000"


def test_a_file_that_goes_away_or_is_replaced_mid_session(tmp_path: Path, sample) -> None:
    folder = tmp_path / "share"
    path = folder / "team.sqlite3"
    ws = Workspace(path)
    ws.import_bundle(SAMPLE, "director@x.com")
    shutil.rmtree(folder)  # the shared drive is gone: reads say so, nothing is half-written
    with pytest.raises(StoreError) as gone:
        ws.problem()
    assert gone.value.code == "ws_empty" and str(path) in gone.value.text("en")
    folder.mkdir()
    path.write_bytes(b"not a database at all" * 100)  # something else in its place
    for act in (ws.problem, lambda: ws.import_bundle(SAMPLE, "x")):
        with pytest.raises(StoreError) as other:
            act()
        assert other.value.code == "not_db"
    assert path.read_bytes() == b"not a database at all" * 100


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://planner:s3cret@/plans?host={tmp_path}&port=5999"
    for act in (
        lambda: ScenarioStore(url).list(),
        lambda: Workspace(url).import_bundle(SAMPLE, "x"),
    ):
        with pytest.raises(StoreError) as err:
            act()
        assert err.value.code == "unreachable"
        assert "s3cret" not in err.value.text("en") and "plans" in err.value.text("en")


def test_another_programs_postgres_database_is_left_alone(pg_cluster, pg_url, sample) -> None:
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE invoices (id integer)")
    with pytest.raises(StoreError) as err:
        ScenarioStore(pg_url).save("a", sample, summary={"status": "optimal"})
    assert err.value.code == "foreign"
    with engine.connect() as conn:
        assert set(sa.inspect(conn).get_table_names()) == {"invoices"}
    engine.dispose()


# ---- the scenario file of the release before migrations -----------------------------------------
def test_a_scenario_file_from_before_migrations_is_read_then_upgraded(
    tmp_path: Path, sample: Problem
) -> None:
    path = tmp_path / "scenarios.sqlite3"
    shutil.copy(LEGACY, path)
    before = path.read_bytes()
    st = ScenarioStore(path)
    # Reading does not migrate: the file stays byte for byte as it was.
    assert st.names() == ["budget cut", "Q3 as planned"]
    assert st.get("Q3 as planned").client_notes == {"hartwell": "call back"}
    assert st.schema_version() == 1
    assert Workspace(path).is_empty() and Team(path).list() == []
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == [path.name]
    # The first write upgrades it in place, keeping every scenario.
    st.save("after", sample, summary=summarize(sample, solve(sample)))
    assert st.schema_version() == SCHEMA_VERSION
    assert st.names() == ["after", "budget cut", "Q3 as planned"]
    old, sc = st.load("Q3 as planned")
    assert old.fingerprint() == sample.fingerprint() and sc.info.notes == "agreed on Monday"
    cut = st.get("budget cut")
    assert diff_inputs(sc.tables, cut.tables, sc.settings, cut.settings)["b"].tolist() == ["350000"]
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0002"
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert dict(con.execute("SELECT key, value FROM meta"))["schema_version"] == "2"
    finally:
        con.close()
    Workspace(path).import_bundle(SAMPLE, "director@x.com")  # the new tables are there
    assert st.integrity() == "ok"


def test_a_file_of_a_newer_release_from_before_migrations_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scenarios.sqlite3"
    shutil.copy(LEGACY, path)
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 7")
    con.close()
    before = path.read_bytes()
    for act in (ScenarioStore(path).list, lambda: Workspace(path).import_bundle(SAMPLE, "x")):
        with pytest.raises(StoreError) as err:
            act()
        assert err.value.code == "newer"
    assert path.read_bytes() == before


# ---- the team ---------------------------------------------------------------------------------
def test_team_members_and_what_a_planner_sees(target: str, sample: Problem) -> None:
    ws = Workspace(target)
    ws.import_bundle(SAMPLE, "director@x.com")
    team = Team(ws.db)
    d, new = team.add("Director@X.com", "director", by="setup")
    assert new and d.email == "director@x.com"
    team.add("anna@x.com", "planner", ["hartwell", "brennmoor"])
    team.add("vera@x.com", "viewer")
    assert [m.email for m in team.list()] == ["anna@x.com", "director@x.com", "vera@x.com"]
    for bad, code in (
        (("x@y.z", "boss"), "team_role"),
        (("not-an-email", "viewer"), "team_email"),
        (("p@x.com", "planner"), "team_no_clients"),
        (("p@x.com", "viewer", ["hartwell"]), "team_clients_not_planner"),
        (("p@x.com", "planner", ["nobody"]), "team_unknown_clients"),
    ):
        with pytest.raises(StoreError) as err:
            team.add(*bad)  # type: ignore[arg-type]
        assert err.value.code == code, bad
    again, new = team.add("anna@x.com", "planner", ["hartwell"])
    assert not new and again.clients == ("hartwell",)
    team.remove("vera@x.com")
    with pytest.raises(StoreError) as gone:
        team.remove("vera@x.com")
    assert gone.value.code == "team_missing"
    assert team.find("vera@x.com") is None

    # A planner's view: their client's rows in every table, nothing naming another client.
    view = member_problem(ws.problem(), again)
    assert list(view.clients.index) == ["hartwell"]
    others = sample.clients.drop(index="hartwell")
    shown = member_tables(problem_tables(sample), again)
    text = "\n".join(f.to_csv(index=False) for f in shown.values())
    for cid, name in zip(others.index, others[NAME]):
        assert cid not in text and name not in text, cid
    assert set(shown["values"][CLIENT_ID]) == {"hartwell"}
    assert len(shown["resources"]) == len(sample.resources)  # the pools are shared
    # A shared table's text that names another client is not shown to this planner.
    named = problem_tables(sample)
    named["methods"].loc[0, NAME] = "Brennmoor Pump Works special"
    named["methods"].loc[1, "unit"] = "visit at BRENNMOOR"
    named["methods"].loc[2, NAME] = "as agreed with hartwell"  # their own client: kept
    seen = member_tables(named, again)["methods"]
    assert seen.loc[0, NAME] == seen.loc[0, "method_id"] and seen.loc[1, "unit"] == ""
    assert seen.loc[2, NAME] == "as agreed with hartwell"
    assert member_tables(named, d)["methods"].loc[0, NAME] == "Brennmoor Pump Works special"
    assert member_problem(sample, d) is sample

    # Edits by role: a planner only their clients' rows, a viewer nothing.
    edit_as(ws, again, "values", "hartwell/demo", "value", "39", "41")
    for who, table, key in (
        (again, "values", "brennmoor/demo"),
        (again, "resources", "budget"),
        (Member("v@x.com", "viewer"), "values", "hartwell/demo"),
    ):
        with pytest.raises(StoreError) as denied:
            edit_as(ws, who, table, key, "value" if table == "values" else "capacity", "x", "y")
        assert denied.value.code == "team_denied"
    ws.set_cell("methods", "demo", NAME, "Free demonstration", "Brennmoor's demo", who="d@x.com")
    seen_by_anna = member_changes(ws.changes(), again, ws.tables()[0])
    assert all(c.client_id in (None, "hartwell") for c in seen_by_anna)
    assert any(c.who == "anna@x.com" for c in seen_by_anna)
    renamed = [c for c in seen_by_anna if c.key == "demo" and c.table == "methods"]
    assert [(c.old, c.new) for c in renamed] == [("Free demonstration", "")]


# ---- where the database is --------------------------------------------------------------------
def test_targets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("RISK_PLANNER_DB", raising=False)
    assert target_from(tmp_path / "a.sqlite3").path == tmp_path / "a.sqlite3"
    assert target_from("sqlite:////tmp/b.db").path == Path("/tmp/b.db")
    pg = target_from("postgresql://me:pw@db.example/plans")
    assert pg.path is None and pg.url.startswith("postgresql+psycopg://me:pw@")
    assert "pw" not in pg.label and "plans" in pg.label and "pw" not in repr(pg)
    assert target_from("postgres://db.example/plans").url.startswith("postgresql+psycopg://")
    for bad in ("mysql://db/plans", "postgresql+asyncpg://db/plans"):
        with pytest.raises(StoreError) as err:
            target_from(bad)
        assert err.value.code == "url_kind"
    monkeypatch.setenv("RISK_PLANNER_DB", "postgresql+psycopg://team@db/plans")
    assert target_from(None).label == "postgresql+psycopg://team@db/plans"
    monkeypatch.setenv("RISK_PLANNER_DB", str(tmp_path / "c.sqlite3"))
    assert Database().path == tmp_path / "c.sqlite3"
    dispose_engines()


# ---- the schema ---------------------------------------------------------------------------------
def _join_team(target: str, i: int, barrier: Any) -> None:
    barrier.wait(timeout=120)
    Team(target).add(f"m{i}@x.com", "viewer")


def test_eight_processes_set_up_a_new_database_at_once(target: str) -> None:
    """Each opens a database nobody has set up yet: they race to migrate it, one does."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(8)
    procs = [ctx.Process(target=_join_team, args=(target, i, barrier)) for i in range(8)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=240)
    assert [p.exitcode for p in procs] == [0] * 8
    assert [m.email for m in Team(target).list()] == [f"m{i}@x.com" for i in range(8)]
    assert Database(target).schema_version() == SCHEMA_VERSION


def _schema_diff(db: Database, metadata: sa.MetaData) -> list[Any]:
    """Alembic's comparison of a database with table definitions."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = sa.create_engine(db.target.url if not db.is_sqlite else f"sqlite:///{db.path}")
    try:
        with engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn), metadata))
    finally:
        engine.dispose()


def test_the_migrations_make_the_tables_the_code_queries(target: str) -> None:
    """The migrated database is what storage/tables.py describes (and a difference shows)."""
    from optimizer.storage.tables import metadata

    db = Database(target)
    with db.write():
        pass  # migrated to the newest revision
    assert _schema_diff(db, metadata) == []
    extra = sa.MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(extra)
    extra.tables["members"].append_column(sa.Column("surplus", sa.Text))
    assert [d[0] for d in _schema_diff(db, extra)] == ["add_column"]
