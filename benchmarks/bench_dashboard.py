"""Dashboard benchmark: how fast the page follows a budget change, with baselines measured in
the same run.

    python benchmarks/bench_dashboard.py [--repeat 7] [--no-browser]

Server side (Streamlit's AppTest, one process): the script run after a budget change, for a
budget never seen (the plan is solved) and for one seen before (the cache answers), against
the engine alone doing the same work (parse the tables and solve; solve only).
Browser (Debian's chromium, Playwright): from Enter in the budget input to new KPIs on screen,
against a minimal Streamlit page with one number input and one metric served and driven the
same way, which is the floor any Streamlit page pays on this machine.
Machine load changes every number here, so the load average is printed with them.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MINIMAL_PAGE = """
import time
import streamlit as st
budget = st.number_input("Budget (EUR)", min_value=0.0, value=480000.0, step=10000.0)
st.metric("Total perceived value", f"{budget / 56.3:,.0f}")
"""


def _stats(xs: list[float]) -> tuple[float, float]:
    return statistics.median(xs), max(xs)


def server_side(repeat: int) -> list[tuple[str, list[float]]]:
    """Seconds per case, each measured `repeat` times."""
    from streamlit.testing.v1 import AppTest

    from optimizer import parse_tables, read_tables, solve
    from ui import state

    tables, raw, _ = read_tables(ROOT / "sample_data")
    problem = parse_tables(tables, raw)
    full = float(problem.resources.at["budget", "capacity"])
    cases: dict[str, list[float]] = {
        k: []
        for k in (
            "engine: parse + solve",
            "engine: solve",
            "dashboard: new budget",
            "dashboard: budget seen before",
            "dashboard: first page load",
        )
    }

    def timed(f: Callable[..., Any], *args: Any) -> float:
        t0 = time.perf_counter()
        f(*args)
        return time.perf_counter() - t0

    def set_budget(box: Any, value: float) -> None:
        box.set_value(value).run()

    for i in range(repeat):
        budget = full / 2 + 1000 * (i + 1)  # a budget no run has solved yet
        res = tables["resources"].copy()
        res.loc[res["resource_id"] == "budget", "capacity"] = str(budget)
        cases["engine: parse + solve"].append(
            timed(lambda t: solve(parse_tables(t, raw)), {**tables, "resources": res})
        )
        cases["engine: solve"].append(
            timed(lambda b: solve(problem.with_capacity("budget", b)), budget + 0.5)
        )
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        cases["dashboard: first page load"].append(timed(at.run))
        box = at.number_input(key=state.cap_key("budget"))
        cases["dashboard: new budget"].append(timed(set_budget, box, budget + 0.25))
        at.number_input(key=state.cap_key("budget")).set_value(full).run()
        box = at.number_input(key=state.cap_key("budget"))
        cases["dashboard: budget seen before"].append(timed(set_budget, box, budget + 0.25))
        assert not at.exception
    return list(cases.items())


def browser_side(repeat: int) -> list[tuple[str, list[float]]]:
    """Seconds from Enter to changed metrics: the dashboard and a minimal page."""
    from playwright.sync_api import sync_playwright

    spec = importlib.util.spec_from_file_location("screenshot", ROOT / "scripts" / "screenshot.py")
    shot = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shot)
    out: list[tuple[str, list[float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp) / "minimal_page.py"
        minimal.write_text(MINIMAL_PAGE)
        for label, script in (
            ("browser: minimal page (floor)", minimal),
            ("browser: dashboard", None),
        ):
            port = shot.free_port()
            proc = shot.start_app(port, script=script)
            times: list[float] = []
            try:
                with sync_playwright() as p:
                    browser = shot.launch_browser(p)
                    page = browser.new_page(viewport={"width": 1500, "height": 1000})
                    page.goto(f"http://127.0.0.1:{port}/")
                    page.wait_for_selector(shot.METRIC_VALUE, timeout=60_000)
                    shot.wait_for_run(page)
                    box = page.get_by_role("spinbutton", name="Budget (EUR)", exact=True)
                    for i in range(repeat):
                        before = shot.metric_values(page)
                        box.fill(str(240000 + 1000 * (i + 1)))
                        t0 = time.monotonic()
                        box.press("Enter")
                        # Until the headline KPI (the first metric) shows the new plan.
                        while (
                            shot.metric_values(page)[:1] == before[:1]
                            and time.monotonic() - t0 < 30
                        ):
                            page.wait_for_timeout(10)
                        times.append(time.monotonic() - t0)
                        shot.wait_for_run(page)  # the rest of the page, before the next one
                    browser.close()
            finally:
                shot.stop_app(proc)
            out.append((label, times))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    rows = server_side(args.repeat)
    if not args.no_browser:
        rows += browser_side(args.repeat)
    base_server = statistics.median(rows[0][1])
    base_browser = next((statistics.median(t) for n, t in rows if "floor" in n), None)
    print(
        f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} CPUs; {args.repeat} runs each"
    )
    print(f"{'case':34s} {'median s':>9s} {'max s':>7s} {'ratio':>7s}  baseline")
    for name, times in rows:
        med, worst = _stats(times)
        base = base_browser if name.startswith("browser") else base_server
        which = "minimal page" if name.startswith("browser") else "engine parse + solve"
        print(f"{name:34s} {med:9.3f} {worst:7.3f} {med / base:7.2f}  {which}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
