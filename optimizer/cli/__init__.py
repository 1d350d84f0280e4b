"""Command line: `python -m optimizer validate|solve|sweep|robustness|export|scenario|checklist`
(installed as `risk-planner`).

A layer over the engine: the engine modules never import this package. Exit codes: 0 a plan was
produced (or the command did its job); 1 no plan (infeasible, or the solver failed); 2 bad input
or bad arguments, with every problem listed on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..schema import BundleError
from . import analysis, checklist, export, scenario, solve
from .common import EXIT_BAD_INPUT, EXIT_NO_PLAN, EXIT_PLAN, Command, Parser, UsageError


def commands() -> dict[str, Command]:
    """Every command, in the order `--help` lists them."""
    cmds: dict[str, Command] = {}
    for module in (solve, export, analysis, scenario, checklist):
        cmds.update(module.commands())
    order = ("validate", "solve", "export", "sweep", "robustness", "scenario", "checklist")
    return {name: cmds[name] for name in order}


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m optimizer",
                    description="Plan risk-reduction methods for key clients within budget "
                                "and management hours.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
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


__all__ = ["EXIT_BAD_INPUT", "EXIT_NO_PLAN", "EXIT_PLAN", "UsageError", "build_parser",
           "commands", "main"]
