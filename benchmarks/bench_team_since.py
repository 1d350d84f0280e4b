"""What rebuilding the shared inputs at a date costs (the Team tab's plan change since a date,
`Workspace.tables_at`), against reading the current inputs (`Workspace.tables`) in the same run.

    python benchmarks/bench_team_since.py [--sizes 250,2500,10000] [--edits 200]

For each size (clients x 7 methods, an SQLite file) it imports the plan, makes `--edits` cell
edits and one re-import that changes every client's weight, and prints: tables s (the
baseline), at s (the inputs as they were before the edits) and their ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_team import timed  # noqa: E402


def row(n: int, edits: int, folder: Path) -> str:
    """One size's line of the table."""
    from dataclasses import replace

    from benchmarks.instances import make_problem
    from optimizer.workspace import Workspace

    problem = make_problem(n)
    ws = Workspace(folder / f"since-{n}.sqlite3")
    ws.import_problem(problem, who="dir@x.com", label="bench")
    mark = datetime.fromisoformat(ws.changes()[-1].at) + timedelta(microseconds=1)
    tables, _ = ws.tables()
    values = tables["values"]
    keys = (values["client_id"] + "/" + values["method_id"]).tolist()[:edits]
    for key, seen in zip(keys, values["value"].tolist()[:edits]):
        ws.set_cell("values", key, "value", seen, "1", who="anna@x.com")
    clients = problem.clients.assign(weight=problem.clients["weight"] * 1.5)
    ws.import_problem(replace(problem, clients=clients), who="dir@x.com", label="reweighted")
    logged = len(ws.changes(mark))
    t_now, _ = timed(ws.tables)
    t_at, _ = timed(lambda: ws.tables_at(mark))
    return f"{n:>8} {logged:>8} {t_now:>9.3f} {t_at:>8.3f} {t_at / t_now:>7.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="250,2500,10000")
    ap.add_argument("--edits", type=int, default=200)
    args = ap.parse_args(argv)
    print(f"{'clients':>8} {'changes':>8} {'tables s':>9} {'at s':>8} {'ratio':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.sizes.split(",")):
            print(row(n, args.edits, Path(tmp)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
