"""Command-line commands for analysis and scenarios: `sweep`, `robustness`, `scenario`.

Long runs print a progress line per 10% to stderr; Ctrl-C stops them and what was computed is
printed, marked partial.
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator

from .analysis import (
    AnalysisError,
    NoPlanError,
    Robustness,
    Sweep,
    diff_inputs,
    diff_summaries,
    robustness,
    sweep,
)
from .bundle import atomic_write_bytes, write_bundle
from .cli import (
    EXIT_BAD_INPUT,
    EXIT_NO_PLAN,
    EXIT_PLAN,
    Command,
    UsageError,
    add_bundle_args,
    load_with_overrides,
    parse_key_number,
)
from .relationship import robustness_widening
from .schema import CAPACITY
from .solve import solve
from .store import ScenarioStore, StoreError, db_path_from


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1) + "\n"


def _fmt(x: float | None, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:,.{digits}f}"


# ---- progress and Ctrl-C --------------------------------------------------------------------
class _Progress:
    """Prints `label: 40%` to stderr each time another tenth is done."""

    def __init__(self, label: str):
        self.label = label
        self.shown = 0

    def __call__(self, fraction: float) -> None:
        tenth = int(fraction * 10 + 1e-9)
        while self.shown < tenth:
            self.shown += 1
            print(f"{self.label}: {self.shown * 10}%", file=sys.stderr, flush=True)


@contextmanager
def _interruptible() -> Iterator[Callable[[], bool]]:
    """Ctrl-C sets a flag the run polls, instead of killing it; a second Ctrl-C kills."""
    hit = {"stop": False}

    def on_sigint(signum: int, frame: Any) -> None:
        if hit["stop"]:
            raise KeyboardInterrupt
        hit["stop"] = True
        print("stopping: finishing the current step (Ctrl-C again to abort)", file=sys.stderr,
              flush=True)

    try:
        previous = signal.signal(signal.SIGINT, on_sigint)
    except ValueError:  # not the main thread: Ctrl-C cannot be caught here
        yield lambda: False
        return
    try:
        yield lambda: hit["stop"]
    finally:
        signal.signal(signal.SIGINT, previous)


def _write_out(path: str, json_obj: Any, csv_text: str) -> None:
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".json":
        atomic_write_bytes(p, _dump(json_obj).encode("utf-8"))
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
    print(f"Frontier of {sw.pool} ({sw.unit}); current capacity {_fmt(sw.baseline_capacity)}")
    for note in sw.notes:
        print(note)
    print(f"{'capacity':>16} {'value':>12} {'shadow price':>13} {'marginal':>10}  status")
    for r in sw.points.itertuples():
        print(f"{_fmt(r.capacity):>16} {_fmt(r.objective):>12} {_fmt(r.shadow_price, 4):>13} "
              f"{_fmt(r.marginal, 4):>10}  {r.status}")
    if sw.feasible_from is not None:
        print(f"A plan needs at least {_fmt(sw.feasible_from)} {sw.unit} of {sw.pool}.")
    bps = sw.breakpoints
    if len(bps):
        print(f"\nThe plan changes course at {len(bps)} capacities:")
        for r in bps.head(30).itertuples():
            more = ", ".join("/".join(c) for c in r.more) or "-"
            less = ", ".join("/".join(c) for c in r.less) or "-"
            price = (f"price {_fmt(r.price_before, 4)} -> {_fmt(r.price_after, 4)}"
                     if r.exact else "between grid points")
            print(f"  {_fmt(r.capacity):>14}: {price}; more: {more}; less: {less}")
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
    with _interruptible() as stopped:
        print(f"sweep: {args.steps} points (Ctrl-C stops and keeps what is done)",
              file=sys.stderr, flush=True)
        try:
            sw = sweep(problem, args.pool, start, stop, args.steps,
                       breakpoints=not args.no_breakpoints, progress=_Progress("sweep"),
                       stop_flag=stopped)
        except AnalysisError as exc:
            raise UsageError(str(exc)) from exc
    out = sw.to_json()
    if args.json:
        sys.stdout.write(_dump(out))
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
    print(f"{rb.draws} draws (seed {rb.seed}); nominal plan value {_fmt(rb.nominal_objective)}")
    print(f"Best value per draw:   mean {_fmt(o['mean'])}, p5 {_fmt(o['p5'])}, "
          f"p50 {_fmt(o['p50'])}, p95 {_fmt(o['p95'])}")
    print(f"Nominal plan per draw: mean {_fmt(n['mean'])}, p5 {_fmt(n['p5'])}, "
          f"p50 {_fmt(n['p50'])}, p95 {_fmt(n['p95'])}")
    rel = lambda x: "-" if x is None else f"{x:.2%}"  # noqa: E731
    print(f"Regret of the nominal plan: mean {_fmt(g['mean'])} ({rel(g['relative_mean'])}), "
          f"p95 {_fmt(g['p95'])} ({rel(g['relative_p95'])}), max {_fmt(g['max'])} "
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
    with _interruptible() as stopped:
        print(f"robustness: {args.draws} draws (Ctrl-C stops and keeps what is done)",
              file=sys.stderr, flush=True)
        if not args.no_checklist_widening and problem.relationship is not None:
            print(f"robustness: the relationship checklist widens the value ranges of "
                  f"{sum(f > 1 for f in widen.values())} clients (--no-checklist-widening: off)",
                  file=sys.stderr, flush=True)
        try:
            rb = robustness(problem, args.draws, args.seed, widen=widen,
                            progress=_Progress("robustness"), stop_flag=stopped)
        except NoPlanError as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_NO_PLAN
        except AnalysisError as exc:
            raise UsageError(str(exc)) from exc
    out = rb.to_json()
    if args.json:
        sys.stdout.write(_dump(out))
    else:
        _print_robustness(rb)
    if args.out:
        _write_out(args.out, out, rb.cells.reset_index().to_csv(index=False))
    return EXIT_PLAN


# ---- scenarios ------------------------------------------------------------------------------
def _db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH_OR_URL",
                   help="scenario database (default: the user's data folder)")


def _scenario_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="scenario_command", required=True, parser_class=type(p))
    s = sub.add_parser("save", help="solve a bundle and save it as a named scenario")
    add_bundle_args(s)
    s.add_argument("--name", required=True)
    s.add_argument("--notes", default="")
    s.add_argument("--client-note", action="append", default=[], metavar="CLIENT=TEXT",
                   help="a note on one client (repeatable)")
    s.add_argument("--overwrite", action="store_true", help="replace a scenario of that name")
    _db_arg(s)
    s = sub.add_parser("list", help="list saved scenarios")
    s.add_argument("--json", action="store_true")
    _db_arg(s)
    s = sub.add_parser("show", help="show one scenario")
    s.add_argument("name")
    s.add_argument("--json", action="store_true")
    _db_arg(s)
    s = sub.add_parser("compare", help="compare two scenarios (B against A)")
    s.add_argument("a")
    s.add_argument("b")
    s.add_argument("--json", action="store_true")
    _db_arg(s)
    s = sub.add_parser("delete", help="delete a scenario")
    s.add_argument("name")
    _db_arg(s)
    s = sub.add_parser("rename", help="rename a scenario")
    s.add_argument("name")
    s.add_argument("new_name")
    _db_arg(s)
    s = sub.add_parser("duplicate", help="copy a scenario under a new name")
    s.add_argument("name")
    s.add_argument("new_name")
    _db_arg(s)
    s = sub.add_parser("load", help="write a scenario's inputs as a bundle")
    s.add_argument("name")
    s.add_argument("--out", required=True, metavar="PATH",
                   help="a folder (CSV files) or a .xlsx workbook")
    _db_arg(s)


def _client_notes(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items or []:
        client, sep, text = item.partition("=")
        if not sep or not client.strip():
            raise UsageError(f"--client-note {item}: use CLIENT=TEXT")
        out[client.strip()] = text
    return out


def _print_scenario_summary(summary: dict[str, Any]) -> None:
    print(f"Status: {summary.get('status_text', summary.get('status'))}")
    for line in summary.get("explanation", []):
        print(line)
    kpis = summary.get("kpis", {})
    for k, v in kpis.items():
        print(f"  {k:<22} {_fmt(v)}")


def _scenario(args: argparse.Namespace) -> int:
    try:
        store = ScenarioStore(db_path_from(args.db))
    except StoreError as exc:
        raise UsageError(str(exc)) from exc
    cmd = args.scenario_command
    if cmd == "save":
        problem = load_with_overrides(args)
        notes = _client_notes(args.client_note)
        unknown = [c for c in notes if c not in problem.clients.index]
        if unknown:
            raise UsageError(f"--client-note: not a client: {', '.join(unknown)}")
        result = solve(problem)
        info = store.save(args.name, problem, result, notes=args.notes, client_notes=notes,
                          overwrite=args.overwrite)
        print(f"Saved '{info.name}' ({result.status_text}) at {info.saved_at} in {store.path}")
        return EXIT_PLAN
    if cmd == "list":
        infos = store.list()
        if args.json:
            sys.stdout.write(_dump([i.to_json() for i in infos]))
        elif not infos:
            print(f"No scenarios in {store.path}")
        else:
            print(f"{len(infos)} scenario(s) in {store.path}:")
            for i in infos:
                print(f"  {i.name:<30} {i.saved_at[:19]}  {i.status:<10} {_fmt(i.objective)}"
                      f"{'  - ' + i.notes if i.notes else ''}")
        return EXIT_PLAN
    if cmd == "show":
        sc = store.get(args.name)
        if args.json:
            sys.stdout.write(_dump(sc.to_json()))
        else:
            print(f"{sc.name} (saved {sc.info.saved_at}, inputs {sc.info.fingerprint})")
            if sc.info.notes:
                print(f"Notes: {sc.info.notes}")
            for c, note in sc.client_notes.items():
                print(f"  note on {c}: {note}")
            _print_scenario_summary(sc.summary)
        return EXIT_PLAN
    if cmd == "compare":
        a, b = store.get(args.a), store.get(args.b)
        d = diff_summaries(a.summary, b.summary)
        inputs = diff_inputs(a.tables, b.tables, a.settings, b.settings)
        d = replace(d, inputs=inputs, names=(a.name, b.name))
        if args.json:
            sys.stdout.write(_dump(d.to_json()))
            return EXIT_PLAN
        print(f"'{b.name}' against '{a.name}':")
        print(f"{'':<22} {'A':>14} {'B':>14} {'change':>14}")
        for m, r in d.kpis.iterrows():
            print(f"{m:<22} {_fmt(r['a']):>14} {_fmt(r['b']):>14} {_fmt(r['delta']):>14}")
        changed = d.changed_cells
        print(f"\n{len(changed)} cell(s) changed:")
        for (c, m), r in changed.iterrows():
            print(f"  {c:<20} {m:<20} units {r['units_a']:.2f} -> {r['units_b']:.2f} "
                  f"({r['change']}), value {r['delta_value']:+,.1f}")
        print(f"\n{len(inputs)} input(s) changed:")
        for r in inputs.itertuples():
            where = f"{r.table} {r.key} {r.column}".strip()
            print(f"  {where}: {r.a or '-'} -> {r.b or '-'} ({r.change})")
        return EXIT_PLAN
    if cmd == "delete":
        store.delete(args.name)
        print(f"Deleted '{args.name}'")
        return EXIT_PLAN
    if cmd == "rename":
        store.rename(args.name, args.new_name)
        print(f"Renamed '{args.name}' to '{args.new_name}'")
        return EXIT_PLAN
    if cmd == "duplicate":
        info = store.duplicate(args.name, args.new_name)
        print(f"Copied '{args.name}' to '{info.name}'")
        return EXIT_PLAN
    if cmd == "load":
        problem, _ = store.load(args.name)
        dest = write_bundle(problem, args.out)
        print(f"Wrote the inputs of '{args.name}' to {dest}")
        return EXIT_PLAN
    raise UsageError(f"unknown scenario command '{cmd}'")


def cmd_scenario(args: argparse.Namespace) -> int:
    try:
        return _scenario(args)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def analysis_commands() -> dict[str, Command]:
    """The commands this module adds to `python -m optimizer`."""
    return {
        "sweep": ("value frontier of one pool: value, shadow price, where the plan changes",
                  _sweep_args, cmd_sweep),
        "robustness": ("sample values within their ranges and test the plan against them",
                       _robust_args, cmd_robustness),
        "scenario": ("save, list, show, compare, rename, duplicate, delete, load scenarios",
                     _scenario_args, cmd_scenario),
    }
