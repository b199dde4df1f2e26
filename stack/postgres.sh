#!/usr/bin/env bash
# PostgreSQL from Debian's packages, in a cluster of its own. Usage: stack/postgres.sh up|down|status
. "$(dirname "$0")/lib.sh"

SVC=postgres
PGBIN="/usr/lib/postgresql/$POSTGRES_MAJOR/bin"
# The server refuses to run as root, so as root it runs as the postgres user with its data where
# that user can reach it; as anyone else it runs as that user inside the checkout.
if [[ $EUID -eq 0 ]]; then
  PGDATA="${SENTINEL_PGDATA:-/var/lib/postgresql/sentinel-stack/$POSTGRES_MAJOR-$POSTGRES_PORT}"
  as_pg() { runuser -u postgres -- "$@"; }
else
  PGDATA="${SENTINEL_PGDATA:-$DATA_DIR/postgres}"
  as_pg() { "$@"; }
fi
LOG="$LOG_DIR/postgres.log"

install() {
  [[ -x "$PGBIN/postgres" ]] && return 0
  [[ $EUID -eq 0 ]] || fail "PostgreSQL $POSTGRES_MAJOR is not installed: run 'sudo apt-get install postgresql-$POSTGRES_MAJOR'"
  say "installing postgresql-$POSTGRES_MAJOR from Debian"
  # Stop the package from creating and starting its own 'main' cluster on our port.
  mkdir -p /etc/postgresql-common
  grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf \
    || echo 'create_main_cluster = false' >>/etc/postgresql-common/createcluster.conf
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$POSTGRES_MAJOR" >/dev/null \
    || fail "apt-get install postgresql-$POSTGRES_MAJOR failed"
}

init() {
  [[ -f "$PGDATA/PG_VERSION" ]] && return 0
  say "postgres: initialising a cluster in $PGDATA"
  mkdir -p "$PGDATA"
  [[ $EUID -eq 0 ]] && chown postgres:postgres "$PGDATA" "$(dirname "$PGDATA")"
  as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$LOG_DIR/postgres-initdb.log" 2>&1 \
    || { log_tail postgres-initdb "$LOG_DIR/postgres-initdb.log"; fail "initdb failed"; }
  # Local development and tests only: trust auth, loopback, durability traded for speed.
  as_pg tee -a "$PGDATA/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $POSTGRES_PORT
unix_socket_directories = '$PGDATA'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
CONF
}

record_pid() { head -n1 "$PGDATA/postmaster.pid" >"$(pid_file $SVC)"; }

running() { as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

ready() { "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres; }

create_databases() {
  PATH="$PGBIN:$PATH" PGHOST=127.0.0.1 PGPORT="$POSTGRES_PORT" "$STACK_DIR/postgres/create-databases.sh"
}

up() {
  install
  init
  if running; then record_pid; say "postgres already running (pid $(cat "$(pid_file $SVC)"))"; create_databases; return 0; fi
  require_free_port postgres "$POSTGRES_PORT"
  say "starting postgres $POSTGRES_MAJOR on 127.0.0.1:$POSTGRES_PORT"
  ln -sf "$PGDATA/server.log" "$LOG"
  if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 start >/dev/null; then
    log_tail postgres "$PGDATA/server.log"; fail "postgres did not start (log above)"
  fi
  record_pid
  wait_ready $SVC "$LOG" 30 ready
  create_databases
}

down() {
  if running; then
    say "stopping postgres (pid $(head -n1 "$PGDATA/postmaster.pid"))"
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  else say "postgres: not running"; fi
  rm -f "$(pid_file $SVC)"
}

status() {
  local pid
  if running && pid="$(head -n1 "$PGDATA/postmaster.pid")"; then
    local health=down; ready && health=up
    status_line postgres "$("$PGBIN/postgres" --version | awk '{print $3}')" "$POSTGRES_PORT" "$health" "$pid" "rss=$(rss_mib "$pid")MiB data=$PGDATA"
  else status_line postgres "$POSTGRES_MAJOR" "$POSTGRES_PORT" down - ""; return 1; fi
}

case "${1:-}" in
  up) up ;; down) down ;; status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
