// trace.json (docs/design.md §3 "Outputs"): the timeline of the simulated GPUs in
// the Chrome Trace Event Format, JSON Object Format
//   {"displayTimeUnit": "ms", "traceEvents": [...]}
// which Perfetto and chrome://tracing open.
//
// Contract:
//  - one process per simulated GPU: pid = global rank, "M" metadata
//    process_name "GPU <rank> (node n, dp a pp b tp c cp d)" and
//    process_sort_index = rank;
//  - one thread per Lane used on that GPU: tid = the lane's index in
//    enum Lane, "M" metadata thread_name = to_string(lane) and
//    thread_sort_index = tid; CPU-Adam (optimizer offload) is on the "host"
//    thread (tid 6), the compute thread idle meanwhile;
//  - an "X" complete event per TraceSpan, ts and dur in microseconds
//    (doubles, rounded to the picosecond), cat = the span's category, name
//    saying the layer and operation: compute "L12 attn fwd", "L12 mlp bwd",
//    "L12 attn recompute", "embedding fwd", "output bwd", "optimizer step";
//    collectives "<op> <what> <size> <algorithm>", e.g. "all_reduce L12 mlp
//    33.6 MB nvls", "all_gather L12 params 1.7 GB ring" (a ZeRO-3 gather),
//    "reduce_scatter grad reduce 400 MB ring"; copies and sends by their
//    purpose ("grads to host", "cpu adam", the pass of a send). Layers are
//    numbered from 0 across the model. args {lane, micro_batch, chunk (the
//    span's pass), pass ("F mb3 c0"), flops (compute, one GPU), bytes
//    (collectives at nccl-tests' size, copies, sends), algorithm (NCCL's)},
//    each when known;
//  - a "C" counter event "HBM in use", args {"GiB": bytes / 2^30}, per
//    MemorySample;
//  - a flow per TraceFlow (pipeline send), same id, cat "pp": "s" on the
//    sender's pp_p2p thread in the middle of the send's span, and "f" with
//    "bp":"e" on the receiver's compute thread in the middle of the first
//    span of the receiving pass (same micro_batch, same F/B direction) that
//    starts at or after the arrival dst_s (else of the first span after it).
//    Each flow event lies strictly inside a slice of its own thread, as
//    Perfetto's JSON importer needs to draw the arrow (it binds "s" and
//    "f"+"bp":"e" to the slice open at that instant, and drops the flow when
//    there is none); a flow with no such slice is left out.
// Order: each process's metadata, then its events by (ts, tid), processes
// by pid; ties broken by phase and input order, so the output is a pure
// function of the StepResult.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>

#include "sim/workload/step_result.hpp"

namespace trainsim {

// The whole trace as one JSON document (small traces, tests).
nlohmann::json chrome_trace(const StepResult& r);

// The same document written event by event (one event per line): memory is
// proportional to the number of events' sort keys, never to the text.
void write_chrome_trace(const StepResult& r, std::ostream& os);

}  // namespace trainsim
