#!/usr/bin/env python3
"""Draws a Grafana dashboard as a picture of its panel grid, from the dashboard's own queries
evaluated by a Prometheus over its HTTP API. Grafana does not run here: this is not a Grafana
rendering, and the picture says so.

  draw.py --dashboard observability/dashboards/service-red.json --prometheus http://127.0.0.1:9090 \\
      --start 1767225600 --end 1767225780 --out docs/images/service-red.png

What it does, as Grafana would where it can:
  - template variables: `label_values(...)` queries are asked of Prometheus (/api/v1/label/<name>/values
    with the selector as match[]); a variable that includes "All" takes "All" (its allValue, or every
    value as a regex), any other its first value; --var NAME=VALUE overrides. $__interval is the step,
    $__rate_interval max(step + scrape interval, 4 x scrape interval), as Grafana computes it.
  - panels at their gridPos (24 columns, 30 px rows), with their title, unit, decimals, thresholds
    and legend; types timeseries, stat, gauge, bargauge, table, text and row are drawn; any other
    type is drawn as a box that says it is not drawn.
  - queries on Istio series (istio_*, namespace_workload:*) go to --mesh-prometheus with the
    --mesh-var overrides, and the panel says where its data came from (--mesh-source); queries on
    series only a cluster has (kube-state-metrics, cAdvisor) are asked, and the panel says so.
  - a dashboard whose datasource is Loki is drawn as its layout: every panel says it cannot be
    drawn here and shows its LogQL.
A query Prometheus refuses stops the drawing with the panel, the query and Prometheus' error
(exit 1). The SVG is turned into a PNG by rsvg-convert (Debian: librsvg2-bin).
"""
import argparse
import datetime
import json
import math
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from xml.sax.saxutils import escape

# Grafana's grid: 24 columns, rows of 30 px, 8 px between panels.
COLUMNS, ROW_PX, GAP = 24, 30, 8
WIDTH = 1600
PAD = 16

MESH = re.compile(r"\bistio_|\bnamespace_workload:")
CLUSTER_ONLY = re.compile(r"\bkube_|\bcontainer_(cpu|memory|network|fs)_|\bkubelet_|\bnode_")

# Grafana's dark theme and classic palette
BG, PANEL_BG, BORDER = "#111217", "#181b1f", "#2c3235"
TEXT, TITLE, DIM, GRID = "#ccccdc", "#e4e5ec", "#8e8e9a", "#2a2d33"
NOTE, WARN = "#f2cc0c", "#ff9830"
PALETTE = ["#7eb26d", "#eab839", "#6ed0e0", "#ef843c", "#e24d42", "#5794f2", "#ba43a9", "#b7dbab",
           "#f9ba8f", "#82b5d8", "#e5a8e2", "#aea2e0", "#bf1b00", "#0a50a1", "#629e51", "#e0752d"]
NAMED = {"green": "#73bf69", "red": "#f2495c", "yellow": "#fade2a", "orange": "#ff9830", "blue": "#5794f2",
         "purple": "#b877d9", "text": TEXT, "dark-red": "#c4162a", "semi-dark-red": "#e02f44",
         "dark-green": "#37872d", "semi-dark-green": "#56a64b", "dark-yellow": "#e0b400",
         "transparent": "none"}
FONT = "DejaVu Sans, Verdana, sans-serif"


class DrawError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Prometheus


class Prometheus:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def _get(self, path, params, post=True):
        body = urllib.parse.urlencode(params, doseq=True)
        request = (urllib.request.Request(self.url + path, data=body.encode()) if post
                   else urllib.request.Request(self.url + path + "?" + body))
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                out = json.load(r)
        except urllib.error.HTTPError as e:
            try:
                out = json.load(e)
            except json.JSONDecodeError:
                out = {"status": "error", "error": f"HTTP {e.code}"}
        except urllib.error.URLError as e:
            raise DrawError(f"cannot reach Prometheus at {self.url}: {e.reason}")
        if out.get("status") != "success":
            raise DrawError(out.get("error", "unknown error"))
        return out["data"]

    def range(self, expr, start, end, step):
        data = self._get("/api/v1/query_range", {"query": expr, "start": start, "end": end, "step": step})
        if data["resultType"] != "matrix":
            raise DrawError(f"a range query returned {data['resultType']}")
        return [(r["metric"], [(float(t), _num(v)) for t, v in r["values"]]) for r in data["result"]]

    def instant(self, expr, time):
        data = self._get("/api/v1/query", {"query": expr, "time": time})
        if data["resultType"] == "scalar":
            return [({}, _num(data["result"][1]))]
        if data["resultType"] != "vector":
            raise DrawError(f"an instant query returned {data['resultType']}")
        return [(r["metric"], _num(r["value"][1])) for r in data["result"]]

    def label_values(self, label, selector, start, end):
        params = {"start": start, "end": end}
        if selector:
            params["match[]"] = selector
        return self._get(f"/api/v1/label/{urllib.parse.quote(label)}/values", params, post=False)


