"""The Team tab's plan change since a date: the shared inputs as they were at the start of that
day (the change log's later changes undone) solved beside the plan of today's, for a director
the whole plan, for a planner their clients' part. On both database engines, through the tab's
own code in Streamlit's AppTest (the signed-in member put into the session as the sign-in
does)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from optimizer.bundle import load_bundle
from optimizer.solve import solve
from optimizer.storage import Database
from optimizer.storage.tables import ws_changes
from optimizer.team import Member, Team, member_result
from optimizer.workspace import Workspace
from ui import auth, team_tab
from ui.text import Translator

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
DIRECTOR, PLANNER = "dir@x.com", "anna@x.com"
EN = Translator("en")


def page() -> None:
    """dashboard.py's team run, then the Team tab, for the member in `_test_email`."""
    import streamlit as st

    from optimizer.team import Team
    from ui import auth, sidebar, state, team, team_tab
    from ui.text import Translator

    t = Translator("en")
    st.session_state[auth.MEMBER_KEY] = Team(auth.team_db()).find(st.session_state["_test_email"])
    who = team.member()
    assert who is not None
    team.prepare(t, who)
    state.init_state(state.SAMPLE_DIR)
    settings, lang = sidebar.render_sidebar()
    ctx = state.build_context(settings, lang, team.plan_solver(who, settings))
    team_tab.render_team(ctx)


def open_tab(email: str, day: dt.date) -> AppTest:
    at = AppTest.from_function(page, default_timeout=180)
    at.session_state["_test_email"] = email
    at.session_state[team_tab.SINCE_KIND_KEY] = "date"
    at.session_state[team_tab.SINCE_DATE_KEY] = day
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def shared(db_target: str, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """The sample imported yesterday, then one of the planner's values raised today."""
    monkeypatch.setenv(auth.DB_ENV, db_target)
    ws = Workspace(db_target)
    ws.import_problem(load_bundle(SAMPLE), who=DIRECTOR, label="sample_data")
    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
    with Database(db_target).write() as conn:  # the import is a day old
        conn.execute(sa.update(ws_changes).values(at=yesterday))
    team = Team(db_target)
    team.add(DIRECTOR, "director")
    team.add(PLANNER, "planner", ["hartwell"])
    seen = ws.cell("values", "hartwell/demo", "value").value
    ws.set_cell("values", "hartwell/demo", "value", seen, "40", who=PLANNER)
    return ws


def delta(before: float, after: float) -> str:
    return EN.num(after - before, 1)


@pytest.mark.parametrize("email", [DIRECTOR, PLANNER])
def test_the_plan_change_since_a_date(shared: Workspace, email: str) -> None:
    who = Team(shared.db).get(email)
    assert isinstance(who, Member)
    before = member_result(solve(load_bundle(SAMPLE)), who, shared.tables()[0])
    after = member_result(solve(shared.problem()), who, shared.tables()[0])
    assert after.objective != before.objective  # the edit moves the plan
    at = open_tab(email, dt.datetime.now(dt.UTC).date())
    title = EN.md("team_plan_change_since_date", date=dt.datetime.now(dt.UTC).date().isoformat())
    assert title in [str(m.value) for m in at.markdown]
    total = next(m for m in at.metric if m.label == EN("team_plan_total"))
    assert total.value == EN.num(after.objective or 0.0, 1)
    assert total.delta == delta(before.objective or 0.0, after.objective or 0.0)


def test_a_date_before_the_first_import(shared: Workspace) -> None:
    at = open_tab(DIRECTOR, dt.date(2000, 1, 1))
    assert not [m for m in at.metric if m.label == EN("team_plan_total")]
    shown = "\n".join(str(c.value) for c in at.caption).replace("\\", "")
    assert "no working plan before 2000-01-01" in shown
