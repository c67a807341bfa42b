#!/usr/bin/env bash
# `npm run demo`: the main job on the embedded default. Provisions what is missing (npm packages, Temporal CLI,
# LSST venv), starts the Temporal dev server and the local workers if they are not running, builds the ci_hsc-shaped
# demo repository, and processes step1 -> step2 -> step3 of the mock DRP pipeline with the real pipetask/butler.
#   npm run demo                 the LSST demo (about 3 minutes on 2 cores)
#   npm run demo -- --synthetic  a synthetic DRP-shaped run of shell jobs (no LSST stack needed)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
tbps() { node "$ROOT/bin/tbps.js" "$@"; }

if [ "${1:-}" = "--synthetic" ]; then
  [ -x .tools/bin/temporal ] && [ -d node_modules/@temporalio/worker ] || bash scripts/setup.sh
  tbps server start
  echo
  status=0
  tbps submit config/examples/synthetic.yaml --wait || status=$?
  echo
  echo "Web UI: http://localhost:8233 · runs: npx tbps report · stop: npx tbps server stop"
  exit $status
fi

if [ ! -x .tools/bin/temporal ] || [ ! -d node_modules/@temporalio/worker ] || [ ! -x .venv/bin/pipetask ]; then
  bash scripts/setup.sh
fi
tbps server start
REPO=${TBPS_DEMO_REPO:-$ROOT/.data/demo/repo}
echo
echo "==> Building the demo repository $REPO (ci_hsc dimension records, mock inputs)"
.venv/bin/python lsst/make_demo_repo.py "$REPO" --clobber
CONFIG=config/examples/demo_drp.yaml
PIPE=$ROOT/lsst/pipelines/mock_drp.yaml
input=HSC/defaults
for step in step1 step2 step3; do
  case $step in
    step3) query="instrument='HSC' AND skymap='discrete/ci_hsc'" ;;
    *) query="instrument='HSC'" ;;
  esac
  echo
  echo "==> $step: pipetask qgraph -> clusters -> jobs on the local executor -> merge"
  tbps submit "$CONFIG" -b "$REPO" -i "$input" -o "u/demo/$step" -p "$PIPE#$step" -d "$query" --wait
  input=u/demo/$step
done
echo
echo "==> Outputs in $REPO (collection u/demo/step3 chains all three steps)"
.venv/bin/python lsst/count_datasets.py "$REPO" u/demo/step3 | tr -d '{}"' | tr ',' '\n' | sed 's/^ */  /'
echo
echo "Web UI: http://localhost:8233 · runs: npx tbps report · datasets: .venv/bin/butler query-datasets $REPO --collections u/demo/step3"
echo "stop everything: npx tbps server stop"
