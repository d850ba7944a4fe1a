# parley — see README.md. `make run` starts parley on embedded defaults; `make test` runs every test.
GO        ?= go
BIN       := bin
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
export CGO_ENABLED ?= 0

.PHONY: all build run test test-go lint bench clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/parley ./cmd/parley
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/groqmock ./cmd/groqmock

run: build
	$(BIN)/parley serve

test: test-go

# -race needs cgo; the binaries themselves stay static (CGO_ENABLED=0 above).
test-go:
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 15m ./...

lint:
	$(GO) vet ./...
	test -z "$$(gofmt -l $$(git ls-files '*.go'))"

bench:
	$(GO) run ./bench

clean:
	rm -rf $(BIN)
