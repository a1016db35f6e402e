# Greenroom: `make run` serves the demo on SQLite, `make test` runs the whole suite.
# Both create .venv with the first Python >= 3.12 found and install the project into it.

PYTHON_CANDIDATES := python3.14 python3.13 python3.12 \
	$(shell ls -d $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) \
	$(wildcard /usr/local/bin/python3.1[2-9]) python3
PYTHON ?= $(firstword $(foreach candidate,$(PYTHON_CANDIDATES),$(shell \
	$(candidate) -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	&& echo $(candidate))))
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test lint migrations-check install clean

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Greenroom needs Python 3.12 or newer; none was found." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST)

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache *.egg-info
