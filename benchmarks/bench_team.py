"""Team-mode benchmark: what the team's page adds to a run, against the solve of the whole plan
measured in the same run.

    python benchmarks/bench_team.py [--sizes 250,2500,10000] [--planner-clients 10]

For each size (clients x 7 methods) it prints: solve s (the whole plan, the baseline), and, as
seconds and as a share of that solve: diff (finding the cells a page changed: `cell_edits`
over every table, what a director's page does on each run), inputs (a planner's part of the
tables: `member_inputs`), cut (a planner's part of the plan: `member_result`).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

T = TypeVar("T")


def timed(fn: Callable[[], T], repeat: int = 3) -> tuple[float, T]:
    """The best of `repeat` runs (seconds) and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out  # type: ignore[return-value]


def row(n: int, planner_clients: int) -> str:
    """One size's line of the table."""
    from benchmarks.instances import make_problem
    from optimizer.schema import SETTINGS
    from optimizer.solve import solve
    from optimizer.team import Member, member_inputs, member_result
    from optimizer.workspace import cell_edits, problem_tables

    problem = make_problem(n)
    t_solve, result = timed(lambda: solve(problem), repeat=1)
    tables = problem_tables(problem)
    settings_frame = tables.pop(SETTINGS)
    settings = dict(zip(settings_frame["setting"], settings_frame["value"]))
    edited = {t: f.copy() for t, f in tables.items()}
    t_diff, _ = timed(lambda: cell_edits(tables, edited))
    planner = Member("p@x.com", "planner", tuple(problem.clients.index[:planner_clients]))
    t_inputs, _ = timed(lambda: member_inputs(tables, settings, planner))
    t_cut, _ = timed(lambda: member_result(result, planner, tables))
    return (
        f"{n:>8} {t_solve:>8.2f} {t_diff:>8.3f} {t_diff / t_solve:>10.2f} "
        f"{t_inputs:>9.3f} {t_inputs / t_solve:>12.2f} {t_cut:>7.3f} {t_cut / t_solve:>9.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="250,2500,10000")
    ap.add_argument("--planner-clients", type=int, default=10)
    args = ap.parse_args(argv)
    head = f"{'clients':>8} {'solve s':>8} {'diff s':>8} {'diff/solve':>10} "
    head += f"{'inputs s':>9} {'inputs/solve':>12} {'cut s':>7} {'cut/solve':>9}"
    print(head)
    for n in (int(s) for s in args.sizes.split(",")):
        print(row(n, args.planner_clients))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
