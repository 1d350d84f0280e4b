"""The `validate` and `solve` commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..bundle import load_bundle
from ..schema import (
    CAPACITY,
    SHADOW_PRICE,
    UNITS,
    USED,
    VALUE,
    WEIGHTED_VALUE,
    Problem,
    Result,
)
from ..solve import solve
from .common import (
    EXIT_NO_PLAN,
    EXIT_PLAN,
    Command,
    UsageError,
    add_bundle_args,
    load_with_overrides,
    print_json,
)


def cmd_validate(args: argparse.Namespace) -> int:
    problem = load_bundle(args.bundle)
    for w in problem.warnings:
        print(str(w), file=sys.stderr)
    print(f"OK: {len(problem.clients)} clients, {len(problem.methods)} methods, "
          f"{len(problem.values)} offered cells, pools: {', '.join(problem.pools)}")
    return EXIT_PLAN


def _print_summary(problem: Problem, result: Result) -> None:
    print(f"Status: {result.status_text} ({result.solver}, {result.seconds:.2f} s)")
    for line in result.explanation:
        print(line)
    if not result.has_plan:
        return
    cur = result.settings.currency
    if result.settings.objective == "min_cost":
        reached = float(result.clients[WEIGHTED_VALUE].sum())
        print(f"Cheapest plan reaching {result.target_value:,.2f} value points "
              f"({result.settings.target_value_share:.0%} of the best): spends "
              f"{result.objective:,.2f} {cur}, value {reached:,.2f}")
    else:
        print(f"Total perceived value (weighted): {result.objective:,.2f}")
    if result.lp_objective is not None:
        print(f"Continuous bound: {result.lp_objective:,.2f}")
    print("\nPools:")
    for p, row in result.pools.iterrows():
        sp = row[SHADOW_PRICE]
        if sp != sp:
            sp_txt = ""
        elif result.settings.objective == "min_cost":
            # d cost / d capacity: an extra unit of a binding pool saves money
            sp_txt = f", one more {row['unit']} saves {max(-sp, 0.0) + 0.0:,.4g} {cur}"
        else:
            sp_txt = f", one more {row['unit']} is worth {sp:,.4g} value points"
        print(f"  {row['name']}: {row[USED]:,.1f} of {row[CAPACITY]:,.1f} {row['unit']}{sp_txt}")
    print("\nFunded cells:")
    funded = result.allocation[result.allocation[UNITS] > 1e-6]
    for (c, m), row in funded.iterrows():
        print(f"  {c:<20} {m:<20} {row[UNITS]:6.2f} units  value {row[VALUE]:8.1f}")


def cmd_solve(args: argparse.Namespace) -> int:
    problem = load_with_overrides(args)
    result = solve(problem)
    if args.json:
        from ..export import (
            result_to_json,  # the export module is only needed here and --out
        )

        print_json(result_to_json(problem, result))
    else:
        _print_summary(problem, result)
    for out in args.out or []:
        write_output(problem, result, Path(out))
    return EXIT_PLAN if result.has_plan else EXIT_NO_PLAN


def write_output(problem: Problem, result: Result, path: Path) -> None:
    """Write a result to a file whose format follows its extension."""
    from .. import export  # imported here: the export module is only needed for --out

    try:
        export.write_by_extension(problem, result, path)
    except export.NoPlanError:
        print(f"{path} was not written: there is no plan to put in it", file=sys.stderr)
    except export.ExportPathError as exc:  # a bad --out name
        raise UsageError(str(exc)) from None


def _solve_args(p: argparse.ArgumentParser) -> None:
    add_bundle_args(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", action="append", metavar="FILE",
                   help="also write FILE (.xlsx, .csv, .json, .html, .lp); repeatable")


def commands() -> dict[str, Command]:
    return {
        "validate": ("check a bundle and list every problem",
                     lambda p: p.add_argument("bundle"), cmd_validate),
        "solve": ("solve a bundle and print or write the plan", _solve_args, cmd_solve),
    }
