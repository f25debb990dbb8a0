#!/usr/bin/env bats
# The GitLab pipeline, checked by gitlab-ci-local (the npm package pinned in package.json):
# schema validation, the exact jobs of each kind of pipeline, the jobs that can run on this
# machine run through its shell executor, and the rules of service/Dockerfile.
#
# gitlab-ci-local works on a throw-away copy of the repository (its .gitlab-ci-local/ state and
# a scratch git history stay out of the work tree). It does not evaluate workflow:rules, so the
# copy gets a probe job (in a copy of the file, next to the repository) whose rules ARE the workflow rules: when the probe is "never", GitLab
# would not create the pipeline at all.

setup_file() {
  load test_helper
  GITLAB_CI_LOCAL="$REPO_ROOT/node_modules/.bin/gitlab-ci-local"
  [[ -x "$GITLAB_CI_LOCAL" ]] || {
    echo "gitlab-ci-local is not installed: run npm ci" >&2
    return 1
  }
  WORK="$BATS_FILE_TMPDIR/repo"
  mkdir -p "$WORK"
  rsync -a --exclude .git --exclude node_modules --exclude target --exclude .gitlab-ci-local \
    --exclude .m2 --exclude '*.log' "$REPO_ROOT/" "$WORK/"
  git -C "$WORK" init -q -b main
  git -C "$WORK" add -A
  git -C "$WORK" -c user.name=ci -c user.email=ci@example.com commit -q -m "pipeline test"
  # The probe: .gitlab-ci.yml unchanged, plus one job carrying the workflow rules.
  python3 - "$WORK/.gitlab-ci.yml" >"$BATS_FILE_TMPDIR/probe.gitlab-ci.yml" <<'PY'
import json, sys, yaml
text = open(sys.argv[1]).read()
rules = yaml.safe_load(text)["workflow"]["rules"]
print(text)
print("workflow-probe:\n  stage: lint\n  script: [\"true\"]\n  rules: " + json.dumps(rules))
PY
  export GITLAB_CI_LOCAL WORK
  export GCL_IGNORE_PREDEFINED_VARS="CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH,CI_COMMIT_TAG,CI_MERGE_REQUEST_IID,CI_OPEN_MERGE_REQUESTS"
}

setup() {
  load test_helper
}

# jobs_of GITLAB-CI-LOCAL-ARGS...: "name|when|allow_failure" of every job the pipeline would
# have, sorted; nothing when workflow:rules reject the pipeline.
jobs_of() {
  local json
  json="$(cd "$WORK" && "$GITLAB_CI_LOCAL" --file ../probe.gitlab-ci.yml --list-json "$@" 2>/dev/null)" || return 1
  if [[ "$(jq -r '.[] | select(.name == "workflow-probe") | .when' <<<"$json")" == "never" ]]; then
    return 0
  fi
  jq -r '.[] | select(.when != "never" and .name != "workflow-probe") | "\(.name)|\(.when)|\(.allow_failure)"' <<<"$json" | sort
}

# The jobs every pipeline has.
common_jobs() {
  cat <<'EOF'
build: [greeter]|on_success|false
build: [timezones]|on_success|false
format|on_success|false
hadolint|on_success|false
helm-lint|on_success|false
sbom|on_success|false
scan: [greeter]|on_success|false
scan: [timezones]|on_success|false
shellcheck|on_success|false
test|on_success|false
yamllint|on_success|false
EOF
}

assert_jobs() { # assert_jobs EXPECTED ACTUAL
  if [[ "$1" != "$2" ]]; then
    diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") >&2 || true
    return 1
  fi
}

preview_json() {
  (cd "$WORK" && "$GITLAB_CI_LOCAL" --preview 2>/dev/null) | python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'
}

@test "gitlab-ci-local validates .gitlab-ci.yml against GitLab's schema" {
  run bash -c 'cd "$WORK" && "$GITLAB_CI_LOCAL" --list 2>&1'
  [ "$status" -eq 0 ]
  [[ "$output" == *"json schema validated"* ]]
}

@test "a schema violation is reported (the validation is live)" {
  cp "$WORK/.gitlab-ci.yml" "$BATS_FILE_TMPDIR/broken.gitlab-ci.yml"
  printf 'broken-job:\n  stage: lint\n  script: ["true"]\n  when: sometimes\n' >>"$BATS_FILE_TMPDIR/broken.gitlab-ci.yml"
  run bash -c 'cd "$WORK" && "$GITLAB_CI_LOCAL" --file ../broken.gitlab-ci.yml --list 2>&1'
  [ "$status" -ne 0 ]
  [[ "$output" == *"when"* ]]
}

