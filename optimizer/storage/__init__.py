"""Storage: one database (an SQLite file or a PostgreSQL server) behind one interface, its
schema kept by Alembic migrations. The scenario store, the shared workspace and the team's
members all live in it."""

from .database import (
    BUSY_TIMEOUT_S,
    DB_ENV,
    SQLITE_HEADER,
    Database,
    Target,
    db_path_from,
    default_db_path,
    dispose_engines,
    head_version,
    target_from,
)
from .errors import StoreError

__all__ = [
    "BUSY_TIMEOUT_S",
    "DB_ENV",
    "SQLITE_HEADER",
    "Database",
    "StoreError",
    "Target",
    "db_path_from",
    "default_db_path",
    "dispose_engines",
    "head_version",
    "target_from",
]
