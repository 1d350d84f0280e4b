"""What every command shares: exit codes, usage errors, the parser, the words and numbers of
one language (`--lang`), loading a bundle with the command-line overrides, JSON printing,
progress lines and Ctrl-C handling.

Every word the command line prints comes from the catalogue section optimizer/messages/cli.py.
Numbers are rounded as Python's format specs round them (so the English output is exactly the
format spec's) and written with the language's decimal and grouping signs (CLDR, via Babel).
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, NoReturn

from ..bundle import load_bundle
from ..messages import (
    DEFAULT_LANG,
    LANGUAGES,
    Message,
    Translator,
    explanation_lines,
    fmt_spec,
    issue_line,
    status_line,
)
from ..messages.describe import issue_lines
from ..schema import OBJECTIVES, SOLVERS, Issue, Problem, Result, SettingsError
from ..tolerances import ROUNDING

EXIT_PLAN, EXIT_NO_PLAN, EXIT_BAD_INPUT = 0, 1, 2

# Each command: (catalogue code of its help, argument builder, handler).
Command = tuple[
    str, Callable[[argparse.ArgumentParser, "Words"], None], Callable[[argparse.Namespace], int]
]


Said = Message | str | tuple[Message, ...]  # text, a catalogue message, or lines of them


class UsageError(Exception):
    """Bad arguments: reported on stderr with exit code 2. `msg` is a catalogue message (or
    several, one a line), or text as argparse wrote it; str() is the English text."""

    def __init__(self, msg: Said):
        self.msg = msg
        super().__init__("\n".join(map(str, msg)) if isinstance(msg, tuple) else str(msg))


def usage_error(code: str, **params: Any) -> UsageError:
    """A UsageError saying the catalogue's `code` with `params`."""
    return UsageError(Message(code, params))


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 too, but without a traceback
        self.print_usage(sys.stderr)
        raise UsageError(message)


# ---- words and numbers in one language ------------------------------------------------------
def lang_option(argv: Sequence[str]) -> str:
    """The --lang the arguments ask for, read before the full parse (the help and argparse's
    errors are written in it); the default when absent or not a language."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--lang")
    try:
        known, _ = pre.parse_known_args(list(argv))
    except SystemExit:  # "--lang" without a value: the full parse reports it
        return DEFAULT_LANG
    return known.lang if known.lang in LANGUAGES else DEFAULT_LANG


class Words:
    """The command line's words and numbers in one language: w(code, **params) is the
    catalogue's text; w.num(x, ",.2f") a number rounded by the format spec."""

    def __init__(self, lang: str = DEFAULT_LANG):
        self.t = Translator(lang)
        self.lang = lang

    def __call__(self, code: str, **params: Any) -> str:
        return self.t(code, **params)

    def render(self, msg: Said) -> str:
        if isinstance(msg, tuple):
            return "\n".join(self.render(m) for m in msg)
        return self.t.render(msg) if isinstance(msg, Message) else str(msg)

    def num(self, x: Any, spec: str = ",.2f") -> str:
        """`x` formatted by the Python format spec, in the language's signs."""
        return fmt_spec(x, spec, self.lang)

    def fmt(self, x: float | None, digits: int = 2) -> str:
        """A number with grouping and `digits` decimals; "-" for none, NaN or infinity."""
        if x is None or (isinstance(x, float) and not math.isfinite(x)):
            return "-"
        return self.num(x, f",.{digits}f")

    def pct(self, x: float, spec: str = ".0%") -> str:
        return self.num(x, spec)

    def word(self, kind: str, value: Any) -> str:
        """An engine value that is a word (a status, a kind of change) in the language: the
        catalogue's `cli_<kind>_<value>`, or the value itself when there is none."""
        code = f"cli_{kind}_{str(value).replace(' ', '_')}"
        return self(code) if self.t.has(code) else str(value)

    def issue(self, issue: Issue) -> str:
        return issue_line(issue, self.t)

    def issues(self, issues: Sequence[Issue]) -> list[str]:
        """Issues one a line, the first ISSUES_PER_KIND of each kind and a count of the rest."""
        return issue_lines(issues, self.t)

    def status(self, result: Result) -> str:
        return status_line(result, self.t)

    def explanation(self, result: Result) -> list[str]:
        return explanation_lines(result, self.t)

    def error(self, exc: BaseException) -> str:
        """An exception's text in this language, when it carries a message (a catalogue
        `msg`, or a `text(lang)` method); else its English text."""
        text = getattr(exc, "text", None)
        if callable(text):  # the engine's CodedError (NoPlanError adds its notes)
            try:
                return str(text(self.lang))
            except TypeError:
                pass
        msg = getattr(exc, "msg", None)
        if isinstance(msg, (Message, str, tuple)):
            return self.render(msg)
        return str(exc)


