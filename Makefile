# The README's two commands: `make demo` (set up, then the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test system
setup: $(VENV)/installed.stamp

$(VENV)/installed.stamp: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: setup system
	$(BIN)/wordsnums demo

# Debian packages the kit uses beyond Python: bubblewrap, the sandbox of every grading kernel, and
# Chromium for the browser test. As root on Debian they are installed here, without questions.
# `make demo` needs only bubblewrap; `make test` both.
demo: SYSTEM_PACKAGES := bubblewrap
test: SYSTEM_PACKAGES := bubblewrap chromium
system:
	@missing=""; \
	for package in $(SYSTEM_PACKAGES); do \
		case $$package in bubblewrap) program=bwrap;; *) program=$$package;; esac; \
		command -v $$program >/dev/null || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
		else \
			echo "Missing Debian packages:$$missing. Install them as root (apt-get install$$missing):"; \
			echo "without bubblewrap grading refuses to run students' code, without chromium the browser test is skipped."; \
		fi; \
	fi

test: setup system
	$(BIN)/python -m pytest -n 2
