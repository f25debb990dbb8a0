#!/usr/bin/env bats
# The GitLab pipeline (.gitlab-ci.yml and its production child pipeline, .gitlab/ci/production.yml),
# checked by gitlab-ci-local (the npm package pinned in package.json): GitLab's schema, the exact jobs
# of each kind of pipeline, the rules GitLab applies to needs, resource groups, environments and agents
# (fixtures/pipeline/ci-model.py, with the docs cited there), the jobs that can run on this machine run
# through its shell executor, and the production sequence played job by job against fake helm/kubectl
# and a real Prometheus.
#
# gitlab-ci-local works on a throw-away copy of the repository (its .gitlab-ci-local/ state and a
# scratch git history stay out of the work tree). It does not evaluate workflow:rules, so the copy
# gets a probe job (in a copy of the file, next to the repository) whose rules ARE the workflow
# rules: when the probe is "never", GitLab would not create the pipeline at all.

setup_file() {
  set -o pipefail
  load test_helper
  GITLAB_CI_LOCAL="$REPO_ROOT/node_modules/.bin/gitlab-ci-local"
  [[ -x "$GITLAB_CI_LOCAL" ]] || {
    echo "gitlab-ci-local is not installed: run npm ci" >&2
    return 1
  }
  WORK="$BATS_FILE_TMPDIR/repo"
  mkdir -p "$WORK"
  rsync -a --exclude .git --exclude node_modules --exclude target --exclude .gitlab-ci-local \
    --exclude .m2 --exclude '*.log' --exclude build "$REPO_ROOT/" "$WORK/"
  # The service jars (make build): the make targets' `build` prerequisite is then up to date.
  for jar in "$REPO_ROOT"/service/*/target/*.jar; do
    mkdir -p "$(dirname "$WORK/${jar#"$REPO_ROOT"/}")"
    cp -p "$jar" "$WORK/${jar#"$REPO_ROOT"/}"
  done
  # The npm tools this checkout installed (the same package-lock.json): setup-tools finds them current,
  # so no job runs npm ci (four of them at once raced on one node_modules, and needed the registry).
  ln -s "$REPO_ROOT/node_modules" "$WORK/node_modules"
  git -C "$WORK" init -q -b main
  git -C "$WORK" add -A
  git -C "$WORK" -c user.name=ci -c user.email=ci@example.com commit -q -m "pipeline test"
  # The probe: .gitlab-ci.yml unchanged, plus one job carrying the workflow rules.
  python3 - "$WORK/.gitlab-ci.yml" >"$BATS_FILE_TMPDIR/probe.gitlab-ci.yml" <<'PY'
import json, sys, yaml
text = open(sys.argv[1]).read()
loader = type("L", (yaml.SafeLoader,), {})
loader.add_constructor("!reference", lambda l, n: l.construct_sequence(n))
rules = yaml.load(text, Loader=loader)["workflow"]["rules"]
print(text)
print("workflow-probe:\n  stage: check\n  script: [\"true\"]\n  rules: " + json.dumps(rules))
PY
  export GITLAB_CI_LOCAL WORK
  export GCL_IGNORE_PREDEFINED_VARS="CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH,CI_COMMIT_TAG,CI_MERGE_REQUEST_IID,CI_OPEN_MERGE_REQUESTS,CI_PROJECT_PATH,CI_PIPELINE_ID,CI_DEFAULT_BRANCH"
}

setup() {
  set -o pipefail
  load test_helper
}

# preview FILE: gitlab-ci-local's expanded configuration (includes, extends, !reference) as JSON.
preview() {
  (cd "$WORK" && "$GITLAB_CI_LOCAL" --file "$1" --preview 2>/dev/null) |
    python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'
}

# previews: the expanded parent and child pipelines in $BATS_FILE_TMPDIR, made on first use and kept
# for the file's other tests (mutations.bats runs single tests, most of which need neither).
previews() {
  [[ -s "$BATS_FILE_TMPDIR/child.json" ]] && return 0
  preview .gitlab-ci.yml >"$BATS_FILE_TMPDIR/parent.json.tmp" &&
    preview .gitlab/ci/production.yml >"$BATS_FILE_TMPDIR/child.json.tmp" &&
    mv "$BATS_FILE_TMPDIR/parent.json.tmp" "$BATS_FILE_TMPDIR/parent.json" &&
    mv "$BATS_FILE_TMPDIR/child.json.tmp" "$BATS_FILE_TMPDIR/child.json"
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

# The checks of every merge request and branch pipeline: one job per make target, and three more.
check_jobs() {
  printf '%s\n' hadolint helm-lint lint sbom test-charts test-java test-observability test-scripts |
    sed 's/$/|on_success|false/'
}
image_jobs() {
  printf '%s\n' 'build: [greeter]' 'build: [timezones]' images 'scan: [greeter]' 'scan: [timezones]' |
    sed 's/$/|on_success|false/'
}

assert_jobs() { # assert_jobs EXPECTED ACTUAL
  if [[ "$1" != "$2" ]]; then
    diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") >&2 || true
    return 1
  fi
}

# model CHECK: GitLab's rules (fixtures/pipeline/ci-model.py) over the expanded parent and child.
model() {
  previews || return 1
  python3 "$REPO_ROOT/scripts/test/fixtures/pipeline/ci-model.py" "$BATS_FILE_TMPDIR/parent.json" \
    "$BATS_FILE_TMPDIR/child.json" "$WORK/.gitlab/agents" "$1"
}

parent() { previews && jq -r "$@" "$BATS_FILE_TMPDIR/parent.json"; }
child() { previews && jq -r "$@" "$BATS_FILE_TMPDIR/child.json"; }

@test "gitlab-ci-local validates .gitlab-ci.yml and the production child pipeline against GitLab's schema" {
  for file in .gitlab-ci.yml .gitlab/ci/production.yml; do
    run bash -c "cd \"\$WORK\" && \"\$GITLAB_CI_LOCAL\" --file $file --list 2>&1"
    [ "$status" -eq 0 ]
    [[ "$output" == *"json schema validated"* ]]
  done
}

@test "a schema violation is reported (the validation is live)" {
  cp "$WORK/.gitlab-ci.yml" "$BATS_FILE_TMPDIR/broken.gitlab-ci.yml"
  printf 'broken-job:\n  stage: check\n  script: ["true"]\n  when: sometimes\n' >>"$BATS_FILE_TMPDIR/broken.gitlab-ci.yml"
  run bash -c 'cd "$WORK" && "$GITLAB_CI_LOCAL" --file ../broken.gitlab-ci.yml --list 2>&1'
  [ "$status" -ne 0 ]
  [[ "$output" == *"when"* ]]
}

@test "default-branch pipeline: checks, images scanned and signed, dev, then production behind one trigger" {
  run jobs_of
  [ "$status" -eq 0 ]
  expected="$( (check_jobs; image_jobs; cat <<'EOF'
deploy:dev|on_success|false
production|on_success|false
sign: [greeter]|on_success|false
sign: [timezones]|on_success|false
EOF
  ) | sort)"
  assert_jobs "$expected" "$output"
}

@test "the production child pipeline: canary, gate, blocking manual promotions, abort on failure, rollback" {
  run bash -c 'cd "$WORK" && "$GITLAB_CI_LOCAL" --file .gitlab/ci/production.yml --list-json --variable CI_PIPELINE_SOURCE=parent_pipeline 2>/dev/null'
  [ "$status" -eq 0 ]
  actual="$(jq -r '.[] | "\(.name)|\(.when)|\(.allow_failure)"' <<<"$output" | sort)"
  expected="$(sort <<'EOF'
canary|on_success|false
canary-gate|on_success|false
canary-abort|on_failure|false
promote 50%|manual|false
promote 100%|manual|false
rollback|manual|true
EOF
  )"
  assert_jobs "$expected" "$actual"
}

@test "merge request pipeline: every check, images scanned, a review app and its manual stop, e2e on demand" {
  run jobs_of --variable CI_PIPELINE_SOURCE=merge_request_event --variable CI_MERGE_REQUEST_IID=42 \
    --unset-variable CI_COMMIT_BRANCH
  [ "$status" -eq 0 ]
  expected="$( (check_jobs; image_jobs; printf '%s\n' 'review|on_success|false' 'stop_review|manual|true' 'e2e|manual|true') | sort)"
  assert_jobs "$expected" "$output"
}

@test "tag pipeline: no build, the default branch's signed digest verified and copied to the tag" {
  run jobs_of --variable CI_COMMIT_TAG=v1.2.3 --unset-variable CI_COMMIT_BRANCH
  [ "$status" -eq 0 ]
  expected="$(printf '%s\n' 'release-verify: [greeter]' 'release-verify: [timezones]' 'release: [greeter]' 'release: [timezones]' |
    sed 's/$/|on_success|false/' | sort)"
  assert_jobs "$expected" "$output"
}

@test "feature branch without a merge request: the checks only" {
  run jobs_of --variable CI_COMMIT_BRANCH=feature/x
  [ "$status" -eq 0 ]
  assert_jobs "$(check_jobs)" "$output"
}

@test "feature branch with an open merge request: no branch pipeline (the MR pipeline runs instead)" {
  run jobs_of --variable CI_COMMIT_BRANCH=feature/x --variable 'CI_OPEN_MERGE_REQUESTS=group/project!42'
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "scheduled pipeline: the checks and the e2e job; it builds, pushes and deploys nothing" {
  run jobs_of --variable CI_PIPELINE_SOURCE=schedule
  [ "$status" -eq 0 ]
  assert_jobs "$( (check_jobs; echo 'e2e|on_success|false') | sort)" "$output"
}

@test "every check gates dev and production: in their needs closure, none allow_failure, each in MR and default-branch pipelines" {
  run model gates
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "sign needs scan: only what was scanned is signed" {
  run model sign
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "one lock over canary, gate, promotions, abort and rollback: the child pipeline behind a depend trigger holding production" {
  run model lock
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  [ "$(parent '.production.resource_group')" = "production" ]
}

@test "environments tell the truth: canary steps on production/canary, production written by promote 100% only" {
  run model environments
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "agents: each job's environment is admitted by the agent it names; production only protected, as prod's deployer" {
  run model agents
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "one list of services: the CI matrix, the chart's values files, the Maven modules and the chart tests' Matrix agree" {
  ci="$(parent -c '.build.parallel.matrix[0].SERVICE | sort')"
  charts="$(find "$REPO_ROOT/charts/jvm-service" -name 'values-*.yaml' -printf '%f\n' | sed 's/^values-//; s/\.yaml$//' |
    grep -vx -e dev -e prod | jq -Rsc 'split("\n") | map(select(length > 0)) | sort')"
  modules="$(grep -o '<module>[^<]*</module>' "$REPO_ROOT/service/pom.xml" | sed 's/<[^>]*>//g' | grep -vx common |
    jq -Rsc 'split("\n") | map(select(length > 0)) | sort')"
  matrix="$(grep -o 'SERVICES = List.of([^)]*)' "$REPO_ROOT/charts/verify/src/test/java/verify/Matrix.java" |
    grep -o '"[a-z-]*"' | jq -sc sort)"
  [ "$ci" = '["greeter","timezones"]' ]
  [ "$charts" = "$ci" ]
  [ "$modules" = "$ci" ]
  [ "$matrix" = "$ci" ]
  # Nothing else in the pipeline names a service: the jobs iterate over build/<service>.ref.
  run grep -hE 'greeter|timezones' "$REPO_ROOT/.gitlab-ci.yml" "$REPO_ROOT/.gitlab/ci/production.yml"
  [ "$(grep -vE '^\s*#' <<<"$output" | grep -vcE 'SERVICE: \[greeter, timezones\]|greeter-mr|timezones-mr')" -eq 0 ]
}

@test "rules written once: every rule condition is defined once in .rules and every job's rules come from there" {
  conditions="$(grep -oE '^\s+- if: (&[a-z-]+ )?.*' "$REPO_ROOT/.gitlab-ci.yml" | sed -E 's/^\s+- if: (&[a-z-]+ )?//' | grep -v '^\*')"
  [ -n "$conditions" ]
  [ "$(sort <<<"$conditions" | uniq -d)" = "" ]
  defined="$(python3 -c '
import json, sys, yaml
loader = type("L", (yaml.SafeLoader,), {})
loader.add_constructor("!reference", lambda l, n: l.construct_sequence(n))
rules = yaml.load(open(sys.argv[1]), Loader=loader)[".rules"]
print(json.dumps(sorted({rule["if"] for group in rules.values() for rule in group})))' "$REPO_ROOT/.gitlab-ci.yml")"
  [ "$(jq length <<<"$defined")" -ge 5 ]
  used="$(parent -c '[to_entries[] | select((.key | startswith(".")) or .key == "workflow" | not) | .value | objects | .rules // [] | .[] | .if] | unique')"
  [ "$(jq -n --argjson d "$defined" --argjson u "$used" '$u - $d')" = "[]" ]
}

@test "review app: per-MR environment with on_stop, stop job with identical rules, manual, no checkout" {
  [ "$(parent '.review.environment.name')" = 'review/mr-$CI_MERGE_REQUEST_IID' ]
  [ "$(parent '.review.environment.on_stop')" = "stop_review" ]
  [ "$(parent '.review.environment.deployment_tier')" = "development" ]
  [ -n "$(parent '.review.environment.auto_stop_in // empty')" ]
  [ "$(parent '.stop_review.environment.action')" = "stop" ]
  [ "$(parent '.stop_review.environment.name')" = "$(parent '.review.environment.name')" ]
  [ "$(parent '.stop_review.variables.GIT_STRATEGY')" = "none" ]
  [ "$(parent -c '[.review.rules[].if]')" = "$(parent -c '[.stop_review.rules[].if]')" ]
}

@test "review app: stop_review uninstalls the review release of every built service, as review recorded them" {
  # GitLab gives a job the variables of the dotenv reports of the jobs it needs
  # (docs.gitlab.com/ci/variables/dotenv_variables: VARIABLE=value lines). review deploys one
  # release per build/<service>.ref; stop_review runs without a checkout, so it can only know them
  # from review's dotenv.
  [ "$(parent -c '[.stop_review.needs[] | if type == "object" then .job else . end]')" = '["review"]' ]
  [ "$(parent '.review.artifacts.reports.dotenv')" = "deploy.env" ]
  [ "$(parent '.review.artifacts.when')" = "always" ]
  stub_setup
  stub helm
  local dir="$BATS_TEST_TMPDIR/review" service
  mkdir -p "$dir/build" "$dir/scripts"
  for service in greeter timezones ledger; do
    printf 'registry.test/%s@sha256:%064d\n' "$service" 1 >"$dir/build/$service.ref"
  done
  printf '#!/usr/bin/env bash\nprintf "deploy %%s\\n" "$*" >>"$STUB_LOG"\n' >"$dir/scripts/deploy"
  chmod +x "$dir/scripts/deploy"
  (cd "$dir" && CI_MERGE_REQUEST_IID=7 CI_COMMIT_SHORT_SHA=abc1234 PULL_SECRET="" \
    bash -eo pipefail -c "$(parent '.review.script | join("\n")')")
  [ "$(calls deploy | wc -l)" -eq 3 ]
  # The next job's environment: each line of the report a variable.
  local stop_env=() line
  while IFS= read -r line; do stop_env+=("$line"); done <"$dir/deploy.env"
  mkdir -p "$BATS_TEST_TMPDIR/no-checkout"
  (cd "$BATS_TEST_TMPDIR/no-checkout" && env "${stop_env[@]}" KUBE_CONTEXT=ctx bash -eo pipefail -c "$(parent '.stop_review.script | join("\n")')")
  [ "$(calls helm)" = "uninstall greeter-mr7 ledger-mr7 timezones-mr7 --kube-context ctx -n dev --ignore-not-found --wait" ]
}

@test "reports GitLab shows: JUnit of every suite (failsafe too), JaCoCo coverage, container scanning, CycloneDX" {
  [ "$(parent -c '.["test-java"].artifacts.reports.junit')" = '["service/*/target/surefire-reports/TEST-*.xml","service/*/target/failsafe-reports/TEST-*.xml"]' ]
  [ "$(parent '.["test-charts"].artifacts.reports.junit')" = 'charts/verify/target/surefire-reports/TEST-*.xml' ]
  [ "$(parent '.["test-scripts"].artifacts.reports.junit')" = 'build/test-reports/report.xml' ]
  [[ "$(parent '.["test-scripts"].variables.BATS_FLAGS')" == *"--report-formatter junit --output build/test-reports"* ]]
  [ "$(parent '.["test-observability"].artifacts.reports.junit')" = 'observability/test/target/TEST-observability.xml' ]
  for job in test-java test-charts test-scripts test-observability; do
    [ "$(parent --arg j "$job" '.[$j].artifacts.when')" = "always" ]
  done
  [ "$(parent '.["test-java"].artifacts.reports.coverage_report.coverage_format')" = "jacoco" ]
  [ -n "$(parent '.scan.artifacts.reports.container_scanning // empty')" ]
  [ -n "$(parent '.scan.artifacts.reports.cyclonedx // empty')" ]
  [ "$(parent '.sbom.artifacts.reports.cyclonedx')" = "gl-sbom-maven.cdx.json" ]
  [ "$(parent '.sign.id_tokens.SIGSTORE_ID_TOKEN.aud')" = "sigstore" ]
}

@test "every job image is pinned to an exact version (never latest, never untagged), in both pipelines" {
  previews
  images="$(jq -sr '.[] | to_entries[] | select(.value | type == "object") | select(.value.script != null)
    | "\(.key)=\(.value.image // "none" | if type == "object" then .name else . end)"' \
    "$BATS_FILE_TMPDIR/parent.json" "$BATS_FILE_TMPDIR/child.json")"
  [ -n "$images" ]
  while IFS= read -r line; do
    image="${line#*=}"
    [[ "$image" != "none" ]] || continue # e2e: the Docker runner's own shell
    [[ "$image" =~ :v?[0-9]+\.[0-9]+(\.[0-9]+)?[A-Za-z0-9_.-]*(@sha256:[0-9a-f]{64})?$ ]] || {
      echo "not pinned: $line" >&2
      return 1
    }
    [[ "$image" != *latest* ]] || { echo "latest: $line" >&2; return 1; }
  done <<<"$images"
  # Images are not built with privileged Docker-in-Docker.
  [ "$(parent '[.[] | objects | .services // empty] | length')" = "0" ]
  [[ "$(parent '.build.image.name')" == moby/buildkit:*-rootless ]]
}

# --- jobs run through gitlab-ci-local's shell executor ----------------------------------------------
# The make-target jobs run as GitLab runs them: the job's script, `make <target>`, its setup and build
# prerequisites, the suite's engine, the report where the job's artifacts:reports:junit looks. The
# suites' own contents are make test's (make test-charts, make test-observability), so two are
# narrowed here: test-charts to one test class (MVN, which the Makefile takes from the environment),
# test-scripts to the scripts' --help tests (the whole suite would run this file again).
# test-observability runs whole (about 45 s on a quiet 2-core machine; it has no smaller part).
# test-java (mvn verify, about 2 minutes) is opt-in: PIPELINE_TEST_JOB=1.
@test "the make-target jobs run and pass through gitlab-ci-local, leaving their JUnit reports where GitLab looks" {
  run bash -c 'cd "$WORK" && "$GITLAB_CI_LOCAL" --force-shell-executor --no-color --concurrency 2 \
    --variable "MAVEN_OPTS=-Dmaven.repo.local=$HOME/.m2/repository" \
    --variable "MVN=mvn -B -ntp -Dtest=InjectionSeamTest -Dsurefire.failIfNoSpecifiedTests=false" \
    --variable "BATS_FLAGS=--report-formatter junit --output build/test-reports --filter ^--help" \
    lint test-charts test-scripts test-observability 2>&1'
  grep -E 'PASS|FAIL|error' <<<"$output" | tail -20
  [ "$status" -eq 0 ]
  for job in lint test-charts test-scripts test-observability; do
    grep -qE "PASS +$job( |$)" <<<"$output" || { echo "no PASS for $job" >&2; return 1; }
  done
  [ "$(find "$WORK/charts/verify/target/surefire-reports" -name 'TEST-*.xml' -printf '%f\n')" = "TEST-verify.InjectionSeamTest.xml" ]
  [ "$(grep -o '<testcase ' "$WORK/build/test-reports/report.xml" | wc -l)" -ge 3 ]
  # observability/test/run: a test case per step, none failed.
  [ "$(grep -o '<testcase ' "$WORK/observability/test/target/TEST-observability.xml" | wc -l)" -eq 8 ]
  [ "$(grep -c '<failure' "$WORK/observability/test/target/TEST-observability.xml")" -eq 0 ]
}

@test "the test-java job runs through gitlab-ci-local: JUnit (surefire and failsafe) and JaCoCo where GitLab looks (PIPELINE_TEST_JOB=1)" {
  [[ "${PIPELINE_TEST_JOB:-0}" == "1" ]] || skip "set PIPELINE_TEST_JOB=1 to run mvn verify through the pipeline"
  run bash -c 'cd "$WORK" && "$GITLAB_CI_LOCAL" --force-shell-executor --no-color \
    --variable "MAVEN_OPTS=-Dmaven.repo.local=$HOME/.m2/repository" test-java 2>&1'
  echo "$output" | tail -20
  [ "$status" -eq 0 ]
  grep -qE 'PASS +test-java [0-9]+\.[0-9]+% coverage' <<<"$output"
  compgen -G "$WORK/service/*/target/surefire-reports/TEST-*.xml" >/dev/null
  compgen -G "$WORK/service/*/target/failsafe-reports/TEST-*.xml" >/dev/null
  compgen -G "$WORK/service/*/target/site/jacoco/jacoco.xml" >/dev/null
}