def _num(v):
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


# ---------------------------------------------------------------------------------------------
# Template variables


def substitute(expr, variables):
    for name in sorted(variables, key=len, reverse=True):
        value = variables[name]
        expr = expr.replace("${" + name + "}", value).replace("[[" + name + "]]", value)
        expr = re.sub(r"\$" + re.escape(name) + r"(?![A-Za-z0-9_])", lambda _m: value, expr)
    left = re.findall(r"\$\{?([A-Za-z_]\w*)", expr)
    if left:
        raise DrawError(f"unknown template variable ${left[0]} (not in the dashboard's templating list)")
    return expr


def resolve_variables(dashboard, prom, overrides, start, end, builtins):
    """Values as Grafana would pick them on a first load, in the dashboard's order."""
    values, shown = dict(builtins), []
    for v in dashboard.get("templating", {}).get("list", []):
        name, kind = v["name"], v.get("type")
        if kind == "datasource":
            continue
        if name in overrides:
            values[name] = overrides[name]
            shown.append((name, overrides[name]))
            continue
        if kind in ("textbox", "constant", "custom", "interval"):
            current = (v.get("current") or {}).get("value")
            value = current if isinstance(current, str) else str(v.get("query", ""))
            if kind in ("custom", "interval") and not current:
                value = str(v.get("query", "")).split(",")[0].strip()
            values[name] = value
            shown.append((name, value if value else '""'))
            continue
        if kind != "query":
            raise DrawError(f"variable {name}: type {kind!r} is not supported here; pass --var {name}=VALUE")
        definition = v.get("definition") or (v.get("query") or {}).get("query", "")
        m = re.fullmatch(r"\s*label_values\(\s*(?:(.*),\s*)?(\w+)\s*\)\s*", definition)
        if not m:
            raise DrawError(f"variable {name}: only label_values(...) queries are supported, not {definition!r}; "
                            f"pass --var {name}=VALUE")
        selector = substitute(m.group(1), values) if m.group(1) else None
        if prom is None:
            raise DrawError(f"variable {name} needs Prometheus; pass --var {name}=VALUE")
        options = sorted(prom.label_values(m.group(2), selector, start, end))
        if not options:
            raise DrawError(f"variable {name}: {definition} has no values in Prometheus; pass --var {name}=VALUE")
        if v.get("includeAll"):
            values[name] = v.get("allValue") or "(" + "|".join(re.escape(o) for o in options) + ")"
            shown.append((name, "All"))
        else:
            values[name] = options[0]
            shown.append((name, options[0]))
    return values, shown


# ---------------------------------------------------------------------------------------------
# Units, as Grafana formats them


def fmt(value, unit, decimals=None):
    if value is None:
        return "–"
    unit = unit or "short"

    def num(x, default=2):
        d = decimals if decimals is not None else default
        if decimals is None and float(x).is_integer() and abs(x) < 1e15:
            return f"{x:.0f}"
        if decimals is None:
            a = abs(x)
            d = 0 if a >= 100 else 1 if a >= 10 else 2 if a >= 1 or a == 0 else 3
        return f"{x:.{d}f}"

    if unit == "percentunit":
        return num(value * 100) + "%"
    if unit == "percent":
        return num(value) + "%"
    if unit in ("s", "ms", "µs"):
        seconds = value * {"s": 1, "ms": 1e-3, "µs": 1e-6}[unit]
        for limit, div, suffix in ((1e-3, 1e-6, " µs"), (1, 1e-3, " ms"), (60, 1, " s"), (3600, 60, " min")):
            if abs(seconds) < limit:
                return num(seconds / div) + suffix
        return num(seconds / 3600) + " h"
    if unit == "bytes":
        for suffix in ("B", "KiB", "MiB", "GiB", "TiB"):
            if abs(value) < 1024 or suffix == "TiB":
                return num(value) + " " + suffix
            value /= 1024
    if unit in ("reqps", "ops", "rps", "wps", "iops"):
        return _si(value, num) + {"reqps": " req/s", "ops": " ops/s", "rps": " rd/s", "wps": " wr/s",
                                  "iops": " io/s"}[unit]
    if unit == "none":
        return num(value)
    return _si(value, num)


def _si(value, num):
    for limit, suffix in ((1e12, " T"), (1e9, " B"), (1e6, " Mil"), (1e3, " K")):
        if abs(value) >= limit:
            return num(value / limit) + suffix
    return num(value)


