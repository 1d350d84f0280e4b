"""The dashboard opens on any bundle: `streamlit run dashboard.py -- PATH`, `make run
BUNDLE=PATH` or $RISK_PLANNER_BUNDLE; the sample otherwise."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, SAMPLE, screenshot_module
from optimizer import load_bundle, solve, write_bundle
from ui.plan_tab import plan_kpis
from ui.state import SAMPLE_DIR, START_BUNDLE_ENV, start_bundle
from ui.text import fmt_num


def test_the_start_bundle_comes_from_the_argument_then_the_environment() -> None:
    script = str(ROOT / "dashboard.py")
    assert start_bundle(["dashboard.py"], script, {}) == SAMPLE_DIR
    got = start_bundle(["/srv/app/dashboard.py", "~/plans/q3.xlsx"], script, {})
    assert got == Path("~/plans/q3.xlsx").expanduser()
    assert start_bundle(["dashboard.py"], script, {START_BUNDLE_ENV: "/d/b.zip"}) == Path(
        "/d/b.zip"
    )
    assert start_bundle(["dashboard.py", "/a"], script, {START_BUNDLE_ENV: "/b"}) == Path("/a")
    assert start_bundle(["dashboard.py", "  "], script, {START_BUNDLE_ENV: " "}) == SAMPLE_DIR
    # Under a test runner, sys.argv is the runner's: its arguments are not a bundle.
    assert start_bundle(["/usr/bin/pytest", "-q", "tests"], script, {}) == SAMPLE_DIR


def _make_run_line(*args: str) -> str:
    """The command `make run` would start (make may also print where it is, when nested)."""
    out = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [line.strip() for line in out.splitlines() if "streamlit run" in line]
    assert len(lines) == 1, out
    return lines[0]


def test_make_run_passes_the_bundle_to_the_page() -> None:
    line = _make_run_line("BUNDLE=/data/my bundle.xlsx")
    assert line.endswith('streamlit run dashboard.py -- "/data/my bundle.xlsx"')
    assert _make_run_line().endswith("streamlit run dashboard.py")


@pytest.mark.browser
def test_the_page_opens_on_the_bundle_it_was_started_with(tmp_path: Path, browser: Any) -> None:
    shot = screenshot_module()
    # The sample as one workbook with a third less budget: a plan the sample does not have.
    problem = load_bundle(SAMPLE)
    mine = problem.with_capacity("budget", problem.resources.at["budget", "capacity"] * 2 / 3)
    bundle = write_bundle(mine, tmp_path / "my plan.xlsx")
    expected = fmt_num(plan_kpis(solve(load_bundle(bundle))).value, "en", 0)
    assert expected != fmt_num(plan_kpis(solve(problem)).value, "en", 0)
    port = shot.free_port()
    proc = shot.start_app(port, tmp_path / "streamlit.log", args=[str(bundle)])
    try:
        page = shot.open_dashboard(browser, port)
        assert page.query_selector(shot.EXCEPTION) is None
        assert shot.metric_values(page)[0] == expected
        shot.open_tab(page, "Inputs")
        assert "my plan.xlsx" in page.inner_text("body")
    finally:
        shot.stop_app(proc)
    shutil.rmtree(tmp_path, ignore_errors=True)
