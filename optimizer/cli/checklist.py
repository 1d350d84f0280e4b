"""The `checklist` command: the relationship checklist of a bundle."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from ..bundle import load_bundle
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
from .common import EXIT_PLAN, Command, UsageError, dump


def _print(cl: Checklist) -> None:
    if not cl.assessed:
        print("The bundle has no relationship table: the checklist is not assessed.")
        return
    print(f"Relationship checklist as of {cl.as_of:%Y-%m-%d} (stale after {cl.stale_days} "
          f"days)")
    print(f"{'client':<22} {'ready':>6} {'plan':>8} {'criteria':>8} {'roles':>8} "
          f"{'proc.':>8} {'written':>8} {'review':>11} {'widen':>6}")
    for c, r in cl.clients.iterrows():
        ready = "-" if pd.isna(r[READINESS]) else f"{r[READINESS]:.0%}"
        last = "-" if pd.isna(r[LAST_REVIEW]) else f"{pd.Timestamp(r[LAST_REVIEW]):%Y-%m-%d}"
        items = " ".join(f"{r[i]:>8}" for i in CHECKLIST_ITEMS)
        print(f"{str(c):<22} {ready:>6} {items} {last:>11} {r[WIDEN]:>6.2f}")
    problems = cl.clients[cl.clients[OPEN_PROBLEMS] != ""]
    if len(problems):
        print("\nOpen problems:")
        for c, r in problems.iterrows():
            print(f"  {c}: {r[OPEN_PROBLEMS]}")
    print(f"\nReviews older than {cl.stale_days} days or missing ({len(cl.stale)}):")
    for c, r in cl.stale.iterrows():
        when = "no date" if pd.isna(r[LAST_REVIEW]) else \
            f"{pd.Timestamp(r[LAST_REVIEW]):%Y-%m-%d}, {int(r[DAYS_SINCE])} days ago"
        print(f"  {c}: {when if r[STALE_REASON] != NOT_ASSESSED else NOT_ASSESSED}")
    if len(cl.unconfirmed):
        print(f"\nCommitted units not confirmed in writing ({len(cl.unconfirmed)}):")
        for (c, m), r in cl.unconfirmed.iterrows():
            print(f"  {c} / {m}: {r[COMMITTED_UNITS]:g} units committed, written "
                  f"confirmation: {r[WRITTEN_CONFIRMATION]}")
    else:
        print("\nEvery committed unit is confirmed in writing.")
    if cl.widen:
        print(f"\nRobustness widens the value ranges of {len(cl.widen)} clients by "
              f"{WIDEN_FACTOR:g} (selection criteria or decision roles not known).")


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("bundle", help="a folder of CSV files or one .xlsx workbook")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date reviews are aged against "
                                                         "(default: today)")
    p.add_argument("--stale-days", type=int, default=DEFAULT_STALE_DAYS, metavar="N",
                   help=f"a review older than N days is stale (default {DEFAULT_STALE_DAYS})")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _run(args: argparse.Namespace) -> int:
    problem = load_bundle(args.bundle)
    try:
        cl = checklist(problem, args.as_of, args.stale_days)
    except RelationshipError as exc:
        raise UsageError(str(exc)) from exc
    if args.json:
        sys.stdout.write(dump(cl.to_json()))
    else:
        _print(cl)
    return EXIT_PLAN


def commands() -> dict[str, Command]:
    return {
        "checklist": (("the relationship checklist: readiness, stale reviews, unconfirmed "
                       "commitments"), _args, _run),
    }