def words(args: argparse.Namespace) -> Words:
    """The words of the language the parsed arguments ask for."""
    return Words(getattr(args, "lang", None) or DEFAULT_LANG)


def add_lang_arg(p: argparse.ArgumentParser, w: Words) -> None:
    p.add_argument(
        "--lang", choices=tuple(LANGUAGES), default=DEFAULT_LANG, help=w("cli_help_lang")
    )


# ---- loading with command-line overrides ----------------------------------------------------
def parse_key_number(
    item: str, flag: str, what: str, minimum: float
) -> tuple[str, float] | Message:
    """One `KEY=NUMBER` flag value as (key, number), or the message saying what is wrong (the
    number must be finite and at least `minimum`; `what` is the catalogue code naming it)."""
    key, _, text = item.partition("=")
    try:
        value = float(text)
        if math.isfinite(value) and value >= minimum:
            return key.strip(), value
    except ValueError:
        pass
    return Message(
        "cli_bad_key_number",
        {"flag": flag, "item": item, "what": Message(what), "minimum": f"{minimum:g}"},
    )


def usage_errors(messages: Sequence[Message]) -> UsageError:
    """One UsageError listing several messages, one a line."""
    return UsageError(tuple(messages))


def add_bundle_arg(p: argparse.ArgumentParser, w: Words) -> None:
    """The bundle, or `--db` in its place, for a command without the solving flags."""
    p.add_argument("bundle", nargs="?", help=w("cli_help_bundle_or_db"))
    p.add_argument("--db", metavar="PATH_OR_URL", help=w("cli_help_input_db"))
    p.set_defaults(bundle_from_db=False, db_is_input=True)


def add_bundle_args(p: argparse.ArgumentParser, w: Words, db_flag: bool = True) -> None:
    """Arguments shared by every command that solves a bundle: the bundle, or `--db` (the
    shared working plan in a database) in its place. A command with a `--db` of its own
    (`scenario save`) passes db_flag=False: its database is then the inputs when no bundle
    is given."""
    p.add_argument("bundle", nargs="?", help=w("cli_help_bundle_or_db"))
    if db_flag:
        p.add_argument("--db", metavar="PATH_OR_URL", help=w("cli_help_input_db"))
    p.set_defaults(bundle_from_db=False, db_is_input=db_flag)
    p.add_argument(
        "--set", action="append", default=[], metavar="POOL=CAPACITY", help=w("cli_help_set")
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--integer", dest="integer", action="store_true", default=None, help=w("cli_help_integer")
    )
    mode.add_argument(
        "--continuous", dest="integer", action="store_false", help=w("cli_help_continuous")
    )
    p.add_argument("--objective", choices=OBJECTIVES)
    p.add_argument("--target-share", type=float, metavar="X", help=w("cli_help_target_share"))
    p.add_argument("--time-limit", type=float, metavar="S")
    p.add_argument("--gap", type=float, metavar="G", help=w("cli_help_gap"))
    p.add_argument("--solver", choices=SOLVERS)
    add_lang_arg(p, w)


# The flag that sets each checked setting, as its message says it.
_BAD_FLAG = {
    "target_value_share": "cli_bad_target_share",
    "time_limit_s": "cli_bad_time_limit",
    "mip_gap": "cli_bad_gap",
}


