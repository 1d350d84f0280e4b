"""Streamlit entry point: page config, then the sections of `ui/`."""

import sys

import streamlit as st

from ui import auth, layout, sidebar, state
from ui.text import Translator

t = Translator(st.session_state.get(state.LANG_KEY, "en"))
st.set_page_config(page_title=t("page_title"), page_icon=":material/shield:", layout="wide")
who = None
if auth.team_mode():  # sign-in configured and a team database: the shared plan, by role
    from ui import team

    who = team.gate(t)
    team.prepare(t, who)
state.init_state(state.start_bundle(sys.argv, __file__))
settings, lang = sidebar.render_sidebar()
plan = None if who is None else team.plan_solver(who, settings)
ctx = state.build_context(settings, lang, plan)
layout.page_header(ctx.t)
if who is not None:
    team.render_account(ctx.t, who)
    team.render_status(ctx.t, who)
layout.render_tabs(ctx, auth.hidden_tabs())
state.return_free_memory()
