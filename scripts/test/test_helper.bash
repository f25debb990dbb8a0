# shellcheck shell=bash
# Shared bats helpers: stub external commands (helm, kubectl, istioctl, kind, curl...)
# with scripts that record every call, so tests assert what a script would run on a
# cluster without touching one.
#
#   setup() { stub_setup; stub helm; stub kubectl 'echo "v1.33.0"'; }
#   run scripts/deploy ...
#   assert_called helm upgrade --install greeter
#   calls helm   # prints the recorded argument lines of helm, one call a line

REPO_ROOT="$(cd "$(dirname "${BATS_TEST_FILENAME}")/../.." && pwd)"
export REPO_ROOT

stub_setup() {
  STUB_DIR="$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/stubs.XXXXXX")"
  STUB_LOG="$STUB_DIR/calls.log"
  : >"$STUB_LOG"
  export STUB_DIR STUB_LOG
  export PATH="$STUB_DIR/bin:$PATH"
  mkdir -p "$STUB_DIR/bin"
}

# stub NAME [BODY]: NAME records "NAME args..." in $STUB_LOG, then runs BODY (bash,
# with the call's arguments in "$@"); the stub's exit status is BODY's.
stub() {
  local name="$1" body="${2:-true}"
  cat >"$STUB_DIR/bin/$name" <<STUB
#!/usr/bin/env bash
printf '%s\n' "$name \$*" >>"\$STUB_LOG"
$body
STUB
  chmod +x "$STUB_DIR/bin/$name"
}

# calls NAME: the argument lines recorded for NAME, in call order.
calls() {
  grep -E "^$1( |$)" "$STUB_LOG" | sed -E "s/^$1 ?//" || true
}

# assert_called NAME ARGS...: some recorded call of NAME contains ARGS (as a substring).
assert_called() {
  local name="$1"
  shift
  if ! calls "$name" | grep -qF -- "$*"; then
    echo "expected a call: $name $*" >&2
    echo "recorded calls:" >&2
    cat "$STUB_LOG" >&2
    return 1
  fi
}

# refute_called NAME [ARGS...]: no recorded call of NAME contains ARGS.
refute_called() {
  local name="$1"
  shift
  if calls "$name" | grep -qF -- "$*"; then
    echo "unexpected call: $name $*" >&2
    cat "$STUB_LOG" >&2
    return 1
  fi
}

# free_ports N: scripts/lib/common.sh's, in a subshell (common.sh's `run` would shadow bats' own).
free_ports() {
  (
    # shellcheck source=../lib/common.sh
    source "$REPO_ROOT/scripts/lib/common.sh"
    free_ports "$@"
  )
}
