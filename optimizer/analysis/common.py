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


# ---- how large a question may be ------------------------------------------------------------
# Every step, grid point and draw is one re-solve (about 1-3 ms for a sample-sized bundle, half
# a second for 10,000 clients), run while a command waits or a shared dashboard works.
# A sweep: more points than a chart has pixels show nothing new, and the capacities where the
# plan changes are found exactly between grid points anyway (continuous mode).
MAX_SWEEP_STEPS = 10_000
# A sweep keeps the units of every cell at every step: steps x cells numbers (8 bytes each).
MAX_SWEEP_VALUES = 20_000_000  # 160 MB
# A grid of two pools: nx x ny re-solves; 100 x 100 draws a finer heat map than a page shows.
MAX_GRID_POINTS = 10_000
# Robustness keeps two numbers a draw (16 bytes; 5,000,000 draws: 80 MB) while the draws
# themselves come in blocks. Far fewer draws already pin every share it reports (100,000: to
# within 0.3 percentage points, 95%, the worst case of a share of one half), so the bound is the
# memory one; a long run can be stopped (Ctrl-C, the page's stop button) and keeps what it has.
MAX_DRAWS = 5_000_000
