#!/usr/bin/env bash
# The HTML reports (`run|sweep|validate --html`, sim/report/html_report.hpp) in a
# real browser: each page is opened offline in headless Chromium, must finish
# its script with no console error or uncaught exception, and must have drawn
# the charts and tables the run's other outputs call for (tests/report/html_check.py
# compares the point counts with trace.json, the sweep CSV and validate's JSON).
# A screenshot of each page is kept under BUILD/html_report/ (a CI artifact).
# The same input gives a byte-identical page.
# Exit 77 (CTest: skipped) only when Chromium is not installed (tools/setup.sh
# installs Debian's chromium), saying so.
# Usage: html_report_test.sh PATH/TO/trainsim [--quick]
#   --quick: leave out GPT-3 175B and the Llama-3 70B search (the sanitizer build)
set -u
bin="$1"
quick="${2:-}"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
check="$root/tests/report/html_check.py"
shots="$(cd "$(dirname "$bin")" && pwd)/html_report"
mkdir -p "$shots"
chromium_bin="${TRAINSIM_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [ -z "$chromium_bin" ]; then
  echo "SKIP: Chromium is not installed (Debian package chromium; tools/setup.sh installs it): the HTML reports were not opened"
  exit 77
fi

# Opens FILE offline in a fresh profile: the DOM after the scripts ran to OUT.dom,
# Chromium's log (console messages included) to OUT.log, a screenshot to SHOT.
browse() {
  local file="$1" out="$2" shot="$3" height="$4"
  local flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
               --disable-component-update --disable-sync --disable-extensions --hide-scrollbars
               --host-resolver-rules="MAP * ~NOTFOUND" --enable-logging=stderr --v=0 --virtual-time-budget=20000)
  rm -rf "$tmp/profile"
  timeout 120 "$chromium_bin" "${flags[@]}" --user-data-dir="$tmp/profile" --dump-dom "file://$file" > "$out.dom" 2> "$out.log"
  rm -rf "$tmp/profile"
  timeout 120 "$chromium_bin" "${flags[@]}" --user-data-dir="$tmp/profile" --window-size="1280,$height" \
    --screenshot="$shot" "file://$file" > /dev/null 2>> "$out.log"
}

# Console messages as Chromium logs them, independent of the page's own record
# (Chromium logs console.error and uncaught exceptions alike as INFO:CONSOLE; the
# reports write nothing to the console, so any message fails).
console_errors() { grep -E ':CONSOLE' "$1" | head -5; }

# $1 name, $2 kind, $3 page, $4 expectations, $5 screenshot height
check_page() {
  local name="$1" kind="$2" page="$3" expect="$4" height="$5"
  browse "$page" "$tmp/$name" "$shots/$name.png" "$height"
  local out
  if out="$(python3 "$check" "$kind" "$tmp/$name.dom" "$page" "$expect" 2>&1)"; then
    ok "$name: drawn in Chromium with the expected charts and tables, no script error"
  else
    bad "$name: $out"
  fi
  local errs
  errs="$(console_errors "$tmp/$name.log")"
  [ -z "$errs" ] && ok "$name: no console message in Chromium's log" || bad "$name: console messages: $errs"
  [ -s "$shots/$name.png" ] && ok "$name: screenshot $shots/$name.png" || bad "$name: no screenshot"
}

# ---- run: a small plan and GPT-3 175B on 1024 GPUs
run_page() {
  local name="$1"; shift
  if ! "$bin" run "$@" --out "$tmp/$name.out" --html "$tmp/$name.html" > /dev/null 2> "$tmp/$name.err"; then
    bad "$name: trainsim run --html failed: $(head -3 "$tmp/$name.err")"
    return
  fi
  python3 - "$tmp/$name.out" > "$tmp/$name.expect.json" <<'PY'
import json, re, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
trace = json.load(open(d + "/trace.json"))["traceEvents"]
names = {e["pid"]: e["args"]["name"] for e in trace if e["ph"] == "M" and e["name"] == "process_name"}
first = min(p for p, n in names.items() if re.search(r"\bpp 0\b", n))
spans = sum(1 for e in trace if e["ph"] == "X" and e["pid"] == first)
pp = s["layout"]["pp"]
terms = [k for k, v in s["breakdown_s"].items() if v > 0]
json.dump({"charts": {
    "breakdown-chart": {"type": "bar", "datasets": len(terms), "points": {k.replace("_", " "): 1 for k in terms}},
    "memory-chart": {"type": "bar", "datasets": 7, "points": {"activations": pp, "parameters": pp}},
    "memory-timeline-chart": {"type": "line", "datasets": s["simulation"]["simulated_gpus"] + 1},
    "timeline-chart": {"type": "bar", "total_except": {"except": [], "n": spans}}},
  "tables": {"breakdown-table": len(s["breakdown_s"]) + 1, "memory-table": pp,
             "comm-table": len(s["comm_bytes_per_gpu"])}}, sys.stdout)
PY
  check_page "$name" run "$tmp/$name.html" "$tmp/$name.expect.json" 4200
  cp "$tmp/$name.html" "$shots/$name.html"
}
run_page run-teaching-13b "$root/scenarios/teaching-13b-fixed.yaml"
[ "$quick" = --quick ] || run_page run-gpt3-175b "$root/scenarios/gpt3-175b-1024gpu.yaml"

