"""Analysis built on the model: frontier sweeps, sensitivity, robustness and scenario diffs.

Every analysis builds the model once and then changes only what the question changes (a pool's
right-hand side, or objective coefficients), re-solving one HiGHS object from its last basis.
That is what makes a 50-point sweep or 500 robustness draws take a second or two instead of a
minute; `benchmarks/bench_analysis.py` measures it.

Long runs take `progress` (called with the fraction done) and `stop` (polled; True stops the
run); a stopped run returns what it computed, marked `partial`.

    resolver.py     Resolver (one model, re-solved warm), pool_row, why a baseline has no plan
    frontier.py     sweep (one pool, with its breakpoints), grid (two pools)
    sensitivity.py  price ranges and how far each funded cell's value can fall
    robustness.py   widened value ranges, draws, regret of the nominal plan
    scenarios.py    summarize, bundle_text, diff_summaries, diff_inputs, compare
    errors.py       AnalysisError, NoPlanError (catalogue codes, optimizer/messages/analysis.py)
"""

from __future__ import annotations

from .common import (
    MAX_DRAWS,
    MAX_GRID_POINTS,
    MAX_SWEEP_STEPS,
    MAX_SWEEP_VALUES,
    ProgressFn,
    StopFn,
)
from .errors import AnalysisError, NoPlanError
from .frontier import MAX_BREAKPOINT_SOLVES, Grid, Sweep, grid, min_feasible_capacity, sweep
from .resolver import METHODS_AVAILABLE, Resolver, pool_row
from .robustness import DRAW_CHUNK, Robustness, draw_values, iter_draws, robustness, widened_ranges
from .scenarios import (
    KEY_COLUMNS,
    ScenarioDiff,
    bundle_text,
    compare,
    diff_inputs,
    diff_summaries,
    summarize,
)
from .sensitivity import Sensitivity, sensitivity

__all__ = [
    "DRAW_CHUNK",
    "KEY_COLUMNS",
    "MAX_BREAKPOINT_SOLVES",
    "MAX_DRAWS",
    "MAX_GRID_POINTS",
    "MAX_SWEEP_STEPS",
    "MAX_SWEEP_VALUES",
    "METHODS_AVAILABLE",
    "AnalysisError",
    "Grid",
    "NoPlanError",
    "ProgressFn",
    "Resolver",
    "Robustness",
    "ScenarioDiff",
    "Sensitivity",
    "StopFn",
    "Sweep",
    "bundle_text",
    "compare",
    "diff_inputs",
    "diff_summaries",
    "draw_values",
    "grid",
    "iter_draws",
    "min_feasible_capacity",
    "pool_row",
    "robustness",
    "sensitivity",
    "summarize",
    "sweep",
    "widened_ranges",
]
