// Presenting a StepResult (trainsim run, docs/design.md §3 "Outputs"): the
// terminal table (also summary.txt), summary.json and per_gpu.csv. trace.json
// is written by chrome_trace.hpp. The library never prints; these return the
// text / the JSON document, or write to a stream the caller owns.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/workload/step_result.hpp"

namespace trainsim {

// The terminal table: scenario, resolved layout, throughput (step time,
// tokens/s, model and hardware TFLOP/s per GPU, MFU), the breakdown of the
// critical rank's step (seconds and % of step, then a "total" row equal to
// the step time), peak memory (GiB = 2^30 bytes, against the GPU's HBM, with
// the rank holding it and its breakdown), bytes sent per GPU by collective
// kind (GB = 1e9 bytes), offload traffic when non-zero, and how the step was
// simulated, then the assumptions the result depends on (card values marked
// assumed or left to an assumed default, and the loader's resolved defaults).
// Every column header carries its unit.
std::string format_step_summary(const StepResult& r);

// summary.json: schema_version (kSummarySchemaVersion), params_total,
// step_time_s, tokens_per_s, model_tflops_per_gpu, hardware_tflops_per_gpu,
// mfu (fraction, 0..1), breakdown_s{...} (sums to step_time_s),
// peak_memory_bytes, gpu_memory_bytes, fits, memory_at_peak_bytes{...},
// comm_bytes_per_gpu{"group.kind": bytes}, host_memory_peak_bytes_per_node,
// nvme_peak_bytes_per_node, offload_bytes_per_gpu{pcie_d2h, pcie_h2d,
// nvme_read, nvme_write}, layout{...}, model, cluster, gpu, scenario,
// critical_rank, peak_rank, simulation{full, simulated_gpus, events},
// assumptions{card: [{key, value, from: "card"|"default"}], import: [lines]}.
// Byte counts are integers (rounded to the nearest byte); keys are sorted.
nlohmann::json step_summary_json(const StepResult& r);

// per_gpu.csv: the header
//   rank,node,local_gpu,dp,pp,tp,cp,peak_bytes,params_bytes,grads_bytes,
//   optimizer_states_bytes,activations_bytes,comm_buffers_bytes,other_bytes,
//   busy_s,idle_s,simulated
// then one row per GPU in rank order. Bytes are integers, seconds printed
// with 12 significant digits, simulated is 1 (simulated) or 0 (a copy of the
// symmetric representative with the same role).
void write_per_gpu_csv(const StepResult& r, std::ostream& os);

}  // namespace trainsim
