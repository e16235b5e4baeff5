# Every target installs what it needs itself (make tools is idempotent and cached).
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: all tools test lint fmt demo

all: test

## tools: the project's Python virtualenv (.venv) with the pinned local stack (moto) and cfn-lint
tools:
	@infra/scripts/tools.sh

## test: every test — unit, property, contract (fake and DynamoDB on moto), integration
test: tools
	infra/scripts/with-stack.sh $(CARGO) test --workspace

## lint: rustfmt, clippy with warnings denied, cfn-lint on template.yaml
lint: tools
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	.venv/bin/cfn-lint template.yaml

fmt:
	$(CARGO) fmt --all

## demo: the whole system locally, end to end; starts and stops everything itself
demo: tools
	$(CARGO) run -q -p moralectl -- demo
