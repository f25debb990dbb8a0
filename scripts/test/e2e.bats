#!/usr/bin/env bats
# scripts/e2e, which needs Docker and kind, covered here: its plan (--dry-run), and the whole flow run
# with the real scripts/canary, scripts/canary-gate and scripts/deploy against fake helm/kubectl (the
# releases kept as Helm keeps them), a real Prometheus behind the fake port-forward, and stubs in place
# of scripts/local-cluster (which records the pushed digests in build/<service>.ref) and the smoke test.
# The cluster itself is proven only where the GitLab job `e2e` runs (a runner with Docker).

setup() {
  set -o pipefail
  load test_helper
  # A copy of the scripts and the chart: the flow writes build/ where local-cluster would.
  COPY="$BATS_TEST_TMPDIR/repo"
  mkdir -p "$COPY"
  rsync -a "$REPO_ROOT/scripts" "$REPO_ROOT/charts" "$COPY/" --exclude target
  stub_setup
  stub helm 'exec "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-helm" "$@"'
  stub kubectl 'exec "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-kubectl" "$@"'
  stub docker
  stub kind
  stub sleep '[[ "$1" == 0.* ]] && exec /bin/sleep "$1"; exit 0'
  stub curl 'exec /usr/bin/curl "$@"'
  # Stand-ins for the scripts the flow calls by path (E2E_SCRIPTS_DIR): local-cluster writes the refs
  # of a build whose digest follows its --tag; the others run the real scripts of the copy.
  mkdir -p "$STUB_DIR/scripts"
  printf '#!/usr/bin/env bash\n' >"$STUB_DIR/scripts/local-cluster"
  cat >>"$STUB_DIR/scripts/local-cluster" <<EOF
printf '%s\n' "local-cluster \$*" >>"\$STUB_LOG"
[[ " \$* " == *" --delete "* ]] && exit 0
tag="\$(sed -n 's/.*--tag \([^ ]*\).*/\1/p' <<<"\$*")"
digit="\${tag: -1}"
mkdir -p "$COPY/build"
for service in greeter timezones; do
  printf 'registry.local:5001/%s@sha256:%s\n' "\$service" "\$(printf '%64s' '' | tr ' ' "\$digit")" >"$COPY/build/\$service.ref"
done
EOF
  printf '#!/usr/bin/env bash\nprintf "%%s\\n" "smoke-test $*" >>"$STUB_LOG"\n' >"$STUB_DIR/scripts/smoke-test"
  for script in canary canary-gate; do
    printf '#!/usr/bin/env bash\nexec "%s/scripts/%s" "$@"\n' "$COPY" "$script" >"$STUB_DIR/scripts/$script"
  done
  chmod +x "$STUB_DIR/scripts/"*
  export E2E_SCRIPTS_DIR="$STUB_DIR/scripts"
  git -C "$COPY" init -q
  unset KUBE_CONTEXT DRY_RUN CI_PIPELINE_ID HELM_FAIL_AT
}

teardown() {
  if [[ -n "${PROMETHEUS_PID:-}" ]]; then
    kill "$PROMETHEUS_PID" 2>/dev/null || true
  fi
}

@test "--help describes the flow" {
  run "$REPO_ROOT/scripts/e2e" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"rollback: prod must run the first digests again"* ]]
}

@test "--dry-run prints the plan in order and runs nothing" {
  run "$COPY/scripts/e2e" --dry-run
  [ "$status" -eq 0 ]
  # Line numbers of the steps in the printed plan: build, first release, gate, promote, rollback.
  step() { grep -nE "$1" <<<"$output" | head -1 | cut -d: -f1; }
  build="$(step '^\+ .*/local-cluster --name e2e --tag e2e-.*-1$')"
  first="$(step '^\+ env CI_PIPELINE_ID=e2e-1 .*/canary .* start$')"
  second="$(step '^\+ .*/local-cluster --name e2e --tag e2e-.*-2 --skip-bootstrap$')"
  gate="$(step '^\+ env GATE_MIN_REQUESTS=20 .*/canary-gate --refs ')"
  promote="$(step '^\+ env CI_PIPELINE_ID=e2e-2 .* promote$')"
  rollback="$(step '^\+ env CI_PIPELINE_ID=e2e-2 .* rollback$')"
  for n in "$build" "$first" "$second" "$gate" "$promote" "$rollback"; do
    [ -n "$n" ] || { printf '%s\n' "$output" >&2; return 1; }
  done
  [ "$build" -lt "$first" ]
  [ "$first" -lt "$second" ]
  [ "$second" -lt "$gate" ]
  [ "$gate" -lt "$promote" ]
  [ "$promote" -lt "$rollback" ]
  [ "$(grep -c '^+ env CI_PIPELINE_ID=e2e-2 .*promote$' <<<"$output")" -eq 2 ]
  [ "$(grep -c '^+ env CI_PIPELINE_ID=e2e-2 .*rollback$' <<<"$output")" -eq 2 ]
  [ "$(grep -c 'smoke-test' <<<"$output")" -eq 4 ]
  [ ! -s "$STUB_LOG" ]
}

@test "the flow with the real scripts: first release, canary, gate, 50%, promote, rollback, each image checked" {
  read -r port PROMETHEUS_PID _ < <("$REPO_ROOT/scripts/test/fixtures/pipeline/prometheus-with-istio-series" "$BATS_TEST_TMPDIR/prometheus")
  export FAKE_PROMETHEUS_PORT="$port" PROMETHEUS_PID
  run "$COPY/scripts/e2e" --name ci
  [ "$status" -eq 0 ] || { printf '%s\n' "$output" | tail -30 >&2; return 1; }
  [[ "$output" == *"first release: prod/greeter runs registry.local:5001/greeter@sha256:1111"* ]]
  [[ "$output" == *"PASS canary within thresholds: timezones greeter"* ]]
  [[ "$output" == *"after promote: prod/greeter runs registry.local:5001/greeter@sha256:2222"* ]]
  [[ "$output" == *"after rollback: prod/greeter runs registry.local:5001/greeter@sha256:1111"* ]]
  [[ "$output" == *"e2e passed"* ]]
  assert_called local-cluster --name ci --tag
  assert_called local-cluster --name ci --tag e2e-
  [ "$(calls smoke-test | grep -c -- '--host prod.e2e.localhost')" -eq 4 ]
  # prod on kind: the shipped values-prod.yaml plus the kind file (plain secret, no TLS), by digest.
  [[ "$(calls helm | grep '^upgrade' | head -1)" == *"-f charts/jvm-service/values-prod.yaml -f "*"prod-kind.yaml --set-string image.repository=registry.local:5001/"* ]]
  # The cluster is deleted at the end.
  [ "$(calls local-cluster | tail -1)" = "--name ci --delete" ]
}

@test "a second build with the first one's digests stops the flow: nothing would be canaried" {
  sed -i 's/digit="\${tag: -1}"/digit=7/' "$STUB_DIR/scripts/local-cluster"
  run "$COPY/scripts/e2e" --name ci
  [ "$status" -eq 1 ]
  [[ "$output" == *"the second build has the first one's digest: nothing to canary"* ]]
}
