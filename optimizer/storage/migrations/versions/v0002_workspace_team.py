"""The shared working plan (rows, columns, cells and the change log) and the team's members.

SQLite files also get `PRAGMA user_version = 2`, so releases from before migrations, which
read version 1 only, refuse the file instead of writing to it."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ws_rows",
        sa.Column("tbl", sa.Text, primary_key=True),
        sa.Column("row_key", sa.Text, primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("client_id", sa.Text),
    )
    op.create_table(
        "ws_columns",
        sa.Column("tbl", sa.Text, primary_key=True),
        sa.Column("col", sa.Text, primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "ws_cells",
        sa.Column("tbl", sa.Text, primary_key=True),
        sa.Column("row_key", sa.Text, primary_key=True),
        sa.Column("col", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("set_by", sa.Text, nullable=False),
        sa.Column("set_at", sa.Text, nullable=False),
    )
    op.create_table(
        "ws_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("who", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("tbl", sa.Text, nullable=False),
        sa.Column("row_key", sa.Text, nullable=False),
        sa.Column("col", sa.Text, nullable=False),
        sa.Column("old", sa.Text),
        sa.Column("new", sa.Text),
        sa.Column("client_id", sa.Text),
    )
    op.create_index("ws_changes_at", "ws_changes", ["at"])
    op.create_table(
        "members",
        sa.Column("email", sa.Text, primary_key=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("added_at", sa.Text, nullable=False),
        sa.Column("added_by", sa.Text, nullable=False),
    )
    op.create_table(
        "member_clients",
        sa.Column("email", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text, primary_key=True),
    )
    meta = sa.table("meta", sa.column("key", sa.Text), sa.column("value", sa.Text))
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value="2"))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 2")


def downgrade() -> None:
    for name in ("member_clients", "members", "ws_changes", "ws_cells", "ws_columns", "ws_rows"):
        op.drop_table(name)
