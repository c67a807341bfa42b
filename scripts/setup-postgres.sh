#!/usr/bin/env bash
# Provisions PostgreSQL for the store's PostgreSQL tier (tests and bench/report.ts --db postgres://…), idempotently:
#   1. Debian's `postgresql` (15 on bookworm) when its server binaries are missing (as root; apt-get), without the
#      system cluster Debian would otherwise create and start on port 5432 (create_main_cluster = false first);
#   2. the private cluster of scripts/postgres.sh in .sandbox/postgres/ (initdb, a generated password, scram-sha-256
#      only), started once to check that a password login works, then left as it was (stopped unless it ran).
# Afterwards: `bash scripts/postgres.sh start|stop|status|url`.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }
die() { echo "setup-postgres: $*" >&2; exit 1; }

have_server() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || [ -x "${TBPS_PG_BINDIR:-/nonexistent}/initdb" ]; }

step "PostgreSQL server (Debian postgresql)"
if have_server; then
  echo "already there: $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || echo "$TBPS_PG_BINDIR")"
else
  [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed and this is not root: run this script as root (it uses apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends postgresql-common
  # No system cluster: tbps runs its own, private one (scripts/postgres.sh).
  conf=/etc/postgresql-common/createcluster.conf
  if grep -Eq '^\s*#?\s*create_main_cluster' "$conf"; then
    sed -i -E 's/^\s*#?\s*create_main_cluster\s*=.*/create_main_cluster = false/' "$conf"
  else
    echo 'create_main_cluster = false' >> "$conf"
  fi
  apt-get install -y -q --no-install-recommends postgresql postgresql-client
  have_server || die "apt-get installed postgresql but no /usr/lib/postgresql/*/bin/initdb appeared"
fi

step "Private cluster (.sandbox/postgres)"
was_running=0
bash scripts/postgres.sh status >/dev/null 2>&1 && was_running=1
bash scripts/postgres.sh start
bash scripts/postgres.sh psql -tAc "select 'password login as ' || current_user || ' works'"
[ $was_running = 1 ] || bash scripts/postgres.sh stop
echo "PostgreSQL ready: TBPS_DB=\"\$(bash scripts/postgres.sh url)\" after 'bash scripts/postgres.sh start'"
