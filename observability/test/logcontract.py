"""The log contract between the services, the Alloy pipeline and the Logs dashboard.

No Alloy runs here (it is verified on a cluster only: docs/testing.md), so nothing here runs
or imitates its pipeline. What can be checked without it is the contract around it:
  1. every JSON key that loki.process's stage.json reads is a key the real services print
     (on every line when it becomes a label or the timestamp);
  2. the Loki labels the pipeline can set stay low-cardinality;
  3. the Logs dashboard's LogQL parses with Grafana's own grammar and asks only for labels the
     pipeline sets, structured metadata it attaches, and JSON fields the services print.
The Alloy configuration is read, not run: its syntax (blocks, attributes, literals) is small
enough to read here, and any stage or relabel action whose effect on labels is not known here
fails the check instead of being skipped.
"""
import json
import os
import re
import subprocess
from datetime import datetime

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ALLOY_VALUES = "observability/values/alloy.yaml"  # relative to the repository, for messages

# Labels of the Loki index: one stream per combination, so only values bounded by the number
# of services, versions and levels (the alloy.yaml header says the same). Per-request or per-pod
# values (request_id, pod, container, thread, filename, stream) belong in structured metadata.
LOW_CARDINALITY_LABELS = {"namespace", "app", "version", "track", "level", "service"}

# Labels a component adds by itself, per the components' reference docs:
# loki.source.file sets `filename`; stage.cri extracts `stream` and sets it as a label.
IMPLICIT_LABELS = {"loki.source.file": {"filename"}, "stage.cri": {"stream"}}

# Stages whose effect on labels and on the keys read from the line is known here.
KNOWN_STAGES = {
    "stage.cri", "stage.json", "stage.labels", "stage.structured_metadata", "stage.timestamp",
    "stage.label_drop", "stage.static_labels", "stage.drop",
}
RELABEL_SETS_TARGET = {"replace", "lowercase", "uppercase", "hashmod"}
RELABEL_NO_LABEL = {"keep", "drop", "keepequal", "dropequal"}


class ContractError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Reading the Alloy configuration (not running it)

_TOKEN = re.compile(
    r'\s+|//[^\n]*|/\*.*?\*/|"(?:[^"\\]|\\.)*"|`[^`]*`|[A-Za-z_][A-Za-z0-9_.]*|-?\d+(?:\.\d+)?|[{}\[\]()=,+]',
    re.S,
)


class _Reader:
    """Alloy syntax: a body is `name = expr` attributes and `name "label" { body }` blocks.
    Literal values (strings, numbers, bools, lists, objects) are kept; references and calls are
    kept as ("expr", text) since the contract needs none of their values."""

    def __init__(self, text):
        self.toks, self.i = [], 0
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m:
                raise ContractError(f"{ALLOY_VALUES}: cannot read the Alloy config near {text[pos:pos + 30]!r}")
            tok = m.group(0)
            if not (tok.isspace() or tok.startswith("//") or tok.startswith("/*")):
                self.toks.append(tok)
            pos = m.end()

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expected=None):
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise ContractError(f"{ALLOY_VALUES}: expected {expected!r} in the Alloy config, found {tok!r}")
        self.i += 1
        return tok

    def body(self, closing):
        items = []
        while self.peek() != closing:
            name = self.take()
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
        value = self.primary()
        while self.peek() == "+":
            self.take("+")
            right = self.primary()
            value = ("expr", f"{value} + {right}")
        return value

    def primary(self):
        tok = self.take()
        if tok.startswith('"'):
            return json.loads(tok)
        if tok.startswith("`"):
            return tok[1:-1]
        if tok in ("true", "false"):
            return tok == "true"
        if re.fullmatch(r"-?\d+(?:\.\d+)?", tok):
            return float(tok)
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
        if self.peek() == "(":
            self.take("(")
            while self.peek() != ")":
                self.expr()
                if self.peek() == ",":
                    self.take(",")
            self.take(")")
            return ("expr", f"{tok}(...)")
        return ("expr", tok)


def alloy_config_text(values_path):
    """The Alloy configuration embedded in the chart values (alloy.configMap.content)."""
    with open(values_path) as f:
        values = yaml.safe_load(f)
    try:
        return values["alloy"]["configMap"]["content"]
    except (KeyError, TypeError):
        raise ContractError(f"{ALLOY_VALUES}: no alloy.configMap.content (the Alloy config) found")


def parse_alloy(text):
    return _Reader(text).body(None)


def _attrs(body):
    return {item[1]: item[2] for item in body if item[0] == "attr"}


def _blocks(body, kind=None):
    return [item for item in body if item[0] == "block" and (kind is None or item[1] == kind)]


