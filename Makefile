# `make run` starts the dashboard on the sample data; `make test` runs the whole test suite.
# Both create or refresh .venv first, so a fresh checkout needs nothing else.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
APP_STAMP  := $(VENV)/.installed-app
DEV_STAMP  := $(VENV)/.installed-dev

.PHONY: run test venv bench clean

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

run: $(APP_STAMP)
	$(VENV)/bin/streamlit run dashboard.py

test: $(DEV_STAMP)
	$(PY) -m pytest

bench: $(DEV_STAMP)
	$(PY) benchmarks/bench_engine.py
	$(PY) benchmarks/bench_analysis.py
	$(PY) benchmarks/bench_dashboard.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis tests/artifacts
