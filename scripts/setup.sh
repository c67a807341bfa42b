#!/usr/bin/env bash
# `npm run setup`: provisions what tbps needs on this machine, idempotently, into ignored folders of the repo:
# npm packages (npm ci), the Temporal CLI (.tools/bin/temporal, built with go install), the data directory (.data/),
# the workflow bundle, the LSST middleware venv (.venv/, lsst-ctrl-mpexec from PyPI; skip with --no-lsst), the
# HTCondor test pool (.sandbox/htcondor/, a Debian trixie chroot with condor; needs root; skip with --no-htcondor),
# Debian's chromium for the dashboard's browser tests (apt-get, needs root; skip with --no-chromium), ctrl_bps in
# .venv-bps (the peer of the parity test and benchmarks; with the LSST venv), Debian's postgresql (skip with --no-postgres)
# and a one-node Slurm cluster (Debian's slurm-wlm and munge, .sandbox/slurm; needs root; skip with --no-slurm).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TEMPORAL_CLI_VERSION=v1.5.1
step() { printf '\n==> %s\n' "$*"; }

want_lsst=1
want_condor=1
want_chromium=1
want_postgres=1
want_slurm=1
for a in "$@"; do
  case "$a" in
    --no-lsst) want_lsst=0 ;;
    --lsst) want_lsst=1 ;;
    --no-htcondor) want_condor=0 ;;
    --no-chromium) want_chromium=0 ;;
    --no-postgres) want_postgres=0 ;;
    --no-slurm) want_slurm=0 ;;
    *) echo "setup: unknown option $a (known: --no-lsst, --no-htcondor, --no-chromium, --no-postgres, --no-slurm)" >&2; exit 2 ;;
  esac
done

step "Node packages (npm ci from package-lock.json)"
command -v node >/dev/null || { echo "setup: node is required (Node 20)" >&2; exit 1; }
# better-sqlite3 builds from source here: no attempt to download its prebuilt binary, and node-gyp uses the local
# Node headers instead of downloading them.
export npm_config_build_from_source=better-sqlite3
if [ -d /usr/include/node ]; then export npm_config_nodedir=/usr; fi
sqlite_loads() { node -e "require('better-sqlite3')(':memory:').prepare('select 1').get()" >/dev/null 2>&1; }
# `npm ci` installs exactly the committed lock (complete for every platform; tests/unit/npmLock.test.ts) and never
# rewrites it, so the work tree stays clean. It starts from an empty node_modules, so it runs only when the
# installed tree is not the locked one (scripts/npm-lock.mjs) or the native module does not load.
if freshness=$(node scripts/npm-lock.mjs installed) && sqlite_loads; then
  echo "node_modules up to date ($freshness)"
else
  if [ -d node_modules ]; then echo "reinstalling: $freshness"; sqlite_loads || echo "reinstalling: the better-sqlite3 native module does not load"; fi
  npm ci --no-audit --no-fund
fi
sqlite_loads || { echo "setup: the better-sqlite3 native module does not load; try: rm -rf node_modules && npm run setup" >&2; exit 1; }

step "Temporal CLI $TEMPORAL_CLI_VERSION (.tools/bin/temporal)"
if [ -x .tools/bin/temporal ] && .tools/bin/temporal --version >/dev/null 2>&1; then
  echo "already built: $(.tools/bin/temporal --version)"
else
  command -v go >/dev/null || { echo "setup: Go is required to build the Temporal CLI (go install)" >&2; exit 1; }
  mkdir -p .tools/bin
  GOBIN="$ROOT/.tools/bin" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
  echo "built: $(.tools/bin/temporal --version)"
fi

step "Data directory (${TBPS_HOME:-$ROOT/.data})"
mkdir -p "${TBPS_HOME:-$ROOT/.data}"

step "Workflow bundle (.build/workflow-bundle.js)"
npx tsx workers/bundle.ts "$ROOT/.build/workflow-bundle.js"

step "Build of the CLI and the workers (dist/)"
node scripts/build.mjs

if [ "$want_lsst" = 1 ]; then
  step "LSST middleware venv (.venv)"
  bash scripts/setup-lsst.sh
fi

if [ "$want_lsst" = 1 ]; then
  step "ctrl_bps peer venv (.venv-bps: lsst-ctrl-bps from PyPI, for the parity test and the ctrl_bps benchmarks)"
  bash scripts/setup-bps-bench.sh
fi

if [ "$want_postgres" = 1 ]; then
  step "PostgreSQL (Debian's postgresql, for the store's PostgreSQL tier; a private cluster in .sandbox/postgres)"
  if [ "$(id -u)" = 0 ]; then
    bash scripts/setup-postgres.sh
  else
    echo "skipped: installing postgresql needs root (sudo bash scripts/setup-postgres.sh); the PostgreSQL tests fail until it exists"
  fi
fi

if [ "$want_slurm" = 1 ]; then
  step "Slurm test cluster (Debian's slurm-wlm and munge; one node on localhost, .sandbox/slurm)"
  if [ "$(id -u)" = 0 ]; then
    bash scripts/setup-slurm.sh
    # Leave it stopped: the Slurm tests start it when they need it (and `npm test` stops it again).
    bash scripts/slurm.sh stop >/dev/null 2>&1 || true
  else
    echo "skipped: installing slurm-wlm needs root (sudo bash scripts/setup-slurm.sh); the Slurm tests fail until it exists"
  fi
fi

if [ "$want_condor" = 1 ]; then
  step "HTCondor test pool (.sandbox/htcondor: Debian trixie chroot with condor)"
  if [ "$(id -u)" = 0 ]; then
    bash scripts/setup-htcondor.sh
    # Leave it stopped: the tests start it when they need it (and `npm test` stops it again).
    bash scripts/htcondor.sh stop >/dev/null 2>&1 || true
  else
    echo "skipped: provisioning the HTCondor pool needs root (sudo bash scripts/setup-htcondor.sh); the htcondor tests fail until it exists"
  fi
fi

if [ "$want_chromium" = 1 ]; then
  step "Chromium (Debian's chromium at /usr/bin/chromium, for the dashboard's browser tests)"
  if [ -x /usr/bin/chromium ]; then
    echo "already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  elif [ "$(id -u)" = 0 ]; then
    # Debian's package, not a browser download: playwright-core drives it by path.
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
    echo "installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  else
    echo "skipped: installing chromium needs root (sudo apt-get install -y chromium); tests/dashboard/dashboard.test.ts fails until it exists"
  fi
fi

printf '\nsetup complete. Next: npm run demo   (or: npx tbps server start && npx tbps submit config/examples/synthetic.yaml --wait)\n'
