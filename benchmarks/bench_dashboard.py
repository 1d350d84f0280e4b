"""Dashboard benchmark: what a user waits for, with baselines measured in the same run.

    python benchmarks/bench_dashboard.py [--repeat 7] [--sizes 2000,2500,10000,50000]
                                         [--port 8670] [--no-browser] [--no-server-side]

Server side (Streamlit's AppTest, one process, the sample): the script run after a budget
change, for a budget never seen (the plan is solved) and for one seen before (the cache
answers), against the engine alone doing the same work (parse the tables and solve; solve only).
Browser (Debian's chromium, Playwright), a minimal Streamlit page with one number input and one
metric (the floor any Streamlit page pays on this machine), then the dashboard on the sample and
on generated bundles of `--sizes` clients (`write_scaled_bundle`, with a key-account checklist
for every client): from opening the page to the first KPI on screen and to the end of the
first run, the Plan tab's height, from Enter in the budget box to the new total value, and the
server's memory (RSS, /proc): the bare server (started, every module the first page imports
already imported, no session), what the first session adds by the end of its first run, the
whole server after the budget changes and its peak, and what a second and a third session on
the same bundle add. Ratios are to the sample measured in the same run. Machine load changes
every number here, so the load average is printed with them.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def write_scaled_bundle(
    n_clients: int, dest: Path, seed: int = 0, checklist_share: float = 1.0
) -> Path:
    """A CSV bundle of `n_clients` synthetic clients (benchmarks/instances.py) with a
    key-account checklist for `checklist_share` of them (default: every one), so every block
    of the page has something to draw: answers of all kinds, open problems with one checklist
    client in five, commitments not all confirmed."""
    import numpy as np
    import pandas as pd

    from benchmarks.instances import make_problem
    from optimizer import write_bundle
    from optimizer.relationship import ANSWERS
    from optimizer.schema import CHECKLIST_ITEMS, CLIENT_ID, LAST_REVIEW, OPEN_PROBLEMS

    problem = make_problem(n_clients, seed=seed)
    write_bundle(problem, dest)
    rng = np.random.default_rng(seed + 1)
    all_ids = problem.clients.index.to_numpy()
    ids = all_ids[: max(1, round(checklist_share * len(all_ids)))]
    rel = pd.DataFrame({CLIENT_ID: ids})
    for item in CHECKLIST_ITEMS:
        rel[item] = rng.choice(np.array(ANSWERS), len(ids))
    rel[OPEN_PROBLEMS] = np.where(
        rng.random(len(ids)) < 0.2, "Delivery complaint open since the last review", ""
    )
    days = rng.integers(0, 400, len(ids))
    rel[LAST_REVIEW] = (pd.Timestamp("2026-11-30") - pd.to_timedelta(days, unit="D")).strftime(
        "%Y-%m-%d"
    )
    rel.to_csv(dest / "relationship.csv", index=False)
    return dest


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


MAIN = '[data-testid="stMain"]'


def _shot() -> Any:
    spec = importlib.util.spec_from_file_location("screenshot", ROOT / "scripts" / "screenshot.py")
    assert spec is not None and spec.loader is not None
    shot = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shot)
    return shot


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory of a process (Linux /proc), in MB; `field="VmHWM"`: its peak."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def page_modules() -> list[str]:
    """The modules the dashboard's first run imports beyond Streamlit's own (the sample,
    Streamlit's AppTest in a fresh process)."""
    code = (
        "import sys, warnings, logging; warnings.filterwarnings('ignore'); "
        "logging.disable(logging.CRITICAL); "
        "from streamlit.testing.v1 import AppTest; before = set(sys.modules); "
        f"AppTest.from_file({str(ROOT / 'dashboard.py')!r}, default_timeout=120).run(); "
        "print('\\n'.join(sorted(set(sys.modules) - before)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [m for m in out.stdout.split() if m and not m.startswith("__")]


PRELOAD = """# Imported at the server's start: the modules the dashboard's first page
# imports, so the bare server's memory counts them and a session's only what it holds.
import importlib, sys
sys.path.insert(0, {root!r})
for name in {modules!r}:
    try:
        importlib.import_module(name)
    except Exception:
        pass
"""


def page_height(page: Any) -> int:
    """The height of the page's main area in px (what a user scrolls through)."""
    return int(page.evaluate(f"() => document.querySelector('{MAIN}').scrollHeight"))


def _budget_changes(page: Any, shot: Any, repeat: int, start: float) -> list[float]:
    """Seconds from Enter in the budget box to a changed first metric, `repeat` times, each
    budget one the page has not solved."""
    box = page.get_by_role("spinbutton", name="Budget (EUR)", exact=True)
    times = []
    for i in range(repeat):
        before = shot.metric_values(page)
        box.fill(str(round(start * (0.8 + 0.01 * (i + 1)))))
        t0 = time.monotonic()
        box.press("Enter")
        # Until the headline KPI (the first metric) shows the new plan.
        while shot.metric_values(page)[:1] == before[:1] and time.monotonic() - t0 < 300:
            page.wait_for_timeout(10)
        times.append(time.monotonic() - t0)
        shot.wait_for_run(page, 600_000)  # the rest of the page, before the next one
    return times


@dataclass(frozen=True)
class PageRun:
    """One bundle served and driven in chromium."""

    label: str
    clients: int
    first_kpi: float  # s from opening the page to the first metric on screen
    first_run: float  # s to the end of the first script run
    height: int  # px, the Plan tab
    budget: list[float]  # s, Enter to the new total value
    rss_bare: float  # MB, the server started with the page's modules imported, no session
    rss_first: float  # MB, the server at the end of the first session's first run
    rss_one: float  # MB, the server with one session, after its budget changes
    rss_peak: float  # MB, the server's peak RSS with that one session
    rss_more: tuple[float, float]  # MB a second and a third session add

    @property
    def session(self) -> float:
        """MB the first session adds to the bare server by the end of its first run."""
        return self.rss_first - self.rss_bare


def measure_page(
    label: str, bundle: Path | None, clients: int, repeat: int, port: int, preload: Path
) -> PageRun:
    """Serve the dashboard on `bundle` (None: the sample), open it, change the budget, then
    open it in a second and a third browser context (people of their own)."""
    from playwright.sync_api import sync_playwright

    shot = _shot()

    def open_page(browser: Any) -> Any:
        page = browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()
        page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
        page.wait_for_selector(shot.METRIC_VALUE, timeout=900_000)
        return page

    with tempfile.TemporaryDirectory() as tmp:
        # PYTHONPATH's sitecustomize runs at the interpreter's start, before Streamlit's.
        proc = shot.start_app(
            port,
            Path(tmp) / "streamlit.log",
            args=[str(bundle)] if bundle else [],
            env={"PYTHONPATH": str(preload)},
        )
        try:
            rss_bare = rss_mb(proc.pid)
            with sync_playwright() as p:
                browser = shot.launch_browser(p)
                t0 = time.monotonic()
                page = open_page(browser)
                first_kpi = time.monotonic() - t0
                shot.wait_for_run(page, 900_000)
                first_run = time.monotonic() - t0
                rss_first = rss_mb(proc.pid)
                height = page_height(page)
                box = page.get_by_role("spinbutton", name="Budget (EUR)", exact=True)
                start = float(box.input_value().replace(",", ""))
                budget = _budget_changes(page, shot, repeat, start)
                rss_one, peak = rss_mb(proc.pid), rss_mb(proc.pid, "VmHWM")
                more = []
                for _ in range(2):  # another person opens the same bundle: what they add
                    before = rss_mb(proc.pid)
                    shot.wait_for_run(open_page(browser), 900_000)
                    more.append(rss_mb(proc.pid) - before)
                browser.close()
        finally:
            shot.stop_app(proc)
    return PageRun(
        label,
        clients,
        first_kpi,
        first_run,
        height,
        budget,
        rss_bare,
        rss_first,
        rss_one,
        peak,
        (more[0], more[1]),
    )


def floor_page(repeat: int, port: int) -> list[float]:
    """Enter to a changed metric on a minimal Streamlit page: the floor of any page here."""
    from playwright.sync_api import sync_playwright

    shot = _shot()
    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp) / "minimal_page.py"
        minimal.write_text(MINIMAL_PAGE)
        proc = shot.start_app(port, script=minimal)
        try:
            with sync_playwright() as p:
                browser = shot.launch_browser(p)
                page = browser.new_page(viewport={"width": 1500, "height": 1000})
                page.goto(f"http://127.0.0.1:{port}/")
                page.wait_for_selector(shot.METRIC_VALUE, timeout=60_000)
                shot.wait_for_run(page)
                times = _budget_changes(page, shot, repeat, 480000.0)
                browser.close()
        finally:
            shot.stop_app(proc)
    return times


def print_pages(runs: list[PageRun], floor: list[float]) -> None:
    base = runs[0]
    med = statistics.median
    print(
        f"{'page':24s} {'clients':>7s} {'1st KPI s':>9s} {'ratio':>6s} {'1st run s':>9s} "
        f"{'height px':>9s} {'ratio':>6s} {'budget s':>8s} {'max s':>6s} {'ratio':>6s}"
    )
    print(
        f"{'minimal page (floor)':24s} {'':>7s} {'':>9s} {'':>6s} {'':>9s} {'':>9s} {'':>6s} "
        f"{med(floor):8.3f} {max(floor):6.3f} {med(floor) / med(base.budget):6.2f}"
    )
    for r in runs:
        print(
            f"{r.label:24s} {r.clients:7,d} {r.first_kpi:9.2f} {r.first_kpi / base.first_kpi:6.2f} "
            f"{r.first_run:9.2f} {r.height:9,d} {r.height / base.height:6.2f} "
            f"{med(r.budget):8.3f} {max(r.budget):6.3f} {med(r.budget) / med(base.budget):6.2f}"
        )
    print("ratios: to the sample in this run (the floor's: to the sample's budget change)")
    print()
    print(
        f"{'server memory, MB (RSS)':24s} {'clients':>7s} {'bare':>6s} {'session':>8s} "
        f"{'ratio':>6s} {'server':>7s} {'peak':>6s} {'+2nd':>6s} {'+3rd':>6s}"
    )
    for r in runs:
        print(
            f"{r.label:24s} {r.clients:7,d} {r.rss_bare:6.0f} {r.session:8.0f} "
            f"{r.session / base.session if base.session > 0 else float('nan'):6.2f} "
            f"{r.rss_one:7.0f} {r.rss_peak:6.0f} {r.rss_more[0]:6.0f} {r.rss_more[1]:6.0f}"
        )
    print(
        "bare: started, the first page's modules imported, no session; session: what the first "
        "session adds by the end of its first run (the sample's is mostly one-time warm-up); "
        "server: the whole server after the budget changes; peak: its highest RSS so far; "
        "+2nd, +3rd: what another person opening the same bundle adds"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument(
        "--sizes",
        default="2000,2500,10000,50000",
        help="clients of the generated bundles, comma-separated",
    )
    ap.add_argument(
        "--port", type=int, default=0, help="first of the ports the servers use (default: free)"
    )
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-server-side", action="store_true")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    import logging

    import pandas as pd
    import streamlit.testing.v1  # noqa: F401  (creates Streamlit's loggers, each with a level)

    for name in [n for n in logging.root.manager.loggerDict if n.startswith("streamlit")]:
        logging.getLogger(name).setLevel(logging.ERROR)  # AppTest's "bare mode" notes
    print(
        f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} CPUs; {args.repeat} runs each"
    )
    if not args.no_server_side:
        rows = server_side(args.repeat)
        base = statistics.median(rows[0][1])
        print(f"{'case':34s} {'median s':>9s} {'max s':>7s} {'ratio':>7s}  baseline")
        for name, times in rows:
            med, worst = _stats(times)
            print(f"{name:34s} {med:9.3f} {worst:7.3f} {med / base:7.2f}  engine parse + solve")
    if args.no_browser:
        return 0
    ports = iter(range(args.port, args.port + 100)) if args.port else None

    def port() -> int:
        return next(ports) if ports is not None else int(_shot().free_port())

    floor = floor_page(args.repeat, port())
    sample_clients = len(pd.read_csv(ROOT / "sample_data" / "clients.csv"))
    with tempfile.TemporaryDirectory() as tmp:
        preload = Path(tmp) / "preload"
        preload.mkdir()
        modules = page_modules()
        (preload / "sitecustomize.py").write_text(PRELOAD.format(root=str(ROOT), modules=modules))
        runs = [
            measure_page("dashboard, sample", None, sample_clients, args.repeat, port(), preload)
        ]
        for n in [int(x) for x in args.sizes.split(",") if x.strip()]:
            t0 = time.monotonic()
            bundle = write_scaled_bundle(n, Path(tmp) / f"clients_{n}")
            print(f"generated {n:,} clients in {time.monotonic() - t0:.1f} s", flush=True)
            runs.append(
                measure_page("dashboard, generated", bundle, n, args.repeat, port(), preload)
            )
    print_pages(runs, floor)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
