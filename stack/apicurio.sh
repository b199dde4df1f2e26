#!/usr/bin/env bash
# Apicurio Registry (Confluent-compatible API) from Maven Central, storing schemas in the stack's
# Postgres so schema ids survive restarts. Usage: stack/apicurio.sh up|down|status
. "$(dirname "$0")/lib.sh"

SVC=apicurio
HOME_DIR="$CACHE_DIR/apicurio-$APICURIO_VERSION"
LOG="$LOG_DIR/apicurio.log"
CCOMPAT="http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"

fetch() {
  [[ -f "$HOME_DIR/.complete" ]] && return 0
  rm -rf "$HOME_DIR"; mkdir -p "$HOME_DIR"
  local dl="$CACHE_DIR/downloads"; mkdir -p "$dl"
  # One ~160 MB artifact: Maven prints no progress for it in batch mode, so report its size.
  local artifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all"
  say "apicurio $APICURIO_VERSION: downloading $artifact (~160 MB)"
  mvn -B -q "$MVN_DEP_PLUGIN:copy" -Dartifact="$artifact" -DoutputDirectory="$dl" >"$LOG_DIR/apicurio-fetch.log" 2>&1 &
  local mpid=$!
  while kill -0 $mpid 2>/dev/null; do
    sleep 5
    kill -0 $mpid 2>/dev/null && say "  apicurio: $(du -sm "$HOME/.m2/repository/io/apicurio/apicurio-registry-app" 2>/dev/null | cut -f1) MB so far"
  done
  wait $mpid || { log_tail apicurio-fetch "$LOG_DIR/apicurio-fetch.log"; fail "apicurio download failed"; }
  tar -xzf "$dl/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz" -C "$HOME_DIR"
  rm -f "$dl/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz"
  touch "$HOME_DIR/.complete"
  say "apicurio $APICURIO_VERSION cached in $HOME_DIR"
}

ready() { [[ "$(curl -s -o /dev/null -w '%{http_code}' "$CCOMPAT/subjects")" == 200 ]]; }

up() {
  if pid="$(live_pid $SVC)"; then say "apicurio already running (pid $pid)"; wait_ready $SVC "$LOG" 180 ready; return 0; fi
  require_free_port apicurio "$REGISTRY_PORT"
  fetch
  say "starting apicurio registry $APICURIO_VERSION on 127.0.0.1:$REGISTRY_PORT (storage: postgres db 'apicurio')"
  local java; java="$(java21)"
  start_detached $SVC "$LOG" "$java" -Xms256m -Xmx1g \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.enabled=false \
    -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=postgresql \
    -Dapicurio.datasource.url="jdbc:postgresql://127.0.0.1:$POSTGRES_PORT/apicurio" \
    -Dapicurio.datasource.username=postgres -Dapicurio.datasource.password=postgres \
    -Dapicurio.datasource.jdbc.initial-size=2 -Dapicurio.datasource.jdbc.min-size=2 \
    -Dapicurio.datasource.jdbc.max-size=20 \
    -jar "$HOME_DIR/quarkus-run.jar"
  wait_ready $SVC "$LOG" 180 ready
}

status() {
  local pid health=down
  if pid="$(live_pid $SVC)"; then ready && health=up || health=starting
    status_line apicurio "$APICURIO_VERSION" "$REGISTRY_PORT" "$health" "$pid" "rss=$(rss_mib "$pid")MiB url=$CCOMPAT"
  else status_line apicurio "$APICURIO_VERSION" "$REGISTRY_PORT" down - ""; return 1; fi
}

case "${1:-}" in
  up) up ;; down) stop_service $SVC 30 ;; status) status ;; fetch) fetch ;;
  *) echo "usage: $0 up|down|status|fetch" >&2; exit 2 ;;
esac
