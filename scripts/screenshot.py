"""Regenerate docs/screenshot.png: the dashboard on the sample data, in a real Chromium.

    .venv/bin/python scripts/screenshot.py [--out docs/screenshot.png] [--lang en|ru]

The helpers here (a free port, starting the app, launching Debian's chromium) are shared with
tests/test_browser.py.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
METRIC = '[data-testid="stMetric"]'
METRIC_VALUE = '[data-testid="stMetricValue"]'
PLOTLY = '[data-testid="stPlotlyChart"]'
EXCEPTION = '[data-testid="stException"]'
LANGUAGE_BOX = 'section[data-testid="stSidebar"] [data-testid="stSelectbox"]'
WIDTH, HEIGHT = 1500, 2620  # the screenshot's viewport: tall enough for the bar charts


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(
    port: int,
    log: Path | None = None,
    script: Path | None = None,
    args: Sequence[str] = (),
    env: dict[str, str] | None = None,
    flags: Sequence[str] = (),
) -> subprocess.Popen[bytes]:
    """Start `streamlit run dashboard.py` (or `script`) headless on `port`, with `args` for the
    script (e.g. a bundle to open), `env` added to the environment and `flags` for Streamlit
    (e.g. `--secrets.files PATH`); return once it answers."""
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **(env or {})}
    # The server writes its log through its own copy of the file.
    with open(log or os.devnull, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(script or ROOT / "dashboard.py"),
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
                # No "file changed" prompts on the page while the code is being edited.
                "--server.fileWatcherType",
                "none",
                *flags,
                *(["--", *args] if args else []),
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    deadline = time.monotonic() + 60
    url = f"http://127.0.0.1:{port}/_stcore/health"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("streamlit did not answer within 60 s")


def stop_app(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def launch_browser(p: Any) -> Any:
    """Debian's chromium through Playwright, without network chatter."""
    return p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# True once the app's script run has ended and every element on the page is from that run.
# Streamlit keeps its run state on the app element; elements a running run has not redrawn
# yet are marked stale.
_RUN_DONE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app !== null && app.getAttribute('data-test-script-state') === 'notRunning'
    && document.querySelector('[data-stale="true"]') === null;
}"""

# The same, and the tab with this id open with its panel drawn: the page runs only the open
# tab, so a newly opened tab's panel stays empty until the run it triggered sends it.
_TAB_DONE_JS = """(id) => {
  const tab = document.getElementById(id);
  const panel = [...document.querySelectorAll('[role="tabpanel"]')]
    .find(p => p.getAttribute('aria-labelledby') === id);
  return tab !== null && tab.getAttribute('aria-selected') === 'true' && panel !== undefined
    && panel.querySelector('[data-testid="stElementContainer"]') !== null
    && (RUN_DONE)();
}""".replace("RUN_DONE", _RUN_DONE_JS)


def wait_for_run(page: Any, timeout_ms: float = 60_000) -> None:
    """Return once the app's script run has finished and nothing on the page is stale."""
    page.wait_for_function(_RUN_DONE_JS, timeout=timeout_ms)


def open_tab(page: Any, name: str, timeout_ms: float = 60_000) -> None:
    """Click the tab labelled `name`; return once the run it triggered has drawn its panel."""
    tab = page.get_by_role("tab", name=name, exact=True)
    tab_id = tab.get_attribute("id")
    tab.click()
    page.wait_for_function(_TAB_DONE_JS, arg=tab_id, timeout=timeout_ms)


def open_dashboard(browser: Any, port: int, width: int = 1500, height: int = 1000) -> Any:
    """A page on the dashboard once its first run has finished, with the plan's metrics and
    charts drawn."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
    page.wait_for_selector(METRIC_VALUE, timeout=60_000)
    page.wait_for_selector(f"{PLOTLY} .main-svg", timeout=60_000)
    wait_for_run(page)
    return page


def metric_values(page: Any) -> list[str]:
    return [e.inner_text() for e in page.query_selector_all(METRIC_VALUE)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshot.png"))
    ap.add_argument("--lang", choices=("en", "ru"), default="en")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from optimizer.bundle import atomic_write_bytes

    port = free_port()
    proc = start_app(port)
    try:
        with sync_playwright() as p:
            browser = launch_browser(p)
            page = open_dashboard(browser, port, width=WIDTH, height=HEIGHT)
            if args.lang == "ru":
                page.locator(LANGUAGE_BOX).first.click()
                page.get_by_role("option", name="Русский").click()
                page.wait_for_selector("text=Общая воспринимаемая ценность")
                wait_for_run(page)
            # Plotly draws, then settles its layout on the next frames: the picture only.
            page.wait_for_timeout(800)
            if page.query_selector(EXCEPTION):
                raise RuntimeError("the page shows an exception")
            # The Plan tab down to the two bar charts: KPIs, warnings, heatmap, bars.
            png = page.screenshot()
            browser.close()
    finally:
        stop_app(proc)
    atomic_write_bytes(args.out, png)
    print(f"wrote {args.out} ({len(png):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
