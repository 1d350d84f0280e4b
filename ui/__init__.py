"""The Streamlit dashboard's sections; the only package that imports streamlit."""
