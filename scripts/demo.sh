#!/usr/bin/env bash
# `npm run demo`: the main job on the embedded default. Provisions what is missing, starts the Temporal dev
# server and the local workers if they are not running, submits the example run and waits for its report.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/@temporalio/worker ] || [ ! -x .tools/bin/temporal ]; then
  bash scripts/setup.sh
fi
CONFIG=${1:-config/examples/synthetic.yaml}
node bin/tbps.js server start
echo
status=0
node bin/tbps.js submit "$CONFIG" --wait || status=$?
echo
echo "Web UI: http://localhost:8233  ·  runs: npx tbps report  ·  stop everything: npx tbps server stop"
exit $status
