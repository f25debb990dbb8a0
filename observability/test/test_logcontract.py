"""The log contract check fails when any side of it breaks (python3 -m unittest, run by run
after the check itself has passed on the real log lines).

Each test takes the real observability/values/alloy.yaml and logs.json, breaks one side the
way a change could (a renamed JSON key, a per-request label, a dashboard asking for a label
Alloy drops) and asserts that the check names the broken key and where it is read.
"""
import copy
import json
import os
import tempfile
import unittest

import logcontract

OBS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALLOY_TEXT = logcontract.alloy_config_text(os.path.join(OBS, "values", "alloy.yaml"))
with open(os.path.join(OBS, "dashboards", "logs.json")) as f:
    LOGS_DASHBOARD = json.load(f)

# One application line and one access line, with the keys the services print today.
APP_LINE = {"@timestamp": "2026-01-01T00:00:00.123456789Z", "message": "Started", "logger_name": "org.x.Server",
            "thread_name": "main", "level": "INFO", "service": "greeter", "version": "1"}
ACCESS_LINE = {"@timestamp": "2026-01-01T00:00:00.123Z", "level": "INFO", "logger_name": "http.request",
               "service": "greeter", "version": "1", "message": "GET / 200", "method": "GET", "uri": "/",
               "status_code": 200, "elapsed_time": 12, "request_id": "0b6c"}


def pipeline(text=ALLOY_TEXT):
    return logcontract.Pipeline(logcontract.parse_alloy(text))


def logs(*lines):
    return {"greeter": [dict(line) for line in lines], "timezones": [dict(line) for line in lines]}


def dashboard_errors(dashboard, lines, text=ALLOY_TEXT):
    queries = logcontract.dashboard_queries("logs.json", dashboard, lambda e: e.replace("$__interval", "1m"))
    facts = logcontract.logql_facts([{"id": i, "expr": e} for i, e in queries])
    return logcontract.check_dashboard(queries, facts, pipeline(text), lines)


class PipelineReads(unittest.TestCase):
    def test_a_key_no_service_prints_is_named_with_the_stage_that_reads_it(self):
        renamed = {k: v for k, v in ACCESS_LINE.items() if k != "request_id"} | {"requestId": "0b6c"}
        errors = logcontract.check_pipeline_reads(pipeline(), logs(APP_LINE, renamed))
        named = [e for e in errors if "observability/values/alloy.yaml" in e and "stage.json reads JSON key 'request_id'" in e]
        self.assertEqual(len(named), 2, errors)  # once per service
        self.assertIn("requestId", named[0])  # the keys it does print, to spot the rename

    def test_a_label_key_missing_on_some_lines_fails(self):
        no_level = {k: v for k, v in APP_LINE.items() if k != "level"}
        errors = logcontract.check_pipeline_reads(pipeline(), logs(no_level, ACCESS_LINE))
        self.assertTrue(any("'level'" in e and "label level" in e and "lack it" in e for e in errors), errors)

    def test_a_timestamp_alloy_cannot_parse_fails(self):
        local_time = dict(APP_LINE, **{"@timestamp": "2026-01-01 00:00:00,123"})
        errors = logcontract.check_pipeline_reads(pipeline(), logs(local_time, ACCESS_LINE))
        self.assertTrue(any("'@timestamp'" in e and "RFC3339" in e for e in errors), errors)

    def test_a_per_request_label_fails(self):
        text = ALLOY_TEXT.replace("level   = \"\",", "level   = \"\",\n            request_id = \"\",", 1)
        self.assertNotEqual(text, ALLOY_TEXT)
        errors = logcontract.check_pipeline_reads(pipeline(text), logs(APP_LINE, ACCESS_LINE))
        self.assertTrue(any("['request_id']" in e and "low-cardinality" in e for e in errors), errors)

    def test_a_stage_the_check_does_not_know_stops_it(self):
        text = ALLOY_TEXT.replace("stage.cri {}", "stage.cri {}\n        stage.logfmt { mapping = { x = \"\" } }")
        with self.assertRaisesRegex(logcontract.ContractError, "stage.logfmt"):
            pipeline(text)

    def test_a_line_that_is_not_json_fails(self):
        with tempfile.TemporaryDirectory() as d:
            for s in ("greeter", "timezones"):
                with open(os.path.join(d, f"{s}.log"), "w") as f:
                    f.write(json.dumps(APP_LINE) + "\nException in thread main\n")
            _, errors = logcontract.read_service_logs(d, ("greeter", "timezones"))
        self.assertEqual(len(errors), 2, errors)
        self.assertIn("Exception in thread main", errors[0])


class LogsDashboard(unittest.TestCase):
    def test_a_selector_on_a_label_alloy_drops_fails(self):
        broken = copy.deepcopy(LOGS_DASHBOARD)
        broken["panels"][0]["targets"][0]["expr"] = '{namespace="$namespace", pod=~".+"}'
        errors = dashboard_errors(broken, logs(APP_LINE, ACCESS_LINE))
        self.assertTrue(any("label 'pod'" in e for e in errors), errors)

    def test_a_json_field_no_service_prints_fails(self):
        broken = json.loads(json.dumps(LOGS_DASHBOARD).replace("status_code", "http_status"))
        errors = dashboard_errors(broken, logs(APP_LINE, ACCESS_LINE))
        self.assertTrue(any("'http_status'" in e for e in errors), errors)

    def test_a_renamed_key_breaks_the_dashboard_too(self):
        renamed = {k: v for k, v in ACCESS_LINE.items() if k != "elapsed_time"} | {"elapsed_ms": 12}
        errors = dashboard_errors(LOGS_DASHBOARD, logs(APP_LINE, renamed))
        self.assertTrue(any("'elapsed_time'" in e for e in errors), errors)

    def test_a_number_filter_on_a_string_fails(self):
        as_text = dict(ACCESS_LINE, elapsed_time="12 ms")
        errors = dashboard_errors(LOGS_DASHBOARD, logs(APP_LINE, as_text))
        self.assertTrue(any("'elapsed_time' as a number" in e for e in errors), errors)

    def test_a_query_grafana_cannot_parse_fails(self):
        broken = copy.deepcopy(LOGS_DASHBOARD)
        broken["panels"][-1]["targets"][0]["expr"] = '{namespace="$namespace" | json'
        errors = dashboard_errors(broken, logs(APP_LINE, ACCESS_LINE))
        self.assertTrue(any("does not parse" in e for e in errors), errors)


if __name__ == "__main__":
    unittest.main()
