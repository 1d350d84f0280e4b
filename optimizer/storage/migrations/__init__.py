"""Alembic migrations of the planner's database, run by `optimizer.storage` when it opens one."""
