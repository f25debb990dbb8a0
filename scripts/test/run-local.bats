#!/usr/bin/env bats
# make run-server (scripts/run-local): both services start wired to each other, Ctrl-C stops
# both, a service that cannot start makes it fail, and a service that stops later leaves the
# other serving. Runs the real jars on free loopback ports.

load test_helper

setup() {
  for jar in service/greeter/target/greeter.jar service/timezones/target/timezones.jar; do
    [[ -f "$REPO_ROOT/$jar" ]] || { echo "$jar missing: run make build first" >&2; return 1; }
  done
  read -r GREETER_PORT TIMEZONES_PORT <<<"$(free_ports 2)"
  export GREETER_PORT TIMEZONES_PORT
  LOG="$BATS_TEST_TMPDIR/run-local.log"
  # Marks the JVMs of this test (through JAVA_TOOL_OPTIONS, in their environment) so that
  # jvms_left can find them whoever their parent is by then.
  MARK="-Dbats.run-local=${BATS_ROOT_PID:-$$}.$BATS_TEST_NUMBER"
}

teardown() {
  local pid
  # Nothing may outlive the test: a leftover service would hold its port.
  if [[ -n "${LAUNCHER_PID:-}" ]]; then
    kill -TERM "$LAUNCHER_PID" 2>/dev/null || true
    stopped_with 143 >/dev/null 2>&1 || kill -KILL "$LAUNCHER_PID" 2>/dev/null || true
  fi
  for pid in $(jvms_left); do
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# jvms_left: the pids of this test's JVMs still alive (java processes whose environment has MARK).
jvms_left() {
  local environ pid
  for environ in $(grep -lsaF -- "$MARK" /proc/[0-9]*/environ); do
    pid="${environ#/proc/}"
    pid="${pid%/environ}"
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == java ]] && echo "$pid"
  done
  return 0
}

# service_pid NAME: the pid of the service run-local started.
service_pid() {
  pgrep -P "$LAUNCHER_PID" -f "service/$1/target/$1.jar"
}

# stopped_with STATUS: run-local exits within 60 s with STATUS (a hang fails instead of blocking).
stopped_with() {
  local i status=0
  for i in $(seq 1 240); do
    kill -0 "$LAUNCHER_PID" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$LAUNCHER_PID" 2>/dev/null; then
    echo "run-local still runs 60 s later" >&2
    cat "$LOG" >&2
    return 1
  fi
  wait "$LAUNCHER_PID" || status=$?
  LAUNCHER_PID=""
  [ "$status" -eq "$1" ] || { echo "run-local exited $status, expected $1" >&2; cat "$LOG" >&2; return 1; }
}

# wait_log TEXT: waits (up to 60 s) until run-local has logged TEXT.
wait_log() {
  local i
  for i in $(seq 1 240); do
    grep -qF -- "$1" "$LOG" && return 0
    sleep 0.25
  done
  echo "run-local never logged: $1" >&2
  cat "$LOG" >&2
  return 1
}

# launch: runs scripts/run-local in its own process group with SIGINT at its default, as a
# terminal's foreground job has it (a background job of this shell would ignore SIGINT).
launch() {
  JAVA_TOOL_OPTIONS="$MARK" python3 -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setpgrp()
os.execv(sys.argv[1], sys.argv[1:])' "$REPO_ROOT/scripts/run-local" >"$LOG" 2>&1 &
  LAUNCHER_PID=$!
}

# wait_up: run-local has ended its start-up. It prints the "try: curl" line only once both services
# answer /ping; a service that dies before that line is a start-up failure to run-local.
wait_up() {
  local i
  for i in $(seq 1 240); do
    grep -qF "(Ctrl-C stops both)" "$LOG" && return 0
    kill -0 "$LAUNCHER_PID" 2>/dev/null || { cat "$LOG" >&2; return 1; }
    sleep 0.25
  done
  cat "$LOG" >&2
  return 1
}

@test "--help explains the ports and exits 0" {
  run "$REPO_ROOT/scripts/run-local" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *GREETER_PORT* ]]
  [[ "$output" == *TIMEZONES_PORT* ]]
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

  [ "$(jvms_left | wc -l)" -eq 2 ]

  kill -INT "$LAUNCHER_PID"
  stopped_with 130
  [ -z "$(jvms_left)" ]
  run curl -fsS -o /dev/null "http://127.0.0.1:$((GREETER_PORT + 1))/ping"
  [ "$status" -ne 0 ]
}

@test "timezones stops: run-local says so with its exit status, greeter keeps serving and answers 503 JSON on /time; Ctrl-C stops greeter" {
  launch
  wait_up
  local tz_pid
  tz_pid="$(service_pid timezones)"
  [ -n "$tz_pid" ]
  kill -TERM "$tz_pid"
  wait_log "timezones stopped on its own (exit status 143); greeter keeps serving"

  run kill -0 "$LAUNCHER_PID"
  [ "$status" -eq 0 ]
  run curl -sS -w ' %{http_code}' "http://127.0.0.1:$GREETER_PORT/"
  [[ "$output" == *'"message":"Hello from greeter"'*' 200' ]]
  run curl -sS -w ' %{http_code}' "http://127.0.0.1:$GREETER_PORT/time?zone=Asia/Kolkata"
  [[ "$output" == '{"code":503,'*'} 503' ]]
  [ "$(jvms_left | wc -l)" -eq 1 ]

  kill -INT "$LAUNCHER_PID"
  stopped_with 130
  [ -z "$(jvms_left)" ]
}

@test "greeter stops: timezones keeps serving; when it stops too, run-local ends with both reported" {
  launch
  wait_up
  kill -KILL "$(service_pid greeter)"
  wait_log "greeter stopped on its own (exit status 137); timezones keeps serving"
  run curl -fsS "http://127.0.0.1:$TIMEZONES_PORT/timezones/Asia/Kolkata"
  [ "$status" -eq 0 ]
  [[ "$output" == *'"zone":"Asia/Kolkata"'* ]]

  kill -TERM "$(service_pid timezones)"
  stopped_with 1
  grep -qF "timezones stopped on its own (exit status 143)" "$LOG"
  grep -qF "error: both services have stopped" "$LOG"
  [ -z "$(jvms_left)" ]
}

@test "a variable set in the environment wins over .env.example; SIGTERM stops both too" {
  GREETING="Hello from bats" launch
  wait_up
  run curl -fsS "http://127.0.0.1:$GREETER_PORT/"
  [[ "$output" == *'"message":"Hello from bats"'* ]]

  kill -TERM "$LAUNCHER_PID"
  stopped_with 143
  [ -z "$(jvms_left)" ]
}

@test "a service that cannot start fails the run with its reason" {
  DUMMY_API_KEY="" launch
  stopped_with 1
  cat "$LOG"
  grep -q "greeter: cannot start: DUMMY_API_KEY must be set" "$LOG"
  grep -q "greeter exited during start-up" "$LOG"
  [ -z "$(jvms_left)" ]
}