@test "a failing job fails gitlab-ci-local (the runs above are not vacuous)" {
  printf '#!/usr/bin/env bash\necho $UNQUOTED_VAR\n' >"$WORK/scripts/lint-me"
  run bash -c 'cd "$WORK" && "$GITLAB_CI_LOCAL" --force-shell-executor --no-color lint 2>&1'
  rm -f "$WORK/scripts/lint-me"
  [ "$status" -ne 0 ]
  [[ "$output" == *"SC2086"* ]]
}

# run_job FILE JOB [VARIABLES...]: one job through the shell executor, with the stubs on PATH.
run_job() {
  local file="$1" job="$2"
  shift 2
  local vars=(--variable CI_PIPELINE_SOURCE=parent_pipeline --variable CI_PROJECT_PATH=group/project)
  local v
  for v in "$@"; do vars+=(--variable "$v"); done
  (cd "$WORK" && "$GITLAB_CI_LOCAL" --file "$file" --force-shell-executor --no-color "${vars[@]}" "$job" 2>&1)
}

@test "build: the pushed digest is recorded as REPOSITORY@sha256; with none recorded the job fails" {
  stub_setup
  stub buildctl-daemonless.sh 'for a in "$@"; do prev="${last:-}"; last="$a"; done; printf "{\"containerimage.digest\": \"%s\"}\n" "${BUILD_DIGEST:-}" >"$last"'
  run run_job .gitlab-ci.yml "build: [greeter]" CI_REGISTRY_IMAGE=registry.example/g/p \
    "BUILD_DIGEST=sha256:$(printf 'd%.0s' {1..64})"
  [ "$status" -eq 0 ]
  [ "$(cat "$WORK/build/greeter.ref")" = "registry.example/g/p/greeter@sha256:$(printf 'd%.0s' {1..64})" ]
  assert_called buildctl-daemonless.sh build
  [[ "$(calls buildctl-daemonless.sh)" == *'"name=registry.example/g/p/greeter:'*'",push=true'* ]]
  rm -f "$WORK/build/greeter.ref"
  run run_job .gitlab-ci.yml "build: [greeter]" CI_REGISTRY_IMAGE=registry.example/g/p BUILD_DIGEST=
  [ "$status" -ne 0 ]
  [[ "$output" == *"BuildKit recorded no pushed digest"* ]]
  [ ! -e "$WORK/build/greeter.ref" ]
}

