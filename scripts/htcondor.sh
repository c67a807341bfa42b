#!/usr/bin/env bash
# The personal HTCondor pool in .sandbox/htcondor/root (made by scripts/setup-htcondor.sh):
#   htcondor.sh start      bind mounts + condor_master (pid in .sandbox/htcondor/master.pid)
#   htcondor.sh stop       condor_master by its pid (graceful, then SIGKILL after 30 s), then unmounts
#   htcondor.sh status     pid and condor_status
#   htcondor.sh exec CMD   runs CMD as the submitting user (with the share group tbps) inside the chroot, in the
#                          current directory
#                          (the command prefix tbps uses for condor_* commands: wmsCommandPrefix)
#   htcondor.sh mount|unmount
# Mounts (at the same paths inside the chroot): /proc, /dev, /tmp, this repo and, when the repo has a venv (.venv or
# TBPS_VENV, the LSST stack of lsst/env.ts), its interpreter's base prefix read-only (e.g. a pyenv build under the
# host's /root, which is not otherwise visible inside the chroot; the chroot's own parent directories of it are made
# traversable). `start` (re)does missing mounts even when condor_master already runs, so a venv made after the pool
# started becomes usable by re-running it.
# While mounted, .sandbox/htcondor/root contains the host's /tmp, /dev, this repo and that prefix: run
# `htcondor.sh stop` (which unmounts) before deleting .sandbox/htcondor, or use `rm -rf --one-file-system`.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SANDBOX=$REPO/.sandbox/htcondor
ROOTFS=$SANDBOX/root
PIDFILE=$SANDBOX/master.pid
PYPREFIX_FILE=$SANDBOX/python-prefix   # interpreter prefixes bind-mounted by do_mount (one a line), for do_unmount
VENV=${TBPS_VENV:-$REPO/.venv}
SUBMIT_USER=${TBPS_CONDOR_USER:-tbpsuser}
SHARE_GROUP=${TBPS_HTCONDOR_SHARE_GROUP:-tbps}
die() { echo "htcondor.sh: $*" >&2; exit 1; }

need_rootfs() {
  [ -x "$ROOTFS/usr/sbin/condor_master" ] || die "no HTCondor chroot at $ROOTFS: run 'bash scripts/setup-htcondor.sh' (as root)"
}

bind() { # bind SRC (mounted at the same path inside the chroot)
  local dst=$ROOTFS$1
  mkdir -p "$dst"
  mountpoint -q "$dst" || mount --bind "$1" "$dst"
}

do_mount() {
  mkdir -p "$ROOTFS/proc"
  mountpoint -q "$ROOTFS/proc" || mount -t proc proc "$ROOTFS/proc"
  bind /dev
  bind /tmp
  bind "$REPO"
  bind_python_prefix
}

