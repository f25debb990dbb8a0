#!/usr/bin/env bats
# scripts/canary with helm and kubectl stubbed: helm is a small stateful fake (one release's
# values, fixtures/pipeline/fake-helm) so each step sees what the previous one stored, and a
# chosen upgrade can fail the way `helm upgrade --atomic` does.

setup() {
  load test_helper
  stub_setup
  stub helm 'exec "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-helm" "$@"'
  stub kubectl
  unset KUBE_CONTEXT IMAGE_REPOSITORY HELM_TIMEOUT CANARY_WEIGHT DRY_RUN HELM_FAIL_AT
}

# release VALUES_JSON: the greeter release in prod exists with these values.
release() { printf '%s\n' "$1" >"$STUB_DIR/release.json"; }
value() { jq -r "$1" "$STUB_DIR/release.json"; }
upgrades() { calls helm | grep '^upgrade' || true; }

STABLE='{"image":{"repository":"registry.example/group/project/greeter","tag":"old1111"},"canary":{"enabled":false,"weight":0}}'
CANARY='{"image":{"repository":"registry.example/group/project/greeter","tag":"old1111"},"canary":{"enabled":true,"image":{"tag":"new2222"},"weight":10}}'

# upgrade_n N: the Nth helm upgrade call.
upgrade_n() { upgrades | sed -n "${1}p"; }

@test "--help describes the commands" {
  run "$REPO_ROOT/scripts/canary" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"start --tag TAG"* && "$output" == *"promote"* && "$output" == *"rollback"* ]]
}

@test "start: canary pods first with weight 0, then 10%; stable image, repository, release, namespace and values files kept" {
  release "$STABLE"
  run "$REPO_ROOT/scripts/canary" --service greeter start --tag new2222 --dotenv "$BATS_TEST_TMPDIR/canary.env"
  [ "$status" -eq 0 ]
  [ "$(upgrades | wc -l)" -eq 2 ]
  first="$(upgrade_n 1)" second="$(upgrade_n 2)"
  [[ "$first" == "upgrade --install greeter charts/jvm-service -n prod -f charts/jvm-service/values-greeter.yaml -f charts/jvm-service/values-prod.yaml --set-string image.tag=old1111 --set-string image.repository=registry.example/group/project/greeter "* ]]
  [[ "$first" == *"--set canary.enabled=true --set canary.weight=0 --set-string canary.image.tag=new2222 "* ]]
  [[ "$second" == *"--set-string image.tag=old1111 "*"--set canary.enabled=true --set canary.weight=10 --set-string canary.image.tag=new2222 "* ]]
  for call in "$first" "$second"; do [[ "$call" == *"--atomic --wait --timeout 5m"* ]]; done
  [ "$(value .canary.weight)" = "10" ]
  [ "$(value .image.tag)" = "old1111" ]
  [ "$(cat "$BATS_TEST_TMPDIR/canary.env")" = "CANARY_ACTIVE=true" ]
  assert_called kubectl -n prod rollout status deployment/greeter --timeout 5m
}

@test "start: CANARY_WEIGHT and --weight choose the first weight" {
  release "$STABLE"
  CANARY_WEIGHT=5 run "$REPO_ROOT/scripts/canary" --service greeter start --tag new2222
  [ "$status" -eq 0 ]
  [[ "$(upgrade_n 2)" == *"--set canary.weight=5 "* ]]
  run "$REPO_ROOT/scripts/canary" --service greeter start --tag new2222 --weight 20
  [ "$status" -eq 0 ]
  [[ "$(upgrades | tail -1)" == *"--set canary.weight=20 "* ]]
}

@test "start on a namespace without the release installs the tag as stable, no canary" {
  run "$REPO_ROOT/scripts/canary" --service timezones start --tag first333 --dotenv "$BATS_TEST_TMPDIR/canary.env"
  [ "$status" -eq 0 ]
  [ "$(upgrades | wc -l)" -eq 1 ]
  [[ "$(upgrade_n 1)" == "upgrade --install timezones charts/jvm-service -n prod -f charts/jvm-service/values-timezones.yaml -f charts/jvm-service/values-prod.yaml --set-string image.tag=first333 "*"--set canary.enabled=false --set canary.weight=0 "* ]]
  [ "$(cat "$BATS_TEST_TMPDIR/canary.env")" = "CANARY_ACTIVE=false" ]
}

@test "start fails at its first upgrade: weights untouched, no second upgrade, non-zero exit" {
  release "$STABLE"
  HELM_FAIL_AT=1 run "$REPO_ROOT/scripts/canary" --service greeter start --tag new2222
  [ "$status" -ne 0 ]
  [ "$(upgrades | wc -l)" -eq 1 ]
  [ "$(value .canary.weight)" = "0" ]
  [ "$(value .canary.enabled)" = "false" ]
  [[ "$output" == *"helm upgrade failed"*"weight=0"* ]]
}

@test "weight 50: one upgrade that only moves the weight" {
  release "$CANARY"
  run "$REPO_ROOT/scripts/canary" --service greeter weight 50
  [ "$status" -eq 0 ]
  [ "$(upgrades | wc -l)" -eq 1 ]
  [[ "$(upgrade_n 1)" == *"--set-string image.tag=old1111 "*"--set canary.enabled=true --set canary.weight=50 --set-string canary.image.tag=new2222 "* ]]
  [ "$(value .canary.weight)" = "50" ]
}

