#!/usr/bin/env python3
"""Checks of observability/ for observability/test/run (Python 3.11 standard library only).

  check.py split-rendered RENDERED OUTDIR     PrometheusRule specs -> OUTDIR/<name>.yaml, ConfigMap checks
  check.py alertmanager [--write] --out FILE  the values-embedded Alertmanager config == alertmanager.yaml
  check.py dashboards                         dashboard JSON: uids, datasource variable, queries
  check.py prometheus URL                     every rule and dashboard query against a live Prometheus
  check.py alloy LOGDIR                       the Alloy pipeline applied to the services' real log lines
  check.py coverage URL                       every alert (and severity) has a firing and a quiet unit test
  check.py inhibition URL                     inhibition rules on a live Alertmanager

No YAML parser is available without pip, so YAML is read only where its shape is fixed (the
output of `kubectl kustomize`, marked blocks of our own values files); everything else goes
through the real engines (promtool, amtool, Prometheus' rules API).
"""
import argparse
import fnmatch
import glob
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

OBS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DASHBOARDS = os.path.join(OBS, "dashboards")
KPS_VALUES = os.path.join(OBS, "values", "kube-prometheus-stack.yaml")
AM_FILE = os.path.join(OBS, "alertmanager", "alertmanager.yaml")
ALLOY_VALUES = os.path.join(OBS, "values", "alloy.yaml")
RULE_TESTS = os.path.join(OBS, "test", "rules")

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
ALLOWED_LOG_LABELS = {"namespace", "app", "version", "track", "level", "service"}

errors = []


def err(msg):
    if msg not in errors:  # a broken stage fails every log line the same way: say it once
        print(f"  FAIL {msg}", file=sys.stderr)
    errors.append(msg)


def done(what):
    if errors:
        print(f"{what}: {len(errors)} problem(s)", file=sys.stderr)
        sys.exit(1)
    print(f"{what}: ok")


# ---------------------------------------------------------------------------------------------
# kubectl kustomize output


def split_docs(text):
    return [d for d in re.split(r"^---$", text, flags=re.M) if d.strip()]


def top_block(doc, key):
    """Lines of the top-level mapping `key:` of a kustomize-rendered document."""
    lines = doc.strip("\n").split("\n")
    try:
        start = lines.index(f"{key}:")
    except ValueError:
        return None
    out = []
    for line in lines[start + 1:]:
        if line and not line.startswith(" "):
            break
        out.append(line)
    return out


def sub_map(block, key, indent):
    """key: value pairs of the mapping `key:` found at `indent` spaces inside block."""
    out, inside = {}, False
    for line in block:
        if line == " " * indent + f"{key}:":
            inside = True
            continue
        if inside:
            m = re.match(r"^" + " " * (indent + 2) + r"([^ :][^:]*): (.*)$", line)
            if m:
                out[m.group(1)] = m.group(2).strip('"')
            elif not line.startswith(" " * (indent + 2)):
                break
    return out


def cmd_split_rendered(args):
    text = open(args.rendered).read()
    os.makedirs(args.outdir, exist_ok=True)
    if "RUNBOOK_BASE" in text:
        err("RUNBOOK_BASE left in the render: the kustomize replacement did not reach every runbook_url")
    rules, dashboards, base = [], [], None
    for doc in split_docs(text):
        kind = re.search(r"^kind: (\S+)$", doc, re.M).group(1)
        meta = top_block(doc, "metadata")
        name = re.search(r"^  name: (\S+)$", "\n".join(meta), re.M).group(1)
        ns = re.search(r"^  namespace: (\S+)$", "\n".join(meta), re.M)
        if not ns or ns.group(1) != "monitoring":
            err(f"{kind}/{name} is not in namespace monitoring")
        labels = sub_map(meta, "labels", 2)
        if kind == "PrometheusRule":
            if labels.get("release") != "kube-prometheus-stack":
                err(f"PrometheusRule/{name} lacks label release: kube-prometheus-stack (Prometheus would ignore it)")
            spec = top_block(doc, "spec")
            with open(os.path.join(args.outdir, f"{name}.yaml"), "w") as f:
                f.write("\n".join(line[2:] for line in spec) + "\n")
            rules.append(name)
        elif kind == "ConfigMap" and name.startswith("dashboard-"):
            if labels.get("grafana_dashboard") != "1":
                err(f"ConfigMap/{name} lacks label grafana_dashboard: \"1\" (the Grafana sidecar would ignore it)")
            keys = re.findall(r"^  (\S+\.json): \|", doc, re.M)
            if len(keys) != 1:
                err(f"ConfigMap/{name} should hold exactly one dashboard JSON, holds {keys}")
            dashboards.extend(keys)
        elif kind == "ConfigMap" and name == "observability-settings":
            base = sub_map(["data:"] + top_block(doc, "data"), "data", 0).get("runbookBase")
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