def nice_ticks(lo, hi, count=5):
    # a series flat but for float noise (a p99 of constant buckets) is drawn flat, not zoomed into
    if hi - lo <= max(abs(hi), abs(lo)) * 1e-4:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    ticks, t = [], first
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 12))
        t += step
    if ticks[-1] < hi:
        ticks.append(ticks[-1] + step)
    return ticks


def color_of(name):
    name = (name or "").strip()
    return NAMED.get(name, name if name.startswith("#") or name.startswith("rgb") else TEXT)


def threshold_color(value, thresholds):
    steps = (thresholds or {}).get("steps") or [{"color": "green", "value": None}]
    color = steps[0].get("color", "green")
    for s in steps[1:]:
        if value is not None and s.get("value") is not None and value >= s["value"]:
            color = s.get("color", color)
    return color_of(color)


# ---------------------------------------------------------------------------------------------
# SVG


def text_width(s, size, bold=False):
    """A conservative estimate of DejaVu Sans' advance widths (bold is a tenth wider)."""
    w = 0.0
    for ch in s:
        if ch in "il.,:;|!'`":
            w += 0.32
        elif ch in "fjrtI()[]{}/\\ -":
            w += 0.42
        elif ch in "mwMW@%":
            w += 0.95
        elif ch.isupper() or ch in "#&":
            w += 0.72
        else:
            w += 0.64
    return w * size * (1.1 if bold else 1.0)


def fit(s, size, width):
    if text_width(s, size) <= width:
        return s
    while s and text_width(s + "…", size) > width:
        s = s[:-1]
    return s + "…"


class Svg:
    def __init__(self, width, height):
        self.width, self.height, self.parts = width, height, []

    def add(self, s):
        self.parts.append(s)

    def rect(self, x, y, w, h, fill, stroke="none", rx=0, opacity=1.0):
        self.add(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" rx="{rx}" '
                 f'fill="{fill}" stroke="{stroke}" fill-opacity="{opacity}"/>')

    def line(self, x1, y1, x2, y2, stroke, width=1.0, dash=None):
        d = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" '
                 f'stroke-width="{width}"{d}/>')

    def text(self, x, y, s, size=12, fill=TEXT, anchor="start", weight="normal", style="normal"):
        self.add(f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" fill="{fill}" '
                 f'text-anchor="{anchor}" font-weight="{weight}" font-style="{style}">{escape(s)}</text>')

    def path(self, d, stroke, width=1.5, fill="none", opacity=1.0):
        self.add(f'<path d="{d}" stroke="{stroke}" stroke-width="{width}" fill="{fill}" fill-opacity="{opacity}" '
                 f'stroke-linejoin="round" stroke-linecap="round"/>')

    def render(self):
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
                f'viewBox="0 0 {self.width} {self.height}">\n' + "\n".join(self.parts) + "\n</svg>\n")


# ---------------------------------------------------------------------------------------------
# Data of a panel


def legend_of(fmt_string, labels):
    if not fmt_string or fmt_string == "__auto":
        name = labels.get("__name__", "")
        rest = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
        return f"{name}{{{rest}}}" if rest or not name else name
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: labels.get(m.group(1), ""), fmt_string).strip()


class Source:
    """Where a target's data comes from, and what the panel says about it."""

    def __init__(self, prom, variables, note=None):
        self.prom, self.variables, self.note = prom, variables, note


def panel_data(panel, ctx, instant=False):
    """[(legend, points or value)] and the notes for the panel; raises DrawError on a bad query."""
    series, notes = [], []
    for t in panel.get("targets", []):
        if t.get("hide"):
            continue
        raw = t.get("expr", "")
        source = ctx.mesh if MESH.search(raw) else ctx.main
        where = f"panel {panel.get('title')!r} (id {panel.get('id')}) query {t.get('refId', '?')}"
        if source is None:
            notes.append("Istio series: not drawn (no --mesh-prometheus given)")
            continue
        try:
            expr = substitute(raw, source.variables)
        except DrawError as e:
            raise DrawError(f"{where}: {e}")
        try:
            if instant or t.get("instant"):
                result = [(m, v) for m, v in source.prom.instant(expr, ctx.end)]
            else:
                result = source.prom.range(expr, ctx.start, ctx.end, ctx.step)
        except DrawError as e:
            raise DrawError(f"{where}: Prometheus refused the query: {e}\n    {expr}")
        if source.note and source.note not in notes:
            notes.append(source.note)
        if CLUSTER_ONLY.search(raw) and not result:
            notes.append("No data here: kube-state-metrics and cAdvisor series exist on a cluster only")
        for metric, values in sorted(result, key=lambda r: legend_of(t.get("legendFormat"), r[0])):
            series.append((legend_of(t.get("legendFormat"), metric), values, metric))
    return series, notes


