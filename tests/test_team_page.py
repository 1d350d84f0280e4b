"""The team's page in a real browser: sign-in through a real OpenID Connect provider
(oidc-provider-mock, run locally), the shared plan on a real PostgreSQL server, a director and
two account planners.

Everything runs on 127.0.0.1 (the app, the redirect URI and the provider): the sign-in cookie
is kept per host, so a mix of names would sign nobody in.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import ARTIFACTS, SAMPLE, screenshot_module
from optimizer import load_bundle
from optimizer.storage import Database, dispose_engines
from optimizer.team import Team
from optimizer.workspace import Workspace
from ui.inputs_tab import GRID_NAME_WIDTH

pytestmark = pytest.mark.browser
shot = screenshot_module()
DIRECTOR = "dir@example.com"
ANNA = "anna@example.com"  # planner of hartwell and brennmoor
BORIS = "boris@example.com"  # planner of hartwell and vellmark
ANNA_CLIENTS = ("hartwell", "brennmoor")


# ---- the provider, the database, the app --------------------------------------------------------
def wait_for_url(url: str, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer within 60 s")


@pytest.fixture(scope="module")
def oidc() -> Iterator[str]:
    """oidc-provider-mock on a free port: its base URL."""
    port = shot.free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(ARTIFACTS / "oidc-provider.log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "-p", str(port), "-H", "127.0.0.1"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_url(f"{base}/.well-known/openid-configuration", proc, "oidc-provider-mock")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def add_user(oidc: str, sub: str, email: str) -> None:
    """A user of the provider with their e-mail claim (signed in by typing `sub`)."""
    req = urllib.request.Request(
        f"{oidc}/users/{sub}",
        data=json.dumps({"email": email, "name": sub}).encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status in (200, 201, 204)


@pytest.fixture(scope="module")
def team_db(pg_cluster: Any) -> Iterator[str]:
    """A PostgreSQL database holding the sample as the shared plan, and the team."""
    url = pg_cluster.url(pg_cluster.new_database())
    db = Database(url)
    Workspace(db).import_problem(load_bundle(SAMPLE), who=DIRECTOR, label="sample_data")
    team = Team(db)
    team.add(DIRECTOR, "director")
    team.add(ANNA, "planner", ANNA_CLIENTS, by=DIRECTOR)
    team.add(BORIS, "planner", ("hartwell", "vellmark"), by=DIRECTOR)
    yield url
    dispose_engines()


@pytest.fixture(scope="module")
def team_app(oidc: str, team_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The dashboard for the team: sign-in through the provider, the plan in PostgreSQL."""
    port = shot.free_port()
    secrets = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-test-cookie-secret-of-enough-length-0123456789"\n'
        'client_id = "risk-planner"\n'
        'client_secret = "test-only"\n'
        f'server_metadata_url = "{oidc}/.well-known/openid-configuration"\n'
    )
    proc = shot.start_app(
        port,
        ARTIFACTS / "streamlit-team_page.log",
        env={"RISK_PLANNER_DB": team_db},
        flags=["--secrets.files", str(secrets)],
    )
    try:
        yield port
    finally:
        shot.stop_app(proc)


def sign_in(browser: Any, port: int, oidc: str, sub: str, email: str) -> tuple[Any, list[bytes]]:
    """A new browser context signed in as `email`: its page (the first run finished) and every
    websocket message the page received."""
    add_user(oidc, sub, email)
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    frames: list[bytes] = []

    def keep(frame: Any) -> None:
        frames.append(frame if isinstance(frame, bytes) else str(frame).encode())

    page.on("websocket", lambda ws: ws.on("framereceived", keep))
    page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
    page.get_by_role("button", name="Sign in").click()
    page.fill("input[name=sub]", sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"http://127.0.0.1:{port}/**")
    page.get_by_text(f"Signed in as {email}").wait_for(timeout=60_000)
    page.wait_for_selector(shot.METRIC_VALUE, timeout=60_000)
    shot.wait_for_run(page)
    return page, frames


