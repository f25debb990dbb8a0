# shellcheck shell=bash
# shellcheck disable=SC2154 # $work is the caller's
# The real services and the real Prometheus that observability/test/run and
# observability/pictures/run both start. Source it after scripts/lib/common.sh; the caller
# defines $work (a temporary directory, with $work/rules/*.yaml the rendered rule files) and the
# array `pids`, whose processes its exit trap stops.

# How long a service or Prometheus may take to start (and Prometheus to scrape): 1 to 5 s on a quiet
# 2-core machine, over 60 s seen at load average 22; a process that exits is reported at once, so
# the long bound only delays reporting a hung start.
obs_start_timeout=180

# obs_jars ROOT: the two service jars; stops when `make build` has not made them.
obs_jars() {
  greeter_jar="$1/service/greeter/target/greeter.jar"
  timezones_jar="$1/service/timezones/target/timezones.jar"
  local jar
  for jar in "$greeter_jar" "$timezones_jar"; do
    [[ -f "$jar" ]] || die "$jar is missing: run 'make build' first"
  done
}

# obs_start_jvm NAME JAR HTTP_PORT ADMIN_PORT VERSION [VAR=VALUE...]: a service jar on loopback
# ports, stdout in $work/logs/NAME.log; sets last_pid.
obs_start_jvm() {
  local name="$1" jar="$2" http="$3" admin="$4" version="$5"
  shift 5
  env HTTP_PORT="$http" ADMIN_PORT="$admin" APP_VERSION="$version" SHUTDOWN_WAIT_PERIOD=0s "$@" \
    java -Xmx192m -jar "$jar" >"$work/logs/$name.log" 2>"$work/logs/$name.err" &
  last_pid="$!"
  pids+=("$last_pid")
}

# obs_start_services stable-only|with-canary: timezones and greeter (with-canary: a second greeter, the
# canary: track=canary, version canary-version) on free loopback ports. Sets tz_http tz_admin
# gr_http gr_admin [gc_http gc_admin], their *_pid, api_key and secret_message, and the scrape
# targets of obs_start_prometheus.
obs_start_services() {
  local canary
  case "${1:-}" in
    stable-only) canary=0 ;;
    with-canary) canary=1 ;;
    *) die "obs_start_services: stable-only or with-canary, not '${1:-}'" ;;
  esac
  mkdir -p "$work/logs"
  read -r tz_http tz_admin gr_http gr_admin gc_http gc_admin <<<"$(free_ports 6)"
  api_key="test-key-$RANDOM"
  secret_message="not for the logs"
  local greeter_env=(GREETING="Hello from the observability test" TIMEZONE_OFFSET=+05:30 DUMMY_API_KEY="$api_key"
    SECRET_MESSAGE="$secret_message" TIMEZONES_URL="http://127.0.0.1:$tz_http")
  obs_start_jvm timezones "$timezones_jar" "$tz_http" "$tz_admin" test-version
  tz_pid="$last_pid"
  obs_start_jvm greeter "$greeter_jar" "$gr_http" "$gr_admin" test-version "${greeter_env[@]}"
  gr_pid="$last_pid"
  # static labels stand in for what the ServiceMonitor adds in the cluster (namespace, pod and
  # the pod labels app/track/version through podTargetLabels)
  obs_targets=(
    "greeter 127.0.0.1:$gr_admin {namespace: dev, app: greeter, track: stable, version: test-version, pod: greeter-test-0}"
    "timezones 127.0.0.1:$tz_admin {namespace: dev, app: timezones, track: stable, version: test-version, pod: timezones-test-0}"
  )
  if ((canary)); then
    obs_start_jvm greeter-canary "$greeter_jar" "$gc_http" "$gc_admin" canary-version "${greeter_env[@]}"
    gc_pid="$last_pid"
    obs_targets+=("greeter 127.0.0.1:$gc_admin {namespace: dev, app: greeter, track: canary, version: canary-version, pod: greeter-canary-test-0}")
  fi
  wait_http "http://127.0.0.1:$tz_admin/ping" "$tz_pid" timezones "$obs_start_timeout" "$work/logs/timezones.err"
  wait_http "http://127.0.0.1:$gr_admin/ping" "$gr_pid" greeter "$obs_start_timeout" "$work/logs/greeter.err"
  if ((canary)); then
    wait_http "http://127.0.0.1:$gc_admin/ping" "$gc_pid" greeter-canary "$obs_start_timeout" "$work/logs/greeter-canary.err"
  fi
}

# obs_await_scrapes_after EPOCH-SECONDS: returns once every target's last scrape is more than one
# scrape interval past that time, so the requests made before it are in the data (a fixed sleep of
# two intervals was too short when a busy machine delays scrapes).
obs_await_scrapes_after() {
  local after="$1" deadline=$((SECONDS + obs_start_timeout)) oldest
  while ((SECONDS < deadline)); do
    oldest="$(curl -fsS "$prom/api/v1/query" --data-urlencode 'query=min(timestamp(up))' |
      python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else 0)')"
    ((oldest > after + scrape_interval_seconds)) && return 0
    sleep 1
  done
  die "Prometheus did not scrape every target after the last request within ${obs_start_timeout} s"
}

# obs_start_prometheus INTERVAL: a real Prometheus on a free port scraping the targets of
# obs_start_services every INTERVAL and evaluating $work/rules/*.yaml as often; returns once it
# has scraped every target. Sets prom (its URL) and prom_pid.
obs_start_prometheus() {
  local interval="$1" target t job address labels port jobs=()
  scrape_interval_seconds="${interval%s}"
  {
    printf 'global:\n  scrape_interval: %s\n  evaluation_interval: %s\n' "$interval" "$interval"
    printf 'rule_files:\n  - %s/rules/*.yaml\nscrape_configs:\n' "$work"
    for target in "${obs_targets[@]}"; do
      read -r job address labels <<<"$target"
      if [[ " ${jobs[*]} " != *" $job "* ]]; then
        jobs+=("$job")
        printf '  - job_name: %s\n    metrics_path: /prometheus\n    static_configs:\n' "$job"
        for t in "${obs_targets[@]}"; do
          [[ "$t" == "$job "* ]] || continue
          read -r _ address labels <<<"$t"
          printf '      - targets: ["%s"]\n        labels: %s\n' "$address" "$labels"
        done
      fi
    done
  } >"$work/prometheus.yml"
  promtool check config "$work/prometheus.yml" >/dev/null
  mkdir -p "$work/prometheus"
  port="$(free_ports 1)"
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prometheus" \
    --web.listen-address="127.0.0.1:$port" --log.level=warn 2>"$work/prometheus.err" &
  prom_pid="$!"
  pids+=("$prom_pid")
  prom="http://127.0.0.1:$port"
  wait_http "$prom/-/ready" "$prom_pid" prometheus "$obs_start_timeout" "$work/prometheus.err"
  local want="${#obs_targets[@]}" up=0 deadline=$((SECONDS + obs_start_timeout))
  while ((SECONDS < deadline)); do
    up="$(curl -fsS "$prom/api/v1/query" --data-urlencode 'query=sum(up)' |
      python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else 0)')"
    [[ "$up" == "$want" ]] && break
    sleep 1
  done
  [[ "$up" == "$want" ]] || die "Prometheus does not scrape all $want targets (up=$up)"
}
