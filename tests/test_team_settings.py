"""The director's sidebar plan settings are the team's: whole units, the goal, the value target
and the currency are written to the shared settings (cell edits carrying the value the
director's page saw, a stale one refused like any cell), pool capacities to the resources
table; every member's page loads them, and a planner's or viewer's sidebar shows them
read-only. On both database engines, through the page's own code in Streamlit's AppTest (the
signed-in member put into the session as the sign-in does)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from optimizer.bundle import load_bundle
from optimizer.team import Team
from optimizer.workspace import Workspace
from ui import auth, state
from ui.team import CONFLICTS_KEY
from ui.text import Translator

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
DIRECTOR, PLANNER, OTHER = "dir@x.com", "anna@x.com", "boris@x.com"
EN = Translator("en")


def page() -> None:
    """dashboard.py's team part up to the sidebar, for the member in `_test_email`."""
    import streamlit as st

    from optimizer.team import Team
    from ui import auth, sidebar, state, team
    from ui.text import Translator

    t = Translator("en")
    st.session_state[auth.MEMBER_KEY] = Team(auth.team_db()).find(st.session_state["_test_email"])
    who = team.member()
    assert who is not None
    team.prepare(t, who)
    state.init_state(state.SAMPLE_DIR)
    sidebar.render_sidebar()
    team.render_status(t, who)


def open_page(email: str) -> AppTest:
    at = AppTest.from_function(page, default_timeout=120)
    at.session_state["_test_email"] = email
    at.run()
    assert not at.exception, at.exception
    return at


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def shared(db_target: str, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.setenv(auth.DB_ENV, db_target)
    ws = Workspace(db_target)
    ws.import_problem(load_bundle(SAMPLE), who=DIRECTOR, label="sample_data")
    team = Team(db_target)
    team.add(DIRECTOR, "director")
    team.add(OTHER, "director")
    team.add(PLANNER, "planner", ["hartwell"])
    return ws


def setting(ws: Workspace, name: str) -> object:
    return json.loads(ws.cell("settings", name, "value").value)


def test_the_directors_settings_land_in_the_shared_plan(shared: Workspace) -> None:
    ws = shared
    director = open_page(DIRECTOR)
    assert director.session_state[state.CURRENCY_KEY] == "EUR"
    assert not director.text_input(key=state.CURRENCY_KEY).disabled
    director.session_state[state.CURRENCY_KEY] = "USD"
    director.session_state[state.INTEGER_KEY] = True
    director.session_state[state.OBJECTIVE_KEY] = "min_cost"
    director.session_state[state.TARGET_KEY] = 80
    tables = dict(director.session_state[state.TABLES_KEY])  # a capacity typed in the sidebar
    resources = tables["resources"].copy()
    resources.loc[resources["resource_id"] == "budget", "capacity"] = "123456"
    tables["resources"] = resources
    director.session_state[state.TABLES_KEY] = tables
    rerun(director)
    assert ws.cell("resources", "budget", "capacity").value == "123456"
    assert setting(ws, "currency") == "USD"
    assert setting(ws, "integer_units") is True
    assert setting(ws, "objective") == "min_cost"
    assert setting(ws, "target_value_share") == pytest.approx(0.8)
    logged = {c.key: c for c in ws.changes() if c.table == "settings"}
    assert logged["currency"].who == DIRECTOR
    assert (logged["currency"].old, logged["currency"].new) == ('"EUR"', '"USD"')
    assert set(logged) == {"currency", "integer_units", "objective", "target_value_share"}
    # the director's page shows the shared values it wrote, and sends nothing more
    rerun(director)
    assert director.session_state[state.CURRENCY_KEY] == "USD"
    assert len([c for c in ws.changes() if c.table == "settings"]) == 4

    # a planner's page solves the same settings, shown read-only, and sends none of its own
    planner = open_page(PLANNER)
    assert planner.session_state[state.CURRENCY_KEY] == "USD"
    assert planner.session_state[state.INTEGER_KEY] is True
    assert planner.session_state[state.TARGET_KEY] == 80
    assert planner.text_input(key=state.CURRENCY_KEY).disabled
    assert all(r.disabled for r in planner.radio)
    assert planner.slider(key=state.TARGET_KEY).disabled
    capacities = [n for n in planner.number_input if n.key.startswith("cap::")]
    assert capacities and all(n.disabled for n in capacities)
    assert EN("team_settings_read_only") in [c.value for c in planner.caption]
    planner.session_state[state.CURRENCY_KEY] = "GBP"
    rerun(planner)
    assert setting(ws, "currency") == "USD"


def test_a_stale_setting_is_refused_with_the_current_value(shared: Workspace) -> None:
    ws = shared
    director = open_page(DIRECTOR)
    other = open_page(OTHER)
    other.session_state[state.CURRENCY_KEY] = "CHF"
    rerun(other)
    assert setting(ws, "currency") == "CHF"
    director.session_state[state.CURRENCY_KEY] = "JPY"  # over the EUR it saw
    rerun(director)
    assert setting(ws, "currency") == "CHF"
    refused = director.session_state[CONFLICTS_KEY]
    assert [(r.table, r.key, r.current, r.set_by, r.value) for r in refused] == [
        ("settings", "currency", '"CHF"', OTHER, '"JPY"')
    ]
    shown = "\n".join(str(e.value) for e in director.error).replace("\\", "")  # markdown escapes
    assert "CHF" in shown and OTHER in shown and "JPY" in shown


def test_a_setting_the_sidebar_rounds_is_not_written_back(shared: Workspace) -> None:
    """A shared target of 85.5 % shows as 86 % in the slider; the director's page, editing
    something else, leaves the shared 0.855 as it is."""
    ws = shared
    ws.set_cell("settings", "target_value_share", "value", "0.9", "0.855", who=OTHER)
    director = open_page(DIRECTOR)
    assert director.session_state[state.TARGET_KEY] == 86
    director.session_state[state.CURRENCY_KEY] = "USD"
    rerun(director)
    rerun(director)
    assert setting(ws, "currency") == "USD"
    assert ws.cell("settings", "target_value_share", "value").value == "0.855"
    assert [c.key for c in ws.changes() if c.table == "settings"] == [
        "target_value_share",
        "currency",
    ]
