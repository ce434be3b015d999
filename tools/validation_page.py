#!/usr/bin/env python3
"""Builds results/validation.md from `trainsim validate` reports (standard library only).

    validation_page.py --dir BUILD/validation --plots validation > results/validation.md

BUILD/validation holds calibration.json/.md, vtrain_multi.json/.md,
vtrain_single.json, megatron_h100.json/.md and torchtitan_a100.json/.md written by
tools/gen_validation.sh; --plots is the folder
of the SVG files relative to results/. Deterministic: the same reports give
the same page.
"""
import argparse
import collections
import json
import os

FILES = [  # (stem, runs file as the page names it, all rows in a table?)
    ("calibration", "data/reference/calibration_runs.csv", True),
    ("vtrain_multi", "data/reference/vtrain/runs_multi.csv", True),
    ("vtrain_single", "data/reference/vtrain/runs_single.csv", False),
    ("megatron_h100", "data/reference/megatron_h100_bf16_runs.csv", True),
    ("torchtitan_a100", "data/reference/torchtitan_a100_fsdp_runs.csv", True),
]


def pct(v, signed=False):
    if v is None:
        return "-"
    return f"{100 * v:+.1f}%" if signed else f"{100 * v:.1f}%"


def summary_row(name, s):
    mem = f"{pct(s['memory_mape'])} ({s['memory_rows']})" if s["memory_rows"] else "-"
    worst = f"{pct(s['max_abs_error'])} ({s['max_abs_error_id']})" if s["max_abs_error"] is not None else "-"
    oom = f"{s['oom_rows_agreeing']}/{s['rows']}"
    return (f"| {name} | {s['rows']} | {s['rows_failed']} | {s['rows_compared']} | {pct(s['mape_step_time'])} | "
            f"{pct(s['median_abs_error'])} | {worst} | {pct(s['mean_error'], True)} | {s['rows_over_10pct']} | "
            f"{s['rows_over_20pct']} | {oom} | {mem} |")


