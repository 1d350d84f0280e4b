"""What exact reasons cost: needed values confirmed (from the optimum's basis or by re-solves)
against the prices-only bound, and the reduction of a conflicting set.

    .venv/bin/python -m benchmarks.bench_reasons [--clients 250 2500] [--budget 600] [--repeat 3]

Each row times a solve with the default `needed="auto"` (exact within its budget of re-solves
and seconds, optimizer/limits.py) and with `needed="exact"` (with `--budget` seconds) against a
same-run baseline with `needed="bound"` (the prices only), so the ratios are what the search
adds. Wall and CPU seconds, best of `--repeat`: the machine is shared.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.instances import make_problem
from optimizer import limits
from optimizer.bundle import load_bundle
from optimizer.schema import MIN_VALUE_SHARE, NEEDED_EXACT, NEEDED_KIND, Problem
from optimizer.solve import solve

ROOT = Path(__file__).resolve().parent.parent


def best_of(fn, repeat: int) -> tuple[float, float, object]:
    """Best wall and CPU seconds of `repeat` runs, and the last answer."""
    out, walls, cpus = None, [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus), out


def needed_row(name: str, problem: Problem, repeat: int) -> dict:
    row: dict = {"case": name}
    for mode in ("bound", "auto", "exact"):
        wall, cpu, r = best_of(lambda m=mode: solve(problem, needed=m), repeat)
        u = r.unfunded  # type: ignore[attr-defined]
        row[mode] = (wall, cpu, int((u[NEEDED_KIND] == NEEDED_EXACT).sum()))
        row["open"] = len(u)
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, nargs="*", default=[250, 2500])
    ap.add_argument("--budget", type=float, default=600.0, help="seconds for the exact search")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    limits.NEEDED_EXACT_SECONDS = args.budget
    sample = load_bundle(ROOT / "sample_data")
    rows = [needed_row("sample", sample, args.repeat)]
    for n in args.clients:
        rows.append(needed_row(f"{n:,} clients", make_problem(n), 1 if n > 500 else args.repeat))
    print(
        f"auto: up to {limits.NEEDED_EXACT_UP_TO_COLUMNS:,} columns, "
        f"{limits.NEEDED_AUTO_RESOLVES:,} re-solves, {limits.NEEDED_AUTO_SECONDS:g} s; "
        f"exact: {limits.NEEDED_EXACT_SECONDS:g} s"
    )
    print(
        "| needed values | open cells | bound s (CPU) | auto s (CPU) | auto exact | auto/bound "
        "| exact s (CPU) | exact exact | exact/bound |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        (bw, bc, _), (aw, ac, an), (ew, ec, en) = r["bound"], r["auto"], r["exact"]
        print(
            f"| {r['case']} | {r['open']:,} | {bw:.3f} ({bc:.3f}) | {aw:.3f} ({ac:.3f}) | {an:,} "
            f"| {aw / bw:.1f}x | {ew:.3f} ({ec:.3f}) | {en:,} | {ew / bw:.1f}x |"
        )
    print()
    print("| conflicting set | requirements named | solve + explanation s (CPU) |")
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
        t, c, res = best_of(lambda p=problem: solve(p), args.repeat)
        named = len(res.conflicts)  # type: ignore[attr-defined]
        print(f"| {name} | {named} | {t:.3f} ({c:.3f}) |")


if __name__ == "__main__":
    main()
