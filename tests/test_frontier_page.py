"""The frontier on the page: a chart that stays readable with hundreds of change points, and a
What-if tab that runs the search in the background within a time budget, can be stopped, stays
usable meanwhile and marks partial answers as partial."""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from optimizer import analysis as an
from optimizer.bundle import load_bundle, write_bundle
from optimizer.schema import CAPACITY, Problem
from ui import analysis_charts as charts
from ui.text import Translator

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
sys.path.insert(0, str(ROOT))
from benchmarks.instances import make_problem  # noqa: E402


@pytest.fixture(scope="module")
def sample() -> Problem:
    return load_bundle(SAMPLE)


# ---- the chart ------------------------------------------------------------------------------
def test_many_change_points_are_a_strip_not_marks_on_the_curve(sample: Problem) -> None:
    sw = an.sweep(sample, "budget", 240_000, 720_000, 41)
    assert len(sw.breakpoints) > charts.MARK_LIMIT
    fig = charts.frontier_figure(sw, Translator("en"), "Budget")
    names = [d.name for d in fig.data]
    t = Translator("en")
    assert t("wi_breaks") not in names  # no marks over the curve
    strip = next(d for d in fig.data if d.name == t("wi_break_strip"))
    assert strip.yaxis != fig.data[0].yaxis  # a row of its own, below the curve
    assert sum(strip.y) == len(sw.breakpoints)
    assert len(strip.x) <= charts.STRIP_BINS[1]
    # Each bar's hover names its largest price drops, at most TOP_K of them.
    frame = charts.breakpoint_strip(sw)
    busiest = int(np.argmax(frame["count"]))
    top = frame["top"].iloc[busiest]
    assert len(top) == min(charts.TOP_K, frame["count"].iloc[busiest])
    drops = (sw.breakpoints["price_before"] - sw.breakpoints["price_after"]).to_numpy()
    lo, hi = frame["start"].iloc[busiest], frame["stop"].iloc[busiest]
    caps = sw.breakpoints["capacity"].to_numpy()
    inside = drops[(caps >= lo) & (caps < hi)]
    np.testing.assert_allclose(sorted(drops[top], reverse=True), sorted(inside)[::-1][: len(top)])
    assert strip.hovertext[busiest].count("→") == len(top)
    # No vertical lines but the one for today's capacity.
    assert all(s.x0 == sample.resources.at["budget", CAPACITY] for s in fig.layout.shapes)


def test_a_few_change_points_are_marked_on_the_curve_too() -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from test_frontier_budget import KINKS, knapsack

    sw = an.sweep(knapsack(), "budget", 0, 200, 7)
    fig = charts.frontier_figure(sw, Translator("ru"))
    marks = next(d for d in fig.data if d.name == Translator("ru")("wi_breaks"))
    np.testing.assert_allclose(marks.x, KINKS)
    assert marks.yaxis == fig.data[0].yaxis and marks.mode == "markers"


def test_the_stretches_not_searched_are_hatched_in_the_strip(sample: Problem) -> None:
    sw = an.sweep(sample, "budget", 240_000, 720_000, 41, max_solves=40)
    assert sw.unresolved
    t = Translator("en")
    fig = charts.frontier_figure(sw, t)
    bar = next(d for d in fig.data if d.name == t("wi_unresolved"))
    spans = np.asarray(sw.unresolved)
    np.testing.assert_allclose(bar.x, spans.mean(axis=1))
    np.testing.assert_allclose(bar.width, spans[:, 1] - spans[:, 0])
    assert bar.marker.pattern.shape == "/"
    assert "not searched to the end" in bar.hovertext[0]


# ---- the What-if tab ------------------------------------------------------------------------
def _app(monkeypatch: pytest.MonkeyPatch, bundle: Path | None = None):
    from streamlit.testing.v1 import AppTest

    from ui import state

    if bundle is not None:
        monkeypatch.setenv(state.START_BUNDLE_ENV, str(bundle))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180).run()
    at.session_state[state.OPEN_TAB_KEY] = "whatif"
    return at.run()


