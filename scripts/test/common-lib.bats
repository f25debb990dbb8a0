#!/usr/bin/env bats
# scripts/lib/common.sh: the helpers every script and test shares, where a test can pin them down.

load test_helper

ephemeral_low() {
  cut -f1 /proc/sys/net/ipv4/ip_local_port_range
}

@test "free_ports: distinct, below the ephemeral range, each with its next port free too" {
  local ports port low
  ports="$(free_ports 20)"
  low="$(ephemeral_low)"
  [ "$(tr ' ' '\n' <<<"$ports" | sort -u | wc -l)" -eq 20 ]
  for port in $ports; do
    # Outgoing connections take their local ports from the ephemeral range: a port there can be
    # gone before the service binds it (seen with two bats files at a time).
    ((port >= 1024 && port + 1 < low)) || { echo "port $port is not below $low" >&2; return 1; }
  done
  # Both a port and the one after it can be bound (run-local serves the admin port on port + 1).
  python3 -c '
import socket, sys
for port in map(int, sys.argv[1:]):
    for p in (port, port + 1):
        s = socket.socket()
        s.bind(("127.0.0.1", p))
        s.close()' $ports
}

@test "free_ports: the job slots of bats --jobs draw from ranges that do not overlap" {
  local first second
  first="$(PARALLEL_JOBSLOT=1 free_ports 30 | tr ' ' '\n' | sort -n)"
  second="$(PARALLEL_JOBSLOT=2 free_ports 30 | tr ' ' '\n' | sort -n)"
  (($(tail -1 <<<"$first") + 1 < $(head -1 <<<"$second"))) || {
    echo "slot 1 up to $(tail -1 <<<"$first"), slot 2 from $(head -1 <<<"$second")" >&2
    return 1
  }
}