class Pipeline:
    """What the configured pipeline reads from a line and which labels it sets."""

    def __init__(self, config):
        self.json_keys = {}      # extracted name -> JSON key read by stage.json
        self.label_sources = {}  # Loki label -> extracted name it takes its value from
        self.metadata = {}       # structured metadata name -> extracted name (or label) it takes
        self.timestamp = None    # (extracted name, format)
        self.labels = set()      # every Loki label the pipeline can set
        processes = _blocks(config, "loki.process")
        if not processes:
            raise ContractError(f"{ALLOY_VALUES}: no loki.process component: the log lines would reach Loki unparsed")
        for _, kind, label, body in _blocks(config):
            self.labels |= IMPLICIT_LABELS.get(kind, set())
            if kind == "discovery.relabel":
                self._relabel(label, body)
        dropped = set()
        for _, _, label, body in processes:
            for _, stage, _, sbody in _blocks(body):
                where = f'loki.process "{label}" {stage}'
                if stage not in KNOWN_STAGES:
                    raise ContractError(
                        f"{ALLOY_VALUES}: {where}: check.py does not know which labels or keys this stage "
                        "uses; teach observability/test/logcontract.py before relying on it")
                a = _attrs(sbody)
                self.labels |= IMPLICIT_LABELS.get(stage, set())
                if stage == "stage.json":
                    for name, expression in a.get("expressions", {}).items():
                        self.json_keys[name] = (_jmespath_key(expression or name, where), where)
                elif stage == "stage.labels":
                    for name, source in a.get("values", {}).items():
                        self.label_sources[name] = source or name
                        self.labels.add(name)
                elif stage == "stage.static_labels":
                    self.labels |= set(a.get("values", {}))
                elif stage == "stage.structured_metadata":
                    self.metadata.update({k: v or k for k, v in a.get("values", {}).items()})
                elif stage == "stage.timestamp":
                    self.timestamp = (a.get("source"), a.get("format"))
                elif stage == "stage.label_drop":
                    dropped |= set(a.get("values", []))
        self.labels -= dropped

    def _relabel(self, label, body):
        for rule in _blocks(body, "rule"):
            a = _attrs(rule[3])
            action = a.get("action", "replace")
            if action in RELABEL_SETS_TARGET:
                target = a.get("target_label", "")
                if not target.startswith("__"):
                    self.labels.add(target)
            elif action not in RELABEL_NO_LABEL:
                raise ContractError(
                    f'{ALLOY_VALUES}: discovery.relabel "{label}": action {action!r} sets labels check.py cannot '
                    "name; teach observability/test/logcontract.py before relying on it")

    def where_read(self, extracted):
        key, where = self.json_keys[extracted]
        uses = [f"label {lbl}" for lbl, src in self.label_sources.items() if src == extracted]
        uses += [f"structured metadata {name}" for name, src in self.metadata.items() if src == extracted]
        if self.timestamp and self.timestamp[0] == extracted:
            uses.append("the entry's timestamp")
        return f"{ALLOY_VALUES} {where} reads JSON key {key!r} (as {extracted}; {', '.join(uses) or 'unused'})"


def _jmespath_key(expression, where):
    """stage.json's expressions are JMESPath; this contract supports plain or quoted field names."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", expression):
        return expression
    if re.fullmatch(r'"(?:[^"\\]|\\.)*"', expression):
        return json.loads(expression)
    raise ContractError(f"{ALLOY_VALUES}: {where}: JMESPath {expression!r} is more than a field name; "
                        "teach observability/test/logcontract.py to check it")


# ---------------------------------------------------------------------------------------------
# The services' real output


def read_service_logs(logdir, services):
    """{service: [dict per JSON line]}; a line that is not one JSON object is a contract error."""
    out, errors = {}, []
    for service in services:
        path = os.path.join(logdir, f"{service}.log")
        lines = []
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, raw in enumerate(f, 1):
                raw = raw.rstrip("\n")
                if not raw.strip():
                    continue
                try:
                    data = json.loads(raw)
                except json.JSONDecodeError:
                    data = None
                if not isinstance(data, dict):
                    errors.append(f"{service} printed a line that is not one JSON object (line {number}): {raw[:100]!r}")
                    continue
                lines.append(data)
        if not lines:
            errors.append(f"{service} printed no JSON log line to {path}")
        out[service] = lines
    return out, errors


def _rfc3339(value):
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
        return False
    try:
        datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", value).replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


def check_pipeline_reads(pipeline, logs):
    """Contract 1: every key stage.json reads is printed by every service; keys that become a
    label or the timestamp are on every line."""
    errors = []
    every_line = set(pipeline.label_sources.values())
    if pipeline.timestamp:
        every_line.add(pipeline.timestamp[0])
    for extracted, (key, _) in sorted(pipeline.json_keys.items()):
        for service, lines in logs.items():
            having = [line for line in lines if key in line]
            seen = sorted({k for line in lines for k in line})
            if not having:
                errors.append(f"{pipeline.where_read(extracted)}, but none of the {len(lines)} JSON lines "
                              f"{service} printed has it (keys it prints: {', '.join(seen)})")
            elif extracted in every_line and len(having) < len(lines):
                missing = next(line for line in lines if key not in line)
                errors.append(f"{pipeline.where_read(extracted)}, but {len(lines) - len(having)} of {service}'s "
                              f"{len(lines)} JSON lines lack it, e.g. {json.dumps(missing)[:160]}")
    if pipeline.timestamp:
        source, fmt = pipeline.timestamp
        if fmt != "RFC3339":
            errors.append(f"{ALLOY_VALUES}: stage.timestamp format {fmt!r}: only RFC3339 is checked here; "
                          "teach observability/test/logcontract.py")
        elif source in pipeline.json_keys:
            key = pipeline.json_keys[source][0]
            for service, lines in logs.items():
                bad = [line[key] for line in lines if key in line and not _rfc3339(line[key])]
                if bad:
                    errors.append(f"{pipeline.where_read(source)} as RFC3339, but {service} printed {bad[0]!r}")
        else:
            errors.append(f"{ALLOY_VALUES}: stage.timestamp reads {source!r}, which no stage.json extracts")
    for label, source in sorted(pipeline.label_sources.items()):
        if source not in pipeline.json_keys:
            errors.append(f"{ALLOY_VALUES}: stage.labels sets {label} from {source!r}, which no stage.json extracts")
    high = pipeline.labels - LOW_CARDINALITY_LABELS
    if high:
        errors.append(f"{ALLOY_VALUES}: the pipeline sets Loki labels {sorted(high)} outside the low-cardinality "
                      f"set {sorted(LOW_CARDINALITY_LABELS)}: per-request or per-pod values belong in "
                      "stage.structured_metadata (or stage.label_drop)")
    return errors


# ---------------------------------------------------------------------------------------------
# The Logs dashboard's LogQL


def logql_facts(queries, node="node"):
    """Parses [{"id", "expr"}] with Grafana's LogQL grammar (observability/test/logql.mjs)."""
    result = subprocess.run([node, os.path.join(HERE, "logql.mjs")], input=json.dumps(queries), text=True,
                            capture_output=True, cwd=HERE)
    if result.returncode != 0:
        raise ContractError(f"logql.mjs failed (run npm ci for @grafana/lezer-logql): {result.stderr.strip()}")
    return {f["id"]: f for f in json.loads(result.stdout)}


