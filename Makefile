# regfus - run `make help` for the targets.
#
# Two commands matter (see README.md):
#   make demo   set up this machine and run the main job end to end
#   make test   set up this machine and run every test (what CI runs)

SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
# OpenMP (inside Tesseract) reads this at start-up; see package tesseract.
export OMP_THREAD_LIMIT := 1

GO      ?= go
BIN     := bin/regfus
PKGS    := ./...

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

setup: ## install the Debian packages regfus needs (idempotent)
	./scripts/setup

build: setup ## build bin/regfus
	$(GO) build -o $(BIN) ./cmd/regfus

lint: ## gofmt, go vet and go mod tidy -diff
	@out=$$(gofmt -l . | grep -v '^testdata/' || true); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) mod tidy -diff

test: setup lint ## run every test against a throwaway PostgreSQL (what CI runs)
	./scripts/test

clean: ## remove build output
	rm -rf bin

.PHONY: help setup build lint test clean

-include mk/*.mk

demo: build ## run the main job end to end on a synthetic month (no database needed)
	./$(BIN) demo -o demo-out

.PHONY: demo
