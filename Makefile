# `make demo` and `make test` each build .venv from nothing, install spinpair, and run.
# make demo       installs spinpair alone (no test, Dask or docs tools: `reproduce` needs
#                 none of them) and writes the paper's figures and report into results/
# make test       ruff (lint + format check) and every test not marked slow (a few minutes)
# make test-slow  the tests marked slow (pyproject.toml [tool.pytest.ini_options] markers)
# make durations  the fast suite's longest tests (the slow marker is set by measured time)
# make check      everything CI runs: the docs build, the slow tests, make demo, then make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST := $(BIN)/python -m pytest

.PHONY: demo test test-slow durations check docs lint bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# two markers: the demo's plain install, and the test tools on top of it (`make test`
# after `make demo` still installs them; `make demo` after `make test` installs nothing)
$(VENV)/.installed-demo: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,dask]'
	touch $@ $(VENV)/.installed-demo

demo: $(VENV)/.installed-demo
	$(BIN)/spinpair reproduce --out results
	@echo "open results/report.html"

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests benchmarks docs/figures
	$(BIN)/mypy
	$(PYTEST) src tests -m "not slow"

test-slow: $(VENV)/.installed
	$(PYTEST) src tests -m slow

# the slow marker is set by measured time: a test whose call or setup takes more than 4 s
# on an idle 2-core machine is marked slow, so that `make test` stays under 3 minutes;
# this lists the fast suite's 25 longest (run it idle before moving a test either way)
durations: $(VENV)/.installed
	$(PYTEST) src tests -m "not slow" -q --durations=25

check: $(VENV)/.installed
	$(MAKE) docs
	$(MAKE) test-slow
	$(MAKE) demo
	$(MAKE) test

docs: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[docs]'
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) results test-artifacts site .pytest_cache
