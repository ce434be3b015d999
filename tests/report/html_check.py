#!/usr/bin/env python3
"""Checks a trainsim HTML report as headless Chromium drew it (html_report_test.sh).

usage: html_check.py KIND DOM.html HTML_FILE EXPECT.json
  DOM.html     chromium --dump-dom of the page after its scripts ran
  HTML_FILE    the report as written (for the self-containment checks)
  EXPECT.json  {"charts": {id: {"type": t, "datasets": n, "points": {label: n},
                                 "total_except": {"except": [label prefixes], "n": n}}},
                "tables": {id: rows}}: what the page must have drawn, computed by the test
               from the run's other outputs (trace.json, the sweep CSV, validate's JSON).
Prints one line per failed check; exit status 1 when any failed.
"""
import html
import json
import re
import sys

kind, dom_file, page_file, expect_file = sys.argv[1:5]
dom = open(dom_file, encoding="utf-8").read()
page = open(page_file, encoding="utf-8").read()
expect = json.load(open(expect_file))
fails = []

# Self-contained: no element loads anything (no src= or href= to another file or host).
for m in re.finditer(r"<(script|link|img|iframe|source|embed)\b[^>]*\b(src|href)\s*=", page, re.I):
    fails.append("the page loads an external resource: " + m.group(0)[:80])
if page.count("<script") != 4:
    fails.append("expected 4 inline scripts (data, Chart.js, common, %s), found %d" % (kind, page.count("<script")))

m = re.search(r'<pre id="render-check"[^>]*>(.*?)</pre>', dom, re.S)
if not m:
    fails.append("no render-check: the page's script did not finish (a JavaScript error stopped it?)")
    print("\n".join(fails))
    sys.exit(1)
check = json.loads(html.unescape(m.group(1)))
if check["kind"] != kind:
    fails.append("render-check kind %r, expected %r" % (check["kind"], kind))
for e in check["errors"]:
    fails.append("console error / uncaught exception: " + e)

charts = {c["id"]: c for c in check["charts"]}
for cid, want in expect.get("charts", {}).items():
    c = charts.get(cid)
    if c is None:
        fails.append("chart %s was not drawn" % cid)
        continue
    if f'<canvas id="{cid}"' not in dom:
        fails.append("chart %s has no canvas in the DOM" % cid)
    if c["width"] < 200 or c["height"] < 60:
        fails.append("chart %s is %dx%d px" % (cid, c["width"], c["height"]))
    if "type" in want and c["type"] != want["type"]:
        fails.append("chart %s is a %s chart, expected %s" % (cid, c["type"], want["type"]))
    if "datasets" in want and len(c["datasets"]) != want["datasets"]:
        fails.append("chart %s has %d datasets, expected %d: %s" % (cid, len(c["datasets"]), want["datasets"],
                                                                   [d["label"] for d in c["datasets"]]))
    got = {d["label"]: d["points"] for d in c["datasets"]}
    for label, n in want.get("points", {}).items():
        if got.get(label) != n:
            fails.append("chart %s dataset %r has %s points, expected %d" % (cid, label, got.get(label), n))
    if "total_except" in want:  # points of every dataset but those whose label starts with one of "except"
        skip = tuple(want["total_except"]["except"])
        total = sum(d["points"] for d in c["datasets"] if not d["label"].startswith(skip))
        if total != want["total_except"]["n"]:
            fails.append("chart %s shows %d points (datasets other than %s), expected %d" % (cid, total, skip, want["total_except"]["n"]))
for tid, rows in expect.get("tables", {}).items():
    if check["tables"].get(tid) != rows:
        fails.append("table %s has %s rows, expected %d" % (tid, check["tables"].get(tid), rows))
    if f'<table id="{tid}"' not in dom:
        fails.append("table %s is not in the DOM" % tid)
print("\n".join(fails))
sys.exit(1 if fails else 0)
