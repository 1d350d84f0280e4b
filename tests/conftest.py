"""Shared fixtures: the sample bundle solved once per session, the dashboard under test (in
AppTest, and served to a real browser)."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from optimizer import load_bundle, solve
from optimizer.schema import Problem, Result

# tests/pg.py: a throwaway PostgreSQL server per test session (fixtures pg_cluster, pg_url).
pytest_plugins = ["pg"]

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
DASHBOARD = ROOT / "dashboard.py"
ARTIFACTS = ROOT / "tests" / "artifacts"


@cache
def screenshot_module() -> ModuleType:
    """scripts/screenshot.py: starting the app, driving chromium, waiting for a run."""
    spec = importlib.util.spec_from_file_location("screenshot", ROOT / "scripts" / "screenshot.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[int]:
    """The dashboard served on a free port, one per test module and worker, each with its own
    log in tests/artifacts/."""
    shot = screenshot_module()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    module = request.module.__name__.removeprefix("test_")
    log = ARTIFACTS / ("-".join(["streamlit", module, *([worker] if worker else [])]) + ".log")
    port = shot.free_port()
    proc = shot.start_app(port, log)
    try:
        yield port
    finally:
        shot.stop_app(proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium driven by Playwright, with the flags this machine needs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = screenshot_module().launch_browser(p)
        try:
            yield b
        finally:
            b.close()
