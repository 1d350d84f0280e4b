"""The `sweep` and `robustness` commands.

Long runs print a progress line per 10% to stderr; Ctrl-C stops them and what was computed is
printed, marked partial.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from ..analysis import (
    MAX_BREAKPOINT_SOLVES,
    AnalysisError,
    NoPlanError,
    Robustness,
    Sweep,
    robustness,
    sweep,
)
from ..bundle import atomic_write_bytes
from ..messages import Message
from ..relationship import robustness_widening
from ..schema import CAPACITY
from .common import (
    EXIT_NO_PLAN,
    EXIT_PLAN,
    Command,
    Progress,
    UsageError,
    Words,
    add_bundle_args,
    dump,
    interruptible,
    load_with_overrides,
    parse_key_number,
    usage_error,
    usage_errors,
    words,
)


def _write_out(path: str, json_obj: Any, csv_text: str) -> None:
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".json":
        atomic_write_bytes(p, dump(json_obj).encode("utf-8"))
    elif suffix == ".csv":
        atomic_write_bytes(p, csv_text.encode("utf-8"))
    else:
        raise usage_error("cli_out_json_or_csv", path=path)


# ---- sweep ----------------------------------------------------------------------------------
def _sweep_args(p: argparse.ArgumentParser, w: Words) -> None:
    add_bundle_args(p, w)
    p.add_argument("--pool", required=True, help=w("cli_help_pool"))
    p.add_argument("--from", dest="start", type=float, metavar="A", help=w("cli_help_from"))
    p.add_argument("--to", dest="stop", type=float, metavar="B", help=w("cli_help_to"))
    p.add_argument("--points", type=int, metavar="N", help=w("cli_help_points"))
    # The old spelling: it always meant points (both ends included), so it still does.
    p.add_argument("--steps", dest="steps_old", type=int, metavar="N", help=w("cli_help_steps"))
    p.add_argument("--no-breakpoints", action="store_true", help=w("cli_help_no_breakpoints"))
    p.add_argument(
        "--breakpoint-budget",
        type=float,
        default=MAX_BREAKPOINT_SOLVES,
        metavar="N",
        help=w("cli_help_breakpoint_budget", n=MAX_BREAKPOINT_SOLVES),
    )
    p.add_argument(
        "--breakpoint-seconds", type=float, metavar="S", help=w("cli_help_breakpoint_seconds")
    )
    p.add_argument("--json", action="store_true", help=w("cli_help_json"))
    p.add_argument("--out", metavar="FILE", help=w("cli_help_sweep_out"))


def _print_sweep(sw: Sweep, w: Words) -> None:
    f = w.fmt
    print(w("cli_sweep_header", pool=sw.pool, unit=sw.unit, capacity=f(sw.baseline_capacity)))
    for note in getattr(sw, "note_msgs", None) or sw.notes:
        print(w.render(note))
    print(
        f"{w('cli_col_capacity'):>16} {w('cli_col_value'):>12} "
        f"{w('cli_col_shadow_price'):>13} {w('cli_col_marginal'):>10}  {w('cli_col_status')}"
    )
    for r in sw.points.itertuples():
        print(
            f"{f(r.capacity):>16} {f(r.objective):>12} {f(r.shadow_price, 4):>13} "
            f"{f(r.marginal, 4):>10}  {w.word('status', r.status)}"
        )
    if sw.feasible_from is not None:
        print(
            w("cli_sweep_feasible_from", capacity=f(sw.feasible_from), unit=sw.unit, pool=sw.pool)
        )
    bps = sw.breakpoints
    if (len(bps) or sw.search_solves) and not sw.integer:
        print(
            w(
                "cli_sweep_search",
                count=len(bps),
                solves=sw.search_solves,
                seconds=sw.search_seconds,
            )
        )
    if len(bps):
        print(w("cli_sweep_breakpoints", count=len(bps)))
        for r in bps.head(30).itertuples():
            more = ", ".join("/".join(c) for c in r.more) or "-"
            less = ", ".join("/".join(c) for c in r.less) or "-"
            price = (
                w("cli_sweep_price", before=f(r.price_before, 4), after=f(r.price_after, 4))
                if r.exact
                else w("cli_sweep_between")
            )
            print(
                w(
                    "cli_sweep_breakpoint",
                    capacity=f"{f(r.capacity):>14}",
                    price=price,
                    more=more,
                    less=less,
                )
            )
        if len(bps) > 30:
            print(w("cli_sweep_more", count=len(bps) - 30))
    if sw.unresolved:
        print(w("cli_sweep_unresolved", count=len(sw.unresolved)))
        for a, b in sw.unresolved[:10]:
            print(w("cli_sweep_unresolved_span", start=f(a), stop=f(b), unit=sw.unit))
        if len(sw.unresolved) > 10:
            print(w("cli_sweep_more", count=len(sw.unresolved) - 10))
    if sw.partial:
        print(w("cli_sweep_partial", count=len(sw.points)))


def _points(args: argparse.Namespace, w: Words) -> int:
    """--points, or the old --steps (which always meant points) with a word on stderr."""
    old = args.steps_old
    if old is None:
        return 21 if args.points is None else args.points
    if args.points is not None and args.points != old:
        raise usage_error("cli_sweep_points_twice", points=args.points, steps=old)
    print(w("cli_sweep_steps_renamed", n=old), file=sys.stderr, flush=True)
    return old


def _budget(args: argparse.Namespace) -> tuple[int, float | None]:
    """The change-point search's budget: re-solves and seconds, each at least 0."""
    for option, value in (
        ("--breakpoint-budget", args.breakpoint_budget),
        ("--breakpoint-seconds", args.breakpoint_seconds),
    ):
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise usage_error("cli_sweep_budget_bad", option=option, value=value)
    return int(args.breakpoint_budget), args.breakpoint_seconds


