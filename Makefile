# Greenroom: `make run` serves the demo on SQLite, `make test` runs the whole suite.
# Both create .venv with the first Python >= 3.12 found and install the project into it, with
# exactly the dependency versions (and hashes) in requirements.lock: what CI tests and audits.

PYTHON_CANDIDATES := python3.14 python3.13 python3.12 \
	$(shell ls -d $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) \
	$(wildcard /usr/local/bin/python3.1[2-9]) python3
PYTHON ?= $(firstword $(foreach candidate,$(PYTHON_CANDIDATES),$(shell \
	$(candidate) -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	&& echo $(candidate))))
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
LOCK := requirements.lock
AUDITED_CODE := config core events speakers agenda tickets privacy accounts notices webhooks web

.PHONY: run test lint migrations-check upgrade-check deploy-check cluster-check audit lock install clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Greenroom needs Python 3.12 or newer; none was found." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# The lock brings every dependency; the project itself is added without resolving any more.
# `pip check` fails if pyproject.toml asks for something the lock lacks (run `make lock`).
$(BIN)/.installed: $(BIN)/python pyproject.toml $(LOCK)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	@touch $@

install: $(BIN)/.installed

# Without STRIPE_SECRET_KEY, config/rundev.py runs a local Stripe (localstripe) beside the site,
# with test keys and the webhook registered, and stops it when the site stops.
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	$(BIN)/python -m config.rundev $(HOST)

test: install
	$(BIN)/python -m pytest

# ruff, and the layer contracts between our apps (pyproject.toml, [tool.importlinter]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# Migrations apply to a PostgreSQL database made by an earlier commit, losing no row
# (.ci/check_upgrade.py; needs PostgreSQL, see DATABASE_URL).
upgrade-check: install
	$(BIN)/python .ci/check_upgrade.py

# Django's deployment checks on the production settings, with a throwaway key; any warning fails.
deploy-check: install
	DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	ALLOWED_HOSTS=greenroom.example \
	$(BIN)/python manage.py check --deploy --fail-level WARNING \
		--settings=config.settings.production

# deploy/ on one machine: PgBouncer, two app servers behind HAProxy, two Celery workers and beat,
# on 127.0.0.1:18700-18799, proven under a flash sale and killed processes
# (deploy/cluster_check.py; needs PostgreSQL, Redis, haproxy and pgbouncer). SIZE=small: 200 seats.
SIZE ?= full
cluster-check: install
	$(BIN)/python deploy/cluster_check.py --size $(SIZE)

# Known vulnerabilities in the locked dependencies; security lint of our code (any finding fails;
# accepted ones carry `# nosec BXXX` and are listed in the README).
audit: install
	$(BIN)/python .ci/audit_dependencies.py $(LOCK)
	$(BIN)/bandit --quiet -c pyproject.toml -r $(AUDITED_CODE)

# Re-resolve requirements.lock from pyproject.toml (newest versions allowed, with hashes).
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --upgrade --allow-unsafe \
		--extra dev --strip-extras --generate-hashes --no-emit-index-url --no-emit-find-links \
		--output-file $(LOCK) pyproject.toml

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache *.egg-info
