"""Streamlit entry point: page config, then the sections of `ui/`."""

import streamlit as st

from ui import layout, sidebar, state

st.set_page_config(page_title="Risk-reduction planner", page_icon=":material/shield:",
                   layout="wide")
state.init_state()
settings, lang = sidebar.render_sidebar()
ctx = state.build_context(settings, lang)
layout.page_header(ctx.t)
layout.render_tabs(ctx)
