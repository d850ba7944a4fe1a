# parley — see README.md. `make run` starts parley on embedded defaults; `make test` runs every test.
GO        ?= go
BIN       := bin
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
export CGO_ENABLED ?= 0

.PHONY: all build parley groqmock run test test-go lint readme bench clean secrets

all: build

build: parley groqmock

parley:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/parley ./cmd/parley

groqmock:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/groqmock ./cmd/groqmock

# Starts parley on the embedded defaults: SQLite and a generated JWT key under
# ./data, API on :8080, metrics on 127.0.0.1:9091. Ctrl-C stops it gracefully.
run: parley
	$(BIN)/parley serve

test: test-go

# -race needs cgo; the binaries themselves stay static (CGO_ENABLED=0 above).
test-go:
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 15m ./...

lint:
	$(GO) vet ./...
	test -z "$$(gofmt -l $$(git ls-files '*.go'))"

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
