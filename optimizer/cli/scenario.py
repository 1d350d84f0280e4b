"""The `scenario` command: save, list, show, compare, rename, duplicate, delete, load."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import Any

from ..analysis import ScenarioDiff, diff_inputs, diff_summaries
from ..bundle import write_bundle
from ..export import ExportPathError
from ..export.files import bundle_targets, check_not_inputs
from ..schema import UNIT
from ..solve import solve
from ..store import ScenarioStore, StoreError
from .common import (
    EXIT_BAD_INPUT,
    EXIT_PLAN,
    Command,
    UsageError,
    Words,
    add_bundle_args,
    add_lang_arg,
    dump,
    load_with_overrides,
    usage_error,
    words,
)


def _common_args(p: argparse.ArgumentParser, w: Words, lang: bool = True) -> None:
    p.add_argument("--db", metavar="PATH_OR_URL", help=w("cli_help_db"))
    if lang:  # `save` has it among the bundle's arguments
        add_lang_arg(p, w)


def _scenario_args(p: argparse.ArgumentParser, w: Words) -> None:
    sub = p.add_subparsers(dest="scenario_command", required=True, parser_class=type(p))
    s = sub.add_parser("save", help=w("cli_help_scenario_save"))
    add_bundle_args(s, w, db_flag=False)  # no bundle: the working plan of --db
    s.add_argument("--name", required=True)
    s.add_argument("--notes", default="")
    s.add_argument(
        "--client-note",
        action="append",
        default=[],
        metavar="CLIENT=TEXT",
        help=w("cli_help_client_note"),
    )
    s.add_argument("--overwrite", action="store_true", help=w("cli_help_overwrite"))
    _common_args(s, w, lang=False)
    s = sub.add_parser("list", help=w("cli_help_scenario_list"))
    s.add_argument("--json", action="store_true")
    _common_args(s, w)
    s = sub.add_parser("show", help=w("cli_help_scenario_show"))
    s.add_argument("name")
    s.add_argument("--json", action="store_true")
    _common_args(s, w)
    s = sub.add_parser("compare", help=w("cli_help_scenario_compare"))
    s.add_argument("a")
    s.add_argument("b")
    s.add_argument("--json", action="store_true")
    _common_args(s, w)
    s = sub.add_parser("delete", help=w("cli_help_scenario_delete"))
    s.add_argument("name")
    _common_args(s, w)
    s = sub.add_parser("rename", help=w("cli_help_scenario_rename"))
    s.add_argument("name")
    s.add_argument("new_name")
    _common_args(s, w)
    s = sub.add_parser("duplicate", help=w("cli_help_scenario_duplicate"))
    s.add_argument("name")
    s.add_argument("new_name")
    _common_args(s, w)
    s = sub.add_parser("load", help=w("cli_help_scenario_load"))
    s.add_argument("name")
    s.add_argument("--out", required=True, metavar="PATH", help=w("cli_help_scenario_out"))
    _common_args(s, w)


def _client_notes(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items or []:
        client, sep, text = item.partition("=")
        if not sep or not client.strip():
            raise usage_error("cli_client_note_form", item=item)
        out[client.strip()] = text
    return out


def _print_scenario_summary(summary: dict[str, Any], w: Words) -> None:
    # The status and explanation were written in English when the scenario was saved.
    print(w("cli_scenario_status", status=summary.get("status_text", summary.get("status"))))
    for line in summary.get("explanation", []):
        print(line)
    kpis = summary.get("kpis", {})
    for k, v in kpis.items():
        print(f"  {k:<22} {w.fmt(v)}")


def _kpi_labels(d: ScenarioDiff, summaries: list[dict[str, Any]], w: Words) -> dict[str, str]:
    """Labels of the compared pool prices (`price_<pool>`): the pool's name and the one amount
    both sides are quoted for (optimizer.quoting), as the page says them; other KPIs keep
    their ids."""
    names = {
        str(p.get("resource_id")): str(p.get("name") or p.get("resource_id"))
        for s in summaries
        for p in s.get("pools", [])
    }
    return {
        f"price_{pool}": w(
            "cli_compare_price",
            pool=names.get(str(pool), str(pool)),
            amount=w.num(float(row["quoted_per"]), ",.0f"),
            unit=str(row[UNIT]),
        )
        for pool, row in d.pools.iterrows()
    }


def _scenario(args: argparse.Namespace, w: Words) -> int:
    f = w.fmt
    try:
        store = ScenarioStore(args.db)
    except StoreError as exc:
        raise UsageError(w.error(exc)) from exc
    cmd = args.scenario_command
    if cmd == "save":
        problem = load_with_overrides(args)
        notes = _client_notes(args.client_note)
        unknown = [c for c in notes if c not in problem.clients.index]
        if unknown:
            raise usage_error("cli_client_note_unknown", clients=", ".join(unknown))
        result = solve(problem)
        info = store.save(
            args.name,
            problem,
            result,
            notes=args.notes,
            client_notes=notes,
            overwrite=args.overwrite,
        )
        print(
            w(
                "cli_scenario_saved",
                name=info.name,
                status=w.status(result),
                saved_at=info.saved_at,
                path=store.location,
            )
        )
        return EXIT_PLAN
    if cmd == "list":
        infos = store.list()
        if args.json:
            sys.stdout.write(dump([i.to_json() for i in infos]))
        elif not infos:
            print(w("cli_scenario_none", path=store.location))
        else:
            print(w("cli_scenario_count", count=len(infos), path=store.location))
            for i in infos:
                print(
                    f"  {i.name:<30} {i.saved_at[:19]}  {w.word('status', i.status):<10} "
                    f"{f(i.objective)}{'  - ' + i.notes if i.notes else ''}"
                )
        return EXIT_PLAN
    if cmd == "show":
        sc = store.get(args.name)
        if args.json:
            sys.stdout.write(dump(sc.to_json()))
        else:
            print(
                w(
                    "cli_scenario_show",
                    name=sc.name,
                    saved_at=sc.info.saved_at,
                    fingerprint=sc.info.fingerprint,
                )
            )
            if sc.info.notes:
                print(w("cli_scenario_notes", notes=sc.info.notes))
            for c, note in sc.client_notes.items():
                print(w("cli_scenario_client_note", client=c, note=note))
            _print_scenario_summary(sc.summary, w)
        return EXIT_PLAN
    if cmd == "compare":
        a, b = store.get(args.a), store.get(args.b)
        d = diff_summaries(a.summary, b.summary)
        inputs = diff_inputs(a.tables, b.tables, a.settings, b.settings)
        d = replace(d, inputs=inputs, names=(a.name, b.name))
        if args.json:
            sys.stdout.write(dump(d.to_json()))
            return EXIT_PLAN
        print(w("cli_compare_header", a=a.name, b=b.name))
        labels = _kpi_labels(d, [a.summary, b.summary], w)
        width = max(22, *map(len, labels.values()))
        print(f"{'':<{width}} {'A':>14} {'B':>14} {w('cli_col_change'):>14}")
        for m, r in d.kpis.iterrows():
            label = labels.get(str(m), str(m))
            print(f"{label:<{width}} {f(r['a']):>14} {f(r['b']):>14} {f(r['delta']):>14}")
        changed = d.changed_cells
        print(w("cli_compare_cells", count=len(changed)))
        for (c, m), r in changed.iterrows():
            print(
                w(
                    "cli_compare_cell",
                    client=c,
                    method=m,
                    units_a=w.num(r["units_a"], ".2f"),
                    units_b=w.num(r["units_b"], ".2f"),
                    change=w.word("change", r["change"]),
                    value=w.num(r["delta_value"], "+,.1f"),
                )
            )
        print(w("cli_compare_inputs", count=len(inputs)))
        for r in inputs.itertuples():
            where = f"{r.table} {r.key} {r.column}".strip()
            print(
                w(
                    "cli_compare_input",
                    where=where,
                    a=r.a or "-",
                    b=r.b or "-",
                    change=w.word("change", r.change),
                )
            )
        return EXIT_PLAN
    if cmd == "delete":
        store.delete(args.name)
        print(w("cli_scenario_deleted", name=args.name))
        return EXIT_PLAN
    if cmd == "rename":
        store.rename(args.name, args.new_name)
        print(w("cli_scenario_renamed", name=args.name, new_name=args.new_name))
        return EXIT_PLAN
    if cmd == "duplicate":
        info = store.duplicate(args.name, args.new_name)
        print(w("cli_scenario_copied", name=args.name, new_name=info.name))
        return EXIT_PLAN
    if cmd == "load":
        try:  # never over the scenario file being read
            check_not_inputs(bundle_targets(args.out), store.files())
        except ExportPathError as exc:
            raise UsageError(w.error(exc)) from None
        problem, _ = store.load(args.name)
        dest = write_bundle(problem, args.out)
        print(w("cli_scenario_loaded", name=args.name, path=str(dest)))
        return EXIT_PLAN
    raise usage_error("cli_scenario_unknown_command", command=cmd)


def cmd_scenario(args: argparse.Namespace) -> int:
    w = words(args)
    try:
        return _scenario(args, w)
    except StoreError as exc:
        print(w("cli_error", error=w.error(exc)), file=sys.stderr)
        return EXIT_BAD_INPUT


def commands() -> dict[str, Command]:
    return {
        "scenario": ("cli_help_scenario", _scenario_args, cmd_scenario),
    }
