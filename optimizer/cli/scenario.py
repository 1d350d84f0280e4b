"""The `scenario` command: save, list, show, compare, rename, duplicate, delete, load."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import Any

from ..analysis import diff_inputs, diff_summaries
from ..bundle import write_bundle
from ..solve import solve
from ..store import ScenarioStore, StoreError, db_path_from
from .common import (
    EXIT_BAD_INPUT,
    EXIT_PLAN,
    Command,
    UsageError,
    add_bundle_args,
    dump,
    fmt,
    load_with_overrides,
)


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
        print(f"  {k:<22} {fmt(v)}")


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
            sys.stdout.write(dump([i.to_json() for i in infos]))
        elif not infos:
            print(f"No scenarios in {store.path}")
        else:
            print(f"{len(infos)} scenario(s) in {store.path}:")
            for i in infos:
                print(f"  {i.name:<30} {i.saved_at[:19]}  {i.status:<10} {fmt(i.objective)}"
                      f"{'  - ' + i.notes if i.notes else ''}")
        return EXIT_PLAN
    if cmd == "show":
        sc = store.get(args.name)
        if args.json:
            sys.stdout.write(dump(sc.to_json()))
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
            sys.stdout.write(dump(d.to_json()))
            return EXIT_PLAN
        print(f"'{b.name}' against '{a.name}':")
        print(f"{'':<22} {'A':>14} {'B':>14} {'change':>14}")
        for m, r in d.kpis.iterrows():
            print(f"{m:<22} {fmt(r['a']):>14} {fmt(r['b']):>14} {fmt(r['delta']):>14}")
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


def commands() -> dict[str, Command]:
    return {
        "scenario": ("save, list, show, compare, rename, duplicate, delete, load scenarios",
                     _scenario_args, cmd_scenario),
    }
