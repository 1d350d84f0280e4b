"""Streamlit entry point: page config and composition only."""

import streamlit as st

from optimizer import load_bundle, solve

st.set_page_config(page_title="Risk-reduction planner", layout="wide")
problem = load_bundle("sample_data")
result = solve(problem)
st.title("Risk-reduction planner")
st.metric("Total perceived value", f"{result.objective:,.1f}" if result.has_plan else "-")
st.dataframe(result.allocation)
