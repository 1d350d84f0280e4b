"""The shared working plan: the current inputs (every table of a bundle and its settings) in
the planner's database, cell by cell, with a log of every change.

Each cell is the text a bundle's CSV file has there. An edit carries the value its editor saw:
it lands only if the cell still holds that value (one conditional UPDATE, so of two editors of
one cell exactly one wins); otherwise it is refused with an EditConflict that says the current
value and who set it. Every change is logged with who, when, table, row key, column, the old
and the new value, and the client the row is about (so a planner's view of the log can be
cut to their clients).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .bundle import (
    atomic_write_bytes,
    load_bundle,
    parse_tables,
    read_uploaded,
    settings_dict,
    tables_to_xlsx_bytes,
    tables_to_zip_bytes,
    to_tables,
)
from .schema import (
    CLIENT_ID,
    SETTINGS,
    TABLE_KEYS,
    TABLES,
    Problem,
)
from .storage import Database, StoreError, Target
from .storage.tables import scenarios, ws_cells, ws_changes, ws_columns, ws_rows

# The columns that name a row of each table; its key is their values joined by KEY_SEP.
ROW_KEYS = TABLE_KEYS
KEY_SEP = "/"
SETTING_COLUMN = "value"  # settings are a table of one column: setting name -> JSON value
USER_ENV = "RISK_PLANNER_USER"  # who the command line says made a change


def default_user() -> str:
    """Who the command line records as making a change: $RISK_PLANNER_USER, else the login."""
    env = os.environ.get(USER_ENV, "").strip()
    if env:
        return env
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class EditConflict(StoreError):
    """An edit of a cell that changed since its editor saw it: `current` is the value now,
    `set_by` and `set_at` who set it and when; the edit was not saved."""

    def __init__(
        self,
        table: str,
        key: str,
        column: str,
        seen: str,
        value: str,
        current: str,
        set_by: str,
        set_at: str,
    ):
        super().__init__(
            "ws_conflict",
            table=table,
            key=key,
            column=column,
            seen=seen,
            value=value,
            current=current,
            set_by=set_by,
            set_at=set_at,
        )
        self.table, self.key, self.column = table, key, column
        self.seen, self.value, self.current = seen, value, current
        self.set_by, self.set_at = set_by, set_at


@dataclass(frozen=True)
class Change:
    """One logged change: `kind` "import" (a bundle brought in; `new` names it when the row
    is the import itself) or "set" (a cell edited, or changed by a re-import)."""

    id: int
    at: str
    who: str
    kind: str
    table: str
    key: str
    column: str
    old: str | None
    new: str | None
    client_id: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "who": self.who,
            "kind": self.kind,
            "table": self.table,
            "key": self.key,
            "column": self.column,
            "old": self.old,
            "new": self.new,
            "client_id": self.client_id,
        }


@dataclass(frozen=True)
class Cell:
    """A cell as the workspace holds it, with who set it last."""

    table: str
    key: str
    column: str
    value: str
    set_by: str
    set_at: str


# ---- tables <-> cells ---------------------------------------------------------------------
def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as the text of its CSV cells (what a bundle file holds), blanks as ""."""
    return pd.read_csv(
        io.StringIO(frame.to_csv(index=False)), dtype=str, keep_default_na=False, na_filter=False
    )


def problem_tables(problem: Problem) -> dict[str, pd.DataFrame]:
    """A problem's bundle tables and settings as text frames (settings: one row per setting,
    its JSON value in the `value` column)."""
    tables = {t: _text_frame(f) for t, f in to_tables(problem).items()}
    settings = settings_dict(problem.settings)
    tables[SETTINGS] = pd.DataFrame(
        {"setting": list(settings), SETTING_COLUMN: [json.dumps(v) for v in settings.values()]}
    )
    return tables


def _keys(table: str, frame: pd.DataFrame) -> pd.Series:
    cols = ROW_KEYS.get(table, ("setting",))
    keys = frame[cols[0]].astype(str)
    for c in cols[1:]:
        keys = keys + KEY_SEP + frame[c].astype(str)
    return keys


