#!/usr/bin/env bash
# A private PostgreSQL cluster for the store's PostgreSQL tier and benchmarks, in .sandbox/postgres/ (ignored):
#   postgres.sh start    initdb on first use, then the server on 127.0.0.1 at a free port (kept in `port`); idempotent
#   postgres.sh stop     the server by the pid in its postmaster.pid (fast shutdown, then immediate, then SIGKILL)
#   postgres.sh status   pid, port and the URL with its password hidden; exit 3 when not running
#   postgres.sh url      postgres://tbps:<password>@127.0.0.1:<port>/tbps (for TBPS_DB and the tests)
#   postgres.sh psql ... psql on that database
# The cluster: superuser `tbps` with a generated password (`password`, mode 0600), scram-sha-256 for every
# connection (no trust, no peer), listening on 127.0.0.1 only, its Unix socket in `run/`, locale C (byte-order text
# comparisons, as SQLite's), synchronous_commit off (a crash loses the last commits, not consistency; as the SQLite
# store's synchronous=NORMAL). initdb refuses root: as root the server runs as the `postgres` system user (made by
# Debian's package), which must be able to reach this folder. Binaries: Debian's postgresql (scripts/setup-postgres.sh)
# or TBPS_PG_BINDIR.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SANDBOX=$REPO/.sandbox/postgres
DATA=$SANDBOX/data
SOCKDIR=$SANDBOX/run
PWFILE=$SANDBOX/password
PORTFILE=$SANDBOX/port
LOG=$SANDBOX/server.log
DB=tbps
SUPERUSER=tbps
die() { echo "postgres.sh: $*" >&2; exit 1; }

bindir() {
  if [ -n "${TBPS_PG_BINDIR:-}" ]; then echo "$TBPS_PG_BINDIR"; return; fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  echo "$d"
}
BIN=$(bindir)

need_binaries() {
  [ -n "$BIN" ] && [ -x "$BIN/initdb" ] && [ -x "$BIN/pg_ctl" ] && [ -x "$BIN/postgres" ] \
    || die "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin): run 'bash scripts/setup-postgres.sh' (as root)"
}

# The user the server runs as: this one, or `postgres` when this is root (initdb and postgres refuse root).
RUN_USER=$(id -un)
if [ "$(id -u)" = 0 ]; then RUN_USER=${TBPS_PG_USER:-postgres}; fi
as_server_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$RUN_USER" -- "$@"; else "$@"; fi
}

