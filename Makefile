# Two commands on a fresh clone: `make demo` (the main job on embedded defaults) and `make test`.
# Both create the virtual environment on first use and reinstall when pyproject.toml or
# constraints.txt (every dependency pinned) changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test lint bench sandbox constraints clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/resourcebot demo

test: setup
	$(BIN)/python -m pytest -q

# Lint, format check and types (strict for bot/domain, store, providers, usecases: see pyproject.toml).
lint: setup
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench
	$(BIN)/mypy

# The benchmarks of bench/README.md, one after another (~2½ min; run nothing else meanwhile): one table.
bench: setup
	$(BIN)/python -m bench

sandbox: setup
	$(BIN)/resourcebot sandbox

# After adding or upgrading a dependency in pyproject.toml: install it (unpinned), then pin
# everything now installed, the project itself left out.
constraints:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	{ sed -n '/^#/p;/^[^#]/q' constraints.txt; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -viE '^resourcebot( |=|@)'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
