#!/usr/bin/env bats
# observability/pictures/draw.py against a real Prometheus (Debian's), holding series backfilled
# with `promtool tsdb create-blocks-from openmetrics`: no services, no load. What `make pictures`
# does with the real dashboards, on a small one whose values are known.

setup_file() {
  load test_helper
  local cmd
  for cmd in prometheus promtool rsvg-convert pngquant; do
    command -v "$cmd" >/dev/null || {
      echo "$cmd is required (make setup installs it)" >&2
      return 1
    }
  done
  local dir="$BATS_FILE_TMPDIR/prometheus"
  mkdir -p "$dir"
  END_TIME="$(date +%s)"
  # 10 minutes, a sample every 15 s: greeter 21.5 req/s, timezones 9.5 req/s in dev (and greeter
  # 100 req/s in staging, which a first load of the dashboard does not pick); an Istio-shaped
  # counter at 4.37 req/s in namespace "healthy" (values no axis tick would show)
  python3 - "$END_TIME" >"$dir/metrics.om" <<'PY'
import sys
end = int(sys.argv[1])
print("# TYPE requests counter")
for ns, app, route, rps in (("dev", "greeter", "/", 21.5), ("dev", "timezones", "/timezones", 9.5),
                            ("staging", "greeter", "/", 100)):
    for i, t in enumerate(range(end - 600, end + 1, 15)):
        print(f'requests_total{{namespace="{ns}",app="{app}",route="{route}"}} {rps * 15 * i} {t}')
print("# TYPE istio_requests counter")
for i, t in enumerate(range(end - 600, end + 1, 15)):
    print(f'istio_requests_total{{reporter="destination",destination_workload_namespace="healthy",'
          f'destination_workload="greeter"}} {4.37 * 15 * i:.2f} {t}')
print("# EOF")
PY
  promtool tsdb create-blocks-from openmetrics "$dir/metrics.om" "$dir/data" >"$dir/promtool.log" 2>&1
  printf 'global:\n  scrape_interval: 1h\n' >"$dir/prometheus.yml"
  PORT="$(free_ports 1)"
  prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
    --storage.tsdb.retention.time=30d --web.listen-address="127.0.0.1:$PORT" >"$dir/prometheus.log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/-/ready" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fs "http://127.0.0.1:$PORT/-/ready" >/dev/null || {
    cat "$dir/prometheus.log" >&2
    return 1
  }
  export END_TIME PROMETHEUS_URL="http://127.0.0.1:$PORT"
}

teardown_file() {
  local pid_file="$BATS_FILE_TMPDIR/prometheus/pid"
  if [[ -f "$pid_file" ]]; then
    kill "$(cat "$pid_file")" 2>/dev/null || true
    wait "$(cat "$pid_file")" 2>/dev/null || true
  fi
}

setup() {
  load test_helper
  export PYTHONDONTWRITEBYTECODE=1
  DASH="$BATS_TEST_TMPDIR/dashboard.json"
  write_dashboard 'sum by (app) (rate(requests_total{namespace=\"$namespace\", app=~\"$app\"}[$__rate_interval]))'
}

# write_dashboard EXPR: a dashboard with the variables namespace and app (All), a stat, a
# timeseries on EXPR, a table and a panel on the Istio series.
write_dashboard() {
  cat >"$DASH" <<EOF
{"title": "Probe dashboard", "uid": "probe",
 "templating": {"list": [
  {"name": "datasource", "type": "datasource", "query": "prometheus"},
  {"name": "namespace", "type": "query", "definition": "label_values(requests_total, namespace)"},
  {"name": "app", "type": "query", "definition": "label_values(requests_total{namespace=\"\$namespace\"}, app)",
   "includeAll": true, "multi": true, "allValue": ".*"}]},
 "panels": [
  {"id": 1, "type": "stat", "title": "Total request rate", "gridPos": {"x": 0, "y": 0, "w": 6, "h": 5},
   "targets": [{"refId": "A", "expr": "sum(rate(requests_total{namespace=\"\$namespace\"}[\$__rate_interval]))"}],
   "fieldConfig": {"defaults": {"unit": "reqps"}}},
  {"id": 2, "type": "timeseries", "title": "Rate by app", "gridPos": {"x": 6, "y": 0, "w": 18, "h": 8},
   "targets": [{"refId": "A", "expr": "$1", "legendFormat": "{{app}} service"}],
   "fieldConfig": {"defaults": {"unit": "reqps"}}, "options": {"legend": {"calcs": ["lastNotNull"]}}},
  {"id": 3, "type": "table", "title": "Routes", "gridPos": {"x": 0, "y": 8, "w": 12, "h": 5},
   "targets": [{"refId": "A", "expr": "count by (route) (requests_total)", "instant": true, "format": "table"}]},
  {"id": 4, "type": "timeseries", "title": "Mesh rate", "gridPos": {"x": 12, "y": 8, "w": 12, "h": 5},
   "targets": [{"refId": "A", "expr": "sum(rate(istio_requests_total{destination_workload_namespace=\"\$namespace\"}[\$__rate_interval]))", "legendFormat": "mesh"}],
   "fieldConfig": {"defaults": {"unit": "reqps"}}, "options": {"legend": {"calcs": ["lastNotNull"]}}}
 ]}
EOF
}

