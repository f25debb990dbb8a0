#!/usr/bin/env bats
# Every command README.md and the docs/ pages show for this machine must exist: in the sections
# whose heading is "Quick start" or "On this machine" (any heading level, until the next heading of the same or a
# higher level), each line of a ```bash / ```sh block that runs `make TARGET` or `scripts/NAME`
# (after an optional `$ ` prompt and VAR=value prefixes) must name a Makefile target, or an
# executable script whose --help exits 0 and mentions every --option the README passes it.

load test_helper

README="$REPO_ROOT/README.md"
# The pages whose commands are checked: the README and every page under docs/.
PAGES=("$README" "$REPO_ROOT"/docs/*.md)

# readme_commands: the commands of those sections, one a line.
readme_commands() {
  awk '
    FNR == 1 { fence = 0; in_section = 0 }
    /^```/ {
      if (fence) { fence = 0; next }
      fence = 1
      lang = substr($0, 4); gsub(/[[:space:]]/, "", lang)
      shell = (lang == "bash" || lang == "sh" || lang == "shell")
      next
    }
    !fence && /^#+[[:space:]]/ {
      level = index($0, " ") - 1
      title = tolower(substr($0, level + 2))
      if (title ~ /^(quick start|on this machine)/) { in_section = 1; section_level = level }
      else if (in_section && level <= section_level) { in_section = 0 }
      next
    }
    fence && shell && in_section {
      line = $0
      sub(/^[[:space:]]*\$[[:space:]]+/, "", line)
      sub(/^[[:space:]]+/, "", line)
      while (line ~ /^[A-Za-z_][A-Za-z0-9_]*=[^[:space:]]*[[:space:]]+/) sub(/^[A-Za-z_][A-Za-z0-9_]*=[^[:space:]]*[[:space:]]+/, "", line)
      sub(/^\.\//, "", line)
      sub(/[[:space:]]+#.*$/, "", line)
      if (line ~ /^make([[:space:]]|$)/ || line ~ /^scripts\//) print line
    }
  ' "${PAGES[@]}"
}

@test "README.md exists at the repository root" {
  if [[ ! -f "$README" ]]; then
    echo "README.md not found at the repository root: this test checks the commands it shows" >&2
    return 1
  fi
}

@test "README.md shows commands for this machine under 'Quick start' / 'On this machine'" {
  [[ -f "$README" ]] || { echo "README.md not found at the repository root" >&2; return 1; }
  PAGES=("$README")
  run readme_commands
  echo "$output"
  [ "$status" -eq 0 ]
  if [[ -z "$output" ]]; then
    echo "no make/scripts command in a bash block under a 'Quick start' or 'On this machine' heading" >&2
    return 1
  fi
}

# check_commands: prints one line per command of readme_commands that does not exist.
check_commands() {
  local line target script help opt
  while IFS= read -r line; do
    if [[ "$line" =~ ^make([[:space:]]+([^[:space:]]+))? ]]; then
      target="${BASH_REMATCH[2]:-}"
      [[ -z "$target" || "$target" == -* ]] && continue
      grep -qE "^${target}[[:space:]]*:" "$REPO_ROOT/Makefile" || echo "make $target: no such Makefile target"
    else
      script="${line%%[[:space:]]*}"
      if [[ ! -x "$REPO_ROOT/$script" ]]; then
        echo "$script: not an executable file in the repository"
        continue
      fi
      if ! help="$("$REPO_ROOT/$script" --help 2>&1)"; then
        echo "$script --help: non-zero exit"
        continue
      fi
      for opt in $(grep -oE '(^|[[:space:]])--[a-z][a-z0-9-]*' <<<"$line" | tr -d ' \t'); do
        [[ "$help" == *"$opt"* ]] || echo "$script: README passes $opt, which its --help does not mention"
      done
    fi
  done < <(readme_commands)
}

@test "every make target and script the README and docs/ show for this machine exists and accepts its options" {
  [[ -f "$README" ]] || { echo "README.md not found at the repository root" >&2; return 1; }
  run check_commands
  if [[ -n "$output" ]]; then
    printf 'README command problem: %s\n' "${lines[@]}" >&2
    return 1
  fi
  [ "$status" -eq 0 ]
}

@test "the check reports a missing make target, a missing script and an unknown option" {
  README="$BATS_TEST_TMPDIR/README.md"
  PAGES=("$README")
  cat >"$README" <<'MD'
## On this machine
```bash
make test   # a comment with --not-an-option is ignored
make no-such-target
scripts/smoke-test --base-url http://localhost:8080 --no-such-option
scripts/no-such-script --help
```
MD
  run check_commands
  echo "$output"
  [ "$output" == "make no-such-target: no such Makefile target
scripts/smoke-test: README passes --no-such-option, which its --help does not mention
scripts/no-such-script: not an executable file in the repository" ]
}

@test "the README parser finds commands only in the right sections and blocks" {
  README="$BATS_TEST_TMPDIR/README.md"
  PAGES=("$README")
  cat >"$README" <<'MD'
# Project
```bash
make outside-section
```
## Quick start
```bash
$ make build
SMOKE_API_KEY=x ./scripts/smoke-test --base-url http://localhost:8080
echo not a command
```
```yaml
scripts/in-a-yaml-block
```
### A sub-heading still in Quick start
```sh
make test
```
## Deploy to a cluster
```bash
scripts/bootstrap-cluster
```
## On this machine
```bash
make bench
```
MD
  run readme_commands
  [ "$status" -eq 0 ]
  [ "$output" == "make build
scripts/smoke-test --base-url http://localhost:8080
make test
make bench" ]
}
