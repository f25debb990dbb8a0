#!/usr/bin/env bats
# scripts/canary with helm and kubectl stubbed by small stateful fakes (fixtures/pipeline/fake-helm
# keeps one release's revisions as Helm does: merged values, manifest, history, --atomic, rollback;
# fake-kubectl answers from that release). Each scenario is played the way the pipeline plays it:
# pipeline 100 released OLD, pipeline 200 brings NEW, pipeline 300 brings OTHER.

setup() {
  set -o pipefail
  load test_helper
  stub_setup
  stub helm 'exec "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-helm" "$@"'
  stub kubectl 'exec "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-kubectl" "$@"'
  stub sleep
  unset KUBE_CONTEXT IMAGE_REPOSITORY HELM_TIMEOUT CANARY_WEIGHT DRY_RUN HELM_FAIL_AT PIPELINE_ID CI_PIPELINE_ID CI_COMMIT_SHA \
    FAKE_CANARY_READY FAKE_STORE REGISTRY REGISTRY_USER REGISTRY_PASSWORD
  REPO=registry.example/group/project/greeter
  OLD="$REPO@sha256:$(printf 'a%.0s' {1..64})"
  NEW="$REPO@sha256:$(printf 'b%.0s' {1..64})"
  OTHER="$REPO@sha256:$(printf 'c%.0s' {1..64})"
}

# as PIPELINE IMAGE ARGS...: scripts/canary for greeter as pipeline PIPELINE bringing IMAGE.
as() {
  local pipeline="$1" image="$2"
  shift 2
  CI_PIPELINE_ID="$pipeline" CI_COMMIT_SHA="${pipeline}0abcd" "$REPO_ROOT/scripts/canary" --service greeter --image "$image" "$@"
}
# released [ARGS...]: pipeline 100's first release of OLD is what prod runs; the call log starts empty.
released() {
  as 100 "$OLD" "$@" start >/dev/null 2>&1
  : >"$STUB_LOG"
}
values() { "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-helm" get values greeter -o json; }
value() { values | jq -r "$1"; }
upgrades() { calls helm | grep '^upgrade' || true; }
upgrade_n() { upgrades | sed -n "${1}p"; }
last_note() { "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-helm" history greeter -o json | jq -r '.[-1].description'; }

@test "--help describes the commands and the refusal" {
  run "$REPO_ROOT/scripts/canary" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"start [--weight N]"* ]]
  [[ "$output" == *"refuses with one line"* ]]
}

@test "first release: the image goes in as stable by digest, with its pipeline, and no canary" {
  run as 100 "$OLD" --tag old1111 start --dotenv "$BATS_TEST_TMPDIR/canary.env"
  [ "$status" -eq 0 ]
  [ "$(upgrades | wc -l)" -eq 1 ]
  [[ "$(upgrade_n 1)" == "upgrade --install greeter charts/jvm-service -n prod -f charts/jvm-service/values-greeter.yaml -f charts/jvm-service/values-prod.yaml --set-string image.repository=$REPO --set-string image.digest=sha256:aaaa"* ]]
  [ "$(value .image.digest)" = "${OLD#*@}" ]
  [ "$(value .provenance.pipeline)" = "100" ]
  [ "$(value .canary.enabled)" = "false" ]
  [ "$(last_note)" = "jvm-service install image=${OLD#*@} pipeline=100" ]
  [ "$(cat "$BATS_TEST_TMPDIR/canary.env")" = "CANARY_ACTIVE=false" ]
}

@test "start: canary pods sized for 10% with no traffic, ready, then 10%; stable's image and pipeline kept" {
  released
  FAKE_STABLE_REPLICAS=6 run as 200 "$NEW" --tag new2222 start
  [ "$status" -eq 0 ]
  [ "$(upgrades | wc -l)" -eq 2 ]
  first="$(upgrade_n 1)" second="$(upgrade_n 2)"
  for call in "$first" "$second"; do
    [[ "$call" == *"--set-string image.digest=${OLD#*@} "* ]]
    [[ "$call" == *"--set-string provenance.pipeline=100 "* ]]
    [[ "$call" == *"--set-string canary.image.digest=${NEW#*@} --set-string canary.image.tag=new2222 --set-string canary.provenance.pipeline=200 "* ]]
    [[ "$call" == *"--set canary.stableReplicas=6 "* ]]
    [[ "$call" == *"--atomic --wait --timeout 5m"* ]]
  done
  [[ "$first" == *"--set canary.enabled=true --set canary.weight=0 --set canary.scaleFor=10 "* ]]
  [[ "$second" == *"--set canary.enabled=true --set canary.weight=10 --set canary.scaleFor=10 "* ]]
  # Between the two upgrades the canary's pods were counted ready against its HPA floor.
  log="$(grep -nE '^(helm upgrade|kubectl .*get deployment greeter-canary .*readyReplicas)' "$STUB_LOG" | cut -d: -f1 | tr '\n' ' ')"
  read -r u1 wait u2 <<<"$log"
  [ "$u1" -lt "$wait" ]
  [ "$wait" -lt "$u2" ]
  [ "$(value .canary.weight)" = "10" ]
  [ "$(value .canary.provenance.pipeline)" = "200" ]
  [ "$(value .image.digest)" = "${OLD#*@}" ]
}

