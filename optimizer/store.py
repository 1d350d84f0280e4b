"""Saved scenarios: inputs, settings, a result summary, notes, in the planner's database.

The database is an SQLite file (the default) or a PostgreSQL server (`optimizer.storage`):
every write is one transaction, so a save that is killed half-way leaves nothing behind, and
several dashboard sessions or command-line runs can save at once. The schema is kept by
Alembic migrations; a scenario file from before them is upgraded in place on its first write.
A file that is not a scenario database, or is damaged, raises StoreError and is never written.

Reading (list, get, load, exists, compare) never creates the schema or migrates it, and opens
an SQLite file read-only (`mode=ro`), so a file (or folder) without write access can be read;
a write to one raises StoreError "read_only".
"""

from __future__ import annotations

import builtins
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .analysis import bundle_text, summarize
from .bundle import parse_tables, read_uploaded, settings_dict
from .schema import Problem, Result
from .storage import (
    BUSY_TIMEOUT_S,
    DB_ENV,
    SQLITE_HEADER,
    Database,
    StoreError,
    Target,
    db_path_from,
    default_db_path,
    head_version,
)
from .storage.database import APP_ID, DB_NAME
from .storage.tables import scenarios as T

SCHEMA_VERSION = head_version()
MAX_NAME = 200

__all__ = [
    "APP_ID",
    "BUSY_TIMEOUT_S",
    "DB_ENV",
    "DB_NAME",
    "MAX_NAME",
    "SCHEMA_VERSION",
    "SQLITE_HEADER",
    "Scenario",
    "ScenarioInfo",
    "ScenarioStore",
    "StoreError",
    "db_path_from",
    "default_db_path",
]


def _missing(name: str) -> StoreError:
    return StoreError("missing", name=str(name))


