#!/usr/bin/env bash
# `npm test`: provisions what the tests need if it is missing (same steps as `npm run setup`), then runs the
# whole suite (unit + integration on a real Temporal dev server). Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/vitest ] || [ ! -x .tools/bin/temporal ] || [ ! -x .venv/bin/pipetask ] \
  || { [ "$(id -u)" = 0 ] && [ ! -e .sandbox/htcondor/root/usr/sbin/condor_master ]; }; then
  bash scripts/setup.sh
fi
exec node_modules/.bin/vitest run "$@"
