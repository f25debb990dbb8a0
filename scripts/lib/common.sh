# shellcheck shell=bash
# Shared helpers for every script in scripts/: logging, fatal errors, dry-run aware
# command execution and prerequisite checks. Source it; do not execute it.

# DRY_RUN=1 makes `run` print commands instead of executing them.
DRY_RUN="${DRY_RUN:-0}"

log() {
  printf '%s %s\n' "[$(basename "$0")]" "$*" >&2
}

die() {
  printf '%s error: %s\n' "[$(basename "$0")]" "$*" >&2
  exit 1
}

# Prints the command, shell-quoted, then runs it unless DRY_RUN=1.
run() {
  local quoted
  printf -v quoted '%q ' "$@"
  if [[ "$DRY_RUN" == "1" ]]; then
    printf '+ %s\n' "${quoted% }"
    return 0
  fi
  printf '+ %s\n' "${quoted% }" >&2
  "$@"
}

require_cmd() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is required but was not found on PATH"
  done
}

# Fails unless $2 is set and non-empty; $1 names the option for the message.
require_value() {
  [[ -n "${2:-}" ]] || die "$1 is required (see --help)"
}
