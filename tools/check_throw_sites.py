#!/usr/bin/env python3
"""Every throw site of sim/ and tools/cli/ against the exit-status contract
(docs/design.md §3): a type that bad input can raise must reach the user as
exit 2 (ConfigError and its subclasses, UsageError, the run guards), OomExit
as exit 1; the internal types (std::logic_error, the SimulationError family,
the standard library's errors) are exit 3 and kept for broken invariants, so
they must not be thrown from a file that reads input (the readers below)
unless the throw is marked `// internal:` on its line or the line above.
Usage: check_throw_sites.py ROOT   (prints each violation; exit 1 if any)"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
# Folders and files that read what the user gives (files, flags, keys).
INPUT_PATHS = ("sim/config/", "sim/load/", "sim/import/", "sim/sweep/sweep_file.cpp", "sim/sweep/sweep_values.cpp",
               "sim/sweep/sweep_merge.cpp", "sim/sweep/sweep_points.cpp", "sim/buy/compare_file.cpp", "sim/validate/runs_csv.cpp",
               "sim/validate/row_scenario.cpp", "sim/validate/row_hardware.cpp", "sim/frontend/", "tools/cli/")
BAD_INPUT = {"ConfigError": 2, "UsageError": 2, "OomExit": 1}  # the roots main() maps (checked below)
CONVERTED = {  # thrown, then caught and rethrown as bad input where they can reach the user
    "UnitError": "ConfigError (config_doc.cpp, zero_request.cpp, collective_table.cpp catch it)",
    "EventLimitExceeded": "UsageError (cmd_run.cpp)",
    "WallTimeExceeded": "UsageError (cmd_run.cpp)",
}
INTERNAL = {"std::logic_error", "std::out_of_range", "std::length_error", "std::invalid_argument", "std::range_error",
            "SimulationError", "ScheduleError", "ConsistencyError", "SimTimeError"}
# Helpers that build an exception: name -> the type they return.
FACTORIES = {"relocate": "ConfigError", "oom_exit": "OomExit", "offload_oom_exit": "OomExit",
             "net_error": "SimulationError"}

sources = []
for top in ("sim", "tools/cli"):
    for d, _, files in os.walk(os.path.join(root, top)):
        sources += [os.path.join(d, f) for f in files if f.endswith((".cpp", ".hpp"))]

parents = {}
for path in sources:
    for m in re.finditer(r"class\s+(\w+)\s*(?:final\s*)?:\s*public\s+([\w:]+)", open(path, encoding="utf-8").read()):
        parents[m.group(1)] = m.group(2)


def root_of(t):
    seen = set()
    while t in parents and t not in seen and t not in BAD_INPUT and t not in CONVERTED and t not in INTERNAL:
        seen.add(t)
        t = parents[t]
    return t


problems = []
for path in sorted(sources):
    rel = os.path.relpath(path, root)
    lines = open(path, encoding="utf-8").read().split("\n")
    for i, line in enumerate(lines):
        for m in re.finditer(r"\bthrow\s+([A-Za-z_][\w:]*)\s*[({]", line):
            t = FACTORIES.get(m.group(1), m.group(1))
            r = root_of(t)
            where = f"{rel}:{i + 1}: throw {m.group(1)}"
            if r in BAD_INPUT or r in CONVERTED:
                continue
            if r not in INTERNAL:
                problems.append(f"{where}: {t} is not a type the CLI maps (ConfigError -> 2, UsageError -> 2, "
                                "OomExit -> 1, the internal types -> 3); derive it from ConfigError or add it here")
                continue
            marked = "// internal:" in line or (i > 0 and "// internal:" in lines[i - 1])
            if rel.startswith(INPUT_PATHS) and not marked:
                problems.append(f"{where}: {t} exits 3 (internal error) from a file that reads input; throw "
                                "ConfigError naming the file, line and key (or mark a true invariant "
                                "`// internal: why`)")

# main() maps the roots as documented.
main = open(os.path.join(root, "tools/cli/main.cpp"), encoding="utf-8").read()
for t, code in (("ConfigError", "kExitBadInput"), ("UsageError", "kExitBadInput"), ("OomExit", "kExitOom")):
    if not re.search(r"catch \(const (?:trainsim::)?" + t + r"& e\) \{[^}]*?return fail\([^;]*" + code, main):
        problems.append(f"tools/cli/main.cpp: {t} is not caught as {code}")
run = open(os.path.join(root, "tools/cli/cmd_run.cpp"), encoding="utf-8").read()
for t in ("EventLimitExceeded", "WallTimeExceeded"):
    if not re.search(r"catch \(const " + t + r"&\) \{[^}]*throw UsageError", run):
        problems.append(f"tools/cli/cmd_run.cpp: {t} is not rethrown as UsageError (exit 2)")

for p in problems:
    print(p)
print(f"{len(problems)} problem(s) in {len(sources)} files")
sys.exit(1 if problems else 0)
