"""Analysis: frontier sweeps and grids, sensitivity ranges, robustness draws, scenario diffs.

Tiny cases are solved by hand; on the sample bundle every analysis answer is checked against
independent full solves (`optimizer.solve.solve` on a changed Problem).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from checker import make_problem
from optimizer import analysis as an
from optimizer.bundle import load_bundle
from optimizer.schema import (
    CAPACITY,
    SHADOW_PRICE,
    VALUE,
    VALUE_HIGH,
    VALUE_LOW,
    Problem,
)
from optimizer.solve import solve

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="module")
def sample() -> Problem:
    return load_bundle(SAMPLE)


def approx(x: float, rel: float = 1e-6) -> object:
    return pytest.approx(x, rel=rel, abs=1e-6)


def knapsack(budget: float = 100, committed_a: int = 0, **settings) -> Problem:
    """One client, one budget; value per EUR: a 2.0 (50 EUR), b 1.5 (40), c 1.0 (30), d 0.5 (20).

    The value curve is 2B up to 50, then 1.5, 1.0 and 0.5 per EUR up to 90, 120 and 140; flat
    after 140, where everything is bought.
    """
    return make_problem(
        {"budget": budget},
        [
            {"method_id": "a", "budget": 50},
            {"method_id": "b", "budget": 40},
            {"method_id": "c", "budget": 30},
            {"method_id": "d", "budget": 20},
        ],
        [{"client_id": "x"}],
        [
            {"client_id": "x", "method_id": "a", "value": 100, "committed_units": committed_a},
            {"client_id": "x", "method_id": "b", "value": 60},
            {"client_id": "x", "method_id": "c", "value": 30},
            {"client_id": "x", "method_id": "d", "value": 10},
        ],
        **settings,
    )


def knapsack_value(b: float) -> float:
    pieces = [(50, 2.0), (40, 1.5), (30, 1.0), (20, 0.5)]
    total, left = 0.0, b
    for size, rate in pieces:
        take = min(size, max(left, 0.0))
        total += take * rate
        left -= take
    return total


# ---- frontier -------------------------------------------------------------------------------
def test_sweep_matches_the_hand_solved_curve_and_finds_every_breakpoint() -> None:
    sw = an.sweep(knapsack(), "budget", 0, 200, 7)
    pts = sw.points
    assert list(pts["status"]) == ["optimal"] * 7
    for cap, obj in zip(pts["capacity"], pts["objective"]):
        assert obj == approx(knapsack_value(cap))
    # The value per EUR of the method being bought at each point.
    assert list(pts[SHADOW_PRICE]) == [approx(p) for p in (2.0, 2.0, 1.5, 1.0, 0.5, 0.0, 0.0)]
    bps = sw.breakpoints
    assert list(bps["capacity"]) == [approx(x) for x in (50, 90, 120, 140)]
    assert bps["exact"].all()
    assert list(bps["price_before"]) == [approx(p) for p in (2.0, 1.5, 1.0, 0.5)]
    assert list(bps["price_after"]) == [approx(p) for p in (1.5, 1.0, 0.5, 0.0)]
    # At 50 EUR method a is complete and b starts; at 140 d is complete and nothing follows.
    assert bps.iloc[0]["less"] == [("x", "a")] and bps.iloc[0]["more"] == [("x", "b")]
    assert bps.iloc[3]["less"] == [("x", "d")] and bps.iloc[3]["more"] == []
    assert sw.feasible_from is None and not sw.partial


def test_sweep_on_the_sample_is_monotone_and_matches_full_solves(sample: Problem) -> None:
    sw = an.sweep(sample, "budget", 200_000, 700_000, 11)
    obj = sw.points["objective"].to_numpy()
    assert np.all(np.isfinite(obj))
    assert np.all(np.diff(obj) >= -1e-7 * obj.max())
    # Prices fall as the budget grows (the value curve is concave).
    assert np.all(np.diff(sw.points[SHADOW_PRICE]) <= 1e-9)
    for cap, o in zip(sw.points["capacity"][::5], obj[::5]):
        assert o == approx(solve(sample.with_capacity("budget", cap)).objective)
    # The same answers from the copy-and-solve path.
    other = an.sweep(sample, "budget", 200_000, 700_000, 11, breakpoints=False, method="model")
    assert other.method == "model"
    np.testing.assert_allclose(other.points["objective"], obj, rtol=1e-8)


def test_breakpoints_are_where_the_price_changes(sample: Problem) -> None:
    sw = an.sweep(sample, "exec_hours", 400, 800, 5)
    bps = sw.breakpoints
    assert len(bps) > 3
    for x, before, after in list(zip(bps["capacity"], bps["price_before"], bps["price_after"]))[:6]:
        assert before > after
        left = solve(sample.with_capacity("exec_hours", x - 1e-4)).pools
        right = solve(sample.with_capacity("exec_hours", x + 1e-4)).pools
        assert left.at["exec_hours", SHADOW_PRICE] == approx(before, 1e-5)
        assert right.at["exec_hours", SHADOW_PRICE] == approx(after, 1e-5)


def test_shadow_price_equals_the_finite_difference_slope(sample: Problem) -> None:
    se = an.sensitivity(sample)
    for pool, row in se.pools.iterrows():
        cap, lo, hi = row[CAPACITY], row["holds_from"], row["holds_to"]
        assert lo <= cap <= hi
        h = 0.25 * min(cap - lo, (hi - cap) if np.isfinite(hi) else cap)
        assert h > 0
        up = solve(sample.with_capacity(pool, cap + h)).objective
        down = solve(sample.with_capacity(pool, cap - h)).objective
        assert (up - down) / (2 * h) == approx(row[SHADOW_PRICE], 1e-5)


def test_a_breakpoint_search_out_of_solves_says_so(sample: Problem) -> None:
    full = an.sweep(sample, "budget", 300_000, 600_000, 4)
    short = an.sweep(sample, "budget", 300_000, 600_000, 4, max_solves=12)
    assert any("incomplete" in n for n in short.notes)
    assert 0 < len(short.breakpoints) < len(full.breakpoints)
    assert set(np.round(short.breakpoints["capacity"], 3)) <= set(
        np.round(full.breakpoints["capacity"], 3)
    )
    np.testing.assert_allclose(short.points["objective"], full.points["objective"])


def test_sweep_below_commitments_reports_where_plans_start() -> None:
    sw = an.sweep(knapsack(committed_a=1), "budget", 0, 100, 5)
    assert list(sw.points["status"][:2]) == ["infeasible", "infeasible"]  # 0 and 25 EUR
    assert sw.points["objective"][:2].isna().all()
    assert sw.feasible_from == approx(50)  # the committed unit of a costs 50


def test_sweep_in_whole_units_brackets_the_changes() -> None:
    sw = an.sweep(knapsack(integer_units=True, mip_gap=0.0), "budget", 0, 140, 15)
    pts = sw.points
    assert pts[SHADOW_PRICE].isna().all()
    assert sw.integer
    for cap, obj in zip(pts["capacity"], pts["objective"]):
        r = solve(knapsack(budget=cap, integer_units=True, mip_gap=0.0))
        assert obj == approx(r.objective)
    assert np.all(np.diff(pts["objective"]) >= -1e-9)
    bps = sw.breakpoints
    assert len(bps) and not bps["exact"].any()
    # d (20 EUR) is the first whole unit that fits; at 30 EUR c (worth more) replaces it.
    first, second = bps.iloc[0], bps.iloc[1]
    assert first["capacity"] == approx(20) and first["more"] == [("x", "d")]
    assert second["capacity"] == approx(30)
    assert second["more"] == [("x", "c")] and second["less"] == [("x", "d")]


def test_sweep_progress_and_stop_return_what_was_computed(sample: Problem) -> None:
    seen: list[float] = []
    sw = an.sweep(
        sample,
        "budget",
        100_000,
        600_000,
        20,
        progress=seen.append,
        stop_flag=lambda: len(seen) >= 6,
    )
    assert sw.partial
    assert len(sw.points) == 6
    assert seen == sorted(seen) and seen[0] > 0 and seen[-1] <= 1
    full = an.sweep(sample, "budget", 100_000, 600_000, 20, breakpoints=False)
    np.testing.assert_allclose(sw.points["objective"], full.points["objective"][:6], rtol=1e-9)


def test_sweep_rejects_bad_requests(sample: Problem) -> None:
    with pytest.raises(an.AnalysisError, match="not a pool"):
        an.sweep(sample, "coffee", 0, 10, 5)
    with pytest.raises(an.AnalysisError, match="at least 2 steps"):
        an.sweep(sample, "budget", 0, 10, 1)
    with pytest.raises(an.AnalysisError, match="smaller to a larger"):
        an.sweep(sample, "budget", 10, 0, 5)
    with pytest.raises(an.AnalysisError, match="at least 0"):
        an.sweep(sample, "budget", -5, 10, 5)


def test_grid_agrees_with_single_solves_and_grows_both_ways(sample: Problem) -> None:
    g = an.grid(sample, "budget", (300_000, 600_000), "exec_hours", (400, 800), (4, 3))
    assert g.objective.shape == (3, 4)
    assert np.all(np.isfinite(g.objective))
    assert np.all(np.diff(g.objective, axis=0) >= -1e-6)
    assert np.all(np.diff(g.objective, axis=1) >= -1e-6)
    j, i = 1, 2
    p = sample.with_capacity("budget", g.x[i]).with_capacity("exec_hours", g.y[j])
    assert g.objective[j, i] == approx(solve(p).objective)
    frame = g.frame()
    assert len(frame) == 12 and set(frame["status"]) == {"optimal"}


# ---- sensitivity ----------------------------------------------------------------------------
def test_sensitivity_on_the_knapsack_by_hand() -> None:
    se = an.sensitivity(knapsack())
    pool = se.pools.loc["budget"]
    # c is being bought at 1.0 per EUR: that price holds from 90 EUR (a, b bought) to 120.
    assert pool[SHADOW_PRICE] == approx(1.0)
    assert pool["holds_from"] == approx(90) and pool["holds_to"] == approx(120)
    cells = se.cells
    tol = 1e-3
    # a (2.0/EUR) keeps its unit until it is worth less than c's 1.0/EUR (value 50); the
    # budget left after b, c and d still buys part of it, so it never leaves.
    assert cells.at[("x", "a"), "changes_below"] == pytest.approx(50, abs=tol)
    assert cells.at[("x", "a"), "leaves_below"] == pytest.approx(0, abs=tol)
    # b: fewer units under 1.0/EUR (40), out under d's 0.5/EUR (20).
    assert cells.at[("x", "b"), "changes_below"] == pytest.approx(40, abs=tol)
    assert cells.at[("x", "b"), "leaves_below"] == pytest.approx(20, abs=tol)
    assert cells.at[("x", "b"), "drop"] == pytest.approx(40, abs=tol)
    # c (the margin) gives its 10 EUR to d under 0.5/EUR (15).
    assert cells.at[("x", "c"), "leaves_below"] == pytest.approx(15, abs=tol)
    assert ("x", "d") not in cells.index  # not funded


def test_sensitivity_cell_thresholds_hold_in_full_solves(sample: Problem) -> None:
    se = an.sensitivity(sample)
    cells = se.cells[se.cells["leaves_below"] > 1].head(4)
    assert len(cells)
    for (c, m), row in cells.iterrows():
        for factor, funded in ((1.01, True), (0.99, False)):
            vals = sample.values.copy()
            vals.loc[(c, m), VALUE] = row["leaves_below"] * factor
            units = solve(replace(sample, values=vals)).allocation.at[(c, m), "units"]
            assert (units > 1e-6) == funded, (c, m, factor, units)


def test_sensitivity_without_a_plan_explains_why() -> None:
    with pytest.raises(an.NoPlanError, match="no plan"):
        an.sensitivity(knapsack(budget=10, committed_a=1))


# ---- robustness -----------------------------------------------------------------------------
def ranged_knapsack(**settings) -> Problem:
    """The knapsack with ranges on a and c only."""
    return make_problem(
        {"budget": 100},
        [
            {"method_id": "a", "budget": 50},
            {"method_id": "b", "budget": 40},
            {"method_id": "c", "budget": 30},
            {"method_id": "d", "budget": 20},
        ],
        [{"client_id": "x"}, {"client_id": "y"}],
        [
            {"client_id": "x", "method_id": "a", "value": 100, "value_low": 20, "value_high": 120},
            {"client_id": "x", "method_id": "b", "value": 60},
            {"client_id": "x", "method_id": "c", "value": 30, "value_low": 10, "value_high": 80},
            {"client_id": "y", "method_id": "d", "value": 10, "value_low": 8, "value_high": 14},
        ],
        **settings,
    )


def test_robustness_same_seed_same_answer(sample: Problem) -> None:
    a = an.robustness(sample, 40, seed=7)
    b = an.robustness(sample, 40, seed=7)
    c = an.robustness(sample, 40, seed=8)
    assert json.dumps(a.to_json()) == json.dumps(b.to_json())
    assert json.dumps(a.to_json()) != json.dumps(c.to_json())


def test_cells_without_a_range_stay_fixed() -> None:
    p = ranged_knapsack()
    ranges = an.widened_ranges(p)
    values = an.draw_values(ranges, 300, seed=1)
    fixed = ~ranges["ranged"].to_numpy()
    assert list(ranges.index[fixed]) == [("x", "b")]
    assert np.all(values[:, fixed] == 60)
    lo, hi = ranges[VALUE_LOW].to_numpy(), ranges[VALUE_HIGH].to_numpy()
    assert np.all(values >= lo) and np.all(values <= hi)
    # Triangular around the value: the draws' mean is (low + value + high) / 3.
    k = ranges.index.get_loc(("x", "c"))
    assert values[:, k].mean() == pytest.approx((10 + 30 + 80) / 3, rel=0.08)


def test_regret_is_never_negative_and_each_draw_is_a_true_optimum() -> None:
    p = ranged_knapsack()
    rb = an.robustness(p, 60, seed=3)
    assert rb.draws == 60 and not rb.partial
    assert np.all(rb.regret >= 0)
    assert np.all(rb.objective >= rb.nominal_value - 1e-6)
    np.testing.assert_allclose(rb.regret, rb.objective - rb.nominal_value, atol=1e-6)
    assert rb.regret.max() > 0  # a's low draws make the nominal plan regrettable
    # Re-solve two draws from scratch with the drawn values.
    values = an.draw_values(an.widened_ranges(p), 60, seed=3)
    for i in (0, 17):
        vals = p.values.copy()
        vals[VALUE] = values[i]
        assert rb.objective[i] == approx(solve(replace(p, values=vals)).objective)
    # b (fixed, 1.5/EUR) is always funded; d never has room while a or c is worth more.
    cells = rb.cells
    assert cells.at[("x", "b"), "funded_share"] == 1.0
    assert cells["funded_share"].min() >= 0 and cells["funded_share"].max() <= 1
    s = rb.summary()
    assert s["objective"]["p5"] <= s["objective"]["p50"] <= s["objective"]["p95"]
    assert s["regret"]["max"] >= s["regret"]["p95"] >= 0


def test_without_ranges_every_draw_is_the_nominal_plan() -> None:
    rb = an.robustness(knapsack(), 10, seed=0)
    assert np.all(rb.regret == 0)
    np.testing.assert_allclose(rb.objective, 170)
    assert set(rb.cells["funded_share"]) <= {0.0, 1.0}


def test_widening_factor_widens_the_ranges() -> None:
    p = ranged_knapsack()
    base = an.widened_ranges(p)
    wide = an.widened_ranges(p, {"x": 2.0})
    # x/c: 30 in 10..80 becomes 0 (not below) .. 130; y is untouched.
    assert wide.at[("x", "c"), VALUE_LOW] == 0 and wide.at[("x", "c"), VALUE_HIGH] == 130
    assert wide.at[("x", "a"), VALUE_LOW] == 0 and wide.at[("x", "a"), VALUE_HIGH] == 140
    assert wide.loc[("y", "d")].equals(base.loc[("y", "d")])
    assert not wide.at[("x", "b"), "ranged"]  # no range to widen
    narrow = an.draw_values(base, 500, seed=2)
    broad = an.draw_values(wide, 500, seed=2)
    k = base.index.get_loc(("x", "c"))
    assert broad[:, k].std() > narrow[:, k].std()
    rb = an.robustness(p, 50, seed=2, widen={"x": 2.0})
    assert rb.widen == {"x": 2.0}
    assert rb.cells.at[("x", "c"), VALUE_HIGH] == 130
    with pytest.raises(an.AnalysisError, match="at least 1"):
        an.widened_ranges(p, {"x": 0.5})
    with pytest.raises(an.AnalysisError, match="not a client"):
        an.widened_ranges(p, {"nobody": 2})


def test_robustness_stop_keeps_the_draws_done(sample: Problem) -> None:
    seen: list[float] = []
    rb = an.robustness(sample, 100, seed=5, progress=seen.append, stop_flag=lambda: len(seen) >= 12)
    assert rb.partial and rb.draws == 12 and rb.requested == 100
    assert len(rb.objective) == 12 and np.all(np.isfinite(rb.objective))
    full = an.robustness(sample, 12, seed=5)
    np.testing.assert_allclose(rb.objective, full.objective, rtol=1e-9)


def test_robustness_in_whole_units_stays_whole() -> None:
    rb = an.robustness(ranged_knapsack(integer_units=True, mip_gap=0.0), 20, seed=4)
    assert rb.integer
    units = rb.cells["nominal_units"].to_numpy()
    assert np.allclose(units, np.round(units))
    assert np.all(rb.regret >= 0)


# ---- scenario diffs -------------------------------------------------------------------------
def test_compare_reports_kpis_cells_and_inputs(sample: Problem) -> None:
    base = solve(sample)
    cut_p = sample.with_capacity("budget", 400_000)
    cut = solve(cut_p)
    d = an.compare(sample, base, cut_p, cut, names=("base", "cut"))
    assert d.kpis.at["objective", "delta"] == approx(cut.objective - base.objective)
    assert d.kpis.at["money_spent", "b"] == approx(400_000)
    # Per-cell value changes add up to the change in total value.
    assert d.cells["delta_value"].sum() == approx(d.kpis.at["total_value", "delta"])
    assert d.clients["delta_value"].sum() == approx(d.kpis.at["total_value", "delta"])
    assert len(d.changed_cells) > 0
    assert set(d.changed_cells["change"]) <= {"new", "dropped", "more", "fewer"}
    assert d.inputs.to_dict(orient="records") == [
        {
            "table": "resources",
            "key": "budget",
            "column": "capacity",
            "a": "480000",
            "b": "400000",
            "change": "changed",
        }
    ]
    js = d.to_json()
    assert js["a"] == "base" and js["b"] == "cut"
    json.dumps(js)  # serialisable


def test_compare_identical_and_edited_inputs(sample: Problem) -> None:
    r = solve(sample)
    same = an.compare(sample, r, sample, r)
    assert same.inputs.empty and same.changed_cells.empty
    assert (same.kpis["delta"].abs() < 1e-12).all()
    vals = sample.values.drop(index=[("hartwell", "demo")])
    vals.loc[("brennmoor", "trial"), VALUE] = 99.0
    edited = replace(sample, values=vals).with_settings(integer_units=True)
    d = an.compare(sample, r, edited, solve(edited))
    rows = {
        (x["table"], x["key"], x["column"], x["change"]) for x in d.inputs.to_dict(orient="records")
    }
    assert ("values", "hartwell/demo", "", "removed") in rows
    assert ("values", "brennmoor/trial", "value", "changed") in rows
    assert ("settings", "integer_units", "value", "changed") in rows


def test_diff_with_a_scenario_that_has_no_plan(sample: Problem) -> None:
    bad = knapsack(budget=10, committed_a=1)
    d = an.diff_summaries(an.summarize(sample, solve(sample)), an.summarize(bad, solve(bad)))
    assert d.status_b == "infeasible"
    assert d.kpis["b"].isna().all()
    assert (d.cells["change"] == "dropped").sum() == (d.cells["units_a"] > 1e-6).sum()


# ---- command line ---------------------------------------------------------------------------
def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def test_cli_sweep_json_and_out(tmp_path: Path) -> None:
    out = tmp_path / "points.csv"
    p = run_cli(
        "sweep",
        str(SAMPLE),
        "--pool",
        "budget",
        "--from",
        "100000",
        "--to",
        "500000",
        "--steps",
        "5",
        "--json",
        "--out",
        str(out),
    )
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["pool"] == "budget"
    assert [pt["capacity"] for pt in data["points"]] == [100000, 200000, 300000, 400000, 500000]
    assert {"capacity", "objective", "status", "shadow_price"} <= set(data["points"][0])
    assert data["points"][-1]["objective"] == approx(
        solve(load_bundle(SAMPLE).with_capacity("budget", 500000)).objective
    )
    assert "100%" in p.stderr  # progress lines go to stderr
    assert pd.read_csv(out)["capacity"].tolist() == [100000, 200000, 300000, 400000, 500000]


def test_cli_sweep_bad_arguments_exit_2() -> None:
    p = run_cli("sweep", str(SAMPLE), "--pool", "coffee", "--from", "1", "--to", "2")
    assert p.returncode == 2 and "coffee" in p.stderr and "Traceback" not in p.stderr
    p = run_cli("sweep", str(SAMPLE), "--pool", "budget", "--steps", "1")
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_cli_robustness_same_seed_same_output() -> None:
    args = ("robustness", str(SAMPLE), "--draws", "30", "--seed", "11", "--json")
    a, b = run_cli(*args), run_cli(*args)
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    data = json.loads(a.stdout)
    assert data["draws"] == 30 and data["seed"] == 11
    assert {"mean", "p5", "p50", "p95"} <= set(data["objective"])
    assert data["regret"]["max"] >= 0
    assert {"client_id", "method_id", "funded_share"} <= set(data["cells"][0])
    p = run_cli("robustness", str(SAMPLE), "--draws", "5", "--widen", "hartwell=0.2")
    assert p.returncode == 2 and "at least 1" in p.stderr


def test_cli_ctrl_c_prints_what_was_computed() -> None:
    import signal

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "optimizer",
            "robustness",
            str(SAMPLE),
            "--draws",
            "2000000",
            "--seed",
            "1",
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    # A line says when the run has started and Ctrl-C is handled.
    for _ in range(20):
        line = proc.stderr.readline()
        if not line or "Ctrl-C" in line:
            break
    assert "Ctrl-C" in line
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    data = json.loads(out)
    assert data["partial"] is True
    assert 0 < data["draws"] < 2_000_000
    assert data["objective"]["mean"] is not None


# ---- What-if tab: charts through their data, and the tab in AppTest ------------------------
def test_frontier_chart_plots_the_sweep(sample: Problem) -> None:
    from ui import analysis_charts as charts
    from ui.text import Translator

    sw = an.sweep(sample, "budget", 300_000, 600_000, 7)
    fig = charts.frontier_figure(sw, Translator("en"), "Budget")
    value, price, strip = fig.data[0], fig.data[1], fig.data[2]
    np.testing.assert_allclose(value.x, sw.points["capacity"])
    np.testing.assert_allclose(value.y, sw.points["objective"])
    np.testing.assert_allclose(price.y, sw.points[SHADOW_PRICE])
    assert price.yaxis == "y2"
    # The change points, counted in the strip below the curve (tests/test_frontier_page.py).
    assert sum(strip.y) == len(sw.breakpoints) > 0
    assert fig.layout.shapes[0].x0 == sample.resources.at["budget", CAPACITY]  # "now"
    # Whole units have no prices: the step marginal is drawn instead.
    swi = an.sweep(sample.with_settings(integer_units=True), "budget", 300_000, 600_000, 4)
    figi = charts.frontier_figure(swi, Translator("ru"))
    np.testing.assert_allclose(
        np.asarray(figi.data[1].y, dtype=float), swi.points["marginal"], equal_nan=True
    )


def test_grid_and_robustness_charts_carry_their_numbers(sample: Problem) -> None:
    from ui import analysis_charts as charts
    from ui.text import Translator

    t = Translator("en")
    g = an.grid(sample, "budget", (300_000, 600_000), "exec_hours", (400, 800), 3)
    fig = charts.grid_heatmap(g, t, now=(480_000, 600))
    np.testing.assert_allclose(np.asarray(fig.data[0].z, dtype=float), g.objective)
    assert list(fig.data[1].x) == [480_000]
    rb = an.robustness(sample, 40, seed=2)
    hist = charts.robustness_histogram(rb, t)
    np.testing.assert_allclose(hist.data[0].x, rb.objective)
    np.testing.assert_allclose(hist.data[1].x, rb.nominal_value)
    names = sample.clients["name"].to_dict()
    methods = sample.methods["name"].to_dict()
    frame = charts.funded_share_frame(rb, names, methods)
    assert ((frame["funded_share"] > 0) & (frame["funded_share"] < 1)).all()
    assert list(frame["funded_share"]) == sorted(frame["funded_share"])
    bars = charts.funded_share_figure(rb, t, names, methods)
    assert sum(len(tr.x) for tr in bars.data) == len(frame)


def test_comparison_tables_and_chart(sample: Problem) -> None:
    from ui import analysis_charts as charts
    from ui.text import Translator

    t = Translator("en")
    cut_p = sample.with_capacity("exec_hours", 450)
    d = an.compare(sample, solve(sample), cut_p, solve(cut_p), names=("now", "cut"))
    kpis = charts.kpi_table(d, t, {"exec_hours": "Executive hours"})
    assert kpis["metric"].iloc[0] == t("cmp_kpi_objective")
    assert "Executive hours used" in set(kpis["metric"])
    assert dict(zip(kpis["metric"], kpis["kind"]))[t("cmp_kpi_lowest_share")] == "share"
    fig = charts.client_change_figure(d, t)
    assert [tr.name for tr in fig.data[:2]] == ["now", "cut"]
    np.testing.assert_allclose(sorted(fig.data[2].x), sorted(d.clients["delta_value"]))
    cells = charts.cell_change_frame(
        d, sample.clients["name"].to_dict(), sample.methods["name"].to_dict()
    )
    assert len(cells) == len(d.changed_cells)
    assert list(cells["delta_value"].abs()) == sorted(cells["delta_value"].abs(), reverse=True)


def _whatif_app():
    from streamlit.testing.v1 import AppTest

    from ui import state

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.session_state[state.OPEN_TAB_KEY] = "whatif"
    return at.run()


def _finish(at, kind: str) -> None:
    """Let a background run end, then redraw the page."""
    from ui import whatif

    job = (
        at.session_state[whatif.JOBS_KEY].get(kind) if whatif.JOBS_KEY in at.session_state else None
    )
    if job is not None:
        assert job.done.wait(120)
    at.run()


def test_whatif_tab_shows_the_delta_of_a_budget_cut(sample: Problem) -> None:
    from ui.text import Translator, fmt_num

    at = _whatif_app()
    assert not at.exception, [e.value for e in at.exception]
    at.slider(key="whatif_pct::budget").set_value(-20).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = {m.label: m.value for m in at.metric}
    t = Translator("en")
    cut = solve(sample.with_capacity("budget", 384_000))
    assert shown[t("cmp_kpi_money_spent")] == fmt_num(384_000, "en", 0)
    assert shown[t("cmp_kpi_objective")] == fmt_num(cut.objective, "en", 0)


def test_whatif_tab_runs_the_frontier_and_robustness_and_stops(sample: Problem) -> None:
    from ui import whatif

    at = _whatif_app()
    at.button(key="whatif_run_sweep").click().run()
    _finish(at, "sweep")
    assert not at.exception, [e.value for e in at.exception]
    kind, (_, sw, error) = "sweep", at.session_state[whatif.RESULTS_KEY]["sweep"]
    assert error is None and not sw.partial and len(sw.points) == 41
    frontier = list(at.get("plotly_chart"))
    assert frontier, kind
    # A long robustness run, stopped from the page: what was done is kept and marked.
    at.number_input(key="whatif_draws").set_value(100_000).run()
    at.button(key="whatif_run_rb").click().run()
    job = at.session_state[whatif.JOBS_KEY]["robustness"]
    deadline = time.monotonic() + 60
    while job.progress <= 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    at.button(key="whatif_stop::robustness").click().run()
    _finish(at, "robustness")
    _, rb, error = at.session_state[whatif.RESULTS_KEY]["robustness"]
    assert error is None and rb.partial and 0 < rb.draws < 100_000
    assert any("Stopped early" in w.value for w in at.warning)
    assert not at.exception, [e.value for e in at.exception]


# ---- messages: codes and both languages ------------------------------------------------------
def test_analysis_errors_carry_a_code_and_say_it_in_both_languages(sample: Problem) -> None:
    with pytest.raises(an.AnalysisError) as info:
        an.sweep(sample, "coffee", 0, 10, 5)
    err = info.value
    assert err.code == "analysis_not_a_pool"
    assert err.params == {"pool": "coffee", "pools": ["budget", "exec_hours", "manager_hours"]}
    assert str(err) == "'coffee' is not a pool (pools: budget, exec_hours, manager_hours)"
    assert err.text("ru") == "«coffee» — не ресурс (ресурсы: budget, exec_hours, manager_hours)"
    with pytest.raises(an.AnalysisError) as info:
        an.widened_ranges(sample, {"nobody": 2, "hartwell": 0.5})
    assert str(info.value) == (
        "range widening: nobody: not a client; hartwell: the factor must "
        "be a number of at least 1, not 0.5"
    )
    assert "не меньше 1, а не 0,5" in info.value.text("ru")
    with pytest.raises(an.AnalysisError) as info:
        an.sweep(sample, "budget", 10, 0, 5)
    # What the caller typed is quoted as typed, not rounded.
    assert str(info.value).endswith("(from 10.0 to 0.0)")
    with pytest.raises(
        an.AnalysisError,
        match=r"^unknown re-solve method 'cold' \(use warm or "
        r"model\)$",
    ):
        an.sweep(sample, "budget", 0, 10, 5, method="cold")


def test_no_plan_error_explains_without_solving_again(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    p = knapsack(budget=10, committed_a=1)
    expected = solve(p)
    monkeypatch.setattr(
        importlib.import_module("optimizer.solve"),
        "solve",
        lambda *a, **k: pytest.fail("re-solved"),
    )
    for run in (an.sensitivity, lambda q: an.robustness(q, 3, 1)):
        with pytest.raises(an.NoPlanError) as info:
            run(p)
        assert str(info.value).split("\n") == [
            f"the baseline has no plan ({expected.status_text})",
            *expected.explanation,
        ]
        ru = info.value.text("ru").split("\n")
        assert ru[0] == "у исходной задачи нет плана (недопустимо)" and len(ru) > 2


def test_the_analysis_catalogue_is_complete() -> None:
    from optimizer.messages import Message, Translator
    from optimizer.messages.analysis import TEXTS

    number = Message("analysis_number", {"value": 0.5})
    params = {
        "first": ["warm"],
        "last": "model",
        "method": "cold",
        "methods": Message("analysis_or", {"first": ["warm"], "last": "model"}),
        "pool": "budget",
        "pools": ["budget", "exec_hours"],
        "end": "from",
        "value": number,
        "steps": number,
        "start": "10.0",
        "stop": "0.0",
        "problems": [Message("analysis_widen_not_client", {"client": "acme"})],
        "client": "acme",
        "factor": number,
        "draws": number,
        "seed": number,
        "status": Message("status_infeasible"),
        "solves": 20_000,
        "found": 4321,
        "seconds": 2.5,
        "count": 3,
        "share": 0.25,
        "objective": "cvar",
        "rows": 4878,
        "limit": 2500,
    }
    for code, (en, ru) in TEXTS.items():
        assert en.strip() and ru.strip(), code
        for lang in ("en", "ru"):
            given = {**params, "value": 0.5} if code == "analysis_number" else params
            text = Translator(lang)(code, **given)
            assert "{" not in text and "analysis_" not in text, (code, lang, text)
    assert Translator("en")("analysis_note_truncated", **params).startswith(
        "The search for capacities where the plan changes stopped after 20000 re-solves"
    )
    # Every analysis text but the bare number is translated.
    assert all(en != ru for code, (en, ru) in TEXTS.items() if code != "analysis_number")
