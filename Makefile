# The two commands: `make run` and `make test`. Both set everything up first and skip what is done:
# the venv is keyed on requirements.lock, the model on its training inputs (scripts/*.sh).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Local settings (see .env.example) are exported to every command.
ifneq (,$(wildcard .env))
include .env
export
endif

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup system venv db model run test lint typecheck validate unit conversation nlu-gate stories reliability eval bench lock clean

help:
	@echo "make run    set up (venv, database, model) and start the assistant"
	@echo "make test   set up, then lint, types, rasa data validate, unit tests, the NLU gate, conversation tests"
	@echo "make reliability   the reliability and security suite, with its summary table"
	@echo "make eval   measure the model on the held-out NLU set (figures and charts in var/eval)"
	@echo "make bench  print benchmark figures (dates vs dateparser, NLU inspector, flow actions, channels, serving vs stock Rasa)"
	@echo "make lock   re-resolve requirements.in into requirements.lock"

venv:
	@scripts/ensure-venv.sh

db: venv
	@$(PY) -m bot.cli db-setup

model: venv
	@scripts/train-if-changed.sh >/dev/null

# The web chat widget's bundle (var/widget/widget.js, served by the portal), rebuilt when its sources change.
.PHONY: widget
widget:
	@scripts/build-widget.sh >/dev/null

setup: venv db model widget

system:
	@scripts/ensure-system-packages.sh

run: setup
	@$(PY) -m bot.cli run --model "$$(scripts/train-if-changed.sh)"

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

validate: venv
	@mkdir -p var
	$(PY) -m bot.cli check-domain
	$(BIN)/rasa data validate --domain domain --data data --config config.yml --fail-on-warnings \
		>var/validate.log 2>&1 || { cat var/validate.log; exit 1; }
	@echo "rasa data validate: ok"

unit: venv
	$(BIN)/pytest tests/unit -q

conversation: venv model
	RASA_MODEL="$$(scripts/train-if-changed.sh)" $(BIN)/pytest tests/conversation -q

# The understanding gate: macro-F1 >= 0.90 per language on the held-out set (tests/nlu/).
nlu-gate: venv model
	RASA_MODEL="$$(scripts/train-if-changed.sh)" $(BIN)/pytest tests/nlu -q

# Test stories: each message understood and routed to the right action (tests/stories/).
stories: venv model
	@mkdir -p var
	$(BIN)/rasa test core --model "$$(scripts/train-if-changed.sh)" --stories tests/stories \
		--fail-on-prediction-errors --out var/stories >var/stories.log 2>&1 || { tail -60 var/stories.log; exit 1; }
	@echo "rasa test stories: ok"

# The reliability and security suite: load, faults, bad input, access, privacy, dependency audit; prints
# a summary table (also in var/reliability/summary.md).
reliability: venv model
	RASA_MODEL="$$(scripts/train-if-changed.sh)" $(BIN)/pytest tests/reliability -q

eval: venv model
	$(PY) -m bench.nlu_eval --model "$$(scripts/train-if-changed.sh)"

test: system setup lint typecheck validate unit nlu-gate stories conversation reliability

# Benchmarks print figures; they never fail the build.
bench: venv
	$(PY) -m bench.dates
	$(PY) -m bench.message_inspector
	$(PY) -m bench.flow_actions
	$(PY) -m bench.channels
	$(PY) -m bench.serving

lock: venv
	$(BIN)/uv pip compile requirements.in --python-version 3.10 -o requirements.lock

clean:
	rm -rf var models .pytest_cache .mypy_cache .ruff_cache
