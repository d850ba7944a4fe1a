# syntax=docker/dockerfile:1.7
# parley API image: a static Go binary on distroless (no shell, no package
# manager), running as the distroless "nonroot" user (65532).
# Build from the repository root:
#   docker build -f deploy/docker/api.Dockerfile -t parley-api .
#   docker build -f deploy/docker/api.Dockerfile --target backup -t parley-backup .
ARG GO_VERSION=1.26
ARG POSTGRES_VERSION=17

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY cmd ./cmd
COPY internal ./internal
ARG TARGETOS=linux
ARG TARGETARCH=amd64
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/parley ./cmd/parley
# Directories the runtime users own (named volumes inherit this ownership).
RUN mkdir -p /out/data /out/backups

# The scheduled backup job: pg_dump/pg_restore of the same major version as
# the server, the parley binary, and the unprivileged "postgres" user (70).
FROM postgres:${POSTGRES_VERSION}-alpine AS backup
ARG VERSION=dev
LABEL org.opencontainers.image.title="parley-backup" \
      org.opencontainers.image.description="Scheduled, checksummed pg_dump backups of parley" \
      org.opencontainers.image.source="https://github.com/parley-chat/parley" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/parley /usr/local/bin/parley
COPY --from=build --chown=70:70 /out/backups /backups
USER 70:70
EXPOSE 9092
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9092/healthz"]
ENTRYPOINT ["/usr/local/bin/parley"]
CMD ["backup", "--every", "24h", "--dir", "/backups", "--metrics-addr", ":9092"]

# The API server (default target: keep it last).
FROM gcr.io/distroless/static-debian12:nonroot AS runtime
ARG VERSION=dev
LABEL org.opencontainers.image.title="parley-api" \
      org.opencontainers.image.description="parley: self-hosted AI chat on Groq (API server)" \
      org.opencontainers.image.source="https://github.com/parley-chat/parley" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/parley /usr/local/bin/parley
COPY --from=build --chown=65532:65532 /out/data /data
ENV PARLEY_ADDR=:8080 \
    PARLEY_METRICS_ADDR=:9091 \
    PARLEY_DATA_DIR=/data \
    PARLEY_LOG_FORMAT=json
USER 65532:65532
EXPOSE 8080 9091
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/parley", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/parley"]
CMD ["serve"]
