#!/usr/bin/env bats
# scripts/local-cluster with stubbed kind / docker / kubectl: in a sandbox where
# bootstrap-cluster, deploy and smoke-test are recording stubs (their own tests cover them), the
# order of the whole flow and what each step is given; in the real repository, --dry-run with the
# real child scripts, to prove the whole plan prints and nothing that changes a cluster runs.

load test_helper

setup() {
  stub_setup
  export STATE_DIR="$BATS_TEST_TMPDIR/state"
  mkdir -p "$STATE_DIR"
  export FAKE_KIND_VERSION=0.33.0 FAKE_CLUSTERS="" FAKE_SECRETS=""

  stub kind '
case "$1 $2" in
  version*) echo "kind v$FAKE_KIND_VERSION go1.25.3 linux/amd64" ;;
  "get nodes") echo "$4-control-plane" ;;
  "get clusters") printf "%s\n" $FAKE_CLUSTERS ;;
  create*) while (($#)); do [[ "$1" == --config ]] && cp "$2" "$STATE_DIR/kind-config.yaml"; shift; done ;;
  *) true ;;
esac'
  export FAKE_REGISTRY_RUNNING="" FAKE_REGISTRY_ON_KIND=null
  # docker: a registry container (running or not, on the kind network or not); pushes get a digest;
  # `docker exec -i NODE cp /dev/stdin FILE` records what the node was given.
  stub docker '
case "$1" in
  inspect)
    case "$*" in
      *State.Running*) echo "$FAKE_REGISTRY_RUNNING" ;;
      *Networks.kind*) echo "$FAKE_REGISTRY_ON_KIND" ;;
      *RepoDigests*) img="${@: -1}"; printf "%s@sha256:%064d\n" "${img%:*}" 7 ;;
    esac ;;
  exec) [[ "$2" == -i ]] && cat >"$STATE_DIR/hosts.toml"; true ;;
  *) true ;;
esac'
  stub kubectl '
case "$1 $2" in
  "get namespace") [[ " $FAKE_SECRETS " == *" monitoring/"* ]] || exit 1 ;;
  "get secret")
    [[ "$*" == *local-ca-root*jsonpath* ]] && { printf "%s" "-----BEGIN CERTIFICATE-----local" | base64; exit 0; }
    [[ " $FAKE_SECRETS " == *" $5/$3 "* ]] || exit 1 ;;
  "apply -f") cat >"$STATE_DIR/applied.yaml" ;;
  *) true ;;
esac'
  stub helm 'case "$1" in version) echo v3.17.0 ;; history) exit 1 ;; esac'
  stub istioctl 'echo "client version: 1.30.5"'
  stub git 'echo abc1234'

  SANDBOX="$BATS_TEST_TMPDIR/repo"
  mkdir -p "$SANDBOX/scripts/lib" "$SANDBOX/charts/jvm-service"
  cp "$REPO_ROOT/scripts/local-cluster" "$REPO_ROOT/scripts/versions.env" "$SANDBOX/scripts/"
  cp "$REPO_ROOT/scripts/lib/common.sh" "$SANDBOX/scripts/lib/"
  cat >"$SANDBOX/charts/jvm-service/values-greeter.yaml" <<'YAML'
secretEnv:
  - DUMMY_API_KEY
secret:
  plain:
    DUMMY_API_KEY: sandbox-key
YAML
  cat >"$SANDBOX/charts/jvm-service/values-dev.yaml" <<'YAML'
secret:
  mode: plain
ingress:
  enabled: true
  host: api.sandbox.test
  tls:
    clusterIssuer: letsencrypt-staging
YAML
  local child
  for child in bootstrap-cluster deploy smoke-test; do
    printf '#!/usr/bin/env bash\nprintf "%%s\\n" "%s $*" >>"$STUB_LOG"\n' "$child" >"$SANDBOX/scripts/$child"
    chmod +x "$SANDBOX/scripts/$child"
  done
  # smoke-test also records the key it was given
  printf '#!/usr/bin/env bash\nprintf "%%s\\n" "smoke-test $* key=$SMOKE_API_KEY" >>"$STUB_LOG"\nwhile (($#)); do [[ "$1" == --cacert ]] && cp "$2" "$STATE_DIR/smoke-ca.pem"; shift; done\n' >"$SANDBOX/scripts/smoke-test"
  LOCAL="$SANDBOX/scripts/local-cluster"
}

# flow: the steps that change something, in order, one a line.
flow() {
  grep -E '^(kind (create|load|delete)|docker (build|push|run|network)|kubectl (create|config|apply)|bootstrap-cluster|deploy|smoke-test)' "$STUB_LOG" |
    sed -E 's/^(kind create|kind load|kind delete|docker build|docker push|docker run|docker network|kubectl create secret|kubectl create namespace|kubectl config|kubectl apply|bootstrap-cluster|deploy|smoke-test).*/\1/'
}

@test "--help describes the flow and exits 0" {
  run "$LOCAL" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"kindest/node:v1.34.11@sha256:"* ]]
  [[ "$output" == *"--delete"* && "$output" == *"--dry-run"* ]]
}

