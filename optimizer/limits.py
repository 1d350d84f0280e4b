"""How much the engine reads and builds: every cap on files, tables, cells, units and numbers,
in one place.

Each cap fits the largest sensible bundle, 20,000 key clients x 10 methods (a values table of
200,000 rows), and the 50,000-client bundles of the benchmarks, with room to spare, so that an
honest file is never refused while a hostile or damaged one (a zip bomb, a billion-row sheet, a
cell asking for ten million units) is refused with a message before it can take the server's
memory or time. Readers check the caps while they stream, not after; the messages quote the
limit and the reason. Tests lower them with monkeypatch to build small bombs.
"""

from __future__ import annotations

MIB = 1024 * 1024

# ---- files -----------------------------------------------------------------------------------
# A .zip or .xlsx as uploaded or read from disk. `.streamlit/config.toml` sets the same
# number (in MB) as server.maxUploadSize: a 20,000-client bundle is 5-15 MB either way.
MAX_ARCHIVE_BYTES = 50 * MIB
# One table's CSV file, decompressed. 200,000 values rows take about 10 MB; a clients table
# with long names and notes a few MB more.
MAX_FILE_BYTES = 64 * MIB
# One part of an .xlsx (a sheet's XML, the shared strings), decompressed: sheet XML takes
# about four times the bytes of the same table as CSV.
MAX_XML_BYTES = 256 * MIB
# Everything decompressed from one archive.
MAX_TOTAL_BYTES = 512 * MIB
# Entries in one archive (a bundle has at most 8 files; an .xlsx some 20 parts per sheet).
MAX_ARCHIVE_ENTRIES = 1_000
# settings.json: a handful of keys.
MAX_SETTINGS_BYTES = 1 * MIB
# Chunk size of streamed reads.
READ_CHUNK = 1 * MIB

# ---- tables ----------------------------------------------------------------------------------
# Data rows per table: a 50,000-client bundle (the largest the benchmarks plan for: 10 s, under
# 2 GB) has about 315,000 values rows with its usual 6 or 7 methods a client; 50,000 x 8 fit.
# At the cap (63,000 clients, 396,561 values rows) `solve --json` took 17 s and 1.2 GB at most
# on 2 shared cores. The model's cap (MAX_MODEL_UNITS) still bounds what is solved.
MAX_ROWS = 400_000
# Columns per table: methods and clients have one column per pool (plus a few).
MAX_COLUMNS = 500
# Characters in one cell (names and notes are short; Python's csv module stops at 131,072).
MAX_CELL_CHARS = 100_000

# ---- the model -------------------------------------------------------------------------------
# Units of one method for one client (the method's max_units or the cell's own). Every unit
# is one column of the model, worth decay^(k-1) of the first.
MAX_UNITS_PER_CELL = 1_000
# Unit columns of the whole model (the sum of every offered cell's max_units). 10,000 clients
# with 118,000 columns solve in under a second with 240 MB; 1,000,000 columns (20,000 clients
# x 10 methods x 5 units) took 42 s and 800 MB on 2 shared cores, for every session at once.
MAX_MODEL_UNITS = 1_000_000
# Magnitude of any number of the bundle (values, capacities, use per unit, weights). The
# solver computes with doubles (15-16 significant digits) and treats 1e20 as infinity: past
# 1e12 a plan's sums lose their decimals, then whole units, and the checks of the plan lose
# their meaning.
MAX_MAGNITUDE = 1e12

# ---- reasons ---------------------------------------------------------------------------------
# Needed values confirmed by re-solves (optimizer/solve.py, docs/model.md). `needed="auto"` (every
# solve the page and the analyses make) searches them when the continuous max-value model has at
# most NEEDED_EXACT_UP_TO_COLUMNS columns (about 250 clients), and stops after
# NEEDED_AUTO_RESOLVES re-solves or NEEDED_AUTO_SECONDS, whichever comes first; `needed="exact"`
# after NEEDED_EXACT_SECONDS. Cells not reached keep their bound or estimate, labelled as such.
NEEDED_EXACT_UP_TO_COLUMNS = 3_000
NEEDED_AUTO_RESOLVES = 1_000
NEEDED_AUTO_SECONDS = 1.0
NEEDED_EXACT_SECONDS = 10.0

# ---- the change-point walk -------------------------------------------------------------------
# Rows of the model up to which a sweep finds its change points by walking the optimal basis
# (optimizer/analysis/frontier.py). The walk keeps B^-1 dense: rows^2 doubles and rows^2 work a
# pivot (197 rows at 2,000 clients: 0.3 MB; 1,913 at 20,000: 28 MB; 4,878 at 50,000: 190 MB),
# and the larger models take more pivots a change point. Measured (docs/analysis.md): a change
# point cost the walk 68 ms against 419 ms by re-solves at 20,000 clients, 228 against 265 ms at
# 25,000 (2,405 rows), 899 against 335 ms at 30,000 (2,919 rows). Past the limit the search is
# by re-solves, and the sweep's notes say why.
MAX_WALK_ROWS = 2_000
