"""Streamlit entry point: page config, then the sections of `ui/`."""

import sys

import streamlit as st

from ui import layout, sidebar, state
from ui.text import Translator

title = Translator(st.session_state.get(state.LANG_KEY, "en"))("page_title")
st.set_page_config(page_title=title, page_icon=":material/shield:", layout="wide")
state.init_state(state.start_bundle(sys.argv, __file__))
settings, lang = sidebar.render_sidebar()
ctx = state.build_context(settings, lang)
layout.page_header(ctx.t)
layout.render_tabs(ctx)
