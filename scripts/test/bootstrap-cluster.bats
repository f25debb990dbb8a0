#!/usr/bin/env bats
# scripts/bootstrap-cluster with stubbed kubectl / helm / istioctl that keep a little state
# (installed releases with their chart and description, applied manifest paths), so the tests
# see what a real cluster would have been asked, in which order, and what a second run does.
# Most tests run in a sandbox copy of the repo's layout, so they can edit values files and pins;
# the last test runs the real repository to prove every file the script names exists.

load test_helper

setup() {
  stub_setup
  SANDBOX="$BATS_TEST_TMPDIR/repo"
  mkdir -p "$SANDBOX/scripts/lib"
  cp "$REPO_ROOT/scripts/bootstrap-cluster" "$REPO_ROOT/scripts/versions.env" "$SANDBOX/scripts/"
  cp "$REPO_ROOT/scripts/lib/common.sh" "$SANDBOX/scripts/lib/"
  local f
  for f in charts/platform/values/cert-manager.yaml charts/platform/values/nginx-ingress.yaml \
    charts/platform/values/sealed-secrets.yaml charts/platform/values/external-secrets.yaml \
    charts/platform/values/kyverno.yaml \
    charts/platform/values.yaml istio/values-base.yaml istio/values-cni.yaml istio/values-istiod.yaml istio/values-kiali.yaml \
    observability/values/kube-prometheus-stack.yaml observability/values/loki.yaml \
    observability/values/alloy.yaml observability/values/metrics-server.yaml \
    istio/mesh/peer-authentication.yaml istio/monitoring/podmonitor.yaml observability/kustomization.yaml; do
    mkdir -p "$SANDBOX/$(dirname "$f")"
    echo "# $f" >"$SANDBOX/$f"
  done
  printf 'apiVersion: v2\nname: platform\nversion: 0.1.0\n' >"$SANDBOX/charts/platform/Chart.yaml"
  BOOTSTRAP="$SANDBOX/scripts/bootstrap-cluster"

  export STATE_DIR="$BATS_TEST_TMPDIR/state"
  mkdir -p "$STATE_DIR/releases"
  : >"$STATE_DIR/applied"
  export FAKE_K8S_MINOR=33 FAKE_HELM_VERSION=v3.16.4+g7877b45 FAKE_ISTIOCTL_VERSION=1.30.5 FAKE_CONTEXT=kind-test
  export FAKE_MISSING_SECRETS=""

  # kubectl: a context, a server version, and `diff` that reports a change until the path was applied.
  stub kubectl '
case "$1 $2" in
  "config current-context") [[ -n "$FAKE_CONTEXT" ]] || { echo "error: current-context is not set" >&2; exit 1; }; echo "$FAKE_CONTEXT" ;;
  "version -o") printf "{\n  \"clientVersion\": {\"major\": \"1\", \"minor\": \"33\"},\n  \"serverVersion\": {\n    \"major\": \"1\",\n    \"minor\": \"%s\",\n    \"gitVersion\": \"v1.%s.2\"\n  }\n}\n" "$FAKE_K8S_MINOR" "$FAKE_K8S_MINOR" ;;
  "diff -f"|"diff -k") grep -qxF -- "$2 $3" "$STATE_DIR/applied" && exit 0; exit 1 ;;
  "apply -f"|"apply -k") echo "$2 $3" >>"$STATE_DIR/applied" ;;
  "get secret")
    [[ " $FAKE_MISSING_SECRETS " != *" $5/$3 "* ]] || { echo "Error from server (NotFound)" >&2; exit 1; }
    case "$*" in
      *"{.data.admin-user}"*) printf admin | base64 ;;
      *"{.data.admin-password}"*) printf s3cret-pw | base64 ;;
      *) echo "secret/$3" ;;
    esac ;;
  "create secret") for a in "$@"; do [[ "$a" == --from-file=* ]] && { f="${a#*=}"; f="${f#*=}"; printf "%s=%s\n" "${a%%=/*}" "$(cat "$f")" >>"$STATE_DIR/created-secret"; }; done; true ;;
  *) echo "kubectl stub: unexpected call: $*" >&2; exit 2 ;;
