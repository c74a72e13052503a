# The README's two commands: `make demo` (set up, then the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test browser
setup: $(VENV)/installed.stamp

$(VENV)/installed.stamp: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: setup
	$(BIN)/wordsnums demo

# The browser test drives Debian's Chromium; as root on Debian it is installed here, without questions.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
		else \
			echo "No /usr/bin/chromium: the browser test will be skipped (install Debian's chromium package)."; \
		fi; \
	fi

test: setup browser
	$(BIN)/python -m pytest -n 2
