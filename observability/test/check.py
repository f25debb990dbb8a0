#!/usr/bin/env python3
"""Checks of observability/ for observability/test/run. YAML is read with PyYAML (Debian's
python3-yaml); queries, rules and routes are judged by the real engines (Prometheus' API,
Alertmanager's API; promtool and amtool are called by run).

  check.py split-rendered RENDERED OUTDIR     PrometheusRule specs -> OUTDIR/<name>.yaml, ConfigMap checks
  check.py alertmanager [--write] --out FILE  the values-embedded Alertmanager config == alertmanager.yaml
  check.py dashboards                         dashboard JSON: uids, datasource variable, queries
  check.py prometheus URL                     every rule and dashboard query against a live Prometheus
  check.py coverage URL                       every alert (and severity) has a firing and a quiet unit test
  check.py inhibition URL                     inhibition rules on a live Alertmanager
  check.py log-contract LOGDIR                services' JSON keys <-> Alloy's config <-> the Logs dashboard
  check.py runbooks RENDERED                  alerts <-> docs/runbooks/<AlertName>.md <-> runbook_url
"""
import argparse
import glob
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

import logcontract
import runbooks

OBS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DASHBOARDS = os.path.join(OBS, "dashboards")
KPS_VALUES = os.path.join(OBS, "values", "kube-prometheus-stack.yaml")
AM_FILE = os.path.join(OBS, "alertmanager", "alertmanager.yaml")
ALLOY_VALUES = os.path.join(OBS, "values", "alloy.yaml")
RULE_TESTS = os.path.join(OBS, "test", "rules")
SERVICES = ("greeter", "timezones")

# Series from the Istio sidecars or kube-state-metrics do not exist in this test (no cluster):
# their queries are only parsed. Everything else must return data from the real services.
PARSE_ONLY = re.compile(r"istio_|kube_|namespace_workload:")

# Values the test Prometheus gives the scrape targets (see run) and Grafana variables get here.
TEST_VARS = {
    "namespace": "dev",
    "route": ".*",
    "track": ".*",
    "pod": ".*",
    "level": ".*",
    "search": "",
    "__rate_interval": "1m",
    "__interval": "1m",
}

errors = []


def err(msg):
    if msg not in errors:
        print(f"  FAIL {msg}", file=sys.stderr)
    errors.append(msg)


def done(what):
    if errors:
        print(f"{what}: {len(errors)} problem(s)", file=sys.stderr)
        sys.exit(1)
    print(f"{what}: ok")


def load_yaml(path):
    with open(path) as f:
        return yaml.safe_load(f)


# ---------------------------------------------------------------------------------------------
# kubectl kustomize output


def cmd_split_rendered(args):
    with open(args.rendered) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    os.makedirs(args.outdir, exist_ok=True)
    rules, dashboards, base = [], [], None
    for doc in docs:
        kind, meta = doc["kind"], doc["metadata"]
        name, labels = meta["name"], meta.get("labels") or {}
        if meta.get("namespace") != "monitoring":
            err(f"{kind}/{name} is not in namespace monitoring")
        if kind == "PrometheusRule":
            # kube-prometheus-stack's Prometheus selects rules by this label (ruleSelector)
            if labels.get("release") != "kube-prometheus-stack":
                err(f"PrometheusRule/{name} lacks label release: kube-prometheus-stack (Prometheus would ignore it)")
            for group in doc["spec"]["groups"]:
                for rule in group["rules"]:
                    url = rule.get("annotations", {}).get("runbook_url", "")
                    if "RUNBOOK_BASE" in url:
                        err(f"PrometheusRule/{name} {rule.get('alert')}: runbook_url {url!r}: the kustomize "
                            "replacement did not reach it")
            with open(os.path.join(args.outdir, f"{name}.yaml"), "w") as f:
                yaml.safe_dump(doc["spec"], f, sort_keys=False, width=1000)
            rules.append(name)
        elif kind == "ConfigMap" and name.startswith("dashboard-"):
            # the Grafana sidecar of kube-prometheus-stack loads ConfigMaps with this label
            if labels.get("grafana_dashboard") != "1":
                err(f"ConfigMap/{name} lacks label grafana_dashboard: \"1\" (the Grafana sidecar would ignore it)")
            keys = sorted(doc.get("data", {}))
            if len(keys) != 1 or not keys[0].endswith(".json"):
                err(f"ConfigMap/{name} should hold exactly one dashboard JSON, holds {keys}")
            dashboards.extend(keys)
        elif kind == "ConfigMap" and name == "observability-settings":
            base = doc.get("data", {}).get("runbookBase")
    files = sorted(os.path.basename(p) for p in glob.glob(os.path.join(DASHBOARDS, "*.json")))
    if sorted(dashboards) != files:
        err(f"dashboards shipped as ConfigMaps {sorted(dashboards)} differ from dashboards/*.json {files}")
    if not rules:
        err("no PrometheusRule rendered")
    if not base or not base.startswith("https://"):
        err(f"runbookBase is not an https URL: {base!r}")
    else:
        with open(os.path.join(args.outdir, "runbook_base"), "w") as f:
            f.write(base)
    print(f"rendered: {len(rules)} PrometheusRules ({', '.join(rules)}), {len(dashboards)} dashboard ConfigMaps")
    done("kustomize render")


