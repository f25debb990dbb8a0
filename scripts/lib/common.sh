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

# free_ports N: N TCP ports free on the loopback interface now, space-separated, each with the
# port after it free too (run-local serves a service's admin port on its port + 1). They are drawn
# at random below the kernel's ephemeral range (net.ipv4.ip_local_port_range), where every outgoing
# connection takes its local port, so no connection opened before the caller binds them can take
# them; and they are bound together, so no two are the same. Under GNU parallel (bats --jobs) each
# job slot draws from its own part of that range, so tests running side by side never draw the same
# port.
free_ports() {
  python3 -c '
import os, random, socket, sys
count = int(sys.argv[1])
try:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        ephemeral = int(f.read().split()[0])
except OSError:
    ephemeral = 32768
low, high = 10000, ephemeral - 2
slot = os.environ.get("PARALLEL_JOBSLOT", "")
if slot.isdigit() and high - low > 4000:
    part = (high - low) // 4
    low += (int(slot) - 1) % 4 * part
    high = low + part
held, ports = [], []
for _ in range(10000):
    if len(ports) == count:
        break
    port = random.randrange(low, high, 2) if high - low > 100 else 0
    pair = []
    try:
        for p in (port, port + 1) if port else (0,):
            s = socket.socket()
            pair.append(s)
            s.bind(("127.0.0.1", p))
    except OSError:
        for s in pair:
            s.close()
        continue
    held += pair
    ports.append(pair[0].getsockname()[1])
if len(ports) < count:
    sys.exit("free_ports: found no %d free ports between %d and %d" % (count, low, high))
print(" ".join(map(str, ports)))' "$1"
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