# The venv's interpreter lives outside the venv (pyvenv.cfg `home`, sys.base_prefix): bind that prefix read-only at
# the same path so .venv/bin/python resolves inside the chroot. Nothing to do when there is no venv or its prefix is
# already visible there (under /usr, /tmp or the repo).
bind_python_prefix() {
  [ -x "$VENV/bin/python" ] || return 0
  local prefix dst d
  prefix=$("$VENV/bin/python" -c 'import sys; print(sys.base_prefix)' 2>/dev/null) || return 0
  prefix=$(readlink -f "$prefix") || return 0
  case "$prefix" in
    ""|/|/usr|/usr/*|/tmp|/tmp/*|"$REPO"|"$REPO"/*) return 0 ;;
  esac
  [ -d "$prefix" ] || return 0
  dst=$ROOTFS$prefix
  if ! mountpoint -q "$dst"; then
    mkdir -p "$dst"
    mount --bind "$prefix" "$dst"
    mount -o remount,bind,ro "$dst" || true
  fi
  grep -qxF "$prefix" "$PYPREFIX_FILE" 2>/dev/null || echo "$prefix" >> "$PYPREFIX_FILE"
  # The chroot's own directories above it (e.g. its /root, 0700 by default) must be traversable by the submitting user.
  d=$(dirname "$dst")
  while [ "$d" != "$ROOTFS" ] && [ "${#d}" -gt "${#ROOTFS}" ]; do
    chmod a+x "$d"
    d=$(dirname "$d")
  done
}

do_unmount() {
  local d prefixes=()
  # Deepest first: the interpreter prefix(es) (longest path first), then the repo, /tmp, /dev, /proc.
  if [ -f "$PYPREFIX_FILE" ]; then
    mapfile -t prefixes < <(awk 'NF { print length($0) "\t" $0 }' "$PYPREFIX_FILE" | sort -rn | cut -f2- | sed "s|^|$ROOTFS|")
  fi
  for d in ${prefixes[@]+"${prefixes[@]}"} "$ROOTFS$REPO" "$ROOTFS/tmp" "$ROOTFS/dev" "$ROOTFS/proc"; do
    if mountpoint -q "$d" 2>/dev/null; then umount "$d" || umount -l "$d"; fi
  done
  rm -f "$PYPREFIX_FILE"
}

master_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" != "" ] || return 1
  grep -q condor_master "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

case "${1:-}" in
  start)
    [ "$(id -u)" = 0 ] || die "start needs root"
    need_rootfs
    do_mount
    if pid=$(master_pid); then echo "condor_master already running (pid $pid)"; exit 0; fi
    chroot "$ROOTFS" sh -c 'mkdir -p /run/condor /var/lock/condor /var/log/condor /var/lib/condor/spool /var/lib/condor/execute && chown condor:condor /run/condor /var/lock/condor /var/log/condor /var/lib/condor/spool /var/lib/condor/execute && chmod 1777 /var/lib/condor/execute' || true
    chroot "$ROOTFS" /usr/sbin/condor_master -pidfile /run/condor/master.pid
    for _ in $(seq 1 50); do
      if [ -s "$ROOTFS/run/condor/master.pid" ]; then break; fi
      sleep 0.2
    done
    [ -s "$ROOTFS/run/condor/master.pid" ] || die "condor_master did not start; see $ROOTFS/var/log/condor/MasterLog"
    cp "$ROOTFS/run/condor/master.pid" "$PIDFILE"
    echo "condor_master started (pid $(cat "$PIDFILE"))"
    ;;
  stop)
    if pid=$(master_pid); then
      kill -TERM "$pid"
      for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
      echo "condor_master (pid $pid) stopped"
    else
      echo "condor_master not running"
    fi
    rm -f "$PIDFILE"
    [ "$(id -u)" = 0 ] && do_unmount
    ;;
  status)
    if pid=$(master_pid); then
      echo "condor_master running (pid $pid)"
      chroot "$ROOTFS" condor_status 2>&1 || true
    else
      echo "condor_master not running"
      exit 3
    fi
    ;;
  exec)
    shift
    [ $# -gt 0 ] || die "exec needs a command"
    need_rootfs
    [ "$(id -u)" = 0 ] || die "exec needs root (chroot)"
    home=/home/$SUBMIT_USER
    # The share group (setup-htcondor.sh) as a supplementary group: tbps shares submit trees through it.
    groups=$SUBMIT_USER
    if chroot "$ROOTFS" getent group "$SHARE_GROUP" >/dev/null 2>&1; then groups=$groups,$SHARE_GROUP; fi
    exec chroot --userspec="$SUBMIT_USER:$SUBMIT_USER" --groups="$groups" "$ROOTFS" \
      /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$home" USER="$SUBMIT_USER" LOGNAME="$SUBMIT_USER" LANG=C.UTF-8 \
      /bin/sh -c 'cd "$1" || exit 125; shift; exec "$@"' sh "$PWD" "$@"
    ;;
  mount) [ "$(id -u)" = 0 ] || die "mount needs root"; [ -d "$ROOTFS/etc" ] || die "no chroot at $ROOTFS"; do_mount ;;
  unmount) [ "$(id -u)" = 0 ] || die "unmount needs root"; do_unmount ;;
  *) echo "usage: htcondor.sh start|stop|status|exec CMD...|mount|unmount" >&2; exit 2 ;;
esac
