# Sentinel: `make up` runs Sentinel with its whole local stack; `make test` runs every test tier.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

include stack/stack.env
# Sentinel's own settings for the local stack; anything already in the environment wins.
export SENTINEL_KAFKA_BROKERS ?= 127.0.0.1:$(KAFKA_PORT)
export SENTINEL_SCHEMA_REGISTRY_URL ?= http://127.0.0.1:$(REGISTRY_PORT)/apis/ccompat/v7
export SENTINEL_DATABASE_URL ?= postgres://postgres@127.0.0.1:$(POSTGRES_PORT)/sentinel
export SENTINEL_HTTP_PORT ?= $(SENTINEL_PORT)
export SENTINEL_KUBECONFIG ?= $(CURDIR)/.stack/kubeconfig
export SENTINEL_PROMETHEUS_URL ?= http://127.0.0.1:$(PROMETHEUS_PORT)
# A fixed key for local tokens (`sentinel token`); never used when an OIDC issuer is configured.
ifndef SENTINEL_AUTH_JWKS_URL
export SENTINEL_AUTH_SIGNING_KEY ?= sentinel-local-development-signing-key-do-not-use-in-production
endif

# V8's old-space ceiling for `make up` (MB). Without one V8 lets garbage pile up to hundreds of MB
# before collecting it (peak RSS 340 MB in bench/workloads, 214 MB with 256). Raise it for large
# fleets: the command processor keeps the idempotency window's processed command ids in memory.
export SENTINEL_MAX_HEAP_MB ?= 256

# --forceExit on the tiers with network clients: a failed test must end the run red, not hang it
# on a client it never got to close.
JEST := node_modules/.bin/jest $(if $(CI),--ci,)
TEST_RESULTS := .stack/test-results

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

node_modules/.installed: package.json package-lock.json
	@echo "installing npm dependencies (npm ci)"
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: install
install: node_modules/.installed ## install npm dependencies

.PHONY: build
build: install ## compile TypeScript to dist/
	node_modules/.bin/tsc -p tsconfig.build.json

.PHONY: stack stack-down stack-status
stack: ## start the local stack (Postgres, Prometheus, Kafka, schema registry, two Kubernetes clusters); idempotent
	stack/stack.sh up
stack-down: ## stop every stack process this checkout started
	stack/stack.sh down
stack-status: ## print each stack service with version, port, health
	stack/stack.sh status

.PHONY: migrate
migrate: build ## apply Postgres migrations to SENTINEL_DATABASE_URL
	node dist/cli/main.js migrate

.PHONY: up
up: build stack migrate ## start the stack, migrate, run Sentinel in the foreground on :$(SENTINEL_PORT)
	@echo "Sentinel on http://127.0.0.1:$(SENTINEL_HTTP_PORT) (readiness: /readyz, API document: /openapi.json); Ctrl-C stops it"
	exec node --max-old-space-size=$(SENTINEL_MAX_HEAP_MB) dist/main.js

.PHONY: codegen fixtures
codegen: build ## regenerate src/domain/<context>/contracts.generated.ts from schemas/avro
	node dist/cli/main.js schemas codegen
fixtures: build ## create golden fixtures for new schema versions (never rewrites one)
	node dist/cli/main.js schemas fixtures

.PHONY: lint typecheck format
lint: install ## ESLint (including layering rules) and formatting check
	node_modules/.bin/eslint . --max-warnings 0
	node_modules/.bin/prettier --check . --log-level warn
typecheck: install
	node_modules/.bin/tsc -p tsconfig.json --noEmit
format: install
	node_modules/.bin/prettier --write . --log-level warn

.PHONY: test test-unit test-int test-e2e
# A Python environment with stock Kafka/Avro/CloudEvents clients, for the interoperability test.
INTEROP_PY := .stack/interop-venv/bin/python
$(INTEROP_PY): test/interop/requirements.txt
	python3 -m venv .stack/interop-venv
	.stack/interop-venv/bin/pip install --quiet --disable-pip-version-check -r test/interop/requirements.txt
	@touch $@

test: install stack $(INTEROP_PY) ## everything: lint, types, unit, integration and end-to-end tests
	@rm -rf $(TEST_RESULTS) && mkdir -p $(TEST_RESULTS)
	$(MAKE) --no-print-directory lint typecheck build
	$(MAKE) --no-print-directory test-unit test-int test-e2e
	@node scripts/test-summary.js $(TEST_RESULTS)
test-unit: install
	$(JEST) --selectProjects unit --json --outputFile=$(TEST_RESULTS)/unit.json
test-int: install
	$(JEST) --selectProjects int --runInBand --forceExit --json --outputFile=$(TEST_RESULTS)/int.json
test-e2e: install build $(INTEROP_PY)
	$(JEST) --selectProjects e2e --runInBand --forceExit --json --outputFile=$(TEST_RESULTS)/e2e.json

.PHONY: bench
bench: install build stack migrate ## benchmarks against the local stack, each printing a table with its ceilings
	node_modules/.bin/tsc -p tsconfig.bench.json
	node .stack/bench-build/bench/aggregate-rebuild.js
	node .stack/bench-build/bench/kafkajs-versions.js
	node .stack/bench-build/bench/workloads.js
	node .stack/bench-build/bench/command-throughput.js
	node .stack/bench-build/bench/policy-decisions.js
	node .stack/bench-build/bench/audit-as-of.js
	node .stack/bench-build/bench/audit-verify.js
