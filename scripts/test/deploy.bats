#!/usr/bin/env bats
# scripts/deploy with helm and kubectl stubbed (fixtures/pipeline/fake-helm keeps the release as Helm
# does, fake-kubectl answers from it): the exact helm upgrade per environment, images by digest, the
# secret store check, the registry pull secret, review apps wired to each other, and failures.

setup() {
  set -o pipefail
  load test_helper
  stub_setup
  stub helm 'exec "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-helm" "$@"'
  stub kubectl 'exec "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-kubectl" "$@"'
  unset KUBE_CONTEXT IMAGE_REPOSITORY HELM_TIMEOUT DRY_RUN HELM_FAIL_AT REVIEW_DOMAIN PIPELINE_ID CI_PIPELINE_ID CI_COMMIT_SHA \
    FAKE_STORE REGISTRY REGISTRY_USER REGISTRY_PASSWORD
  REF="registry.example/g/p/greeter@sha256:$(printf '0%.0s' {1..60})abcd"
}

deploy() { "$REPO_ROOT/scripts/deploy" "$@"; }
value() { "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-helm" get values "${RELEASE:-greeter}" -o json | jq -r "$@"; }

@test "--help prints the usage" {
  run deploy --help
  [ "$status" -eq 0 ]
  [[ "$output" == "Usage: scripts/deploy --service"* ]]
}

@test "dev by digest: the contract's helm upgrade, atomic and waited, then the rollout confirmed" {
  CI_PIPELINE_ID=4242 CI_COMMIT_SHA=0123456789abcdef run deploy --service greeter --env dev --image "$REF" --tag abc1234
  [ "$status" -eq 0 ]
  [ "$(calls helm | grep '^upgrade')" = "upgrade --install greeter charts/jvm-service -n dev -f charts/jvm-service/values-greeter.yaml -f charts/jvm-service/values-dev.yaml --set-string image.repository=registry.example/g/p/greeter --set-string image.digest=${REF#*@} --set-string image.tag=abc1234 --set-string provenance.pipeline=4242 --set-string provenance.commit=0123456789abcdef --atomic --wait --timeout 5m --history-max 20" ]
  [ "$(calls kubectl)" = "-n dev rollout status deployment/greeter --timeout 5m" ]
  [ "$(value .image.digest)" = "${REF#*@}" ]
}

@test "--image-file reads the build job's build/<service>.ref" {
  printf '%s\n' "$REF" >"$BATS_TEST_TMPDIR/greeter.ref"
  run deploy --service greeter --env dev --image-file "$BATS_TEST_TMPDIR/greeter.ref"
  [ "$status" -eq 0 ]
  [ "$(value .image.repository)@$(value .image.digest)" = "$REF" ]
}

@test "no digest, no deploy: a missing ref file or a reference by tag stops before helm, with one line" {
  run deploy --service greeter --env prod --image-file "$BATS_TEST_TMPDIR/greeter.ref"
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" == *"greeter.ref not found: the build job records the pushed digest there (no digest, no deploy)" ]]
  run deploy --service greeter --env prod --image registry.example/g/p/greeter:abc1234
  [ "$status" -eq 1 ]
  [[ "$output" == *"is not REPOSITORY@sha256:<64 hex digits>"* ]]
  refute_called helm
}

@test "prod: the secret store the release's ExternalSecret names is checked, in seconds, before the upgrade" {
  HELM_TIMEOUT=10m KUBE_CONTEXT=grp/project:production run deploy --service timezones --env prod --image "$REF"
  [ "$status" -eq 0 ]
  # timezones has no secret: no store to check.
  refute_called kubectl get clustersecretstore
  run deploy --service greeter --env prod --image "$REF"
  [ "$status" -eq 0 ]
  assert_called kubectl get clustersecretstore vault-backend --request-timeout=10s -o json
  store_line="$(grep -n 'kubectl get clustersecretstore' "$STUB_LOG" | cut -d: -f1)"
  upgrade_line="$(grep -n 'helm upgrade' "$STUB_LOG" | tail -1 | cut -d: -f1)"
  [ "$store_line" -lt "$upgrade_line" ]
}

@test "prod with the store missing: one line naming it and how to create it, no upgrade" {
  FAKE_STORE=missing run deploy --service greeter --env prod --image "$REF"
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" == *"ClusterSecretStore vault-backend (secret.external.storeRef of greeter) does not exist: create it with the platform chart"* ]]
  refute_called helm upgrade
}

@test "prod with the store not Ready: one line with the store's own message, no upgrade" {
  FAKE_STORE=notready run deploy --service greeter --env prod --image "$REF"
  [ "$status" -eq 1 ]
  [[ "$output" == *"ClusterSecretStore vault-backend (secret.external.storeRef of greeter) is not Ready (unable to log in to Vault: permission denied)"* ]]
  refute_called helm upgrade
}

