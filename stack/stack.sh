#!/usr/bin/env bash
# Starts, stops and reports the whole native local stack. Usage: stack/stack.sh up|down|status
# Components start in this order and stop in reverse; each is a script stack/<name>.sh with
# up|down|status subcommands built on stack/lib.sh.
. "$(dirname "$0")/lib.sh"

COMPONENTS=(postgres prometheus kafka apicurio kubernetes)

# One start or stop at a time per checkout: two concurrent `make stack` runs would each find a
# component not running yet, start it, and leave one copy behind that no pid file names. The
# lock is held by flock itself (-o: the services started underneath do not inherit it).
if [[ "${1:-}" == up || "${1:-}" == down ]] && [[ -z "${SENTINEL_STACK_LOCKED:-}" ]]; then
  mkdir -p "$STATE_DIR"
  SENTINEL_STACK_LOCKED=1 exec flock -o "$STATE_DIR/stack.lock" "$0" "$@"
fi

case "${1:-}" in
  up)
    start=$SECONDS
    for c in "${COMPONENTS[@]}"; do "$STACK_DIR/$c.sh" up; done
    say "stack up in $((SECONDS - start))s"
    "$0" status
    ;;
  down)
    for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do "$STACK_DIR/${COMPONENTS[i]}.sh" down; done
    ;;
  status)
    status_line SERVICE VERSION PORT HEALTH PID DETAILS
    rc=0
    for c in "${COMPONENTS[@]}"; do "$STACK_DIR/$c.sh" status || rc=1; done
    exit $rc
    ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