def cmd_alertmanager(args):
    values = open(KPS_VALUES).read().split("\n")
    starts = [i for i, line in enumerate(values) if line.startswith(BEGIN)]
    ends = [i for i, line in enumerate(values) if line == END]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        sys.exit(f"{KPS_VALUES}: expected one BEGIN/END pair of markers around alertmanager.config")
    body_start = starts[0] + 2  # the BEGIN comment spans two lines
    source = open(AM_FILE).read().rstrip("\n").split("\n")
    if args.write:
        values[body_start:ends[0]] = [("    " + line) if line else "" for line in source]
        with open(KPS_VALUES, "w") as f:
            f.write("\n".join(values))
        print(f"embedded {AM_FILE} into {KPS_VALUES}")
        return
    embedded = []
    for line in values[body_start:ends[0]]:
        if line and not line.startswith("    "):
            err(f"alertmanager.config line not indented by 4: {line!r}")
        embedded.append(line[4:])
    if embedded != source:
        err("alertmanager.config in values/kube-prometheus-stack.yaml differs from alertmanager/alertmanager.yaml; "
            "run `observability/test/check.py alertmanager --write`")
    if not any("api_url_file: /etc/alertmanager/secrets/alertmanager-slack/webhook-url" in line for line in embedded):
        err("the Slack receiver must read its URL from the mounted Secret alertmanager-slack (api_url_file)")
    if re.search(r"hooks\.slack\.com|api_url:", "\n".join(embedded)):
        err("a Slack webhook URL is written in the config: it belongs in the Secret alertmanager-slack")
    if not re.search(r"^      - alertmanager-slack$", "\n".join(values), re.M):
        err("alertmanager.alertmanagerSpec.secrets must list alertmanager-slack")
    with open(args.out, "w") as f:
        f.write("\n".join(embedded) + "\n")
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
                anchor = "#runbook-" + name.lower()
                if not ann.get("runbook_url", "").startswith("https://") or not ann.get("runbook_url", "").endswith(anchor):
                    err(f"alert {name}: runbook_url {ann.get('runbook_url')!r} is not <runbookBase>{anchor}")
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
            got = query(base, q)
            if not got.get("data", {}).get("result"):
                err(f"{fname}: variable {v['name']} has no values ({q}): {got.get('error', 'empty')}")
        for p in all_panels(d["panels"]):
            statuses = []
            for t in p.get("targets", []):
                expr = substitute(t["expr"], variables)
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
    done("Prometheus queries")


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
    for path in glob.glob(os.path.join(RULE_TESTS, "*.test.yaml")):
        lines = open(path).read().split("\n")
        alert = None
        for i, line in enumerate(lines):
            m = re.match(r"^\s+alertname: (\S+)$", line)
            if m:
                alert = m.group(1)
            if re.match(r"^\s+exp_alerts: \[\]$", line):
                quiet.add(alert)
            m = re.match(r"^\s+- exp_labels:", line)
            if m:
                block = line
                for nxt in lines[i + 1:i + 8]:
                    block += "\n" + nxt
                sev = re.search(r"severity: (\w+)", block)
                fired.setdefault(alert, set()).add(sev.group(1) if sev else None)
    for name, sevs in sorted(wanted.items()):
        missing = sevs - fired.get(name, set())
        if missing:
            err(f"alert {name}: no promtool test shows it firing with severity {sorted(missing)}")
        if name not in quiet:
            err(f"alert {name}: no promtool test shows it not firing (exp_alerts: [])")
        print(f"  {name:34s} fires as {sorted(fired.get(name, set()) & sevs)}, quiet case: {name in quiet}")
    done(f"alert test coverage ({len(wanted)} alerts)")


# ---------------------------------------------------------------------------------------------
# Alloy: a parser for the subset of the Alloy configuration syntax we use, and an emulation of
# exactly the components and stages configured. Any other stage makes the emulation fail, so
# the test cannot silently skip a stage someone adds.

TOKEN = re.compile(r'\s+|//[^\n]*|/\*.*?\*/|"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_.]*|-?\d+(?:\.\d+)?|[{}\[\]()=,+]', re.S)


def tokenize(text):
    pos, out = 0, []
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise SyntaxError(f"alloy config: unexpected {text[pos:pos + 20]!r}")
        tok = m.group(0)
        if not (tok.isspace() or tok.startswith("//") or tok.startswith("/*")):
            out.append(tok)
        pos = m.end()
    return out


