# examgen — `make run` and `make test` work on a fresh Debian machine.
VENV    ?= .venv
PY      := $(VENV)/bin/python
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RUNTIME := $(VENV)/.runtime-installed
DEV     := $(VENV)/.dev-installed
PYTEST_ARGS ?=

.PHONY: run test lint format bench accept screenshots browser clean help

help:
	@echo "make run | test | lint | format | bench | accept | screenshots | clean"

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

test: $(DEV) browser
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(DEV)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(DEV)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(DEV) browser
	$(PY) -m bench.publish

screenshots: $(DEV) browser
	$(PY) scripts/screenshots.py

accept: $(DEV) browser
	$(PY) ../shared/acceptance/accept.py --python $(PY) all

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
