"""What a new user tripped over, replayed in a real browser: the chosen scenario file lasts the
session, a complete uploaded bundle replaces the sample, an edit above a value's high estimate
moves the range, and pool prices are quoted per one fixed amount."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from test_browser import ARTIFACTS, ROOT, shot
from ui.inputs_tab import GRID_NAME_WIDTH

pytestmark = pytest.mark.browser
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="module")
def scenario_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scenarios")


@pytest.fixture(scope="module")
def server(scenario_dir: Path) -> Iterator[int]:
    """The dashboard with its scenario files in a folder of this test run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    old = {k: os.environ.get(k) for k in ("RISK_PLANNER_DB", "RISK_PLANNER_SCENARIO_DIR")}
    os.environ["RISK_PLANNER_DB"] = str(scenario_dir / "default.sqlite3")
    os.environ["RISK_PLANNER_SCENARIO_DIR"] = str(scenario_dir)
    port = shot.free_port()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    try:
        proc = shot.start_app(
            port, ARTIFACTS / f"streamlit-newuser{'-' + worker if worker else ''}.log"
        )
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    try:
        yield port
    finally:
        shot.stop_app(proc)


def saved_names(path: Path) -> list[str]:
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return [r[0] for r in db.execute("SELECT name FROM scenarios ORDER BY name")]


def test_the_chosen_scenario_file_lasts_across_tabs(
    server: int, browser: Any, scenario_dir: Path
) -> None:
    page = shot.open_dashboard(browser, server)
    shot.open_tab(page, "Scenarios")
    page.get_by_text("Use another scenario file").click()
    box = page.get_by_role("textbox", name="Scenario file (SQLite)")
    box.fill("meeting.sqlite3")
    box.press("Enter")
    shot.wait_for_run(page)
    chosen = str((scenario_dir / "meeting.sqlite3").resolve())
    # A visit to another tab, and back: the choice is still there and shown by the save button.
    shot.open_tab(page, "Plan")
    shot.open_tab(page, "Scenarios")
    assert box.input_value() == "meeting.sqlite3"
    page.get_by_text(f"Saves to {chosen}").wait_for(timeout=30_000)
    name = page.get_by_role("textbox", name="Name", exact=True)
    name.fill("first")
    name.press("Enter")
    shot.wait_for_run(page)
    page.get_by_role("button", name="Save scenario").click()
    page.get_by_text(f"Saved 'first' in {chosen}.").wait_for(timeout=30_000)
    assert saved_names(scenario_dir / "meeting.sqlite3") == ["first"]
    assert saved_names(scenario_dir / "default.sqlite3") == []
    assert page.query_selector(shot.EXCEPTION) is None


