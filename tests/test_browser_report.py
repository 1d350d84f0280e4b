"""The HTML report downloaded from the dashboard's Export tab, opened in a real browser: its
charts are drawn with real colours (the page's), full client names inside the figure and
labelled heatmap rows, as on the page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, screenshot_module
from optimizer import load_bundle
from optimizer.schema import NAME
from ui.text import Translator

shot = screenshot_module()
pytestmark = pytest.mark.browser

# Streamlit's plotly theme: stand-in colours its page swaps for the theme's own when it draws.
PLACEHOLDER = re.compile(r"^#0000[0-4][0-9]$")

# Each drawn figure: its title, traces (type, colours, y labels), and every y tick label with
# its box and the figure's box (page pixels).
FIGURES_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => {
  const box = r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
  return {
    title: (gd.querySelector('.gtitle') || {textContent: ''}).textContent,
    traces: gd._fullData.map(t => ({
      type: t.type,
      color: t.marker ? t.marker.color : null,
      y: Array.isArray(t.y) ? t.y.map(String) : [],
    })),
    ticks: [...gd.querySelectorAll('.ytick text')]
      .map(e => ({text: e.textContent, box: box(e.getBoundingClientRect())})),
    box: box(gd.getBoundingClientRect()),
  };
})"""


def _figures(page: Any) -> dict[str, dict[str, Any]]:
    return {f["title"]: f for f in page.evaluate(FIGURES_JS)}


def _bar_colours(fig: dict[str, Any]) -> list[str]:
    return [str(t["color"]).lower() for t in fig["traces"] if t["type"] == "bar"]


def _assert_full_names_inside(fig: dict[str, Any], names: set[str], what: str) -> None:
    ticks = [k for k in fig["ticks"] if k["text"]]
    assert {k["text"] for k in ticks} == names, what
    outer = fig["box"]
    for k in ticks:
        b = k["box"]
        assert b["right"] > b["left"], (what, k["text"])
        assert outer["left"] <= b["left"] and b["right"] <= outer["right"], (what, k, outer)
        assert outer["top"] <= b["top"] and b["bottom"] <= outer["bottom"], (what, k, outer)


def test_the_downloaded_report_looks_like_the_page(
    server: int, browser: Any, tmp_path: Path
) -> None:
    problem = load_bundle(ROOT / "sample_data")
    names = {str(n) for n in problem.clients[NAME]}
    t = Translator("en")
    value_title, pools_title, heat_title = (
        t("chart_value_by_client"),
        t("chart_pool_use"),
        t("chart_heatmap"),
    )

    page = shot.open_dashboard(browser, server)
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=60_000
    )
    on_page = _figures(page)
    page_colours = _bar_colours(on_page[value_title])

    shot.open_tab(page, "Export")
    assert page.query_selector(shot.EXCEPTION) is None
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="HTML report").click()
    report = tmp_path / "report.html"
    download.value.save_as(report)

    view = browser.new_page(viewport={"width": 1000, "height": 1000})
    view.goto(report.as_uri())
    view.wait_for_function(
        """() => { const plots = document.querySelectorAll('.js-plotly-plot');
          return plots.length >= 3 && [...plots].every(gd => gd._fullLayout
            && gd.querySelector('.main-svg') !== null); }""",
        timeout=30_000,
    )
    drawn = _figures(view)
    assert {value_title, pools_title, heat_title} <= set(drawn), list(drawn)

    # The stacked value by method: one real colour per method, the page's colours.
    colours = _bar_colours(drawn[value_title])
    assert len(colours) == len(problem.methods) >= 2
    assert not [c for c in colours if PLACEHOLDER.match(c)], colours
    assert len(set(colours)) == len(colours), colours
    assert colours == page_colours
    pools = _bar_colours(drawn[pools_title])
    assert not [c for c in pools if PLACEHOLDER.match(c)] and len(set(pools)) == len(pools)

    # Whole client names, inside the figure, on both bar charts and as the heatmap's rows.
    for title in (value_title, pools_title, heat_title):
        _assert_full_names_inside(drawn[title], names, title)
    heat = next(tr for tr in drawn[heat_title]["traces"] if tr["type"] == "heatmap")
    assert set(heat["y"]) == names
    view.close()
    page.close()
