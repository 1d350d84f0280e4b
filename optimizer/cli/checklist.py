"""The `checklist` command: the relationship checklist of a bundle."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from ..relationship import (
    DAYS_SINCE,
    DEFAULT_STALE_DAYS,
    NOT_ASSESSED,
    READINESS,
    STALE_REASON,
    WIDEN,
    WIDEN_FACTOR,
    Checklist,
    RelationshipError,
    checklist,
)
from ..schema import (
    CHECKLIST_ITEMS,
    COMMITTED_UNITS,
    LAST_REVIEW,
    OPEN_PROBLEMS,
    WRITTEN_CONFIRMATION,
)
from .common import (
    EXIT_PLAN,
    Command,
    UsageError,
    Words,
    add_bundle_arg,
    add_lang_arg,
    dump,
    load_inputs,
    words,
)


def _print(cl: Checklist, w: Words) -> None:
    if not cl.assessed:
        print(w("cli_checklist_not_assessed"))
        return
    print(w("cli_checklist_header", as_of=f"{cl.as_of:%Y-%m-%d}", days=cl.stale_days))
    cols = [w(f"cli_col_{c}") for c in ("plan", "criteria", "roles", "procedure", "written")]
    print(
        f"{w('cli_col_client'):<22} {w('cli_col_ready'):>6} "
        + " ".join(f"{c:>8}" for c in cols)
        + f" {w('cli_col_review'):>11} {w('cli_col_widen'):>6}"
    )
    for c, r in cl.clients.iterrows():
        ready = "-" if pd.isna(r[READINESS]) else w.pct(r[READINESS], ".0%")
        last = "-" if pd.isna(r[LAST_REVIEW]) else f"{pd.Timestamp(r[LAST_REVIEW]):%Y-%m-%d}"
        items = " ".join(f"{w.word('answer', r[i]):>8}" for i in CHECKLIST_ITEMS)
        print(f"{c!s:<22} {ready:>6} {items} {last:>11} {w.num(r[WIDEN], '.2f'):>6}")
    problems = cl.clients[cl.clients[OPEN_PROBLEMS] != ""]
    if len(problems):
        print(w("cli_checklist_open_problems"))
        for c, r in problems.iterrows():
            print(f"  {c}: {r[OPEN_PROBLEMS]}")
    print(w("cli_checklist_stale", days=cl.stale_days, count=len(cl.stale)))
    for c, r in cl.stale.iterrows():
        if r[STALE_REASON] == NOT_ASSESSED:
            when = w.word("answer", NOT_ASSESSED)
        elif pd.isna(r[LAST_REVIEW]):
            when = w("cli_checklist_no_date")
        else:
            when = w(
                "cli_checklist_days_ago",
                date=f"{pd.Timestamp(r[LAST_REVIEW]):%Y-%m-%d}",
                days=int(r[DAYS_SINCE]),
            )
        print(f"  {c}: {when}")
    if len(cl.unconfirmed):
        print(w("cli_checklist_unconfirmed", count=len(cl.unconfirmed)))
        for (c, m), r in cl.unconfirmed.iterrows():
            print(
                w(
                    "cli_checklist_unconfirmed_cell",
                    client=c,
                    method=m,
                    units=w.num(r[COMMITTED_UNITS], "g"),
                    answer=w.word("answer", r[WRITTEN_CONFIRMATION]),
                )
            )
    else:
        print(w("cli_checklist_all_confirmed"))
    if cl.widen:
        print(w("cli_checklist_widen", count=len(cl.widen), factor=w.num(WIDEN_FACTOR, "g")))


def _args(p: argparse.ArgumentParser, w: Words) -> None:
    add_bundle_arg(p, w)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help=w("cli_help_as_of"))
    p.add_argument(
        "--stale-days",
        type=int,
        default=DEFAULT_STALE_DAYS,
        metavar="N",
        help=w("cli_help_stale_days", days=DEFAULT_STALE_DAYS),
    )
    p.add_argument("--json", action="store_true", help=w("cli_help_json"))
    add_lang_arg(p, w)


def _run(args: argparse.Namespace) -> int:
    w = words(args)
    problem = load_inputs(args)
    try:
        cl = checklist(problem, args.as_of, args.stale_days)
    except RelationshipError as exc:
        raise UsageError(w.error(exc)) from exc
    if args.json:
        sys.stdout.write(dump(cl.to_json()))
    else:
        _print(cl, w)
    return EXIT_PLAN


def commands() -> dict[str, Command]:
    return {"checklist": ("cli_help_checklist", _args, _run)}
