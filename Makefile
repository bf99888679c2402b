# Two entry points for a fresh machine (Python >= 3.12 and make):
#   make run    set up .venv from the lock file, then run the main job
#   make test   set up .venv from the lock file, then run the tests
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
ARGS   ?=

.PHONY: setup run app test test-slow test-all lint bench lock i18n clean
.DEFAULT_GOAL := run

# Any Python >= 3.12 will do: the first interpreter found on PATH (or under pyenv) that is new enough.
PYTHON ?= $(shell sh tools/find-python)

$(STAMP): requirements.lock pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: Python >= 3.12 not found (set PYTHON=/path/to/python3.12)" >&2; exit 2; }
	sh tools/setup $(PYTHON) $(VENV)
	@touch $(STAMP)

setup: $(STAMP)

# The main job: four scenarios x 30 replications, compared in report.html (its path is printed last).
# Extra overrides go in ARGS, e.g. make run ARGS="hydra/launcher=joblib".
run: $(STAMP)
	$(BIN)/parltwin experiment=reform_comparison $(ARGS)

# The scenario explorer in the browser, served on http://127.0.0.1:8501 only (ARGS="--port N").
app: $(STAMP)
	$(BIN)/parltwin-app $(ARGS)

# The tests run side by side on every core, at most 8 (pytest-xdist); TEST_WORKERS=0 runs them one
# by one in one process (e.g. to read a failure's output in order, or under a debugger).
TEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses 8

test: $(STAMP)
	$(PYTEST) -m "not slow" $(ARGS)

test-slow: $(STAMP)
	$(PYTEST) -m slow $(ARGS)

test-all: $(STAMP)
	$(PYTEST) $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python -m experiments.bench $(ARGS)

# Gather the messages, merge them into experiments/locale/{en,kk,ru} and compile the .mo files.
i18n: $(STAMP)
	$(PY) -m experiments.messages

lock:
	uv=$$(sh tools/setup --uv $(PYTHON) $(VENV)) && \
	$$uv pip compile pyproject.toml --extra dev --python-version 3.12 --universal -o requirements.lock

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache .ruff_cache
