"""Robustness draws at scale: `draws` draws on `clients` clients, against one solve of the same
bundle and against full re-solves of the same draws, all in one run.

    python benchmarks/bench_draws.py [--clients 2500] [--draws 500] [--seed 1] [--check 40]
                                     [--no-blas-row]

The bundle and the call are those of the robustness row of benchmarks/bench_analysis.py
(benchmarks/instances.py, `make_problem(clients)`; `robustness(problem, draws, seed)`, timed
once), so the two print the same number; this one runs only that part, and says where the time
goes:
  one solve         optimizer.solve.solve on the bundle, best of 3 (the ratio's baseline)
  draws             robustness(): each draw re-solved on the columns it can move, every answer
                    priced against the rest (the default)
  draws, BLAS on    the same with numpy's BLAS threads left as they are (robustness() runs its
                    draws with one; on a busy two-core machine the idle workers' spinning costs
                    the solver its core)
  full re-solves    method="model": the whole LP built into a new solver for each draw, on the
                    first `check` draws, multiplied out to `draws`
The answers of the first `check` draws are compared with the full re-solves (largest relative
difference of the objective, and of each cell's funded share and mean units).
Target (issue: real-size bundles): 500 draws at 2,500 clients <= 30 s; aimed at <= 10 s.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.instances import make_problem  # noqa: E402
from optimizer import analysis as an  # noqa: E402
from optimizer.solve import solve  # noqa: E402

TARGET_CASE = (2500, 500)  # clients, draws
TARGET_S = 30.0
AIM_S = 10.0


def timed(fn):  # -> (wall seconds, this thread's CPU seconds, answer)
    t0, c0 = time.perf_counter(), time.thread_time()
    out = fn()
    return time.perf_counter() - t0, time.thread_time() - c0, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=2500)
    ap.add_argument("--draws", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check", type=int, default=40, help="draws also solved in full")
    ap.add_argument("--no-blas-row", action="store_true", help="skip the BLAS-threads row")
    args = ap.parse_args()
    load = os.getloadavg()[0]
    problem = make_problem(args.clients)
    t_solve = min(timed(lambda: solve(problem))[0] for _ in range(3))
    wall, cpu, rb = timed(lambda: an.robustness(problem, args.draws, args.seed))
    rows = [
        ("one solve", t_solve, None, 1.0, ""),
        (
            f"{args.draws} draws",
            wall,
            cpu,
            wall / t_solve,
            f"{1e3 * wall / args.draws:.1f} ms a draw",
        ),
    ]
    if not args.no_blas_row:
        mod = importlib.import_module("optimizer.analysis.robustness")
        kept = mod.threadpool_limits
        mod.threadpool_limits = lambda **_: contextlib.nullcontext()
        try:
            w2, c2, _ = timed(lambda: an.robustness(problem, args.draws, args.seed))
        finally:
            mod.threadpool_limits = kept
        rows.append((f"{args.draws} draws, BLAS on", w2, c2, w2 / t_solve, f"{w2 / wall:.1f}x"))
    k = min(args.check, args.draws)
    wf, _, full = timed(lambda: an.robustness(problem, k, args.seed, method="model"))
    est = wf * args.draws / k
    rows.append(
        (f"full re-solves (x{args.draws / k:g})", est, None, est / t_solve, f"{est / wall:.1f}x")
    )
    part = an.robustness(problem, k, args.seed)
    rel = float(np.max(np.abs(part.objective - full.objective) / np.abs(full.objective)))
    share = float(np.max(np.abs(part.cells["funded_share"] - full.cells["funded_share"])))
    units = float(np.max(np.abs(part.cells["mean_units"] - full.cells["mean_units"])))

    print(
        f"Robustness: {args.clients:,} clients ({len(problem.values):,} cells), seed "
        f"{args.seed}; load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end."
    )
    print(f"{'task':<28} {'seconds':>9} {'cpu s':>8} {'x solve':>9}  note")
    for task, t, c, ratio, note in rows:
        cs = f"{c:>8.2f}" if c is not None else f"{'':>8}"
        print(f"{task:<28} {t:>9.2f} {cs} {ratio:>9.1f}  {note}")
    print(
        f"statuses {rb.statuses}; first {k} draws against full re-solves: objective within "
        f"{rel:.1e} (relative), funded share within {share:.1e}, mean units within {units:.1e}"
    )
    if (args.clients, args.draws) != TARGET_CASE:
        print(f"(the target is for {TARGET_CASE[1]} draws at {TARGET_CASE[0]:,} clients)")
        return
    verdict = "met" if wall <= TARGET_S else "NOT met"
    print(
        f"{args.draws} draws at {args.clients:,} clients: {wall:.1f} s (target <= {TARGET_S:g} "
        f"s: {verdict}; aim <= {AIM_S:g} s: {'met' if wall <= AIM_S else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
