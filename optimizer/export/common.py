"""What every export shares: its metadata, its errors, cell text, the OWASP guard, and words and
numbers in the reader's language."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CodedError
from ..messages import (
    DEFAULT_LANG,
    Message,
    Translator,
    check_lang,
    explanation_lines,
    fmt_date,
    fmt_spec,
    status_line,
    status_message,
    unit_text,
)
from ..schema import BLOCKED_BY, LIMITS, REASON, UNIT, WHY, Problem, Result

TITLE = Translator()("report_title")
ANOTHER_CLIENT = Translator()("export_another_client")
# Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


class NoPlanError(CodedError, ValueError):
    """The result has no plan (infeasible or failed solve), so a plan export cannot be made.

    `exc.text(lang)` says so with the reasons; `exc.msg` is the first line as a message."""

    def __init__(self, result: Result):
        self.result = result
        s = result.settings
        super().__init__(
            "report_no_plan", status=status_message(result.status, result.gap, s.integer_units)
        )

    def text(self, lang: str = DEFAULT_LANG) -> str:
        """Why there is nothing to export, in one language."""
        t = Translator(lang)
        return "\n".join(
            [t("report_no_plan", status=status_text(self.result, t)), *explanation(self.result, t)]
        )


class ExportPathError(CodedError, ValueError):
    """A file name whose extension names no export format (e.g. `plan.pdf`)."""


def english(code: str, **params: Any) -> str:
    """A catalogue text in English (the language of exceptions' str())."""
    return Translator()(code, **params)


@dataclass(frozen=True)
class ExportMeta:
    """What an export says about itself: scenario name, time, notes.

    `notes` are the scenario's notes (full report and workbook only); `client_notes` maps a
    client id to that client's notes, which travel with the client's own plan.
    """

    scenario: str = ""
    created: datetime | None = None
    notes: str = ""
    client_notes: Mapping[str, str] = field(default_factory=dict)
    # Pool id -> the amount its price is quoted for (optimizer.quoting); a pool not named here
    # gets the amount its capacity suggests, as on the command line.
    quotes: Mapping[str, float] = field(default_factory=dict)

    @property
    def when(self) -> datetime:
        return (self.created or datetime.now()).replace(microsecond=0)


# ---- cells ------------------------------------------------------------------------------------
def neutralise(text: str) -> str:
    """Text safe for a spreadsheet cell: a leading apostrophe if it could start a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def is_num(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def finite(v: Any) -> float | None:
    """A finite float, or None for blanks, NaN and infinities."""
    if v is None or not is_num(v):
        return None
    x = float(v)
    return x if math.isfinite(x) else None


def cell_text(v: Any, lang: str = DEFAULT_LANG) -> str:
    """Any cell value as display text ('' for blanks; dates as the language writes them)."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return ""
    if isinstance(v, (pd.Timestamp, datetime)):
        return day_text(v, lang)
    return str(v)


def safe_suffix(unit: str) -> str:
    """A unit usable inside an Excel number format (quotes and backslashes removed)."""
    return re.sub(r'["\\]', "", str(unit)).strip()[:12]


def require_plan(result: Result) -> None:
    if not result.has_plan:
        raise NoPlanError(result)


# ---- words and numbers in one language -------------------------------------------------------
def words(lang: str) -> Translator:
    """The catalogue in one language (ValueError for a language there is not)."""
    return Translator(check_lang(lang))


def num(x: Any, spec: str, lang: str = DEFAULT_LANG) -> str:
    """`x` rounded by a Python format spec (",.1f", ".0%"...), written with the language's
    signs: the same digits in every language, and English exactly as the exports always
    wrote it."""
    return fmt_spec(x, spec, lang)


def day_text(d: Any, lang: str = DEFAULT_LANG) -> str:
    """A date: ISO in English (as the exports always wrote it), the locale's form else."""
    return d.strftime("%Y-%m-%d") if lang == DEFAULT_LANG else fmt_date(d, lang)


def when_text(d: datetime, lang: str = DEFAULT_LANG) -> str:
    """A date and time of day."""
    return f"{day_text(d, lang)} {d:%H:%M}"


def status_text(result: Result, t: Translator) -> str:
    """The result's status in t's language (English: the result's own words)."""
    return result.status_text if t.lang == DEFAULT_LANG else status_line(result, t)


def explanation(result: Result, t: Translator) -> list[str]:
    """Why the result has no plan (or what the solver noted), line by line, in t's language
    (English: the result's own lines)."""
    if t.lang == DEFAULT_LANG or not result.notes:
        return list(result.explanation)
    return explanation_lines(result, t)


def reason_texts(unfunded: pd.DataFrame, t: Translator) -> list[str]:
    """The reason of each not (fully) funded cell in t's language (English: the result's)."""
    if t.lang == DEFAULT_LANG or WHY not in unfunded.columns:
        return list(unfunded[REASON])
    return [t.render(w) if isinstance(w, Message) else cell_text(w) for w in unfunded[WHY]]


def blocked_texts(unfunded: pd.DataFrame, t: Translator) -> list[str]:
    """What blocks each not (fully) funded cell in t's language ('' when nothing does)."""
    if t.lang == DEFAULT_LANG or LIMITS not in unfunded.columns:
        return list(unfunded[BLOCKED_BY])
    return [t.join(limits) for limits in unfunded[LIMITS]]


def currency(problem: Problem) -> str:
    return problem.settings.currency


def pool_unit(problem: Problem, pool: str, lang: str = DEFAULT_LANG) -> str:
    """The unit a pool's figures are shown with: the currency for the money pool, else the
    pool's unit as the language says it (hours read «ч» in Russian, as on the page)."""
    if pool == problem.money_pool:
        return currency(problem)
    return unit_text(cell_text(problem.resources.at[pool, UNIT]), lang)
