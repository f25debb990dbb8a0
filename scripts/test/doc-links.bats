#!/usr/bin/env bats
# Every relative link of every Markdown file of the repository resolves: to a file or directory
# inside the repository, and a #fragment to a heading of the target page (GitHub's heading ids,
# rules in fixtures/md-links.py). And the repository speaks of itself alone: no file names a
# document it does not hold.

load test_helper

LINKS="$REPO_ROOT/scripts/test/fixtures/md-links.py"

# markdown_files: every Markdown file git tracks or would add (not ignored), from REPO_ROOT.
markdown_files() {
  git -C "$REPO_ROOT" ls-files --cached --others --exclude-standard -- '*.md' \
    | while IFS= read -r f; do [[ -f "$REPO_ROOT/$f" ]] && printf '%s\n' "$REPO_ROOT/$f"; done
}

@test "every relative link of every Markdown file resolves, anchors included" {
  mapfile -t files < <(markdown_files)
  [ "${#files[@]}" -gt 10 ]
  run python3 "$LINKS" "$REPO_ROOT" "${files[@]}"
  if [ "$status" -ne 0 ]; then
    printf 'broken link: %s\n' "${lines[@]}" >&2
    return 1
  fi
}

@test "no file of the repository names a design or anchors document it does not hold" {
  # The names are built from parts so that this file does not name them itself.
  local names=("DESIGN"".md" "ANCHORS"".md") name hits=""
  for name in "${names[@]}"; do
    [[ -e "$REPO_ROOT/$name" ]] && continue
    hits+="$(git -C "$REPO_ROOT" grep --untracked -n -I -F "$name" -- . ':!node_modules' || true)"
  done
  if [[ -n "$hits" ]]; then
    printf 'names a document the repository does not hold: %s\n' "$hits" >&2
    return 1
  fi
}

@test "the checker reports a missing file, a missing anchor, an outside path and ignores code" {
  local dir="$BATS_TEST_TMPDIR/repo"
  mkdir -p "$dir/docs"
  cat >"$dir/README.md" <<'MD'
# The door
## Quick start: two `make` commands
## Quick start: two `make` commands
[ok](docs/a.md#a-page-heading) [ok](#quick-start-two-make-commands-1) [ok](docs/) ![ok](docs/a.md)
[gone](docs/missing.md) [bad anchor](docs/a.md#nope) [out](../outside.md) [self](#nowhere)
[url](https://example.com/x.md#y) `[code](docs/missing-in-code.md)`
```markdown
[fenced](docs/missing-in-fence.md)
```
[ref]: docs/missing-ref.md
MD
  printf '# A page heading\n' >"$dir/docs/a.md"
  run python3 "$LINKS" "$dir" "$dir/README.md" "$dir/docs/a.md"
  echo "$output"
  [ "$status" -eq 1 ]
  [ "$output" == "README.md:5: docs/missing.md: no such file or directory
README.md:5: docs/a.md#nope: no heading with id 'nope' in docs/a.md
README.md:5: ../outside.md: points outside the repository
README.md:5: #nowhere: no heading with id 'nowhere' in README.md
README.md:10: docs/missing-ref.md: no such file or directory" ]
}

@test "heading ids follow GitHub's rule: markup and punctuation dropped, spaces to dashes" {
  local dir="$BATS_TEST_TMPDIR/slugs"
  mkdir -p "$dir"
  cat >"$dir/page.md" <<'MD'
## Autoscaling: CPU, not memory
## Which track answered: `x-track`
## Observability (`observability/test/run`)
## Helm chart, environments, secrets and RBAC (`charts/`)
## Canary → gate → promote 50/100 %
[a](#autoscaling-cpu-not-memory) [b](#which-track-answered-x-track)
[c](#observability-observabilitytestrun) [d](#helm-chart-environments-secrets-and-rbac-charts)
[e](#canary--gate--promote-50100-)
MD
  run python3 "$LINKS" "$dir" "$dir/page.md"
  echo "$output"
  [ "$status" -eq 0 ]
}