class AlloyParser:
    def __init__(self, text):
        self.toks, self.i = tokenize(text), 0

    def peek(self, k=0):
        return self.toks[self.i + k] if self.i + k < len(self.toks) else None

    def take(self, expected=None):
        tok = self.peek()
        if expected is not None and tok != expected:
            raise SyntaxError(f"alloy config: expected {expected!r}, got {tok!r} near token {self.i}")
        self.i += 1
        return tok

    def body(self, closing):
        items = []
        while self.peek() != closing:
            name = self.take()
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name or ""):
                raise SyntaxError(f"alloy config: expected an identifier, got {name!r}")
            if self.peek() == "=":
                self.take("=")
                items.append(("attr", name, self.expr()))
            else:
                label = json.loads(self.take()) if (self.peek() or "").startswith('"') else None
                self.take("{")
                items.append(("block", name, label, self.body("}")))
                self.take("}")
        return items

    def expr(self):
        parts = [self.primary()]
        while self.peek() == "+":
            self.take("+")
            parts.append(self.primary())
        return parts[0] if len(parts) == 1 else ("concat", parts)

    def primary(self):
        tok = self.take()
        if tok.startswith('"'):
            return json.loads(tok)
        if tok == "[":
            items = []
            while self.peek() != "]":
                items.append(self.expr())
                if self.peek() == ",":
                    self.take(",")
            self.take("]")
            return items
        if tok == "{":
            obj = {}
            while self.peek() != "}":
                key = self.take()
                key = json.loads(key) if key.startswith('"') else key
                self.take("=")
                obj[key] = self.expr()
                if self.peek() == ",":
                    self.take(",")
            self.take("}")
            return obj
        if tok in ("true", "false"):
            return tok == "true"
        if re.fullmatch(r"-?\d+(?:\.\d+)?", tok):
            return float(tok)
        if self.peek() == "(":
            self.take("(")
            call_args = []
            while self.peek() != ")":
                call_args.append(self.expr())
                if self.peek() == ",":
                    self.take(",")
            self.take(")")
            return ("call", tok, call_args)
        return ("ref", tok)


def alloy_config():
    lines = open(ALLOY_VALUES).read().split("\n")
    start = lines.index("    content: |-")
    body = []
    for line in lines[start + 1:]:
        if line and not line.startswith("      "):
            break
        body.append(line[6:])
    return AlloyParser("\n".join(body)).body(None)


def component(config, kind, label):
    for item in config:
        if item[0] == "block" and item[1] == kind and item[2] == label:
            return item[3]
    raise KeyError(f"alloy config has no {kind} \"{label}\"")


def attrs(body):
    return {i[1]: i[2] for i in body if i[0] == "attr"}


def go_regex(rx):
    return rx.replace("(?P<", "(?P<")  # RE2 and Python agree on the syntax we use


def relabel(rules, labels):
    labels = dict(labels)
    for rule in rules:
        a = attrs(rule)
        action = a.get("action", "replace")
        value = a.get("separator", ";").join(labels.get(s, "") for s in a.get("source_labels", []))
        m = re.fullmatch(go_regex(a.get("regex", "(.*)")), value)
        if action == "replace":
            if m:
                new = re.sub(r"\$\{?(\d+)\}?", lambda g: m.group(int(g.group(1))) or "", a.get("replacement", "$1"))
                if new:
                    labels[a["target_label"]] = new
                else:
                    labels.pop(a["target_label"], None)
        elif action == "keep":
            if not m:
                return None
        elif action == "drop":
            if m:
                return None
        else:
            raise NotImplementedError(f"relabel action {action} is not emulated")
    return labels


def jmes(data, expression):
    """The JMESPath subset stage.json needs here: a field name, plain or quoted."""
    if re.fullmatch(r'"(?:[^"\\]|\\.)*"', expression):
        expression = json.loads(expression)
    elif not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", expression):
        raise NotImplementedError(f"JMESPath expression {expression!r} is not emulated")
    return data.get(expression)


RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def run_process(stages, labels, line):
    """One entry through loki.process. Returns (labels, structured_metadata, line, notes)."""
    labels = dict(labels)
    extracted = dict(labels)  # the extracted map starts with the entry's labels
    metadata, notes = {}, []
    for stage in stages:
        if stage[0] != "block":
            continue
        kind, body = stage[1], stage[3]
        a = attrs(body)
        if kind == "stage.cri":
            m = re.fullmatch(r"(?s)(\S+?) (stdout|stderr) (\S+?) (.*)", line)
            if m:
                extracted.update(time=m.group(1), stream=m.group(2), flags=m.group(3), content=m.group(4))
                labels["stream"] = m.group(2)
                line = m.group(4)
            else:
                notes.append("cri: not a CRI line")
        elif kind == "stage.json":
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                notes.append("json: not JSON")
                continue
            if not isinstance(data, dict):
                notes.append("json: not an object")
                continue
            for name, expression in a.get("expressions", {}).items():
                value = jmes(data, expression or name)
                if value is not None:
                    extracted[name] = value
        elif kind in ("stage.labels", "stage.structured_metadata"):
            target = labels if kind == "stage.labels" else metadata
            for name, source in a.get("values", {}).items():
                value = extracted.get(source or name)
                if value is not None:
                    target[name] = value if isinstance(value, str) else json.dumps(value)
        elif kind == "stage.timestamp":
            value = extracted.get(a["source"])
            if value is not None:
                if a.get("format") != "RFC3339":
                    raise NotImplementedError(f"timestamp format {a.get('format')} is not emulated")
                if not RFC3339.match(str(value)):
                    notes.append(f"timestamp: {value!r} is not RFC3339")
                else:
                    notes.append("timestamp: parsed")
        elif kind == "stage.label_drop":
            for name in a.get("values", []):
                labels.pop(name, None)
        else:
            raise NotImplementedError(f"{kind} is not emulated: extend check.py before using it")
    return labels, metadata, line, notes


def pod_target(namespace, app, version, track, container, uid, phase="Running", name_label="jvm-service"):
    meta = {
        "__address__": "10.0.0.7:8080",
        "__meta_kubernetes_namespace": namespace,
        "__meta_kubernetes_pod_name": f"{app}-6d4f9c7b8-x2x4q",
        "__meta_kubernetes_pod_uid": uid,
        "__meta_kubernetes_pod_phase": phase,
        "__meta_kubernetes_pod_container_name": container,
        "__meta_kubernetes_pod_label_app_kubernetes_io_name": name_label,
    }
    if app:
        meta["__meta_kubernetes_pod_label_app"] = app
    if version:
        meta["__meta_kubernetes_pod_label_version"] = version
    if track:
        meta["__meta_kubernetes_pod_label_track"] = track
    return meta