def dashboard_queries(name, dashboard, substitute):
    """(id, expr) of every LogQL in a Loki dashboard: panel targets and the variables' queries."""
    out = []
    for v in dashboard.get("templating", {}).get("list", []):
        q = v.get("query")
        if v.get("type") == "query" and isinstance(q, dict):
            where = f"{name} variable {v['name']}"
            if q.get("label"):
                # label_values(label) asks Loki for one label's values: checked as a selector on it
                out.append((f"{where} (label {q['label']})", "{" + q["label"] + '=~".+"}'))
            if q.get("stream"):
                out.append((f"{where} (stream)", substitute(q["stream"])))
    stack = list(dashboard.get("panels", []))
    while stack:
        p = stack.pop(0)
        stack[0:0] = p.get("panels", [])
        for t in p.get("targets", []):
            out.append((f"{name} panel {p.get('title')!r} {t.get('refId')}", substitute(t["expr"])))
    return out


def check_dashboard(queries, facts, pipeline, logs):
    """Contract 3: each query parses; it selects on labels the pipeline sets and filters on labels,
    structured metadata or (after `| json`) keys the services print."""
    errors = []
    printed = {}
    for lines in logs.values():
        for line in lines:
            for k, v in line.items():
                printed.setdefault(k, []).append(v)
    for qid, expr in queries:
        f = facts[qid]
        for e in f["errors"]:
            errors.append(f"{qid}: LogQL does not parse (Grafana's grammar): {e}\n    {expr}")
        for label in f["selectorLabels"]:
            if label not in pipeline.labels:
                errors.append(f"{qid}: stream selector uses label {label!r}, which {ALLOY_VALUES} does not set "
                              f"(labels it sets: {', '.join(sorted(pipeline.labels))})")
        known = pipeline.labels | set(pipeline.metadata)
        for label in f["filterLabels"]:
            if label not in known:
                errors.append(f"{qid}: filters on {label!r}, neither a label nor structured metadata of "
                              f"{ALLOY_VALUES} (add `| json` before it if it is a JSON field)")
        for label in f["parsedLabels"] + (f["groupingLabels"] if f["json"] else []):
            if label not in known and label not in printed:
                errors.append(f"{qid}: reads {label!r} after `| json`, but it is no label of {ALLOY_VALUES} and "
                              f"no JSON key the services print")
        for label in f["groupingLabels"] if not f["json"] else []:
            if label not in pipeline.labels:
                errors.append(f"{qid}: groups by {label!r}, which {ALLOY_VALUES} does not set as a label")
        for label in f["numberLabels"]:
            values = printed.get(label, [])
            if values and not all(_numeric(v) for v in values):
                bad = next(v for v in values if not _numeric(v))
                errors.append(f"{qid}: compares {label!r} as a number, but the services print {bad!r}")
    return errors


def _numeric(value):
    try:
        float(value)
        return not isinstance(value, bool)
    except (TypeError, ValueError):
        return False
