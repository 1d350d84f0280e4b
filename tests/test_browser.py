"""The dashboard in a real browser: Debian's chromium driven by Playwright against
`streamlit run dashboard.py` on a free port. Runs in CI (.ci/run installs chromium)."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import ARTIFACTS, ROOT, screenshot_module
from optimizer import load_bundle, solve
from ui.plan_tab import plan_kpis
from ui.text import fmt_num

shot = screenshot_module()

# The `server` and `browser` fixtures (tests/conftest.py): one per module and process, so under
# pytest-xdist (`make test`) each worker starts its own, on its own free port, with its own log.
pytestmark = pytest.mark.browser


def _wait_for_value(page: Any, expected: str, timeout_ms: float = 30_000) -> list[str]:
    """The metrics once the first one reads `expected` (or, at the timeout, as they are)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # At the timeout, the caller's assertion shows what the page reads instead.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            """(expected) => {
              const first = document.querySelector('[data-testid="stMetricValue"]');
              return first !== null && first.innerText === expected;
            }""",
            arg=expected,
            timeout=timeout_ms,
        )
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
    # The run that drew the new value has finished: the whole page is from it.
    shot.wait_for_run(page)
    assert page.query_selector(shot.EXCEPTION) is None
    assert len(page.query_selector_all(shot.PLOTLY)) >= 1
    assert shot.metric_values(page)[0] == expected
    page.screenshot(path=str(ARTIFACTS / "browser_half_budget.png"))


def test_every_tab_renders_without_exception(server: int, browser: Any) -> None:
    page = shot.open_dashboard(browser, server)
    names = [t.inner_text().strip() for t in page.get_by_role("tab").all()]
    assert len(names) >= 3
    for name in names:
        # Returns once the run the click triggered has drawn this tab's panel and finished.
        shot.open_tab(page, name)
        assert page.query_selector(shot.EXCEPTION) is None, name
        panel = page.get_by_role("tabpanel")
        assert panel.count() == 1 and panel.inner_text().strip(), name
    page.screenshot(path=str(ARTIFACTS / "browser_last_tab.png"))


LATE_FAILURE_PAGE = """
import time
import streamlit as st

ss = st.session_state
ss.setdefault("open", "a")
ss.tabs = {"a": "A", "b": "B"}[ss.open]
a, b = st.tabs(["A", "B"], key="tabs",
               on_change=lambda: ss.update(open={"A": "a", "B": "b"}[ss.tabs]))
if a.open:
    with a:
        st.write("tab a")
if b.open:
    with b:
        st.write("tab b starts")  # the panel has content at once ...
        time.sleep(2)
        raise RuntimeError("late failure")  # ... and the failure comes 2 s later
"""


def test_the_tab_wait_sees_an_exception_drawn_late(tmp_path: Path, browser: Any) -> None:
    """open_tab returns only once the run has ended, so a failure drawn after the tab's first
    content is still seen (a fixed wait shorter than the run would have missed it)."""
    script = tmp_path / "late_failure.py"
    script.write_text(LATE_FAILURE_PAGE, encoding="utf-8")
    port = shot.free_port()
    proc = shot.start_app(port, tmp_path / "streamlit.log", script=script)
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
        page.wait_for_selector("text=tab a", timeout=60_000)
        shot.wait_for_run(page)
        t0 = time.monotonic()
        shot.open_tab(page, "B")
        waited = time.monotonic() - t0
        assert page.get_by_text("tab b starts").is_visible()
        exc = page.query_selector(shot.EXCEPTION)
        assert exc is not None and "late failure" in exc.inner_text()
        assert waited >= 2.0
        page.close()
    finally:
        shot.stop_app(proc)
