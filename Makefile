# The README's two commands: `make demo` (set up, then the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test
setup: $(VENV)/installed.stamp

$(VENV)/installed.stamp: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: setup
	$(BIN)/wordsnums demo

test: setup
	$(BIN)/python -m pytest -n 2
