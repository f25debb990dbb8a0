#!/usr/bin/env bats
# Mutation test: each known-bad edit below is applied to a copy of the repository, and the tests that
# guard against it must go red there. A guard that stays green under its mutation cannot fail, and
# proves nothing. About 2 minutes: each mutation runs the named tests (bats --filter) on its copy.

setup_file() {
  set -o pipefail
  load test_helper
  BASE="$BATS_FILE_TMPDIR/base"
  mkdir -p "$BASE"
  rsync -a --exclude .git --exclude node_modules --exclude target --exclude .gitlab-ci-local --exclude .m2 \
    --exclude build "$REPO_ROOT/" "$BASE/"
  ln -s "$REPO_ROOT/node_modules" "$BASE/node_modules"
  for jar in "$REPO_ROOT"/service/*/target/*.jar; do
    mkdir -p "$(dirname "$BASE/${jar#"$REPO_ROOT"/}")"
    cp -p "$jar" "$BASE/${jar#"$REPO_ROOT"/}"
  done
  export BASE
}

setup() {
  set -o pipefail
  load test_helper
  COPY="$BATS_TEST_TMPDIR/repo"
  cp -a "$BASE" "$COPY"
}

# edit FILE PYTHON-EXPRESSION: FILE's text becomes the expression's value (variable `s` is the text);
# the edit must change the file, or the mutation would test nothing.
edit() {
  python3 - "$COPY/$1" "$2" <<'PY'
import sys
path, expression = sys.argv[1], sys.argv[2]
s = open(path).read()
new = eval(expression)
if new == s:
    sys.exit(f"the mutation did not change {path}")
open(path, "w").write(new)
PY
}

# caught BATS-FILE FILTER: the tests of BATS-FILE whose names match FILTER fail on the mutated copy.
caught() {
  run bats --filter "$2" "$COPY/scripts/test/$1.bats"
  if [[ "$status" -eq 0 ]]; then
    printf '%s\n' "$output" >&2
    echo "mutation not caught by $1.bats --filter '$2'" >&2
    return 1
  fi
  [[ "$output" == *"not ok"* ]] || { printf '%s\n' "$output" >&2; return 1; }
}

@test "drop a needs: deploy:dev and production no longer wait for test-observability" {
  edit .gitlab-ci.yml 's.replace("    - job: test-observability\n      artifacts: false\n", "", 1)'
  caught pipeline "every check gates dev and production"
}

@test "a check job made allow_failure: its failure would not stop a deployment" {
  edit .gitlab-ci.yml 's.replace("lint:\n  extends: .make\n", "lint:\n  extends: .make\n  allow_failure: true\n", 1)'
  caught pipeline "every check gates dev and production"
}

@test "drop the digest: scripts/deploy deploys the repository without image.digest" {
  edit scripts/deploy 's.replace(""" --set-string "image.digest=${image_ref#*@}\"""", "", 1)'
  caught deploy "dev by digest"
}

@test "the build job keeps going when BuildKit recorded no digest" {
  edit .gitlab-ci.yml 's.replace("refusing to continue without one\"; exit 1; fi", "refusing to continue without one\"; fi", 1)'
  caught pipeline "build: the pushed digest"
}

@test "HEALTHCHECK added to service/Dockerfile" {
  edit service/Dockerfile 's.replace("EXPOSE 8080 8081", "HEALTHCHECK CMD curl -fs http://127.0.0.1:8081/ping || exit 1\nEXPOSE 8080 8081", 1)'
  caught pipeline "Dockerfile: pinned bases"
}

@test "USER app in service/Dockerfile (a name runAsNonRoot cannot verify)" {
  edit service/Dockerfile 's.replace("USER 10001:10001", "USER app", 1)'
  caught pipeline "Dockerfile: pinned bases"
}

@test "the gate's lock removed: the production trigger holds no resource group" {
  edit .gitlab-ci.yml 's.replace("  resource_group: production\n", "", 1)'
  caught pipeline "one lock over canary"
}

@test "the lock freed while a human decides: promote 50% made non-blocking" {
  edit .gitlab/ci/production.yml 's.replace("  when: manual\n  allow_failure: false\n", "  when: manual\n  allow_failure: true\n", 1)'
  caught pipeline "one lock over canary"
}

@test "the lock freed as soon as the child pipeline starts: no strategy: depend" {
  edit .gitlab-ci.yml 's.replace("    strategy: depend\n", "", 1)'
  caught pipeline "one lock over canary"
}

@test "sign beside scan instead of after it" {
  edit .gitlab-ci.yml 's.replace("  needs: [build, scan]\n", "  needs: [build]\n", 1)'
  caught pipeline "sign needs scan"
}

@test "schedules build and push images again" {
  edit .gitlab-ci.yml 's.replace("    - !reference [.rules, default-branch]\n  variables:\n    BUILDKITD_FLAGS", "    - !reference [.rules, default-branch]\n    - !reference [.rules, schedule]\n  variables:\n    BUILDKITD_FLAGS", 1)'
  caught pipeline "scheduled pipeline"
}

@test "the production agent usable from unprotected branches" {
  edit .gitlab/agents/production/config.yaml 's.replace("protected_branches_only: true", "protected_branches_only: false", 1)'
  caught pipeline "agents:"
}

@test "a canary step records itself as what serves production" {
  edit .gitlab/ci/production.yml 's.replace("  environment:\n    action: prepare\n", "  environment:\n    name: production\n    action: start\n", 1)'
  caught pipeline "environments tell the truth"
}

@test "another pipeline's canary accepted: scripts/canary stops refusing" {
  edit scripts/canary 's.replace("refuse_foreign_canary() {\n", "refuse_foreign_canary() {\n  return 0\n", 1)'
  caught canary "a second pipeline can neither"
}

@test "the gate judges without asking the cluster which canary runs" {
  edit .gitlab/ci/production.yml 's.replace("scripts/canary-gate --refs build ", "scripts/canary-gate ", 1)'
  caught pipeline "production, first release"
}

@test "the gate job sleeps the delay itself, as well as scripts/canary-gate" {
  edit .gitlab/ci/production.yml 's.replace("      scripts/canary-gate --refs", "      sleep \"$GATE_DELAY\"\n      scripts/canary-gate --refs", 1)'
  caught pipeline "production, a canary"
}
