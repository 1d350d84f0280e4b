"""How large an analysis may be: sweep steps, grid points, draws, and what a sweep keeps in
memory. Refused before anything is built or solved, with the bound in the message."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from optimizer import analysis as an
from optimizer.bundle import load_bundle
from optimizer.schema import Problem

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
frontier = importlib.import_module("optimizer.analysis.frontier")
robustness_mod = importlib.import_module("optimizer.analysis.robustness")


@pytest.fixture(scope="module")
def sample() -> Problem:
    return load_bundle(SAMPLE)


@pytest.fixture
def nothing_solved(monkeypatch):
    """Fails the test if a model is built: a refusal must come first."""

    def built(*args, **kwargs):
        raise AssertionError("a model was built before the request was checked")

    monkeypatch.setattr(frontier, "build_model", built)
    monkeypatch.setattr(robustness_mod, "build_model", built)


def test_the_bounds_are_the_documented_ones():
    assert an.MAX_SWEEP_STEPS == 10_000
    assert an.MAX_DRAWS == 5_000_000
    assert an.MAX_GRID_POINTS == 10_000
    assert an.MAX_SWEEP_VALUES == 20_000_000


def test_too_many_steps_are_refused_first(sample, nothing_solved):
    with pytest.raises(an.AnalysisError) as hit:
        an.sweep(sample, "budget", 0, 100, an.MAX_SWEEP_STEPS + 1)
    assert hit.value.code == "analysis_sweep_steps_max"
    assert "at most 10,000 steps, not 10001" in str(hit.value)
    assert "не больше 10\u00a0000 шагов" in hit.value.text("ru")
    with pytest.raises(an.AnalysisError) as hit:
        an.grid(sample, "budget", (0, 1), "exec_hours", (0, 1), (101, 100))
    assert hit.value.code == "analysis_grid_points"
    assert "at most 10,000 points, not 101 × 100" in str(hit.value)


def test_too_many_draws_are_refused_first(sample, nothing_solved):
    with pytest.raises(an.AnalysisError) as hit:
        an.robustness(sample, an.MAX_DRAWS + 1, 0)
    assert hit.value.code == "analysis_draws_max"
    assert "at most 5,000,000 draws, not 5000001" in str(hit.value)
    assert "не больше 5\u00a0000\u00a0000 выборок" in hit.value.text("ru")


def test_the_bounds_are_where_the_runs_stop(sample, monkeypatch):
    """At the bound a run is made; one past it is refused (bounds lowered to keep it quick)."""
    monkeypatch.setattr(frontier, "MAX_SWEEP_STEPS", 5)
    assert len(an.sweep(sample, "budget", 1000, 2000, 5).points) == 5
    with pytest.raises(an.AnalysisError, match="at most 5 steps"):
        an.sweep(sample, "budget", 1000, 2000, 6)
    monkeypatch.setattr(robustness_mod, "MAX_DRAWS", 4)
    assert an.robustness(sample, 4, 0).draws == 4
    with pytest.raises(an.AnalysisError, match="at most 4 draws"):
        an.robustness(sample, 5, 0)
    monkeypatch.setattr(frontier, "MAX_GRID_POINTS", 6)
    assert an.grid(sample, "budget", (1000, 2000), "exec_hours", (10, 20), (3, 2)) is not None
    with pytest.raises(an.AnalysisError, match="at most 6 points"):
        an.grid(sample, "budget", (1000, 2000), "exec_hours", (10, 20), (3, 3))


def test_a_sweep_too_large_for_memory_says_how_many_steps_fit(sample, monkeypatch):
    cells = len(sample.values)
    monkeypatch.setattr(frontier, "MAX_SWEEP_VALUES", cells * 7 + 3)
    with pytest.raises(an.AnalysisError) as hit:
        an.sweep(sample, "budget", 1000, 2000, 8)
    assert hit.value.code == "analysis_sweep_size"
    assert hit.value.params["value"] == 7
    assert "it takes at most 7 steps (about 160 MB), not 8" in str(hit.value)
    assert len(an.sweep(sample, "budget", 1000, 2000, 7).points) == 7


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "en", "ru"),
    [
        (
            ("sweep", str(SAMPLE), "--pool", "budget", "--steps", "10001"),
            "at most 10,000 steps",
            "не больше 10\u00a0000 шагов",
        ),
        (
            ("robustness", str(SAMPLE), "--draws", "5000001", "--seed", "1"),
            "at most 5,000,000 draws",
            "не больше 5\u00a0000\u00a0000 выборок",
        ),
    ],
)
def test_the_command_line_says_the_bound(args, en, ru):
    p = run(*args)
    assert p.returncode == 2 and en in p.stderr and "Traceback" not in p.stderr
    p = run(*args, "--lang", "ru")
    assert p.returncode == 2 and ru in p.stderr


def test_the_page_asks_within_the_bounds():
    from streamlit.testing.v1 import AppTest

    from ui import state, whatif

    assert whatif.SWEEP_STEPS <= an.MAX_SWEEP_STEPS
    assert whatif.GRID_STEPS**2 <= an.MAX_GRID_POINTS
    assert whatif.DRAWS == 100_000 <= an.MAX_DRAWS
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.session_state[state.OPEN_TAB_KEY] = "whatif"
    at.run()
    assert not at.exception
    limits = {
        key: at.number_input(key=key).max
        for key in ("whatif_steps", "whatif_grid_steps", "whatif_draws")
    }
    assert limits == {
        "whatif_steps": whatif.SWEEP_STEPS,
        "whatif_grid_steps": whatif.GRID_STEPS,
        "whatif_draws": whatif.DRAWS,
    }
