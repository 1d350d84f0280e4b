"""A team's viewer reads the plan and edits nothing: on the Inputs and Relationship tabs every
editor, the upload and the reset are rendered disabled, and the page says why. A director's
and the single-user page's editors stay editable. The inputs are the sample, as a team's
working plan holds them; the member is the one the sign-in put into the session."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ui.text import Translator

EN = Translator("en")


def page() -> None:
    """The Inputs and Relationship tabs of a session whose member has the role in
    `st.session_state["_test_role"]` (none: the single-user page)."""
    import streamlit as st

    from optimizer.team import Member
    from ui import auth, sidebar, state
    from ui.inputs_tab import render_inputs
    from ui.relationship_tab import render_relationship

    role = st.session_state.get("_test_role")
    if role:
        st.session_state[auth.MEMBER_KEY] = Member(f"{role}@x.com", role)
    state.init_state(state.SAMPLE_DIR)
    settings, lang = sidebar.render_sidebar()
    ctx = state.build_context(settings, lang)
    render_inputs(ctx)
    render_relationship(ctx)


def run(role: str | None) -> AppTest:
    at = AppTest.from_function(page, default_timeout=120)
    if role:
        at.session_state["_test_role"] = role
    at.run()
    assert not at.exception, at.exception
    return at


def editors(at: AppTest) -> list:
    """The protos of the page's data editors (a table in editing mode)."""
    return [e.proto for e in at.get("dataframe") if e.proto.editing_mode]


def infos(at: AppTest) -> list[str]:
    return [str(i.value) for i in at.info]


@pytest.mark.parametrize("role", ["viewer"])
def test_a_viewers_editors_are_disabled_and_the_page_says_why(role: str) -> None:
    at = run(role)
    found = editors(at)
    # the two value grids, the long values table, four tables and the checklist
    assert len(found) >= 8
    assert all(p.disabled for p in found)
    assert at.button(key="reset").disabled
    assert at.get("file_uploader")[0].proto.disabled
    assert infos(at).count(EN("team_read_only")) == 2  # Inputs and Relationship tabs


@pytest.mark.parametrize("role", [None, "director"])
def test_a_directors_and_the_single_user_editors_are_editable(role: str | None) -> None:
    at = run(role)
    found = editors(at)
    assert len(found) >= 8
    assert not any(p.disabled for p in found)
    assert not at.button(key="reset").disabled
    assert EN("team_read_only") not in infos(at)
