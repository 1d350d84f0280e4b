"""One database behind one interface: an SQLite file (the default) or a PostgreSQL server.

`Database(target)` takes a path, a `sqlite:///path` URL or a `postgresql+psycopg://...` URL.
`write()` gives one transaction on a schema migrated to the newest revision first (Alembic, the
scripts in `migrations/`); `read()` gives a read-only view that never creates or migrates
anything. Every failure of the database itself comes out as a StoreError with a code.

SQLite: a file in WAL mode with a busy timeout, every write one `BEGIN IMMEDIATE`
transaction (so writers queue and a write killed half-way leaves nothing), reads through a
`mode=ro` URI (so a read-only file can be read). A file that is not an SQLite database, or is
another program's, raises StoreError and is never written to. A scenario file from before
migrations (`PRAGMA user_version = 1`, tables meta and scenarios) is stamped with revision
0001 and upgraded in place.

PostgreSQL: a pooled engine per process; migrations run under an advisory lock so processes
opening a new database at once do not race; reads run in READ ONLY transactions; a server that
cannot be reached, or goes away, raises StoreError "unreachable" and the open transaction is
rolled back by the server (nothing half-written).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from .errors import StoreError

APP_ID = "risk-planner"
DB_NAME = "scenarios.sqlite3"
DB_ENV = "RISK_PLANNER_DB"  # the default database: a path or a URL
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 10
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LEGACY_TABLES = frozenset({"meta", "scenarios"})  # a scenario file before migrations
LEGACY_REVISION = "0001"  # what such a file is stamped with
VERSION_TABLE = "alembic_version"
# pg_advisory_xact_lock key of the migration: any fixed number, the same in every process.
MIGRATION_LOCK = 0x52504C4E


@dataclass(frozen=True)
class Target:
    """Where the database is: `url` (SQLAlchemy, with any password), `path` (an SQLite file,
    None for a server) and `label` (what messages show: the path, or the URL without its
    password)."""

    url: str = field(repr=False)
    path: Path | None
    label: str

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None


def default_db_path() -> Path:
    """The default SQLite file: $RISK_PLANNER_DB if it is a path, else the user's data
    directory / risk-planner / scenarios.sqlite3."""
    env = os.environ.get(DB_ENV, "").strip()
    if env and "://" not in env:
        return Path(env).expanduser()
    if env.startswith("sqlite:///"):
        return Path(env[len("sqlite:///") :]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_ID, appauthor=False)) / DB_NAME


def db_path_from(arg: str | os.PathLike[str] | None) -> Path:
    """An SQLite file from a path, a `sqlite:///path` URL, or None (the default); any other
    URL raises StoreError "url" (for callers that keep a file, such as the page)."""
    if arg is None or str(arg) == "":
        return default_db_path()
    text = str(arg)
    if "://" in text:
        if not text.startswith("sqlite:///"):
            raise StoreError("url", path=text)
        text = text[len("sqlite:///") :]
        # sqlite:////abs/path keeps its leading slash; sqlite:///rel/path is relative.
    return Path(text).expanduser()


def _hide_password(text: str) -> str:
    try:
        return make_url(text).render_as_string(hide_password=True)
    except (sa.exc.ArgumentError, ValueError):
        return text.split("@")[-1] if "@" in text else text


def target_from(arg: str | os.PathLike[str] | Target | None) -> Target:
    """A Target from a path, a `sqlite:///path` URL, a PostgreSQL URL, or None: then
    $RISK_PLANNER_DB (either kind), else the default file."""
    if isinstance(arg, Target):
        return arg
    text = "" if arg is None else str(arg).strip()
    if not text:
        text = os.environ.get(DB_ENV, "").strip()
    if "://" not in text or text.startswith("sqlite:///"):
        path = db_path_from(text or None)
        return Target(url="sqlite://", path=path, label=str(path))
    try:
        url = make_url(text)
    except (sa.exc.ArgumentError, ValueError) as exc:
        raise StoreError("url_kind", path=_hide_password(text)) from exc
    backend, _, driver = url.drivername.partition("+")
    if backend not in ("postgresql", "postgres") or driver not in ("", "psycopg"):
        raise StoreError("url_kind", path=_hide_password(text))
    url = url.set(drivername="postgresql+psycopg")
    return Target(
        url=url.render_as_string(hide_password=False),
        path=None,
        label=url.render_as_string(hide_password=True),
    )


# ---- engines ------------------------------------------------------------------------------
_PG_ENGINES: dict[tuple[str, int], Engine] = {}  # per URL and process: pools do not survive fork


def _pg_engine(url: str, timeout_s: float) -> Engine:
    key = (url, os.getpid())
    engine = _PG_ENGINES.get(key)
    if engine is None:
        ms = int(timeout_s * 1000)
        engine = sa.create_engine(
            URL.create("postgresql+psycopg") if not url else make_url(url),
            pool_pre_ping=True,  # a server restarted since: reconnect instead of failing
            pool_size=2,
            max_overflow=8,
            connect_args={
                "connect_timeout": CONNECT_TIMEOUT_S,
                # A lock held longer than the busy timeout is "busy", as on SQLite.
                "options": f"-c lock_timeout={ms} -c idle_in_transaction_session_timeout=600000",
                "application_name": APP_ID,
            },
        )
        _PG_ENGINES[key] = engine
    return engine


def dispose_engines() -> None:
    """Close every pooled PostgreSQL connection of this process (tests; a server restart)."""
    for engine in _PG_ENGINES.values():
        engine.dispose()
    _PG_ENGINES.clear()


@cache
def known_revisions() -> dict[str, int]:
    """The revisions of the migration scripts, each with its number (the schema version)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    return {rev.revision: int(rev.revision) for rev in script.walk_revisions()}


