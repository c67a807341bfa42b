#!/usr/bin/env bash
# Provisions a personal HTCondor pool for the htcondor test tier, idempotently, in .sandbox/htcondor/:
#   a Debian trixie chroot (debootstrap --variant=minbase; `condor` is not in bookworm) with `condor` installed,
#   a personal-pool config (CentralManager+Submit+Execute on 127.0.0.1, host-based security, jobs run as their
#   owner), a non-root submitting user (tbpsuser) in a share group (tbps, same gid on the host), bind mounts of /proc, /dev, /tmp and the repo at the same paths
#   (plus, read-only, the base prefix of the repo venv's interpreter when it lives elsewhere, e.g. pyenv under /root),
#   the shared libraries a Python build and the LSST wheels link to, then starts condor_master and checks that a slot
#   appears, a trivial DAG runs as that user and, when the LSST venv exists (scripts/setup-lsst.sh), that its
#   pipetask runs inside the chroot as that user.
# Must run as root. Use scripts/htcondor.sh start|stop|status|exec afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
SANDBOX=$REPO/.sandbox/htcondor
ROOTFS=$SANDBOX/root
SUBMIT_USER=${TBPS_CONDOR_USER:-tbpsuser}
step() { printf '\n==> %s\n' "$*"; }
die() { echo "setup-htcondor: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot and bind mounts need it)"
mkdir -p "$SANDBOX"

# The Debian mirror this machine's apt uses (deb822 URIs: or one-line deb entries).
mirror() {
  local m
  m=$(grep -hE '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v -- '-security' | grep -i debian | head -1 || true)
  [ -n "$m" ] || m=$(grep -hE '^\s*deb\s' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -v -- '-security' | grep -i debian | head -1 || true)
  echo "${m:-http://deb.debian.org/debian}"
}
MIRROR=${TBPS_DEBIAN_MIRROR:-$(mirror)}

step "debootstrap"
if ! command -v debootstrap >/dev/null; then
  apt-get update -q && apt-get install -y -q debootstrap
fi
[ -e /usr/share/debootstrap/scripts/trixie ] || die "this debootstrap does not know trixie; apt-get install -y debootstrap from a newer suite"

step "Debian trixie chroot in $ROOTFS (mirror $MIRROR)"
if [ -e "$ROOTFS/.tbps-debootstrap-done" ]; then
  echo "already there"
else
  if [ -d "$ROOTFS" ]; then
    # A half-finished debootstrap: unmount anything left bound inside, then start over.
    bash scripts/htcondor.sh unmount || true
    rm -rf --one-file-system "$ROOTFS"
  fi
  debootstrap --variant=minbase trixie "$ROOTFS" "$MIRROR" > "$SANDBOX/debootstrap.log" 2>&1 \
    || { tail -20 "$SANDBOX/debootstrap.log" >&2; die "debootstrap failed (log: $SANDBOX/debootstrap.log)"; }
  touch "$ROOTFS/.tbps-debootstrap-done"
  echo "done"
fi

step "bind mounts (/proc, /dev, /tmp, $REPO, the venv's Python prefix if any)"
bash scripts/htcondor.sh mount

step "condor package inside the chroot"
if chroot "$ROOTFS" sh -c 'command -v condor_master' >/dev/null 2>&1; then
  echo "already installed: $(chroot "$ROOTFS" condor_version | head -1)"
else
  # Do not let package scripts start daemons inside the chroot.
  printf '#!/bin/sh\nexit 101\n' > "$ROOTFS/usr/sbin/policy-rc.d"
  chmod +x "$ROOTFS/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf" 2>/dev/null || true
  chroot "$ROOTFS" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  chroot "$ROOTFS" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends condor procps python3 \
    || die "apt-get install condor failed inside the chroot"
  echo "installed: $(chroot "$ROOTFS" condor_version | head -1)"
fi

step "shared libraries for the LSST venv's interpreter and wheels"
# What a Python built on the host (pyenv: libpython, _ssl, _sqlite3, _ctypes, _bz2, _lzma, readline, _curses, _dbm,
# _uuid) and the manylinux wheels (numpy & co.: libstdc++, libgcc, libgomp) link to. Most come with python3 already.
LIBS="libssl3t64 libsqlite3-0 libffi8 libbz2-1.0 liblzma5 zlib1g libreadline8t64 libncursesw6 libgdbm6t64 libgdbm-compat4t64 libuuid1 libexpat1 libcrypt1 libstdc++6 libgcc-s1 libgomp1"
missing=""
for p in $LIBS; do
  chroot "$ROOTFS" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' installed$' || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "already installed"
else
  cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf" 2>/dev/null || true
  chroot "$ROOTFS" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # shellcheck disable=SC2086
  chroot "$ROOTFS" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing \
    || die "apt-get install $missing failed inside the chroot"
  echo "installed: $missing"
fi

step "submitting user $SUBMIT_USER"
if chroot "$ROOTFS" id -u "$SUBMIT_USER" >/dev/null 2>&1; then
  echo "exists (uid $(chroot "$ROOTFS" id -u "$SUBMIT_USER"))"
else
  # A fixed uid (not 1000, which the host often already uses), also created on the host, so file ownership reads
  # the same on both sides.
  uid=${TBPS_CONDOR_UID:-4242}
  chroot "$ROOTFS" useradd -m -s /bin/sh --uid "$uid" "$SUBMIT_USER"
  echo "created (uid $uid)"
fi
if ! id -u "$SUBMIT_USER" >/dev/null 2>&1; then
  useradd -M -s /usr/sbin/nologin --uid "$(chroot "$ROOTFS" id -u "$SUBMIT_USER")" "$SUBMIT_USER" \
    || echo "note: could not create $SUBMIT_USER on the host (uid taken); files the jobs write show a numeric owner"
fi

# The group through which tbps shares a run's submit tree with the pool's user (wms/htcondor/share.ts: setgid
# directories 2770 where the pool writes, 2750 elsewhere, files 0640; nothing world-writable). Same gid on the host
# (where tbps gives files to it) and in the chroot (where the pool's user is a member).
SHARE_GROUP=${TBPS_HTCONDOR_SHARE_GROUP:-tbps}
step "share group $SHARE_GROUP (submit trees shared with $SUBMIT_USER, never world-writable)"
gid=$(getent group "$SHARE_GROUP" | cut -d: -f3 || true)
if [ -z "$gid" ]; then
  gid=$(chroot "$ROOTFS" getent group "$SHARE_GROUP" | cut -d: -f3 || true)
  gid=${gid:-${TBPS_SHARE_GID:-4243}}
  groupadd -g "$gid" "$SHARE_GROUP" || die "could not create group $SHARE_GROUP (gid $gid) on the host; set TBPS_SHARE_GID to a free gid"
  echo "created on the host (gid $gid)"
fi
in_chroot=$(chroot "$ROOTFS" getent group "$SHARE_GROUP" | cut -d: -f3 || true)
if [ -z "$in_chroot" ]; then
  chroot "$ROOTFS" groupadd -g "$gid" "$SHARE_GROUP" || die "could not create group $SHARE_GROUP (gid $gid) in the chroot (gid taken there?)"
elif [ "$in_chroot" != "$gid" ]; then
  die "group $SHARE_GROUP has gid $gid on the host but $in_chroot in the chroot; make them equal (groupmod -g)"
fi
chroot "$ROOTFS" usermod -aG "$SHARE_GROUP" "$SUBMIT_USER"
if id -u "$SUBMIT_USER" >/dev/null 2>&1; then usermod -aG "$SHARE_GROUP" "$SUBMIT_USER" || true; fi
if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
  usermod -aG "$SHARE_GROUP" "$SUDO_USER" && echo "added $SUDO_USER to $SHARE_GROUP (log in again for it to apply)"
fi
echo "$SUBMIT_USER is in $SHARE_GROUP (gid $gid) in the chroot"

step "personal-pool configuration"
HOSTNAME_=$(hostname)
if ! grep -q "tbps-htcondor" "$ROOTFS/etc/hosts" 2>/dev/null; then
  printf '127.0.0.1\tlocalhost %s # tbps-htcondor\n::1\tlocalhost ip6-localhost\n' "$HOSTNAME_" > "$ROOTFS/etc/hosts"
fi
mkdir -p "$ROOTFS/etc/condor/config.d"
cat > "$ROOTFS/etc/condor/config.d/99-tbps-personal.conf" <<EOF
# Written by scripts/setup-htcondor.sh: a personal pool on 127.0.0.1 for the tbps htcondor tests.
CONDOR_HOST = 127.0.0.1
NETWORK_INTERFACE = 127.0.0.1
BIND_ALL_INTERFACES = False
ENABLE_IPV6 = False
ENABLE_IPV4 = True
use ROLE : CentralManager
use ROLE : Submit
use ROLE : Execute
# Host-based security: anything from this host may do anything.
SEC_DEFAULT_AUTHENTICATION = OPTIONAL
SEC_DEFAULT_AUTHENTICATION_METHODS = FS, CLAIMTOBE
SEC_CLIENT_AUTHENTICATION_METHODS = FS, CLAIMTOBE
SEC_DEFAULT_ENCRYPTION = OPTIONAL
SEC_DEFAULT_INTEGRITY = OPTIONAL
ALLOW_READ = *
ALLOW_WRITE = 127.0.0.1, \$(FULL_HOSTNAME), \$(IP_ADDRESS)
ALLOW_ADMINISTRATOR = 127.0.0.1, \$(FULL_HOSTNAME), \$(IP_ADDRESS)
ALLOW_DAEMON = 127.0.0.1, \$(FULL_HOSTNAME), \$(IP_ADDRESS)
ALLOW_NEGOTIATOR = 127.0.0.1, \$(FULL_HOSTNAME), \$(IP_ADDRESS)
ALLOW_CONFIG = 127.0.0.1
# Jobs run as the submitting user, in the submit directory (shared file system: the bind mounts).
UID_DOMAIN = tbps.local
FILESYSTEM_DOMAIN = tbps.local
TRUST_UID_DOMAIN = True
STARTER_ALLOW_RUNAS_OWNER = True
SOFT_UID_DOMAIN = True
MOUNT_UNDER_SCRATCH =
USE_PID_NAMESPACES = False
# No cgroup management inside the chroot.
BASE_CGROUP =
CGROUP_MEMORY_LIMIT_POLICY = none
# Always run, never preempt; one partitionable slot with the machine's resources.
START = True
SUSPEND = False
PREEMPT = False
KILL = False
WANT_SUSPEND = False
WANT_VACATE = False
NUM_SLOTS = 1
NUM_SLOTS_TYPE_1 = 1
SLOT_TYPE_1 = 100%
SLOT_TYPE_1_PARTITIONABLE = True
NUM_CPUS = \$(DETECTED_CPUS) * 8
# Fast scheduling for tests.
NEGOTIATOR_INTERVAL = 2
NEGOTIATOR_MIN_INTERVAL = 1
SCHEDD_INTERVAL = 5
UPDATE_INTERVAL = 5
STARTER_UPDATE_INTERVAL = 5
# Evaluate periodic_hold/release/remove (out-of-memory holds and memory escalation) every 5 s.
PERIODIC_EXPR_INTERVAL = 5
CLAIM_WORKLIFE = 3600
DAGMAN_USER_LOG_SCAN_INTERVAL = 1
# Test submit directories live in /tmp: do not turn the node-log-in-/tmp warning into an error.
DAGMAN_USE_STRICT = 0
DAGMAN_MAX_SUBMITS_PER_INTERVAL = 200
DAGMAN_SUBMIT_DELAY = 0
SHADOW_WORKLIFE = 3600
JOB_START_DELAY = 0
JOB_START_COUNT = 200
MAX_JOBS_RUNNING = 2000
SCHEDD_MIN_INTERVAL = 1
# Keep job history (condor_history) for the reports.
MAX_HISTORY_LOG = 200000000
EOF
echo "written: /etc/condor/config.d/99-tbps-personal.conf (in the chroot)"

step "start the pool"
if bash scripts/htcondor.sh status >/dev/null 2>&1; then
  chroot "$ROOTFS" condor_reconfig >/dev/null && echo "already running; configuration reloaded (condor_reconfig)"
else
  bash scripts/htcondor.sh start
fi

step "check: a slot appears"
ok=0
for _ in $(seq 1 60); do
  if chroot "$ROOTFS" condor_status -af Name 2>/dev/null | grep -q .; then ok=1; break; fi
  sleep 2
done
[ $ok = 1 ] || { chroot "$ROOTFS" condor_status || true; die "no slot after 120 s; logs in $ROOTFS/var/log/condor/"; }
chroot "$ROOTFS" condor_status

step "check: a trivial DAG runs as $SUBMIT_USER"
T=$(mktemp -d /tmp/tbps-condor-check.XXXXXX)
chgrp "$SHARE_GROUP" "$T"
chmod 2770 "$T"
cat > "$T/hello.sub" <<EOF
universe = vanilla
executable = /bin/sh
arguments = "-c 'id -un; uname -n'"
output = $T/hello.\$(node).out
error = $T/hello.\$(node).err
log = $T/hello.log
request_memory = 16
request_disk = 1024
should_transfer_files = NO
queue
EOF
printf 'JOB A hello.sub\nVARS A node="A"\nJOB B hello.sub\nVARS B node="B"\nPARENT A CHILD B\n' > "$T/check.dag"
chmod 0640 "$T"/*
(cd /tmp && bash "$REPO/scripts/htcondor.sh" exec sh -c "cd '$T' && condor_submit_dag -batch-name tbps-check check.dag") >/dev/null
for _ in $(seq 1 90); do
  if [ -e "$T/check.dag.dagman.out" ] && grep -q 'EXITING WITH STATUS' "$T/check.dag.dagman.out"; then break; fi
  sleep 2
done
grep -q 'EXITING WITH STATUS 0' "$T/check.dag.dagman.out" 2>/dev/null \
  || { tail -30 "$T/check.dag.dagman.out" 2>/dev/null >&2; die "the check DAG did not succeed (files in $T)"; }
who=$(head -1 "$T/hello.B.out")
[ "$who" = "$SUBMIT_USER" ] || die "the check job ran as '$who', expected $SUBMIT_USER"
echo "DAG of 2 nodes succeeded, jobs ran as $who"
rm -rf "$T"

step "check: $SUBMIT_USER reaches this checkout (jobs run in its submit directories)"
if (cd /tmp && bash "$REPO/scripts/htcondor.sh" exec test -x "$REPO"); then
  echo "$REPO is traversable by $SUBMIT_USER"
else
  p=$REPO
  while [ "$p" != / ] && [ "$(stat -c %A "$p" | cut -c10)" = x ]; do p=$(dirname "$p"); done
  die "$SUBMIT_USER cannot reach $REPO (the pool's jobs run as that user in the checkout's submit directories): $p is not traversable by others; chmod o+x $p (and its parents), or clone the repository elsewhere"
fi

VENV=${TBPS_VENV:-$REPO/.venv}
step "check: the LSST venv runs inside the chroot as $SUBMIT_USER"
if [ -x "$VENV/bin/pipetask" ]; then
  # Shared libraries the interpreter or the venv's extension modules need and the chroot lacks (the prefix's
  # _tkinter and nis modules are not used by the stack and not checked).
  notfound=$(chroot "$ROOTFS" sh -c 'p=$(readlink -f "$1/bin/python"); { echo "$p"; find "$1" -name "*.so*" -type f; } | xargs -r ldd 2>/dev/null | grep "not found" | sort -u' sh "$VENV" || true)
  [ -z "$notfound" ] || echo "warning: shared libraries missing in the chroot:"$'\n'"$notfound"
  (cd /tmp && bash "$REPO/scripts/htcondor.sh" exec "$VENV/bin/python" -c 'import lsst.ctrl.mpexec, lsst.daf.butler, lsst.pipe.base.tests.mocks') \
    || die "the venv's Python does not import the LSST stack inside the chroot as $SUBMIT_USER"
  (cd /tmp && bash "$REPO/scripts/htcondor.sh" exec "$VENV/bin/pipetask" --help >/dev/null) \
    || die "'$VENV/bin/pipetask --help' fails inside the chroot as $SUBMIT_USER"
  echo "pipetask runs inside the chroot as $SUBMIT_USER"
else
  echo "skipped: no LSST venv at $VENV (scripts/setup-lsst.sh makes it; then re-run this or 'htcondor.sh start')"
fi

printf '\nHTCondor personal pool ready. Command prefix for condor_* commands: %s\n' "bash $REPO/scripts/htcondor.sh exec"