def group_table(rows, key, title):
    groups = collections.OrderedDict()
    for r in sorted(rows, key=key):
        groups.setdefault(key(r), []).append(r)
    out = [f"| {title} | rows | MAPE | median abs | mean error | worst |", "|---|---:|---:|---:|---:|---:|"]
    for k, rs in groups.items():
        errs = sorted(r["error"] for r in rs if r["error"] is not None)
        if not errs:
            continue
        absd = sorted(abs(e) for e in errs)
        med = absd[len(absd) // 2] if len(absd) % 2 else (absd[len(absd) // 2 - 1] + absd[len(absd) // 2]) / 2
        label = " / ".join(str(x) for x in k) if isinstance(k, tuple) else str(k)
        out.append(f"| {label} | {len(errs)} | {pct(sum(absd) / len(absd))} | {pct(med)} | "
                   f"{pct(sum(errs) / len(errs), True)} | {pct(max(absd))} |")
    return "\n".join(out) + "\n"


def layout_text(r):
    l = r.get("layout")
    if not l:
        return "-"
    text = f"tp {l['tp']} pp {l['pp']} dp {l['dp']}"
    text += f" cp {l['cp']}" if l["cp"] > 1 else ""
    text += f" vp {l['vp']}" if l["vp"] > 1 else ""
    return text + f", mbs {l['micro_batch']} x {l['micro_batches']}, {l['recompute']}"


def breakdown_text(r):
    b = r.get("breakdown_s")
    if not b or not r.get("predicted_step_time_s"):
        return "-"
    t = r["predicted_step_time_s"]
    parts = [("compute", b["compute"] + b["recompute"]), ("bubble", b["pp_bubble"]),
             ("TP comm", b["tp_comm_exposed"]), ("PP comm", b["pp_comm_exposed"]), ("DP comm", b["dp_comm_exposed"]),
             ("optimizer", b["optimizer"])]
    return ", ".join(f"{name} {100 * v / t:.0f}%" for name, v in parts if v / t >= 0.01)


def worst_table(rows, n):
    rows = sorted((r for r in rows if r["error"] is not None), key=lambda r: (-abs(r["error"]), r["id"]))[:n]
    out = ["| id | model | GPUs | layout | measured [s] | predicted [s] | error | predicted breakdown |",
           "|---|---|---:|---|---:|---:|---:|---|"]
    for r in rows:
        out.append(f"| {r['id']} | {r['model']} | {r['gpus']} | {layout_text(r)} | {r['measured_step_time_s']:.4g} | "
                   f"{r['predicted_step_time_s']:.4g} | {pct(r['error'], True)} | {breakdown_text(r)} |")
    return "\n".join(out) + "\n"


def launch_text(reports):
    seen = collections.OrderedDict()
    for rep in reports:
        for r in rep["rows"]:
            for l in r["launch"]:
                seen.setdefault(r["family"], collections.OrderedDict()).setdefault(
                    f"`{l['key']}={l['value']}` ({l['why']})", None)
    for rep in reports:
        for r in rep["rows"]:
            seen.setdefault(r["family"], collections.OrderedDict())
    lines = []
    for fam, settings in seen.items():
        if not settings:
            lines.append(f"- {fam}: none (the scenario keys' defaults: FlashAttention, gradient reduction overlapped)")
            continue
        lines.append(f"- {fam}:")
        lines.extend(f"  - {s}" for s in settings)
    return "\n".join(lines) + "\n"


MISSES_TEXT = """\
- **BLOOM (Megatron-DeepSpeed, 384 A100, 2022): rows 3-20% too fast (mean about -8%).** The
  layouts are predicted in the right order (BigScience's layout the fastest of 40 in the search,
  tied with its ZeRO-0 twin) and the memory within 12%. DeepSpeed's PipelineEngine (blocking sends
  of the whole activation from every TP rank: `parallel.pipeline_engine: deepspeed`), its
  BF16_Optimizer (gradient all-reduce in DeepSpeed's 16-bit communication_data_type, fp32
  accumulation pass after every micro-batch) and
  Jean Zay's `CUDA_LAUNCH_BLOCKING=1` (`training.cuda_launch_blocking`) are modelled; the rest of
  the gap is the A100 bias the SC21 rows show too. Measured times of identical layouts scatter by
  up to 20% between rows (e.g. 178B_34/35/36: 104-124 s with 64, 104 and 128 heads), so the two
  rows past 15% (184B_31, 178B_35) are the slow outliers of layouts whose twins are within 10%.
- **OOM: 36 of 37 rows agree.** BLOOM 206B_44 ran out of memory, yet its per-GPU parameters
  (4.60B on the first stage, 4.32B on the others) are within 1.5% of 203B_38's (4.56B / 4.25B),
  which ran at 67 GB with the same TP 4, PP 12, micro-batch 2 and 128 heads, and its stored
  activations are smaller (7 layers of h 14336 against 8 of h 13312). No per-layer accounting
  predicts one over 80 GB and the other at 67 GB; the model predicts 63.2 GB for 206B_44
  (tests/validation/bloom_memory_test.cpp).
- **SC21 Table 1 (Megatron-LM, 2021): rows 6-9% too fast** with the `auto` search, 1-9% with the
  launch script's own micro-batch and vp (`tests/validation/sc21_validation_test.cpp`, every row within 10%).
  The step times are derived from the published TFLOP/s, not measured. The A100's sustained
  tensor-core fraction (results/calibration.md) is bounded by Korthikanti et al.'s per-layer times
  on the same kind of machine, which the model already predicts 4-10% slow (validation_checks.md):
  the rest of the miss is outside the layer (step-level costs of Megatron 2021: fp16 loss scaling
  and its overflow check, un-fused optimizer), and the `auto` search picks micro-batches whose
  larger GEMMs and collectives the measured microbenchmark curves reward more than the runs did.
- **NeMo 24.07 (H100 FP8): within 9%** (largest −8.1%, Llama 3 8B). With Transformer Engine's 1-byte FP8 activation copies and
  NeMo's bf16 gradients (`training.grad_dtype`) every row runs without recomputation, as NeMo did.
  The H100 sustained fraction (0.94) is fitted on these seven rows.
- **Megatron-LM H100 BF16 weak scaling (1.7B-462B, 48-6,144 GPUs): every row within 8%**, run
  with the flags the README states (`settings`: TP communication overlap with userbuffers, both
  DP overlaps) and the Hopper BF16 sustained fraction (0.71) fitted on these nine rows
  (results/calibration.md). Micro-batch, recompute, sequence parallelism and vp are not stated
  and are searched (`auto`); the largest errors are the pipelined 70B-177B rows (-4% to -7%).
- **torchtitan FSDP2 on 64 A100 (2024): eager PyTorch, not yet a profile of its own here.** The
  rows with full or layer-wise recomputation are within 6%; the 8B and 13B rows with op-level
  selective recomputation or none are 20-27% too fast, and the 70B op-level row is predicted not
  to fit (128 GB against 80; it ran): PyTorch eager runs RMSNorm, RoPE, SwiGLU and the
  loss as separate memory-bound kernels, and torchtitan's op-level policy recomputes every
  second matmul, neither of which the `recompute: selective` of Megatron models. The
  `training.recompute_num_layers` of the layer-wise rows is stated but takes effect with the
  Megatron-core knob work of issue 19.
- **vTrain multi-node: two clusters of misses.** Hidden 8192 with TP 2-4 and PP > 1 is 12-40% too
  fast while TP 8 on the same model is within 3%: nothing in the model separates them (TP 2
  communication is small there); it is as if those runs paid a per-stage cost DeepSpeed's pipeline
  engine adds. The 3.6B model at micro-batch 32-64 with TP 8 is 50% too fast (activation memory
  churn at that size is not modelled).
- **vTrain single-node.** The remaining errors are largest at TP 8 with micro-batch 1, where the
  host-bound floor (one constant per op) is coarse: real kernels per op differ by op.
"""


def misses(stem, runs, rows, listed):
    over = [r for r in rows if r["status"] == "failed" or (r["error"] is not None and abs(r["error"]) > 0.10)]
    out = [f"### {runs}: {len(over)} of {len(rows)} rows over 10% or failed\n"]
    if not over:
        return "\n".join(out) + "\n"
    fast = sum(1 for r in over if r["error"] is not None and r["error"] < 0)
    out.append(f"{fast} predicted too fast, {len(over) - fast} too slow or failed.\n")
    if listed:
        out.append(worst_table(over, len(over)))
    else:
        out.append("By model and micro-batch (the worst rows are listed above):\n")
        out.append(group_table([r for r in over if r["error"] is not None],
                               lambda r: (r["model"], (r.get("layout") or {}).get("micro_batch", "-")),
                               "model / micro-batch (rows over 10%)"))
    failed = [r for r in rows if r["status"] == "failed"]
    for r in failed:
        out.append(f"- FAILED {r['id']}: {r['reason']}")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True, help="folder with the validate reports")
    ap.add_argument("--plots", required=True, help="folder of the SVG plots, relative to results/")
    args = ap.parse_args()
    reports = {stem: json.load(open(os.path.join(args.dir, stem + ".json"))) for stem, _, _ in FILES}
    p = []
    p.append("# Validation against measured training runs\n")
    p.append("Generated by `tools/gen_validation.sh`; do not edit by hand. It runs `trainsim validate` on the five\n"
             "runs files of `data/reference/` (`--json`, `--markdown`), draws the plots with\n"
             "`tools/plot_validation.py` and writes this page with `tools/validation_page.py`. The hand-written\n"
             "checks (Korthikanti per-layer times, the SC21 test, analytic checks, simulation speed) are in\n"
             "[validation_checks.md](validation_checks.md).\n")
    p.append("Each row is simulated as its columns say (model dimensions as an inline model card, GPU and cluster\n"
             "cards by name, layout, precision, recompute). An `auto` cell is searched: micro-batch 1, 2, 4, ...\n"
             "dividing global/dp, vp dividing layers/pp (interleaving only when the micro-batches are a multiple\n"
             "of pp), recompute none/selective/full, sequence parallel off/on when tp > 1; the fastest plan that\n"
             "fits is the prediction and its choices are reported. Errors are predicted / measured - 1 (negative:\n"
             "the model is too fast). A row may state its launch in a `settings` column (`dotted.key=value`\n"
             "pairs of scenario keys, listed under each file's table); they apply over the launch settings\n"
             "implied by each row's source (`sim/validate/launch_settings.cpp`, with citations):\n")
    p.append(launch_text(reports.values()))
    p.append("## Summary\n")
    p.append("| runs file | rows | failed | step time compared | MAPE | median abs error | max abs error | "
             "mean error | rows > 10% | rows > 20% | fits/OOM agree | peak memory MAPE (rows) |")
    p.append("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for stem, runs, _ in FILES:
        p.append(summary_row(f"`{runs}`", reports[stem]["summary"]))
    s = reports["calibration"]["summary"]
    checks = [("no failed rows", s["rows_failed"] == 0),
              ("step-time MAPE <= 8%", s["mape_step_time"] is not None and s["mape_step_time"] <= 0.08),
              ("every row within 20%", s["max_abs_error"] is not None and s["max_abs_error"] <= 0.20),
              ("fits/OOM agreement on every row", s["oom_rows_agreeing"] == s["rows"]),
              ("BLOOM peak memory within 15%",
               s["memory_max_abs_error"] is not None and s["memory_max_abs_error"] <= 0.15)]
    met = all(ok for _, ok in checks)
    p.append(f"\nAcceptance on `calibration_runs.csv` (issue 7): **{'met' if met else 'not met'}**: " +
             "; ".join(f"{name} {'yes' if ok else 'no'}" for name, ok in checks) + ".\n")
    m = reports["megatron_h100"]["summary"]
    checks = [("no failed rows", m["rows_failed"] == 0),
              ("every row within 10%", m["max_abs_error"] is not None and m["max_abs_error"] <= 0.10)]
    met = all(ok for _, ok in checks)
    p.append(f"Acceptance on `megatron_h100_bf16_runs.csv` (issue 19): **{'met' if met else 'not met'}**: " +
             "; ".join(f"{name} {'yes' if ok else 'no'}" for name, ok in checks) + ".\n")
    for stem, _, _ in FILES:
        p.append(f"![{stem}: predicted vs measured]({args.plots}/validation_scatter_{stem}.svg)")
    p.append(f"\n![step-time error by group]({args.plots}/validation_error_by_group.svg)\n")
    for stem, runs, listed in FILES:
        rows = reports[stem]["rows"]
        p.append(f"## `{runs}` ({len(rows)} rows)\n")
        if listed:
            p.append(open(os.path.join(args.dir, stem + ".md")).read())
            continue
        p.append(group_table(rows, lambda r: (r["model"], r["gpus"]), "model / GPUs"))
        p.append(group_table(rows, lambda r: ((r.get("layout") or {}).get("micro_batch", "-"),
                                              (r.get("layout") or {}).get("tp", "-")), "micro-batch / tp"))
        p.append("Worst 20 rows:\n")
        p.append(worst_table(rows, 20))
    p.append("## Where the model misses\n")
    p.append("Rows over 10% step-time error (or failed), with the predicted plan and where its time goes\n"
             "(shares of the predicted step). What the model lacks, family by family (no constant was bent to\n"
             "close these gaps; results/calibration.md lists what was fitted):\n")
    p.append(MISSES_TEXT)
    for stem, runs, listed in FILES:
        p.append(misses(stem, f"`{runs}`", reports[stem]["rows"], listed))
    print("\n".join(p).rstrip() + "")


if __name__ == "__main__":
    main()
