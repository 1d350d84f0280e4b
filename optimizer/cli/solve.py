"""The `validate` and `solve` commands."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..messages import unit_text
from ..quoting import quote_amount, quoted
from ..schema import (
    CAPACITY,
    IS_FUNDED,
    OBJECTIVES,
    PLAN_OBJECTIVES,
    SHADOW_PRICE,
    UNITS,
    USED,
    VALUE,
    WEIGHTED_VALUE,
    Objective,
    Problem,
    Result,
    SettingsError,
)
from ..solve import solve
from .common import (
    EXIT_NO_PLAN,
    EXIT_PLAN,
    Command,
    UsageError,
    Words,
    add_bundle_arg,
    add_bundle_args,
    add_lang_arg,
    load_inputs,
    load_with_overrides,
    usage_error,
    words,
)

if TYPE_CHECKING:
    from ..robust import PriceOfRobustness


def cmd_validate(args: argparse.Namespace) -> int:
    w = words(args)
    problem = load_inputs(args)
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
        # Quoted per the amount the page quotes it for, from the pool's capacity.
        per = quote_amount(float(row[CAPACITY]))
        if sp != sp:
            sp_txt = ""
        elif result.settings.objective == "min_cost":
            # d cost / d capacity: more of a binding pool saves money
            saving = max(-quoted(sp, per), 0.0) + 0.0
            sp_txt = w(
                "cli_solve_pool_saves",
                amount=w.num(per, ",.0f"),
                unit=unit_text(row["unit"], w.lang),
                saving=w.num(saving, _price_spec(saving)),
                currency=cur,
            )
        else:
            worth = quoted(sp, per) + 0.0
            sp_txt = w(
                "cli_solve_pool_worth",
                amount=w.num(per, ",.0f"),
                unit=unit_text(row["unit"], w.lang),
                worth=w.num(worth, _price_spec(worth)),
            )
        print(
            w(
                "cli_solve_pool",
                name=row["name"],
                used=w.num(row[USED], ",.1f"),
                capacity=w.num(row[CAPACITY], ",.1f"),
                unit=unit_text(row["unit"], w.lang),
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


def _price_spec(x: float) -> str:
    """Digits of a quoted price, as the page shows it: two below ten, else one."""
    return ",.2f" if abs(x) < 10 else ",.1f"


@contextmanager
def _few_collections() -> Iterator[None]:
    """Python's cycle collector run rarely while a bundle is read, solved and written: the
    tables, frames and records are hundreds of thousands of young objects, none in a cycle,
    and the collector walked them again and again (a tenth of a 10,000-client run)."""
    saved = gc.get_threshold()
    gc.freeze()  # what the imports built is never garbage
    gc.set_threshold(100_000, 50, 1_000)
    try:
        yield
    finally:
        gc.set_threshold(*saved)
        gc.unfreeze()


def cmd_solve(args: argparse.Namespace) -> int:
    with _few_collections():
        return _solve(args)


def _solve(args: argparse.Namespace) -> int:
    w = words(args)
    protect = _inputs(args.bundle)
    outs = [Path(out) for out in args.out or []]
    _refuse_inputs(outs, protect, w)  # before anything is solved or written
    objective = plan_objective(args, w)  # before the settings: it takes --objective robust...
    problem = load_with_overrides(args)
    compare = None
    if objective is None:
        result = solve(problem)
    else:
        from .. import robust  # only the plans that hold up need it

        try:
            result = robust.solve_objective(problem, objective)
            if args.compare and result.has_plan:
                compare = robust.price_of_robustness(problem, objective, objective.draws)
        except robust.RobustError as exc:
            raise UsageError(w.error(exc)) from None
    if args.json:
        # Built column-wise and encoded by orjson in one pass (json_encoded).
        from ..export.json import json_encoded, result_to_json

        data = result_to_json(problem, result)
        if compare is not None:
            data["price_of_robustness"] = compare.to_json()
        _write_stdout(json_encoded(data))
    else:
        _print_summary(problem, result, w)
        _print_objective(result, w)
        if compare is not None:
            _print_compare(compare, w)
    for out in outs:
        write_output(problem, result, out, w, protect)
    return EXIT_PLAN if result.has_plan else EXIT_NO_PLAN


def _write_stdout(data: bytes) -> None:
    """UTF-8 bytes to stdout: to its buffer when it has one (a file, a pipe), else as text."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    sys.stdout.flush()
    buffer.write(data)
    buffer.flush()


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
    _plan_objective_args(p, w)


# ---- plans that hold up when the values are wrong (optimizer/robust.py) ----------------------
_PLAN_KINDS = tuple(k for k in PLAN_OBJECTIVES if k != "nominal")
# Each flag of a plan objective: (dest, the kinds it applies to).
_PLAN_FLAGS = {
    "--protect": ("protect", ("robust",)),
    "--per-client": ("per_client", ("robust",)),
    "--alpha": ("alpha", ("cvar",)),
    "--draws": ("draws", ("cvar", "expected")),
    "--seed": ("seed", ("cvar", "expected")),
    "--widen": ("widen", _PLAN_KINDS),
    "--no-checklist-widening": ("no_checklist_widening", _PLAN_KINDS),
    "--compare": ("compare", _PLAN_KINDS),
}