@test "default-branch pipeline: dev, canary, gate, then manual promotes and rollback" {
  run jobs_of
  [ "$status" -eq 0 ]
  expected="$( (common_jobs; cat <<'EOF'
canary-abort|on_failure|false
canary-gate|on_success|false
canary|on_success|false
deploy:dev|on_success|false
promote 100%|manual|false
promote 50%|manual|false
rollback|manual|true
sign: [greeter]|on_success|false
sign: [timezones]|on_success|false
EOF
  ) | sort)"
  assert_jobs "$expected" "$output"
}

@test "merge request pipeline: checks, images, a review app and its manual stop" {
  run jobs_of --variable CI_PIPELINE_SOURCE=merge_request_event --variable CI_MERGE_REQUEST_IID=42 \
    --unset-variable CI_COMMIT_BRANCH
  [ "$status" -eq 0 ]
  expected="$( (common_jobs; printf '%s\n' 'review|on_success|false' 'stop_review|manual|true') | sort)"
  assert_jobs "$expected" "$output"
}

@test "tag pipeline: checks, images and their signatures, no deployment" {
  run jobs_of --variable CI_COMMIT_TAG=v1.2.3 --unset-variable CI_COMMIT_BRANCH
  [ "$status" -eq 0 ]
  expected="$( (common_jobs; printf '%s\n' 'sign: [greeter]|on_success|false' 'sign: [timezones]|on_success|false') | sort)"
  assert_jobs "$expected" "$output"
}

@test "feature branch without a merge request: checks and images only" {
  run jobs_of --variable CI_COMMIT_BRANCH=feature/x
  [ "$status" -eq 0 ]
  assert_jobs "$(common_jobs)" "$output"
}