def open_cell_editor(page: Any, attempts: int = 5) -> Any:
    """The value grid's editor on its first row's first method (Hartwell, Free demonstration:
    39, range 24 - 48): the header is one 35 px row, the client names GRID_NAME_WIDTH px. The
    grid is a canvas that may still be laying out when first clicked, so a click that opened
    nothing is made again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    editor = page.locator("textarea.gdg-input")
    for _ in range(attempts):
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        shot.wait_for_run(page)
        box = grid.locator("canvas").first.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + GRID_NAME_WIDTH + 30, box["y"] + 35 + 17)
        page.keyboard.press("Enter")  # open the cell's editor on its value
        try:
            editor.wait_for(timeout=5_000)
            return editor
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise AssertionError("the value grid's cell editor did not open")


def test_a_value_raised_above_its_high_estimate_moves_the_range_and_keeps_the_plan(
    server: int, browser: Any
) -> None:
    page = shot.open_dashboard(browser, server)
    shot.open_tab(page, "Inputs")
    editor = open_cell_editor(page)
    assert editor.input_value() == "39"
    editor.fill("78")
    editor.press("Enter")
    note = page.get_by_text("The low and high estimates moved with the edited value")
    note.wait_for(timeout=60_000)
    shot.wait_for_run(page)
    said = page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert any(
        "Hartwell Precision Castings · Free demonstration: value 78, range 48 – 96" in s
        for s in said
    ), said
    # The plan is not blocked: the inputs are valid and the Plan tab shows a plan.
    assert any(s.startswith("Inputs are valid") for s in said), said
    assert not any("error" in s.lower() for s in said), said
    shot.open_tab(page, "Plan")
    assert shot.metric_values(page)
    assert page.get_by_text("This is the plan of the last valid inputs").count() == 0


def own_csvs() -> list[dict[str, Any]]:
    """The user's own bundle as four CSV files: the sample's required tables with other client
    ids (and no checklist of its own)."""
    import pandas as pd

    out = []
    for n in ("resources", "methods", "clients", "values"):
        frame = pd.read_csv(SAMPLE / f"{n}.csv", dtype=str, keep_default_na=False)
        if "client_id" in frame.columns:
            frame["client_id"] = "own_" + frame["client_id"]
        out.append(
            {
                "name": f"{n}.csv",
                "mimeType": "text/csv",
                "buffer": frame.to_csv(index=False).encode(),
            }
        )
    return out


def upload(page: Any, files: list[dict[str, Any]], wait_text: str) -> list[str]:
    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    uploader.set_input_files(files=files)
    page.get_by_text(wait_text).first.wait_for(timeout=60_000)
    shot.wait_for_run(page)
    return page.locator('[data-testid="stAlert"]').all_inner_texts()


def test_a_complete_upload_replaces_the_sample_and_a_single_table_merges(
    server: int, browser: Any
) -> None:
    page = shot.open_dashboard(browser, server)
    shot.open_tab(page, "Inputs")
    said = upload(page, own_csvs(), "as a whole bundle")
    assert any(s.startswith("Inputs are valid: 24 clients") for s in said), said
    assert not any("not in the clients table" in s for s in said), said
    assert page.get_by_text("Drop the rest of the sample").count() == 0
    shot.open_tab(page, "Relationship")
    page.get_by_text("These inputs have no relationship table").wait_for(timeout=30_000)
    assert page.query_selector(shot.EXCEPTION) is None

    # Back to the sample, then one table of one's own: it merges, and the page says so.
    shot.open_tab(page, "Inputs")
    page.get_by_role("button", name="Reset to sample data").click()
    page.get_by_role("button", name="Yes, reset").click()
    shot.wait_for_run(page)
    resources = own_csvs()[0]
    upload(page, [resources], "replaced resources; kept")
    origins = page.get_by_text("Where the tables come from:").locator("..")
    text = origins.inner_text()
    assert "resources: resources.csv" in text, text
    assert "methods, clients, values, overrides, relationship: the sample data" in text
    page.get_by_role("button", name="Drop the rest of the sample").click()
    # Only the uploaded table is left: the editors of the others say the table is absent.
    page.get_by_text("The bundle has no methods table.").wait_for(timeout=30_000)
    shot.wait_for_run(page)
    assert page.get_by_text("Where the tables come from:").count() == 0
    assert page.query_selector(shot.EXCEPTION) is None


def test_the_money_price_is_quoted_for_one_amount_at_every_budget(
    server: int, browser: Any
) -> None:
    from optimizer import load_bundle, solve

    problem = load_bundle(SAMPLE)
    prices = {
        cap: float(solve(problem.with_capacity("budget", cap)).pools.at["budget", "shadow_price"])
        for cap in (480_000, 384_000)
    }
    page = shot.open_dashboard(browser, server)

    def budget_sentence() -> str:
        item = page.locator("li").filter(has_text="Budget: one more")
        item.first.wait_for(timeout=30_000)
        return item.first.inner_text()

    high = budget_sentence()
    assert f"one more 1,000 EUR would add {prices[480_000] * 1000:.2f}" in high, high
    box = page.get_by_role("spinbutton", name="Budget (EUR)", exact=True)
    box.fill("384000")
    box.press("Enter")
    page.wait_for_function(
        """() => [...document.querySelectorAll('li')].some(
            e => e.innerText.includes('Budget: one more') && !e.innerText.includes('7.14'))""",
        timeout=60_000,
    )
    shot.wait_for_run(page)
    low = budget_sentence()
    # The same 1,000 EUR, now worth more: money got dearer, and the sentence says so.
    worth = prices[384_000] * 1000
    assert f"one more 1,000 EUR would add {worth:.{2 if worth < 10 else 1}f}" in low, low
    assert prices[384_000] > prices[480_000]

    # The What-if tab: the budget's price before and after, per the same 1,000 EUR.
    shot.open_tab(page, "What-if")
    slider = page.get_by_role("tabpanel").get_by_role("slider", name="Budget (EUR): change")
    slider.focus()
    for _ in range(4):  # -20 %
        slider.press("ArrowLeft")
    # The KPI table is a data grid: its cells are in the grid's accessible table.
    cell = page.locator("td").filter(has_text="Budget: value of 1,000 EUR more (points)")
    cell.first.wait_for(state="attached", timeout=60_000)
    shot.wait_for_run(page)
    row = cell.first.locator("..").locator("td").all_inner_texts()
    before, after = (float(x.replace(",", "")) for x in row[1:3])
    assert before == pytest.approx(prices[384_000] * 1000, abs=0.01), row
    assert after > before, row  # 20 % less money: each 1,000 EUR of it is worth more
    assert page.query_selector(shot.EXCEPTION) is None


CUT_JS = """(el) => {
  const cut = (e) => e.scrollWidth > e.clientWidth + 1;
  return [el, ...el.querySelectorAll('*')].some(cut);
}"""
# Every visible button, widget label, metric label and tab whose text does not fit its box.
CUT_ALL_JS = """() => [...document.querySelectorAll(
    'button, [data-testid="stWidgetLabel"], [data-testid="stMetricLabel"], [role=tab]')]
  .filter(e => e.offsetParent !== null)
  .filter(e => [e, ...e.querySelectorAll('*')].some(x => x.scrollWidth > x.clientWidth + 1))
  .map(e => e.innerText)"""
RU_TABS = ("План", "Исходные данные", "Клиент", "Что если", "Сценарии", "Отношения", "Экспорт")


def test_the_russian_page_says_hours_as_ch_and_cuts_no_button_label(
    server: int, browser: Any
) -> None:
    page = shot.open_dashboard(browser, server)
    page.locator(shot.LANGUAGE_BOX).first.click()
    page.get_by_role("option", name="Русский").click()
    page.get_by_text("Общая воспринимаемая ценность").first.wait_for(timeout=60_000)
    shot.wait_for_run(page)
    sidebar = page.locator('section[data-testid="stSidebar"]')
    assert sidebar.get_by_text("(ч)").count() >= 2
    assert sidebar.get_by_text("(h)").count() == 0
    shot.open_tab(page, "Что если")
    buttons = page.get_by_role("tabpanel").locator('[data-testid="stButton"] button')
    pin = page.get_by_role("button", name="Закрепить как базовый")
    pin.wait_for(timeout=30_000)
    cut = [b.inner_text() for b in buttons.all() if b.is_visible() and b.evaluate(CUT_JS)]
    assert cut == []
    pin.click()
    page.get_by_role("button", name="Снять базовый").wait_for(timeout=30_000)
    shot.wait_for_run(page)
    cut = [b.inner_text() for b in buttons.all() if b.is_visible() and b.evaluate(CUT_JS)]
    assert cut == []
    for tab in RU_TABS:  # no label cut anywhere on the page
        shot.open_tab(page, tab)
        assert page.evaluate(CUT_ALL_JS) == [], tab
    # The uploader's own words are Streamlit's: the Inputs tab says they stay English.
    shot.open_tab(page, "Исходные данные")
    page.get_by_text("стандартные элементы Streamlit и остаются на английском").wait_for(
        timeout=30_000
    )
    assert page.query_selector(shot.EXCEPTION) is None