@test "tag: the commit's default-branch digest, verified as signed by it, is copied to the tag; nothing is built" {
  stub_setup
  digest="sha256:$(printf 'e%.0s' {1..64})"
  stub cosign "[[ \"\$1\" == verify ]] && printf '[{\"critical\":{\"image\":{\"docker-manifest-digest\":\"$digest\"}}}]\n'; exit 0"
  stub crane "[[ \"\$1\" == digest ]] && echo '$digest'; exit 0"
  vars=(CI_REGISTRY_IMAGE=registry.example/g/p CI_COMMIT_TAG=v1.2.3 CI_PROJECT_URL=https://gitlab.example.com/g/p
    CI_SERVER_URL=https://gitlab.example.com CI_DEFAULT_BRANCH=main)
  run run_job .gitlab-ci.yml "release-verify: [greeter]" "${vars[@]}"
  [ "$status" -eq 0 ]
  sha="$(git -C "$WORK" rev-parse HEAD)"
  assert_called cosign verify --certificate-identity https://gitlab.example.com/g/p//.gitlab-ci.yml@refs/heads/main --certificate-oidc-issuer https://gitlab.example.com -a "commit=$sha" "registry.example/g/p/greeter:$sha"
  [ "$(cat "$WORK/build/greeter.ref")" = "registry.example/g/p/greeter@$digest" ]
  run run_job .gitlab-ci.yml "release: [greeter]" "${vars[@]}"
  [ "$status" -eq 0 ]
  assert_called crane copy "registry.example/g/p/greeter@$digest" registry.example/g/p/greeter:v1.2.3
  refute_called buildctl-daemonless.sh
}

# --- the production sequence, job by job -------------------------------------------------------------
# fake-helm keeps the releases as Helm would, fake-kubectl answers from them and port-forwards to a real
# Prometheus holding Istio-shaped series for prod; sleep is recorded (and skipped when long).
production_fixture() {
  stub_setup
  stub helm 'exec "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-helm" "$@"'
  stub kubectl 'exec "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-kubectl" "$@"'
  stub sleep '[[ "$1" == 0.* ]] && exec /bin/sleep "$1"; exit 0'
}
# istio_series_now: the Prometheus the gate reads, started just before a gate runs. Its series end
# when it starts and the gate looks back 5 minutes from its query: started before the canary jobs, a
# busy machine could spend those 5 minutes on them and leave the gate nothing to judge (seen).
istio_series_now() {
  read -r port PROMETHEUS_PID _ < <("$REPO_ROOT/scripts/test/fixtures/pipeline/prometheus-with-istio-series" "$BATS_TEST_TMPDIR/prometheus")
  export FAKE_PROMETHEUS_PORT="$port" PROMETHEUS_PID
}
teardown() {
  if [[ -n "${PROMETHEUS_PID:-}" ]]; then
    kill "$PROMETHEUS_PID" 2>/dev/null || true
  fi
}
# refs DIGIT: this pipeline's build/<service>.ref files, every digest made of DIGIT.
refs() {
  mkdir -p "$WORK/build"
  local digest
  digest="$(printf '%64s' '' | tr ' ' "$1")"
  for service in greeter timezones; do
    printf 'registry.example/g/p/%s@sha256:%s\n' "$service" "$digest" >"$WORK/build/$service.ref"
  done
}
as_pipeline() { # as_pipeline ID JOB: a production job of pipeline ID (its refs in build/)
  run_job .gitlab/ci/production.yml "$2" "PARENT_PIPELINE_ID=$1"
}
release_value() { "$REPO_ROOT/scripts/test/fixtures/pipeline/fake-helm" get values "$1" -o json | jq -r "${@:2}"; }

@test "production, first release: canary installs stable, the gate has nothing to judge, both promotions are no-ops that pass" {
  production_fixture
  refs a
  for job in canary canary-gate "promote 50%" "promote 100%"; do
    run as_pipeline 100 "$job"
    [ "$status" -eq 0 ] || { echo "$output" | tail -20 >&2; return 1; }
    grep -qE "PASS +$job( |$)" <<<"$output"
    case "$job" in
      canary-gate) [[ "$output" == *"PASS nothing to judge: no canary of this pipeline runs in prod"* ]] ;;
      promote*) [[ "$output" == *"nothing to "*": stable already runs sha256:aaaa"* ]] ;;
    esac
  done
  [ "$(release_value greeter .image.digest)" = "sha256:$(printf '%64s' '' | tr ' ' a)" ]
  [ "$(release_value timezones .provenance.pipeline)" = "100" ]
  refute_called kubectl --context group/project:production -n monitoring port-forward
}

