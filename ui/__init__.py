"""The Streamlit dashboard's sections; the only package that imports streamlit."""

import os

import pyarrow as pa  # type: ignore[import-untyped]

# Arrow (pandas' text columns, the tables Streamlit sends) allocates from C malloc, not its
# mimalloc pool, which keeps the pages it once used: the server with one session on 2,000
# clients holds some 30 MB less. An operator's ARROW_DEFAULT_MEMORY_POOL still decides.
if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
    pa.set_memory_pool(pa.system_memory_pool())