@test "a first run starts the registry, creates the cluster, installs the platform, builds, pushes, deploys and smoke-tests, in that order" {
  run "$LOCAL"
  echo "$output"
  [ "$status" -eq 0 ]
  run flow
  [ "$output" == "docker run
kind create
docker network
kubectl apply
kubectl create namespace
kubectl create secret
kubectl create secret
bootstrap-cluster
docker build
docker push
docker build
docker push
deploy
deploy
smoke-test" ]
}

@test "the cluster pulls from the local registry the way kind's guide wires it" {
  run "$LOCAL" --tag t1
  [ "$status" -eq 0 ]
  source "$SANDBOX/scripts/versions.env"
  assert_called docker "run -d --restart=always -p 127.0.0.1:5001:5000 --network bridge --name kind-registry $LOCAL_REGISTRY_IMAGE"
  grep -qF 'config_path = "/etc/containerd/certs.d"' "$STATE_DIR/kind-config.yaml"
  assert_called docker "exec jvm-platform-control-plane mkdir -p /etc/containerd/certs.d/localhost:5001"
  assert_called docker "exec -i jvm-platform-control-plane cp /dev/stdin /etc/containerd/certs.d/localhost:5001/hosts.toml"
  [ "$(cat "$STATE_DIR/hosts.toml")" == '[host."http://kind-registry:5000"]' ]
  assert_called docker "network connect kind kind-registry"
  grep -qF 'name: local-registry-hosting' "$STATE_DIR/applied.yaml"
  grep -qF 'host: "localhost:5001"' "$STATE_DIR/applied.yaml"
}

@test "a running registry already on the kind network is reused" {
  export FAKE_REGISTRY_RUNNING=true FAKE_REGISTRY_ON_KIND='{"NetworkID":"abc"}'
  run "$LOCAL" --tag t1 --registry-port 5050
  [ "$status" -eq 0 ]
  refute_called docker "run -d"
  refute_called docker "network connect"
  assert_called docker "push localhost:5050/greeter:t1"
  run "$LOCAL" --registry-port five
  [ "$status" -ne 0 ]
  [[ "$output" == *"--registry-port takes a port number, not 'five'"* ]]
}

@test "images are pushed and their digests written to build/<service>.ref as the pipeline's build job does" {
  run "$LOCAL" --tag t1
  [ "$status" -eq 0 ]
  assert_called docker "build --build-arg SERVICE=greeter --build-arg VERSION=t1 -f service/Dockerfile -t localhost:5001/greeter:t1 service"
  assert_called docker "push localhost:5001/timezones:t1"
  refute_called kind load
  local service
  for service in greeter timezones; do
    run cat "$SANDBOX/build/$service.ref"
    [[ "$output" =~ ^localhost:5001/$service@sha256:[0-9a-f]{64}$ ]]
  done
}

@test "the kind cluster uses the pinned node image and publishes ports 80 and 443" {
  run "$LOCAL"
  [ "$status" -eq 0 ]
  source "$SANDBOX/scripts/versions.env"
  assert_called kind "create cluster --name jvm-platform --image $KIND_NODE_IMAGE --config"
  [[ "$KIND_NODE_IMAGE" == kindest/node:v1.3[34].*@sha256:* ]]
  grep -A2 'containerPort: 80$' "$STATE_DIR/kind-config.yaml" | grep -q 'hostPort: 80$'
  grep -A2 'containerPort: 443$' "$STATE_DIR/kind-config.yaml" | grep -q 'hostPort: 443$'
}

@test "the platform gets a kind-friendly ingress and the local CA; both services are deployed to dev from the registry over TLS" {
  run "$LOCAL" --tag t1
  [ "$status" -eq 0 ]
  grep -qxF "bootstrap-cluster --set nginx-ingress:controller.service.type=NodePort --set nginx-ingress:controller.hostPort.enable=true --set nginx-ingress:controller.replicaCount=1 --set platform:edge.podSecurity=privileged --set platform:localCA.enabled=true" "$STUB_LOG"
  run grep '^deploy ' "$STUB_LOG"
  [ "$output" == "deploy --service timezones --env dev --image-file build/timezones.ref --tag t1 --set ingress.tls.clusterIssuer=local-ca
deploy --service greeter --env dev --image-file build/greeter.ref --tag t1 --set ingress.tls.clusterIssuer=local-ca" ]
}

@test "the smoke test goes to https://<dev host> on 127.0.0.1, trusting the local CA, with the cluster checks" {
  run "$LOCAL" --tag t1
  [ "$status" -eq 0 ]
  grep -qE "^smoke-test --base-url https://api.sandbox.test --resolve-to 127.0.0.1 --cacert [^ ]+ --wait 180 --cluster --namespace dev key=sandbox-key$" "$STUB_LOG"
  [ "$(cat "$STATE_DIR/smoke-ca.pem")" == "-----BEGIN CERTIFICATE-----local" ]
  assert_called kubectl "get secret local-ca-root --namespace cert-manager -o jsonpath={.data.ca\\.crt}"
  SMOKE_API_KEY=from-env run "$LOCAL" --tag t1
  grep -qF "key=from-env" "$STUB_LOG"
}

@test "the default tag is local-<git short sha>" {
  run "$LOCAL"
  [ "$status" -eq 0 ]
  assert_called docker "-t localhost:5001/greeter:local-abc1234 service"
}

@test "a second run reuses the cluster and the monitoring Secrets" {
  export FAKE_CLUSTERS="other jvm-platform" FAKE_SECRETS="monitoring/grafana-admin monitoring/alertmanager-slack"
  run "$LOCAL" --tag t2
  [ "$status" -eq 0 ]
  refute_called kind create
  refute_called kubectl create
  assert_called kubectl "config use-context kind-jvm-platform"
}

@test "--skip-bootstrap and --skip-build leave the platform and the images alone" {
  mkdir -p "$SANDBOX/build"
  printf 'localhost:5001/greeter@sha256:%064d\n' 3 >"$SANDBOX/build/greeter.ref"
  printf 'localhost:5001/timezones@sha256:%064d\n' 3 >"$SANDBOX/build/timezones.ref"
  run "$LOCAL" --skip-bootstrap --skip-build --tag t3
  [ "$status" -eq 0 ]
  run flow
  [ "$output" == "docker run
kind create
docker network
kubectl apply
deploy
deploy
smoke-test" ]
}

@test "--skip-build without a recorded digest stops before deploying: no deploy by tag" {
  run "$LOCAL" --skip-bootstrap --skip-build --tag t3
  [ "$status" -ne 0 ]
  [[ "$output" == *"no build/timezones.ref: build and push timezones first (run without --skip-build)"* ]]
  refute_called deploy
}

@test "--delete deletes the cluster only" {
  run "$LOCAL" --delete --name demo
  [ "$status" -eq 0 ]
  run flow
  [ "$output" == "kind delete" ]
  assert_called kind "delete cluster --name demo"
}

@test "missing docker or an old kind stops before anything is created" {
  rm "$STUB_DIR/bin/docker"
  local sysbin="$BATS_TEST_TMPDIR/sysbin" tool
  mkdir -p "$sysbin"
  for tool in bash env sed grep tr cut head cat dirname basename rm mkdir mktemp cp; do
    ln -sf "$(command -v "$tool")" "$sysbin/$tool"
  done
  PATH="$STUB_DIR/bin:$sysbin" run "$LOCAL"
  [ "$status" -ne 0 ]
  [[ "$output" == *"error: 'docker' is required but was not found on PATH"* ]]
  refute_called kind create
  export FAKE_KIND_VERSION=0.29.0
  run "$LOCAL"
  [ "$status" -ne 0 ]
  [[ "$output" == *"error: kind >= 0.33.0 is required (its node image is pinned by digest), found '0.29.0'"* ]]
}

@test "a docker daemon that does not answer stops the run" {
  stub docker 'exit 1'
  run "$LOCAL"
  [ "$status" -ne 0 ]
  [[ "$output" == *"docker is installed but its daemon does not answer"* ]]
  refute_called kind create
}

@test "an unknown option is rejected" {
  run "$LOCAL" --cluster x
  [ "$status" -ne 0 ]
  [[ "$output" == *"unknown option '--cluster'"* ]]
}

@test "in this repository, --dry-run prints the whole plan, child scripts included, and changes nothing" {
  run "$REPO_ROOT/scripts/local-cluster" --dry-run --tag t9
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"+ kind create cluster --name jvm-platform --image kindest/node:"* ]]
  [[ "$output" == *"+ helm upgrade --install nginx-ingress nginx-ingress"*"--set controller.hostPort.enable=true"* ]]
  [[ "$output" == *"+ docker build --build-arg SERVICE=greeter"* ]]
  [[ "$output" == *"+ docker push localhost:5001/timezones:t9"* ]]
  [[ "$output" == *"# build/greeter.ref <- localhost:5001/greeter@sha256:<digest of the push>"* ]]
  [[ "$output" == *"+ helm upgrade --install platform charts/platform"*"--set localCA.enabled=true"* ]]
  [[ "$output" == *"+ helm upgrade --install greeter charts/jvm-service"*"image.digest=sha256:$(printf '%064d' 0)"*"ingress.tls.clusterIssuer=local-ca"* ]]
  [[ "$output" == *"+ scripts/smoke-test --base-url https://"*"--resolve-to 127.0.0.1 --cacert "*"--cluster --namespace dev"* ]]
  [ ! -e "$REPO_ROOT/build/greeter.ref" ] || [ "$(find "$REPO_ROOT/build/greeter.ref" -newer "$BATS_TEST_TMPDIR" | wc -l)" -eq 0 ]
  refute_called kind create
  refute_called kind load
  refute_called docker run
  refute_called docker push
  refute_called docker build
  refute_called helm upgrade
  refute_called kubectl create
  refute_called kubectl apply
}