def head_version() -> int:
    """The newest schema version this release writes."""
    return max(known_revisions().values())


def _sqlite_name(exc: BaseException) -> str:
    return getattr(exc, "sqlite_errorname", "") or ""


class Database:
    """One database. Each `read()`/`write()` opens its own connection (or takes one from the
    pool), so one object can be shared by threads, and many processes can use one database."""

    def __init__(
        self,
        target: str | os.PathLike[str] | Target | None = None,
        timeout_s: float = BUSY_TIMEOUT_S,
    ):
        self.target = target_from(target)
        self.path = self.target.path
        self.label = self.target.label
        self.timeout_s = float(timeout_s)
        self._ready = False
        self._engines: dict[bool, Engine] = {}

    @property
    def is_sqlite(self) -> bool:
        return self.target.is_sqlite

    def files(self) -> tuple[Path, ...]:
        """The SQLite file and the journal files beside it (none for a server)."""
        p = self.path
        if p is None:
            return ()
        return (p, *(Path(f"{p}{end}") for end in ("-wal", "-shm", "-journal")))

    def exists(self) -> bool:
        """False while an SQLite file does not exist (reads then answer 'empty' without
        creating it); a server's database is taken to exist."""
        return self.path is None or self.path.exists()

    # -- SQLite connections -------------------------------------------------------------------
    def _check_file(self) -> None:
        """Refuse a file that is not an SQLite database before SQLite touches it."""
        p = self.path
        if p is not None and p.exists():
            if p.is_dir():
                raise StoreError("folder", path=str(p))
            with open(p, "rb") as f:
                head = f.read(len(SQLITE_HEADER))
            if head and head != SQLITE_HEADER:
                raise StoreError("not_db", path=str(p))

    def _read_only(self, exc: BaseException) -> bool:
        """Whether a write failed because the file or its folder may not be written."""
        name = _sqlite_name(exc)
        if name.startswith("SQLITE_READONLY") or "readonly" in str(exc):
            return True
        assert self.path is not None
        return name.startswith("SQLITE_CANTOPEN") and not os.access(self.path.parent, os.W_OK)

    def _open_read_only(self) -> sqlite3.Connection:
        """A read-only connection (`mode=ro`): it cannot create the file, the schema or a
        journal-mode change. A WAL file in a folder this process may not write cannot get its
        shared-memory index there; it is then read as `immutable` (as it is, here)."""
        assert self.path is not None
        uri = Path(os.path.abspath(self.path)).as_uri()
        last: sqlite3.Error | None = None
        for query in ("?mode=ro", "?mode=ro&immutable=1"):
            conn = sqlite3.connect(
                uri + query,
                uri=True,
                timeout=self.timeout_s,
                isolation_level=None,
                check_same_thread=False,
            )
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.OperationalError as exc:
                conn.close()
                if not _sqlite_name(exc).startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
                    raise
                last = exc
        assert last is not None
        raise last

    def _sqlite_engine(self, write: bool) -> Engine:
        """This database's engine for writing or for reading (made once: NullPool, so each
        use still opens the file afresh and no handle outlives its call)."""
        engine = self._engines.get(write)
        if engine is None:
            engine = self._engines[write] = self._make_sqlite_engine(write)
        return engine

    def _make_sqlite_engine(self, write: bool) -> Engine:
        path = self.path
        assert path is not None
        timeout_ms = int(self.timeout_s * 1000)

        def creator() -> sqlite3.Connection:
            if not write:
                conn = self._open_read_only()
            else:
                # isolation_level=None: the module starts no transactions of its own; the
                # "begin" hook below starts each one.
                conn = sqlite3.connect(
                    str(path), timeout=self.timeout_s, isolation_level=None, check_same_thread=False
                )
            conn.execute(f"PRAGMA busy_timeout = {timeout_ms}")
            return conn

        # NullPool: no file handle outlives its call (other processes may replace the file).
        engine = sa.create_engine("sqlite://", creator=creator, poolclass=NullPool)

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # A writer takes the write lock at once, so two writers queue instead of one of
            # them failing on upgrade from a read lock.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    # -- errors ---------------------------------------------------------------------------------
    def _error(self, exc: BaseException, write: bool, connecting: bool) -> StoreError:
        """The StoreError saying why the database failed."""
        orig = getattr(exc, "orig", None) or exc
        label = self.label
        if isinstance(orig, sqlite3.Error):
            if write and self._read_only(orig):
                return StoreError("read_only", path=label)
            if isinstance(orig, sqlite3.OperationalError):
                text = str(orig)
                if "locked" in text or "busy" in text:
                    return StoreError("busy", path=label, seconds=self.timeout_s)
                if connecting:
                    return StoreError("io", path=label, text_code="store_io_open", error=text)
            return StoreError("unusable", path=label, error=str(orig))
        import psycopg

        if isinstance(orig, psycopg.errors.LockNotAvailable):
            return StoreError("busy", path=label, seconds=self.timeout_s)
        if isinstance(
            orig, psycopg.errors.InsufficientPrivilege | psycopg.errors.ReadOnlySqlTransaction
        ):
            return StoreError("read_only", path=label)
        if isinstance(orig, psycopg.OperationalError | psycopg.errors.AdminShutdown) or isinstance(
            exc, sa.exc.DisconnectionError
        ):
            first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
            return StoreError("unreachable", path=label, error=first)
        return StoreError("unusable", path=label, error=str(orig).strip().splitlines()[0])

    @contextmanager
    def _connection(self, write: bool) -> Iterator[Connection]:
        """A connection, every database error said as a StoreError."""
        if self.is_sqlite:
            self._check_file()
            assert self.path is not None
            if write:
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(
                        "io", path=self.label, text_code="store_io_folder", error=str(exc)
                    ) from exc
            engine = self._sqlite_engine(write)
        else:
            engine = _pg_engine(self.target.url, self.timeout_s)
        try:
            conn = engine.connect()
        except (sa.exc.DBAPIError, sqlite3.Error) as exc:
            raise self._error(exc, write, connecting=True) from exc
        try:
            yield conn
        except (sa.exc.DBAPIError, sqlite3.Error) as exc:
            raise self._error(exc, write, connecting=False) from exc
        finally:
            try:
                conn.close()
            except sa.exc.DBAPIError:  # the server is gone: nothing left to close
                conn.invalidate()

    # -- schema ---------------------------------------------------------------------------------
    @staticmethod
    def _head() -> str:
        return max(known_revisions(), key=int)

    def _tables(self, conn: Connection) -> frozenset[str]:
        return frozenset(sa.inspect(conn).get_table_names())

    def _classify(self, tables: frozenset[str], stamped: str | None, legacy: int) -> str | None:
        """The schema revision from what a database holds: its table names, Alembic's
        version (`stamped`, None without a version table) and SQLite's `user_version`.
        "0001" for a scenario file from before migrations, None for an empty database.
        Refuses another program's database and a newer release's."""
        known = known_revisions()
        if VERSION_TABLE in tables:
            if stamped is not None and stamped not in known:
                if "scenarios" not in tables:  # another program's Alembic
                    raise StoreError("foreign", path=self.label)
                version = int(stamped) if stamped.isdigit() else 0
                raise StoreError(
                    "newer", path=self.label, version=version, supported=head_version()
                )
            return stamped
        if tables - LEGACY_TABLES:
            raise StoreError("foreign", path=self.label)
        if legacy > int(LEGACY_REVISION):  # a newer release's file from before migrations
            raise StoreError("newer", path=self.label, version=legacy, supported=head_version())
        return LEGACY_REVISION if "scenarios" in tables else None

    def _revision(self, conn: Connection, tables: frozenset[str]) -> str | None:
        """`_classify` of a connection's database."""
        stamped = None
        if VERSION_TABLE in tables:
            found = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
            stamped = None if found is None else str(found)
        legacy = (
            int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0) if self.is_sqlite else 0
        )
        return self._classify(tables, stamped, legacy)

    def _migrate(self, conn: Connection) -> None:
        """Bring the schema to the newest revision, in one transaction (nothing when it is)."""
        if self.is_sqlite:
            # Check before anything is written, on the raw connection (no transaction): a
            # foreign or newer file must not even get its journal mode changed.
            raw: Any = conn.connection.dbapi_connection
            names = frozenset(
                r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            )
            stamped = None
            if VERSION_TABLE in names:
                found = raw.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
                stamped = None if found is None else str(found[0])
            self._classify(names, stamped, int(raw.execute("PRAGMA user_version").fetchone()[0]))
            if raw.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                raw.execute("PRAGMA journal_mode = WAL")
        with conn.begin():
            if not self.is_sqlite:
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
            tables = self._tables(conn)
            # Another process may have migrated while this one waited for the lock.
            rev = self._revision(conn, tables)
            head = self._head()
            if rev != head:
                self._upgrade(conn, stamp=rev if VERSION_TABLE not in tables else None)
        self._ready = True

    def _upgrade(self, conn: Connection, stamp: str | None) -> None:
        """Alembic's upgrade to head on `conn`, inside its open transaction; a database from
        before migrations is first stamped with the revision its tables already are."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = conn
        if stamp is not None:
            command.stamp(cfg, stamp)
        command.upgrade(cfg, "head")

    # -- the two ways in ------------------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction on the newest schema: committed when the block ends, rolled
        back (nothing written) when it raises."""
        with self._connection(write=True) as conn:
            if not self._ready:
                self._migrate(conn)
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection | None]:
        """A read-only transaction, or None when there is nothing to read yet (no file, or no
        schema: reads never create it). Older revisions are read as they are."""
        if not self.exists():
            yield None
            return
        with self._connection(write=False) as conn, conn.begin():
            if not self.is_sqlite:
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            tables = self._tables(conn)
            rev = self._revision(conn, tables)
            conn.info["tables"] = tables
            yield conn if rev is not None else None

    @staticmethod
    def has(conn: Connection, table: str) -> bool:
        """Whether a connection from `read()` sees `table` (an older schema may lack it)."""
        tables = conn.info.get("tables")
        return True if tables is None else table in tables

    # -- health ---------------------------------------------------------------------------------
    def schema_version(self) -> int:
        """The schema revision as a number, 0 for an empty database (a missing SQLite file
        is created first)."""
        if not self.exists():
            with self.write():
                pass
        with self._connection(write=False) as conn, conn.begin():
            rev = self._revision(conn, self._tables(conn))
        return int(rev or 0)

    def integrity(self) -> str:
        """'ok' for a sound database: SQLite's integrity check; a server answering a query.
        A missing SQLite file is created first."""
        if not self.exists():
            with self.write():
                pass
        with self._connection(write=False) as conn, conn.begin():
            if self.is_sqlite:
                rows = conn.exec_driver_sql("PRAGMA integrity_check").fetchall()
                return "; ".join(str(r[0]) for r in rows)
            conn.exec_driver_sql("SELECT 1").scalar()
            return "ok"
