"""Whether this page is a team's page: sign-in configured and a team database named.

Kept apart from `ui.team` so that the single-user page never imports the database layer:
team mode is on when the secrets file has an `[auth]` section (Streamlit's OpenID Connect
settings for `st.login`) and `RISK_PLANNER_DB` names the team's database.
"""

from __future__ import annotations

import os

import streamlit as st

DB_ENV = "RISK_PLANNER_DB"  # the same variable the engine reads (optimizer.storage.DB_ENV)
MEMBER_KEY = "_team_member"  # session key: the signed-in optimizer.team.Member
TEAM_GATED = ("whatif", "scenarios", "export")  # tabs over the whole plan, by role


def signin_configured() -> bool:
    """True when the secrets file has an `[auth]` section (st.login's settings)."""
    try:
        return bool(st.secrets.load_if_toml_exists() and st.secrets.get("auth"))
    except (FileNotFoundError, KeyError, ValueError):
        return False


def team_db() -> str:
    """The team's database ($RISK_PLANNER_DB), "" when not set."""
    return os.environ.get(DB_ENV, "").strip()


def team_mode() -> bool:
    return bool(team_db()) and signin_configured()


def hidden_tabs() -> frozenset[str]:
    """Tabs this session does not show: the team tab outside team mode; in team mode the tabs
    the member's role may not use (`optimizer.team.may`)."""
    who = st.session_state.get(MEMBER_KEY)
    if who is None:
        return frozenset({"team"})
    from optimizer.team import may

    return frozenset(tab for tab in TEAM_GATED if not may(who, tab))


def read_only() -> bool:
    """True when the signed-in member's role edits nothing (a viewer): the page renders its
    editors disabled. The server refuses such edits anyway (`optimizer.team.edit_as`)."""
    who = st.session_state.get(MEMBER_KEY)
    if who is None:
        return False
    from optimizer.team import may

    return not may(who, "edit_rows")


def shared_read_only() -> bool:
    """True when the signed-in member may not change the shared plan settings (pools,
    methods, settings: a director's); False on the single-user page."""
    who = st.session_state.get(MEMBER_KEY)
    if who is None:
        return False
    from optimizer.team import may

    return not may(who, "edit_shared")
