"""Storage benchmark: the shared working plan on SQLite and PostgreSQL, against the files a team
passes around today, measured in the same run.

    python benchmarks/bench_storage.py [--sizes 250,2500] [--edits 50] [--pg URL]

For each size (clients x 7 methods, every table of a bundle) and engine it prints: import s
(the whole plan replaced in one transaction), read s (the plan back as a validated Problem),
export s (a CSV folder), one edit ms (a conditional one-cell update with its change-log row,
the mean of --edits), changes s (the whole log read back), and the baselines: writing the same
problem as a CSV folder (`write_bundle`) and reading it back (`load_bundle`), with the ratios
import / write and read / load. Without --pg a throwaway PostgreSQL server is started
(tests/pg.py: Debian's `postgresql` package).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def run(size: int, engine: str, target: str, folder: Path, edits: int) -> dict[str, float]:
    from benchmarks.instances import make_problem
    from optimizer.bundle import load_bundle, write_bundle
    from optimizer.workspace import Workspace

    problem = make_problem(size)
    ws = Workspace(target)
    t_import, _ = timed(lambda: ws.import_problem(problem, "bench"))
    t_read, back = timed(ws.problem)
    assert back.fingerprint() == problem.fingerprint(), "the plan did not round-trip"
    t_export, _ = timed(lambda: ws.export(folder / f"export-{engine}-{size}"))
    ids = list(problem.clients.index[:edits])
    laps = []
    for i, cid in enumerate(ids):
        seen = ws.cell("clients", cid, "weight").value
        new = f"{1 + i / 100:g}"
        lap, _ = timed(lambda c=cid, s=seen, n=new: ws.set_cell("clients", c, "weight", s, n, "b"))
        laps.append(lap)
    t_changes, changes = timed(ws.changes)
    assert len(changes) == 1 + len(ids)
    plain = folder / f"plain-{engine}-{size}"
    t_write, _ = timed(lambda: write_bundle(problem, plain))
    t_load, _ = timed(lambda: load_bundle(plain))
    return {
        "import": t_import,
        "read": t_read,
        "export": t_export,
        "edit_ms": 1000 * statistics.mean(laps),
        "changes": t_changes,
        "write": t_write,
        "load": t_load,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="250,2500")
    ap.add_argument("--edits", type=int, default=50)
    ap.add_argument("--pg", help="a PostgreSQL URL to use (its database is written to)")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    cluster = None
    if args.pg is None:
        from pg import PgCluster

        cluster = PgCluster()
    try:
        rows = []
        with tempfile.TemporaryDirectory(prefix="bench-storage-") as tmp:
            folder = Path(tmp)
            for size in sizes:
                for engine in ("sqlite", "postgresql"):
                    if engine == "sqlite":
                        target = str(folder / f"team-{size}.sqlite3")
                    elif cluster is not None:
                        target = cluster.url(cluster.new_database())
                    else:
                        target = args.pg
                    rows.append((size, engine, run(size, engine, target, folder, args.edits)))
        head = (
            f"{'clients':>7} {'engine':<10} {'import s':>9} {'read s':>8} {'export s':>9} "
            f"{'edit ms':>8} {'changes s':>9} {'write s':>8} {'load s':>7} "
            f"{'import/write':>12} {'read/load':>9}"
        )
        print(head)
        for size, engine, r in rows:
            print(
                f"{size:>7} {engine:<10} {r['import']:>9.3f} {r['read']:>8.3f} "
                f"{r['export']:>9.3f} {r['edit_ms']:>8.2f} {r['changes']:>9.4f} "
                f"{r['write']:>8.3f} {r['load']:>7.3f} {r['import'] / r['write']:>12.2f} "
                f"{r['read'] / r['load']:>9.2f}"
            )
    finally:
        if cluster is not None:
            from optimizer.storage import dispose_engines

            dispose_engines()
            cluster.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