def reduce(points, calc):
    vals = [v for _, v in points if v is not None]
    if not vals:
        return None
    return {"lastNotNull": vals[-1], "last": points[-1][1], "mean": sum(vals) / len(vals), "max": max(vals),
            "min": min(vals), "sum": sum(vals), "firstNotNull": vals[0], "first": points[0][1],
            "count": len(vals), "range": max(vals) - min(vals), "diff": vals[-1] - vals[0]}.get(calc, vals[-1])


CALC_NAMES = {"lastNotNull": "Last *", "last": "Last", "mean": "Mean", "max": "Max", "min": "Min", "sum": "Total",
              "firstNotNull": "First *", "count": "Count", "range": "Range", "diff": "Difference"}


# ---------------------------------------------------------------------------------------------
# Panels


class Ctx:
    def __init__(self, start, end, step, main, mesh, loki):
        self.start, self.end, self.step, self.main, self.mesh, self.loki = start, end, step, main, mesh, loki


def draw_panel(svg, p, box, ctx):
    x, y, w, h = box
    kind = p.get("type")
    if kind == "row":
        svg.text(x + 4, y + 20, p.get("title", ""), 15, TITLE, weight="bold")
        svg.line(x, y + h - 4, x + w, y + h - 4, BORDER)
        return
    svg.rect(x, y, w, h, PANEL_BG, BORDER, rx=3)
    svg.text(x + 10, y + 19, fit(p.get("title", ""), 13, w - 20), 13, TITLE, weight="bold")
    top = y + 28
    defaults = p.get("fieldConfig", {}).get("defaults", {})

    def notes_at(notes, top):
        for n in notes:
            svg.text(x + 10, top + 10, fit(n, 11, w - 20), 11, NOTE, style="italic")
            top += 15
        return top

    if ctx.loki or (p.get("datasource") or {}).get("type") == "loki":
        top = notes_at(["Loki panel: not drawn. No Loki runs on this machine, and this picture invents no "
                        "log data."], top)
        for line in wrap(p.get("description", ""), 11.5, w - 24):
            svg.text(x + 12, top + 14, line, 11.5, TEXT)
            top += 16
        svg.text(x + 10, top + 18, f"{kind} panel, LogQL:", 11, DIM)
        top += 22
        for t in p.get("targets", []):
            for line in wrap(t.get("expr", ""), 11, w - 24, mono=True):
                svg.add(f'<text x="{x + 12:.1f}" y="{top + 12:.1f}" font-family="DejaVu Sans Mono, monospace" '
                        f'font-size="11" fill="{TEXT}">{escape(line)}</text>')
                top += 15
        return
    if kind == "timeseries" or kind == "graph":
        series, notes = panel_data(p, ctx)
        top = notes_at(notes, top)
        draw_timeseries(svg, p, (x, top, w, y + h - top), series, defaults, ctx)
    elif kind in ("stat", "gauge", "bargauge"):
        series, notes = panel_data(p, ctx)
        top = notes_at(notes, top)
        draw_values(svg, p, (x, top, w, y + h - top), series, defaults, kind)
    elif kind == "table":
        series, notes = panel_data(p, ctx, instant=True)
        top = notes_at(notes, top)
        draw_table(svg, (x, top, w, y + h - top), series, defaults)
    elif kind == "text":
        content = (p.get("options") or {}).get("content", "")
        for line in wrap(re.sub(r"[#*`_]", "", content), 12, w - 24):
            svg.text(x + 12, top + 14, line, 12, TEXT)
            top += 17
    else:
        notes_at([f"Panel type {kind!r} is not drawn by this tool."], top)


def wrap(s, size, width, mono=False):
    s = re.sub(r"\s+", " ", s).strip()
    per = max(int(width / (size * (0.61 if mono else 0.6))), 10)
    out = []
    while s:
        if len(s) <= per:
            out.append(s)
            break
        cut = s.rfind(" ", 0, per)
        cut = cut if cut > per // 2 else per
        out.append(s[:cut])
        s = s[cut:].lstrip()
    return out


def no_data(svg, x, y, w, h):
    svg.text(x + w / 2, y + h / 2, "No data", 14, DIM, anchor="middle")