def _taken(name: str) -> StoreError:
    return StoreError("exists", name=str(name))


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
    """Scenarios in the planner's database. Each call opens its own connection, so one store
    object can be shared by threads, and many processes can use the same database."""

    def __init__(
        self,
        path: str | os.PathLike[str] | Target | Database | None = None,
        timeout_s: float = BUSY_TIMEOUT_S,
    ):
        self.db = path if isinstance(path, Database) else Database(path, timeout_s)
        # The SQLite file (None for a server) and what messages call the database.
        self.path: Path | None = self.db.path
        self.location = self.db.label
        self.timeout_s = self.db.timeout_s

    def files(self) -> tuple[Path, ...]:
        """The database file and the journal files SQLite keeps beside it (none for a server)."""
        return self.db.files()

    # -- queries ----------------------------------------------------------------------------
    _INFO = (T.c.name, T.c.saved_at, T.c.fingerprint, T.c.status, T.c.objective, T.c.notes)

    @staticmethod
    def _info(row: Any) -> ScenarioInfo:
        name, saved_at, fp, status, objective, notes = tuple(row)[:6]
        return ScenarioInfo(
            name=name,
            saved_at=saved_at,
            fingerprint=fp,
            status=status,
            objective=objective,
            notes=notes,
        )

    def _missing(self) -> bool:
        """True while the file does not exist: reads answer 'empty' without creating it."""
        return not self.db.exists()

    @contextmanager
    def _reading(self) -> Iterator[Connection | None]:
        """A read-only connection, or None when there are no scenarios yet to read (no file,
        or a file whose schema has not been created: reads never create it)."""
        with self.db.read() as conn:
            yield conn if conn is not None and self.db.has(conn, "scenarios") else None

    def list(self) -> list[ScenarioInfo]:
        """Every scenario, newest first."""
        with self._reading() as conn:
            if conn is None:
                return []
            rows = conn.execute(
                sa.select(*self._INFO).order_by(T.c.saved_at.desc(), T.c.id.desc())
            ).all()
        return [self._info(r) for r in rows]

    def names(self) -> builtins.list[str]:
        return [i.name for i in self.list()]

    def exists(self, name: str) -> bool:
        with self._reading() as conn:
            if conn is None:
                return False
            found = conn.execute(
                sa.select(sa.literal(1)).where(T.c.name == str(name).strip())
            ).first()
            return found is not None

    def get(self, name: str) -> Scenario:
        """One scenario, with its inputs and summary."""
        with self._reading() as conn:
            if conn is None:
                raise _missing(name)
            row = conn.execute(
                sa.select(*self._INFO, T.c.client_notes, T.c.inputs, T.c.summary).where(
                    T.c.name == str(name).strip()
                )
            ).first()
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
                "damaged_scenario", name=str(name), path=self.location, error=str(exc)
            ) from exc

    def load(self, name: str) -> tuple[Problem, Scenario]:
        """A scenario's inputs as a Problem (validated again), with the scenario itself."""
        sc = self.get(name)
        return sc.problem(), sc

    # -- writes -----------------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (on SQLite it takes the write lock at once, so writers queue)."""
        with self.db.write() as conn:
            yield conn

    @staticmethod
    def _taken_in(conn: Connection, name: str) -> bool:
        return conn.execute(sa.select(sa.literal(1)).where(T.c.name == name)).first() is not None

    def _insert(self, conn: Connection, record: Mapping[str, Any]) -> None:
        """Write one scenario row (inside the caller's transaction)."""
        conn.execute(T.insert(), [dict(record)])

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
            "client_notes": _notes_json(client_notes or {}),
            "inputs": json.dumps(
                {"tables": bundle_text(problem), "settings": settings_dict(problem.settings)},
                ensure_ascii=False,
            ),
            "summary": json.dumps(summary, ensure_ascii=False),
        }
        with self._write_name(name), self._write() as conn:
            exists = self._taken_in(conn, name)
            if exists and not overwrite:
                raise _taken(name)
            if exists:
                conn.execute(T.delete().where(T.c.name == name))
            self._insert(conn, record)
        return ScenarioInfo(
            name=name,
            saved_at=str(record["saved_at"]),
            fingerprint=str(record["fingerprint"]),
            status=str(record["status"]),
            objective=_float_or_none(record["objective"]),
            notes=str(record["notes"]),
        )

    @contextmanager
    def _write_name(self, name: str) -> Iterator[None]:
        """While writing under `name`: another writer that took the name first (the server's
        unique index refused this one) is said as "exists"."""
        try:
            yield
        except StoreError as exc:
            if isinstance(exc.__cause__, sa.exc.IntegrityError):
                raise _taken(name) from exc
            raise

    def rename(self, old: str, new: str) -> None:
        new = _clean_name(new)
        if self._missing():
            raise _missing(old)
        with self._write_name(new), self._write() as conn:
            if self._taken_in(conn, new):
                raise _taken(new)
            cur = conn.execute(T.update().where(T.c.name == str(old).strip()).values(name=new))
            if cur.rowcount == 0:
                raise _missing(old)

    def duplicate(self, source: str, new: str) -> ScenarioInfo:
        """A copy under a new name, saved now."""
        new = _clean_name(new)
        if self._missing():
            raise _missing(source)
        cols = ("fingerprint", "status", "objective", "notes", "client_notes", "inputs", "summary")
        with self._write_name(new), self._write() as conn:
            if self._taken_in(conn, new):
                raise _taken(new)
            copy = sa.select(sa.literal(new), sa.literal(_now()), *(T.c[c] for c in cols)).where(
                T.c.name == str(source).strip()
            )
            cur = conn.execute(T.insert().from_select(["name", "saved_at", *cols], copy))
            if cur.rowcount == 0:
                raise _missing(source)
        return self.get(new).info

    def delete(self, name: str) -> None:
        if self._missing():
            raise _missing(name)
        with self._write() as conn:
            cur = conn.execute(T.delete().where(T.c.name == str(name).strip()))
            if cur.rowcount == 0:
                raise _missing(name)

    def set_notes(
        self, name: str, notes: str | None = None, client_notes: Mapping[str, str] | None = None
    ) -> None:
        """Change a scenario's notes and/or per-client notes."""
        values: dict[str, str] = {}
        if notes is not None:
            values["notes"] = str(notes)
        if client_notes is not None:
            values["client_notes"] = _notes_json(client_notes)
        if not values:
            return
        if self._missing():
            raise _missing(name)
        with self._write() as conn:
            cur = conn.execute(T.update().where(T.c.name == str(name).strip()).values(**values))
            if cur.rowcount == 0:
                raise _missing(name)

    # -- health -----------------------------------------------------------------------------
    def integrity(self) -> str:
        """'ok' for a sound database (SQLite's integrity check; a missing file is created)."""
        return self.db.integrity()

    def schema_version(self) -> int:
        return self.db.schema_version()


def _notes_json(notes: Mapping[str, str]) -> str:
    """Per-client notes as JSON, blank ones left out."""
    return json.dumps(
        {str(k): str(v) for k, v in notes.items() if str(v).strip()}, ensure_ascii=False
    )
