#!/usr/bin/env bash
# `npm test`: provisions what the tests need if it is missing (same steps as `npm run setup`), then runs the
# whole suite (unit + integration on a real Temporal dev server). Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/vitest ] || ! node scripts/npm-lock.mjs installed >/dev/null || [ ! -x .tools/bin/temporal ] || [ ! -x .venv/bin/pipetask ] || [ ! -x .venv-bps/bin/bps ] \
  || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/fastify ] \
  || { [ "$(id -u)" = 0 ] && [ ! -e .sandbox/htcondor/root/usr/sbin/condor_master ]; } \
  || { [ "$(id -u)" = 0 ] && [ ! -x /usr/bin/chromium ]; }; then
  bash scripts/setup.sh
fi
# The Slurm tier's one-node cluster, and PostgreSQL for the store's PostgreSQL tier (Debian's postgresql; a private
# cluster in .sandbox/postgres): provisioned here when setup ran before their scripts existed.
if [ "$(id -u)" = 0 ] && [ ! -f .sandbox/slurm/etc/slurm.conf ]; then bash scripts/setup-slurm.sh; fi
if [ "$(id -u)" = 0 ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  bash scripts/setup-postgres.sh
fi
# The HTCondor and Slurm tests start the pool / cluster when it is not running, and the tests start the PostgreSQL test
# server (tests/postgresSetup.ts); stop each again afterwards in that case (bind mounts; daemons).
pool_was_running=0
bash scripts/htcondor.sh status >/dev/null 2>&1 && pool_was_running=1
slurm_was_running=0
bash scripts/slurm.sh status >/dev/null 2>&1 && slurm_was_running=1
postgres_was_running=0
bash scripts/postgres.sh status >/dev/null 2>&1 && postgres_was_running=1
status=0
node_modules/.bin/vitest run "$@" || status=$?
if [ $pool_was_running = 0 ] && [ "$(id -u)" = 0 ]; then bash scripts/htcondor.sh stop >/dev/null 2>&1 || true; fi
if [ $slurm_was_running = 0 ]; then bash scripts/slurm.sh stop >/dev/null 2>&1 || true; fi
if [ $postgres_was_running = 0 ]; then bash scripts/postgres.sh stop >/dev/null 2>&1 || true; fi
exit $status
