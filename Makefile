# The README's two commands: `make demo` (set up, then the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test system hub
setup: $(VENV)/installed.stamp

$(VENV)/installed.stamp: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@# an editable install leaves out pyproject's data-files: put the kit's Jupyter server config where a wheel does
	install -D -m 644 utils/grading/jupyter_server_config.d/words_and_numbers.json \
		$(VENV)/etc/jupyter/jupyter_server_config.d/words_and_numbers.json
	touch $@

demo: setup system
	$(BIN)/wordsnums demo

# Debian packages the kit uses beyond Python: bubblewrap, the sandbox of every grading kernel; for the
# tests, Chromium (browser tests), PostgreSQL (the gradebook on a server) and python3-venv (the hub's
# environment). As root on Debian they are installed here, without questions. `make demo` needs only
# bubblewrap.
demo: SYSTEM_PACKAGES := bubblewrap
test: SYSTEM_PACKAGES := bubblewrap chromium postgresql python3-venv
system:
	@missing=""; \
	for package in $(SYSTEM_PACKAGES); do \
		if command -v dpkg >/dev/null; then dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; \
		else command -v $$package >/dev/null || missing="$$missing $$package"; fi; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
		else \
			echo "Missing Debian packages:$$missing. Install them as root (apt-get install$$missing):"; \
			echo "without bubblewrap grading refuses to run students' code; without the others their tests are skipped."; \
		fi; \
	fi

# The hub test's environment, as root: a venv of Debian's Python (pyenv's, under /root, is unreadable to
# other users) in a folder every user can read, with JupyterHub, its pure-Python proxy and the packages of
# the student image's base and requirements layers (the test runs the bundle's Dockerfile on it).
HUB := /opt/wordsnums-hub
hub: setup system
	@if [ "$$(id -u)" != 0 ]; then echo "Not root: the hub test is skipped (it makes Unix users)."; \
	elif [ ! -f $(HUB)/installed.stamp ] || [ pyproject.toml -nt $(HUB)/installed.stamp ]; then \
		echo "Building the hub test's environment in $(HUB) (about a minute)"; \
		rm -rf $(HUB) && /usr/bin/python3 -m venv $(HUB) && \
		$(BIN)/python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' > $(HUB)/kit-requirements.txt && \
		$(BIN)/python -c 'from utils.instructor import bundle; print("\n".join(bundle.requirements()))' > $(HUB)/image-requirements.txt && \
		$(HUB)/bin/python -m pip install --quiet --upgrade pip && \
		$(HUB)/bin/python -m pip install --quiet 'jupyterhub>=6.1,<7' 'configurable-http-proxy>=0.4' \
			-r $(HUB)/kit-requirements.txt -r $(HUB)/image-requirements.txt && \
		touch $(HUB)/installed.stamp; \
	fi

test: setup system hub
	$(BIN)/python -m pytest -n 2 --dist loadgroup
