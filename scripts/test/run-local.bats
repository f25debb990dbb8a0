#!/usr/bin/env bats
# make run-server (scripts/run-local): both services start wired to each other, Ctrl-C stops
# both, and a service that cannot start makes it fail. Runs the real jars on free loopback ports.

load test_helper

setup() {
  for jar in service/greeter/target/greeter.jar service/timezones/target/timezones.jar; do
    [[ -f "$REPO_ROOT/$jar" ]] || { echo "$jar missing: run make build first" >&2; return 1; }
  done
  read -r GREETER_PORT TIMEZONES_PORT <<<"$(free_ports 2)"
  export GREETER_PORT TIMEZONES_PORT
  LOG="$BATS_TEST_TMPDIR/run-local.log"
}

teardown() {
  if [[ -n "${LAUNCHER_PID:-}" ]]; then
    kill -TERM "$LAUNCHER_PID" 2>/dev/null || true
    wait "$LAUNCHER_PID" 2>/dev/null || true
  fi
  # Nothing may outlive the script: a leftover service would hold its port.
  pkill -f -- "-Dbats.run-local=$BATS_TEST_NUMBER" 2>/dev/null || true
}

# launch: runs scripts/run-local in its own process group with SIGINT at its default, as a
# terminal's foreground job has it (a background job of this shell would ignore SIGINT).
launch() {
  JAVA_TOOL_OPTIONS="-Dbats.run-local=$BATS_TEST_NUMBER" python3 -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setpgrp()
os.execv(sys.argv[1], sys.argv[1:])' "$REPO_ROOT/scripts/run-local" >"$LOG" 2>&1 &
  LAUNCHER_PID=$!
}

wait_up() {
  local i
  for i in $(seq 1 240); do
    curl -fsS -o /dev/null "http://127.0.0.1:$((GREETER_PORT + 1))/ping" 2>/dev/null &&
      curl -fsS -o /dev/null "http://127.0.0.1:$((TIMEZONES_PORT + 1))/ping" 2>/dev/null && return 0
    kill -0 "$LAUNCHER_PID" 2>/dev/null || { cat "$LOG" >&2; return 1; }
    sleep 0.25
  done
  cat "$LOG" >&2
  return 1
}

@test "--help explains the ports and exits 0" {
  run "$REPO_ROOT/scripts/run-local" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *GREETER_PORT* && "$output" == *TIMEZONES_PORT* ]]
}

@test "starts greeter wired to the timezones it started; Ctrl-C stops both" {
  launch
  wait_up
  run curl -fsS "http://127.0.0.1:$GREETER_PORT/time?zone=Asia/Kolkata"
  [ "$status" -eq 0 ]
  [[ "$output" == *'"zone":"Asia/Kolkata"'* ]]
  run curl -fsS -H 'X-API-Key: dev-only-api-key' "http://127.0.0.1:$GREETER_PORT/secret"
  [ "$status" -eq 0 ]
  [[ "$output" == *dev-only-secret-message* ]]

  kill -INT "$LAUNCHER_PID"
  local status=0
  wait "$LAUNCHER_PID" || status=$?
  LAUNCHER_PID=""
  [ "$status" -eq 130 ]
  ! pgrep -f -- "-Dbats.run-local=$BATS_TEST_NUMBER"
  ! curl -fsS -o /dev/null "http://127.0.0.1:$((GREETER_PORT + 1))/ping" 2>/dev/null
}

@test "a variable set in the environment wins over .env.example" {
  GREETING="Hello from bats" launch
  wait_up
  run curl -fsS "http://127.0.0.1:$GREETER_PORT/"
  [[ "$output" == *'"message":"Hello from bats"'* ]]
}

@test "a service that cannot start fails the run with its reason" {
  DUMMY_API_KEY="" launch
  local status=0
  wait "$LAUNCHER_PID" || status=$?
  LAUNCHER_PID=""
  cat "$LOG"
  [ "$status" -ne 0 ]
  grep -q "greeter: cannot start: DUMMY_API_KEY must be set" "$LOG"
  grep -q "greeter exited during start-up" "$LOG"
  ! pgrep -f -- "-Dbats.run-local=$BATS_TEST_NUMBER"
}