"$bin" run "$root/scenarios/teaching-13b-fixed.yaml" --html "$tmp/again.html" > /dev/null 2>&1
cmp -s "$tmp/again.html" "$tmp/run-teaching-13b.html" && ok "run --html: the same input gives the same bytes" \
  || bad "run --html: the same input gives the same bytes"
"$bin" run "$root/scenarios/teaching-13b-fixed.yaml" --html "$tmp/no/such/dir/r.html" > /dev/null 2> "$tmp/err.txt"
[ $? -eq 2 ] && grep -q "cannot write" "$tmp/err.txt" && ok "run --html to an unwritable path is exit 2" \
  || bad "run --html to an unwritable path is exit 2: $(cat "$tmp/err.txt")"

# ---- sweep: the small test sweep, and the Llama-3 70B search on 512 H100s
sweep_page() {
  local name="$1" file="$2"
  if ! "$bin" sweep "$file" --threads 2 --top 10 --out "$tmp/$name.csv" --html "$tmp/$name.html" > /dev/null 2> "$tmp/$name.err"; then
    bad "$name: trainsim sweep --html failed: $(tail -3 "$tmp/$name.err")"
    return
  fi
  python3 - "$tmp/$name.csv" > "$tmp/$name.expect.json" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
sim = [r for r in rows if r["status"] == "simulated"]
fit = [r for r in sim if r["fits"] == "true"]
front = [r for r in sim if r["pareto"] == "true"]
json.dump({"charts": {"sweep-chart": {"type": "scatter", "points": {"Pareto front": len(front)},
                                      "total_except": {"except": ["Pareto front", "GPU memory"], "n": len(sim)}}},
           "tables": {"top-table": min(10, len(fit)), "pareto-table": len(front)}}, sys.stdout)
PY
  check_page "$name" sweep "$tmp/$name.html" "$tmp/$name.expect.json" 2600
  cp "$tmp/$name.html" "$shots/$name.html"
}
sweep_page sweep-small "$root/tests/data/sweep/small.yaml"
"$bin" sweep "$root/tests/data/sweep/small.yaml" --threads 1 --top 10 --html "$tmp/again.html" > /dev/null 2>&1
cmp -s "$tmp/again.html" "$tmp/sweep-small.html" && ok "sweep --html: the same page on 1 and 2 threads" \
  || bad "sweep --html: the same page on 1 and 2 threads"
[ "$quick" = --quick ] || sweep_page sweep-llama-3-70b "$root/scenarios/sweeps/llama-3-70b-512-h100.yaml"

# ---- validate: the SC21 rows of the calibration set
if "$bin" validate --filter '^sc21' --threads 2 --json "$tmp/validate.json" --html "$tmp/validate.html" > /dev/null 2> "$tmp/validate.err"; then
  python3 - "$tmp/validate.json" > "$tmp/validate.expect.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
ok = [r for r in v["rows"] if r["status"] == "ok" and r["measured_step_time_s"] is not None and r["predicted_step_time_s"] is not None]
fams = sorted({r["family"] for r in ok})
json.dump({"charts": {"validate-chart": {"type": "scatter", "datasets": len(fams) + 3,
                                         "points": {f: sum(1 for r in ok if r["family"] == f) for f in fams}},
                      "error-chart": {"type": "bar", "points": {"error": len(ok)}}},
           "tables": {"rows-table": len(v["rows"]), "family-table": len(fams)}}, sys.stdout)
PY
  check_page validate validate "$tmp/validate.html" "$tmp/validate.expect.json" 3000
  cp "$tmp/validate.html" "$shots/validate.html"
else
  bad "trainsim validate --html failed: $(tail -3 "$tmp/validate.err")"
fi

# The checker itself: a page whose script throws is caught.
sed 's|T.renderCheck();|throw new Error("probe");|' "$tmp/run-teaching-13b.html" > "$tmp/broken.html"
browse "$tmp/broken.html" "$tmp/broken" "$tmp/broken.png" 800
python3 "$check" run "$tmp/broken.dom" "$tmp/broken.html" "$tmp/run-teaching-13b.expect.json" > /dev/null 2>&1 \
  && bad "a page whose script throws fails the check" || ok "a page whose script throws fails the check"
finish "$([ "$quick" = --quick ] && echo 13 || echo 19)"
