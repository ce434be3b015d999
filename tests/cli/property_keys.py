#!/usr/bin/env python3
"""The property test over every numeric key of the key table (issue 25).

Usage: property_keys.py TRAINSIM TMPDIR [--sanitized]

Reads the key tables from `trainsim help keys --json` and, for every numeric
key (integer, number, quantity) of the scenario, model card, GPU card and
cluster card tables, runs small base scenarios with the key set to its
declared minimum, its maximum, 0, a tiny value (1e-9 in the key's base unit,
the minimum for integers) and a huge value (1e300, 2^62 for integers), then
checks the properties the issue states:

  * exit status 0 or 2 only: never 3 (internal error), never a signal;
  * a value outside the declared range exits 2, and so does any exit 2 name
    the key in its message (so a user knows which value to change);
  * wall time under WALL_BOUND_S (`timeout`), address space under
    MEMORY_BOUND (`prlimit --as`; skipped in sanitizer builds, whose shadow
    memory reserves terabytes of address space; there the wall bound is 5x,
    each key is probed on its first base only and the monotonicity runs are
    left to the normal build);
  * monotonicity where physics says so: halving a rate (a link, NIC, PCIe,
    NVMe or host-memory bandwidth, the GPU's FLOP rates, CPU Adam's
    throughput) never makes the step faster; doubling a DeepSpeed bucket
    never adds engine events (`run --json` simulation.events).

Scenario keys are set with --set; card keys through a temporary copy of the
card (the cluster card dgx-a100-80gb, its GPU card a100-sxm4-80gb, the model
card megatron-gpt-1.7b) that the base scenario names by path.

Cases that fail today because of a defect another helper owns are listed in
SKIP with the owner; each prints "skip" and is not run.
"""
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time

import yaml

WALL_BOUND_S = 30  # per run: the slowest legal case takes well under 5 s on an idle core
MEMORY_BOUND = 2 << 30  # bytes of address space per run (2 GiB)
HUGE_FLOAT = 1e300
HUGE_INT = 1 << 62
TINY = 1e-9
JOBS = 2
# "FILE:LINE: KEY: message" or "FILE: KEY: message" of a ConfigError
NAMES_A_KEY = re.compile(r"error: \S+: [A-Za-z_][A-Za-z0-9_.\[\]-]*: ")

# (key, value label) -> why it is skipped. Label "*" skips every value of the
# key. Empty: every defect issue 25 listed is fixed, so every case runs.
SKIP = {}


def load_tables(binary):
    out = subprocess.run([binary, "help", "keys", "--json"], capture_output=True, text=True, check=True).stdout
    return {t["kind"]: t["keys"] for t in json.loads(out)["tables"]}


UNITS = {"a size in bytes": "B", "a bandwidth": "B/s", "a time": "s", "a FLOP rate": "FLOP/s", "a count": "",
         "a fraction": ""}


def numeric_kind(key):
    """'int', 'float' or a unit suffix for quantities; None for a non-numeric key."""
    t = key["type"]
    if t.startswith("an integer"):
        return "int"
    if t.startswith("a number"):
        return "float"
    for prefix, unit in UNITS.items():
        if t.startswith(prefix):
            return "q" + unit
    return None


def text_of(kind, v):
    if kind == "int":
        return str(int(v))
    s = repr(float(v))
    return s + kind[1:] if kind.startswith("q") else s


def probe_values(key, kind):
    """(label, value text, in declared range) for the bounds, just outside
    them, 0, tiny and huge."""
    lo, hi = key.get("min"), key.get("max")
    vals = []
    if lo is not None:
        vals.append(("min", lo))
        vals.append(("below", lo - 1 if kind == "int" else (lo - 1e-3 * max(abs(lo), 1.0))))
    if hi is not None:
        vals.append(("max", hi))
        vals.append(("above", hi + 1 if kind == "int" else hi * 2))
    vals.append(("0", 0))
    if kind != "int":
        vals.append(("tiny", TINY))
    vals.append(("huge", HUGE_INT if kind == "int" else HUGE_FLOAT))
    out, seen = [], set()
    for label, v in vals:
        t = text_of(kind, v)
        if t in seen:
            continue
        seen.add(t)
        inside = (lo is None or v >= lo) and (hi is None or v <= hi)
        out.append((label, t, inside))
    return out


