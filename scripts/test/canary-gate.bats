#!/usr/bin/env bats
# scripts/canary-gate against a real Prometheus (Debian's prometheus/promtool): Istio-shaped
# series (fixtures/pipeline/istio-openmetrics.py) are turned into TSDB blocks with
# `promtool tsdb create-blocks-from openmetrics` (fixtures/pipeline/prometheus-with-istio-series),
# one namespace per scenario, and the gate is evaluated at the time of the last sample.

setup_file() {
  set -o pipefail
  load test_helper
  read -r port pid END_TIME < <("$REPO_ROOT/scripts/test/fixtures/pipeline/prometheus-with-istio-series" "$BATS_FILE_TMPDIR/prometheus")
  [[ -n "${pid:-}" ]] || return 1
  echo "$pid" >"$BATS_FILE_TMPDIR/prometheus/pid"
  export END_TIME PROMETHEUS_URL="http://127.0.0.1:$port"
}

teardown_file() {
  local pid_file="$BATS_FILE_TMPDIR/prometheus/pid"
  if [[ -f "$pid_file" ]]; then
    kill "$(cat "$pid_file")" 2>/dev/null || true
    wait "$(cat "$pid_file")" 2>/dev/null || true
  fi
}

setup() {
  set -o pipefail
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

# --- which canary runs: read from the cluster (fake-kubectl answers from fake-helm's release) ----------
# released_with_canary IMAGE|none: the greeter release in prod, stable OLD, canary IMAGE (or none).
released_with_canary() {
  stub_setup
  stub helm 'exec "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-helm" "$@"'
  stub kubectl 'exec "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-kubectl" "$@"'
  local sets=(--set-string image.repository=registry.example/g/p/greeter --set-string "image.digest=sha256:$(printf 'a%.0s' {1..64})")
  if [[ "$1" == none ]]; then
    sets+=(--set canary.enabled=false)
  else
    sets+=(--set canary.enabled=true --set-string "canary.image.digest=${1#*@}")
  fi
  helm upgrade --install greeter "$REPO_ROOT/charts/jvm-service" -n prod "${sets[@]}" >/dev/null
  mkdir -p "$BATS_TEST_TMPDIR/build"
  MINE="registry.example/g/p/greeter@sha256:$(printf 'b%.0s' {1..64})"
  printf '%s\n' "$MINE" >"$BATS_TEST_TMPDIR/build/greeter.ref"
}

@test "--refs, no canary running (first release, configuration change): nothing to judge, passes and says so" {
  released_with_canary none
  run gate --namespace healthy --refs "$BATS_TEST_TMPDIR/build"
  [ "$status" -eq 0 ]
  [[ "$output" == *"skip greeter: no canary runs in healthy"* ]]
  [ "$(last_line)" = "PASS nothing to judge: no canary of this pipeline runs in healthy" ]
  refute_called kubectl port-forward
}

@test "--refs, another pipeline's canary running: fails without judging it" {
  released_with_canary "registry.example/g/p/greeter@sha256:$(printf 'c%.0s' {1..64})"
  run gate --namespace healthy --refs "$BATS_TEST_TMPDIR/build"
  [ "$status" -eq 1 ]
  [[ "$(last_line)" == "FAIL greeter-canary runs registry.example/g/p/greeter@sha256:cccc"*"not this pipeline's registry.example/g/p/greeter@sha256:bbbb"*"refusing to judge another pipeline's canary" ]]
}

@test "--refs, this pipeline's canary running: judged on its figures" {
  released_with_canary "registry.example/g/p/greeter@sha256:$(printf 'b%.0s' {1..64})"
  run gate --namespace errors --refs "$BATS_TEST_TMPDIR/build"
  [ "$status" -eq 1 ]
  [[ "$(last_line)" == "FAIL greeter-canary: success rate 80.00% < 99%"* ]]
  assert_called kubectl -n errors get deployment greeter-canary --ignore-not-found
}

@test "--port-forward: Prometheus reached through kubectl port-forward, waited until it answers" {
  released_with_canary none
  saved="$PROMETHEUS_URL"
  unset PROMETHEUS_URL
  FAKE_PROMETHEUS_PORT="${saved##*:}" KUBE_CONTEXT=group/project:production run timeout 120 \
    "$REPO_ROOT/scripts/canary-gate" --service greeter --time "$END_TIME" --namespace healthy \
    --port-forward monitoring/prometheus-kube-prometheus-stack-prometheus-0
  [ "$status" -eq 0 ]
  [ "$(last_line)" = "PASS canary within thresholds: greeter" ]
  assert_called kubectl --context group/project:production -n monitoring port-forward pod/prometheus-kube-prometheus-stack-prometheus-0
  # The port-forward is stopped on exit.
  run pgrep -f "fake-kubectl.*port-forward|socket.*SO_REUSEADDR.*${saved##*:}"
  [ "$status" -eq 1 ]
}

@test "--port-forward that cannot start: fails closed with kubectl's own log" {
  released_with_canary none
  unset PROMETHEUS_URL
  FAKE_PORT_FORWARD=fail run gate --namespace healthy --port-forward monitoring/prometheus-0
  [ "$status" -eq 1 ]
  [[ "$output" == *"port-forward: error: unable to forward port because pod is not running"* ]]
  [[ "$(last_line)" == "FAIL cannot reach Prometheus through kubectl port-forward to pod prometheus-0 in monitoring (its log is above)" ]]
}

@test "PROMETHEUS_BEARER_TOKEN and PROMETHEUS_HEADERS reach Prometheus, never the command line" {
  # A proxy in front of Prometheus that refuses requests without both headers (like an authenticating proxy).
  read -r port <<<"$(free_ports 1)"
  python3 - "$port" "$PROMETHEUS_URL" >"$BATS_TEST_TMPDIR/proxy.log" 2>&1 <<'PY' &
import http.server, sys, urllib.request
port, upstream = int(sys.argv[1]), sys.argv[2]
class Proxy(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.headers.get("Authorization") != "Bearer t0ken" or self.headers.get("X-Scope-OrgID") != "prod":
            self.send_response(401); self.end_headers(); return
        with urllib.request.urlopen(upstream + self.path) as r:
            body = r.read()
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.end_headers(); self.wfile.write(body)
http.server.HTTPServer(("127.0.0.1", port), Proxy).serve_forever()
PY
  proxy=$!
  for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  PROMETHEUS_URL="http://127.0.0.1:$port" run gate --namespace healthy
  [ "$status" -eq 1 ]
  [[ "$(last_line)" == "FAIL cannot query Prometheus"*"401"* ]]
  # curl through a recording wrapper: the token must not be one of its arguments.
  stub_setup
  real_curl="$(command -v curl)"
  stub curl "exec $real_curl \"\$@\""
  PROMETHEUS_URL="http://127.0.0.1:$port" PROMETHEUS_BEARER_TOKEN=t0ken PROMETHEUS_HEADERS='X-Scope-OrgID: prod' \
    run gate --namespace healthy
  kill "$proxy"
  [ "$status" -eq 0 ]
  [ "$(last_line)" = "PASS canary within thresholds: greeter" ]
  [ "$(calls curl | grep -c .)" -ge 6 ]
  run grep -c t0ken "$STUB_LOG"
  [ "$output" = "0" ]
}

@test "GATE_DELAY is slept once, before the first query" {
  stub_setup
  stub sleep
  GATE_DELAY=7 run gate --namespace healthy
  [ "$status" -eq 0 ]
  [ "$(calls sleep)" = "7" ]
}