def cmd_alloy(args):
    config = alloy_config()
    kinds = [f"{i[1]}.{i[2]}" for i in config if i[0] == "block"]
    print(f"  alloy components: {', '.join(kinds)}")
    rules = [i[3] for i in component(config, "discovery.relabel", "pods") if i[0] == "block" and i[1] == "rule"]
    stages = component(config, "loki.process", "pods")
    ts = "2026-01-01T00:00:00.000000000Z"

    # discovery.relabel on the pods the chart creates (and two it must treat differently)
    finished = relabel(rules, pod_target("dev", "greeter", "0a1b2c3d", "stable", "app", "1111", phase="Succeeded"))
    if finished is not None:
        err("relabel: a Succeeded pod is not dropped")
    other = relabel(rules, pod_target("monitoring", None, None, None, "grafana", "2222", name_label="grafana"))
    if other is None or other.get("app") != "grafana":
        err(f"relabel: a pod without an `app` label should take app from app.kubernetes.io/name: {other}")

    streams, lines_in, lines_json, access = set(), 0, 0, 0
    json_keys = {}
    for app in ("greeter", "timezones"):
        path = os.path.join(args.logdir, f"{app}.log")
        target = relabel(rules, pod_target("dev", app, "0a1b2c3d", "canary" if app == "timezones" else "stable",
                                           app, f"uid-{app}"))  # the chart names the container after the release
        if target is None:
            err(f"relabel dropped the {app} pod")
            continue
        kubelet_path = f"/var/log/pods/dev_{app}-6d4f9c7b8-x2x4q_uid-{app}/{app}/0.log"
        if not fnmatch.fnmatch(kubelet_path, target.get("__path__", "")):
            err(f"relabel: __path__ {target.get('__path__')!r} does not match the kubelet's {kubelet_path}")
        # loki.source.file: public labels plus the file name
        entry_labels = {k: v for k, v in target.items() if not k.startswith("__")}
        entry_labels["filename"] = kubelet_path
        for raw in open(path, encoding="utf-8", errors="replace"):
            raw = raw.rstrip("\n")
            if not raw.strip():
                continue
            lines_in += 1
            labels, metadata, line, notes = run_process(stages, entry_labels, f"{ts} stdout F {raw}")
            if line != raw:
                err(f"{app}: the line changed in the pipeline: {raw[:80]!r}")
            extra = set(labels) - ALLOWED_LOG_LABELS
            if extra:
                err(f"{app}: labels outside the allowed low-cardinality set: {sorted(extra)}")
            for key in ("namespace", "app", "version", "track"):
                if labels.get(key) != entry_labels.get(key):
                    err(f"{app}: label {key} is {labels.get(key)!r}, pod label says {entry_labels.get(key)!r}")
            if not raw.startswith("{"):
                print(f"  note: {app} printed a non-JSON line (kept, without level): {raw[:70]!r}")
                continue
            try:
                data = json.loads(raw)
            except json.JSONDecodeError as e:
                err(f"{app}: a line that starts with '{{' is not one JSON object ({e}): {raw[:100]!r}")
                continue
            lines_json += 1
            for k, v in data.items():
                json_keys.setdefault(k, type(v).__name__)
            if labels.get("level") != data.get("level") or labels.get("service") != data.get("service"):
                err(f"{app}: level/service labels {labels.get('level')}/{labels.get('service')} "
                    f"do not match the line's {data.get('level')}/{data.get('service')}")
            if labels.get("service") != labels.get("app"):
                err(f"{app}: service label {labels.get('service')!r} differs from the app pod label")
            if labels.get("level") not in ("TRACE", "DEBUG", "INFO", "WARN", "ERROR"):
                err(f"{app}: unexpected level {labels.get('level')!r}")
            if "timestamp: parsed" not in notes:
                err(f"{app}: @timestamp not parsed as RFC3339: {notes}")
            for key in ("pod", "container"):
                if metadata.get(key) != entry_labels.get(key):
                    err(f"{app}: structured metadata {key} missing")
            if data.get("logger_name") == "http.request":
                access += 1
                if metadata.get("request_id") != data.get("request_id"):
                    err(f"{app}: access line's request_id not in structured metadata: {raw[:100]!r}")
            streams.add(tuple(sorted(labels.items())))
    if lines_json == 0 or access == 0:
        err(f"too few log lines to judge: {lines_json} JSON lines, {access} access lines")
    print(f"  {lines_in} real log lines through the pipeline: {lines_json} JSON ({access} access log), "
          f"{len(streams)} Loki streams")
    for s in sorted(streams):
        print("    stream {" + ", ".join(f'{k}="{v}"' for k, v in s) + "}")

    # the Logs dashboard asks only for labels that exist and JSON fields the services print
    label_names = {k for s in streams for k, _ in s}
    logs = load_dashboards().get("logs.json")
    for v in logs["templating"]["list"]:
        q = v.get("query")
        if isinstance(q, dict):
            for name in [q.get("label")] + re.findall(r"(\w+)\s*=~?", q.get("stream", "")):
                if name not in label_names:
                    err(f"logs.json: variable {v['name']} uses label {name!r}, which Alloy does not set")
    for p in all_panels(logs["panels"]):
        for t in p["targets"]:
            expr = t["expr"]
            for selector in re.findall(r"\{([^}]*)\}", expr):
                for name in re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", selector):
                    if name not in label_names:
                        err(f"logs.json {p['title']!r}: stream selector label {name!r} is not set by Alloy")
            if "| json" in expr:
                after = expr.split("| json", 1)[1]
                fields = re.findall(r"\|\s*(\w+)\s*(?:=~|!~|!=|==|=|>=|<=|>|<)", after)
                grouped = re.findall(r"by \(([^)]*)\)", expr)
                fields += [f.strip() for g in grouped for f in g.split(",")]
                for f in fields:
                    if f not in json_keys and f not in label_names:
                        err(f"logs.json {p['title']!r}: field {f!r} is neither a label nor a JSON field the services print")
                for f in re.findall(r"\|\s*(\w+)\s*(?:>=|<=|>|<)", after):
                    if json_keys.get(f) not in ("int", "float"):
                        err(f"logs.json {p['title']!r}: {f!r} compared as a number but printed as {json_keys.get(f)}")
    done("alloy pipeline and logs dashboard")


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
    p = sub.add_parser("prometheus")
    p.add_argument("url")
    p = sub.add_parser("coverage")
    p.add_argument("url")
    p = sub.add_parser("inhibition")
    p.add_argument("url")
    p = sub.add_parser("alloy")
    p.add_argument("logdir")
    args = ap.parse_args()
    {"split-rendered": cmd_split_rendered, "alertmanager": cmd_alertmanager, "dashboards": cmd_dashboards,
     "prometheus": cmd_prometheus, "coverage": cmd_coverage, "alloy": cmd_alloy,
     "inhibition": cmd_inhibition}[args.cmd](args)


if __name__ == "__main__":
    main()
