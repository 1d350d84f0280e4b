"""The dashboard on a generated 2,000-client bundle, in a real browser: the Plan tab stays about
as tall as on the sample, its charts draw the clients chosen (top N, all, a segment, a search),
long warning lists are collapsed behind their count, the Client view's legend keeps off its
axis title, and the Export tab shows a long build's progress and can stop it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.bench_dashboard import page_height, write_scaled_bundle
from conftest import ARTIFACTS, screenshot_module
from optimizer import load_bundle, solve
from optimizer import relationship as rel
from optimizer.schema import NAME, SEGMENT, VALUE
from ui.text import Translator

shot = screenshot_module()
pytestmark = pytest.mark.browser

N_CLIENTS = 2000
EN = Translator("en")
# The traces of the n-th plotly chart on the page (the Plan tab: heatmap, value, pool use).
ROWS_JS = """(i) => {
  const plots = document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot');
  return plots.length > i && plots[i].data ? plots[i].data[0].y.length : -1;
}"""
LABELS_JS = """(i) => Array.from(
  document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')[i].data[0].y)"""


@pytest.fixture(scope="module")
def big_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scaled_bundle(N_CLIENTS, tmp_path_factory.mktemp("scale") / "bundle")


@pytest.fixture(scope="module")
def big_page(browser: Any, big_bundle: Path) -> Iterator[Any]:
    """The dashboard served on the 2,000-client bundle, open on the Plan tab."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    proc = shot.start_app(
        shot.free_port(), ARTIFACTS / "streamlit-browser_scale.log", args=[big_bundle]
    )
    try:
        port = int(proc.args[proc.args.index("--server.port") + 1])
        page = shot.open_dashboard(browser, port)
        yield page
        page.close()
    finally:
        shot.stop_app(proc)


def _rows(page: Any, chart: int, expected: int) -> int:
    """The rows the chart draws, once it draws `expected` (or at the timeout, as it is)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(f"(i) => ({ROWS_JS})(i) === {expected}", arg=chart, timeout=60_000)
    return int(page.evaluate(ROWS_JS, chart))


def _labels(page: Any, chart: int, expected: list[str], ordered: bool = True) -> list[str]:
    """The chart's client labels, once they are `expected` (or at the timeout, as they are)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    check = f"""([i, want, ordered]) => {{
      const got = ({LABELS_JS})(i), a = ordered ? got : [...got].sort();
      const b = ordered ? want : [...want].sort();
      return a.length === b.length && a.every((x, k) => x === b[k]);
    }}"""
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(check, arg=[chart, expected, ordered], timeout=60_000)
    return list(page.evaluate(LABELS_JS, chart))


def _choose(page: Any, label: str, option: str) -> None:
    """Pick `option` in the select box or multiselect labelled `label`."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.bring_to_front()
    box, item = page.get_by_role("combobox", name=label), page.get_by_role("option", name=option)
    box.click()
    try:  # a click may only focus the box; the arrow key opens its list
        item.first.wait_for(timeout=3_000)
    except PlaywrightTimeout:
        box.press("ArrowDown")
    page.get_by_role("option", name=option, exact=True).click()
    shot.wait_for_run(page)


def _alert(page: Any, text: str) -> Any:
    return page.locator('[data-testid="stAlert"]', has_text=text).first


def _boxes_overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_the_plan_tab_is_as_tall_as_the_samples(browser: Any, server: int, big_page: Any) -> None:
    sample = shot.open_dashboard(browser, server)
    sample_height = page_height(sample)
    sample.close()
    big_page.bring_to_front()
    big = page_height(big_page)
    assert big <= 1.5 * sample_height, (big, sample_height)
    assert big_page.query_selector(shot.EXCEPTION) is None
    # The allocation table shows far more than 8 rows, scrolling inside its own box.
    table = big_page.locator('.st-key-plan_allocation [data-testid="stDataFrame"]').first
    assert table.bounding_box()["height"] >= 500
    # Every client, asked for, scrolls inside a box: the page keeps its height.
    _choose(big_page, EN("clients_shown"), EN("clients_all", n=N_CLIENTS))
    assert _rows(big_page, 1, N_CLIENTS) == N_CLIENTS
    assert page_height(big_page) <= 1.5 * sample_height
    _choose(big_page, EN("clients_shown"), EN("clients_top", n=25))
    assert _rows(big_page, 1, 25) == 25


def test_the_charts_draw_the_clients_chosen(big_page: Any, big_bundle: Path) -> None:
    clients = load_bundle(big_bundle).clients
    for chart in (0, 1, 2):  # heatmap, value, pool use: the top 25 by default
        assert _rows(big_page, chart, 25) == 25
    _choose(big_page, EN("clients_shown"), EN("clients_top", n=100))
    assert _rows(big_page, 1, 100) == 100
    assert _rows(big_page, 0, 100) == 100
    # One segment: its 100 clients of highest planned value, in that order.
    value = solve(load_bundle(big_bundle)).clients[VALUE]
    in_a = value[clients[SEGMENT] == "A"].sort_values(ascending=False, kind="stable")
    expected = list(clients.loc[in_a.index[:100], NAME])
    _choose(big_page, EN("clients_segment"), "A")
    big_page.keyboard.press("Escape")
    shot.wait_for_run(big_page)
    assert _labels(big_page, 1, expected) == expected
    # A search by name, within the segment: "Client 199" and "Client 1990".."Client 1999".
    matching = [
        n for n, s in zip(clients[NAME], clients[SEGMENT]) if "client 199" in n.lower() and s == "A"
    ]
    search = big_page.get_by_label(EN("clients_search"), exact=True)
    search.fill("client 199")
    search.press("Enter")
    shot.wait_for_run(big_page)
    assert sorted(_labels(big_page, 1, matching, ordered=False)) == sorted(matching)
    search.fill("")
    search.press("Enter")
    shot.wait_for_run(big_page)


def test_long_warning_lists_are_collapsed_with_their_count(big_page: Any, big_bundle: Path) -> None:
    n = len(rel.unconfirmed_commitments(load_bundle(big_bundle)))
    assert n > 50
    box = _alert(big_page, EN("rel_plan_unconfirmed", n=n))
    assert box.locator("li").count() == 5
    expander = big_page.locator('[data-testid="stExpander"]', has_text=EN("list_all", n=f"{n:,}"))
    expander.locator("summary").first.click()
    assert expander.locator("li").count() == n


def _legend_and_title(chart: Any) -> tuple[dict[str, float], dict[str, float]]:
    chart.locator(".legend").first.wait_for()
    legend = chart.locator(".legend").first.bounding_box()
    title = chart.locator(".g-xtitle").first.bounding_box()
    assert legend is not None and title is not None
    return legend, title


def test_legends_keep_off_the_axis_titles(big_page: Any) -> None:
    # The Plan tab's bar charts (the heatmap has a colour bar, no legend).
    for i in (1, 2):
        legend, title = _legend_and_title(big_page.locator(shot.PLOTLY).nth(i))
        assert not _boxes_overlap(legend, title), (i, legend, title)
    # The Client view's value curves.
    shot.open_tab(big_page, EN("tab_client"))
    legend, title = _legend_and_title(big_page.locator(shot.PLOTLY).first)
    assert not _boxes_overlap(legend, title), (legend, title)
    shot.open_tab(big_page, EN("tab_plan"))


def test_a_long_export_shows_its_progress_and_stops(big_page: Any) -> None:
    shot.open_tab(big_page, EN("tab_export"))
    zip_label = EN("export_all_clients")
    big_page.get_by_role("button", name=EN("export_prepare", what=zip_label)).click()
    # The status shows the build under way, with a progress bar that moves.
    status = big_page.locator('[data-testid="stExpander"]', has_text="Writing").first
    status.wait_for(timeout=30_000)
    bar = big_page.locator('[data-testid="stProgress"] [role="progressbar"]').first
    big_page.wait_for_function(
        """() => {
          const bar = document.querySelector('[data-testid="stProgress"] [role="progressbar"]');
          return bar !== null && Number(bar.getAttribute('aria-valuenow')) > 0;
        }""",
        timeout=60_000,
    )
    assert float(bar.get_attribute("aria-valuenow") or 0) < 100
    big_page.get_by_role("button", name=EN("export_stop"), exact=True).click()
    _alert(big_page, EN("export_stopped", what=zip_label)).wait_for(timeout=30_000)
    shot.wait_for_run(big_page)
    assert big_page.get_by_role("button", name=EN("export_prepare", what=zip_label)).count() == 1
    # The workbook: prepared with its progress shown, then downloaded.
    xlsx = EN("export_xlsx")
    big_page.get_by_role("button", name=EN("export_prepare", what=xlsx)).click()
    download = big_page.get_by_role("button", name=EN("export_download", what=xlsx))
    download.wait_for(timeout=120_000)
    with big_page.expect_download() as got:
        download.click()
    path = got.value.path()
    assert path is not None and Path(path).read_bytes()[:2] == b"PK"
    # The other tabs still work.
    shot.open_tab(big_page, EN("tab_plan"))
    assert shot.metric_values(big_page)