@test "start: CANARY_WEIGHT and --weight choose the first share" {
  released
  CANARY_WEIGHT=5 run as 200 "$NEW" start
  [ "$status" -eq 0 ]
  [[ "$(upgrade_n 2)" == *"--set canary.weight=5 --set canary.scaleFor=5 "* ]]
  run as 200 "$NEW" start --weight 20
  [ "$status" -eq 0 ]
  [[ "$(upgrades | tail -1)" == *"--set canary.weight=20 "* ]]
}

@test "a second pipeline can neither replace, shift, promote nor roll back the first one's canary" {
  released
  as 200 "$NEW" start >/dev/null 2>&1
  : >"$STUB_LOG"
  before="$(values)"
  for command in start "weight 50" promote rollback; do
    # shellcheck disable=SC2086
    run as 300 "$OTHER" $command
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"refusing: release greeter in prod runs the canary sha256:bbbb"*"(pipeline 200), not this pipeline's sha256:cccc"* ]]
  done
  refute_called helm upgrade
  refute_called helm rollback
  [ "$(values)" = "$before" ]
}

@test "a configuration change is not canaried: start deploys nothing, promote rolls it out to every pod" {
  printf 'config:\n  GREETING: "Hello from the previous commit"\n' >"$BATS_TEST_TMPDIR/old.yaml"
  released --values "$BATS_TEST_TMPDIR/old.yaml"
  [ "$(value .config.GREETING)" = "Hello from the previous commit" ]
  run as 200 "$NEW" start
  [ "$status" -eq 0 ]
  [[ "$output" == *"configuration change: no canary"* ]]
  [[ "$output" == *'GREETING'* ]]
  refute_called helm upgrade
  run as 200 "$NEW" weight 50
  [ "$status" -eq 0 ]
  [[ "$output" == *"configuration change: no canary to shift"* ]]
  refute_called helm upgrade
  run as 200 "$NEW" promote
  [ "$status" -eq 0 ]
  [ "$(upgrades | wc -l)" -eq 1 ]
  [[ "$(upgrade_n 1)" == *"--set-string image.digest=${NEW#*@} "*"--set canary.enabled=false "* ]]
  [ "$(value .image.digest)" = "${NEW#*@}" ]
  [ "$(value .config.GREETING)" = "Hello" ]
  [ "$(value .provenance.pipeline)" = "200" ]
}

@test "first release: the promote steps are no-ops that say so and succeed" {
  released
  for command in "weight 50" promote; do
    # shellcheck disable=SC2086
    run as 100 "$OLD" $command
    [ "$status" -eq 0 ]
    [[ "$output" == *"stable already runs sha256:aaaa"* ]]
  done
  refute_called helm upgrade
}

@test "weight 50: the canary is sized for 50% and ready before the weight moves" {
  released
  as 200 "$NEW" start >/dev/null 2>&1
  : >"$STUB_LOG"
  run as 200 "$NEW" weight 50
  [ "$status" -eq 0 ]
  [ "$(upgrades | wc -l)" -eq 2 ]
  [[ "$(upgrade_n 1)" == *"--set canary.enabled=true --set canary.weight=10 --set canary.scaleFor=50 "* ]]
  [[ "$(upgrade_n 2)" == *"--set canary.enabled=true --set canary.weight=50 --set canary.scaleFor=50 "* ]]
  [ "$(value .canary.weight)" = "50" ]
}

@test "weight 50 while the canary lacks pods for 50%: the weight does not move, the step fails with the count" {
  released
  as 200 "$NEW" start >/dev/null 2>&1
  : >"$STUB_LOG"
  FAKE_CANARY_READY=1 FAKE_CANARY_HPA_MIN=2 HELM_TIMEOUT=2s run as 200 "$NEW" weight 50
  [ "$status" -eq 1 ]
  [[ "$output" == *"greeter-canary has 1 ready pods of the 2 its next share needs"*"traffic not moved"* ]]
  [ "$(upgrades | wc -l)" -eq 1 ]
  [ "$(value .canary.weight)" = "10" ]
  assert_called sleep 2
}

@test "weight: rejects values outside 0-100 before any upgrade" {
  released
  run as 100 "$OLD" weight 150
  [ "$status" -eq 1 ]
  [[ "$output" == *"weight must be an integer 0-100"* ]]
  refute_called helm upgrade
}

