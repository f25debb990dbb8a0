#!/usr/bin/env bats
# The README's diagrams are Mermaid that GitLab renders in the browser: they must parse with the
# real Mermaid parser (pinned in package.json), or readers see an error box instead. Mermaid starts
# once for the whole file (setup_file): the README and a broken diagram that proves the check fails.

load test_helper

setup_file() {
  [[ -d "$REPO_ROOT/node_modules/mermaid" ]] || return 0
  BROKEN="$BATS_FILE_TMPDIR/broken.md"
  printf '# x\n\n```mermaid\nflowchart LR\n  a -->|unclosed b\n```\n' >"$BROKEN"
  (cd "$REPO_ROOT" && node scripts/test/fixtures/mermaid-parse.mjs README.md "$BROKEN") \
    >"$BATS_FILE_TMPDIR/parsed" 2>&1 || true
}

setup() {
  [[ -d "$REPO_ROOT/node_modules/mermaid" ]] || {
    echo "node_modules/mermaid missing: run npm ci (make setup does)" >&2
    return 1
  }
  PARSED="$(cat "$BATS_FILE_TMPDIR/parsed")"
}

@test "every mermaid block of README.md parses" {
  echo "$PARSED"
  readme="$(grep '^README.md ' <<<"$PARSED")"
  [[ "$readme" == *"flowchart"*"parses"* ]]
  # every README line says parses, and there is no "no mermaid block"
  ! grep -v ' parses$' <<<"$readme"
}

@test "a broken diagram is reported, so the check can fail" {
  echo "$PARSED"
  grep -q "broken.md block 1: " <<<"$PARSED"
  ! grep -q "broken.md block 1: .* parses$" <<<"$PARSED"
}
