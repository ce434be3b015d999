// Presenting a MemoryResult: the terminal table (`trainsim mem`, summary.txt)
// and the summary.json keys of docs/design.md §3 that the memory model answers.
// The library never prints; these return the text / the JSON document.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sim/spec/scenario.hpp"
#include "sim/memory/memory_model.hpp"

namespace trainsim {

// summary.json schema version written by memory_json.
inline constexpr int kSummarySchemaVersion = 1;

// A header line describing the layout, one row per distinct pipeline stage
// (consecutive identical stages share a row, e.g. "1-10"), then the maximum
// over GPUs, the GPU memory, whether it fits and, when offloading, the host
// and NVMe memory per node, then the assumptions the verdict depends on (the
// card's assumed capacities, the loader's defaults). Sizes in GiB (2^30 bytes).
std::string memory_table(const Scenario& s, const MemoryResult& r);

// schema_version, params_total, params_per_gpu, peak_memory_bytes,
// gpu_memory_bytes, fits, memory_at_peak_bytes{params, grads,
// optimizer_states, activations, comm_buffers, other}, largest_term{name, bytes}
// (the biggest of those at the peak; the table prints it too),
// host_memory_peak_bytes_per_node, nvme_peak_bytes_per_node, peak_stage,
// stages[], assumptions{card, import} (memory_assumptions) and the resolved
// layout{...}. Byte counts are integers.
nlohmann::json memory_json(const Scenario& s, const MemoryResult& r);

}  // namespace trainsim