def draw_timeseries(svg, p, box, series, defaults, ctx):
    x, y, w, h = box
    unit, decimals = defaults.get("unit"), defaults.get("decimals")
    custom = defaults.get("custom", {})
    legend = (p.get("options") or {}).get("legend", {})
    calcs = legend.get("calcs") or []
    show_legend = legend.get("showLegend", True) and legend.get("displayMode") != "hidden"
    points = [(name, pts) for name, pts, _ in series]
    if not points or all(v is None for _, pts in points for _, v in pts):
        no_data(svg, x, y, w, h)
        return
    # legend rows under the plot: at most 55% of the body (Grafana would scroll them)
    row_h = 13
    rows = len(points) if show_legend else 0
    max_rows = max(int((h * 0.55 - (row_h if calcs else 0)) / row_h), 1)
    shown_rows = min(rows, max_rows)
    legend_h = (shown_rows + (1 if calcs else 0) + (1 if rows > shown_rows else 0)) * row_h + 6 if rows else 0
    plot_bottom = y + h - legend_h - 20
    values = [v for _, pts in points for _, v in pts if v is not None]
    lo, hi = min(values), max(values)
    if defaults.get("min") is not None:
        lo = defaults["min"]
    if defaults.get("max") is not None:
        hi = defaults["max"]
    count = max(int((plot_bottom - y) / 32), 2)
    if unit == "bytes":  # binary steps, as KiB/MiB/GiB read
        scale = 1024 ** max(int(math.log(max(abs(hi), abs(lo), 1), 1024)), 0)
        ticks = [t * scale for t in nice_ticks(lo / scale, hi / scale, count)]
    else:
        ticks = nice_ticks(lo, hi, count)
    lo, hi = ticks[0], ticks[-1]
    labels = axis_labels(ticks, unit, decimals)
    left = x + 12 + max(text_width(s, 10) for s in labels) + 6
    right = x + w - 12
    top = y + 6

    def px(t):
        return left + (t - ctx.start) / (ctx.end - ctx.start) * (right - left)

    def py(v):
        return plot_bottom - (v - lo) / (hi - lo) * (plot_bottom - top)

    for t, s in zip(ticks, labels):
        svg.line(left, py(t), right, py(t), GRID)
        svg.text(left - 6, py(t) + 3.5, s, 10, DIM, anchor="end")
    span = ctx.end - ctx.start
    tick_s = next(s for s in (10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200) if span / s <= (right - left) / 90)
    t = math.ceil(ctx.start / tick_s) * tick_s
    while t <= ctx.end:
        svg.line(px(t), top, px(t), plot_bottom, GRID)
        stamp = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
        svg.text(px(t), plot_bottom + 13, stamp.strftime("%H:%M:%S" if tick_s < 60 else "%H:%M"), 10, DIM,
                 anchor="middle")
        t += tick_s
    fill = custom.get("fillOpacity", 0) / 100
    width = custom.get("lineWidth", 1) + 0.5
    gap = ctx.step * 2.5  # a missing scrape breaks the line, as Grafana does for nulls
    for i, (name, pts) in enumerate(points):
        color = PALETTE[i % len(PALETTE)]
        segments, current, prev_t = [], [], None
        for t, v in pts:
            if v is None or (prev_t is not None and t - prev_t > gap):
                if current:
                    segments.append(current)
                current = []
            if v is not None:
                current.append((px(t), py(min(max(v, lo), hi))))
                prev_t = t
        if current:
            segments.append(current)
        for seg in segments:
            d = "M" + " L".join(f"{a:.1f},{b:.1f}" for a, b in seg)
            if len(seg) == 1:
                svg.add(f'<circle cx="{seg[0][0]:.1f}" cy="{seg[0][1]:.1f}" r="1.8" fill="{color}"/>')
            if fill > 0 and len(seg) > 1:
                svg.path(d + f" L{seg[-1][0]:.1f},{plot_bottom:.1f} L{seg[0][0]:.1f},{plot_bottom:.1f} Z",
                         "none", 0, color, fill)
            svg.path(d, color, width)
    if not rows:
        return
    ly = plot_bottom + 22
    cols = [CALC_NAMES.get(c, c) for c in calcs]
    col_w = 78
    name_w = right - x - 12 - 18 - col_w * len(cols)
    if cols:
        for j, c in enumerate(cols):
            svg.text(right - col_w * (len(cols) - j - 1), ly + 9, c, 9.5, DIM, anchor="end", weight="bold")
        ly += row_h
    for i, (name, pts) in enumerate(points[:shown_rows]):
        color = PALETTE[i % len(PALETTE)]
        svg.rect(x + 12, ly + 4, 12, 4, color, rx=1)
        svg.text(x + 30, ly + 10, fit(name or "value", 10, name_w), 10, TEXT)
        for j, c in enumerate(calcs):
            svg.text(right - col_w * (len(cols) - j - 1), ly + 10, fmt(reduce(pts, c), unit, decimals), 10, TEXT,
                     anchor="end")
        ly += row_h
    if rows > shown_rows:
        svg.text(x + 30, ly + 10, f"… and {rows - shown_rows} more series", 10, DIM, style="italic")


