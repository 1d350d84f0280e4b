"""What an analysis raises: a request it cannot answer as asked, or a baseline without a plan.

Both carry a catalogue code and its parameters (section optimizer/messages/analysis.py), so the
page and the command line can say them in the user's language; `str(exc)` is the English.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import CodedError
from ..messages import DEFAULT_LANG, Message, Translator


def echo(x: Any) -> Message | str:
    """A value the caller gave, as a message parameter: the number itself (written in the
    reader's language) when `{x:g}` shows it as Python's str() does, else its text, so that
    nothing the caller typed is rounded away (0.999999999, 5.0, nan, 'abc')."""
    if isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool):
        f = float(x)
        if math.isfinite(f) and f"{f:g}" == str(x):
            return Message("analysis_number", {"value": x})
    return str(x)


class AnalysisError(CodedError, ValueError):
    """A request the analysis cannot answer as asked (unknown pool, bad range, ...).

    `code` names the text in the catalogue, `params` fill it in: AnalysisError(
    "analysis_not_a_pool", pool="travel", pools=["budget", "exec_hours"])."""


class NoPlanError(AnalysisError):
    """The baseline problem has no plan, so there is nothing to analyse around.

    `status` is the solve's status (a catalogue message, or text), `notes` why there is no
    plan, line by line (messages, or text)."""

    def __init__(self, status: Message | str, notes: Sequence[Message | str] = ()):
        self.notes = tuple(notes)
        super().__init__("analysis_no_plan", status=status)

    def text(self, lang: str = DEFAULT_LANG) -> str:
        t = Translator(lang)
        lines = [t.render(self.msg)]
        lines += [t.render(n) if isinstance(n, Message) else str(n) for n in self.notes]
        return "\n".join(lines)
