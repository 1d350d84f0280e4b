"""Shared fixtures: the sample bundle solved once per session, and the dashboard under test."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer import load_bundle, solve
from optimizer.schema import Problem, Result

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
DASHBOARD = ROOT / "dashboard.py"


@pytest.fixture(scope="session")
def sample_problem() -> Problem:
    return load_bundle(SAMPLE)


@pytest.fixture(scope="session")
def sample_result(sample_problem: Problem) -> Result:
    return solve(sample_problem)


@pytest.fixture
def app():
    """The dashboard in Streamlit's AppTest, run once (the sample plan on screen)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(DASHBOARD), default_timeout=60)
    return at.run()
