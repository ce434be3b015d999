#!/usr/bin/env python3
"""Compare parallel layouts of Llama-3 70B on 512 H100s, notebook style.

Sweeps tensor, pipeline and data parallelism, ZeRO stage and micro-batch with
the trainsim package (the same library as `trainsim sweep`), prints the plans
that fit ranked by step time with the Pareto front of step time against peak
memory, and plots them with matplotlib when it is installed.

    PYTHONPATH=build/python python3 examples/compare_layouts.py [--plot layouts.png] [--threads N]
"""
import argparse
import os
import sys

import trainsim

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# A layout space as a dict in the sweep-file schema (docs/sweep.md): lists are swept.
SPACE = {
    "model": "llama-3-70b",
    "cluster": "dgx-h100-80gb",
    "nodes": 64,
    "parallel": {"tp": [2, 4, 8], "pp": [1, 2, 4, 8], "zero_stage": [0, 1]},
    "training": {"seq_len": 8192, "global_batch": 1024, "micro_batch": [1, 2], "recompute": ["selective", "full"],
                 "precision": "bf16"},
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", default="", help="write the scatter plot to this image (needs matplotlib)")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()

    def progress(done, total):
        print(f"\r{done}/{total} plans", end="" if done < total else "\n", file=sys.stderr, flush=True)

    df = trainsim.sweep(SPACE, threads=args.threads, progress=progress, as_frame=True)
    fitting = df[df["fits"]].sort_values("step_time_s")
    cols = ["tp", "pp", "dp", "zero_stage", "micro_batch", "recompute", "step_time_s", "mfu", "peak_memory_bytes"]
    print(f"{len(df)} plans, {len(fitting)} fit; the ten fastest:")
    print(fitting[cols].head(10).to_string(index=False))
    front = fitting[fitting["pareto"]].sort_values("peak_memory_bytes")
    print("\nPareto front (less memory or less time, not both):")
    print(front[cols].to_string(index=False))

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("\n(matplotlib is not installed: no plot; apt install python3-matplotlib)", file=sys.stderr)
        return 0
    fig, ax = plt.subplots(figsize=(8, 5))
    for tp, group in fitting.groupby("tp"):
        ax.scatter(group["peak_memory_bytes"] / 2**30, group["step_time_s"], label=f"tp={tp}", s=18)
    ax.plot(front["peak_memory_bytes"] / 2**30, front["step_time_s"], "k--", label="Pareto front")
    hbm = df["gpu_memory_bytes"].max() / 2**30
    ax.axvline(hbm, color="red", linewidth=1, label=f"HBM {hbm:.0f} GiB")
    ax.set_xlabel("peak memory per GPU [GiB]")
    ax.set_ylabel("step time [s]")
    ax.set_title("Llama-3 70B on 512 H100: layouts that fit")
    ax.legend()
    out = args.plot or "compare_layouts.png"
    fig.savefig(out, dpi=120, bbox_inches="tight")
    print(f"\nplot written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
