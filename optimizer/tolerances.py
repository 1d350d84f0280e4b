"""Numerical tolerances: the one place where "close enough" is decided.

Every comparison of solver output against a bound or against zero uses one of these names, so
that "funded", "binding" and "free" mean the same thing in the engine, the exports and the page.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Units above this count as funded; a cell within this of its cap is fully funded.
FUNDED = 1e-6
# A row whose activity is within this of its bound is binding (its capacity is used up); the
# same slack separates "needs more value" from "at the margin".
BINDING = 1e-6
# Duals and price differences smaller than this are zero (solver noise, not a price).
ZERO_PRICE = 1e-9
# Two shadow prices are the same when they differ by less than this share of their size.
PRICE_RTOL = 1e-6
# Relative step below which a parametric search stops bisecting.
SEARCH_RTOL = 1e-9
# Feasibility of a plan against its bounds, as HiGHS and the independent checker use it.
FEASIBILITY = 1e-6
# min_cost: the value target is set this share below the reference plan's value, so that the
# rounding of the reference solve cannot make the target unreachable.
TARGET_SLACK = 1e-9
# Guards a division by a value that may be zero.
TINY = 1e-12


def funded(units: Any) -> Any:
    """True where a number (or array) of units counts as funded."""
    return np.asarray(units) > FUNDED if not np.isscalar(units) else units > FUNDED


def fully_funded(units: Any, cap: Any) -> Any:
    """True where the units reach the cell's cap."""
    return np.asarray(units) >= np.asarray(cap) - FUNDED


def zero_small(x: Any, tol: float = ZERO_PRICE) -> Any:
    """Values within `tol` of zero set to exactly 0 (no "-0.0000" prices)."""
    a = np.asarray(x, dtype=float)
    return np.where(np.abs(a) < tol, 0.0, a)
