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
# The relative gap of a whole-units plan divides by max(|objective|, GAP_FLOOR).
GAP_FLOOR = 1e-9
# HiGHS's "optimal" for whole units is kept only when the gap it reports is within the requested
# one (up to this much float noise in its division); otherwise the plan is "feasible".
GAP_NOISE = 1e-9
# Rounding an LP plan to whole units: a unit this close to whole counts as whole, and sums of
# use are compared with this slack.
ROUNDING = 1e-9
# A rounded plan may miss a row's bound by this much and still count as meeting it.
ROUNDED_ROW = 1e-7

# The analyses' kink search: a probe within this share of the supporting line lies on it, two
# kinks this close are one, and a change of growth this small is none.
KINK_RTOL = 1e-7
# The analyses report a price below this as 0: float noise only (a price between this and
# ZERO_PRICE is kept, as frontiers and ranges always reported it).
DUAL_NOISE = 1e-12
# Either side of a kink whose neighbours are too close to place a probe, look this share of its
# capacity away.
PROBE_STEP = 1e-6
# The change-point walk (parametric simplex on a pool's bound, optimizer/analysis/frontier.py):
# a pivot element, direction or reduced cost below PIVOT_RTOL of the largest of its kind is zero;
# a walk whose value at the next grid point differs from the solver's by more than WALK_RTOL
# (relative) is not trusted, and that stretch is searched by re-solves instead.
PIVOT_RTOL = 1e-9
WALK_RTOL = 1e-6
# Robustness draws re-solve only the columns a draw can move (optimizer/analysis/robustness.py);
# a column left out whose reduced cost has the wrong sign by more than this share of the largest
# objective coefficient goes back in (less is the solver's own dual tolerance, not a better plan).
PRICING_RTOL = 1e-7
# Value points below this are float noise: a client given no more is not reached, and a change
# of no more is none.
VALUE_NOISE = 1e-9
# Two numbers of two saved bundles are the same input when they differ by less than this share
# (what a CSV round trip of a float can change).
SAME_INPUT_RTOL = 1e-12

# Plans that hold up (optimizer/robust.py): the search for the price of the surprise budget stops
# when the best plan's protected value is within ROBUST_GAP (relative) of the search's upper
# bound; a loss within ROBUST_TIE (relative to the largest) of that price counts as at it, and a
# share of the draws or a Gamma within COUNT_SLACK of a whole number counts as that number.
ROBUST_GAP = 1e-9
ROBUST_TIE = 1e-9
COUNT_SLACK = 1e-9


def funded(units: Any) -> Any:
    """True where a number (or array) of units counts as funded."""
    return np.asarray(units, dtype=float) > FUNDED


def fully_funded(units: Any, cap: Any) -> Any:
    """True where the units reach the cell's cap."""
    return np.asarray(units) >= np.asarray(cap) - FUNDED


def zero_small(x: Any, tol: float = ZERO_PRICE) -> Any:
    """Values within `tol` of zero set to exactly 0 (no "-0.0000" prices)."""
    a = np.asarray(x, dtype=float)
    return np.where(np.abs(a) < tol, 0.0, a)


# ---- reasons that are exactly true (needed values, conflicting sets, whole-unit prices) ------
# A needed value is exact within this share: the value plus this share funds the next unit and
# the value minus it does not (each side confirmed by a re-solve).
NEEDED_RTOL = 1e-4
# Sifting (optimizer/sifting.py): a held column whose reduced cost is on its wrong side by more
# than this, in the solver's objective units (after OBJECTIVE_BAND's scaling), joins the working
# set: HiGHS's own dual feasibility tolerance, so the answer is as optimal as a direct solve's.
SIFT_REDUCED_COST = 1e-7
