# Yakist — two commands for newcomers: `make demo` and `make test`.
SHELL := /bin/bash
# The distribution's Python 3.11 when it can make a venv: Debian and Ubuntu build it with PGO
# and LTO (about a quarter faster than a default pyenv build), which `make demo` feels.
PYTHON ?= $(firstword $(foreach p,/usr/bin/python3.11 python3.11,$(if $(shell $(p) -c "import ensurepip, venv" 2>/dev/null && echo ok),$(p))) python3.11)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := $(shell sed -n 's/^uv==\([^ ]*\).*/\1/p' requirements-dev.lock)
export YAKIST_VAR_DIR ?= $(CURDIR)/var
# Python caches bytecode in .venv even where the environment forbids it (common in containers):
# otherwise every `yakist` command recompiles Django and the project, about a second each time.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test test-sqlite test-postgres lint format bench browser messages clean venv

# No pip inside the venv (ensurepip costs seconds of `make demo`): uv installs everything, and
# uv itself comes from the interpreter's own pip (`pip --python`), else from a pip bootstrapped
# into the venv where the interpreter has none.
$(BIN)/python:
	$(PYTHON) -m venv --without-pip $(VENV)

# Installs exactly the locked versions (hash-checked), then the project itself. The demo needs
# only what runs in production (requirements.lock); tests and tools add requirements-dev.lock.
# From uv's cache alone first (a warm cache then costs no index round trips, about 5 s of
# `make demo`); only when the cache lacks a locked file does uv ask the index.
$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	@$(PYTHON) -m pip --python $(BIN)/python install --quiet --disable-pip-version-check \
	  "uv==$(UV_VERSION)" 2>/dev/null || { $(BIN)/python -m ensurepip --default-pip >/dev/null \
	  && $(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"; }
	$(BIN)/uv pip install --offline --quiet --python $(BIN)/python --require-hashes \
	  -r requirements.lock 2>/dev/null || \
	  $(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes -r requirements.lock
	$(BIN)/uv pip install --offline --quiet --python $(BIN)/python --no-deps -e . 2>/dev/null || \
	  $(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes -r requirements-dev.lock
	touch $@

venv: $(VENV)/.installed-dev

# Next to the server: the case-projection worker, a live sender of signed demo events, and the
# methodology (earlier quarters once, then a refresh of what new events touched every minute),
# so the dashboards move; all stop with the server. They start once the server answers, so the
# first page does not wait for four processes starting at once on two cores. DEMO_BIND: another
# address (bench/demo).
DEMO_BIND ?= 127.0.0.1:8000
export DEMO_BIND
demo: $(VENV)/.installed
	@mkdir -p var
	YAKIST_DEMO=1 $(BIN)/yakist demo
	@export YAKIST_DEMO=1; \
	up() { until (exec 3<>/dev/tcp/$${DEMO_BIND%:*}/$${DEMO_BIND##*:} && \
	  printf 'GET /healthz HTTP/1.0\r\nHost: %s\r\n\r\n' "$${DEMO_BIND%:*}" >&3 && \
	  head -c 12 <&3 | grep -q 200) 2>/dev/null; do sleep 0.3; done; }; \
	(up; exec $(BIN)/yakist events work --quiet) & worker=$$!; \
	(up; exec $(BIN)/yakist demo live --url http://$(DEMO_BIND) --quiet) & live=$$!; \
	(up; $(BIN)/yakist indicators backfill --quarters 4 >/dev/null; \
	 exec $(BIN)/yakist indicators refresh --every 60 >/dev/null) & indicators=$$!; \
	trap 'kill $$worker $$live $$indicators 2>/dev/null; wait $$worker $$live $$indicators 2>/dev/null' EXIT INT TERM; \
	$(BIN)/yakist serve --bind $(DEMO_BIND)

# The whole suite on SQLite, then on PostgreSQL when DATABASE_URL is set.
test: $(VENV)/.installed-dev browser
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "DATABASE_URL не задано: прогін на PostgreSQL пропущено (CI його задає)."; fi

test-sqlite:
	env -u DATABASE_URL $(BIN)/pytest -n 2 -p no:cacheprovider

test-postgres:
	$(BIN)/pytest -n 2 -p no:cacheprovider

# Browser tests drive Debian's Chromium; install it when missing (needs root, as in CI).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Встановлюю Debian chromium для браузерних тестів…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	fi

# Style, complexity, sizes, and the layers and model boundaries of docs/architecture.md.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python tools/sizes.py
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

messages: $(VENV)/.installed
	cd yakist && YAKIST_DEBUG=1 ../$(BIN)/yakist makemessages -l en --no-obsolete && YAKIST_DEBUG=1 ../$(BIN)/yakist compilemessages -l en

clean:
	rm -rf var .pytest_cache
