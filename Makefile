# Two commands on a fresh clone: `make demo` (the main job on embedded defaults) and `make test`.
# Both create the virtual environment on first use and reinstall when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test bench sandbox clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/resourcebot demo

test: setup
	$(BIN)/python -m pytest -q

# The benchmarks of bench/README.md, one after another (~2½ min; run nothing else meanwhile): one table.
bench: setup
	$(BIN)/python -m bench

sandbox: setup
	$(BIN)/resourcebot sandbox

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
