"""Alembic's environment: migrations run on the connection (and inside the transaction) that
`optimizer.storage.Database` passes in `config.attributes["connection"]`."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():  # the caller's transaction when it has one open
    context.run_migrations()
