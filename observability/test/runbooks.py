"""The runbooks contract: alerts <-> docs/runbooks/ pages <-> runbook_url.

  - every alert of observability/rules has a page docs/runbooks/<AlertName>.md, and every page
    there (but the index, README.md) belongs to an alert;
  - every alert's runbook_url, as `kubectl kustomize observability` renders it, is
    <runbookBase>/<AlertName>.md, runbookBase being the one URL a fork sets
    (observability/kustomization.yaml, ConfigMap observability-settings);
  - each page has the three sections a reader looks for, its title is the alert's name, the
    index links every page. That every relative link of a page resolves (anchors too) is checked
    for every Markdown file of the repository at once: scripts/test/doc-links.bats.
The PromQL and LogQL blocks of the pages (```promql, ```logql) are handed to the engines by
check.py: Prometheus parses each query and knows each metric it reads; the LogQL goes through
the log contract like the Logs dashboard's queries.
"""
import os
import re
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RUNBOOKS = os.path.join(ROOT, "docs", "runbooks")
RUNBOOKS_REL = "docs/runbooks"  # for messages
INDEX = "README.md"
SECTIONS = ("## What fires it", "## What to look at first", "## How to mitigate")

_LINK = re.compile(r"\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^[ \t]*```(\w*)\n(.*?)^[ \t]*```", re.S | re.M)  # also inside list items


def alerts_of(rendered_docs):
    """{alert name: [runbook_url of each rule with that name]} of the rendered PrometheusRules."""
    out = {}
    for doc in rendered_docs:
        if not doc or doc.get("kind") != "PrometheusRule":
            continue
        for group in doc["spec"]["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    out.setdefault(rule["alert"], []).append(rule.get("annotations", {}).get("runbook_url", ""))
    return out


def read_pages(directory=RUNBOOKS):
    """{file name: text} of the Markdown files in directory (none when it does not exist)."""
    if not os.path.isdir(directory):
        return {}
    out = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".md"):
            with open(os.path.join(directory, name)) as f:
                out[name] = f.read()
    return out


def code_blocks(text, lang):
    """The bodies of the fenced blocks of a language (```promql ... ```)."""
    return [textwrap.dedent(body).strip() for fence_lang, body in _FENCE.findall(text) if fence_lang == lang]


def relative_links(text):
    """Link targets of a page that point into the repository (no scheme, not an anchor alone)."""
    for target in _LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue
        yield target


def problems(alerts, base, pages):
    """Every way the alerts, their runbook URLs and the pages disagree, one message each."""
    out = []
    if not base or not base.startswith("https://") or base.endswith("/") or "#" in base:
        out.append(f"runbookBase {base!r} must be an https URL of the folder holding the pages, without a "
                   f"trailing '/' or '#' (observability/kustomization.yaml, ConfigMap observability-settings)")
    for name, urls in sorted(alerts.items()):
        want = f"{base}/{name}.md"
        for url in sorted(set(urls)):
            if url != want:
                out.append(f"alert {name}: runbook_url {url!r} is not <runbookBase>/{name}.md ({want!r}); "
                           f"write `runbook_url: RUNBOOK_BASE/{name}.md` in its rule")
        if f"{name}.md" not in pages:
            out.append(f"alert {name} has no runbook page: write {RUNBOOKS_REL}/{name}.md "
                       f"(sections: {', '.join(s[3:] for s in SECTIONS)})")
    for page, text in sorted(pages.items()):
        if page == INDEX:
            continue
        name = page[:-len(".md")]
        if name not in alerts:
            out.append(f"{RUNBOOKS_REL}/{page} is the runbook of no alert: no rule in observability/rules "
                       f"has `alert: {name}` (rename the page after its alert, or delete it)")
            continue
        lines = text.splitlines()
        if not lines or lines[0].strip() != f"# {name}":
            out.append(f"{RUNBOOKS_REL}/{page}: the first line must be the title '# {name}'")
        for section in SECTIONS:
            if section not in lines:
                out.append(f"{RUNBOOKS_REL}/{page}: no section '{section}'")
    index = pages.get(INDEX)
    if index is None:
        out.append(f"{RUNBOOKS_REL}/{INDEX} (the index of the runbooks) is missing")
    else:
        linked = {t.split("#")[0] for t in relative_links(index)}
        for name in sorted(alerts):
            if f"{name}.md" not in linked:
                out.append(f"{RUNBOOKS_REL}/{INDEX} does not link {name}.md")
    return out