@test "production, a canary: gated once after GATE_DELAY, promoted; a second pipeline can neither replace nor promote it" {
  production_fixture
  refs a
  as_pipeline 100 canary >/dev/null
  refs b
  run as_pipeline 200 canary
  [ "$status" -eq 0 ]
  [ "$(release_value greeter .canary.weight)" = "10" ]
  istio_series_now
  : >"$STUB_LOG"
  run as_pipeline 200 canary-gate
  [ "$status" -eq 0 ] || { echo "$output" | tail -20 >&2; return 1; }
  [[ "$output" == *"PASS canary within thresholds: greeter timezones"* ]]
  # The delay is waited exactly once; every other sleep is the port-forward's short poll.
  [ "$(calls sleep | grep -vc '^0\.')" -eq 1 ]
  [ "$(calls sleep | grep -v '^0\.')" = "300" ]
  assert_called kubectl --context group/project:production -n monitoring port-forward pod/prometheus-kube-prometheus-stack-prometheus-0
  run as_pipeline 200 "promote 50%"
  [ "$status" -eq 0 ]
  [ "$(release_value greeter .canary.weight)" = "50" ]
  # Pipeline 300 arrives (as if the lock had been bypassed): every step refuses pipeline 200's canary.
  refs c
  before="$(release_value greeter -c .)"
  for job in canary canary-gate "promote 50%" "promote 100%" rollback; do
    run as_pipeline 300 "$job"
    # rollback is allow_failure: its failure is a warning (the pipeline goes on), as GitLab shows it.
    grep -qE "(FAIL|WARN) +$job( |$)" <<<"$output" || { echo "$job accepted another pipeline's canary" >&2; return 1; }
    [[ "$output" == *"refusing"* ]]
  done
  [ "$(release_value greeter -c .)" = "$before" ]
  refs b
  run as_pipeline 200 "promote 100%"
  [ "$status" -eq 0 ]
  [ "$(release_value greeter .image.digest)" = "sha256:$(printf '%64s' '' | tr ' ' b)" ]
  [ "$(release_value greeter .canary.enabled)" = "false" ]
}

