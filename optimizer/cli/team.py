"""The `team` command: the team's members and roles in the database (add, list, remove)."""

from __future__ import annotations

import argparse
import sys

from ..storage import Database
from ..team import ROLES, Team
from ..workspace import default_user
from .common import EXIT_PLAN, Command, Words, dump, words
from .workspace import db_args


def _team_args(p: argparse.ArgumentParser, w: Words) -> None:
    sub = p.add_subparsers(dest="team_command", required=True, parser_class=type(p))
    s = sub.add_parser("add", help=w("cli_help_team_add"))
    s.add_argument("email")
    s.add_argument("--role", required=True, choices=ROLES, help=w("cli_help_role"))
    s.add_argument("--clients", default="", metavar="ID,...", help=w("cli_help_clients"))
    db_args(s, w, who=True)
    s = sub.add_parser("list", help=w("cli_help_team_list"))
    s.add_argument("--json", action="store_true")
    db_args(s, w)
    s = sub.add_parser("remove", help=w("cli_help_team_remove"))
    s.add_argument("email")
    db_args(s, w)


def cmd_team(args: argparse.Namespace) -> int:
    w = words(args)
    db = Database(args.db)
    team = Team(db)
    cmd = args.team_command
    if cmd == "add":
        who = (args.who or "").strip() or default_user()
        clients = [c.strip() for c in args.clients.split(",") if c.strip()]
        member, new = team.add(args.email, args.role, clients, by=who)
        listed = w("cli_team_clients", clients=", ".join(member.clients)) if member.clients else ""
        code = "cli_team_added" if new else "cli_team_updated"
        print(w(code, email=member.email, role=member.role, clients=listed, path=db.label))
        return EXIT_PLAN
    if cmd == "remove":
        team.remove(args.email)
        print(w("cli_team_removed", email=args.email.strip().lower()))
        return EXIT_PLAN
    members = team.list()
    if args.json:
        sys.stdout.write(dump([m.to_json() for m in members]))
    elif not members:
        print(w("cli_team_none", path=db.label))
    else:
        print(w("cli_team_count", count=len(members), path=db.label))
        for m in members:
            print(f"  {m.email:<32} {m.role:<9} {', '.join(m.clients)}")
    return EXIT_PLAN


def commands() -> dict[str, Command]:
    return {"team": ("cli_help_team", _team_args, cmd_team)}