@test "weight: rejects values outside 0-100 and a release without a canary, before any upgrade" {
  release "$CANARY"
  run "$REPO_ROOT/scripts/canary" --service greeter weight 150
  [ "$status" -ne 0 ]
  release "$STABLE"
  run "$REPO_ROOT/scripts/canary" --service greeter weight 50
  [ "$status" -ne 0 ]
  [[ "$output" == *"no canary running"* ]]
  refute_called helm upgrade
}

@test "weight fails: the stored weight stays where it was" {
  release "$CANARY"
  HELM_FAIL_AT=1 run "$REPO_ROOT/scripts/canary" --service greeter weight 50
  [ "$status" -ne 0 ]
  [ "$(value .canary.weight)" = "10" ]
}

@test "promote: canary takes 100% -> stable rolls to the new image and is waited ready -> 100% to stable -> canary off" {
  release "$CANARY"
  run "$REPO_ROOT/scripts/canary" --service greeter promote
  [ "$status" -eq 0 ]
  [ "$(upgrades | wc -l)" -eq 4 ]
  [[ "$(upgrade_n 1)" == *"--set-string image.tag=old1111 "*"--set canary.enabled=true --set canary.weight=100 --set-string canary.image.tag=new2222 "* ]]
  [[ "$(upgrade_n 2)" == *"--set-string image.tag=new2222 "*"--set canary.enabled=true --set canary.weight=100 --set-string canary.image.tag=new2222 "* ]]
  [[ "$(upgrade_n 3)" == *"--set-string image.tag=new2222 "*"--set canary.enabled=true --set canary.weight=0 --set-string canary.image.tag=new2222 "* ]]
  [[ "$(upgrade_n 4)" == *"--set-string image.tag=new2222 "*"--set canary.enabled=false --set canary.weight=0 "* ]]
  [[ "$(upgrade_n 4)" != *"canary.image.tag"* ]]
  # Each upgrade waits (--wait) and the stable rollout is confirmed before traffic moves back:
  # in the call log, a rollout status of deployment/greeter sits between upgrade 2 and upgrade 3.
  log="$(grep -nE '^(helm upgrade|kubectl .*rollout status deployment/greeter )' "$STUB_LOG")"
  second_line="$(grep '^[0-9]*:helm upgrade' <<<"$log" | sed -n 2p | cut -d: -f1)"
  third_line="$(grep '^[0-9]*:helm upgrade' <<<"$log" | sed -n 3p | cut -d: -f1)"
  rollout_between="$(awk -F: -v a="$second_line" -v b="$third_line" '$1 > a && $1 < b && /rollout status/' <<<"$log")"
  [ -n "$rollout_between" ]
  [ "$(value .image.tag)" = "new2222" ]
  [ "$(value .canary.enabled)" = "false" ]
  [ "$(value .canary.weight)" = "0" ]
}

@test "promote fails while stable rolls: traffic stays on the (ready) canary, nothing later runs" {
  release "$CANARY"
  HELM_FAIL_AT=2 run "$REPO_ROOT/scripts/canary" --service greeter promote
  [ "$status" -ne 0 ]
  [ "$(upgrades | wc -l)" -eq 2 ]
  [ "$(value .canary.weight)" = "100" ]
  [ "$(value .image.tag)" = "old1111" ]
  [ "$(value .canary.enabled)" = "true" ]
  [[ "$output" == *"stable=old1111 canary.enabled=true canary=new2222 weight=100"* ]]
}

@test "rollback: one upgrade, weight 0 and canary off, stable image untouched" {
  release "$CANARY"
  run "$REPO_ROOT/scripts/canary" --service greeter rollback
  [ "$status" -eq 0 ]
  [ "$(upgrades | wc -l)" -eq 1 ]
  [[ "$(upgrade_n 1)" == *"--set-string image.tag=old1111 "*"--set canary.enabled=false --set canary.weight=0 "* ]]
  [ "$(value .image.tag)" = "old1111" ]
  [ "$(value .canary.weight)" = "0" ]
}

@test "rollback with no canary running changes nothing" {
  release "$STABLE"
  run "$REPO_ROOT/scripts/canary" --service greeter rollback
  [ "$status" -eq 0 ]
  refute_called helm upgrade
}

@test "--dry-run reads the release and prints the upgrades without running them" {
  release "$CANARY"
  run "$REPO_ROOT/scripts/canary" --service greeter --dry-run promote
  [ "$status" -eq 0 ]
  [ "$(grep -c '^+ helm upgrade' <<<"$output")" -eq 4 ]
  refute_called helm upgrade
  refute_called kubectl
  assert_called helm get values greeter -n prod -o json
  [ "$(value .canary.weight)" = "10" ]
}

@test "KUBE_CONTEXT reaches every helm and kubectl call; --namespace and --release override" {
  release "$CANARY"
  KUBE_CONTEXT=group/agents:prod run "$REPO_ROOT/scripts/canary" --service greeter --release greeter-blue --namespace prod-eu weight 30
  [ "$status" -eq 0 ]
  while IFS= read -r line; do [[ "$line" == *"--kube-context group/agents:prod"* ]]; done < <(calls helm)
  assert_called kubectl --context group/agents:prod -n prod-eu rollout status deployment/greeter-blue
  [[ "$(upgrade_n 1)" == "upgrade --install greeter-blue charts/jvm-service --kube-context group/agents:prod -n prod-eu "* ]]
}
