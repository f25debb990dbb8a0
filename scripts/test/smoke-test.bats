#!/usr/bin/env bats
# scripts/smoke-test against real HTTP servers on loopback: the real greeter and timezones jars
# when `make build` made them (make test-scripts does), else the stand-in
# scripts/test/fixtures/fake-api.py; and against the stand-in told to misbehave, to prove each
# wrong answer stops the smoke test with its reason.

load test_helper

SMOKE="$REPO_ROOT/scripts/smoke-test"
FAKE_API="$REPO_ROOT/scripts/test/fixtures/fake-api.py"
GREETER_JAR="$REPO_ROOT/service/greeter/target/greeter.jar"
TIMEZONES_JAR="$REPO_ROOT/service/timezones/target/timezones.jar"
API_KEY="smoke-key-123"

# start_bg NAME CMD...: starts CMD in the background, its pid in $BATS_FILE_TMPDIR/NAME.pid.
start_bg() {
  local name="$1"
  shift
  "$@" >"$BATS_FILE_TMPDIR/$name.log" 2>&1 3>&- &
  echo $! >"$BATS_FILE_TMPDIR/$name.pid"
}

# wait_http URL SECONDS: until URL answers HTTP 200.
wait_http() {
  local deadline=$((SECONDS + $2))
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1")" == 200 ]]; do
    if ((SECONDS >= deadline)); then
      echo "no 200 from $1 after $2 s" >&2
      cat "$BATS_FILE_TMPDIR"/*.log >&2 || true
      return 1
    fi
    sleep 0.3
  done
}

# wait_http_host URL HOST: like wait_http, with a Host header (the host= stand-in needs it).
wait_http_host() {
  local deadline=$((SECONDS + 20))
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H "Host: $2" "$1")" == 200 ]]; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

stop_all() {
  local pidfile pid
  for pidfile in "$BATS_FILE_TMPDIR"/*.pid; do
    [[ -e "$pidfile" ]] || continue
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

setup_file() {
  if [[ -f "$GREETER_JAR" && -f "$TIMEZONES_JAR" ]]; then
    local tz_port tz_admin gr_port gr_admin
    read -r tz_port tz_admin gr_port gr_admin <<<"$(free_ports 4)"
    HTTP_PORT="$tz_port" ADMIN_PORT="$tz_admin" start_bg timezones java -jar "$TIMEZONES_JAR"
    HTTP_PORT="$gr_port" ADMIN_PORT="$gr_admin" GREETING="Hello from the smoke test" TIMEZONE_OFFSET="+05:30" \
      DUMMY_API_KEY="$API_KEY" SECRET_MESSAGE="smoke secret" TIMEZONES_URL="http://127.0.0.1:$tz_port" \
      start_bg greeter java -jar "$GREETER_JAR"
    export SUT_KIND=jars SUT_BASE="http://127.0.0.1:$gr_port" SUT_TZ="http://127.0.0.1:$tz_port"
    wait_http "http://127.0.0.1:$tz_admin/ping" 90
    wait_http "http://127.0.0.1:$gr_admin/ping" 90
  else
    local port
    port="$(free_ports 1)"
    start_bg fake python3 "$FAKE_API" "$port" "$API_KEY"
    export SUT_KIND=fixture SUT_BASE="http://127.0.0.1:$port" SUT_TZ="http://127.0.0.1:$port"
    wait_http "$SUT_BASE/" 20
  fi
}

teardown_file() {
  stop_all
}

# broken_api NAME: a stand-in that misbehaves in one way; sets BROKEN_URL.
broken_api() {
  local port
  port="$(free_ports 1)"
  start_bg "broken-$1" python3 "$FAKE_API" "$port" "$API_KEY" --broken "$1"
  BROKEN_URL="http://127.0.0.1:$port"
  wait_http_host "$BROKEN_URL/timezones" "${1#host=}"
}

teardown() {
  local pidfile
  for pidfile in "$BATS_FILE_TMPDIR"/broken-*.pid; do
    [[ -e "$pidfile" ]] || continue
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

@test "smoke-test --help describes the checks and exits 0" {
  run "$SMOKE" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"--base-url URL"* ]]
  [[ "$output" == *"x-canary: always"* ]]
}

@test "smoke-test passes against the running API (real jars when built) and runs every check" {
  echo "system under test: $SUT_KIND" >&3
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$SUT_BASE" --timezones-url "$SUT_TZ"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(grep -c '^ok ' <<<"$output")" -eq 9 ]
  [[ "$output" == *"ok   GET /secret with SMOKE_API_KEY -> 200"* ]]
  [[ "$output" == *"ok   GET /timezones/Mars/Olympus -> 404"* ]]
  [[ "$output" == *"smoke test passed: $SUT_BASE"* ]]
}

@test "smoke-test fails on the /secret check when SMOKE_API_KEY is not the deployment's key" {
  SMOKE_API_KEY="not-the-key" run "$SMOKE" --base-url "$SUT_BASE" --timezones-url "$SUT_TZ"
  [ "$status" -ne 0 ]
  [[ "$output" == *"FAIL GET /secret with SMOKE_API_KEY -> 200: expected HTTP 200, got 401"* ]]
  [[ "$output" != *"GET /time"* ]]
}

@test "smoke-test fails when timezones is not where --timezones-url says" {
  local closed
  closed="$(free_ports 1)"
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$SUT_BASE" --timezones-url "http://127.0.0.1:$closed" --timeout 3
  [ "$status" -ne 0 ]
  [[ "$output" == *"FAIL GET /timezones -> 200 list: no HTTP answer from http://127.0.0.1:$closed/timezones"* ]]
}

@test "smoke-test sends the Host header given by --host (an ingress reached by address)" {
  broken_api host=greeter.dev.example.test
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$BROKEN_URL"
  [ "$status" -ne 0 ]
  [[ "$output" == *"FAIL GET / -> 200: expected HTTP 200, got 404"* ]]
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$BROKEN_URL" --host greeter.dev.example.test
  [ "$status" -eq 0 ]
}

@test "smoke-test without SMOKE_API_KEY stops before any request" {
  run env -u SMOKE_API_KEY "$SMOKE" --base-url "$SUT_BASE"
  [ "$status" -ne 0 ]
  [[ "$output" == *"SMOKE_API_KEY is required"* ]]
  [[ "$output" != *"ok "* ]]
}

@test "smoke-test without --base-url stops with its message" {
  SMOKE_API_KEY=x run "$SMOKE"
  [ "$status" -ne 0 ]
  [[ "$output" == *"--base-url is required"* ]]
}

@test "smoke-test fails when the secret is served without a key" {
  broken_api secret-open
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$BROKEN_URL"
  [ "$status" -ne 0 ]
  [[ "$output" == *"FAIL GET /secret without key -> 401: expected HTTP 401, got 200"* ]]
}

@test "smoke-test fails when an error is an HTML page instead of JSON" {
  broken_api html-errors
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$BROKEN_URL"
  [ "$status" -ne 0 ]
  [[ "$output" == *"FAIL GET /secret without key -> 401: body is not a JSON object"* ]]
}

@test "smoke-test fails when / lacks timezoneOffset" {
  broken_api root-no-offset
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$BROKEN_URL"
  [ "$status" -ne 0 ]
  [[ "$output" == *'FAIL GET / -> 200: JSON body has no "timezoneOffset"'* ]]
}

@test "smoke-test fails when an unknown zone answers 200" {
  broken_api unknown-zone-200
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$BROKEN_URL"
  [ "$status" -ne 0 ]
  [[ "$output" == *"FAIL GET /timezones/Mars/Olympus -> 404: expected HTTP 404, got 200"* ]]
}

@test "smoke-test reports the version header of the canary answer" {
  broken_api none
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$BROKEN_URL"
  [ "$status" -eq 0 ]
  [[ "$output" == *"x-canary: always -> 200 (X-App-Version: canary-1)"* ]]
}

@test "smoke-test --wait retries until the API answers" {
  local port
  port="$(free_ports 1)"
  ( sleep 2; exec python3 "$FAKE_API" "$port" "$API_KEY" ) >/dev/null 2>&1 3>&- &
  echo $! >"$BATS_FILE_TMPDIR/broken-late.pid"
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "http://127.0.0.1:$port" --wait 30 --timeout 2
  [ "$status" -eq 0 ]
  [[ "$output" == *"smoke test passed"* ]]
}

# tls_api [ENV=VALUE...]: the stand-in over HTTPS for api.smoke.test (fixtures/tls), with the canary
# answering x-track at FAKE_CANARY_WEIGHT; sets TLS_URL (reach it with --resolve-to 127.0.0.1).
tls_api() {
  local port
  port="$(free_ports 1)"
  env FAKE_TLS_DIR="$REPO_ROOT/scripts/test/fixtures/tls" "$@" \
    python3 "$FAKE_API" "$port" "$API_KEY" >"$BATS_FILE_TMPDIR/broken-tls.log" 2>&1 3>&- &
  echo $! >"$BATS_FILE_TMPDIR/broken-tls.pid"
  TLS_URL="https://api.smoke.test:$port"
  local deadline=$((SECONDS + 20))
  until curl -fsS -o /dev/null --cacert "$CA" --resolve "api.smoke.test:$port:127.0.0.1" "$TLS_URL/timezones" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

CA="$REPO_ROOT/scripts/test/fixtures/tls/ca.pem"

# cluster_stub: kubectl answering the cluster checks from FAKE_EDGE_PODS, FAKE_CERTS, FAKE_PROBE.
cluster_stub() {
  stub_setup
  export FAKE_EDGE_PODS="nginx-ingress-7d9f nginx-ingress istio-proxy istio-validation
nginx-ingress-8c2a nginx-ingress istio-proxy istio-validation"
  export FAKE_CERTS="greeter-tls True api.smoke.test"
  export FAKE_PROBE="000 exit=56"
  stub kubectl '
case "$1 $2" in
  "get pods") printf "%s\n" "$FAKE_EDGE_PODS" ;;
  "get certificates.cert-manager.io") printf "%s\n" "$FAKE_CERTS" ;;
  run*) printf "%s\n" "$FAKE_PROBE" ;;
  *) echo "kubectl stub: unexpected $*" >&2; exit 2 ;;
esac'
}

@test "smoke-test over HTTPS: --resolve-to keeps the real name for TLS, --cacert trusts the cluster's CA" {
  tls_api
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$TLS_URL" --resolve-to 127.0.0.1 --cacert "$CA"
  echo "$output"
  [ "$status" -eq 0 ]
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$TLS_URL" --resolve-to 127.0.0.1
  [ "$status" -ne 0 ]
  [[ "$output" == *"FAIL GET / -> 200: no HTTP answer from $TLS_URL/"* ]]
}

@test "smoke-test --canary-weight: x-canary reaches the canary and the split lands within 4 binomial sigma" {
  tls_api FAKE_CANARY_WEIGHT=10
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$TLS_URL" --resolve-to 127.0.0.1 --cacert "$CA" --canary-weight 10 --samples 400
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"ok   GET / with x-canary: always -> 200 ("*"x-track: canary"* ]]
  # n=400, p=0.1: sigma=6, so 40 +- 24
  [[ "$output" == *"ok   GET / x 400: canary share ~ 10%: 40 of 400 canary, accepted 16-64"* ]]
}

@test "smoke-test --canary-weight fails on a split twice the weight, on x-canary served by stable, on no x-track" {
  tls_api FAKE_CANARY_WEIGHT=10
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$TLS_URL" --resolve-to 127.0.0.1 --cacert "$CA" --canary-weight 20 --samples 400
  [ "$status" -ne 0 ]
  [[ "$output" == *"40 of 400 canary, accepted 48-112: the split does not match the weight"* ]]
  teardown
  tls_api FAKE_CANARY_WEIGHT=10
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$TLS_URL" --resolve-to 127.0.0.1 --cacert "$CA" --canary-weight 0 --samples 50
  [ "$status" -ne 0 ]
  [[ "$output" == *"accepted 0-0: the split does not match the weight"* ]]
}

@test "smoke-test --canary-weight fails when the x-canary answer comes from stable or carries no x-track" {
  local port
  port="$(free_ports 1)"
  FAKE_CANARY_WEIGHT=10 start_bg broken-override python3 "$FAKE_API" "$port" "$API_KEY" --broken override-to-stable
  wait_http "http://127.0.0.1:$port/timezones" 20
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "http://127.0.0.1:$port" --canary-weight 10
  [ "$status" -ne 0 ]
  [[ "$output" == *"FAIL GET / with x-canary: always -> 200: expected the header x-track: canary"* ]]
  port="$(free_ports 1)"
  FAKE_CANARY_WEIGHT=10 start_bg broken-notrack python3 "$FAKE_API" "$port" "$API_KEY" --broken no-track
  wait_http "http://127.0.0.1:$port/timezones" 20
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "http://127.0.0.1:$port" --canary-weight 10
  [ "$status" -ne 0 ]
  [[ "$output" == *"FAIL GET / with x-canary: always -> 200: expected the header x-track: canary (the canary-override route), got 'X-App-Version: canary-1'"* ]]
  SMOKE_API_KEY=x run "$SMOKE" --base-url http://x --canary-weight 101
  [ "$status" -ne 0 ]
  [[ "$output" == *"--canary-weight takes 0-100, not '101'"* ]]
}

@test "smoke-test --cluster: edge sidecar, Ready certificate and refused plain text, from kubectl" {
  cluster_stub
  tls_api
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$TLS_URL" --resolve-to 127.0.0.1 --cacert "$CA" --cluster --namespace prod
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"ok   edge pods in nginx-ingress run istio-proxy"* ]]
  [[ "$output" == *"ok   Certificate for api.smoke.test in prod is Ready"* ]]
  [[ "$output" == *"ok   plain HTTP from an unmeshed pod to greeter.prod:8080 is refused (curl exit 56)"* ]]
  assert_called kubectl "get pods --namespace nginx-ingress -l app.kubernetes.io/name=nginx-ingress"
  assert_called kubectl "get certificates.cert-manager.io --namespace prod"
  assert_called kubectl "--namespace nginx-ingress --image curlimages/curl:8.11.1 --restart=Never --rm -i --quiet --labels=sidecar.istio.io/inject=false"
  assert_called kubectl "http://greeter.prod.svc.cluster.local:8080/"
}

@test "smoke-test --cluster fails on an edge pod without istio-proxy, a certificate not Ready, an answered probe" {
  cluster_stub
  tls_api
  export FAKE_EDGE_PODS="nginx-ingress-7d9f nginx-ingress"
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$TLS_URL" --resolve-to 127.0.0.1 --cacert "$CA" --cluster
  [ "$status" -ne 0 ]
  [[ "$output" == *"FAIL edge pods in nginx-ingress run istio-proxy: nginx-ingress-7d9f has no istio-proxy container (nginx-ingress): the edge is not in the mesh"* ]]
  cluster_stub
  export FAKE_CERTS="greeter-tls False api.smoke.test"
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$TLS_URL" --resolve-to 127.0.0.1 --cacert "$CA" --cluster
  [ "$status" -ne 0 ]
  [[ "$output" == *"FAIL Certificate for api.smoke.test in dev is Ready: not Ready (greeter-tls=False)"* ]]
  cluster_stub
  export FAKE_PROBE="200 exit=0"
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$TLS_URL" --resolve-to 127.0.0.1 --cacert "$CA" --cluster
  [ "$status" -ne 0 ]
  [[ "$output" == *"it was answered HTTP 200: port 8080 accepts plain text (STRICT mTLS not in force)"* ]]
  cluster_stub
  export FAKE_PROBE="000 exit=6"
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$TLS_URL" --resolve-to 127.0.0.1 --cacert "$CA" --cluster
  [ "$status" -ne 0 ]
  [[ "$output" == *"the probe could not reach the port at all (000 exit=6), so this proves nothing"* ]]
}

@test "smoke-test --cluster --dry-run prints the kubectl commands and runs none" {
  cluster_stub
  SMOKE_API_KEY="$API_KEY" run "$SMOKE" --base-url "$SUT_BASE" --timezones-url "$SUT_TZ" --cluster --dry-run
  echo "$output"
  [ "$status" -eq 0 ]
  refute_called kubectl
  [[ "$output" == *"+ kubectl get pods --namespace nginx-ingress -l app.kubernetes.io/name=nginx-ingress"* ]]
  [[ "$output" == *"+ kubectl run smoke-plaintext-"* ]]
  [[ "$output" == *"skip Certificate for 127.0.0.1 in dev is Ready (--base-url is not https)"* ]]
}