@test "promote: sized for 100% and ready -> 100% -> stable rolls to the image, waited -> 100% back -> canary off" {
  released
  as 200 "$NEW" start >/dev/null 2>&1
  : >"$STUB_LOG"
  run as 200 "$NEW" promote
  [ "$status" -eq 0 ]
  [ "$(upgrades | wc -l)" -eq 5 ]
  [[ "$(upgrade_n 1)" == *"--set-string image.digest=${OLD#*@} "*"--set canary.enabled=true --set canary.weight=10 --set canary.scaleFor=100 "* ]]
  [[ "$(upgrade_n 2)" == *"--set-string image.digest=${OLD#*@} "*"--set canary.enabled=true --set canary.weight=100 --set canary.scaleFor=100 "* ]]
  [[ "$(upgrade_n 3)" == *"--set-string image.digest=${NEW#*@} "*"--set canary.enabled=true --set canary.weight=100 "* ]]
  [[ "$(upgrade_n 4)" == *"--set-string image.digest=${NEW#*@} "*"--set canary.enabled=true --set canary.weight=0 "* ]]
  [[ "$(upgrade_n 5)" == *"--set-string image.digest=${NEW#*@} "*"--set canary.enabled=false --set canary.weight=0 "* ]]
  [[ "$(upgrade_n 3)" == *"--set-string provenance.pipeline=200 "* ]]
  # The stable rollout is confirmed between "stable upgraded" (3) and "traffic back" (4).
  log="$(grep -nE '^(helm upgrade|kubectl .*rollout status deployment/greeter )' "$STUB_LOG")"
  third="$(grep ':helm upgrade' <<<"$log" | sed -n 3p | cut -d: -f1)"
  fourth="$(grep ':helm upgrade' <<<"$log" | sed -n 4p | cut -d: -f1)"
  [ -n "$(awk -F: -v a="$third" -v b="$fourth" '$1 > a && $1 < b && /rollout status/' <<<"$log")" ]
  [ "$(value .image.digest)" = "${NEW#*@}" ]
  [ "$(value .canary.enabled)" = "false" ]
  [ "$(value .provenance.pipeline)" = "200" ]
}

@test "promote fails while stable rolls: traffic stays on the ready canary, nothing later runs" {
  released
  as 200 "$NEW" start >/dev/null 2>&1
  : >"$STUB_LOG"
  HELM_FAIL_AT=3 run as 200 "$NEW" promote
  [ "$status" -eq 1 ]
  [ "$(upgrades | wc -l)" -eq 3 ]
  [ "$(value .canary.weight)" = "100" ]
  [ "$(value .image.digest)" = "${OLD#*@}" ]
  [[ "$output" == *"helm upgrade failed at step promote-stable"* ]]
}

@test "start fails at its first upgrade: Helm's --atomic restores the release, no second upgrade" {
  released
  HELM_FAIL_AT=1 run as 200 "$NEW" start
  [ "$status" -eq 1 ]
  [ "$(upgrades | wc -l)" -eq 1 ]
  [ "$(value .canary.enabled)" = "false" ]
  [ "$(value .image.digest)" = "${OLD#*@}" ]
}

@test "rollback returns to the revision before this pipeline's canary: configuration, images, no canary" {
  printf 'config:\n  GREETING: "Hello from the previous commit"\n' >"$BATS_TEST_TMPDIR/old.yaml"
  released --values "$BATS_TEST_TMPDIR/old.yaml"
  before="$(values)"
  as 200 "$NEW" --values "$BATS_TEST_TMPDIR/old.yaml" start >/dev/null 2>&1
  : >"$STUB_LOG"
  run as 200 "$NEW" rollback
  [ "$status" -eq 0 ]
  [ "$(calls helm | grep -c '^rollback')" -eq 1 ]
  assert_called helm rollback greeter 1 -n prod --wait --timeout 5m
  refute_called helm upgrade
  [ "$(values)" = "$before" ]
  [ "$(last_note)" = "Rollback to 1" ]
}

@test "rollback after a promotion: the previous stable, chart and configuration come back" {
  released
  as 200 "$NEW" start >/dev/null 2>&1
  as 200 "$NEW" promote >/dev/null 2>&1
  [ "$(value .image.digest)" = "${NEW#*@}" ]
  run as 200 "$NEW" rollback
  [ "$status" -eq 0 ]
  [ "$(value .image.digest)" = "${OLD#*@}" ]
  [ "$(value .provenance.pipeline)" = "100" ]
  # Pressed twice: nothing more happens.
  : >"$STUB_LOG"
  run as 200 "$NEW" rollback
  [ "$status" -eq 0 ]
  [[ "$output" == *"already rolled back"* ]]
  refute_called helm rollback
}