esac'

  # helm: version; history from the state of releases; upgrade --install records chart and description.
  stub helm '
case "$1" in
  version) echo "$FAKE_HELM_VERSION" ;;
  history)
    [[ -f "$STATE_DIR/releases/$2" ]] || { echo "Error: release: not found" >&2; exit 1; }
    cat "$STATE_DIR/releases/$2" ;;
  upgrade)
    release="$3" chart="$4" version="" desc=""
    shift 4
    while (($#)); do
      case "$1" in --version) version="$2"; shift ;; --description) desc="$2"; shift ;; esac
      shift
    done
    if [[ -z "$version" ]]; then
      version="$(sed -n "s/^version: *//p" "$chart/Chart.yaml")"
      chart="$(sed -n "s/^name: *//p" "$chart/Chart.yaml")"
    fi
    printf "[{\"revision\": 1, \"status\": \"deployed\", \"chart\": \"%s-%s\", \"app_version\": \"x\", \"description\": \"%s\"}]\n" \
      "$chart" "$version" "$desc" >"$STATE_DIR/releases/$release" ;;
  *) echo "helm stub: unexpected call: $*" >&2; exit 2 ;;
esac'

  stub istioctl 'echo "client version: $FAKE_ISTIOCTL_VERSION"'
}

# isolate_path: PATH = the stubs + only the basic tools the script needs, so that removing a
# stub makes that command missing (this machine has a real kubectl).
isolate_path() {
  local sysbin="$BATS_TEST_TMPDIR/sysbin" tool
  mkdir -p "$sysbin"
  for tool in bash env sed grep tr cut head cat find sort sha256sum dirname basename printf rm mkdir mktemp ls wc sleep; do
    if command -v "$tool" >/dev/null 2>&1 && [[ -x "$(command -v "$tool")" ]]; then
      ln -sf "$(command -v "$tool")" "$sysbin/$tool"
    fi
  done
  export PATH="$STUB_DIR/bin:$sysbin"
}

# mutations: the calls that change a cluster, in order, as "helm RELEASE" / "kubectl apply -X PATH".
mutations() {
  grep -E '^(helm upgrade|kubectl apply)' "$STUB_LOG" | sed -E 's/^helm upgrade --install ([^ ]+) .*/helm \1/'
}

@test "--help lists the parts in install order and exits 0" {
  run "$BOOTSTRAP" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"monitoring cert-manager istio secrets admission platform mesh ingress loki alloy kiali metrics-server dashboards"* ]]
  [[ "$output" == *"--dry-run"* && "$output" == *"--only PART"* ]]
  run "$BOOTSTRAP" --list-parts
  [ "$status" -eq 0 ]
  [ "${lines[0]}" == monitoring ]
  [ "${#lines[@]}" -eq 13 ]
}

