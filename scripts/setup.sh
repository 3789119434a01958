#!/usr/bin/env bash
# Installs what the platform needs on a fresh machine: pnpm, the workspace's packages (which bring
# Node 24), pgvector for a local PostgreSQL, and with --test Debian's Chromium and openssl for the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=false
[ "${1:-}" = "--test" ] && want_test=true
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null || [ "$(pnpm -v)" != "$pnpm_version" ]; then
  echo "setup: installing pnpm $pnpm_version"
  npm install -g "pnpm@$pnpm_version" >/dev/null 2>&1 || as_root npm install -g "pnpm@$pnpm_version" >/dev/null
fi

if [ -n "${CI:-}" ] && [ -f pnpm-lock.yaml ]; then
  pnpm install --frozen-lockfile
else
  pnpm install
fi

# pgvector only matters when a PostgreSQL server runs on this machine; embedded mode has its own.
if ls /usr/lib/postgresql/*/bin/pg_config >/dev/null 2>&1 || command -v pg_ctlcluster >/dev/null; then
  as_root bash scripts/install-pgvector.sh || echo "setup: could not install pgvector (needs root); embedded mode still works"
fi

# espeak-ng is the offline voice (the default for chatbots); without it answers stay text-only.
if ! command -v espeak-ng >/dev/null; then
  echo "setup: installing Debian's espeak-ng (the offline voice)"
  { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq espeak-ng >/dev/null; } ||
    echo "setup: could not install espeak-ng (needs root and apt); the avatar answers in text only until it is installed"
fi

# Tests also use the openssl command (a throwaway certificate for the provider's https test) and Debian's
# pgbouncer (the transaction-mode pooler tests start their own, on a free port), haproxy (the
# deployment's balancer configuration is checked with it, the fleet test runs it), redis-sentinel (the
# failover tests start their own Sentinels) and prometheus (the metrics test scrapes a running platform with
# it; its promtool checks the alert rules).
if $want_test && { [ ! -x /usr/bin/chromium ] || ! command -v openssl >/dev/null || ! command -v pgbouncer >/dev/null || ! command -v haproxy >/dev/null || ! command -v redis-sentinel >/dev/null || ! command -v prometheus >/dev/null; }; then
  echo "setup: installing Debian's chromium, openssl, pgbouncer, haproxy, redis-sentinel and prometheus for the tests"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium openssl pgbouncer haproxy redis-sentinel prometheus >/dev/null
fi
echo "setup: done"