def edit_first_value(page: Any, value: str) -> str:
    """Type `value` into the values grid's first cell (the first client's first method):
    the value the cell showed before. The Inputs tab is open."""
    page.bring_to_front()  # several pages are open: the keys go to the one in front
    shot.wait_for_run(page)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.locator("canvas").first.bounding_box()
    assert box is not None
    editor = page.locator("textarea.gdg-input")
    # A click that lands while the grid is still settling selects nothing: click again.
    for attempt in range(3):
        page.mouse.click(box["x"] + GRID_NAME_WIDTH + 30, box["y"] + 35 + 17)
        page.keyboard.press("Enter")
        try:
            editor.wait_for(timeout=10_000)
            break
        except Exception:
            if attempt == 2:
                raise
    before = str(editor.input_value())
    editor.fill(value)
    editor.press("Enter")
    return before


def others_words() -> list[str]:
    """The id and name of every client that is not Anna's."""
    clients = load_bundle(SAMPLE).clients
    others = clients[~clients.index.isin(ANNA_CLIENTS)]
    return [*others.index.astype(str), *others["name"].astype(str)]


def assert_nothing_of_others(text: dict[str, str], html: str, frames: list[bytes]) -> None:
    """No other client's id or name in a tab's text, the page's HTML or any message the
    browser received."""
    received = b"".join(frames)
    for word in others_words():
        for tab, body in text.items():
            assert word not in body, (tab, word)
        assert word not in html, word
        at = received.find(word.encode())
        assert at < 0, (word, received[max(0, at - 300) : at + 100])


# ---- the story ----------------------------------------------------------------------------------
def test_planners_see_their_clients_only_and_a_stale_edit_is_refused(
    team_app: int, oidc: str, team_db: str, browser: Any
) -> None:
    # The director and Boris open their pages first: Boris sees hartwell's first value as it
    # is now.
    director, seen_by_director = sign_in(browser, team_app, oidc, "dir", DIRECTOR)
    boris, _ = sign_in(browser, team_app, oidc, "boris", BORIS)
    shot.open_tab(boris, "Inputs")

    anna, frames = sign_in(browser, team_app, oidc, "anna", ANNA)
    text = {"Plan": anna.inner_text("body")}
    shot.open_tab(anna, "Inputs")
    text["Inputs"] = anna.inner_text("body")
    tabs = anna.get_by_role("tab").all_inner_texts()
    assert "What-if" not in tabs and "Export" not in tabs and "Scenarios" not in tabs, tabs
    # Her own clients are there (in the charts' and grids' data).
    assert b"Hartwell Precision Castings" in b"".join(frames)
    assert b"Brennmoor Pump Works" in b"".join(frames)
    assert_nothing_of_others(text, anna.content(), frames)

    # Anna edits hartwell's first value; it lands in the shared plan under her name.
    # The value takes its low and high estimates along: three cells, one edit each.
    seen = edit_first_value(anna, "45")
    anna.get_by_text("Saved to the shared plan: 3 cell(s).").wait_for(timeout=60_000)
    shot.wait_for_run(anna)
    ws = Workspace(team_db)
    mine = [(c.table, c.key, c.column, c.new) for c in ws.changes() if c.who == ANNA]
    assert ("values", "hartwell/demo", "value", "45") in mine
    assert {m[2] for m in mine} == {"value", "value_low", "value_high"}, mine
    assert {m[:2] for m in mine} == {("values", "hartwell/demo")}, mine

    # Every other tab of hers, after the edit: still nothing of any other client.
    for tab in ("Client view", "Relationship", "Team"):
        shot.open_tab(anna, tab)
        text[tab] = anna.inner_text("body")
    assert ANNA in text["Team"]  # her own change is in her change list
    assert_nothing_of_others(text, anna.content(), frames)
    # Her download (the Team tab's workbook of the plan and its changes): her clients, and
    # nothing of any other client in any cell of any sheet.
    with anna.expect_download(timeout=60_000) as got:
        anna.get_by_role("button", name="Download the plan with these changes (.xlsx)").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()), read_only=True)
    cells = "\n".join(
        str(v)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    )
    assert "Hartwell Precision Castings" in cells
    for word in others_words():
        assert word not in cells, word

    # Boris, who still sees the old value, types his own: refused, with Anna's value and name,
    # and his typed value kept on the page to retry.
    assert edit_first_value(boris, "50") == seen
    alert = boris.get_by_text("Not saved: values hartwell/demo, value.")
    alert.wait_for(timeout=60_000)
    shot.wait_for_run(boris)
    said = " ".join(boris.locator('[data-testid="stAlert"]').all_inner_texts())
    assert ANNA in said and "'45'" in said and f"'{seen}'" in said and "'50'" in said, said
    assert boris.get_by_role("textbox", name="Your value").first.input_value() == "50"
    assert ws.cell("values", "hartwell/demo", "value").value == "45"
    # Boris saves his value over Anna's, knowingly.
    boris.get_by_role("button", name="Save my value").first.click()
    boris.get_by_text("Saved to the shared plan: 1 cell(s).").wait_for(timeout=60_000)
    shot.wait_for_run(boris)
    now = ws.cell("values", "hartwell/demo", "value")
    assert (now.value, now.set_by) == ("50", BORIS)

    # The director sees every client, and Anna's change in the Team tab's change list.
    # The director's page, solved before A's edit, says the shared inputs changed, and by whom;
    # it re-solves on request.
    assert b"Quillon Packaging Systems" in b"".join(seen_by_director)  # every client
    director.bring_to_front()
    shot.open_tab(director, "Team")
    stale = director.get_by_text("The shared inputs changed since this plan was solved")
    stale.wait_for(timeout=30_000)
    assert ANNA in stale.inner_text()
    director.get_by_role("button", name="Load the latest and re-solve").click()
    stale.wait_for(state="detached", timeout=60_000)
    shot.wait_for_run(director)
    director.get_by_text("What changed").wait_for(timeout=30_000)
    caption = director.get_by_text("change(s), by").first.inner_text()
    assert ANNA in caption, caption
    # The change list (a data grid: its rows travel as Arrow data) has A's edit of the cell.
    received = b"".join(seen_by_director)
    assert b"hartwell/demo" in received and ANNA.encode() in received
    assert b"Members" in received and BORIS.encode() in received  # the director's members
    # The director adds a viewer from the page.
    form = director.locator('[data-testid="stForm"]')
    form.get_by_role("textbox", name="E-mail").fill("Vera@Example.com")
    director.bring_to_front()
    role = form.get_by_role("combobox", name="Role")
    role.click()
    try:  # a click may only focus the box; the arrow key opens its list
        director.get_by_role("option", name="viewer").wait_for(timeout=3_000)
    except PlaywrightTimeout:
        role.press("ArrowDown")
    director.get_by_role("option", name="viewer", exact=True).click()
    director.get_by_role("button", name="Add or change member").click()
    director.get_by_text("Added vera@example.com.").wait_for(timeout=30_000)
    assert Team(team_db).get("vera@example.com").role == "viewer"
    for page in (anna, boris, director):
        assert page.query_selector(shot.EXCEPTION) is None