@test "feature branch with an open merge request: no branch pipeline (the MR pipeline runs instead)" {
  run jobs_of --variable CI_COMMIT_BRANCH=feature/x --variable 'CI_OPEN_MERGE_REQUESTS=group/project!42'
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "scheduled pipeline on the default branch deploys nothing" {
  run jobs_of --variable CI_PIPELINE_SOURCE=schedule
  [ "$status" -eq 0 ]
  assert_jobs "$(common_jobs)" "$output"
}

@test "review app: per-MR environment with on_stop, stop job with identical rules and no checkout" {
  json="$(preview_json)"
  [ "$(jq -r '.review.environment.name' <<<"$json")" = 'review/mr-$CI_MERGE_REQUEST_IID' ]
  [ "$(jq -r '.review.environment.on_stop' <<<"$json")" = "stop_review" ]
  [ "$(jq -r '.review.environment.deployment_tier' <<<"$json")" = "development" ]
  [ -n "$(jq -r '.review.environment.auto_stop_in // empty' <<<"$json")" ]
  [ "$(jq -r '.stop_review.environment.action' <<<"$json")" = "stop" ]
  [ "$(jq -r '.stop_review.environment.name' <<<"$json")" = "$(jq -r '.review.environment.name' <<<"$json")" ]
  [ "$(jq -r '.stop_review.variables.GIT_STRATEGY' <<<"$json")" = "none" ]
  [ "$(jq -c '[.review.rules[].if]' <<<"$json")" = "$(jq -c '[.stop_review.rules[].if]' <<<"$json")" ]
}

@test "production jobs share one resource_group and the production tier" {
  json="$(preview_json)"
  for job in canary canary-abort "promote 50%" "promote 100%" rollback; do
    [ "$(jq -r --arg j "$job" '.[$j].resource_group' <<<"$json")" = "production" ]
    [ "$(jq -r --arg j "$job" '.[$j].environment.name' <<<"$json")" = "production" ]
    [ "$(jq -r --arg j "$job" '.[$j].environment.deployment_tier' <<<"$json")" = "production" ]
  done
  [ "$(jq -r '.["deploy:dev"].environment.deployment_tier' <<<"$json")" = "development" ]
  [ "$(jq -r '.["canary-gate"].environment.action' <<<"$json")" = "verify" ]
  [ "$(jq -c '[.["canary-abort"].needs[].job]' <<<"$json")" = '["canary","canary-gate"]' ]
}

@test "reports GitLab shows: JUnit, JaCoCo coverage, container scanning, CycloneDX" {
  json="$(preview_json)"
  [ "$(jq -r '.test.artifacts.reports.junit' <<<"$json")" = 'service/*/target/surefire-reports/TEST-*.xml' ]
  [ "$(jq -r '.test.artifacts.reports.coverage_report.coverage_format' <<<"$json")" = "jacoco" ]
  [ "$(jq -r '.test.artifacts.reports.coverage_report.path' <<<"$json")" = 'service/*/target/site/jacoco/jacoco.xml' ]
  [ -n "$(jq -r '.scan.artifacts.reports.container_scanning // empty' <<<"$json")" ]
  [ -n "$(jq -r '.scan.artifacts.reports.cyclonedx // empty' <<<"$json")" ]
  [ "$(jq -r '.sbom.artifacts.reports.cyclonedx' <<<"$json")" = "gl-sbom-maven.cdx.json" ]
  [ "$(jq -r '.sign.id_tokens.SIGSTORE_ID_TOKEN.aud' <<<"$json")" = "sigstore" ]
}

@test "every job image is pinned to an exact version (never latest, never untagged)" {
  json="$(preview_json)"
  images="$(jq -r 'to_entries[] | select(.value | type == "object") | select(.value.script != null)
    | "\(.key)=\(.value.image | if type == "object" then .name else . end)"' <<<"$json")"
  [ -n "$images" ]
  while IFS= read -r line; do
    image="${line#*=}"
    [[ "$image" != "null" ]] || continue # shell jobs without image: none today
    [[ "$image" =~ :v?[0-9]+\.[0-9]+(\.[0-9]+)?[A-Za-z0-9_.-]*(@sha256:[0-9a-f]{64})?$ ]] || {
      echo "not pinned: $line" >&2
      return 1
    }
    [[ "$image" != *latest* ]] || { echo "latest: $line" >&2; return 1; }
  done <<<"$images"
  # Images are not built with privileged Docker-in-Docker.
  [[ "$(jq -r '[.[] | objects | .services // empty] | length' <<<"$json")" == "0" ]]
  [[ "$(jq -r '.build.image.name' <<<"$json")" == moby/buildkit:*-rootless ]]
}

@test "the lint jobs, the Java format check and the SBOM job run and pass through gitlab-ci-local's shell executor" {
  # Maven reads the dependencies already downloaded on this machine instead of the job's
  # project-local cache (which starts empty in a fresh copy).
  run bash -c 'cd "$WORK" && "$GITLAB_CI_LOCAL" --force-shell-executor --no-color \
    --variable "MAVEN_OPTS=-Dmaven.repo.local=$HOME/.m2/repository" shellcheck yamllint format sbom 2>&1'
  grep -E 'Non complying|error|PASS|FAIL' <<<"$output" | tail -40 || true
  [ "$status" -eq 0 ]
  for job in shellcheck yamllint format sbom; do
    grep -qE "PASS +$job( |$)" <<<"$output"
  done
  # The SBOM report the job hands to GitLab: CycloneDX JSON listing the services' dependencies.
  [ "$(jq -r .bomFormat "$WORK/gl-sbom-maven.cdx.json")" = "CycloneDX" ]
  jq -e '[.components[] | select(.group == "io.dropwizard")] | length > 0' "$WORK/gl-sbom-maven.cdx.json"
}

# `mvn verify` already runs in `make test` (test-java); running it again through the pipeline
# costs about 1.5 minutes on 2 cores, so this one is opt-in: PIPELINE_TEST_JOB=1 bats scripts/test
@test "the test job runs through gitlab-ci-local and leaves the JUnit and JaCoCo reports where GitLab looks (PIPELINE_TEST_JOB=1)" {
  [[ "${PIPELINE_TEST_JOB:-0}" == "1" ]] || skip "set PIPELINE_TEST_JOB=1 to run mvn verify through the pipeline"
  run bash -c 'cd "$WORK" && "$GITLAB_CI_LOCAL" --force-shell-executor --no-color \
    --variable "MAVEN_OPTS=-Dmaven.repo.local=$HOME/.m2/repository" test 2>&1'
  echo "$output" | tail -20
  [ "$status" -eq 0 ]
  # gitlab-ci-local applies the job's `coverage` regex, as GitLab does.
  grep -qE 'PASS +test [0-9]+\.[0-9]+% coverage' <<<"$output"
  compgen -G "$WORK/service/*/target/surefire-reports/TEST-*.xml" >/dev/null
  compgen -G "$WORK/service/*/target/site/jacoco/jacoco.xml" >/dev/null
}

@test "a failing job fails gitlab-ci-local (the run above is not vacuous)" {
  printf '#!/usr/bin/env bash\necho $UNQUOTED_VAR\n' >"$WORK/scripts/lint-me"
  run bash -c 'cd "$WORK" && "$GITLAB_CI_LOCAL" --force-shell-executor --no-color shellcheck 2>&1'
  rm -f "$WORK/scripts/lint-me"
  [ "$status" -ne 0 ]
  [[ "$output" == *"SC2086"* ]]
}

@test "Dockerfile: pinned bases, multi-stage, non-root numeric user, AppCDS, OCI labels, no HEALTHCHECK" {
  dockerfile="$REPO_ROOT/service/Dockerfile"
  froms="$(grep -E '^FROM ' "$dockerfile")"
  [ "$(wc -l <<<"$froms")" -ge 2 ]
  while IFS= read -r from; do
    image="$(awk '{print $2}' <<<"$from")"
    [[ "$image" =~ :[0-9]+\.[0-9]+\.[0-9]+ ]] || { echo "unpinned: $from" >&2; return 1; }
    [[ "$image" != *latest* ]]
  done <<<"$froms"
  grep -qE '^FROM maven:3\.9\.[0-9]+-eclipse-temurin-17 AS build$' "$dockerfile"
  grep -qE '^FROM eclipse-temurin:17\.0\.[0-9]+_[0-9]+-jre-(jammy|noble) AS runtime$' "$dockerfile"
  # The last USER is numeric and not root.
  user="$(grep -E '^USER ' "$dockerfile" | tail -1 | awk '{print $2}')"
  [[ "$user" =~ ^[0-9]+(:[0-9]+)?$ ]] && [[ "${user%%:*}" -ne 0 ]]
  ! grep -qE '^HEALTHCHECK' "$dockerfile"
  grep -q 'ARG SERVICE' "$dockerfile"
  grep -q -- '-XX:ArchiveClassesAtExit=' "$dockerfile"
  grep -q -- '-XX:SharedArchiveFile=' "$dockerfile"
  grep -q -- '-XX:MaxRAMPercentage=' "$dockerfile"
  grep -q -- '-XX:+ExitOnOutOfMemoryError' "$dockerfile"
  grep -q -- '-Djava.io.tmpdir=/tmp' "$dockerfile"
  for label in title version revision created source; do
    grep -q "org.opencontainers.image.$label=" "$dockerfile"
  done
  # The build context (service/) leaves build output out.
  grep -qx '\*\*/target/' "$REPO_ROOT/service/.dockerignore"
}

@test "Dockerfile AppCDS step: its training run dumps an archive from the real jar that a start maps (-Xshare:on)" {
  jar="$REPO_ROOT/service/greeter/target/greeter.jar"
  [[ -f "$jar" ]] || { echo "build the jars first (make build)" >&2; return 1; }
  dir="$BATS_TEST_TMPDIR/cds"
  mkdir -p "$dir/tmp"
  cp "$jar" "$dir/app.jar"
  read -r http admin <<<"$(free_ports 2)"
  # The RUN instruction that holds -XX:ArchiveClassesAtExit, continuation lines joined, with this
  # test's directory, scratch /tmp and free ports in place of /app, /tmp, 8080 and 8081.
  step="$(awk '/^RUN set -eu;/ { on = 1 } on { print; if (!/\\$/) exit }' "$REPO_ROOT/service/Dockerfile" |
    sed -e 's/\\$//' -e '1s/^RUN //' | tr '\n' ' ')"
  [[ "$step" == *"-XX:ArchiveClassesAtExit=/app/app.jsa"* ]]
  step="$(sed -e "s#tmpdir=/tmp#tmpdir=$dir/tmp#g" -e "s#/app/#$dir/#g" -e "s/8081/$admin/g" -e "s/8080/$http/g" <<<"$step")"
  run timeout 120 bash -o pipefail -c "$step"
  [ "$status" -eq 0 ]
  [ -s "$dir/app.jsa" ]
  # -Xshare:on refuses to start when the archive cannot be mapped.
  GREETING=x TIMEZONE_OFFSET=+00:00 DUMMY_API_KEY=x SECRET_MESSAGE=x TIMEZONES_URL=http://127.0.0.1:1 \
    run java -XX:SharedArchiveFile="$dir/app.jsa" -Xshare:on -jar "$dir/app.jar" check
  [ "$status" -eq 0 ]
}
