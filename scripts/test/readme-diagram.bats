#!/usr/bin/env bats
# The README's architecture diagram is Mermaid that GitLab renders in the browser: it must parse
# with the real Mermaid parser (pinned in package.json), or readers see an error box instead.

load test_helper

setup() {
  [[ -d "$REPO_ROOT/node_modules/mermaid" ]] || {
    echo "node_modules/mermaid missing: run npm ci (.ci/run does)" >&2
    return 1
  }
}

@test "every mermaid block of README.md parses" {
  run node "$REPO_ROOT/scripts/test/fixtures/mermaid-parse.mjs" "$REPO_ROOT/README.md"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"flowchart"*"parses"* ]]
}

@test "a broken diagram is reported, so the check can fail" {
  printf '# x\n\n```mermaid\nflowchart LR\n  a -->|unclosed b\n```\n' >"$BATS_TEST_TMPDIR/broken.md"
  run node "$REPO_ROOT/scripts/test/fixtures/mermaid-parse.mjs" "$BATS_TEST_TMPDIR/broken.md"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == "block 1: "* ]]
}
