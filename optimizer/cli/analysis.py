"""The `sweep` and `robustness` commands.

Long runs print a progress line per 10% to stderr; Ctrl-C stops them and what was computed is
printed, marked partial.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..analysis import AnalysisError, NoPlanError, Robustness, Sweep, robustness, sweep
from ..bundle import atomic_write_bytes
from ..relationship import robustness_widening
from ..schema import CAPACITY
from .common import (
    EXIT_NO_PLAN,
    EXIT_PLAN,
    Command,
    Progress,
    UsageError,
    add_bundle_args,
    dump,
    fmt,
    interruptible,
    load_with_overrides,
    parse_key_number,
)


def _write_out(path: str, json_obj: Any, csv_text: str) -> None:
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".json":
        atomic_write_bytes(p, dump(json_obj).encode("utf-8"))
    elif suffix == ".csv":
        atomic_write_bytes(p, csv_text.encode("utf-8"))
    else:
        raise UsageError(f"--out {path}: use a .json or .csv file")


# ---- sweep ----------------------------------------------------------------------------------
def _sweep_args(p: argparse.ArgumentParser) -> None:
    add_bundle_args(p)
    p.add_argument("--pool", required=True, help="the pool whose capacity is swept")
    p.add_argument("--from", dest="start", type=float, metavar="A",
                   help="first capacity (default: half the current capacity)")
    p.add_argument("--to", dest="stop", type=float, metavar="B",
                   help="last capacity (default: 1.5 x the current capacity)")
    p.add_argument("--steps", type=int, default=21, metavar="N", help="points (default 21)")
    p.add_argument("--no-breakpoints", action="store_true",
                   help="skip the search for capacities where the plan changes")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", metavar="FILE", help="also write FILE (.json, or .csv of points)")


def _print_sweep(sw: Sweep) -> None:
    print(f"Frontier of {sw.pool} ({sw.unit}); current capacity {fmt(sw.baseline_capacity)}")
    for note in sw.notes:
        print(note)
    print(f"{'capacity':>16} {'value':>12} {'shadow price':>13} {'marginal':>10}  status")
    for r in sw.points.itertuples():
        print(f"{fmt(r.capacity):>16} {fmt(r.objective):>12} {fmt(r.shadow_price, 4):>13} "
              f"{fmt(r.marginal, 4):>10}  {r.status}")
    if sw.feasible_from is not None:
        print(f"A plan needs at least {fmt(sw.feasible_from)} {sw.unit} of {sw.pool}.")
    bps = sw.breakpoints
    if len(bps):
        print(f"\nThe plan changes course at {len(bps)} capacities:")
        for r in bps.head(30).itertuples():
            more = ", ".join("/".join(c) for c in r.more) or "-"
            less = ", ".join("/".join(c) for c in r.less) or "-"
            price = (f"price {fmt(r.price_before, 4)} -> {fmt(r.price_after, 4)}"
                     if r.exact else "between grid points")
            print(f"  {fmt(r.capacity):>14}: {price}; more: {more}; less: {less}")
        if len(bps) > 30:
            print(f"  ... and {len(bps) - 30} more (see --json)")
    if sw.partial:
        print(f"\nStopped: {len(sw.points)} points computed (partial).")


def cmd_sweep(args: argparse.Namespace) -> int:
    problem = load_with_overrides(args)
    if args.pool not in problem.resources.index:
        raise UsageError(f"--pool {args.pool}: not a pool (pools: {', '.join(problem.pools)})")
    cap = float(problem.resources.at[args.pool, CAPACITY])
    start = 0.5 * cap if args.start is None else args.start
    stop = 1.5 * cap if args.stop is None else args.stop
    with interruptible() as stopped:
        print(f"sweep: {args.steps} points (Ctrl-C stops and keeps what is done)",
              file=sys.stderr, flush=True)
        try:
            sw = sweep(problem, args.pool, start, stop, args.steps,
                       breakpoints=not args.no_breakpoints, progress=Progress("sweep"),
                       stop_flag=stopped)
        except AnalysisError as exc:
            raise UsageError(str(exc)) from exc
    out = sw.to_json()
    if args.json:
        sys.stdout.write(dump(out))
    else:
        _print_sweep(sw)
    if args.out:
        _write_out(args.out, out, sw.points.to_csv(index=False))
    return EXIT_PLAN if sw.points["objective"].notna().any() else EXIT_NO_PLAN


# ---- robustness -----------------------------------------------------------------------------
def _parse_widen(items: list[str]) -> dict[str, float]:
    parsed = [parse_key_number(item, "--widen", "factor", 1) for item in items or []]
    bad = [p for p in parsed if isinstance(p, str)]
    if bad:
        raise UsageError("\n".join(bad))
    return dict(p for p in parsed if not isinstance(p, str))


def _robust_args(p: argparse.ArgumentParser) -> None:
    add_bundle_args(p)
    p.add_argument("--draws", type=int, default=200, metavar="N", help="draws (default 200)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--widen", action="append", default=[], metavar="CLIENT=FACTOR",
                   help="widen a client's value ranges by FACTOR >= 1 (repeatable)")
    p.add_argument("--no-checklist-widening", action="store_true",
                   help="do not widen the ranges of clients whose selection criteria or "
                        "decision roles the relationship checklist marks as not known")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", metavar="FILE", help="also write FILE (.json, or .csv of cells)")


def _print_robustness(rb: Robustness) -> None:
    s = rb.summary()
    o, n, g = s["objective"], s["nominal_plan_value"], s["regret"]
    print(f"{rb.draws} draws (seed {rb.seed}); nominal plan value {fmt(rb.nominal_objective)}")
    print(f"Best value per draw:   mean {fmt(o['mean'])}, p5 {fmt(o['p5'])}, "
          f"p50 {fmt(o['p50'])}, p95 {fmt(o['p95'])}")
    print(f"Nominal plan per draw: mean {fmt(n['mean'])}, p5 {fmt(n['p5'])}, "
          f"p50 {fmt(n['p50'])}, p95 {fmt(n['p95'])}")
    rel = lambda x: "-" if x is None else f"{x:.2%}"  # noqa: E731
    print(f"Regret of the nominal plan: mean {fmt(g['mean'])} ({rel(g['relative_mean'])}), "
          f"p95 {fmt(g['p95'])} ({rel(g['relative_p95'])}), max {fmt(g['max'])} "
          f"({rel(g['relative_max'])})")
    unsure = rb.cells[(rb.cells["funded_share"] > 0) & (rb.cells["funded_share"] < 1)]
    if len(unsure):
        print(f"\nCells funded in some draws only ({len(unsure)}):")
        for (c, m), r in unsure.sort_values("funded_share").iterrows():
            print(f"  {c:<20} {m:<20} funded in {r['funded_share']:6.1%} of draws "
                  f"(nominal {r['nominal_units']:.2f} units)")
    else:
        print("\nEvery cell is funded in all draws or in none.")
    if rb.partial:
        print(f"\nStopped: {rb.draws} of {rb.requested} draws computed (partial).")


def cmd_robustness(args: argparse.Namespace) -> int:
    problem = load_with_overrides(args)
    # The relationship checklist widens uncertain clients by default; --widen wins per client.
    widen = robustness_widening(problem, enabled=not args.no_checklist_widening,
                                extra=_parse_widen(args.widen))
    with interruptible() as stopped:
        print(f"robustness: {args.draws} draws (Ctrl-C stops and keeps what is done)",
              file=sys.stderr, flush=True)
        if not args.no_checklist_widening and problem.relationship is not None:
            print(f"robustness: the relationship checklist widens the value ranges of "
                  f"{sum(f > 1 for f in widen.values())} clients (--no-checklist-widening: off)",
                  file=sys.stderr, flush=True)
        try:
            rb = robustness(problem, args.draws, args.seed, widen=widen,
                            progress=Progress("robustness"), stop_flag=stopped)
        except NoPlanError as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_NO_PLAN
        except AnalysisError as exc:
            raise UsageError(str(exc)) from exc
    out = rb.to_json()
    if args.json:
        sys.stdout.write(dump(out))
    else:
        _print_robustness(rb)
    if args.out:
        _write_out(args.out, out, rb.cells.reset_index().to_csv(index=False))
    return EXIT_PLAN


def commands() -> dict[str, Command]:
    return {
        "sweep": ("value frontier of one pool: value, shadow price, where the plan changes",
                  _sweep_args, cmd_sweep),
        "robustness": ("sample values within their ranges and test the plan against them",
                       _robust_args, cmd_robustness),
    }