@test "a full run installs every part in dependency order" {
  run "$BOOTSTRAP"
  echo "$output"
  [ "$status" -eq 0 ]
  run mutations
  [ "$output" == "helm kube-prometheus-stack
helm cert-manager
helm istio-base
helm istio-cni
helm istiod
helm external-secrets
helm kyverno
helm platform
kubectl apply -f istio/mesh/
kubectl apply -f istio/monitoring/
helm nginx-ingress
helm loki
helm alloy
helm kiali-server
helm metrics-server
kubectl apply -k observability" ]
}

@test "each chart is installed at its pinned version with this repo's values, waiting for readiness" {
  run "$BOOTSTRAP"
  [ "$status" -eq 0 ]
  source "$SANDBOX/scripts/versions.env"
  assert_called helm "upgrade --install nginx-ingress nginx-ingress --namespace nginx-ingress --create-namespace --repo $NGINX_INGRESS_REPO --version $NGINX_INGRESS_VERSION -f charts/platform/values/nginx-ingress.yaml --wait"
  assert_called helm "upgrade --install cert-manager cert-manager --namespace cert-manager --create-namespace --repo $CERT_MANAGER_REPO --version $CERT_MANAGER_VERSION -f charts/platform/values/cert-manager.yaml --set crds.enabled=true --wait"
  assert_called helm "upgrade --install istio-base base --namespace istio-system --create-namespace --repo $ISTIO_REPO --version $ISTIO_VERSION -f istio/values-base.yaml"
  assert_called helm "upgrade --install istio-cni cni --namespace istio-system --create-namespace --repo $ISTIO_REPO --version $ISTIO_VERSION -f istio/values-cni.yaml"
  assert_called helm "upgrade --install istiod istiod --namespace istio-system --create-namespace --repo $ISTIO_REPO --version $ISTIO_VERSION -f istio/values-istiod.yaml"
  assert_called helm "upgrade --install kube-prometheus-stack kube-prometheus-stack --namespace monitoring --create-namespace --repo $KUBE_PROMETHEUS_STACK_REPO --version $KUBE_PROMETHEUS_STACK_VERSION -f observability/values/kube-prometheus-stack.yaml"
  assert_called helm "upgrade --install loki loki --namespace monitoring --create-namespace --repo $LOKI_REPO --version $LOKI_VERSION -f observability/values/loki.yaml"
  assert_called helm "upgrade --install alloy alloy --namespace monitoring --create-namespace --repo $ALLOY_REPO --version $ALLOY_VERSION -f observability/values/alloy.yaml"
  assert_called helm "upgrade --install kiali-server kiali-server --namespace istio-system --create-namespace --repo $KIALI_REPO --version $KIALI_VERSION -f istio/values-kiali.yaml"
  assert_called helm "upgrade --install metrics-server metrics-server --namespace kube-system --create-namespace --repo $METRICS_SERVER_REPO --version $METRICS_SERVER_VERSION -f observability/values/metrics-server.yaml"
  assert_called helm "upgrade --install external-secrets external-secrets --namespace external-secrets --create-namespace --repo $EXTERNAL_SECRETS_REPO --version $EXTERNAL_SECRETS_VERSION -f charts/platform/values/external-secrets.yaml"
  assert_called helm "upgrade --install kyverno kyverno --namespace kyverno --create-namespace --repo $KYVERNO_REPO --version $KYVERNO_VERSION -f charts/platform/values/kyverno.yaml --wait"
  assert_called helm "upgrade --install platform charts/platform --namespace default --create-namespace -f charts/platform/values.yaml --wait"
  # every install waits and has a timeout; no release is installed without a pinned version
  [ "$(calls helm | grep -c '^upgrade')" -eq 13 ]
  [ "$(calls helm | grep '^upgrade' | grep -c -- '--wait --timeout 10m')" -eq 13 ]
  [ "$(calls helm | grep '^upgrade' | grep -- '--repo' | grep -vc -- '--version [v0-9]')" -eq 0 ]
}

@test "a second run installs nothing: same chart versions, same values, manifests unchanged" {
  run "$BOOTSTRAP"
  [ "$status" -eq 0 ]
  [ "$(mutations | wc -l)" -eq 16 ]
  : >"$STUB_LOG"
  run "$BOOTSTRAP"
  echo "$output"
  [ "$status" -eq 0 ]
  refute_called helm upgrade
  refute_called kubectl apply
  [[ "$output" == *"nginx-ingress: nginx-ingress-2.5.1 already deployed in nginx-ingress with the same values; skipping"* ]]
  [[ "$output" == *"istio/mesh/: no change (kubectl diff); skipping"* ]]
  # it did look: one history per release
  [ "$(calls helm | grep -c '^history')" -eq 13 ]
}

@test "a changed values file upgrades only its release" {
  run "$BOOTSTRAP"
  [ "$status" -eq 0 ]
  echo "replicaCount: 3" >>"$SANDBOX/observability/values/loki.yaml"
  : >"$STUB_LOG"
  run "$BOOTSTRAP"
  [ "$status" -eq 0 ]
  run mutations
  [ "$output" == "helm loki" ]
}

@test "a bumped pin in versions.env upgrades only that chart; a changed in-repo chart upgrades platform" {
  run "$BOOTSTRAP"
  [ "$status" -eq 0 ]
  sed -i 's/^KIALI_VERSION=.*/KIALI_VERSION=9.9.9/' "$SANDBOX/scripts/versions.env"
  echo "# new template" >"$SANDBOX/charts/platform/rbac.yaml"
  : >"$STUB_LOG"
  run "$BOOTSTRAP"
  [ "$status" -eq 0 ]
  run mutations
  [ "$output" == "helm platform
helm kiali-server" ]
  assert_called helm "--version 9.9.9"
}

@test "a release whose last install failed is installed again" {
  run "$BOOTSTRAP"
  [ "$status" -eq 0 ]
  sed -i 's/"deployed"/"failed"/' "$STATE_DIR/releases/alloy"
  : >"$STUB_LOG"
  run "$BOOTSTRAP"
  [ "$status" -eq 0 ]
  run mutations
  [ "$output" == "helm alloy" ]
}

@test "--dry-run prints every command and calls nothing that changes the cluster" {
  run "$BOOTSTRAP" --dry-run
  echo "$output"
  [ "$status" -eq 0 ]
  refute_called helm upgrade
  refute_called helm history
  refute_called kubectl apply
  refute_called kubectl diff
  [ "$(grep -c '^+ helm upgrade --install' <<<"$output")" -eq 13 ]
  [ "$(grep -c '^+ kubectl apply' <<<"$output")" -eq 3 ]
  refute_called kubectl get secret
  [[ "$output" == *"+ helm upgrade --install istiod istiod --namespace istio-system"* ]]
  [[ "$output" == *"+ kubectl apply -k observability"* ]]
  [ "$(ls "$STATE_DIR/releases" | wc -l)" -eq 0 ]
}

@test "--dry-run without helm or a cluster still prints the plan and says what a real run would stop on" {
  isolate_path
  rm "$STUB_DIR/bin/helm" "$STUB_DIR/bin/kubectl" "$STUB_DIR/bin/istioctl"
  run "$BOOTSTRAP" --dry-run
  [ "$status" -eq 0 ]
  [[ "$output" == *"warning: a real run would stop here: kubectl is required but was not found on PATH"* ]]
  [[ "$output" == *"warning: a real run would stop here: helm >= 3.14.0 is required but was not found on PATH"* ]]
  [ "$(grep -c '^+ helm upgrade --install' <<<"$output")" -eq 13 ]
}

@test "missing kubectl stops the run with one clear line and installs nothing" {
  isolate_path
  rm "$STUB_DIR/bin/kubectl"
  run "$BOOTSTRAP"
  [ "$status" -ne 0 ]
  [ "$output" == "[bootstrap-cluster] error: kubectl is required but was not found on PATH" ]
  refute_called helm upgrade
}

@test "missing helm stops the run" {
  isolate_path
  rm "$STUB_DIR/bin/helm"
  run "$BOOTSTRAP"
  [ "$status" -ne 0 ]
  [[ "$output" == *"error: helm >= 3.14.0 is required but was not found on PATH" ]]
  refute_called kubectl apply
}

@test "no current kubectl context stops the run" {
  export FAKE_CONTEXT=""
  run "$BOOTSTRAP"
  [ "$status" -ne 0 ]
  [[ "$output" == *"error: kubectl has no current context: run 'kubectl config use-context NAME' first" ]]
  refute_called helm upgrade
}

@test "a cluster outside Kubernetes 1.32-1.36 stops the run" {
  export FAKE_K8S_MINOR=31
  run "$BOOTSTRAP"
  [ "$status" -ne 0 ]
  [[ "$output" == *"error: cluster runs Kubernetes 1.31; this platform supports 1.32-1.36" ]]
  export FAKE_K8S_MINOR=37
  run "$BOOTSTRAP"
  [ "$status" -ne 0 ]
  [[ "$output" == *"cluster runs Kubernetes 1.37"* ]]
  refute_called helm upgrade
  export FAKE_K8S_MINOR=36
  run "$BOOTSTRAP" --only dashboards
  [ "$status" -eq 0 ]
  # managed clusters report minors like "34+"
  export FAKE_K8S_MINOR=34+
  run "$BOOTSTRAP" --only dashboards
  [ "$status" -eq 0 ]
  [[ "$output" == *"cluster: Kubernetes 1.34"* ]]
}

@test "helm older than 3.14 stops the run; Helm 4 is accepted" {
  export FAKE_HELM_VERSION=v3.13.3+gc8b9489
  run "$BOOTSTRAP"
  [ "$status" -ne 0 ]
  [[ "$output" == *"error: helm >= 3.14.0 is required, found '3.13.3'" ]]
  refute_called helm upgrade
  export FAKE_HELM_VERSION=v4.0.1+g1234567
  run "$BOOTSTRAP" --only ingress
  [ "$status" -eq 0 ]
  assert_called helm upgrade --install nginx-ingress
}

@test "istioctl of another minor line stops the run when the istio part is selected, not otherwise" {
  export FAKE_ISTIOCTL_VERSION=1.29.3
  run "$BOOTSTRAP"
  [ "$status" -ne 0 ]
  [[ "$output" == *"error: istioctl 1.30.x is required (charts pin 1.30.5), found '1.29.3'" ]]
  refute_called helm upgrade
  rm "$STUB_DIR/bin/istioctl"
  isolate_path
  run "$BOOTSTRAP" --only monitoring
  [ "$status" -eq 0 ]
  assert_called helm upgrade --install kube-prometheus-stack
}

@test "--only PART installs that part alone" {
  run "$BOOTSTRAP" --only istio
  [ "$status" -eq 0 ]
  run mutations
  [ "$output" == "helm istio-base
helm istio-cni
helm istiod" ]
  : >"$STUB_LOG"
  run "$BOOTSTRAP" --only mesh --only dashboards
  [ "$status" -eq 0 ]
  run mutations
  [ "$output" == "kubectl apply -f istio/mesh/
kubectl apply -f istio/monitoring/
kubectl apply -k observability" ]
}

@test "--only with an unknown part is rejected with the list of parts, before any call" {
  run "$BOOTSTRAP" --only prometheus
  [ "$status" -ne 0 ]
  [ "$output" == "[bootstrap-cluster] error: unknown part 'prometheus'; parts are: monitoring cert-manager istio secrets admission platform mesh ingress loki alloy kiali metrics-server dashboards" ]
  [ ! -s "$STUB_LOG" ]
}

@test "--secrets sealed installs Sealed Secrets instead of External Secrets" {
  run "$BOOTSTRAP" --only secrets --secrets sealed
  [ "$status" -eq 0 ]
  source "$SANDBOX/scripts/versions.env"
  assert_called helm "upgrade --install sealed-secrets sealed-secrets --namespace sealed-secrets --create-namespace --repo $SEALED_SECRETS_REPO --version $SEALED_SECRETS_VERSION -f charts/platform/values/sealed-secrets.yaml"
  refute_called helm upgrade --install external-secrets
  run "$BOOTSTRAP" --secrets vault
  [ "$status" -ne 0 ]
  [[ "$output" == *"--secrets must be 'sealed' or 'external'"* ]]
}

@test "--set RELEASE:KEY=VALUE reaches that release only and counts in its checksum" {
  run "$BOOTSTRAP" --only ingress --only monitoring
  [ "$status" -eq 0 ]
  : >"$STUB_LOG"
  run "$BOOTSTRAP" --only ingress --only monitoring --set nginx-ingress:controller.service.type=NodePort
  [ "$status" -eq 0 ]
  run mutations
  [ "$output" == "helm nginx-ingress" ]
  assert_called helm "-f charts/platform/values/nginx-ingress.yaml --set controller.service.type=NodePort --wait"
  run "$BOOTSTRAP" --set nginx:replicas=2
  [ "$status" -ne 0 ]
  [[ "$output" == *"--set: unknown release 'nginx'"* ]]
}

@test "a missing values file stops the run before anything is installed" {
  rm "$SANDBOX/observability/values/alloy.yaml"
  run "$BOOTSTRAP"
  [ "$status" -ne 0 ]
  [[ "$output" == *"error: missing observability/values/alloy.yaml (this repo's values file)"* ]]
  refute_called helm upgrade
  refute_called kubectl apply
}

@test "manifests are applied when kubectl diff cannot compare (CRDs not there yet)" {
  stub kubectl '
case "$1 $2" in
  "config current-context") echo kind-test ;;
  "version -o") echo "{\"serverVersion\": {\"major\": \"1\", \"minor\": \"34\"}}" ;;
  "diff -f"|"diff -k") echo "error: no matches for kind PodMonitor" >&2; exit 2 ;;
  *) true ;;
esac'
  run "$BOOTSTRAP" --only mesh
  [ "$status" -eq 0 ]
  assert_called kubectl apply -f istio/monitoring/
}

