"""What exact reasons cost: needed values confirmed by re-solves against the prices-only bound,
and the reduction of a conflicting set.

    .venv/bin/python -m benchmarks.bench_reasons [--clients 2500] [--budget 600]

Each row times a solve with `needed="exact"` against a same-run baseline with `needed="bound"`
(the prices only), so the ratio is what the re-solves add.
"""

from __future__ import annotations

import argparse
import importlib
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.instances import make_problem
from optimizer.bundle import load_bundle
from optimizer.schema import MIN_VALUE_SHARE, NEEDED_EXACT, NEEDED_KIND, Problem
from optimizer.solve import solve

ROOT = Path(__file__).resolve().parent.parent
solve_module = importlib.import_module("optimizer.solve")


def best_of(fn, repeat: int) -> tuple[float, object]:
    out, times = None, []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def needed_row(name: str, problem: Problem, repeat: int) -> dict:
    base, _ = best_of(lambda: solve(problem, needed="bound"), repeat)
    exact, r = best_of(lambda: solve(problem, needed="exact"), repeat)
    u = r.unfunded  # type: ignore[attr-defined]
    done = int((u[NEEDED_KIND] == NEEDED_EXACT).sum())
    return {"case": name, "open": len(u), "exact": done, "bound_s": base, "exact_s": exact}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, nargs="*", default=[250, 2500])
    ap.add_argument("--budget", type=float, default=600.0, help="seconds for the exact search")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    solve_module.NEEDED_TIME_BUDGET_S = args.budget
    sample = load_bundle(ROOT / "sample_data")
    rows = [needed_row("sample", sample, args.repeat)]
    for n in args.clients:
        rows.append(needed_row(f"{n:,} clients", make_problem(n), 1 if n > 500 else args.repeat))
    print("| needed values | open cells | exact | bound only (s) | exact (s) | ratio | ms a cell |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        extra = (r["exact_s"] - r["bound_s"]) / max(r["exact"], 1) * 1000
        print(
            f"| {r['case']} | {r['open']:,} | {r['exact']:,} | {r['bound_s']:.3f} | "
            f"{r['exact_s']:.3f} | {r['exact_s'] / r['bound_s']:.1f}x | {extra:.2f} |"
        )
    print()
    print("| conflicting set | requirements named | solve + explanation (s) |")
    print("|---|---|---|")
    cases = [
        ("sample, budget 1 EUR", sample.with_capacity("budget", 1.0)),
        (
            "sample, budget 1 EUR, whole units",
            sample.with_capacity("budget", 1.0).with_settings(integer_units=True),
        ),
    ]
    for n in args.clients:
        for integer in (False, True):
            words = ", whole units" if integer else ""
            base = make_problem(n, integer=integer)
            cases.append((f"{n:,} clients, budget 1 EUR{words}", base.with_capacity("budget", 1.0)))
            clients = base.clients.copy()
            clients[MIN_VALUE_SHARE] = 0.95
            cases.append((f"{n:,} clients, floors 95%{words}", replace(base, clients=clients)))
    for name, problem in cases:
        t, r = best_of(lambda p=problem: solve(p), args.repeat)
        print(f"| {name} | {len(r.conflicts)} | {t:.3f} |")  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
