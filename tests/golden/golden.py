#!/usr/bin/env python3
"""Golden summaries of the shipped scenarios (docs/testing.md, "Golden summaries").

    golden.py check GOLDEN_PREFIX SUMMARY.json TRACE.json   compare a fresh run with the golden files
    golden.py write GOLDEN_PREFIX SUMMARY.json TRACE.json   (re)write the golden files (tools/gen_golden.sh)

GOLDEN_PREFIX is tests/golden/<scenario path under scenarios/, without .yaml>; the golden files are
PREFIX.summary.json (the `trainsim run --json` output, as printed) and PREFIX.fingerprint.json (the
order of the simulated operations, from the `--trace` file of the same run).

What `check` compares (standard library only):
  - keys: the same keys at every level, in objects and arrays of the same length;
  - strings, booleans and null: exactly;
  - numbers: within REL_TOL of the golden value (ABS_TOL near zero), see below;
  - the event-count fingerprint, summary.json's "simulation.events" (the engine's count of fired
    events): exactly;
  - the event-order fingerprint: the trace's operations ("ph": "X" spans) sorted by start time
    (ties in file order), as (GPU, lane, category, name), counted and hashed with SHA-256: exactly.
It prints every key that moved, with both values and the relative change, and how to regenerate.
"""
import hashlib
import json
import sys

# Relative tolerance of every number but the fingerprints. A run is bit-for-bit reproducible on
# one build, so the tolerance only has to absorb rounding: another compiler or optimisation level
# (the sanitizer build of CI is clang -O1), or a refactor that adds the same terms in another
# order, moves a value by a few units in the last place (about 1e-16 relative per operation,
# well under 1e-12 after the millions of operations of a step). A change of the model, a default
# or a schedule moves step times and byte counts by far more than 1e-9 (one part per billion),
# so any such change fails. ABS_TOL covers golden values of zero (1 ps, 1e-12 byte).
REL_TOL = 1e-9
ABS_TOL = 1e-12
EXACT = {"simulation.events"}  # the event-count fingerprint

REGENERATE = ("If the change is intended, regenerate the golden files with tools/gen_golden.sh "
              "(it runs every scenario of tests/golden/scenarios.txt) and commit them with the reason.")


def compare(golden, fresh, path, problems):
    where = path or "(top level)"
    if isinstance(golden, dict) and isinstance(fresh, dict):
        for k in sorted(golden.keys() - fresh.keys()):
            problems.append(f"{path + '.' if path else ''}{k}: missing from the fresh output")
        for k in sorted(fresh.keys() - golden.keys()):
            problems.append(f"{path + '.' if path else ''}{k}: new key, not in the golden file")
        for k in sorted(golden.keys() & fresh.keys()):
            compare(golden[k], fresh[k], f"{path}.{k}" if path else k, problems)
    elif isinstance(golden, list) and isinstance(fresh, list):
        if len(golden) != len(fresh):
            problems.append(f"{where}: {len(fresh)} elements, golden {len(golden)}")
        for i, (g, f) in enumerate(zip(golden, fresh)):
            compare(g, f, f"{path}[{i}]", problems)
    elif is_number(golden) and is_number(fresh):
        if path in EXACT:
            if golden != fresh:
                problems.append(f"{where}: {fresh}, golden {golden} (an exact fingerprint: the engine "
                                f"fired {fresh - golden:+} events)")
        elif abs(fresh - golden) > max(REL_TOL * abs(golden), ABS_TOL):
            rel = f"{(fresh - golden) / abs(golden):+.3e} relative" if golden else "golden is 0"
            problems.append(f"{where}: {fresh!r}, golden {golden!r} ({fresh - golden:+.6g}, {rel}; "
                            f"tolerance {REL_TOL:g} relative)")
    elif golden != fresh or type(golden) is not type(fresh):
        problems.append(f"{where}: {json.dumps(fresh)}, golden {json.dumps(golden)}")


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def fingerprint(trace_path):
    """The order of the simulated operations: the trace's spans by start time."""
    with open(trace_path) as f:
        events = json.load(f)["traceEvents"]
    spans = [e for e in events if e.get("ph") == "X"]
    spans.sort(key=lambda e: e["ts"])  # stable: ties keep the trace's order
    h = hashlib.sha256()
    for e in spans:
        h.update(f"{e['pid']}\t{e['tid']}\t{e.get('cat', '')}\t{e['name']}\n".encode())
    return {"trace_spans": len(spans), "trace_order_sha256": h.hexdigest()}


def main(argv):
    if len(argv) != 5 or argv[1] not in ("check", "write"):
        sys.exit(__doc__)
    mode, prefix, summary_path, trace_path = argv[1:]
    with open(summary_path) as f:
        text = f.read()
    fresh = json.loads(text)
    order = fingerprint(trace_path)
    if mode == "write":
        with open(prefix + ".summary.json", "w") as f:
            f.write(text)
        with open(prefix + ".fingerprint.json", "w") as f:
            f.write(json.dumps(order, indent=2, sort_keys=True) + "\n")
        return 0
    with open(prefix + ".summary.json") as f:
        golden = json.load(f)
    with open(prefix + ".fingerprint.json") as f:
        golden_order = json.load(f)
    problems = []
    compare(golden, fresh, "", problems)
    for k in ("trace_spans", "trace_order_sha256"):
        if order[k] != golden_order.get(k):
            problems.append(f"event order: {k} {order[k]}, golden {golden_order.get(k)} (an exact fingerprint: "
                            f"the simulated operations start in another order or number)")
    if problems:
        print(f"{prefix}: {len(problems)} difference(s) from the golden files:")
        for p in problems:
            print("  " + p)
        print(REGENERATE)
        return 1
    print(f"{prefix}: matches (numbers within {REL_TOL:g} relative; {fresh['simulation']['events']} events "
          f"and {order['trace_spans']} operations in the golden order)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