@test "a missing prerequisite Secret of the monitoring part stops the run before anything is installed" {
  export FAKE_MISSING_SECRETS="monitoring/grafana-admin"
  run "$BOOTSTRAP"
  [ "$status" -ne 0 ]
  [[ "$output" == *"error: Secret monitoring/grafana-admin is missing (keys admin-user and admin-password): create it first"* ]]
  refute_called helm upgrade
  run "$BOOTSTRAP" --only ingress
  [ "$status" -eq 0 ]
  export FAKE_MISSING_SECRETS="monitoring/alertmanager-slack"
  run "$BOOTSTRAP" --only monitoring
  [ "$status" -ne 0 ]
  [[ "$output" == *"Secret monitoring/alertmanager-slack is missing (key webhook-url"* ]]
}

@test "in this repository, every values file, chart and manifest directory the script names exists" {
  run "$REPO_ROOT/scripts/bootstrap-cluster" --dry-run
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" != *"error:"* ]]
  [ "$(grep -c '^+ helm upgrade --install' <<<"$output")" -eq 13 ]
  run "$REPO_ROOT/scripts/bootstrap-cluster" --dry-run --only secrets --secrets external
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"+ helm upgrade --install external-secrets"* ]]
}

@test "--secrets sealed installs Sealed Secrets and a platform without the ClusterSecretStore (no ESO CRDs)" {
  run "$BOOTSTRAP" --secrets sealed
  [ "$status" -eq 0 ]
  assert_called helm "upgrade --install sealed-secrets"
  refute_called helm "upgrade --install external-secrets"
  assert_called helm "upgrade --install platform charts/platform --namespace default --create-namespace -f charts/platform/values.yaml --set secretStore.enabled=false"
  : >"$STUB_LOG"
  run "$BOOTSTRAP" --only platform
  [ "$status" -eq 0 ]
  refute_called helm "secretStore.enabled=false"
}