def _result(at, kind: str):
    from ui import whatif

    job = (
        at.session_state[whatif.JOBS_KEY].get(kind) if whatif.JOBS_KEY in at.session_state else None
    )
    if job is not None:
        assert job.done.wait(180)
    at.run()
    return at.session_state[whatif.RESULTS_KEY][kind]


def test_a_time_budget_of_zero_shows_the_curve_and_marks_it_partial(monkeypatch) -> None:
    at = _app(monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert at.checkbox(key="whatif_find_breaks").value is True
    at.number_input(key="whatif_break_seconds").set_value(0).run()
    at.button(key="whatif_run_sweep").click().run()
    _, sw, error = _result(at, "sweep")
    assert error is None and not sw.partial and sw.unresolved and len(sw.points) == 41
    assert not at.exception, [e.value for e in at.exception]
    t = Translator("en")
    warned = " ".join(w.value for w in at.warning)
    assert "not searched to the end" in warned
    assert any(e.label.startswith("Stretches not searched to the end") for e in at.expander)
    # Without the search: the curve alone, nothing marked.
    at.checkbox(key="whatif_find_breaks").uncheck().run()
    assert at.number_input(key="whatif_break_seconds").disabled
    at.button(key="whatif_run_sweep").click().run()
    _, sw, _ = _result(at, "sweep")
    assert len(sw.breakpoints) == 0 and not sw.unresolved
    assert "not searched to the end" not in " ".join(w.value for w in at.warning)
    assert t("wi_unresolved") not in at.get("plotly_chart")[0].proto.spec


def test_the_sweeps_own_notes_are_shown_under_the_chart(monkeypatch) -> None:
    # A model over the walk's row limit is searched by re-solves, and the tab says so.
    from optimizer.analysis import frontier

    monkeypatch.setattr(frontier, "MAX_WALK_ROWS", 2)
    at = _app(monkeypatch)
    at.button(key="whatif_run_sweep").click().run()
    _, sw, error = _result(at, "sweep")
    assert error is None and sw.search_method == "re-solves"
    captions = " ".join(c.value for c in at.caption)
    assert "searched by re-solves, not by walking the optimal basis" in captions
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture(scope="module")
def big_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bundle(make_problem(1500, seed=3), tmp_path_factory.mktemp("big") / "big")


def test_the_page_stays_usable_while_the_search_runs_and_stop_keeps_it(
    monkeypatch, big_bundle: Path
) -> None:
    from ui import whatif

    frontier = importlib.import_module("optimizer.analysis.frontier")
    charge = frontier._charge

    # The search (which takes each interval the grid's walk went through, within its budget)
    # waits for Stop: it is that fast.
    def held(budget, steps):
        budget.stop_flag.__self__.wait(120)  # the job's stop: a threading.Event's is_set
        return charge(budget, steps)

    monkeypatch.setattr(frontier, "_charge", held)
    at = _app(monkeypatch, big_bundle)
    assert not at.exception, [e.value for e in at.exception]
    at.number_input(key="whatif_steps").set_value(200).run()
    at.number_input(key="whatif_break_seconds").set_value(300).run()
    at.button(key="whatif_run_sweep").click().run()
    job = at.session_state[whatif.JOBS_KEY]["sweep"]
    # While it runs, the tab answers: a rerun returns at once with the progress and the Stop
    # button, and another control of the tab still works.
    t0 = time.monotonic()
    at.slider(key="whatif_pct::budget").set_value(-20).run()
    assert time.monotonic() - t0 < 60 and not job.done.is_set()
    assert not at.exception, [e.value for e in at.exception]
    assert at.button(key="whatif_stop::sweep") is not None
    assert any(m.label for m in at.metric)  # the what-if delta of the slider is shown
    deadline = time.monotonic() + 120
    while job.progress < 0.8 and time.monotonic() < deadline:  # into the change-point search
        job.done.wait(0.05)
    assert not job.done.is_set()
    at.button(key="whatif_stop::sweep").click().run()
    _, sw, error = _result(at, "sweep")
    assert error is None and sw.partial and sw.unresolved
    assert len(sw.points) == 200  # the curve itself was finished before the search
    assert any("Stopped early" in w.value for w in at.warning)
    assert not at.exception, [e.value for e in at.exception]