def cmd_sweep(args: argparse.Namespace) -> int:
    w = words(args)
    problem = load_with_overrides(args)
    if args.pool not in problem.resources.index:
        raise usage_error("cli_sweep_not_a_pool", pool=args.pool, pools=", ".join(problem.pools))
    cap = float(problem.resources.at[args.pool, CAPACITY])
    start = 0.5 * cap if args.start is None else args.start
    stop = 1.5 * cap if args.stop is None else args.stop
    points = _points(args, w)
    solves, seconds = _budget(args)
    with interruptible(w) as stopped:
        print(w("cli_sweep_start", steps=points), file=sys.stderr, flush=True)
        try:
            sw = sweep(
                problem,
                args.pool,
                start,
                stop,
                points,
                breakpoints=not args.no_breakpoints,
                progress=Progress("sweep", w),
                stop_flag=stopped,
                max_solves=solves,
                max_seconds=seconds,
            )
        except AnalysisError as exc:
            raise UsageError(w.error(exc)) from exc
    out = sw.to_json()
    if args.json:
        sys.stdout.write(dump(out))
    else:
        _print_sweep(sw, w)
    if args.out:
        _write_out(args.out, out, sw.points.to_csv(index=False))
    return EXIT_PLAN if sw.points["objective"].notna().any() else EXIT_NO_PLAN


# ---- robustness -----------------------------------------------------------------------------
def _parse_widen(items: list[str]) -> dict[str, float]:
    parsed = [parse_key_number(item, "--widen", "cli_word_factor", 1) for item in items or []]
    bad = [p for p in parsed if isinstance(p, Message)]
    if bad:
        raise usage_errors(bad)
    return dict(p for p in parsed if not isinstance(p, Message))


def _robust_args(p: argparse.ArgumentParser, w: Words) -> None:
    add_bundle_args(p, w)
    p.add_argument("--draws", type=int, default=200, metavar="N", help=w("cli_help_draws"))
    p.add_argument("--seed", type=int, default=0, metavar="S", help=w("cli_help_seed"))
    p.add_argument(
        "--widen", action="append", default=[], metavar="CLIENT=FACTOR", help=w("cli_help_widen")
    )
    p.add_argument(
        "--no-checklist-widening", action="store_true", help=w("cli_help_no_checklist_widening")
    )
    p.add_argument("--json", action="store_true", help=w("cli_help_json"))
    p.add_argument("--out", metavar="FILE", help=w("cli_help_robustness_out"))


def _print_robustness(rb: Robustness, w: Words) -> None:
    f = w.fmt
    s = rb.summary()
    o, n, g = s["objective"], s["nominal_plan_value"], s["regret"]
    print(w("cli_robust_header", draws=rb.draws, seed=rb.seed, nominal=f(rb.nominal_objective)))
    print(w("cli_robust_best", mean=f(o["mean"]), p5=f(o["p5"]), p50=f(o["p50"]), p95=f(o["p95"])))
    print(
        w("cli_robust_nominal", mean=f(n["mean"]), p5=f(n["p5"]), p50=f(n["p50"]), p95=f(n["p95"]))
    )
    rel = lambda x: "-" if x is None else w.pct(x, ".2%")  # noqa: E731
    print(
        w(
            "cli_robust_regret",
            mean=f(g["mean"]),
            rel_mean=rel(g["relative_mean"]),
            p95=f(g["p95"]),
            rel_p95=rel(g["relative_p95"]),
            max=f(g["max"]),
            rel_max=rel(g["relative_max"]),
        )
    )
    unsure = rb.cells[(rb.cells["funded_share"] > 0) & (rb.cells["funded_share"] < 1)]
    if len(unsure):
        print(w("cli_robust_unsure", count=len(unsure)))
        for (c, m), r in unsure.sort_values("funded_share").iterrows():
            print(
                w(
                    "cli_robust_cell",
                    client=c,
                    method=m,
                    share=w.pct(r["funded_share"], ".1%"),
                    units=w.num(r["nominal_units"], ".2f"),
                )
            )
    else:
        print(w("cli_robust_all_or_none"))
    if rb.partial:
        print(w("cli_robust_partial", draws=rb.draws, requested=rb.requested))


def cmd_robustness(args: argparse.Namespace) -> int:
    w = words(args)
    problem = load_with_overrides(args)
    # The relationship checklist widens uncertain clients by default; --widen wins per client.
    widen = robustness_widening(
        problem, enabled=not args.no_checklist_widening, extra=_parse_widen(args.widen)
    )
    with interruptible(w) as stopped:
        print(w("cli_robust_start", draws=args.draws), file=sys.stderr, flush=True)
        if not args.no_checklist_widening and problem.relationship is not None:
            print(
                w("cli_robust_widening", count=sum(f > 1 for f in widen.values())),
                file=sys.stderr,
                flush=True,
            )
        try:
            rb = robustness(
                problem,
                args.draws,
                args.seed,
                widen=widen,
                progress=Progress("robustness", w),
                stop_flag=stopped,
            )
        except NoPlanError as exc:
            print(w.error(exc), file=sys.stderr)
            return EXIT_NO_PLAN
        except AnalysisError as exc:
            raise UsageError(w.error(exc)) from exc
    out = rb.to_json()
    if args.json:
        sys.stdout.write(dump(out))
    else:
        _print_robustness(rb, w)
    if args.out:
        _write_out(args.out, out, rb.cells.reset_index().to_csv(index=False))
    return EXIT_PLAN


def commands() -> dict[str, Command]:
    return {
        "sweep": ("cli_help_sweep", _sweep_args, cmd_sweep),
        "robustness": ("cli_help_robustness", _robust_args, cmd_robustness),
    }