def test_a_database_that_goes_away_is_said_and_the_edit_is_sent_when_it_is_back(
    team_app: int, oidc: str, team_db: str, pg_cluster: Any, browser: Any
) -> None:
    anna, _ = sign_in(browser, team_app, oidc, "anna", ANNA)
    shot.open_tab(anna, "Inputs")
    ws = Workspace(team_db)
    before = ws.cell("values", "hartwell/demo", "value").value
    pg_cluster.stop()
    try:
        edit_first_value(anna, "46")
        anna.get_by_text("cannot be reached").first.wait_for(timeout=60_000)
        shot.wait_for_run(anna)
        assert anna.query_selector(shot.EXCEPTION) is None
        assert anna.get_by_role("tab", name="Plan").count() == 1  # the page works on
    finally:
        pg_cluster.start()
    assert ws.cell("values", "hartwell/demo", "value").value == before  # nothing written
    # Back: the next run sends the edit the session kept.
    shot.open_tab(anna, "Plan")
    anna.get_by_text("Saved to the shared plan: 3 cell(s).").wait_for(timeout=60_000)
    assert ws.cell("values", "hartwell/demo", "value").value == "46"
    assert ws.changes()[-1].who == ANNA


def test_an_unknown_email_sees_only_that_it_is_not_a_member(
    team_app: int, oidc: str, browser: Any
) -> None:
    add_user(oidc, "eve", "eve@example.com")
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{team_app}/", wait_until="domcontentloaded")
    page.get_by_role("button", name="Sign in").click()
    page.fill("input[name=sub]", "eve")
    page.get_by_role("button", name="Authorize").click()
    page.get_by_text("who is not a member of this team").wait_for(timeout=60_000)
    shot.wait_for_run(page)
    body = page.inner_text("body")
    assert "Hartwell" not in body and page.query_selector(shot.METRIC_VALUE) is None
    assert page.get_by_role("tab").count() == 0
