# The two commands a newcomer runs: `make run` (the whole stack) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
PYTEST_ARGS ?=
BENCH ?=
# System tools the tests use: promtool (Debian's prometheus) checks /metrics, chromium drives pages.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends

.PHONY: install run test bench tools check demo

$(INSTALLED): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(INSTALLED)

install: $(INSTALLED)

# The built-in base model is built once (about five minutes on 2 cores), then reused.
run: $(INSTALLED)
	$(PY) manage.py migrate --noinput
	$(PY) -m core.embedded_redis run -- $(PY) manage.py bootstrap_model --if-missing
	$(PY) manage.py runstack

tools:
	@missing=""; \
	command -v promtool >/dev/null || missing="$$missing prometheus"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(APT_INSTALL) $$missing >/dev/null; \
	fi

# With no REDIS_URL, the suite gets a private Redis for its run; with DATABASE_URL / REDIS_URL it uses those.
test: $(INSTALLED) tools
	$(PY) -m core.embedded_redis run -- $(PY) -m pytest $(PYTEST_ARGS)

bench: $(INSTALLED)
	$(PY) -m core.embedded_redis run -- $(PY) bench/run.py $(BENCH)

# The learning curve on the built-in model (built first if missing): five cycles back to back, the table, the
# plot in var/learning_curve.png and the JSON summary on the last line.
demo: $(INSTALLED)
	$(PY) manage.py migrate --noinput -v0
	$(PY) -m core.embedded_redis run -- $(PY) manage.py bootstrap_model --if-missing
	$(PY) -m core.embedded_redis run -- $(PY) manage.py learning_curve --cycles 5 --fresh-items 500 --plot var/learning_curve.png --json

# The static checks CI runs before the suite: one formatting style and lint (ruff), types (mypy with Django's and
# DRF's plugins), the import layers and the purity of the ML packages (import-linter, .importlinter), Django's own
# checks and no model change without its migration.
check: $(INSTALLED)
	$(VENV)/bin/ruff format --check --quiet .
	$(VENV)/bin/ruff check --quiet .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
