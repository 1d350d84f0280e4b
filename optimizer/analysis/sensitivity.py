"""How far the plan's answers hold: the capacity range of each shadow price, and how far each
funded cell's value can fall before the plan changes and before the cell leaves it."""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..model import Model, build_model
from ..schema import (
    CAPACITY,
    CLIENT_ID,
    COMMITTED_UNITS,
    FEASIBLE,
    METHOD_ID,
    NAME,
    OPTIMAL,
    RESOURCE_ID,
    SHADOW_PRICE,
    UNIT,
    UNITS,
    USED,
    VALUE,
    Problem,
)
from ..solve import Raw
from ..tolerances import DUAL_NOISE, FUNDED, SEARCH_RTOL, funded
from .common import ProgressFn, StopFn, num, stopped, tick, value_problem
from .frontier import Frontier, kinks, min_feasible_capacity
from .resolver import Resolver, cell_label, cell_units, no_plan, pool_row


@dataclass(frozen=True, eq=False)
class Sensitivity:
    """How far the plan's answers hold.

    pools: index resource_id: name, unit, capacity, used, shadow_price, holds_from, holds_to
           (the capacities between which one more unit is worth exactly shadow_price),
           feasible_from (the least capacity that still allows a plan).
    cells: index (client_id, method_id), funded cells only: units, committed_units, value
           (first unit, as given), changes_below (first-unit value under which the cell gets
           fewer units), leaves_below (value under which it leaves the plan; 0 = never while it
           is worth anything; NaN = never, its units are committed), drop (value -
           leaves_below), drop_share (drop / value).
    """

    pools: pd.DataFrame
    cells: pd.DataFrame
    objective: float
    continuous: bool  # True when computed on the continuous model of a whole-units problem
    partial: bool = False
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        pools = [
            {
                "resource_id": p,
                "capacity": num(r[CAPACITY]),
                "used": num(r[USED]),
                "shadow_price": num(r[SHADOW_PRICE]),
                "holds_from": num(r["holds_from"]),
                "holds_to": num(r["holds_to"]),
                "feasible_from": num(r["feasible_from"]),
            }
            for p, r in self.pools.iterrows()
        ]
        cells = [
            {
                "client_id": c,
                "method_id": m,
                "units": num(r[UNITS]),
                "value": num(r[VALUE]),
                "changes_below": num(r["changes_below"]),
                "leaves_below": num(r["leaves_below"]),
                "drop": num(r["drop"]),
                "drop_share": num(r["drop_share"]),
            }
            for (c, m), r in self.cells.iterrows()
        ]
        return {
            "objective": num(self.objective),
            "continuous": self.continuous,
            "partial": self.partial,
            "pools": pools,
            "cells": cells,
        }


def _col_blocks(model: Model) -> np.ndarray:
    """First column of each cell (columns of one cell are contiguous)."""
    return np.cumsum(model.cells.units) - model.cells.units


def _cell_thresholds(
    r: Resolver,
    cols: np.ndarray,
    c_cell: np.ndarray,
    g1: float,
    v1: float,
    u_now: float,
    committed: float,
) -> tuple[float, float]:
    """Scale factors t of one cell's value under which it gets fewer units (t_change) and
    under which it keeps no more than its committed units (t_leave).

    The best value g(t) is convex and piecewise linear in t, with slope the cell's own
    (weighted) value; its kinks are where the cell's units change, found exactly by
    `kinks` on -g. The cell's units are read in the middle of each piece between kinks.
    """

    def solve_at(t: float) -> Raw:
        r.set_costs(c_cell * t, cols)
        return r.solve()

    def probe(t: float) -> tuple[float, float] | None:
        raw = solve_at(t)
        if raw.x is None or raw.objective is None:
            return None
        return -float(raw.objective), -float(c_cell @ raw.x[cols])

    at0 = probe(0.0)
    if at0 is None:
        return math.nan, math.nan
    found = sorted(kinks(probe, 0.0, at0[0], at0[1], 1.0, -g1, -v1))
    bounds = [0.0]
    for t in found:
        if t - bounds[-1] > SEARCH_RTOL and t < 1.0 - SEARCH_RTOL:
            bounds.append(t)
    bounds.append(1.0)
    units = []
    for a, b in itertools.pairwise(bounds):
        raw = solve_at(0.5 * (a + b))
        units.append(float(raw.x[cols].sum()) if raw.x is not None else math.nan)
    n = len(units)
    j = n - 1
    while j >= 0 and units[j] >= u_now - FUNDED:
        j -= 1
    t_change = bounds[j + 1]
    j = 0
    while j < n and units[j] <= committed + FUNDED:
        j += 1
    t_leave = bounds[j] if j < n else 1.0
    return t_change, t_leave


