# `make run` starts the dashboard on the sample data; `make test` runs the whole test suite;
# `make lint` runs the linter, the format check and the type checker.
# All create or refresh .venv first, so a fresh checkout needs nothing else.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
APP_STAMP  := $(VENV)/.installed-app
DEV_STAMP  := $(VENV)/.installed-dev

.PHONY: run serve test lint venv bench clean

# A venv whose interpreter no longer runs (moved, Python upgraded) is rebuilt.
$(PY):
	@$(PY) -c "import sys" 2>/dev/null || (rm -rf $(VENV) && $(PYTHON) -m venv $(VENV))
	@$(PY) -m pip install -q --upgrade pip

$(APP_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@ $(APP_STAMP)

venv: $(APP_STAMP)

# `make run BUNDLE=path/to/bundle` opens the dashboard on that bundle (folder, .xlsx or .zip).
run: $(APP_STAMP)
	$(VENV)/bin/streamlit run dashboard.py $(if $(BUNDLE),-- "$(BUNDLE)")

# `make serve DB=postgresql+psycopg://planner@db.example/risk_planner`: the dashboard for a team
# (docs/team.md): sign-in settings from SECRETS, the shared plan and the members in DB
# (default $RISK_PLANNER_DB), on HOST:PORT.
DB      ?= $(RISK_PLANNER_DB)
SECRETS ?= .streamlit/secrets.toml
HOST    ?= 0.0.0.0
PORT    ?= 8501
serve: $(APP_STAMP)
	@test -n "$(DB)" || { echo "make serve: say where the team's database is: DB=URL (or RISK_PLANNER_DB)"; exit 2; }
	@test -f "$(SECRETS)" || { echo "make serve: no sign-in settings in $(SECRETS) (see docs/secrets.example.toml)"; exit 2; }
	RISK_PLANNER_DB="$(DB)" $(VENV)/bin/streamlit run dashboard.py --server.address "$(HOST)" \
		--server.port "$(PORT)" --secrets.files "$(SECRETS)"

# One worker per core (pytest-xdist).
test: $(DEV_STAMP)
	$(PY) -m pytest -n auto

# Every check runs, so one pass shows every finding; it fails if any of them fails.
# compileall parses with the venv's Python 3.11: neither ruff nor mypy rejects newer syntax
# (such as f"{d["key"]}", valid from 3.12 on).
LINT_PATHS := optimizer ui dashboard.py tests benchmarks scripts
lint: $(DEV_STAMP)
	@status=0; \
	echo "$(PY) -m compileall -q $(LINT_PATHS)"; \
	$(PY) -m compileall -q $(LINT_PATHS) || status=1; \
	echo "$(PY) -m ruff check ."; $(PY) -m ruff check . || status=1; \
	echo "$(PY) -m ruff format --check ."; $(PY) -m ruff format --check . || status=1; \
	echo "$(PY) -m mypy"; $(PY) -m mypy || status=1; \
	exit $$status

bench: $(DEV_STAMP)
	$(PY) benchmarks/bench_engine.py
	$(PY) benchmarks/bench_analysis.py
	$(PY) benchmarks/bench_dashboard.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache .mypy_cache tests/artifacts