def axis_labels(ticks, unit, decimals):
    """Tick labels exact to the step where the unit keeps its scale, else as few decimals as keep
    them apart."""
    if decimals is not None:
        return [fmt(t, unit, decimals) for t in ticks]
    if unit not in ("s", "ms", "µs", "bytes") and len(ticks) > 1:
        step = abs(ticks[1] - ticks[0]) * (100 if unit == "percentunit" else 1)
        if step < 1000:
            digits = f"{step:.10f}".rstrip("0").split(".")[1] if "." in f"{step:.10f}".rstrip("0") else ""
            return [fmt(t, unit, len(digits)) if unit not in ("short",) or max(map(abs, ticks)) < 1000
                    else fmt(t, unit) for t in ticks]
    labels = []
    for d in (None, 0, 1, 2, 3, 4, 5):
        labels = [fmt(t, unit, d) for t in ticks]
        if len(set(labels)) == len(labels):
            break
    return labels


def draw_values(svg, p, box, series, defaults, kind):
    x, y, w, h = box
    unit, decimals = defaults.get("unit"), defaults.get("decimals")
    calc = ((p.get("options") or {}).get("reduceOptions") or {}).get("calcs", ["lastNotNull"])[0]
    items = [(name, reduce(pts, calc), pts) for name, pts, _ in series]
    if not items:
        no_data(svg, x, y, w, h)
        return
    n = len(items)
    cell_w = (w - 16) / n
    for i, (name, value, pts) in enumerate(items):
        cx, cw = x + 8 + i * cell_w, cell_w
        color = threshold_color(value, defaults.get("thresholds"))
        if kind == "gauge":
            draw_gauge(svg, (cx, y, cw, h), value, defaults, color, name, n)
            continue
        if kind == "bargauge":
            lo, hi = defaults.get("min", 0), defaults.get("max", 100 if unit == "percent" else 1)
            bar_y = y + h / 2
            svg.rect(cx + 4, bar_y, cw - 8, 14, GRID, rx=2)
            frac = 0 if value is None else min(max((value - lo) / ((hi - lo) or 1), 0), 1)
            svg.rect(cx + 4, bar_y, (cw - 8) * frac, 14, color, rx=2)
            svg.text(cx + 4, bar_y - 6, fit(name, 11, cw - 8), 11, TEXT)
            svg.text(cx + cw - 4, bar_y - 6, fmt(value, unit, decimals), 12, color, anchor="end", weight="bold")
            continue
        # stat: sparkline (graphMode area, Grafana's default) under the value
        graph = (p.get("options") or {}).get("graphMode", "area")
        vals = [(t, v) for t, v in pts if v is not None]
        if graph != "none" and len(vals) > 1:
            t0, t1 = vals[0][0], vals[-1][0]
            vlo, vhi = min(v for _, v in vals), max(v for _, v in vals)
            if vhi <= vlo:  # flat: drawn half way up, as Grafana does
                vlo, vhi = vlo - 1, vhi + 1
            sx = lambda t: cx + 4 + (t - t0) / ((t1 - t0) or 1) * (cw - 8)  # noqa: E731
            sy = lambda v: y + h - 6 - (v - vlo) / (vhi - vlo) * (h * 0.35)  # noqa: E731
            d = "M" + " L".join(f"{sx(t):.1f},{sy(v):.1f}" for t, v in vals)
            svg.path(d + f" L{sx(t1):.1f},{y + h - 6:.1f} L{sx(t0):.1f},{y + h - 6:.1f} Z", "none", 0, color, 0.18)
            svg.path(d, color, 1.2, opacity=0.8)
        shown = fmt(value, unit, decimals)
        size = min(max(h * 0.34, 16), 40)
        while size > 10 and text_width(shown, size, bold=True) > cw - 16:
            size -= 1
        if n > 1:
            svg.text(cx + cw / 2, y + 14, fit(name, 11, cw - 8), 11, TEXT, anchor="middle")
        svg.text(cx + cw / 2, y + (h * 0.5 if n == 1 else h * 0.5 + 6) + size * 0.35, shown, round(size, 1), color,
                 anchor="middle", weight="bold")


