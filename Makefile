# One command to run the app with demo data, one to run every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Exact versions with hashes, made from pyproject.toml by `make lock`; installs use nothing else.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
export FLASK_APP := tracker

.PHONY: run test lint install install-dev lock clean translations

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Every dependency from the lock, hash-checked; then the project itself without dependencies,
# built by the locked setuptools (no isolated build, which would fetch an unpinned one).
$(VENV)/.installed: $(LOCK) pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --require-hashes -r $(LOCK)
	$(BIN)/pip install --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: $(DEV_LOCK) $(LOCK) pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --require-hashes -r $(DEV_LOCK)
	$(BIN)/pip install --no-deps --no-build-isolation -e .
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port 5000

lint: install-dev
	$(BIN)/ruff check .

# tests/test_lock.py fails while the locks and pyproject.toml disagree.
test: lint
	$(BIN)/pytest

# Re-resolve the locks from pyproject.toml for Python 3.11 on Linux, keeping every pin that
# still fits; `make lock UPGRADE=1` moves every package to its newest allowed release.
# The dev lock is constrained by the runtime one, so tests run on the versions deployed.
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --build-deps-for=editable --no-emit-index-url \
	--no-emit-find-links $(if $(UPGRADE),--upgrade)

lock: install-dev
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
		|| { echo "make lock: the locks are for Python 3.11; run with PYTHON=python3.11" >&2; exit 1; }
	$(PIP_COMPILE) --output-file=$(LOCK) pyproject.toml
	$(PIP_COMPILE) --extra=dev --constraint=$(LOCK) --output-file=$(DEV_LOCK) pyproject.toml

# Re-extract the messages, merge them into the catalogues, compile (.po and .mo are committed).
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-wrap --sort-by-file \
		--project "Mobility plan tracker" -o tracker/translations/messages.pot .
	$(BIN)/pybabel update -i tracker/translations/messages.pot -d tracker/translations --no-wrap
	$(BIN)/pybabel compile -d tracker/translations --statistics

clean:
	rm -rf $(VENV) instance .pytest_cache