def sensitivity(
    problem: Problem,
    *,
    progress: ProgressFn | None = None,
    stop_flag: StopFn | None = None,
    method: str = "warm",
) -> Sensitivity:
    """Shadow prices with the capacity range over which each holds, and for each funded cell
    how far its value can fall before the plan changes and before the cell leaves it.

    Computed on the continuous model (whole-units problems are analysed on their continuous
    version: prices are not defined for whole units).
    """
    t0 = time.perf_counter()
    vp = value_problem(problem)
    built = build_model(vp, "max_value")
    continuous = bool(built.integer)
    model = replace(built, integer=False)
    r = Resolver(model, vp.settings, method)
    base = r.solve()
    if (
        base.status not in (OPTIMAL, FEASIBLE)
        or base.row_dual is None
        or base.x is None
        or base.objective is None
    ):
        # The relaxation has no plan, so neither has the problem: say why from its own model.
        raise no_plan(vp, built, base)
    x0 = base.x
    units0 = cell_units(model, x0)
    pools = list(model.pools)
    funded_cells = np.flatnonzero(funded(units0))
    total = len(pools) + len(funded_cells)
    done = 0
    partial = False

    pool_rows = []
    front_r = Resolver(model, vp.settings, method)
    for p in pools:
        row = pool_row(model, p)
        front = Frontier(front_r, row)
        cap = float(model.row_hi[row])
        a = np.asarray(model.A[row].todense()).ravel()
        used = float(a @ x0)
        s0 = float(base.row_dual[row])
        s0 = 0.0 if abs(s0) < DUAL_NOISE else s0
        f0 = float(base.objective)
        top = float(a @ model.col_hi)  # the pool can never be used beyond this
        floor_cap = min_feasible_capacity(model, vp.settings, row)
        lo_end = floor_cap if floor_cap is not None else 0.0
        if s0 == 0.0:
            hi = math.inf
            # A free pool stays free down to its use; below, look for where it starts to bind.
            lo = front.piece_end(cap, f0, s0, lo_end) if used > lo_end else lo_end
        else:
            hi = front.piece_end(cap, f0, s0, top) if top > cap else cap
            if hi >= top - SEARCH_RTOL * max(1.0, top):
                hi = top
            lo = front.piece_end(cap, f0, s0, lo_end) if cap > lo_end else cap
        front_r.set_row_hi(row, cap)
        pool_rows.append(
            {
                RESOURCE_ID: p,
                NAME: problem.resources.at[p, NAME],
                UNIT: problem.resources.at[p, UNIT],
                CAPACITY: cap,
                USED: used,
                SHADOW_PRICE: s0,
                "holds_from": lo,
                "holds_to": hi,
                "feasible_from": floor_cap,
            }
        )
        done += 1
        tick(progress, done, total)
        if stopped(stop_flag):
            partial = True
            break
    pool_frame = pd.DataFrame(
        pool_rows,
        columns=[
            RESOURCE_ID,
            NAME,
            UNIT,
            CAPACITY,
            USED,
            SHADOW_PRICE,
            "holds_from",
            "holds_to",
            "feasible_from",
        ],
    ).set_index(RESOURCE_ID)

    starts = _col_blocks(model)
    committed = model.cells.committed.astype(float)
    cell_rows = []
    for k in funded_cells if not partial else []:
        cols = np.arange(starts[k], starts[k] + model.cells.units[k])
        c_cell = model.c[cols]
        u_now = units0[k]
        value = float(model.cells.value[k])

        if u_now <= committed[k] + FUNDED:
            changes = leaves = math.nan  # only its committed units: it cannot leave
        else:
            t_change, t_leave = _cell_thresholds(
                r,
                cols,
                c_cell,
                float(base.objective),
                float(c_cell @ x0[cols]),
                u_now,
                committed[k],
            )
            changes, leaves = value * t_change, value * t_leave
        r.set_costs(c_cell, cols)
        cid, mid_ = cell_label(model, k)
        drop = value - leaves if math.isfinite(leaves) else math.nan
        cell_rows.append(
            {
                CLIENT_ID: cid,
                METHOD_ID: mid_,
                UNITS: u_now,
                COMMITTED_UNITS: committed[k],
                VALUE: value,
                "changes_below": changes,
                "leaves_below": leaves,
                "drop": drop,
                "drop_share": drop / value if value > 0 and math.isfinite(drop) else math.nan,
            }
        )
        done += 1
        tick(progress, done, total)
        if stopped(stop_flag):
            partial = True
            break
    cells = pd.DataFrame(
        cell_rows,
        columns=[
            CLIENT_ID,
            METHOD_ID,
            UNITS,
            COMMITTED_UNITS,
            VALUE,
            "changes_below",
            "leaves_below",
            "drop",
            "drop_share",
        ],
    ).set_index([CLIENT_ID, METHOD_ID])
    return Sensitivity(
        pools=pool_frame,
        cells=cells,
        objective=float(base.objective),
        continuous=continuous,
        partial=partial,
        seconds=time.perf_counter() - t0,
    )
