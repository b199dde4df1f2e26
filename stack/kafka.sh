#!/usr/bin/env bash
# Kafka (KRaft, single node) from Maven Central jars. Usage: stack/kafka.sh up|down|status
. "$(dirname "$0")/lib.sh"

SVC=kafka
LIBS="$CACHE_DIR/kafka-$KAFKA_VERSION/libs"
CONF_DIR="$STATE_DIR/kafka"
LOG="$LOG_DIR/kafka.log"

fetch() {
  [[ -f "$LIBS/.complete" ]] && return 0
  rm -rf "$LIBS"; mkdir -p "$LIBS"
  mvn_progress "kafka $KAFKA_VERSION" -f "$STACK_DIR/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    "$MVN_DEP_PLUGIN:copy-dependencies" -DincludeScope=runtime -DoutputDirectory="$LIBS"
  touch "$LIBS/.complete"
  say "kafka $KAFKA_VERSION: $(ls "$LIBS" | wc -l) jars cached in $LIBS"
}

java_kafka() {
  java -Xms256m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Dlog4j2.configurationFile="$STACK_DIR/kafka/log4j2.properties" -cp "$LIBS/*" "$@"
}

ready() { grep -q 'Kafka Server started' "$LOG" && [[ -n "$(port_owner "$KAFKA_PORT")" ]]; }

up() {
  if pid="$(live_pid $SVC)"; then say "kafka already running (pid $pid)"; wait_ready $SVC "$LOG" 120 ready; return 0; fi
  require_free_port kafka "$KAFKA_PORT"
  require_free_port kafka-controller "$KAFKA_CONTROLLER_PORT"
  fetch
  mkdir -p "$CONF_DIR" "$DATA_DIR/kafka"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
      -e "s|@DATA@|$DATA_DIR/kafka|g" "$STACK_DIR/kafka/server.properties.in" >"$CONF_DIR/server.properties"
  if [[ ! -f "$DATA_DIR/kafka/meta.properties" ]]; then
    say "kafka: formatting storage in $DATA_DIR/kafka"
    local id; id="$(java_kafka kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
    java_kafka kafka.tools.StorageTool format -t "$id" -c "$CONF_DIR/server.properties" --ignore-formatted >"$LOG_DIR/kafka-format.log" 2>&1 \
      || { log_tail kafka-format "$LOG_DIR/kafka-format.log"; fail "kafka storage format failed"; }
  fi
  say "starting kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT"
  start_detached $SVC "$LOG" java -Xms256m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Dlog4j2.configurationFile="$STACK_DIR/kafka/log4j2.properties" -cp "$LIBS/*" kafka.Kafka "$CONF_DIR/server.properties"
  wait_ready $SVC "$LOG" 120 ready
}

status() {
  local pid health=down
  if pid="$(live_pid $SVC)"; then ready && health=up || health=starting
    status_line kafka "$KAFKA_VERSION" "$KAFKA_PORT" "$health" "$pid" "rss=$(rss_mib "$pid")MiB"
  else status_line kafka "$KAFKA_VERSION" "$KAFKA_PORT" down - ""; return 1; fi
}

case "${1:-}" in
  up) up ;; down) stop_service $SVC 60 ;; status) status ;; fetch) fetch ;;
  *) echo "usage: $0 up|down|status|fetch" >&2; exit 2 ;;
esac
