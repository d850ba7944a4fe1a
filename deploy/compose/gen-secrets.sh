#!/usr/bin/env bash
# Generates the Docker secret files the Compose stack reads, for a new install.
# An existing, non-empty file is never overwritten: run it again after an
# upgrade to add only what is new. Usage: deploy/compose/gen-secrets.sh [DIR]
# (default: deploy/compose/secrets; also SECRETS_DIR).
set -euo pipefail

dir="${1:-${SECRETS_DIR:-$(cd "$(dirname "$0")" && pwd)/secrets}}"
umask 077
mkdir -p "$dir"
chmod 700 "$dir"

# random LEN: LEN characters from [A-Za-z0-9] (URL-safe, no quoting needed).
random() {
  local len="$1" out=""
  while [ "${#out}" -lt "$len" ]; do
    out+="$(head -c 96 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9')"
  done
  printf '%s' "${out:0:$len}"
}

created=()
# put NAME VALUE: write the secret unless it already has content. The files are
# readable inside the containers (their users differ); the directory is 0700.
put() {
  local f="$dir/$1"
  if [ -s "$f" ]; then
    return 0
  fi
  printf '%s\n' "$2" >"$f.tmp"
  chmod 644 "$f.tmp"
  mv "$f.tmp" "$f"
  created+=("$1")
}

# placeholder NAME: an empty file the operator fills in (optional or external values).
placeholder() {
  local f="$dir/$1"
  if [ -e "$f" ]; then
    return 0
  fi
  : >"$f"
  chmod 644 "$f"
  created+=("$1 (empty: fill it in)")
}

put postgres_password "$(random 40)"
put redis_password "$(random 40)"
put jwt_secret "$(random 64)"
put grafana_admin_password "$(random 32)"

pg_pw="$(head -n1 "$dir/postgres_password")"
redis_pw="$(head -n1 "$dir/redis_password")"
put database_url "postgres://parley:${pg_pw}@postgres:5432/parley?sslmode=verify-full&sslrootcert=/run/secrets/postgres_tls_cert"
put redis_url "redis://:${redis_pw}@redis:6379/0"

# PostgreSQL's TLS certificate: self-signed for the name "postgres", which the
# clients pin (sslmode=verify-full with the certificate as the root).
if [ ! -s "$dir/postgres_tls_key" ] || [ ! -s "$dir/postgres_tls_cert" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=postgres" -addext "subjectAltName=DNS:postgres" \
    -keyout "$dir/postgres_tls_key.tmp" -out "$dir/postgres_tls_cert.tmp" 2>/dev/null
  chmod 644 "$dir/postgres_tls_key.tmp" "$dir/postgres_tls_cert.tmp"
  mv "$dir/postgres_tls_key.tmp" "$dir/postgres_tls_key"
  mv "$dir/postgres_tls_cert.tmp" "$dir/postgres_tls_cert"
  created+=(postgres_tls_key postgres_tls_cert)
fi

placeholder groq_api_keys
placeholder sentry_dsn
# Alertmanager needs a URL to post alerts to; until one is set, alerts go nowhere.
put alertmanager_webhook_url "http://127.0.0.1:9/alerts-not-configured"

if [ "${#created[@]}" -eq 0 ]; then
  echo "secrets: nothing to do, every secret in $dir already exists"
else
  echo "secrets: created in $dir:"
  printf '  %s\n' "${created[@]}"
fi
if [ ! -s "$dir/groq_api_keys" ]; then
  echo "secrets: put your Groq API keys in $dir/groq_api_keys (comma-separated: gsk_…,gsk_…@org_…)" >&2
fi
