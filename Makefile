# lambdakit — make targets. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
export PATH := $(CURDIR)/.tools/bin:$(PATH)

# Tools come from the Go module proxy at pinned versions, into .tools/.
STATICCHECK_VERSION := v0.8.2
STATICCHECK := .tools/bin/staticcheck

.PHONY: all test vet lint unit bench demo build emulator check-template fmt clean

all: test

## test: everything CI checks: gofmt, vet, the linter, the template checks and
## the whole suite under -race, integration tests included (they start the
## embedded emulator themselves; they never skip here).
test: fmt vet lint emulator check-template
	$(GO) test -race -count=1 -timeout 20m ./...

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

## lint: staticcheck on the Go code; py_compile (and pyflakes when installed)
## on the emulator launcher's Python.
lint: $(STATICCHECK)
	$(STATICCHECK) ./...
	@bash scripts/lint-python.sh

$(STATICCHECK):
	GOBIN=$(CURDIR)/.tools/bin GOFLAGS= $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

## emulator: make sure moto server (the embedded emulator) is installed.
emulator:
	@bash scripts/ensure-moto.sh

## check-template: cfn-lint and the offline SAM transform on template.yaml.
check-template:
	@bash scripts/check-template.sh

## bench: every benchmark, compared in one run.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./...

## demo: run every example workflow end to end in the embedded emulator.
demo: emulator
	$(GO) run ./cmd/demo

## build: build every function as `sam build` would.
build:
	@bash scripts/build.sh

clean:
	rm -rf .build .tools
