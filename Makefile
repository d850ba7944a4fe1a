# parley — see README.md. `make run` starts parley on embedded defaults; `make test` runs every test.
GO        ?= go
BIN       := bin
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
export CGO_ENABLED ?= 0

.PHONY: all build parley groqmock web run run-api test test-go test-web lint lint-go readme bench clean secrets

all: build

build: parley groqmock

parley:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/parley ./cmd/parley

groqmock:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/groqmock ./cmd/groqmock

WEB_SRC := $(shell find web/app web/components web/lib web/scripts web/public -type f 2>/dev/null) \
           web/proxy.ts web/next.config.ts web/package.json web/tsconfig.json

# npm ci only when the lock file changed since the last install.
web/node_modules/.package-lock.json: web/package-lock.json
	npm --prefix web ci --no-audit --no-fund

# The Next.js standalone build, rebuilt only when a web source changed.
web/.next/standalone/server.js: web/node_modules/.package-lock.json $(WEB_SRC)
	npm --prefix web run build

web: web/.next/standalone/server.js

# Starts parley on the embedded defaults: the API on :8080 (SQLite and a
# generated JWT key under ./data, metrics on 127.0.0.1:9091) and the web app
# on http://127.0.0.1:3000, which proxies /api to it. Ctrl-C stops both.
run: parley web
	node web/scripts/run.mjs -- $(BIN)/parley serve

# The API alone, without the web app.
run-api: parley
	$(BIN)/parley serve

test: lint-go test-go test-web

# -race needs cgo; the binaries themselves stay static (CGO_ENABLED=0 above).
test-go:
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 15m ./...

# The web app: typecheck, eslint, unit tests, the standalone build, and the
# end-to-end tests in Chromium against real bin/parley and bin/groqmock.
test-web: web/node_modules/.package-lock.json
	npm --prefix web test

# Fails when a tracked Go file is not gofmt-formatted.
gofmt_check = unformatted="$$(gofmt -l $$(git ls-files '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

# go vet and gofmt: part of make test, so an unformatted or suspicious change fails CI.
lint-go:
	$(GO) vet ./...
	@$(gofmt_check)

lint:
	$(GO) vet ./...
	@$(gofmt_check)
	npm --prefix web run typecheck
	npm --prefix web run lint

# Regenerates README.md's configuration table from internal/platform/config.
readme:
	UPDATE_README=1 $(GO) test -count=1 -run TestREADMEListsEveryVariable ./internal/platform/config

bench:
	$(GO) run ./bench

# Generates the Docker secret files of the Compose stack (deploy/compose/secrets/),
# never overwriting one that exists. See deploy/README.md.
secrets:
	deploy/compose/gen-secrets.sh

clean:
	rm -rf $(BIN)
