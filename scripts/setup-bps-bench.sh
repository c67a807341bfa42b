#!/usr/bin/env bash
# Provision the peer for benchmarks and parity tests: LSST's own BPS (lsst-ctrl-bps with its HTCondor and Parsl
# plugins) from PyPI, in a separate venv (<repo>/.venv-bps) so tbps' own stack in .venv is never changed by it.
# It uses the same verified lsst-* versions (lsst/constraints.txt) plus pins that install on Python 3.11 here.
#
# Idempotent: an existing, working venv is kept. Exits non-zero with a message naming the failed step.
# Environment: TBPS_PYTHON (default python3), TBPS_BPS_VENV (default <repo>/.venv-bps).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${TBPS_BPS_VENV:-$ROOT/.venv-bps}"
PY="${TBPS_PYTHON:-python3}"
PINS=(htcondor==24.12.24 parsl==2025.12.1)
PACKAGES=(lsst-ctrl-mpexec lsst-ctrl-bps lsst-ctrl-bps-htcondor lsst-ctrl-bps-parsl)

say() { printf '[setup-bps-bench] %s\n' "$*"; }
die() { printf '[setup-bps-bench] ERROR: %s\n' "$*" >&2; exit 1; }

if [[ -x "$VENV/bin/bps" ]] && "$VENV/bin/python" -c 'import lsst.ctrl.bps, lsst.ctrl.bps.parsl, lsst.ctrl.bps.htcondor' >/dev/null 2>&1; then
  say "ctrl_bps already installed in $VENV"
  exit 0
fi
command -v "$PY" >/dev/null 2>&1 || die "no '$PY' on PATH; install Python >= 3.11 or set TBPS_PYTHON"
if [[ ! -x "$VENV/bin/python" ]]; then
  say "creating venv $VENV"
  "$PY" -m venv "$VENV" || die "'$PY -m venv $VENV' failed (on Debian: apt-get install python3-venv)"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip || die "pip self-upgrade failed (is PyPI reachable?)"
say "pip install ${PACKAGES[*]} (${PINS[*]}, lsst/constraints.txt); a few minutes the first time"
"$VENV/bin/python" -m pip install --progress-bar off --constraint "$ROOT/lsst/constraints.txt" "${PINS[@]}" "${PACKAGES[@]}" \
  || die "pip install of ctrl_bps failed; see the pip output above"
"$VENV/bin/python" -c 'import lsst.ctrl.bps, lsst.ctrl.bps.parsl, lsst.ctrl.bps.htcondor' \
  || die "ctrl_bps does not import in $VENV"
"$VENV/bin/python" - <<'PY' > "$VENV/bps-versions.json"
import json
from importlib.metadata import version
names = ["lsst-ctrl-bps", "lsst-ctrl-bps-htcondor", "lsst-ctrl-bps-parsl", "lsst-ctrl-mpexec", "lsst-pipe-base", "lsst-daf-butler", "htcondor", "parsl"]
print(json.dumps({n: version(n) for n in names}))
PY
say "ok: $(cat "$VENV/bps-versions.json")"