@test "the kiali part creates istio-system/kiali-grafana from Grafana's admin Secret, through files, only when missing" {
  export FAKE_MISSING_SECRETS="istio-system/kiali-grafana"
  run "$BOOTSTRAP" --only kiali
  echo "$output"
  [ "$status" -eq 0 ]
  assert_called kubectl "create secret generic kiali-grafana --namespace istio-system --from-file=username="
  run cat "$STATE_DIR/created-secret"
  [ "$output" == "--from-file=username=admin
--from-file=password=s3cret-pw" ]
  # the password is never an argument of any command
  refute_called kubectl "s3cret-pw"
  run grep -c s3cret-pw "$STUB_LOG"
  [ "$output" -eq 0 ]
  # the Secret is created before Kiali is installed
  run grep -nE '^(kubectl create secret|helm upgrade --install kiali-server)' "$STUB_LOG"
  [[ "${lines[0]}" == *"kubectl create secret"* ]]
  [[ "${lines[1]}" == *"helm upgrade --install kiali-server"* ]]
  export FAKE_MISSING_SECRETS=""
  : >"$STUB_LOG"
  run "$BOOTSTRAP" --only kiali
  [ "$status" -eq 0 ]
  refute_called kubectl "create secret"
  [[ "$output" == *"Secret istio-system/kiali-grafana exists; keeping it"* ]]
}
