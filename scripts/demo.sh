#!/usr/bin/env bash
# `npm run demo`: the main job on the embedded default. Provisions what is missing (npm packages, Temporal CLI,
# LSST venv), starts the Temporal dev server and the local workers if they are not running, builds the ci_hsc-shaped
# demo repository, and processes step1 -> step2 -> step3 of the mock DRP pipeline with the real pipetask/butler as a
# three-step campaign.
#   npm run demo                 the LSST demo (about 3 minutes on 2 cores)
#   npm run demo -- --synthetic  a synthetic DRP-shaped run of shell jobs (no LSST stack needed)
#   npm run demo -- --planted-failure   the LSST demo with calibrate failing for visit 903334 (the campaign
#                                       auto-pauses after step1: find the failure in the dashboard, `tbps logs`)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
tbps() { node "$ROOT/bin/tbps.js" "$@"; }

if [ "${1:-}" = "--synthetic" ]; then
  [ -x .tools/bin/temporal ] && [ -d node_modules/@temporalio/worker ] || bash scripts/setup.sh --no-lsst --no-htcondor --no-chromium
  tbps server start
  echo
  status=0
  tbps submit config/examples/synthetic.yaml --wait || status=$?
  echo
  echo "dashboard: http://127.0.0.1:8265 · Web UI: http://localhost:8233 · runs: npx tbps report · stop: npx tbps server stop"
  exit $status
fi

PLANTED=""
if [ "${1:-}" = "--planted-failure" ]; then
  PLANTED=", extraQgraphOptions: '-c \"calibrate:fail_condition=visit IN (903334)\"'"
elif [ -n "${1:-}" ]; then
  echo "demo: unknown option $1 (known: --synthetic, --planted-failure)" >&2
  exit 2
fi

if [ ! -x .tools/bin/temporal ] || [ ! -d node_modules/@temporalio/worker ] || [ ! -x .venv/bin/pipetask ]; then
  bash scripts/setup.sh --no-htcondor --no-chromium   # the demo needs no HTCondor pool and no browser
fi
tbps server start
REPO=${TBPS_DEMO_REPO:-$ROOT/.data/demo/repo}
echo
echo "==> Building the demo repository $REPO (ci_hsc dimension records, mock inputs)"
.venv/bin/python lsst/make_demo_repo.py "$REPO" --clobber
# The three steps as one campaign: step1 and step2 split into groups of visits, step3 per tract. The spec is written
# here because it names this checkout's pipeline and repository by absolute path.
NAME=demo_drp_$(date -u +%Y%m%dT%H%M%S)
SPEC=$ROOT/.data/demo/campaign.yaml
cat > "$SPEC" <<YAML
name: $NAME
baseConfig: $ROOT/config/examples/demo_drp.yaml
inCollection: HSC/defaults
output: u/demo/$NAME
concurrency: 2
failurePolicy: {onFailure: pause, maxFailedGroups: 0}
steps:
  - name: step1
    pipelineYaml: "$ROOT/lsst/pipelines/mock_drp.yaml#step1"
    dataQuery: "instrument='HSC'"
    overrides: {butlerConfig: "$REPO"$PLANTED}
    split: {dimension: visit, values: [903334, 903336, 903338, 903342, 903344, 903346, 903986, 903988, 903990, 904010, 904014], groupSize: 6}
  - name: step2
    pipelineYaml: "$ROOT/lsst/pipelines/mock_drp.yaml#step2"
    dataQuery: "instrument='HSC'"
    overrides: {butlerConfig: "$REPO"}
    split: {dimension: visit, values: [903334, 903336, 903338, 903342, 903344, 903346, 903986, 903988, 903990, 904010, 904014], groupSize: 6}
  - name: step3
    pipelineYaml: "$ROOT/lsst/pipelines/mock_drp.yaml#step3"
    dataQuery: "instrument='HSC' AND skymap='discrete/ci_hsc'"
    overrides: {butlerConfig: "$REPO"}
    split: {dimension: tract, values: [0]}
YAML
echo
echo "==> Campaign $NAME: step1 -> step2 -> step3 (pipetask qgraph -> clusters -> run-qbb jobs -> merge per group)"
if [ -n "$PLANTED" ]; then
  # The planted failure auto-pauses the campaign after step1 (its failure policy): follow it until then.
  tbps campaign start "$SPEC"
  until tbps campaign show "$NAME" --json | node -e 'const s=JSON.parse(require("fs").readFileSync(0,"utf8"));process.exit(s.paused||!["running","awaiting-accept"].includes(s.phase)?0:1)'; do sleep 5; done
  tbps campaign show "$NAME"
  echo
  echo "==> The planted failure paused the campaign after step1. Where to look:"
  echo "    the dashboard (URL above) · npx tbps report --errors --campaign $NAME · npx tbps logs --id ${NAME}_step1_g1 --state FAILED"
  echo "    then: npx tbps campaign accept $NAME --step step1 && npx tbps campaign resume $NAME   (or retry the group)"
  exit 0
fi
tbps campaign start "$SPEC" --wait
OUT=u/demo/$NAME/step3
echo
echo "==> Outputs in $REPO (collection $OUT chains all three steps)"
.venv/bin/python lsst/count_datasets.py "$REPO" "$OUT" | tr -d '{}"' | tr ',' '\n' | sed 's/^ */  /'
echo
echo "dashboard: http://127.0.0.1:8265/campaigns/$NAME · Web UI: http://localhost:8233"
echo "runs: npx tbps report · campaign: npx tbps campaign show $NAME"
echo "stop everything: npx tbps server stop"
