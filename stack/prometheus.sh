#!/usr/bin/env bash
# Prometheus from Debian's package, scraping Sentinel and the targets tests register.
# Usage: stack/prometheus.sh up|down|status
. "$(dirname "$0")/lib.sh"

SVC=prometheus
PROM_BIN=/usr/bin/prometheus
CONF_DIR="$STATE_DIR/prometheus"
# Tests register their own scrape targets by writing <name>.json files here (file-based discovery).
TARGETS_DIR="$CONF_DIR/targets"
CONF="$CONF_DIR/prometheus.yml"
DATA="$DATA_DIR/prometheus"
LOG="$LOG_DIR/prometheus.log"
URL="http://127.0.0.1:$PROMETHEUS_PORT"

installed_version() { "$PROM_BIN" --version 2>/dev/null | sed -n 's/^prometheus, version \([0-9][0-9.]*\).*/\1/p'; }

# The package enables and starts its own daemon on :9090 with /etc/prometheus; ours runs from the
# checkout instead. A temporary policy-rc.d keeps the package's postinst from starting it, and the
# service is disabled afterwards so that it does not start at boot either.
install() {
  if [[ ! -x "$PROM_BIN" ]]; then
    [[ $EUID -eq 0 ]] || fail "Prometheus is not installed: run 'sudo apt-get install --no-install-recommends prometheus'"
    say "installing prometheus from Debian (its own service stays stopped)"
    local policy=/usr/sbin/policy-rc.d own_policy=""
    if [[ ! -e "$policy" ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; own_policy=1; fi
    local ok=1
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null || ok=""
    [[ -n "$own_policy" ]] && rm -f "$policy"
    [[ -n "$ok" ]] || fail "apt-get install prometheus failed"
    disable_package_service
  fi
  local v; v="$(installed_version)"
  [[ "$v" == "$PROMETHEUS_VERSION" ]] \
    || fail "$PROM_BIN is version ${v:-unknown}, but stack/stack.env expects PROMETHEUS_VERSION=$PROMETHEUS_VERSION; install that version or change the pin"
}

disable_package_service() {
  if [[ -d /run/systemd/system ]]; then
    systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  elif [[ -x /etc/init.d/prometheus ]]; then
    /etc/init.d/prometheus stop >/dev/null 2>&1 || true
    update-rc.d prometheus disable >/dev/null 2>&1 || true
  fi
}

# Renders the committed template; sets CHANGED when the result differs from the current file.
CHANGED=""
configure() {
  mkdir -p "$CONF_DIR" "$TARGETS_DIR" "$DATA"
  local next="$CONF.next"
  sed -e "s|@SENTINEL_TARGET@|127.0.0.1:$SENTINEL_PORT|g" -e "s|@TARGETS_DIR@|$TARGETS_DIR|g" \
    "$STACK_DIR/prometheus/prometheus.yml.in" >"$next"
  "${PROM_BIN%/*}/promtool" check config "$next" >"$LOG_DIR/prometheus-config.log" 2>&1 \
    || { log_tail prometheus-config "$LOG_DIR/prometheus-config.log"; rm -f "$next"; fail "generated $CONF is invalid"; }
  if cmp -s "$next" "$CONF"; then rm -f "$next"; else mv "$next" "$CONF"; CHANGED=1; fi
}

ready() { [[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/-/ready")" == 200 ]]; }

up() {
  install
  configure
  local pid
  if pid="$(live_pid $SVC)"; then
    say "prometheus already running (pid $pid)"
    if [[ -n "$CHANGED" ]]; then
      say "prometheus: configuration changed; reloading"
      curl -sf -X POST "$URL/-/reload" >/dev/null || fail "prometheus did not accept the new $CONF (see $LOG)"
    fi
    wait_ready $SVC "$LOG" 60 ready
    return 0
  fi
  require_free_port prometheus "$PROMETHEUS_PORT"
  say "starting prometheus $PROMETHEUS_VERSION on $URL"
  start_detached $SVC "$LOG" "$PROM_BIN" --config.file="$CONF" --storage.tsdb.path="$DATA" \
    --storage.tsdb.retention.time=2d --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
    --web.enable-lifecycle --log.level=warn
  wait_ready $SVC "$LOG" 60 ready
}

status() {
  local pid health=down
  if pid="$(live_pid $SVC)"; then ready && health=up || health=starting
    status_line prometheus "$(installed_version)" "$PROMETHEUS_PORT" "$health" "$pid" "rss=$(rss_mib "$pid")MiB url=$URL targets=$TARGETS_DIR"
  else status_line prometheus "$PROMETHEUS_VERSION" "$PROMETHEUS_PORT" down - ""; return 1; fi
}

case "${1:-}" in
  up) up ;; down) stop_service $SVC 30 ;; status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