@test "after a rollback the promote steps refuse: the image was removed, nothing ships" {
  released
  as 200 "$NEW" start >/dev/null 2>&1
  as 200 "$NEW" rollback >/dev/null 2>&1
  : >"$STUB_LOG"
  for command in "weight 50" promote; do
    # shellcheck disable=SC2086
    run as 200 "$NEW" $command
    [ "$status" -eq 1 ]
    [[ "$output" == *"refusing: this pipeline's image sha256:bbbb"*"has since been removed (rolled back)"* ]]
  done
  refute_called helm upgrade
}

@test "rollback refuses to undo a later pipeline's release" {
  released
  as 200 "$NEW" start >/dev/null 2>&1
  as 200 "$NEW" promote >/dev/null 2>&1
  as 300 "$OTHER" start >/dev/null 2>&1
  as 300 "$OTHER" promote >/dev/null 2>&1
  : >"$STUB_LOG"
  run as 200 "$NEW" rollback
  [ "$status" -eq 1 ]
  [[ "$output" == *"refusing: the latest revision of greeter"*"is not this pipeline's"* ]]
  refute_called helm rollback
  [ "$(value .image.digest)" = "${OTHER#*@}" ]
}

@test "the abort after a failed first canary upgrade: Helm's --atomic already restored the release" {
  released
  HELM_FAIL_AT=1 as 200 "$NEW" start >/dev/null 2>&1 || true
  : >"$STUB_LOG"
  run as 200 "$NEW" rollback
  [ "$status" -eq 0 ]
  [[ "$output" == *"was never deployed to greeter: nothing to roll back"* ]]
  refute_called helm rollback
}

@test "the abort after a failed weight step: back before the canary, past Helm's own rollback to it" {
  released
  HELM_FAIL_AT=2 as 200 "$NEW" start >/dev/null 2>&1 || true
  [ "$(value .canary.enabled)" = "true" ]
  : >"$STUB_LOG"
  run as 200 "$NEW" rollback
  [ "$status" -eq 0 ]
  assert_called helm rollback greeter 1 -n prod
  [ "$(value .canary.enabled)" = "false" ]
}

@test "by hand, without --image: rollback removes whatever canary runs, back to the revision before it" {
  released
  as 200 "$NEW" start >/dev/null 2>&1
  : >"$STUB_LOG"
  run "$REPO_ROOT/scripts/canary" --service greeter rollback
  [ "$status" -eq 0 ]
  assert_called helm rollback greeter 1
  [ "$(value .canary.enabled)" = "false" ]
}

@test "status names both images and the pipelines that deployed them" {
  released
  as 200 "$NEW" start >/dev/null 2>&1
  run "$REPO_ROOT/scripts/canary" --service greeter status
  [ "$status" -eq 0 ]
  [[ "$output" == "release=greeter namespace=prod stable=sha256:aaaa"*"(pipeline 100) canary=sha256:bbbb"*"(pipeline 200) weight=10" ]]
}

@test "--dry-run reads the release and prints the upgrades without running them" {
  released
  as 200 "$NEW" start >/dev/null 2>&1
  before="$(values)"
  : >"$STUB_LOG"
  run as 200 "$NEW" --dry-run promote
  [ "$status" -eq 0 ]
  [ "$(grep -c '^+ helm upgrade' <<<"$output")" -eq 5 ]
  refute_called helm upgrade
  refute_called kubectl rollout
  assert_called helm get values greeter -n prod -o json
  [ "$(values)" = "$before" ]
}

@test "KUBE_CONTEXT reaches every helm and kubectl call; --namespace and --release override" {
  KUBE_CONTEXT=group/project:production run as 100 "$OLD" --release greeter-blue --namespace prod-eu start
  [ "$status" -eq 0 ]
  while IFS= read -r line; do
    [[ "$line" == *"--kube-context group/project:production"* ]] || { echo "no context: helm $line" >&2; return 1; }
  done < <(calls helm | grep -v '^template')
  while IFS= read -r line; do
    [[ "$line" == *"--context group/project:production"* ]] || { echo "no context: kubectl $line" >&2; return 1; }
  done < <(calls kubectl)
  [[ "$(upgrade_n 1)" == "upgrade --install greeter-blue charts/jvm-service --kube-context group/project:production -n prod-eu "* ]]
}

@test "a malformed image reference or missing ref file stops before helm" {
  run "$REPO_ROOT/scripts/canary" --service greeter --image "$REPO:latest" start
  [ "$status" -eq 1 ]
  [[ "$output" == *"is not REPOSITORY@sha256:<64 hex digits>"* ]]
  run "$REPO_ROOT/scripts/canary" --service greeter --image-file "$BATS_TEST_TMPDIR/none.ref" start
  [ "$status" -eq 1 ]
  [[ "$output" == *"none.ref not found: the build job records the pushed digest there"* ]]
  refute_called helm
}
