"""The `workspace` command: the shared working plan in the database (import, export, set one
cell, the change log)."""

from __future__ import annotations

import argparse
import sys

from ..bundle import load_bundle
from ..export import ExportPathError
from ..export.files import bundle_targets, check_not_inputs
from ..storage import Database
from ..team import Team, edit_as
from ..workspace import Change, Workspace, default_user
from .common import EXIT_PLAN, Command, UsageError, Words, add_lang_arg, dump, words


def db_args(p: argparse.ArgumentParser, w: Words, who: bool = False) -> None:
    """--db (and --who for commands that change something), --lang."""
    p.add_argument("--db", metavar="PATH_OR_URL", help=w("cli_help_team_db"))
    if who:
        p.add_argument("--who", metavar="NAME", help=w("cli_help_who"))
    add_lang_arg(p, w)


def _workspace_args(p: argparse.ArgumentParser, w: Words) -> None:
    sub = p.add_subparsers(dest="workspace_command", required=True, parser_class=type(p))
    s = sub.add_parser("import", help=w("cli_help_workspace_import"))
    s.add_argument("source", metavar="BUNDLE", help=w("cli_help_bundle"))
    db_args(s, w, who=True)
    s = sub.add_parser("export", help=w("cli_help_workspace_export"))
    s.add_argument("--out", required=True, metavar="PATH", help=w("cli_help_scenario_out"))
    db_args(s, w)
    s = sub.add_parser("set", help=w("cli_help_workspace_set"))
    for name in ("table", "key", "column", "value"):
        s.add_argument(name)
    s.add_argument("--seen", required=True, metavar="VALUE", help=w("cli_help_seen"))
    db_args(s, w, who=True)
    s = sub.add_parser("changes", help=w("cli_help_workspace_changes"))
    s.add_argument("--since", metavar="DATE|SCENARIO", help=w("cli_help_since"))
    s.add_argument("--json", action="store_true")
    db_args(s, w)


def _change_line(c: Change, w: Words) -> str:
    at = c.at[:19].replace("T", " ")
    if c.kind == "import" and not c.table:
        return w("cli_workspace_import_line", at=at, who=c.who, source=c.new or "")
    return w(
        "cli_workspace_change_line",
        at=at,
        who=c.who,
        where=f"{c.table} {c.key} {c.column}",
        old=c.old or "",
        new=c.new or "",
    )


def cmd_workspace(args: argparse.Namespace) -> int:
    w = words(args)
    db = Database(args.db)
    ws = Workspace(db)
    cmd = args.workspace_command
    who = (getattr(args, "who", None) or "").strip() or default_user()
    if cmd == "import":
        problem = load_bundle(args.source)
        changed = ws.import_problem(problem, who, label=str(args.source))
        cells = sum(f.size for f in ws.tables()[0].values())
        print(
            w(
                "cli_workspace_imported",
                source=str(args.source),
                path=db.label,
                clients=len(problem.clients),
                cells=cells,
                changed=changed,
            )
        )
        return EXIT_PLAN
    if cmd == "export":
        try:  # never over the database being read
            check_not_inputs(bundle_targets(args.out), db.files())
        except ExportPathError as exc:
            raise UsageError(w.error(exc)) from None
        dest = ws.export(args.out)
        print(w("cli_workspace_exported", path=db.label, out=str(dest)))
        return EXIT_PLAN
    if cmd == "set":
        # A --who that names a member edits with that member's role (a guard against
        # slips: --who itself is not checked, see docs/team.md).
        member = Team(db).find(who) if "@" in who else None
        if member is not None:
            change = edit_as(ws, member, args.table, args.key, args.column, args.seen, args.value)
        else:
            change = ws.set_cell(args.table, args.key, args.column, args.seen, args.value, who=who)
        if change is None:
            print(
                w(
                    "cli_workspace_unchanged",
                    table=args.table,
                    key=args.key,
                    column=args.column,
                    value=args.value,
                )
            )
        else:
            print(
                w(
                    "cli_workspace_set",
                    table=change.table,
                    key=change.key,
                    column=change.column,
                    old=change.old or "",
                    new=change.new or "",
                    who=who,
                )
            )
        return EXIT_PLAN
    # changes
    changes = ws.changes(since=args.since)
    if args.json:
        sys.stdout.write(dump([c.to_json() for c in changes]))
    elif not changes:
        print(w("cli_workspace_no_changes", path=db.label))
    else:
        print(w("cli_workspace_changes", count=len(changes), path=db.label))
        for c in changes:
            print(_change_line(c, w))
    return EXIT_PLAN


def commands() -> dict[str, Command]:
    return {"workspace": ("cli_help_workspace", _workspace_args, cmd_workspace)}
