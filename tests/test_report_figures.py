"""The figures the Export tab puts into the HTML report: real colours (never the stand-ins of
Streamlit's plotly theme, which only the page swaps for its own), and margins that fit the
client names."""

from __future__ import annotations

import json
import re
from typing import Any

import plotly.io as pio
import pytest
import streamlit  # noqa: F401  (importing it makes its stand-in theme plotly's default)

from optimizer import export
from optimizer.schema import NAME, Problem, Result
from ui import charts
from ui.export_tab import REPORT_WIDTH, dashboard_figures
from ui.text import Translator

PLACEHOLDER = re.compile(r"#0000[0-4][0-9]\b")
CHAR_PX = 7  # a generous width of one character of an 11-12 px tick label


def _margin_fits(layout: dict[str, Any], axis: str, labels: list[str]) -> bool:
    """The axis grows its margin to fit its labels, or the margin is wide enough for them."""
    ax = layout.get(axis) or {}
    template_ax = ((layout.get("template") or {}).get("layout") or {}).get(axis) or {}
    if ax.get("automargin", template_ax.get("automargin")) is True:
        return True
    side = "l" if axis.startswith("y") else "b"
    return float((layout.get("margin") or {}).get(side, 80)) >= CHAR_PX * max(map(len, labels))


@pytest.fixture(scope="module")
def tab_figures(sample_result: Result) -> list[dict[str, Any]]:
    assert pio.templates.default == "streamlit"  # the condition the page's figures meet
    ctx = type("Ctx", (), {"t": Translator("en"), "lang": "en"})()
    figs = dashboard_figures(sample_result, ctx)
    assert figs is not None and len(figs) == 3
    return figs


def test_tab_figures_carry_real_distinct_colours(
    tab_figures: list[dict[str, Any]], sample_problem: Problem
) -> None:
    for fig in tab_figures:
        assert not PLACEHOLDER.findall(json.dumps(fig, default=str)), fig["layout"]["title"]
        colorway = fig["layout"]["template"]["layout"]["colorway"]
        assert list(colorway) == list(getattr(charts, "PAGE_COLORWAY", ()))
        assert len(set(colorway)) == len(colorway) >= len(sample_problem.methods)


def test_tab_figures_margins_fit_the_client_names(
    tab_figures: list[dict[str, Any]], sample_problem: Problem
) -> None:
    names = [str(n) for n in sample_problem.clients[NAME]]
    for fig in tab_figures:
        layout = fig["layout"]
        assert layout["width"] == REPORT_WIDTH
        ys = {str(y) for tr in fig["data"] for y in tr.get("y", [])}
        assert ys == set(names)
        assert _margin_fits(layout, "yaxis", names), layout.get("margin")


def test_the_report_never_prints_stand_in_colours(
    sample_problem: Problem, sample_result: Result
) -> None:
    """A figure exported without the page (Streamlit's template, a 10 px margin, no
    automargin) is drawn in real colours with margins that grow to fit its labels."""
    from optimizer.export.figures import report_ready

    t = Translator("en")
    raw = charts.value_by_client(sample_result, t).to_plotly_json()
    assert PLACEHOLDER.search(json.dumps(raw["layout"].get("template", {}), default=str))
    ready = report_ready(raw)
    assert not PLACEHOLDER.search(json.dumps(ready, default=str))
    assert ready["layout"]["yaxis"]["automargin"] is True
    assert ready["layout"]["xaxis"]["automargin"] is True
    assert PLACEHOLDER.search(json.dumps(raw["layout"]["template"], default=str))  # a copy
    data = export.html_report(sample_problem, sample_result, figures=[raw]).decode("utf-8")
    assert data.count("Plotly.newPlot(") == 1
    chart = data[data.index("Plotly.newPlot(") :]
    assert not PLACEHOLDER.search(chart[: chart.index("</script>")])
    # An axis that says otherwise keeps its say.
    assert report_ready({"layout": {"yaxis": {"automargin": False}}})["layout"]["yaxis"] == {
        "automargin": False
    }
