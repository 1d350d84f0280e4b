"""The dashboard in a real browser: Debian's chromium driven by Playwright against
`streamlit run dashboard.py` on a free port. Runs in CI (.ci/run installs chromium)."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from optimizer import load_bundle, solve
from ui.plan_tab import plan_kpis
from ui.text import fmt_num

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"

_spec = importlib.util.spec_from_file_location("screenshot", ROOT / "scripts" / "screenshot.py")
shot = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(shot)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = shot.free_port()
    proc = shot.start_app(port, ARTIFACTS / "streamlit.log")
    try:
        yield port
    finally:
        shot.stop_app(proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = shot.launch_browser(p)
        try:
            yield b
        finally:
            b.close()


def _wait_for_value(page: Any, expected: str, timeout_s: float = 30.0) -> list[str]:
    """The metrics once the first one reads `expected` (or at the timeout)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = shot.metric_values(page)
        if now and now[0] == expected:
            return now
        page.wait_for_timeout(25)
    return shot.metric_values(page)


def test_budget_change_in_a_real_browser(server: int, browser: Any) -> None:
    problem = load_bundle(ROOT / "sample_data")
    page = shot.open_dashboard(browser, server)
    assert page.query_selector(shot.EXCEPTION) is None
    assert len(page.query_selector_all(shot.PLOTLY)) >= 1
    before = shot.metric_values(page)
    assert before[0] == fmt_num(plan_kpis(solve(problem)).value, "en", 0)

    half = problem.resources.at["budget", "capacity"] / 2
    expected = fmt_num(plan_kpis(solve(problem.with_capacity("budget", half))).value, "en", 0)
    assert expected != before[0]
    box = page.get_by_role("spinbutton", name="Budget (EUR)", exact=True)
    box.fill(str(int(half)))
    t0 = time.monotonic()
    box.press("Enter")
    after = _wait_for_value(page, expected)
    seconds = time.monotonic() - t0
    page.screenshot(path=str(ARTIFACTS / "browser_after_enter.png"))
    print(f"\nbudget halved: the new total value showed {seconds:.2f} s after Enter")
    assert after[0] == expected
    assert after != before
    page.wait_for_timeout(500)
    assert page.query_selector(shot.EXCEPTION) is None
    assert len(page.query_selector_all(shot.PLOTLY)) >= 1
    page.screenshot(path=str(ARTIFACTS / "browser_half_budget.png"))


def test_every_tab_renders_without_exception(server: int, browser: Any) -> None:
    page = shot.open_dashboard(browser, server)
    names = [t.inner_text().strip() for t in page.get_by_role("tab").all()]
    assert len(names) >= 3
    for name in names:
        page.get_by_role("tab", name=name, exact=True).click()
        page.wait_for_timeout(1500)
        assert page.query_selector(shot.EXCEPTION) is None, name
    page.screenshot(path=str(ARTIFACTS / "browser_last_tab.png"))
