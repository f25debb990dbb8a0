#!/usr/bin/env bats
# scripts/deploy with helm and kubectl stubbed: the exact helm upgrade it runs per environment,
# review apps wired to each other, and what happens when helm fails.

setup() {
  load test_helper
  stub_setup
  stub helm 'exec "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-helm" "$@"'
  stub kubectl
  unset KUBE_CONTEXT IMAGE_REPOSITORY HELM_TIMEOUT DRY_RUN HELM_FAIL_AT REVIEW_DOMAIN
}

deploy() { "$REPO_ROOT/scripts/deploy" "$@"; }

@test "--help prints the usage" {
  run deploy --help
  [ "$status" -eq 0 ]
  [[ "$output" == "Usage: scripts/deploy --service"* ]]
}

@test "dev: the contract's helm upgrade, atomic and waited, then the rollout confirmed" {
  run deploy --service greeter --env dev --tag abc1234 --image-repository registry.example/g/p/greeter
  [ "$status" -eq 0 ]
  [ "$(calls helm)" = "upgrade --install greeter charts/jvm-service -n dev -f charts/jvm-service/values-greeter.yaml -f charts/jvm-service/values-dev.yaml --set-string image.tag=abc1234 --set-string image.repository=registry.example/g/p/greeter --atomic --wait --timeout 5m --history-max 10" ]
  [ "$(calls kubectl)" = "-n dev rollout status deployment/greeter --timeout 5m" ]
  [ "$(jq -r .image.tag "$STUB_DIR/release.json")" = "abc1234" ]
}

@test "prod with timezones, HELM_TIMEOUT, KUBE_CONTEXT and IMAGE_REPOSITORY from the environment" {
  HELM_TIMEOUT=10m KUBE_CONTEXT=grp/agents:k8s IMAGE_REPOSITORY=registry.example/g/p/timezones \
    run deploy --service timezones --env prod --tag 0a1b2c3
  [ "$status" -eq 0 ]
  assert_called helm upgrade --install timezones charts/jvm-service --kube-context grp/agents:k8s -n prod -f charts/jvm-service/values-timezones.yaml -f charts/jvm-service/values-prod.yaml --set-string image.tag=0a1b2c3 --set-string image.repository=registry.example/g/p/timezones --atomic --wait --timeout 10m
  assert_called kubectl --context grp/agents:k8s -n prod rollout status deployment/timezones --timeout 10m
}

@test "an all-digit commit SHA stays a string (--set-string), never a number" {
  run deploy --service greeter --env dev --tag 1234567
  [ "$status" -eq 0 ]
  assert_called helm --set-string image.tag=1234567
  [ "$(jq -r '.image.tag | type' "$STUB_DIR/release.json")" = "string" ]
}

@test "--helm-test runs the chart's tests after the rollout" {
  run deploy --service greeter --env dev --tag abc1234 --helm-test
  [ "$status" -eq 0 ]
  [ "$(calls helm | tail -1)" = "test greeter -n dev --logs --timeout 5m" ]
}

@test "review app: releases <service>-mr<iid> in dev, greeter wired to its own timezones, no ingress" {
  run deploy --service greeter --env dev --tag abc1234 --review 42
  [ "$status" -eq 0 ]
  assert_called helm upgrade --install greeter-mr42 charts/jvm-service -n dev -f charts/jvm-service/values-greeter.yaml -f charts/jvm-service/values-dev.yaml
  [ "$(jq -r .config.timezonesUrl "$STUB_DIR/release.json")" = "http://timezones-mr42:8080" ]
  [ "$(jq -c .networkPolicy.egressTo "$STUB_DIR/release.json")" = '[{"release":"timezones-mr42","port":8080}]' ]
  [ "$(jq -r .ingress.enabled "$STUB_DIR/release.json")" = "false" ]
  assert_called kubectl -n dev rollout status deployment/greeter-mr42
}

@test "review app: timezones admits the review greeter; REVIEW_DOMAIN gives the pair a host" {
  REVIEW_DOMAIN=review.example.com run deploy --service timezones --env dev --tag abc1234 --review 7
  [ "$status" -eq 0 ]
  [ "$(jq -r '.mesh.allow[] | select(.serviceAccount == "greeter-mr7") | .methods[0]' "$STUB_DIR/release.json")" = "GET" ]
  [ "$(jq -r .ingress.host "$STUB_DIR/release.json")" = "mr-7.review.example.com" ]
  rm "$STUB_DIR/release.json"
  REVIEW_DOMAIN=review.example.com run deploy --service greeter --env dev --tag abc1234 --review 7
  [ "$(jq -c .ingress.delegate "$STUB_DIR/release.json")" = '[{"path":"/timezones","release":"timezones-mr7"}]' ]
}

@test "review apps only in dev, and only for a numeric merge request IID" {
  run deploy --service greeter --env prod --tag abc1234 --review 42
  [ "$status" -ne 0 ]
  run deploy --service greeter --env dev --tag abc1234 --review 'x;rm'
  [ "$status" -ne 0 ]
  refute_called helm
}

@test "bad input stops before helm: unknown service or environment, missing or malformed tag" {
  for args in "--service billing --env dev --tag abc" "--service greeter --env staging --tag abc" \
    "--service greeter --env dev" "--service greeter --env dev --tag bad/tag"; do
    # shellcheck disable=SC2086
    run deploy $args
    [ "$status" -ne 0 ]
  done
  refute_called helm
  refute_called kubectl
}

@test "a failed helm upgrade fails the deploy and nothing runs after it" {
  HELM_FAIL_AT=1 run deploy --service greeter --env dev --tag abc1234 --helm-test
  [ "$status" -ne 0 ]
  [ "$(calls helm | wc -l)" -eq 1 ]
  refute_called kubectl
}

@test "--dry-run prints the commands and runs none" {
  run deploy --service greeter --env dev --tag abc1234 --helm-test --dry-run
  [ "$status" -eq 0 ]
  [[ "$output" == *"+ helm upgrade --install greeter charts/jvm-service -n dev"* ]]
  [[ "$output" == *"+ kubectl -n dev rollout status deployment/greeter"* ]]
  [[ "$output" == *"+ helm test greeter"* ]]
  refute_called helm
  refute_called kubectl
}