def draw_gauge(svg, box, value, defaults, color, name, n):
    x, y, w, h = box
    unit, decimals = defaults.get("unit"), defaults.get("decimals")
    lo = defaults.get("min", 0)
    hi = defaults.get("max", 100 if unit == "percent" else 1 if unit == "percentunit" else None)
    if hi is None:
        hi = value if value else 1
    r = min(w * 0.38, (h - 24) * 0.62)
    cx, cy = x + w / 2, y + (18 if n > 1 else 6) + r + 4
    a0, a1 = math.radians(210), math.radians(-30)

    def arc(f_from, f_to, color, width):
        s, e = a0 + (a1 - a0) * f_from, a0 + (a1 - a0) * f_to
        large = 1 if abs(e - s) > math.pi else 0
        svg.add(f'<path d="M{cx + r * math.cos(s):.1f},{cy - r * math.sin(s):.1f} A{r:.1f},{r:.1f} 0 {large} 1 '
                f'{cx + r * math.cos(e):.1f},{cy - r * math.sin(e):.1f}" stroke="{color}" stroke-width="{width}" '
                f'fill="none"/>')

    arc(0, 1, GRID, r * 0.22)
    if value is not None:
        arc(0, min(max((value - lo) / ((hi - lo) or 1), 0), 1) or 0.001, color, r * 0.22)
    if n > 1:
        svg.text(cx, y + 14, fit(name, 11, w - 8), 11, TEXT, anchor="middle")
    svg.text(cx, cy + r * 0.12, fmt(value, unit, decimals), round(max(min(r * 0.42, 30), 12), 1), color,
             anchor="middle", weight="bold")


def draw_table(svg, box, series, defaults):
    x, y, w, h = box
    if not series:
        no_data(svg, x, y, w, h)
        return
    keys = sorted({k for _, _, m in series for k in m if k != "__name__"})
    cols = keys + ["Value"]
    col_w = (w - 24) / len(cols)
    svg.rect(x + 8, y + 2, w - 16, 20, "#22252b")
    for j, c in enumerate(cols):
        svg.text(x + 14 + j * col_w, y + 16, c, 11, TITLE, weight="bold")
    ry = y + 22
    for _, value, metric in series:
        if ry + 20 > y + h:
            break
        for j, k in enumerate(keys):
            svg.text(x + 14 + j * col_w, ry + 14, fit(metric.get(k, ""), 11, col_w - 8), 11, TEXT)
        shown = value if not isinstance(value, list) else reduce(value, "lastNotNull")
        svg.text(x + 14 + len(keys) * col_w, ry + 14, fmt(shown, defaults.get("unit"), defaults.get("decimals")), 11,
                 TEXT)
        svg.line(x + 8, ry + 20, x + w - 8, ry + 20, GRID)
        ry += 20


# ---------------------------------------------------------------------------------------------
# The dashboard


def all_panels(panels):
    for p in panels:
        yield p
        if p.get("type") == "row" and not p.get("collapsed"):
            continue
        yield from all_panels(p.get("panels", []))


def draw_dashboard(dashboard, ctx, shown_vars, notes, caption):
    panels = [p for p in all_panels(dashboard.get("panels", [])) if "gridPos" in p]
    col = (WIDTH - 2 * PAD - (COLUMNS - 1) * GAP) / COLUMNS
    header = 96 + 17 * len(notes)
    bottom = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels) if panels else 0
    height = int(header + bottom * (ROW_PX + GAP) + PAD)
    svg = Svg(WIDTH, height)
    svg.rect(0, 0, WIDTH, height, BG)
    svg.text(PAD, 30, dashboard.get("title", ""), 20, TITLE, weight="bold")
    svg.text(WIDTH - PAD, 30, f"uid {dashboard.get('uid', '?')}", 12, DIM, anchor="end")
    vars_line = "   ".join(f"{k} = {v}" for k, v in shown_vars)
    start = datetime.datetime.fromtimestamp(ctx.start, datetime.timezone.utc)
    end = datetime.datetime.fromtimestamp(ctx.end, datetime.timezone.utc)
    when = "" if ctx.loki else f"      time {start:%Y-%m-%d %H:%M:%S} to {end:%H:%M:%S} UTC"
    svg.text(PAD, 52, fit(vars_line + when, 12, WIDTH - 2 * PAD), 12, DIM)
    svg.text(PAD, 74, fit(caption, 13, WIDTH - 2 * PAD), 13, NOTE, weight="bold")
    for i, n in enumerate(notes):
        svg.text(PAD, 92 + 17 * i, fit(n, 12, WIDTH - 2 * PAD), 12, NOTE)
    for p in panels:
        g = p["gridPos"]
        box = (PAD + g["x"] * (col + GAP), header + g["y"] * (ROW_PX + GAP),
               g["w"] * col + (g["w"] - 1) * GAP, g["h"] * ROW_PX + (g["h"] - 1) * GAP)
        draw_panel(svg, p, box, ctx)
    return svg


