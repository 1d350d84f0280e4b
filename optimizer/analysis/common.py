"""What every analysis shares: progress and stop callbacks, JSON-safe numbers, and the
max-value view of a problem."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..schema import Problem

ProgressFn = Callable[[float], None]
StopFn = Callable[[], bool]


def num(x: Any) -> float | None:
    """A JSON-safe number (NaN and infinities become null)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def tick(progress: ProgressFn | None, done: int, total: int) -> None:
    """Report the share done, if anyone listens."""
    if progress is not None and total > 0:
        progress(min(1.0, done / total))


def stopped(stop: StopFn | None) -> bool:
    """Whether the caller asked the run to stop."""
    return bool(stop is not None and stop())


def value_problem(problem: Problem) -> Problem:
    """What-if questions are about value: a min-cost problem is analysed in max-value mode."""
    if problem.settings.objective == "max_value":
        return problem
    return problem.with_settings(objective="max_value")
