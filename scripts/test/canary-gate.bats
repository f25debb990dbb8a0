#!/usr/bin/env bats
# scripts/canary-gate against a real Prometheus (Debian's prometheus/promtool): Istio-shaped
# series (fixtures/pipeline/istio-openmetrics.py) are turned into TSDB blocks with
# `promtool tsdb create-blocks-from openmetrics`, one namespace per scenario, and the gate is
# evaluated at the time of the last sample.

setup_file() {
  load test_helper
  command -v prometheus >/dev/null && command -v promtool >/dev/null || {
    echo "prometheus and promtool are required (apt-get install prometheus)" >&2
    return 1
  }
  local dir="$BATS_FILE_TMPDIR/prometheus"
  mkdir -p "$dir"
  END_TIME="$(date +%s)"
  python3 "$REPO_ROOT/scripts/test/fixtures/pipeline/istio-openmetrics.py" "$END_TIME" >"$dir/metrics.om"
  promtool tsdb create-blocks-from openmetrics "$dir/metrics.om" "$dir/data" >"$dir/promtool.log" 2>&1
  printf 'global:\n  scrape_interval: 1h\n' >"$dir/prometheus.yml"
  PORT="$(free_ports 1)"
  prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
    --storage.tsdb.retention.time=30d --web.listen-address="127.0.0.1:$PORT" >"$dir/prometheus.log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/-/ready" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fs "http://127.0.0.1:$PORT/-/ready" >/dev/null || {
    cat "$dir/prometheus.log" >&2
    return 1
  }
  export END_TIME PROMETHEUS_URL="http://127.0.0.1:$PORT"
}

teardown_file() {
  local pid_file="$BATS_FILE_TMPDIR/prometheus/pid"
  if [[ -f "$pid_file" ]]; then
    kill "$(cat "$pid_file")" 2>/dev/null || true
    wait "$(cat "$pid_file")" 2>/dev/null || true
  fi
}

setup() {
  load test_helper
  unset GATE_NAMESPACE GATE_WINDOW GATE_DELAY GATE_MIN_REQUESTS GATE_MIN_SUCCESS_RATE GATE_MAX_P99_MS \
    GATE_MAX_SUCCESS_DROP GATE_MAX_P99_INCREASE GATE_P99_TOLERANCE_MS DRY_RUN
}

gate() { "$REPO_ROOT/scripts/canary-gate" --service greeter --time "$END_TIME" "$@"; }
last_line() { printf '%s\n' "$output" | tail -1; }

@test "healthy canary passes and the figures are printed" {
  run gate --namespace healthy
  [ "$status" -eq 0 ]
  [[ "$output" == *"greeter-canary           healthy/5m: requests=600 success=100.00% p99=48.7ms"* ]]
  [[ "$output" == *"greeter                  healthy/5m: requests=6000 success=99.90% p99=48.7ms"* ]]
  [ "$(last_line)" = "PASS canary within thresholds: greeter" ]
}

@test "5xx-heavy canary fails on its success rate" {
  run gate --namespace errors
  [ "$status" -eq 1 ]
  [ "$(last_line)" = "FAIL greeter-canary: success rate 80.00% < 99%; success rate 80.00% is more than 1 points below stable's 99.90%" ]
}

@test "slow canary fails on its p99" {
  run gate --namespace slow
  [ "$status" -eq 1 ]
  [[ "$(last_line)" == "FAIL greeter-canary: p99 2425.0ms > 500ms; p99 2425.0ms exceeds stable's 48.7ms by more than 50% + 25ms" ]]
}

@test "no canary traffic at all fails closed" {
  run gate --namespace idle
  [ "$status" -eq 1 ]
  [ "$(last_line)" = "FAIL greeter-canary: no canary traffic to judge: no istio_requests_total series for greeter-canary in idle over 5m" ]
}

@test "too little canary traffic fails closed; GATE_MIN_REQUESTS sets the bar" {
  run gate --namespace trickle
  [ "$status" -eq 1 ]
  [ "$(last_line)" = "FAIL greeter-canary: not enough canary traffic to judge: 15 requests in 5m < 50" ]
  GATE_MIN_REQUESTS=10 run gate --namespace trickle
  [ "$status" -eq 0 ]
}

@test "degradation against stable: within the default drop, beyond a stricter GATE_MAX_SUCCESS_DROP" {
  run gate --namespace degraded
  [ "$status" -eq 0 ]
  [[ "$output" == *"success=99.20%"* ]]
  GATE_MAX_SUCCESS_DROP=0.5 run gate --namespace degraded
  [ "$status" -eq 1 ]
  [ "$(last_line)" = "FAIL greeter-canary: success rate 99.20% is more than 0.5 points below stable's 100.00%" ]
}

@test "the window is a real range: at a time before any sample there is no data, and the gate fails" {
  run "$REPO_ROOT/scripts/canary-gate" --service greeter --namespace healthy --time "$((END_TIME - 7200))"
  [ "$status" -eq 1 ]
  [[ "$(last_line)" == "FAIL greeter-canary: no canary traffic to judge"* ]]
}

@test "several services: one bad canary fails the gate, both verdicts on one line" {
  run "$REPO_ROOT/scripts/canary-gate" --time "$END_TIME" --namespace slow --service greeter --service timezones
  [ "$status" -eq 1 ]
  [[ "$(last_line)" == "FAIL greeter-canary: p99 "*" | timezones-canary: no canary traffic to judge"* ]]
}

@test "Prometheus unreachable or refusing: fails closed with the reason" {
  PROMETHEUS_URL=http://127.0.0.1:9 run gate --namespace healthy
  [ "$status" -eq 1 ]
  [[ "$(last_line)" == "FAIL cannot query Prometheus at http://127.0.0.1:9"* ]]
  run gate --namespace healthy --time not-a-time
  [ "$status" -eq 1 ]
  [[ "$(last_line)" == "FAIL "* ]]
}

@test "--dry-run prints the PromQL (Istio destination metrics) and asks nothing" {
  PROMETHEUS_URL=http://127.0.0.1:9 run "$REPO_ROOT/scripts/canary-gate" --service greeter --dry-run
  [ "$status" -eq 0 ]
  [[ "$output" == *'sum(increase(istio_requests_total{reporter="destination",destination_workload_namespace="prod",destination_workload="greeter-canary"}[5m]))'* ]]
  [[ "$output" == *'histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="prod",destination_workload="greeter"}[5m])))'* ]]
}

@test "bad arguments and thresholds are refused" {
  run "$REPO_ROOT/scripts/canary-gate" --namespace healthy
  [ "$status" -ne 0 ]
  run gate --window 5 --namespace healthy
  [ "$status" -ne 0 ]
  GATE_MAX_P99_MS=fast run gate --namespace healthy
  [ "$status" -ne 0 ]
  [[ "$output" == *"GATE_MAX_P99_MS must be a number"* ]]
}
