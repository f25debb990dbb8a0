# shellcheck shell=bash
# Shared helpers for every script in scripts/: logging, fatal errors, dry-run aware
# command execution and prerequisite checks. Source it; do not execute it.

# DRY_RUN=1 makes `run` print commands instead of executing them.
DRY_RUN="${DRY_RUN:-0}"

log() {
  printf '%s %s\n' "[$(basename "$0")]" "$*" >&2
}

die() {
  printf '%s error: %s\n' "[$(basename "$0")]" "$*" >&2
  exit 1
}

# Prints the command, shell-quoted, then runs it unless DRY_RUN=1.
run() {
  local quoted
  printf -v quoted '%q ' "$@"
  if [[ "$DRY_RUN" == "1" ]]; then
    printf '+ %s\n' "${quoted% }"
    return 0
  fi
  printf '+ %s\n' "${quoted% }" >&2
  "$@"
}

require_cmd() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is required but was not found on PATH"
  done
}

# Fails unless $2 is set and non-empty; $1 names the option for the message.
require_value() {
  [[ -n "${2:-}" ]] || die "$1 is required (see --help)"
}

# free_ports N: N distinct TCP ports free on the loopback interface now, space-separated. They
# are bound together, so two of them can never be the same port.
free_ports() {
  python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

# wait_http URL PID NAME [SECONDS] [LOG]: polls URL every 20 ms until it answers 2xx. Stops the
# script when process PID exits first (with the last lines of LOG, if given) or after SECONDS (60).
wait_http() {
  local url="$1" pid="$2" name="$3" seconds="${4:-60}" log_file="${5:-}" deadline
  deadline=$((SECONDS + seconds))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      [[ -z "$log_file" ]] || tail -n 5 "$log_file" >&2
      die "$name exited during start-up"
    fi
    ((SECONDS < deadline)) || die "$name did not answer $url within ${seconds} s"
    sleep 0.02
  done
}