@test "--pull-secret: the registry Secret is applied from the environment, never from arguments, and used" {
  REGISTRY=registry.example REGISTRY_USER=gitlab+deploy-token-7 REGISTRY_PASSWORD='s3cr3t"pw' \
    run deploy --service greeter --env dev --image "$REF" --pull-secret gitlab-registry
  [ "$status" -eq 0 ]
  assert_called kubectl -n dev create secret generic gitlab-registry --type=kubernetes.io/dockerconfigjson
  assert_called kubectl -n dev apply -f -
  [ "$(value '.imagePullSecrets[0].name')" = "gitlab-registry" ]
  # The password appears in no recorded argument and in no output.
  run grep -c 's3cr3t' "$STUB_LOG"
  [ "$output" = "0" ]
}

@test "--pull-secret without the registry credentials stops with the variables to set" {
  run deploy --service greeter --env dev --image "$REF" --pull-secret gitlab-registry
  [ "$status" -eq 1 ]
  [[ "$output" == *'needs $REGISTRY'* ]]
  refute_called kubectl
  refute_called helm
}

@test "an all-digit tag stays a string (--set-string), never a number" {
  run deploy --service greeter --env dev --tag 1234567
  [ "$status" -eq 0 ]
  assert_called helm --set-string image.tag=1234567
  [ "$(value '.image.tag | type')" = "string" ]
}

@test "--helm-test runs the chart's tests after the rollout" {
  run deploy --service greeter --env dev --image "$REF" --helm-test
  [ "$status" -eq 0 ]
  [ "$(calls helm | tail -1)" = "test greeter -n dev --logs --timeout 5m" ]
}

@test "review app: releases <service>-mr<iid> in dev, greeter wired to its own timezones, no ingress" {
  run deploy --service greeter --env dev --image "$REF" --review 42
  [ "$status" -eq 0 ]
  assert_called helm upgrade --install greeter-mr42 charts/jvm-service -n dev -f charts/jvm-service/values-greeter.yaml -f charts/jvm-service/values-dev.yaml
  RELEASE=greeter-mr42
  [ "$(value .config.TIMEZONES_URL)" = "http://timezones-mr42:8080" ]
  [ "$(value -c .networkPolicy.egressTo)" = '[{"release":"timezones-mr42","port":8080}]' ]
  [ "$(value .ingress.enabled)" = "false" ]
  assert_called kubectl -n dev rollout status deployment/greeter-mr42
}

@test "review app: timezones admits the review greeter; REVIEW_DOMAIN gives the pair a host" {
  REVIEW_DOMAIN=review.example.com run deploy --service timezones --env dev --image "$REF" --review 7
  [ "$status" -eq 0 ]
  RELEASE=timezones-mr7
  [ "$(value '.mesh.allow[] | select(.serviceAccount == "greeter-mr7") | .methods[0]')" = "GET" ]
  [ "$(value .ingress.host)" = "mr-7.review.example.com" ]
  REVIEW_DOMAIN=review.example.com run deploy --service greeter --env dev --image "$REF" --review 7
  [ "$status" -eq 0 ]
  RELEASE=greeter-mr7
  [ "$(value -c .ingress.delegate)" = '[{"path":"/timezones","release":"timezones-mr7"}]' ]
}

@test "review apps only in dev, and only for a numeric merge request IID" {
  run deploy --service greeter --env prod --image "$REF" --review 42
  [ "$status" -eq 1 ]
  run deploy --service greeter --env dev --image "$REF" --review 'x;rm'
  [ "$status" -eq 1 ]
  refute_called helm
}

@test "bad input stops before helm: unknown service or environment, missing image, malformed tag" {
  for args in "--service billing --env dev --tag abc" "--service greeter --env staging --tag abc" \
    "--service greeter --env dev" "--service greeter --env dev --tag bad/tag" "--service ../x --env dev --tag abc"; do
    # shellcheck disable=SC2086
    run deploy $args
    [ "$status" -eq 1 ] || { echo "accepted: $args" >&2; return 1; }
  done
  refute_called helm
  refute_called kubectl
}

@test "a failed helm upgrade fails the deploy and nothing runs after it" {
  HELM_FAIL_AT=1 run deploy --service greeter --env dev --image "$REF" --helm-test
  [ "$status" -ne 0 ]
  [ "$(calls helm | grep -c '^upgrade')" -eq 1 ]
  refute_called helm test
  refute_called kubectl
}

@test "--dry-run prints the commands and runs none" {
  run deploy --service greeter --env prod --image "$REF" --helm-test --dry-run
  [ "$status" -eq 0 ]
  [[ "$output" == *"+ kubectl get clustersecretstore vault-backend"* ]]
  [[ "$output" == *"+ helm upgrade --install greeter charts/jvm-service -n prod"* ]]
  [[ "$output" == *"+ kubectl -n prod rollout status deployment/greeter"* ]]
  [[ "$output" == *"+ helm test greeter"* ]]
  refute_called helm upgrade
  refute_called kubectl
}
