"""Plans that hold up: the Gamma-robust, CVaR and expected-value solves against the nominal solve
of the same problem, measured in the same run.

    python benchmarks/bench_robust.py [--sizes 25,2500,10000] [--modes continuous,integer]
                                      [--draws 200] [--repeat 3]

For each size (clients x 7 methods, up to 3 units a cell, every constraint family, every cell
with a range) and mode it prints the end-to-end time (`solve()` / `robust.solve_objective()`:
build, counterpart, solve, result frames with reasons) of
  - the nominal plan with reasons from the prices (`needed="bound"`, as the counterparts give
    them): the baseline every ratio is against; and with the default reasons beside it,
  - Gamma-robust, Gamma = 1% of the cells with ranges overall, and Gamma = 1 per client,
  - CVaR over S draws (alpha 0.1) and the expected value over the same draws,
with the counterpart's size (columns, nonzeros) and the peak memory of each case's process.
Each size and mode runs in its own process. Target: the Gamma-robust solve at 10,000 clients
within 2x the nominal one.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TIME_LIMIT = 300.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(n: int, integer: bool, draws: int, repeat: int) -> dict:
    """One size and mode, measured in this process (called in a child process)."""
    from benchmarks.instances import make_problem
    from optimizer.robust import counterpart, solve_objective
    from optimizer.schema import Objective
    from optimizer.solve import solve

    problem = make_problem(n, integer=integer).with_settings(time_limit_s=TIME_LIMIT)
    warm = make_problem(3, integer=integer)
    solve(warm)  # first-call costs are not the model's
    solve_objective(warm, Objective("robust", protect=1))
    reps = repeat if n <= 2500 else 1

    def timed(fn):
        times, out = [], None
        for _ in range(reps):
            t0 = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t0)
        return statistics.median(times), out

    n_ranged = len(problem.values)
    objectives = {
        "robust": Objective("robust", protect=max(1, math.ceil(0.01 * n_ranged))),
        "robust per client": Objective("robust", protect=1, per_client=True),
        "cvar": Objective("cvar", alpha=0.1, draws=draws, seed=0),
        "expected": Objective("expected", draws=draws, seed=0),
    }
    # The baseline: reasons from the prices, as the counterparts give them ("bound"); the
    # default ("auto") confirms needed values by re-solves up to 3,000 columns, shown beside.
    nominal_s, nominal = timed(lambda: solve(problem, needed="bound"))
    auto_s, auto = timed(lambda: solve(problem))
    rows = [
        {
            "objective": "nominal",
            "seconds": nominal_s,
            "status": nominal.status_text,
            "value": nominal.objective,
            "under": nominal.objective,
            "cols": None,
            "nnz": None,
        },
        {
            "objective": "nominal, default reasons",
            "seconds": auto_s,
            "status": auto.status_text,
            "value": auto.objective,
            "under": auto.objective,
            "cols": None,
            "nnz": None,
        },
    ]
    for name, ob in objectives.items():
        cp, _ = counterpart(problem, ob)
        s, r = timed(lambda ob=ob: solve_objective(problem, ob))
        under = r.protected_value if ob.kind == "robust" else r.cvar_value or r.expected_value
        rows.append(
            {
                "objective": name,
                "param": ob.protect if ob.kind == "robust" else draws,
                "seconds": s,
                "status": r.status_text,
                "value": r.objective,
                "under": under,
                "cols": cp.model.n_cols,
                "nnz": int(cp.model.A.nnz),
            }
        )
    return {
        "n": n,
        "mode": "integer" if integer else "continuous",
        "rows": rows,
        "peak_mb": _peak_mb(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="25,2500,10000")
    ap.add_argument("--modes", default="continuous,integer")
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--case", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:
        n, mode = args.case.split(":")
        out = run_case(int(n), mode == "integer", args.draws, args.repeat)
        print(json.dumps(out))
        return
    head = (
        "| clients | mode | objective | counterpart columns | nonzeros | seconds "
        "| / nominal | value at nominal | value under the objective | status |"
    )
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for mode in args.modes.split(","):
        for n in [int(s) for s in args.sizes.split(",")]:
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--case",
                    f"{n}:{mode}",
                    "--draws",
                    str(args.draws),
                    "--repeat",
                    str(args.repeat),
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            if proc.returncode != 0:
                print(f"| {n:,} | {mode} | failed: {proc.stderr.strip().splitlines()[-1]} |")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            base = r["rows"][0]["seconds"]
            for row in r["rows"]:
                label = row["objective"]
                if label.startswith("robust"):
                    label += f" (Gamma {row['param']:g})"
                elif label in ("cvar", "expected"):
                    label += f" (S = {row['param']})"
                cols = "-" if row["cols"] is None else f"{row['cols']:,}"
                nnz = "-" if row["nnz"] is None else f"{row['nnz']:,}"
                value = "-" if row["value"] is None else f"{row['value']:,.1f}"
                under = "-" if row["under"] is None else f"{row['under']:,.1f}"
                print(
                    f"| {n:,} | {mode} | {label} | {cols} | {nnz} | {row['seconds']:.3f} | "
                    f"{row['seconds'] / base:.2f}x | {value} | {under} | {row['status']} |",
                    flush=True,
                )
            print(f"| {n:,} | {mode} | peak memory of the case: {r['peak_mb']:.0f} MB |")


if __name__ == "__main__":
    main()