# The server's pid when it runs (from postmaster.pid, checked to be a postgres process of this data directory).
server_pid() {
  local pid
  [ -r "$DATA/postmaster.pid" ] || return 1
  pid=$(head -1 "$DATA/postmaster.pid" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$DATA" || return 1
  echo "$pid"
}

free_port() { # free_port [WANTED]: WANTED when nothing listens there, else a free one
  node -e '
    const net = require("net");
    const tryPort = (p, next) => { const s = net.createServer(); s.once("error", next);
      s.listen(p, "127.0.0.1", () => { const got = s.address().port; s.close(() => console.log(got)); }); };
    const wanted = Number(process.argv[1] || 0);
    tryPort(wanted, () => tryPort(0, (e) => { console.error(String(e)); process.exit(1); }));' "${1:-0}"
}

init_cluster() {
  need_binaries
  mkdir -p "$SANDBOX"
  chmod 0755 "$SANDBOX"
  if [ -e "$DATA/PG_VERSION" ]; then
    [ -s "$PWFILE" ] || die "$DATA exists but its password file $PWFILE is missing: stop it and remove $DATA to make a new cluster"
    return 0
  fi
  if [ "$(id -u)" = 0 ]; then
    id "$RUN_USER" >/dev/null 2>&1 || die "no user '$RUN_USER' to run the server as (Debian's postgresql package makes 'postgres'; or set TBPS_PG_USER)"
    runuser -u "$RUN_USER" -- test -x "$SANDBOX" \
      || die "user '$RUN_USER' cannot reach $SANDBOX: every parent directory needs o+x (e.g. chmod o+x on the checkout's parents)"
  fi
  echo "postgres.sh: initdb of a private cluster in $DATA (server user $RUN_USER)"
  rm -rf "$DATA" "$SOCKDIR"
  (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$PWFILE")
  chmod 0600 "$PWFILE"
  mkdir -p "$DATA" "$SOCKDIR"
  chmod 0700 "$DATA"
  chmod 0755 "$SOCKDIR"
  # initdb reads the password from a file the server user can read: a copy inside the (0700) data directory's
  # parent, removed right after.
  local initpw=$SANDBOX/.initpw
  (umask 077; cp "$PWFILE" "$initpw")
  if [ "$(id -u)" = 0 ]; then chown "$RUN_USER" "$DATA" "$SOCKDIR" "$initpw"; fi
  local rc=0
  as_server_user "$BIN/initdb" -D "$DATA" -U "$SUPERUSER" --pwfile="$initpw" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C >"$SANDBOX/initdb.log" 2>&1 || rc=$?
  rm -f "$initpw"
  [ $rc = 0 ] || { tail -20 "$SANDBOX/initdb.log" >&2; die "initdb failed (log $SANDBOX/initdb.log)"; }
  {
    echo "# tbps test cluster (scripts/postgres.sh)"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$SOCKDIR'"
    echo "password_encryption = 'scram-sha-256'"
    echo "max_connections = 200"
    echo "synchronous_commit = off"
    echo "logging_collector = off"
  } | as_server_user tee -a "$DATA/postgresql.conf" >/dev/null
  # Only password logins (initdb's --auth set scram-sha-256 for local and host lines; make sure nothing else is there).
  if grep -Eq '^[^#]*\b(trust|peer|ident|md5|password)\b' "$DATA/pg_hba.conf"; then
    die "unexpected pg_hba.conf in $DATA: expected only scram-sha-256 lines"
  fi
}

do_start() {
  init_cluster
  local pid port
  if pid=$(server_pid); then
    echo "postgres.sh: already running (pid $pid, port $(cat "$PORTFILE"))"
    return 0
  fi
  port=$(free_port "$(cat "$PORTFILE" 2>/dev/null || echo 0)")
  echo "$port" > "$PORTFILE"
  if [ "$(id -u)" = 0 ]; then touch "$LOG"; chown "$RUN_USER" "$LOG"; fi
  # The server must not inherit the lock (fd 9) or this script's output: 9>&- and -l.
  as_server_user "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -o "-p $port -k $SOCKDIR" -w -t 60 start >/dev/null 2>&1 9>&- </dev/null \
    || { tail -20 "$LOG" >&2; die "the server did not start (log $LOG)"; }
  pid=$(server_pid) || die "the server started but its pid is not found (log $LOG)"
  # The database the URL names.
  if [ -z "$(run_psql postgres -tAc "select 1 from pg_database where datname = '$DB'")" ]; then
    run_psql postgres -qc "create database $DB" >/dev/null
  fi
  echo "postgres.sh: started (pid $pid) on 127.0.0.1:$port, database $DB"
}

do_stop() {
  local pid i
  if ! pid=$(server_pid); then
    echo "postgres.sh: not running"
    return 0
  fi
  # SIGINT: fast shutdown (roll back open transactions, close connections); then SIGQUIT (immediate); then SIGKILL.
  for sig in INT QUIT KILL; do
    kill -"$sig" "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || { echo "postgres.sh: stopped (pid $pid)"; return 0; }
      sleep 0.2
    done
  done
  die "pid $pid did not exit"
}

do_status() {
  local pid
  if pid=$(server_pid); then
    echo "postgres.sh: running (pid $pid) on 127.0.0.1:$(cat "$PORTFILE"), data $DATA"
    echo "  url: postgres://$SUPERUSER:***@127.0.0.1:$(cat "$PORTFILE")/$DB   (full URL: bash scripts/postgres.sh url)"
    return 0
  fi
  echo "postgres.sh: not running${BIN:+ (binaries $BIN)}"
  return 3
}

do_url() {
  [ -s "$PWFILE" ] && [ -s "$PORTFILE" ] || die "no cluster yet: run 'bash scripts/postgres.sh start'"
  echo "postgres://$SUPERUSER:$(cat "$PWFILE")@127.0.0.1:$(cat "$PORTFILE")/$DB"
}

run_psql() { # run_psql DATABASE ARGS...: psql over TCP with the generated password
  local db=$1; shift
  PGPASSWORD=$(cat "$PWFILE") PGCONNECT_TIMEOUT=10 psql -X -h 127.0.0.1 -p "$(cat "$PORTFILE")" -U "$SUPERUSER" -d "$db" "$@"
}

# One start/stop at a time (several test runs may call start together).
locked() {
  mkdir -p "$SANDBOX"
  exec 9>"$SANDBOX/.lock"
  flock 9
  "$@"
}

case "${1:-}" in
  start) locked do_start ;;
  stop) locked do_stop ;;
  status) do_status ;;
  url) do_url ;;
  psql) shift; server_pid >/dev/null || die "not running: run 'bash scripts/postgres.sh start'"; run_psql "$DB" "$@" ;;
  *) echo "usage: scripts/postgres.sh start|stop|status|url|psql [args]" >&2; exit 2 ;;
esac
