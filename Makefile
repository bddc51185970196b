# lmsproxy — make help lists the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
FUZZTIME ?= 20s
# OpenAPI linters, pinned; run through npx from the npm registry.
SPECTRAL ?= npx --yes @stoplight/spectral-cli@6.16.3
REDOCLY  ?= npx --yes @redocly/cli@2.77.0
BENCHFLAGS ?= -duration 1s -runs 3 -concurrency 1,8,64,256 -rate half -connections 10,100,1000 -hold 3s -json bin/bench.json

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

.PHONY: run
run: ## run the proxy with the embedded upstream simulator and a dev token (no set-up)
	$(GO) run ./cmd/lmsproxy dev

.PHONY: test
test: ## run every test with the race detector
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

.PHONY: fuzz
fuzz: ## run each fuzz target for FUZZTIME (default 20s); not part of make test
	$(GO) test ./translate -run '^$$' -fuzz '^FuzzUpstreamError$$' -fuzztime $(FUZZTIME)
	$(GO) test ./translate -run '^$$' -fuzz '^FuzzCustomerDecode$$' -fuzztime $(FUZZTIME)
	$(GO) test ./translate -run '^$$' -fuzz '^FuzzParseQuery$$' -fuzztime $(FUZZTIME)

.PHONY: build
build: ## build bin/lmsproxy (static)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/lmsproxy ./cmd/lmsproxy

.PHONY: bench
bench: ## lmsproxy vs a bare reverse proxy: throughput, latency, CPU, memory (BENCHFLAGS=…)
	$(GO) build -o bin/lmsbench ./cmd/lmsbench
	bin/lmsbench $(BENCHFLAGS)

.PHONY: lint
lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

.PHONY: lint-openapi
lint-openapi: ## lint server/openapi.json with Spectral (spectral:oas) and Redocly (recommended-strict); needs node and npx
	$(SPECTRAL) lint --fail-severity=hint --ruleset .spectral.yaml server/openapi.json
	$(REDOCLY) lint --format=stylish server/openapi.json