@test "production, the gate fails: canary-abort returns both services to the revision before the canary" {
  production_fixture
  refs a
  as_pipeline 100 canary >/dev/null
  refs b
  as_pipeline 200 canary >/dev/null
  # canary-abort is when: on_failure: gitlab-ci-local runs it only in a pipeline where its needs failed.
  istio_series_now
  run bash -c 'cd "$WORK" && "$GITLAB_CI_LOCAL" --file .gitlab/ci/production.yml --force-shell-executor --no-color \
    --variable CI_PIPELINE_SOURCE=parent_pipeline --variable CI_PROJECT_PATH=group/project --variable PARENT_PIPELINE_ID=200 \
    --variable GATE_MIN_REQUESTS=100000 --needs canary-abort 2>&1'
  [[ "$output" == *"not enough canary traffic to judge"* ]]
  grep -qE 'FAIL +canary-gate' <<<"$output"
  grep -qE 'PASS +canary-abort' <<<"$output"
  for service in greeter timezones; do
    [ "$(release_value "$service" .canary.enabled)" = "false" ]
    [ "$(release_value "$service" .image.digest)" = "sha256:$(printf '%64s' '' | tr ' ' a)" ]
  done
}

# --- the image --------------------------------------------------------------------------------------
@test "Dockerfile: pinned bases, multi-stage, numeric non-root user, AppCDS, OCI labels, no HEALTHCHECK" {
  dockerfile="$REPO_ROOT/service/Dockerfile"
  froms="$(grep -E '^FROM ' "$dockerfile")"
  [ "$(wc -l <<<"$froms")" -ge 2 ]
  while IFS= read -r from; do
    image="$(awk '{print $2}' <<<"$from")"
    [[ "$image" =~ :[0-9]+\.[0-9]+\.[0-9]+ ]] || { echo "unpinned: $from" >&2; return 1; }
    [[ "$image" != *latest* ]] || { echo "latest: $from" >&2; return 1; }
  done <<<"$froms"
  grep -qE '^FROM maven:3\.9\.[0-9]+-eclipse-temurin-17 AS build$' "$dockerfile"
  grep -qE '^FROM eclipse-temurin:17\.0\.[0-9]+_[0-9]+-jre-(jammy|noble) AS runtime$' "$dockerfile"
  # The last USER is numeric (Kubernetes' runAsNonRoot can verify only a numeric user) and not root.
  user="$(grep -E '^USER ' "$dockerfile" | tail -1 | awk '{print $2}')"
  [[ "$user" =~ ^[0-9]+(:[0-9]+)?$ ]] || { echo "USER $user is not numeric" >&2; return 1; }
  [ "${user%%:*}" -ne 0 ]
  # No HEALTHCHECK: Kubernetes ignores it and probes /ping and /ready itself.
  run grep -cE '^\s*HEALTHCHECK' "$dockerfile"
  [ "$output" = "0" ]
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