draw() {
  python3 "$REPO_ROOT/observability/pictures/draw.py" --dashboard "$DASH" --prometheus "$PROMETHEUS_URL" \
    --start "$((END_TIME - 300))" --end "$END_TIME" --step 15 --scrape-interval 15 \
    --out "$BATS_TEST_TMPDIR/out.png" "$@"
}

# png_info FILE: "width height colour-type" from the PNG header
png_info() {
  python3 -c 'import struct, sys
data = open(sys.argv[1], "rb").read(33)
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h, depth, colour = struct.unpack(">IIBB", data[16:26])
print(w, h, colour)' "$1"
}

@test "draws the panels from Prometheus' answers, variables substituted, into a PNG" {
  run draw --keep-svg --mesh-prometheus "$PROMETHEUS_URL" --mesh-var namespace=healthy --mesh-source "from the fixture"
  [ "$status" -eq 0 ]
  [ "$(png_info "$BATS_TEST_TMPDIR/out.png")" = "1600 $((96 + 13 * 38 + 16)) 2" ]
  svg="$BATS_TEST_TMPDIR/out.svg"
  grep -F -q '>Probe dashboard<' "$svg"
  grep -F -q 'not rendered by Grafana.' "$svg"
  # Grafana's first load: the first namespace in order, and All apps
  grep -F -q '>namespace = dev   app = All' "$svg"
  # the stat: 21.5 + 9.5 req/s, computed by Prometheus over the backfilled samples
  grep -E -q '>31(\.0)? req/s<' "$svg"
  # the timeseries: one line and one legend row per app, legendFormat filled from the labels
  grep -F -q '>greeter service<' "$svg"
  grep -F -q '>timezones service<' "$svg"
  grep -F -q '>21.5 req/s<' "$svg"
  grep -F -q '>9.50 req/s<' "$svg"
  [ "$(grep -c '<path d="M' "$svg")" -ge 3 ]
  # the table: one row per route
  grep -F -q '>/timezones<' "$svg"
  # the Istio panel: asked of the mesh Prometheus with namespace=healthy, and it says so
  grep -F -q '>from the fixture<' "$svg"
  grep -F -q '>4.37 req/s<' "$svg"
}

@test "--quantize writes a palette PNG" {
  run draw --quantize
  [ "$status" -eq 0 ]
  [ "$(png_info "$BATS_TEST_TMPDIR/out.png" | cut -d' ' -f3)" = 3 ]
}

@test "a panel whose query Prometheus refuses stops the drawing, naming the panel and the error" {
  write_dashboard 'sum by (app) (rate(requests_total{namespace=\"$namespace\"}[$__rate_interval])'
  run draw
  [ "$status" -eq 1 ]
  [[ "$output" == *"panel 'Rate by app' (id 2) query A: Prometheus refused the query:"*"parse error"* ]]
  [ ! -e "$BATS_TEST_TMPDIR/out.png" ]
}

@test "a query on a variable the dashboard does not define stops the drawing" {
  write_dashboard 'sum(rate(requests_total{pod=~\"$pod\"}[$__rate_interval]))'
  run draw
  [ "$status" -eq 1 ]
  [[ "$output" == *"panel 'Rate by app' (id 2) query A: unknown template variable \$pod"* ]]
}

@test "Istio panels without a mesh Prometheus say so instead of showing its data" {
  run draw --keep-svg
  [ "$status" -eq 0 ]
  grep -F -q 'Istio series: not drawn (no --mesh-prometheus given)' "$BATS_TEST_TMPDIR/out.svg"
  run grep -F '>4.37 req/s<' "$BATS_TEST_TMPDIR/out.svg"
  [ "$status" -eq 1 ]
}

@test "the Loki dashboard is drawn as its layout, every panel saying it is not drawn" {
  DASH="$REPO_ROOT/observability/dashboards/logs.json"
  run python3 "$REPO_ROOT/observability/pictures/draw.py" --dashboard "$DASH" --start 0 --end 300 \
    --out "$BATS_TEST_TMPDIR/logs.png" --keep-svg
  [ "$status" -eq 0 ]
  panels="$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["panels"]))' "$DASH")"
  [ "$(grep -c 'Loki panel: not drawn' "$BATS_TEST_TMPDIR/logs.svg")" -eq "$panels" ]
}

@test "make pictures' script: --help, and bad arguments are refused" {
  run "$REPO_ROOT/observability/pictures/run" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"not rendered"* || "$output" == *"Grafana does not run here"* ]]
  run "$REPO_ROOT/observability/pictures/run" --seconds 10
  [ "$status" -eq 2 ]
  [[ "$output" == *"--seconds must be a whole number of at least 60"* ]]
  run "$REPO_ROOT/observability/pictures/run" --bogus
  [ "$status" -eq 2 ]
}
