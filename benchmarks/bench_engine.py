"""Engine benchmark: build and solve times, peak memory, and baselines measured in the same run.

    python benchmarks/bench_engine.py [--sizes 25,250,2500,10000] [--modes continuous,integer]
                                      [--no-plain] [--repeat 3]

For each size (clients x 7 methods, up to 3 units a cell, every constraint family) and mode it
prints: build s, solve s, total s (`solve()` end to end: build, solve, result frames), peak
memory of a fresh process, the same solve with CBC, and two baselines:
  (a) "plain": the same model written the plain way (dicts of variables, lpSum over
      generators) solved by PuLP's default solver;
  (b) "floor": the same LP handed to highspy as arrays, solver time only, with HiGHS defaults
      and with the engine's own options.
Each case runs in its own process so that peak memory is that case's alone.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TIME_LIMIT = 120.0  # seconds, for the plain baseline and CBC in whole-units mode


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def plain_pulp(problem, integer: bool) -> tuple[float, float | None]:
    """Baseline (a): dicts of variables, lpSum over generators, PuLP's default solver."""
    import pulp

    from benchmarks.plain_pulp import build

    t0 = time.perf_counter()
    vals = problem.values.reset_index()
    prob, _ = build(
        problem.resources, problem.methods, problem.clients, vals, problem.overrides, integer
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=TIME_LIMIT, gapRel=0.01))
    total = time.perf_counter() - t0
    obj = pulp.value(prob.objective) if prob.status == pulp.LpStatusOptimal else None
    return total, obj


def floor(model, engine_options: bool) -> float:
    """Baseline (b): highspy on the arrays, solver time only."""
    from optimizer.solve import HIGHS_OPTIONS, IPM_FROM_COLUMNS, highs_model

    saved = dict(HIGHS_OPTIONS)
    if not engine_options:
        HIGHS_OPTIONS.clear()
    try:
        h = highs_model(model)
        if model.integer:
            h.setOptionValue("mip_rel_gap", 0.01)
        elif engine_options and model.n_cols >= IPM_FROM_COLUMNS:
            h.setOptionValue("solver", "ipm")
        t0 = time.perf_counter()
        h.run()
        return time.perf_counter() - t0
    finally:
        HIGHS_OPTIONS.clear()
        HIGHS_OPTIONS.update(saved)


def run_case(n: int, integer: bool, plain: bool) -> dict:
    """One case, measured in this process (called in a child process)."""
    from benchmarks.instances import make_problem
    from optimizer.model import build_model
    from optimizer.solve import run_model, solve

    problem = make_problem(n, integer=integer).with_settings(time_limit_s=TIME_LIMIT)
    solve(make_problem(3, integer=integer))  # warm-up: first-call costs are not the model's
    base_mb = _peak_mb()
    reps = 5 if n <= 250 else 3 if n <= 2500 else 1

    def timed(fn):  # median seconds over `reps` runs, and the last return value
        times, out = [], None
        for _ in range(reps):
            t0 = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t0)
        return statistics.median(times), out

    build, model = timed(lambda: build_model(problem))
    solve_s, raw = timed(lambda: run_model(model, problem.settings))
    total, result = timed(lambda: solve(problem))
    peak = _peak_mb()
    out = {
        "n": n,
        "mode": "integer" if integer else "continuous",
        "cols": model.n_cols,
        "rows": len(model.row_lo),
        "build": build,
        "solve": solve_s,
        "total": total,
        "status": result.status_text,
        "objective": result.objective,
        "peak_mb": peak,
        "import_mb": base_mb,
        "raw_status": raw.status,
    }
    t0 = time.perf_counter()
    cbc = solve(problem.with_settings(solver="cbc"))
    out["cbc_total"] = time.perf_counter() - t0
    out["cbc_objective"] = cbc.objective
    out["floor_default"] = statistics.median(
        floor(model, engine_options=False) for _ in range(min(reps, 2))
    )
    out["floor_engine"] = statistics.median(floor(model, engine_options=True) for _ in range(reps))
    if plain:
        out["plain_total"], out["plain_objective"] = plain_pulp(problem, integer)
    return out


def sample_times(repeat: int) -> dict:
    """In-process times on the sample bundle (median of `repeat` runs after a warm-up)."""
    from optimizer import load_bundle, solve

    problem = load_bundle(ROOT / "sample_data")
    out = {}
    for mode, integer in (("continuous", False), ("integer", True)):
        p = problem.with_settings(integer_units=integer)
        solve(p)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            solve(p)
            times.append(time.perf_counter() - t0)
        out[mode] = statistics.median(times)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="25,250,2500,10000")
    ap.add_argument("--modes", default="continuous,integer")
    ap.add_argument("--no-plain", action="store_true", help="skip baseline (a)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--case", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:
        n, mode, plain = args.case.split(":")
        print(json.dumps(run_case(int(n), mode == "integer", plain == "1")))
        return

    st = sample_times(args.repeat)
    print(
        f"Sample bundle, in process (median of {args.repeat}): continuous "
        f"{st['continuous'] * 1000:.1f} ms (target <= 50 ms), whole units "
        f"{st['integer'] * 1000:.1f} ms (target <= 500 ms)\n"
    )
    head = (
        "| clients | mode | columns | build s | solve s | total s | peak MB | CBC total s "
        "| floor s (HiGHS defaults) | floor s (engine options) | total / floor | plain s "
        "| plain / total | status |"
    )
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for mode in args.modes.split(","):
        for n in [int(s) for s in args.sizes.split(",")]:
            case = f"{n}:{mode}:{0 if args.no_plain else 1}"
            proc = subprocess.run(
                [sys.executable, __file__, "--case", case],
                cwd=ROOT,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            if proc.returncode != 0:
                print(f"| {n} | {mode} | failed: {proc.stderr.strip().splitlines()[-1]} |")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            plain = r.get("plain_total")
            plain_s = "-" if plain is None else f"{plain:.2f}"
            plain_ratio = "-" if plain is None else f"{plain / r['total']:.1f}x"
            print(
                f"| {n:,} | {mode} | {r['cols']:,} | {r['build']:.3f} | {r['solve']:.3f} | "
                f"{r['total']:.3f} | {r['peak_mb']:.0f} | {r['cbc_total']:.3f} | "
                f"{r['floor_default']:.3f} | {r['floor_engine']:.3f} | "
                f"{r['total'] / r['floor_engine']:.2f}x | "
                f"{plain_s} | {plain_ratio} | "
                f"{r['status']} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