def _plan_objective_args(p: argparse.ArgumentParser, w: Words) -> None:
    # `solve --objective` also takes the plan objectives (the settings' own two stay as they are).
    for action in p._actions:
        if action.dest == "objective":
            action.choices = (*OBJECTIVES, *_PLAN_KINDS)
            action.help = w("cli_help_objective_plan")
    p.add_argument("--protect", type=float, metavar="N", help=w("cli_help_protect"))
    p.add_argument("--per-client", action="store_true", default=None, help=w("cli_help_per_client"))
    p.add_argument("--alpha", type=float, metavar="A", help=w("cli_help_alpha"))
    p.add_argument("--draws", type=int, metavar="S", help=w("cli_help_draws"))
    p.add_argument("--seed", type=int, metavar="K", help=w("cli_help_seed"))
    p.add_argument("--widen", action="append", metavar="CLIENT=FACTOR", help=w("cli_help_widen"))
    p.add_argument(
        "--no-checklist-widening",
        action="store_true",
        default=None,
        help=w("cli_help_no_checklist_widening"),
    )
    p.add_argument("--compare", action="store_true", default=None, help=w("cli_help_compare"))


def plan_objective(args: argparse.Namespace, w: Words) -> Objective | None:
    """The Objective the flags ask for (None: the settings' own objective). Takes a plan
    objective out of `args.objective`, which is a setting otherwise."""
    kind = getattr(args, "objective", None)
    if kind not in _PLAN_KINDS:
        kind = None
    for flag, (dest, kinds) in _PLAN_FLAGS.items():
        if getattr(args, dest, None) is not None and kind not in kinds:
            raise usage_error("cli_objective_flag", flag=flag, kinds=" | ".join(kinds))
    if kind is None:
        return None
    args.objective = None
    from .analysis import _parse_widen

    given = {
        "protect": args.protect,
        "per_client": args.per_client,
        "alpha": args.alpha,
        "draws": args.draws,
        "seed": args.seed,
    }
    try:
        return Objective(
            kind=kind,
            widen=tuple(sorted(_parse_widen(args.widen or []).items())),
            checklist=not args.no_checklist_widening,
            **{k: v for k, v in given.items() if v is not None},
        )
    except SettingsError as exc:
        raise UsageError(exc.msg) from None


def _print_objective(result: Result, w: Words) -> None:
    """What the plan is worth under the objective that chose it."""
    ob = result.plan_objective
    if ob is None or ob.nominal or not result.has_plan:
        return
    if ob.kind == "robust":
        scope = w("cli_solve_per_client") if ob.per_client else ""
        print(
            w(
                "cli_solve_protected",
                protect=ob.protect,
                scope=scope,
                value=w.num(result.protected_value),
            )
        )
    elif ob.kind == "cvar":
        print(
            w(
                "cli_solve_cvar",
                alpha=ob.alpha,
                draws=ob.draws,
                seed=ob.seed,
                value=w.num(result.cvar_value),
                mean=w.num(result.expected_value),
            )
        )
    else:
        print(
            w(
                "cli_solve_expected",
                draws=ob.draws,
                seed=ob.seed,
                value=w.num(result.expected_value),
            )
        )


def _print_compare(pr: PriceOfRobustness, w: Words) -> None:
    """The protected plan beside the nominal one."""
    nom, rob = pr.nominal_plan, pr.robust_plan
    fn, fr = nom.fresh_summary(pr.objective.alpha), rob.fresh_summary(pr.objective.alpha)
    print(
        w(
            "cli_solve_compare",
            draws=pr.fresh_draws,
            seed=pr.fresh_seed,
            given_up=w.num(pr.value_given_up),
            nominal=w.num(nom.nominal_value),
            robust=w.num(rob.nominal_value),
            gained=w.num(pr.value_gained),
            nominal_obj=w.num(nom.objective_value),
            robust_obj=w.num(rob.objective_value),
            nominal_p10=w.num(fn["worst_decile_mean"]),
            robust_p10=w.num(fr["worst_decile_mean"]),
            nominal_regret=w.num(fn["regret_mean"]),
            robust_regret=w.num(fr["regret_mean"]),
            moves=len(pr.moves),
        )
    )
    for (c, m), row in pr.moves.iterrows():
        print(
            w(
                "cli_solve_move",
                client=c,
                method=m,
                before=w.num(row["nominal_units"], ".2f"),
                after=w.num(row["robust_units"], ".2f"),
            )
        )


def _validate_args(p: argparse.ArgumentParser, w: Words) -> None:
    add_bundle_arg(p, w)
    add_lang_arg(p, w)


def commands() -> dict[str, Command]:
    return {
        "validate": ("cli_help_validate", _validate_args, cmd_validate),
        "solve": ("cli_help_solve", _solve_args, cmd_solve),
    }
