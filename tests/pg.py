"""A throwaway PostgreSQL server for the tests: one cluster per test session (per xdist worker),
made with Debian's `initdb` and run with `pg_ctl`, listening on a Unix socket in its own
temporary folder only (no TCP port, so parallel workers never clash), trust authentication.

PostgreSQL refuses to run as root: as root the server runs as the `postgres` user that
Debian's package creates (`runuser -u postgres`). A machine without the server binaries fails
the tests that need it, with the command that installs them (`.ci/run` does).

Fixtures: `pg_cluster` (the session's server) and `pg_url` (a new empty database per test).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_USER = "postgres"
PORT = 5432  # names the socket file only: the server listens on no TCP port


def pg_bin(name: str) -> Path | None:
    """A PostgreSQL program: on the PATH, else in Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which(name)
    if found:
        return Path(found)
    versions = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(versions[-1]) if versions else None


class PgCluster:
    """One PostgreSQL cluster in a temporary folder."""

    def __init__(self) -> None:
        self.initdb, self.pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
        if self.initdb is None or self.pg_ctl is None:
            pytest.fail(
                "PostgreSQL's server programs (initdb, pg_ctl) are not installed: "
                "apt-get install postgresql (as .ci/run does)",
                pytrace=False,
            )
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam(PG_USER)
            except KeyError:
                pytest.fail(
                    "running as root, and there is no 'postgres' user to run the server as "
                    "(Debian's postgresql package creates it)",
                    pytrace=False,
                )
            self.as_user = ["runuser", "-u", PG_USER, "--"]
        self.root = Path(tempfile.mkdtemp(prefix="rp-pg-"))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        if self.as_user:
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self._run(str(self.initdb), "-D", str(self.data), "-A", "trust", "-U", PG_USER,
                  "-E", "UTF8", "--no-sync")  # fmt: skip
        self.start()

    def _run(self, *argv: str) -> None:
        proc = subprocess.run(
            [*self.as_user, *argv], capture_output=True, text=True, timeout=120, cwd=self.root
        )
        if proc.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{argv[0]} failed: {proc.stderr}\n{proc.stdout}\n{log}")

    def start(self) -> None:
        # fsync off: a test cluster need not survive a power cut, and it is much faster.
        opts = f"-p {PORT} -k {self.root} -c listen_addresses= -c fsync=off -c max_connections=60"
        self._run(str(self.pg_ctl), "-D", str(self.data), "-o", opts, "-l", str(self.log),
                  "-w", "-t", "60", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`immediate`: as a crash would)."""
        self._run(str(self.pg_ctl), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{PG_USER}@/{database}?host={self.root}&port={PORT}"

    def admin(self, sql: str) -> None:
        """Run one statement on the `postgres` database, outside a transaction."""
        import psycopg

        with psycopg.connect(host=str(self.root), port=PORT, user=PG_USER, dbname="postgres",
                             autocommit=True) as conn:  # fmt: skip
            conn.execute(sql)  # type: ignore[arg-type]

    def new_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.admin(f'CREATE DATABASE "{name}"')
        return name

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):  # already down
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    cluster = PgCluster()
    try:
        yield cluster
    finally:
        from optimizer.storage import dispose_engines

        dispose_engines()
        cluster.close()


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> Iterator[str]:
    """The URL of a new, empty database on the session's server."""
    name = pg_cluster.new_database()
    yield pg_cluster.url(name)
    from optimizer.storage import dispose_engines

    dispose_engines()
    # The server may have been stopped by the test and not started again.
    with contextlib.suppress(Exception):
        pg_cluster.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database of one test, once on each engine: an SQLite file, then a new database on
    the session's PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "team.sqlite3")
    return str(request.getfixturevalue("pg_url"))
