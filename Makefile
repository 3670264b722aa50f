# `make demo` and `make test` each build .venv from nothing, install spinpair, and run.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test docs lint bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,dask]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/spinpair reproduce --out results
	@echo "open results/report.html"

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests benchmarks docs/figures
	$(BIN)/python -m pytest src tests

docs: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[docs]'
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) results site .pytest_cache
