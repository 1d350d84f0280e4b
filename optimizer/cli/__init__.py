"""Command line: `python -m optimizer validate|solve|sweep|robustness|export|scenario|checklist|
workspace|team` (installed as `risk-planner`).

A layer over the engine: the engine modules never import this package. Every command takes
`--lang en|ru` (default en) for its human-readable output; `--json` output does not depend on
it. Exit codes: 0 a plan was produced (or the command did its job); 1 no plan (infeasible, or
the solver failed); 2 bad input or bad arguments, with every problem listed on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from ..messages import DEFAULT_LANG
from ..schema import BundleError
from .common import (
    EXIT_BAD_INPUT,
    EXIT_NO_PLAN,
    EXIT_PLAN,
    Command,
    Parser,
    UsageError,
    Words,
    lang_option,
    resolve_inputs,
    words,
)

# The module of each command. Only the one asked for is imported: the others bring SQLAlchemy,
# Jinja2 and the analyses, half a second of every `solve --json`.
COMMAND_MODULES = {
    "validate": "solve",
    "solve": "solve",
    "export": "export",
    "sweep": "analysis",
    "robustness": "analysis",
    "scenario": "scenario",
    "checklist": "checklist",
    "workspace": "workspace",
    "team": "team",
}


def commands(only: str | None = None) -> dict[str, Command]:
    """Every command (or those of the module of the command `only`), in the order `--help`
    lists them."""
    cmds: dict[str, Command] = {}
    modules = dict.fromkeys(COMMAND_MODULES.values())
    for module in modules if only is None else (COMMAND_MODULES[only],):
        cmds.update(importlib.import_module(f"{__name__}.{module}").commands())
    order = (
        "validate",
        "solve",
        "export",
        "sweep",
        "robustness",
        "scenario",
        "checklist",
        "workspace",
        "team",
    )
    return {name: cmds[name] for name in order if name in cmds}


def build_parser(lang: str = DEFAULT_LANG, only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command (or of the commands of `only`'s module), help in `lang`."""
    w = Words(lang)
    parser = Parser(prog="python -m optimizer", description=w("cli_description"))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name, (help_code, build, handler) in commands(only).items():
        p = sub.add_parser(name, help=w(help_code))
        build(p, w)
        p.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    w = Words(lang_option(argv))
    try:
        only = argv[0] if argv and argv[0] in COMMAND_MODULES else None
        args = build_parser(w.lang, only).parse_args(argv)
        w = words(args)
        resolve_inputs(args)
        return int(args.handler(args))
    except UsageError as exc:
        print(w("cli_error", error=w.error(exc)), file=sys.stderr)
        return EXIT_BAD_INPUT
    except BundleError as exc:
        print(
            w("cli_bundle_problems", count=sum(i.severity == "error" for i in exc.issues)),
            file=sys.stderr,
        )
        for line in w.issues(exc.issues):
            print(f"  {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader (e.g. `| head`) closed the pipe: not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PLAN
    except OSError as exc:
        print(w("cli_error", error=str(exc)), file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:
        # The database (of --db): unreachable, damaged, no plan yet. A StoreError can only come
        # from the storage package once imported (it is not, for a command without --db).
        storage = sys.modules.get("optimizer.storage")
        if storage is None or not isinstance(exc, storage.StoreError):
            raise
        print(w("cli_error", error=w.error(exc)), file=sys.stderr)
        return EXIT_BAD_INPUT


__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_NO_PLAN",
    "EXIT_PLAN",
    "UsageError",
    "build_parser",
    "commands",
    "main",
]
