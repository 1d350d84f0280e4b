"""What every command shares: exit codes, usage errors, the parser, loading a bundle with the
command-line overrides, JSON and number printing, progress lines and Ctrl-C handling."""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Callable, Iterator, NoReturn

from ..bundle import load_bundle
from ..schema import OBJECTIVES, SOLVERS, Problem

EXIT_PLAN, EXIT_NO_PLAN, EXIT_BAD_INPUT = 0, 1, 2

# Each command: (help, argument builder, handler).
Command = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace],
                                                                         int]]


class UsageError(Exception):
    """Bad arguments: reported on stderr with exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 too, but without a traceback
        self.print_usage(sys.stderr)
        raise UsageError(message)


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


# ---- printing -------------------------------------------------------------------------------
def dump(obj: Any) -> str:
    """`obj` as the indented JSON text the commands print."""
    return json.dumps(obj, ensure_ascii=False, indent=1) + "\n"


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def fmt(x: float | None, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:,.{digits}f}"


# ---- progress and Ctrl-C --------------------------------------------------------------------
class Progress:
    """Prints `label: 40%` to stderr each time another tenth is done."""

    def __init__(self, label: str):
        self.label = label
        self.shown = 0

    def __call__(self, fraction: float) -> None:
        tenth = int(fraction * 10 + 1e-9)
        while self.shown < tenth:
            self.shown += 1
            print(f"{self.label}: {self.shown * 10}%", file=sys.stderr, flush=True)


@contextmanager
def interruptible() -> Iterator[Callable[[], bool]]:
    """Ctrl-C sets a flag the run polls, instead of killing it; a second Ctrl-C kills."""
    hit = {"stop": False}

    def on_sigint(signum: int, frame: Any) -> None:
        if hit["stop"]:
            raise KeyboardInterrupt
        hit["stop"] = True
        print("stopping: finishing the current step (Ctrl-C again to abort)", file=sys.stderr,
              flush=True)

    try:
        previous = signal.signal(signal.SIGINT, on_sigint)
    except ValueError:  # not the main thread: Ctrl-C cannot be caught here
        yield lambda: False
        return
    try:
        yield lambda: hit["stop"]
    finally:
        signal.signal(signal.SIGINT, previous)
