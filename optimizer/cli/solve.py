"""The `validate` and `solve` commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..bundle import load_bundle
from ..schema import (
    CAPACITY,
    IS_FUNDED,
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
    Words,
    add_bundle_args,
    add_lang_arg,
    load_with_overrides,
    print_json,
    words,
)


def cmd_validate(args: argparse.Namespace) -> int:
    w = words(args)
    problem = load_bundle(args.bundle)
    for line in w.issues(problem.warnings):
        print(line, file=sys.stderr)
    print(
        w(
            "cli_validate_ok",
            clients=len(problem.clients),
            methods=len(problem.methods),
            cells=len(problem.values),
            pools=", ".join(problem.pools),
        )
    )
    return EXIT_PLAN


def _print_summary(problem: Problem, result: Result, w: Words) -> None:
    print(
        w(
            "cli_solve_status",
            status=w.status(result),
            solver=result.solver,
            seconds=w.num(result.seconds, ".2f"),
        )
    )
    for line in w.explanation(result):
        print(line)
    if not result.has_plan:
        return
    cur = result.settings.currency
    if result.settings.objective == "min_cost":
        reached = float(result.clients[WEIGHTED_VALUE].sum())
        print(
            w(
                "cli_solve_min_cost",
                target=w.num(result.target_value),
                share=w.pct(result.settings.target_value_share),
                spent=w.num(result.objective),
                currency=cur,
                reached=w.num(reached),
            )
        )
    else:
        print(w("cli_solve_max_value", value=w.num(result.objective)))
    if result.lp_objective is not None:
        print(w("cli_solve_lp_bound", value=w.num(result.lp_objective)))
    print(w("cli_solve_pools"))
    for _, row in result.pools.iterrows():
        sp = row[SHADOW_PRICE]
        if sp != sp:
            sp_txt = ""
        elif result.settings.objective == "min_cost":
            # d cost / d capacity: an extra unit of a binding pool saves money
            sp_txt = w(
                "cli_solve_pool_saves",
                unit=row["unit"],
                amount=w.num(max(-sp, 0.0) + 0.0, ",.4g"),
                currency=cur,
            )
        else:
            sp_txt = w("cli_solve_pool_worth", unit=row["unit"], amount=w.num(sp, ",.4g"))
        print(
            w(
                "cli_solve_pool",
                name=row["name"],
                used=w.num(row[USED], ",.1f"),
                capacity=w.num(row[CAPACITY], ",.1f"),
                unit=row["unit"],
                price=sp_txt,
            )
        )
    print(w("cli_solve_funded"))
    funded = result.allocation[result.allocation[IS_FUNDED]]
    for (c, m), row in funded.iterrows():
        print(
            w(
                "cli_solve_cell",
                client=c,
                method=m,
                units=w.num(row[UNITS], ".2f"),
                value=w.num(row[VALUE], ".1f"),
            )
        )


def cmd_solve(args: argparse.Namespace) -> int:
    w = words(args)
    protect = _inputs(args.bundle)
    outs = [Path(out) for out in args.out or []]
    _refuse_inputs(outs, protect, w)  # before anything is solved or written
    problem = load_with_overrides(args)
    result = solve(problem)
    if args.json:
        from ..export import result_to_json  # the export module is only needed here and --out

        print_json(result_to_json(problem, result))
    else:
        _print_summary(problem, result, w)
    for out in outs:
        write_output(problem, result, out, w, protect)
    return EXIT_PLAN if result.has_plan else EXIT_NO_PLAN


def _inputs(bundle: str) -> tuple[Path, ...]:
    from ..export.files import bundle_files

    return bundle_files(bundle)


def _refuse_inputs(outs: list[Path], protect: tuple[Path, ...], w: Words) -> None:
    """UsageError when an --out file is one of the bundle's own files."""
    from ..export import ExportPathError
    from ..export.files import check_not_inputs

    try:
        check_not_inputs(outs, protect)
    except ExportPathError as exc:
        raise UsageError(w.error(exc)) from None


def write_output(
    problem: Problem,
    result: Result,
    path: Path,
    w: Words | None = None,
    protect: tuple[Path, ...] = (),
) -> None:
    """Write a result to a file whose format follows its extension; never over `protect`
    (the files of the bundle being read)."""
    from .. import export  # imported here: the export module is only needed for --out

    w = w or Words()
    try:
        export.write_by_extension(problem, result, path, lang=w.lang, protect=protect)
    except export.NoPlanError:
        print(w("cli_not_written_no_plan", path=str(path)), file=sys.stderr)
    except export.ExportPathError as exc:  # a bad --out name
        raise UsageError(w.error(exc)) from None


def _solve_args(p: argparse.ArgumentParser, w: Words) -> None:
    add_bundle_args(p, w)
    p.add_argument("--json", action="store_true", help=w("cli_help_json"))
    p.add_argument("--out", action="append", metavar="FILE", help=w("cli_help_solve_out"))


def _validate_args(p: argparse.ArgumentParser, w: Words) -> None:
    p.add_argument("bundle")
    add_lang_arg(p, w)


def commands() -> dict[str, Command]:
    return {
        "validate": ("cli_help_validate", _validate_args, cmd_validate),
        "solve": ("cli_help_solve", _solve_args, cmd_solve),
    }
