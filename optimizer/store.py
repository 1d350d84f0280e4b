"""Saved scenarios in a SQLite file: inputs, settings, a result summary, notes.

One file holds every scenario. It is opened in WAL mode with a busy timeout, so several
dashboard sessions (or command-line runs) can save at once; every write is one `BEGIN
IMMEDIATE` transaction, so a save that is killed half-way leaves nothing behind. The schema
version is kept in `PRAGMA user_version` for future migrations. A file that is not a scenario
database, or is damaged, raises StoreError and is never written to.

Reading (list, get, load, exists, compare) opens the file read-only (`mode=ro`) and never
creates the schema or changes the journal mode, so a file (or folder) without write access can
be read; a write to one raises StoreError "read_only".
"""

from __future__ import annotations

import builtins
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .analysis import bundle_text, summarize
from .bundle import parse_tables, read_uploaded, settings_dict
from .errors import CodedError
from .schema import Problem, Result

SCHEMA_VERSION = 1
APP_ID = "risk-planner"
DB_NAME = "scenarios.sqlite3"
SQLITE_HEADER = b"SQLite format 3\x00"
MAX_NAME = 200
BUSY_TIMEOUT_S = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS scenarios (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    saved_at     TEXT NOT NULL,           -- UTC, ISO 8601
    fingerprint  TEXT NOT NULL,           -- of the inputs and settings
    status       TEXT NOT NULL,
    objective    REAL,
    notes        TEXT NOT NULL DEFAULT '',
    client_notes TEXT NOT NULL DEFAULT '{}',  -- JSON: client_id -> note
    inputs       TEXT NOT NULL,           -- JSON: {"tables": {table: csv}, "settings": {...}}
    summary      TEXT NOT NULL            -- JSON: optimizer.analysis.summarize
);
"""


class StoreError(CodedError):
    """The scenario store cannot do what was asked (damaged file, unknown name, ...).

    `code` names the kind of problem (exists, missing, no_name, long_name, folder, not_db,
    unusable, busy, newer, foreign, io, url, damaged_scenario, no_result, read_only); `msg`
    says it (the
    catalogue code `store_<code>`, or a variant of it, with its params); `name` and `path` are
    the scenario and file concerned. str() is the English text."""

    def __init__(
        self, code: str, name: str = "", path: str = "", text_code: str = "", **params: Any
    ):
        super().__init__(code, text_code or f"store_{code}", name=name, path=path, **params)
        self.name = name
        self.path = path


def _missing(name: str) -> StoreError:
    return StoreError("missing", name=str(name))


def _taken(name: str) -> StoreError:
    return StoreError("exists", name=str(name))


DB_ENV = "RISK_PLANNER_DB"  # overrides the default database path (a shared drive, say)


def default_db_path() -> Path:
    """The default database: $RISK_PLANNER_DB if set, else the user's data directory /
    risk-planner / scenarios.sqlite3."""
    env = os.environ.get(DB_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_ID, appauthor=False)) / DB_NAME


def db_path_from(arg: str | os.PathLike[str] | None) -> Path:
    """A database path from a path, a `sqlite:///path` URL, or None (the default)."""
    if arg is None or str(arg) == "":
        return default_db_path()
    text = str(arg)
    if "://" in text:
        if not text.startswith("sqlite:///"):
            raise StoreError("url", path=text)
        text = text[len("sqlite:///") :]
        # sqlite:////abs/path keeps its leading slash; sqlite:///rel/path is relative.
    return Path(text).expanduser()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class ScenarioInfo:
    """What a listing shows of a scenario."""

    name: str
    saved_at: str
    fingerprint: str
    status: str
    objective: float | None
    notes: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "saved_at": self.saved_at,
            "fingerprint": self.fingerprint,
            "status": self.status,
            "objective": self.objective,
            "notes": self.notes,
        }


@dataclass(frozen=True, eq=False)
class Scenario:
    """A saved scenario: its inputs (bundle tables as CSV text and settings), the summary of
    its result, and notes."""

    info: ScenarioInfo
    tables: dict[str, str]
    settings: dict[str, Any]
    summary: dict[str, Any]
    client_notes: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.info.name

    def problem(self) -> Problem:
        """The saved inputs, validated again (raises BundleError if they no longer are)."""
        files = [(f"{t}.csv", text.encode("utf-8")) for t, text in self.tables.items()]
        files.append(("settings.json", json.dumps(self.settings).encode("utf-8")))
        tables, settings, issues = read_uploaded(files)
        return parse_tables(tables, settings, issues)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.info.to_json(),
            "client_notes": dict(self.client_notes),
            "settings": dict(self.settings),
            "summary": self.summary,
        }


def _float_or_none(x: Any) -> float | None:
    return None if x is None else float(x)


def _clean_name(name: str) -> str:
    name = str(name).strip()
    if not name:
        raise StoreError("no_name")
    if len(name) > MAX_NAME:
        raise StoreError("long_name", name=name[:40], max=MAX_NAME, length=len(name))
    return name


class ScenarioStore:
    """Scenarios in one SQLite file. Each call opens its own connection, so one store object
    can be shared by threads, and many processes can use the same file."""

    def __init__(
        self, path: str | os.PathLike[str] | None = None, timeout_s: float = BUSY_TIMEOUT_S
    ):
        self.path = db_path_from(path)
        self.timeout_s = float(timeout_s)
        self._ready = False

    def files(self) -> tuple[Path, ...]:
        """The database file and the journal files SQLite keeps beside it."""
        return (self.path, *(Path(f"{self.path}{end}") for end in ("-wal", "-shm", "-journal")))

    # -- connection -------------------------------------------------------------------------
    def _check_file(self) -> None:
        """Refuse a file that is not an SQLite database before SQLite touches it."""
        p = self.path
        if p.exists():
            if p.is_dir():
                raise StoreError("folder", path=str(p))
            with open(p, "rb") as f:
                head = f.read(len(SQLITE_HEADER))
            if head and head != SQLITE_HEADER:
                raise StoreError("not_db", path=str(p))

    def _read_only(self, exc: sqlite3.Error) -> bool:
        """Whether a write failed because the file or its folder may not be written."""
        name = getattr(exc, "sqlite_errorname", "") or ""
        if name.startswith("SQLITE_READONLY") or "readonly" in str(exc):
            return True
        folder = self.path.parent
        return name.startswith("SQLITE_CANTOPEN") and not os.access(folder, os.W_OK)

    def _open_read_only(self) -> sqlite3.Connection:
        """A read-only connection (`mode=ro`): it cannot create the file, the schema or a
        journal-mode change. A WAL file in a folder this process may not write cannot get its
        shared-memory index there; it is then read as `immutable` (as it is, here)."""
        uri = Path(os.path.abspath(self.path)).as_uri()
        last: sqlite3.Error | None = None
        for query in ("?mode=ro", "?mode=ro&immutable=1"):
            conn = sqlite3.connect(
                uri + query, uri=True, timeout=self.timeout_s, isolation_level=None
            )
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.OperationalError as exc:
                conn.close()
                name = getattr(exc, "sqlite_errorname", "") or ""
                if not name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
                    raise
                last = exc
        assert last is not None
        raise last

    @contextmanager
    def _connect(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """A connection: for writing (the folder and schema created when missing), or for
        reading only (`write=False`: the file must exist; nothing is created or changed)."""
        self._check_file()
        if write:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    "io", path=str(self.path), text_code="store_io_folder", error=str(exc)
                ) from exc
        try:
            if write:
                conn = sqlite3.connect(str(self.path), timeout=self.timeout_s, isolation_level=None)
            else:
                conn = self._open_read_only()
        except sqlite3.Error as exc:
            if write and self._read_only(exc):
                raise StoreError("read_only", path=str(self.path)) from exc
            if not isinstance(exc, sqlite3.OperationalError):  # read: "malformed" and the like
                raise StoreError("unusable", path=str(self.path), error=str(exc)) from exc
            raise StoreError(
                "io", path=str(self.path), text_code="store_io_open", error=str(exc)
            ) from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout_s * 1000)}")
            if not write:
                self._check_schema(conn)
            elif not self._ready:
                self._prepare(conn)
            yield conn
        except sqlite3.OperationalError as exc:
            if write and self._read_only(exc):
                raise StoreError("read_only", path=str(self.path)) from exc
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise StoreError("unusable", path=str(self.path), error=str(exc)) from exc
            raise StoreError("busy", path=str(self.path), seconds=self.timeout_s) from exc
        except sqlite3.DatabaseError as exc:
            # Covers "file is not a database" and "database disk image is malformed".
            raise StoreError("unusable", path=str(self.path), error=str(exc)) from exc
        finally:
            conn.close()

    def _check_schema(self, conn: sqlite3.Connection) -> int:
        """The schema version, after refusing a newer one or another program's database."""
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                "newer", path=str(self.path), version=version, supported=SCHEMA_VERSION
            )
        if version == 0:
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if tables - {"meta", "scenarios"}:
                raise StoreError("foreign", path=str(self.path))
        return version

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """Check the schema version; create the tables in a new file."""
        if self._check_schema(conn) == 0:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Another process may have created the schema while this one waited.
                if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
                    for stmt in _SCHEMA.split(";"):
                        if stmt.strip():
                            conn.execute(stmt)
                    conn.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                        (str(SCHEMA_VERSION),),
                    )
                    conn.execute("INSERT OR IGNORE INTO meta VALUES ('created_at', ?)", (_now(),))
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        self._ready = True

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; it takes the write lock at once so two writers queue."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    # -- queries ----------------------------------------------------------------------------
    @staticmethod
    def _info(row: sqlite3.Row | tuple) -> ScenarioInfo:
        name, saved_at, fp, status, objective, notes = row[:6]
        return ScenarioInfo(
            name=name,
            saved_at=saved_at,
            fingerprint=fp,
            status=status,
            objective=objective,
            notes=notes,
        )

    _INFO_COLS = "name, saved_at, fingerprint, status, objective, notes"

    def _missing(self) -> bool:
        """True while the file does not exist: reads answer 'empty' without creating it."""
        return not self.path.exists()

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection | None]:
        """A read-only connection, or None when there are no scenarios yet to read (no file,
        or a file whose schema has not been created: reads never create it)."""
        if self._missing():
            yield None
            return
        with self._connect(write=False) as conn:
            has = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'scenarios'"
            ).fetchone()
            yield conn if has else None

    def list(self) -> list[ScenarioInfo]:
        """Every scenario, newest first."""
        with self._reading() as conn:
            if conn is None:
                return []
            rows = conn.execute(
                f"SELECT {self._INFO_COLS} FROM scenarios ORDER BY saved_at DESC, id DESC"
            ).fetchall()
        return [self._info(r) for r in rows]

    def names(self) -> builtins.list[str]:
        return [i.name for i in self.list()]

    def exists(self, name: str) -> bool:
        with self._reading() as conn:
            if conn is None:
                return False
            return (
                conn.execute(
                    "SELECT 1 FROM scenarios WHERE name = ?", (str(name).strip(),)
                ).fetchone()
                is not None
            )

    def get(self, name: str) -> Scenario:
        """One scenario, with its inputs and summary."""
        with self._reading() as conn:
            if conn is None:
                raise _missing(name)
            row = conn.execute(
                f"SELECT {self._INFO_COLS}, client_notes, inputs, summary "
                "FROM scenarios WHERE name = ?",
                (str(name).strip(),),
            ).fetchone()
        if row is None:
            raise _missing(name)
        try:
            inputs = json.loads(row[7])
            return Scenario(
                info=self._info(row),
                tables=dict(inputs["tables"]),
                settings=dict(inputs.get("settings", {})),
                summary=json.loads(row[8]),
                client_notes=json.loads(row[6]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(
                "damaged_scenario", name=str(name), path=str(self.path), error=str(exc)
            ) from exc

    def load(self, name: str) -> tuple[Problem, Scenario]:
        """A scenario's inputs as a Problem (validated again), with the scenario itself."""
        sc = self.get(name)
        return sc.problem(), sc

    # -- writes -----------------------------------------------------------------------------
    def _insert(self, conn: sqlite3.Connection, record: Mapping[str, Any]) -> None:
        """Write one scenario row (inside the caller's transaction)."""
        conn.execute(
            "INSERT INTO scenarios (name, saved_at, fingerprint, status, objective, "
            "notes, client_notes, inputs, summary) VALUES (:name, :saved_at, "
            ":fingerprint, :status, :objective, :notes, :client_notes, :inputs, "
            ":summary)",
            dict(record),
        )

    def save(
        self,
        name: str,
        problem: Problem,
        result: Result | None = None,
        *,
        notes: str = "",
        client_notes: Mapping[str, str] | None = None,
        summary: Mapping[str, Any] | None = None,
        overwrite: bool = False,
    ) -> ScenarioInfo:
        """Save a scenario in one transaction. An existing name is an error unless
        `overwrite`; then the old scenario is replaced in the same transaction."""
        name = _clean_name(name)
        if summary is None:
            if result is None:
                raise StoreError("no_result")
            summary = summarize(problem, result)
        record = {
            "name": name,
            "saved_at": _now(),
            "fingerprint": problem.fingerprint(),
            "status": str(summary.get("status", "")),
            "objective": summary.get("objective"),
            "notes": str(notes or ""),
            "client_notes": json.dumps(
                {str(k): str(v) for k, v in (client_notes or {}).items() if str(v).strip()},
                ensure_ascii=False,
            ),
            "inputs": json.dumps(
                {"tables": bundle_text(problem), "settings": settings_dict(problem.settings)},
                ensure_ascii=False,
            ),
            "summary": json.dumps(summary, ensure_ascii=False),
        }
        with self._write() as conn:
            exists = conn.execute("SELECT 1 FROM scenarios WHERE name = ?", (name,)).fetchone()
            if exists and not overwrite:
                raise _taken(name)
            if exists:
                conn.execute("DELETE FROM scenarios WHERE name = ?", (name,))
            self._insert(conn, record)
        return ScenarioInfo(
            name=name,
            saved_at=str(record["saved_at"]),
            fingerprint=str(record["fingerprint"]),
            status=str(record["status"]),
            objective=_float_or_none(record["objective"]),
            notes=str(record["notes"]),
        )

    def rename(self, old: str, new: str) -> None:
        new = _clean_name(new)
        if self._missing():
            raise _missing(old)
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM scenarios WHERE name = ?", (new,)).fetchone():
                raise _taken(new)
            cur = conn.execute(
                "UPDATE scenarios SET name = ? WHERE name = ?", (new, str(old).strip())
            )
            if cur.rowcount == 0:
                raise _missing(old)

    def duplicate(self, source: str, new: str) -> ScenarioInfo:
        """A copy under a new name, saved now."""
        new = _clean_name(new)
        if self._missing():
            raise _missing(source)
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM scenarios WHERE name = ?", (new,)).fetchone():
                raise _taken(new)
            cur = conn.execute(
                "INSERT INTO scenarios (name, saved_at, fingerprint, status, objective, notes, "
                "client_notes, inputs, summary) SELECT ?, ?, fingerprint, status, objective, "
                "notes, client_notes, inputs, summary FROM scenarios WHERE name = ?",
                (new, _now(), str(source).strip()),
            )
            if cur.rowcount == 0:
                raise _missing(source)
        return self.get(new).info

    def delete(self, name: str) -> None:
        if self._missing():
            raise _missing(name)
        with self._write() as conn:
            cur = conn.execute("DELETE FROM scenarios WHERE name = ?", (str(name).strip(),))
            if cur.rowcount == 0:
                raise _missing(name)

    def set_notes(
        self, name: str, notes: str | None = None, client_notes: Mapping[str, str] | None = None
    ) -> None:
        """Change a scenario's notes and/or per-client notes."""
        sets, args = [], []
        if notes is not None:
            sets.append("notes = ?")
            args.append(str(notes))
        if client_notes is not None:
            sets.append("client_notes = ?")
            args.append(
                json.dumps(
                    {str(k): str(v) for k, v in client_notes.items() if str(v).strip()},
                    ensure_ascii=False,
                )
            )
        if not sets:
            return
        if self._missing():
            raise _missing(name)
        with self._write() as conn:
            cur = conn.execute(
                f"UPDATE scenarios SET {', '.join(sets)} WHERE name = ?", (*args, str(name).strip())
            )
            if cur.rowcount == 0:
                raise _missing(name)

    # -- health -----------------------------------------------------------------------------
    def integrity(self) -> str:
        """SQLite's integrity check: 'ok' for a sound file (a missing one is created)."""
        with self._connect(write=self._missing()) as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        return "; ".join(str(r[0]) for r in rows)

    def schema_version(self) -> int:
        with self._connect(write=self._missing()) as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