def resolve_inputs(args: argparse.Namespace) -> None:
    """After parsing: a command given `--db` and no bundle reads the working plan of that
    database (`args.bundle` is then the database, `args.bundle_from_db` True)."""
    if not hasattr(args, "bundle_from_db"):
        return
    db = getattr(args, "db", None)
    if args.bundle is None:
        if not db:
            raise usage_error("cli_no_bundle")
        args.bundle, args.bundle_from_db = str(db), True
    elif db and args.db_is_input:
        raise usage_error("cli_bundle_and_db")


def load_inputs(args: argparse.Namespace) -> Problem:
    """The bundle, or the working plan of the `--db` database (validated either way)."""
    if getattr(args, "bundle_from_db", False):
        from ..workspace import Workspace

        return Workspace(args.bundle).problem()
    return load_bundle(args.bundle)


def load_with_overrides(args: argparse.Namespace) -> Problem:
    """Load the bundle and apply --set and the settings flags; raise UsageError on bad flags."""
    problem = load_inputs(args)
    changes: dict[str, Any] = {}
    if getattr(args, "integer", None) is not None:
        changes["integer_units"] = args.integer
    for flag, key in (
        ("objective", "objective"),
        ("target_share", "target_value_share"),
        ("time_limit", "time_limit_s"),
        ("gap", "mip_gap"),
        ("solver", "solver"),
    ):
        v = getattr(args, flag, None)
        if v is not None:
            changes[key] = v
    # The Settings check their own ranges; here the field is only named by its flag.
    try:
        problem = replace(problem, settings=problem.settings.with_(**changes))
    except SettingsError as exc:
        code = _BAD_FLAG.get(exc.field)
        raise (usage_error(code, value=str(exc.value)) if code else UsageError(exc.msg)) from exc
    bad: list[Message] = []
    for item in getattr(args, "set", []) or []:
        parsed = parse_key_number(item, "--set", "cli_word_capacity", 0)
        if isinstance(parsed, Message):
            bad.append(parsed)
            continue
        pool, value = parsed
        if pool not in problem.resources.index:
            bad.append(
                Message(
                    "cli_set_not_a_pool",
                    {"item": item, "pool": pool, "pools": ", ".join(problem.pools)},
                )
            )
            continue
        problem = problem.with_capacity(pool, value)
    if bad:
        raise usage_errors(bad)
    return problem


# ---- printing -------------------------------------------------------------------------------
def dump(obj: Any) -> str:
    """`obj` as the indented JSON text the commands print."""
    return json.dumps(obj, ensure_ascii=False, indent=1) + "\n"


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


# ---- progress and Ctrl-C --------------------------------------------------------------------
class Progress:
    """Prints `label: 40%` to stderr each time another tenth is done."""

    def __init__(self, label: str, w: Words | None = None):
        self.label = label
        self.shown = 0
        self.w = w or Words()

    def __call__(self, fraction: float) -> None:
        tenth = int(fraction * 10 + ROUNDING)  # 0.7 done is 7 tenths, not 6.99...
        while self.shown < tenth:
            self.shown += 1
            print(
                self.w("cli_progress", label=self.label, percent=self.shown * 10),
                file=sys.stderr,
                flush=True,
            )


@contextmanager
def interruptible(w: Words | None = None) -> Iterator[Callable[[], bool]]:
    """Ctrl-C sets a flag the run polls, instead of killing it; a second Ctrl-C kills."""
    hit = {"stop": False}
    say = w or Words()

    def on_sigint(signum: int, frame: Any) -> None:
        if hit["stop"]:
            raise KeyboardInterrupt
        hit["stop"] = True
        print(say("cli_stopping"), file=sys.stderr, flush=True)

    try:
        previous = signal.signal(signal.SIGINT, on_sigint)
    except ValueError:  # not the main thread: Ctrl-C cannot be caught here
        yield lambda: False
        return
    try:
        yield lambda: hit["stop"]
    finally:
        signal.signal(signal.SIGINT, previous)
