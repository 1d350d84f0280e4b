"""The scenario store: the schema of the SQLite scenario files before migrations
(`PRAGMA user_version = 1`); such a file is stamped with this revision, not re-created."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        if_not_exists=True,
    )
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("saved_at", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("objective", sa.Float),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("client_notes", sa.Text, nullable=False, server_default="{}"),
        sa.Column("inputs", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        if_not_exists=True,
    )
    meta = sa.table("meta", sa.column("key", sa.Text), sa.column("value", sa.Text))
    op.execute(meta.delete().where(meta.c.key.in_(["schema_version", "created_at"])))
    from datetime import UTC, datetime

    op.bulk_insert(
        meta,
        [
            {"key": "schema_version", "value": "1"},
            {"key": "created_at", "value": datetime.now(UTC).isoformat(timespec="microseconds")},
        ],
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 1")


def downgrade() -> None:
    op.drop_table("scenarios")
    op.drop_table("meta")
