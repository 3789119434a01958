#!/usr/bin/env bash
# Builds pgvector from Debian's source package against the running PostgreSQL when the server lacks it.
# The source host is taken from the machine's own apt list, never written here.
set -euo pipefail
PG_CONFIG=${PG_CONFIG:-$(ls -d /usr/lib/postgresql/*/bin/pg_config 2>/dev/null | sort -V | tail -1)}
sharedir=$("$PG_CONFIG" --sharedir)
if [ -f "$sharedir/extension/vector.control" ]; then
  echo "pgvector: already installed in $sharedir"; exit 0
fi
[ "$(id -u)" = 0 ] || { echo "pgvector: run as root to install it (apt-get, make install)"; exit 1; }
src_list=/etc/apt/sources.list.d/debian.sources
uri=$(awk '/^URIs:/ {print $2; exit}' "$src_list")
[ -n "$uri" ] || { echo "pgvector: no URIs line in $src_list"; exit 1; }
pgmajor=$("$PG_CONFIG" --version | sed -E 's/[^0-9]*([0-9]+).*/\1/')
cat > /etc/apt/sources.list.d/pgvector-src.sources <<SRC
Types: deb-src
URIs: $uri
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-server-dev-$pgmajor" dpkg-dev >/dev/null
work=$(mktemp -d)
(cd "$work" && apt-get source -qq pgvector >/dev/null 2>&1 && cd pgvector-*/ && make -s PG_CONFIG="$PG_CONFIG" >/dev/null && make -s install PG_CONFIG="$PG_CONFIG" >/dev/null)
rm -rf "$work"
echo "pgvector: installed for PostgreSQL $pgmajor"