class Runner:
    def __init__(self, binary, tmp, sanitized):
        self.binary, self.tmp, self.sanitized = binary, tmp, sanitized
        self.counter = 0

    def path(self, name):
        self.counter += 1
        return os.path.join(self.tmp, "%d-%s" % (self.counter, name))

    def run(self, scenario_file, sets=(), json_out=False):
        cmd = [self.binary, "run", scenario_file, "--quiet"] + [a for s in sets for a in ("--set", s)]
        if json_out:
            cmd.append("--json")
        if not self.sanitized:
            cmd = ["prlimit", "--as=%d" % MEMORY_BOUND, "--"] + cmd
        bound = WALL_BOUND_S * (5 if self.sanitized else 1)
        start = time.monotonic()
        try:
            p = subprocess.run(["timeout", "-s", "KILL", str(bound)] + cmd, capture_output=True, text=True)
            rc, out, err = p.returncode, p.stdout, p.stderr
        except OSError as e:
            rc, out, err = -1, "", str(e)
        return rc, out, err, time.monotonic() - start


def write_yaml(path, doc):
    with open(path, "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False)
    return path


def set_nested(doc, dotted, value):
    parts = dotted.split(".")
    for p in parts[:-1]:
        doc = doc.setdefault(p, {})
    doc[parts[-1]] = value


def bases(root):
    """The base scenarios (small, each well under a second): name -> scenario dict."""
    common = {"model": "megatron-gpt-1.7b", "cluster": "dgx-a100-80gb", "nodes": 2}
    return {
        # Megatron 3-D: TP inside a node, PP across nodes, DP over the rest.
        "megatron": dict(common, parallel={"tp": 2, "pp": 2},
                         training={"seq_len": 2048, "micro_batch": 1, "global_batch": 16}),
        # DeepSpeed ZeRO-2 with the optimizer on the CPU: buckets, PCIe, CPU Adam.
        "zero2_cpu": dict(common, framework={"name": "deepspeed"}, parallel={"zero_stage": 2},
                          training={"seq_len": 2048, "micro_batch": 1, "global_batch": 16},
                          offload={"optimizer": "cpu"}),
        # ZeRO-1 with NCCL's LL protocol forced and unpinned CPU offload (only for EXTRA_MONOTONIC).
        "zero1_ll": dict(common, framework={"name": "deepspeed"}, parallel={"zero_stage": 1},
                         network={"algorithm": "ring", "protocol": "LL"},
                         training={"seq_len": 2048, "micro_batch": 1, "global_batch": 16},
                         offload={"optimizer": "cpu", "pin_memory": False}),
        # ZeRO-Infinity: ZeRO-3 with the optimizer on NVMe, parameters on the CPU.
        "zero3_nvme": dict(common, framework={"name": "deepspeed"}, parallel={"zero_stage": 3},
                           training={"seq_len": 2048, "micro_batch": 1, "global_batch": 16},
                           offload={"optimizer": "nvme", "params": "cpu"}),
    }


def bases_for(table, key):
    if table == "scenario" and key.startswith("offload."):
        return ["zero3_nvme", "zero2_cpu"]
    if table == "scenario" and key.startswith("memory."):
        return ["zero2_cpu", "zero3_nvme"]
    if table == "scenario":
        return ["megatron", "zero3_nvme"]
    return ["megatron", "zero3_nvme"]


class Cards:
    """Temporary copies of the base's cards, one key changed."""

    def __init__(self, root, runner):
        self.runner = runner
        self.cluster = yaml.safe_load(open(os.path.join(root, "topologies/dgx-a100-80gb.yaml")))
        self.gpu = yaml.safe_load(open(os.path.join(root, "topologies/gpus/a100-sxm4-80gb.yaml")))
        self.model = yaml.safe_load(open(os.path.join(root, "models/megatron-gpt-1.7b.yaml")))

    def scenario(self, base, table=None, key=None, value=None):
        """A scenario file of `base` whose card of `table` has `key` = `value`."""
        doc = json.loads(json.dumps(base))
        if table == "model card":
            m = json.loads(json.dumps(self.model))
            set_nested(m, key, value)
            doc["model"] = write_yaml(self.runner.path("model.yaml"), m)
        elif table in ("GPU card", "cluster card"):
            c = json.loads(json.dumps(self.cluster))
            if table == "GPU card":
                g = json.loads(json.dumps(self.gpu))
                set_nested(g, key, value)
                c["node"]["gpu"] = write_yaml(self.runner.path("gpu.yaml"), g)
            else:
                set_nested(c, key, value)
            doc["cluster"] = write_yaml(self.runner.path("cluster.yaml"), c)
        return write_yaml(self.runner.path("scenario.yaml"), doc)


def yaml_value(kind, text):
    if kind == "int":
        return int(text)
    if kind in ("float", "q"):
        return float(text)
    return text


def main():
    binary, tmp = sys.argv[1], sys.argv[2]
    sanitized = "--sanitized" in sys.argv[3:]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    runner = Runner(binary, tmp, sanitized)
    cards = Cards(root, runner)
    base_docs = bases(root)
    tables = load_tables(binary)
    wanted = {"scenario": "scenario", "model card": "model card", "GPU card": "GPU card",
              "cluster card": "cluster card"}
    failures, passed, skipped = [], 0, 0

    # Sanity of the set-up: every base runs (exit 0) within the bounds.
    base_files = {name: cards.scenario(doc) for name, doc in base_docs.items()}
    for name, f in base_files.items():
        rc, out, err, wall = runner.run(f, json_out=True)
        if rc != 0:
            print("FAIL base %s: exit %d: %s" % (name, rc, err.strip()[-400:]))
            return 1

    jobs = []
    for table, keys in tables.items():
        if table not in wanted:
            continue
        for key in keys:
            kind = numeric_kind(key)
            if kind is None:
                continue
            for label, text, inside in probe_values(key, kind):
                why = SKIP.get((key["key"], label)) or SKIP.get((key["key"], "*"))
                if why:
                    print("skip %s=%s (%s): %s" % (key["key"], text, label, why))
                    skipped += 1
                    continue
                # under the sanitizers (5 to 10 times slower) one base per key, no monotonicity runs
                for base in bases_for(table, key["key"])[:1 if sanitized else None]:
                    jobs.append((table, key["key"], kind, label, text, inside, base))

    def probe(job):
        table, key, kind, label, text, inside, base = job
        if table == "scenario":
            rc, out, err, wall = runner.run(base_files[base], ["%s=%s" % (key, text)])
        else:
            f = cards.scenario(base_docs[base], table, key, yaml_value(kind, text))
            rc, out, err, wall = runner.run(f)
        return job, rc, err, wall

    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        for job, rc, err, wall in pool.map(probe, jobs):
            table, key, kind, label, text, inside, base = job
            name = "%s %s=%s (%s, %s)" % (table, key, text, label, base)
            last = err.strip().splitlines()[-1] if err.strip() else ""
            problem = None
            if rc < 0 or rc >= 128 or rc == 124:
                problem = "killed (exit %d: signal, timeout after %ds or memory)" % (rc, WALL_BOUND_S)
            elif rc not in (0, 2):
                problem = "exit %d: %s" % (rc, last)
            elif not inside and rc != 2:
                problem = "out of the declared range but exit %d" % rc
            elif rc == 2 and not inside and key not in err:
                problem = "refused without naming the key: %s" % last
            elif rc == 2 and not NAMES_A_KEY.search(err):
                # a legal value may clash with another key: the message names that one
                problem = "exit 2 without naming a key: %s" % last
            if problem:
                failures.append("%s: %s" % (name, problem))
            else:
                passed += 1

    before = passed
    if not sanitized:
        passed += monotonicity(runner, cards, base_docs, base_files, tables, failures)
    print("property_keys: %d key probes, %d monotonicity cases passed" % (before, passed - before))
    for f in failures:
        print("FAIL " + f)
    print("property_keys: %d cases passed, %d failed, %d skipped" % (passed, len(failures), skipped))
    return 1 if failures else 0


# Rates whose halving must never make the step faster. Everything of dimension
# bandwidth or FLOP rate in the card tables, plus CPU Adam's throughput (a
# count per second).
RATE_EXTRA = {"node.cpu_adam_throughput", "offload.cpu_adam_throughput"}
# Rates checked on a base beyond the three above.
EXTRA_MONOTONIC = [("cluster card", "node.nics.bandwidth", "zero1_ll")]
# Cases left out of the monotonicity check, with the reason (none today). The LL case above was one:
# the offload step engine slowed an inter-node DP collective by the share of the NIC's line rate it
# keeps beside the host copies, not by the share of the rate the LL-capped collective needs
# (OffloadRates::nic_share and CommCost::nic_rate fix it).
MONOTONIC_SKIP = {}
# Bucket sizes in elements: 1e6 doubling to 1.024e9 (the 1.7B model's parameters in 2 to 1,700 buckets).
LADDER = ["%.0f" % (1e6 * 2**k) for k in range(11)]
BUCKETS = ["memory.reduce_bucket_size", "memory.allgather_bucket_size", "memory.prefetch_bucket_size"]


def step_and_events(runner, f, sets=()):
    rc, out, err, _ = runner.run(f, sets, json_out=True)
    if rc != 0:
        return None, "exit %d: %s" % (rc, err.strip()[-300:])
    d = json.loads(out)
    return (d["step_time_s"], d["simulation"]["events"]), None


PREFIX = {"": 1, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15,
          "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50}
COUNT_SUFFIX = {"": 1, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


def parse_quantity(text):
    """A card's rate in base units: "409.6GB/s", "200Gbps", "312TFLOPS", "7.3B" (a count)."""
    m = re.fullmatch(r"\s*([0-9.eE+-]+)\s*(Ki|Mi|Gi|Ti|Pi|[kKMGTP])?(B/s|Bps|b/s|bps|FLOPS|FLOP/s)?\s*", text)
    if not m or (m.group(3) is None and m.group(2) not in (None, "K", "M", "T")):
        m2 = re.fullmatch(r"\s*([0-9.eE+-]+)\s*([KMBT]?)\s*", text)
        if not m2:
            raise ValueError("cannot read the card value " + text)
        return float(m2.group(1)) * COUNT_SUFFIX[m2.group(2)]
    unit = m.group(3) or ""
    if unit == "":
        return float(m.group(1)) * COUNT_SUFFIX[m.group(2) or ""]
    return float(m.group(1)) * PREFIX[m.group(2) or ""] / (8 if unit in ("b/s", "bps") else 1)


def card_value(cards, table, key):
    doc = {"GPU card": cards.gpu, "cluster card": cards.cluster}[table]
    for p in key.split("."):
        if not isinstance(doc, dict) or p not in doc:
            return None
        doc = doc[p]
    return doc


def monotonicity(runner, cards, base_docs, base_files, tables, failures):
    passed = 0
    jobs = []
    for table in ("GPU card", "cluster card"):
        for key in tables[table]:
            kind = numeric_kind(key)
            if kind not in ("qB/s", "qFLOP/s") and key["key"] not in RATE_EXTRA:
                continue
            written = card_value(cards, table, key["key"])
            if written is None:
                continue
            v = parse_quantity(str(written))
            for base in ("megatron", "zero2_cpu", "zero3_nvme"):
                jobs.append((table, key["key"], kind, v, base))
    for table, key_name, base in EXTRA_MONOTONIC:
        why = MONOTONIC_SKIP.get((key_name, base))
        if why:
            print("skip monotonic %s (%s): %s" % (key_name, base, why))
            continue
        key = next(k for k in tables[table] if k["key"] == key_name)
        jobs.append((table, key_name, numeric_kind(key), parse_quantity(str(card_value(cards, table, key_name))), base))
    for key in tables["scenario"]:
        if key["key"] in RATE_EXTRA:
            # 0 = the card's; probe from the card's figure down
            v = parse_quantity(str(card_value(cards, "cluster card", "node.cpu_adam_throughput")))
            for base in ("zero2_cpu", "zero3_nvme"):
                jobs.append(("scenario", key["key"], "q", v, base))

    def steps(job):
        table, key, kind, v, base = job
        res = []
        for factor in (1, 0.5, 0.125):
            text = text_of(kind if kind.startswith("q") else "q", v * factor)
            if table == "scenario":
                r, e = step_and_events(runner, base_files[base], ["%s=%s" % (key, text)])
            else:
                r, e = step_and_events(runner, cards.scenario(base_docs[base], table, key, text))
            res.append((factor, r, e))
        return job, res

    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        for job, res in pool.map(steps, jobs):
            table, key, kind, v, base = job
            name = "monotonic %s %s (%s)" % (table, key, base)
            errs = [e for _, _, e in res if e]
            if errs:
                failures.append("%s: %s" % (name, errs[0]))
                continue
            times = [r[0] for _, r, _ in res]
            if all(b >= a * (1 - 1e-9) for a, b in zip(times, times[1:])):
                passed += 1
            else:
                failures.append("%s: step time at 1, 1/2, 1/8 of %s: %s" % (name, v, times))

    # Buckets: doubling never adds events.
    bucket_jobs = [(k, base) for k in BUCKETS for base in ("zero2_cpu", "zero3_nvme")]

    def events(job):
        key, base = job
        res = []
        for value in LADDER:
            r, e = step_and_events(runner, base_files[base], ["%s=%s" % (key, value)])
            res.append((value, r, e))
        return job, res

    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        for job, res in pool.map(events, bucket_jobs):
            key, base = job
            name = "bucket %s (%s)" % (key, base)
            errs = [e for _, _, e in res if e]
            if errs:
                failures.append("%s: %s" % (name, errs[0]))
                continue
            ev = [r[1] for _, r, _ in res]
            print("bucket %s (%s): events %s" % (key, base, ev))
            if all(b <= a for a, b in zip(ev, ev[1:])):
                passed += 1
            else:
                failures.append("%s: events at %s elements: %s" % (name, ", ".join(LADDER), ev))
    return passed


if __name__ == "__main__":
    sys.exit(main())
