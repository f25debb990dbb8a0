"""The runbooks check fails on each way the alerts and their pages can drift apart
(python3 -m unittest, run by run after the check itself has passed on the real rules and pages).

Each test starts from a consistent set (two alerts, their pages, the index) and breaks one side
the way a change could: a new alert without a page, a page left behind by a renamed alert, a
runbook_url still pointing at a README heading, a fork's base with a trailing slash.
"""
import unittest

import runbooks

BASE = "https://gitlab.example/group/project/-/blob/main/docs/runbooks"
SECTIONS = "\n".join(f"{s}\n\ntext\n" for s in runbooks.SECTIONS)


def page(name, extra=""):
    return f"# {name}\n\n{SECTIONS}\n{extra}"


def consistent():
    alerts = {"ServiceTargetDown": [f"{BASE}/ServiceTargetDown.md", f"{BASE}/ServiceTargetDown.md"],
              "SLOLatencyBudgetBurn": [f"{BASE}/SLOLatencyBudgetBurn.md"]}
    pages = {"README.md": "- [ServiceTargetDown](ServiceTargetDown.md)\n- [SLOLatencyBudgetBurn](SLOLatencyBudgetBurn.md)\n",
             "ServiceTargetDown.md": page("ServiceTargetDown", "See [the page](../observability.md#slos-and-alerts)."),
             "SLOLatencyBudgetBurn.md": page("SLOLatencyBudgetBurn", "[next](ServiceTargetDown.md)")}
    return alerts, pages


def problems(alerts, pages, base=BASE):
    return runbooks.problems(alerts, base, pages)


class Runbooks(unittest.TestCase):
    def test_a_consistent_set_passes(self):
        self.assertEqual(problems(*consistent()), [])

    def test_an_alert_without_a_page_fails(self):
        alerts, pages = consistent()
        del pages["SLOLatencyBudgetBurn.md"]
        got = problems(alerts, pages)
        self.assertIn("alert SLOLatencyBudgetBurn has no runbook page: write docs/runbooks/SLOLatencyBudgetBurn.md "
                      "(sections: What fires it, What to look at first, How to mitigate)", got)

    def test_a_page_of_no_alert_fails(self):
        alerts, pages = consistent()
        pages["ServiceTargetMissing.md"] = page("ServiceTargetMissing")
        got = problems(alerts, pages)
        self.assertEqual(len(got), 1, got)
        self.assertTrue(got[0].startswith("docs/runbooks/ServiceTargetMissing.md is the runbook of no alert"), got)

    def test_a_url_that_is_not_base_plus_page_fails_even_on_one_rule_of_two(self):
        alerts, pages = consistent()
        alerts["ServiceTargetDown"][1] = BASE.replace("docs/runbooks", "README.md") + "#runbook-servicetargetdown"
        got = problems(alerts, pages)
        self.assertEqual(len(got), 1, got)
        self.assertIn("alert ServiceTargetDown: runbook_url", got[0])
        self.assertIn("write `runbook_url: RUNBOOK_BASE/ServiceTargetDown.md`", got[0])

    def test_a_url_of_another_alerts_page_fails(self):
        alerts, pages = consistent()
        alerts["SLOLatencyBudgetBurn"] = [f"{BASE}/ServiceTargetDown.md"]
        self.assertIn("alert SLOLatencyBudgetBurn: runbook_url", problems(alerts, pages)[0])

    def test_a_base_with_a_trailing_slash_or_anchor_fails(self):
        alerts, pages = consistent()
        for base in (BASE + "/", BASE + "#", "http://insecure.example/runbooks", None):
            got = problems({k: [f"{base}/{k}.md"] for k in alerts}, pages, base=base)
            self.assertTrue(got and got[0].startswith("runbookBase"), (base, got))

    def test_a_page_without_a_section_or_its_title_fails(self):
        alerts, pages = consistent()
        pages["ServiceTargetDown.md"] = pages["ServiceTargetDown.md"].replace("## How to mitigate", "## Mitigation")
        pages["SLOLatencyBudgetBurn.md"] = pages["SLOLatencyBudgetBurn.md"].replace("# SLOLatencyBudgetBurn", "# Latency")
        got = problems(alerts, pages)
        self.assertIn("docs/runbooks/ServiceTargetDown.md: no section '## How to mitigate'", got)
        self.assertIn("docs/runbooks/SLOLatencyBudgetBurn.md: the first line must be the title '# SLOLatencyBudgetBurn'",
                      got)

    def test_an_index_that_misses_a_page_fails(self):
        alerts, pages = consistent()
        pages["README.md"] = "- [ServiceTargetDown](ServiceTargetDown.md)\n"
        self.assertEqual(problems(alerts, pages), ["docs/runbooks/README.md does not link SLOLatencyBudgetBurn.md"])

    def test_code_blocks_are_found_by_language(self):
        text = "x\n```promql\nsum(up)\n```\n\n```logql\n{app=\"greeter\"}\n```\n```bash\nkubectl get pods\n```\n"
        self.assertEqual(runbooks.code_blocks(text, "promql"), ["sum(up)"])
        self.assertEqual(runbooks.code_blocks(text, "logql"), ['{app="greeter"}'])
        in_a_list = "1. First:\n\n   ```promql\n   sum by (route) (\n     up)\n   ```\n"
        self.assertEqual(runbooks.code_blocks(in_a_list, "promql"), ["sum by (route) (\n  up)"])


if __name__ == "__main__":
    unittest.main()
