"""The database's tables as SQLAlchemy Core objects (the queries' view of the schema; the
migrations in `migrations/versions/` create them and never import this module)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

scenarios = sa.Table(
    "scenarios",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("saved_at", sa.Text, nullable=False),  # UTC, ISO 8601
    sa.Column("fingerprint", sa.Text, nullable=False),  # of the inputs and settings
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("objective", sa.Float),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    sa.Column("client_notes", sa.Text, nullable=False, server_default="{}"),  # JSON
    sa.Column("inputs", sa.Text, nullable=False),  # JSON: {"tables": {t: csv}, "settings": {}}
    sa.Column("summary", sa.Text, nullable=False),  # JSON: optimizer.analysis.summarize
)

# The shared working plan: one row per table row (its order and the client it belongs to),
# one per column (its order), one per cell.
ws_rows = sa.Table(
    "ws_rows",
    metadata,
    sa.Column("tbl", sa.Text, primary_key=True),
    sa.Column("row_key", sa.Text, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("client_id", sa.Text),  # the client the row is about, if any
)

ws_columns = sa.Table(
    "ws_columns",
    metadata,
    sa.Column("tbl", sa.Text, primary_key=True),
    sa.Column("col", sa.Text, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
)

ws_cells = sa.Table(
    "ws_cells",
    metadata,
    sa.Column("tbl", sa.Text, primary_key=True),
    sa.Column("row_key", sa.Text, primary_key=True),
    sa.Column("col", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),  # the cell's text, "" when blank
    sa.Column("set_by", sa.Text, nullable=False),
    sa.Column("set_at", sa.Text, nullable=False),
)

ws_changes = sa.Table(
    "ws_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),  # UTC, ISO 8601
    sa.Column("who", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),  # import | set
    sa.Column("tbl", sa.Text, nullable=False),
    sa.Column("row_key", sa.Text, nullable=False),
    sa.Column("col", sa.Text, nullable=False),
    sa.Column("old", sa.Text),
    sa.Column("new", sa.Text),
    sa.Column("client_id", sa.Text),
)
sa.Index("ws_changes_at", ws_changes.c.at)  # "changes since": a range on the time

members = sa.Table(
    "members",
    metadata,
    sa.Column("email", sa.Text, primary_key=True),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("added_at", sa.Text, nullable=False),
    sa.Column("added_by", sa.Text, nullable=False),
)

member_clients = sa.Table(
    "member_clients",
    metadata,
    sa.Column("email", sa.Text, primary_key=True),
    sa.Column("client_id", sa.Text, primary_key=True),
)
