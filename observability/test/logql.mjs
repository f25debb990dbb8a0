// Reads LogQL queries with Grafana's own LogQL grammar (@grafana/lezer-logql, the parser of
// Grafana's Loki query editor) and prints what each one asks of Loki, for check.py's log contract.
//
//   stdin:  [{"id": "...", "expr": "..."}]      (Grafana variables already substituted)
//   stdout: [{"id", "errors": ["..."], "selectorLabels": [...], "json": bool,
//             "filterLabels": [...], "parsedLabels": [...], "numberLabels": [...],
//             "groupingLabels": [...]}]
//
// selectorLabels: names in the stream selector {a="x"} (must be Loki labels, set by Alloy).
// filterLabels: names in label filters before any `| json` (stream labels or structured
// metadata); parsedLabels: names in label filters after `| json`, which may also be JSON fields
// of the line. numberLabels: names compared as numbers. groupingLabels: names in `by (...)`.
import { readFileSync } from "node:fs";
import { parser } from "@grafana/lezer-logql";

function identifierOf(node) {
  return node.getChild("Identifier");
}

function facts(expr) {
  const tree = parser.parse(expr);
  const out = {
    errors: [],
    selectorLabels: [],
    json: false,
    filterLabels: [],
    parsedLabels: [],
    numberLabels: [],
    groupingLabels: [],
  };
  const text = (n) => expr.slice(n.from, n.to);
  // the tree is walked in text order, so a filter seen after the Json node follows `| json`
  const filtered = (name) => (out.json ? out.parsedLabels : out.filterLabels).push(name);
  tree.iterate({
    enter(ref) {
      const node = ref.node;
      if (ref.type.isError) {
        out.errors.push(`syntax error at ${ref.from}: ${JSON.stringify(expr.slice(ref.from, ref.from + 20))}`);
        return;
      }
      const parent = node.parent ? node.parent.name : "";
      switch (ref.name) {
        case "Json":
          out.json = true;
          break;
        case "Matcher": {
          const id = identifierOf(node);
          if (!id) break;
          // A Matcher directly under a Selector's Matchers is a stream selector; under a
          // LabelFilter it filters the extracted labels.
          if (parent === "Matchers") out.selectorLabels.push(text(id));
          else filtered(text(id));
          break;
        }
        case "NumberFilter":
        case "DurationFilter":
        case "BytesFilter": {
          const id = identifierOf(node);
          if (id) {
            filtered(text(id));
            if (ref.name === "NumberFilter") out.numberLabels.push(text(id));
          }
          break;
        }
        case "Identifier":
          for (let up = node.parent; up; up = up.parent) {
            if (up.name === "Grouping") {
              out.groupingLabels.push(text(node));
              break;
            }
          }
          break;
        default:
      }
    },
  });
  return out;
}

const queries = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(queries.map((q) => ({ id: q.id, ...facts(q.expr) }))) + "\n");