def _long(tables: Mapping[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(rows, columns, cells) frames of the tables, ready to insert."""
    rows, cols, cells = [], [], []
    for t, frame in tables.items():
        keys = _keys(t, frame)
        if keys.duplicated().any():
            raise StoreError("ws_key_clash", table=t, key=str(keys[keys.duplicated()].iloc[0]))
        client = frame[CLIENT_ID] if CLIENT_ID in frame.columns else None
        rows.append(
            pd.DataFrame(
                {
                    "tbl": t,
                    "row_key": keys.to_numpy(),
                    "position": range(len(frame)),
                    "client_id": None if client is None else client.to_numpy(),
                }
            )
        )
        cols.append(
            pd.DataFrame(
                {"tbl": t, "col": list(frame.columns), "position": range(len(frame.columns))}
            )
        )
        # Private names for the melt: a bundle has a column called "value" of its own.
        melted = (
            frame.set_axis(range(frame.shape[1]), axis=1)
            .assign(__row_key=keys.to_numpy())
            .melt(id_vars="__row_key", var_name="__col", value_name="__value")
        )
        melted["__col"] = np.asarray(frame.columns, dtype=object)[
            melted["__col"].to_numpy(dtype=np.int64)
        ]
        melted = melted.rename(columns={"__row_key": "row_key", "__col": "col", "__value": "value"})
        cells.append(melted.assign(tbl=t))
    return pd.concat(rows), pd.concat(cols), pd.concat(cells)


def _restore(frame: pd.DataFrame, cells: pd.DataFrame, name: str) -> pd.DataFrame:
    """The rows (`name` "row_key") or columns ("col") of `frame` that `cells` still fill, and
    those it fills that `frame` lacks, placed after their table's others."""
    keys = cells[["tbl", name]].drop_duplicates()
    kept = frame.merge(keys, on=["tbl", name], how="inner")
    back = keys.merge(frame[["tbl", name]], on=["tbl", name], how="left", indicator=True)
    back = back[back["_merge"] == "left_only"][["tbl", name]]
    if back.empty:
        return kept
    top = kept.groupby("tbl")["position"].max() if not kept.empty else pd.Series(dtype=float)
    back = back.assign(
        position=back["tbl"].map(top).fillna(-1).to_numpy() + 1 + back.groupby("tbl").cumcount()
    )
    return pd.concat([kept, back], ignore_index=True)


def _wide(
    rows: pd.DataFrame, cols: pd.DataFrame, cells: pd.DataFrame
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Long rows, columns and cells as the bundle's text tables and the settings."""
    out: dict[str, pd.DataFrame] = {}
    settings: dict[str, Any] = {}
    for t, r in rows.groupby("tbl", sort=False):
        order = r.sort_values("position")["row_key"]
        columns = cols[cols["tbl"] == t].sort_values("position")["col"].tolist()
        grid = cells[cells["tbl"] == t].pivot(index="row_key", columns="col", values="value")
        frame = grid.reindex(index=order, columns=columns).fillna("").reset_index(drop=True)
        frame.columns.name = None
        if t == SETTINGS:
            settings = {k: json.loads(v) for k, v in zip(frame["setting"], frame[SETTING_COLUMN])}
        else:
            out[str(t)] = frame
    return {t: out[t] for t in TABLES if t in out}, settings


def _select(
    conn: Connection, *columns: sa.ColumnElement[Any], where: sa.ColumnElement[bool] | None = None
) -> pd.DataFrame:
    """A query's rows as a frame (tuples first: pandas reads them several times faster than
    result rows); `where`, a condition they meet."""
    query = sa.select(*columns)
    rows = conn.execute(query if where is None else query.where(where)).all()
    return pd.DataFrame(list(map(tuple, rows)), columns=[c.key for c in columns])


def _bulk_insert(conn: Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """Insert a frame's rows in one executemany, the rows handed to the driver as tuples
    (the Core's per-row parameter processing costs more than the insert itself at 100,000
    cells). Table and column names are the schema's own, never the user's."""
    if frame.empty:
        return
    cols = [c.name for c in table.c if c.name in frame.columns]
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"
    data = frame[cols].astype(object)
    data = data.where(data.notna(), None)
    conn.exec_driver_sql(sql, list(data.itertuples(index=False, name=None)))


def _since(text: str | date | datetime | None) -> str | None:
    """An ISO time from a date, a date-time or their ISO text (UTC when none is given)."""
    if text is None or text == "":
        return None
    if isinstance(text, datetime):
        when = text
    elif isinstance(text, date):
        when = datetime(text.year, text.month, text.day)
    else:
        when = datetime.fromisoformat(str(text).strip())
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="microseconds")


class Workspace:
    """The shared working plan in one database (see the module's docstring)."""

    def __init__(self, db: str | os.PathLike[str] | Target | Database | None = None):
        self.db = db if isinstance(db, Database) else Database(db)

    # -- reading --------------------------------------------------------------------------
    def _frames(self, conn: Connection) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        rows = _select(conn, *ws_rows.c)
        cols = _select(conn, *ws_columns.c)
        cells = _select(conn, ws_cells.c.tbl, ws_cells.c.row_key, ws_cells.c.col, ws_cells.c.value)
        return rows, cols, cells

    def is_empty(self) -> bool:
        """True while no bundle has been imported."""
        with self.db.read() as conn:
            if conn is None or not self.db.has(conn, ws_rows.name):
                return True
            return (
                conn.execute(sa.select(sa.literal(1)).select_from(ws_rows).limit(1)).first() is None
            )

    def tables(self) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
        """The current inputs as text frames (bundle tables, in their row and column order)
        and the settings; StoreError "ws_empty" before the first import."""
        with self.db.read() as conn:
            if conn is None or not self.db.has(conn, ws_rows.name):
                raise StoreError("ws_empty", path=self.db.label)
            rows, cols, cells = self._frames(conn)
        if rows.empty:
            raise StoreError("ws_empty", path=self.db.label)
        return _wide(rows, cols, cells)

    def tables_at(
        self, since: str | date | datetime
    ) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
        """The inputs as they were just before `since` (a date, a date-time or a saved
        scenario's name, as in `changes`): every change logged at or after it undone, each
        cell given the old value of its first change since then. Rows and columns a later
        import added are dropped, those it removed come back (at the end of their table).
        StoreError "ws_empty_at" when the first import came at or after `since`."""
        with self.db.read() as conn:
            if conn is None or not self.db.has(conn, ws_rows.name):
                raise StoreError("ws_empty", path=self.db.label)
            start = self._since(conn, since)
            rows, cols, cells = self._frames(conn)
            first = conn.execute(
                sa.select(sa.func.min(ws_changes.c.at)).where(ws_changes.c.kind == "import")
            ).scalar()
            later = _select(
                conn, ws_changes.c.id, ws_changes.c.tbl, ws_changes.c.row_key, ws_changes.c.col,
                ws_changes.c.old, ws_changes.c.kind, where=ws_changes.c.at >= start,
            )  # fmt: skip
        if rows.empty:
            raise StoreError("ws_empty", path=self.db.label)
        if first is None or start is None or str(first) >= start:
            raise StoreError("ws_empty_at", since=str(since), path=self.db.label)
        cell = ["tbl", "row_key", "col"]
        undo = (
            later[later["kind"] != "import"]
            .sort_values("id")
            .drop_duplicates(cell, keep="first")[[*cell, "old"]]
        )
        both = cells.merge(undo, on=cell, how="outer", indicator=True)
        touched = both["_merge"] != "left_only"
        both["value"] = both["value"].where(~touched, both["old"])
        then = both[both["value"].notna()][[*cell, "value"]]
        return _wide(_restore(rows, then, "row_key"), _restore(cols, then, "col"), then)

    def problem(self) -> Problem:
        """The current inputs, validated (raises BundleError when they are not)."""
        tables, settings = self.tables()
        files = [(f"{t}.csv", f.to_csv(index=False).encode("utf-8")) for t, f in tables.items()]
        files.append(("settings.json", json.dumps(settings).encode("utf-8")))
        t, s, issues = read_uploaded(files)
        return parse_tables(t, s, issues)

    def cell(self, table: str, key: str, column: str) -> Cell:
        """One cell with who set it last; StoreError "ws_no_cell" when there is none."""
        with self.db.read() as conn:
            row = None
            if conn is not None and self.db.has(conn, ws_cells.name):
                row = conn.execute(
                    sa.select(ws_cells.c.value, ws_cells.c.set_by, ws_cells.c.set_at).where(
                        ws_cells.c.tbl == table, ws_cells.c.row_key == key, ws_cells.c.col == column
                    )
                ).first()
        if row is None:
            raise StoreError("ws_no_cell", table=table, key=key, column=column)
        return Cell(table, key, column, row[0], row[1], row[2])

    def changes(self, since: str | date | datetime | None = None) -> list[Change]:
        """Every logged change, oldest first; with `since` (a date, a date-time, or the name of
        a saved scenario: the changes after it was saved) only those at or after it."""
        with self.db.read() as conn:
            if conn is None or not self.db.has(conn, ws_changes.name):
                return []
            start = self._since(conn, since)
            q = sa.select(ws_changes).order_by(ws_changes.c.id)
            if start is not None:
                q = q.where(ws_changes.c.at >= start)
            rows = conn.execute(q).all()
        return [
            Change(r.id, r.at, r.who, r.kind, r.tbl, r.row_key, r.col, r.old, r.new, r.client_id)
            for r in rows
        ]

    def last_change(self) -> int:
        """The id of the latest logged change (0 before any): a page compares it with the one it
        loaded to say that the shared inputs changed since."""
        with self.db.read() as conn:
            if conn is None or not self.db.has(conn, ws_changes.name):
                return 0
            return int(conn.execute(sa.select(sa.func.max(ws_changes.c.id))).scalar() or 0)

    def changes_after(self, change_id: int) -> list[Change]:
        """The changes logged after the one with id `change_id`, oldest first."""
        with self.db.read() as conn:
            if conn is None or not self.db.has(conn, ws_changes.name):
                return []
            rows = conn.execute(
                sa.select(ws_changes).where(ws_changes.c.id > change_id).order_by(ws_changes.c.id)
            ).all()
        return [
            Change(r.id, r.at, r.who, r.kind, r.tbl, r.row_key, r.col, r.old, r.new, r.client_id)
            for r in rows
        ]

    def _since(self, conn: Connection, since: str | date | datetime | None) -> str | None:
        if since is None or isinstance(since, date | datetime):
            return _since(since)
        text = str(since).strip()
        try:
            return _since(text)
        except ValueError:
            pass
        saved = None
        if self.db.has(conn, scenarios.name):
            saved = conn.execute(
                sa.select(scenarios.c.saved_at).where(scenarios.c.name == text)
            ).scalar()
        if saved is None:
            raise StoreError("ws_since", since=text)
        return str(saved)

    # -- writing --------------------------------------------------------------------------
    def import_problem(self, problem: Problem, who: str, label: str = "") -> int:
        """Replace the current inputs by `problem`'s, in one transaction; log the import and,
        when there were inputs before, every cell it changed. The number of changed cells."""
        tables = problem_tables(problem)
        rows, cols, cells = _long(tables)
        at = _now()
        with self.db.write() as conn:
            old = _select(
                conn, ws_cells.c.tbl, ws_cells.c.row_key, ws_cells.c.col, ws_cells.c.value
            )
            old_clients = _select(conn, ws_rows.c.tbl, ws_rows.c.row_key, ws_rows.c.client_id)
            for t in (ws_cells, ws_rows, ws_columns):
                conn.execute(t.delete())
            _bulk_insert(conn, ws_rows, rows)
            _bulk_insert(conn, ws_columns, cols)
            _bulk_insert(conn, ws_cells, cells.assign(set_by=who, set_at=at))
            log = [
                {
                    "at": at,
                    "who": who,
                    "kind": "import",
                    "tbl": "",
                    "row_key": "",
                    "col": "",
                    "old": None,
                    "new": label,
                    "client_id": None,
                }
            ]
            diff = self._diff(
                old, cells, pd.concat([old_clients, rows[["tbl", "row_key", "client_id"]]])
            )
            conn.execute(ws_changes.insert(), log)
            if not old.empty:
                _bulk_insert(conn, ws_changes, diff.assign(at=at, who=who, kind="set"))
        return 0 if old.empty else len(diff)

    @staticmethod
    def _diff(old: pd.DataFrame, new: pd.DataFrame, clients: pd.DataFrame) -> pd.DataFrame:
        """The cells that differ between two long frames: tbl, row_key, col, old, new,
        client_id (old or new None where the cell was added or removed)."""
        both = old.merge(new, on=["tbl", "row_key", "col"], how="outer", suffixes=("_old", "_new"))
        changed = both[both["value_old"].fillna("\0") != both["value_new"].fillna("\0")]
        owner = clients.drop_duplicates(["tbl", "row_key"], keep="last")
        changed = changed.merge(owner, on=["tbl", "row_key"], how="left")
        return changed.rename(columns={"value_old": "old", "value_new": "new"})[
            ["tbl", "row_key", "col", "old", "new", "client_id"]
        ]

    def import_bundle(self, source: str | os.PathLike[str], who: str) -> int:
        """Import a bundle (validated first: a bad one raises BundleError, nothing changes)."""
        return self.import_problem(load_bundle(Path(source)), who, label=Path(source).name)

    def set_cell(
        self, table: str, key: str, column: str, seen: str, value: str, who: str
    ) -> Change | None:
        """Set one cell to `value` if it still holds `seen` (what the editor saw): the change
        logged, or None when `value` is `seen`. A cell changed since raises EditConflict with
        the current value and who set it; a cell that does not exist, StoreError."""
        table, key, column, seen, value = map(str, (table, key, column, seen, value))
        if column in ROW_KEYS.get(table, ("setting",)):
            raise StoreError("ws_key_column", table=table, column=column)
        if seen == value:
            return None
        at = _now()
        where = (ws_cells.c.tbl == table, ws_cells.c.row_key == key, ws_cells.c.col == column)
        with self.db.write() as conn:
            # One conditional update: the database decides between editors of one cell.
            done = conn.execute(
                ws_cells.update()
                .where(*where, ws_cells.c.value == seen)
                .values(value=value, set_by=who, set_at=at)
            )
            if done.rowcount == 0:
                now = conn.execute(
                    sa.select(ws_cells.c.value, ws_cells.c.set_by, ws_cells.c.set_at).where(*where)
                ).first()
                if now is None:
                    raise StoreError("ws_no_cell", table=table, key=key, column=column)
                raise EditConflict(table, key, column, seen, value, now[0], now[1], now[2])
            client = conn.execute(
                sa.select(ws_rows.c.client_id).where(
                    ws_rows.c.tbl == table, ws_rows.c.row_key == key
                )
            ).scalar()
            change = {
                "at": at,
                "who": who,
                "kind": "set",
                "tbl": table,
                "row_key": key,
                "col": column,
                "old": seen,
                "new": value,
                "client_id": client,
            }
            new_id = conn.execute(ws_changes.insert().returning(ws_changes.c.id), [change]).scalar()
        return Change(int(new_id or 0), at, who, "set", table, key, column, seen, value, client)

    def client_of(self, table: str, key: str) -> str | None:
        """The client a row is about (None for pools, methods and settings)."""
        with self.db.read() as conn:
            if conn is None or not self.db.has(conn, ws_rows.name):
                return None
            return conn.execute(
                sa.select(ws_rows.c.client_id).where(
                    ws_rows.c.tbl == table, ws_rows.c.row_key == key
                )
            ).scalar()

    def export(self, dest: str | os.PathLike[str]) -> Path:
        """Write the current inputs as a bundle: a .xlsx workbook, a .zip, else a CSV folder
        (as they are, valid or not, so they can be fixed and imported again)."""
        tables, settings = self.tables()
        dest = Path(dest)
        suffix = dest.suffix.lower()
        if suffix == ".xlsx":
            atomic_write_bytes(dest, tables_to_xlsx_bytes(tables, settings))
        elif suffix == ".zip":
            atomic_write_bytes(dest, tables_to_zip_bytes(tables, settings))
        else:
            dest.mkdir(parents=True, exist_ok=True)
            for t, frame in tables.items():
                atomic_write_bytes(dest / f"{t}.csv", frame.to_csv(index=False).encode("utf-8"))
            atomic_write_bytes(
                dest / "settings.json",
                json.dumps(settings, indent=2, ensure_ascii=False).encode("utf-8"),
            )
        return dest


def changed_keys(changes: Iterable[Change]) -> set[tuple[str, str, str]]:
    """The (table, key, column) cells a list of changes touched."""
    return {(c.table, c.key, c.column) for c in changes if c.kind == "set"}


@dataclass(frozen=True)
class CellEdit:
    """One cell a page changed: the value its editor saw and the value typed."""

    table: str
    key: str
    column: str
    seen: str
    value: str


def cell_edits(
    before: Mapping[str, pd.DataFrame], after: Mapping[str, pd.DataFrame]
) -> tuple[list[CellEdit], list[str]]:
    """The cells that differ between two sets of text tables with the same rows (a page's
    tables as loaded from the working plan, and as edited), and the tables whose rows or
    columns differ (added, removed or renamed rows: a bundle import's business, not a cell
    edit's). Rows are matched by their keys, so a reordered table is no change."""
    out: list[CellEdit] = []
    reshaped: list[str] = []
    for t in dict.fromkeys([*before, *after]):
        old, new = before.get(t), after.get(t)
        if old is None or new is None or list(old.columns) != list(new.columns):
            reshaped.append(t)
            continue
        if t not in ROW_KEYS and t != SETTINGS:
            continue
        old_keys, new_keys = _keys(t, old), _keys(t, new)
        if (
            old_keys.duplicated().any()
            or new_keys.duplicated().any()
            or set(old_keys) != set(new_keys)
        ):
            reshaped.append(t)
            continue
        a = old.set_axis(old_keys.to_numpy()).astype(str)
        b = new.set_axis(new_keys.to_numpy()).astype(str).reindex(a.index)
        diff = a.ne(b).to_numpy()
        rows, cols = np.nonzero(diff)
        out.extend(
            CellEdit(t, str(a.index[r]), str(a.columns[c]), str(a.iat[r, c]), str(b.iat[r, c]))
            for r, c in zip(rows, cols)
        )
    return out, reshaped
