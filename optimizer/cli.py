"""Command line: `python -m optimizer validate|solve|sweep|robustness|export|scenario ...`.

Exit codes: 0 a plan was produced (or the command did its job); 1 no plan (infeasible, or the
solver failed); 2 bad input or bad arguments, with every problem listed on stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, NoReturn

from .bundle import load_bundle
from .schema import (
    ATTAINABLE,
    CAPACITY,
    OBJECTIVES,
    SHADOW_PRICE,
    SHARE,
    SOLVERS,
    UNITS,
    USED,
    VALUE,
    WEIGHTED_VALUE,
    BundleError,
    Problem,
    Result,
    Settings,
    use_col,
)
from .solve import solve

EXIT_PLAN, EXIT_NO_PLAN, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """Bad arguments: reported on stderr with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 too, but without a traceback
        self.print_usage(sys.stderr)
        raise UsageError(message)


def _num(x: Any) -> float | None:
    """A JSON-safe number (NaN and infinities become null)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


# ---- loading with command-line overrides ----------------------------------------------------
def parse_key_number(item: str, flag: str, what: str, minimum: float) -> tuple[str, float] | str:
    """One `KEY=NUMBER` flag value as (key, number), or the message saying what is wrong (the
    number must be finite and at least `minimum`)."""
    key, _, text = item.partition("=")
    try:
        value = float(text)
        if math.isfinite(value) and value >= minimum:
            return key.strip(), value
    except ValueError:
        pass
    return f"{flag} {item}: the {what} must be a number of at least {minimum:g}"


def add_bundle_args(p: argparse.ArgumentParser) -> None:
    """Arguments shared by every command that solves a bundle."""
    p.add_argument("bundle", help="a folder of CSV files or one .xlsx workbook")
    p.add_argument("--set", action="append", default=[], metavar="POOL=CAPACITY",
                   help="override a pool's capacity (repeatable)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--integer", dest="integer", action="store_true", default=None,
                      help="whole units only")
    mode.add_argument("--continuous", dest="integer", action="store_false",
                      help="fractions of units allowed")
    p.add_argument("--objective", choices=OBJECTIVES)
    p.add_argument("--target-share", type=float, metavar="X",
                   help="min_cost: share of the best attainable value to reach (0..1)")
    p.add_argument("--time-limit", type=float, metavar="S")
    p.add_argument("--gap", type=float, metavar="G", help="relative MIP gap, e.g. 0.01")
    p.add_argument("--solver", choices=SOLVERS)


def load_with_overrides(args: argparse.Namespace) -> Problem:
    """Load the bundle and apply --set and the settings flags; raise UsageError on bad flags."""
    problem = load_bundle(args.bundle)
    changes: dict[str, Any] = {}
    if getattr(args, "integer", None) is not None:
        changes["integer_units"] = args.integer
    for flag, key in (("objective", "objective"), ("target_share", "target_value_share"),
                      ("time_limit", "time_limit_s"), ("gap", "mip_gap"), ("solver", "solver")):
        v = getattr(args, flag, None)
        if v is not None:
            changes[key] = v
    if "target_value_share" in changes and not 0 <= changes["target_value_share"] <= 1:
        raise UsageError(f"--target-share must be between 0 and 1, not "
                         f"{changes['target_value_share']}")
    if "time_limit_s" in changes and not changes["time_limit_s"] > 0:
        raise UsageError(f"--time-limit must be positive, not {changes['time_limit_s']}")
    if "mip_gap" in changes and not changes["mip_gap"] >= 0:
        raise UsageError(f"--gap must be at least 0, not {changes['mip_gap']}")
    problem = replace(problem, settings=problem.settings.with_(**changes))
    bad = []
    for item in getattr(args, "set", []) or []:
        parsed = parse_key_number(item, "--set", "capacity", 0)
        if isinstance(parsed, str):
            bad.append(parsed)
            continue
        pool, value = parsed
        if pool not in problem.resources.index:
            bad.append(f"--set {item}: '{pool}' is not a pool (pools: "
                       f"{', '.join(problem.pools)})")
            continue
        problem = problem.with_capacity(pool, value)
    if bad:
        raise UsageError("\n".join(bad))
    return problem


# ---- JSON -----------------------------------------------------------------------------------
def result_to_json(problem: Problem, result: Result) -> dict[str, Any]:
    """The solve result as the JSON object of DESIGN section 5 (plus a few extra keys)."""
    pools = problem.pools
    status = "feasible" if result.status == "feasible" else result.status
    out: dict[str, Any] = {
        "status": status, "status_text": result.status_text,
        "objective": _num(result.objective), "gap": _num(result.gap), "solver": result.solver,
        "seconds": round(result.seconds, 4), "fingerprint": result.fingerprint,
        "settings": {k: getattr(result.settings, k) for k in Settings.__dataclass_fields__},
        "bound": _num(result.bound), "lp_objective": _num(result.lp_objective),
        "money_spent": _num(result.money_spent), "target_value": _num(result.target_value),
        "allocation": [], "pools": [], "clients": [], "unfunded": [],
        "explanation": list(result.explanation),
    }
    if not result.has_plan:
        return out
    for (c, m), row in result.allocation.iterrows():
        out["allocation"].append({"client_id": c, "method_id": m, "units": _num(row[UNITS]),
                                  "value": _num(row[VALUE]),
                                  "use": {p: _num(row[use_col(p)]) for p in pools}})
    for p, row in result.pools.iterrows():
        out["pools"].append({"resource_id": p, "capacity": _num(row[CAPACITY]),
                             "used": _num(row[USED]), "shadow_price": _num(row[SHADOW_PRICE])})
    for c, row in result.clients.iterrows():
        out["clients"].append({"client_id": c, "value": _num(row[VALUE]),
                               "attainable": _num(row[ATTAINABLE]), "share": _num(row[SHARE])})
    for (c, m), row in result.unfunded.iterrows():
        out["unfunded"].append({"client_id": c, "method_id": m, "units": _num(row[UNITS]),
                                "needed_value": _num(row["needed_value"]),
                                "blocked_by": row["blocked_by"], "reason": row["reason"]})
    return out


def _print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


# ---- commands -------------------------------------------------------------------------------
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
        _print_json(result_to_json(problem, result))
    else:
        _print_summary(problem, result)
    for out in args.out or []:
        write_output(problem, result, Path(out))
    return EXIT_PLAN if result.has_plan else EXIT_NO_PLAN


def write_output(problem: Problem, result: Result, path: Path) -> None:
    """Write a result to a file whose format follows its extension."""
    from . import export  # imported here: the export module is only needed for --out

    try:
        export.write_by_extension(problem, result, path)
    except export.NoPlanError:
        print(f"{path} was not written: there is no plan to put in it", file=sys.stderr)


# Each command: (help, argument builder, handler). Other modules add theirs in `build_parser`.
Command = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace],
                                                                         int]]


def _solve_args(p: argparse.ArgumentParser) -> None:
    add_bundle_args(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", action="append", metavar="FILE",
                   help="also write FILE (.xlsx, .csv, .json, .html, .lp); repeatable")


def _export_command() -> Command:
    from . import export  # the export command lives beside the exports

    return export.cli_command()


def commands() -> dict[str, Command]:
    cmds: dict[str, Command] = {
        "validate": ("check a bundle and list every problem",
                     lambda p: p.add_argument("bundle"), cmd_validate),
        "solve": ("solve a bundle and print or write the plan", _solve_args, cmd_solve),
        "export": _export_command(),
    }
    # sweep, robustness, scenario: imported here, as that module builds on this one.
    from .cli_analysis import analysis_commands

    cmds.update(analysis_commands())
    from .relationship import cli_command as checklist_command

    cmds["checklist"] = checklist_command()
    return cmds


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m optimizer",
                     description="Plan risk-reduction methods for key clients within budget "
                                 "and management hours.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (help_, build, handler) in commands().items():
        p = sub.add_parser(name, help=help_)
        build(p)
        p.set_defaults(handler=handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BundleError as exc:
        print(f"The bundle has {sum(i.severity == 'error' for i in exc.issues)} problem(s):",
              file=sys.stderr)
        for issue in exc.issues:
            print(f"  {issue}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader (e.g. `| head`) closed the pipe: not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PLAN
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
