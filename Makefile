# `make test` and `make demo` work on a fresh machine: they build .venv from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The Debian packages the tests need; `make test PACKAGES=other-list` checks another list.
PACKAGES ?= .ci/apt-packages

.PHONY: test packages lint unit demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The third-party application the tests install (tests/plugins/roster-jsonl) goes into a
# folder of its own that only the tests put on their path (pyproject's pytest pythonpath),
# so the gallery of `make demo` and of a district's passport shows passport's own
# applications only.
PLUGINS := $(VENV)/test-plugins
PLUGIN_FILES := $(shell find tests/plugins/roster-jsonl -name '*.py' -o -name '*.json' -o -name pyproject.toml)
$(PLUGINS)/.installed: $(STAMP) $(PLUGIN_FILES)
	rm -rf $(PLUGINS)
	$(BIN)/pip install --quiet --no-deps --target $(PLUGINS) tests/plugins/roster-jsonl
	rm -rf tests/plugins/roster-jsonl/build
	touch $@

test: packages lint unit

# First, so a machine without them stops at once with the command to run (or installs them).
packages:
	@.ci/check-packages $(PACKAGES)

lint: $(STAMP)
	$(BIN)/ruff check passport tests bench
	$(BIN)/ruff format --check passport tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

unit: $(STAMP) $(PLUGINS)/.installed packages
	$(BIN)/pytest -q

# The main job on the embedded default: the sample district, a SQLite store, CSV bundles.
demo: $(STAMP)
	$(BIN)/passport sample
	$(BIN)/passport validate
	$(BIN)/passport plan sample-sis --limit 3
	$(BIN)/passport apply sample-sis --yes --limit 3
	$(BIN)/passport plan sample-sis --detailed-exitcode
	$(BIN)/passport apply sample-lms --yes --limit 3
	$(BIN)/passport history

clean:
	rm -rf $(VENV) .passport build *.egg-info