# ---------------------------------------------------------------------------------------------
# Alertmanager: one config, two places

BEGIN = "    # BEGIN observability/alertmanager/alertmanager.yaml"
END = "# END observability/alertmanager/alertmanager.yaml"
# prometheus-operator mounts each Secret listed in alertmanagerSpec.secrets at this path
# (Alertmanager CRD, field spec.secrets).
OPERATOR_SECRETS = "/etc/alertmanager/secrets/"


def write_embedded_config():
    """Copies alertmanager.yaml, comments and all, between the BEGIN/END markers of the values."""
    with open(KPS_VALUES) as f:
        values = f.read().split("\n")
    starts = [i for i, line in enumerate(values) if line.startswith(BEGIN)]
    ends = [i for i, line in enumerate(values) if line == END]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        sys.exit(f"{KPS_VALUES}: expected one BEGIN/END pair of markers around alertmanager.config")
    with open(AM_FILE) as f:
        source = f.read().rstrip("\n").split("\n")
    values[starts[0] + 2:ends[0]] = [("    " + line) if line else "" for line in source]  # BEGIN spans 2 lines
    with open(KPS_VALUES, "w") as f:
        f.write("\n".join(values))
    print(f"embedded {AM_FILE} into {KPS_VALUES}")


def file_paths(node):
    """Every *_file setting of an Alertmanager config (api_url_file, password_file, ...)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k.endswith("_file") and isinstance(v, str):
                yield k, v
            else:
                yield from file_paths(v)
    elif isinstance(node, list):
        for v in node:
            yield from file_paths(v)


def cmd_alertmanager(args):
    if args.write:
        write_embedded_config()
        return
    values, source = load_yaml(KPS_VALUES), load_yaml(AM_FILE)
    embedded = values["alertmanager"]["config"]
    if embedded != source:
        err("alertmanager.config in values/kube-prometheus-stack.yaml differs from alertmanager/alertmanager.yaml; "
            "run `observability/test/check.py alertmanager --write`")
    secrets = values["alertmanager"]["alertmanagerSpec"].get("secrets", [])
    slack_urls = [c for r in embedded.get("receivers", []) for c in r.get("slack_configs", [])]
    if any("api_url" in c for c in slack_urls):
        err("a Slack webhook URL is written in the config (api_url): it belongs in the Secret alertmanager-slack")
    for key, path in file_paths(embedded):
        parts = path[len(OPERATOR_SECRETS):].split("/") if path.startswith(OPERATOR_SECRETS) else []
        if len(parts) != 2 or parts[0] not in secrets:
            err(f"{key}: {path} is not a file of a Secret the operator mounts: alertmanagerSpec.secrets lists "
                f"{secrets}, mounted at {OPERATOR_SECRETS}<secret>/<key>")
    with open(args.out, "w") as f:
        yaml.safe_dump(embedded, f, sort_keys=False)
    done("alertmanager config (values == alertmanager.yaml)")


# ---------------------------------------------------------------------------------------------
# Dashboards: static checks


def load_dashboards():
    out = {}
    for path in sorted(glob.glob(os.path.join(DASHBOARDS, "*.json"))):
        try:
            out[os.path.basename(path)] = json.load(open(path))
        except json.JSONDecodeError as e:
            err(f"{path}: invalid JSON: {e}")
    return out


def all_panels(panels):
    for p in panels:
        yield p
        yield from all_panels(p.get("panels", []))


def is_ds_var(ds):
    return isinstance(ds, dict) and ds.get("uid") in ("${datasource}", "$datasource")


def walk_datasources(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "datasource":
                yield path + "/datasource", v
            else:
                yield from walk_datasources(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk_datasources(v, f"{path}[{i}]")


def cmd_dashboards(args):
    boards = load_dashboards()
    uids, titles = {}, {}
    for name, d in boards.items():
        uid = d.get("uid")
        if not uid or len(uid) > 40:
            err(f"{name}: uid missing or longer than 40 characters")
        if uid in uids:
            err(f"{name}: uid {uid} also used by {uids[uid]}")
        uids[uid] = name
        if d.get("title") in titles:
            err(f"{name}: title {d.get('title')!r} also used by {titles[d.get('title')]}")
        titles[d.get("title")] = name
        if "id" in d and d["id"] is not None:
            err(f"{name}: a dashboard id is instance-specific; remove it")
        variables = {v["name"]: v for v in d.get("templating", {}).get("list", [])}
        for required in ("datasource", "namespace", "app"):
            if required not in variables:
                err(f"{name}: no `{required}` variable")
        dsv = variables.get("datasource", {})
        if dsv.get("type") != "datasource" or dsv.get("query") not in ("prometheus", "loki"):
            err(f"{name}: `datasource` must be a datasource variable of type prometheus or loki")
        for where, ds in walk_datasources(d):
            if not is_ds_var(ds):
                err(f"{name}{where}: datasource {ds!r} is not the $datasource variable (no hard-coded ids)")
        for v in variables.values():
            if v.get("type") == "query" and not is_ds_var(v.get("datasource")):
                err(f"{name}: variable {v['name']} does not query through $datasource")
        ids = set()
        panels = list(all_panels(d.get("panels", [])))
        if not panels:
            err(f"{name}: no panels")
        for p in panels:
            title = f"{name}: panel {p.get('id')} {p.get('title')!r}"
            if p.get("id") in ids:
                err(f"{title}: duplicate panel id")
            ids.add(p.get("id"))
            if not is_ds_var(p.get("datasource")):
                err(f"{title}: panel datasource is not $datasource")
            targets = p.get("targets", [])
            if not targets or not all(t.get("expr", "").strip() for t in targets):
                err(f"{title}: every panel needs at least one query, and every target an expr")
            if len({t.get("refId") for t in targets}) != len(targets):
                err(f"{title}: duplicate refId")
            if not p.get("description"):
                err(f"{title}: no description (say what the panel shows and where it comes from)")
            if "gridPos" not in p:
                err(f"{title}: no gridPos")
        print(f"  {name}: uid {uid}, {len(panels)} panels, {sum(len(p.get('targets', [])) for p in panels)} queries, "
              f"variables {', '.join(variables)}")
    done(f"dashboards ({len(boards)})")


# ---------------------------------------------------------------------------------------------
# Prometheus


def http_json(url, data=None):
    try:
        with urllib.request.urlopen(url, data=data, timeout=30) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        try:
            return json.load(e)
        except json.JSONDecodeError:
            return {"status": "error", "error": f"HTTP {e.code}"}


def query(base, expr):
    body = urllib.parse.urlencode({"query": expr}).encode()
    return http_json(base + "/api/v1/query", data=body)


def substitute(expr, variables):
    for name in sorted(variables, key=len, reverse=True):
        expr = expr.replace("${" + name + "}", variables[name]).replace("$" + name, variables[name])
    if "$" in re.sub(r'"\$\d"|\$\d', "", expr):
        raise ValueError(f"unsubstituted variable in {expr}")
    return expr


def dashboard_vars(d):
    out = dict(TEST_VARS)
    app = next(v for v in d["templating"]["list"] if v["name"] == "app")
    out["app"] = "greeter|timezones" if app.get("multi") else "greeter"
    return out


def label_values_query(definition):
    m = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", definition.strip())
    if not m:
        return None
    return f"count by ({m.group(2)}) ({m.group(1)})"


def rules_loaded(base, minimum_evaluations=2):
    """Wait until every rule group was evaluated (twice, so rates have two samples)."""
    deadline = time.time() + 60
    while True:
        groups = http_json(base + "/api/v1/rules")["data"]["groups"]
        pending = [g["name"] for g in groups if g.get("lastEvaluation", "").startswith("0001")]
        if groups and not pending:
            if minimum_evaluations <= 1:
                return groups
            minimum_evaluations -= 1
            time.sleep(max(g.get("interval", 2) for g in groups) + 0.5)
            continue
        if time.time() > deadline:
            sys.exit(f"rule groups never evaluated: {pending}")
        time.sleep(1)


def cmd_prometheus(args):
    base = args.url.rstrip("/")
    groups = rules_loaded(base)
    n_alerts = n_records = n_data = n_parse = 0
    print("rules (parsed and evaluated by Prometheus):")
    for g in groups:
        for r in g["rules"]:
            name = r.get("name")
            if r.get("health") != "ok":
                err(f"rule {name} in {g['name']}: health {r.get('health')}: {r.get('lastError')}")
            res = query(base, r["query"])
            if res.get("status") != "success":
                err(f"rule {name}: query fails: {res.get('error')}")
            if r["type"] == "alerting":
                n_alerts += 1
                labels, ann = r.get("labels", {}), r.get("annotations", {})
                if labels.get("severity") not in ("critical", "warning", "info"):
                    err(f"alert {name}: severity label missing or unknown: {labels.get('severity')!r}")
                for key in ("summary", "description", "runbook_url"):
                    if not ann.get(key):
                        err(f"alert {name}: annotation {key} missing")
                page = f"/{name}.md"
                if not ann.get("runbook_url", "").startswith("https://") or not ann.get("runbook_url", "").endswith(page):
                    err(f"alert {name}: runbook_url {ann.get('runbook_url')!r} is not <runbookBase>{page}")
            else:
                n_records += 1
                if PARSE_ONLY.search(r["query"]):
                    n_parse += 1
                    print(f"  parse-only  {name}")
                    continue
                got = query(base, name)
                series = len(got.get("data", {}).get("result", []))
                if series == 0:
                    err(f"recording rule {name}: no data from the real services")
                else:
                    n_data += 1
                print(f"  data {series:3d}    {name}")
    print(f"  {n_alerts} alerting rules parsed and evaluated; {n_records} recording rules "
          f"({n_data} with data from the services, {n_parse} on Istio series: parse only)")

    print("dashboards (queries with variables substituted: namespace=dev, rate interval 1m):")
    known = set(http_json(base + "/api/v1/label/__name__/values")["data"])
    for fname, d in load_dashboards().items():
        if next(v for v in d["templating"]["list"] if v["name"] == "datasource")["query"] != "prometheus":
            continue
        variables = dashboard_vars(d)
        for v in d["templating"]["list"]:
            if v.get("type") != "query":
                continue
            q = label_values_query(substitute(v.get("definition", ""), variables))
            if q is None:
                err(f"{fname}: variable {v['name']}: unsupported definition {v.get('definition')!r}")
                continue
            for problem in metric_name_problems(q, known):
                err(f"{fname}: variable {v['name']}: {problem}\n    {q}")
            got = query(base, q)
            if not got.get("data", {}).get("result"):
                err(f"{fname}: variable {v['name']} has no values ({q}): {got.get('error', 'empty')}")
        for p in all_panels(d["panels"]):
            statuses = []
            for t in p.get("targets", []):
                expr = substitute(t["expr"], variables)
                for problem in metric_name_problems(expr, known):
                    err(f"{fname}: panel {p['title']!r}: {problem}\n    {expr}")
                got = query(base, expr)
                if got.get("status") != "success":
                    err(f"{fname}: panel {p['title']!r}: query fails: {got.get('error')}\n    {expr}")
                    statuses.append("ERROR")
                    continue
                series = len(got["data"]["result"])
                if PARSE_ONLY.search(expr):
                    statuses.append("parse-only")
                elif series == 0:
                    err(f"{fname}: panel {p['title']!r}: no data from the real services\n    {expr}")
                    statuses.append("NO DATA")
                else:
                    statuses.append(f"{series} series")
            print(f"  {fname:18s} {p['title'][:58]:58s} {', '.join(statuses)}")
    check_runbook_promql(base)
    done("Prometheus queries")


# Metrics a runbook may name that only a cluster has: Istio's sidecars, kube-state-metrics,
# cAdvisor and the kubelet, and the recording rules built on Istio series.
CLUSTER_METRICS = re.compile(r"^(istio_|kube_|container_|kubelet_|node_|namespace_workload:)")
METRIC_SELECTOR = re.compile(r"([A-Za-z_:][A-Za-z0-9_:]*)\s*[{\[]")


def metric_name_problems(expr, known):
    """What is wrong with the metric names EXPR reads: a name neither the services nor the rules
    export (and no cluster-only series), or a name hidden in a {__name__=~...} selector, where
    a renamed metric would go unnoticed (a panel on several names keeps data while one is gone)."""
    problems = []
    if "__name__" in expr:
        problems.append("selects metrics by __name__: name each metric, so a rename is caught")
    for name in METRIC_SELECTOR.findall(re.sub(r"#.*", "", re.sub(r'"[^"]*"', '""', expr))):
        if name not in known and not CLUSTER_METRICS.match(name):
            problems.append(f"reads {name!r}, which neither the services nor the rules export "
                            f"(nor is it an Istio, kube-state-metrics or cAdvisor series)")
    return problems


def check_runbook_promql(base):
    """Every ```promql block of docs/runbooks/ parses in Prometheus, and every metric it reads is
    one the services (or the rules) export here, or one that only a cluster has."""
    known = set(http_json(base + "/api/v1/label/__name__/values")["data"])
    print("runbooks (every PromQL block: parsed by Prometheus, metric names known):")
    for page, text in sorted(runbooks.read_pages().items()):
        blocks = runbooks.code_blocks(text, "promql")
        for i, expr in enumerate(blocks, 1):
            where = f"docs/runbooks/{page} PromQL block {i}"
            got = query(base, expr)
            if got.get("status") != "success":
                err(f"{where}: Prometheus refuses it: {got.get('error')}\n    {expr}")
            for problem in metric_name_problems(expr, known):
                err(f"{where}: {problem}\n    {expr}")
        if blocks:
            print(f"  {page:38s} {len(blocks)} PromQL block(s)")


def cmd_runbooks(args):
    with open(args.rendered) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    base = next((d.get("data", {}).get("runbookBase") for d in docs
                 if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "observability-settings"), None)
    alerts, pages = runbooks.alerts_of(docs), runbooks.read_pages()
    for e in runbooks.problems(alerts, base, pages):
        err(e)
    print(f"  runbookBase {base}")
    print(f"  {len(alerts)} alerts, {len(pages) - (runbooks.INDEX in pages)} runbook pages: "
          f"{', '.join(sorted(alerts))}")
    done("runbooks (one page per alert, runbook_url = <runbookBase>/<AlertName>.md)")


def cmd_coverage(args):
    """Every alert name, in every severity it has, fires in some promtool test, and some test
    shows it quiet (exp_alerts: [])."""
    base = args.url.rstrip("/")
    wanted = {}
    for g in http_json(base + "/api/v1/rules")["data"]["groups"]:
        for r in g["rules"]:
            if r["type"] == "alerting":
                wanted.setdefault(r["name"], set()).add(r["labels"].get("severity"))
    fired, quiet = {}, set()
    for path in sorted(glob.glob(os.path.join(RULE_TESTS, "*.test.yaml"))):
        for test in load_yaml(path).get("tests", []):
            for case in test.get("alert_rule_test", []):
                name, expected = case["alertname"], case.get("exp_alerts") or []
                if not expected:
                    quiet.add(name)
                for alert in expected:
                    fired.setdefault(name, set()).add(alert.get("exp_labels", {}).get("severity"))
    for name, sevs in sorted(wanted.items()):
        missing = sevs - fired.get(name, set())
        if missing:
            err(f"alert {name}: no promtool test shows it firing with severity {sorted(missing)}")
        if name not in quiet:
            err(f"alert {name}: no promtool test shows it not firing (exp_alerts: [])")
        print(f"  {name:34s} fires as {sorted(fired.get(name, set()) & sevs)}, quiet case: {name in quiet}")
    done(f"alert test coverage ({len(wanted)} alerts)")


# ---------------------------------------------------------------------------------------------
# The log contract: services' JSON keys <-> Alloy's config <-> the Logs dashboard (logcontract.py)


def cmd_log_contract(args):
    try:
        pipeline = logcontract.Pipeline(logcontract.parse_alloy(logcontract.alloy_config_text(ALLOY_VALUES)))
        logs, line_errors = logcontract.read_service_logs(args.logdir, SERVICES)
        for e in line_errors:
            err(e)
        for e in logcontract.check_pipeline_reads(pipeline, logs):
            err(e)
        queries = []
        for name, d in load_dashboards().items():
            if next((v for v in d["templating"]["list"] if v["name"] == "datasource"), {}).get("query") == "loki":
                queries += logcontract.dashboard_queries(name, d, lambda e, d=d: substitute(e, dashboard_vars(d)))
        for page, text in sorted(runbooks.read_pages().items()):
            for i, expr in enumerate(runbooks.code_blocks(text, "logql"), 1):
                queries.append((f"docs/runbooks/{page} LogQL block {i}", expr))
        facts = logcontract.logql_facts([{"id": i, "expr": e} for i, e in queries])
        for e in logcontract.check_dashboard(queries, facts, pipeline, logs):
            err(e)
    except logcontract.ContractError as e:
        err(str(e))
        done("log contract")
    counts = ", ".join(f"{s} {len(lines)} JSON lines" for s, lines in logs.items())
    print(f"  services printed: {counts}")
    for extracted, (key, _) in sorted(pipeline.json_keys.items()):
        print(f"  stage.json reads {key!r:16} -> {extracted}: printed by {', '.join(logs)}")
    print(f"  Loki labels the pipeline sets: {', '.join(sorted(pipeline.labels))}")
    print(f"  structured metadata: {', '.join(sorted(pipeline.metadata))}")
    print(f"  {len(queries)} LogQL queries (the Logs dashboard's and the runbooks') parse and ask only for those")
    done("log contract (services -> Alloy config -> Logs dashboard)")


# ---------------------------------------------------------------------------------------------
# Alertmanager inhibition, on the real Alertmanager


def cmd_inhibition(args):
    base = args.url.rstrip("/")
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    def alert(name, severity, service, namespace="prod"):
        return {"labels": {"alertname": name, "severity": severity, "service": service, "namespace": namespace},
                "annotations": {"summary": "test"}, "startsAt": now}

    cases = [  # (alert, expected state)
        (alert("SLOAvailabilityBudgetBurn", "critical", "greeter"), "active"),
        (alert("SLOAvailabilityBudgetBurn", "warning", "greeter"), "suppressed"),    # same alert, critical wins
        (alert("SLOAvailabilityBudgetBurn", "warning", "timezones"), "active"),      # other service
        (alert("SLOAvailabilityBudgetBurn", "warning", "greeter", "dev"), "active"),  # other namespace
        (alert("ServicePodRestarting", "warning", "greeter"), "active"),             # other alert name
        (alert("ServiceTargetDown", "critical", "timezones", "dev"), "active"),
        (alert("SLOLatencyBudgetBurn", "critical", "timezones", "dev"), "suppressed"),  # blind SLO: all targets down
    ]
    body = json.dumps([c[0] for c in cases]).encode()
    req = urllib.request.Request(base + "/api/v2/alerts", data=body, headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=10).read()
    deadline = time.time() + 20
    while True:
        got = {tuple(sorted(a["labels"].items())): a["status"]["state"] for a in http_json(base + "/api/v2/alerts")}
        states = [got.get(tuple(sorted(c[0]["labels"].items()))) for c in cases]
        if states == [c[1] for c in cases] or time.time() > deadline:
            break
        time.sleep(0.5)
    for (a, want), state in zip(cases, states):
        lab = a["labels"]
        line = f"{lab['alertname']} {lab['severity']} {lab['namespace']}/{lab['service']}: {state}"
        if state != want:
            err(f"{line}, expected {want}")
        else:
            print(f"  {line}")
    done("Alertmanager inhibition")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("split-rendered")
    p.add_argument("rendered")
    p.add_argument("outdir")
    p = sub.add_parser("alertmanager")
    p.add_argument("--write", action="store_true", help="embed alertmanager.yaml into the values file")
    p.add_argument("--out", default=os.devnull)
    sub.add_parser("dashboards")
    for name in ("prometheus", "coverage", "inhibition"):
        sub.add_parser(name).add_argument("url")
    sub.add_parser("log-contract").add_argument("logdir")
    sub.add_parser("runbooks").add_argument("rendered")
    args = ap.parse_args()
    {"split-rendered": cmd_split_rendered, "alertmanager": cmd_alertmanager, "dashboards": cmd_dashboards,
     "prometheus": cmd_prometheus, "coverage": cmd_coverage, "log-contract": cmd_log_contract,
     "inhibition": cmd_inhibition, "runbooks": cmd_runbooks}[args.cmd](args)


if __name__ == "__main__":
    main()