def parse_pairs(pairs, what):
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise DrawError(f"{what} {pair!r}: expected NAME=VALUE")
        k, v = pair.split("=", 1)
        out[k] = v
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dashboard", required=True, help="dashboard JSON file")
    ap.add_argument("--out", required=True, help="PNG to write (an .svg beside it with --keep-svg)")
    ap.add_argument("--prometheus", help="Prometheus URL for the dashboard's queries (not needed for Loki)")
    ap.add_argument("--mesh-prometheus", help="Prometheus URL holding the Istio series")
    ap.add_argument("--mesh-var", action="append", help="NAME=VALUE for the Istio queries (repeatable)")
    ap.add_argument("--mesh-source", default="Istio series: from --mesh-prometheus",
                    help="what the mesh panels say about their data")
    ap.add_argument("--start", type=float, required=True, help="range start, Unix seconds")
    ap.add_argument("--end", type=float, required=True, help="range end, Unix seconds")
    ap.add_argument("--step", type=float, default=5, help="query step in seconds ($__interval), default 5")
    ap.add_argument("--scrape-interval", type=float, default=5, help="for $__rate_interval, default 5")
    ap.add_argument("--var", action="append", help="NAME=VALUE: a template variable's value (repeatable)")
    ap.add_argument("--note", action="append", help="a line under the caption (repeatable)")
    ap.add_argument("--caption", default="Drawn from this dashboard's own queries against a local Prometheus "
                    "(observability/pictures), not rendered by Grafana.")
    ap.add_argument("--keep-svg", action="store_true", help="keep the SVG beside the PNG")
    ap.add_argument("--quantize", action="store_true",
                    help="reduce the PNG to a 256-colour palette with pngquant (a third of the size)")
    args = ap.parse_args(argv)
    try:
        with open(args.dashboard) as f:
            dashboard = json.load(f)
        if args.end <= args.start:
            raise DrawError("--end must be after --start")
        rate_interval = max(args.step + args.scrape_interval, 4 * args.scrape_interval)
        builtins = {"__interval": f"{int(args.step)}s", "__rate_interval": f"{int(rate_interval)}s",
                    "__range": f"{int(args.end - args.start)}s", "__interval_ms": str(int(args.step * 1000))}
        ds = next((v for v in dashboard.get("templating", {}).get("list", []) if v.get("type") == "datasource"), {})
        loki = ds.get("query") == "loki"
        prom = Prometheus(args.prometheus) if args.prometheus else None
        if prom is None and not loki:
            raise DrawError("--prometheus is required for a Prometheus dashboard")
        overrides = parse_pairs(args.var, "--var")
        if loki:
            names = [v["name"] for v in dashboard.get("templating", {}).get("list", []) if v.get("type") != "datasource"]
            variables, shown = {}, [("variables " + ", ".join(names), "not resolved (no Loki)")]
        else:
            variables, shown = resolve_variables(dashboard, prom, overrides, args.start, args.end, builtins)
        main_source = Source(prom, variables) if prom else None
        mesh = None
        if args.mesh_prometheus:
            mesh = Source(Prometheus(args.mesh_prometheus), dict(variables, **parse_pairs(args.mesh_var, "--mesh-var")),
                          args.mesh_source)
        ctx = Ctx(args.start, args.end, args.step, main_source, mesh, loki)
        svg = draw_dashboard(dashboard, ctx, shown, args.note or [], args.caption)
        svg_path = os.path.splitext(args.out)[0] + ".svg"
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(svg_path, "w") as f:
            f.write(svg.render())
        if not shutil.which("rsvg-convert"):
            raise DrawError("rsvg-convert is missing: apt-get install librsvg2-bin (make setup installs it)")
        subprocess.run(["rsvg-convert", "--format=png", "--output", args.out, svg_path], check=True)
        if args.quantize:
            if not shutil.which("pngquant"):
                raise DrawError("pngquant is missing: apt-get install pngquant (make setup installs it)")
            subprocess.run(["pngquant", "--quality=70-95", "--speed=1", "--strip", "--force", "--output", args.out,
                            args.out], check=True)
        if not args.keep_svg:
            os.remove(svg_path)
    except DrawError as e:
        print(f"draw.py: {os.path.basename(args.dashboard)}: {e}", file=sys.stderr)
        return 1
    except (OSError, json.JSONDecodeError, subprocess.CalledProcessError) as e:
        print(f"draw.py: {args.dashboard}: {e}", file=sys.stderr)
        return 1
    print(f"draw.py: {args.out} ({os.path.getsize(args.out) // 1024} KiB, {svg.width}x{svg.height})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
