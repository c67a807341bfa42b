#!/usr/bin/env bash
# Provision the LSST middleware used by tbps' embedded default: a Python venv at <repo>/.venv with
# lsst-ctrl-mpexec (which brings lsst-pipe-base and lsst-daf-butler) from PyPI.
#
# Idempotent: an existing venv is reused and pip only installs what is missing. Writes the installed
# versions to .venv/lsst-versions.json. Exits non-zero with a message naming the failed step.
#
# Environment:
#   TBPS_PYTHON          interpreter used to create the venv (default: python3)
#   TBPS_VENV            venv location (default: <repo>/.venv)
#   TBPS_LSST_UPGRADE=1  pass --upgrade to pip (default: keep what is installed)
#   TBPS_LSST_UNPINNED=1 let pip choose the newest lsst-* versions for this Python instead of the
#                        verified set in lsst/constraints.txt
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${TBPS_VENV:-$ROOT/.venv}"
PY="${TBPS_PYTHON:-python3}"
PKG="lsst-ctrl-mpexec"
CONSTRAINTS="$ROOT/lsst/constraints.txt"

say() { printf '[setup-lsst] %s\n' "$*"; }
die() { printf '[setup-lsst] ERROR: %s\n' "$*" >&2; exit 1; }

command -v "$PY" >/dev/null 2>&1 || die "no '$PY' on PATH; install Python >= 3.11 or set TBPS_PYTHON"
PYVER="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" || die "'$PY' does not run"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || die "Python $PYVER is too old; lsst-ctrl-mpexec needs >= 3.11 (set TBPS_PYTHON)"

if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  say "venv exists: $VENV ($("$VENV/bin/python" --version 2>&1))"
else
  say "creating venv $VENV with $PY (Python $PYVER)"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV" || die "'$PY -m venv $VENV' failed (on Debian: apt-get install python3-venv)"
fi
VPY="$VENV/bin/python"

if [[ "${TBPS_LSST_UPGRADE:-0}" != "1" ]] \
  && [[ -x "$VENV/bin/pipetask" && -x "$VENV/bin/butler" ]] \
  && "$VPY" -c 'import lsst.ctrl.mpexec, lsst.pipe.base, lsst.daf.butler' >/dev/null 2>&1; then
  say "$PKG already installed; skipping pip (TBPS_LSST_UPGRADE=1 to upgrade)"
else
  say "upgrading pip in the venv"
  "$VPY" -m pip install --quiet --upgrade pip || die "pip self-upgrade failed (is PyPI reachable?)"
  ARGS=(--progress-bar off)
  [[ "${TBPS_LSST_UPGRADE:-0}" == "1" ]] && ARGS+=(--upgrade)
  if [[ "${TBPS_LSST_UNPINNED:-0}" != "1" ]]; then
    [[ -f "$CONSTRAINTS" ]] || die "missing $CONSTRAINTS (or set TBPS_LSST_UNPINNED=1)"
    ARGS+=(--constraint "$CONSTRAINTS")
    say "pip install $PKG with the verified versions in lsst/constraints.txt (a few minutes the first time)"
  else
    say "pip install $PKG, newest versions for Python $PYVER (TBPS_LSST_UNPINNED=1)"
  fi
  "$VPY" -m pip install "${ARGS[@]}" "$PKG" \
    || die "pip install $PKG failed; see the pip output above (TBPS_LSST_UNPINNED=1 lets pip choose versions)"
fi

say "checking the installation"
"$VPY" -c 'import lsst.ctrl.mpexec, lsst.pipe.base, lsst.daf.butler, lsst.pipe.base.tests.mocks' \
  || die "the lsst packages do not import; remove $VENV and run this script again"
"$VENV/bin/pipetask" --help >/dev/null 2>&1 || die "'$VENV/bin/pipetask --help' failed"
"$VENV/bin/butler" --help >/dev/null 2>&1 || die "'$VENV/bin/butler --help' failed"

"$VPY" - "$VENV/lsst-versions.json" <<'EOF' || die "could not write lsst-versions.json"
import json, sys, platform
from importlib.metadata import version
names = ["lsst-ctrl-mpexec", "lsst-pipe-base", "lsst-daf-butler", "lsst-resources", "lsst-utils",
         "lsst-pex-config", "lsst-sphgeom"]
out = {"python": platform.python_version()}
for n in names:
    try:
        out[n] = version(n)
    except Exception:
        out[n] = None
with open(sys.argv[1], "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")
for n in names[:3]:
    print(f"[setup-lsst]   {n:18s} {out[n]}")
print(f"[setup-lsst]   python             {out['python']}")
EOF
say "versions written to $VENV/lsst-versions.json"
say "ready: $VENV/bin/pipetask, $VENV/bin/butler"
