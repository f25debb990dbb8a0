#!/usr/bin/env bats
# The deployer's rights are derived from what the deploy jobs really run. Every path of scripts/deploy,
# scripts/canary and scripts/canary-gate the pipeline takes is played with recording stubs (fake-helm,
# fake-kubectl), and the job scripts of the pipeline files are read; the commands, reduced to their
# shape, must be exactly fixtures/pipeline/deployer-commands.txt. charts/verify RbacTest maps each shape
# to Kubernetes API requests and checks the Roles against them.

setup() {
  set -o pipefail
  load test_helper
  stub_setup
  stub helm 'exec "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-helm" "$@"'
  stub kubectl 'exec "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-kubectl" "$@"'
  stub sleep
  unset DRY_RUN HELM_FAIL_AT PROMETHEUS_URL
  export KUBE_CONTEXT=group/project:production REGISTRY=registry.example REGISTRY_USER=u REGISTRY_PASSWORD=p
}

digest() { printf 'sha256:%s' "$(printf '%64s' '' | tr ' ' "$1")"; }

# shapes < CALL-LOG: each recorded helm/kubectl call reduced to its shape (global flags dropped).
shapes() {
  awk '
    $1 == "helm" { print ($2 == "get" ? "helm get " $3 : "helm " $2); next }
    $1 == "kubectl" {
      words = ""; n = 0
      for (i = 2; i <= NF; i++) {
        if ($i == "--context" || $i == "-n" || $i == "--namespace") { i++; continue }
        if ($i ~ /^-/) continue
        word = $i; sub(/\/.*/, "", word)
        words = words " " word; n++
        if ($2 != "" && (word == "apply" || n == 3 || (n == 2 && (word == "use-context" || word == "pod")))) break
      }
      sub(/^ /, "", words)
      split(words, w, " ")
      if (w[1] == "apply") print "kubectl apply"
      else if (w[1] == "config") print "kubectl config " w[2]
      else if (w[1] == "port-forward") print "kubectl port-forward " w[2]
      else if (w[1] == "rollout") print "kubectl rollout " w[2] " " w[3]
      else print "kubectl " w[1] " " w[2]
    }' | sort -u
}

listed() { grep -v '^#' "$REPO_ROOT/scripts/test/fixtures/pipeline/deployer-commands.txt" | cut -d'|' -f1 | sort -u; }

@test "the deploy jobs' cluster commands are exactly the listed ones (the deployer's Roles are derived from the list)" {
  cd "$REPO_ROOT"
  ref() { printf 'registry.example/g/p/%s@%s' "$1" "$(digest "$2")"; }
  # dev and review apps, with the pull secret and helm test; the review app's stop job's uninstall.
  scripts/deploy --service greeter --env dev --image "$(ref greeter a)" --pull-secret gitlab-registry --helm-test >/dev/null 2>&1
  scripts/deploy --service timezones --env dev --review 7 --image "$(ref timezones a)" >/dev/null 2>&1
  # prod: first release, a canary, 50%, promote, rollback; a configuration change rolled out.
  for service in greeter timezones; do
    CI_PIPELINE_ID=1 scripts/canary --service "$service" --image "$(ref "$service" a)" start >/dev/null 2>&1
    CI_PIPELINE_ID=2 scripts/canary --service "$service" --image "$(ref "$service" b)" start >/dev/null 2>&1
  done
  mkdir -p "$BATS_TEST_TMPDIR/build"
  for service in greeter timezones; do ref "$service" b >"$BATS_TEST_TMPDIR/build/$service.ref"; done
  FAKE_PORT_FORWARD=fail scripts/canary-gate --refs "$BATS_TEST_TMPDIR/build" --service greeter --service timezones \
    --port-forward monitoring/prometheus-kube-prometheus-stack-prometheus-0 >/dev/null 2>&1 || true
  CI_PIPELINE_ID=2 scripts/canary --service greeter --image "$(ref greeter b)" weight 50 >/dev/null 2>&1
  CI_PIPELINE_ID=2 scripts/canary --service greeter --image "$(ref greeter b)" promote >/dev/null 2>&1
  CI_PIPELINE_ID=2 scripts/canary --service greeter --image "$(ref greeter b)" rollback >/dev/null 2>&1
  CI_PIPELINE_ID=2 scripts/canary --service timezones --image "$(ref timezones b)" rollback >/dev/null 2>&1
  printf 'config:\n  greeting: "Hello from a newer commit"\n' >"$BATS_TEST_TMPDIR/new.yaml"
  CI_PIPELINE_ID=3 scripts/canary --service timezones --image "$(ref timezones c)" --values "$BATS_TEST_TMPDIR/new.yaml" promote >/dev/null 2>&1
  # Every scenario above did what it should (else the recorded commands would miss a path).
  [ "$("$REPO_ROOT/scripts/test/fixtures/pipeline/fake-helm" history greeter | jq -r '.[-1].description')" = "Rollback to 1" ]
  [ "$("$REPO_ROOT/scripts/test/fixtures/pipeline/fake-helm" get values timezones | jq -r .image.digest)" = "$(digest c)" ]
  # The pipeline files' own cluster commands (before_script's context, stop_review's uninstall).
  cat .gitlab-ci.yml .gitlab/ci/*.yml | grep -v '^\s*#' | grep -oE '(helm|kubectl) [a-z-]+( [a-z-]+)?' >>"$STUB_LOG"
  run shapes <"$STUB_LOG"
  [ "$status" -eq 0 ]
  if [[ "$output" != "$(listed)" ]]; then
    diff <(listed) <(printf '%s\n' "$output") >&2 || true
    echo "update scripts/test/fixtures/pipeline/deployer-commands.txt (and the Roles, which RbacTest checks)" >&2
    return 1
  fi
}

@test "the shapes are read as Helm and kubectl see them (global flags, resource/name, subcommands)" {
  printf '%s\n' "helm get values greeter -n prod -o json" "helm upgrade --install greeter charts/jvm-service --kube-context c -n prod" \
    "kubectl --context c -n prod rollout status deployment/greeter --timeout 5m" \
    "kubectl --context c -n monitoring port-forward pod/prometheus-0 :9090" \
    "kubectl -n prod get horizontalpodautoscaler greeter-canary --ignore-not-found -o jsonpath={.spec.minReplicas}" \
    "kubectl --context c get clustersecretstore vault-backend --request-timeout=10s -o json" \
    "kubectl --context c -n dev create secret generic gitlab-registry --type=kubernetes.io/dockerconfigjson" \
    "kubectl --context c -n dev apply -f -" "kubectl config use-context c" >"$BATS_TEST_TMPDIR/log"
  run shapes <"$BATS_TEST_TMPDIR/log"
  [ "$output" = "$(sort <<'EOF'
helm get values
helm upgrade
kubectl apply
kubectl config use-context
kubectl create secret
kubectl get clustersecretstore
kubectl get horizontalpodautoscaler
kubectl port-forward pod
kubectl rollout status deployment
EOF
  )" ]
}
